"""Server time of a speaker's pages at Aachen's size and at ten times it (issue 16):
``python -m bench.speaker [--rounds N] [--samples N] [--reuse] [--keep] [--profile KEY:SCALE]``.

The companion of ``bench.pages`` (the public pages), measured the same way: two PostgreSQL
databases (``BENCH_SPEAKER_DATABASE_URL`` with ``_s1`` and ``_s10`` appended to its name,
default ``postgres://postgres@127.0.0.1:5432/bench_speaker``; dropped and created fresh,
dropped again at the end unless ``--keep``; ``--reuse`` takes them as they are when they
hold bench data) with ``bench_data --scale 1`` and ``--scale 10``. The speaker of the network
with the most members gets an account, and each network they lead a year of monthly
meetings through ``series_create``; two thirds of the members of that network have
answered the next meeting, a few with a note, and it has an agenda of five items.

One worker process per scale serves requests through Django's own WSGI handler
(``bench.settings``, DEBUG off, every middleware) on a persistent connection, logged in as
that speaker (a real session cookie): a speaker's pages are never served from the public
page cache. Beside the pages, the same workers measure the two baselines of
``bench.pages``: the bare view (``HttpResponse("ok")``) and the minimal page (one query of
20 rows through one template in the site's layout).

- the meeting page of the next meeting, as its speaker sees it (the answers of every
  member, the agenda, the minutes form, whether the invitation went out),
- Meine Termine (``/termine/uebersicht/``),
- the network's month (``/termine/netzwerk/<slug>/kalender/``).

Everything is interleaved; figures are medians of all samples. Targets (issue 16): at
scale 1 the dashboard and the month at most 3 × the minimal page, the meeting page 4 ×; at
scale 10 no page more than 2 × its scale-1 time. A benchmark is not a test: the exit
status is 0 whatever the verdicts.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bench.common import database_drop, database_recreate, database_vacuum_analyze, scaled_report
from bench.pages import profile, profile_target, scaled_url
from bench.pages import worker_environment as pages_worker_environment

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_speaker"
SCALES = (1, 10)


@dataclass(frozen=True)
class Target:
    name: str
    kind: str  # "baseline" or "page"
    key: str
    multiple: float = 3.0


TARGETS = [
    Target("bare HttpResponse", "baseline", "bare"),
    Target("minimal page (20 rows)", "baseline", "minimal"),
    Target("speaker: meeting page", "page", "meeting", 4.0),
    Target("speaker: Meine Termine", "page", "dashboard"),
    Target("speaker: month", "page", "month"),
]


def worker_environment(database_url: str) -> dict[str, str]:
    """``bench.pages``' worker settings, with a cache of its own."""
    return pages_worker_environment(database_url, cache_name="netzwerk-bench-speaker")


def prepare(scale: int) -> None:
    """Migrate, load ``bench_data --scale N``, the speaker's account, series, answers, agenda."""
    import datetime

    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Count
    from django.utils import timezone

    from contacts.models import Membership, Network, User
    from meetings.models import Attendance, Meeting
    from meetings.services import agenda_item_add, attendance_answer, series_create
    from netzwerk.bench_data import bench_data_create

    call_command("migrate", verbosity=0)
    counts = bench_data_create(scale=scale)
    network = Network.objects.annotate(n=Count("memberships")).order_by("-n", "slug").first()
    speaker = (
        Membership.objects.active()
        .leading()
        .filter(network=network, person__isnull=False)
        .order_by("pk")
        .first()
        .person
    )
    speaker.user = User.objects.create_user(email="bench-speaker@example.org", password=None)
    speaker.save(update_fields=["user"])
    led = Network.objects.filter(
        memberships__in=Membership.objects.active().leading().filter(person=speaker)
    ).distinct()
    for each in led:
        series_create(
            network=each,
            title="Sitzung",
            rule="FREQ=MONTHLY;BYDAY=2TU",
            first_date=timezone.localdate() + datetime.timedelta(days=1),
            start_time=datetime.time(18, 30),
            duration_minutes=90,
            address="Rathaus, Markt, 52062 Aachen",
        )
    meeting = Meeting.objects.filter(network=network).order_by("start").first()
    members = sorted(
        {m.person for m in Membership.objects.active().filter(network=network, person__isnull=False)},
        key=lambda person: person.pk,
    )
    answers = [Attendance.Answer.YES, Attendance.Answer.NO, None]
    for number, person in enumerate(members):
        answer = answers[number % 3]
        if answer is not None:
            note = "Ich komme etwas später." if number % 10 == 0 else ""
            attendance_answer(meeting=meeting, person=person, answer=answer, note=note)
    for number in range(5):
        agenda_item_add(meeting=meeting, title=f"Tagesordnungspunkt {number + 1}")
    counts["members answering"] = len(members)
    print(f"scale {scale}: " + ", ".join(f"{name} {count}" for name, count in counts.items()), file=sys.stderr)


def target_paths() -> tuple[dict[str, str], str]:
    """The path of each target in this database, and a session cookie of the speaker."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from contacts.models import User
    from meetings.models import Meeting

    user = User.objects.get(email="bench-speaker@example.org")
    meeting = (
        Meeting.objects.filter(network__memberships__person__user=user, agenda_items__isnull=False)
        .order_by("start")
        .first()
    )
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    paths = {
        "bare": "/bench/bare/",
        "minimal": "/bench/minimal/",
        "meeting": f"/termine/{meeting.uid}/",
        "dashboard": "/termine/uebersicht/",
        "month": f"/termine/netzwerk/{meeting.network.slug}/kalender/?monat={meeting.start:%Y-%m}",
    }
    return paths, f"sessionid={session.session_key}"


class Client:
    """Requests straight into Django's WSGI handler, as a WSGI server makes them, with the
    speaker's session cookie."""

    def __init__(self, cookie: str) -> None:
        from django.core.handlers.wsgi import WSGIHandler
        from django.test import RequestFactory

        self.handler = WSGIHandler()
        self.factory = RequestFactory()
        self.cookie = cookie

    def get(self, path: str) -> tuple[int, int]:
        """Status and body length of one GET, the body read in full."""
        path, _, query = path.partition("?")
        environ = self.factory._base_environ(
            PATH_INFO=path,
            QUERY_STRING=query,
            REQUEST_METHOD="GET",
            HTTP_HOST="127.0.0.1",
            SERVER_NAME="127.0.0.1",
            HTTP_COOKIE=self.cookie,
        )
        statuses = []

        def start_response(status, headers, exc_info=None):
            statuses.append(int(status.split()[0]))

        result = self.handler(environ, start_response)
        try:
            length = sum(len(chunk) for chunk in result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return statuses[0], length


def serve() -> None:
    """The worker's loop (as ``bench.pages``): one JSON command a line on stdin, one JSON
    answer a line on stdout; every request carries the speaker's session cookie."""
    import django

    warnings.filterwarnings("ignore", message="No directory at")  # WhiteNoise: static files are not built
    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    override_settings(ROOT_URLCONF="bench.urls").enable()
    paths, cookie = target_paths()
    client = Client(cookie)
    out = sys.stdout
    for line in sys.stdin:
        command = json.loads(line)
        op = command["op"]
        if op == "check":
            answer = {key: client.get(path) for key, path in paths.items()}
        elif op == "queries":
            with CaptureQueriesContext(connection) as queries:
                client.get(paths[command["key"]])
            answer = len(queries.captured_queries)
        elif op == "measure":
            path = paths[command["key"]]
            seconds = []
            for _ in range(command["runs"]):
                began = time.perf_counter()
                client.get(path)
                seconds.append(time.perf_counter() - began)
            answer = seconds
        elif op == "profile":
            answer = profile(client, paths[command["key"]], runs=command["runs"], lines=command.get("lines", 60))
        else:
            answer = {"error": op}
        out.write(json.dumps(answer) + "\n")
        out.flush()


class Worker:
    def __init__(self, scale: int, database_url: str) -> None:
        self.scale = scale
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.speaker", "--serve"],
            cwd=ROOT,
            env=worker_environment(database_url),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, **command):
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"worker of scale {self.scale} stopped (exit status {self.process.wait()})")
        return json.loads(line)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(timeout=30)


# The parent ------------------------------------------------------------------------------


def database_has_bench_data(database_url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(database_url, autocommit=True) as connection:
            row = connection.execute(
                "SELECT to_regclass('contacts_user') IS NOT NULL AND EXISTS "
                "(SELECT 1 FROM contacts_user WHERE email = 'bench-speaker@example.org')"
            ).fetchone()
            return bool(row[0])
    except psycopg.Error:
        return False


def database_prepare(database_url: str, scale: int, *, reuse: bool) -> None:
    if reuse and database_has_bench_data(database_url):
        print(f"scale {scale}: reusing {urlsplit(database_url).path.lstrip('/')}")
        return
    started = time.perf_counter()
    database_recreate(database_url)
    subprocess.run(
        [sys.executable, "-m", "bench.speaker", "--prepare", str(scale)],
        cwd=ROOT,
        env=worker_environment(database_url),
        check=True,
    )
    database_vacuum_analyze(database_url)
    print(f"scale {scale}: database ready in {time.perf_counter() - started:.0f} s")


def report(samples: dict[tuple[str, int], list[float]], queries: dict[tuple[str, int], int]) -> None:
    scaled_report(
        samples,
        queries,
        TARGETS,
        scales=SCALES,
        title="speaker page",
        note=(
            "Django's WSGI "
            f"handler in-process, logged in as the speaker, PostgreSQL on a persistent connection, "
            f"{os.cpu_count()} CPUs (shared)"
        ),
    )


def run(*, database_url: str, rounds: int, samples_per_round: int, reuse: bool) -> None:
    urls = {scale: scaled_url(database_url, scale) for scale in SCALES}
    for scale in SCALES:
        database_prepare(urls[scale], scale, reuse=reuse)
    workers = {scale: Worker(scale, urls[scale]) for scale in SCALES}
    try:
        for scale, worker in workers.items():
            statuses = worker.ask(op="check")
            failed = {key: status for key, (status, _length) in statuses.items() if status != 200}
            if failed:
                raise SystemExit(f"scale {scale}: not 200: {failed}")
        for worker in workers.values():
            for target in TARGETS:
                worker.ask(op="measure", key=target.key, runs=3)
        queries = {(t.key, scale): workers[scale].ask(op="queries", key=t.key) for t in TARGETS for scale in SCALES}
        samples: dict[tuple[str, int], list[float]] = {(t.key, scale): [] for t in TARGETS for scale in SCALES}
        for number in range(rounds):
            order = SCALES if number % 2 == 0 else tuple(reversed(SCALES))
            for target in TARGETS:
                for scale in order:
                    samples[target.key, scale] += workers[scale].ask(
                        op="measure", key=target.key, runs=samples_per_round
                    )
        report(samples, queries)
    finally:
        for worker in workers.values():
            worker.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.speaker", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=12, help="rounds over all pages and scales (12)")
    parser.add_argument("--samples", type=int, default=5, help="requests per page, scale and round (5)")
    parser.add_argument("--reuse", action="store_true", help="use the bench databases as they are if they hold data")
    parser.add_argument("--keep", action="store_true", help="leave the bench databases in place")
    parser.add_argument(
        "--profile",
        metavar="KEY:SCALE",
        help="profile one page (e.g. dashboard:1) over --samples requests in the kept databases; print the stats",
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--prepare", type=int, help=argparse.SUPPRESS)
    options, _unknown = parser.parse_known_args(argv)
    if options.serve:
        serve()
        return 0
    if options.prepare:
        prepare(options.prepare)
        return 0
    database_url = os.environ.get("BENCH_SPEAKER_DATABASE_URL", DEFAULT_DATABASE_URL)
    if options.profile:
        profile_target(Worker, database_url, options.profile, runs=options.samples)
        return 0
    os.environ.update(worker_environment(database_url))
    try:
        run(database_url=database_url, rounds=options.rounds, samples_per_round=options.samples, reuse=options.reuse)
    finally:
        if options.keep or options.reuse:
            print(f"bench databases kept: {', '.join(scaled_url(database_url, scale) for scale in SCALES)}")
        else:
            for scale in SCALES:
                database_drop(scaled_url(database_url, scale))
    return 0


if __name__ == "__main__":
    sys.exit(main())
