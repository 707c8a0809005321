"""Reads of the indicators: stored values, the values derived for larger areas, who
covers each Lebensraum, and the shapes for the map.

Everything is read in a fixed number of queries and computed in memory: 60 Lebensräume,
a handful of indicators and years are a few thousand numbers at most.

Derived values: a Sozialraum, Stadtbezirk or the city without a stored value gets the
mean of the Lebensräume below it, weighted by their ``population`` where every one has
it (the source's weights), plain otherwise. A derived value is as sure as its least sure
input: one invented Lebensraum makes the Sozialraum's value „fiktiv“ too.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from contacts.models import Area, Institution, Network
from contacts.selectors import networks_responsible_for
from indicators.models import AreaShape, Indicator, IndicatorValue

STATUS_ORDER = [IndicatorValue.Status.OFFICIAL, IndicatorValue.Status.ESTIMATED, IndicatorValue.Status.INVENTED]
STATUS_LABELS = dict(IndicatorValue.Status.choices)
# A Lebensraum shows high need for an indicator when its value is among this share of all
# Lebensräume with the most need (the highest values, or the lowest where lower means need).
HIGH_NEED_SHARE = 0.25
COVERAGE_KINDS = (
    Network.Kind.NEIGHBOURHOOD_CONFERENCE,
    Network.Kind.SENIORS_WORKING_GROUP,
    Network.Kind.SOCIAL_AREA_CONFERENCE,
    Network.Kind.WORKING_GROUP,
)


@dataclass(frozen=True)
class Figure:
    """A value as a page shows it, with how sure it is."""

    value: float
    status: str
    derived: bool = False
    population: int | None = None
    note: str = ""
    weighted: bool = False

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def is_invented(self) -> bool:
        return self.status == IndicatorValue.Status.INVENTED

    @property
    def marker(self) -> str:
        """What a reader must know beside the number: „fiktiv“, „geschätzt“, „abgeleitet“."""
        words = [] if self.status == IndicatorValue.Status.OFFICIAL else [self.status_label]
        if self.derived:
            words.append(str(_("abgeleitet, gewichtet")) if self.weighted else str(_("abgeleitet")))
        return ", ".join(words)


def _least_sure(statuses) -> str:
    return max(statuses, key=STATUS_ORDER.index)


@dataclass(frozen=True)
class Node:
    """An area as the computations need it (no model instance: 800 at bench scale)."""

    pk: int
    parent_id: int | None
    level: str
    code: str
    name: str
    slug: str

    def __str__(self) -> str:
        return f"{self.code} {self.name}" if self.code else self.name


@dataclass
class Tree:
    """Every area, its children, and the Lebensräume below each."""

    nodes: dict[int, Node]
    children: dict[int | None, list[int]]

    @classmethod
    def load(cls) -> Tree:
        """One query."""
        nodes = {
            row[0]: Node(*row)
            for row in Area.objects.order_by().values_list("pk", "parent_id", "level", "code", "name", "slug")
        }
        children: dict[int | None, list[int]] = defaultdict(list)
        for node in sorted(nodes.values(), key=_code_order):
            children[node.parent_id].append(node.pk)
        return cls(nodes=nodes, children=children)

    def living_below(self, pk: int | None) -> list[int]:
        """The Lebensräume in area ``pk`` (itself if it is one), or in the city for ``None``."""
        if pk is None:
            return [node.pk for node in self.living_areas()]
        if self.nodes[pk].level == Area.Level.LIVING_AREA:
            return [pk]
        found, frontier = [], [pk]
        while frontier:
            frontier = [child for parent in frontier for child in self.children.get(parent, [])]
            found += [child for child in frontier if self.nodes[child].level == Area.Level.LIVING_AREA]
        return found

    def living_areas(self) -> list[Node]:
        return sorted((n for n in self.nodes.values() if n.level == Area.Level.LIVING_AREA), key=_code_order)

    def ancestor(self, pk: int, level: str) -> Node | None:
        node = self.nodes.get(pk)
        while node is not None and node.level != level:
            node = self.nodes.get(node.parent_id) if node.parent_id else None
        return node

    def of_level(self, level: str) -> list[Node]:
        return sorted((n for n in self.nodes.values() if n.level == level), key=_code_order)


def _code_order(node: Node) -> tuple:
    code = node.code
    return (0, int(code), node.name) if code.isdigit() else (1, 0, node.name)


@dataclass
class IndicatorTable:
    """The stored values of one indicator, and what is derived from them."""

    indicator: Indicator
    tree: Tree
    stored: dict[tuple[int | None, int], IndicatorValue]
    _derived: dict = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        return sorted({year for _area, year in self.stored})

    def latest_year(self, area_id: int | None = None) -> int | None:
        years = [year for year in reversed(self.years) if self.figure(area_id, year) is not None]
        return years[0] if years else None

    def shown_year(self, area_id: int) -> int | None:
        """The year an area page leads with: the latest whose figure is not invented (the
        source's own figures before invented later ones), else the latest with any figure."""
        sure = [
            year
            for year in reversed(self.years)
            if (figure := self.figure(area_id, year)) is not None and not figure.is_invented
        ]
        return sure[0] if sure else self.latest_year(area_id)

    def figure(self, area_id: int | None, year: int) -> Figure | None:
        """The value of ``area_id`` (``None``: the city) in ``year``: stored, or derived
        from its Lebensräume; ``None`` when there is neither."""
        value = self.stored.get((area_id, year))
        if value is not None:
            return Figure(float(value.value), value.status, population=value.population, note=value.note)
        if area_id is not None and self.tree.nodes[area_id].level == Area.Level.LIVING_AREA:
            return None
        key = (area_id, year)
        if key not in self._derived:
            self._derived[key] = self._derive(area_id, year)
        return self._derived[key]

    def _derive(self, area_id: int | None, year: int) -> Figure | None:
        parts = [self.stored.get((pk, year)) for pk in self.tree.living_below(area_id)]
        parts = [part for part in parts if part is not None]
        if not parts:
            return None
        status = _least_sure(part.status for part in parts)
        if all(part.population for part in parts):
            population = sum(part.population for part in parts)
            mean = sum(part.value * part.population for part in parts) / Decimal(population)
            return Figure(round(float(mean), 3), status, derived=True, population=population, weighted=True)
        return Figure(round(float(sum(part.value for part in parts) / len(parts)), 3), status, derived=True)

    def living_figures(self, year: int, area_ids: list[int] | None = None) -> list[tuple[Node, Figure | None]]:
        """The Lebensräume (all, or ``area_ids``) with their figures in ``year``."""
        ids = area_ids if area_ids is not None else self.tree.living_below(None)
        return [(self.tree.nodes[pk], self.figure(pk, year)) for pk in ids]

    def high_need(self, year: int) -> set[int]:
        """The Lebensräume among the ``HIGH_NEED_SHARE`` with the most need in ``year``."""
        figures = [(node.pk, figure.value) for node, figure in self.living_figures(year) if figure]
        if not figures:
            return set()
        figures.sort(key=lambda item: item[1], reverse=self.indicator.higher_means_need)
        count = max(1, math.ceil(len(figures) * HIGH_NEED_SHARE))
        threshold = figures[count - 1][1]
        if self.indicator.higher_means_need:
            return {pk for pk, value in figures if value >= threshold}
        return {pk for pk, value in figures if value <= threshold}


def indicator_list() -> list[Indicator]:
    """The catalogue, in its order."""
    return list(Indicator.objects.order_by("position", "name"))


def indicator_get(slug: str) -> Indicator | None:
    return Indicator.objects.filter(slug=slug).first()


def indicator_tables(*, indicators: list[Indicator] | None = None, tree: Tree | None = None) -> list[IndicatorTable]:
    """A table per indicator (all, or ``indicators``); three queries at most."""
    indicators = indicator_list() if indicators is None else indicators
    tree = tree or Tree.load()
    stored: dict[int, dict] = {indicator.pk: {} for indicator in indicators}
    for value in IndicatorValue.objects.filter(indicator__in=indicators).order_by():
        stored[value.indicator_id][(value.area_id, value.year)] = value
    return [IndicatorTable(indicator=indicator, tree=tree, stored=stored[indicator.pk]) for indicator in indicators]


# --- area pages ---------------------------------------------------------------------------


@dataclass
class AreaIndicator:
    """One indicator as an area page shows it."""

    indicator: Indicator
    year: int
    figure: Figure
    city: Figure | None
    # The Lebensräume compared with: those of the area's Sozialraum (all of a Stadtbezirk's).
    context: Node | None
    neighbours: list[tuple[Node, Figure | None]]
    # (year, the area's figure, the city's figure) for every year with any value.
    trend: list[tuple[int, Figure | None, Figure | None]]

    @property
    def low(self) -> tuple[Node, Figure] | None:
        present = [(node, figure) for node, figure in self.neighbours if figure]
        return min(present, key=lambda item: item[1].value) if present else None

    @property
    def high(self) -> tuple[Node, Figure] | None:
        present = [(node, figure) for node, figure in self.neighbours if figure]
        return max(present, key=lambda item: item[1].value) if present else None


def area_indicators(*, area_id: int) -> list[AreaIndicator]:
    """Each indicator with a value for the area: its value in the year it leads with
    (``IndicatorTable.shown_year``), the city's, the
    Lebensräume of its Sozialraum (or, for a Stadtbezirk, of the Bezirk) in that year, and
    the trend of both over the years. Three queries."""
    tables = indicator_tables()
    if not tables:
        return []
    tree = tables[0].tree
    node = tree.nodes.get(area_id)
    if node is None:
        return []
    if node.level == Area.Level.LIVING_AREA:
        context = tree.nodes.get(node.parent_id) if node.parent_id else None
    else:
        context = node
    neighbour_ids = tree.living_below(context.pk) if context else [node.pk]
    shown = []
    for table in tables:
        year = table.shown_year(area_id)
        if year is None:
            continue
        shown.append(
            AreaIndicator(
                indicator=table.indicator,
                year=year,
                figure=table.figure(area_id, year),
                city=table.figure(None, year),
                context=context,
                neighbours=table.living_figures(year, neighbour_ids),
                trend=[(y, table.figure(area_id, y), table.figure(None, y)) for y in table.years],
            )
        )
    return shown


# --- the comparison -----------------------------------------------------------------------

SORTS = {
    "code": lambda row: _code_order(row.node),
    "name": lambda row: row.node.name.casefold(),
    "wert": lambda row: (row.figure is None, row.figure.value if row.figure else 0),
    "-wert": lambda row: (row.figure is None, -row.figure.value if row.figure else 0),
}


@dataclass
class ComparisonRow:
    node: Node
    social_area: Node | None
    district: Node | None
    figure: Figure | None
    high_need: bool


@dataclass
class Comparison:
    table: IndicatorTable
    year: int | None
    rows: list[ComparisonRow]
    city: Figure | None
    # The figures of the chosen Sozialraum or Stadtbezirk, when one is chosen.
    selection: tuple[Node, Figure | None] | None


def comparison(
    *,
    indicator: Indicator,
    year: int | None,
    district_id: int | None = None,
    social_area_id: int | None = None,
    sort: str = "code",
) -> Comparison:
    """All Lebensräume (or those of a Stadtbezirk or Sozialraum) for one indicator and year
    (the latest with values when ``year`` is ``None``), sorted by ``sort`` (``SORTS``)."""
    (table,) = indicator_tables(indicators=[indicator])
    tree = table.tree
    year = year or (table.years[-1] if table.years else None)
    chosen = social_area_id or district_id
    ids = tree.living_below(chosen) if chosen else tree.living_below(None)
    need = table.high_need(year) if year else set()
    rows = [
        ComparisonRow(
            node=tree.nodes[pk],
            social_area=tree.ancestor(pk, Area.Level.SOCIAL_AREA),
            district=tree.ancestor(pk, Area.Level.DISTRICT),
            figure=table.figure(pk, year) if year else None,
            high_need=pk in need,
        )
        for pk in ids
    ]
    rows.sort(key=SORTS[sort])
    selection = (tree.nodes[chosen], table.figure(chosen, year) if year else None) if chosen else None
    return Comparison(
        table=table, year=year, rows=rows, city=table.figure(None, year) if year else None, selection=selection
    )


# --- coverage -----------------------------------------------------------------------------


@dataclass
class CoverageRow:
    node: Node
    social_area: Node | None
    networks: dict[str, list[Network]]
    institution_types: list[str]
    # (indicator, figure) where the Lebensraum shows high need, in its latest year.
    needs: list[tuple[Indicator, int, Figure]]

    @property
    def has_stk(self) -> bool:
        return bool(self.networks[Network.Kind.NEIGHBOURHOOD_CONFERENCE])

    @property
    def network_groups(self) -> list[tuple[str, list[Network]]]:
        """The kinds that have networks here, each with its networks."""
        return [(kind, networks) for kind, networks in self.networks.items() if networks]

    @property
    def has_oag(self) -> bool:
        return bool(self.networks[Network.Kind.SENIORS_WORKING_GROUP])


def coverage() -> list[CoverageRow]:
    """Per Lebensraum: the networks responsible for it (linked to it or to an area above it),
    by kind; the kinds of active institutions in it; and the indicators that show high need
    there in their latest year. A fixed number of queries."""
    tree = Tree.load()
    living = tree.living_areas()
    ids = {node.pk for node in living}
    by_area: dict[int, dict[str, list[Network]]] = {pk: {kind: [] for kind in COVERAGE_KINDS} for pk in ids}
    for network, covered in networks_responsible_for(area_ids=ids):
        if network.kind in COVERAGE_KINDS:
            for pk in covered:
                by_area[pk][network.kind].append(network)
    types: dict[int, set[str]] = defaultdict(set)
    for area_id, type_name in (
        Institution.objects.filter(is_active=True, area_id__in=ids).order_by().values_list("area_id", "type__name")
    ):
        types[area_id].add(type_name)
    needs: dict[int, list] = defaultdict(list)
    for table in indicator_tables(tree=tree):
        year = table.latest_year()
        if year is None:
            continue
        for pk in table.high_need(year):
            needs[pk].append((table.indicator, year, table.figure(pk, year)))
    return [
        CoverageRow(
            node=node,
            social_area=tree.ancestor(node.pk, Area.Level.SOCIAL_AREA),
            networks=by_area[node.pk],
            institution_types=sorted(types[node.pk]),
            needs=needs[node.pk],
        )
        for node in living
    ]


# --- the map ------------------------------------------------------------------------------


@dataclass
class MapArea:
    node: Node
    geometry: dict
    figure: Figure | None
    high_need: bool


@dataclass
class MapPoint:
    institution: Institution
    latitude: float
    longitude: float


@dataclass
class MapData:
    areas: list[MapArea]
    points: list[MapPoint]
    schematic: bool
    table: IndicatorTable | None
    year: int | None


def map_data(*, indicator: Indicator | None, year: int | None) -> MapData:
    """The outlines of the Lebensräume with their figures for ``indicator`` in ``year`` (the
    latest when ``None``), and the active institutions that have coordinates."""
    tree = Tree.load()
    table = indicator_tables(indicators=[indicator], tree=tree)[0] if indicator else None
    if table is not None:
        year = year or (table.years[-1] if table.years else None)
    need = table.high_need(year) if table and year else set()
    shapes = list(AreaShape.objects.filter(area__level=Area.Level.LIVING_AREA).order_by())
    areas = [
        MapArea(
            node=tree.nodes[shape.area_id],
            geometry=shape.geometry,
            figure=table.figure(shape.area_id, year) if table and year else None,
            high_need=shape.area_id in need,
        )
        for shape in shapes
    ]
    areas.sort(key=lambda item: _code_order(item.node))
    institutions = (
        Institution.objects.filter(is_active=True, latitude__isnull=False).select_related("type").order_by("name")
    )
    points = [MapPoint(i, float(i.latitude), float(i.longitude)) for i in institutions]
    return MapData(
        areas=areas, points=points, schematic=any(shape.is_schematic for shape in shapes), table=table, year=year
    )


def indicator_figures(*, indicator: Indicator, year: int | None = None, level: str | None = None) -> list[dict]:
    """Every figure of ``indicator`` (in ``year``, of areas of ``level``; ``"stadt"`` for the
    city), stored and derived, as plain rows for the API and the CSV export."""
    (table,) = indicator_tables(indicators=[indicator])
    tree = table.tree
    years = [year] if year else table.years
    levels = [level] if level else [Area.Level.LIVING_AREA, Area.Level.SOCIAL_AREA, Area.Level.DISTRICT, "stadt"]
    rows = []
    for each_year in years:
        for each_level in levels:
            nodes = [None] if each_level == "stadt" else tree.of_level(each_level)
            for node in nodes:
                figure = table.figure(node.pk if node else None, each_year)
                if figure is None:
                    continue
                rows.append({"year": each_year, "level": each_level, "area": node, "figure": figure})
    return rows
