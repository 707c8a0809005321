"""Sozialplanung's pages in a real Chromium: logged in through the form, the overview and
the yearly report with their charts and tables, the calendar and the delivery dashboard;
axe-core finds no WCAG 2.1 A/AA violation on any of them, and none scrolls sideways at
320 px (wide tables scroll in their own box)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import axe_violations
from tests.meetings.web_cast import PASSWORD, cast_create
from tests.netzwerk.staff_data import city

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = timezone.localdate().year
PAGES = {
    "overview": reverse("staff:overview"),
    "calendar": reverse("staff:calendar"),
    "calendar_list": reverse("staff:calendar") + "?ansicht=liste",
    "deliveries": reverse("staff:deliveries"),
    "report": reverse("staff:report", args=[YEAR]),
}


@pytest.fixture
def staff_page(page):
    cast = cast_create(password=PASSWORD)
    city(networks=2)
    page.goto("/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill(cast.staff.email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_load_state()
    return page


def scroll_width_at(page, width: int) -> int:
    page.set_viewport_size({"width": width, "height": 800})
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("kind", list(PAGES))
def test_staff_page_is_accessible_and_fits_320_px(staff_page, axe_source, kind):
    response = staff_page.goto(PAGES[kind])

    assert response.status == 200
    assert axe_violations(staff_page, axe_source) == []
    assert scroll_width_at(staff_page, 320) <= 320
    assert axe_violations(staff_page, axe_source) == []


def test_overview_is_reached_from_the_navigation_and_sorts_by_a_column(staff_page):
    staff_page.goto("/")
    staff_page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Sozialplanung").click()
    staff_page.get_by_role("link", name="Mitglieder", exact=True).first.click()
    staff_page.wait_for_load_state()

    header = staff_page.get_by_role("columnheader", name="Mitglieder")
    names = staff_page.locator("table.overview tbody th[scope=row] > a").all_inner_texts()
    assert staff_page.get_by_role("heading", level=1).inner_text() == "Netzwerke im Überblick"
    assert header.get_attribute("aria-sort") == "ascending"
    assert set(names[-2:]) == {"STK Test 0", "STK Test 1"}
    assert staff_page.get_by_text("Sprecher*in gesucht").first.is_visible()


def test_report_shows_its_charts_with_tables_and_offers_the_downloads(staff_page):
    staff_page.goto(PAGES["report"])

    figures = staff_page.locator("figure.chart-figure")
    assert figures.count() == 3
    assert staff_page.locator("figure.chart-figure svg[role=img]").count() == 3
    assert [figures.nth(index).locator("table").count() for index in range(3)] == [1, 1, 1]
    networks = staff_page.get_by_role("table", name=f"Netzwerke {YEAR}")
    assert "STK Test 0" in networks.inner_text()
    assert staff_page.get_by_role("link", name="PDF").get_attribute("href").endswith("bericht.pdf")
    with staff_page.expect_download() as download:
        staff_page.get_by_role("link", name="alle Tabellen als Excel (XLSX)").click()
    assert download.value.suggested_filename == f"jahresbericht-{YEAR}.xlsx"
