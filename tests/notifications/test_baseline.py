"""Taking over from another tool: after the baseline the first sweep invites to nothing that
was planned already, and tells members only what changes from then on."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from meetings.models import Meeting
from meetings.services import agenda_item_add, meeting_move, meeting_update
from notifications.models import Delivery, Kind, NetworkSettings
from notifications.services import notifications_baseline, notifications_sweep
from tests.meetings.factories import MeetingFactory, in_days
from tests.notifications.conftest import members

pytestmark = pytest.mark.django_db


def kinds_planned() -> list[tuple[str, int]]:
    return sorted(Delivery.objects.values_list("kind", "subject_id"))


def test_after_the_baseline_the_first_sweep_invites_to_nothing_planned_before():
    network, _people = members(2)
    MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=in_days(10))
    MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=timezone.now() + datetime.timedelta(days=90))

    recorded = notifications_baseline()
    notifications_sweep()

    assert recorded == 2
    assert kinds_planned() == []


def test_what_changes_after_the_baseline_is_sent():
    network, _people = members(2)
    moved = MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=in_days(10))
    later_confirmed = MeetingFactory(network=network, status=Meeting.Status.PLANNED, start=in_days(10))
    notifications_baseline()

    meeting_move(
        meeting=moved, start=moved.start + datetime.timedelta(hours=1), end=moved.end + datetime.timedelta(hours=1)
    )
    meeting_update(meeting=later_confirmed, status=Meeting.Status.CONFIRMED)
    notifications_sweep()

    assert kinds_planned() == sorted([(Kind.CHANGE, moved.pk)] * 2 + [(Kind.INVITATION, later_confirmed.pk)] * 2)


def test_a_network_inviting_with_the_agenda_still_invites_once_the_agenda_comes():
    network, _people = members(1)
    NetworkSettings.objects.create(network=network, invitation_trigger=NetworkSettings.Trigger.AGENDA)
    meeting = MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=in_days(10))
    notifications_baseline()

    agenda_item_add(meeting=meeting, title="Begrüßung")
    notifications_sweep()

    assert kinds_planned() == [(Kind.INVITATION, meeting.pk)]


def test_reminders_still_come_after_the_baseline():
    network, _people = members(2)
    meeting = MeetingFactory(
        network=network,
        status=Meeting.Status.CONFIRMED,
        start=timezone.now() + datetime.timedelta(days=1, minutes=-5),
    )
    notifications_baseline()

    notifications_sweep()

    assert kinds_planned() == [(Kind.REMINDER, meeting.pk)] * 2


def test_the_baseline_twice_records_nothing_new_and_the_command_says_how_many():
    network, _people = members(1)
    MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=in_days(10))
    out = io.StringIO()

    call_command("notifications_baseline", stdout=out)
    again = notifications_baseline()

    assert out.getvalue().strip() == "als bekannt vermerkt: 1 künftige Sitzung"
    assert again == 0
