"""Every write to the indicators and the area shapes: keyword-only functions, validated,
in one transaction. Imports check the whole file first and write nothing when anything
is wrong; importing the same file again writes nothing."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models.signals import post_save
from django.utils.translation import gettext as _

from contacts.models import Area, Institution
from contacts.services.places import institution_coordinates_set
from indicators import geo
from indicators.imports import Problem, table_read
from indicators.models import AreaShape, Indicator, IndicatorValue

logger = logging.getLogger(__name__)

INDICATOR_FIELDS = ("name", "unit", "description", "source", "higher_means_need", "decimals", "position")


@transaction.atomic
def indicator_save(*, slug: str, is_demo: bool = False, **values) -> Indicator:
    """Create the indicator ``slug`` or bring its fields (``INDICATOR_FIELDS``) to ``values``;
    saves only when something differs. Side effects: one ``Indicator`` row."""
    unknown = set(values) - set(INDICATOR_FIELDS)
    if unknown:
        raise TypeError(f"unknown indicator fields {sorted(unknown)}")
    indicator = Indicator.objects.filter(slug=slug).first()
    if indicator is None:
        indicator = Indicator(slug=slug, is_demo=is_demo, **values)
    elif all(getattr(indicator, name) == value for name, value in values.items()):
        return indicator
    for name, value in values.items():
        setattr(indicator, name, value)
    indicator.full_clean()
    indicator.save()
    return indicator


@dataclass
class ImportReport:
    """What an import found and did (or, as a preview, would do)."""

    problems: list[Problem] = field(default_factory=list)
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    written: bool = False
    preview: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def _differs(stored: IndicatorValue, row) -> bool:
    return (stored.value, stored.population, stored.status, stored.note) != (
        row.value,
        row.population,
        row.status,
        row.note,
    )


@transaction.atomic
def indicator_values_import(*, data: bytes, filename: str = "", preview: bool = False) -> ImportReport:
    """Import indicator values from a CSV or XLSX file (see ``indicators.imports``).

    Every row is checked first; with any problem nothing is written and the report lists
    them all, by line and column. Rows equal to the stored values are left alone, so the
    same file imported twice changes nothing. With ``preview`` the report says what would
    change and nothing is written. Side effects: creates and updates ``IndicatorValue``
    rows in one transaction.
    """
    report = ImportReport(preview=preview)
    table = table_read(data=data, filename=filename)
    report.problems, report.rows_read = table.problems, table.rows_read
    if table.problems:
        return report
    indicator_ids = {row.indicator.pk for row in table.rows}
    stored = {
        (value.indicator_id, value.area_id, value.year): value
        for value in IndicatorValue.objects.filter(
            indicator_id__in=indicator_ids, year__in={r.year for r in table.rows}
        )
    }
    new, changed = [], []
    for row in table.rows:
        current = stored.get(row.key)
        if current is None:
            new.append(
                IndicatorValue(
                    indicator=row.indicator,
                    area=row.area,
                    year=row.year,
                    value=row.value,
                    population=row.population,
                    status=row.status,
                    note=row.note,
                )
            )
        elif _differs(current, row):
            current.value, current.population, current.status, current.note = (
                row.value,
                row.population,
                row.status,
                row.note,
            )
            changed.append(current)
        else:
            report.unchanged += 1
    report.created, report.updated = len(new), len(changed)
    if preview or not (new or changed):
        return report
    for value in [*new, *changed]:
        value.full_clean(validate_unique=False, validate_constraints=False)
    IndicatorValue.objects.bulk_create(new)
    if new:
        # bulk_create sends no post_save; one tells whoever listens (the public page cache)
        # that values of this model changed, as a save of each would.
        post_save.send(sender=IndicatorValue, instance=new[-1], created=True, update_fields=None, raw=False)
    for value in changed:
        value.save(update_fields=["value", "population", "status", "note", "updated_at"])
    report.written = True
    logger.info(
        "Indicator import: %s created, %s updated, %s unchanged", report.created, report.updated, report.unchanged
    )
    return report


@dataclass
class ShapeImportReport:
    """What a GeoJSON import found and did."""

    problems: list[str] = field(default_factory=list)
    shapes_created: int = 0
    shapes_updated: int = 0
    shapes_unchanged: int = 0
    points_set: int = 0
    points_unchanged: int = 0
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


SHAPE_LEVELS = {
    "lebensraum": Area.Level.LIVING_AREA,
    "sozialraum": Area.Level.SOCIAL_AREA,
    "stadtbezirk": Area.Level.DISTRICT,
}


def _feature_label(number: int) -> str:
    return _("Objekt %(number)s") % {"number": number}


@transaction.atomic
def geojson_import(*, data: bytes, schematic: bool = False, source: str = "") -> ShapeImportReport:
    """Import area outlines and institution places from a GeoJSON FeatureCollection.

    A Polygon or MultiPolygon feature with the property ``code`` (and optionally ``ebene``,
    Lebensraum by default) becomes the outline of that area; a Point feature with the
    property ``einrichtung`` (the institution's short name in addresses) sets where that
    institution is. Coordinates are longitude/latitude (WGS 84). Everything is checked
    first: with any problem nothing is written. Equal outlines and places are left alone.
    Side effects: creates or updates ``AreaShape`` rows; sets institution coordinates
    through ``contacts.services.places.institution_coordinates_set``.
    """
    report = ShapeImportReport()
    try:
        collection = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        report.problems.append(_("Die Datei ist kein gültiges GeoJSON (%(error)s).") % {"error": str(error)[:120]})
        return report
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        report.problems.append(_("Die Datei ist keine GeoJSON-FeatureCollection."))
        return report
    features = collection.get("features")
    if not isinstance(features, list) or not features:
        report.problems.append(_("Die FeatureCollection enthält keine Objekte."))
        return report
    areas = {(area.level, area.code): area for area in Area.objects.exclude(code="")}
    institutions = {institution.slug: institution for institution in Institution.objects.all()}
    shapes: dict[int, tuple[Area, dict]] = {}
    points: dict[int, tuple[Institution, float, float]] = {}
    for number, feature in enumerate(features, start=1):
        label = _feature_label(number)
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            report.problems.append(_("%(feature)s: kein GeoJSON-Feature.") % {"feature": label})
            continue
        properties = feature.get("properties") or {}
        geometry = feature.get("geometry")
        if isinstance(properties, dict) and "einrichtung" in properties:
            institution = institutions.get(str(properties["einrichtung"]))
            problems = geo.point_problems(geometry)
            if institution is None:
                problems.insert(
                    0, _("keine Einrichtung „%(slug)s“ bekannt.") % {"slug": str(properties["einrichtung"])[:60]}
                )
            if problems:
                report.problems.extend(f"{label}: {problem}" for problem in problems)
                continue
            longitude, latitude = geometry["coordinates"][:2]
            points[institution.pk] = (institution, latitude, longitude)
            continue
        code = str(properties.get("code", "")).strip() if isinstance(properties, dict) else ""
        level = SHAPE_LEVELS.get(str(properties.get("ebene", "lebensraum")).strip().lower()) if code else None
        area = areas.get((level, code)) if level else None
        problems = geo.geometry_problems(geometry)
        if not code:
            problems.insert(0, _("ohne Eigenschaft „code“ (Gebietsnummer) oder „einrichtung“."))
        elif area is None:
            problems.insert(0, _("kein Gebiet mit der Nummer „%(code)s“ bekannt.") % {"code": code[:20]})
        elif area.pk in shapes:
            problems.insert(0, _("das Gebiet „%(code)s“ kommt zweimal vor.") % {"code": code})
        if problems:
            report.problems.extend(f"{label}: {problem}" for problem in problems)
            continue
        shapes[area.pk] = (area, {"type": geometry["type"], "coordinates": geometry["coordinates"]})
    if report.problems:
        return report
    stored = {shape.area_id: shape for shape in AreaShape.objects.filter(area_id__in=shapes)}
    for area_id, (area, geometry) in shapes.items():
        shape = stored.get(area_id)
        if shape is None:
            AreaShape.objects.create(area=area, geometry=geometry, is_schematic=schematic, source=source)
            report.shapes_created += 1
        elif (shape.geometry, shape.is_schematic, shape.source) != (geometry, schematic, source):
            shape.geometry, shape.is_schematic, shape.source = geometry, schematic, source
            shape.save(update_fields=["geometry", "is_schematic", "source", "updated_at"])
            report.shapes_updated += 1
        else:
            report.shapes_unchanged += 1
    for institution, latitude, longitude in points.values():
        if institution_coordinates_set(institution=institution, latitude=latitude, longitude=longitude):
            report.points_set += 1
        else:
            report.points_unchanged += 1
    report.written = bool(report.shapes_created or report.shapes_updated or report.points_set)
    return report
