"""Reads of the directory that follow relations, each with its prefetching."""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from contacts.models import Area, Membership, Network, Person
from contacts.visibility import PUBLIC, Audience

SOZIALPLANUNG_GROUP = "Sozialplanung"


@dataclass(frozen=True)
class UserRoles:
    """What a user is in the directory today; derived from memberships, never stored."""

    is_sozialplanung: bool
    person_id: int | None
    member_network_ids: frozenset[int]
    leading_network_ids: frozenset[int]


NO_ROLES = UserRoles(False, None, frozenset(), frozenset())


def user_roles(user, *, today: datetime.date | None = None) -> UserRoles:
    """The roles of ``user``, computed once per user object (two queries at most)."""
    if user is None or not user.is_authenticated:
        return NO_ROLES
    cached = getattr(user, "_netzwerk_roles", None)
    if cached is not None and today is None:
        return cached
    is_planner = user.is_superuser or user.groups.filter(name=SOZIALPLANUNG_GROUP).exists()
    rows = list(
        Membership.objects.active(today)
        .filter(person__user=user, network__is_active=True)
        .values_list("network_id", "role", "person_id")
    )
    person_id = rows[0][2] if rows else Person.objects.filter(user=user).values_list("pk", flat=True).first()
    roles = UserRoles(
        is_sozialplanung=is_planner,
        person_id=person_id,
        member_network_ids=frozenset(network_id for network_id, _, _ in rows),
        leading_network_ids=frozenset(network_id for network_id, role, _ in rows if role in Membership.LEADING_ROLES),
    )
    if today is None:
        user._netzwerk_roles = roles
    return roles


def audience_for(user) -> Audience:
    """The audience a user belongs to when looking at people."""
    roles = user_roles(user)
    if roles is NO_ROLES:
        return PUBLIC
    return Audience(
        is_sozialplanung=roles.is_sozialplanung,
        network_ids=roles.member_network_ids,
        person_id=roles.person_id,
    )


def people_for_projection(people: QuerySet[Person]) -> QuerySet[Person]:
    """``people`` with everything ``visibility.project_person`` reads, prefetched."""
    return people.prefetch_related(
        "consents",
        "channels",
        "affiliations__institution",
        Prefetch("memberships", queryset=Membership.objects.only("id", "person_id", "network_id", "start", "end")),
    )


def area_list() -> QuerySet[Area]:
    """All areas with their parent, ordered by level and code."""
    return Area.objects.select_related("parent").order_by("level", "code", "name")


def area_descendant_ids(area: Area) -> set[int]:
    """The ids of ``area`` and everything below it (at most three levels: one query each)."""
    ids = {area.pk}
    frontier = {area.pk}
    while frontier:
        frontier = set(Area.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - ids
        ids |= frontier
    return ids


def network_list() -> QuerySet[Network]:
    """Networks with their parent, areas and topics."""
    return Network.objects.select_related("parent").prefetch_related("areas", "topics").order_by("kind", "name")


def network_leaders(network: Network, *, day: datetime.date | None = None) -> QuerySet[Membership]:
    """The current speaker team and Geschäftsführung of ``network``, people ready to project."""
    return (
        Membership.objects.active(day or timezone.localdate())
        .leading()
        .filter(network=network)
        .select_related("institution")
        .prefetch_related(Prefetch("person", queryset=people_for_projection(Person.objects.all())))
        .order_by("role", "start")
    )


def my_area_overview(*, user) -> dict:
    """What "Mein Bereich" shows: the person, current memberships and consents."""
    person = people_for_projection(Person.objects.filter(user=user)).first() if user.is_authenticated else None
    memberships = []
    consents = []
    if person is not None:
        memberships = list(
            Membership.objects.active()
            .filter(person=person)
            .select_related("network", "institution")
            .order_by("network__name", "role")
        )
        consents = sorted(person.consents.all(), key=lambda c: (c.withdrawn_at is not None, c.scope))
    return {"person": person, "memberships": memberships, "consents": consents, "roles": user_roles(user)}
