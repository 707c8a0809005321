"""Benchmark of the mail delivery (issues 6 and 13): ``python -m bench.notifications [--keep] [--profile]``.

Sets up its own PostgreSQL database (``BENCH_DATABASE_URL_NOTIFICATIONS``, default
``postgres://postgres@127.0.0.1:5432/netzwerk_bench_notif``; dropped and created fresh,
dropped again at the end unless ``--keep``), its own ``redis-server`` on a free port (the
Celery broker, stopped by its pid at the end) and a local aiosmtpd server
(``tests/notifications/smtp_sink.py``, recording each arrival), and measures in one run:

1. sweep, nothing due — 100,000 future meetings (occurrences created a day ago, none with a
   reminder due), one sweep as beat runs it every minute: median of 20 (target < 50 ms);
2. three rounds of: raw — a plain ``smtplib`` loop sending 10,000 messages of the same size
   over one kept-open connection to the same SMTP server (the baseline); then ours — 10,000
   reminders due at once (one meeting, 10,000 members): a sweep plans and queues them, one
   ``celery worker --concurrency=2`` claims, renders, checks each mail against the database
   just before its data and sends it; from the sweep's start until the last row is final.
   Target: the median of the three ratios at least 60 % of raw. In the first round a meeting
   of another network (20 members) is cancelled once the backlog is queued: the time until
   its last cancellation notice arrives (target < 60 s);
3. the fault schedule — the same 10,000 reminders while the pool processes are SIGKILLed
   three times, Redis is stopped and restarted empty, a second beat runs for 10 s, the relay
   answers 451 for 15 s and hangs once after the data: the drain time beside the
   undisturbed one (target: within 3×); then the relay drops every connection for 5 s;
4. Rundmail (issue 17) — planning a Rundmail to 2,000 members as the sweep does once its
   moment has come (one INSERT of the delivery rows): median of 5 (target < 2 s); and in
   each round of 2., after the reminders, a Rundmail to the same 2,000 sent now by the
   worker: its rate as a share of raw beside the reminders' share (target: at least the
   reminders' share less 10 points).

Beat runs throughout (sweep and heartbeat every 5 s, ``EMAIL_TIMEOUT`` 10 s, the other
settings at their defaults). Every arrival is counted by Message-ID at the server: lost
mails, and duplicates whose row is not flagged „evtl. doppelt“, must both be 0. With
``--profile`` the CPU time per mail of 1,000 sends in this process and a profile of 1,000
more are printed first (where the time goes). A benchmark is not a test: the exit status is 0 whatever the verdicts.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import platform
import shutil
import smtplib
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from bench.common import (
    configure_environment,
    database_drop,
    database_recreate,
    database_vacuum_analyze,
    summary_record,
)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/netzwerk_bench_notif"
SINK = ROOT / "tests" / "notifications" / "smtp_sink.py"

FUTURE_MEETINGS = 100_000
NETWORKS = 200
REMINDERS = 10_000
SWEEP_RUNS = 20
SWEEP_TARGET_MS = 50.0
RATE_TARGET = 0.60
ROUNDS = 3
FAULT_FACTOR_TARGET = 3.0
CANCEL_MEMBERS = 20
CANCEL_TARGET_S = 60.0
RUNDMAIL_RECIPIENTS = 2_000
RUNDMAIL_PLAN_RUNS = 5
RUNDMAIL_PLAN_TARGET_S = 2.0
RUNDMAIL_SHARE_MARGIN = 0.10


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(0.1)


class Child:
    """A process this benchmark started; stopped by its pid (its own session)."""

    def __init__(self, command: list[str], log: Path, env: dict | None = None) -> None:
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT, start_new_session=True
            )

    def stop(self) -> None:
        import signal

        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=20)


def data_create() -> int:
    """100,000 future meetings with nothing due, and a network with 10,000 members."""
    from django.utils import timezone

    from contacts.models import ContactChannel, Membership, Network, Person
    from meetings.models import Meeting

    now = timezone.now()
    networks = Network.objects.bulk_create(
        Network(kind=Network.Kind.NEIGHBOURHOOD_CONFERENCE, name=f"Bench-Netzwerk {n}", slug=f"bench-{n}")
        for n in range(NETWORKS)
    )
    # From 8 days ahead on: no 1-day or 7-day reminder is due for any of them.
    first = now + datetime.timedelta(days=8)
    meetings = []
    for n in range(FUTURE_MEETINGS):
        start = first + datetime.timedelta(minutes=5 * n)
        meetings.append(
            Meeting(
                network=networks[n % NETWORKS],
                title=f"Sitzung {n}",
                start=start,
                end=start + datetime.timedelta(minutes=90),
                address="Musterweg 1, 52062 Aachen",
            )
        )
    Meeting.objects.bulk_create(meetings, batch_size=5000)
    # Occurrences are created ahead by the daily series task, not in the last minutes.
    Meeting.objects.update(updated_at=now - datetime.timedelta(days=1))
    busy = Network.objects.create(kind=Network.Kind.NEIGHBOURHOOD_CONFERENCE, name="Großes Netzwerk", slug="gross")
    people = Person.objects.bulk_create(
        Person(given_name=f"Vorname{n}", family_name=f"Nachname{n}") for n in range(REMINDERS)
    )
    ContactChannel.objects.bulk_create(
        ContactChannel(
            person=person, kind=ContactChannel.Kind.EMAIL, value=f"p{person.pk}@example.org", is_primary=True
        )
        for person in people
    )
    Membership.objects.bulk_create(
        Membership(network=busy, person=person, start=timezone.localdate() - datetime.timedelta(days=30))
        for person in people
    )
    return busy.pk


def rundmail_network_create() -> tuple[int, int]:
    """A network whose 2,000 members (people of the big network) get the Rundmails, and a
    Sozialplanung account that writes them."""
    from django.utils import timezone

    from contacts.models import Membership, Network, Person, User

    network = Network.objects.create(
        kind=Network.Kind.NEIGHBOURHOOD_CONFERENCE, name="Rundmail-Netzwerk", slug="rundmail"
    )
    people = Person.objects.order_by("pk")[:RUNDMAIL_RECIPIENTS]
    Membership.objects.bulk_create(
        Membership(network=network, person=person, start=timezone.localdate() - datetime.timedelta(days=30))
        for person in people
    )
    writer = User.objects.create_superuser(email="bench-rundmail@example.org", password=None)
    return network.pk, writer.pk


def rundmail_planning(network_id: int, writer_id: int) -> list[float]:
    """Seconds to plan a Rundmail to every member as the sweep does at its moment (its
    delivery rows in one INSERT), each a new Rundmail; the rows are removed afterwards."""
    from django.utils import timezone

    from contacts.models import Network, User
    from notifications.models import Delivery, Kind, Rundmail
    from notifications.services.rundmail import rundmail_create, rundmail_schedule, rundmails_plan

    network, writer = Network.objects.get(pk=network_id), User.objects.get(pk=writer_id)
    timings = []
    for number in range(RUNDMAIL_PLAN_RUNS):
        rundmail = rundmail_create(network=network, actor=writer, subject=f"Planung {number}", body="{anrede}, hallo.")
        moment = timezone.now() + datetime.timedelta(minutes=1)
        rundmail_schedule(rundmail=rundmail, actor=writer, send_at=moment)
        started = time.perf_counter()
        planned = rundmails_plan(now=moment)
        timings.append(time.perf_counter() - started)
        assert len(planned) == RUNDMAIL_RECIPIENTS, len(planned)
    Delivery.objects.filter(kind=Kind.RUNDMAIL).delete()
    Rundmail.objects.all().delete()
    return timings


def due_meeting_create(network_id: int) -> int:
    """One meeting of the big network whose 1-day reminder came due five minutes ago."""
    from django.utils import timezone

    from meetings.models import Meeting
    from notifications.models import MeetingNotice

    now = timezone.now()
    start = now + datetime.timedelta(days=1, minutes=-5)
    # Confirmed, and its members invited two days ago: only then is a reminder owed.
    meeting = Meeting.objects.create(
        network_id=network_id,
        title="Große Sitzung",
        start=start,
        end=start + datetime.timedelta(minutes=90),
        address="Rathaus",
        status=Meeting.Status.CONFIRMED,
    )
    Meeting.objects.filter(pk=meeting.pk).update(updated_at=now - datetime.timedelta(days=1))
    MeetingNotice.objects.create(
        meeting_id=meeting.pk, told_sequence=meeting.sequence, announced_at=now - datetime.timedelta(days=2)
    )
    return meeting.pk


def sweep_nothing_due() -> list[float]:
    from django.db import connection

    from notifications.services import notifications_sweep

    timings = []
    for _ in range(SWEEP_RUNS):
        started = time.perf_counter()
        result = notifications_sweep()
        timings.append((time.perf_counter() - started) * 1000)
        assert result.planned == 0 and not result.enqueued, result
    connection.close()
    return timings


def raw_smtp(port: int, data: bytes, count: int) -> float:
    """Messages per second of a plain smtplib loop over one connection."""
    smtp = smtplib.SMTP("127.0.0.1", port, timeout=30)
    started = time.perf_counter()
    for n in range(count):
        smtp.sendmail("netzwerk@example.org", [f"raw{n}@example.org"], data)
    elapsed = time.perf_counter() - started
    smtp.quit()
    return count / elapsed


def cancel_target_create() -> int:
    """A confirmed meeting in ten days of a small network whose members were invited."""
    from django.utils import timezone

    from contacts.models import ContactChannel, Membership, Network, Person
    from meetings.models import Meeting
    from notifications.models import MeetingNotice

    now = timezone.now()
    network = Network.objects.create(kind=Network.Kind.NEIGHBOURHOOD_CONFERENCE, name="Kleines Netzwerk", slug="klein")
    people = Person.objects.bulk_create(Person(given_name="Klein", family_name=f"Nr{n}") for n in range(CANCEL_MEMBERS))
    ContactChannel.objects.bulk_create(
        ContactChannel(
            person=person, kind=ContactChannel.Kind.EMAIL, value=f"k{person.pk}@example.org", is_primary=True
        )
        for person in people
    )
    Membership.objects.bulk_create(
        Membership(network=network, person=person, start=timezone.localdate() - datetime.timedelta(days=30))
        for person in people
    )
    start = now + datetime.timedelta(days=10)
    meeting = Meeting.objects.create(
        network=network,
        title="Kleine Sitzung",
        start=start,
        end=start + datetime.timedelta(minutes=90),
        address="Rathaus",
        status=Meeting.Status.CONFIRMED,
    )
    MeetingNotice.objects.create(
        meeting_id=meeting.pk, told_sequence=meeting.sequence, told={}, announced_at=now - datetime.timedelta(days=1)
    )
    return meeting.pk


class Faults:
    """The fault schedule, fired by the drain loop at its moments (seconds after the sweep
    that planned and queued the rows returned)."""

    def __init__(self, bench: Bench) -> None:
        self.bench = bench
        self.second_beat: Child | None = None
        self.schedule = [
            (2.0, "SIGKILL a pool process", self.kill_pool_process),
            (4.0, "Redis stopped and restarted empty", bench.redis_restart),
            (6.0, "a second beat starts", self.second_beat_start),
            (8.0, "SIGKILL a pool process", self.kill_pool_process),
            (10.0, "relay answers 451", lambda: bench.sink_mode("451")),
            (16.0, "the second beat stops", self.second_beat_stop),
            (25.0, "relay accepts again", lambda: bench.sink_mode("ok")),
            (27.0, "relay hangs once after the data", lambda: bench.sink_mode("hang-once")),
            (29.0, "SIGKILL a pool process", self.kill_pool_process),
            (31.0, "relay drops every connection (5 s)", lambda: bench.sink_mode("drop")),
            (36.0, "relay takes connections again", lambda: bench.sink_mode("ok")),
        ]
        self.fired: list[str] = []

    def fire(self, elapsed: float) -> None:
        while self.schedule and self.schedule[0][0] <= elapsed:
            _moment, what, action = self.schedule.pop(0)
            print(f"  {elapsed:6.1f} s  {what}", flush=True)
            self.fired.append(what)
            action()

    def kill_pool_process(self) -> None:
        import signal

        master = self.bench.worker.process.pid
        path = Path(f"/proc/{master}/task/{master}/children")
        children = path.read_text().split() if path.exists() else []
        if children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(children[0]), signal.SIGKILL)

    def second_beat_start(self) -> None:
        self.second_beat = self.bench.beat_start("beat-2")

    def second_beat_stop(self) -> None:
        if self.second_beat is not None:
            self.second_beat.stop()

    def finish(self) -> None:
        self.second_beat_stop()
        self.bench.sink_mode("ok")


class Bench:
    """The processes of one benchmark run and what it measures with them."""

    def __init__(self, keep_logs: Path) -> None:
        self.logs = keep_logs
        self.sink_folder = keep_logs / "sink"
        self.redis_binary = shutil.which("redis-server")
        if self.redis_binary is None:
            raise SystemExit("redis-server is not installed")
        self.redis_port, self.smtp_port = free_port(), free_port()
        self.children: list[Child] = []
        self.redis: Child | None = None
        self.worker: Child | None = None

    def redis_start(self) -> None:
        self.redis = Child(
            [
                self.redis_binary,
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            self.logs / "redis.log",
        )
        self.children.append(self.redis)
        import redis

        client = redis.Redis(port=self.redis_port, socket_connect_timeout=0.5)
        wait_for(lambda: _ping(client), 20, "Redis start")

    def redis_restart(self) -> None:
        self.redis.stop()
        self.children.remove(self.redis)
        self.redis_start()

    def sink_mode(self, mode: str) -> None:
        (self.sink_folder / "mode").write_text(mode)

    def beat_start(self, name: str) -> Child:
        schedule = self.logs / f"{name}-schedule"
        schedule.unlink(missing_ok=True)
        beat = Child(
            [sys.executable, "-m", "celery", "-A", "netzwerk", "beat", "--loglevel=WARNING", f"--schedule={schedule}"],
            self.logs / f"{name}.log",
            env={**os.environ},
        )
        self.children.append(beat)
        return beat

    def worker_start(self) -> None:
        self.worker = Child(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "netzwerk",
                "worker",
                "--loglevel=WARNING",
                "--concurrency=2",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--hostname=bench@%h",
            ],
            self.logs / "worker.log",
            env={**os.environ},
        )
        self.children.append(self.worker)

    def stop_all(self) -> None:
        for child in reversed(self.children):
            try:
                child.stop()
            except BaseException:  # noqa: BLE001 — stop the others even if interrupted
                os.killpg(child.process.pid, 9)

    def drain(self, meeting_id: int, *, cancel_id: int | None = None, faults: Faults | None = None) -> dict:
        """Plan and send the meeting's 10,000 reminders; the time until every row is final,
        and what arrived."""
        from meetings.models import Meeting
        from meetings.services import meeting_cancel
        from notifications.models import Delivery, Kind
        from notifications.services import notifications_sweep

        reminders = Delivery.objects.filter(subject_id=meeting_id, kind=Kind.REMINDER)
        started = time.perf_counter()
        notifications_sweep()
        # The faults' clock starts once the rows are planned and queued (on a loaded machine
        # planning 10,000 rows can take seconds: the faults would all fire at once after it).
        swept = time.perf_counter()
        cancelled_at = cancel_latency = None
        while True:
            elapsed = time.perf_counter() - started
            if faults is not None:
                faults.fire(time.perf_counter() - swept)
            if cancel_id is not None and cancelled_at is None and elapsed > 1.0:
                meeting_cancel(meeting=Meeting.objects.get(pk=cancel_id))
                cancelled_at = time.time()
            if cancelled_at is not None and cancel_latency is None:
                notices = [a for a in _arrival_records(self.sink_folder) if a["message_id"].startswith("<absage.")]
                if len(notices) >= CANCEL_MEMBERS:
                    cancel_latency = max(a["at"] for a in notices) - cancelled_at
            if not reminders.exclude(state__in=Delivery.FINAL).exists() and (
                cancel_id is None or cancel_latency is not None
            ):
                break
            if elapsed > 900:
                raise SystemExit("the reminders were not sent within 900 s")
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        if faults is not None:
            faults.finish()
        prefix = f"<erinnerung.sitzung{meeting_id}."
        arrivals = Counter(m for m in _arrivals(self.sink_folder) if m.startswith(prefix))
        rows = list(reminders.values_list("state", "message_id", "duplicate_possible"))
        sent = {message_id: flagged for state, message_id, flagged in rows if state == Delivery.State.SENT}
        return {
            "elapsed": elapsed,
            "rate": len(rows) / elapsed,
            "not_sent": sum(1 for state, _m, _f in rows if state != Delivery.State.SENT),
            "lost": sum(1 for message_id in sent if arrivals[message_id] == 0),
            "unflagged_duplicates": sum(1 for m, n in arrivals.items() if n > 1 and not sent.get(m, False)),
            "flagged": sum(1 for flagged in sent.values() if flagged),
            "cancel_latency": cancel_latency,
        }

    def drain_rundmail(self, network_id: int, writer_id: int) -> dict:
        """A Rundmail to the network's 2,000 members sent now: the time from the speaker's
        „Senden“ until every row is final, and what arrived."""
        from contacts.models import Network, User
        from notifications.models import Delivery, Kind, Subject
        from notifications.services.rundmail import rundmail_create, rundmail_schedule

        network, writer = Network.objects.get(pk=network_id), User.objects.get(pk=writer_id)
        rundmail = rundmail_create(network=network, actor=writer, subject="Sommerfest", body="{anrede}, kommt vorbei!")
        rows_of = Delivery.objects.filter(subject_type=Subject.RUNDMAIL, subject_id=rundmail.pk, kind=Kind.RUNDMAIL)
        started = time.perf_counter()
        rundmail_schedule(rundmail=rundmail, actor=writer)
        while rows_of.exclude(state__in=Delivery.FINAL).exists() or not rows_of.exists():
            if time.perf_counter() - started > 600:
                raise SystemExit("the Rundmail was not sent within 600 s")
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        prefix = f"<rundmail.rundmail{rundmail.pk}."
        arrivals = Counter(m for m in _arrivals(self.sink_folder) if m.startswith(prefix))
        rows = list(rows_of.values_list("state", "message_id"))
        sent = [message_id for state, message_id in rows if state == Delivery.State.SENT]
        return {
            "elapsed": elapsed,
            "rate": len(rows) / elapsed,
            "not_sent": len(rows) - len(sent),
            "lost": sum(1 for message_id in sent if arrivals[message_id] == 0),
            "duplicates": sum(1 for count in arrivals.values() if count > 1),
        }


def _ping(client) -> bool:
    import redis

    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


def profile_sends(busy: int, count: int = 1000) -> None:
    """Where a worker's time goes: ``count`` reminders sent in this process under cProfile."""
    import cProfile
    import pstats

    from netzwerk.celery import app
    from notifications.models import Delivery
    from notifications.services import deliveries_send, notifications_sweep

    meeting_id = due_meeting_create(busy)
    notifications_sweep()
    app.control.purge()
    rows = Delivery.objects.filter(subject_id=meeting_id).order_by("pk").values_list("pk", flat=True)
    # First without the profiler: the CPU time of this process per mail (the sending thread
    # and the one beside it), the figure to compare before and after a change on a machine
    # whose other load makes rates unsteady.
    plain = list(rows[:count])
    cpu, started = time.process_time(), time.perf_counter()
    for start in range(0, len(plain), 50):
        deliveries_send(delivery_ids=plain[start : start + 50])
    cpu, elapsed = time.process_time() - cpu, time.perf_counter() - started
    print(
        f"\nCPU of this process per mail: {cpu / len(plain) * 1000:.2f} ms ({len(plain)} sends in one process, "
        f"profiler off, {len(plain) / elapsed:.0f} msg/s)"
    )
    ids = list(rows[count : 2 * count])
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for start in range(0, len(ids), 50):
        deliveries_send(delivery_ids=ids[start : start + 50])
    profiler.disable()
    elapsed = time.perf_counter() - started
    Delivery.objects.filter(subject_id=meeting_id).delete()
    print(f"\nprofile: {len(ids)} sends in one process, {len(ids) / elapsed:.0f} msg/s (profiler on)")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    # The same by cumulative time, our code and the mail library only: which step costs.
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(r"notifications|email|smtplib|mail", 40)


def run(*, database_url: str, keep_logs: Path, profile: bool) -> None:
    keep_logs.mkdir(parents=True, exist_ok=True)
    bench = Bench(keep_logs)
    shutil.rmtree(bench.sink_folder, ignore_errors=True)
    os.environ["CELERY_BROKER_URL"] = f"redis://127.0.0.1:{bench.redis_port}/0"
    os.environ["EMAIL_HOST"] = "127.0.0.1"
    os.environ["EMAIL_PORT"] = str(bench.smtp_port)
    os.environ["EMAIL_TIMEOUT"] = "10"
    os.environ["NOTIFICATIONS_SWEEP_SECONDS"] = "5"
    os.environ["CELERY_HEARTBEAT_SECONDS"] = "5"
    try:
        bench.redis_start()
        bench.children.append(
            Child(
                [
                    sys.executable,
                    str(SINK),
                    "--port",
                    str(bench.smtp_port),
                    "--folder",
                    str(bench.sink_folder),
                    "--no-eml",
                ],
                keep_logs / "sink.log",
            )
        )
        wait_for(lambda: "ready" in (keep_logs / "sink.log").read_text(), 20, "SMTP server start")
        print(f"database {database_url}; redis :{bench.redis_port}; aiosmtpd :{bench.smtp_port}", flush=True)
        database_recreate(database_url)

        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        started = time.perf_counter()
        busy = data_create()
        cancel_id = cancel_target_create()
        rundmail_network, rundmail_writer = rundmail_network_create()
        database_vacuum_analyze(database_url)
        print(
            f"data: {FUTURE_MEETINGS:,} future meetings, {REMINDERS:,} members of one meeting due "
            f"for its reminder ({time.perf_counter() - started:.1f} s)",
            flush=True,
        )

        # 1. The sweep with nothing due. The first sweep of a fresh database looks at every
        # future meeting once (it has no watermark yet); the measured ones are those after it.
        from notifications.services import notifications_sweep

        started = time.perf_counter()
        first = notifications_sweep()
        print(
            f"first sweep (no watermark yet: every future meeting once): {time.perf_counter() - started:.1f} s, "
            f"planned {first.planned}",
            flush=True,
        )
        timings = sweep_nothing_due()
        planning = rundmail_planning(rundmail_network, rundmail_writer)
        print(
            f"Rundmail to {RUNDMAIL_RECIPIENTS:,} planned in {statistics.median(planning):.2f} s (median of "
            f"{len(planning)})",
            flush=True,
        )
        sample_meeting = due_meeting_create(busy)
        sample = _sample_message(sample_meeting)
        from meetings.models import Meeting

        # Its reminders would be planned with the first round's.
        Meeting.objects.filter(pk=sample_meeting).delete()
        if profile:
            profile_sends(busy)

        # 2. Raw and ours, three rounds; beat and one worker with 2 processes throughout.
        from netzwerk.celery import app

        bench.worker_start()
        bench.beat_start("beat")
        wait_for(lambda: bool(app.control.ping(timeout=0.5)), 60, "worker start")
        rounds = []
        for number in range(ROUNDS):
            raw_rate = raw_smtp(bench.smtp_port, sample, REMINDERS)
            ours = bench.drain(due_meeting_create(busy), cancel_id=cancel_id if number == 0 else None)
            ours["raw_rate"] = raw_rate
            ours["rundmail"] = bench.drain_rundmail(rundmail_network, rundmail_writer)
            rounds.append(ours)
            print(
                f"round {number + 1}: raw {raw_rate:.0f} msg/s, ours {ours['rate']:.0f} msg/s "
                f"({ours['rate'] / raw_rate:.0%}), drained in {ours['elapsed']:.1f} s; Rundmail "
                f"{ours['rundmail']['rate']:.0f} msg/s ({ours['rundmail']['rate'] / raw_rate:.0%})",
                flush=True,
            )

        # 3. The fault schedule.
        faulted = None
        if FAULTS:
            print("fault schedule:", flush=True)
            faults = Faults(bench)
            faulted = bench.drain(due_meeting_create(busy), faults=faults)
            faulted["faults"] = f"{len(faults.fired)} of {len(faults.fired) + len(faults.schedule)} faults fired"
            print(f"drained under faults in {faulted['elapsed']:.1f} s", flush=True)
    finally:
        bench.stop_all()
    _report(timings, rounds, faulted, planning)


def _report(timings: list[float], rounds: list[dict], faulted: dict | None, planning: list[float]) -> None:
    median = statistics.median(timings)
    ratios = [ours["rate"] / ours["raw_rate"] for ours in rounds]
    ratio = statistics.median(ratios)
    rundmail_ratios = [ours["rundmail"]["rate"] / ours["raw_rate"] for ours in rounds]
    rundmail_ratio = statistics.median(rundmail_ratios)
    undisturbed = statistics.median(ours["elapsed"] for ours in rounds)
    cancel = rounds[0]["cancel_latency"]
    measured = [*rounds, faulted] if faulted is not None else rounds
    lost = sum(ours["lost"] + ours["not_sent"] for ours in measured)
    lost += sum(ours["rundmail"]["lost"] + ours["rundmail"]["not_sent"] for ours in rounds)
    unflagged = sum(ours["unflagged_duplicates"] for ours in measured)
    unflagged += sum(ours["rundmail"]["duplicates"] for ours in rounds)

    def line(measure: str, value: str, target: str = "", verdict: str = "", note: str = "") -> None:
        print(f"{measure:<52}{value:>12}  {target:<22}{verdict:<7}{note}")
        if verdict:
            summary_record(measure, value, target, verdict)

    print()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{'measure':<52}{'value':>12}  {'target':<22}verdict")
    line(
        f"sweep, {FUTURE_MEETINGS:,} future meetings, nothing due",
        f"{median:.1f} ms",
        "< 50 ms",
        "met" if median < SWEEP_TARGET_MS else "MISSED",
        f"(min {min(timings):.1f}, max {max(timings):.1f})",
    )
    line(
        "raw smtplib, one connection (median of 3)",
        f"{statistics.median(ours['raw_rate'] for ours in rounds):.0f} msg/s",
        note="(" + ", ".join(f"{ours['raw_rate']:.0f}" for ours in rounds) + ")",
    )
    line(
        f"ours: {REMINDERS:,} reminders, 2 processes (median of 3)",
        f"{statistics.median(ours['rate'] for ours in rounds):.0f} msg/s",
        note="(" + ", ".join(f"{ours['rate']:.0f}" for ours in rounds) + ")",
    )
    line(
        "ours / raw, median of the 3 rounds",
        f"{ratio:.0%}",
        f">= {RATE_TARGET:.0%}",
        "met" if ratio >= RATE_TARGET else "MISSED",
        "(" + ", ".join(f"{value:.0%}" for value in ratios) + ")",
    )
    plan = statistics.median(planning)
    line(
        f"Rundmail to {RUNDMAIL_RECIPIENTS:,}: planning (median of {len(planning)})",
        f"{plan:.2f} s",
        f"< {RUNDMAIL_PLAN_TARGET_S:.0f} s",
        "met" if plan < RUNDMAIL_PLAN_TARGET_S else "MISSED",
        f"(min {min(planning):.2f}, max {max(planning):.2f})",
    )
    line(
        f"Rundmail to {RUNDMAIL_RECIPIENTS:,} / raw (median)",
        f"{rundmail_ratio:.0%}",
        f">= {ratio - RUNDMAIL_SHARE_MARGIN:.0%}",
        "met" if rundmail_ratio >= ratio - RUNDMAIL_SHARE_MARGIN else "MISSED",
        "(" + ", ".join(f"{value:.0%}" for value in rundmail_ratios) + "; the reminders' share less 10 points)",
    )
    line("drain time, undisturbed (median of 3)", f"{undisturbed:.1f} s")
    if faulted is not None:
        factor = faulted["elapsed"] / undisturbed
        line(
            "drain time, fault schedule",
            f"{faulted['elapsed']:.1f} s",
            f"<= {FAULT_FACTOR_TARGET:.0f}x undisturbed",
            "met" if factor <= FAULT_FACTOR_TARGET else "MISSED",
            f"({factor:.1f}x; {faulted['faults']}; {faulted['flagged']} flagged evtl. doppelt)",
        )
    line(
        f"cancellation ({CANCEL_MEMBERS} notices) behind {REMINDERS:,} reminders",
        f"{cancel:.1f} s" if cancel is not None else "-",
        f"< {CANCEL_TARGET_S:.0f} s",
        "met" if cancel is not None and cancel < CANCEL_TARGET_S else "MISSED",
        "(from the commit of the cancellation to the last notice's arrival)",
    )
    line("lost (a row not sent, or sent and not arrived)", f"{lost}", "0", "met" if lost == 0 else "MISSED")
    line("duplicates not flagged evtl. doppelt", f"{unflagged}", "0", "met" if unflagged == 0 else "MISSED")


def _sample_message(meeting_id: int) -> bytes:
    """A reminder as our workers send it (same size for the raw loop)."""
    from django.utils import timezone

    from contacts.models import Person
    from meetings.models import Meeting
    from notifications.compose import BUILDERS
    from notifications.models import Delivery, Kind, Subject
    from notifications.selectors import MailReads

    meeting = Meeting.objects.get(pk=meeting_id)
    person = Person.objects.order_by("pk").first()
    row = Delivery(
        pk=0,
        subject_type=Subject.MEETING,
        subject_id=meeting.pk,
        kind=Kind.REMINDER,
        version=24 * 60,
        person=person,
        due_at=timezone.now(),
        next_attempt_at=timezone.now(),
    )
    reads = MailReads([(person.pk, Subject.MEETING, meeting.pk)], day=timezone.localdate())
    message = BUILDERS[Kind.REMINDER](delivery=row, person=reads.person(person.pk), now=timezone.now(), reads=reads)
    return message.message().as_bytes(linesep="\r\n")


def _arrival_records(folder: Path) -> list[dict]:
    import json

    path = folder / "arrivals.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _arrivals(folder: Path) -> list[str]:
    return [record["message_id"] for record in _arrival_records(folder)]


FAULTS = True


def main(argv: list[str] | None = None) -> int:
    global REMINDERS, FUTURE_MEETINGS, ROUNDS, FAULTS
    parser = argparse.ArgumentParser(prog="python -m bench.notifications", description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="leave the bench database in place")
    parser.add_argument("--profile", action="store_true", help="print a profile of 1,000 sends in one process")
    parser.add_argument("--reminders", type=int, default=REMINDERS, help="reminders due at once (10,000)")
    parser.add_argument("--meetings", type=int, default=FUTURE_MEETINGS, help="future meetings (100,000)")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="rounds of raw, reminders and Rundmail (3)")
    parser.add_argument("--no-faults", action="store_true", help="leave out the fault schedule")
    options = parser.parse_args(argv)
    REMINDERS, FUTURE_MEETINGS = max(options.reminders, RUNDMAIL_RECIPIENTS), options.meetings
    ROUNDS, FAULTS = max(1, options.rounds), not options.no_faults
    database_url = os.environ.get("BENCH_DATABASE_URL_NOTIFICATIONS", DEFAULT_DATABASE_URL)
    configure_environment(database_url)
    logs = Path(os.environ.get("NETZWERK_VAR_DIR", ROOT / "var")) / "bench-notifications"
    try:
        run(database_url=database_url, keep_logs=logs, profile=options.profile)
    finally:
        if options.keep:
            print(f"bench database kept: {database_url}")
        else:
            database_drop(database_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
