"""meetings.ical: the bytes of feeds and invitation attachments.

Pure unit tests (no database). Output is parsed back with icalendar and
recurring_ical_events, and the raw bytes are checked where parsers are lenient (folding,
line length, escapes).
"""

import bisect
import os
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from meetings.ical import (
    CANCELLED_PREFIX,
    CONTENT_TYPE,
    EventData,
    calendar_bytes,
    calendar_chunks,
    invitation_bytes,
    vevent_bytes,
)

BERLIN = ZoneInfo("Europe/Berlin")
GOLDEN = Path(__file__).parent / "golden" / "small_feed.ics"


def make_event(**overrides) -> EventData:
    fields = {
        "uid": "meeting-1@netzwerk.aachen.de",
        "sequence": 0,
        "summary": "Stadtteilkonferenz Burtscheid",
        "start": datetime(2027, 3, 30, 18, 30, tzinfo=BERLIN),
        "end": datetime(2027, 3, 30, 20, 0, tzinfo=BERLIN),
        "status": "CONFIRMED",
        "created": datetime(2027, 1, 4, 8, 0, tzinfo=UTC),
        "last_modified": datetime(2027, 2, 1, 10, 15, 30, tzinfo=UTC),
        "location": "Kurpark-Terrassen, Dammstraße 40, 52066 Aachen, Raum 2",
        "description": "Netzwerk: Stadtteilkonferenz Burtscheid",
        "url": "https://netzwerk.aachen.de/sitzungen/1/",
    }
    fields.update(overrides)
    return EventData(**fields)


def small_feed_events() -> list[EventData]:
    """Two timed meetings (the week after each clock change), a whole day, a cancellation."""
    return [
        make_event(
            description=(
                "Netzwerk: Stadtteilkonferenz Burtscheid\n"
                "Tagesordnung:\n"
                "1. Begrüßung; Protokoll der letzten Sitzung\n"
                "2. Seniorenarbeit, Jugendarbeit und Quartiersentwicklung im Überblick\n"
                "Mehr: https://netzwerk.aachen.de/sitzungen/1/"
            ),
            categories=("Stadtteilkonferenz", "Burtscheid"),
        ),
        make_event(
            uid="meeting-2@netzwerk.aachen.de",
            sequence=2,
            summary="OAG Aachen-Mitte",
            start=datetime(2027, 11, 2, 17, 30, tzinfo=UTC),
            end=datetime(2027, 11, 2, 19, 0, tzinfo=UTC),
            created=datetime(2027, 5, 3, 12, 0, tzinfo=UTC),
            last_modified=datetime(2027, 10, 28, 9, 45, tzinfo=UTC),
            location="Seniorenbegegnungsstätte, Raum \\ Saal",
            description="Netzwerk: Örtliche Arbeitsgemeinschaft der Altenarbeit Aachen-Mitte 👵",
            url="https://netzwerk.aachen.de/sitzungen/2/",
        ),
        make_event(
            uid="meeting-3@netzwerk.aachen.de",
            summary="Fachtag Sozialraum Kornelimünster/Walheim",
            start=date(2027, 6, 12),
            end=date(2027, 6, 13),
            location="",
            description="",
            url="https://netzwerk.aachen.de/sitzungen/3/",
        ),
        make_event(
            uid="meeting-4@netzwerk.aachen.de",
            sequence=1,
            summary="Arbeitskreis Jugend",
            status="CANCELLED",
            start=datetime(2027, 4, 6, 16, 0, tzinfo=BERLIN),
            end=datetime(2027, 4, 6, 17, 30, tzinfo=BERLIN),
            last_modified=datetime(2027, 3, 31, 7, 0, tzinfo=UTC),
            url="https://netzwerk.aachen.de/sitzungen/4/",
        ),
    ]


def small_feed() -> bytes:
    return calendar_bytes(
        name="Stadtteilkonferenz Burtscheid",
        description="Sitzungen der Stadtteilkonferenz Burtscheid, Stadt Aachen",
        events=[vevent_bytes(event) for event in small_feed_events()],
    )


def parse(data: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(data)


def physical_lines(data: bytes) -> list[bytes]:
    assert data.endswith(b"\r\n")
    lines = data[:-2].split(b"\r\n")
    assert all(b"\r" not in line and b"\n" not in line for line in lines)
    return lines


def content_lines(data: bytes) -> list[str]:
    return data.replace(b"\r\n ", b"").decode("utf-8").split("\r\n")[:-1]


def property_values(data: bytes, name: str) -> list[str]:
    """Raw (still escaped) values of every content line named ``name``."""
    values = []
    for line in content_lines(data):
        head, _, value = line.partition(":")
        if head.split(";")[0] == name:
            values.append(value)
    return values


# Text that stored meetings may hold: line breaks of every kind, iCalendar's special
# characters, escapes that look already escaped, umlauts, emoji and ZWJ sequences.
TRICKY = st.sampled_from(
    ["\n", "\r\n", "\r", ";", ",", "\\", "\\n", "\\,", "\\\\", ":", '"', "ä", "ß", "Ö", "😀", "👩\u200d👧", "\t", " "]
)
TEXT = st.lists(st.one_of(st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")), TRICKY), max_size=200).map(
    "".join
)


def unescape(value: str) -> str:
    """RFC 5545 3.3.11 TEXT unescaping, in one pass."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


def expected_text(text: str) -> str:
    """What a parser should give back: any line break is one newline."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


# Golden file ------------------------------------------------------------------------


def test_small_feed_matches_golden_file():
    """The feed's bytes are the reviewed golden file. After an intended change, write
    the new file with NETZWERK_UPDATE_GOLDEN=1, review the diff and commit it."""
    data = small_feed()
    if os.environ.get("NETZWERK_UPDATE_GOLDEN"):
        GOLDEN.write_bytes(data)

    assert data == GOLDEN.read_bytes()


def test_golden_file_parses_back_to_its_events():
    calendar = parse(GOLDEN.read_bytes())

    summaries = [str(event["SUMMARY"]) for event in calendar.events]
    assert summaries == [
        "Stadtteilkonferenz Burtscheid",
        "OAG Aachen-Mitte",
        "Fachtag Sozialraum Kornelimünster/Walheim",
        "Abgesagt: Arbeitskreis Jugend",
    ]
    assert str(calendar.events[0]["DESCRIPTION"]) == small_feed_events()[0].description
    assert str(calendar.events[1]["LOCATION"]) == "Seniorenbegegnungsstätte, Raum \\ Saal"


# Times --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "utc_start"),
    [
        (date(2027, 3, 30), datetime(2027, 3, 30, 16, 30, tzinfo=UTC)),
        (date(2027, 11, 2), datetime(2027, 11, 2, 17, 30, tzinfo=UTC)),
    ],
)
def test_meeting_after_clock_change_parses_as_local_wall_clock_time(day, utc_start):
    """A 18:30 meeting the week after each clock change is 18:30 local, whatever zone
    the caller's datetime was in."""
    event = make_event(start=utc_start, end=utc_start + timedelta(hours=2))
    block = vevent_bytes(event)
    data = calendar_bytes(name="n", description="d", events=[block])

    parsed = parse(data).events[0]
    expanded = recurring_ical_events.of(parse(data)).at(day)

    assert property_values(block, "DTSTART") == [f"{day:%Y%m%d}T183000"]
    assert parsed.start == datetime(day.year, day.month, day.day, 18, 30, tzinfo=BERLIN)
    assert parsed.start.astimezone(UTC) == utc_start
    assert [e.start.astimezone(UTC) for e in expanded] == [utc_start]
    assert [(e.start.hour, e.start.minute) for e in expanded] == [(18, 30)]


def test_meeting_after_clock_change_is_local_under_the_feeds_own_vtimezone():
    """Read with the feed's VTIMEZONE itself (not the client's zone database), the
    meetings are still at 18:30 local = 16:30Z and 17:30Z."""
    calendar = parse(small_feed())
    own_zone = calendar.timezones[0].to_tz(lookup_tzid=False)

    starts = [
        datetime(2027, 3, 30, 18, 30, tzinfo=own_zone).astimezone(UTC),
        datetime(2027, 11, 2, 18, 30, tzinfo=own_zone).astimezone(UTC),
    ]

    assert starts == [datetime(2027, 3, 30, 16, 30, tzinfo=UTC), datetime(2027, 11, 2, 17, 30, tzinfo=UTC)]


def test_feed_expands_with_recurring_ical_events_to_its_events():
    calendar = parse(small_feed())

    occurrences = recurring_ical_events.of(calendar).between(date(2027, 1, 1), date(2028, 1, 1))

    assert sorted((str(e["UID"]), e["DTSTART"].dt, str(e["STATUS"])) for e in occurrences) == [
        ("meeting-1@netzwerk.aachen.de", datetime(2027, 3, 30, 18, 30, tzinfo=BERLIN), "CONFIRMED"),
        ("meeting-2@netzwerk.aachen.de", datetime(2027, 11, 2, 18, 30, tzinfo=BERLIN), "CONFIRMED"),
        ("meeting-3@netzwerk.aachen.de", date(2027, 6, 12), "CONFIRMED"),
        ("meeting-4@netzwerk.aachen.de", datetime(2027, 4, 6, 16, 0, tzinfo=BERLIN), "CANCELLED"),
    ]


def test_times_are_local_with_tzid_and_stamps_are_utc():
    data = small_feed()

    lines = content_lines(data)
    timed = [line for line in lines if line.startswith(("DTSTART;TZID", "DTEND;TZID"))]
    stamps = [line for line in lines if line.startswith(("DTSTAMP", "CREATED", "LAST-MODIFIED"))]

    assert len(timed) == 6
    assert all(line.startswith(("DTSTART;TZID=Europe/Berlin:", "DTEND;TZID=Europe/Berlin:")) for line in timed)
    assert not any(line.endswith("Z") for line in timed)
    assert not any(line.startswith(("DTSTART:", "DTEND:")) for line in lines[lines.index("END:VTIMEZONE") :])
    assert len(stamps) == 12
    assert all(line.endswith("Z") for line in stamps)


def test_dtstamp_is_the_last_modification_in_utc():
    event = make_event(last_modified=datetime(2027, 2, 1, 11, 15, 30, 123456, tzinfo=BERLIN))

    data = vevent_bytes(event)

    assert property_values(data, "DTSTAMP") == ["20270201T101530Z"]
    assert property_values(data, "LAST-MODIFIED") == ["20270201T101530Z"]


def test_whole_day_event_has_dates_with_exclusive_end():
    event = make_event(start=date(2027, 6, 12), end=date(2027, 6, 13))

    data = vevent_bytes(event)
    parsed = parse(calendar_bytes(name="n", description="d", events=[data])).events[0]

    assert [line for line in content_lines(data) if line.startswith(("DTSTART", "DTEND"))] == [
        "DTSTART;VALUE=DATE:20270612",
        "DTEND;VALUE=DATE:20270613",
    ]
    assert (parsed.start, parsed.end) == (date(2027, 6, 12), date(2027, 6, 13))


def test_whole_day_event_with_inclusive_end_is_rejected():
    with pytest.raises(ValueError, match="exclusive"):
        make_event(start=date(2027, 6, 12), end=date(2027, 6, 12))


@pytest.mark.parametrize(
    "overrides",
    [
        {"start": datetime(2027, 3, 30, 18, 30), "end": datetime(2027, 3, 30, 20, 0)},
        {"start": date(2027, 3, 30), "end": datetime(2027, 3, 31, 0, 0, tzinfo=BERLIN)},
        {"last_modified": datetime(2027, 2, 1, 10, 0)},
        {"status": "DELETED"},
        {"sequence": -1},
        {"uid": " "},
        {"categories": ["a", "b"]},
    ],
)
def test_event_data_with_invalid_fields_is_rejected(overrides):
    with pytest.raises((ValueError, TypeError)):
        make_event(**overrides)


# The VTIMEZONE ------------------------------------------------------------------------


def test_feed_has_exactly_one_vtimezone_in_outlook_form():
    events = [vevent_bytes(make_event(uid=f"m{i}")) for i in range(20)]
    calendar = parse(calendar_bytes(name="n", description="d", events=events))

    (zone,) = calendar.timezones
    kinds = [component.name for component in zone.subcomponents]
    rules = {component.name: component["RRULE"].to_ical() for component in zone.subcomponents}

    assert str(zone["TZID"]) == "Europe/Berlin"
    assert sorted(kinds) == ["DAYLIGHT", "STANDARD"]
    assert rules == {
        "DAYLIGHT": b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
        "STANDARD": b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
    }
    assert not any("RDATE" in c or "COMMENT" in c for c in [zone, *zone.subcomponents])


def vtimezone_offsets() -> tuple[list[datetime], list[tuple[timedelta, str]]]:
    """The feed's VTIMEZONE as sorted UTC transition instants, expanded with dateutil."""
    (zone,) = parse(small_feed()).timezones
    transitions = []
    for block in zone.subcomponents:
        local_start = block.decoded("DTSTART")
        offset_from = block.decoded("TZOFFSETFROM")
        offset_to = block.decoded("TZOFFSETTO")
        rule = rrulestr(block["RRULE"].to_ical().decode(), dtstart=local_start)
        for local in rule.between(datetime(2024, 1, 1), datetime(2030, 1, 1)):
            # The onset is given in the local time that was in force before it.
            instant = (local - offset_from).replace(tzinfo=UTC)
            transitions.append((instant, (offset_to, str(block["TZNAME"]))))
    transitions.sort()
    return [t for t, _ in transitions], [o for _, o in transitions]


def test_vtimezone_agrees_with_zoneinfo_for_every_hour_2026_to_2028():
    instants, offsets = vtimezone_offsets()
    hour = datetime(2026, 1, 1, tzinfo=UTC)
    mismatches = []

    while hour < datetime(2029, 1, 1, tzinfo=UTC):
        expected = hour.astimezone(BERLIN)
        actual = offsets[bisect.bisect_right(instants, hour) - 1]
        if actual != (expected.utcoffset(), expected.tzname()):
            mismatches.append(hour)
        hour += timedelta(hours=1)

    assert mismatches == []


def test_vtimezone_read_by_icalendar_agrees_with_zoneinfo_for_every_hour_2026_to_2028():
    own_zone = parse(small_feed()).timezones[0].to_tz(lookup_tzid=False)
    hour = datetime(2026, 1, 1, tzinfo=UTC)
    mismatches = []

    while hour < datetime(2029, 1, 1, tzinfo=UTC):
        if hour.astimezone(own_zone).utcoffset() != hour.astimezone(BERLIN).utcoffset():
            mismatches.append(hour)
        hour += timedelta(hours=1)

    assert mismatches == []


# Calendar properties -----------------------------------------------------------------


def test_feed_has_calendar_properties_and_no_method():
    data = small_feed()
    calendar = parse(data)

    names = [line.split(":")[0].split(";")[0] for line in content_lines(data)]

    assert names[:4] == ["BEGIN", "VERSION", "PRODID", "CALSCALE"]
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == "-//Stadt Aachen//Netzwerk//DE"
    assert [unescape(v) for v in property_values(data, "NAME")] == ["Stadtteilkonferenz Burtscheid"]
    assert str(calendar["DESCRIPTION"]) == "Sitzungen der Stadtteilkonferenz Burtscheid, Stadt Aachen"
    assert property_values(data, "X-WR-CALNAME") == property_values(data, "NAME")
    assert property_values(data, "X-WR-CALDESC") == property_values(data, "DESCRIPTION")[:1]
    assert property_values(data, "REFRESH-INTERVAL") == ["PT1H"]
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in content_lines(data)
    assert property_values(data, "X-PUBLISHED-TTL") == ["PT1H"]
    assert property_values(data, "X-WR-TIMEZONE") == ["Europe/Berlin"]
    assert "METHOD" not in names
    assert "ORGANIZER" not in names
    assert "ATTENDEE" not in names
    assert names.count("BEGIN") == names.count("END")
    assert CONTENT_TYPE == "text/calendar; charset=utf-8"


@pytest.mark.parametrize(("minutes", "duration"), [(15, "PT15M"), (60, "PT1H"), (90, "PT1H30M"), (1440, "PT24H")])
def test_refresh_interval_is_written_as_duration(minutes, duration):
    data = calendar_bytes(name="n", description="d", events=[], refresh_minutes=minutes)

    assert property_values(data, "REFRESH-INTERVAL") == [duration]
    assert property_values(data, "X-PUBLISHED-TTL") == [duration]


def test_every_event_has_the_required_properties():
    calendar = parse(small_feed())

    for event in calendar.events:
        present = {"UID", "DTSTAMP", "SEQUENCE", "LAST-MODIFIED", "CREATED", "DTSTART", "DTEND"}
        present |= {"SUMMARY", "URL", "STATUS"}
        assert present <= set(event), event["UID"]
    assert [int(event["SEQUENCE"]) for event in calendar.events] == [0, 2, 0, 1]


# Cancellation ----------------------------------------------------------------------------


@pytest.mark.parametrize("summary", ["Plenum", "Abgesagt: Plenum"])
def test_cancelled_event_carries_prefix_once_and_status(summary):
    event = make_event(summary=summary, status="CANCELLED")

    data = vevent_bytes(event)

    assert property_values(data, "SUMMARY") == ["Abgesagt: Plenum"]
    assert property_values(data, "STATUS") == ["CANCELLED"]
    assert CANCELLED_PREFIX == "Abgesagt: "


def test_confirmed_and_tentative_events_have_no_prefix():
    assert property_values(vevent_bytes(make_event(summary="Plenum")), "SUMMARY") == ["Plenum"]
    assert property_values(vevent_bytes(make_event(summary="Plenum", status="TENTATIVE")), "SUMMARY") == ["Plenum"]


# Determinism -------------------------------------------------------------------------------


EVENTS = st.builds(
    make_event,
    uid=st.text(min_size=1, max_size=40).filter(str.strip),
    sequence=st.integers(min_value=0, max_value=10_000),
    summary=TEXT,
    status=st.sampled_from(["TENTATIVE", "CONFIRMED", "CANCELLED"]),
    location=TEXT,
    description=TEXT,
    categories=st.lists(TEXT.filter(bool), max_size=3).map(tuple),
)


@given(event=EVENTS)
def test_same_input_gives_identical_bytes(event):
    copy = EventData(**{field: getattr(event, field) for field in event.__dataclass_fields__})

    assert vevent_bytes(event) == vevent_bytes(copy)
    assert calendar_bytes(name="n", description="d", events=[vevent_bytes(event)]) == calendar_bytes(
        name="n", description="d", events=[vevent_bytes(copy)]
    )


def test_same_instant_in_another_zone_gives_identical_bytes():
    local = make_event()
    in_utc = make_event(
        start=local.start.astimezone(UTC),
        end=local.end.astimezone(UTC),
        created=local.created.astimezone(BERLIN),
        last_modified=local.last_modified.astimezone(ZoneInfo("America/New_York")),
    )

    assert vevent_bytes(in_utc) == vevent_bytes(local)


def test_calendar_chunks_stream_lazily_and_join_to_calendar_bytes():
    blocks = [vevent_bytes(make_event(uid=f"meeting-{i}@netzwerk.aachen.de")) for i in range(2_000)]
    consumed = []

    def source():
        for block in blocks:
            consumed.append(block)
            yield block

    chunks = calendar_chunks(name="n", description="d", events=source())
    header = next(chunks)
    rest = list(chunks)

    assert header.startswith(b"BEGIN:VCALENDAR\r\n")
    assert header.endswith(b"END:VTIMEZONE\r\n")
    assert len(rest) > 3
    assert max(len(chunk) for chunk in rest) < 65_536 + max(len(block) for block in blocks)
    assert rest[-1] == b"END:VCALENDAR\r\n"
    assert len(consumed) == len(blocks)
    assert header + b"".join(rest) == calendar_bytes(name="n", description="d", events=blocks)


# Folding and escaping -----------------------------------------------------------------------


def assert_well_formed(data: bytes) -> None:
    """CRLF everywhere, at most 75 octets per line, no fold inside a UTF-8 sequence or
    inside an escape."""
    for line in physical_lines(data):
        assert len(line) <= 75, line
        line.decode("utf-8")  # raises if a fold split a multi-byte character
    segments_per_line: list[list[bytes]] = []
    for line in physical_lines(data):
        if line.startswith(b" "):
            segments_per_line[-1].append(line[1:])
        else:
            segments_per_line.append([line])
    for segments in segments_per_line[:-1]:
        # Every segment starts on an escape boundary, so an odd run of backslashes at
        # its end would be an escape cut in two.
        for segment in segments[:-1]:
            trailing = len(segment) - len(segment.rstrip(b"\\"))
            assert trailing % 2 == 0, segments


@settings(max_examples=200)
@given(summary=TEXT, location=TEXT, description=TEXT, categories=st.lists(TEXT.filter(bool), max_size=3))
def test_text_round_trips_and_lines_are_well_formed(summary, location, description, categories):
    event = make_event(summary=summary, location=location, description=description, categories=tuple(categories))

    data = calendar_bytes(name=summary, description=description, events=[vevent_bytes(event)])
    calendar = parse(data)
    parsed = calendar.events[0]

    assert_well_formed(data)
    assert str(parsed.get("SUMMARY", "")) == expected_text(summary)
    assert str(parsed.get("LOCATION", "")) == expected_text(location)
    assert str(parsed.get("DESCRIPTION", "")) == expected_text(description)
    assert str(calendar["DESCRIPTION"]) == expected_text(description)
    # icalendar 7 reads NAME and X-WR-* as unknown (unescaped) values; unescape per RFC.
    assert [unescape(v) for v in property_values(data, "NAME")] == [expected_text(summary)]
    assert [unescape(v) for v in property_values(data, "X-WR-CALNAME")] == [expected_text(summary)]
    assert [unescape(v) for v in property_values(data, "X-WR-CALDESC")] == [expected_text(description)]
    if categories:
        assert [str(c) for c in parsed["CATEGORIES"].cats] == [expected_text(c) for c in categories]


@settings(max_examples=30)
@given(piece=TEXT.filter(bool))
def test_5000_character_agenda_round_trips(piece):
    agenda = (piece * (5000 // len(piece) + 1))[:5000]
    event = make_event(description=agenda)

    data = vevent_bytes(event)
    parsed = parse(calendar_bytes(name="n", description="d", events=[data])).events[0]

    assert_well_formed(data)
    assert str(parsed["DESCRIPTION"]) == expected_text(agenda)


@pytest.mark.parametrize("offset", range(4))
def test_fold_never_splits_an_escape_or_a_character(offset):
    """Place escapes and four-octet characters on every position around the fold."""
    description = "x" * offset + "\\;,\n😀ä" * 300

    data = vevent_bytes(make_event(description=description))

    assert_well_formed(data)
    assert str(parse(calendar_bytes(name="n", description="d", events=[data])).events[0]["DESCRIPTION"]) == (
        description
    )


def test_control_characters_never_break_the_format():
    text = "".join(chr(code) for code in [*range(0x20), 0x7F, *range(0x80, 0xA0)]) + "A\u2028B\u2029C"

    data = vevent_bytes(make_event(summary=text, description=text))
    parsed = parse(calendar_bytes(name=text, description=text, events=[data])).events[0]

    assert_well_formed(data)
    assert str(parsed["SUMMARY"]) == "\t\n\n\n\n\n\n\n\nA\nB\nC"
    assert str(parsed["DESCRIPTION"]) == str(parsed["SUMMARY"])


def test_url_with_whitespace_is_rejected():
    with pytest.raises(ValueError, match="URI"):
        vevent_bytes(make_event(url="https://example.org/a b"))


# Invitations --------------------------------------------------------------------------------


def test_request_has_method_organizer_attendees_and_the_feeds_uid_and_sequence():
    event = make_event(sequence=3)
    feed_event = parse(calendar_bytes(name="n", description="d", events=[vevent_bytes(event)])).events[0]

    data = invitation_bytes(
        event,
        method="REQUEST",
        organizer_email="sozialplanung@mail.aachen.de",
        organizer_name="Sozialplanung, Stadt Aachen",
        attendee_emails=["anna@example.org", "ben@example.org"],
        attendee_names={"anna@example.org": 'Anna "Anni" Beispiel'},
    )
    calendar = parse(data)
    (invitation,) = calendar.events

    assert_well_formed(data)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert len(calendar.timezones) == 1
    assert str(invitation["UID"]) == str(feed_event["UID"]) == event.uid
    assert int(invitation["SEQUENCE"]) == int(feed_event["SEQUENCE"]) == 3
    assert str(invitation["ORGANIZER"]) == "mailto:sozialplanung@mail.aachen.de"
    assert invitation["ORGANIZER"].params["CN"] == "Sozialplanung, Stadt Aachen"
    assert [str(a) for a in invitation["ATTENDEE"]] == ["mailto:anna@example.org", "mailto:ben@example.org"]
    assert invitation["ATTENDEE"][0].params["CN"] == "Anna 'Anni' Beispiel"
    assert "CN" not in invitation["ATTENDEE"][1].params
    assert invitation.start == feed_event.start
    assert str(invitation["STATUS"]) == "CONFIRMED"


def test_cancel_has_method_cancel_and_status_cancelled():
    event = make_event(sequence=4)

    data = invitation_bytes(
        event,
        method="CANCEL",
        organizer_email="sozialplanung@mail.aachen.de",
        organizer_name="",
        attendee_emails=["anna@example.org"],
    )
    calendar = parse(data)
    (cancellation,) = calendar.events

    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(cancellation["UID"]) == event.uid
    assert int(cancellation["SEQUENCE"]) == 4
    assert str(cancellation["STATUS"]) == "CANCELLED"
    assert str(cancellation["SUMMARY"]) == "Abgesagt: Stadtteilkonferenz Burtscheid"
    assert "CN" not in cancellation["ORGANIZER"].params
    assert str(cancellation["ATTENDEE"]) == "mailto:anna@example.org"


@pytest.mark.parametrize(
    "overrides",
    [
        {"method": "PUBLISH"},
        {"attendee_emails": []},
        {"attendee_emails": ["not an address"]},
        {"organizer_email": "a@b.de\r\nX-EVIL:1"},
    ],
)
def test_invalid_invitation_is_rejected(overrides):
    arguments = {
        "method": "REQUEST",
        "organizer_email": "sozialplanung@mail.aachen.de",
        "organizer_name": "Sozialplanung",
        "attendee_emails": ["anna@example.org"],
    }
    arguments.update(overrides)

    with pytest.raises(ValueError):
        invitation_bytes(make_event(), **arguments)


def test_request_for_a_cancelled_meeting_is_rejected():
    with pytest.raises(ValueError, match="CANCEL"):
        invitation_bytes(
            make_event(status="CANCELLED"),
            method="REQUEST",
            organizer_email="sozialplanung@mail.aachen.de",
            organizer_name="Sozialplanung",
            attendee_emails=["anna@example.org"],
        )
