"""A send task's batch: rows claimed a chunk at a time with what their mails read loaded
once per chunk, each row marked as its mail leaves, and a batch that a slow relay holds up
handing the rest to a new task without sending anything twice."""

import datetime
import subprocess
from collections import Counter

import icalendar
import pytest
from django.core import mail as django_mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meetings.models import Meeting
from meetings.services import meeting_cancel
from notifications import mail
from notifications.models import Delivery, Kind, Preference, RelayBreaker
from notifications.services import deliveries_send, notifications_sweep
from notifications.services._common import CLAIM_CHUNK, claim_token_new
from tests.meetings.factories import AgendaItemFactory, MeetingFactory, in_days
from tests.notifications.conftest import members, sink_start

pytestmark = pytest.mark.django_db


def invitations_planned(count: int) -> tuple[list, list[int]]:
    network, people = members(count)
    AgendaItemFactory(
        meeting=MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=in_days(10)), title="Begrüßung"
    )
    return people, notifications_sweep().enqueued


def test_a_batch_sends_every_invitation_with_its_calendar_to_its_member():
    people, ids = invitations_planned(4)

    states = deliveries_send(delivery_ids=ids)

    assert set(states.values()) == {Delivery.State.SENT}
    addresses = sorted(person.channels.get().value for person in people)
    assert sorted(message.to[0].split("<")[-1].rstrip(">") for message in django_mail.outbox) == addresses
    calendars = [
        part.get_payload(decode=True)
        for message in django_mail.outbox
        for part in message.message().walk()
        if part.get_content_type() == "text/calendar"
    ]
    assert len(calendars) == 4
    assert all(b"METHOD:REQUEST" in calendar for calendar in calendars)
    # Each attachment names its own recipient as the attendee.
    attendees = [str(icalendar.Calendar.from_ical(data).walk("VEVENT")[0]["ATTENDEE"]) for data in calendars]
    assert sorted(attendee.removeprefix("mailto:") for attendee in attendees) == addresses
    assert all("Begrüßung" in message.body for message in django_mail.outbox)


def test_a_bigger_batch_costs_one_query_per_mail_more_not_six():
    _people, few = invitations_planned(3)
    _others, many = invitations_planned(13)

    with CaptureQueriesContext(connection) as small:
        deliveries_send(delivery_ids=few)
    with CaptureQueriesContext(connection) as big:
        deliveries_send(delivery_ids=many)

    # The reads of a chunk (people, addresses, meeting, agenda, memberships, the calendar
    # columns) are the same few queries for 3 mails or 13; each mail adds the check of what
    # decides it, just before its data leaves; the marks are written ten at a time, in one
    # UPDATE per group.
    assert len(big) - len(small) == 10 + 1
    assert Delivery.objects.filter(state=Delivery.State.SENT).count() == 16


def test_changes_of_mind_before_the_batch_still_win():
    people, ids = invitations_planned(3)
    Preference.objects.create(person=people[0], invitations=False)

    states = deliveries_send(delivery_ids=ids)

    by_person = {row.person_id: states[row.pk] for row in Delivery.objects.filter(pk__in=ids)}
    assert by_person == {
        people[0].pk: Delivery.State.SKIPPED,
        people[1].pk: Delivery.State.SENT,
        people[2].pk: Delivery.State.SENT,
    }


def test_a_cancelled_meeting_sends_nothing_from_a_batch():
    _people, ids = invitations_planned(2)
    meeting_cancel(meeting=Meeting.objects.get())

    states = deliveries_send(delivery_ids=ids)

    assert set(states.values()) == {Delivery.State.SKIPPED}
    assert django_mail.outbox == []


def test_rows_another_worker_holds_are_left_alone():
    _people, ids = invitations_planned(3)
    deliveries_send(delivery_ids=ids[:1])

    states = deliveries_send(delivery_ids=ids)

    assert states == {ids[1]: Delivery.State.SENT, ids[2]: Delivery.State.SENT}
    assert len(django_mail.outbox) == 3


@pytest.fixture
def slow_relay(tmp_path, settings):
    """The real SMTP server answering each message after one second."""
    sink = sink_start(tmp_path / "sink")
    sink.set_mode("slow 1")
    settings.EMAIL_BACKEND = mail.SMTP_BACKEND
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", sink.port, 5
    mail.relay_reset()
    yield sink
    mail.relay_reset()
    sink.handle.stop(timeout=5)


def test_a_batch_held_up_by_a_slow_relay_hands_the_rest_on_and_sends_each_once(slow_relay, settings):
    settings.NOTIFICATIONS_SEND_BATCH_SECONDS = 1.5
    _people, ids = invitations_planned(4)

    first = deliveries_send(delivery_ids=ids)
    handed_on = list(Delivery.objects.filter(pk__in=ids).exclude(pk__in=first).order_by("pk"))
    # What the new task does with the rest.
    second = deliveries_send(delivery_ids=[row.pk for row in handed_on])

    assert list(first.values()) == [Delivery.State.SENT, Delivery.State.SENT]
    assert [(row.state, row.attempts, row.claim_token, row.enqueued_at is not None) for row in handed_on] == [
        (Delivery.State.PLANNED, 0, "", True)
    ] * 2
    assert list(second.values()) == [Delivery.State.SENT, Delivery.State.SENT]
    rows = Delivery.objects.filter(pk__in=ids)
    assert Counter(slow_relay.message_ids()) == Counter({row.message_id: 1 for row in rows})
    assert {(row.state, row.attempts) for row in rows} == {(Delivery.State.SENT, 1)}
    assert rows.filter(kind=Kind.INVITATION).count() == 4


def test_rows_of_a_dead_worker_are_taken_by_its_redelivered_task_the_first_ten_flagged():
    """A worker died holding 12 rows (its claim ran out): the broker hands its task out
    again, which puts them back and sends them at once, the first ten (a group of marks the
    worker may have sent without writing) flagged „evtl. doppelt“, each once."""
    _people, ids = invitations_planned(12)
    Delivery.objects.filter(pk__in=ids).update(
        state=Delivery.State.CLAIMED, claim_token="tot", lease_until=timezone.now() - datetime.timedelta(seconds=1)
    )

    states = deliveries_send(delivery_ids=ids)

    rows = list(Delivery.objects.filter(pk__in=ids).order_by("pk"))
    assert [(row.state, row.duplicate_possible) for row in rows] == [(Delivery.State.SENT, True)] * 10 + [
        (Delivery.State.SENT, False)
    ] * 2
    assert set(states.values()) == {Delivery.State.SENT}
    assert len(django_mail.outbox) == 12


def test_a_claim_whose_process_is_gone_comes_back_before_its_lease_one_of_a_living_process_stays():
    """Two claims of 6 rows each, their leases a minute away: one held by a process of this
    machine that has ended (killed), one by this test's process. The sweep puts the dead
    one's rows back at once (the first group flagged „evtl. doppelt“) and leaves the
    living one's alone; so does a redelivered task."""
    _people, ids = invitations_planned(12)
    ended = subprocess.Popen(["sleep", "60"])
    dead_token = claim_token_new(pid=ended.pid)
    ended.kill()
    ended.wait()
    living_token = claim_token_new()
    lease = timezone.now() + datetime.timedelta(minutes=1)
    Delivery.objects.filter(pk__in=ids[:6]).update(
        state=Delivery.State.CLAIMED, claim_token=dead_token, lease_until=lease
    )
    Delivery.objects.filter(pk__in=ids[6:]).update(
        state=Delivery.State.CLAIMED, claim_token=living_token, lease_until=lease
    )

    redelivered = deliveries_send(delivery_ids=ids[6:])
    swept = notifications_sweep()

    assert redelivered == {}
    assert swept.enqueued == ids[:6]
    rows = list(Delivery.objects.filter(pk__in=ids).order_by("pk"))
    assert [(row.state, row.duplicate_possible) for row in rows] == [(Delivery.State.AMBIGUOUS, True)] * 6 + [
        (Delivery.State.CLAIMED, False)
    ] * 6
    assert {row.claim_token for row in rows[6:]} == {living_token}


def test_a_probing_batch_longer_than_a_claim_sends_its_probe_and_puts_the_rest_back(settings):
    """The relay's pause is over and this batch (more rows than one claim takes) wins the
    probe: one mail goes, and once the relay took it, the rest are queued anew for any
    worker (``_resume``), none sent by this batch."""
    settings.NOTIFICATIONS_SEND_BATCH = 500
    _people, ids = invitations_planned(CLAIM_CHUNK + 5)
    RelayBreaker.objects.create(name="relay", open_until=timezone.now() - datetime.timedelta(seconds=1))

    states = deliveries_send(delivery_ids=ids)

    assert list(states.values()) == [Delivery.State.SENT]
    assert len(django_mail.outbox) == 1
    rest = Delivery.objects.filter(pk__in=ids).exclude(pk__in=states)
    assert rest.count() == CLAIM_CHUNK + 4
    assert {(state, queued is not None) for state, queued in rest.values_list("state", "enqueued_at")} == {
        (Delivery.State.PLANNED, True)
    }
