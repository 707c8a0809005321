"""Reads of the pages where speakers keep their network (and staff decide on proposals).

People arrive projected for the viewer (``visibility.project_person``): a speaker manages
the membership of someone whose name is not released to them as „Name nicht
veröffentlicht“, and finds in the person search only people whose name they may see.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from contacts.models import (
    AccountInvitation,
    Area,
    Institution,
    Membership,
    Network,
    NetworkProposal,
    Person,
)
from contacts.selectors import people_for_projection
from contacts.textsearch import fold
from contacts.visibility import Audience, PersonView, project_person

MEMBER_ROLES = (Membership.Role.MEMBER, Membership.Role.GUEST)
SEARCH_LIMIT = 20


@dataclass(frozen=True)
class MemberRow:
    """One membership with its holder as the viewer may see them."""

    membership: Membership
    person: PersonView | None

    @property
    def holder(self) -> str:
        if self.membership.institution_id is not None:
            return self.membership.institution.name
        return self.person.display_name if self.person is not None else ""


@dataclass
class NetworkManagement:
    """Everything the management page of one network shows."""

    network: Network
    day: datetime.date
    members: list[MemberRow] = field(default_factory=list)
    team: list[MemberRow] = field(default_factory=list)
    future_team: list[MemberRow] = field(default_factory=list)
    history: list[MemberRow] = field(default_factory=list)
    invitations: list[AccountInvitation] = field(default_factory=list)
    proposals: list[NetworkProposal] = field(default_factory=list)


def _projected(people_ids: set[int], audience: Audience, day: datetime.date) -> dict[int, PersonView]:
    people = people_for_projection(Person.objects.filter(pk__in=people_ids))
    return {person.pk: project_person(person, audience, today=day) for person in people}


def network_management(*, network: Network, audience: Audience, day: datetime.date | None = None) -> NetworkManagement:
    """The member list (current, ended, the team today and the one elected for later),
    the invitations and the proposals of ``network``; a fixed number of queries."""
    day = day or timezone.localdate()
    rows = list(
        Membership.objects.filter(network=network).select_related("institution__type", "person").order_by("start", "pk")
    )
    views = _projected({row.person_id for row in rows if row.person_id}, audience, day)
    page = NetworkManagement(network=network, day=day)
    for membership in rows:
        row = MemberRow(membership, views.get(membership.person_id))
        leading = membership.role in Membership.LEADING_ROLES
        if membership.is_active_on(day):
            (page.team if leading else page.members).append(row)
        elif membership.start > day:
            (page.future_team if leading else page.members).append(row)
        else:
            page.history.append(row)
    page.members.sort(key=lambda row: row.holder.casefold())
    page.history.sort(key=lambda row: row.membership.end or day, reverse=True)
    page.invitations = list(
        AccountInvitation.objects.filter(network=network, withdrawn_at__isnull=True, accepted_at__isnull=True)
        .select_related("person")
        .order_by("-sent_at")
    )
    page.proposals = list(network_proposals(network=network)[:20])
    return page


def network_proposals(*, network: Network | None = None, state: str | None = None) -> QuerySet[NetworkProposal]:
    """Proposals with everything their list shows, newest first."""
    proposals = NetworkProposal.objects.select_related(
        "network", "institution_type", "representative", "proposed_by__person", "decided_by", "institution"
    ).prefetch_related(Prefetch("areas", queryset=Area.objects.order_by("level", "code", "name")))
    if network is not None:
        proposals = proposals.filter(network=network)
    if state is not None:
        proposals = proposals.filter(state=state)
    return proposals.order_by("-created_at", "-pk")


def team_candidates(*, network: Network, audience: Audience, day: datetime.date) -> list[tuple[Person, str]]:
    """The people who may be elected on ``day``: members of ``network`` then (an
    individual, or the person who represents an institution), with the label the viewer
    may see (name, and the institution)."""
    rows = list(
        Membership.objects.active(day)
        .filter(network=network, role__in=MEMBER_ROLES, person__isnull=False)
        .select_related("person", "institution")
        .order_by("pk")
    )
    views = _projected({row.person_id for row in rows}, audience, day)
    seen: dict[int, tuple[Person, str]] = {}
    for row in rows:
        label = views[row.person_id].display_name
        if row.institution_id is not None:
            label = f"{label} ({row.institution.name})"
        seen.setdefault(row.person_id, (row.person, label))
    return sorted(seen.values(), key=lambda pair: pair[1].casefold())


def institution_search(*, query: str) -> list[Institution]:
    """Active institutions whose name or street contains ``query`` (folded), at most 20."""
    text = fold(query.strip())
    if len(text) < 2:
        return []
    return list(
        Institution.objects.filter(is_active=True, search_text__contains=text)
        .select_related("type")
        .order_by("name", "pk")[:SEARCH_LIMIT]
    )


def person_search(*, query: str, audience: Audience, day: datetime.date | None = None) -> list[PersonView]:
    """People whose name contains ``query`` and whose name the viewer may see, at most 20
    (someone who has not released their name is not found: that would reveal it)."""
    text = fold(query.strip())
    if len(text) < 3:
        return []
    people = people_for_projection(Person.objects.filter(search_name__contains=text).order_by("family_name", "pk"))
    views = [project_person(person, audience, today=day) for person in people[:200]]
    return [view for view in views if view.name is not None][:SEARCH_LIMIT]


def person_visible(*, person_id: int, audience: Audience) -> Person | None:
    """The person ``person_id`` if the viewer may see their name (what a search found)."""
    person = people_for_projection(Person.objects.filter(pk=person_id)).first()
    if person is None or project_person(person, audience).name is None:
        return None
    return person


def invitable_people(*, network: Network, audience: Audience) -> list[tuple[Person, str]]:
    """Current members of ``network`` who have no account yet or never logged in, labelled
    as the viewer may see them."""
    rows = (
        Membership.objects.active()
        .filter(network=network, person__isnull=False)
        .filter(Q(person__user__isnull=True) | Q(person__user__last_login__isnull=True))
        .select_related("person")
    )
    people = {row.person_id: row.person for row in rows}
    views = _projected(set(people), audience, timezone.localdate())
    return sorted(((people[pk], views[pk].display_name) for pk in people), key=lambda pair: pair[1].casefold())
