"""Bench data: deterministic synthetic directory data, N times the size of Aachen.

Per unit of scale: 7 Stadtbezirke, 14 Sozialräume, 60 Lebensräume, 20 networks (9
Stadtteilkonferenzen, 8 OAG, a Sozialraumkonferenz, 2 Arbeitskreise), 600 institutions,
1,500 people with their e-mail addresses (some with a placeholder phone number), about
1,200 affiliations, 3,000 memberships and 1,000 consents. Names look synthetic on purpose
("Einrichtung 00042"); the rows are not demo data (``is_demo=False``), so the demo marker
stays off and the pages behave as with real data.

Every value comes from one ``random.Random(seed)`` drawn in a fixed order and from running
numbers, never from the clock or database ids: two runs on empty databases give the same
content. Rows are written with ``bulk_create`` in batches, in one transaction.
"""

import datetime
import random
import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction

from contacts.models import (
    Affiliation,
    Area,
    Consent,
    ContactChannel,
    Institution,
    InstitutionType,
    Membership,
    Network,
    Person,
    Topic,
    Umbrella,
    Visibility,
)
from netzwerk.demo import TOPICS
from netzwerk.selectors import DEMO_MARKER_CACHE_KEY

BATCH_SIZE = 2000

# Per unit of scale.
DISTRICTS_PER_UNIT = 7
SOCIAL_AREAS_PER_DISTRICT = 2
LIVING_AREAS_PER_UNIT = 60
INSTITUTIONS_PER_UNIT = 600
PEOPLE_PER_UNIT = 1500
NETWORK_KINDS = (
    [Network.Kind.NEIGHBOURHOOD_CONFERENCE] * 9
    + [Network.Kind.SENIORS_WORKING_GROUP] * 8
    + [Network.Kind.SOCIAL_AREA_CONFERENCE]
)
WORKING_GROUPS_PER_UNIT = 2

GIVEN_NAMES = ["Alex", "Kim", "Sam", "Robin", "Jona", "Luca", "Mika", "Noa", "Toni", "Charlie"]
FUNCTIONS = ["Leitung", "Sozialarbeit", "Koordination Ehrenamt", "Beratung", "Vorstand", "Pädagogische Fachkraft"]
RHYTHMS = ["etwa alle zwei Monate", "viermal im Jahr", "etwa vierteljährlich", "zweimal im Jahr", ""]
POSTAL_CODES = ["52062", "52064", "52066", "52068", "52070", "52072", "52074", "52076", "52078", "52080"]
CONSENT_BASE = datetime.datetime(2024, 1, 1, 9, 0, tzinfo=datetime.UTC)
# Terms of the speaker teams: fixed dates, so the content does not depend on the day.
PAST_TERM = (datetime.date(2023, 3, 1), datetime.date(2025, 2, 28))
CURRENT_TERM_START = datetime.date(2025, 3, 1)
LEADING_ROLES = [Membership.Role.SPEAKER, Membership.Role.DEPUTY_SPEAKER, Membership.Role.MANAGEMENT]


@dataclass
class _Unit:
    """The rows of one unit of scale that later rows refer to."""

    living_areas: list[Area]
    social_areas: list[Area]
    districts: list[Area]
    institutions: list[Institution]
    people: list[Person]
    representative: dict[int, Person]
    networks: list[tuple[Network, list[Area]]]


def bench_directory_delete() -> None:
    """Delete every directory row: memberships, consents, channels, affiliations, people,
    institutions, networks and areas. Accounts, topics and the vocabulary stay.

    Side effect: rows elsewhere that point at these rows are deleted or cleared as their
    foreign keys say (``on_delete``).
    """
    with transaction.atomic():
        Membership.objects.all().delete()
        Consent.objects.all().delete()
        ContactChannel.objects.all().delete()
        Affiliation.objects.all().delete()
        # Arbeitskreise first, and areas from the bottom up: their parents are protected.
        Network.objects.filter(parent__isnull=False).delete()
        Network.objects.all().delete()
        Person.objects.all().delete()
        Institution.objects.all().delete()
        for level in (Area.Level.LIVING_AREA, Area.Level.SOCIAL_AREA, Area.Level.DISTRICT):
            Area.objects.filter(level=level).delete()
    cache.delete(DEMO_MARKER_CACHE_KEY)


def bench_data_create(*, scale: int, seed: int = 1) -> dict[str, int]:
    """Write ``scale`` units of synthetic directory data drawn from ``seed``; return row counts.

    Expects a directory without networks (the caller checks). Side effects: inserts areas,
    networks (with areas and topics), institutions, people, channels, affiliations,
    consents and memberships in one transaction; creates missing topics; clears the cached
    demo marker.
    """
    rng = random.Random(seed)
    # Ordered by slug and name, not id: the vocabulary's ids may differ between databases.
    types = list(InstitutionType.objects.order_by("slug"))
    umbrellas = list(Umbrella.objects.order_by("name"))
    counts: dict[str, int] = {}
    with transaction.atomic():
        topics = [Topic.objects.get_or_create(slug=slug, defaults={"name": name})[0] for slug, name in TOPICS]
        units = _areas_create(scale, counts)
        _institutions_create(rng, units, types, umbrellas, counts)
        _people_create(rng, units, counts)
        _networks_and_memberships_create(rng, units, topics, counts)
    cache.delete(DEMO_MARKER_CACHE_KEY)
    return counts


def _bulk(model, rows: list, counts: dict[str, int]) -> list:
    """Insert ``rows`` in batches and count them under the model's name; returns them with ids."""
    created = model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    counts[model.__name__] = counts.get(model.__name__, 0) + len(rows)
    return created


def _areas_create(scale: int, counts: dict[str, int]) -> list[_Unit]:
    """Stadtbezirke, Sozialräume and Lebensräume for every unit; returns the units.

    Codes carry a letter ("L00042") so they never collide with the real numbers.
    """
    districts = [
        Area(
            level=Area.Level.DISTRICT,
            code=f"B{number:05d}",
            name=f"Stadtbezirk {number:05d}",
            slug=f"stadtbezirk-{number:05d}",
        )
        for number in range(1, scale * DISTRICTS_PER_UNIT + 1)
    ]
    _bulk(Area, districts, counts)
    social_areas = [
        Area(
            level=Area.Level.SOCIAL_AREA,
            code=f"S{number:05d}",
            name=f"Sozialraum {number:05d}",
            slug=f"sozialraum-{number:05d}",
            parent=districts[(number - 1) // SOCIAL_AREAS_PER_DISTRICT],
        )
        for number in range(1, len(districts) * SOCIAL_AREAS_PER_DISTRICT + 1)
    ]
    _bulk(Area, social_areas, counts)
    per_unit_social = DISTRICTS_PER_UNIT * SOCIAL_AREAS_PER_DISTRICT
    living_areas = []
    for number in range(1, scale * LIVING_AREAS_PER_UNIT + 1):
        unit, position = divmod(number - 1, LIVING_AREAS_PER_UNIT)
        parent = social_areas[unit * per_unit_social + position % per_unit_social]
        living_areas.append(
            Area(
                level=Area.Level.LIVING_AREA,
                code=f"L{number:05d}",
                name=f"Lebensraum {number:05d}",
                slug=f"lebensraum-{number:05d}",
                parent=parent,
            )
        )
    _bulk(Area, living_areas, counts)
    return [
        _Unit(
            living_areas=living_areas[unit * LIVING_AREAS_PER_UNIT : (unit + 1) * LIVING_AREAS_PER_UNIT],
            social_areas=social_areas[unit * per_unit_social : (unit + 1) * per_unit_social],
            districts=districts[unit * DISTRICTS_PER_UNIT : (unit + 1) * DISTRICTS_PER_UNIT],
            institutions=[],
            people=[],
            representative={},
            networks=[],
        )
        for unit in range(scale)
    ]


def _institutions_create(rng, units: list[_Unit], types, umbrellas, counts: dict[str, int]) -> None:
    """``INSTITUTIONS_PER_UNIT`` institutions per unit, each in one of the unit's Lebensräume."""
    accessibility = list(Institution.Accessibility.values)
    rows = []
    number = 0
    for unit in units:
        for _ in range(INSTITUTIONS_PER_UNIT):
            number += 1
            institution = Institution(
                name=f"Einrichtung {number:05d}",
                slug=f"einrichtung-{number:05d}",
                type=rng.choice(types),
                umbrella=rng.choice(umbrellas) if rng.random() < 0.6 else None,
                street=f"Beispielweg {rng.randint(1, 250)}",
                postal_code=rng.choice(POSTAL_CODES),
                area=rng.choice(unit.living_areas),
                email=f"einrichtung-{number:05d}@example.org",
                accessibility=rng.choice(accessibility),
            )
            unit.institutions.append(institution)
            rows.append(institution)
    _bulk(Institution, rows, counts)


def _people_create(rng, units: list[_Unit], counts: dict[str, int]) -> None:
    """People per unit with an e-mail address, some with a placeholder phone number, most
    affiliated with one institution of their unit, some with consents."""
    people = []
    number = 0
    for unit in units:
        for _ in range(PEOPLE_PER_UNIT):
            number += 1
            person = Person(given_name=rng.choice(GIVEN_NAMES), family_name=f"Person {number:05d}")
            unit.people.append(person)
            people.append(person)
    _bulk(Person, people, counts)

    channels, affiliations, consents = [], [], []
    for person in people:
        number = person.family_name.removeprefix("Person ")
        channels.append(
            ContactChannel(
                person=person, kind=ContactChannel.Kind.EMAIL, value=f"person-{number}@example.org", is_primary=True
            )
        )
        if rng.random() < 0.2:
            # An obviously invalid placeholder: never a real line.
            channels.append(
                ContactChannel(
                    person=person, kind=ContactChannel.Kind.PHONE, value=f"0000 {number}", label="dienstlich"
                )
            )
    _bulk(ContactChannel, channels, counts)

    for unit in units:
        for person in unit.people:
            if rng.random() < 0.8:
                institution = rng.choice(unit.institutions)
                affiliations.append(Affiliation(person=person, institution=institution, function=rng.choice(FUNCTIONS)))
                unit.representative.setdefault(institution.pk, person)
            if rng.random() < 0.4:
                audience = rng.choice([Visibility.NETWORK_MEMBERS, Visibility.PUBLIC])
                given_at = CONSENT_BASE + datetime.timedelta(minutes=rng.randrange(500_000))
                scopes = [Consent.Scope.NAME] + ([Consent.Scope.EMAIL] if rng.random() < 0.7 else [])
                consents += [
                    Consent(
                        person=person,
                        scope=scope,
                        audience=audience,
                        given_at=given_at,
                        text_version="2024-01",
                        source=Consent.Source.IMPORT,
                    )
                    for scope in scopes
                ]
    _bulk(Affiliation, affiliations, counts)
    _bulk(Consent, consents, counts)


def _networks_and_memberships_create(rng, units: list[_Unit], topics: list[Topic], counts: dict[str, int]) -> None:
    """Networks per unit with areas and topics, their members and two terms of speakers."""
    networks, area_links, topic_links, working_groups = [], [], [], []
    number = 0
    for unit in units:
        unit_networks = []
        for kind in NETWORK_KINDS:
            number += 1
            network = Network(
                kind=kind,
                name=f"Netzwerk {number:05d}",
                short_name=f"NW {number:05d}",
                slug=f"netzwerk-{number:05d}",
                founded_year=rng.randint(1985, 2024),
                rhythm=rng.choice(RHYTHMS),
                description="Synthetisches Netzwerk für Lasttests.",
            )
            if kind == Network.Kind.SENIORS_WORKING_GROUP:
                covered = rng.sample(unit.social_areas, rng.randint(1, 2))
            elif kind == Network.Kind.SOCIAL_AREA_CONFERENCE:
                covered = [rng.choice(unit.districts)]
            else:
                covered = rng.sample(unit.living_areas, rng.randint(1, 3))
            networks.append(network)
            unit_networks.append((network, covered))
        for _ in range(WORKING_GROUPS_PER_UNIT):
            number += 1
            parent, covered = unit_networks[rng.randrange(9)]
            group = Network(
                kind=Network.Kind.WORKING_GROUP,
                name=f"Arbeitskreis {number:05d}",
                short_name=f"AK {number:05d}",
                slug=f"netzwerk-{number:05d}",
                parent=parent,
                description="Synthetischer Arbeitskreis für Lasttests.",
            )
            working_groups.append(group)
            unit_networks.append((group, covered))
        unit.networks = unit_networks
    _bulk(Network, networks, counts)
    _bulk(Network, working_groups, counts)

    for unit in units:
        for network, covered in unit.networks:
            area_links += [Network.areas.through(network=network, area=area) for area in covered]
            topic_links += [
                Network.topics.through(network=network, topic=topic) for topic in rng.sample(topics, rng.randint(1, 3))
            ]
    _bulk(Network.areas.through, area_links, counts)
    _bulk(Network.topics.through, topic_links, counts)

    memberships = []
    for unit in units:
        for network, _covered in unit.networks:
            memberships += _memberships_for(rng, unit, network)
    _bulk(Membership, memberships, counts)


def _memberships_for(rng, unit: _Unit, network: Network) -> list[Membership]:
    """The memberships of one network: institutions with their representative, individuals,
    a past and a current speaker team. About one in ten memberships has ended."""
    small = network.kind == Network.Kind.WORKING_GROUP
    institutions = rng.sample(unit.institutions, rng.randint(35, 45) if small else rng.randint(105, 135))
    rows = []
    # A person is a member of a network once: terms of the same role must not overlap.
    member_ids: set[int] = set()
    members: list[Person] = []

    def add(*, role: str, person: Person | None, institution: Institution | None, start, end) -> None:
        """Append a membership; its UUID comes from the generator, not from uuid4()."""
        rows.append(
            Membership(
                network=network,
                role=role,
                person=person,
                institution=institution,
                start=start,
                end=end,
                uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
            )
        )

    def member_dates() -> tuple[datetime.date, datetime.date | None]:
        """A start between 2005 and 2024; one in ten has ended by 2025."""
        start = datetime.date(rng.randint(2005, 2024), rng.randint(1, 12), 1)
        if rng.random() < 0.1:
            end_year = min(start.year + rng.randint(1, 5), 2025)
            return start, datetime.date(end_year, 12, 31)
        return start, None

    for institution in institutions:
        person = unit.representative.get(institution.pk)
        start, end = member_dates()
        if person is not None and person.pk in member_ids:
            person = None
        add(role=Membership.Role.MEMBER, person=person, institution=institution, start=start, end=end)
        if person is not None:
            member_ids.add(person.pk)
            if end is None:
                members.append(person)
    individuals = rng.sample(unit.people, 10 if small else 40)
    for person in individuals:
        if person.pk in member_ids:
            continue
        start, end = member_dates()
        add(role=Membership.Role.MEMBER, person=person, institution=None, start=start, end=end)
        member_ids.add(person.pk)
        if end is None:
            members.append(person)
    if small:
        add(role=Membership.Role.SPEAKER, person=members[0], institution=None, start=CURRENT_TERM_START, end=None)
        return rows
    past_team = rng.sample(members, len(LEADING_ROLES))
    current_team = rng.sample(members, len(LEADING_ROLES))
    for role, person in zip(LEADING_ROLES, past_team, strict=True):
        add(role=role, person=person, institution=None, start=PAST_TERM[0], end=PAST_TERM[1])
    for role, person in zip(LEADING_ROLES, current_team, strict=True):
        add(role=role, person=person, institution=None, start=CURRENT_TERM_START, end=None)
    return rows
