"""Agenda items (TOP) and minutes."""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.history import bulk_history_defaults
from contacts.visibility import PUBLIC, Audience
from meetings import selectors
from meetings.minutes_template import minutes_template
from meetings.models import (
    AgendaItem,
    Meeting,
    Minutes,
    Visibility,
)
from meetings.services._common import AGENDA_ITEM_FIELDS, _actor_id, _check_changes, _meeting_touch, _save

logger = logging.getLogger(__name__)


def _agenda_renumber(meeting: Meeting, *, first: AgendaItem | None = None, moved_down: bool = False) -> None:
    """Number the items 1, 2, 3 … in their order; ``first`` wins a tie at its position
    (it takes that place, the other item moves on), or, ``moved_down``, comes after the
    item it tied with (which moves up into the place it left)."""
    items = list(meeting.agenda_items.order_by("position", "pk"))
    if first is not None:
        items.sort(key=lambda item: (item.position, (item.pk == first.pk) == moved_down, item.pk))
    changed = []
    for number, item in enumerate(items, start=1):
        if item.position != number:
            item.position = number
            changed.append(item)
    AgendaItem.objects.bulk_update(changed, ["position"])
    # bulk_update sends no signals: the new numbers are recorded as versions here.
    AgendaItem.history.bulk_history_create(changed, update=True, **bulk_history_defaults())


@transaction.atomic
def agenda_item_add(
    *,
    meeting: Meeting,
    title: str,
    text: str = "",
    is_public: bool = True,
    position: int | None = None,
    actor=None,
) -> AgendaItem:
    """Add a TOP at the end, or at ``position`` (the items from there move down).

    Agenda edits do not change the meeting's sequence. Side effects: the new item;
    positions of the others.
    """
    last = meeting.agenda_items.aggregate(last=Max("position"))["last"] or 0
    item = _save(
        AgendaItem(meeting=meeting, title=title, text=text, is_public=is_public, position=position or last + 1)
    )
    _agenda_renumber(meeting, first=item)
    item.refresh_from_db(fields=["position"])
    _meeting_touch(meeting.pk)
    logger.info("Agenda item %s added by %s", item.pk, _actor_id(actor))
    return item


@transaction.atomic
def agenda_item_update(*, item: AgendaItem, actor=None, now: datetime.datetime | None = None, **changes) -> AgendaItem:
    """Change a TOP's title, text, visibility, position or result.

    A result is recorded once the meeting has begun (raises ``ValidationError`` before);
    it is seen by whoever sees the item. Side effects: item positions.
    """
    _check_changes(changes, AGENDA_ITEM_FIELDS)
    if changes.get("result", item.result) != item.result and item.meeting.start > (now or timezone.now()):
        raise ValidationError({"result": _("Ein Ergebnis kann erst ab Beginn der Sitzung eingetragen werden.")})
    moved_down = "position" in changes and changes["position"] > item.position
    for name, value in changes.items():
        setattr(item, name, value)
    _save(item)
    if "position" in changes:
        _agenda_renumber(item.meeting, first=item, moved_down=moved_down)
        item.refresh_from_db(fields=["position"])
    _meeting_touch(item.meeting_id)
    logger.info("Agenda item %s changed by %s", item.pk, _actor_id(actor))
    return item


@transaction.atomic
def agenda_item_remove(*, item: AgendaItem, actor=None) -> None:
    """Delete a TOP; the items after it move up. Side effects: item positions."""
    meeting = item.meeting
    item.delete()
    _agenda_renumber(meeting)
    _meeting_touch(meeting.pk)
    logger.info("Agenda item of meeting %s removed by %s", meeting.pk, _actor_id(actor))


@transaction.atomic
def minutes_save(
    *, meeting: Meeting, text: str = "", file=None, visibility: str = Visibility.MEMBERS, actor=None
) -> Minutes:
    """Create or change the minutes of a meeting (a draft until published).

    Raises ``ValidationError`` when neither text nor file is given. Side effects: the
    ``Minutes`` row.
    """
    minutes = Minutes.objects.filter(meeting=meeting).first() or Minutes(meeting=meeting)
    minutes.text = text
    if file is not None:
        minutes.file = file
    minutes.visibility = visibility
    _save(minutes)
    logger.info("Minutes of meeting %s saved by %s", meeting.pk, _actor_id(actor))
    return minutes


class MinutesTextExists(ValidationError):
    """The draft has a text of its own: building it from the agenda would replace it."""


@transaction.atomic
def minutes_draft_from_agenda(
    *,
    meeting: Meeting,
    with_names: bool = False,
    replace: bool = False,
    actor=None,
    now: datetime.datetime | None = None,
) -> Minutes:
    """„Protokoll aus Tagesordnung erstellen“: the draft's text from the meeting, who was
    there (institutions and roles; with ``with_names`` also names, as far as the minutes'
    readers may see them) and each TOP with its result.

    The minutes' readers decide what goes in: minutes for the public leave out the TOPs
    that are not public. Raises ``MinutesTextExists`` (a ``ValidationError``) when the
    minutes have a text and ``replace`` is not given — a text is never overwritten unasked;
    ``ValidationError`` before the meeting has begun. A file stays. Side effects: the
    ``Minutes`` row (a draft if new; published minutes stay published).
    """
    now = now or timezone.now()
    if meeting.start > now:
        raise ValidationError(_("Ein Protokoll kann erst ab Beginn der Sitzung erstellt werden."))
    minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first() or Minutes(meeting=meeting)
    if minutes.text.strip() and not replace:
        raise MinutesTextExists(
            _("Das Protokoll hat schon einen Text. Bitte bestätigen Sie, dass er ersetzt werden soll.")
        )
    public = minutes.visibility == Visibility.PUBLIC
    items = list(meeting.agenda_items.order_by("position", "pk"))
    if public:
        items = [item for item in items if item.is_public]
    readers = PUBLIC if public else Audience(network_ids=frozenset({meeting.network_id}))
    minutes.text = minutes_template(
        meeting=meeting,
        items=items,
        presence=selectors.meeting_presence(meeting),
        names_for=readers if with_names else None,
    )
    _save(minutes)
    logger.info("Minutes of meeting %s built from the agenda by %s", meeting.pk, _actor_id(actor))
    return minutes


@transaction.atomic
def minutes_publish(
    *, minutes: Minutes, notify_again: bool = False, actor=None, now: datetime.datetime | None = None
) -> Minutes:
    """Publish minutes (to members or the public, per their visibility); the members are
    told („Protokoll veröffentlicht“, planned by the notifications sweep).

    Publishing twice keeps the first date and tells nobody again, unless ``notify_again``
    („Mitglieder erneut benachrichtigen“ after an edit). Raises ``ValidationError`` before
    the meeting has begun. Side effects: ``published_at``; ``notice_version`` (1 at the
    first publication, one more for each renewed notice).
    """
    now = now or timezone.now()
    minutes.refresh_from_db(from_queryset=Minutes.objects.select_for_update())
    if minutes.meeting.start > now:
        raise ValidationError(_("Ein Protokoll kann erst nach Beginn der Sitzung veröffentlicht werden."))
    if minutes.published_at is None:
        minutes.published_at = now
        minutes.notice_version += 1
        _save(minutes)
        logger.info("Minutes %s published by %s", minutes.pk, _actor_id(actor))
    elif notify_again:
        minutes.notice_version += 1
        _save(minutes)
        logger.info("Members told again about minutes %s by %s", minutes.pk, _actor_id(actor))
    return minutes
