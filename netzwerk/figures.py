"""The figures of the areas as pages: the indicators on an area page, the comparison of
the Lebensräume, their coverage by networks, the map, and their CSV exports.

Assembled here because they join the indicators (``indicators``), the directory
(``contacts``) and the meeting places (``meetings``), and draw with ``netzwerk.charts``.
Every figure carries its marker (belegt, geschätzt, fiktiv, abgeleitet) on every surface:
beside the number, in the tables beside the charts, in the CSV files.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from contacts.models import Network
from indicators import selectors
from indicators.forms import ComparisonForm, FigureChoiceForm
from indicators.geo import Projection, centre, outer_points
from indicators.models import Indicator
from indicators.selectors import AreaIndicator, Figure, MapData
from meetings.selectors import meeting_place_institution_ids
from netzwerk.charts import Chart, bar_chart, line_chart, number

CITY = "Stadt Aachen"
# Light to dark: the darker, the more need. Neighbouring classes differ in lightness enough
# to be told apart; the number of each area's class is also in the table below the map.
MAP_COLOURS = ("#eef4f9", "#b3cde3", "#6497c4", "#1f5a94")
MAP_LABEL_COLOURS = ("#1b1b1b", "#1b1b1b", "#ffffff", "#ffffff")
MAP_NO_VALUE = "#d9d9d9"
MAP_WIDTH = 800


def figure_text(figure: Figure | None, indicator: Indicator, *, marked: bool = True, sourced: bool = False) -> str:
    """„6,1 %“, with its marker: „6,1 % (geschätzt)“; with ``sourced`` also „4,3 % (belegt)“;
    „–“ for no value."""
    if figure is None:
        return "–"
    text = number(figure.value, indicator.decimals)
    if indicator.unit:
        text += f" {indicator.unit}"
    marker = figure.marker or (figure.status_label if sourced else "")
    if marked and marker:
        text += f" ({marker})"
    return text


def _mark_rows(chart: Chart, figures: list[list[Figure | None]], indicator: Indicator) -> Chart:
    """Write each figure's marker into the table beside the chart."""
    for row, row_figures in zip(chart.rows, figures, strict=False):
        for position, figure in enumerate(row_figures, start=1):
            if figure is not None and figure.marker:
                row[position] += f" ({figure.marker})"
    return chart


@dataclass
class AreaFigures:
    """One indicator on an area page: the facts and two small charts."""

    item: AreaIndicator
    value: str
    city: str
    low: str
    high: str
    range_chart: Chart
    trend_chart: Chart


def area_figures(*, area) -> list[AreaFigures]:
    """The indicators of ``area`` as its page shows them."""
    blocks = []
    for item in selectors.area_indicators(area_id=area.pk):
        indicator = item.indicator
        unit = indicator.unit
        context_name = item.context.name if item.context else area.name
        bars = [(str(node), figure.value if figure else None) for node, figure in item.neighbours]
        range_chart = bar_chart(
            title=_("%(indicator)s %(year)s in den Lebensräumen von %(area)s")
            % {"indicator": indicator.name, "year": item.year, "area": context_name},
            description=_("Balken je Lebensraum; die gestrichelte Linie ist der Wert der Stadt."),
            bars=bars,
            category_label=_("Lebensraum"),
            value_label=indicator.name,
            unit=unit,
            decimals=indicator.decimals,
            highlight=[str(node) for node, _figure in item.neighbours if node.pk == area.pk],
            reference=(CITY, item.city.value) if item.city else None,
        )
        _mark_rows(range_chart, [[figure] for _node, figure in item.neighbours] + [[item.city]], indicator)
        trend_chart = line_chart(
            title=_("%(indicator)s im Zeitverlauf") % {"indicator": indicator.name},
            description=_("Eine Linie für %(area)s, eine für die Stadt.") % {"area": area.name},
            category_label=_("Jahr"),
            categories=[str(year) for year, _a, _c in item.trend],
            series=[
                (area.name, [figure.value if figure else None for _y, figure, _c in item.trend]),
                (CITY, [city.value if city else None for _y, _a, city in item.trend]),
            ],
            unit=unit,
            decimals=indicator.decimals,
        )
        _mark_rows(trend_chart, [[figure, city] for _y, figure, city in item.trend], indicator)
        low, high = item.low, item.high
        blocks.append(
            AreaFigures(
                item=item,
                value=figure_text(item.figure, indicator, sourced=True),
                city=figure_text(item.city, indicator),
                low=f"{figure_text(low[1], indicator, marked=False)} ({low[0].name})" if low else "–",
                high=f"{figure_text(high[1], indicator, marked=False)} ({high[0].name})" if high else "–",
                range_chart=range_chart,
                trend_chart=trend_chart,
            )
        )
    return blocks


def _bad_request(request: HttpRequest, form) -> HttpResponse:
    messages = [str(error) for errors in form.errors.values() for error in errors]
    return render(request, "netzwerk/error.html", {"status": 400, "message": " ".join(messages)}, status=400)


def _csv_response(filename: str, header: list[str], rows: list[list]) -> HttpResponse:
    """A CSV file as Excel opens it in Germany: UTF-8 with BOM, semicolons."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _csv_number(figure: Figure | None, indicator: Indicator) -> str:
    return "" if figure is None else number(figure.value, indicator.decimals).replace(".", "")


# --- the comparison -----------------------------------------------------------------------


def _comparison_form(request: HttpRequest):
    tables = selectors.indicator_tables()
    tree = tables[0].tree if tables else selectors.Tree.load()
    return ComparisonForm(request.GET, tables=tables, tree=tree)


@require_safe
def figures_comparison(request: HttpRequest) -> HttpResponse:
    """All Lebensräume for one indicator and year, as a table and a bar chart; filtered by
    Stadtbezirk or Sozialraum, sorted as chosen."""
    form = _comparison_form(request)
    if not form.is_valid():
        return _bad_request(request, form)
    table = form.cleaned_data["table"]
    if table is None:
        return render(request, "netzwerk/figures/comparison.html", {"form": form, "comparison": None})
    data = form.cleaned_data
    result = selectors.comparison(
        indicator=table.indicator,
        year=data["jahr"],
        district_id=data["stadtbezirk"],
        social_area_id=data["sozialraum"],
        sort=data["sortierung"],
    )
    indicator = table.indicator
    chart = bar_chart(
        title=_("%(indicator)s %(year)s je Lebensraum") % {"indicator": indicator.name, "year": result.year},
        description=_(
            "Ein Balken je Lebensraum, in der Reihenfolge der Tabelle; hervorgehoben (orange, fett): hoher Bedarf; "
            "die gestrichelte Linie ist der Wert der Stadt."
        ),
        bars=[(str(row.node), row.figure.value if row.figure else None) for row in result.rows],
        category_label=_("Lebensraum"),
        value_label=indicator.name,
        unit=indicator.unit,
        decimals=indicator.decimals,
        highlight=[str(row.node) for row in result.rows if row.high_need],
        reference=(CITY, result.city.value) if result.city else None,
    )
    _mark_rows(chart, [[row.figure] for row in result.rows] + [[result.city]], indicator)
    query = request.GET.urlencode()
    context = {
        "form": form,
        "comparison": result,
        "indicator": indicator,
        "chart": chart,
        "rows": [(row, figure_text(row.figure, indicator)) for row in result.rows],
        "city": figure_text(result.city, indicator),
        "selection": (result.selection[0], figure_text(result.selection[1], indicator)) if result.selection else None,
        "csv_url": reverse("figures_comparison_csv") + (f"?{query}" if query else ""),
        "map_url": reverse("figures_map") + f"?kennzahl={indicator.slug}&jahr={result.year}",
    }
    return render(request, "netzwerk/figures/comparison.html", context)


figures_comparison.query_parameters = frozenset(ComparisonForm.base_fields)


@require_safe
def figures_comparison_csv(request: HttpRequest) -> HttpResponse:
    """The comparison's table as CSV (the same parameters)."""
    form = _comparison_form(request)
    if not form.is_valid():
        return _bad_request(request, form)
    if form.cleaned_data["table"] is None:
        # Nothing to export yet: no such file.
        return render(request, "netzwerk/error.html", {"status": 404}, status=404)
    data = form.cleaned_data
    indicator = data["table"].indicator
    result = selectors.comparison(
        indicator=indicator,
        year=data["jahr"],
        district_id=data["stadtbezirk"],
        social_area_id=data["sozialraum"],
        sort=data["sortierung"],
    )
    header = [
        _("Lebensraum"),
        _("Name"),
        _("Sozialraum"),
        _("Stadtbezirk"),
        _("Kennzahl"),
        _("Jahr"),
        _("Wert"),
        _("Einheit"),
        _("Kennzeichnung"),
        _("hoher Bedarf"),
    ]
    rows = [
        [
            row.node.code,
            row.node.name,
            str(row.social_area or ""),
            row.district.name if row.district else "",
            indicator.name,
            result.year,
            _csv_number(row.figure, indicator),
            indicator.unit,
            row.figure.marker or row.figure.status_label if row.figure else "",
            _("ja") if row.high_need else _("nein"),
        ]
        for row in result.rows
    ]
    return _csv_response(f"kennzahl-{indicator.slug}-{result.year}.csv", header, rows)


figures_comparison_csv.query_parameters = figures_comparison.query_parameters


# --- coverage -----------------------------------------------------------------------------


def _coverage_context() -> dict:
    rows = selectors.coverage()
    needs = {
        row.node.pk: [
            f"{indicator.name} {figure_text(figure, indicator)}, {year}" for indicator, year, figure in row.needs
        ]
        for row in rows
    }

    def by_need(items):
        # High need first, then by number.
        return sorted(items, key=lambda row: not row.needs)

    return {
        "rows": rows,
        "needs": needs,
        "entries": [(row, needs[row.node.pk]) for row in rows],
        "without_stk": by_need([row for row in rows if not row.has_stk]),
        "without_oag": by_need([row for row in rows if not row.has_oag]),
        "kinds": [(kind, Network.Kind(kind).label) for kind in selectors.COVERAGE_KINDS],
    }


@require_safe
def figures_coverage(request: HttpRequest) -> HttpResponse:
    """Per Lebensraum: which networks cover it and which kinds of institutions are there;
    the Lebensräume without a Stadtteilkonferenz or an OAG, those with high need first."""
    return render(request, "netzwerk/figures/coverage.html", _coverage_context())


@require_safe
def figures_coverage_csv(request: HttpRequest) -> HttpResponse:
    """The coverage table as CSV."""
    context = _coverage_context()
    header = [
        _("Lebensraum"),
        _("Name"),
        _("Sozialraum"),
        *[str(label) for _kind, label in context["kinds"]],
        _("Arten von Einrichtungen"),
        _("hoher Bedarf"),
    ]
    rows = [
        [
            row.node.code,
            row.node.name,
            str(row.social_area or ""),
            *[", ".join(network.name for network in row.networks[kind]) for kind, _label in context["kinds"]],
            ", ".join(row.institution_types),
            "; ".join(context["needs"][row.node.pk]),
        ]
        for row in context["rows"]
    ]
    return _csv_response("abdeckung-lebensraeume.csv", header, rows)


# --- the map ------------------------------------------------------------------------------


@dataclass
class MapClass:
    colour: str
    label: str


def _map_classes(data: MapData) -> tuple[list[float], list[MapClass]]:
    """Four classes of about equal size (quartiles of the Lebensräume's values)."""
    indicator = data.table.indicator if data.table else None
    values = sorted(area.figure.value for area in data.areas if area.figure)
    if not values or indicator is None:
        return [], []
    bounds = sorted({values[min(len(values) - 1, (len(values) * share) // 4)] for share in (1, 2, 3)} | {values[-1]})
    suffix = f" {indicator.unit}" if indicator.unit else ""
    classes = []
    previous = None
    colours = MAP_COLOURS if indicator.higher_means_need else tuple(reversed(MAP_COLOURS))
    for index, bound in enumerate(bounds):
        upper = number(bound, indicator.decimals) + suffix
        if previous is None:
            label = _("bis %(upper)s") % {"upper": upper}
        else:
            label = _("über %(lower)s bis %(upper)s") % {
                "lower": number(previous, indicator.decimals) + suffix,
                "upper": upper,
            }
        colour_index = index + (len(MAP_COLOURS) - len(bounds)) if indicator.higher_means_need else index
        classes.append(MapClass(colours[colour_index], label))
        previous = bound
    return bounds, classes


def _class_of(value: float, bounds: list[float]) -> int:
    return next((index for index, bound in enumerate(bounds) if value <= bound), len(bounds) - 1)


def map_drawing(data: MapData, *, meeting_places: set[int], without_stk: set[int]) -> tuple[SafeString, list]:
    """The SVG of the map and the rows of its table: (area, figure text, class label, flags)."""
    indicator = data.table.indicator if data.table else None
    points = [point for area in data.areas for point in outer_points(area.geometry)]
    projection = Projection.fit(points, width=MAP_WIDTH)
    bounds, classes = _map_classes(data)
    body = []
    tile_url = settings.AREAS_MAP_TILE_URL
    if tile_url and points:
        zoom = projection.zoom_for_tiles()
        for href, x, y, size in projection.tiles(tile_url, zoom=zoom):
            body.append(
                f'<image href="{escape(href)}" x="{x:.1f}" y="{y:.1f}" width="{size:.1f}" height="{size:.1f}" '
                f'opacity="0.5" preserveAspectRatio="none"/>'
            )
    rows = []
    for area in data.areas:
        node = area.node
        if area.figure is not None and bounds:
            index = _class_of(area.figure.value, bounds)
            fill, label_colour, class_label = (
                classes[index].colour,
                MAP_LABEL_COLOURS[MAP_COLOURS.index(classes[index].colour)],
                classes[index].label,
            )
        else:
            fill, label_colour, class_label = MAP_NO_VALUE, "#1b1b1b", _("kein Wert")
        value = figure_text(area.figure, indicator) if indicator else "–"
        alarm = area.high_need and node.pk in without_stk
        flags = []
        if area.high_need:
            flags.append(_("hoher Bedarf"))
        if node.pk in without_stk:
            flags.append(_("ohne Stadtteilkonferenz"))
        name = f"{node}: {value}" + (f" – {', '.join(flags)}" if flags else "")
        x, y = projection(*centre(area.geometry))
        stroke = ' stroke="#1b1b1b" stroke-width="3"' if area.high_need else ' stroke="#ffffff" stroke-width="1.5"'
        label = escape(node.code) + (" !" if alarm else "")
        weight = ' font-weight="700"' if alarm else ""
        body.append(
            f'<a href="{reverse("directory:area_detail", args=[node.slug])}" aria-label="{escape(name)}">'
            f"<title>{escape(name)}</title>"
            f'<path class="map-area" d="{projection.path(area.geometry)}" fill="{fill}"{stroke} fill-rule="evenodd"/>'
            f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" font-size="11" fill="{label_colour}"'
            f"{weight}>{label}</text></a>"
        )
        rows.append((area, value, class_label, flags))
    for point in data.points:
        x, y = projection(point.longitude, point.latitude)
        if not (0 <= x <= projection.width and 0 <= y <= projection.height):
            continue
        title = escape(point.institution.name)
        if point.institution.pk in meeting_places:
            title += escape(" – " + _("Treffpunkt"))
            body.append(
                f'<rect x="{x - 4.5:.1f}" y="{y - 4.5:.1f}" width="9" height="9" fill="#d45500" stroke="#1b1b1b">'
                f"<title>{title}</title></rect>"
            )
        else:
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="#1b1b1b" stroke="#ffffff">'
                f"<title>{title}</title></circle>"
            )
    heading = _("Karte der Lebensräume")
    if indicator and data.year:
        heading = _("Karte der Lebensräume: %(indicator)s %(year)s") % {"indicator": indicator.name, "year": data.year}
    svg = mark_safe(
        f'<svg class="area-map" viewBox="0 0 {projection.width} {projection.height}" width="100%" role="group" '
        f'aria-label="{escape(heading)}" xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif">'
        + "".join(body)
        + "</svg>"
    )
    return svg, rows


@require_safe
def figures_map(request: HttpRequest) -> HttpResponse:
    """The map of the Lebensräume, coloured by the chosen indicator, with the institutions
    and meeting places that have coordinates; every area links to its page."""
    tables = selectors.indicator_tables()
    form = FigureChoiceForm(request.GET, tables=tables)
    if not form.is_valid():
        return _bad_request(request, form)
    table = form.cleaned_data["table"]
    data = selectors.map_data(indicator=table.indicator if table else None, year=form.cleaned_data["jahr"])
    without_stk = {row.node.pk for row in selectors.coverage() if not row.has_stk}
    meeting_places = meeting_place_institution_ids()
    svg, rows = map_drawing(data, meeting_places=meeting_places, without_stk=without_stk)
    _bounds, classes = _map_classes(data)
    query = request.GET.urlencode()
    context = {
        "form": form,
        "data": data,
        "indicator": table.indicator if table else None,
        "svg": svg,
        "rows": rows,
        "classes": classes,
        "points": [(point, point.institution.pk in meeting_places) for point in data.points],
        "tiles": bool(settings.AREAS_MAP_TILE_URL),
        "csv_url": reverse("figures_map_csv") + (f"?{query}" if query else ""),
    }
    return render(request, "netzwerk/figures/map.html", context)


figures_map.query_parameters = frozenset(FigureChoiceForm.base_fields)


@require_safe
def figures_map_csv(request: HttpRequest) -> HttpResponse:
    """The map's data as CSV: a row per Lebensraum (its centre, value, class) and per place."""
    tables = selectors.indicator_tables()
    form = FigureChoiceForm(request.GET, tables=tables)
    if not form.is_valid():
        return _bad_request(request, form)
    table = form.cleaned_data["table"]
    indicator = table.indicator if table else None
    data = selectors.map_data(indicator=indicator, year=form.cleaned_data["jahr"])
    bounds, classes = _map_classes(data)
    meeting_places = meeting_place_institution_ids()
    header = [
        _("Art"),
        _("Nummer oder Kurzname"),
        _("Name"),
        _("Länge"),
        _("Breite"),
        _("Kennzahl"),
        _("Jahr"),
        _("Wert"),
        _("Kennzeichnung"),
        _("Klasse"),
    ]
    rows = []
    for area in data.areas:
        longitude, latitude = centre(area.geometry)
        figure = area.figure
        rows.append(
            [
                _("Lebensraum"),
                area.node.code,
                area.node.name,
                f"{longitude:.6f}",
                f"{latitude:.6f}",
                indicator.name if indicator else "",
                data.year or "",
                _csv_number(figure, indicator) if indicator else "",
                (figure.marker or figure.status_label) if figure else "",
                classes[_class_of(figure.value, bounds)].label if figure and bounds else "",
            ]
        )
    for point in data.points:
        kind = _("Treffpunkt") if point.institution.pk in meeting_places else _("Einrichtung")
        rows.append(
            [
                kind,
                point.institution.slug,
                point.institution.name,
                f"{point.longitude:.6f}",
                f"{point.latitude:.6f}",
                "",
                "",
                "",
                "",
                "",
            ]
        )
    return _csv_response("karte-lebensraeume.csv", header, rows)


figures_map_csv.query_parameters = figures_map.query_parameters


def map_tile_origin() -> str:
    """The scheme and host of the optional tile server, for the map page's img-src."""
    parts = urlsplit(settings.AREAS_MAP_TILE_URL)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
