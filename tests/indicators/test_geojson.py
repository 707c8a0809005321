"""``manage.py import_geojson``: outlines of the Lebensräume and places of institutions from
a GeoJSON file; nothing written when the file is wrong; and the projection to SVG."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from contacts.models import Institution
from indicators.geo import Projection, centre, geometry_problems, mercator
from indicators.models import AreaShape
from tests.factories import InstitutionFactory
from tests.indicators.factories import small_city_create

GEOJSON = Path(__file__).with_name("data") / "lebensraeume.geojson"


@pytest.fixture
def city(db):
    small = small_city_create(shapes=False)
    InstitutionFactory(slug="fz-frankenberg", area=small.frankenberg)
    return small


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_geojson", *map(str, args), stdout=out)
    return out.getvalue()


def test_command_imports_outlines_and_institution_places(city):
    output = run(GEOJSON, "--schematisch", "--quelle", "Testdaten")

    shapes = {shape.area.code: shape for shape in AreaShape.objects.select_related("area")}
    assert sorted(shapes) == ["362", "410"]
    assert shapes["410"].geometry["type"] == "MultiPolygon"
    assert (shapes["362"].is_schematic, shapes["362"].source) == (True, "Testdaten")
    institution = Institution.objects.get(slug="fz-frankenberg")
    assert (institution.latitude, institution.longitude) == (Decimal("50.767200"), Decimal("6.095100"))
    assert output.startswith("Umrisse: 2 neu, 0 geändert, 0 unverändert. Einrichtungen verortet: 1")


def test_command_twice_changes_nothing(city):
    run(GEOJSON)
    before = list(AreaShape.objects.values_list("pk", "updated_at"))

    output = run(GEOJSON)

    assert "Umrisse: 0 neu, 0 geändert, 2 unverändert. Einrichtungen verortet: 0 (unverändert: 1)" in output
    assert list(AreaShape.objects.values_list("pk", "updated_at")) == before


def broken(tmp_path, collection) -> Path:
    path = tmp_path / "kaputt.geojson"
    path.write_text(collection if isinstance(collection, str) else json.dumps(collection))
    return path


@pytest.mark.parametrize(
    ("collection", "message"),
    [
        ("{nicht json", "Die Datei ist kein gültiges GeoJSON"),
        ({"type": "Feature"}, "Die Datei ist keine GeoJSON-FeatureCollection."),
        ({"type": "FeatureCollection", "features": []}, "Die FeatureCollection enthält keine Objekte."),
        (
            {
                "type": "FeatureCollection",
                "features": [{"type": "Feature", "properties": {"code": "999"}, "geometry": None}],
            },
            "Objekt 1: kein Gebiet mit der Nummer „999“ bekannt.",
        ),
        (
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"code": "362"},
                        "geometry": {"type": "Polygon", "coordinates": [[[500, 1], [1, 1], [1, 2], [500, 1]]]},
                    }
                ],
            },
            "Objekt 1: Eine Koordinate ist keine Länge/Breite in Grad (WGS 84).",
        ),
        (
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"einrichtung": "gibt-es-nicht"},
                        "geometry": {"type": "Point", "coordinates": [6.1, 50.7]},
                    }
                ],
            },
            "Objekt 1: keine Einrichtung „gibt-es-nicht“ bekannt.",
        ),
    ],
)
def test_command_with_a_broken_file_explains_and_writes_nothing(city, tmp_path, collection, message):
    good = json.loads(GEOJSON.read_text())["features"][0]
    if isinstance(collection, dict) and collection.get("features"):
        collection["features"].insert(0, good)
        message = message.replace("Objekt 1", "Objekt 2")

    with pytest.raises(CommandError) as error:
        run(broken(tmp_path, collection))

    assert message in str(error.value)
    assert AreaShape.objects.count() == 0
    assert Institution.objects.get(slug="fz-frankenberg").latitude is None


def test_command_with_a_missing_file_says_so(db):
    with pytest.raises(CommandError, match="kann nicht gelesen werden"):
        run("/gibt/es/nicht.geojson")


# --- the projection (pure) ----------------------------------------------------------------


def test_projection_fits_the_shapes_into_the_width_keeping_proportions():
    points = [(6.0, 50.8), (6.2, 50.8), (6.2, 50.7), (6.0, 50.7)]

    projection = Projection.fit(points, width=800, margin=10)

    assert projection(6.0, 50.8) == pytest.approx((10, 10))
    assert projection(6.2, 50.7)[0] == pytest.approx(790)
    # 0.2° of longitude and 0.1° of latitude at 50.75° N: about 14 km by 11 km.
    assert projection.height == pytest.approx(10 + 780 * 0.1 / 0.2 / 0.632 + 10, rel=0.02)


def test_path_draws_every_ring_of_a_multipolygon():
    geometry = json.loads(GEOJSON.read_text())["features"][1]["geometry"]
    projection = Projection.fit([(6.08, 50.77), (6.10, 50.76)])

    path = projection.path(geometry)

    assert path.count("M") == 2 and path.count("Z") == 2


def test_geometry_problems_and_centre():
    assert geometry_problems({"type": "Point", "coordinates": [6, 50]}) == [
        "Die Geometrie ist kein Polygon und kein MultiPolygon."
    ]
    square = {"type": "Polygon", "coordinates": [[[6, 50], [7, 50], [7, 51], [6, 51], [6, 50]]]}
    assert geometry_problems(square) == []
    assert centre(square) == (6.5, 50.5)


def test_tiles_cover_the_drawing_at_their_own_size():
    projection = Projection.fit([(6.0, 50.82), (6.2, 50.7)], width=800)
    zoom = projection.zoom_for_tiles()

    tiles = projection.tiles("https://kacheln.example.org/{z}/{x}/{y}.png", zoom=zoom)

    assert zoom == 12
    assert all(href.startswith("https://kacheln.example.org/12/") for href, *_rest in tiles)
    # Drawn at about their own 256 pixels, from the top left corner of the drawing.
    assert 181 <= tiles[0][3] <= 362
    assert min(x for _href, x, _y, _size in tiles) <= 0 and min(y for _href, _x, y, _size in tiles) <= 0
    west, _north = mercator(6.0, 50.82)
    assert tiles[0][0].split("/")[-2] == str(int(west * 2**12))
