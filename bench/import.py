"""Benchmark of the member-list import (issue 15, "Performance"): ``python -m bench.import [--keep]``.

Sets up its own PostgreSQL database (``BENCH_DATABASE_URL_IMPORT``, default
``postgres://postgres@127.0.0.1:5432/netzwerk_bench_import``; dropped and created fresh,
dropped again at the end unless ``--keep``), migrates it and loads ``bench_data --scale 1``
(a directory of Aachen's size for the rows to be matched against). Then, three times, a
new 5,000-row Excel member list (two contacts per institution, 1 % broken e-mail
addresses, some institutions that resemble existing ones) is

1. previewed: read, columns matched, every row planned against the database
   (``import_upload`` + ``import_mapping_set``, what the upload and „Vorschau“ cost);
2. imported: „gültige Zeilen importieren“ as the worker runs it (``import_start`` +
   ``import_execute``: fresh plan, chunks of 500 rows in their own transactions);
3. imported again, the same file: every row unchanged, nothing written.

Targets: preview under 10 s, import under 30 s (medians of three runs). Reading the file
alone (``table_read``) is the baseline in the same run. A benchmark is not a test: the exit
status is 0 whatever the verdicts.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import sys
import time

from bench.common import (
    Sample,
    configure_environment,
    database_drop,
    database_recreate,
    database_vacuum_analyze,
    row,
    verdict,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/netzwerk_bench_import"
ROWS = 5_000
RUNS = 3
PREVIEW_TARGET_S = 10.0
IMPORT_TARGET_S = 30.0
HEADER = ["Einrichtung", "Art", "Ansprechpartner*in", "E-Mail", "Telefon", "Straße", "PLZ", "Bemerkung"]


def member_list(rows: int, *, run: int) -> bytes:
    """An XLSX member list as a network keeps it: a title row, two contacts per institution."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([f"Mitgliederliste Bench {run}"])
    sheet.append(HEADER)
    for number in range(rows):
        place = number // 2
        email = f"kontakt{run}-{number}@example.org" if number % 100 else f"kaputt{run}-{number}"
        sheet.append(
            [
                f"Einrichtung {run}-{place}",
                "Kita" if place % 3 else "Familienzentrum",
                f"Vorname{number} Nachname{run}x{number}",
                email,
                f"0241 {400000 + number}",
                f"Benchweg {place % 300 + 1}",
                f"520{62 + place % 30:02d}",
                "aus der Bench-Liste" if number % 7 == 0 else "",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(*, database_url: str, rows: int, runs: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from contacts.models import ImportRun, Network
    from contacts.services.imports import import_execute, import_mapping_set, import_start, import_upload
    from contacts.services.tables import table_read

    started = time.perf_counter()
    database_recreate(database_url)
    call_command("migrate", verbosity=0)
    call_command("bench_data", scale=1, verbosity=0)
    database_vacuum_analyze(database_url)
    print(f"database ready in {time.perf_counter() - started:.0f} s")
    network = Network.objects.order_by("pk").first()
    reads, previews, imports, agains = [], [], [], []
    results = []
    for number in range(runs):
        data = member_list(rows, run=number)
        began = time.perf_counter()
        table_read(data)
        reads.append(time.perf_counter() - began)

        began = time.perf_counter()
        upload = import_upload(file_name=f"bench-{number}.xlsx", data=data, network=network, created_by=None)
        upload = import_mapping_set(run=upload, mapping=upload.mapping)
        previews.append(time.perf_counter() - began)

        began = time.perf_counter()
        import_start(run=upload, mode=ImportRun.Mode.VALID)
        done = import_execute(run_id=upload.pk)
        imports.append(time.perf_counter() - began)
        results.append(done.result["rows"])

        again = import_upload(file_name=f"bench-{number}.xlsx", data=data, network=network, created_by=None)
        again = import_mapping_set(run=again, mapping=again.mapping)
        began = time.perf_counter()
        import_start(run=again, mode=ImportRun.Mode.VALID)
        repeated = import_execute(run_id=again.pk)
        agains.append(time.perf_counter() - began)
        if set(repeated.result["rows"]) - {"unchanged", "skipped"}:
            print(f"run {number}: the second import changed something: {repeated.result['rows']}")

    print(
        f"\nImport of {rows:,} rows (XLSX), median of {runs} runs; PostgreSQL; Python {platform.python_version()}; "
        f"{os.cpu_count()} CPUs (shared)"
    )
    print(f"{'':<36} {'runs':>4} {'median':>14} {'min–max (ms)':>22} {'':>10}  {'target':<22} verdict")
    row("read the file (baseline)", Sample(reads))
    preview = Sample(previews)
    row(
        "preview (upload + plan every row)",
        preview,
        target=f"< {PREVIEW_TARGET_S:.0f} s",
        verdict=verdict(preview.median_ms < PREVIEW_TARGET_S * 1000),
    )
    imported = Sample(imports)
    row(
        "import (plan + write, chunks of 500)",
        imported,
        target=f"< {IMPORT_TARGET_S:.0f} s",
        verdict=verdict(imported.median_ms < IMPORT_TARGET_S * 1000),
    )
    row("same file again (all unchanged)", Sample(agains))
    print(f"rows per run: {results[0]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.import", description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="leave the bench database in place")
    parser.add_argument("--rows", type=int, default=ROWS, help="rows per file (5,000)")
    parser.add_argument("--runs", type=int, default=RUNS, help="runs (3)")
    options = parser.parse_args(argv)
    database_url = os.environ.get("BENCH_DATABASE_URL_IMPORT", DEFAULT_DATABASE_URL)
    configure_environment(database_url)
    try:
        run(database_url=database_url, rows=options.rows, runs=options.runs)
    finally:
        if options.keep:
            print(f"bench database kept: {database_url}")
        else:
            database_drop(database_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
