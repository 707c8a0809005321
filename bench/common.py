"""What every benchmark under ``bench/`` shares: the bench database, the environment it
runs in, timing samples and the printed table. Machines are noisy: every figure is a
median of several runs, compared with a baseline measured in the same run."""

from __future__ import annotations

import os
import statistics
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
    if sample is not None:
        runs = str(len(sample.seconds))
        value = f"{sample.median_ms:10.2f} ms"
        spread = f"{sample.min_ms:.2f}–{sample.max_ms:.2f}"
    else:
        runs, spread = "", ""
    print(f"{label:<36} {runs:>4} {value:>14} {spread:>22} {ratio:>10}  {target:<22} {verdict}")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"
