"""A finished import in the demo: the Aachen-Nord conference's member list, taken over
three days before the seed runs, with the mistakes such lists have (a broken address, a
near-duplicate of an institution already in the directory) — so staff find a real report
under „Import“. Made through the import services, as staff would make it."""

import datetime
import io

from django.utils import timezone

from contacts.models import ImportRun, InstitutionType
from contacts.services.imports import import_execute, import_mapping_set, import_start, import_upload
from netzwerk.demo.directory import PLANNER, Directory
from netzwerk.demo.sync import SeedReport

FILE_NAME = "Mitgliederliste STK Aachen-Nord (Demo).xlsx"
NETWORK = "stk-aachen-nord"
HEADER = ["Einrichtung", "Art", "Ansprechpartner*in", "E-Mail", "Telefon", "Straße", "PLZ"]
# Invented people (example.org) at invented institutions; phone numbers left empty.
ROWS = [
    [
        "Bürgerverein Nordlicht e. V.",
        "Bürgerverein",
        "Frau Heike Sommerfeld",
        "heike.sommerfeld@example.org",
        "",
        "Jülicher Straße 181",
        "52070",
    ],
    ["Kita Regenbogenland", "Kita", "", "kita.regenbogenland@example.org", "", "Feldstraße 70", "52070"],
    ["Kita Regenbogenland", "Kita", "Timo Beispielmann", "timo.beispielmann@example.org", "", "Feldstraße 70", "52070"],
    ["Kita Regenbogenland", "Kita", "Sara Musterfrau", "sara.musterfrau@example.org", "", "Feldstraße 70", "52070"],
    [
        "OGS Pusteblume Nord",
        "Offene Ganztagsschule (OGS)",
        "Lena Probst",
        "lena.probst@example.org",
        "",
        "Feldstraße 68",
        "52070",
    ],
    [
        "Nachbarschaftstreff Lichtblick",
        "Bürgerverein",
        "Jonas Probe",
        "jonas.probe(at)example.org",
        "",
        "Talbotstraße 7",
        "52070",
    ],
]
IMPORTED_DAYS_AGO = 3


def _workbook() -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Mitgliederliste Stadtteilkonferenz Aachen-Nord"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def import_seed(report: SeedReport, directory: Directory, *, now: datetime.datetime) -> None:
    """Import the demo list once (a demo import that exists is kept). Side effects: one
    finished ``ImportRun``; the institutions, people and memberships it brings (demo data)."""
    if ImportRun.objects.filter(is_demo=True).exists():
        return
    network = directory.networks[NETWORK]
    run = import_upload(
        file_name=FILE_NAME,
        data=_workbook(),
        network=network,
        created_by=directory.users[PLANNER.email],
        is_demo=True,
    )
    run = import_mapping_set(
        run=run, mapping=run.mapping, default_type=InstitutionType.objects.filter(name="Bürgerverein").first()
    )
    import_start(run=run, mode=ImportRun.Mode.VALID)
    run = import_execute(run_id=run.pk)
    moment = now - datetime.timedelta(days=IMPORTED_DAYS_AGO)
    ImportRun.objects.filter(pk=run.pk).update(
        created_at=moment,
        started_at=moment,
        finished_at=moment + datetime.timedelta(seconds=2),
        updated_at=timezone.now(),
    )
    report.created["ImportRun"] += 1
