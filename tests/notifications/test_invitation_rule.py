"""The one rule for invitations and reminders: a confirmed meeting's invitation goes out its
network's lead time before the start (default 14 days), or at once when it is confirmed
later; a meeting that is only geplant gets neither invitation nor reminder; no reminder
ever precedes the invitation."""

import datetime

import pytest
from django.core import mail as django_mail
from django.utils import timezone

from meetings.models import Meeting
from meetings.services import meeting_update, series_confirm, series_create
from notifications.models import Delivery, Kind, NetworkSettings
from notifications.selectors import invitation_moment
from notifications.services import delivery_send, notifications_sweep
from tests.meetings.factories import MeetingFactory, in_days
from tests.notifications.conftest import members

pytestmark = pytest.mark.django_db


def kinds_of(meeting) -> list[str]:
    return sorted(set(Delivery.objects.filter(subject_id=meeting.pk).values_list("kind", flat=True)))


def test_sweep_planned_meeting_gets_neither_invitation_nor_reminder():
    network, _people = members(2)
    meeting = MeetingFactory(network=network, start=timezone.now() + datetime.timedelta(days=1, minutes=-5))

    notifications_sweep()

    assert kinds_of(meeting) == []


def test_sweep_confirmed_meeting_is_invited_at_its_lead_time_not_before():
    network, _people = members(1)
    meeting = MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=in_days(20))
    moment = invitation_moment(meeting.start, 14)

    early = notifications_sweep(now=moment - datetime.timedelta(minutes=1))
    on_time = notifications_sweep(now=moment)

    assert (early.planned, on_time.planned) == (0, 1)
    assert moment.astimezone(meeting.start.tzinfo).time() == datetime.time(18, 30)
    assert kinds_of(meeting) == [Kind.INVITATION]


def test_sweep_network_lead_time_setting_decides_the_moment():
    network, _people = members(1)
    NetworkSettings.objects.create(network=network, invitation_lead_days=30)
    other, _others = members(1)
    meeting = MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=in_days(20))
    not_yet = MeetingFactory(network=other, status=Meeting.Status.CONFIRMED, start=in_days(20))

    notifications_sweep()

    assert (kinds_of(meeting), kinds_of(not_yet)) == ([Kind.INVITATION], [])


def test_sweep_meeting_confirmed_late_is_invited_at_once_without_a_stale_reminder():
    network, _people = members(1)
    meeting = MeetingFactory(network=network, start=timezone.now() + datetime.timedelta(hours=12))
    notifications_sweep()

    meeting_update(meeting=meeting, status=Meeting.Status.CONFIRMED)
    notifications_sweep()
    notifications_sweep(now=timezone.now() + datetime.timedelta(hours=1))

    # The 1-day reminder's moment lay before the invitation: it is not owed.
    assert kinds_of(meeting) == [Kind.INVITATION]


def test_send_reminder_waits_while_the_invitation_is_not_out():
    network, (person,) = members(1)
    meeting = MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=in_days(5))
    invite_at = meeting.start - datetime.timedelta(days=6)
    notifications_sweep(now=invite_at)  # planned, but the relay was down: not sent
    remind_at = meeting.start - datetime.timedelta(days=1)
    notifications_sweep(now=remind_at)
    reminder = Delivery.objects.get(kind=Kind.REMINDER, version=24 * 60)

    first = delivery_send(delivery_id=reminder.pk, now=remind_at)
    invitation = Delivery.objects.get(kind=Kind.INVITATION, person=person)
    delivery_send(delivery_id=invitation.pk, now=remind_at)
    second = delivery_send(delivery_id=reminder.pk, now=remind_at + datetime.timedelta(minutes=2))

    assert (first, second) == (Delivery.State.PLANNED, Delivery.State.SENT)
    assert [message.subject.split(":")[0] for message in django_mail.outbox] == ["Einladung", "Erinnerung"]


def test_series_no_reminder_row_is_ever_created_before_the_invitation_row():
    """Sweeps every 3 hours over four weeks of a weekly series: confirmed as a whole on
    day 3, one occurrence confirmed only a day before it. For every occurrence and member,
    the invitation row exists before any reminder row (lower id, earlier due time)."""
    network, people = members(2)
    today = timezone.localdate()
    series = series_create(
        network=network,
        title="Stadtteilkonferenz",
        rule="FREQ=WEEKLY",
        first_date=today + datetime.timedelta(days=5),
        start_time=datetime.time(18, 30),
        duration_minutes=90,
        count=4,
    )
    late = series.occurrences.order_by("start").last()
    start = timezone.now()
    for step in range(0, 4 * 7 * 8):
        now = start + datetime.timedelta(hours=3 * step)
        if step == 8 * 3:
            series_confirm(series=series, now=now)
            Meeting.objects.filter(pk=late.pk).update(status=Meeting.Status.PLANNED)
        if (
            now >= late.start - datetime.timedelta(days=1)
            and not Meeting.objects.filter(pk=late.pk, status=Meeting.Status.CONFIRMED).exists()
        ):
            meeting_update(meeting=Meeting.objects.get(pk=late.pk), status=Meeting.Status.CONFIRMED, now=now)
        notifications_sweep(now=now)

    rows = Delivery.objects.filter(subject_type="sitzung").order_by("pk")
    first_invitation: dict[tuple[int, int], tuple[int, datetime.datetime]] = {}
    reminders = 0
    for row in rows:
        key = (row.subject_id, row.person_id)
        if row.kind == Kind.INVITATION:
            first_invitation.setdefault(key, (row.pk, row.due_at))
        elif row.kind == Kind.REMINDER:
            reminders += 1
            assert key in first_invitation, f"reminder {row.pk} without invitation"
            assert first_invitation[key][1] <= row.due_at
    assert len(first_invitation) == 4 * len(people)
    assert reminders > 0
    assert not Delivery.objects.filter(kind=Kind.REMINDER, subject_id=late.pk).exists()
