"""Single meetings: scheduled, changed, moved, cancelled (with a reason) and restored."""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Institution, Network
from meetings.models import (
    Meeting,
    Visibility,
)
from meetings.services._common import (
    MEETING_FIELDS,
    _actor_id,
    _apply,
    _check_changes,
    _lock,
    _meeting_save,
    _require_aware,
    _save,
)

logger = logging.getLogger(__name__)


@transaction.atomic
def meeting_schedule(
    *,
    network: Network,
    title: str,
    start: datetime.datetime,
    end: datetime.datetime,
    status: str = Meeting.Status.PLANNED,
    visibility: str = Visibility.PUBLIC,
    institution: Institution | None = None,
    address: str = "",
    room: str = "",
    accessibility_notes: str = "",
    online_url: str = "",
    actor=None,
) -> Meeting:
    """Plan a single meeting (not part of a series).

    Raises ``ValidationError`` (German) for an end not after the start or naive times.
    Side effects: one ``Meeting`` row with a new UID and sequence 0.
    """
    _require_aware(start=start, end=end)
    meeting = _save(
        Meeting(
            network=network,
            title=title,
            start=start,
            end=end,
            status=status,
            visibility=visibility,
            institution=institution,
            address=address,
            room=room,
            accessibility_notes=accessibility_notes,
            online_url=online_url,
        )
    )
    logger.info("Meeting %s scheduled by %s", meeting.pk, _actor_id(actor))
    return meeting


def meeting_update_check(*, meeting: Meeting, now: datetime.datetime | None = None, **changes) -> None:
    """The rules ``meeting_update`` applies, without writing: forms that must show the
    errors before anything is saved (the Verwaltung's) ask here first.

    Raises ``ValidationError`` (German) as ``meeting_update`` does; ``TypeError`` for a
    field the service does not change.
    """
    _check_changes(changes, MEETING_FIELDS)
    _require_aware(start=changes.get("start"), end=changes.get("end"))
    _meeting_rules(meeting, now=now or timezone.now(), changes=changes)


def _meeting_rules(meeting: Meeting, *, now: datetime.datetime, changes: dict) -> None:
    old_start, old_end = meeting.start, meeting.end
    time_changes = changes.get("start", old_start) != old_start or changes.get("end", old_end) != old_end
    if time_changes:
        if old_start < now:
            raise ValidationError({"start": _("Vergangene Sitzungen können nicht verschoben werden.")})
        if changes.get("start", old_start) < now:
            raise ValidationError({"start": _("Eine Sitzung kann nicht in die Vergangenheit verschoben werden.")})
    if changes.get("status") == Meeting.Status.HELD and changes.get("start", old_start) > now:
        raise ValidationError(
            {"status": _("Eine Sitzung, die noch nicht begonnen hat, kann nicht stattgefunden haben.")}
        )


@transaction.atomic
def meeting_update(*, meeting: Meeting, actor=None, now: datetime.datetime | None = None, **changes) -> Meeting:
    """Change one meeting: title, time, status, visibility or place.

    Time, place and status are noticeable: each change raises ``sequence`` (once per call,
    counted in the database, so two speakers editing at once raise it twice). A title,
    visibility or accessibility note alone does not. An occurrence of a series becomes
    ``edited_by_hand``, so later series edits leave it alone. A change of time keeps the
    previous start in ``moved_from``. The row is locked and ``meeting`` reloaded first:
    the decisions below are taken on the meeting as it is now, and what another edit
    saved meanwhile stays.

    Raises ``ValidationError`` (German) when the time of a meeting that has begun would
    change, a meeting would move into the past, the end is not after the start, or a
    meeting that has not begun would be marked as held. Side effects: the meeting row.
    """
    _check_changes(changes, MEETING_FIELDS)
    return _meeting_change(meeting=meeting, actor=actor, now=now, changes=changes)


def _meeting_change(*, meeting: Meeting, actor, now: datetime.datetime | None, changes: dict) -> Meeting:
    _require_aware(start=changes.get("start"), end=changes.get("end"))
    now = now or timezone.now()
    _lock(meeting)
    old_start = meeting.start
    _meeting_rules(meeting, now=now, changes=changes)
    if not _apply(meeting, changes):
        return meeting
    if meeting.start != old_start:
        meeting.moved_from = old_start
    if meeting.series_id is not None:
        meeting.edited_by_hand = True
    _meeting_save(meeting)
    logger.info("Meeting %s changed by %s (%s)", meeting.pk, _actor_id(actor), ", ".join(sorted(changes)))
    return meeting


def meeting_move(
    *,
    meeting: Meeting,
    start: datetime.datetime,
    end: datetime.datetime,
    actor=None,
    now: datetime.datetime | None = None,
) -> Meeting:
    """Move a meeting to a new time; the status stays, ``moved_from`` keeps the old start.

    Raises ``ValidationError`` „Vergangene Sitzungen können nicht verschoben werden.“ for a
    meeting that has begun, and for a move into the past. Side effects: as ``meeting_update``
    (sequence + 1, edited by hand).
    """
    return meeting_update(meeting=meeting, start=start, end=end, actor=actor, now=now)


CANCELLATION_REASON_MAX = 1000


def _reason_clean(reason: str) -> str:
    """The reason as it may be stored: trimmed, line breaks kept, other control characters
    dropped (it reaches mail bodies and calendar DESCRIPTIONs), at most 1000 characters."""
    reason = "".join(char for char in (reason or "") if char in "\n\t" or char.isprintable()).strip()
    if len(reason) > CANCELLATION_REASON_MAX:
        raise ValidationError(
            {
                "reason": _("Der Grund darf höchstens %(max)d Zeichen lang sein (jetzt %(length)d).")
                % {"max": CANCELLATION_REASON_MAX, "length": len(reason)}
            }
        )
    return reason


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor=None, now: datetime.datetime | None = None, reason: str = "") -> Meeting:
    """Cancel a meeting (abgesagt, sequence + 1); it stays, so feeds can show the cancellation.

    The optional ``reason`` appears in the cancellation mail, on the meeting's page and in
    the feed's DESCRIPTION. Cancelling a cancelled meeting changes nothing (not even the
    reason). Raises ``ValidationError`` for a meeting that has begun or a reason over 1000
    characters. Side effects: the meeting's status, reason and sequence.
    """
    now = now or timezone.now()
    reason = _reason_clean(reason)
    _lock(meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        return meeting
    if meeting.start < now:
        raise ValidationError(_("Vergangene Sitzungen können nicht abgesagt werden."))
    return _meeting_change(
        meeting=meeting,
        actor=actor,
        now=now,
        changes={"status": Meeting.Status.CANCELLED, "cancellation_reason": reason},
    )


@transaction.atomic
def meeting_restore(*, meeting: Meeting, actor=None, now: datetime.datetime | None = None) -> Meeting:
    """Undo a cancellation: the meeting is geplant again (sequence + 1), the reason is gone.

    A meeting that is not cancelled stays as it is. Raises ``ValidationError`` for a
    meeting that has begun.
    """
    now = now or timezone.now()
    _lock(meeting)
    if meeting.status != Meeting.Status.CANCELLED:
        return meeting
    if meeting.start < now:
        raise ValidationError(_("Vergangene Sitzungen können nicht wieder angesetzt werden."))
    return _meeting_change(
        meeting=meeting,
        actor=actor,
        now=now,
        changes={"status": Meeting.Status.PLANNED, "cancellation_reason": ""},
    )
