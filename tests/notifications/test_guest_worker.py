"""Guests end to end: a real Celery worker (beat running the sweep) sends through a real
SMTP server; each confirmation arrives exactly once with its .ics, and a guest who cancels
through the link in the mail hands the seat to the waiting list, whose guest gets a mail."""

import re
import time
from email import message_from_bytes
from email.policy import default as default_policy

import pytest

from meetings import services
from meetings.models import GuestRegistration
from notifications.models import Delivery, Kind
from tests.conftest import wait_until
from tests.meetings.factories import MeetingFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def arrived(sink, address: str) -> list[dict]:
    return [arrival for arrival in sink.arrivals() if arrival["to"] == [address]]


def test_confirmation_arrives_once_with_the_ics_and_cancelling_moves_the_waiting_guest_up(
    smtp_sink, celery_worker_start, client
):
    meeting = MeetingFactory(title="Sozialkonferenz 2027")
    services.guest_settings_set(meeting=meeting, guests_open=True, capacity=1)
    services.guest_register(meeting=meeting, name="Gitta Gast", email="gitta@example.org", client="192.0.2.1")
    waiting = services.guest_register(meeting=meeting, name="Wim Warte", email="wim@example.org", client="192.0.2.2")
    worker = celery_worker_start(beat=True)

    wait_until(lambda: len(smtp_sink.arrivals()) >= 2, timeout=60, process=worker)
    # More sweeps (one a second) run meanwhile: none may send a confirmation again.
    time.sleep(5)
    confirmations = list(Delivery.objects.filter(kind=Kind.GUEST_CONFIRMATION).order_by("pk"))
    first = arrived(smtp_sink, "gitta@example.org")
    number = [index for index, arrival in enumerate(smtp_sink.arrivals(), 1) if arrival["to"] == ["gitta@example.org"]]
    message = message_from_bytes(smtp_sink.eml(number[0]), policy=default_policy)
    calendars = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    link = re.search(r"https?://\S+(/termine/abmelden/\S+/)", message.get_body(("plain",)).get_content()).group(1)
    shown = client.get(link)
    cancelled = client.post(link)
    wait_until(lambda: arrived(smtp_sink, "wim@example.org")[1:], timeout=60, process=worker)
    time.sleep(3)
    arrivals = smtp_sink.arrivals()
    worker.stop()

    assert [row.state for row in confirmations] == ["gesendet", "gesendet"]
    assert [arrival["message_id"] for arrival in first] == [confirmations[0].message_id]
    assert first[0]["subject"].startswith("Anmeldung bestätigt: Sozialkonferenz 2027")
    assert len(calendars) == 1 and "METHOD:REQUEST" in calendars[0].get_content()
    assert shown.status_code == 200 and cancelled.status_code == 200
    wim = [arrival["subject"].split(":")[0] for arrival in arrivals if arrival["to"] == ["wim@example.org"]]
    assert wim == ["Warteliste", "Ein Platz für Sie"]
    assert GuestRegistration.objects.get(pk=waiting.pk).status == GuestRegistration.Status.CONFIRMED
    assert len(arrivals) == 3
