"""The street index: the CSV import (report with line numbers, all-or-nothing unless the
valid rows are chosen explicitly), the admin upload page and ``import_streets``."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from contacts.models import Street
from contacts.services import StreetImportMode, street_index_import
from tests.factories import LivingAreaFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = "Straße;Hausnummer von;Hausnummer bis;Seite;PLZ;Lebensraum\r\n"


@pytest.fixture
def rothe_erde():
    return LivingAreaFactory(code="341", name="Rothe Erde", slug="lebensraum-341")


@pytest.fixture
def forst():
    return LivingAreaFactory(code="371", name="Forst", slug="lebensraum-371")


def csv_bytes(*rows: str, bom: bool = True) -> bytes:
    text = HEADER + "".join(row + "\r\n" for row in rows)
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def problems(report) -> list[tuple[int, str]]:
    return [(problem.line, problem.message) for problem in report.problems]


def test_street_import_reads_excel_utf8_with_bom_and_semicolons(rothe_erde, forst):
    data = csv_bytes("Reichsweg;;;;52068;341", "Trierer Straße;300;699;alle;52078;Forst")

    report = street_index_import(file=data, mode=StreetImportMode.REPLACE)

    assert report.problems == []
    assert report.created == 2
    assert sorted(Street.objects.values_list("name", "area__code", "search_name")) == [
        ("Reichsweg", "341", "reichsweg"),
        ("Trierer Straße", "371", "trierer strase"),
    ]


def test_street_import_reports_every_broken_row_with_its_line_and_writes_nothing(rothe_erde):
    data = csv_bytes(
        "Reichsweg;;;;52068;341",
        ";;;;52068;341",
        "Trierer Straße;300;200;;;341",
        "Pontstraße;;;;;999",
        "Jülicher Straße;12a;20;;;341",
        "Dammstraße;1;9;links;;341",
        "Reichsweg;;;;52068;341",
        "Peterstraße;;;",
    )

    report = street_index_import(file=data, mode=StreetImportMode.REPLACE)

    assert problems(report) == [
        (3, "Der Straßenname fehlt."),
        (4, "Der Hausnummernbereich 300–200 ist verkehrt herum („bis“ ist kleiner als „von“)."),
        (5, "Den Lebensraum „999“ gibt es nicht; bitte Nummer oder Namen eines Lebensraums angeben."),
        (6, "Hausnummer von „12a“ ist keine Hausnummer (nur Ziffern, ohne Zusatz wie „a“)."),
        (7, "Die Seite „links“ ist unbekannt; erlaubt sind „alle“, „gerade“ und „ungerade“."),
        (8, "Dieselbe Straße mit denselben Hausnummern steht schon in Zeile 2."),
        (9, "4 statt 6 Spalten. Fehlt ein Trennzeichen „;“ oder steht eines zu viel?"),
    ]
    assert report.written is False
    assert Street.objects.count() == 0


def test_street_import_with_valid_rows_chosen_writes_only_those(rothe_erde):
    data = csv_bytes("Reichsweg;;;;52068;341", "Pontstraße;;;;;999")

    report = street_index_import(file=data, mode=StreetImportMode.REPLACE, import_valid_rows=True)

    assert problems(report) == [
        (3, "Den Lebensraum „999“ gibt es nicht; bitte Nummer oder Namen eines Lebensraums angeben.")
    ]
    assert report.written is True
    assert list(Street.objects.values_list("name", flat=True)) == ["Reichsweg"]


def test_street_import_replace_deletes_old_rows_and_add_keeps_them(rothe_erde, forst):
    street_index_import(file=csv_bytes("Reichsweg;;;;52068;341"), mode=StreetImportMode.REPLACE)

    added = street_index_import(
        file=csv_bytes("Reichsweg;;;;52068;371", "Forster Linde;;;;52078;371"), mode=StreetImportMode.ADD
    )
    after_add = sorted(Street.objects.values_list("name", "area__code"))
    replaced = street_index_import(file=csv_bytes("Forster Linde;;;;52078;371"), mode=StreetImportMode.REPLACE)

    assert (added.created, added.updated, added.deleted) == (1, 1, 0)
    assert after_add == [("Forster Linde", "371"), ("Reichsweg", "371")]
    assert (replaced.created, replaced.deleted) == (1, 2)
    assert list(Street.objects.values_list("name", flat=True)) == ["Forster Linde"]


def test_street_import_rejects_a_file_that_is_not_utf8(rothe_erde):
    data = HEADER.encode() + "Jülicher Straße;;;;;341\r\n".encode("cp1252")

    report = street_index_import(file=data, mode=StreetImportMode.REPLACE, import_valid_rows=True)

    assert [line for line, _ in problems(report)] == [2]
    assert "nicht UTF-8-kodiert" in report.problems[0].message
    assert Street.objects.count() == 0


def test_street_import_rejects_a_tab_separated_file(rothe_erde):
    data = "Straße\tLebensraum\r\nReichsweg\t341\r\n".encode()

    report = street_index_import(file=data, mode=StreetImportMode.REPLACE, import_valid_rows=True)

    assert [line for line, _ in problems(report)] == [1]
    assert "nicht durch Semikolon getrennt" in report.problems[0].message
    assert Street.objects.count() == 0


def test_street_import_of_a_header_only_file_never_empties_the_index(rothe_erde):
    street_index_import(file=csv_bytes("Reichsweg;;;;52068;341"), mode=StreetImportMode.REPLACE)

    report = street_index_import(file=csv_bytes(), mode=StreetImportMode.REPLACE, import_valid_rows=True)

    assert problems(report) == [(2, "Die Datei enthält keine Straßen, nur die Kopfzeile.")]
    assert Street.objects.count() == 1


def test_import_streets_command_imports_and_fails_on_broken_rows(rothe_erde, tmp_path):
    good = tmp_path / "gut.csv"
    good.write_bytes(csv_bytes("Reichsweg;;;;52068;Rothe Erde"))
    bad = tmp_path / "kaputt.csv"
    bad.write_bytes(csv_bytes("Pontstraße;;;;;999"))

    call_command("import_streets", str(good), "--replace")
    with pytest.raises(CommandError, match="Nichts importiert"):
        call_command("import_streets", str(bad), "--add")

    assert list(Street.objects.values_list("name", "area__code")) == [("Reichsweg", "341")]


def test_admin_street_import_shows_the_report_and_writes_nothing(client, rothe_erde):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    upload = SimpleUploadedFile("strassen.csv", csv_bytes("Reichsweg;;;;52068;341", ";;;;;341"))

    response = client.post(reverse("admin:contacts_street_import"), {"file": upload, "mode": StreetImportMode.REPLACE})

    assert response.status_code == 400
    assert "Nichts importiert." in response.content.decode()
    assert "Der Straßenname fehlt." in response.content.decode()
    assert Street.objects.count() == 0


def test_admin_street_import_with_valid_rows_chosen_imports_them(client, rothe_erde):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    upload = SimpleUploadedFile("strassen.csv", csv_bytes("Reichsweg;;;;52068;341", ";;;;;341"))

    response = client.post(
        reverse("admin:contacts_street_import"),
        {"file": upload, "mode": StreetImportMode.ADD, "import_valid_rows": "on"},
    )

    assert response.status_code == 200
    assert list(Street.objects.values_list("name", flat=True)) == ["Reichsweg"]


def test_admin_street_import_needs_an_explicit_mode(client, rothe_erde):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    upload = SimpleUploadedFile("strassen.csv", csv_bytes("Reichsweg;;;;52068;341"))

    response = client.post(reverse("admin:contacts_street_import"), {"file": upload})

    assert response.status_code == 400
    assert Street.objects.count() == 0


def test_street_covers_its_range_and_side():
    street = Street(name="Lütticher Straße", number_from=400, number_to=598, parity=Street.Parity.EVEN)

    assert [street.covers(n) for n in (398, 400, 401, 544, 598, 600)] == [False, True, False, True, True, False]
