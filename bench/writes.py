"""Benchmark of the public pages under writes (issue 16): ``python -m bench.writes
[--duration S] [--rounds N] [--reuse] [--keep]``.

Measured from outside, as production runs: its own PostgreSQL database
(``BENCH_WRITES_DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/bench_writes``;
dropped and created fresh, dropped again at the end unless ``--keep``; ``--reuse`` takes it as
it is when it holds bench data) with
``bench_data --scale 10`` and a year of monthly meetings in the busiest networks; Redis as
the cache (``BENCH_CACHE_URL``, default ``redis://127.0.0.1:6379/15``: a database of its
own, emptied at the start — never point it at one something else uses); gunicorn with 2
sync workers and ``bench.settings``; ``wrk`` with 8 connections rotating over ten public
URLs (start page, lists, the two busiest networks, an area, an institution, the search,
the API), while a second process writes through the services at a steady rate:

- answers to meetings (``attendance_answer``: members saying zusage/absage) at 0, 0.2, 1
  and 5 per second — they show on no public page, so they must empty nothing;
- meeting edits (``meeting_update``, a new title) at 1 per second, in networks other than
  the two measured: each makes its own network's pages and the calendar pages stale, and
  leaves the other networks' pages cached;
- the same mix with the public cache off (``PUBLIC_CACHE_SECONDS=0``, a second gunicorn),
  and the bare view (``HttpResponse("ok")``): the baselines, in the same run.

Every scenario runs ``--rounds`` times, interleaved; the table shows medians. Targets
(issue 16): with 5 answers per second, reads ≥ 80 % of the no-write figure and p99 < 100 ms;
cached hits (no writes) ≥ 80 % of the bare view's rate. A benchmark is not a test: the exit
status is 0 whatever the verdicts.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import (
    database_drop,
    database_has_bench_data,
    database_recreate,
    database_vacuum_analyze,
    summary_record,
)
from bench.common import verdict as verdict_word
from bench.public import (
    CONNECTIONS,
    ROOT,
    WORKERS,
    WRK,
    WRK_THREADS,
    Run,
    bench_environment,
    free_port,
    gunicorn_start,
    gunicorn_stop,
    manage,
    parse_wrk,
    status_of,
    wait_until_serving,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_writes"
DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/15"
SCALE = 10
TARGET_WRITE_SHARE = 0.80
TARGET_P99_MS = 100.0
TARGET_HIT_SHARE = 0.80
ANSWER_RATES = (0.0, 0.2, 1.0, 5.0)
MEETING_EDIT_RATE = 1.0
MEASURED_NETWORKS = 2

ROTATE_LUA = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


@dataclass(frozen=True)
class Scenario:
    name: str
    writes: str = ""  # "answer", "meeting" or "" (none)
    rate: float = 0.0
    cache: bool = True
    bare: bool = False


SCENARIOS = [
    Scenario("bare view", bare=True),
    *(
        Scenario(f"answers {rate:g}/s" if rate else "no writes", writes="answer" if rate else "", rate=rate)
        for rate in ANSWER_RATES
    ),
    Scenario(f"meeting edits {MEETING_EDIT_RATE:g}/s", writes="meeting", rate=MEETING_EDIT_RATE),
    Scenario("cache off, no writes", cache=False),
]


# Set-up ---------------------------------------------------------------------------------

SETUP = """
import datetime, django; django.setup()
from django.db.models import Count
from django.utils import timezone
from contacts.models import Area, Institution, Membership, Network
from meetings.services import series_create
networks = list(Network.objects.annotate(n=Count('memberships')).order_by('-n', 'slug')[:12])
for network in networks:
    if network.meeting_series.exists():  # a reused database (--reuse) has them already
        continue
    series_create(network=network, title='Sitzung', rule='FREQ=MONTHLY;BYDAY=2TU',
                  first_date=timezone.localdate(), start_time=datetime.time(18, 30), duration_minutes=90,
                  address='Rathaus, Markt, 52062 Aachen')
area = Area.objects.filter(level=Area.Level.SOCIAL_AREA).annotate(n=Count('networks')).order_by('-n', 'slug').first()
institution = Institution.objects.annotate(n=Count('memberships')).order_by('-n', 'slug').first()
print(' '.join(network.slug for network in networks), area.slug, institution.slug)
"""


def prepare(env: dict[str, str]) -> tuple[list[str], list[str]]:
    """Meetings for the twelve busiest networks; the ten URLs and the networks edited."""
    output = subprocess.run(
        [sys.executable, "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    *network_slugs, area_slug, institution_slug = output
    measured = network_slugs[:MEASURED_NETWORKS]
    urls = [
        "/",
        "/netzwerke/",
        *(f"/netzwerke/{slug}/" for slug in measured),
        "/gebiete/",
        f"/gebiete/{area_slug}/",
        "/einrichtungen/",
        f"/einrichtungen/{institution_slug}/",
        "/suche/?q=Einrichtung",
        "/api/v1/networks/",
    ]
    return urls, network_slugs[MEASURED_NETWORKS:]


# The writer ------------------------------------------------------------------------------


def writer(mode: str, rate: float, edited: list[str]) -> None:
    """Write through the services at ``rate`` per second until SIGTERM; print the count."""
    import django

    django.setup()
    from django.utils import timezone

    from contacts.models import Membership
    from meetings.models import Attendance, Meeting
    from meetings.services import attendance_answer, meeting_update

    stop = []
    signal.signal(signal.SIGTERM, lambda *_args: stop.append(True))
    now = timezone.now()
    if mode == "answer":
        meetings = list(Meeting.objects.filter(start__gt=now).select_related("network").order_by("start")[:40])
        members = {}
        for membership in Membership.objects.active().filter(
            network__in={meeting.network_id for meeting in meetings}, person__isnull=False
        ):
            members.setdefault(membership.network_id, []).append(membership.person)
        pairs = [(meeting, person) for meeting in meetings for person in members.get(meeting.network_id, [])[:20]]
    else:
        pairs = [(meeting, None) for meeting in Meeting.objects.filter(start__gt=now, network__slug__in=edited)[:40]]
    if not pairs:
        raise SystemExit(f"writer: nothing to write ({mode})")
    print("ready", flush=True)
    written = 0
    began = time.monotonic()
    while not stop:
        meeting, person = pairs[written % len(pairs)]
        if mode == "answer":
            answer = Attendance.Answer.YES if (written // len(pairs)) % 2 == 0 else Attendance.Answer.NO
            attendance_answer(meeting=meeting, person=person, answer=answer)
        else:
            meeting_update(meeting=meeting, title=f"Sitzung {written}")
        written += 1
        pause = began + written / rate - time.monotonic()
        if pause > 0:
            time.sleep(pause)
    print(f"{written / (time.monotonic() - began):.2f}")


def writer_start(env: dict[str, str], scenario: Scenario, edited: list[str]) -> subprocess.Popen | None:
    if not scenario.writes:
        return None
    command = [sys.executable, "-m", "bench.writes", "--writer", scenario.writes, "--rate", str(scenario.rate)]
    command += ["--edit", ",".join(edited)]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    # The load starts once the writer writes: its start-up (django.setup) is not load.
    if process.stdout.readline().strip() != "ready":
        raise SystemExit(f"the writer ({scenario.name}) stopped with exit status {process.wait()}")
    return process


def writer_stop(process: subprocess.Popen | None) -> float | None:
    """Stop the writer by its pid; the rate it achieved."""
    if process is None:
        return None
    os.kill(process.pid, signal.SIGTERM)
    output, _error = process.communicate(timeout=60)
    return float(output.strip() or "nan")


# Load -----------------------------------------------------------------------------------


def wrk_rotating(base: str, script: str, seconds: int) -> Run:
    command = [WRK, f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout=10s", "--latency"]
    output = subprocess.run([*command, "-s", script, base], check=True, capture_output=True, text=True).stdout
    return parse_wrk(output)


def wrk_single(url: str, seconds: int) -> Run:
    command = [WRK, f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout=10s", "--latency", url]
    return parse_wrk(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def redis_flush(cache_url: str) -> None:
    import redis

    redis.Redis.from_url(cache_url).flushdb()


# In-process probe of a hit ----------------------------------------------------------------

PROBE_REQUESTS = 300


def probe(urls: list[str]) -> None:
    """Server time of a cached hit against the bare view, through Django's WSGI handler in
    this process with the Redis cache (the noise of the load generator and of the other
    worker left out): interleaved, ``PROBE_REQUESTS`` of each; prints the medians of the
    time passed and the means of the CPU time, in ms (JSON)."""
    import json
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import RequestFactory

    handler, factory = WSGIHandler(), RequestFactory()

    def get(path: str) -> None:
        path, _, query = path.partition("?")
        environ = factory._base_environ(
            PATH_INFO=path, QUERY_STRING=query, REQUEST_METHOD="GET", HTTP_HOST="127.0.0.1", SERVER_NAME="127.0.0.1"
        )
        result = handler(environ, lambda status, headers, exc_info=None: None)
        for _chunk in result:
            pass
        result.close()

    paths = ["/bench/bare/", *urls]
    for path in paths:
        get(path)
    seconds: dict[str, list[float]] = {path: [] for path in paths}
    cpu: dict[str, list[float]] = {path: [] for path in paths}
    for _ in range(PROBE_REQUESTS // len(urls)):
        for path in urls:
            for each in ("/bench/bare/", path):
                began, began_cpu = time.perf_counter(), time.thread_time()
                get(each)
                seconds[each].append(time.perf_counter() - began)
                cpu[each].append(time.thread_time() - began_cpu)
    hits = [value for path in urls for value in seconds[path]]
    hits_cpu = [value for path in urls for value in cpu[path]]
    # The CPU time of this process beside the time that passed: on a shared machine the
    # round trip to Redis waits for Redis to get a CPU, which can take longer than the
    # whole bare view; the CPU time shows what the hit itself costs.
    print(
        json.dumps(
            {
                "bare": statistics.median(seconds["/bench/bare/"]) * 1000,
                "hit": statistics.median(hits) * 1000,
                "bare_cpu": statistics.mean(cpu["/bench/bare/"]) * 1000,
                "hit_cpu": statistics.mean(hits_cpu) * 1000,
            }
        )
    )


def probe_run(env: dict[str, str], urls: list[str]) -> dict[str, float]:
    import json

    command = [sys.executable, "-m", "bench.writes", "--probe", " ".join(urls)]
    output = subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


# Report ---------------------------------------------------------------------------------


def report(
    results: dict[Scenario, list[Run]], achieved: dict[Scenario, list[float]], rounds: int, probes: list[dict]
) -> None:
    def median(scenario: Scenario, field: str) -> float:
        return statistics.median(getattr(run, field) for run in results[scenario])

    bare = next(scenario for scenario in results if scenario.bare)
    quiet = next(scenario for scenario in results if scenario.cache and not scenario.writes and not scenario.bare)
    bare_rate = median(bare, "requests_per_second")
    quiet_rate = median(quiet, "requests_per_second")
    print()
    header = (
        f"{'public pages under writes':<26} {'writes/s':>8} {'reads/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'of bare':>8} {'of none':>8}  target"
    )
    print(header)
    print("-" * len(header))
    for scenario in results:
        rate = median(scenario, "requests_per_second")
        p50, p99 = median(scenario, "p50_ms"), median(scenario, "p99_ms")
        writes = f"{statistics.median(achieved[scenario]):.2f}" if achieved.get(scenario) else "—"
        errors = sum(run.errors for run in results[scenario])
        if scenario.bare:
            verdict = "baseline"
        elif scenario is quiet:
            ok = rate >= TARGET_HIT_SHARE * bare_rate
            verdict = f"cached hits ≥ {TARGET_HIT_SHARE:.0%} of bare: {'PASS' if ok else 'FAIL'}"
            summary_record(
                f"{scenario.name}: cached hits",
                f"{rate / bare_rate:.0%} of bare",
                f"≥ {TARGET_HIT_SHARE:.0%}",
                verdict_word(ok),
            )
        elif scenario.writes == "answer" and scenario.rate == max(ANSWER_RATES):
            share_ok = rate >= TARGET_WRITE_SHARE * quiet_rate
            p99_ok = p99 < TARGET_P99_MS
            verdict = (
                f"≥ {TARGET_WRITE_SHARE:.0%} of none: {'PASS' if share_ok else 'FAIL'}, "
                f"p99 < {TARGET_P99_MS:.0f} ms: {'PASS' if p99_ok else 'FAIL'}"
            )
            summary_record(
                f"{scenario.name}: reads",
                f"{rate / quiet_rate:.0%} of none, p99 {p99:.0f} ms",
                f"≥ {TARGET_WRITE_SHARE:.0%}, p99 < {TARGET_P99_MS:.0f} ms",
                verdict_word(share_ok and p99_ok),
            )
        else:
            verdict = "reported"
        if errors:
            verdict += f" ({errors} errors)"
        print(
            f"{scenario.name:<26} {writes:>8} {rate:>8.0f} {p50:>8.1f} {p99:>8.1f} "
            f"{rate / bare_rate:>8.0%} {rate / quiet_rate:>8.0%}  {verdict}"
        )
    bare_ms = statistics.median(probe["bare"] for probe in probes)
    hit_ms = statistics.median(probe["hit"] for probe in probes)
    bare_cpu_ms = statistics.median(probe["bare_cpu"] for probe in probes)
    hit_cpu_ms = statistics.median(probe["hit_cpu"] for probe in probes)
    ok = bare_ms / hit_ms >= TARGET_HIT_SHARE
    summary_record(
        "cached hit, in-process", f"{bare_ms / hit_ms:.0%} of bare", f"≥ {TARGET_HIT_SHARE:.0%}", verdict_word(ok)
    )
    print(
        f"{'cached hit, in-process':<26} {'—':>8} {1000 / hit_ms:>8.0f} {hit_ms:>8.2f} {'':>8} "
        f"{bare_ms / hit_ms:>8.0%} {'':>8}  server time of a hit vs the bare view ({bare_ms:.2f} ms): "
        f"≥ {TARGET_HIT_SHARE:.0%}: {'PASS' if ok else 'FAIL'}"
    )
    print(
        f"{'cached hit, CPU time':<26} {'—':>8} {1000 / hit_cpu_ms:>8.0f} {hit_cpu_ms:>8.2f} {'':>8} "
        f"{bare_cpu_ms / hit_cpu_ms:>8.0%} {'':>8}  the same in CPU time of the process (bare view "
        f"{bare_cpu_ms:.2f} ms; mean), without the wait for Redis: reported"
    )
    print(
        f"\nmedians of {rounds} round(s); Redis cache; wrk {WRK_THREADS} threads, {CONNECTIONS} connections "
        f"rotating over ten public URLs; gunicorn {WORKERS} sync workers; bench_data --scale {SCALE}; "
        f"{os.cpu_count()} CPUs shared by wrk, gunicorn, the writer, PostgreSQL and Redis"
    )


# Main -----------------------------------------------------------------------------------


def run(*, database_url: str, cache_url: str, duration: int, rounds: int, warmup: int, reuse: bool) -> None:
    env = {**bench_environment(database_url), "CACHE_URL": cache_url}
    env_off = {**bench_environment(database_url, public_cache=False), "CACHE_URL": cache_url}
    started = time.perf_counter()
    redis_flush(cache_url)
    if reuse and database_has_bench_data(database_url):
        urls, edited = prepare(env)
    else:
        database_recreate(database_url)
        manage(env, "migrate", "--verbosity=0")
        manage(env, "bench_data", f"--scale={SCALE}")
        urls, edited = prepare(env)
        database_vacuum_analyze(database_url)
    print(f"database ready in {time.perf_counter() - started:.0f} s; URLs: {' '.join(urls)}")
    port, port_off = free_port(), free_port()
    base, base_off = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port_off}"
    servers = [gunicorn_start(env, port), gunicorn_start(env_off, port_off)]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(ROTATE_LUA % ", ".join(f'"{url}"' for url in urls))
    try:
        wait_until_serving(base, servers[0])
        wait_until_serving(base_off, servers[1])
        for url in urls:
            status = status_of(base + url)
            if status != 200:
                raise SystemExit(f"{url}: HTTP {status}")
        wrk_rotating(base, script.name, warmup)
        results: dict[Scenario, list[Run]] = {scenario: [] for scenario in SCENARIOS}
        achieved: dict[Scenario, list[float]] = {scenario: [] for scenario in SCENARIOS}
        probes = []
        for number in range(rounds):
            probes.append(probe_run(env, urls))
            for scenario in SCENARIOS:
                if scenario.bare:
                    result = wrk_single(base + "/bench/bare/", duration)
                else:
                    process = writer_start(env, scenario, edited)
                    result = wrk_rotating(base if scenario.cache else base_off, script.name, duration)
                    rate = writer_stop(process)
                    if rate is not None:
                        achieved[scenario].append(rate)
                results[scenario].append(result)
                print(
                    f"round {number + 1}: {scenario.name:<26} {result.requests_per_second:>8.0f} req/s  "
                    f"p50 {result.p50_ms:.1f} ms  p99 {result.p99_ms:.1f} ms"
                )
        report(results, achieved, rounds, probes)
    finally:
        for server in servers:
            gunicorn_stop(server)
        Path(script.name).unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.writes", description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per scenario and round (10)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over all scenarios (3)")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of load before measuring (5)")
    parser.add_argument("--reuse", action="store_true", help="use the bench database as it is if it holds data")
    parser.add_argument("--keep", action="store_true", help="leave the bench database in place")
    parser.add_argument("--writer", choices=["answer", "meeting"], help=argparse.SUPPRESS)
    parser.add_argument("--rate", type=float, default=1.0, help=argparse.SUPPRESS)
    parser.add_argument("--edit", default="", help=argparse.SUPPRESS)
    parser.add_argument("--probe", help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=int, default=SCALE, help=argparse.SUPPRESS)  # `python -m bench` passes it
    options = parser.parse_args(argv)
    if options.probe:
        probe(options.probe.split())
        return 0
    if options.writer:
        writer(options.writer, options.rate, options.edit.split(","))
        return 0
    if not Path(WRK).exists():
        print(f"{WRK} is missing (apt-get install wrk)")
        return 0
    database_url = os.environ.get("BENCH_WRITES_DATABASE_URL", DEFAULT_DATABASE_URL)
    cache_url = os.environ.get("BENCH_CACHE_URL", DEFAULT_CACHE_URL)
    os.environ.update({**bench_environment(database_url), "CACHE_URL": cache_url})
    try:
        run(
            database_url=database_url,
            cache_url=cache_url,
            duration=options.duration,
            rounds=options.rounds,
            warmup=options.warmup,
            reuse=options.reuse,
        )
    finally:
        if options.keep or options.reuse:
            print(f"bench database kept: {database_url}")
        else:
            database_drop(database_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
