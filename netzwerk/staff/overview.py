"""„Netzwerke im Überblick“: one row per network with the figures that tell whether it is
thriving or has gone quiet. Six queries however many networks."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from contacts.models import Area, Membership, Network
from contacts.selectors import AreaTree, network_kind_order
from meetings.models import Meeting, MeetingPartner

YEAR = datetime.timedelta(days=365)
# A term that ends within this many days is named in the overview.
TERM_WARNING_DAYS = 92
# An entry whose „Stand“ is older than this (or missing) counts as not confirmed.
STALE_AFTER = datetime.timedelta(days=365)
# Meetings that count as held once their start has passed.
NOT_HELD = (Meeting.Status.CANCELLED, Meeting.Status.POSTPONED)


class SpeakerTeam:
    """How a network's speaker team stands today."""

    VACANT = "vakant"
    INCOMPLETE = "unvollstaendig"
    COMPLETE = "vollstaendig"


@dataclass
class OverviewRow:
    """The figures of one network; dates are local, ``None`` where there is none."""

    network: Network
    area_names: list[str]
    last_meeting: datetime.datetime | None = None
    next_meeting: datetime.datetime | None = None
    meetings_12_months: int = 0
    minutes_12_months: int = 0
    members: int = 0
    members_year_ago: int = 0
    speakers: list[tuple[str, str, datetime.date | None]] = field(default_factory=list)
    terms_ending: list[tuple[str, datetime.date]] = field(default_factory=list)
    stale_members: int = 0

    @property
    def minutes_share(self) -> float | None:
        """Share (0–100) of the meetings of the last 12 months with published minutes."""
        if not self.meetings_12_months:
            return None
        return round(100 * self.minutes_12_months / self.meetings_12_months)

    @property
    def members_change(self) -> int:
        return self.members - self.members_year_ago

    @property
    def speaker_team(self) -> str:
        roles = [role for _name, role, _end in self.speakers]
        if Membership.Role.SPEAKER not in roles:
            return SpeakerTeam.VACANT
        in_team = [role for role in roles if role in (Membership.Role.SPEAKER, Membership.Role.DEPUTY_SPEAKER)]
        return SpeakerTeam.COMPLETE if len(in_team) >= 2 else SpeakerTeam.INCOMPLETE

    @property
    def speaker_wanted(self) -> bool:
        return self.speaker_team == SpeakerTeam.VACANT

    @property
    def kind_short(self) -> str:
        """The kind as the networks write it in a table: „STK“, „OAG“, „AK“."""
        return KIND_SHORT.get(self.network.kind, str(self.network.get_kind_display()))

    @property
    def confirmed_at(self) -> datetime.datetime | None:
        return self.network.confirmed_at


KIND_SHORT = {
    Network.Kind.NEIGHBOURHOOD_CONFERENCE: "STK",
    Network.Kind.SENIORS_WORKING_GROUP: "OAG",
    Network.Kind.WORKING_GROUP: "AK",
}


# The columns the overview can be sorted by, and how: (key of a row, whether None sorts last).
SORT_KEYS = {
    "name": lambda row: row.network.name.casefold(),
    "art": lambda row: (row.network.kind_position, row.network.name.casefold()),
    "letzte": lambda row: row.last_meeting,
    "naechste": lambda row: row.next_meeting,
    "sitzungen": lambda row: row.meetings_12_months,
    "protokolle": lambda row: row.minutes_share,
    "mitglieder": lambda row: row.members,
    "veraenderung": lambda row: row.members_change,
    "sprecherteam": lambda row: 0 if row.speaker_wanted else 1 if row.speaker_team == SpeakerTeam.INCOMPLETE else 2,
    "amtszeiten": lambda row: min((end for _name, end in row.terms_ending), default=None),
    "stand": lambda row: row.confirmed_at,
}


def overview_sort(rows: list[OverviewRow], key: str) -> list[OverviewRow]:
    """``rows`` sorted by the column ``key`` (``-key`` descending); rows without a value last."""
    descending = key.startswith("-")
    getter = SORT_KEYS[key.lstrip("-")]
    with_value = [row for row in rows if getter(row) is not None]
    without = [row for row in rows if getter(row) is None]
    return sorted(with_value, key=getter, reverse=descending) + without


def areas_around(tree: AreaTree, area_id: int) -> set[int]:
    """``area_id``, every area below it and every area above it: a network of the Stadtbezirk
    works in each of its Lebensräume, and a network of a Lebensraum in its Stadtbezirk."""
    ids = tree.descendant_ids(area_id)
    area = tree.by_id.get(area_id)
    while area is not None and area.parent_id is not None:
        ids.add(area.parent_id)
        area = tree.by_id.get(area.parent_id)
    return ids


def network_overview(
    *,
    kind: str | None = None,
    area_ids: set[int] | None = None,
    sort: str = "art",
    now: datetime.datetime | None = None,
) -> list[OverviewRow]:
    """One row per active network (optionally of one ``kind`` and working in ``area_ids``),
    sorted by ``sort`` (a key of ``SORT_KEYS``, ``-`` in front for descending).

    Seven queries however many networks: the networks, their areas, the meeting figures (hosted and joint),
    the member figures, the speaker teams and the members' „Stand“.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    networks = Network.objects.filter(is_active=True)
    if kind:
        networks = networks.filter(kind=kind)
    if area_ids is not None:
        links = Network.areas.through.objects.filter(area_id__in=area_ids)
        networks = networks.filter(pk__in=links.values("network_id"))
    networks = list(
        networks.select_related("parent")
        .prefetch_related("areas")
        .annotate(kind_position=network_kind_order())
        .order_by("kind_position", "name")
    )
    ids = [network.pk for network in networks]
    rows = {
        network.pk: OverviewRow(
            network=network,
            area_names=[area.name for area in sorted(network.areas.all(), key=lambda a: (a.level, a.code, a.name))],
        )
        for network in networks
    }
    if not rows:
        return []

    def meeting_figures(rows_of, prefix: str):
        """The figures of the meetings in ``rows_of`` per network; ``prefix`` leads from its
        rows to the meeting (the partner rows of joint meetings count for the partner)."""

        def field(name: str) -> str:
            return prefix + name

        past = Q(**{field("start__lt"): now}) & ~Q(**{field("status__in"): NOT_HELD})
        recent = past & Q(**{field("start__gte"): now - YEAR})
        upcoming = Q(
            **{field("start__gte"): now, field("status__in"): (Meeting.Status.PLANNED, Meeting.Status.CONFIRMED)}
        )
        return (
            rows_of.filter(network_id__in=ids)
            .values("network_id")
            .order_by("network_id")
            .annotate(
                last=Max(field("start"), filter=past),
                next=Min(field("start"), filter=upcoming),
                held=Count(field("pk") if prefix else "pk", filter=recent),
                minutes=Count(
                    field("pk") if prefix else "pk",
                    filter=recent & Q(**{field("minutes__published_at__isnull"): False}),
                ),
            )
        )

    # Hosted meetings and joint meetings a network holds as a partner both count.
    for figures in [*meeting_figures(Meeting.objects, ""), *meeting_figures(MeetingPartner.objects, "meeting__")]:
        row = rows[figures["network_id"]]
        row.last_meeting = max(filter(None, (row.last_meeting, figures["last"])), default=None)
        row.next_meeting = min(filter(None, (row.next_meeting, figures["next"])), default=None)
        row.meetings_12_months = (row.meetings_12_months or 0) + figures["held"]
        row.minutes_12_months = (row.minutes_12_months or 0) + figures["minutes"]
    year_ago = today - YEAR

    def active_on(day: datetime.date) -> Q:
        return Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gte=day))

    member_figures = (
        Membership.objects.filter(network_id__in=ids, role=Membership.Role.MEMBER)
        .values("network_id")
        .order_by("network_id")
        .annotate(now=Count("pk", filter=active_on(today)), then=Count("pk", filter=active_on(year_ago)))
    )
    for figures in member_figures:
        rows[figures["network_id"]].members = figures["now"]
        rows[figures["network_id"]].members_year_ago = figures["then"]
    leaders = (
        Membership.objects.active(today)
        .leading()
        .filter(network_id__in=ids)
        .select_related("person")
        .order_by("network_id", "role", "start")
    )
    warning_until = today + datetime.timedelta(days=TERM_WARNING_DAYS)
    for membership in leaders:
        row = rows[membership.network_id]
        row.speakers.append((membership.person.full_name, membership.role, membership.end))
        if membership.end is not None and membership.end <= warning_until:
            row.terms_ending.append((membership.person.full_name, membership.end))
    stale_before = now - STALE_AFTER
    stale_entry = (
        Q(institution__isnull=False)
        & (Q(institution__confirmed_at__isnull=True) | Q(institution__confirmed_at__lt=stale_before))
    ) | (
        Q(institution__isnull=True) & (Q(person__confirmed_at__isnull=True) | Q(person__confirmed_at__lt=stale_before))
    )
    stale = (
        Membership.objects.active(today)
        .filter(network_id__in=ids, role=Membership.Role.MEMBER)
        .filter(stale_entry)
        .values("network_id")
        .order_by("network_id")
        .annotate(count=Count("pk"))
    )
    for figures in stale:
        rows[figures["network_id"]].stale_members = figures["count"]
    return overview_sort(list(rows.values()), sort if sort.lstrip("-") in SORT_KEYS else "art")


def area_choices(tree: AreaTree) -> list[tuple[str, list[tuple[int, str]]]]:
    """The areas for a filter, grouped by level (Stadtbezirk, Sozialraum, Lebensraum)."""
    return [
        (str(Area.Level(level).label), [(area.pk, f"{area.code} {area.name}".strip()) for area in areas])
        for level, areas in tree.by_level()
    ]
