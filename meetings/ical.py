"""iCalendar output (RFC 5545, RFC 7986, RFC 5546): plain data in, bytes out.

Nothing in here touches the database, the request or the clock: the feed views turn
meetings into :class:`EventData` (after the privacy projection), and this module turns
that into bytes. Pure input makes the output byte-identical for identical input, which
is what lets a feed serve a meeting's VEVENT from a cache keyed by (uid, version) and
answer conditional GETs cheaply (DESIGN.md, principle 4).

Serialisation is written by hand rather than through ``icalendar``: the exact bytes
(property order, folding, escaping, the Outlook-readable VTIMEZONE) are part of the
contract, and a library upgrade must not change them behind the cache's back. The test
suite parses every shape of output back with ``icalendar`` and ``recurring_ical_events``.

Public API:

- :class:`EventData` — one meeting as the calendar sees it;
- :func:`vevent_bytes` — one VEVENT for subscription feeds (cacheable);
- :func:`calendar_chunks` / :func:`calendar_bytes` — a feed around pre-built VEVENTs;
- :func:`invitation_bytes` — a METHOD:REQUEST / METHOD:CANCEL attachment for mail;
- :data:`CONTENT_TYPE`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Literal, get_args
from zoneinfo import ZoneInfo

from contacts.contentlines import CRLF, line_fold, text_escape

__all__ = [
    "CANCELLED_PREFIX",
    "CONTENT_TYPE",
    "PRODID",
    "TZID",
    "EventData",
    "Method",
    "Status",
    "calendar_bytes",
    "calendar_chunks",
    "invitation_bytes",
    "vevent_bytes",
]

CONTENT_TYPE = "text/calendar; charset=utf-8"

# A stable PRODID: clients and support staff identify the producer by it, and a PRODID
# that carried a version number would change every feed's bytes (and ETag) on each
# release without any meeting having changed.
PRODID = "-//Stadt Aachen//Netzwerk//DE"

TZID = "Europe/Berlin"
BERLIN = ZoneInfo(TZID)

# Google Calendar hides cancelled events and Outlook shows them like any other, so the
# word in the title is the only signal every client shows. Feeds are German unless their
# address asks for English (a calendar server fetching the feed sends no useful
# Accept-Language); the caller passes the word in the feed's language
# (``EventData.cancelled_prefix``), this is the German default.
CANCELLED_PREFIX = "Abgesagt: "

Status = Literal["TENTATIVE", "CONFIRMED", "CANCELLED"]
Method = Literal["REQUEST", "CANCEL"]


# One STANDARD and one DAYLIGHT block with a yearly RRULE each, and nothing else: this is
# the form Outlook writes itself and the only one it reliably reads. Outlook ignores or
# misreads RDATE lists and the long historical transition lists that tzdata-derived
# VTIMEZONEs carry, and some versions choke on COMMENT; such files then show meetings an
# hour off after a clock change. The rule is the EU rule (in force since 1996): summer
# time from the last Sunday in March 02:00 local, winter time from the last Sunday in
# October 03:00 local. DTSTART is the first such Sunday in 1970, the base year Outlook and
# Thunderbird use; meetings before 1996 do not exist in Netzwerk. The test suite checks
# this block against zoneinfo for every hour of the years the feeds cover.
VTIMEZONE_BERLIN = CRLF.join(
    line.encode("ascii")
    for line in (
        "BEGIN:VTIMEZONE",
        f"TZID:{TZID}",
        "BEGIN:DAYLIGHT",
        "TZOFFSETFROM:+0100",
        "TZOFFSETTO:+0200",
        "TZNAME:CEST",
        "DTSTART:19700329T020000",
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
        "END:DAYLIGHT",
        "BEGIN:STANDARD",
        "TZOFFSETFROM:+0200",
        "TZOFFSETTO:+0100",
        "TZNAME:CET",
        "DTSTART:19701025T030000",
        "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
        "END:STANDARD",
        "END:VTIMEZONE",
        "",
    )
)

_STATUSES = frozenset(get_args(Status))
_METHODS = frozenset(get_args(Method))

# Parameter values (CN) cannot be escaped in RFC 5545: they are quoted, so they must not
# hold a DQUOTE, and control characters are not allowed either.
_PARAM_TABLE: dict[int, str | None] = {
    **dict.fromkeys([*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x2029], " "),
    ord('"'): "'",
}


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class EventData:
    """One meeting as it appears in a calendar, after the privacy projection.

    ``start``/``end`` are either aware datetimes (any time zone; written in Europe/Berlin
    local time) or ``date`` objects for whole-day events, in which case ``end`` is the
    day *after* the last day (exclusive, as RFC 5545 defines DTEND). ``sequence`` rises
    with every change members should notice; ``uid`` never changes. The summary is the
    plain title: :data:`CANCELLED_PREFIX` is added here, not by the caller.
    """

    uid: str
    sequence: int
    summary: str
    start: datetime | date
    end: datetime | date
    status: Status
    created: datetime
    last_modified: datetime
    location: str = ""
    description: str = ""
    url: str = ""
    categories: tuple[str, ...] = ()
    # The word before a cancelled event's title, in the feed's language.
    cancelled_prefix: str = CANCELLED_PREFIX
    # Documents as (URL, media type): ATTACH links (RFC 5545 3.8.1.1). Only documents
    # anyone may read: the event is one block for every audience, and a calendar server
    # keeps what it fetched.
    attachments: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if not self.uid.strip():
            raise ValueError("uid must not be empty")
        if isinstance(self.sequence, bool) or not isinstance(self.sequence, int) or self.sequence < 0:
            raise ValueError(f"sequence must be an int >= 0, not {self.sequence!r}")
        if self.status not in _STATUSES:
            raise ValueError(f"status must be one of {sorted(_STATUSES)}, not {self.status!r}")
        if isinstance(self.start, datetime) != isinstance(self.end, datetime):
            raise TypeError("start and end must both be datetimes or both be dates")
        if isinstance(self.start, datetime):
            _require_aware(self.start, "start")
            _require_aware(self.end, "end")
        if not self.end > self.start:
            # RFC 5545 requires DTEND after DTSTART; for whole days this also catches the
            # classic inclusive end (end == start for a one-day event).
            raise ValueError("end must be after start (whole-day end is exclusive)")
        _require_aware(self.created, "created")
        _require_aware(self.last_modified, "last_modified")
        if not isinstance(self.categories, tuple):
            raise TypeError("categories must be a tuple (EventData is hashable and immutable)")
        if not isinstance(self.attachments, tuple):
            raise TypeError("attachments must be a tuple (EventData is hashable and immutable)")

    @property
    def is_whole_day(self) -> bool:
        return not isinstance(self.start, datetime)

    @property
    def display_summary(self) -> str:
        """The SUMMARY as written: cancelled events carry the prefix exactly once."""
        if self.status == "CANCELLED" and not self.summary.startswith(self.cancelled_prefix):
            return self.cancelled_prefix + self.summary
        return self.summary


def vevent_bytes(event: EventData, *, dtstamp: datetime | None = None) -> bytes:
    """One VEVENT for a subscription feed, CRLF-terminated, ready to be cached.

    ``dtstamp`` defaults to ``event.last_modified``. RFC 5545 3.8.7.2: in an object
    without METHOD (a published feed), DTSTAMP is the time the information was last
    revised in the calendar store, i.e. exactly the last modification. Using "now"
    instead would change the bytes on every request, defeat the per-version cache and
    the ETag, and make some clients re-import every event on each poll.

    No ORGANIZER in feeds: with an ORGANIZER, Outlook and Apple Calendar treat the
    event as a meeting invitation, offer accept/decline buttons and send iTIP replies
    to that address, and some clients hide the event until it is answered. Feeds are
    read-only publications; answering happens in Netzwerk.
    """
    return _fold_lines(_vevent_lines(event, dtstamp=dtstamp))


def calendar_chunks(
    *,
    name: str,
    description: str,
    events: Iterable[bytes],
    refresh_minutes: int = 60,
) -> Iterator[bytes]:
    """A subscription feed as chunks: header with VTIMEZONE, the given VEVENTs, footer.

    ``events`` are blocks from :func:`vevent_bytes` (typically from a cache); they are
    passed through unchanged, gathered into chunks of about 64 KiB so a streaming
    response of 50,000 events neither holds the whole feed in memory nor pays per-event
    overhead in the WSGI server.
    """
    if refresh_minutes <= 0:
        raise ValueError("refresh_minutes must be positive")
    duration = _duration(refresh_minutes)
    header = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        # No METHOD: a feed is a publication, not an iTIP message. With METHOD:PUBLISH
        # or REQUEST, Outlook imports the file as a one-off instead of subscribing, and
        # METHOD:CANCEL would delete events from the subscriber's calendar.
        # NAME/DESCRIPTION are RFC 7986; Apple Calendar, Google and Outlook still read
        # only the older X-WR-* names, so both are written.
        f"NAME:{text_escape(name)}",
        f"X-WR-CALNAME:{text_escape(name)}",
        f"DESCRIPTION:{text_escape(description)}",
        f"X-WR-CALDESC:{text_escape(description)}",
        # How often clients should poll: REFRESH-INTERVAL (RFC 7986) for Apple and
        # Thunderbird, X-PUBLISHED-TTL for Outlook. Google ignores both (8–24 hours).
        f"REFRESH-INTERVAL;VALUE=DURATION:{duration}",
        f"X-PUBLISHED-TTL:{duration}",
        # The calendar's default zone for Google and Apple when they create the
        # subscription; harmless elsewhere because no time in the feed is floating.
        f"X-WR-TIMEZONE:{TZID}",
    ]
    # The VTIMEZONE precedes every VEVENT: older Outlook versions resolve a TZID only
    # against a VTIMEZONE they have already read. A TZID without its VTIMEZONE is
    # invalid (RFC 5545 3.2.19) and makes Outlook fall back to UTC.
    yield _fold_lines(header) + VTIMEZONE_BERLIN
    batch: list[bytes] = []
    size = 0
    for block in events:
        batch.append(block)
        size += len(block)
        if size >= 65536:
            yield b"".join(batch)
            batch, size = [], 0
    if batch:
        yield b"".join(batch)
    yield b"END:VCALENDAR\r\n"


def calendar_bytes(
    *,
    name: str,
    description: str,
    events: Iterable[bytes],
    refresh_minutes: int = 60,
) -> bytes:
    """The whole subscription feed as one bytes object (see :func:`calendar_chunks`)."""
    return b"".join(calendar_chunks(name=name, description=description, events=events, refresh_minutes=refresh_minutes))


def invitation_bytes(
    event: EventData,
    *,
    method: Method,
    organizer_email: str,
    organizer_name: str,
    attendee_emails: Sequence[str],
    attendee_names: Mapping[str, str] | None = None,
    dtstamp: datetime | None = None,
) -> bytes:
    """An iTIP message (RFC 5546) for a mail attachment: METHOD:REQUEST or METHOD:CANCEL.

    Same UID and SEQUENCE as the feed, so a client that both subscribes and receives
    mail sees one meeting, and a CANCEL removes exactly the event a REQUEST created.
    The caller raises ``event.sequence`` before sending a CANCEL or a changed REQUEST;
    clients ignore messages whose SEQUENCE is lower than what they hold.

    ``attendee_names`` maps an address to its display name (CN). ``dtstamp`` is when
    the message was created (RFC 5546 orders messages of equal SEQUENCE by it); it
    defaults to ``event.last_modified`` so the output stays a pure function of its input.
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {sorted(_METHODS)}, not {method!r}")
    if not attendee_emails:
        raise ValueError("an iTIP message needs at least one ATTENDEE")
    if method == "CANCEL":
        # RFC 5546 3.2.5: a CANCEL carries STATUS:CANCELLED.
        event = dataclasses.replace(event, status="CANCELLED")
    elif event.status == "CANCELLED":
        raise ValueError("a cancelled meeting is sent as method CANCEL, not REQUEST")
    names = attendee_names or {}
    parties = [f"ORGANIZER{_cn(organizer_name)}:{_mailto(organizer_email)}"]
    for email in attendee_emails:
        if method == "REQUEST":
            # RSVP=FALSE: members answer (zusagen/absagen) in Netzwerk, where the answer
            # is recorded; an iTIP REPLY mailed to the organizer address would reach no
            # one. PARTSTAT=NEEDS-ACTION still lets clients show the meeting as open.
            params = ";CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE"
        else:
            params = ";CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT"
        parties.append(f"ATTENDEE{_cn(names.get(email, ''))}{params}:{_mailto(email)}")
    header = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        # Only here, never in feeds: METHOD makes the attachment an invitation that
        # the mail client adds to (REQUEST) or removes from (CANCEL) the calendar.
        f"METHOD:{method}",
    ]
    return (
        _fold_lines(header)
        + VTIMEZONE_BERLIN
        + _fold_lines(_vevent_lines(event, dtstamp=dtstamp, parties=parties))
        + b"END:VCALENDAR\r\n"
    )


# Building blocks -------------------------------------------------------------------


def _vevent_lines(event: EventData, *, dtstamp: datetime | None, parties: Sequence[str] = ()) -> list[str]:
    if dtstamp is None:
        dtstamp = event.last_modified
    else:
        _require_aware(dtstamp, "dtstamp")
    lines = [
        "BEGIN:VEVENT",
        f"UID:{text_escape(event.uid)}",
        # Always written, also as 0: Google and Outlook only replace a stored copy when
        # SEQUENCE rises, and a missing SEQUENCE makes some clients treat the first
        # change (SEQUENCE:1) as a different revision scheme.
        f"SEQUENCE:{event.sequence}",
        # DTSTAMP, CREATED and LAST-MODIFIED must be UTC (RFC 5545 3.8.7).
        f"DTSTAMP:{_utc(dtstamp)}",
    ]
    if isinstance(event.start, datetime) and isinstance(event.end, datetime):
        # Local wall-clock time with TZID, never UTC and never floating: a meeting at
        # 18:30 stays at 18:30 for clients whose zone data or DST handling is off (a UTC
        # time is shifted by an hour after each clock change), and a floating time would
        # move with the subscriber's own zone. The second 02:00–03:00 on the last Sunday
        # of October cannot be named in local time; RFC 5545 3.3.5 reads it as the first.
        lines += [
            f"DTSTART;TZID={TZID}:{_local(event.start)}",
            f"DTEND;TZID={TZID}:{_local(event.end)}",
        ]
    else:
        # Whole days are DATE values with an exclusive DTEND (RFC 5545 3.6.1): a
        # one-day event ends on the next day. An inclusive end makes Google and Apple
        # show one day too few, and DTEND == DTSTART is invalid and dropped by Outlook.
        lines += [
            f"DTSTART;VALUE=DATE:{_date(event.start)}",
            f"DTEND;VALUE=DATE:{_date(event.end)}",
        ]
    lines.append(f"SUMMARY:{text_escape(event.display_summary)}")
    # A cancelled meeting stays in the feed with STATUS:CANCELLED for a while instead of
    # disappearing: a client that had stored it then shows it struck out or removes it,
    # whereas a missing event may linger in clients that keep what they once saw (and a
    # member would never learn that the meeting was called off).
    lines.append(f"STATUS:{event.status}")
    if event.location:
        lines.append(f"LOCATION:{text_escape(event.location)}")
    if event.description:
        lines.append(f"DESCRIPTION:{text_escape(event.description)}")
    if event.url:
        lines.append(f"URL:{_uri(event.url)}")
    if event.categories:
        lines.append("CATEGORIES:" + ",".join(text_escape(category) for category in event.categories))
    for url, media_type in event.attachments:
        # A link, not the file inline (VALUE=BINARY): feeds stay small, and the download
        # goes through the site's own check. FMTTYPE lets clients show the right icon.
        lines.append(f"ATTACH;FMTTYPE={_media_type(media_type)}:{_uri(url)}")
    lines += parties
    lines += [
        f"CREATED:{_utc(event.created)}",
        f"LAST-MODIFIED:{_utc(event.last_modified)}",
        "END:VEVENT",
    ]
    return lines


def _fold_lines(lines: Iterable[str]) -> bytes:
    return b"".join(line_fold(line) for line in lines)


def _uri(value: str) -> str:
    # URI values are not escaped (RFC 5545 3.3.13); a URL cannot hold whitespace or
    # control characters, and letting one through would break the line structure.
    if any(char.isspace() or ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        raise ValueError(f"not a URI: {value!r}")
    return value


def _media_type(value: str) -> str:
    # A parameter value without quotes: only the characters a media type is made of.
    if not value or any(not (char.isalnum() or char in "/.+-") for char in value):
        raise ValueError(f"not a media type: {value!r}")
    return value


def _mailto(email: str) -> str:
    email = email.strip()
    if "@" not in email or any(char.isspace() or char in '"<>' or ord(char) < 0x20 for char in email):
        raise ValueError(f"not an e-mail address: {email!r}")
    return f"mailto:{email}"


def _cn(name: str) -> str:
    name = name.translate(_PARAM_TABLE).strip()
    # Always quoted: a name may contain ":", ";" or ",", which end an unquoted value.
    return f';CN="{name}"' if name else ""


def _utc(moment: datetime) -> str:
    _require_aware(moment, "timestamp")
    return _datetime_value(moment.astimezone(UTC)) + "Z"


def _local(moment: datetime) -> str:
    return _datetime_value(moment.astimezone(BERLIN))


def _datetime_value(moment: datetime) -> str:
    # Seconds precision; microseconds are not representable in iCalendar.
    return (
        f"{moment.year:04d}{moment.month:02d}{moment.day:02d}T{moment.hour:02d}{moment.minute:02d}{moment.second:02d}"
    )


def _date(day: date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _duration(minutes: int) -> str:
    hours, minutes = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")


def _require_aware(moment: datetime, field: str) -> None:
    if not isinstance(moment, datetime):
        raise TypeError(f"{field} must be a datetime, not {type(moment).__name__}")
    if moment.utcoffset() is None:
        raise ValueError(f"{field} must be an aware datetime")
