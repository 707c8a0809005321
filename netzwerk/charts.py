"""Charts drawn on the server as SVG: bar charts and line charts that print, need no script
and are read by screen readers.

Why not a chart library: the site's Content-Security-Policy allows styles only from our own
stylesheet (``style-src 'self'``), and the Python SVG libraries (pygal and the like) put a
``<style>`` element and ``style=""`` attributes into their output, which the browser then
drops. The charts here use presentation attributes and classes of ``site.css`` only.

Each chart is a :class:`Chart`: the SVG (``role="img"`` with ``<title>`` and ``<desc>``) and
the same figures as rows for the table that ``netzwerk/_chart.html`` shows beside it, so
nothing is only in the picture. The module is pure: numbers in, markup out; numbers are
formatted in the active language.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Colours with at least 3:1 contrast against white (WCAG 1.4.11), told apart by more than
# colour too: every line has its own dash pattern and marker.
SERIES_COLOURS = ("#004b7c", "#a4001d", "#2e6b00", "#7a3e9d", "#8a6100", "#4a4a4a")
SERIES_DASHES = ("", "6 3", "2 3", "8 3 2 3", "4 4", "1 2")
HIGHLIGHT_COLOUR = "#d45500"
BAR_COLOUR = SERIES_COLOURS[0]
FONT_SIZE = 13
_chart_ids = itertools.count(1)


def number(value: float | int | None, decimals: int | None = None) -> str:
    """A figure as the reader's language writes it („4,3“ in German), „–“ for none."""
    if value is None:
        return "–"
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 1
    # Rounded first: Django's number_format cuts a float's digits off (8.4875 → „8,4“).
    return formats.number_format(round(value, decimals), decimals, use_l10n=True, force_grouping=True)


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round axis steps (1, 2, 2.5, 5 × 10ⁿ) from ``low`` to at least ``high``."""
    if high <= low:
        high = low + 1
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value < high + step / 2:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


@dataclass
class Chart:
    """A drawn chart and the table of its figures."""

    title: str
    description: str
    svg: SafeString
    # Header and rows of the table beside the chart (already formatted strings).
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)

    def __html__(self) -> str:
        return self.svg


def _svg(width: int, height: int, title: str, description: str, body: list[str]) -> SafeString:
    chart_id = f"chart-{next(_chart_ids)}"
    # Every text inside was escaped where it was put in.
    return mark_safe(
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg" '
        f'font-size="{FONT_SIZE}" font-family="system-ui, sans-serif">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>' + "".join(body) + "</svg>"
    )


def bar_chart(
    *,
    title: str,
    description: str,
    bars: Sequence[tuple[str, float | None]],
    category_label: str,
    value_label: str,
    unit: str = "",
    decimals: int | None = None,
    highlight: Sequence[str] = (),
    reference: tuple[str, float] | None = None,
    width: int = 420,
) -> Chart:
    """Horizontal bars, each label above its bar so long names fit on a phone.

    ``highlight`` names the bars drawn in the highlight colour (the area the page is about);
    ``reference`` draws a labelled vertical line (the city's value, say). A bar without a
    value is left empty and written „–“.
    """
    suffix = f" {unit}" if unit else ""
    values = [value for _, value in bars if value is not None]
    if reference is not None:
        values.append(reference[1])
    low = min([0.0, *values])
    ticks = nice_ticks(low, max(values, default=1.0))
    low, high = ticks[0], ticks[-1]
    left, right = 4, width - 64
    row_height, bar_height, top = 40, 14, 8

    def x_of(value: float) -> float:
        return left + (value - low) / (high - low) * (right - left)

    body: list[str] = []
    if reference is not None:
        # Drawn first, so the bars' figures are written over the line, not under it.
        ref_label, ref_value = reference
        x = x_of(ref_value)
        bottom = top + len(bars) * row_height + 4
        body.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" stroke="#1b1b1b" '
            f'stroke-width="1.5" stroke-dasharray="4 3"/>'
        )
        anchor = "end" if x > (left + right) / 2 else "start"
        body.append(
            f'<text x="{x:.1f}" y="{bottom + 14}" text-anchor="{anchor}" fill="#1b1b1b">'
            f"{escape(ref_label)}: {escape(number(ref_value, decimals) + suffix)}</text>"
        )
    for index, (label, value) in enumerate(bars):
        y = top + index * row_height
        is_highlighted = label in highlight
        weight = ' font-weight="700"' if is_highlighted else ""
        body.append(f'<text x="{left}" y="{y + 12}"{weight} fill="#1b1b1b">{escape(label)}</text>')
        if value is None:
            body.append(f'<text x="{left}" y="{y + 30}" fill="#4a4a4a">–</text>')
            continue
        start, end = sorted((x_of(max(low, 0.0)), x_of(value)))
        colour = HIGHLIGHT_COLOUR if is_highlighted else BAR_COLOUR
        body.append(
            f'<rect x="{start:.1f}" y="{y + 18}" width="{max(end - start, 1):.1f}" '
            f'height="{bar_height}" fill="{colour}"/>'
        )
        body.append(
            f'<text x="{end + 4:.1f}" y="{y + 30}" fill="#1b1b1b">{escape(number(value, decimals) + suffix)}</text>'
        )
    height = top + len(bars) * row_height + 8
    if reference is not None:
        height += 16
    rows = [[label, number(value, decimals) + (suffix if value is not None else "")] for label, value in bars]
    if reference is not None:
        rows.append([reference[0], number(reference[1], decimals) + suffix])
    return Chart(
        title=title,
        description=description,
        svg=_svg(width, height, title, description, body),
        columns=[category_label, value_label],
        rows=rows,
    )


def line_chart(
    *,
    title: str,
    description: str,
    category_label: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    unit: str = "",
    decimals: int | None = None,
    width: int = 400,
    height: int = 220,
) -> Chart:
    """One line per series over the same categories (months, years). A gap (None) breaks the
    line; lines differ in colour, dash pattern and marker, and a legend names them."""
    suffix = f" {unit}" if unit else ""
    values = [value for _, points in series for value in points if value is not None]
    ticks = nice_ticks(min([0.0, *values]), max(values, default=1.0))
    low, high = ticks[0], ticks[-1]
    tick_labels = [number(tick, decimals if decimals is not None else None) for tick in ticks]
    left = 12 + 7 * max(len(label) for label in tick_labels)
    # Room on the right for half of the last category's label (a year), which is centred.
    right, top = width - 24, 10
    legend_height = 20 * len(series) if len(series) > 1 else 0
    bottom = height - 28 - legend_height
    step = (right - left) / max(len(categories) - 1, 1)

    def x_of(index: int) -> float:
        return left + index * step if len(categories) > 1 else (left + right) / 2

    def y_of(value: float) -> float:
        return bottom - (value - low) / (high - low) * (bottom - top)

    body: list[str] = []
    for tick, label in zip(ticks, tick_labels, strict=True):
        y = y_of(tick)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="#d0d0d0"/>')
        body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#4a4a4a">{escape(label)}</text>')
    # Label as many categories as fit (about one per 40 units), always the first and last.
    every = max(1, math.ceil(len(categories) * 40 / max(right - left, 1)))
    for index, category in enumerate(categories):
        if index % every and index != len(categories) - 1:
            continue
        body.append(
            f'<text x="{x_of(index):.1f}" y="{bottom + 18}" text-anchor="middle" fill="#4a4a4a">'
            f"{escape(category)}</text>"
        )
    for number_of_series, (name, points) in enumerate(series):
        colour = SERIES_COLOURS[number_of_series % len(SERIES_COLOURS)]
        dash = SERIES_DASHES[number_of_series % len(SERIES_DASHES)]
        dash_attribute = f' stroke-dasharray="{dash}"' if dash else ""
        segments: list[list[str]] = [[]]
        for index, value in enumerate(points):
            if value is None:
                segments.append([])
                continue
            segments[-1].append(f"{x_of(index):.1f},{y_of(value):.1f}")
        for segment in segments:
            if len(segment) > 1:
                body.append(
                    f'<polyline points="{" ".join(segment)}" fill="none" stroke="{colour}" '
                    f'stroke-width="2"{dash_attribute}/>'
                )
        for index, value in enumerate(points):
            if value is not None:
                body.append(_marker(number_of_series, x_of(index), y_of(value), colour))
        if legend_height:
            y = bottom + 36 + number_of_series * 20
            body.append(
                f'<line x1="{left}" y1="{y - 4}" x2="{left + 28}" y2="{y - 4}" stroke="{colour}" '
                f'stroke-width="2"{dash_attribute}/>'
            )
            body.append(_marker(number_of_series, left + 14, y - 4, colour))
            body.append(f'<text x="{left + 36}" y="{y}" fill="#1b1b1b">{escape(name)}</text>')
    rows = [
        [category]
        + [number(points[index], decimals) + (suffix if points[index] is not None else "") for _, points in series]
        for index, category in enumerate(categories)
    ]
    return Chart(
        title=title,
        description=description,
        svg=_svg(width, height, title, description, body),
        columns=[category_label, *[name for name, _ in series]],
        rows=rows,
    )


def _marker(kind: int, x: float, y: float, colour: str) -> str:
    """Circle, square, triangle, diamond … so series differ without colour."""
    shape = kind % 4
    if shape == 0:
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>'
    if shape == 1:
        return f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" fill="{colour}"/>'
    if shape == 2:
        return (
            f'<polygon points="{x:.1f},{y - 4.5:.1f} {x + 4:.1f},{y + 3:.1f} {x - 4:.1f},{y + 3:.1f}" fill="{colour}"/>'
        )
    points = f"{x:.1f},{y - 4.5:.1f} {x + 4.5:.1f},{y:.1f} {x:.1f},{y + 4.5:.1f} {x - 4.5:.1f},{y:.1f}"
    return f'<polygon points="{points}" fill="{colour}"/>'
