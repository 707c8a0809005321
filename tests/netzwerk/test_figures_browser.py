"""The figures in a real Chromium with the demo data: a member of Sozialplanung opens
Sozialraum 5 and sees the slide's indicators beside its networks, finds on the comparison
page and the map the Lebensräume that combine high need with no network, and exports the
table. Charts present, tables readable, no WCAG 2.1 A/AA violations."""

import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

from contacts.models import User
from tests.conftest import axe_violations
from tests.netzwerk.page_kinds import log_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SOZIALRAUM_5 = "/gebiete/sozialraum-5-burtscheid-frankenberg/"


@pytest.fixture
def demo():
    # An earlier transactional test emptied the tables and with them the migrations' vocabulary.
    importlib.import_module("contacts.migrations.0002_vocabulary").load_vocabulary(apps, None)
    call_command("seed_demo", "--no-calendar", stdout=None)


def facts(page, indicator: str) -> dict[str, str]:
    section = page.locator("section.area-figure", has=page.get_by_role("heading", name=re.compile(indicator)))
    terms = section.locator("dl.facts dt").all_inner_texts()
    values = section.locator("dl.facts dd").all_inner_texts()
    return dict(zip(terms, values, strict=True))


def test_sozialraum_5_shows_the_slides_figures_beside_its_networks(page, axe_source, demo):
    page.goto(SOZIALRAUM_5)

    headings = page.locator("main h2, main h3").all_inner_texts()
    unemployment = facts(page, "Arbeitslosenquote")
    poverty = facts(page, "Kinderarmut")
    foreigners = facts(page, "Ausländeranteil")
    networks = page.locator("#netzwerke ~ div table tbody th").all_inner_texts()

    assert headings.index("Netzwerke für dieses Gebiet") < headings.index("Kennzahlen")
    assert "Stadtteilkonferenz Burtscheid" in networks
    assert headings[headings.index("Kennzahlen") + 1 :][:3] == [
        "Arbeitslosenquote 2011",
        "Kinderarmut 2011",
        "Ausländeranteil 2011",
    ]
    assert unemployment["Burtscheid / Frankenberg"] == "4,3 % (belegt)"
    assert unemployment["Spanne in Burtscheid / Frankenberg"] == "1,6 % (Beverau) bis 6,1 % (Frankenberg)"
    assert poverty["Burtscheid / Frankenberg"] == "11,3 % (belegt)"
    assert poverty["Spanne in Burtscheid / Frankenberg"] == "5,0 % (Beverau) bis 17,9 % (Frankenberg)"
    assert foreigners["Burtscheid / Frankenberg"] == "8,7 % (belegt)"
    assert foreigners["Spanne in Burtscheid / Frankenberg"] == "4,0 % (Beverau) bis 12,5 % (Frankenberg)"
    assert "Sozialentwicklungsplan Aachen / FB 56, Folien 2011" in unemployment["Quelle"]
    # Charts present, each with its readable table beside it.
    assert page.locator("svg.chart[role=img]").count() == 6
    assert page.locator("table.chart-table").count() == 6
    first_table = page.locator("table.chart-table").first
    assert first_table.locator("tbody tr").first.inner_text().split("\t") == ["362 Frankenberg", "6,1 % (geschätzt)"]
    assert "fiktiv" in page.locator("table.chart-table").nth(1).inner_text()
    assert axe_violations(page, axe_source) == []


def test_comparison_finds_high_need_without_network_and_exports_the_table(
    page, live_server, axe_source, demo, tmp_path
):
    log_in_as(page, live_server, User.objects.get(email="sozialplanung@example.org"))
    page.goto("/gebiete/kennzahlen/")
    page.get_by_label("Kennzahl", exact=True).select_option(label="Kinderarmut")
    page.get_by_label("Sortierung").select_option(label="höchster Wert zuerst")
    page.get_by_role("button", name="Anzeigen").click()
    page.wait_for_url(re.compile(r"kennzahl=kinderarmut"))

    caption = page.locator("table.figures-table caption").inner_text()
    values = page.locator("table.figures-table tbody td.number").all_inner_texts()
    high_need = page.locator("table.figures-table tbody tr.high-need th").all_inner_texts()
    numbers = [float(value.split(" ")[0].replace(",", ".")) for value in values]
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tabelle als CSV herunterladen").click()
    path = Path(tmp_path) / "export.csv"
    download_info.value.save_as(path)

    assert caption == "Kinderarmut 2023 je Lebensraum"
    assert numbers == sorted(numbers, reverse=True)
    assert len(values) == 60 and len(high_need) == 15
    assert page.locator("svg.chart[role=img]").count() == 1
    assert path.read_text(encoding="utf-8-sig").splitlines()[0].startswith("Lebensraum;Name;Sozialraum")
    assert page.get_by_role("link", name="Kennzahlen importieren").count() == 1
    assert axe_violations(page, axe_source) == []


def test_coverage_and_map_show_high_need_without_stadtteilkonferenz(page, axe_source, demo):
    page.goto("/gebiete/abdeckung/")
    flagged = page.locator("#ohne-stk ~ ul.gap-list li.high-need").first.inner_text()
    coverage_violations = axe_violations(page, axe_source)

    page.goto("/gebiete/karte/?kennzahl=kinderarmut")
    alarms = [label for label in page.locator("svg.area-map text").all_text_contents() if "!" in label]
    areas = page.locator("svg.area-map a").count()
    warning = page.locator(".map-warning").inner_text()
    rows = page.locator("table.figures-table").first.locator("tbody tr").count()
    page.locator("svg.area-map a").first.click()
    page.wait_for_url(re.compile(r"/gebiete/lebensraum-"))

    assert "hoher Bedarf" in flagged
    assert coverage_violations == []
    assert areas == 60 and rows == 60
    assert alarms and all(alarm.endswith(" !") for alarm in alarms)
    assert warning.startswith("schematisch, nicht maßstäblich")


def test_map_is_accessible(page, axe_source, demo):
    page.goto("/gebiete/karte/?kennzahl=arbeitslosenquote&jahr=2011")

    assert page.locator("figure.map-figure figcaption").inner_text() == (
        "Arbeitslosenquote 2011 – schematisch, nicht maßstäblich"
    )
    assert axe_violations(page, axe_source) == []
