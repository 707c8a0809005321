"""Two speakers editing the same meeting at once: both edits count (no lost update).

Each thread works on its own database connection with a meeting loaded before either
saved, as two browser tabs do. Run against PostgreSQL (CI's first pass, row locks) and
SQLite (writes serialised); the outcome must be the same.
"""

import datetime
import threading

import pytest
from django.db import connection

from meetings.models import Meeting
from meetings.services import meeting_cancel, meeting_update
from tests.meetings.factories import MeetingFactory

pytestmark = pytest.mark.django_db(transaction=True)


def run_at_once(*jobs) -> list[BaseException]:
    """Start each job in a thread of its own at the same moment; return what they raised."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job):
        try:
            barrier.wait(timeout=10)
            job()
        except BaseException as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def test_two_concurrent_edits_raise_the_sequence_twice_and_keep_both_changes():
    meeting = MeetingFactory(room="Saal 1")
    first, second = Meeting.objects.get(pk=meeting.pk), Meeting.objects.get(pk=meeting.pk)
    later = meeting.start + datetime.timedelta(hours=1)

    errors = run_at_once(
        lambda: meeting_update(meeting=first, room="Saal 2"),
        lambda: meeting_update(meeting=second, start=later, end=later + datetime.timedelta(hours=2)),
    )

    meeting.refresh_from_db()
    assert errors == []
    assert (meeting.sequence, meeting.room, meeting.start) == (2, "Saal 2", later)


def test_cancel_while_another_speaker_moves_keeps_the_move_and_cancels():
    meeting = MeetingFactory()
    moving, cancelling = Meeting.objects.get(pk=meeting.pk), Meeting.objects.get(pk=meeting.pk)
    later = meeting.start + datetime.timedelta(days=1)

    errors = run_at_once(
        lambda: meeting_update(meeting=moving, start=later, end=later + datetime.timedelta(hours=1)),
        lambda: meeting_cancel(meeting=cancelling, reason="Raum nicht verfügbar"),
    )

    meeting.refresh_from_db()
    assert errors == []
    assert (meeting.sequence, meeting.status, meeting.start, meeting.cancellation_reason) == (
        2,
        Meeting.Status.CANCELLED,
        later,
        "Raum nicht verfügbar",
    )
