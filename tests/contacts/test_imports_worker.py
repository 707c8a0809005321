"""Large imports by a real Celery worker (issue 15): progress in the database while it runs;
a worker killed mid-import leaves only whole chunks written, and the next worker resumes
after them (the sweep re-queues the run once its lease has run out); importing the same
file again afterwards changes nothing."""

import os
import signal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from contacts.models import (
    ContactChannel,
    ImportRun,
    Institution,
    InstitutionCategory,
    InstitutionType,
    Membership,
    Person,
)
from contacts.services.imports import CHUNK_ROWS, import_execute, import_mapping_set, import_start, import_upload
from contacts.tasks import import_execute_task
from tests.conftest import wait_until
from tests.contacts.import_files import csv_bytes, member_rows
from tests.factories import NetworkFactory, UserFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROWS = 4000
WAIT = 120


def written() -> tuple[int, int, int, int]:
    return (
        Institution.objects.count(),
        Person.objects.count(),
        ContactChannel.objects.count(),
        Membership.objects.count(),
    )


def test_import_worker_killed_mid_import_resumes_without_half_written_rows(client, celery_worker_start, monkeypatch):
    monkeypatch.setenv("IMPORT_LEASE_SECONDS", "3")
    monkeypatch.setenv("IMPORT_SWEEP_SECONDS", "1")
    # The flush after an earlier transactional test removed the migrations' vocabulary.
    category, _ = InstitutionCategory.objects.get_or_create(name="Kinder und Familie")
    kita, _ = InstitutionType.objects.get_or_create(slug="kita", defaults={"name": "Kita", "category": category})
    network = NetworkFactory()
    data = csv_bytes(member_rows(ROWS))
    run = import_upload(file_name="gross.csv", data=data, network=network, created_by=None)
    run = import_mapping_set(run=run, mapping=run.mapping, default_type=kita)
    run = import_start(run=run, mode=ImportRun.Mode.ALL)
    import_execute_task.delay(run_id=run.pk)

    first = celery_worker_start()
    started = lambda: ImportRun.objects.get(pk=run.pk).rows_done >= CHUNK_ROWS  # noqa: E731
    wait_until(started, timeout=WAIT, interval=0.05, process=first)
    os.killpg(first.pid, signal.SIGKILL)
    first.process.wait(timeout=10)

    stopped = ImportRun.objects.get(pk=run.pk)
    assert stopped.state == ImportRun.State.RUNNING
    assert 0 < stopped.rows_done < ROWS
    assert stopped.rows_done % CHUNK_ROWS == 0
    # Every committed chunk is whole, nothing of the open one: a row is one person with
    # an e-mail address and a phone number and one membership, two rows one institution.
    done = stopped.rows_done
    assert written() == (done // 2, done, 2 * done, done)

    staff = UserFactory(email="fb56@example.org")
    staff.groups.add(Group.objects.get_or_create(name="Sozialplanung")[0])
    client.force_login(staff)
    page = client.get(reverse("imports:detail", args=[run.pk])).content.decode()
    assert f'<progress id="import-bar" max="{ROWS}" value="{done}">' in page
    assert client.get(reverse("imports:status", args=[run.pk])).json()["done"] == done

    second = celery_worker_start(beat=True)
    wait_until(lambda: ImportRun.objects.get(pk=run.pk).state == ImportRun.State.DONE, timeout=WAIT, process=second)

    finished = ImportRun.objects.get(pk=run.pk)
    assert finished.result["rows"] == {"new": ROWS}
    assert finished.result["entries"]["memberships_created"] == ROWS
    assert written() == (ROWS // 2, ROWS, 2 * ROWS, ROWS)

    again = import_upload(file_name="gross.csv", data=data, network=network, created_by=None)
    again = import_mapping_set(run=again, mapping=again.mapping, default_type=kita)
    import_start(run=again, mode=ImportRun.Mode.ALL)
    again = import_execute(run_id=again.pk)

    assert again.result["rows"] == {"unchanged": ROWS}
    assert written() == (ROWS // 2, ROWS, 2 * ROWS, ROWS)
