"""What keeping a history costs series planning: ``python -m bench.history``.

Creates 100 series with 12 months of occurrences each (the rules of ``bench.meetings``,
about 2,000 meetings), each ``series_create`` in its own transaction as speakers plan
them, then confirms every series (``series_confirm``: an UPDATE of all its future
meetings), once with django-simple-history recording every version (one historical row
per meeting, written in bulk) and once with ``SIMPLE_HISTORY_ENABLED=False`` as the
baseline, in the same run, on its own PostgreSQL database (``BENCH_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/netzwerk_bench_history``). Medians of several runs.
A benchmark is not a test: the exit status is 0.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

from bench.common import configure_environment, database_drop, database_recreate, measure, row
from bench.meetings import TODAY, clear, networks_create, series_plan

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/netzwerk_bench_history"
SERIES = 100
RUNS = 5


def run() -> None:
    import django

    started = time.perf_counter()
    django.setup()
    from django.core.management import call_command
    from django.test import override_settings

    from meetings.models import Meeting, MeetingSeries
    from meetings.services import series_confirm, series_create

    call_command("migrate", verbosity=0, interactive=False)
    plan = series_plan(networks_create())[:SERIES]

    def clear_all() -> None:
        clear()
        Meeting.history.all().delete()
        MeetingSeries.history.all().delete()

    def create() -> None:
        for arguments in plan:
            series_create(**arguments, today=TODAY)

    def confirm() -> None:
        for series in MeetingSeries.objects.all():
            series_confirm(series=series, now=None)

    def created_fresh() -> None:
        clear_all()
        create()

    samples = {}
    for label, enabled in (("without history", False), ("with history", True)):
        with override_settings(SIMPLE_HISTORY_ENABLED=enabled):
            samples[("create", label)] = measure(create, RUNS, before=clear_all)
            meetings = Meeting.objects.count()
            versions = Meeting.history.count()
            samples[("confirm", label)] = measure(confirm, RUNS, before=created_fresh)
        print(f"  {label}: {meetings} meetings, {versions} meeting versions after one create", flush=True)
    clear_all()

    print()
    print("=" * 118)
    print(
        f"History cost — {SERIES} series, 12 months each; "
        f"Python {platform.python_version()}, Django {django.get_version()}"
    )
    print("-" * 118)
    print(f"{'measure':<36} {'runs':>4} {'median':>14} {'min–max (ms)':>22} {'ratio':>10}")
    for step in ("create", "confirm"):
        base = samples[(step, "without history")]
        for label in ("without history", "with history"):
            sample = samples[(step, label)]
            row(f"{step} {SERIES} series, {label}", sample, ratio=f"{sample.median_ms / base.median_ms:.2f}×")
    print(f"Total time {time.perf_counter() - started:.0f} s")
    print("=" * 118)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.history", description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="leave the bench database in place")
    options = parser.parse_args(argv)
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    print(f"bench.history: creating database {database_url.rsplit('/', 1)[-1]} …", flush=True)
    database_recreate(database_url)
    configure_environment(database_url)
    try:
        run()
    finally:
        if options.keep:
            print(f"bench database kept: {database_url}")
        else:
            database_drop(database_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
