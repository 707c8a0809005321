"""The sweep's derivation and the send's decisions, in this process (Django's locmem mail
backend stands in for the relay; the worker tests use a real SMTP server)."""

import datetime

import pytest
from django.core import mail as django_mail
from django.utils import timezone

from meetings.models import Meeting
from meetings.services import meeting_cancel, meeting_move
from notifications.models import Delivery, Kind, Preference
from notifications.services import delivery_send, notifications_sweep
from tests.meetings.factories import MeetingFactory
from tests.notifications.conftest import members

pytestmark = pytest.mark.django_db


def sweep_and_send(now=None):
    result = notifications_sweep(now=now)
    return {pk: delivery_send(delivery_id=pk, now=now) for pk in result.enqueued}


def test_sweep_confirmed_meeting_plans_one_invitation_per_member():
    network, people = members(3)
    meeting = MeetingFactory(network=network, status=Meeting.Status.CONFIRMED)

    first = notifications_sweep()
    second = notifications_sweep()

    rows = Delivery.objects.filter(kind=Kind.INVITATION, subject_id=meeting.pk)
    assert sorted(rows.values_list("person_id", flat=True)) == sorted(person.pk for person in people)
    assert len(first.enqueued) == 3
    assert second.planned == 0


def test_send_invitation_carries_headers_and_calendar():
    network, (person,) = members(1)
    MeetingFactory(network=network, status=Meeting.Status.CONFIRMED)

    states = sweep_and_send()

    assert list(states.values()) == [Delivery.State.SENT]
    (message,) = django_mail.outbox
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["Message-ID"] == Delivery.objects.get().message_id
    (calendar,) = [part for part in message.message().walk() if part.get_content_type() == "text/calendar"]
    assert calendar.get_param("method") == "REQUEST"
    assert b"METHOD:REQUEST" in calendar.get_payload(decode=True)


def test_send_through_real_smtp_server_arrives(smtp_sink, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_sink.port
    network, (person,) = members(1)
    MeetingFactory(network=network, status=Meeting.Status.CONFIRMED)

    states = sweep_and_send()

    assert list(states.values()) == [Delivery.State.SENT], Delivery.objects.values_list("last_error", flat=True)[0]
    assert smtp_sink.message_ids() == [Delivery.objects.get().message_id]
