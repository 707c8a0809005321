"""The server-drawn SVG charts: well-formed, labelled for screen readers, proportional, and
with every figure also in the table beside them."""

import re
import xml.etree.ElementTree as ET

from django.template.loader import render_to_string
from django.utils import translation

from netzwerk.charts import HIGHLIGHT_COLOUR, bar_chart, line_chart, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"


def parse(chart):
    return ET.fromstring(str(chart.svg))


def test_bar_chart_bars_are_proportional_and_the_highlighted_area_stands_out():
    chart = bar_chart(
        title="Arbeitslosenquote",
        description="Arbeitslosenquote je Lebensraum im Sozialraum 5, 2011",
        category_label="Lebensraum",
        value_label="Quote",
        unit="%",
        bars=[("362", 1.6), ("363", 6.1), ("410", 3.05)],
        highlight=["363"],
        reference=("Stadt Aachen", 4.3),
    )
    svg = parse(chart)
    assert svg.get("role") == "img"
    title_id, description_id = svg.get("aria-labelledby").split()
    assert svg.find(f"{SVG}title").get("id") == title_id
    assert svg.find(f"{SVG}desc").get("id") == description_id
    assert svg.find(f"{SVG}desc").text == "Arbeitslosenquote je Lebensraum im Sozialraum 5, 2011"
    bars = svg.findall(f"{SVG}rect")
    widths = [float(bar.get("width")) for bar in bars]
    assert widths[1] / widths[0] == pytest_approx(6.1 / 1.6)
    assert [bar.get("fill") == HIGHLIGHT_COLOUR for bar in bars] == [False, True, False]
    # the city's value is a labelled line
    assert svg.find(f"{SVG}line") is not None
    with translation.override("de"):
        chart = bar_chart(
            title="t",
            description="d",
            category_label="Lebensraum",
            value_label="Quote",
            unit="%",
            bars=[("410", 4.3), ("420", 1234.5)],
            decimals=1,
        )
    assert chart.rows == [["410", "4,3 %"], ["420", "1.234,5 %"]]


def pytest_approx(value):
    import pytest

    return pytest.approx(value, rel=0.01)


def test_a_missing_value_is_written_as_a_dash_and_draws_no_bar():
    chart = bar_chart(
        title="t",
        description="d",
        category_label="Netzwerk",
        value_label="Treffen",
        bars=[("STK Nord", 10), ("OAG Brand", None)],
    )
    assert len(parse(chart).findall(f"{SVG}rect")) == 1
    assert chart.rows[1] == ["OAG Brand", "–"]


def test_labels_are_escaped():
    chart = bar_chart(
        title="<script>",
        description="a & b",
        category_label="x",
        value_label="y",
        bars=[("<b>Jugend & Kultur</b>", 3)],
    )
    svg = parse(chart)  # well-formed: the markup in the label did not leak
    assert "<b>" not in str(chart.svg)
    assert any(text.text == "<b>Jugend & Kultur</b>" for text in svg.iter(f"{SVG}text"))


def test_line_chart_draws_a_line_per_series_broken_at_gaps_and_a_legend():
    chart = line_chart(
        title="Teilnahme",
        description="Teilnehmende je Treffen 2026",
        category_label="Monat",
        categories=["Jan", "Feb", "Mär", "Apr"],
        series=[("STK Nord", [12, 14, None, 11]), ("OAG Brand", [8, 9, 9, 10])],
    )
    svg = parse(chart)
    polylines = svg.findall(f"{SVG}polyline")
    # STK Nord is broken into Jan–Feb (a line) and Apr alone (a marker only); OAG is one line
    assert len(polylines) == 2
    assert polylines[0].get("stroke") != polylines[1].get("stroke")
    assert polylines[1].get("stroke-dasharray")
    texts = [text.text for text in svg.iter(f"{SVG}text")]
    assert "STK Nord" in texts and "OAG Brand" in texts
    assert chart.columns == ["Monat", "STK Nord", "OAG Brand"]
    assert chart.rows[2] == ["Mär", "–", "9"]


def test_ticks_are_round_and_cover_the_data():
    assert nice_ticks(0, 17.9) == [0, 5, 10, 15, 20]
    assert nice_ticks(0, 4.3)[-1] >= 4.3
    assert nice_ticks(0, 0) == [0, 0.25, 0.5, 0.75, 1]  # no data: an empty axis, not a division by zero
    assert nice_ticks(-3, 7) == [-5, -2.5, 0, 2.5, 5, 7.5]


def test_the_figure_shows_the_table_beside_the_chart():
    chart = bar_chart(
        title="Treffen je Netzwerk",
        description="d",
        category_label="Netzwerk",
        value_label="Treffen",
        bars=[("STK Nord", 10)],
    )
    with translation.override("de"):
        html = render_to_string("netzwerk/_chart.html", {"chart": chart})
    assert "<svg" in html and "<figcaption>Treffen je Netzwerk</figcaption>" in html
    assert re.search(r'<th scope="row">STK Nord</th><td class="number">10</td>', html)
    assert "Zahlen zu: Treffen je Netzwerk" in html
