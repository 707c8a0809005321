"""Series: created with their rule, occurrences generated ahead, edited and cancelled from a
date, confirmed in one step."""

import datetime
import logging

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.history import history_copy
from contacts.models import Institution, Network
from meetings import recurrence
from meetings.models import (
    LocationFields,
    Meeting,
    MeetingSeries,
    Minutes,
    Visibility,
)
from meetings.services._common import (
    SERIES_FIELDS,
    _actor_id,
    _apply,
    _check_changes,
    _meeting_save,
    _meetings_changed_record,
    _meetings_created_record,
    _occurrences_created_announce,
    _save,
)
from meetings.services.meetings import _reason_clean

logger = logging.getLogger(__name__)


# Occurrences exist this far ahead; the daily task ``meetings.extend_series_horizon`` keeps it so.
HORIZON_MONTHS = 12


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
    # A new series has no occurrences to collide with: without ``ignore_conflicts`` the
    # database returns the new ids, and their history needs no query to find them again.
    Meeting.objects.bulk_create(rows, batch_size=500, ignore_conflicts=not new)
    _meetings_created_record(rows)
    return len(rows)


def _one_statement(series: MeetingSeries) -> bool:
    """Whether a new ``series`` has its occurrences and the first versions of all its
    rows written by ``_series_insert`` (PostgreSQL: ``INSERT … RETURNING`` in ``WITH``)."""
    return connections[router.db_for_write(Meeting)].vendor == "postgresql"


def _series_insert(series: MeetingSeries, *, since: datetime.date, through: datetime.date) -> int:
    """Save a new, validated ``series`` and create its occurrences on the days ``since`` …
    ``through`` (PostgreSQL); returns their number.

    The series row is saved as ever (its signals go out), but its first version in the
    history is written with the occurrences and theirs, in one statement: simple-history's
    own version of the series (a model instance built, saved and announced in Python, and
    a round trip) cost a fifth of the time of creating a series (bench.meetings).
    """
    local_starts = recurrence.local_starts(series.pattern, since=since, through=through)
    series.skip_history_when_saving = True
    try:
        series.save()
    finally:
        del series.skip_history_when_saving
    ids = _occurrences_insert(series, local_starts)
    _occurrences_created_announce(series=series, ids=ids)
    return len(ids)


# Made by the database for each row of ``_occurrences_insert``: the slot's times, a new uid.
_SLOT_COLUMNS = {"original_start": "slot.start", "start": "slot.start", "end": "slot.end", "uid": "gen_random_uuid()"}


def _occurrences_insert(series: MeetingSeries, local_starts: list[datetime.datetime]) -> list[int]:
    """Insert the occurrences of a new ``series`` at ``local_starts`` (none, maybe), their
    first versions in the history and the series' first version in one statement
    (PostgreSQL); returns their ids.

    The rows are what ``bulk_create`` of ``_occurrence`` makes: every column but the times
    and the uid is the same in all of them, so it is taken from one ``_occurrence`` and sent
    once, and only the times go as arrays (computed by ``_slot_times``, in Python, so the
    zone's gap and overlap are read as everywhere else). ``bulk_create`` converted and sent
    each of the ~25 values of every row: half the time of creating a series (bench.meetings).
    The series' version is what simple-history records on its save (``history_copy``).
    """
    connection = connections[router.db_for_write(Meeting)]
    quote = connection.ops.quote_name
    # Only the times differ between the rows, and they are replaced below.
    template = _occurrence(series, datetime.datetime.combine(series.first_date, series.start_time))
    columns, values, params = [], [], []
    for field in Meeting._meta.concrete_fields:
        if field.primary_key or field.generated:
            continue
        columns.append(quote(field.column))
        if field.attname in _SLOT_COLUMNS:
            values.append(_SLOT_COLUMNS[field.attname])
        else:
            # Cast: a parameter has no type of its own in a SELECT list.
            values.append(f"CAST(%s AS {field.cast_db_type(connection)})")
            params.append(field.get_db_prep_save(field.pre_save(template, add=True), connection))
    slots = [_slot_times(series, local) for local in local_starts]
    insert = (
        f"INSERT INTO {quote(Meeting._meta.db_table)} ({', '.join(columns)}) "
        f'SELECT {", ".join(values)} FROM unnest(%s::timestamptz[], %s::timestamptz[]) AS slot(start, "end")'
    )
    params += [[start for start, _end in slots], [end for _start, end in slots]]
    pk = quote(Meeting._meta.pk.column)
    copy = history_copy(Meeting)
    if copy is None:
        sql = f"{insert} RETURNING {pk}"
    else:
        # The first versions in the same statement, from the rows the insert hands on, and
        # the series' from its row (a data-modifying WITH query runs though nothing reads it).
        series_copy = history_copy(MeetingSeries, change_reason=None)
        series_columns = ", ".join(quote(MeetingSeries._meta.get_field(name).column) for name in series_copy.attnames)
        series_source = (
            f"(SELECT {series_columns} FROM {quote(MeetingSeries._meta.db_table)} "
            f"WHERE {quote(MeetingSeries._meta.pk.column)} = %s)"
        )
        returned = ", ".join(quote(Meeting._meta.get_field(name).column) for name in copy.attnames)
        sql = (
            f"WITH series_copied AS ({series_copy.sql(series_source)}), "
            f"copied AS ({insert} RETURNING {returned}) {copy.sql('copied')} RETURNING {pk}"
        )
        params = [*series_copy.params, series.pk, *params, *copy.params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


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
    series = MeetingSeries(
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
    )
    series.full_clean(
        # A network or institution handed in as a saved row is not looked up again (one
        # query per series; the foreign key refuses a row deleted meanwhile).
        exclude=[
            name for name, row in (("network", network), ("institution", institution)) if row is not None and row.pk
        ]
        or None,
        # clean() checks both CHECK constraints with German messages; Django's own
        # validation would ask the database once per constraint, for every series.
        validate_constraints=False,
    )
    if _one_statement(series):
        created = _series_insert(series, since=first_date, through=through)
    else:
        series.save()
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
    _meetings_created_record(rows)
    MeetingSeries.objects.filter(pk__in=[item.pk for item in candidates]).update(
        generated_until=through, updated_at=timezone.now()
    )
    return len(rows)


def _occurrence_is_disposable(meeting: Meeting) -> bool:
    """Whether an occurrence can vanish without anyone missing it: only planned, untouched
    ones (registered guests would miss it: it is cancelled instead, and they are told)."""
    return (
        meeting.status == Meeting.Status.PLANNED
        and not meeting.attendances.exists()
        and not meeting.guest_registrations.exists()
        and not meeting.agenda_items.exists()
        and not Minutes.objects.filter(meeting=meeting).exists()
    )


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
    _meetings_created_record(rows)
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
    planned = Meeting.objects.filter(series=series, start__gte=now, status=Meeting.Status.PLANNED)
    ids = list(planned.values_list("pk", flat=True))
    count = Meeting.objects.filter(pk__in=ids).update(
        status=Meeting.Status.CONFIRMED, sequence=F("sequence") + 1, updated_at=now
    )
    _meetings_changed_record(ids)
    logger.info("Series %s confirmed by %s (%s meetings)", series.pk, _actor_id(actor), count)
    return count
