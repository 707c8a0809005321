"""What the calendar's services share: the fields each service may change, saving with
validation, locking a meeting row and raising its ``sequence`` in the database."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.history import bulk_history_copy, bulk_history_defaults
from meetings.models import (
    LocationFields,
    Meeting,
    MeetingSeries,
)
from meetings.signals import meetings_written

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
AGENDA_ITEM_FIELDS = ("title", "text", "is_public", "position", "result")
HISTORY_BATCH = 500


def _save(instance, *, validate_constraints: bool = True, exclude: Iterable[str] = ()):
    instance.full_clean(exclude=list(exclude) or None, validate_constraints=validate_constraints)
    instance.save()
    return instance


def _meetings_created_record(rows: list[Meeting]) -> None:
    """Give each of ``rows``, just bulk-created, its first version in the history.

    ``bulk_create`` sends no signals, so simple-history would not see the rows; their
    versions are copied by the database (``bulk_history_copy``), whoever made them (the
    request's user, or none for the nightly task). Rows that came back with their ids are
    found by id; the others (``ignore_conflicts``) by their ``uid`` (made here, not by the
    database): a row skipped as a conflict existed already and is not found, so it gets no
    second „angelegt“. One statement per 500 rows.
    """
    if not rows:
        return
    meetings_written.send(
        sender=Meeting,
        network_ids={row.network_id for row in rows},
        networks=_networks_at_hand(rows),
    )
    by_id = all(row.pk is not None for row in rows)
    for first in range(0, len(rows), HISTORY_BATCH):
        batch = rows[first : first + HISTORY_BATCH]
        if by_id:
            found = Meeting.objects.filter(pk__in=[row.pk for row in batch])
        else:
            found = Meeting.objects.filter(uid__in=[row.uid for row in batch])
        bulk_history_copy(found)


def _occurrences_created_announce(*, series: MeetingSeries, ids: list[int]) -> None:
    """``_meetings_created_record`` for the occurrences of ``series`` that the database
    inserted with their first versions (``ids``): only whoever shows the calendar is told."""
    if not ids:
        return
    meetings_written.send(
        sender=Meeting,
        network_ids={series.network_id},
        networks=[series.network] if MeetingSeries.network.is_cached(series) else [],
    )


def _networks_at_hand(rows: list[Meeting]) -> list:
    """The networks of ``rows`` that are loaded already (an occurrence's series brings its
    network along): whoever shows the calendar then needs no query to name their pages."""
    networks = {}
    for row in rows:
        series = row.series if Meeting.series.is_cached(row) else None
        if series is not None and MeetingSeries.network.is_cached(series):
            networks[series.network_id] = series.network
    return list(networks.values())


def _meetings_changed_record(ids: list[int]) -> None:
    """Record a version of each meeting in ``ids`` after an ``UPDATE`` that sent no signals,
    and tell whoever shows the calendar (``meetings_written``)."""
    network_ids = set()
    for first in range(0, len(ids), HISTORY_BATCH):
        rows = list(Meeting.objects.filter(pk__in=ids[first : first + HISTORY_BATCH]))
        network_ids.update(row.network_id for row in rows)
        Meeting.history.bulk_history_create(rows, update=True, batch_size=HISTORY_BATCH, **bulk_history_defaults())
    if network_ids:
        meetings_written.send(sender=Meeting, network_ids=network_ids, meeting_ids=set(ids))


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
    if not rises:
        meeting.save()
        return meeting
    adding = meeting._state.adding
    meeting.sequence = F("sequence") + 1
    # The version is recorded once the database has counted the new sequence (the
    # history stores values, not expressions).
    meeting.skip_history_when_saving = True
    try:
        meeting.save()
    finally:
        del meeting.skip_history_when_saving
    meeting._sequence_rises = False
    meeting.refresh_from_db(fields=["sequence"])
    Meeting.history.bulk_history_create([meeting], update=not adding, **bulk_history_defaults())
    return meeting


def _lock(meeting: Meeting) -> Meeting:
    """Reload ``meeting`` in place with its row locked until the transaction ends.

    Every decision about a meeting (may it move? is it cancelled already?) is taken on the
    row as it is now: a page loaded before another speaker's edit would otherwise undo that
    edit when saving the whole row. (SQLite has no row locks; its writes are serialised.)
    """
    meeting.refresh_from_db(from_queryset=Meeting.objects.select_for_update())
    return meeting


def _meeting_touch(meeting_id: int) -> None:
    """Mark a meeting as changed without raising its sequence (an agenda edit).

    Feeds show the public agenda titles in DESCRIPTION and key their cached VEVENT and
    their ETag on ``updated_at``; without the touch an agenda edit would never reach
    subscribers. The sequence stays: an agenda is not a change clients must re-alert on.
    """
    Meeting.objects.filter(pk=meeting_id).update(updated_at=timezone.now())
    meetings_written.send(sender=Meeting, meeting_ids={meeting_id})
