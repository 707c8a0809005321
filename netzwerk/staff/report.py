"""„Jahresbericht Netzwerke <Jahr>“: per network and per Sozialraum the meetings held, the
average attendance, the minutes published, the member institutions by type, new and
departed members; and the coverage of the city (Lebensräume without a Stadtteilkonferenz
or OAG, institution types missing in a Sozialraum).

Eight queries for a year however many networks, meetings and members; everything else is
counted in memory. The figures are the same on the page, in the downloads and in the API.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Area, Institution, InstitutionType, Membership, Network
from contacts.selectors import AreaTree, area_tree, network_kind_order
from meetings.models import Attendance, Meeting
from meetings.recurrence import BERLIN, month_names
from netzwerk import charts
from netzwerk.staff.overview import NOT_HELD


@dataclass
class NetworkYear:
    """One network's year."""

    network: Network
    meetings_held: int = 0
    minutes_published: int = 0
    # Present people per held meeting with recorded attendance.
    attendance: list[int] = field(default_factory=list)
    members_start: int = 0
    members_end: int = 0
    new_members: int = 0
    departed_members: int = 0
    # Member institutions at the reference day by the name of their type.
    type_names: Counter = field(default_factory=Counter)

    @property
    def average_attendance(self) -> float | None:
        return round(sum(self.attendance) / len(self.attendance), 1) if self.attendance else None


@dataclass
class SocialAreaYear:
    """The networks working in one Sozialraum (linked to it, its Lebensräume or its
    Stadtbezirk), added up; a network of several Sozialräume counts in each."""

    area: Area
    networks: list[NetworkYear] = field(default_factory=list)
    institutions_by_type: Counter = field(default_factory=Counter)
    missing_types: list[InstitutionType] = field(default_factory=list)

    def _sum(self, name: str) -> int:
        return sum(getattr(year, name) for year in self.networks)

    @property
    def meetings_held(self) -> int:
        return self._sum("meetings_held")

    @property
    def minutes_published(self) -> int:
        return self._sum("minutes_published")

    @property
    def members_end(self) -> int:
        return self._sum("members_end")

    @property
    def new_members(self) -> int:
        return self._sum("new_members")

    @property
    def departed_members(self) -> int:
        return self._sum("departed_members")

    @property
    def average_attendance(self) -> float | None:
        counts = [count for year in self.networks for count in year.attendance]
        return round(sum(counts) / len(counts), 1) if counts else None

    @property
    def institutions(self) -> int:
        return sum(self.institutions_by_type.values())


@dataclass
class MonthFigures:
    month: int
    label: str
    meetings_held: int = 0
    attendance: list[int] = field(default_factory=list)

    @property
    def average_attendance(self) -> float | None:
        return round(sum(self.attendance) / len(self.attendance), 1) if self.attendance else None

    @property
    def present(self) -> int:
        return sum(self.attendance)


@dataclass
class UncoveredArea:
    """A Lebensraum without a network of some kind, with the areas above it."""

    area: Area
    social_area: Area | None
    district: Area | None


@dataclass
class YearlyReport:
    year: int
    # The day the member figures refer to: the end of the year, or today in the current year.
    reference_day: datetime.date
    is_complete: bool
    networks: list[NetworkYear]
    social_areas: list[SocialAreaYear]
    months: list[MonthFigures]
    members_by_type: list[tuple[InstitutionType, int]]
    without_stk: list[UncoveredArea]
    without_oag: list[UncoveredArea]

    @property
    def meetings_held(self) -> int:
        return sum(year.meetings_held for year in self.networks)

    @property
    def minutes_published(self) -> int:
        return sum(year.minutes_published for year in self.networks)

    @property
    def average_attendance(self) -> float | None:
        counts = [count for year in self.networks for count in year.attendance]
        return round(sum(counts) / len(counts), 1) if counts else None

    @property
    def new_members(self) -> int:
        return sum(year.new_members for year in self.networks)

    @property
    def departed_members(self) -> int:
        return sum(year.departed_members for year in self.networks)


def report_years(*, today: datetime.date | None = None) -> list[int]:
    """The years a report can be asked for: from the first meeting's year to this one."""
    today = today or timezone.localdate()
    first = Meeting.objects.order_by("start").values_list("start", flat=True).first()
    first_year = first.astimezone(BERLIN).year if first is not None else today.year
    return list(range(today.year, min(first_year, today.year) - 1, -1))


def _active_on(day: datetime.date) -> Q:
    return Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gte=day))


def _covering(tree: AreaTree, area: Area) -> list[int]:
    """``area`` and the areas above it: a network linked to any of them works there."""
    chain = [area.pk]
    parent_id = area.parent_id
    while parent_id is not None and parent_id in tree.by_id and parent_id not in chain:
        chain.append(parent_id)
        parent_id = tree.by_id[parent_id].parent_id
    return chain


def _above(tree: AreaTree, area: Area, level: str) -> Area | None:
    current = area
    while current is not None:
        if current.level == level:
            return current
        current = tree.by_id.get(current.parent_id) if current.parent_id else None
    return None


def yearly_report(*, year: int, now: datetime.datetime | None = None) -> YearlyReport:
    """The report for ``year`` (eight queries; see the module's docstring)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    first_day = datetime.date(year, 1, 1)
    last_day = datetime.date(year, 12, 31)
    reference_day = min(last_day, today)
    start = datetime.datetime.combine(first_day, datetime.time(), tzinfo=BERLIN)
    end = min(datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time(), tzinfo=BERLIN), now)

    tree = area_tree()  # 1
    networks = list(  # 2 and 3 (areas)
        Network.objects.filter(is_active=True)
        .prefetch_related("areas")
        .annotate(kind_position=network_kind_order())
        .order_by("kind_position", "name")
    )
    years = {network.pk: NetworkYear(network=network) for network in networks}
    months = [MonthFigures(month=number, label=str(name)) for number, name in enumerate(month_names(), start=1)]

    held = Q(start__gte=start, start__lt=end) & ~Q(status__in=NOT_HELD)
    meetings = (  # 4
        Meeting.objects.filter(held, network_id__in=years)
        .annotate(present=Count("attendances", filter=Q(attendances__presence=Attendance.Presence.PRESENT)))
        .values_list("network_id", "start", "present", "minutes__published_at")
    )
    for network_id, meeting_start, present, published_at in meetings:
        network_year = years[network_id]
        month = months[meeting_start.astimezone(BERLIN).month - 1]
        network_year.meetings_held += 1
        month.meetings_held += 1
        if published_at is not None:
            network_year.minutes_published += 1
        # A meeting whose presence nobody recorded says nothing about attendance.
        if present:
            network_year.attendance.append(present)
            month.attendance.append(present)

    members = Membership.objects.filter(network_id__in=years, role=Membership.Role.MEMBER)
    figures = (  # 5
        members.values("network_id")
        .order_by("network_id")
        .annotate(
            at_start=Count("pk", filter=_active_on(first_day)),
            at_end=Count("pk", filter=_active_on(reference_day)),
            new=Count("pk", filter=Q(start__gte=first_day, start__lte=reference_day)),
            departed=Count("pk", filter=Q(end__gte=first_day, end__lt=reference_day)),
        )
    )
    for row in figures:
        network_year = years[row["network_id"]]
        network_year.members_start = row["at_start"]
        network_year.members_end = row["at_end"]
        network_year.new_members = row["new"]
        network_year.departed_members = row["departed"]
    types = {institution_type.pk: institution_type for institution_type in InstitutionType.objects.order_by()}  # 6
    by_type = (  # 7
        members.filter(_active_on(reference_day), institution__isnull=False)
        .values("network_id", "institution__type_id")
        .order_by()
        .annotate(count=Count("institution_id", distinct=True))
    )
    city_by_type: Counter = Counter()
    for row in by_type:
        years[row["network_id"]].type_names[types[row["institution__type_id"]].name] += row["count"]
        city_by_type[row["institution__type_id"]] += row["count"]

    # Which networks work in which area, linked to it or to an area above it.
    kind_of = {network.pk: network.kind for network in networks}
    linked: dict[int, set[int]] = defaultdict(set)
    for network in networks:
        for area in network.areas.all():
            linked[area.pk].add(network.pk)

    def working_in(area: Area) -> set[int]:
        ids: set[int] = set()
        for area_id in _covering(tree, area):
            ids |= linked.get(area_id, set())
        for area_id in tree.descendant_ids(area.pk) - {area.pk}:
            ids |= linked.get(area_id, set())
        return ids

    institutions = defaultdict(Counter)
    for area_id, type_id, count in (  # 8
        Institution.objects.filter(is_active=True, area__isnull=False)
        .values("area_id", "type_id")
        .order_by()
        .annotate(count=Count("pk"))
        .values_list("area_id", "type_id", "count")
    ):
        institutions[area_id][type_id] += count
    social_areas = []
    for area in dict(tree.by_level())[Area.Level.SOCIAL_AREA]:
        area_year = SocialAreaYear(area=area)
        area_year.networks = [years[pk] for pk in sorted(working_in(area), key=list(years).index) if pk in years]
        for area_id in tree.descendant_ids(area.pk):
            area_year.institutions_by_type.update(institutions.get(area_id, Counter()))
        area_year.missing_types = sorted(
            (t for pk, t in types.items() if not area_year.institutions_by_type.get(pk)),
            key=lambda t: t.name.casefold(),
        )
        social_areas.append(area_year)

    without: dict[str, list[UncoveredArea]] = {
        Network.Kind.NEIGHBOURHOOD_CONFERENCE: [],
        Network.Kind.SENIORS_WORKING_GROUP: [],
    }
    for area in dict(tree.by_level())[Area.Level.LIVING_AREA]:
        kinds = {kind_of[pk] for area_id in _covering(tree, area) for pk in linked.get(area_id, ())}
        for kind, missing in without.items():
            if kind not in kinds:
                missing.append(
                    UncoveredArea(
                        area=area,
                        social_area=_above(tree, area, Area.Level.SOCIAL_AREA),
                        district=_above(tree, area, Area.Level.DISTRICT),
                    )
                )
    members_by_type = sorted(
        ((types[pk], count) for pk, count in city_by_type.items() if pk in types),
        key=lambda pair: (-pair[1], pair[0].name.casefold()),
    )
    return YearlyReport(
        year=year,
        reference_day=reference_day,
        is_complete=last_day < today,
        networks=list(years.values()),
        social_areas=social_areas,
        months=months,
        members_by_type=members_by_type,
        without_stk=without[Network.Kind.NEIGHBOURHOOD_CONFERENCE],
        without_oag=without[Network.Kind.SENIORS_WORKING_GROUP],
    )


def report_charts(report: YearlyReport) -> dict[str, charts.Chart]:
    """The report's three charts: meetings per network, attendance over the year, member
    institutions by type."""
    with_meetings = [year for year in report.networks if year.meetings_held]
    return {
        "meetings": charts.bar_chart(
            title=_("Sitzungen je Netzwerk %(year)s") % {"year": report.year},
            description=_("Gehaltene Sitzungen jedes Netzwerks im Jahr %(year)s; Netzwerke ohne Sitzung fehlen.")
            % {"year": report.year},
            bars=[(year.network.name, year.meetings_held) for year in with_meetings],
            category_label=_("Netzwerk"),
            value_label=_("Sitzungen"),
            width=520,
        ),
        "attendance": charts.line_chart(
            title=_("Teilnahme im Lauf des Jahres %(year)s") % {"year": report.year},
            description=_(
                "Durchschnittlich anwesende Personen je Sitzung und Monat, über alle Netzwerke; "
                "ein Monat ohne erfasste Anwesenheit bleibt eine Lücke."
            ),
            category_label=_("Monat"),
            categories=[month.label[:3] for month in report.months],
            series=[(_("Ø Anwesende je Sitzung"), [month.average_attendance for month in report.months])],
            width=560,
        ),
        "types": charts.bar_chart(
            title=_("Mitgliedseinrichtungen nach Art"),
            description=_("Mitgliedschaften von Einrichtungen in allen Netzwerken am %(day)s, nach Einrichtungsart.")
            % {"day": report.reference_day.strftime("%d.%m.%Y")},
            bars=[(institution_type.name, count) for institution_type, count in report.members_by_type],
            category_label=_("Einrichtungsart"),
            value_label=_("Mitgliedschaften"),
            width=520,
        ),
    }
