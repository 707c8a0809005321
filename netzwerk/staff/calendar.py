"""The calendar of every network's meetings, for staff planning city-wide dates (the
Sozialkonferenz): a month with the conflict hints of ``meetings.conflicts`` on each meeting.

Three queries for a month however many meetings: the meetings, the school holidays and the
current memberships of the networks that meet; overlaps are found in memory.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contacts.models import Membership, Network
from meetings.conflicts import Conflict, place_key, public_holiday_conflicts, school_holiday_conflicts
from meetings.models import Meeting, in_networks
from meetings.recurrence import BERLIN


@dataclass
class CalendarEntry:
    """A meeting of the month and the hints about it."""

    meeting: Meeting
    hints: list[Conflict] = field(default_factory=list)


@dataclass
class CityMonth:
    year: int
    month: int
    weeks: list[list[tuple[datetime.date, list[CalendarEntry]]]]
    # Hints about a whole day (public and school holidays), by day.
    day_hints: dict[datetime.date, list[Conflict]]

    @property
    def entries(self) -> list[CalendarEntry]:
        return [entry for week in self.weeks for day, entries in week if day.month == self.month for entry in entries]

    @property
    def days(self) -> list[tuple[datetime.date, list[CalendarEntry], list[Conflict]]]:
        """The days of the month that have meetings, with their entries and day hints."""
        return [
            (day, entries, self.day_hints.get(day, []))
            for week in self.weeks
            for day, entries in week
            if day.month == self.month and entries
        ]

    @property
    def hint_count(self) -> int:
        return sum(len(entry.hints) for entry in self.entries)


def _place(meeting: Meeting) -> str:
    street = meeting.institution.street if meeting.institution_id is not None else meeting.address
    return place_key(street) if street else ""


def _fmt(moment: datetime.datetime) -> str:
    return moment.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")


def _pair_hints(meeting: Meeting, other: Meeting, shared: tuple[int, int]) -> list[Conflict]:
    """What ``other`` (overlapping ``meeting``) means for ``meeting``: the same place, the
    same network, or networks with members in common."""
    day = meeting.local_start.date()
    values = {"title": other.title, "network": other.network.name, "when": _fmt(other.start)}
    same_place = (meeting.institution_id is not None and meeting.institution_id == other.institution_id) or (
        _place(meeting) and _place(meeting) == _place(other)
    )
    if same_place:
        message = _("Am selben Ort findet zur selben Zeit „%(title)s“ (%(network)s, %(when)s) statt.") % values
        return [Conflict("ort", day, message, start=meeting.start, meeting_id=other.pk)]
    if other.network_id == meeting.network_id:
        message = _("Zur selben Zeit tagt dieses Netzwerk schon: „%(title)s“ (%(when)s).") % values
        return [Conflict("netzwerk", day, message, start=meeting.start, meeting_id=other.pk)]
    people, institutions = shared
    if not people and not institutions:
        return []
    parts = []
    if people:
        parts.append(ngettext("%(n)s gemeinsame Person", "%(n)s gemeinsame Personen", people) % {"n": people})
    if institutions:
        parts.append(
            ngettext("%(n)s gemeinsame Einrichtung", "%(n)s gemeinsame Einrichtungen", institutions)
            % {"n": institutions}
        )
    values["shared"] = _(" und ").join(parts)
    message = (
        _(
            "Zur selben Zeit tagt %(network)s („%(title)s“, %(when)s); beide Netzwerke haben "
            "Mitglieder gemeinsam: %(shared)s."
        )
        % values
    )
    return [Conflict("netzwerk", day, message, start=meeting.start, meeting_id=other.pk)]


def city_month(*, year: int, month: int, kind: str | None = None) -> CityMonth:
    """Every network's meetings in the month (also internal and cancelled ones: staff see
    all), as weeks from Monday, each meeting with its conflict hints; optionally only the
    networks of one ``kind``. Cancelled meetings are shown but conflict with nothing."""
    first = datetime.date(year, month, 1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    start = datetime.datetime.combine(first, datetime.time(), tzinfo=BERLIN)
    end = datetime.datetime.combine(following, datetime.time(), tzinfo=BERLIN)
    meetings = (
        Meeting.objects.filter(start__gte=start, start__lt=end)
        .select_related("network", "institution")
        .prefetch_related(Prefetch("partner_networks", queryset=Network.objects.order_by("name", "pk")))
    )
    if kind:
        # A joint meeting is in the month of each kind it has a network of.
        meetings = meetings.filter(in_networks(Network.objects.filter(kind=kind).values("pk")))
    meetings = list(meetings.order_by("start", "network__name", "pk"))
    active = [meeting for meeting in meetings if not meeting.is_cancelled]
    slots = [(meeting.start, meeting.end) for meeting in active]
    day_hints: dict[datetime.date, list[Conflict]] = defaultdict(list)
    for hint in [*public_holiday_conflicts(slots), *school_holiday_conflicts(slots)]:
        day_hints[hint.day].append(hint)
    # Who sits in which network today: a person or institution in two networks that meet
    # at the same time cannot be in both rooms.
    people_of: dict[int, set[int]] = defaultdict(set)
    institutions_of: dict[int, set[int]] = defaultdict(set)
    network_ids = {meeting.network_id for meeting in active}
    if network_ids:
        rows = (
            Membership.objects.active(timezone.localdate())
            .filter(network_id__in=network_ids)
            .values_list("network_id", "person_id", "institution_id")
        )
        for network_id, person_id, institution_id in rows:
            if person_id is not None:
                people_of[network_id].add(person_id)
            if institution_id is not None:
                institutions_of[network_id].add(institution_id)
    entries = {meeting.pk: CalendarEntry(meeting=meeting) for meeting in meetings}
    for index, meeting in enumerate(active):
        entry = entries[meeting.pk]
        entry.hints += day_hints.get(meeting.local_start.date(), [])
        for other in active[index + 1 :]:
            if other.start >= meeting.end:
                break  # sorted by start: nothing later overlaps
            shared = (
                len(people_of[meeting.network_id] & people_of[other.network_id]),
                len(institutions_of[meeting.network_id] & institutions_of[other.network_id]),
            )
            entry.hints += _pair_hints(meeting, other, shared)
            entries[other.pk].hints += _pair_hints(other, meeting, shared)
    by_day: dict[datetime.date, list[CalendarEntry]] = defaultdict(list)
    for meeting in meetings:
        by_day[meeting.local_start.date()].append(entries[meeting.pk])
    weeks = []
    day = first - datetime.timedelta(days=first.weekday())
    while True:
        week = []
        for _index in range(7):
            week.append((day, by_day.get(day, []) if day.month == month else []))
            day += datetime.timedelta(days=1)
        weeks.append(week)
        if day.month != month:
            break
    return CityMonth(year=year, month=month, weeks=weeks, day_hints=dict(day_hints))
