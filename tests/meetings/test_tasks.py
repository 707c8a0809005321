"""The horizon task: thin, scheduled daily, calls the service."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from meetings import services, tasks
from meetings.models import MeetingSeries
from tests.factories import NetworkFactory

pytestmark = pytest.mark.django_db


def test_extend_series_horizon_is_in_the_beat_schedule():
    entries = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]

    assert "meetings.extend_series_horizon" in entries


def test_extend_series_horizon_task_fills_a_series_behind_its_horizon():
    series = services.series_create(
        network=NetworkFactory(),
        title="OAG",
        rule="FREQ=WEEKLY",
        first_date=timezone.localdate(),
        start_time=datetime.time(10, 0),
        duration_minutes=60,
        today=timezone.localdate() - datetime.timedelta(days=30),
    )
    before = series.occurrences.count()

    created = tasks.extend_series_horizon()

    assert created > 0
    assert series.occurrences.count() == before + created
    assert MeetingSeries.objects.get(pk=series.pk).generated_until == services.horizon_end(timezone.localdate())
    assert tasks.extend_series_horizon() == 0
