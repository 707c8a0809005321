"""The figures in the API: catalogue, figures with their markers, the map as GeoJSON, the
coverage; strict parameters with German errors; a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import InstitutionFactory, NetworkFactory
from tests.indicators.factories import small_city_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return small_city_create()


def test_catalogue_lists_indicators_with_their_years(client, city):
    response = client.get("/api/v1/indicators/")

    assert response.status_code == 200
    assert [(item["slug"], item["years"]) for item in response.json()["results"]] == [
        ("arbeitslosenquote", [2011, 2014]),
        ("kinderarmut", [2011]),
    ]


def test_values_give_stored_and_derived_figures_with_their_markers(client, city):
    response = client.get("/api/v1/indicators/arbeitslosenquote/values/?year=2011&level=sozialraum")

    assert response.status_code == 200
    assert [
        (row["area"]["code"], row["value"], row["status"], row["derived"], row["weighted"]) for row in response.json()
    ] == [("4", 12.0, "fiktiv", True, True), ("5", 4.3, "belegt", False, False)]


def test_values_of_the_city(client, city):
    response = client.get("/api/v1/indicators/kinderarmut/values/?level=stadt")

    assert [(row["area"], row["year"], row["value"]) for row in response.json()] == [(None, 2011, 17.633)]


@pytest.mark.parametrize(
    ("url", "status", "detail"),
    [
        ("/api/v1/indicators/gibt-es-nicht/values/", 404, "Diese Kennzahl gibt es nicht."),
        ("/api/v1/indicators/kinderarmut/values/?year=1800", 400, None),
        ("/api/v1/indicators/kinderarmut/values/?level=welt", 400, None),
        ("/api/v1/indicators/kinderarmut/values/?jahr=2011", 400, "Unbekannter Filter: jahr."),
        ("/api/v1/indicators/kinderarmut/map/?year=abc", 400, None),
        ("/api/v1/coverage/?sozialraum=5", 400, "Unbekannter Filter: sozialraum."),
    ],
)
def test_bad_parameters_answer_a_german_4xx(client, city, url, status, detail):
    response = client.get(url)

    assert response.status_code == status
    body = response.json()
    if detail:
        assert str(body["detail"]).startswith(detail)
    else:
        assert body  # names the field


def test_map_is_geojson_with_figures_and_places(client, city):
    InstitutionFactory(slug="kita-sonne", area=city.frankenberg, latitude="50.765", longitude="6.085")

    response = client.get("/api/v1/indicators/kinderarmut/map/")

    body = response.json()
    assert (body["type"], body["year"], body["schematic"]) == ("FeatureCollection", 2011, True)
    areas = [f["properties"] for f in body["features"] if f["properties"]["kind"] == "lebensraum"]
    assert [(a["code"], a["value"], a["high_need"]) for a in areas] == [
        ("341", 30.0, True),
        ("362", 17.9, False),
        ("410", 5.0, False),
    ]
    points = [f for f in body["features"] if f["properties"]["kind"] == "einrichtung"]
    assert [(p["properties"]["slug"], p["geometry"]["coordinates"]) for p in points] == [
        ("kita-sonne", [6.085, 50.765])
    ]


def test_coverage_names_networks_by_kind_and_high_need(client, city):
    NetworkFactory(name="STK Burtscheid", slug="stk-burtscheid").areas.add(city.burtscheid)

    response = client.get("/api/v1/coverage/")

    rows = {row["area"]["code"]: row for row in response.json()}
    assert [n["slug"] for n in rows["362"]["networks"]["stk"]] == ["stk-burtscheid"]
    assert rows["362"]["networks"]["stk"][0]["html_url"].endswith("/netzwerke/stk-burtscheid/")
    assert (rows["341"]["has_stk"], [need["indicator"] for need in rows["341"]["high_need"]]) == (
        False,
        ["kinderarmut"],
    )


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/indicators/",
        "/api/v1/indicators/kinderarmut/values/",
        "/api/v1/indicators/kinderarmut/map/",
        "/api/v1/coverage/",
    ],
)
def test_api_lists_read_a_fixed_number_of_queries(client, city, url):
    NetworkFactory(slug="stk-1").areas.add(city.burtscheid)
    InstitutionFactory(area=city.frankenberg, latitude="50.765", longitude="6.085")
    one = count_queries(client, url)
    for number in range(2, 7):
        NetworkFactory(slug=f"stk-{number}").areas.add(city.ost)
        InstitutionFactory(area=city.rothe_erde, latitude="50.765", longitude="6.09")

    assert count_queries(client, url) == one
