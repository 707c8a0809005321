"""Server time of the public pages and the read API at Aachen's size and at ten times it
(issue 16): ``python -m bench.pages [--rounds N] [--samples N] [--reuse] [--keep]``.

Sets up two PostgreSQL databases (``BENCH_PAGES_DATABASE_URL`` with ``_s1`` and ``_s10``
appended to its name, default ``postgres://postgres@127.0.0.1:5432/bench_pages``; dropped and
created fresh, dropped again at the end unless ``--keep``; ``--reuse`` takes them as they
are when they hold bench data), migrates them, loads ``bench_data --scale 1`` and
``--scale 10``, gives every network a public meeting every four weeks for a year back and
a year ahead (and a members-only one every eight weeks), and gathers the planner's
statistics (``VACUUM ANALYZE``, as autovacuum would after such a load).

One worker process per scale serves requests through Django's own WSGI handler
(``bench.settings``: the real settings, DEBUG off, every middleware) on a persistent
connection, with the public page cache off (``PUBLIC_CACHE_SECONDS=0``): every answer is
rendered, as for a member, the first visitor after a change, or a cache that was emptied.
What the pages cache themselves per data version stays on, as in production. The body is
read in full. The API lists are measured three ways where they are kept per data version
(``contacts.api.lists``): as they are (anonymous, kept), with this list's kept answers
emptied before each request (``cold``: the first anonymous visitor after a write), and as a
signed-in member of the busiest network (``member``: the list never kept; the account
``bench-member@example.org`` is made on first use). The list of meetings also keeps each
row per state of its networks and per what its reader sees of it
(``meetings.api.views.KeptMeetingRows``); for ``cold`` and ``member`` the rows of the
busiest network's meetings are emptied before each request as well, as a write to its
calendar would make them unused: only the rows of other networks are kept. Beside the
pages, the same workers measure three baselines:

- bare: ``HttpResponse("ok")`` — WSGI, middleware and routing only;
- minimal: one query of 20 rows through one template in the site's layout;
- minimal, signed in: the same page asked with the bench member's session cookie, as
  ``bench.speaker`` asks its baseline: the session and the user, and the roles the
  layout reads for a signed-in user, are the floor of every page a member asks for. The
  member's list is measured against it (the table says ``minimal_member``); its multiple
  of the anonymous minimal page is its time divided by the minimal page's.

The parent interleaves everything: each round asks every target of every scale for a few
samples in turn, so noise from other processes spreads over all of them. Figures are
medians of all samples (``--rounds`` × ``--samples``); each page's time is shown as a
multiple of the minimal page of its own scale, and its growth from scale 1 to 10.

Targets (issue 16): at scale 1 every page at most 3 × the minimal page (search and the
meeting page 4 ×; the member's list 3 × the signed-in minimal page); at scale 10 no page
more than 2 × its scale-1 time. A benchmark is
not a test: the exit status is 0 whatever the verdicts.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import io
import json
import os
import pstats
import random
import subprocess
import sys
import time
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.common import (
    database_drop,
    database_has_bench_data,
    database_recreate,
    database_vacuum_analyze,
    scaled_report,
)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_pages"
SCALES = (1, 10)
SEARCH_QUERY = "Einrichtung"
TARGET_MINIMAL_MULTIPLE = 3.0
TARGET_MINIMAL_MULTIPLE_SLOW = 4.0  # search and the meeting page
SEED = 16


@dataclass(frozen=True)
class Target:
    name: str
    kind: str  # "baseline", "page", "api"
    # The path is looked up per scale by the worker (the busiest network differs).
    key: str
    multiple: float = TARGET_MINIMAL_MULTIPLE
    # Asked as the bench member (a session cookie); or anonymously with the kept API lists
    # of this basename (``contacts.api.lists``) emptied before each request (outside the
    # time measured), as after a write.
    member: bool = False
    cold: str = ""
    # The rows of the list of meetings kept per network (``meetings.api.views.KeptMeetingRows``)
    # of the busiest network emptied before each request too, as after a write to its calendar.
    written: bool = False
    # The baseline it is measured against: the minimal page, or the same signed in.
    baseline: str = "minimal"


TARGETS = [
    Target("bare HttpResponse", "baseline", "bare"),
    Target("minimal page (20 rows)", "baseline", "minimal"),
    Target("minimal page, signed in", "baseline", "minimal_member", member=True),
    Target("start page /", "page", "home"),
    Target("/netzwerke/", "page", "networks"),
    Target("busiest network page", "page", "network"),
    Target("Sozialraum page", "page", "area"),
    Target("/gebiete/", "page", "areas"),
    Target("/einrichtungen/", "page", "institutions"),
    Target("/einrichtungen/ last page", "page", "institutions_last"),
    Target("institution page", "page", "institution"),
    Target(f"search ?q={SEARCH_QUERY}", "page", "search", TARGET_MINIMAL_MULTIPLE_SLOW),
    Target("meeting page (public)", "page", "meeting", TARGET_MINIMAL_MULTIPLE_SLOW),
    Target("API networks", "api", "api_networks"),
    Target("API meetings", "api", "api_meetings"),
    Target("API meetings, cold cache", "api", "api_meetings_cold", cold="meeting", written=True),
    Target("API meetings, member", "api", "api_meetings_member", member=True, written=True, baseline="minimal_member"),
    Target("API institutions", "api", "api_institutions"),
    Target("API institutions, cold", "api", "api_institutions_cold", cold="institution"),
    Target("API areas", "api", "api_areas"),
]


def scaled_url(database_url: str, scale: int) -> str:
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path=f"{parts.path}_s{scale}"))


def worker_environment(database_url: str, *, cache_name: str = "netzwerk-bench-pages") -> dict[str, str]:
    """Settings of a worker: the bench database, DEBUG off, persistent connections, the
    public page cache off, the embedded cache (a CACHE_URL pointing at a shared Redis would
    be shared with, and cleared by, other processes). ``bench.speaker`` uses it too."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CACHE_URL"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": database_url,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "bench-only-not-secret",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_STATIC_MANIFEST": "0",
            "DJANGO_CONN_MAX_AGE": "600",
            "DJANGO_LOG_LEVEL": "WARNING",
            "CACHE_URL": f"locmemcache://{cache_name}?max_entries=200000",
            "CELERY_BROKER_URL": "memory://",
            "PUBLIC_CACHE_SECONDS": "0",
        }
    )
    return env


# Inside a worker -------------------------------------------------------------------------


def meetings_create(*, rng: random.Random) -> int:
    """For every network: a public meeting every four weeks from a year back to a year
    ahead, and a members-only one every eight weeks in between. Bulk-written (the calendar
    stamps follow by trigger)."""
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from contacts.models import Network
    from meetings.models import Meeting, Visibility

    berlin = ZoneInfo("Europe/Berlin")
    today = timezone.localdate()
    now = timezone.now()
    rows = []
    for network in Network.objects.order_by("slug"):
        first = today - datetime.timedelta(days=364 - rng.randrange(28))
        for number in range(27):
            day = first + datetime.timedelta(weeks=4 * number)
            start = datetime.datetime.combine(day, datetime.time(rng.choice([9, 14, 17, 18]), 0), tzinfo=berlin)
            internal = number % 2 == 1 and rng.random() < 0.5
            if internal:
                start += datetime.timedelta(days=14)
            status = Meeting.Status.HELD if start < now else Meeting.Status.PLANNED
            rows.append(
                Meeting(
                    uid=uuid.UUID(int=rng.getrandbits(128), version=4),
                    network=network,
                    title=f"Sitzung {network.short_name or network.name}" if not internal else "Sprecher*innenrunde",
                    start=start,
                    end=start + datetime.timedelta(minutes=rng.choice([90, 120])),
                    status=status,
                    visibility=Visibility.MEMBERS if internal else Visibility.PUBLIC,
                    address="Rathaus, Markt, 52062 Aachen",
                )
            )
    Meeting.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def prepare(scale: int) -> None:
    """Migrate, load ``bench_data --scale N`` and the meetings (in the worker's database)."""
    import django

    django.setup()
    from django.core.management import call_command

    from netzwerk.bench_data import bench_data_create

    call_command("migrate", verbosity=0)
    counts = bench_data_create(scale=scale)
    counts["meetings"] = meetings_create(rng=random.Random(SEED))
    print(f"scale {scale}: " + ", ".join(f"{name} {count}" for name, count in counts.items()), file=sys.stderr)


BENCH_MEMBER_EMAIL = "bench-member@example.org"


def member_cookie(network) -> str:
    """A session cookie of the bench member: a member (no speaker) of ``network`` with an
    account, given one on the first run (also in a database made before this target)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from contacts.models import Membership, User

    user = User.objects.filter(email=BENCH_MEMBER_EMAIL).first()
    if user is None:
        leading = Membership.objects.active().leading().filter(person__isnull=False).values("person_id")
        member = (
            Membership.objects.active()
            .filter(network=network, person__isnull=False, person__user__isnull=True)
            .exclude(person_id__in=leading)
            .order_by("pk")
            .first()
            .person
        )
        user = User.objects.create_user(email=BENCH_MEMBER_EMAIL, password=None)
        member.user = user
        member.save(update_fields=["user"])
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"sessionid={session.session_key}"


def target_paths() -> tuple[dict[str, str], str, int]:
    """The path of each target in this database, the bench member's session cookie and the
    busiest network's id."""
    from django.db.models import Count

    from contacts.models import Area, Institution, Network
    from contacts.selectors import PUBLIC_PAGE_SIZE
    from meetings.models import Meeting, Visibility

    network = Network.objects.annotate(n=Count("memberships")).order_by("-n", "slug").first()
    area = (
        Area.objects.filter(level=Area.Level.SOCIAL_AREA)
        .annotate(n=Count("networks", distinct=True))
        .order_by("-n", "slug")
        .first()
    )
    institution = Institution.objects.filter(is_active=True).annotate(n=Count("memberships")).order_by("-n", "slug")
    institution = institution.first()
    last_page = max(1, -(-Institution.objects.filter(is_active=True).count() // PUBLIC_PAGE_SIZE))
    upcoming = Meeting.objects.filter(start__gte=datetime.datetime.now(datetime.UTC))
    meeting = upcoming.filter(network=network, visibility=Visibility.PUBLIC).order_by("start").first()
    paths = {
        "bare": "/bench/bare/",
        "minimal": "/bench/minimal/",
        "home": "/",
        "networks": "/netzwerke/",
        "network": f"/netzwerke/{network.slug}/",
        "area": f"/gebiete/{area.slug}/",
        "areas": "/gebiete/",
        "institutions": "/einrichtungen/",
        "institutions_last": f"/einrichtungen/?seite={last_page}",
        "institution": f"/einrichtungen/{institution.slug}/",
        "search": f"/suche/?q={SEARCH_QUERY}",
        "meeting": f"/termine/{meeting.uid}/",
        "api_networks": "/api/v1/networks/",
        "api_meetings": "/api/v1/meetings/",
        "api_institutions": "/api/v1/institutions/",
        "api_areas": "/api/v1/areas/",
    }
    paths["api_meetings_cold"] = paths["api_meetings_member"] = paths["api_meetings"]
    paths["minimal_member"] = paths["minimal"]
    paths["api_institutions_cold"] = paths["api_institutions"]
    return paths, member_cookie(network), network.pk


class Client:
    """Requests straight into Django's WSGI handler, as a WSGI server makes them."""

    def __init__(self) -> None:
        from django.core.handlers.wsgi import WSGIHandler
        from django.test import RequestFactory

        self.handler = WSGIHandler()
        self.factory = RequestFactory()

    def environ(self, path: str, cookie: str = "") -> dict:
        path, _, query = path.partition("?")
        extra = {"HTTP_COOKIE": cookie} if cookie else {}
        return self.factory._base_environ(
            PATH_INFO=path,
            QUERY_STRING=query,
            REQUEST_METHOD="GET",
            HTTP_HOST="127.0.0.1",
            SERVER_NAME="127.0.0.1",
            **extra,
        )

    def get(self, path: str, cookie: str = "") -> tuple[int, int]:
        """Status and body length of one GET (with ``cookie``, if given), the body read in full."""
        statuses = []

        def start_response(status, headers, exc_info=None):
            statuses.append(int(status.split()[0]))

        result = self.handler(self.environ(path, cookie), start_response)
        try:
            length = sum(len(chunk) for chunk in result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return statuses[0], length


def profile(client, path: str, *, runs: int, lines: int = 60) -> str:
    """cProfile's statistics of ``runs`` requests of ``path`` (by cumulative and by own
    time), then the SQL of one more request with its time. ``bench.speaker`` uses it too."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        client.get(path)
    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text).strip_dirs()
    stats.sort_stats("cumulative").print_stats(lines)
    stats.sort_stats("tottime").print_stats(lines)
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    for query in queries.captured_queries:
        text.write(f"{query['time']} s  {query['sql'][:600]}\n")
    return text.getvalue()


class TargetClient:
    """The requests of one target: as the bench member (its cookie), or anonymously with
    the kept API lists emptied first, and the rows of the busiest network's meetings
    (``cold()``, called outside the time measured)."""

    def __init__(self, client: Client, target: Target, cookie: str, network_id: int) -> None:
        self.client = client
        self.target = target
        self.cookie = cookie if target.member else ""
        self.network_id = network_id

    def cold(self) -> None:
        # This list's kept answers only: emptying the whole cache would make the next
        # request of every other target a first one too. The worker's cache is the
        # embedded one (``worker_environment``), whose keys can be listed.
        emptied = []
        if self.target.cold:
            emptied.append(f":api-list:{self.target.cold}:")
        if self.target.written:
            emptied.append(f":api-row:meeting:{self.network_id}:")
        if emptied:
            from django.core.cache import cache

            for stored in [stored for stored in cache._cache if any(kept in stored for kept in emptied)]:
                cache.delete(stored.split(":", 2)[2])

    def get(self, path: str) -> tuple[int, int]:
        self.cold()
        return self.client.get(path, self.cookie)


def serve() -> None:
    """The worker's loop: one JSON command a line on stdin, one JSON answer a line on stdout."""
    import django

    warnings.filterwarnings("ignore", message="No directory at")  # WhiteNoise: static files are not built
    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    paths, cookie, network_id = target_paths()
    client = Client()
    clients = {target.key: TargetClient(client, target, cookie, network_id) for target in TARGETS}
    out = sys.stdout
    for line in sys.stdin:
        command = json.loads(line)
        op = command["op"]
        if op == "paths":
            answer = paths
        elif op == "check":
            answer = {key: clients[key].get(path) for key, path in paths.items()}
        elif op == "queries":
            with CaptureQueriesContext(connection) as queries:
                clients[command["key"]].get(paths[command["key"]])
            answer = len(queries.captured_queries)
        elif op == "measure":
            path = paths[command["key"]]
            target_client = clients[command["key"]]
            seconds = []
            for _ in range(command["runs"]):
                target_client.cold()
                began = time.perf_counter()
                client.get(path, target_client.cookie)
                seconds.append(time.perf_counter() - began)
            answer = seconds
        elif op == "profile":
            key = command["key"]
            answer = profile(clients[key], paths[key], runs=command["runs"], lines=command.get("lines", 60))
        else:
            answer = {"error": op}
        out.write(json.dumps(answer) + "\n")
        out.flush()


class Worker:
    def __init__(self, scale: int, database_url: str) -> None:
        self.scale = scale
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.pages", "--serve"],
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


def database_prepare(database_url: str, scale: int, *, reuse: bool) -> None:
    if reuse and database_has_bench_data(database_url):
        print(f"scale {scale}: reusing {urlsplit(database_url).path.lstrip('/')}")
        return
    started = time.perf_counter()
    database_recreate(database_url)
    subprocess.run(
        [sys.executable, "-m", "bench.pages", "--prepare", str(scale)],
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
        title="page",
        note=(
            "Django's WSGI "
            "handler in-process, PostgreSQL on a persistent connection, public page cache off, "
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
        # Warm up: caches, templates, the connection, the fragments of this data version.
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


def profile_target(worker_type, database_url: str, spec: str, *, runs: int) -> None:
    """``--profile KEY:SCALE``: one worker of ``worker_type`` on the kept database of that
    scale, warmed by three requests, prints ``profile`` of ``runs`` more. ``bench.speaker``
    uses it too."""
    key, _, scale = spec.partition(":")
    worker = worker_type(int(scale or 1), scaled_url(database_url, int(scale or 1)))
    try:
        worker.ask(op="measure", key=key, runs=3)
        print(worker.ask(op="profile", key=key, runs=runs))
    finally:
        worker.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=12, help="rounds over all pages and scales (12)")
    parser.add_argument("--samples", type=int, default=5, help="requests per page, scale and round (5)")
    parser.add_argument("--reuse", action="store_true", help="use the bench databases as they are if they hold data")
    parser.add_argument("--keep", action="store_true", help="leave the bench databases in place")
    parser.add_argument(
        "--profile",
        metavar="KEY:SCALE",
        help="profile one target (e.g. home:10) over --samples requests in the kept databases; print the stats",
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
    database_url = os.environ.get("BENCH_PAGES_DATABASE_URL", DEFAULT_DATABASE_URL)
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
