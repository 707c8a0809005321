"""Conflict hints while planning: warnings a speaker sees before saving, never a block.

Four kinds, each answered with at most one query for any number of planned slots (a whole
series is checked at once):

- a public holiday in NRW (the ``holidays`` package; no query),
- NRW school holidays (``SchoolHoliday`` rows staff keep current),
- another meeting at the same place overlapping: the same institution, or the same street
  and house number however it was entered (an institution's row, or a free address such as
  „Kurbrunnenstr. 1, 52066 Aachen“ for the same house),
- another meeting of the same network overlapping (a poll closed onto the Plenum's evening),
- another network's meeting overlapping, when the two networks share members: a
  Quartiersmanager*in or an institution sitting in both cannot be in two rooms at once.

Cancelled meetings never conflict. A speaker may still plan on a holiday: the hints only
say what to consider.
"""

import datetime
import re
from dataclasses import dataclass

import holidays
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contacts.models import Institution, Membership, Network
from meetings.models import Meeting, MeetingPartner, SchoolHoliday
from meetings.recurrence import BERLIN

Slot = tuple[datetime.datetime, datetime.datetime]


@dataclass(frozen=True)
class Conflict:
    """One hint: its kind (``feiertag``, ``schulferien``, ``ort``, ``netzwerk``), the local day
    and the text; ``start`` is the planned slot's start for hints about one slot (another
    meeting), ``None`` for hints about the whole day (holidays); ``meeting_id`` the other meeting."""

    kind: str
    day: datetime.date
    message: str
    start: datetime.datetime | None = None
    meeting_id: int | None = None

    def concerns(self, start: datetime.datetime, end: datetime.datetime) -> bool:
        """Whether the hint belongs to the planned slot ``start``–``end``."""
        if self.start is not None:
            return self.start == start
        return (
            start.astimezone(BERLIN).date()
            <= self.day
            <= (end - datetime.timedelta(microseconds=1)).astimezone(BERLIN).date()
        )


def _days(slots: list[Slot]) -> list[datetime.date]:
    return sorted({start.astimezone(BERLIN).date() for start, _end in slots})


def _fmt(moment: datetime.datetime) -> str:
    return moment.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")


def public_holiday_conflicts(slots: list[Slot]) -> list[Conflict]:
    """Slots on a public holiday in North Rhine-Westphalia."""
    days = _days(slots)
    if not days:
        return []
    calendar = holidays.country_holidays("DE", subdiv="NW", years=range(days[0].year, days[-1].year + 1), language="de")
    return [
        Conflict(
            "feiertag",
            day,
            _("%(day)s ist ein Feiertag in NRW (%(name)s).") % {"day": day.strftime("%d.%m.%Y"), "name": calendar[day]},
        )
        for day in days
        if day in calendar
    ]


def school_holiday_conflicts(slots: list[Slot]) -> list[Conflict]:
    """Slots in NRW school holidays (one query)."""
    days = _days(slots)
    if not days:
        return []
    spans = list(SchoolHoliday.objects.filter(start__lte=days[-1], end__gte=days[0]).order_by("start"))
    return [
        Conflict(
            "schulferien",
            day,
            _("%(day)s liegt in den Schulferien (%(name)s).") % {"day": day.strftime("%d.%m.%Y"), "name": span.name},
        )
        for day in days
        for span in spans
        if span.start <= day <= span.end
    ]


# Above this many slots (a daily rule over a year) one OR-clause per slot makes a needlessly
# long statement; the span from first to last is fetched instead and matched in Python.
MAX_SLOT_CLAUSES = 60


def _overlapping(slots: list[Slot]) -> Q:
    if len(slots) > MAX_SLOT_CLAUSES:
        return Q(start__lt=max(end for _start, end in slots), end__gt=min(start for start, _end in slots))
    condition = Q()
    for start, end in slots:
        condition |= Q(start__lt=end, end__gt=start)
    return condition


def _candidates(slots: list[Slot], exclude_meeting_ids, exclude_series_id):
    meetings = Meeting.objects.filter(_overlapping(slots)).exclude(status=Meeting.Status.CANCELLED)
    if exclude_meeting_ids:
        meetings = meetings.exclude(pk__in=list(exclude_meeting_ids))
    if exclude_series_id is not None:
        meetings = meetings.exclude(series_id=exclude_series_id)
    return meetings


def _matching_slots(meeting: Meeting, slots: list[Slot]) -> list[Slot]:
    return [(start, end) for start, end in slots if meeting.start < end and meeting.end > start]


def place_key(text: str) -> str:
    """Street and house number of an address, written one way: „Kurbrunnenstr. 1, 52066
    Aachen“ and „Kurbrunnenstraße 1“ are the same house."""
    street = text.split(",", 1)[0].casefold()
    street = re.sub(r"str(\.|asse|aße)(?=\s|\d|$)", "str", street)
    return re.sub(r"\s+", "", street)


# The first letters of a street filter the candidates in the database; ``place_key``
# decides in Python, because an abbreviation or a space cannot be matched there portably.
PLACE_PREFIX = 4


def place_conflicts(
    slots: list[Slot],
    *,
    institution: Institution | None = None,
    address: str = "",
    exclude_meeting_ids=(),
    exclude_series_id: int | None = None,
) -> list[Conflict]:
    """Other meetings at the same place that overlap a slot (one query).

    The same place is the same institution, or the same street and house number
    (``place_key``) whether it was given as an institution or as a free address.
    """
    address = (address or "").strip()
    street = institution.street if institution is not None else address
    key = place_key(street) if street else ""
    if not slots or (institution is None and not key):
        return []
    place = Q()
    if institution is not None:
        place |= Q(institution=institution)
    if key:
        prefix = street.strip()[:PLACE_PREFIX]
        place |= Q(institution__isnull=True, address__istartswith=prefix) | Q(institution__street__istartswith=prefix)
    meetings = (
        _candidates(slots, exclude_meeting_ids, exclude_series_id)
        .filter(place)
        .select_related("network", "institution")
        .order_by("start", "pk")
    )
    conflicts = []
    for meeting in meetings:
        if institution is None or meeting.institution_id != institution.pk:
            theirs = meeting.institution.street if meeting.institution_id is not None else meeting.address
            if not theirs or place_key(theirs) != key:
                continue
        for start, _end in _matching_slots(meeting, slots):
            conflicts.append(
                Conflict(
                    "ort",
                    start.astimezone(BERLIN).date(),
                    _("Am selben Ort findet zur selben Zeit „%(title)s“ (%(network)s, %(when)s) statt.")
                    % {"title": meeting.title, "network": meeting.network.name, "when": _fmt(meeting.start)},
                    start=start,
                    meeting_id=meeting.pk,
                )
            )
    return conflicts


def network_conflicts(
    slots: list[Slot],
    *,
    network: Network,
    exclude_meeting_ids=(),
    exclude_series_id: int | None = None,
    day: datetime.date | None = None,
) -> list[Conflict]:
    """Overlapping meetings of ``network`` itself, and of other networks that share members
    with it (one query).

    A shared member is a person or an institution with a current membership in both.
    """
    if not slots:
        return []
    day = day or timezone.localdate()
    ours = Membership.objects.active(day).filter(network=network)
    shared_person = Q(
        network__memberships__person_id__in=ours.filter(person__isnull=False).values("person_id"),
    )
    shared_institution = Q(
        network__memberships__institution_id__in=ours.filter(institution__isnull=False).values("institution_id"),
    )
    active = Q(network__memberships__start__lte=day) & (
        Q(network__memberships__end__isnull=True) | Q(network__memberships__end__gte=day)
    )
    meetings = (
        _candidates(slots, exclude_meeting_ids, exclude_series_id)
        .annotate(
            shared_people=Count("network__memberships__person", filter=active & shared_person, distinct=True),
            shared_institutions=Count(
                "network__memberships__institution", filter=active & shared_institution, distinct=True
            ),
            joint=Exists(MeetingPartner.objects.filter(network=network, meeting_id=OuterRef("pk"))),
        )
        # A joint meeting ``network`` holds with another counts as its own.
        .filter(Q(network=network) | Q(joint=True) | Q(shared_people__gt=0) | Q(shared_institutions__gt=0))
        .select_related("network")
        .order_by("start", "pk")
    )
    conflicts = []
    for meeting in meetings:
        values = {"network": meeting.network.name, "title": meeting.title, "when": _fmt(meeting.start)}
        if meeting.network_id == network.pk or meeting.joint:
            message = _("Zur selben Zeit tagt dieses Netzwerk schon: „%(title)s“ (%(when)s).") % values
        else:
            shared = [
                ngettext("%(n)s gemeinsame Person", "%(n)s gemeinsame Personen", meeting.shared_people)
                % {"n": meeting.shared_people},
                ngettext("%(n)s gemeinsame Einrichtung", "%(n)s gemeinsame Einrichtungen", meeting.shared_institutions)
                % {"n": meeting.shared_institutions},
            ]
            numbers = (meeting.shared_people, meeting.shared_institutions)
            values["shared"] = _(" und ").join(text for text, n in zip(shared, numbers, strict=True) if n)
            message = (
                _(
                    "Zur selben Zeit tagt %(network)s („%(title)s“, %(when)s); beide Netzwerke haben "
                    "Mitglieder gemeinsam: %(shared)s."
                )
                % values
            )
        for start, _end in _matching_slots(meeting, slots):
            conflicts.append(
                Conflict("netzwerk", start.astimezone(BERLIN).date(), message, start=start, meeting_id=meeting.pk)
            )
    return conflicts


def conflicts_for(
    *,
    network: Network,
    slots: list[Slot],
    institution: Institution | None = None,
    address: str = "",
    exclude_meeting_ids=(),
    exclude_series_id: int | None = None,
) -> list[Conflict]:
    """Every hint for the planned ``slots`` (aware start/end pairs), in day order (three queries).

    A meeting of the same network at the same place is named once, as the place.
    """
    places = place_conflicts(
        slots,
        institution=institution,
        address=address,
        exclude_meeting_ids=exclude_meeting_ids,
        exclude_series_id=exclude_series_id,
    )
    named = {(conflict.start, conflict.meeting_id) for conflict in places}
    found = [
        *public_holiday_conflicts(slots),
        *school_holiday_conflicts(slots),
        *places,
        *(
            conflict
            for conflict in network_conflicts(
                slots, network=network, exclude_meeting_ids=exclude_meeting_ids, exclude_series_id=exclude_series_id
            )
            if (conflict.start, conflict.meeting_id) not in named
        ),
    ]
    return sorted(found, key=lambda conflict: conflict.day)


def poll_option_conflicts(*, network: Network, options) -> list[list[Conflict]]:
    """The hints of each date-poll option, in the order of ``options`` (two queries for all).

    A poll names no place, so only holidays and other meetings of this network and of
    networks that share members can be found.
    """
    slots = [option.slot for option in options]
    found = conflicts_for(network=network, slots=slots)
    return [[conflict for conflict in found if conflict.concerns(*slot)] for slot in slots]
