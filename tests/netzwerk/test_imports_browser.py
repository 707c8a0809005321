"""Staff import a real-looking Excel member list with mistakes and duplicates in Chromium
(issue 15): upload, correct the column mapping, read the preview, decide a duplicate,
import the valid rows, and exactly the right entries result. axe finds no WCAG 2.1 A/AA
violation on any of the pages; each page is photographed at 1280 and 375 px."""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from contacts.models import (
    ContactChannel,
    ImportRun,
    Institution,
    InstitutionCategory,
    InstitutionType,
    Membership,
    Person,
)
from tests.conftest import axe_violations
from tests.contacts.import_files import xlsx_bytes
from tests.factories import ChannelFactory, InstitutionFactory, NetworkFactory, PersonFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "ein-langes-Testpasswort"
SHOTS = Path(os.environ.get("IMPORT_SCREENSHOTS", "/tmp/import-screenshots"))
HEADER = ["Einrichtung", "Ansprechpartner*in", "E-Mail", "Rufnummer", "Straße", "PLZ"]
ROWS = [
    ["Familienzentrum Wiesental", "Anna Adler", "anna.adler@example.org", "0241 111", "Wiesenweg 3", 52068],
    ["Familienzentrum Wiesental", "Bernd Berg", "bernd.berg@example.org", "0241 112", "Wiesenweg 3", 52068],
    ["KiTa Sonnenschein e.V.", "Carla Copt", "carla@example.org", None, "Lindenstraße 7", 52070],
    ["Seniorenbegegnungsstätte Eck", "Dieter Dorn", "dieter(at)example.org", None, "Eckweg 1", 52070],
    [None, None, None, None, None, None],
    ["OT Treffpunkt", "Ute Bekannt", "ute@example.org", "0241 999", "Parkstraße 2", 52062],
    ["Familienzentrum Wiesental", "Anna Adler", "anna.adler@example.org", "0241 111", "Wiesenweg 3", 52068],
    ["Bürgerverein Nord", "Eva Eich", "eva@example.org", None, "Nordstraße 12", 5207],
]


@pytest.fixture
def setting():
    category, _ = InstitutionCategory.objects.get_or_create(name="Kinder, Jugend, Familie")
    InstitutionType.objects.get_or_create(
        slug="familienzentrum", defaults={"name": "Familienzentrum", "category": category}
    )
    kita, _ = InstitutionType.objects.get_or_create(slug="kita", defaults={"name": "Kita", "category": category})
    group, _ = Group.objects.get_or_create(name="Sozialplanung")
    user = UserFactory(email="fb56@example.org", password=PASSWORD, is_staff=True)
    user.groups.add(group)
    InstitutionFactory(
        name="Kita Sonnenschein", slug="kita-sonnenschein", type=kita, street="Lindenstraße 5", postal_code="52070"
    )
    ute = PersonFactory(given_name="Ute", family_name="Bekannt")
    ChannelFactory(person=ute, value="ute@example.org", is_primary=True)
    return NetworkFactory(name="Stadtteilkonferenz Testviertel", slug="stk-testviertel")


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def assert_accessible(page, axe_source) -> None:
    assert axe_violations(page, axe_source) == []


def test_staff_import_excel_list_with_mistakes_and_duplicates(page, axe_source, setting, tmp_path):
    network = setting
    path = tmp_path / "Mitgliederliste STK Testviertel.xlsx"
    path.write_bytes(xlsx_bytes(ROWS, header=HEADER, title="Mitgliederliste Stadtteilkonferenz Testviertel"))
    page.goto("/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill("fb56@example.org")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_load_state()

    # From the navigation: „Sozialplanung“, then „Import“ in its own menu.
    page.get_by_role("link", name="Sozialplanung", exact=True).click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Import", exact=True).click()
    page.wait_for_load_state()
    assert_accessible(page, axe_source)
    shoot(page, "1-upload")
    page.get_by_label("Datei (CSV oder Excel .xlsx)").set_input_files(str(path))
    page.get_by_label("Mitglieder des Netzwerks").select_option(label="Stadtteilkonferenz Testviertel")
    page.get_by_role("button", name="Hochladen und Spalten zuordnen").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Spalten zuordnen"
    phone = page.get_by_label("Spalte D „Rufnummer“")
    assert phone.input_value() == ""
    assert page.get_by_label("Spalte C „E-Mail“").input_value() == "email"
    phone.select_option(label="Telefon")
    page.get_by_label("Einrichtungsart, wo die Datei keine angibt").select_option(label="Familienzentrum")
    assert_accessible(page, axe_source)
    shoot(page, "2-mapping")
    page.get_by_role("button", name="Vorschau aller Zeilen").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Vorschau des Imports"
    assert page.get_by_role("button", name="alle importieren").count() == 0
    table = page.locator("table.import-preview")
    assert "dieter(at)example.org“ ist keine gültige E-Mail-Adresse" in table.inner_text()
    assert "Dieselbe Zeile steht schon in Zeile 3" in table.inner_text()
    assert "Die Postleitzahl „5207“ hat nicht fünf Ziffern" in table.inner_text()
    side_by_side = page.locator("table.side-by-side")
    assert "KiTa Sonnenschein e.V." in side_by_side.inner_text()
    assert "Kita Sonnenschein" in side_by_side.inner_text()
    assert_accessible(page, axe_source)
    shoot(page, "3-preview")
    page.get_by_label("Zeile 5: was tun?").select_option("merge")
    page.get_by_role("button", name="gültige Zeilen importieren").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Bericht des Imports"
    assert_accessible(page, axe_source)
    shoot(page, "4-report")
    assert sorted(Institution.objects.values_list("name", "street")) == [
        ("Familienzentrum Wiesental", "Wiesenweg 3"),
        ("Kita Sonnenschein", "Lindenstraße 7"),
        ("OT Treffpunkt", "Parkstraße 2"),
    ]
    assert sorted(Person.objects.values_list("family_name", flat=True)) == ["Adler", "Bekannt", "Berg", "Copt"]
    assert sorted((m.institution.name, m.person.family_name) for m in Membership.objects.filter(network=network)) == [
        ("Familienzentrum Wiesental", "Adler"),
        ("Familienzentrum Wiesental", "Berg"),
        ("Kita Sonnenschein", "Copt"),
        ("OT Treffpunkt", "Bekannt"),
    ]
    assert sorted(ContactChannel.objects.filter(person__family_name="Bekannt").values_list("value", flat=True)) == [
        "0241 999",
        "ute@example.org",
    ]
    run = ImportRun.objects.get()
    assert run.result["rows"] == {"new": 4, "skipped": 3}

    page.get_by_role("button", name="Bitte um Einwilligung per E-Mail senden").click()
    assert "Bitte um Einwilligung geplant für 4 Personen" in page.locator(".messages").inner_text()


def test_progress_page_follows_the_import_and_shows_the_report_when_done(page, live_server, setting):
    from contacts.services.imports import import_execute, import_mapping_set, import_start, import_upload
    from tests.contacts.import_files import csv_bytes, member_rows
    from tests.netzwerk.page_kinds import log_in_as

    staff = UserFactory(email="planung2@example.org")
    staff.groups.add(Group.objects.get(name="Sozialplanung"))
    run = import_upload(file_name="liste.csv", data=csv_bytes(member_rows(40)), network=setting, created_by=staff)
    run = import_mapping_set(run=run, mapping=run.mapping, default_type=InstitutionType.objects.get(slug="kita"))
    import_start(run=run, mode=ImportRun.Mode.ALL)
    blocked = []
    page.on(
        "console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None
    )
    log_in_as(page, live_server, staff)

    page.goto(f"/import/{run.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Import läuft"
    assert page.locator("#import-bar").get_attribute("value") == "0"
    import_execute(run_id=run.pk)

    page.get_by_role("heading", name="Bericht des Imports").wait_for(timeout=15_000)
    assert "Personen angelegt" in page.locator("table.import-result").inner_text()
    assert blocked == []
