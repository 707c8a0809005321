"""Documents of a meeting (Einladung, Vorlagen, Präsentationen): add, change, reorder, remove.

A file is accepted only after ``meetings.uploads.upload_type`` judged its content; its
type and size are stored with it. Every change touches the meeting (``updated_at``), so
that feeds, which carry the public documents as ATTACH links, build its event again.
A removed document's file leaves the storage once the transaction commits (django-cleanup).
"""

import logging
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from contacts.history import bulk_history_defaults
from meetings import uploads
from meetings.models import DOCUMENT_TITLE_MAX_LENGTH, AgendaItem, Meeting, MeetingDocument, Visibility
from meetings.services._common import _actor_id, _check_changes, _meeting_touch, _save

logger = logging.getLogger(__name__)

DOCUMENT_FIELDS = ("title", "kind", "visibility", "agenda_item", "position")


def _documents_renumber(meeting: Meeting, *, first: MeetingDocument | None = None) -> None:
    """Number the meeting's documents 1, 2, 3 … in their order; ``first`` wins a tie."""
    documents = list(MeetingDocument.objects.filter(meeting=meeting).order_by("position", "pk"))
    if first is not None:
        documents.sort(key=lambda document: (document.position, document.pk != first.pk, document.pk))
    changed = []
    for number, document in enumerate(documents, start=1):
        if document.position != number:
            document.position = number
            changed.append(document)
    MeetingDocument.objects.bulk_update(changed, ["position"])
    MeetingDocument.history.bulk_history_create(changed, update=True, **bulk_history_defaults())


def _title_from(file_name: str) -> str:
    """„Einladung März 2027“ from „Einladung_März_2027.pdf“."""
    stem = PurePath(file_name).stem.replace("_", " ").strip()
    return " ".join(stem.split())[:DOCUMENT_TITLE_MAX_LENGTH]


def _check_agenda_item(meeting: Meeting, agenda_item: AgendaItem | None) -> None:
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationError({"agenda_item": _("Dieser Tagesordnungspunkt gehört zu einer anderen Sitzung.")})


@transaction.atomic
def document_add(
    *,
    meeting: Meeting,
    file,
    title: str = "",
    kind: str = MeetingDocument.Kind.PAPER,
    visibility: str = Visibility.MEMBERS,
    agenda_item: AgendaItem | None = None,
    actor=None,
) -> MeetingDocument:
    """Attach ``file`` (an uploaded file) to ``meeting``, or to one of its agenda items, at
    the end of the list.

    Raises ``ValidationError`` (nothing is written) for a file over 10 MB, an empty one,
    one whose content is not a safe type or does not match its name, and an agenda item
    of another meeting. Without a ``title`` the file's name is the title.
    Side effects: the ``MeetingDocument`` row and its file; the meeting's ``updated_at``.
    """
    _check_agenda_item(meeting, agenda_item)
    try:
        safe = uploads.upload_type(file)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from None
    file_name = PurePath(file.name or "").name
    last = MeetingDocument.objects.filter(meeting=meeting).aggregate(last=Max("position"))["last"] or 0
    document = MeetingDocument(
        meeting=meeting,
        agenda_item=agenda_item,
        title=title.strip() or _title_from(file_name),
        kind=kind,
        visibility=visibility,
        file=file,
        file_name=file_name[:255],
        content_type=safe.mime,
        size=file.size,
        position=last + 1,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    _save(document)
    _meeting_touch(meeting.pk)
    logger.info("Document %s added to meeting %s by %s", document.pk, meeting.pk, _actor_id(actor))
    return document


@transaction.atomic
def document_update(*, document: MeetingDocument, actor=None, **changes) -> MeetingDocument:
    """Rename a document, change its kind, visibility or agenda item, or move it to
    ``position`` (the others make room). The file itself stays.

    Raises ``ValidationError`` for an agenda item of another meeting. Side effects: the
    document, the positions of the others, the meeting's ``updated_at``.
    """
    _check_changes(changes, DOCUMENT_FIELDS)
    if "agenda_item" in changes:
        _check_agenda_item(document.meeting, changes["agenda_item"])
    for name, value in changes.items():
        setattr(document, name, value.strip() if name == "title" else value)
    _save(document)
    if "position" in changes:
        _documents_renumber(document.meeting, first=document)
        document.refresh_from_db(fields=["position"])
    _meeting_touch(document.meeting_id)
    logger.info("Document %s changed by %s", document.pk, _actor_id(actor))
    return document


@transaction.atomic
def document_move(*, document: MeetingDocument, step: int, actor=None) -> MeetingDocument:
    """Swap a document with its neighbour above (``step`` -1) or below (+1) among the
    documents of the same place (the whole meeting, or the same agenda item); at either
    end nothing changes. Side effects: both positions, the meeting's ``updated_at``."""
    _documents_renumber(document.meeting)
    group = list(
        MeetingDocument.objects.filter(meeting_id=document.meeting_id, agenda_item_id=document.agenda_item_id).order_by(
            "position", "pk"
        )
    )
    index = [row.pk for row in group].index(document.pk)
    target = index + step
    if not 0 <= target < len(group):
        document.refresh_from_db(fields=["position"])
        return document
    moved, neighbour = group[index], group[target]
    moved.position, neighbour.position = neighbour.position, moved.position
    MeetingDocument.objects.bulk_update([neighbour], ["position"])
    MeetingDocument.history.bulk_history_create([neighbour], update=True, **bulk_history_defaults())
    # Saved, not bulk-updated: its signals record the version and mark the public API's
    # cached answers stale.
    moved.save(update_fields=["position", "updated_at"])
    _meeting_touch(document.meeting_id)
    document.refresh_from_db(fields=["position"])
    logger.info("Document %s moved by %s", document.pk, _actor_id(actor))
    return document


@transaction.atomic
def document_remove(*, document: MeetingDocument, actor=None) -> None:
    """Delete a document; its file leaves the storage after the commit. Side effects: the
    positions of the others; the meeting's ``updated_at``."""
    meeting = document.meeting
    document.delete()
    _documents_renumber(meeting)
    _meeting_touch(meeting.pk)
    logger.info("Document of meeting %s removed by %s", meeting.pk, _actor_id(actor))
