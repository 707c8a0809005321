"""Benchmark of the mail delivery (issue 6, "Performance"): ``python -m bench.notifications [--keep]``.

Sets up its own PostgreSQL database (``BENCH_DATABASE_URL_NOTIFICATIONS``, default
``postgres://postgres@127.0.0.1:5432/netzwerk_bench_notif``; dropped and created fresh,
dropped again at the end unless ``--keep``), its own ``redis-server`` on a free port (the
Celery broker, stopped by its pid at the end) and a local aiosmtpd server
(``tests/notifications/smtp_sink.py``, recording each arrival), and measures in one run:

1. sweep, nothing due — 100,000 future meetings (occurrences created a day ago, none with a
   reminder due), one sweep as beat runs it every minute: median of 20 (target < 50 ms);
2. raw — a plain ``smtplib`` loop sending 10,000 messages of the same size over one kept-open
   connection to the same SMTP server: the baseline;
3. ours — 10,000 reminders due at once (one meeting, 10,000 members): one sweep plans and
   queues them, 2 worker processes (``celery worker --concurrency=2``) claim, render (text,
   headers, answer links) and send each through the SMTP server; from the sweep's start
   until the last row is marked sent. Target: at least 40 % of the raw rate.

Every arrival is counted by Message-ID at the server afterwards (nothing lost, nothing
twice). A benchmark is not a test: the exit status is 0 whatever the verdicts.
"""

from __future__ import annotations

import argparse
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

from bench.common import configure_environment, database_drop, database_recreate, database_vacuum_analyze

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/netzwerk_bench_notif"
SINK = ROOT / "tests" / "notifications" / "smtp_sink.py"

FUTURE_MEETINGS = 100_000
NETWORKS = 200
REMINDERS = 10_000
SWEEP_RUNS = 20
SWEEP_TARGET_MS = 50.0
RATE_TARGET = 0.40


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


def due_meeting_create(network_id: int) -> None:
    """One meeting of the big network whose 1-day reminder came due five minutes ago."""
    from django.utils import timezone

    from meetings.models import Meeting

    now = timezone.now()
    start = now + datetime.timedelta(days=1, minutes=-5)
    meeting = Meeting.objects.create(
        network_id=network_id,
        title="Große Sitzung",
        start=start,
        end=start + datetime.timedelta(minutes=90),
        address="Rathaus",
    )
    Meeting.objects.filter(pk=meeting.pk).update(updated_at=now - datetime.timedelta(days=1))


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


def run(*, database_url: str, keep_logs: Path) -> None:
    redis_binary = shutil.which("redis-server")
    if redis_binary is None:
        raise SystemExit("redis-server is not installed")
    redis_port, smtp_port = free_port(), free_port()
    keep_logs.mkdir(parents=True, exist_ok=True)
    sink_folder = keep_logs / "sink"
    shutil.rmtree(sink_folder, ignore_errors=True)
    os.environ["CELERY_BROKER_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    os.environ["EMAIL_HOST"] = "127.0.0.1"
    os.environ["EMAIL_PORT"] = str(smtp_port)
    children: list[Child] = []
    try:
        children.append(
            Child(
                [redis_binary, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                keep_logs / "redis.log",
            )
        )
        children.append(
            Child(
                [sys.executable, str(SINK), "--port", str(smtp_port), "--folder", str(sink_folder), "--no-eml"],
                keep_logs / "sink.log",
            )
        )
        wait_for(lambda: "ready" in (keep_logs / "sink.log").read_text(), 20, "SMTP server start")
        print(f"database {database_url}; redis :{redis_port}; aiosmtpd :{smtp_port}", flush=True)
        database_recreate(database_url)

        import django

        django.setup()
        from django.core.management import call_command

        from notifications.models import Delivery

        call_command("migrate", verbosity=0, interactive=False)
        started = time.perf_counter()
        busy = data_create()
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
        due_meeting_create(busy)

        # 2. Raw smtplib over one connection, messages of our size.
        sample = _sample_message()
        raw_rate = raw_smtp(smtp_port, sample, REMINDERS)

        # 3. Ours: 2 worker processes, one sweep, until the last row is sent.
        env = {**os.environ, "DJANGO_LOG_LEVEL": "WARNING"}
        worker = Child(
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
            keep_logs / "worker.log",
            env=env,
        )
        children.append(worker)
        from netzwerk.celery import app

        wait_for(lambda: bool(app.control.ping(timeout=0.5)), 60, "worker start")
        raw_before = _arrivals(sink_folder)
        started = time.perf_counter()
        result = notifications_sweep()
        wait_for(
            lambda: Delivery.objects.filter(state=Delivery.State.SENT).count() >= REMINDERS, 900, "all reminders sent"
        )
        elapsed = time.perf_counter() - started
        our_rate = REMINDERS / elapsed
        sent_ids = set(Delivery.objects.filter(state=Delivery.State.SENT).values_list("message_id", flat=True))
        arrivals = Counter(_arrivals(sink_folder)[len(raw_before) :])
        once = all(arrivals[message_id] == 1 for message_id in sent_ids) and set(arrivals) == sent_ids
    finally:
        for child in reversed(children):
            try:
                child.stop()
            except BaseException:  # noqa: BLE001 — stop the others even if interrupted
                os.killpg(child.process.pid, 9)

    median = statistics.median(timings)
    print()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{'measure':<44}{'value':>16}{'target':>16}  verdict")
    print(
        f"{'sweep, 100,000 future meetings, nothing due':<44}{median:>13.1f} ms{'< 50 ms':>16}  "
        f"{'met' if median < SWEEP_TARGET_MS else 'MISSED'}  (min {min(timings):.1f}, max {max(timings):.1f})"
    )
    print(f"{'raw smtplib, one connection':<44}{raw_rate:>12.0f} msg/s{'':>16}")
    ratio = our_rate / raw_rate
    print(
        f"{'ours: 10,000 reminders, 2 worker processes':<44}{our_rate:>12.0f} msg/s{'>= 40 % raw':>16}  "
        f"{'met' if ratio >= RATE_TARGET else 'MISSED'}  ({ratio:.0%} of raw; {elapsed:.1f} s incl. the sweep)"
    )
    print(f"{'queued by the sweep':<44}{len(result.enqueued):>16,}")
    print(f"{'arrivals by Message-ID: each sent once':<44}{once!s:>16}  ({len(sent_ids):,} sent)")


def _sample_message() -> bytes:
    """A reminder as our workers send it (same size for the raw loop)."""
    from django.utils import timezone

    from contacts.models import Person
    from meetings.models import Meeting
    from notifications.compose import BUILDERS
    from notifications.models import Delivery, Kind, Subject
    from notifications.selectors import MailReads

    meeting = Meeting.objects.get(title="Große Sitzung")
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


def _arrivals(folder: Path) -> list[str]:
    import json

    path = folder / "arrivals.jsonl"
    if not path.exists():
        return []
    return [json.loads(line)["message_id"] for line in path.read_text().splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> int:
    global REMINDERS, FUTURE_MEETINGS
    parser = argparse.ArgumentParser(prog="python -m bench.notifications", description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="leave the bench database in place")
    parser.add_argument("--reminders", type=int, default=REMINDERS, help="reminders due at once (10,000)")
    parser.add_argument("--meetings", type=int, default=FUTURE_MEETINGS, help="future meetings (100,000)")
    options = parser.parse_args(argv)
    REMINDERS, FUTURE_MEETINGS = options.reminders, options.meetings
    database_url = os.environ.get("BENCH_DATABASE_URL_NOTIFICATIONS", DEFAULT_DATABASE_URL)
    configure_environment(database_url)
    logs = Path(os.environ.get("NETZWERK_VAR_DIR", ROOT / "var")) / "bench-notifications"
    try:
        run(database_url=database_url, keep_logs=logs)
    finally:
        if options.keep:
            print(f"bench database kept: {database_url}")
        else:
            database_drop(database_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
