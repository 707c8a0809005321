"""„Sind Ihre Angaben noch aktuell?“ end to end: beat runs the sweep, a real Celery worker
sends through a real SMTP server; the reminder arrives exactly once, and the link in it
shows the entry on GET and confirms it on POST."""

import datetime
import re
import time
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from django.utils import timezone

from contacts.models import Institution, InstitutionCategory, InstitutionType
from notifications.models import Delivery, Kind, Subject
from tests.conftest import wait_until
from tests.factories import InstitutionFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

DAY = datetime.timedelta(days=1)


def test_reminder_arrives_once_and_its_link_confirms(smtp_sink, celery_worker_start, client):
    now = timezone.now()
    # Its own type: the flush after an earlier transactional test removed the migrations' vocabulary.
    category, _ = InstitutionCategory.objects.get_or_create(name="Senior*innen")
    kind, _ = InstitutionType.objects.get_or_create(
        slug="begegnungsstaette", defaults={"name": "Begegnungsstätte", "category": category}
    )
    institution = InstitutionFactory(name="Begegnungsstätte Am Weiher", email="weiher@example.org", type=kind)
    stand = now - DAY * 400
    Institution.objects.filter(pk=institution.pk).update(confirmed_at=stand)
    # Asked five weeks ago, no answer since: the reminder is owed.
    check = Delivery.objects.create(
        subject_type=Subject.INSTITUTION,
        subject_id=institution.pk,
        kind=Kind.ENTRY_CHECK,
        version=int(stand.timestamp()),
        recipient_key="aweiher@example.org",
        address="weiher@example.org",
        due_at=now - DAY * 35,
        next_attempt_at=now - DAY * 35,
        state=Delivery.State.SENT,
        sent_at=now - DAY * 35,
    )
    Delivery.objects.filter(pk=check.pk).update(created_at=now - DAY * 35)
    worker = celery_worker_start(beat=True)

    wait_until(lambda: len(smtp_sink.arrivals()) >= 1, timeout=60, process=worker)
    # Several more sweeps (one a second) have run by now: none may send it again.
    time.sleep(6)
    arrivals = smtp_sink.arrivals()
    worker.stop()
    reminder = Delivery.objects.get(kind=Kind.ENTRY_CHECK_REMINDER)
    message = message_from_bytes(smtp_sink.eml(1), policy=default_policy)
    link = re.search(r"https?://\S+(/eintrag/\S+/)", message.get_body(("plain",)).get_content()).group(1)
    shown = client.get(link)
    unchanged = Institution.objects.get(pk=institution.pk).confirmed_at
    confirmed = client.post(link, {"action": "confirm"})

    assert [arrival["message_id"] for arrival in arrivals] == [reminder.message_id]
    assert arrivals[0]["to"] == ["weiher@example.org"]
    assert arrivals[0]["subject"] == "Erinnerung: Sind Ihre Angaben noch aktuell? – Begegnungsstätte Am Weiher"
    assert arrivals[0]["list_unsubscribe_post"] == "List-Unsubscribe=One-Click"
    assert reminder.state == Delivery.State.SENT
    assert shown.status_code == 200 and unchanged == stand
    assert confirmed.status_code == 200
    assert Institution.objects.get(pk=institution.pk).confirmed_at > now
