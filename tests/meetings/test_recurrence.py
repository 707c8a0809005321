"""Recurrence rules: checking, expansion in Berlin wall-clock time, German descriptions. Pure."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetings import recurrence
from meetings.recurrence import BERLIN, Pattern, local_starts, localize, rule_describe

# The autouse cache fixture is function-scoped; these tests do not touch it between examples.
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

rules = st.one_of(
    st.builds(
        lambda n, day: f"FREQ=MONTHLY;BYDAY={n}{day}", st.sampled_from([1, 2, 3, 4, 5, -1]), st.sampled_from(WEEKDAYS)
    ),
    st.builds(
        lambda interval, n, day: f"FREQ=MONTHLY;INTERVAL={interval};BYDAY={n}{day}",
        st.integers(1, 6),
        st.sampled_from([1, 2, 3, -1]),
        st.sampled_from(WEEKDAYS),
    ),
    st.builds(lambda interval: f"FREQ=WEEKLY;INTERVAL={interval}", st.integers(1, 10)),
    st.builds(lambda day: f"FREQ=WEEKLY;BYDAY={day}", st.sampled_from(WEEKDAYS)),
    st.builds(lambda day: f"FREQ=MONTHLY;BYMONTHDAY={day}", st.integers(1, 28)),
    st.builds(lambda interval: f"FREQ=DAILY;INTERVAL={interval}", st.integers(1, 30)),
)
first_dates = st.dates(min_value=datetime.date(2026, 1, 1), max_value=datetime.date(2028, 12, 31))
start_times = st.times().map(lambda t: t.replace(second=0, microsecond=0))
windows = st.integers(min_value=30, max_value=800)


def _pattern(rule, first_date, start_time, until=None, count=None) -> Pattern:
    return Pattern(rule=rule, first_date=first_date, start_time=start_time, until=until, count=count)


@PROPERTY
@given(rule=rules, first_date=first_dates, start_time=start_times, days=windows)
def test_expansion_is_ordered_unique_and_at_the_same_wall_clock_time(rule, first_date, start_time, days):
    """Occurrences rise strictly, fall on distinct days and keep the local time of day."""
    starts = local_starts(
        _pattern(rule, first_date, start_time), since=first_date, through=first_date + datetime.timedelta(days=days)
    )

    assert starts == sorted(starts)
    assert len({start.date() for start in starts}) == len(starts)
    assert all(start.time() == start_time for start in starts)
    assert all(start.date() >= first_date for start in starts)


@PROPERTY
@given(
    rule=rules,
    first_date=first_dates,
    start_time=start_times,
    until_days=st.integers(0, 400),
)
def test_expansion_stops_at_until(rule, first_date, start_time, until_days):
    """No occurrence falls after ``until``, however far the window reaches."""
    until = first_date + datetime.timedelta(days=until_days)

    starts = local_starts(
        _pattern(rule, first_date, start_time, until=until),
        since=first_date,
        through=first_date + datetime.timedelta(days=1000),
    )

    assert all(start.date() <= until for start in starts)


@PROPERTY
@given(rule=rules, first_date=first_dates, start_time=start_times, count=st.integers(1, 30))
def test_expansion_yields_at_most_count_counted_from_the_first_date(rule, first_date, start_time, count):
    """``count`` meetings at most, and a later window only ever sees the tail of them."""
    pattern = _pattern(rule, first_date, start_time, count=count)
    far = first_date + datetime.timedelta(days=4000)

    everything = local_starts(pattern, since=first_date, through=far)
    later = local_starts(pattern, since=first_date + datetime.timedelta(days=100), through=far)

    assert len(everything) <= count
    assert later == everything[len(everything) - len(later) :]


@PROPERTY
@given(
    rule=rules,
    start_time=st.sampled_from([datetime.time(18, 30), datetime.time(9, 0), datetime.time(19, 45)]),
)
def test_wall_clock_time_survives_both_clock_changes_of_2027(rule, start_time):
    """18:30 stays 18:30 in Berlin before and after 28 March and 31 October 2027; UTC moves."""
    starts = local_starts(
        _pattern(rule, datetime.date(2027, 1, 1), start_time),
        since=datetime.date(2027, 1, 1),
        through=datetime.date(2027, 12, 31),
    )

    aware = [localize(start) for start in starts]
    assert all(moment.astimezone(BERLIN).time() == start_time for moment in aware)
    offsets = {moment.date(): moment.utcoffset() for moment in aware}
    assert all(
        offset == datetime.timedelta(hours=2 if datetime.date(2027, 3, 28) <= day < datetime.date(2027, 10, 31) else 1)
        for day, offset in offsets.items()
    )


def test_weekly_meeting_the_week_after_each_clock_change_keeps_local_time():
    """A Tuesday 18:30 meeting is 17:30 UTC in winter and 16:30 UTC in summer."""
    starts = local_starts(
        _pattern("FREQ=WEEKLY;BYDAY=TU", datetime.date(2027, 3, 23), datetime.time(18, 30)),
        since=datetime.date(2027, 3, 23),
        through=datetime.date(2027, 11, 2),
    )

    utc = [localize(start).astimezone(datetime.UTC) for start in starts]
    assert (utc[0].date(), utc[0].time()) == (datetime.date(2027, 3, 23), datetime.time(17, 30))
    assert (utc[1].date(), utc[1].time()) == (datetime.date(2027, 3, 30), datetime.time(16, 30))
    assert (utc[-2].date(), utc[-2].time()) == (datetime.date(2027, 10, 26), datetime.time(16, 30))
    assert (utc[-1].date(), utc[-1].time()) == (datetime.date(2027, 11, 2), datetime.time(17, 30))


@PROPERTY
@given(weekday=st.sampled_from(WEEKDAYS), first_date=first_dates)
def test_fifth_weekday_rule_skips_months_without_a_fifth(weekday, first_date):
    """5TU is in a month exactly when that month has five Tuesdays; it is always day 29–31."""
    index = WEEKDAYS.index(weekday)
    through = first_date + datetime.timedelta(days=730)

    starts = local_starts(
        _pattern(f"FREQ=MONTHLY;BYDAY=5{weekday}", first_date, datetime.time(18, 30)), since=first_date, through=through
    )

    expected = []
    day = first_date
    while day <= through:
        if day.weekday() == index and day.day >= 29:
            expected.append(day)
        day += datetime.timedelta(days=1)
    assert [start.date() for start in starts] == expected


def test_second_tuesday_rule_gives_the_known_dates():
    """FREQ=MONTHLY;BYDAY=2TU from January 2027 gives the second Tuesdays."""
    starts = local_starts(
        _pattern("FREQ=MONTHLY;BYDAY=2TU", datetime.date(2027, 1, 1), datetime.time(18, 30)),
        since=datetime.date(2027, 1, 1),
        through=datetime.date(2027, 4, 30),
    )

    assert [start.date().isoformat() for start in starts] == ["2027-01-12", "2027-02-09", "2027-03-09", "2027-04-13"]


def test_quarterly_first_wednesday_counts_quarters_from_the_first_date():
    starts = local_starts(
        _pattern("FREQ=MONTHLY;INTERVAL=3;BYDAY=1WE", datetime.date(2027, 1, 1), datetime.time(15, 0)),
        since=datetime.date(2027, 1, 1),
        through=datetime.date(2027, 12, 31),
    )

    assert [start.date().isoformat() for start in starts] == ["2027-01-06", "2027-04-07", "2027-07-07", "2027-10-06"]


def test_local_time_in_the_spring_gap_is_read_with_the_offset_before_the_gap():
    """RFC 5545 3.3.5: 02:30 on 28 March 2027 does not exist; it means 03:30 CEST (01:30 UTC)."""
    moment = localize(datetime.datetime(2027, 3, 28, 2, 30))

    assert moment.astimezone(datetime.UTC) == datetime.datetime(2027, 3, 28, 1, 30, tzinfo=datetime.UTC)


def test_local_time_in_the_autumn_overlap_means_its_first_occurrence():
    """RFC 5545 3.3.5: 02:30 on 31 October 2027 happens twice; it means 02:30 CEST (00:30 UTC)."""
    moment = localize(datetime.datetime(2027, 10, 31, 2, 30))

    assert moment.astimezone(datetime.UTC) == datetime.datetime(2027, 10, 31, 0, 30, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("rule", "message_part"),
    [
        ("", "Bitte geben Sie eine Wiederholungsregel an"),
        ("FREQ=SOMETIMES", "Unbekannte Häufigkeit „SOMETIMES“"),
        ("BYDAY=2TU", "braucht eine Häufigkeit (FREQ)"),
        ("DTSTART:20270101T183000\nRRULE:FREQ=WEEKLY", "kein DTSTART"),
        ("DTSTART=20270101T183000;FREQ=WEEKLY", "kein DTSTART"),
        ("FREQ=HOURLY", "höchstens täglich"),
        ("FREQ=WEEKLY;COUNT=3", "Anzahl"),
        ("FREQ=WEEKLY;UNTIL=20271231", "„bis“"),
        ("FREQ=WEEKLY;BYHOUR=18", "Uhrzeit"),
        ("FREQ=WEEKLY;BYDAY=XX", "ist ungültig"),
        ("FREQ=WEEKLY;INTERVAL=0", "INTERVAL"),
        ("FREQ=WEEKLY;BYMONTHDAY=30", "nur bei monatlichen oder jährlichen"),
        ("FREQ=WEEKLY;FOO=1", "nicht unterstützt"),
        ("FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30", "keinen einzigen Termin"),
    ],
)
def test_invalid_rule_is_refused_with_a_german_message(rule, message_part):
    with pytest.raises(ValidationError) as error:
        recurrence.validate(_pattern(rule, datetime.date(2027, 1, 1), datetime.time(18, 30)))

    assert message_part in " ".join(error.value.messages)


def test_rule_that_ends_before_its_first_meeting_is_refused():
    """The second Tuesday after 13 January 2027 is 9 February, after ``until``."""
    pattern = _pattern(
        "FREQ=MONTHLY;BYDAY=2TU", datetime.date(2027, 1, 13), datetime.time(18, 30), until=datetime.date(2027, 2, 1)
    )

    with pytest.raises(ValidationError) as error:
        recurrence.validate(pattern)

    assert "keinen einzigen Termin" in error.value.messages[0]


def test_normalize_upper_cases_and_drops_the_prefix():
    assert recurrence.normalize("rrule:byday=2tu;freq=monthly") == "FREQ=MONTHLY;BYDAY=2TU"


@pytest.mark.parametrize(
    ("rule", "start", "minutes", "first_date", "expected"),
    [
        (
            "FREQ=MONTHLY;BYDAY=2TU",
            datetime.time(18, 30),
            90,
            None,
            "jeden 2. Dienstag im Monat, 18:30 bis 20:00 Uhr",
        ),
        (
            "FREQ=WEEKLY;INTERVAL=8",
            datetime.time(15, 0),
            120,
            datetime.date(2027, 1, 6),
            "alle 8 Wochen am Mittwoch, 15:00 bis 17:00 Uhr",
        ),
        (
            "FREQ=MONTHLY;INTERVAL=3;BYDAY=1WE",
            datetime.time(9, 30),
            150,
            None,
            "vierteljährlich am 1. Mittwoch, 09:30 bis 12:00 Uhr",
        ),
        (
            "FREQ=MONTHLY;BYDAY=-1FR",
            datetime.time(17, 0),
            60,
            None,
            "jeden letzten Freitag im Monat, 17:00 bis 18:00 Uhr",
        ),
        ("FREQ=WEEKLY;BYDAY=MO,TH", datetime.time(10, 0), 60, None, "jeden Montag und Donnerstag, 10:00 bis 11:00 Uhr"),
        (
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
            datetime.time(10, 0),
            60,
            None,
            "jeden zweiten Dienstag, 10:00 bis 11:00 Uhr",
        ),
        ("FREQ=MONTHLY;BYMONTHDAY=15", datetime.time(10, 0), 60, None, "jeden Monat am 15., 10:00 bis 11:00 Uhr"),
        (
            "FREQ=MONTHLY;INTERVAL=2;BYDAY=3TH",
            datetime.time(10, 0),
            60,
            None,
            "alle 2 Monate am 3. Donnerstag, 10:00 bis 11:00 Uhr",
        ),
        (
            "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=1",
            datetime.time(10, 0),
            60,
            None,
            "jährlich am 1. März, 10:00 bis 11:00 Uhr",
        ),
        ("FREQ=WEEKLY;BYDAY=FR", datetime.time(23, 0), 120, None, "jeden Freitag, 23:00 bis 01:00 Uhr (am Folgetag)"),
    ],
)
def test_rule_describe_speaks_plain_german(rule, start, minutes, first_date, expected):
    assert rule_describe(rule, start, minutes, first_date=first_date) == expected


def test_rule_describe_falls_back_to_the_rule_for_unusual_patterns():
    text = rule_describe("FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=-1", datetime.time(18, 0), 60)

    assert text == "nach der Regel FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=-1, 18:00 bis 19:00 Uhr"
