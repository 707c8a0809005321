"""The demo of speakers keeping their network: Burtscheid's speaker team of the last term
(ended the day before the current one began), an institution that left the network a few
weeks ago, an invitation to an account that waits for its answer, and a proposal of areas
that waits for the Sozialplanung. Written through the services; a second run adds nothing.
"""

import datetime

from django.db.models import Q
from django.test.utils import override_settings

from contacts import services
from contacts.models import AccountInvitation, Area, Institution, Membership, Network, NetworkProposal, Person, User
from meetings.models import DatePoll, Meeting
from netzwerk.demo.sync import DUMMY_MAIL_BACKEND, SeedReport
from notifications import services as notification_services

NETWORK = "stk-burtscheid"
# The institution that left: one of another quarter, which joined Burtscheid's work on a
# project and ended its membership when the project did.
LEFT_ON_DAYS_AGO = 40
PROPOSED_AREA_CODE = "470"


def management_seed(
    report: SeedReport,
    networks: dict[str, Network],
    *,
    speaker: User,
    term_start: datetime.date,
    today: datetime.date,
) -> None:
    """Seed the stories above into Burtscheid (call inside the seed's transaction)."""
    network = networks[NETWORK]
    _previous_team_seed(report, network, term_start=term_start)
    _ended_membership_seed(report, network, today=today)
    _invitation_seed(report, network, speaker=speaker)
    _area_proposal_seed(report, network, speaker=speaker)


def _previous_team_seed(report: SeedReport, network: Network, *, term_start: datetime.date) -> None:
    start = term_start.replace(year=term_start.year - 2)
    end = term_start - datetime.timedelta(days=1)
    if Membership.objects.filter(network=network, role__in=Membership.LEADING_ROLES, start=start).exists():
        return
    team = set(
        Membership.objects.filter(network=network, role__in=Membership.LEADING_ROLES).values_list(
            "person_id", flat=True
        )
    )
    people = list(
        Person.objects.filter(
            memberships__network=network, memberships__role=Membership.Role.MEMBER, memberships__start__lte=start
        )
        .exclude(pk__in=team)
        .distinct()
        .order_by("pk")[:2]
    )
    for person, role in zip(people, (Membership.Role.SPEAKER, Membership.Role.DEPUTY_SPEAKER), strict=False):
        services.membership_start(network=network, person=person, role=role, start=start, end=end)
        report.created["Membership"] += 1


def _ended_membership_seed(report: SeedReport, network: Network, *, today: datetime.date) -> None:
    members = Membership.objects.filter(network=network, institution__isnull=False).values("institution_id")
    institution = (
        Institution.objects.filter(is_demo=True).exclude(pk__in=members).order_by("name").first()
        if not Membership.objects.filter(network=network, institution__isnull=False, end__isnull=False).exists()
        else None
    )
    if institution is None:
        return
    representative = institution.people.order_by("pk").first()
    membership = services.membership_start(
        network=network, institution=institution, person=representative, start=datetime.date(today.year - 3, 9, 1)
    )
    services.membership_end(membership=membership, end=today - datetime.timedelta(days=LEFT_ON_DAYS_AGO))
    report.created["Membership"] += 1


def real_calendar_present() -> bool:
    """Whether meetings or polls of networks that are not demo data exist (read only)."""
    return (
        Meeting.objects.filter(network__is_demo=False).exists()
        or DatePoll.objects.filter(network__is_demo=False).exists()
    )


def _invitation_seed(report: SeedReport, network: Network, *, speaker: User) -> None:
    # Next to real data the demo writes nothing the real sweep would mail.
    if AccountInvitation.objects.filter(network=network).exists() or real_calendar_present():
        return
    person = (
        Person.objects.filter(memberships__network=network, user__isnull=True, channels__kind="email")
        .exclude(memberships__role__in=Membership.LEADING_ROLES)
        .distinct()
        .order_by("pk")
        .first()
    )
    if person is None:
        return
    invitation = services.account_invitation_create(person=person, actor=speaker, network=network)
    # Its mail went out when it was made, as the next sweep would send it (into the dummy
    # backend, as every mail of the demo's past).
    delivery_ids = notification_services.account_invitations_plan(invitation_ids=[invitation.pk])
    with override_settings(EMAIL_BACKEND=DUMMY_MAIL_BACKEND):
        notification_services.deliveries_send(delivery_ids=delivery_ids)
    report.created["AccountInvitation"] += 1


def _area_proposal_seed(report: SeedReport, network: Network, *, speaker: User) -> None:
    if network.proposals.filter(kind=NetworkProposal.Kind.AREAS).exists():
        return
    extra = Area.objects.filter(level=Area.Level.LIVING_AREA, code=PROPOSED_AREA_CODE).first()
    current = list(network.areas.all())
    if extra is None or extra in current:
        extra = Area.objects.filter(level=Area.Level.LIVING_AREA).exclude(Q(pk__in=[a.pk for a in current])).first()
    services.network_areas_propose(
        network=network,
        areas=[*current, extra],
        actor=speaker,
        note="Die Kita-Familien aus dem Nachbarviertel kommen längst zu unseren Treffen.",
    )
    report.created["NetworkProposal"] += 1
