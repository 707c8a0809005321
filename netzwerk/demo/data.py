"""The demo's data, read once from ``netzwerk/data/demo.toml`` into typed rows.

The data file holds every name, place, rhythm and text of the demo (with the notes on what
is verified and what is invented); this module only gives it shapes the seed can use.
"""

import datetime
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

with (DATA_DIR / "demo.toml").open("rb") as _file:
    _DATA = tomllib.load(_file)


@dataclass(frozen=True)
class DemoLogin:
    """A demo account and the invented person behind it."""

    label: str
    email: str
    password: str
    given_name: str
    family_name: str
    form_of_address: str
    is_staff: bool = False


@dataclass(frozen=True)
class NetworkData:
    """One network of the demo. Areas are "B:<slug>", "S:<number>" or "L:<code>"."""

    slug: str
    kind: str
    name: str
    short_name: str
    areas: tuple[str, ...]
    topics: tuple[str, ...] = ()
    founded_year: int | None = None
    rhythm: str = ""
    description: str = ""
    is_invented: bool = False
    parent: str | None = None
    # Institution categories an OAG or Arbeitskreis draws its members from (all if empty).
    member_categories: tuple[str, ...] = ()
    # Forst / Driescher Hof had only institutional members (2018).
    individual_members: bool = True
    # Brander Feld elects a three-person Sprechergremium instead of speaker and deputy.
    speaker_board: bool = False


@dataclass(frozen=True)
class Place:
    """Where a meeting takes place: an invented institution (by name) or a free address."""

    institution: str = ""
    address: str = ""
    room: str = ""
    accessibility_notes: str = ""


@dataclass(frozen=True)
class SeriesData:
    """A network's meeting series; its next meeting lies about ``next_in_days`` ahead."""

    network: str
    title: str
    rule: str
    start_time: datetime.time
    duration_minutes: int
    place: Place
    next_in_days: int
    members_only: bool = False
    public_minutes: bool = False


@dataclass(frozen=True)
class MeetingData:
    """A single meeting ``in_days`` from today (negative: in the past)."""

    network: str
    title: str
    in_days: int
    start_time: datetime.time
    duration_minutes: int
    place: Place
    members_only: bool = False
    without_minutes: bool = False


@dataclass(frozen=True)
class PollData:
    """An open Terminumfrage; options are (days ahead, local time, minutes)."""

    network: str
    title: str
    description: str
    created_days_ago: int
    deadline_in_days: int
    options: tuple[tuple[int, datetime.time, int], ...]


@dataclass(frozen=True)
class CalendarData:
    """Everything the calendar of the demo is planned from (see the data file)."""

    past_months: int
    replay_days: int
    detailed_past: int
    confirm_days_before: int
    minutes_days_after: int
    minutes_file: Path
    answers: tuple[tuple[str, str], ...]
    series: tuple[SeriesData, ...]
    meetings: tuple[MeetingData, ...]
    moved_network: str
    moved_days_ago: int
    moved_by_days: int
    cancelled_network: str
    cancelled_days_ago: int
    cancel_reason: str
    poll: PollData
    agenda: dict[str, tuple[dict, ...]] = field(default_factory=dict)
    themes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    minutes_text: str = ""
    invitation_lead_days: dict[str, int] = field(default_factory=dict)


def _time(text: str) -> datetime.time:
    return datetime.time.fromisoformat(text)


def _place(row: dict) -> Place:
    return Place(
        institution=row.get("place", ""),
        address=row.get("address", ""),
        room=row.get("room", ""),
        accessibility_notes=row.get("accessibility_notes", ""),
    )


def _network(row: dict) -> NetworkData:
    tuples = {name: tuple(row[name]) for name in ("areas", "topics", "member_categories") if name in row}
    return NetworkData(**(row | tuples))


def _calendar(row: dict) -> CalendarData:
    return CalendarData(
        past_months=row["past_months"],
        replay_days=row["replay_days"],
        detailed_past=row["detailed_past"],
        confirm_days_before=row["confirm_days_before"],
        minutes_days_after=row["minutes_days_after"],
        minutes_file=DATA_DIR / row["minutes_file"],
        answers=tuple(tuple(pair) for pair in row["answers"]),
        series=tuple(
            SeriesData(
                network=item["network"],
                title=item["title"],
                rule=item["rule"],
                start_time=_time(item["time"]),
                duration_minutes=item["minutes"],
                place=_place(item),
                next_in_days=item["next_in_days"],
                members_only=item.get("members_only", False),
                public_minutes=item.get("public_minutes", False),
            )
            for item in row["series"]
        ),
        meetings=tuple(
            MeetingData(
                network=item["network"],
                title=item["title"],
                in_days=item["in_days"],
                start_time=_time(item["time"]),
                duration_minutes=item["minutes"],
                place=_place(item),
                members_only=item.get("members_only", False),
                without_minutes=item.get("without_minutes", False),
            )
            for item in row["meetings"]
        ),
        moved_network=row["moved"]["network"],
        moved_days_ago=row["moved"]["days_ago"],
        moved_by_days=row["moved"]["by_days"],
        cancelled_network=row["cancelled"]["network"],
        cancelled_days_ago=row["cancelled"]["days_ago"],
        cancel_reason=row["cancelled"]["reason"],
        poll=PollData(
            network=row["poll"]["network"],
            title=row["poll"]["title"],
            description=row["poll"]["description"],
            created_days_ago=row["poll"]["created_days_ago"],
            deadline_in_days=row["poll"]["deadline_in_days"],
            options=tuple((days, _time(time), minutes) for days, time, minutes in row["poll"]["options"]),
        ),
        agenda={kind: tuple(items) for kind, items in row["agenda"].items()},
        themes={kind: tuple(items) for kind, items in row["themes"].items()},
        minutes_text=row["minutes"]["text"].strip(),
        invitation_lead_days=dict(row.get("invitation_lead_days", {})),
    )


CONSENT_TEXT_VERSION: str = _DATA["consent_text_version"]
SPEAKER_INSTITUTION: str = _DATA["speaker_institution"]

DEMO_LOGINS = [DemoLogin(**row) for row in _DATA["logins"]]
PLANNER, SPEAKER, MEMBER = DEMO_LOGINS

DISTRICTS: list[tuple[str, str]] = [tuple(row) for row in _DATA["districts"]]
SOCIAL_AREAS: list[tuple[int, str, str, bool, str]] = [tuple(row) for row in _DATA["social_areas"]]
LIVING_AREAS: list[tuple[str, str, int, bool]] = [tuple(row) for row in _DATA["living_areas"]]
TOPICS: list[tuple[str, str]] = [tuple(row) for row in _DATA["topics"]]

_ALL_NETWORKS = [_network(row) for row in _DATA["networks"]]
NETWORKS = [data for data in _ALL_NETWORKS if data.parent is None]
# Arbeitskreise inside a network: created after the networks they belong to.
WORKING_GROUPS = [data for data in _ALL_NETWORKS if data.parent is not None]

POSTAL_CODES: dict[int, str] = dict(_DATA["postal_codes"])
# (name, institution type, Träger short name or None, Lebensraum code, street, accessibility)
INSTITUTIONS: list[tuple[str, str, str | None, str, str, str]] = [
    (name, kind, umbrella or None, code, street, accessibility)
    for name, kind, umbrella, code, street, accessibility in _DATA["institutions"]
]
# (street, number from, number to, parity, Lebensraum code); no numbers: the whole street.
STREETS: list[tuple[str, int | None, int | None, str, str]] = [
    (row[0], row[2], row[3], row[4], row[1]) if len(row) == 5 else (row[0], None, None, "alle", row[1])
    for row in _DATA["streets"]
]

GIVEN_NAMES: list[tuple[str, str]] = [tuple(row) for row in _DATA["given_names"]]
FAMILY_NAMES: list[str] = _DATA["family_names"]
SECOND_PEOPLE: int = _DATA["second_people"]
RESIDENTS: int = _DATA["residents"]
SECOND_FUNCTIONS: list[str] = _DATA["second_functions"]
ASSOCIATION_TYPES: set[str] = set(_DATA["association_types"])

CALENDAR = _calendar(_DATA["calendar"])
