"""Reading the figures: stored and derived values, how sure they are, high need, the area
pages' choice of year, the comparison and the coverage of the Lebensräume."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.models import Network
from indicators import selectors
from indicators.models import IndicatorValue
from tests.factories import InstitutionFactory, NetworkFactory
from tests.indicators.factories import small_city_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return small_city_create()


def table_of(indicator):
    (table,) = selectors.indicator_tables(indicators=[indicator])
    return table


def test_stored_sozialraum_value_wins_over_the_derived_one(city):
    table = table_of(city.unemployment)

    figure = table.figure(city.burtscheid.pk, 2011)

    assert (figure.value, figure.status, figure.derived, figure.note) == (4.3, "belegt", False, "Ø der Folie")


def test_district_value_is_weighted_by_population_and_as_sure_as_its_least_sure_part(city):
    table = table_of(city.unemployment)

    figure = table.figure(city.district.pk, 2011)

    # (6.1 × 3000 + 1.6 × 1000 + 12.0 × 4000) / 8000
    assert (figure.value, figure.weighted, figure.population) == (8.488, True, 8000)  # rounded to 3 places
    assert (figure.status, figure.marker) == ("fiktiv", "fiktiv, abgeleitet, gewichtet")


def test_derived_value_without_population_is_the_plain_mean(city):
    table = table_of(city.child_poverty)

    assert table.figure(None, 2011).value == pytest.approx((17.9 + 5.0 + 30.0) / 3, abs=0.001)
    assert table.figure(None, 2011).weighted is False


def test_living_area_without_a_stored_value_has_none(city):
    table = table_of(city.unemployment)

    assert table.figure(city.rothe_erde.pk, 2014) is None
    assert table.years == [2011, 2014]


def test_high_need_is_the_quarter_with_the_most_need(city):
    table = table_of(city.child_poverty)

    assert table.high_need(2011) == {city.rothe_erde.pk}


def test_high_need_where_lower_means_need_takes_the_lowest(city):
    city.child_poverty.higher_means_need = False
    city.child_poverty.save()

    assert table_of(city.child_poverty).high_need(2011) == {city.beverau.pk}


def test_area_page_leads_with_the_latest_year_not_invented(city):
    items = {item.indicator.slug: item for item in selectors.area_indicators(area_id=city.frankenberg.pk)}

    unemployment = items["arbeitslosenquote"]
    assert (unemployment.year, unemployment.figure.value, unemployment.figure.status) == (2011, 6.1, "geschaetzt")
    assert [node.name for node, _figure in unemployment.neighbours] == ["Frankenberg", "Beverau"]
    assert (unemployment.low[0].name, unemployment.high[0].name) == ("Beverau", "Frankenberg")
    assert [(year, figure.value) for year, figure, _city in unemployment.trend] == [(2011, 6.1), (2014, 5.0)]


def test_area_page_of_a_sozialraum_compares_its_living_areas(city):
    items = selectors.area_indicators(area_id=city.burtscheid.pk)

    assert [(item.indicator.slug, item.year, item.figure.value) for item in items] == [
        ("arbeitslosenquote", 2011, 4.3),
        ("kinderarmut", 2011, 11.45),
    ]
    assert items[0].context.name == "Burtscheid / Frankenberg"


def test_area_figures_read_a_fixed_number_of_queries(city, django_assert_num_queries):
    with django_assert_num_queries(3):
        selectors.area_indicators(area_id=city.frankenberg.pk)


def test_comparison_filters_by_sozialraum_and_sorts_by_value(city):
    result = selectors.comparison(
        indicator=city.child_poverty, year=None, social_area_id=city.burtscheid.pk, sort="-wert"
    )

    assert result.year == 2011
    assert [(row.node.code, row.figure.value) for row in result.rows] == [("362", 17.9), ("410", 5.0)]
    assert result.selection[1].value == pytest.approx(11.45)


def test_comparison_of_the_whole_city_marks_high_need(city):
    result = selectors.comparison(indicator=city.child_poverty, year=2011, sort="code")

    assert [(row.node.code, row.high_need, row.district.name) for row in result.rows] == [
        ("341", True, "Aachen-Mitte"),
        ("362", False, "Aachen-Mitte"),
        ("410", False, "Aachen-Mitte"),
    ]


def test_coverage_follows_networks_of_areas_above(city):
    stk = NetworkFactory(name="STK Burtscheid", slug="stk-burtscheid")
    stk.areas.add(city.burtscheid)
    oag = NetworkFactory(name="OAG Mitte", slug="oag-mitte", kind=Network.Kind.SENIORS_WORKING_GROUP)
    oag.areas.add(city.district)
    kita = InstitutionFactory(area=city.rothe_erde, name="Kita Sonne")

    rows = {row.node.code: row for row in selectors.coverage()}

    assert [n.slug for n in rows["362"].networks["stk"]] == ["stk-burtscheid"]
    assert (rows["341"].has_stk, rows["341"].has_oag) == (False, True)
    assert rows["341"].institution_types == [kita.type.name]
    assert [(indicator.slug, year, figure.value) for indicator, year, figure in rows["341"].needs] == [
        ("kinderarmut", 2011, 30.0)
    ]


def coverage_queries() -> int:
    with CaptureQueriesContext(connection) as queries:
        selectors.coverage()
    return len(queries)


def test_coverage_reads_a_fixed_number_of_queries_however_many_networks(city):
    NetworkFactory(slug="stk-0").areas.add(city.burtscheid)
    InstitutionFactory(area=city.frankenberg)
    one = coverage_queries()
    for number in range(1, 6):
        NetworkFactory(slug=f"stk-{number}").areas.add(city.ost)
        InstitutionFactory(area=city.rothe_erde)

    assert coverage_queries() == one


def test_figure_status_labels_are_german():
    assert [str(label) for _value, label in IndicatorValue.Status.choices] == ["belegt", "geschätzt", "fiktiv"]
