"""Benchmark of the public pages and the read API (issue 3, "Performance"):
``python -m bench.public [--duration S] [--rounds N] [--keep] [--scale N]``.

Sets up its own PostgreSQL database (``BENCH_PUBLIC_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/bench_public``; dropped and created fresh, dropped again
at the end unless ``--keep``), migrates it, loads ``bench_data --scale 10`` and gathers the
planner's statistics (``VACUUM ANALYZE``, as autovacuum would after such a load), starts gunicorn
with 2 sync workers on a free loopback port with ``bench.settings`` (the real settings,
DEBUG off, plus a bare ``HttpResponse("ok")`` view at ``/bench/bare/``), warms every target
up and runs ``wrk`` with 8 connections against each:

- the network list of the API (``/api/v1/networks/``),
- the page of the network with the most memberships,
- the page of the Sozialraum most networks cover,
- a search (``/suche/?q=…``; reported as missing where the branch has none),
- for a speaker of that network, logged in (so never from the public cache; issue 4): the
  dashboard (``/termine/uebersicht/``) and the network's month calendar, with a year of
  monthly meetings in each of the speaker's networks,
- the bare view: the baseline, measured in the same server in the same run.

Each target runs ``--rounds`` times, interleaved with the others so that noise from other
processes on the machine spreads over all of them; the table shows the medians of
requests/s and of wrk's p50 and p99 latency, and each rate as a share of the bare view's.
Targets: API lists at least 50 % of the bare view, pages at least 30 %, p99 under 50 ms.
A benchmark is not a test: the exit status is 0 whatever the verdicts.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench.common import database_drop, database_recreate, database_vacuum_analyze

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_public"
WRK = "/usr/bin/wrk"
CONNECTIONS = 8
WRK_THREADS = 2
WORKERS = 2
SCALE = 10
SEARCH_QUERY = "Einrichtung"

TARGET_API_SHARE = 0.50
TARGET_PAGE_SHARE = 0.30
TARGET_P99_MS = 50.0


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    kind: str  # "api", "page", "member" (logged in; issue 4 asks for the figure, sets no target) or "bare"
    cookie: str = ""  # a session cookie: the request of a logged-in speaker


@dataclass(frozen=True)
class Run:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


# Environment ----------------------------------------------------------------------------


def bench_environment(database_url: str, *, public_cache: bool = True) -> dict[str, str]:
    """The environment of every child process: the bench database and settings.

    The cache is the embedded per-process one, as in ``bench.feeds``: a CACHE_URL pointing
    at a shared Redis would be shared with (and cleared by) other processes. Connections
    persist for ten minutes, as a production worker keeps them (DJANGO_CONN_MAX_AGE).
    """
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
            "CACHE_URL": "locmemcache://netzwerk-bench-public",
            "CELERY_BROKER_URL": "memory://",
            "PUBLIC_CACHE_SECONDS": "60" if public_cache else "0",
        }
    )
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env, check=True)


def pick_targets(env: dict[str, str]) -> list[Target]:
    """The busiest network, the most covered Sozialraum and a logged-in speaker of that network.

    The speaker gets an account and a session, and each of their networks a series of monthly
    meetings for a year (bench_data writes none), so the dashboard and calendar have content.
    """
    script = (
        "import datetime, django; django.setup()\n"
        "from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY\n"
        "from django.contrib.sessions.backends.db import SessionStore\n"
        "from django.db.models import Count\n"
        "from django.utils import timezone\n"
        "from contacts.models import Area, Membership, Network, User\n"
        "from meetings.services import series_create\n"
        "network = Network.objects.annotate(n=Count('memberships')).order_by('-n', 'slug').first()\n"
        "area = (Area.objects.filter(level=Area.Level.SOCIAL_AREA)"
        ".annotate(n=Count('networks')).order_by('-n', 'slug').first())\n"
        "speaker = Membership.objects.active().leading().filter(network=network, person__isnull=False)"
        ".order_by('pk').first().person\n"
        "if speaker.user is None:\n"
        "    speaker.user = User.objects.create_user(email='bench-speaker@example.org', password=None)\n"
        "    speaker.save(update_fields=['user'])\n"
        "for led in Network.objects.filter(memberships__in=Membership.objects.active().leading()"
        ".filter(person=speaker)).distinct():\n"
        "    series_create(network=led, title='Sitzung', rule='FREQ=MONTHLY;BYDAY=2TU',"
        " first_date=timezone.localdate(), start_time=datetime.time(18, 30), duration_minutes=90,"
        " address='Rathaus, Markt, 52062 Aachen')\n"
        "session = SessionStore()\n"
        "session[SESSION_KEY] = str(speaker.user.pk)\n"
        "session[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'\n"
        "session[HASH_SESSION_KEY] = speaker.user.get_session_auth_hash()\n"
        "session.create()\n"
        "print(network.slug, area.slug, session.session_key)\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    network_slug, area_slug, session_key = output.split()
    speaker = f"sessionid={session_key}"
    return [
        Target("API: Netzwerkliste", "/api/v1/networks/", "api"),
        Target("Seite: Netzwerk", f"/netzwerke/{network_slug}/", "page"),
        Target("Seite: Gebiet (Sozialraum)", f"/gebiete/{area_slug}/", "page"),
        Target("Seite: Suche", f"/suche/?q={SEARCH_QUERY}", "page"),
        Target("Sprecher*in: Übersicht", "/termine/uebersicht/", "member", cookie=speaker),
        Target("Sprecher*in: Monat", f"/termine/netzwerk/{network_slug}/kalender/", "member", cookie=speaker),
        Target("bare view", "/bench/bare/", "bare"),
    ]


# Server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_start(env: dict[str, str], port: int) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "netzwerk.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={WORKERS}",
        "--worker-class=sync",
        "--log-level=warning",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env)


def status_of(url: str, *, cookie: str = "") -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def wait_until_serving(base: str, server: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped with exit status {server.returncode}")
        try:
            if status_of(base + "/bench/bare/") == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer within a minute")


def gunicorn_stop(server: subprocess.Popen) -> None:
    """Stop the master by its pid; it stops its workers."""
    if server.poll() is None:
        os.kill(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(server.pid, signal.SIGKILL)
            server.wait()


# Load -----------------------------------------------------------------------------------

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS_MS[unit]


def parse_wrk(output: str) -> Run:
    """Requests/s, p50, p99, request and error counts from ``wrk --latency`` output."""
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, flags=re.MULTILINE))
    if set(percentiles) != {"50", "99"}:
        raise SystemExit(f"unexpected wrk output:\n{output}")
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(int(count) for count in socket_errors.groups()) if socket_errors else 0
    )
    return Run(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50_ms=_milliseconds(percentiles["50"]),
        p99_ms=_milliseconds(percentiles["99"]),
        requests=requests,
        errors=errors,
    )


def wrk(url: str, seconds: int, *, cookie: str = "") -> Run:
    # A generous time-out: a slow answer must count in the latency, not vanish as an error.
    command = [WRK, f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout=10s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return parse_wrk(output)


# Report ---------------------------------------------------------------------------------


def verdict(target: Target, share: float, p99_ms: float) -> str:
    if target.kind == "bare":
        return "baseline"
    if target.kind == "member":
        return "reported (logged in, never cached; no target set)"
    needed = TARGET_API_SHARE if target.kind == "api" else TARGET_PAGE_SHARE
    share_ok = share >= needed
    p99_ok = p99_ms < TARGET_P99_MS
    parts = [
        f"{'ok' if share_ok else 'MISSED'} ≥ {needed:.0%}",
        f"p99 {'ok' if p99_ok else 'MISSED'} < {TARGET_P99_MS:.0f} ms",
    ]
    return ", ".join(parts)


def report(results: dict[Target, list[Run]], missing: dict[Target, int]) -> None:
    bare = next(target for target in results if target.kind == "bare")
    bare_rate = statistics.median(run.requests_per_second for run in results[bare]) or float("nan")
    print()
    header = f"{'target':<28} {'path':<34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'share':>7}  verdict"
    print(header)
    print("-" * len(header))
    for target, runs in results.items():
        rate = statistics.median(run.requests_per_second for run in runs)
        p50 = statistics.median(run.p50_ms for run in runs)
        p99 = statistics.median(run.p99_ms for run in runs)
        share = rate / bare_rate
        errors = sum(run.errors for run in runs)
        note = f" ({errors} errors)" if errors else ""
        print(
            f"{target.name:<28} {target.path:<34} {rate:>8.0f} {p50:>8.1f} {p99:>8.1f} {share:>7.0%}  "
            f"{verdict(target, share, p99)}{note}"
        )
    for target, status in missing.items():
        print(f"{target.name:<28} {target.path:<34} {'—':>8} {'—':>8} {'—':>8} {'—':>7}  not measured: HTTP {status}")
    rounds = len(results[bare])
    print(
        f"\nmedians of {rounds} round(s); wrk {WRK_THREADS} threads, {CONNECTIONS} connections; gunicorn "
        f"{WORKERS} sync workers; bench_data --scale {SCALE}; {os.cpu_count()} CPUs shared with wrk"
    )


# Main -----------------------------------------------------------------------------------


def run(*, database_url: str, duration: int, rounds: int, warmup: int, public_cache: bool) -> None:
    env = bench_environment(database_url, public_cache=public_cache)
    print(f"public cache (netzwerk/public_cache.py): {'on' if public_cache else 'off'}")
    started = time.perf_counter()
    database_recreate(database_url)
    manage(env, "migrate", "--verbosity=0")
    manage(env, "bench_data", f"--scale={SCALE}")
    print(f"database ready in {time.perf_counter() - started:.0f} s")
    targets = pick_targets(env)
    database_vacuum_analyze(database_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = gunicorn_start(env, port)
    try:
        wait_until_serving(base, server)
        missing: dict[Target, int] = {}
        for target in targets:
            status = status_of(base + target.path, cookie=target.cookie)
            if status != 200:
                missing[target] = status
                print(f"{target.path}: HTTP {status}, not measured")
        measured = [target for target in targets if target not in missing]
        for target in measured:
            wrk(base + target.path, warmup, cookie=target.cookie)
        results: dict[Target, list[Run]] = {target: [] for target in measured}
        for number in range(rounds):
            for target in measured:
                result = wrk(base + target.path, duration, cookie=target.cookie)
                results[target].append(result)
                print(
                    f"round {number + 1}: {target.name:<28} {result.requests_per_second:>8.0f} req/s  "
                    f"p50 {result.p50_ms:.1f} ms  p99 {result.p99_ms:.1f} ms"
                )
        report(results, missing)
    finally:
        gunicorn_stop(server)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.public", description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per target and round (10)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over all targets (3)")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of load per target before measuring (3)")
    parser.add_argument("--keep", action="store_true", help="leave the bench database in place")
    parser.add_argument(
        "--no-public-cache", action="store_true", help="render every answer (PUBLIC_CACHE_SECONDS=0), for comparison"
    )
    options = parser.parse_args(argv)
    if not Path(WRK).exists():
        print(f"{WRK} is missing (apt-get install wrk)")
        return 0
    database_url = os.environ.get("BENCH_PUBLIC_DATABASE_URL", DEFAULT_DATABASE_URL)
    # This process only creates and drops the database, but that reads the settings too.
    os.environ.update(bench_environment(database_url))
    try:
        run(
            database_url=database_url,
            duration=options.duration,
            rounds=options.rounds,
            warmup=options.warmup,
            public_cache=not options.no_public_cache,
        )
    finally:
        if options.keep:
            print(f"bench database kept: {database_url}")
        else:
            database_drop(database_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
