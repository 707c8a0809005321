"""A real Celery worker (and beat) on the test database and the configured broker."""

import pytest

from notifications.models import PeriodicRun
from notifications.tasks import heartbeat
from tests.conftest import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 60


def heartbeat_run() -> PeriodicRun | None:
    return PeriodicRun.objects.filter(name="heartbeat").first()


def test_heartbeat_beat_sends_and_worker_records(celery_worker_start):
    """Beat sends the heartbeat on its schedule, the broker carries it, and the worker
    writes the PeriodicRun row that /healthz reports."""
    assert heartbeat_run() is None
    worker = celery_worker_start(beat=True)

    run = wait_until(heartbeat_run, timeout=WAIT_SECONDS, process=worker)

    assert run.run_count >= 1
    assert worker.stop() == 0


def test_heartbeat_delay_from_test_process_runs_in_worker(celery_worker_start):
    """A task enqueued with .delay() in this process is executed by the separate worker
    process (no beat runs here, so only the enqueued task can write the row)."""
    worker = celery_worker_start(beat=False)

    heartbeat.delay()
    run = wait_until(heartbeat_run, timeout=WAIT_SECONDS, process=worker)

    assert run.run_count == 1
    assert worker.stop() == 0
