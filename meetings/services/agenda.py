"""Agenda items (TOP) and minutes."""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.history import bulk_history_defaults
from meetings.models import (
    AgendaItem,
    Meeting,
    Minutes,
    Visibility,
)
from meetings.services._common import AGENDA_ITEM_FIELDS, _actor_id, _check_changes, _meeting_touch, _save

logger = logging.getLogger(__name__)


def _agenda_renumber(meeting: Meeting, *, first: AgendaItem | None = None) -> None:
    """Number the items 1, 2, 3 … in their order; ``first`` wins a tie at its position."""
    items = list(meeting.agenda_items.order_by("position", "pk"))
    if first is not None:
        items.sort(key=lambda item: (item.position, item.pk != first.pk, item.pk))
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
def agenda_item_update(*, item: AgendaItem, actor=None, **changes) -> AgendaItem:
    """Change a TOP's title, text, visibility or position. Side effects: item positions."""
    _check_changes(changes, AGENDA_ITEM_FIELDS)
    for name, value in changes.items():
        setattr(item, name, value)
    _save(item)
    if "position" in changes:
        _agenda_renumber(item.meeting, first=item)
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


@transaction.atomic
def minutes_publish(*, minutes: Minutes, actor=None, now: datetime.datetime | None = None) -> Minutes:
    """Publish minutes (to members or the public, per their visibility). Publishing twice keeps the first date.

    Raises ``ValidationError`` before the meeting has begun. Side effects: ``published_at``.
    """
    now = now or timezone.now()
    if minutes.meeting.start > now:
        raise ValidationError(_("Ein Protokoll kann erst nach Beginn der Sitzung veröffentlicht werden."))
    if minutes.published_at is None:
        minutes.published_at = now
        _save(minutes)
        logger.info("Minutes %s published by %s", minutes.pk, _actor_id(actor))
    return minutes
