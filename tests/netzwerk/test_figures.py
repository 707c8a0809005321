"""The figures' pages: indicators on area pages, the comparison, the coverage and the map,
their CSV exports and their answers to bad input (a German 400, never a 500)."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.models import Network
from tests.factories import InstitutionFactory, NetworkFactory
from tests.indicators.factories import small_city_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    small = small_city_create()
    NetworkFactory(name="Stadtteilkonferenz Burtscheid", slug="stk-burtscheid").areas.add(small.burtscheid)
    NetworkFactory(name="OAG Mitte", slug="oag-mitte", kind=Network.Kind.SENIORS_WORKING_GROUP).areas.add(
        small.district
    )
    return small


def text(response) -> str:
    return " ".join(response.content.decode().split())


def test_sozialraum_page_shows_its_figures_beside_its_networks(client, city):
    response = client.get("/gebiete/sozialraum-5/")

    page = text(response)
    assert response.status_code == 200
    assert page.index("Stadtteilkonferenz Burtscheid") < page.index("Arbeitslosenquote 2011")
    assert "<strong>4,3 % (belegt)</strong>" in page
    assert "Spanne in Burtscheid / Frankenberg</dt> <dd>1,6 % (Beverau) bis 6,1 % (Frankenberg)" in page
    assert "Stadt Aachen</dt><dd>8,5 % (fiktiv, abgeleitet, gewichtet)" in page.replace("</dt> <dd>", "</dt><dd>")
    assert page.count('class="chart"') == 4
    assert '<td class="number">6,1 % (geschätzt)</td>' in page


def test_living_area_page_highlights_itself_among_its_neighbours(client, city):
    page = text(client.get("/gebiete/lebensraum-362/"))

    assert '<text x="4" y="20" font-weight="700" fill="#1b1b1b">362 Frankenberg</text>' in page
    assert "<strong>6,1 % (geschätzt)</strong>" in page


def test_area_page_without_figures_has_no_figures_section(client, db):
    from tests.factories import AreaFactory

    AreaFactory(slug="ohne-zahlen")

    assert "Kennzahlen</h2>" not in text(client.get("/gebiete/ohne-zahlen/"))


def test_comparison_lists_living_areas_sorted_and_filtered(client, city):
    response = client.get(f"/gebiete/kennzahlen/?kennzahl=kinderarmut&sozialraum={city.burtscheid.pk}&sortierung=wert")

    page = text(response)
    assert response.status_code == 200
    assert page.index(">410 Beverau</a>") < page.index(">362 Frankenberg</a>")
    assert "341 Rothe Erde</a>" not in page
    assert "<caption>Kinderarmut 2011 je Lebensraum</caption>" in page
    assert 'class="chart"' in page


def test_comparison_marks_high_need(client, city):
    page = text(client.get("/gebiete/kennzahlen/?kennzahl=kinderarmut"))

    assert '<tr class="high-need"> <th scope="row"><a href="/gebiete/lebensraum-341/">341 Rothe Erde</a>' in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("kennzahl=gibt-es-nicht", "Diese Kennzahl gibt es nicht."),
        ("kennzahl=kinderarmut&jahr=2014", "Für Kinderarmut gibt es im Jahr 2014 keine Werte. Vorhanden: 2011."),
        ("jahr=1700", "Für dieses Jahr gibt es keine Werte."),
        ("jahr=abc", "Für dieses Jahr gibt es keine Werte."),
        ("sozialraum=x", "Bitte wählen Sie einen Eintrag aus der Liste. x gehört nicht dazu."),
        ("sortierung=zufall", "Bitte wählen Sie einen Eintrag aus der Liste. zufall gehört nicht dazu."),
        ("farbe=rot", "Unbekannter Parameter in der Adresse: farbe."),
    ],
)
def test_comparison_with_bad_input_answers_400_in_german(client, city, query, message):
    response = client.get(f"/gebiete/kennzahlen/?{query}")

    assert response.status_code == 400
    assert message in response.content.decode()


def test_comparison_with_a_sozialraum_outside_the_district_is_refused(client, city):
    from tests.factories import AreaFactory

    other = AreaFactory(name="Brand", slug="brand")

    response = client.get(f"/gebiete/kennzahlen/?stadtbezirk={other.pk}&sozialraum={city.burtscheid.pk}")

    assert response.status_code == 400
    assert "Dieser Sozialraum liegt nicht im gewählten Stadtbezirk." in response.content.decode()


def test_comparison_csv_is_the_table_with_its_markers(client, city):
    response = client.get("/gebiete/kennzahlen/export.csv?kennzahl=arbeitslosenquote&jahr=2011&sortierung=-wert")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert rows[0][:3] == ["Lebensraum", "Name", "Sozialraum"]
    assert [(row[0], row[6], row[8], row[9]) for row in rows[1:]] == [
        ("341", "12,0", "fiktiv", "ja"),
        ("362", "6,1", "geschätzt", "nein"),
        ("410", "1,6", "geschätzt", "nein"),
    ]


def test_comparison_without_indicators_says_so(client, db):
    response = client.get("/gebiete/kennzahlen/")

    assert response.status_code == 200
    assert "Es sind noch keine Kennzahlen eingetragen." in response.content.decode()


def test_coverage_lists_living_areas_without_stk_high_need_first(client, city):
    page = text(client.get("/gebiete/abdeckung/"))

    without_stk = page[page.index('id="ohne-stk"') : page.index('id="ohne-oag"')]
    assert (
        '<li class="high-need"><a href="/gebiete/lebensraum-341/">341 Rothe Erde</a> (Aachen-Ost) – '
        "<strong>hoher Bedarf:</strong> Kinderarmut</li>" in without_stk
    )
    assert "362 Frankenberg" not in without_stk
    assert "Keine: jeder Lebensraum ist abgedeckt." in page[page.index('id="ohne-oag"') :]


def test_coverage_csv(client, city):
    response = client.get("/gebiete/abdeckung/export.csv")

    rows = {row[0]: row for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")}
    assert rows["362"][3:5] == ["Stadtteilkonferenz Burtscheid", "OAG Mitte"]
    assert rows["341"][-1] == "Kinderarmut 30,0 %, 2011"


def test_map_draws_linked_areas_with_a_legend_and_a_table(client, city):
    InstitutionFactory(name="Kita Sonne", area=city.frankenberg, latitude="50.765", longitude="6.085")

    response = client.get("/gebiete/karte/?kennzahl=kinderarmut")

    page = text(response)
    assert response.status_code == 200
    assert page.count('<a href="/gebiete/lebensraum-') >= 3
    assert 'aria-label="341 Rothe Erde: 30,0 % – hoher Bedarf, ohne Stadtteilkonferenz"' in page
    assert ">341 !</text>" in page
    assert "schematisch, nicht maßstäblich" in page
    assert "<title>Kita Sonne</title>" in page
    assert "<caption>Die Lebensräume der Karte: Kinderarmut 2011</caption>" in page
    assert "<image" not in page


def test_map_with_a_tile_server_draws_tiles_and_allows_their_host(client, city, settings):
    settings.AREAS_MAP_TILE_URL = "https://kacheln.stadt.example/{z}/{x}/{y}.png"

    response = client.get("/gebiete/karte/")

    assert '<image href="https://kacheln.stadt.example/' in response.content.decode()
    assert "img-src 'self' https://kacheln.stadt.example" in response["Content-Security-Policy"]
    assert "kacheln.stadt.example" not in client.get("/gebiete/kennzahlen/")["Content-Security-Policy"]


def test_map_without_tile_server_fetches_nothing_from_elsewhere(client, city):
    response = client.get("/gebiete/karte/")

    assert "http" not in response.content.decode().split('<svg class="area-map"')[1].split("</svg>")[0].replace(
        "http://www.w3.org/2000/svg", ""
    )


def test_map_csv_has_areas_and_places(client, city):
    InstitutionFactory(
        name="Kita Sonne", slug="kita-sonne", area=city.frankenberg, latitude="50.765", longitude="6.085"
    )

    response = client.get("/gebiete/karte/export.csv?kennzahl=kinderarmut")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [row[:3] for row in rows[1:]] == [
        ["Lebensraum", "341", "Rothe Erde"],
        ["Lebensraum", "362", "Frankenberg"],
        ["Lebensraum", "410", "Beverau"],
        ["Einrichtung", "kita-sonne", "Kita Sonne"],
    ]


def page_queries(client, url) -> int:
    client.get(url)  # what is read once per process (the demo marker, content types) aside
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url", ["/gebiete/kennzahlen/", "/gebiete/abdeckung/", "/gebiete/karte/", "/gebiete/sozialraum-5/"]
)
def test_figure_pages_read_a_fixed_number_of_queries(client, city, url):
    one = page_queries(client, url)
    for number in range(5):
        NetworkFactory(slug=f"stk-{number}").areas.add(city.ost)
        InstitutionFactory(area=city.rothe_erde, latitude="50.765", longitude="6.09")

    assert page_queries(client, url) == one


def test_comparison_csv_without_indicators_says_so(client, db):
    response = client.get("/gebiete/kennzahlen/export.csv")

    assert response.status_code == 404


def test_figure_pages_in_english_render(client, city):
    client.cookies["django_language"] = "en"

    for url in ["/gebiete/kennzahlen/", "/gebiete/abdeckung/", "/gebiete/karte/", "/gebiete/sozialraum-5/"]:
        response = client.get(url)
        assert (url, response.status_code, response["Content-Language"]) == (url, 200, "en")


def test_cached_figure_pages_show_an_import_at_once(client, city, settings, django_capture_on_commit_callbacks):
    from indicators.services import indicator_values_import

    settings.PUBLIC_CACHE_SECONDS = 60
    url = f"/gebiete/kennzahlen/?kennzahl=kinderarmut&jahr=2011&sozialraum={city.ost.pk}"
    before = client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        indicator_values_import(data=b"Gebiet;Kennzahl;Jahr;Wert\n341;kinderarmut;2011;31,5\n")
    changed = client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        indicator_values_import(data=b"Gebiet;Ebene;Kennzahl;Jahr;Wert\n4;Sozialraum;kinderarmut;2011;29,0\n")
    added = client.get(url).content.decode()

    assert "30,0 %" in before
    assert "31,5 %" in changed and "30,0 %" not in changed
    assert "Aachen-Ost</dt><dd>29,0 %</dd>" in added.replace("</dt>\n  <dd>", "</dt><dd>").replace(
        "</dt> <dd>", "</dt><dd>"
    )
