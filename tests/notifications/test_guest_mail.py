"""Mail to guests of open meetings, sent in this process through the delivery log: the
confirmation with the .ics and the cancel link (nothing the guest typed in it), the waiting
list, moving up, a moved and a cancelled meeting; and their retention."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from meetings import services
from meetings.models import GuestRegistration
from notifications.models import Delivery, Kind, Subject
from notifications.services import delivery_send, notifications_sweep
from notifications.services.privacy import retention_apply
from tests.meetings.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def open_meeting(capacity=1, **fields):
    meeting = MeetingFactory(title="Offenes Treffen Burtscheid", **fields)
    return services.guest_settings_set(meeting=meeting, guests_open=True, capacity=capacity)


def register(meeting, email, name="Gitta Gast", language="de"):
    return services.guest_register(meeting=meeting, name=name, email=email, client="192.0.2.9", language=language)


def send_all(kind):
    return [delivery_send(delivery_id=row.pk) for row in Delivery.objects.filter(kind=kind).order_by("pk")]


def ics_of(message) -> str:
    (part,) = [attachment for attachment in message.attachments if attachment.get_content_type() == "text/calendar"]
    return part.get_payload(decode=True).decode()


def test_confirmation_has_the_ics_and_the_cancel_link_and_nothing_the_guest_typed():
    meeting = open_meeting()
    register(meeting, "gitta@example.org", name="Gitta <script> Gast")

    states = send_all(Kind.GUEST_CONFIRMATION)

    (message,) = mail.outbox
    assert states == ["gesendet"]
    assert message.to == ["gitta@example.org"]
    assert message.subject.startswith("Anmeldung bestätigt: Offenes Treffen Burtscheid (")
    assert "Gitta" not in message.body
    assert re.search(r"/termine/abmelden/\S+/", message.body)
    calendar = ics_of(message)
    assert "METHOD:REQUEST" in calendar
    assert f"UID:{meeting.uid}" in calendar.replace("\r\n ", "")
    assert "mailto:gitta@example.org" in calendar


def test_waiting_list_confirmation_says_so_without_a_calendar_and_moving_up_sends_it():
    meeting = open_meeting()
    seated = register(meeting, "sitz@example.org")
    register(meeting, "warte@example.org", language="en")
    send_all(Kind.GUEST_CONFIRMATION)
    waiting_mail = mail.outbox[1]

    services.guest_registration_cancel(registration=seated)
    states = send_all(Kind.GUEST_MOVED_UP)

    assert waiting_mail.subject.startswith("Waiting list: ")
    assert "number 1 on the waiting list" in waiting_mail.body
    assert [a for a in waiting_mail.attachments if a.get_content_type() == "text/calendar"] == []
    assert states == ["gesendet"]
    moved = mail.outbox[2]
    assert moved.to == ["warte@example.org"]
    assert moved.subject.startswith("A place for you: ")
    assert "METHOD:REQUEST" in ics_of(moved)


def test_moved_and_cancelled_meeting_tells_its_guests_through_the_sweep():
    meeting = open_meeting(capacity=5)
    register(meeting, "gitta@example.org")
    notifications_sweep()
    send_all(Kind.GUEST_CONFIRMATION)

    services.meeting_move(
        meeting=meeting, start=meeting.start + datetime.timedelta(days=1), end=meeting.end + datetime.timedelta(days=1)
    )
    notifications_sweep()
    notifications_sweep()
    send_all(Kind.GUEST_CHANGE)
    services.meeting_cancel(meeting=meeting, reason="Der Saal ist nicht verfügbar.")
    notifications_sweep()
    send_all(Kind.GUEST_CANCELLATION)

    subjects = [message.subject.split(":")[0] for message in mail.outbox]
    assert subjects == ["Anmeldung bestätigt", "Geändert", "Abgesagt"]
    assert "Zeit: " in mail.outbox[1].body
    assert "Der Saal ist nicht verfügbar." in mail.outbox[2].body
    assert "METHOD:CANCEL" in ics_of(mail.outbox[2])
    assert Delivery.objects.filter(subject_type=Subject.GUEST).count() == 3


def test_cancelled_registration_sends_nothing_more():
    meeting = open_meeting()
    guest = register(meeting, "gitta@example.org")
    services.guest_registration_cancel(registration=guest)

    states = send_all(Kind.GUEST_CONFIRMATION)

    assert states == ["entfallen"]
    assert mail.outbox == []


def test_retention_deletes_guests_after_the_set_days_and_blanks_their_addresses(settings):
    settings.GUEST_DATA_RETENTION_DAYS = 30
    now = timezone.now()
    meeting = open_meeting()
    old = register(meeting, "alt@example.org")
    send_all(Kind.GUEST_CONFIRMATION)
    recent = open_meeting(start=now + datetime.timedelta(days=3))
    recent_guest = register(recent, "neu@example.org")
    # The first meeting ended 31 days ago.
    type(meeting).objects.filter(pk=meeting.pk).update(
        start=now - datetime.timedelta(days=31, hours=2), end=now - datetime.timedelta(days=31)
    )

    result = retention_apply(now=now)
    again = retention_apply(now=now)

    assert result["gaeste"] == 1 and again["gaeste"] == 0
    assert list(GuestRegistration.objects.values_list("pk", flat=True)) == [recent_guest.pk]
    row = Delivery.objects.get(subject_type=Subject.GUEST, subject_id=old.pk)
    assert (row.address, row.recipient_name, row.recipient_key) == ("", "", f"x{row.pk}")
    assert Delivery.objects.filter(subject_id=recent_guest.pk, address="neu@example.org").exists()
