"""A series occurrence, end to end: confirmed with its series, invited by a real Celery
worker (beat running the sweep) through a real SMTP server, then reminded — the reminder
arrives after the invitation for every member."""

import datetime

import pytest
from django.utils import timezone

from meetings.recurrence import BERLIN
from meetings.services import series_confirm, series_create
from notifications.models import Delivery, Kind, NetworkSettings
from tests.conftest import wait_until
from tests.notifications.conftest import members

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# How long after the test starts the occurrence's reminder falls due: time enough for the
# worker to start and send the invitation first, which the reminder must then follow.
REMINDER_AFTER = datetime.timedelta(seconds=40)


def test_series_occurrence_invitation_arrives_before_its_reminder(smtp_sink, celery_worker_start):
    network, people = members(2)
    NetworkSettings.objects.create(network=network, reminder_offsets=[60])
    # A start with seconds: the 60-minute reminder falls due REMINDER_AFTER from now.
    start = (timezone.now() + datetime.timedelta(minutes=60) + REMINDER_AFTER).astimezone(BERLIN)
    series = series_create(
        network=network,
        title="Stadtteilkonferenz",
        rule="FREQ=WEEKLY",
        first_date=start.date(),
        start_time=start.time().replace(microsecond=0),
        duration_minutes=90,
        count=3,
    )
    series_confirm(series=series)
    occurrence = series.occurrences.order_by("start").first()
    worker = celery_worker_start(beat=True)

    wait_until(
        lambda: Delivery.objects.filter(subject_id=occurrence.pk, state=Delivery.State.SENT).count() == 4,
        timeout=120,
        process=worker,
    )

    rows = Delivery.objects.filter(subject_id=occurrence.pk)
    order = {}
    for arrival in smtp_sink.arrivals():
        row = rows.filter(message_id=arrival["message_id"]).first()
        if row is not None:
            order.setdefault(row.person_id, []).append(row.kind)
    assert order == {person.pk: [Kind.INVITATION, Kind.REMINDER] for person in people}
    # The later occurrences are not reminded yet.
    assert not Delivery.objects.exclude(subject_id=occurrence.pk).filter(kind=Kind.REMINDER).exists()
    assert worker.stop() == 0
