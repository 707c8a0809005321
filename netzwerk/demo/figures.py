"""The figures part of the demo: the SEP indicators with the slide's real figures for
Sozialraum 5 and invented values elsewhere, and schematic shapes of the Lebensräume with
the institutions placed in them, from ``netzwerk/data/figures.toml``.

Written through the same services as the imports (``indicators.services``): a CSV table of
values and a GeoJSON collection, built in memory. Both leave equal rows alone, so a second
seed writes nothing.
"""

from __future__ import annotations

import csv
import io
import json
import math
import tomllib
import zlib

from contacts.models import Area, Institution
from indicators.services import geojson_import, indicator_save, indicator_values_import
from netzwerk.demo.data import DATA_DIR
from netzwerk.demo.sync import SeedReport

with (DATA_DIR / "figures.toml").open("rb") as _file:
    FIGURES = tomllib.load(_file)

KM_PER_DEGREE_LATITUDE = 111.2
CELL_KM = 1.3
GAP_KM = 0.08
SCHEMATIC_SOURCE = "Demodaten: schematisch, nicht maßstäblich"


def _fraction(*parts) -> float:
    """A stable number in [0, 1) from ``parts`` (the same on every run and machine)."""
    return zlib.crc32("|".join(map(str, parts)).encode()) / 2**32


def _values_csv(living: list[Area]) -> bytes:
    """The table of values, as the import reads it."""
    ranges = {slug: (low, high) for slug, low, high in FIGURES["invented_ranges"]}
    estimates = {
        row[0]: dict(zip([slug for slug, *_ in FIGURES["slide"]], row[1:], strict=True))
        for row in FIGURES["slide_estimates"]
    }
    slide_year = FIGURES["slide_year"]
    low_population, high_population = FIGURES["population"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["Gebiet", "Ebene", "Kennzahl", "Jahr", "Wert", "Bezugsgröße", "Kennzeichnung", "Hinweis"])
    for area in living:
        social_area = int(area.parent.code) if area.parent and area.parent.code.isdigit() else 0
        population = round(low_population + _fraction(area.code, "population") * (high_population - low_population), -1)
        for slug, (low, high) in ranges.items():
            if area.code in estimates:
                base = estimates[area.code][slug]
            else:
                share = _fraction(area.code, slug)
                share = 0.5 + share / 2 if social_area in FIGURES["strained"] else share * 0.7
                base = low + share * (high - low)
            drift = -0.25 + 0.4 * _fraction(area.code, slug, "drift")
            for year in FIGURES["years"]:
                if year == slide_year and area.code in estimates:
                    status, note = "geschätzt", "aus Ø und Spanne der Folie verteilt, nicht der genaue Wert"
                else:
                    status, note = "fiktiv", ""
                value = base if year == slide_year else base * (1 + drift * (year - slide_year) / 12)
                writer.writerow(
                    [
                        area.code,
                        "Lebensraum",
                        slug,
                        year,
                        f"{value:.1f}".replace(".", ","),
                        int(population),
                        status,
                        note,
                    ]
                )
    for slug, average, low, high in FIGURES["slide"]:
        note = f"Ø der Folie; Spanne {low:.1f}–{high:.1f} %".replace(".", ",")
        writer.writerow(
            [
                FIGURES["slide_social_area"],
                "Sozialraum",
                slug,
                slide_year,
                f"{average:.1f}".replace(".", ","),
                "",
                "belegt",
                note,
            ]
        )
    return buffer.getvalue().encode()


def _square(west: float, north: float, size_km: float) -> list[list[float]]:
    """A closed ring of a square with its north-west corner at (``west``, ``north``)."""
    degrees_east = size_km / (KM_PER_DEGREE_LATITUDE * math.cos(math.radians(north)))
    degrees_south = size_km / KM_PER_DEGREE_LATITUDE
    east, south = west + degrees_east, north - degrees_south
    return [[west, north], [east, north], [east, south], [west, south], [west, north]]


def _geojson(living: list[Area], institutions: list[Institution]) -> bytes:
    """Schematic squares for the Lebensräume, and each institution inside its Lebensraum."""
    origin_lon, origin_lat = FIGURES["origin"]
    block = FIGURES["block_km"]
    positions = {number: (column, row) for number, column, row in FIGURES["layout"]}
    km_lon = KM_PER_DEGREE_LATITUDE * math.cos(math.radians(origin_lat))
    by_social_area: dict[str, list[Area]] = {}
    for area in living:
        by_social_area.setdefault(area.parent.code if area.parent else "", []).append(area)
    features, squares = [], {}
    for code, areas in by_social_area.items():
        if not code.isdigit() or int(code) not in positions:
            continue
        column, row = positions[int(code)]
        per_row = math.ceil(math.sqrt(len(areas)))
        for index, area in enumerate(sorted(areas, key=lambda a: a.code)):
            west_km = column * block + (index % per_row) * (CELL_KM + GAP_KM)
            north_km = row * block + (index // per_row) * (CELL_KM + GAP_KM)
            ring = _square(origin_lon + west_km / km_lon, origin_lat - north_km / KM_PER_DEGREE_LATITUDE, CELL_KM)
            squares[area.pk] = ring
            features.append(
                {
                    "type": "Feature",
                    "properties": {"code": area.code, "name": area.name},
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                }
            )
    for institution in institutions:
        ring = squares.get(institution.area_id)
        if ring is None:
            continue
        (west, north), (east, _n), (_e, south) = ring[0], ring[1], ring[2]
        longitude = west + (0.15 + 0.7 * _fraction(institution.slug, "x")) * (east - west)
        latitude = south + (0.08 + 0.22 * _fraction(institution.slug, "y")) * (north - south)
        features.append(
            {
                "type": "Feature",
                "properties": {"einrichtung": institution.slug},
                "geometry": {"type": "Point", "coordinates": [round(longitude, 6), round(latitude, 6)]},
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def figures_seed(report: SeedReport) -> None:
    """Bring the demo's indicators, values and schematic map up to date (inside a transaction).

    Side effects: creates or updates the three indicators, their values (through
    ``indicator_values_import``), the Lebensräume's schematic outlines and the demo
    institutions' coordinates (through ``geojson_import``)."""
    for position, (slug, name, unit, description, higher, decimals) in enumerate(FIGURES["indicators"]):
        indicator_save(
            slug=slug,
            is_demo=True,
            name=name,
            unit=unit,
            description=description,
            source=FIGURES["source"] + " (Sozialraum 5, 2011); übrige Werte fiktiv",
            higher_means_need=higher,
            decimals=decimals,
            position=position,
        )
    living = list(Area.objects.filter(level=Area.Level.LIVING_AREA, is_demo=True).select_related("parent"))
    values = indicator_values_import(data=_values_csv(living), filename="demo.csv")
    if not values.ok:
        raise RuntimeError("demo figures: " + "; ".join(map(str, values.problems[:5])))
    report.created["IndicatorValue"] += values.created
    report.changed["IndicatorValue"] += values.updated
    institutions = list(Institution.objects.filter(is_demo=True))
    shapes = geojson_import(data=_geojson(living, institutions), schematic=True, source=SCHEMATIC_SOURCE)
    if not shapes.ok:
        raise RuntimeError("demo map: " + "; ".join(shapes.problems[:5]))
    report.created["AreaShape"] += shapes.shapes_created
    report.changed["AreaShape"] += shapes.shapes_updated
    report.changed["Institution.coordinates"] += shapes.points_set
