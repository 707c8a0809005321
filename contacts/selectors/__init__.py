"""Reads of the directory that follow relations, each with its prefetching."""

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.core.cache import cache
from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import (
    Area,
    Consent,
    ConsentText,
    ContactChannel,
    ContactMessage,
    DirectoryStamp,
    Institution,
    InstitutionType,
    Membership,
    Network,
    Person,
    Topic,
    Visibility,
)
from contacts.visibility import PUBLIC, Audience, PersonView, name_visibility, project_person, project_person_name

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


def projection_prefetches() -> list:
    """What ``visibility.project_person`` reads of a person, as prefetch lookups (for
    ``prefetch_related_objects`` where the people are already loaded)."""
    return [
        "consents",
        "channels",
        "affiliations__institution",
        Prefetch("memberships", queryset=Membership.objects.only("id", "person_id", "network_id", "start", "end")),
    ]


def people_for_projection(people: QuerySet[Person]) -> QuerySet[Person]:
    """``people`` with everything ``visibility.project_person`` reads, prefetched."""
    return people.prefetch_related(*projection_prefetches())


# How long a fragment of a public list rendered for one directory version is kept; a new
# version makes it unused long before (the old entries expire unread).
DIRECTORY_FRAGMENT_SECONDS = 24 * 60 * 60


def directory_version() -> str:
    """The stamp of the directory's public lists (``DirectoryStamp``, kept by triggers): what
    a page caches of areas, networks and institutions is keyed by it. One query.

    The time of the change is part of it: SQLite (the demo) counts in the row, so a
    rolled-back write gives its number back, and the next write's number is only told apart
    from the pages rendered inside the rolled-back transaction by its time.

    Without the row (a test database just flushed) a fresh random value: nothing is then
    read from the cache, and what is stored under it is never read again.
    """
    return directory_version_of(DirectoryStamp.objects.filter(pk=1).values_list("version", "changed_at").first())


def directory_version_of(stamp: tuple[int, datetime.datetime] | None) -> str:
    """``directory_version`` of the stamp's ``(version, changed_at)`` read by the caller
    (``None``: no row)."""
    if stamp is None:
        return f"none-{uuid.uuid4().hex}"
    version, changed_at = stamp
    return f"{version}-{changed_at.timestamp():.6f}"


# What ``Person.full_name`` and ``stand`` read: a list of names loads nothing else.
NAME_FIELDS = ("id", "title", "given_name", "family_name", "form_of_address", "erased_at", "confirmed_at", "created_at")


def person_names(
    person_ids: Iterable[int],
    *,
    audience: Audience,
    day: datetime.date | None = None,
    common_network_id: int | None = None,
) -> dict[int, PersonView]:
    """The people ``person_ids`` by id, projected for ``audience`` as far as a list of names
    needs (``visibility.project_person_name``): at most three queries however many — the
    names, the name consents, and, only for names shown to members of a shared network,
    the networks those people are active members of. ``common_network_id``: a network all
    of them are active members of on ``day`` (the caller's list is its members); when the
    audience is a member too, that is all the rule needs to know."""
    ids = set(person_ids)
    if not ids:
        return {}
    day = day or timezone.localdate()
    people = list(Person.objects.filter(pk__in=ids).only(*NAME_FIELDS))
    consents: dict[int, list[Consent]] = {}
    # Unordered: the model's ordering (by person) would join every person's row.
    name_consents = Consent.objects.filter(person_id__in=ids, scope=Consent.Scope.NAME, withdrawn_at__isnull=True)
    for consent in name_consents.only("person_id", "scope", "audience", "channel_id", "withdrawn_at").order_by():
        consents.setdefault(consent.person_id, []).append(consent)
    visibility = {person.pk: name_visibility(consents.get(person.pk, ())) for person in people}
    networks: dict[int, set[int]] = {}
    asking = [pk for pk, seen in visibility.items() if seen == Visibility.NETWORK_MEMBERS]
    if common_network_id is not None and common_network_id in audience.network_ids:
        networks = {pk: {common_network_id} for pk in asking}
    elif asking and audience.network_ids and not audience.is_sozialplanung:
        for person_id, network_id in (
            Membership.objects.active(day)
            .filter(person_id__in=asking)
            .order_by()
            .values_list("person_id", "network_id")
        ):
            networks.setdefault(person_id, set()).add(network_id)
    return {
        person.pk: project_person_name(
            person,
            audience,
            visibility=visibility[person.pk],
            network_ids=lambda pk=person.pk: frozenset(networks.get(pk, ())),
        )
        for person in people
    }


def area_list() -> QuerySet[Area]:
    """All areas with their parent, ordered by level and code."""
    return Area.objects.select_related("parent").order_by("level", "code", "name")


def area_descendant_ids(area_id: int) -> set[int]:
    """``area_id`` and the ids of everything below it (at most three levels: one query
    each). An id that names no area gives only itself, which matches nothing."""
    ids = {area_id}
    frontier = {area_id}
    while frontier:
        frontier = set(Area.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - ids
        ids |= frontier
    return ids


def network_list() -> QuerySet[Network]:
    """Networks with their parent, areas (``summary_areas``) and topics (``summary_topics``),
    of those only what a summary shows. The areas and topics are lists, not the related
    managers: building two managers per network cost more than the rest of its row."""
    areas = Area.objects.only("id", "level", "code", "name", "slug")
    topics = Topic.objects.only("id", "name", "slug")
    return (
        Network.objects.select_related("parent")
        .prefetch_related(
            Prefetch("areas", queryset=areas, to_attr="summary_areas"),
            Prefetch("topics", queryset=topics, to_attr="summary_topics"),
        )
        .order_by("kind", "name")
    )


@dataclass(frozen=True)
class ConsentCell:
    """One field × audience of the consent table in „Mein Bereich“: the active consent
    (to withdraw) or none (to give)."""

    scope: str
    scope_label: str
    audience: int
    audience_label: str
    consent: Consent | None


def my_area_overview(*, user) -> dict:
    """What "Mein Bereich" shows: the person with addresses, every membership (current
    first, ended ones as history), every consent with the wording agreed to, and the table
    of fields × audiences to give or withdraw consent with one click."""
    person = (
        people_for_projection(Person.objects.filter(user=user, erased_at__isnull=True)).first()
        if user.is_authenticated
        else None
    )
    memberships: list[Membership] = []
    past: list[Membership] = []
    consents: list[Consent] = []
    cells: list[list[ConsentCell]] = []
    texts: dict[str, ConsentText] = {}
    if person is not None:
        today = timezone.localdate()
        rows = list(
            Membership.objects.filter(person=person)
            .select_related("network", "institution")
            .order_by("network__name", "role", "-start")
        )
        memberships = [m for m in rows if m.end is None or m.end >= today]
        past = [m for m in rows if m.end is not None and m.end < today]
        consents = sorted(
            Consent.objects.filter(person=person).select_related("channel"),
            key=lambda c: (c.withdrawn_at is not None, c.scope, -c.given_at.timestamp()),
        )
        texts = {
            text.version: text for text in ConsentText.objects.filter(version__in={c.text_version for c in consents})
        }
        active = {(c.scope, c.audience): c for c in consents if c.withdrawn_at is None and c.channel_id is None}
        audiences = [Visibility.NETWORK_MEMBERS, Visibility.PUBLIC]
        cells = [
            [
                ConsentCell(scope, label, audience, audience.label, active.get((scope, audience.value)))
                for audience in audiences
            ]
            for scope, label in Consent.Scope.choices
        ]
    return {
        "person": person,
        "memberships": memberships,
        "past_memberships": past,
        "consents": consents,
        "consent_texts": texts,
        "consent_cells": cells,
        "roles": user_roles(user),
    }


# --- The public directory pages -------------------------------------------------------
#
# Each page reads a fixed number of queries however many networks, institutions or
# people it shows: areas come as one list and the tree is walked in memory; people come
# through ``people_for_projection`` and are projected before anything is rendered.

PUBLIC_PAGE_SIZE = 50
AREA_PAGE_INSTITUTIONS = 50


def network_kind_order() -> Case:
    """Kinds in the order residents look for them (STK, OAG, Sozialraumkonferenz, …),
    not alphabetically by their code."""
    return Case(
        *(When(kind=kind, then=Value(position)) for position, kind in enumerate(Network.Kind.values)),
        default=Value(len(Network.Kind.values)),
        output_field=IntegerField(),
    )


def _code_key(area: Area) -> tuple:
    # Official numbers are strings; "10" must come after "9".
    return (int(area.code) if area.code.isdigit() else 10**9, area.code, area.name)


def _ids_above(area_id: int, parent_of: dict[int, int | None]) -> list[int]:
    """The ids from the Stadtbezirk down to the parent of ``area_id`` (a missing parent ends
    the chain, a cycle too)."""
    chain: list[int] = []
    parent_id = parent_of.get(area_id)
    while parent_id in parent_of and parent_id not in chain:
        chain.insert(0, parent_id)
        parent_id = parent_of[parent_id]
    return chain


def _ids_below(area_id: int, child_ids: dict[int | None, list[int]]) -> set[int]:
    """``area_id`` and the ids of every area below it."""
    ids = {area_id}
    frontier = [area_id]
    while frontier:
        frontier = [pk for parent_id in frontier for pk in child_ids.get(parent_id, []) if pk not in ids]
        ids.update(frontier)
    return ids


@dataclass(frozen=True)
class AreaTree:
    """All areas, read in one query, with their parent/child links resolved in memory."""

    by_id: dict[int, Area]
    children: dict[int | None, list[Area]]

    LEVELS = (Area.Level.DISTRICT, Area.Level.SOCIAL_AREA, Area.Level.LIVING_AREA)

    @property
    def roots(self) -> list[Area]:
        """Stadtbezirke, and any area whose parent is missing (so nothing is lost)."""
        return [a for a in self.by_id.values() if a.parent_id is None or a.parent_id not in self.by_id]

    def children_of(self, area: Area) -> list[Area]:
        return self.children.get(area.pk, [])

    @cached_property
    def by_slug(self) -> dict[str, Area]:
        return {area.slug: area for area in self.by_id.values()}

    def ancestors_of(self, area: Area) -> list[Area]:
        """From the Stadtbezirk down to the parent of ``area``."""
        parent_of = {pk: a.parent_id for pk, a in self.by_id.items()}
        return [self.by_id[pk] for pk in _ids_above(area.pk, parent_of)]

    def descendant_ids(self, area_id: int) -> set[int]:
        """``area_id`` and every area below it."""
        child_ids = {parent_id: [child.pk for child in children] for parent_id, children in self.children.items()}
        return _ids_below(area_id, child_ids)

    @cached_property
    def levels(self) -> list[tuple[str, list[Area]]]:
        """``by_level()``, computed once per tree (a tree is shared while its version lasts)."""
        return self.by_level()

    def by_level(self) -> list[tuple[str, list[Area]]]:
        """(level, areas) for each level, Stadtbezirk first, each sorted by official number."""
        return [
            (level, sorted((a for a in self.by_id.values() if a.level == level), key=_code_key))
            for level in self.LEVELS
        ]


# What no page shows of an area: the tree holds every area (810 at bench scale) on every
# request, and reading two timestamps and the search columns of each doubled its cost.
_AREA_TREE_UNUSED = ("created_at", "updated_at", "is_demo", "search_name", "search_text")


# The tree of the current directory version, shared by the requests this process serves
# while the version lasts: (version, tree). Its areas are read, never changed.
_area_tree_of_version: tuple[str, AreaTree] | None = None


def area_tree(*, version: str | None = None) -> AreaTree:
    """Every area in one query, as a tree. With the ``directory_version()`` the caller has
    read, the tree of that version is built once per process and then reused (no query)."""
    global _area_tree_of_version  # one slot, replaced as a whole
    remembered = _area_tree_of_version
    if version is not None and remembered is not None and remembered[0] == version:
        return remembered[1]
    areas = sorted(Area.objects.defer(*_AREA_TREE_UNUSED), key=_code_key)
    children: dict[int | None, list[Area]] = {}
    for area in areas:
        children.setdefault(area.parent_id, []).append(area)
    tree = AreaTree(by_id={a.pk: a for a in areas}, children=children)
    if version is not None:
        _area_tree_of_version = (version, tree)
    return tree


def network_directory(*, kind: str | None = None, area_ids: set[int] | None = None) -> QuerySet[Network]:
    """Active networks for the public list, optionally of one ``kind`` and covering any of
    ``area_ids``; sorted by kind (in the order of ``Network.Kind``), then name."""
    networks = Network.objects.filter(is_active=True)
    if kind:
        networks = networks.filter(kind=kind)
    if area_ids is not None:
        # A subquery instead of a join keeps one row per network without DISTINCT.
        links = Network.areas.through.objects.filter(area_id__in=area_ids)
        networks = networks.filter(pk__in=links.values("network_id"))
    return (
        networks.select_related("parent")
        .prefetch_related(Prefetch("areas", queryset=Area.objects.order_by("level", "code", "name")), "topics")
        .annotate(kind_position=network_kind_order())
        .order_by("kind_position", "name")
    )


@dataclass(frozen=True)
class NetworkRow:
    """A network as the public lists show it: plain values, no model instance."""

    slug: str
    name: str
    kind: str
    kind_label: str
    parent_name: str | None
    rhythm: str
    area_names: list[str]


def network_rows(
    *, kind: str | None = None, area_ids: set[int] | None = None, top_level_only: bool = False
) -> list[NetworkRow]:
    """``network_directory`` as plain rows, in its order: two queries (the networks with their
    parent's name, the names of their areas), however many networks; only the columns the
    lists show (the start page and the list render every active network)."""
    networks = Network.objects.filter(is_active=True)
    if kind:
        networks = networks.filter(kind=kind)
    if top_level_only:
        networks = networks.filter(parent__isnull=True)
    if area_ids is not None:
        links = Network.areas.through.objects.filter(area_id__in=area_ids)
        networks = networks.filter(pk__in=links.values("network_id"))
    values = list(
        networks.annotate(kind_position=network_kind_order())
        .order_by("kind_position", "name")
        .values_list("pk", "slug", "name", "kind", "parent__name", "rhythm")
    )
    area_names: dict[int, list[str]] = {}
    links = (
        Network.areas.through.objects.filter(network_id__in=[row[0] for row in values])
        .order_by("area__level", "area__code", "area__name")
        .values_list("network_id", "area__name")
    )
    for network_id, name in links:
        area_names.setdefault(network_id, []).append(name)
    labels = dict(Network.Kind.choices)
    return [
        NetworkRow(slug, name, kind, str(labels.get(kind, kind)), parent_name, rhythm, area_names.get(pk, []))
        for pk, slug, name, kind, parent_name, rhythm in values
    ]


def network_groups_by_kind(*, top_level_only: bool = False) -> list[tuple[str, list[NetworkRow]]]:
    """Active networks grouped by kind, in the order of ``Network.Kind``: (label, rows)."""
    groups: dict[str, tuple[str, list[NetworkRow]]] = {}
    for row in network_rows(top_level_only=top_level_only):
        groups.setdefault(row.kind, (row.kind_label, []))[1].append(row)
    return list(groups.values())


def networks_responsible_for(*, area_ids: set[int]) -> list[tuple[Network, set[int]]]:
    """Active networks responsible for any of ``area_ids``, each with the ids among
    ``area_ids`` it is responsible for: linked to the area itself or to an area above it
    (the Stadtteilkonferenz of a Sozialraum and the OAG of a Stadtbezirk cover each of its
    Lebensräume). In the order of the public list; three queries."""
    if not area_ids:
        return []
    covered_by: dict[int, set[int]] = {}
    for chain in Area.objects.filter(pk__in=area_ids).values_list("pk", "parent_id", "parent__parent_id"):
        for covering_id in chain:
            if covering_id is not None:
                covered_by.setdefault(covering_id, set()).add(chain[0])
    responsible: dict[int, set[int]] = {}
    links = Network.areas.through.objects.filter(area_id__in=covered_by, network__is_active=True)
    for network_id, area_id in links.values_list("network_id", "area_id"):
        responsible.setdefault(network_id, set()).update(covered_by[area_id])
    networks = (
        Network.objects.filter(pk__in=responsible)
        .select_related("parent")
        .annotate(kind_position=network_kind_order())
        .order_by("kind_position", "name")
    )
    return [(network, responsible[network.pk]) for network in networks]


@dataclass(frozen=True)
class NetworkPage:
    """What the public page of one network shows; people are already projected."""

    network: Network
    leaders: list[tuple[Membership, PersonView]]
    institution_memberships: list[Membership]
    individual_members: list[tuple[Membership, PersonView]]
    sozialplanung_contact: PersonView | None

    @property
    def leader_rows(self) -> list[tuple[Membership, PersonView, str]]:
        """Each leader with the role as the person's form of address makes it („Sprecherin“)."""
        return [(membership, view, membership.role_label(view.form_of_address)) for membership, view in self.leaders]

    @property
    def speaker_wanted(self) -> bool:
        """No current Sprecher*in: the page says „Sprecher*in gesucht“."""
        return not any(membership.role == Membership.Role.SPEAKER for membership, _view in self.leaders)

    @property
    def public_contact_available(self) -> bool:
        return any(view.has_contact for _, view in self.leaders) or bool(
            self.sozialplanung_contact and self.sozialplanung_contact.has_contact
        )


def network_heading(*, slug: str, version: str) -> Network | None:
    """The network with ``slug`` and its parent: what the network page shows around the
    directory's part (title, breadcrumbs, meetings, feed). Only the columns these show,
    kept in the cache per directory ``version`` (``directory_version``) once found: the
    query cost as much as the rest of the public page's head. An unknown slug is asked
    every time and never kept, so made-up addresses fill no cache."""
    key = f"network-heading:{version}:{slug}"
    network = cache.get(key)
    if network is None:
        network = (
            Network.objects.select_related("parent")
            .only("id", "name", "slug", "parent__id", "parent__name", "parent__slug")
            .filter(slug=slug)
            .first()
        )
        if network is not None:
            cache.set(key, network, DIRECTORY_FRAGMENT_SECONDS)
    return network


def network_page(*, slug: str, audience: Audience, day: datetime.date | None = None) -> NetworkPage | None:
    """The network with ``slug`` (``None`` if there is none), its current memberships, and
    every person on it projected for ``audience``.

    Individual members whose name the audience may not see are left out entirely; leaders
    stay (their role is public), shown under "Name nicht veröffentlicht" where needed.
    """
    projectable = people_for_projection(Person.objects.all())
    network = (
        Network.objects.select_related("parent")
        .prefetch_related(
            Prefetch("areas", queryset=Area.objects.order_by("level", "code", "name")),
            "topics",
            Prefetch("working_groups", queryset=Network.objects.filter(is_active=True).order_by("name")),
            Prefetch("sozialplanung_contact", queryset=projectable),
        )
        .filter(slug=slug)
        .first()
    )
    if network is None:
        return None
    day = day or timezone.localdate()
    memberships = list(
        Membership.objects.active(day)
        .filter(network=network)
        .select_related("institution__type")
        .order_by("role", "start", "pk")
    )
    # Only leaders and individual members appear as persons; the people who represent a
    # member institution do not, so they are neither read nor projected (most of a big
    # network's memberships are institutions').
    shown_ids = {
        membership.person_id
        for membership in memberships
        if membership.person_id is not None
        and (membership.role in Membership.LEADING_ROLES or membership.institution_id is None)
    }
    people = {person.pk: person for person in projectable.filter(pk__in=shown_ids)}
    leaders = []
    institution_memberships = []
    individual_members = []
    seen_institutions: set[int] = set()
    for membership in memberships:
        if membership.role in Membership.LEADING_ROLES:
            leaders.append((membership, project_person(people[membership.person_id], audience, today=day)))
        elif membership.institution_id is not None:
            if membership.institution_id not in seen_institutions and membership.institution.is_active:
                seen_institutions.add(membership.institution_id)
                institution_memberships.append(membership)
        else:
            view = project_person(people[membership.person_id], audience, today=day)
            if view.name is not None:
                individual_members.append((membership, view))
    role_order = {role: position for position, role in enumerate(Membership.LEADING_ROLES)}
    leaders.sort(key=lambda pair: (role_order.get(pair[0].role, 99), pair[0].start))
    institution_memberships.sort(key=lambda m: m.institution.name.casefold())
    individual_members.sort(key=lambda pair: pair[1].name.casefold())
    contact = network.sozialplanung_contact
    return NetworkPage(
        network=network,
        leaders=leaders,
        institution_memberships=institution_memberships,
        individual_members=individual_members,
        sozialplanung_contact=project_person(contact, audience, today=day) if contact is not None else None,
    )


def institution_directory(*, type_id: int | None = None, area_ids: set[int] | None = None) -> QuerySet[Institution]:
    """Active institutions for the public list, optionally of one type and in ``area_ids``."""
    institutions = Institution.objects.filter(is_active=True)
    if type_id is not None:
        institutions = institutions.filter(type_id=type_id)
    if area_ids is not None:
        institutions = institutions.filter(area_id__in=area_ids)
    return institutions.select_related("type", "area", "umbrella").order_by("name", "pk")


def institution_type_list() -> QuerySet[InstitutionType]:
    """Institution types with their category, for a grouped choice."""
    return InstitutionType.objects.select_related("category").order_by("category__position", "category__name", "name")


# The types of the current directory version, shared by the requests this process serves
# while the version lasts (as ``area_tree``): (version, types). Read, never changed.
_institution_types_of_version: tuple[str, list[InstitutionType]] | None = None


def institution_types(*, version: str) -> list[InstitutionType]:
    """``institution_type_list()`` as a list, read once per process and directory version
    (``directory_version()``, which the caller has read): the filter of the institution
    list needs every type on every request."""
    global _institution_types_of_version  # one slot, replaced as a whole
    remembered = _institution_types_of_version
    if remembered is not None and remembered[0] == version:
        return remembered[1]
    types = list(institution_type_list())
    _institution_types_of_version = (version, types)
    return types


def institution_directory_count(institutions: QuerySet[Institution], *, version: str, filter_key: str) -> int:
    """How many ``institutions`` (``institution_directory`` with the filter ``filter_key``)
    there are, counted once per directory version and filter: at ten times Aachen's size
    the count of every request was the one part of the list's page that grew with it."""
    return cache.get_or_set(f"institution-count:{version}:{filter_key}", institutions.count, DIRECTORY_FRAGMENT_SECONDS)


@dataclass(frozen=True)
class InstitutionRow:
    """An institution as the public list shows it: plain values, no model instance."""

    slug: str
    name: str
    type_name: str
    address: str
    area_slug: str | None
    area_name: str | None


def institution_rows(institutions: QuerySet[Institution]) -> list[InstitutionRow]:
    """``institutions`` (a page of ``institution_directory``) as plain rows, in their order:
    one query that reads only the columns the list shows."""
    rows = institutions.values_list(
        "slug", "name", "type__name", "street", "postal_code", "city", "area__slug", "area__name"
    )
    return [
        InstitutionRow(
            slug=slug,
            name=name,
            type_name=type_name,
            address=Institution.address_of(street=street, postal_code=postal_code, city=city),
            area_slug=area_slug,
            area_name=area_name,
        )
        for slug, name, type_name, street, postal_code, city, area_slug, area_name in rows
    ]


@dataclass(frozen=True)
class InstitutionPage:
    institution: Institution
    networks: list[tuple[Network, list[str]]]


def institution_heading(*, slug: str) -> Institution | None:
    """The active institution with ``slug``: what its page shows around the cached part
    (title, breadcrumbs) and what the edit link is decided on; one query of three columns."""
    return Institution.objects.filter(slug=slug, is_active=True).only("id", "name", "slug").first()


def institution_page(*, slug: str, day: datetime.date | None = None) -> InstitutionPage | None:
    """The active institution with ``slug`` and the active networks it is a member of now,
    each with the roles it holds there. Only the institution's own, public data is read:
    the people who represent it are not part of this page."""
    day = day or timezone.localdate()
    institution = (
        Institution.objects.filter(slug=slug, is_active=True)
        .select_related("type__category", "umbrella", "area")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.active(day)
                .filter(network__is_active=True)
                .select_related("network")
                .order_by("network__name", "role"),
                to_attr="current_memberships",
            )
        )
        .first()
    )
    if institution is None:
        return None
    networks: dict[int, tuple[Network, list[str]]] = {}
    for membership in institution.current_memberships:
        _, roles = networks.setdefault(membership.network_id, (membership.network, []))
        role = str(membership.get_role_display())
        if role not in roles:
            roles.append(role)
    return InstitutionPage(institution=institution, networks=list(networks.values()))


@dataclass(frozen=True)
class AreaDirectory:
    """Who is active in an area: what its page shows of the directory besides the areas."""

    networks: list[Network]
    institutions: list[Institution]
    institution_count: int


def area_directory(*, tree: AreaTree, area: Area, institution_limit: int = AREA_PAGE_INSTITUTIONS) -> AreaDirectory:
    """Who is active in ``area`` of a tree already read (``area_tree``): networks linked to
    the area itself, to an area above it (the Stadtteilkonferenz of the Sozialraum covers
    each of its Lebensräume) or to one below it; and the first ``institution_limit``
    institutions in it and below it. Three queries; the areas come from the tree."""
    below = tree.descendant_ids(area.pk)
    above = {ancestor.pk for ancestor in tree.ancestors_of(area)}
    institutions = institution_directory(area_ids=below)
    return AreaDirectory(
        networks=list(network_directory(area_ids=below | above)),
        institutions=list(institutions[:institution_limit]),
        institution_count=institutions.count(),
    )


def person_mail_address(person: Person) -> str:
    """Where mail for ``person`` goes: the primary e-mail channel, else any e-mail channel,
    else the login address. Empty when the person has none. Internal use only: delivering
    mail is not publishing, so no consent is needed and nothing here is ever rendered."""
    channels = sorted(
        (channel for channel in person.channels.all() if channel.kind == ContactChannel.Kind.EMAIL),
        key=lambda channel: (not channel.is_primary, channel.pk),
    )
    if channels:
        return channels[0].value
    user = person.user
    return user.email if user is not None and user.is_active else ""


def contact_message_recipients(message: ContactMessage, *, day: datetime.date | None = None) -> list[tuple[str, str]]:
    """(name, address) pairs a contact-form message goes to.

    A network's message goes to its current speaker team and Geschäftsführung; when none of
    them has an address, to the network's contact in the Sozialplanung, so a message never
    falls into a hole. An institution's message goes to its functional address; feedback on
    accessibility to the address the city names for it.
    """
    if message.kind == ContactMessage.Kind.ACCESSIBILITY_FEEDBACK:
        return [(_("Rückmeldung Barrierefreiheit"), settings.ACCESSIBILITY_FEEDBACK_EMAIL)]
    if message.institution_id is not None:
        institution = message.institution
        return [(institution.name, institution.email)] if institution.email else []
    network = message.network
    leaders = (
        Membership.objects.active(day or timezone.localdate())
        .leading()
        .filter(network=network, person__isnull=False)
        .select_related("person__user")
        .prefetch_related("person__channels")
        .order_by("role", "start")
    )
    recipients: dict[str, str] = {}
    for membership in leaders:
        address = person_mail_address(membership.person)
        if address:
            recipients.setdefault(address, membership.person.full_name)
    if not recipients and network.sozialplanung_contact_id is not None:
        contact = (
            Person.objects.select_related("user").prefetch_related("channels").get(pk=network.sozialplanung_contact_id)
        )
        address = person_mail_address(contact)
        if address:
            recipients[address] = contact.full_name
    return [(name, address) for address, name in recipients.items()]


@dataclass(frozen=True)
class InvitationRecipient:
    """Where ``services.account_invite`` would send a person's invitation."""

    person: Person
    address: str | None
    has_account: bool


def account_invitation_recipients(people: QuerySet[Person]) -> list[InvitationRecipient]:
    """The address each person's invitation goes to, in two queries however many people.

    As ``account_invite`` decides: the account's address for a person who has one, otherwise
    the primary e-mail channel (or the first e-mail channel); ``None`` when there is none.
    """
    emails = ContactChannel.objects.filter(kind=ContactChannel.Kind.EMAIL).order_by("-is_primary", "id")
    rows = people.select_related("user").prefetch_related(
        Prefetch("channels", queryset=emails, to_attr="invitation_channels")
    )
    recipients = []
    for person in rows.order_by("family_name", "given_name", "pk"):
        if person.user is not None:
            address = person.user.email
        else:
            address = person.invitation_channels[0].value if person.invitation_channels else None
        recipients.append(InvitationRecipient(person=person, address=address, has_account=person.user is not None))
    return recipients
