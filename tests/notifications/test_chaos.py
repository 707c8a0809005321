"""Fault injection against the real parts (issue 6): workers killed mid-send, Redis
restarted and flushed or down, an SMTP server that answers 451, 550 or not at all,
concurrent sweeps, and changes of mind between planning and sending. Each test bounds its
own duration; the assertion everywhere is "nothing lost, nothing twice", counted by
Message-ID at the SMTP server."""

import datetime
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from contacts.models import Membership
from contacts.selectors import person_mail_address
from meetings.models import Meeting
from meetings.services import meeting_cancel
from notifications.models import Delivery, Kind, MeetingNotice, Preference, RelayBreaker
from notifications.selectors import periodic_run_last
from notifications.services import notifications_sweep, preference_update
from tests.conftest import database_url_of_test_database, wait_until
from tests.factories import NetworkFactory
from tests.meetings.factories import MeetingFactory, in_days
from tests.notifications.conftest import members, wait_for_final

pytestmark = [pytest.mark.chaos, pytest.mark.worker, pytest.mark.django_db(transaction=True), pytest.mark.timeout(150)]

WAIT = 60


def invitations_owed(count: int):
    network, people = members(count)
    MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=in_days(10))
    return people


def reminder_owed(count: int):
    """A confirmed meeting whose members were invited two days ago, due for its reminder."""
    network, people = members(count)
    now = timezone.now()
    meeting = MeetingFactory(
        network=network, status=Meeting.Status.CONFIRMED, start=now + datetime.timedelta(days=1, minutes=-5)
    )
    MeetingNotice.objects.create(
        meeting_id=meeting.pk, told_sequence=meeting.sequence, announced_at=now - datetime.timedelta(days=2)
    )
    return meeting, people


def arrivals_by_id(sink) -> Counter:
    return Counter(sink.message_ids())


def assert_delivered_once(sink, rows, expected: int):
    sent = [row for row in rows if row.state == Delivery.State.SENT]
    assert len(sent) == expected, [(row.state, row.last_error) for row in rows]
    assert arrivals_by_id(sink) == Counter({row.message_id: 1 for row in sent})


def sweep_process(env_extra: dict) -> subprocess.CompletedProcess:
    """One sweep in a process of its own, as beat's task would run it in a worker."""
    env = {**os.environ, "DATABASE_URL": database_url_of_test_database(), **env_extra}
    return subprocess.run(
        [sys.executable, "manage.py", "notifications_sweep"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_worker_killed_mid_send_every_message_arrives_once(smtp_sink, celery_worker_start):
    invitations_owed(4)
    smtp_sink.set_mode("slow 30")
    first = celery_worker_start(beat=True)
    wait_until(lambda: Delivery.objects.filter(state=Delivery.State.CLAIMED).exists(), timeout=WAIT, process=first)

    os.killpg(first.pid, signal.SIGKILL)
    first.process.wait(timeout=10)
    smtp_sink.set_mode("ok")
    second = celery_worker_start(beat=True)
    rows = wait_for_final(timeout=WAIT, process=second)

    assert_delivered_once(smtp_sink, rows, expected=4)


def test_redis_restarted_and_flushed_with_messages_queued_all_arrive_once(
    smtp_sink, own_redis, celery_worker_start, monkeypatch
):
    monkeypatch.setenv("CELERY_BROKER_URL", own_redis.url)
    invitations_owed(6)
    smtp_sink.set_mode("slow 1")
    worker = celery_worker_start(beat=True)
    wait_until(lambda: len(smtp_sink.arrivals()) >= 1, timeout=WAIT, process=worker)

    own_redis.stop()  # no persistence: everything queued is gone
    own_redis.start()
    smtp_sink.set_mode("ok")
    rows = wait_for_final(timeout=WAIT, process=worker)

    assert_delivered_once(smtp_sink, rows, expected=6)


def test_enqueue_fails_while_redis_down_delivered_once_after(smtp_sink, own_redis, celery_worker_start, monkeypatch):
    monkeypatch.setenv("CELERY_BROKER_URL", own_redis.url)
    invitations_owed(3)
    own_redis.stop()

    swept = sweep_process({})
    planned = list(Delivery.objects.values_list("state", "enqueued_at"))
    own_redis.start()
    worker = celery_worker_start(beat=True)
    rows = wait_for_final(timeout=WAIT, process=worker)

    assert swept.returncode == 0, swept.stderr
    assert [state for state, _queued in planned] == [Delivery.State.PLANNED] * 3
    assert all(queued is not None for _state, queued in planned)
    assert_delivered_once(smtp_sink, rows, expected=3)


def test_smtp_451_for_a_while_then_delivered_once(smtp_sink, celery_worker_start):
    invitations_owed(3)
    smtp_sink.set_mode("451")
    worker = celery_worker_start(beat=True)
    # Each row refused at least once (a second attempt of every row may wait: after a run
    # of refusals the relay's circuit breaker pauses sending and probes with one mail).
    wait_until(
        lambda: Delivery.objects.filter(attempts__gte=1, last_error__startswith="451").count() == 3,
        timeout=WAIT,
        process=worker,
    )

    smtp_sink.set_mode("ok")
    rows = wait_for_final(timeout=WAIT, process=worker)

    assert_delivered_once(smtp_sink, rows, expected=3)


def test_smtp_550_fails_with_the_server_text_and_is_not_retried(smtp_sink, celery_worker_start):
    invitations_owed(2)
    smtp_sink.set_mode("550")
    worker = celery_worker_start(beat=True)
    rows = wait_for_final(timeout=WAIT, process=worker)
    time.sleep(3)  # several sweeps later

    rows = list(Delivery.objects.all())
    assert {(row.state, row.attempts, row.last_error) for row in rows} == {
        (Delivery.State.FAILED, 1, "550 5.1.1 Postfach nicht vorhanden")
    }
    assert smtp_sink.arrivals() == []


def test_smtp_timeout_after_data_at_most_one_duplicate_logged_ambiguous(smtp_sink, celery_worker_start):
    invitations_owed(1)
    # The server stores the first message and never confirms it, then answers normally.
    # (Switching the mode from the test after seeing the ambiguous row raced the retry,
    # which comes a second later and would hang again.)
    smtp_sink.set_mode("hang-once")
    worker = celery_worker_start(beat=True)

    (row,) = wait_for_final(timeout=WAIT, process=worker)

    assert (row.state, row.duplicate_possible) == (Delivery.State.SENT, True)
    assert arrivals_by_id(smtp_sink) == Counter({row.message_id: 2})


def test_two_sweeps_at_once_no_duplicate(smtp_sink, celery_worker_start):
    invitations_owed(5)
    reminder_owed(3)
    env = {**os.environ, "DATABASE_URL": database_url_of_test_database()}
    command = [sys.executable, "manage.py", "notifications_sweep"]
    sweeps = [
        subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outputs = [sweep.communicate(timeout=60) for sweep in sweeps]
    worker = celery_worker_start(beat=False)
    rows = wait_for_final(timeout=WAIT, process=worker)

    assert [sweep.returncode for sweep in sweeps] == [0, 0], outputs
    assert_delivered_once(smtp_sink, rows, expected=8)


def test_cancellation_committed_while_send_task_queued_nothing_sent(smtp_sink, celery_worker_start):
    meeting, _people = reminder_owed(3)
    result = notifications_sweep()  # queues the reminders (on commit)

    meeting_cancel(meeting=Meeting.objects.get(pk=meeting.pk))
    worker = celery_worker_start(beat=False)
    rows = wait_for_final(timeout=WAIT, process=worker)

    assert len(result.enqueued) == 3
    assert {(row.state, row.last_error) for row in rows} == {(Delivery.State.SKIPPED, "Die Sitzung ist abgesagt.")}
    assert smtp_sink.arrivals() == []


def test_opt_out_after_planning_nothing_sent(smtp_sink, celery_worker_start):
    _meeting, people = reminder_owed(2)
    result = notifications_sweep()

    for person in people:
        Preference.objects.create(person=person, reminders=False)
    worker = celery_worker_start(beat=False)
    rows = wait_for_final(timeout=WAIT, process=worker)

    assert len(result.enqueued) == 2
    assert {row.state for row in rows} == {Delivery.State.SKIPPED}
    assert smtp_sink.arrivals() == []


def test_one_poisoned_row_among_100_the_99_arrive_once(smtp_sink, celery_worker_start, monkeypatch):
    # One batch holds them all, the poisoned row early in it: before the fix its error
    # killed the batch and kept the rows after it claimed, retried and killed again forever.
    monkeypatch.setenv("NOTIFICATIONS_SEND_BATCH", "100")
    network, people = members(100)
    poisoned = people[10]
    poisoned.family_name = "Muster\nBcc: opfer@example.org"
    poisoned.save()
    address = person_mail_address(poisoned)
    MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=in_days(10))
    worker = celery_worker_start(beat=True)

    rows = wait_for_final(timeout=WAIT, process=worker)

    failed = [(row.person_id, row.state, row.last_error) for row in rows if row.state != Delivery.State.SENT]
    assert failed == [
        (
            poisoned.pk,
            Delivery.State.FAILED,
            "BadHeaderError: Header values can't contain newlines "
            f"(got '\"{poisoned.given_name} Muster\\nBcc: opfer@example.org\" <{address}>' for header 'To')",
        )
    ]
    assert_delivered_once(smtp_sink, rows, expected=99)


# Issue 13: faults measured from outside -------------------------------------------------


def reminder_owed_in_bulk(count: int):
    """Like ``reminder_owed`` for thousands of members, written in bulk (factories would
    take minutes)."""
    from contacts.models import ContactChannel, Membership, Person

    network = NetworkFactory()
    people = Person.objects.bulk_create(
        Person(given_name=f"Vorname{n}", family_name=f"Nachname{n}") for n in range(count)
    )
    ContactChannel.objects.bulk_create(
        ContactChannel(
            person=person, kind=ContactChannel.Kind.EMAIL, value=f"p{person.pk}@example.org", is_primary=True
        )
        for person in people
    )
    Membership.objects.bulk_create(
        Membership(network=network, person=person, start=timezone.localdate() - datetime.timedelta(days=30))
        for person in people
    )
    now = timezone.now()
    meeting = MeetingFactory(
        network=network, status=Meeting.Status.CONFIRMED, start=now + datetime.timedelta(days=1, minutes=-5)
    )
    MeetingNotice.objects.create(
        meeting_id=meeting.pk, told_sequence=meeting.sequence, announced_at=now - datetime.timedelta(days=2)
    )
    return meeting


def told_meeting(count: int):
    """A confirmed meeting in ten days whose ``count`` members were invited already."""
    network, people = members(count)
    meeting = MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=in_days(10))
    MeetingNotice.objects.create(
        meeting_id=meeting.pk,
        told_sequence=meeting.sequence,
        told={},
        announced_at=timezone.now() - datetime.timedelta(days=1),
    )
    return meeting, people


def test_worker_killed_between_data_and_mark_resends_flagged_with_the_same_message_id(smtp_sink, celery_worker_start):
    """The relay took the first mail, the worker died before marking it: the rows that may
    have gone out unmarked (the first NOTIFICATIONS_MARK_EVERY of the claim) come back
    flagged „evtl. doppelt“ and go again with their Message-ID; the rows after them were
    never tried and come back unflagged."""
    invitations_owed(12)
    smtp_sink.set_mode("slow-after-data 30")
    first = celery_worker_start(beat=True)
    wait_until(lambda: len(smtp_sink.arrivals()) == 1, timeout=WAIT, interval=0.05, process=first)

    os.killpg(first.pid, signal.SIGKILL)
    first.process.wait(timeout=10)
    smtp_sink.set_mode("ok")
    second = celery_worker_start(beat=True)
    rows = wait_for_final(timeout=WAIT, process=second)

    assert smtp_sink.message_ids()[0] == rows[0].message_id
    assert [(row.state, row.duplicate_possible) for row in rows] == [(Delivery.State.SENT, True)] * 10 + [
        (Delivery.State.SENT, False)
    ] * 2
    assert arrivals_by_id(smtp_sink) == Counter({row.message_id: 2 if row is rows[0] else 1 for row in rows})


@pytest.mark.parametrize(
    "change", ["cancellation", "opt-out", "cancellation-by-update", "opt-out-in-bulk", "memberships-ended-by-update"]
)
def test_change_committed_mid_chunk_against_a_slow_relay_no_mail_after_it(change, smtp_sink, celery_worker_start):
    """Reminders go one per second through a slow relay; a cancellation (or every member's
    opt-out, or the end of their memberships) commits while the chunk is being sent: not
    one reminder arrives after it. Also when it is written past the services, by a bulk
    ``update()`` or ``bulk_create`` (the stamps the sender compares are kept by triggers)."""
    meeting, people = reminder_owed(6)
    smtp_sink.set_mode("slow 1")
    worker = celery_worker_start(beat=True)
    wait_until(lambda: len(smtp_sink.arrivals()) >= 2, timeout=WAIT, interval=0.05, process=worker)

    if change == "cancellation":
        meeting_cancel(meeting=Meeting.objects.get(pk=meeting.pk))
    elif change == "opt-out":
        for person in people:
            preference_update(person=person, reminders=False)
    elif change == "cancellation-by-update":
        Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CANCELLED)
    elif change == "opt-out-in-bulk":
        Preference.objects.bulk_create([Preference(person=person, reminders=False) for person in people])
    else:
        Membership.objects.filter(person__in=people).update(end=timezone.localdate() - datetime.timedelta(days=1))
    committed = time.time()
    smtp_sink.set_mode("ok")
    wait_until(
        lambda: not Delivery.objects.filter(kind=Kind.REMINDER).exclude(state__in=Delivery.FINAL).exists(),
        timeout=WAIT,
        process=worker,
    )

    reminders = list(Delivery.objects.filter(kind=Kind.REMINDER))
    sent = {row.message_id for row in reminders if row.state == Delivery.State.SENT}
    arrived = [arrival for arrival in smtp_sink.arrivals() if arrival["message_id"].startswith("<erinnerung.")]
    assert [arrival for arrival in arrived if arrival["at"] > committed] == []
    assert {arrival["message_id"] for arrival in arrived} == sent
    assert 2 <= len(sent) < 6
    assert {row.state for row in reminders if row.message_id not in sent} == {Delivery.State.SKIPPED}


@pytest.mark.timeout(240)
def test_cancellations_behind_5000_queued_reminders_arrive_within_a_minute(
    smtp_sink, celery_worker_start, client, settings
):
    """5,000 reminders are queued; a meeting of another network is cancelled: its notices
    overtake the backlog, and /healthz keeps reporting a fresh heartbeat meanwhile."""
    reminder_owed_in_bulk(5000)
    cancelled, _people = told_meeting(3)
    backlog = notifications_sweep()
    worker = celery_worker_start(beat=True)
    wait_until(lambda: len(smtp_sink.arrivals()) >= 100, timeout=WAIT, process=worker)

    meeting_cancel(meeting=Meeting.objects.get(pk=cancelled.pk))
    committed = time.time()

    def notices():
        return [a for a in smtp_sink.arrivals() if a["message_id"].startswith(f"<absage.sitzung{cancelled.pk}.")]

    arrived = wait_until(lambda: len(notices()) == 3 and notices(), timeout=WAIT, process=worker)
    # The notices can overtake beat's first heartbeat (sent one interval after beat starts):
    # the check is that the heartbeat runs behind the backlog, not that it came first.
    wait_until(lambda: periodic_run_last(name="heartbeat") is not None, timeout=WAIT, process=worker)
    settings.HEALTHZ_TOKEN = "monitor"
    health = client.get("/healthz", headers={"X-Healthz-Token": "monitor"}).json()
    reminders_by_then = sum(1 for a in smtp_sink.arrivals() if a["message_id"].startswith("<erinnerung."))

    assert len(backlog.enqueued) == 5000
    assert max(arrival["at"] for arrival in arrived) - committed < 60
    assert reminders_by_then < 5000
    assert health["checks"]["beat"]["age_seconds"] <= 10


def pool_processes(worker) -> list[int]:
    """The process ids of a worker's pool (the children of its main process; no beat)."""
    children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children")
    return [int(pid) for pid in children.read_text().split()]


def test_pool_process_killed_between_data_and_mark_its_rows_go_again_at_once_not_after_the_lease(
    smtp_sink, celery_worker_start, monkeypatch
):
    """The relay took the first mail and the pool process dies before marking it; its
    lease has two minutes to run and no sweep comes. The broker hands the task out again,
    and the new pool process sees that the claim's holder is gone: the rows go at once,
    the first group flagged „evtl. doppelt“ with its Message-ID."""
    monkeypatch.setenv("NOTIFICATIONS_LEASE_SECONDS", "120")
    invitations_owed(12)
    smtp_sink.set_mode("slow-after-data 30")
    worker = celery_worker_start()
    notifications_sweep()
    wait_until(lambda: len(smtp_sink.arrivals()) == 1, timeout=WAIT, interval=0.05, process=worker)

    os.kill(pool_processes(worker)[0], signal.SIGKILL)
    killed = time.monotonic()
    smtp_sink.set_mode("ok")
    rows = wait_for_final(timeout=WAIT, process=worker)

    assert time.monotonic() - killed < 20
    assert [(row.state, row.duplicate_possible) for row in rows] == [(Delivery.State.SENT, True)] * 10 + [
        (Delivery.State.SENT, False)
    ] * 2
    assert arrivals_by_id(smtp_sink) == Counter({row.message_id: 2 if row is rows[0] else 1 for row in rows})


@pytest.mark.parametrize("grace", ["2", "60"])
def test_redis_lost_with_tasks_in_flight_recovers_in_seconds_not_the_requeue_time(
    grace, smtp_sink, own_redis, celery_worker_start, monkeypatch
):
    """Redis restarts empty with send tasks queued: the sweep queues the rows again at
    once, instead of after NOTIFICATIONS_REQUEUE_SECONDS. It can tell in two ways: the
    rows were queued before Redis started (also while its queue is not yet empty, and with
    the grace for an empty queue a minute long), and the mail queues are empty with rows
    queued longer ago than the grace (two seconds)."""
    monkeypatch.setenv("CELERY_BROKER_URL", own_redis.url)
    monkeypatch.setenv("NOTIFICATIONS_REQUEUE_SECONDS", "300")
    monkeypatch.setenv("NOTIFICATIONS_REQUEUE_GRACE_SECONDS", grace)
    monkeypatch.setenv("NOTIFICATIONS_SEND_BATCH", "5")
    invitations_owed(40)
    smtp_sink.set_mode("slow 0.2")
    worker = celery_worker_start(beat=True)
    wait_until(lambda: len(smtp_sink.arrivals()) >= 3, timeout=WAIT, process=worker)

    own_redis.stop()
    own_redis.start()
    lost_at = time.monotonic()
    smtp_sink.set_mode("ok")
    rows = wait_for_final(timeout=WAIT, process=worker)

    assert time.monotonic() - lost_at < 30
    assert_delivered_once(smtp_sink, rows, expected=40)


def test_a_probe_without_an_answer_after_its_data_holds_up_no_other_mail(smtp_sink, celery_worker_start, monkeypatch):
    """The relay refused everything and the breaker paused; its probe's data then gets no
    answer (20 s until the timeout). The relay took the probe's envelope, so it answers
    again: the other mails go at once instead of waiting for the probe, and the probe's
    row goes again flagged „evtl. doppelt“."""
    monkeypatch.setenv("NOTIFICATIONS_BREAKER_PAUSE_SECONDS", "1")
    monkeypatch.setenv("EMAIL_TIMEOUT", "20")
    invitations_owed(20)
    smtp_sink.set_mode("451")
    worker = celery_worker_start(beat=True, concurrency=2)
    wait_until(lambda: RelayBreaker.objects.filter(opened_count__gte=1).exists(), timeout=WAIT, process=worker)

    smtp_sink.set_mode("hang-once")
    reopened = time.monotonic()
    wait_until(lambda: len(set(smtp_sink.message_ids())) == 20, timeout=WAIT, process=worker)
    all_arrived = time.monotonic() - reopened
    rows = wait_for_final(timeout=WAIT, process=worker)

    # The longest pause by then is a few seconds; the probe's timeout alone is 20.
    assert all_arrived < 15
    assert {row.state for row in rows} == {Delivery.State.SENT}
    doubted = [row for row in rows if row.duplicate_possible]
    assert len(doubted) == 1
    assert arrivals_by_id(smtp_sink) == Counter({row.message_id: 2 if row in doubted else 1 for row in rows})


def test_451_flood_pauses_the_relay_then_one_mail_probes_then_all_arrive_once(
    smtp_sink, celery_worker_start, monkeypatch
):
    """The relay answers 451 for eight seconds: the breaker opens after a few refusals and
    probes with one mail at growing intervals, instead of every row trying every second."""
    monkeypatch.setenv("NOTIFICATIONS_BREAKER_PAUSE_SECONDS", "1")
    invitations_owed(30)
    smtp_sink.set_mode("451")
    worker = celery_worker_start(beat=True)
    wait_until(lambda: len(smtp_sink.refusals()) >= 1, timeout=WAIT, process=worker)
    time.sleep(8)
    refused = len(smtp_sink.refusals())

    smtp_sink.set_mode("ok")
    rows = wait_for_final(timeout=WAIT, process=worker)

    # Without the breaker: 30 rows retried after 1, 2 and 4 s, more than 100 refusals.
    assert refused <= 15, smtp_sink.refusals()
    assert RelayBreaker.objects.get().opened_count >= 2
    assert_delivered_once(smtp_sink, rows, expected=30)


def test_after_the_relay_pause_the_rows_go_at_once_not_at_beats_next_sweep(smtp_sink, celery_worker_start, monkeypatch):
    """The relay refuses everything for three seconds. The breaker pauses the sending for a
    second, then longer; beat's sweep would come only after ten minutes. A sweep queued for
    the end of each pause lets one mail probe then, and once it gets through, the rest go."""
    monkeypatch.setenv("NOTIFICATIONS_BREAKER_PAUSE_SECONDS", "1")
    monkeypatch.setenv("NOTIFICATIONS_SWEEP_SECONDS", "600")
    invitations_owed(20)
    smtp_sink.set_mode("451")
    worker = celery_worker_start()
    notifications_sweep()
    wait_until(lambda: RelayBreaker.objects.filter(opened_count__gte=1).exists(), timeout=WAIT, process=worker)
    time.sleep(3)

    recovered = time.monotonic()
    smtp_sink.set_mode("ok")
    rows = wait_for_final(timeout=WAIT, process=worker)

    # The longest pause by then is 4 s (1, 2, 4): the last mail arrives soon after it.
    assert time.monotonic() - recovered < 15
    assert_delivered_once(smtp_sink, rows, expected=20)


def test_relay_dropping_every_connection_for_5_s_then_all_arrive_once(smtp_sink, celery_worker_start, monkeypatch):
    """For five seconds the relay closes every connection at MAIL, without an answer
    (kept-open and new ones): nothing is lost or sent twice, the breaker pauses the
    sending meanwhile, and everything arrives once the relay takes mail again."""
    monkeypatch.setenv("NOTIFICATIONS_BREAKER_PAUSE_SECONDS", "1")
    invitations_owed(30)
    smtp_sink.set_mode("drop")
    worker = celery_worker_start(beat=True)
    wait_until(lambda: len(smtp_sink.refusals()) >= 1, timeout=WAIT, process=worker)
    time.sleep(5)
    dropped = len(smtp_sink.refusals())

    reopened = time.time()
    smtp_sink.set_mode("ok")
    rows = wait_for_final(timeout=WAIT, process=worker)

    assert [arrival for arrival in smtp_sink.arrivals() if arrival["at"] < reopened] == []
    # Without the breaker: 30 rows, each tried and retried after 1, 2 and 4 s.
    assert dropped <= 30, smtp_sink.refusals()
    assert RelayBreaker.objects.get().opened_count >= 1
    assert_delivered_once(smtp_sink, rows, expected=30)
