"""What every benchmark under ``bench/`` shares: the bench database, the environment it
runs in, timing samples and the printed table. Machines are noisy: every figure is a
median of several runs, compared with a baseline measured in the same run."""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit


def configure_environment(database_url: str) -> None:
    """Point the settings at the bench database before ``django.setup()``.

    The cache is the embedded locmem one, whatever the shell says: a CACHE_URL pointing
    at Redis would share (and clear) a cache other processes use.
    """
    os.environ["DJANGO_SETTINGS_MODULE"] = "netzwerk.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["DJANGO_SECRET_KEY"] = "bench-only-not-secret"
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["CACHE_URL"] = "locmemcache://netzwerk-bench?max_entries=200000"
    # A persistent connection, as a production worker keeps one: the time to open a
    # connection is not the cost being measured (bench.feeds shows it separately for the 304).
    os.environ["DJANGO_CONN_MAX_AGE"] = "600"
    os.environ["DJANGO_LOG_LEVEL"] = "WARNING"


def _maintenance_url(database_url: str) -> tuple[str, str]:
    """The URL of the server's ``postgres`` database, and the bench database's name."""
    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if not name or "bench" not in name:
        # This script drops the database it is given: only ever one named for benchmarks.
        raise SystemExit(f"BENCH_DATABASE_URL must name a database containing 'bench', not {name!r}")
    return urlunsplit(parts._replace(path="/postgres")), name


def database_recreate(database_url: str) -> None:
    import psycopg
    from psycopg import sql

    url, name = _maintenance_url(database_url)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def database_vacuum_analyze(database_url: str) -> None:
    """VACUUM ANALYZE the bench database after its bulk load.

    A bulk write and a bulk UPDATE leave dead index entries, no heap page marked
    all-visible (so no index-only scan) and planner statistics that describe an empty
    table: PostgreSQL then misjudges its indexes (the search's expression indexes, the
    feed's covering index) and scans. On a live database autovacuum cleans all of it up
    within a minute or so of such a load; without this the benchmark would measure the
    aftermath of its own set-up."""
    import psycopg

    _maintenance_url(database_url)
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def database_has_bench_data(database_url: str) -> bool:
    """Whether the bench database holds bench data and meetings (``--reuse`` takes it as
    it is then)."""
    import psycopg

    try:
        with psycopg.connect(database_url, autocommit=True) as connection:
            row = connection.execute(
                "SELECT to_regclass('meetings_meeting') IS NOT NULL AND EXISTS (SELECT 1 FROM contacts_network)"
            ).fetchone()
            if not row[0]:
                return False
            return connection.execute("SELECT EXISTS (SELECT 1 FROM meetings_meeting)").fetchone()[0]
    except psycopg.Error:
        return False


def database_drop(database_url: str) -> None:
    import psycopg
    from django.db import connections
    from psycopg import sql

    connections.close_all()
    url, name = _maintenance_url(database_url)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@dataclass(frozen=True)
class Sample:
    """Timings (seconds) of one scenario."""

    seconds: list[float]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    @property
    def min_ms(self) -> float:
        return min(self.seconds) * 1000

    @property
    def max_ms(self) -> float:
        return max(self.seconds) * 1000


def measure(call: Callable[[], object], runs: int, *, before: Callable[[], object] | None = None) -> Sample:
    seconds = []
    for _ in range(runs):
        if before is not None:
            before()
        began = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - began)
    return Sample(seconds)


def row(label: str, sample: Sample | None, *, value: str = "", ratio: str = "", target: str = "", verdict: str = ""):
    if verdict:
        figure = f"{sample.median_ms:.2f} ms" if sample is not None else value.strip()
        summary_record(label.strip(), " ".join(part for part in (figure, ratio.strip()) if part), target, verdict)
    if sample is not None:
        runs = str(len(sample.seconds))
        value = f"{sample.median_ms:10.2f} ms"
        spread = f"{sample.min_ms:.2f}–{sample.max_ms:.2f}"
    else:
        runs, spread = "", ""
    print(f"{label:<36} {runs:>4} {value:>14} {spread:>22} {ratio:>10}  {target:<22} {verdict}")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


# Issue 16: at ten times Aachen's size no page takes more than twice its time at scale 1.
TARGET_GROWTH = 2.0


def scaled_report(
    samples: dict[tuple[str, int], list[float]],
    queries: dict[tuple[str, int], int],
    targets: list,
    *,
    title: str,
    note: str,
    scales: tuple[int, int] = (1, 10),
    growth_target: float = TARGET_GROWTH,
) -> None:
    """The table of bench.pages and bench.speaker: each page at both scales, as a multiple
    of the minimal page of the same scale and as growth from the small to the large scale.
    ``targets`` have ``name``, ``kind`` ("baseline" or else), ``key`` and ``multiple``, and
    may name the key of another baseline than the minimal page (``baseline``)."""

    def median_ms(key: str, scale: int) -> float:
        return statistics.median(samples[key, scale]) * 1000

    small, large = scales
    header = (
        f"{title:<28} {'queries':>9} {'scale 1':>9} {'÷ min':>7} {'scale 10':>9} {'÷ min':>7} {'growth':>7}  verdict"
    )
    print()
    print(header)
    print("-" * len(header))
    for target in targets:
        ms = {scale: median_ms(target.key, scale) for scale in scales}
        baseline = getattr(target, "baseline", "minimal")
        minimal = {scale: median_ms(baseline, scale) for scale in scales}
        floor = "min" if baseline == "minimal" else f"{baseline}"
        count = f"{queries[target.key, small]}/{queries[target.key, large]}"
        growth = ms[large] / ms[small]
        if target.kind == "baseline":
            multiples = ["", ""]
            verdict = "baseline"
        else:
            multiples = [f"{ms[scale] / minimal[scale]:.1f}×" for scale in scales]
            fast = ms[small] / minimal[small] <= target.multiple
            flat = growth <= growth_target
            verdict = (
                f"{'ok' if fast else 'MISSED'} ≤ {target.multiple:.0f}× {floor}, "
                f"{'ok' if flat else 'MISSED'} growth ≤ {growth_target:.0f}×"
            )
            summary_record(
                target.name,
                f"{multiples[0]} {floor}, growth {growth:.2f}×",
                f"≤ {target.multiple:.0f}× {floor}, growth ≤ {growth_target:.0f}×",
                "ok" if fast and flat else "MISSED",
            )
        print(
            f"{target.name:<28} {count:>9} {ms[small]:>7.2f}ms {multiples[0]:>7} {ms[large]:>7.2f}ms "
            f"{multiples[1]:>7} {growth:>6.1f}×  {verdict}"
        )
    runs = len(samples["bare", small])
    print(f"\nmedians of {runs} requests per page and scale, interleaved; queries at scale 1/10; {note}")


# The one table ----------------------------------------------------------------------------
# ``python -m bench`` runs every benchmark in a process of its own and names a file in
# BENCH_SUMMARY; each benchmark appends there every figure it gives a verdict, and the
# runner prints them all at the end in one table, so one command gives the whole picture.

SUMMARY_VARIABLE = "BENCH_SUMMARY"


def summary_record(measure: str, figure: str, target: str, verdict: str) -> None:
    """Note one verdict of this benchmark for the runner's table (nothing without a runner)."""
    path = os.environ.get(SUMMARY_VARIABLE)
    if not path:
        return
    main = sys.modules["__main__"]
    benchmark = getattr(getattr(main, "__spec__", None), "name", None) or os.path.basename(sys.argv[0])
    entry = {"benchmark": benchmark, "measure": measure, "figure": figure, "target": target, "verdict": verdict}
    with open(path, "a", encoding="utf-8") as summary:
        summary.write(json.dumps(entry, ensure_ascii=False) + "\n")


def summary_print(path: str) -> None:
    """The table of every verdict the benchmarks of this run noted."""
    try:
        with open(path, encoding="utf-8") as summary:
            entries = [json.loads(line) for line in summary if line.strip()]
    except FileNotFoundError:
        entries = []
    if not entries:
        return
    header = f"{'benchmark':<20} {'measure':<44} {'figure':<26} {'target':<30} verdict"
    print()
    print("All verdicts of this run")
    print(header)
    print("-" * len(header))
    for entry in entries:
        print(
            f"{entry['benchmark']:<20} {entry['measure'][:44]:<44} {entry['figure'][:26]:<26} "
            f"{entry['target'][:30]:<30} {entry['verdict']}"
        )
    missed = [entry for entry in entries if "MISSED" in entry["verdict"] or "FAIL" in entry["verdict"]]
    print(f"{len(entries) - len(missed)} of {len(entries)} met" + (f"; missed: {len(missed)}" if missed else ""))
