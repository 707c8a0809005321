"""Sozialplanung's pages on the web and in the API: who may open them, what they show,
the downloads (parsed back), bad input, and „Sprecher*in gesucht“ on a public page."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from contacts.models import Membership
from netzwerk.staff.tables import Table, neutralise, tables_csv, tables_xlsx
from tests.factories import NetworkFactory
from tests.meetings.web_cast import cast_create, client_for
from tests.netzwerk.staff_data import city

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
PAGES = {
    "overview": reverse("staff:overview"),
    "calendar": reverse("staff:calendar"),
    "calendar_list": reverse("staff:calendar") + "?ansicht=liste",
    "deliveries": reverse("staff:deliveries"),
    "report": reverse("staff:report", args=[YEAR]),
    "report_pdf": reverse("staff:report_pdf", args=[YEAR]),
    "report_xlsx": reverse("staff:report_xlsx", args=[YEAR]),
    "report_csv": reverse("staff:report_csv", args=[YEAR, "netzwerke"]),
    "overview_xlsx": reverse("staff:overview") + "?format=xlsx",
}
API = {
    "api_overview": "/api/v1/sozialplanung/overview/",
    "api_report": f"/api/v1/sozialplanung/jahresbericht/{YEAR}/",
}
ROLES = ["anonymous", "member", "speaker", "other_speaker", "staff"]


@pytest.fixture
def cast():
    return cast_create()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(PAGES))
def test_only_sozialplanung_opens_the_staff_pages(client, cast, role, name):
    response = client_for(client, cast.user(role)).get(PAGES[name])

    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("contacts:login"))
    elif role == "staff":
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert "nur für die Sozialplanung" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(API))
def test_only_sozialplanung_reads_the_staff_api(cast, role, name):
    client = APIClient()
    user = cast.user(role)
    if user is not None:
        client.force_authenticate(user)

    response = client.get(API[name])

    expected = {"anonymous": 401, "staff": 200}.get(role, 403)
    assert response.status_code == expected


def test_staff_navigation_links_the_pages_for_sozialplanung_only(client, cast):
    client_for(client, cast.staff)
    staff_home = client.get("/").content.decode()
    client.force_login(cast.speaker)
    speaker_home = client.get("/").content.decode()

    assert reverse("staff:overview") in staff_home
    assert reverse("staff:overview") not in speaker_home


def test_overview_page_lists_each_network_with_links_and_vacancy(client, cast):
    city()
    client.force_login(cast.staff)

    page = client.get(reverse("staff:overview")).content.decode()

    assert "STK Test 0" in page and "OAG Test" in page
    assert reverse("directory:network_detail", args=["stk-burtscheid"]) in page
    assert reverse("meetings:network_calendar", args=["stk-burtscheid"]) in page
    assert "Sprecher*in gesucht" in page  # the OAG has no speaker


def test_overview_download_parses_back_with_the_page_figures(client, cast):
    data = city()
    client.force_login(cast.staff)

    response = client.get(reverse("staff:overview") + "?art=stk&format=xlsx")

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert response["Content-Disposition"] == 'attachment; filename="netzwerke-ueberblick.xlsx"'
    assert rows[0][:5] == ("Netzwerk", "Art", "letzte Sitzung", "nächste Sitzung", "Sitzungen (12 Monate)")
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["STK Test 0"][4:7] == (2, 50, 3)
    assert data.oag.name not in by_name


def test_report_downloads_every_table_as_xlsx_and_csv(client, cast):
    city(networks=2)
    client.force_login(cast.staff)

    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("staff:report_xlsx", args=[YEAR])).content))
    text = client.get(reverse("staff:report_csv", args=[YEAR, "sozialraeume"])).content.decode("utf-8-sig")

    assert book.sheetnames == [
        "netzwerke",
        "netzwerke-einrichtungsarten",
        "sozialraeume",
        "teilnahme-monate",
        "mitglieder-nach-art",
        "lebensraeume-ohne-stk",
        "lebensraeume-ohne-oag",
        "fehlende-einrichtungsarten",
    ]
    networks = {row[0]: row for row in book["netzwerke"].iter_rows(min_row=2, values_only=True)}
    assert networks["STK Test 1"][2:5] == (2, 4, 1)
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["Nr.", "Sozialraum", "Netzwerke"]
    assert rows[1][1:4] == ["Testsozialraum", "3", "4"]


def test_spreadsheet_cells_that_look_like_formulas_are_neutralised():
    table = Table(key="t", title="T", columns=["Name", "Zahl"], rows=[["=HYPERLINK(1)", -3], ["@SUM(A1)", 2]])

    book = openpyxl.load_workbook(io.BytesIO(tables_xlsx([table])))
    text = tables_csv(table).decode("utf-8-sig")

    assert [row[0].value for row in book.active.iter_rows(min_row=2)] == ["'=HYPERLINK(1)", "'@SUM(A1)"]
    assert book.active["B2"].value == -3
    assert "'=HYPERLINK(1)" in text and "'@SUM(A1)" in text
    assert [neutralise(value) for value in ("+1", "-x", "\tx", "ok", 5)] == ["'+1", "'-x", "'\tx", "ok", 5]


def test_report_pdf_is_a_pdf_with_the_title(client, cast):
    city()
    client.force_login(cast.staff)

    response = client.get(reverse("staff:report_pdf", args=[YEAR]))

    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert len(response.content) > 5000


@pytest.mark.parametrize(
    "url",
    [
        reverse("staff:calendar") + "?monat=2027-13",
        reverse("staff:calendar") + "?ansicht=tabelle",
        reverse("staff:overview") + "?art=unbekannt",
        reverse("staff:overview") + "?gebiet=999999",
        reverse("staff:overview") + "?format=pdf",
        reverse("staff:deliveries") + "?x=1",
    ],
)
def test_bad_input_is_a_german_400(client, cast, url):
    client.force_login(cast.staff)

    response = client.get(url)

    assert response.status_code == 400
    assert "Anfrage nicht verständlich" in response.content.decode()


def test_report_of_a_future_year_or_an_unknown_table_is_a_404(client, cast):
    client.force_login(cast.staff)

    assert client.get(reverse("staff:report", args=[YEAR + 1])).status_code == 404
    assert client.get(reverse("staff:report_csv", args=[YEAR, "gibt-es-nicht"])).status_code == 404


def test_api_report_has_the_figures_of_the_page(cast):
    data = city()
    client = APIClient()
    client.force_authenticate(cast.staff)

    report = client.get(API["api_report"]).json()
    overview = client.get(API["api_overview"] + "?kind=stk&ordering=-mitglieder").json()

    network = next(item for item in report["networks"] if item["name"] == "STK Test 0")
    assert (network["meetings_held"], network["minutes_published"], network["average_attendance"]) == (2, 1, 4.0)
    assert network["institutions_by_type"] == {"Kita": 1, "OGS": 1}
    assert [area["name"] for area in report["living_areas_without_oag"]] == [data.second.name]
    assert overview[0]["name"] == "STK Test 0" and overview[0]["minutes_share"] == 50
    assert {row["kind"] for row in overview} == {"stk"}


def test_api_rejects_unknown_filters_with_a_german_400(cast):
    client = APIClient()
    client.force_authenticate(cast.staff)

    response = client.get(API["api_overview"] + "?art=stk")

    assert response.status_code == 400
    assert "Unbekannter Filter: art" in response.json()["detail"]


def test_public_page_of_a_network_without_speaker_says_speaker_wanted(client):
    vacant = NetworkFactory(slug="ohne-sprecherin")
    staffed = NetworkFactory(slug="mit-sprecherin")
    from tests.factories import MembershipFactory

    MembershipFactory(network=staffed, role=Membership.Role.SPEAKER)
    MembershipFactory(network=vacant, role=Membership.Role.DEPUTY_SPEAKER)

    assert "Sprecher*in gesucht" in client.get(f"/netzwerke/{vacant.slug}/").content.decode()
    assert "Sprecher*in gesucht" not in client.get(f"/netzwerke/{staffed.slug}/").content.decode()
