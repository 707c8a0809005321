"""Indicators, values and shapes for tests: a small city of two Sozialräume."""

from dataclasses import dataclass
from decimal import Decimal

from contacts.models import Area
from indicators.models import AreaShape, Indicator, IndicatorValue
from tests.factories import AreaFactory, LivingAreaFactory, SocialAreaFactory


def square(west: float, north: float, size: float = 0.01) -> dict:
    """A GeoJSON Polygon: a square with its north-west corner at (west, north)."""
    ring = [[west, north], [west + size, north], [west + size, north - size], [west, north - size], [west, north]]
    return {"type": "Polygon", "coordinates": [ring]}


@dataclass
class SmallCity:
    district: Area
    burtscheid: Area
    ost: Area
    frankenberg: Area
    beverau: Area
    rothe_erde: Area
    unemployment: Indicator
    child_poverty: Indicator


def value(indicator, area, year, number, *, population=None, status=IndicatorValue.Status.OFFICIAL, note=""):
    return IndicatorValue.objects.create(
        indicator=indicator,
        area=area,
        year=year,
        value=Decimal(str(number)),
        population=population,
        status=status,
        note=note,
    )


def small_city_create(*, shapes: bool = True) -> SmallCity:
    """Aachen-Mitte with Sozialraum 5 (Frankenberg, Beverau) and 4 (Rothe Erde); two
    indicators with values for 2011 and 2014; square outlines side by side."""
    district = AreaFactory(name="Aachen-Mitte", slug="aachen-mitte", code="1")
    burtscheid = SocialAreaFactory(parent=district, name="Burtscheid / Frankenberg", slug="sozialraum-5", code="5")
    ost = SocialAreaFactory(parent=district, name="Aachen-Ost", slug="sozialraum-4", code="4")
    frankenberg = LivingAreaFactory(parent=burtscheid, name="Frankenberg", slug="lebensraum-362", code="362")
    beverau = LivingAreaFactory(parent=burtscheid, name="Beverau", slug="lebensraum-410", code="410")
    rothe_erde = LivingAreaFactory(parent=ost, name="Rothe Erde", slug="lebensraum-341", code="341")
    unemployment = Indicator.objects.create(
        slug="arbeitslosenquote", name="Arbeitslosenquote", unit="%", source="SEP Folie 2011", position=0
    )
    child_poverty = Indicator.objects.create(slug="kinderarmut", name="Kinderarmut", unit="%", position=1)
    estimated = IndicatorValue.Status.ESTIMATED
    value(unemployment, frankenberg, 2011, "6.1", population=3000, status=estimated)
    value(unemployment, beverau, 2011, "1.6", population=1000, status=estimated)
    value(unemployment, rothe_erde, 2011, "12.0", population=4000, status=IndicatorValue.Status.INVENTED)
    value(unemployment, burtscheid, 2011, "4.3", note="Ø der Folie")
    value(unemployment, frankenberg, 2014, "5.0", status=IndicatorValue.Status.INVENTED)
    value(unemployment, beverau, 2014, "2.0", status=IndicatorValue.Status.INVENTED)
    value(child_poverty, frankenberg, 2011, "17.9")
    value(child_poverty, beverau, 2011, "5.0")
    value(child_poverty, rothe_erde, 2011, "30.0")
    if shapes:
        for index, area in enumerate([frankenberg, beverau, rothe_erde]):
            AreaShape.objects.create(area=area, geometry=square(6.08 + index * 0.012, 50.77), is_schematic=True)
    return SmallCity(district, burtscheid, ost, frankenberg, beverau, rothe_erde, unemployment, child_poverty)


def figures_add(*, district: Area, social_area: Area, living_area: Area) -> Indicator:
    """One indicator with values for ``living_area`` and a sibling, and their outlines."""
    sibling = LivingAreaFactory(parent=social_area, name="Beverau", slug="beverau", code="410")
    indicator = Indicator.objects.create(slug="kinderarmut", name="Kinderarmut", unit="%")
    for year, first, second in [(2011, "17.9", "5.0"), (2014, "16.0", "6.5")]:
        value(indicator, living_area, year, first, status=IndicatorValue.Status.ESTIMATED)
        value(indicator, sibling, year, second, status=IndicatorValue.Status.INVENTED)
    for index, area in enumerate([living_area, sibling]):
        AreaShape.objects.create(area=area, geometry=square(6.08 + index * 0.012, 50.77), is_schematic=True)
    return indicator
