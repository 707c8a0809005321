"""Every write to the calendar: keyword-only functions, validated, in one transaction.

What members must notice (time, place, status) raises a meeting's ``sequence``; feeds and
notifications compare it with what they told members last. No service sends mail: the
notifications app reads the state these functions leave behind.

``actor`` is the account that asked for the change; permissions are checked by the caller
(``user.has_perm("meetings.manage_meetings", network)``), the services only log it.
``now``/``today`` parameters exist so tests can pin the clock; they default to the present.
"""

import datetime
import logging
from collections.abc import Iterable

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Institution, Membership, Network, Person
from meetings import recurrence
from meetings.models import (
    AgendaItem,
    Attendance,
    DatePoll,
    DatePollOption,
    DatePollVote,
    FeedToken,
    LocationFields,
    Meeting,
    MeetingSeries,
    Minutes,
    Visibility,
)
from meetings.selectors import poll_invitees

logger = logging.getLogger(__name__)

# Occurrences exist this far ahead; the daily task ``meetings.extend_series_horizon`` keeps it so.
HORIZON_MONTHS = 12

SERIES_FIELDS = (
    "title",
    "rule",
    "first_date",
    "start_time",
    "duration_minutes",
    "visibility",
    "until",
    "count",
    *LocationFields.LOCATION_FIELDS,
)
MEETING_FIELDS = ("title", "start", "end", "status", "visibility", *LocationFields.LOCATION_FIELDS)
AGENDA_ITEM_FIELDS = ("title", "text", "is_public", "position")


def _save(instance, *, validate_constraints: bool = True):
    instance.full_clean(validate_constraints=validate_constraints)
    instance.save()
    return instance


def _actor_id(actor) -> int | None:
    return getattr(actor, "pk", None)


def _require_aware(**values: datetime.datetime) -> None:
    for name, value in values.items():
        if value is not None and timezone.is_naive(value):
            raise ValidationError({name: _("Zeitangaben brauchen eine Zeitzone (Europe/Berlin).")})


def _check_changes(changes: dict, allowed: Iterable[str]) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")


def horizon_end(today: datetime.date) -> datetime.date:
    """The last day occurrences are created for, seen from ``today``."""
    return today + relativedelta(months=HORIZON_MONTHS)


def _slot_times(series: MeetingSeries, local_start: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """Aware UTC start and end of the occurrence that starts at ``local_start`` (naive, Berlin).

    The end is start plus the duration in elapsed time (added in UTC), so a meeting across a
    clock change still lasts as long as the series says.
    """
    start = recurrence.localize(local_start).astimezone(datetime.UTC)
    return start, start + datetime.timedelta(minutes=series.duration_minutes)


def _occurrence(series: MeetingSeries, local_start: datetime.datetime) -> Meeting:
    start, end = _slot_times(series, local_start)
    return Meeting(
        network_id=series.network_id,
        series=series,
        original_start=start,
        title=series.title,
        start=start,
        end=end,
        status=Meeting.Status.CONFIRMED if series.confirmed else Meeting.Status.PLANNED,
        visibility=series.visibility,
        **{field: getattr(series, field) for field in LocationFields.LOCATION_FIELDS},
    )


def _local_day(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(recurrence.BERLIN).date()


def _series_generate(*, series: MeetingSeries, since: datetime.date, through: datetime.date, new: bool = False) -> int:
    """Create the occurrences of ``series`` on the days ``since`` … ``through`` that are missing.

    An occurrence is found again by its day (a rule yields at most one meeting a day), so a
    changed start time never doubles a day; a ``new`` series has none to find. Rows are
    bulk-created without ``full_clean``: every value comes from the series, which was
    validated when it was saved.
    """
    local_starts = recurrence.local_starts(series.pattern, since=since, through=through)
    if not local_starts:
        return 0
    taken: set[datetime.date] = set()
    if not new:
        window_start = recurrence.localize(datetime.datetime.combine(since, datetime.time.min))
        taken = {
            _local_day(original)
            for original in Meeting.objects.filter(series=series, original_start__gte=window_start).values_list(
                "original_start", flat=True
            )
        }
    rows = [_occurrence(series, local) for local in local_starts if local.date() not in taken]
    Meeting.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(rows)


@transaction.atomic
def series_create(
    *,
    network: Network,
    title: str,
    rule: str,
    first_date: datetime.date,
    start_time: datetime.time,
    duration_minutes: int,
    visibility: str = Visibility.PUBLIC,
    until: datetime.date | None = None,
    count: int | None = None,
    institution: Institution | None = None,
    address: str = "",
    room: str = "",
    accessibility_notes: str = "",
    online_url: str = "",
    actor=None,
    today: datetime.date | None = None,
) -> MeetingSeries:
    """Create a series and its occurrences from ``first_date`` up to the horizon (12 months).

    Raises ``ValidationError`` (German) for an invalid rule (no FREQ, an unknown frequency,
    DTSTART inside, no dates at all), ``until`` before ``first_date`` or both ``until`` and
    ``count``. Side effects: one ``MeetingSeries`` row and one ``Meeting`` row per
    occurrence (status geplant, sequence 0).
    """
    today = today or timezone.localdate()
    through = horizon_end(today)
    series = _save(
        MeetingSeries(
            network=network,
            title=title,
            rule=rule,
            first_date=first_date,
            start_time=start_time,
            duration_minutes=duration_minutes,
            visibility=visibility,
            until=until,
            count=count,
            institution=institution,
            address=address,
            room=room,
            accessibility_notes=accessibility_notes,
            online_url=online_url,
            generated_until=through,
        ),
        # clean() checks both CHECK constraints with German messages; Django's own
        # validation would ask the database once per constraint, for every series.
        validate_constraints=False,
    )
    created = _series_generate(series=series, since=first_date, through=through, new=True)
    logger.info("Series %s created by %s with %s occurrences", series.pk, _actor_id(actor), created)
    return series


@transaction.atomic
def series_extend_horizon(*, series: MeetingSeries | None = None, today: datetime.date | None = None) -> int:
    """Create the missing occurrences of ``series`` (all series when None) up to the horizon.

    Idempotent: running it twice, or concurrently, creates nothing the second time. Only
    days after the last extension (and not before today) are looked at, so an occurrence
    a speaker deleted on purpose is not brought back. Returns the number of new meetings.
    Side effects: ``Meeting`` rows; ``MeetingSeries.generated_until``.
    """
    today = today or timezone.localdate()
    through = horizon_end(today)
    candidates = (
        MeetingSeries.objects.filter(Q(generated_until__isnull=True) | Q(generated_until__lt=through))
        .filter(Q(until__isnull=True) | Q(until__gte=today))
        .filter(Q(cancelled_from__isnull=True) | Q(cancelled_from__gt=today))
        .order_by("pk")
    )
    if series is not None:
        candidates = candidates.filter(pk=series.pk)
    candidates = list(candidates)
    if not candidates:
        return 0

    def since_for(item: MeetingSeries) -> datetime.date:
        start = item.first_date
        if item.generated_until is not None:
            start = max(start, item.generated_until + datetime.timedelta(days=1))
        return max(start, today)

    earliest = recurrence.localize(datetime.datetime.combine(min(map(since_for, candidates)), datetime.time.min))
    taken: set[tuple[int, datetime.date]] = {
        (series_id, _local_day(original))
        for series_id, original in Meeting.objects.filter(
            series_id__in=[item.pk for item in candidates], original_start__gte=earliest
        ).values_list("series_id", "original_start")
    }
    rows = []
    for item in candidates:
        for local in recurrence.local_starts(item.pattern, since=since_for(item), through=through):
            if (item.pk, local.date()) not in taken:
                rows.append(_occurrence(item, local))
    Meeting.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    MeetingSeries.objects.filter(pk__in=[item.pk for item in candidates]).update(
        generated_until=through, updated_at=timezone.now()
    )
    return len(rows)


def _occurrence_is_disposable(meeting: Meeting) -> bool:
    """Whether an occurrence can vanish without anyone missing it: only planned, untouched ones."""
    return (
        meeting.status == Meeting.Status.PLANNED
        and not meeting.attendances.exists()
        and not meeting.agenda_items.exists()
        and not Minutes.objects.filter(meeting=meeting).exists()
    )


def _apply(meeting: Meeting, values: dict) -> bool:
    """Set ``values`` on ``meeting``; mark its sequence to rise if a noticeable field changed.

    The rise itself happens in the database (``_meeting_save``): two edits of the same
    meeting each count, whatever the instance they started from held.
    """
    changed = {name for name, value in values.items() if getattr(meeting, name) != value}
    for name in changed:
        setattr(meeting, name, values[name])
    if changed & set(Meeting.NOTICEABLE_FIELDS):
        meeting._sequence_rises = True
    return bool(changed)


def _meeting_save(meeting: Meeting) -> Meeting:
    """Validate and save ``meeting``; raise its sequence by one in the database if ``_apply``
    found a noticeable change. Call inside the transaction that locked the row."""
    meeting.full_clean()
    rises = getattr(meeting, "_sequence_rises", False)
    if rises:
        meeting.sequence = F("sequence") + 1
    meeting.save()
    if rises:
        meeting._sequence_rises = False
        meeting.refresh_from_db(fields=["sequence"])
    return meeting


def _lock(meeting: Meeting) -> Meeting:
    """Reload ``meeting`` in place with its row locked until the transaction ends.

    Every decision about a meeting (may it move? is it cancelled already?) is taken on the
    row as it is now: a page loaded before another speaker's edit would otherwise undo that
    edit when saving the whole row. (SQLite has no row locks; its writes are serialised.)
    """
    meeting.refresh_from_db(from_queryset=Meeting.objects.select_for_update())
    return meeting


@transaction.atomic
def series_update(
    *, series: MeetingSeries, actor=None, now: datetime.datetime | None = None, **changes
) -> MeetingSeries:
    """Change a series; its future occurrences that were not edited by hand follow.

    - Past occurrences (begun before ``now``) never change; nor do hand-edited or cancelled ones.
    - Future occurrences take the new title, time, duration, place and visibility; their
      sequence rises when time or place changed.
    - With a changed rule, future occurrences the new rule no longer yields are deleted if
      nobody could have noticed them (planned, no answers, agenda or minutes) and cancelled
      otherwise (sequence + 1); days the new rule adds are created.

    Raises ``ValidationError`` (German) as ``series_create``. Side effects: the series row,
    ``Meeting`` rows updated, created, cancelled or deleted.
    """
    _check_changes(changes, SERIES_FIELDS)
    now = now or timezone.now()
    today = _local_day(now)
    for name, value in changes.items():
        setattr(series, name, value)
    _save(series)

    through = horizon_end(today)
    slots = {}
    for local in recurrence.local_starts(series.pattern, since=today, through=through):
        start, end = _slot_times(series, local)
        if start >= now:
            slots[local.date()] = (local, start, end)
    # Locked: a speaker editing one of these meetings at the same moment waits, and the
    # decision below (edited by hand? cancelled?) is taken on the rows as they are.
    existing = list(
        series.occurrences.filter(Q(start__gte=now) | Q(original_start__gte=now)).select_for_update().order_by("start")
    )
    filled: set[datetime.date] = set()
    updated = cancelled = deleted = 0
    for meeting in existing:
        meeting.series = series
        day = _local_day(meeting.original_start)
        slot = slots.get(day)
        changeable = meeting.start >= now and not meeting.edited_by_hand and meeting.status != Meeting.Status.CANCELLED
        if slot is not None:
            filled.add(day)
            _local, start, end = slot
            values = {"original_start": start}
            if changeable:
                values.update(
                    title=series.title,
                    start=start,
                    end=end,
                    visibility=series.visibility,
                    **{field: getattr(series, field) for field in LocationFields.LOCATION_FIELDS},
                )
            if _apply(meeting, values):
                _meeting_save(meeting)
                updated += 1
        elif changeable:
            if _occurrence_is_disposable(meeting):
                meeting.delete()
                deleted += 1
            else:
                _apply(meeting, {"status": Meeting.Status.CANCELLED})
                _meeting_save(meeting)
                cancelled += 1
    rows = [_occurrence(series, local) for day, (local, _start, _end) in slots.items() if day not in filled]
    Meeting.objects.bulk_create(rows, batch_size=500)
    series.generated_until = max(through, series.generated_until or through)
    series.save(update_fields=["generated_until", "updated_at"])
    logger.info(
        "Series %s updated by %s: %s occurrences changed, %s created, %s cancelled, %s deleted",
        series.pk,
        _actor_id(actor),
        updated,
        len(rows),
        cancelled,
        deleted,
    )
    return series


@transaction.atomic
def series_cancel_from(
    *,
    series: MeetingSeries,
    day: datetime.date,
    actor=None,
    now: datetime.datetime | None = None,
    reason: str = "",
) -> int:
    """End a series: every occurrence from ``day`` on is cancelled, and no new ones are made.

    Hand-edited occurrences on or after ``day`` are cancelled too (the series ends). The
    optional ``reason`` goes to each cancelled meeting (mail, page, feed). Raises
    ``ValidationError`` for a day in the past or a reason over 1000 characters. Returns the
    number of cancelled meetings. Side effects: ``series.cancelled_from``; status abgesagt,
    the reason and sequence + 1 on the occurrences.
    """
    now = now or timezone.now()
    reason = _reason_clean(reason)
    if day < _local_day(now):
        raise ValidationError({"day": _("Eine Serie kann nicht rückwirkend abgesagt werden.")})
    series.cancelled_from = day
    _save(series)
    from_moment = max(now, recurrence.localize(datetime.datetime.combine(day, datetime.time.min)))
    meetings = series.occurrences.filter(start__gte=from_moment).exclude(
        status__in=[Meeting.Status.CANCELLED, Meeting.Status.HELD]
    )
    count = 0
    for meeting in meetings.select_for_update().order_by("start"):
        meeting.series = series
        _apply(meeting, {"status": Meeting.Status.CANCELLED, "cancellation_reason": reason})
        _meeting_save(meeting)
        count += 1
    logger.info("Series %s cancelled from %s by %s (%s meetings)", series.pk, day, _actor_id(actor), count)
    return count


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


@transaction.atomic
def series_confirm(*, series: MeetingSeries, actor=None, now: datetime.datetime | None = None) -> int:
    """Confirm a whole series in one step: every future occurrence that is geplant becomes
    bestätigt, and occurrences created later (the horizon moves on, the rule changes) are
    created bestätigt.

    Confirmed meetings are what members are invited to (the lead time of the network's
    notification settings decides when). Cancelled, held and past occurrences stay as they
    are; hand-edited ones are confirmed too and stay hand-edited. Returns the number of
    meetings confirmed. Side effects: ``series.confirmed``; status, ``updated_at`` and
    sequence + 1 (in one UPDATE) on the occurrences.
    """
    now = now or timezone.now()
    series = MeetingSeries.objects.select_for_update().get(pk=series.pk)
    if not series.confirmed:
        series.confirmed = True
        series.save(update_fields=["confirmed", "updated_at"])
    count = Meeting.objects.filter(series=series, start__gte=now, status=Meeting.Status.PLANNED).update(
        status=Meeting.Status.CONFIRMED, sequence=F("sequence") + 1, updated_at=now
    )
    logger.info("Series %s confirmed by %s (%s meetings)", series.pk, _actor_id(actor), count)
    return count


@transaction.atomic
def attendance_answer(
    *, meeting: Meeting, person: Person, answer: str, note: str = "", now: datetime.datetime | None = None
) -> Attendance:
    """Record (or change) a member's answer: zusage, absage or vielleicht, with a note.

    Raises ``ValidationError`` (German) when the meeting is cancelled or has begun, when the
    person is not a current member of the network, or for an unknown answer. Side effects:
    the ``Attendance`` row of (meeting, person).
    """
    now = now or timezone.now()
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("Die Sitzung ist abgesagt; eine Antwort ist nicht nötig."))
    if meeting.start <= now:
        raise ValidationError(_("Die Sitzung hat schon begonnen; Antworten sind nicht mehr möglich."))
    if not Membership.objects.active(_local_day(now)).filter(network_id=meeting.network_id, person=person).exists():
        raise ValidationError(_("%(person)s ist kein Mitglied dieses Netzwerks.") % {"person": person})
    attendance = Attendance.objects.filter(meeting=meeting, person=person).first() or Attendance(
        meeting=meeting, person=person
    )
    attendance.answer = answer
    attendance.note = note
    attendance.answered_at = now
    return _save(attendance)


@transaction.atomic
def attendance_record_presence(
    *, meeting: Meeting, person: Person, presence: str, actor=None, now: datetime.datetime | None = None
) -> Attendance:
    """Record who was there: anwesend or entschuldigt ("" clears it).

    Raises ``ValidationError`` before the meeting has begun. Side effects: the
    ``Attendance`` row of (meeting, person).
    """
    now = now or timezone.now()
    if meeting.start > now:
        raise ValidationError(_("Die Anwesenheit kann erst ab Beginn der Sitzung erfasst werden."))
    attendance = Attendance.objects.filter(meeting=meeting, person=person).first() or Attendance(
        meeting=meeting, person=person
    )
    attendance.presence = presence
    _save(attendance)
    logger.info("Presence at meeting %s recorded by %s", meeting.pk, _actor_id(actor))
    return attendance


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


def _meeting_touch(meeting_id: int) -> None:
    """Mark a meeting as changed without raising its sequence (an agenda edit).

    Feeds show the public agenda titles in DESCRIPTION and key their cached VEVENT and
    their ETag on ``updated_at``; without the touch an agenda edit would never reach
    subscribers. The sequence stays: an agenda is not a change clients must re-alert on.
    """
    Meeting.objects.filter(pk=meeting_id).update(updated_at=timezone.now())


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


def _poll_option(poll: DatePoll, proposal: dict, now: datetime.datetime) -> DatePollOption:
    unknown = set(proposal) - {"start", "end", "day"}
    if unknown:
        raise TypeError(f"Unknown option fields: {', '.join(sorted(unknown))}")
    _require_aware(start=proposal.get("start"), end=proposal.get("end"))
    option = DatePollOption(poll=poll, start=proposal.get("start"), end=proposal.get("end"), day=proposal.get("day"))
    option.full_clean(exclude=["poll"])
    if option.day is not None and option.day < _local_day(now):
        raise ValidationError(_("Der Vorschlag %(option)s liegt in der Vergangenheit.") % {"option": option})
    if option.start is not None and option.start < now:
        raise ValidationError(_("Der Vorschlag %(option)s liegt in der Vergangenheit.") % {"option": option})
    return option


@transaction.atomic
def poll_create(
    *,
    network: Network,
    title: str,
    options: list[dict],
    deadline: datetime.datetime,
    invitee_roles: Iterable[str] = (),
    description: str = "",
    actor=None,
    now: datetime.datetime | None = None,
) -> DatePoll:
    """Start a Terminumfrage with proposals: ``{"start": …, "end": …}`` or ``{"day": date}``.

    Invited are the network's current members with one of ``invitee_roles`` (all when
    empty). Raises ``ValidationError`` (German) for no options, a repeated or past option,
    a deadline in the past, an unknown role. Side effects: the poll and its options.
    """
    now = now or timezone.now()
    _require_aware(deadline=deadline)
    if not options:
        raise ValidationError({"options": _("Eine Terminumfrage braucht mindestens einen Terminvorschlag.")})
    if deadline <= now:
        raise ValidationError({"deadline": _("Die Frist zum Abstimmen muss in der Zukunft liegen.")})
    created_by = Person.objects.filter(user_id=_actor_id(actor)).first() if _actor_id(actor) else None
    poll = _save(
        DatePoll(
            network=network,
            title=title,
            description=description,
            deadline=deadline,
            invitee_roles=list(invitee_roles),
            created_by=created_by,
        )
    )
    rows = [_poll_option(poll, proposal, now) for proposal in options]
    keys = [(row.day, row.start, row.end) for row in rows]
    for index, key in enumerate(keys):
        if key in keys[:index]:
            raise ValidationError(
                {"options": _("Der Vorschlag %(option)s steht doppelt in der Liste.") % {"option": rows[index]}}
            )
    DatePollOption.objects.bulk_create(rows)
    logger.info("Poll %s created by %s with %s options", poll.pk, _actor_id(actor), len(rows))
    return poll


@transaction.atomic
def poll_vote(
    *, option: DatePollOption, person: Person, answer: str, now: datetime.datetime | None = None
) -> DatePollVote:
    """Vote (or change a vote) on one option: ja, wenn_noetig or nein.

    Raises ``ValidationError`` (German) after the deadline, on a closed poll, for a person
    who is not invited, or an unknown answer. Side effects: the ``DatePollVote`` row.
    """
    now = now or timezone.now()
    poll = option.poll
    if poll.status != DatePoll.Status.OPEN:
        raise ValidationError(_("Die Umfrage ist bereits geschlossen."))
    if now > poll.deadline:
        deadline = poll.deadline.astimezone(recurrence.BERLIN)
        raise ValidationError(
            _("Die Frist für diese Umfrage ist am %(date)s um %(time)s Uhr abgelaufen.")
            % {"date": f"{deadline:%d.%m.%Y}", "time": f"{deadline:%H:%M}"}
        )
    if not poll_invitees(poll, day=_local_day(now)).filter(pk=person.pk).exists():
        raise ValidationError(_("%(person)s ist zu dieser Umfrage nicht eingeladen.") % {"person": person})
    vote = DatePollVote.objects.filter(option=option, person=person).first() or DatePollVote(
        option=option, person=person
    )
    vote.answer = answer
    return _save(vote)


@transaction.atomic
def poll_close(
    *,
    poll: DatePoll,
    option: DatePollOption,
    actor=None,
    start_time: datetime.time | None = None,
    end_time: datetime.time | None = None,
    visibility: str = Visibility.MEMBERS,
    institution: Institution | None = None,
    address: str = "",
    room: str = "",
    online_url: str = "",
    now: datetime.datetime | None = None,
) -> Meeting:
    """Close a poll with the chosen option and create the meeting (geplant, internal by default).

    A whole-day option needs ``start_time`` and ``end_time`` (local, Europe/Berlin): a
    meeting has a time, and guessing one would put a wrong time into every member's
    calendar. The meeting lies on the option's day whatever time zone is active. Raises
    ``ValidationError`` (German) for a closed poll, an option of another poll, missing
    times. Side effects: the meeting; the poll's status, choice, meeting and ``closed_at``.
    """
    now = now or timezone.now()
    if poll.status != DatePoll.Status.OPEN:
        raise ValidationError(_("Die Umfrage ist bereits geschlossen."))
    if option.poll_id != poll.pk:
        raise ValidationError({"option": _("Dieser Vorschlag gehört zu einer anderen Umfrage.")})
    if option.is_whole_day:
        if start_time is None or end_time is None:
            raise ValidationError(
                _("Für einen ganztägigen Vorschlag bitte Beginn und Ende der Sitzung (Uhrzeit) angeben.")
            )
        start = recurrence.localize(datetime.datetime.combine(option.day, start_time))
        end = recurrence.localize(datetime.datetime.combine(option.day, end_time))
    else:
        start, end = option.start, option.end
    meeting = meeting_schedule(
        network=poll.network,
        title=poll.title,
        start=start,
        end=end,
        visibility=visibility,
        institution=institution,
        address=address,
        room=room,
        online_url=online_url,
        actor=actor,
    )
    poll.status = DatePoll.Status.CLOSED
    poll.chosen_option = option
    poll.meeting = meeting
    poll.closed_at = now
    _save(poll)
    logger.info("Poll %s closed by %s, meeting %s", poll.pk, _actor_id(actor), meeting.pk)
    return meeting


# Personal calendar feeds ----------------------------------------------------------

# A calendar client polls every few minutes; recording every fetch would be a write per
# poll. Once a minute is enough to answer "is my calendar still fetching?".
FEED_TOUCH_INTERVAL = datetime.timedelta(minutes=1)


@transaction.atomic
def feed_token_issue(*, person: Person, now: datetime.datetime | None = None) -> FeedToken:
    """Issue a new personal feed token for ``person``; the previous valid one is revoked.

    Rotating is the remedy for a leaked address: the old URL answers 404 from now on.
    Side effects: ``revoked_at`` on the previous token, a new ``FeedToken`` row.
    """
    now = now or timezone.now()
    FeedToken.objects.filter(person=person, revoked_at__isnull=True).update(revoked_at=now)
    token = FeedToken.objects.create(person=person)
    logger.info("Feed token %s issued for person %s", token.pk, person.pk)
    return token


@transaction.atomic
def feed_token_revoke(*, token: FeedToken, now: datetime.datetime | None = None) -> FeedToken:
    """Revoke ``token``: its feed answers 404. Revoking twice changes nothing.

    Side effects: ``revoked_at`` on the token.
    """
    if token.revoked_at is None:
        token.revoked_at = now or timezone.now()
        token.save(update_fields=["revoked_at"])
        logger.info("Feed token %s revoked", token.pk)
    return token


def feed_token_touch(*, token: FeedToken, user_agent: str, now: datetime.datetime | None = None) -> bool:
    """Record that the feed of ``token`` was fetched, and by which client.

    Writes at most once per ``FEED_TOUCH_INTERVAL`` (and when the client changes), so a
    client polling every minute costs no write per poll. Returns whether it wrote.
    Side effects: ``last_fetched_at`` and ``last_user_agent`` on the token.
    """
    now = now or timezone.now()
    user_agent = (user_agent or "")[: FeedToken._meta.get_field("last_user_agent").max_length]
    recent = token.last_fetched_at is not None and now - token.last_fetched_at < FEED_TOUCH_INTERVAL
    if recent and token.last_user_agent == user_agent:
        return False
    token.last_fetched_at = now
    token.last_user_agent = user_agent
    FeedToken.objects.filter(pk=token.pk).update(last_fetched_at=now, last_user_agent=user_agent)
    return True
