"""Rundmails sent by a real Celery worker (beat running the sweep) to a real SMTP server,
counted by Message-ID at the server: at their moment, to everyone once, to nobody who
switched them off, and nobody twice when the worker is killed in the middle of sending."""

import datetime
import os
import signal
from collections import Counter

import pytest
from django.utils import timezone

from notifications.models import Delivery, Kind, Preference, Rundmail
from notifications.services.rundmail import rundmail_create, rundmail_schedule, rundmail_withdraw
from tests.conftest import wait_until
from tests.factories import ChannelFactory, UserFactory
from tests.notifications.conftest import members, wait_for_final

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True), pytest.mark.timeout(150)]

WAIT = 60


@pytest.fixture(autouse=True)
def _media(media_shared_with_worker):
    # The worker runs in its own process: it reads the attachments from the same folder.
    return media_shared_with_worker


def network_with_speaker(count: int):
    from contacts.models import Membership

    network, people = members(count)
    user = UserFactory()
    _, (speaker,) = members(1, network=network, role=Membership.Role.SPEAKER)
    speaker.user = user
    speaker.save()
    return network, [*people, speaker], user


def test_scheduled_rundmail_arrives_once_at_its_moment_not_to_the_opted_out(smtp_sink, celery_worker_start):
    network, people, speaker = network_with_speaker(5)
    Preference.objects.create(person=people[0], network_news=False)
    rundmail = rundmail_create(network=network, actor=speaker, subject="Sommerfest", body="{anrede}, kommt vorbei!")
    moment = timezone.now() + datetime.timedelta(seconds=8)
    rundmail_schedule(rundmail=rundmail, actor=speaker, send_at=moment)
    worker = celery_worker_start(beat=True)

    rows = wait_for_final(timeout=WAIT, process=worker)

    sent = [row for row in rows if row.state == Delivery.State.SENT]
    assert len(sent) == 5
    assert {row.person_id for row in rows if row.state == Delivery.State.SKIPPED} == {people[0].pk}
    assert Counter(smtp_sink.message_ids()) == Counter({row.message_id: 1 for row in sent})
    assert min(row.sent_at for row in sent) >= moment
    assert b"Sommerfest" in smtp_sink.eml(1)


def test_withdrawn_before_its_moment_nothing_arrives(smtp_sink, celery_worker_start):
    network, _people, speaker = network_with_speaker(3)
    withdrawn = rundmail_create(network=network, actor=speaker, subject="Zurückgezogen", body="Text")
    rundmail_schedule(rundmail=withdrawn, actor=speaker, send_at=timezone.now() + datetime.timedelta(seconds=6))
    rundmail_withdraw(rundmail=withdrawn, actor=speaker)
    # A second one afterwards shows that the sweep ran past the first one's moment.
    control = rundmail_create(network=network, actor=speaker, subject="Kontrolle", body="Text")
    rundmail_schedule(rundmail=control, actor=speaker, send_at=timezone.now() + datetime.timedelta(seconds=8))
    worker = celery_worker_start(beat=True)

    rows = wait_for_final(timeout=WAIT, process=worker)

    assert {row.subject_id for row in rows} == {control.pk}
    assert len(smtp_sink.arrivals()) == 4
    assert Rundmail.objects.get(pk=withdrawn.pk).state == Rundmail.State.WITHDRAWN


def test_worker_killed_mid_rundmail_nobody_gets_it_twice(smtp_sink, celery_worker_start):
    network, people, speaker = network_with_speaker(24)
    for person in people[:3]:
        ChannelFactory(person=person, value=f"zweite-{person.pk}@example.org", is_primary=False)
    rundmail = rundmail_create(network=network, actor=speaker, subject="Einladung", body="{anrede}, hallo.")
    smtp_sink.set_mode("slow 30")
    rundmail_schedule(rundmail=rundmail, actor=speaker)
    first = celery_worker_start(beat=True)
    wait_until(lambda: Delivery.objects.filter(state=Delivery.State.CLAIMED).exists(), timeout=WAIT, process=first)

    os.killpg(first.pid, signal.SIGKILL)
    first.process.wait(timeout=10)
    smtp_sink.set_mode("ok")
    second = celery_worker_start(beat=True)
    rows = wait_for_final(timeout=WAIT, process=second)

    sent = [row for row in rows if row.state == Delivery.State.SENT]
    assert len(sent) == 25 == len(rows)
    assert {row.kind for row in rows} == {Kind.RUNDMAIL}
    arrivals = Counter(smtp_sink.message_ids())
    assert arrivals == Counter({row.message_id: 1 for row in sent})
    recipients = Counter(tuple(arrival["to"]) for arrival in smtp_sink.arrivals())
    assert max(recipients.values()) == 1
