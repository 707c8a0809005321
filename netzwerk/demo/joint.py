"""A joint meeting in the demo: the Stadtteilkonferenz Eilendorf and the ÖAG für und mit
Senioren in Eilendorf und Rothe Erde meet together in the coming weeks, and one person of
Eilendorf is a member of both (one invitation, one reminder for them).

Planned by the Sozialplanung (the demo's speakers lead neither network), through the
services like every other meeting of the demo; dated relative to the day of the seed. A
second run finds the meeting and the double membership and writes nothing.
"""

from __future__ import annotations

import datetime

from contacts.models import Membership, Network
from meetings import services as meeting_services
from meetings.models import Meeting, Visibility
from meetings.recurrence import BERLIN, localize
from netzwerk.demo.data import PLANNER
from netzwerk.demo.directory import Directory
from netzwerk.demo.sync import SeedReport

HOST = "stk-eilendorf"
PARTNER = "oag-eilendorf-rothe-erde"
TITLE = "Gemeinsame Sitzung: Älter werden in Eilendorf"
IN_DAYS = 19
AGENDA = (
    ("Begrüßung und Vorstellungsrunde", "Die Stadtteilkonferenz und die ÖAG stellen sich gegenseitig vor."),
    ("Seniorentag mit „Markt der Möglichkeiten“", "Wer ist dabei, wer übernimmt welchen Stand?"),
    ("Mobilität im Alter", "Bericht aus dem Arbeitskreis Mobilität der Stadtteilkonferenz."),
    ("Verschiedenes, nächster Termin", ""),
)


def _member_of_both(report: SeedReport, host: Network, partner: Network, *, today: datetime.date) -> None:
    """One member of the host who is a member of the partner too (with the same institution)."""
    active = Membership.objects.active(today)
    in_partner = active.filter(network=partner).values("person_id")
    if active.filter(network=host, person_id__in=in_partner).exists():
        return
    candidate = (
        active.filter(network=host, role=Membership.Role.MEMBER, person__isnull=False)
        .select_related("person", "institution")
        .order_by("person__family_name", "person__given_name", "pk")
        .first()
    )
    if candidate is None:
        return
    membership = Membership(
        network=partner,
        person=candidate.person,
        institution=candidate.institution,
        role=Membership.Role.MEMBER,
        start=candidate.start,
    )
    membership.full_clean()
    membership.save()
    report.created["Membership"] += 1


def _meeting_day(today: datetime.date) -> datetime.date:
    day = today + datetime.timedelta(days=IN_DAYS)
    # Networks meet on working days: Saturday → Friday, Sunday → Monday.
    return day + datetime.timedelta(days={5: -1, 6: 1}.get(day.weekday(), 0))


def joint_seed(report: SeedReport, directory: Directory, *, now: datetime.datetime) -> None:
    """The joint meeting of STK Eilendorf and ÖAG Eilendorf/Rothe Erde, with its agenda and
    a person in both networks. Side effects: one ``Meeting`` (bestätigt) with its partner
    and agenda items, one ``Membership``; nothing when they exist."""
    host, partner = directory.networks.get(HOST), directory.networks.get(PARTNER)
    if host is None or partner is None:
        return
    today = now.astimezone(BERLIN).date()
    _member_of_both(report, host, partner, today=today)
    if Meeting.objects.filter(network=host, title=TITLE, partnerships__network=partner).exists():
        return
    planner = directory.users[PLANNER.email]
    start = localize(datetime.datetime.combine(_meeting_day(today), datetime.time(16, 30)))
    place = (
        Membership.objects.active(today)
        .filter(network=partner, institution__isnull=False, institution__postal_code="52080")
        .select_related("institution")
        .order_by("institution__name")
        .first()
    )
    meeting = meeting_services.meeting_schedule(
        network=host,
        title=TITLE,
        start=start,
        end=start + datetime.timedelta(hours=2),
        status=Meeting.Status.CONFIRMED,
        visibility=Visibility.PUBLIC,
        institution=place.institution if place is not None else None,
        address="" if place is not None else "Eilendorf, Ort wird noch bekannt gegeben",
        accessibility_notes="Ebenerdiger Zugang; bitte melden Sie sich, wenn Sie eine Mitfahrgelegenheit brauchen.",
        partner_networks=[partner],
        actor=planner,
    )
    for title, text in AGENDA:
        meeting_services.agenda_item_add(meeting=meeting, title=title, text=text, actor=planner)
    report.created["Meeting"] += 1
    report.created["AgendaItem"] += len(AGENDA)
