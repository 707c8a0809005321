"""Benchmark of series planning (issue 4, "Performance"): ``python -m bench.meetings``.

Sets up its own PostgreSQL database (``BENCH_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/netzwerk_bench_meetings``; created fresh and dropped
at the end unless ``--keep``), with 50 networks and 500 series of the rules networks use
(every 2nd Tuesday, quarterly on the first Wednesday, every 8 weeks, every 2 weeks,
weekly), and measures in one run:

1. naive — each occurrence validated and saved on its own (``full_clean()`` + ``save()``),
   as a straightforward implementation does: the baseline;
2. create — ``series_create`` for all 500 series, 12 months of occurrences each, each in its
   own transaction as 500 speakers would plan them (every commit waits for the WAL flush);
   and the same 500 in one transaction, as an import would run: the generation work alone;
3. extend — ``series_extend_horizon`` over all 500 series one month later (the daily
   beat task after a month without it: one month of new occurrences for every series);
4. extend, nothing due — the same task the next time it runs the same day.

Every figure is a median of several runs on a persistent connection; between runs the
meetings and series are deleted. Target (issue 4): create and extend each under 2 s.
A benchmark is not a test: the exit status is 0 whatever the verdicts.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import time

from bench.common import configure_environment, database_drop, database_recreate, measure, row, verdict

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/netzwerk_bench_meetings"
NETWORKS = 50
SERIES = 500
RUNS = 5
NAIVE_RUNS = 1
TARGET_SECONDS = 2.0
TODAY = datetime.date(2027, 1, 4)
RULES = [
    "FREQ=MONTHLY;BYDAY=2TU",
    "FREQ=MONTHLY;INTERVAL=3;BYDAY=1WE",
    "FREQ=WEEKLY;INTERVAL=8;BYDAY=TH",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
    "FREQ=WEEKLY;BYDAY=FR",
]


def networks_create() -> list:
    from contacts.models import Network

    return Network.objects.bulk_create(
        Network(kind=Network.Kind.NEIGHBOURHOOD_CONFERENCE, name=f"Bench-Netzwerk {number}", slug=f"bench-{number}")
        for number in range(NETWORKS)
    )


def series_plan(networks: list) -> list[dict]:
    """The arguments of the 500 series, the same in every scenario."""
    return [
        {
            "network": networks[number % NETWORKS],
            "title": f"Sitzung {number}",
            "rule": RULES[number % len(RULES)],
            "first_date": TODAY,
            "start_time": datetime.time(18, 30),
            "duration_minutes": 90,
            "address": "Musterweg 1, 52062 Aachen",
            "room": "Saal",
        }
        for number in range(SERIES)
    ]


def clear() -> None:
    from meetings.models import Meeting, MeetingSeries

    Meeting.objects.all().delete()
    MeetingSeries.objects.all().delete()


def create_all(plan: list[dict]) -> int:
    from meetings.models import Meeting
    from meetings.services import series_create

    for arguments in plan:
        series_create(**arguments, today=TODAY)
    return Meeting.objects.count()


def create_all_at_once(plan: list[dict]) -> int:
    from django.db import transaction

    with transaction.atomic():
        return create_all(plan)


def naive_create_all(plan: list[dict]) -> int:
    """Each occurrence validated and saved alone, in one transaction per series."""
    from django.db import transaction

    from meetings import recurrence
    from meetings.models import Meeting, MeetingSeries
    from meetings.services import horizon_end

    created = 0
    for arguments in plan:
        with transaction.atomic():
            series = MeetingSeries(**arguments)
            series.full_clean()
            series.save()
            for local in recurrence.local_starts(series.pattern, since=TODAY, through=horizon_end(TODAY)):
                start = recurrence.localize(local).astimezone(datetime.UTC)
                meeting = Meeting(
                    network=series.network,
                    series=series,
                    original_start=start,
                    title=series.title,
                    start=start,
                    end=start + datetime.timedelta(minutes=series.duration_minutes),
                    address=series.address,
                    room=series.room,
                )
                meeting.full_clean()
                meeting.save()
                created += 1
    return created


def run() -> None:
    import django

    started = time.perf_counter()
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from meetings.services import series_extend_horizon

    call_command("migrate", verbosity=0, interactive=False)
    networks = networks_create()
    plan = series_plan(networks)

    print("  naive …", flush=True)
    naive_counts = []
    naive = measure(lambda: naive_counts.append(naive_create_all(plan)), NAIVE_RUNS, before=clear)
    print("  create …", flush=True)
    counts = []
    create = measure(lambda: counts.append(create_all(plan)), RUNS, before=clear)
    create_at_once = measure(lambda: counts.append(create_all_at_once(plan)), RUNS, before=clear)
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        synchronous_commit = cursor.fetchone()[0]

    print("  extend …", flush=True)
    month_later = TODAY + datetime.timedelta(days=31)
    extended = []

    def fresh_series() -> None:
        clear()
        create_all(plan)

    extend = measure(lambda: extended.append(series_extend_horizon(today=month_later)), RUNS, before=fresh_series)
    idle = measure(lambda: series_extend_horizon(today=month_later), RUNS)

    base = naive.median_ms
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        database = cursor.fetchone()[0].split(" on ")[0]
    print()
    print("=" * 118)
    print(
        f"Series benchmark — {SERIES} series in {NETWORKS} networks, 12 months each; {database}, "
        f"Python {platform.python_version()}, Django {django.get_version()}"
    )
    print(f"Occurrences: created {counts[-1]} (naive {naive_counts[-1]}); one month's extension: {extended[-1]}")
    print("-" * 118)
    print(f"{'measure':<36} {'runs':>4} {'median':>14} {'min–max (ms)':>22} {'ratio':>10}  {'target':<22} verdict")
    row("1 naive (full_clean + save each)", naive, ratio="1.0×", target="baseline")
    ok_create = create_at_once.median_ms < TARGET_SECONDS * 1000
    row("2 create 500 series, 500 commits", create, ratio=f"{base / create.median_ms:.1f}×")
    row(
        "  … the same in one transaction",
        create_at_once,
        ratio=f"{base / create_at_once.median_ms:.1f}×",
        target=f"< {TARGET_SECONDS:.0f} s",
        verdict=verdict(ok_create),
    )
    ok_extend = extend.median_ms < TARGET_SECONDS * 1000
    row(
        "3 extend horizon by one month",
        extend,
        ratio=f"{base / extend.median_ms:.1f}×",
        target=f"< {TARGET_SECONDS:.0f} s",
        verdict=verdict(ok_extend),
    )
    row("4 extend again, nothing due", idle, ratio=f"{base / idle.median_ms:.0f}×")
    print("-" * 118)
    print(
        f"synchronous_commit={synchronous_commit}: the difference between the two create rows is what "
        "500 commits cost on this disk."
    )
    print(
        f"500 series with a year of occurrences: {create_at_once.median_ms / 1000:.2f} s in one transaction, "
        f"{create.median_ms / 1000:.2f} s with 500 commits (target < {TARGET_SECONDS:.0f} s, issue 16)"
    )
    print(f"Verdicts: create {verdict(ok_create)}, extend {verdict(ok_extend)}")
    print(f"Total time {time.perf_counter() - started:.0f} s")
    print("=" * 118)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.meetings", description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="leave the bench database in place")
    options = parser.parse_args(argv)
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    print(f"bench.meetings: creating database {database_url.rsplit('/', 1)[-1]} …", flush=True)
    database_recreate(database_url)
    configure_environment(database_url)
    try:
        run()
    finally:
        if options.keep:
            print(f"bench database kept: {database_url}")
        else:
            database_drop(database_url)
    # A benchmark is not a test: the verdicts are printed, the exit status stays 0.
    return 0


if __name__ == "__main__":
    sys.exit(main())
