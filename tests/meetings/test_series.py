"""Series: creating occurrences, extending the horizon, editing and cancelling a series.

The clock is pinned through the services' ``today``/``now`` parameters to early 2027, so
the dates below are fixed and both clock changes of 2027 lie inside the horizon.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetings import services
from meetings.models import Meeting, MeetingSeries, Visibility
from meetings.recurrence import BERLIN
from meetings.services import series as series_services
from tests.factories import InstitutionFactory, NetworkFactory
from tests.meetings.factories import AgendaItemFactory

HistoricalMeeting = Meeting.history.model

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 1, 4)
NOW = datetime.datetime(2027, 1, 4, 9, 0, tzinfo=BERLIN)


def berlin(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=BERLIN)


def make_series(network=None, **overrides) -> MeetingSeries:
    values = {
        "network": network or NetworkFactory(),
        "title": "Stadtteilkonferenz",
        "rule": "FREQ=MONTHLY;BYDAY=2TU",
        "first_date": datetime.date(2027, 1, 1),
        "start_time": datetime.time(18, 30),
        "duration_minutes": 90,
        "address": "Stolberger Straße 10, 52068 Aachen",
        "today": TODAY,
    }
    values.update(overrides)
    return services.series_create(**values)


def local_starts(series) -> list[str]:
    return [m.start.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M") for m in series.occurrences.order_by("start")]


def test_series_create_makes_twelve_months_of_occurrences():
    series = make_series()

    starts = local_starts(series)
    assert len(starts) == 12  # 12 January … 14 December 2027; 11 January 2028 is past the horizon
    assert starts[:3] == ["2027-01-12 18:30", "2027-02-09 18:30", "2027-03-09 18:30"]
    assert all(start.endswith("18:30") for start in starts)
    assert series.generated_until == datetime.date(2028, 1, 4)


# Every two weeks, not weekly: SQLite caps the variables of one statement, so 53 rows
# would need a second INSERT there.
@pytest.mark.parametrize("rule", ["FREQ=MONTHLY;INTERVAL=3;BYDAY=1WE", "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"])
def test_series_create_writes_a_year_in_a_constant_number_of_queries(rule):
    network = NetworkFactory()

    with CaptureQueriesContext(connection) as captured:
        make_series(network, rule=rule)

    # One INSERT for the series, one for its first version, one for all its occurrences (4
    # quarterly, 26 fortnightly) and one for their first versions in the history (on
    # PostgreSQL the last three are one statement); the rest is the transaction. The
    # network, a saved row, is not looked up again.
    verbs = [query["sql"].split()[0].upper() for query in captured.captured_queries]
    rest = ["WITH"] if connection.vendor == "postgresql" else ["INSERT"] * 3
    assert [verb for verb in verbs if verb not in {"BEGIN", "SAVEPOINT", "RELEASE"}] == ["INSERT", *rest]


def test_series_create_writes_no_versions_with_the_history_switched_off(settings):
    settings.SIMPLE_HISTORY_ENABLED = False

    series = make_series()

    assert series.occurrences.count() == 12
    assert not HistoricalMeeting.objects.filter(series_id=series.pk).exists()
    assert not series.history.exists()


def test_series_occurrences_stay_at_1830_across_both_clock_changes():
    """In UTC the March and the April meeting are an hour apart in time of day; in Berlin not."""
    series = make_series()

    march, april = series.occurrences.order_by("start")[2:4]
    october, november = series.occurrences.filter(start__month__in=[10, 11]).order_by("start")
    assert march.start.astimezone(datetime.UTC).time() == datetime.time(17, 30)
    assert april.start.astimezone(datetime.UTC).time() == datetime.time(16, 30)
    assert october.start.astimezone(datetime.UTC).time() == datetime.time(16, 30)
    assert november.start.astimezone(datetime.UTC).time() == datetime.time(17, 30)
    assert {m.local_start.time() for m in (march, april, october, november)} == {datetime.time(18, 30)}
    assert {m.end - m.start for m in (march, april, october, november)} == {datetime.timedelta(minutes=90)}


def test_series_occurrences_take_the_series_defaults():
    institution = InstitutionFactory(name="Begegnungszentrum Rothe Erde")
    series = make_series(institution=institution, room="Saal", visibility="mitglieder")

    meeting = series.occurrences.first()
    assert (meeting.network_id, meeting.title, meeting.room, meeting.visibility) == (
        series.network_id,
        "Stadtteilkonferenz",
        "Saal",
        "mitglieder",
    )
    assert meeting.institution == institution
    assert (meeting.status, meeting.sequence, meeting.edited_by_hand) == ("geplant", 0, False)
    assert meeting.original_start == meeting.start


def test_series_create_respects_count_and_until():
    counted = make_series(count=3)
    limited = make_series(until=datetime.date(2027, 4, 30))

    assert local_starts(counted) == ["2027-01-12 18:30", "2027-02-09 18:30", "2027-03-09 18:30"]
    assert len(local_starts(limited)) == 4


@pytest.mark.parametrize(
    ("overrides", "field", "message_part"),
    [
        ({"rule": "FREQ=SOMETIMES"}, "rule", "Unbekannte Häufigkeit"),
        ({"rule": "BYDAY=2TU"}, "rule", "braucht eine Häufigkeit"),
        ({"rule": "DTSTART:20270101T183000\nRRULE:FREQ=MONTHLY"}, "rule", "kein DTSTART"),
        ({"rule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=31"}, "rule", "keinen einzigen Termin"),
        ({"until": datetime.date(2026, 12, 1)}, "until", "vor dem ersten Termin"),
        ({"until": datetime.date(2027, 12, 1), "count": 3}, "count", "nicht beides"),
        ({"duration_minutes": 0}, "duration_minutes", ""),
    ],
)
def test_series_create_invalid_input_writes_nothing(overrides, field, message_part):
    network = NetworkFactory()

    with pytest.raises(ValidationError) as error:
        make_series(network, **overrides)

    assert field in error.value.message_dict
    assert message_part in " ".join(error.value.message_dict[field])
    assert MeetingSeries.objects.count() == 0
    assert Meeting.objects.count() == 0


def test_series_extend_horizon_is_idempotent():
    series = make_series()
    first_count = series.occurrences.count()

    created_now = services.series_extend_horizon(today=TODAY)
    created_later = services.series_extend_horizon(today=datetime.date(2027, 3, 1))
    created_again = services.series_extend_horizon(today=datetime.date(2027, 3, 1))

    starts = local_starts(series)
    assert (created_now, created_later, created_again) == (0, 2, 0)
    assert len(starts) == first_count + 2
    assert len(set(starts)) == len(starts)
    assert starts[-2:] == ["2028-01-11 18:30", "2028-02-08 18:30"]


def test_series_extend_horizon_finds_days_already_made_even_after_the_generation_mark_is_lost():
    """Losing ``generated_until`` (a crash between the two writes) must not double a day."""
    series = make_series()
    MeetingSeries.objects.filter(pk=series.pk).update(generated_until=None)
    before = series.occurrences.count()

    created = services.series_extend_horizon(series=series, today=TODAY)

    assert created == 0
    assert series.occurrences.count() == before


def test_series_extend_horizon_skips_ended_and_cancelled_series():
    ended = make_series(until=datetime.date(2027, 6, 30))
    cancelled = make_series()
    services.series_cancel_from(series=cancelled, day=datetime.date(2027, 5, 1), now=NOW)

    created = services.series_extend_horizon(today=datetime.date(2027, 9, 1))

    assert created == 0
    assert local_starts(ended)[-1] == "2027-06-08 18:30"


def test_series_extend_horizon_does_not_bring_back_a_deleted_occurrence():
    series = make_series()
    series.occurrences.order_by("start")[5].delete()
    before = series.occurrences.count()

    services.series_extend_horizon(today=datetime.date(2027, 1, 20))

    assert series.occurrences.count() == before + 1  # only February 2028 is new


def test_series_update_time_moves_future_occurrences_and_raises_their_sequence():
    series = make_series()

    services.series_update(series=series, start_time=datetime.time(19, 0), duration_minutes=60, now=NOW)

    meetings = list(series.occurrences.order_by("start"))
    assert {m.local_start.strftime("%H:%M") for m in meetings} == {"19:00"}
    assert {m.end - m.start for m in meetings} == {datetime.timedelta(hours=1)}
    assert {m.sequence for m in meetings} == {1}
    assert {m.original_start == m.start for m in meetings} == {True}


def test_series_update_leaves_past_and_hand_edited_occurrences_alone():
    series = make_series()
    past, moved, *future = series.occurrences.order_by("start")
    services.meeting_move(
        meeting=moved,
        start=berlin(2027, 2, 10, 17, 0),
        end=berlin(2027, 2, 10, 19, 0),
        now=NOW,
    )
    later = berlin(2027, 2, 1, 12, 0)  # after the January meeting took place

    services.series_update(series=series, start_time=datetime.time(19, 0), room="Raum 2", now=later)

    past.refresh_from_db()
    moved.refresh_from_db()
    assert (past.local_start.strftime("%H:%M"), past.room, past.sequence) == ("18:30", "", 0)
    assert (moved.local_start.strftime("%d.%m. %H:%M"), moved.room, moved.sequence) == ("10.02. 17:00", "", 1)
    assert {
        (m.local_start.strftime("%H:%M"), m.room) for m in Meeting.objects.filter(pk__in=[f.pk for f in future])
    } == {("19:00", "Raum 2")}
    assert series.occurrences.count() == 13  # the later horizon adds January 2028


def test_series_update_title_only_does_not_raise_sequence():
    series = make_series()

    services.series_update(series=series, title="Stadtteilkonferenz Ost", now=NOW)

    assert set(series.occurrences.values_list("title", "sequence")) == {("Stadtteilkonferenz Ost", 0)}


def test_series_update_rule_deletes_untouched_and_cancels_used_occurrences():
    """From 2nd to 3rd Tuesday: unused old days vanish, one with an agenda is cancelled."""
    series = make_series()
    with_agenda = series.occurrences.order_by("start")[1]
    AgendaItemFactory(meeting=with_agenda, title="Bericht aus dem Quartier")

    services.series_update(series=series, rule="FREQ=MONTHLY;BYDAY=3TU", now=NOW)

    with_agenda.refresh_from_db()
    assert (with_agenda.status, with_agenda.sequence) == ("abgesagt", 1)
    active = series.occurrences.exclude(status="abgesagt").order_by("start")
    assert [m.local_start.strftime("%Y-%m-%d") for m in active][:3] == ["2027-01-19", "2027-02-16", "2027-03-16"]
    assert series.occurrences.filter(status="abgesagt").count() == 1
    assert len({m.original_start for m in series.occurrences.all()}) == series.occurrences.count()


def test_series_update_then_extend_does_not_double_any_day():
    series = make_series()
    services.series_update(series=series, start_time=datetime.time(17, 0), now=NOW)

    services.series_extend_horizon(today=datetime.date(2027, 2, 20))

    days = [m.local_start.date() for m in series.occurrences.all()]
    assert len(days) == len(set(days))


def test_series_update_invalid_rule_changes_nothing():
    series = make_series()
    before = sorted(series.occurrences.values_list("pk", "start", "sequence"))

    with pytest.raises(ValidationError) as error:
        services.series_update(series=series, rule="FREQ=SOMETIMES", now=NOW)

    assert "Unbekannte Häufigkeit" in error.value.message_dict["rule"][0]
    assert sorted(series.occurrences.values_list("pk", "start", "sequence")) == before
    assert MeetingSeries.objects.get(pk=series.pk).rule == "FREQ=MONTHLY;BYDAY=2TU"


def test_series_cancel_from_cancels_future_occurrences_from_the_day():
    series = make_series()

    cancelled = services.series_cancel_from(series=series, day=datetime.date(2027, 6, 1), now=NOW)

    statuses = [(m.local_start.strftime("%Y-%m"), m.status, m.sequence) for m in series.occurrences.order_by("start")]
    assert cancelled == 7
    assert statuses[:5] == [(f"2027-0{month}", "geplant", 0) for month in range(1, 6)]
    assert {status[1:] for status in statuses[5:]} == {("abgesagt", 1)}


def test_series_cancel_from_in_the_past_is_refused():
    series = make_series()

    with pytest.raises(ValidationError) as error:
        services.series_cancel_from(series=series, day=datetime.date(2026, 12, 1), now=NOW)

    assert error.value.message_dict["day"] == ["Eine Serie kann nicht rückwirkend abgesagt werden."]
    assert MeetingSeries.objects.get(pk=series.pk).cancelled_from is None


def test_series_description_in_german():
    series = make_series()

    assert series.description == "jeden 2. Dienstag im Monat, 18:30 bis 20:00 Uhr"


def test_series_extend_horizon_fills_many_series_at_once():
    """500 series in one run (the bench measures its time; a test only checks the result)."""
    network = NetworkFactory()
    rules = ["FREQ=MONTHLY;BYDAY=2TU", "FREQ=MONTHLY;INTERVAL=3;BYDAY=1WE", "FREQ=WEEKLY;INTERVAL=8", "FREQ=WEEKLY"]
    series_rows = [
        MeetingSeries(
            network=network,
            title=f"Serie {n}",
            rule=rules[n % len(rules)],
            first_date=datetime.date(2027, 1, 1),
            start_time=datetime.time(18, 30),
            duration_minutes=90,
        )
        for n in range(500)
    ]
    MeetingSeries.objects.bulk_create(series_rows)

    created = services.series_extend_horizon(today=TODAY)

    assert created == Meeting.objects.count()
    assert Meeting.objects.values("series").distinct().count() == 500
    assert services.series_extend_horizon(today=TODAY) == 0


# The occurrences of a new series on PostgreSQL are inserted by one INSERT … SELECT
# (``_occurrences_insert``); elsewhere, and when the horizon moves on, by ``bulk_create``.
# Both must make the same rows: any rule, any time of day (the spring gap and the autumn
# overlap of 2027 lie in the year), a meeting across midnight, every field a series hands on.
# The series' first version, copied in the same statement there, holds what simple-history
# records when it saves the series.
SQL_PATH = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
COMPARED_FIELDS = [
    field.attname
    for field in Meeting._meta.concrete_fields
    if field.attname not in {"id", "uid", "series_id", "created_at", "updated_at"}
]
# Each saved version of a series: the row's values (but the moment of the save) and who.
SERIES_VERSION_FIELDS = [
    *(field.attname for field in MeetingSeries.history.model.tracked_fields if field.attname != "updated_at"),
    "history_user_id",
    "history_change_reason",
]


@SQL_PATH
@given(
    rule=st.sampled_from(
        [
            "FREQ=MONTHLY;BYDAY=2TU",
            "FREQ=MONTHLY;BYDAY=-1SU",
            "FREQ=WEEKLY;BYDAY=SU",
            "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,TH",
            "FREQ=MONTHLY;BYMONTHDAY=31",
            "FREQ=DAILY;INTERVAL=9",
            "FREQ=YEARLY;BYMONTH=3,10;BYDAY=-1SU",
        ]
    ),
    first_date=st.dates(min_value=datetime.date(2027, 1, 1), max_value=datetime.date(2027, 9, 30)),
    start_time=st.one_of(
        st.sampled_from([datetime.time(2, 0), datetime.time(2, 30), datetime.time(23, 45), datetime.time(0, 0)]),
        st.times().map(lambda moment: moment.replace(second=0, microsecond=0)),
    ),
    duration_minutes=st.sampled_from([5, 90, 24 * 60]),
    visibility=st.sampled_from([Visibility.PUBLIC, Visibility.MEMBERS]),
    with_institution=st.booleans(),
    count=st.sampled_from([None, 3]),
)
def test_series_create_inserts_the_rows_bulk_create_makes(
    rule, first_date, start_time, duration_minutes, visibility, with_institution, count
):
    # On SQLite both sides take bulk_create: the service's rows are still compared.
    network = NetworkFactory()
    values = {
        "rule": rule,
        "first_date": first_date,
        "start_time": start_time,
        "duration_minutes": duration_minutes,
        "visibility": visibility,
        "count": count,
        "institution": InstitutionFactory() if with_institution else None,
        "room": "Saal 2",
        "accessibility_notes": "Aufzug am Hof",
        "online_url": "https://konferenz.example/raum",
    }
    inserted = make_series(network, **values)
    generated = make_series(network, **values)
    generated.occurrences.all().delete()

    # The path of an existing series (bulk_create) for the same year.
    made = series_services._series_generate(
        series=generated, since=first_date, through=services.horizon_end(TODAY), new=False
    )

    def rows(series):
        return list(series.occurrences.order_by("start").values_list(*COMPARED_FIELDS))

    assert made == inserted.occurrences.count() > 0
    assert rows(inserted) == rows(generated)
    versions = HistoricalMeeting.objects.filter(series_id=inserted.pk, history_type="+")
    assert sorted(versions.values_list("id", "start")) == sorted(inserted.occurrences.values_list("id", "start"))
    inserted.save()  # a version recorded by simple-history itself
    created, saved = inserted.history.order_by("history_id").values_list("history_type", *SERIES_VERSION_FIELDS)
    assert (created[0], saved[0]) == ("+", "~")
    assert created[1:] == saved[1:]
