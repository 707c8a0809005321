"""The directory part of the demo: areas, topics, networks, institutions, people, their
memberships, consents and the street index, from the data in ``netzwerk/data/demo.toml``.

Seeding is idempotent: rows are found by stable natural keys (slugs, area codes, e-mail
addresses) and saved only when a value differs, so a second run writes nothing. Rows that
are not demo data (``is_demo=False``) are never changed, only reused. Areas and networks
whose names are not verified carry ``is_invented=True``; every row made here carries
``is_demo=True``, which switches on the "Demodaten – fiktiv" marker.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import get_hashers_by_algorithm, make_password
from django.contrib.auth.models import Group

from contacts import services
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
    Street,
    Topic,
    Umbrella,
    User,
    Visibility,
)
from contacts.selectors import SOZIALPLANUNG_GROUP
from contacts.textsearch import fold
from netzwerk.demo.data import (
    ASSOCIATION_TYPES,
    CONSENT_TEXT_VERSION,
    DEMO_LOGINS,
    DISTRICTS,
    FAMILY_NAMES,
    GIVEN_NAMES,
    INSTITUTIONS,
    LIVING_AREAS,
    MEMBER,
    NETWORKS,
    PLANNER,
    POSTAL_CODES,
    RESIDENTS,
    SECOND_FUNCTIONS,
    SECOND_PEOPLE,
    SOCIAL_AREAS,
    SPEAKER,
    SPEAKER_INSTITUTION,
    STREETS,
    TOPICS,
    WORKING_GROUPS,
    DemoLogin,
    NetworkData,
)
from netzwerk.demo.management import management_seed
from netzwerk.demo.staff import VACANT_SPEAKER_NETWORK, staff_demo_seed
from netzwerk.demo.sync import SeedReport, german_slug, instance_update, m2m_sync, plain, rows_sync

BERLIN = ZoneInfo("Europe/Berlin")
STK = Network.Kind.NEIGHBOURHOOD_CONFERENCE
OAG = Network.Kind.SENIORS_WORKING_GROUP
AK = Network.Kind.WORKING_GROUP


# --- the seed --------------------------------------------------------------------------


def real_data_present() -> list[str]:
    """Names of the directory tables that hold rows which are not demo data (read only)."""
    tables = [(Network, "Netzwerke"), (Institution, "Einrichtungen"), (Person, "Personen")]
    return [label for model, label in tables if model.objects.filter(is_demo=False).exists()]


@dataclass(frozen=True)
class Directory:
    """What the calendar is planned with: the demo's networks, people and institutions."""

    networks: dict[str, Network]
    people: dict[str, Person]
    institutions: dict[str, Institution]
    users: dict[str, User]


def directory_seed(report: SeedReport, *, today: datetime.date) -> Directory:
    """Bring the directory part of the demo up to date (call inside a transaction).

    Side effects: creates or updates areas, topics, networks, institutions, people, their
    channels, affiliations, memberships and consents, three demo accounts with fixed
    passwords, and the missing rows of the street index.
    """
    areas = _areas_seed(report)
    topics = _topics_seed(report)
    institutions = _institutions_seed(report, areas)
    users = _users_seed(report)
    people = _people_seed(report, institutions, users)
    networks = _networks_seed(report, areas, topics, people[PLANNER.email])
    _memberships_seed(report, networks, areas, institutions, people, today=today)
    # Before the consents: the speakers of the last term agree to show their names too.
    management_seed(report, networks, speaker=users[SPEAKER.email], term_start=_term_start(today), today=today)
    staff_demo_seed(report, networks, people, today=today, term_start=_term_start(today))
    _consents_seed(report, people, recorded_by=users[PLANNER.email])
    _streets_seed(report, areas)
    return Directory(
        networks=networks,
        people=people,
        institutions={institution.name: institution for institution in institutions},
        users=users,
    )


def demo_logins_present() -> list[DemoLogin]:
    """The demo logins whose account exists and belongs to a demo person (read only).

    Passwords are not checked: hashing each would cost most of a second at every start.
    """
    emails = set(
        User.objects.filter(email__in=[login.email for login in DEMO_LOGINS], person__is_demo=True).values_list(
            "email", flat=True
        )
    )
    return [login for login in DEMO_LOGINS if login.email in emails]


# --- helpers ---------------------------------------------------------------------------


def _person_email(given_name: str, family_name: str) -> str:
    """The invented address of a demo person (always @example.org)."""
    return f"{german_slug(given_name)}.{german_slug(family_name)}@example.org"


def _term_start(today: datetime.date) -> datetime.date:
    """Start of the current two-year speaker term: 1 March of the latest even year not after today.

    Terms follow the calendar so the demo always has a sitting speaker team; a seed run in a
    new term adds the new term's rows and leaves the old ones as history.
    """
    year = today.year - today.year % 2
    start = datetime.date(year, 3, 1)
    return start if start <= today else datetime.date(year - 2, 3, 1)


def _password_hash(password: str) -> str:
    """Hash a demo password, cheaply where the configured hashers allow it.

    The demo passwords are published, so a strong hash protects nothing; PBKDF2 would cost
    most of a second per account. scrypt is among Django's default hashers, and Django
    re-hashes with the preferred hasher at the first login.
    """
    hasher = "scrypt" if "scrypt" in get_hashers_by_algorithm() else "default"
    return make_password(password, hasher=hasher)


# --- the parts of the seed -------------------------------------------------------------


def _areas_seed(report: SeedReport) -> dict[str, Area]:
    """Stadtbezirke, Sozialräume and Lebensräume, keyed "B:<slug>", "S:<number>", "L:<code>"."""
    districts = rows_sync(
        report,
        Area,
        ("slug",),
        [
            {
                "slug": f"stadtbezirk-{slug}",
                "level": Area.Level.DISTRICT,
                "name": name,
                "code": "",
                "parent_id": None,
                "is_invented": False,
            }
            for slug, name in DISTRICTS
        ],
    )
    areas = {f"B:{slug}": area for (slug, _name), area in zip(DISTRICTS, districts, strict=True)}
    social_areas = rows_sync(
        report,
        Area,
        ("code", "level"),
        [
            {
                "code": str(number),
                "level": Area.Level.SOCIAL_AREA,
                "name": name,
                "slug": f"sozialraum-{number}-{german_slug(name)}",
                "parent_id": areas[f"B:{district}"].pk,
                "is_invented": invented,
                "description": description,
            }
            for number, name, district, invented, description in SOCIAL_AREAS
        ],
    )
    areas |= {f"S:{row[0]}": area for row, area in zip(SOCIAL_AREAS, social_areas, strict=True)}
    living_areas = rows_sync(
        report,
        Area,
        ("code", "level"),
        [
            {
                "code": code,
                "level": Area.Level.LIVING_AREA,
                "name": name,
                "slug": f"lebensraum-{code}-{german_slug(name)}",
                "parent_id": areas[f"S:{social_area}"].pk,
                "is_invented": invented,
            }
            for code, name, social_area, invented in LIVING_AREAS
        ],
    )
    areas |= {f"L:{row[0]}": area for row, area in zip(LIVING_AREAS, living_areas, strict=True)}
    return areas


def _topics_seed(report: SeedReport) -> dict[str, Topic]:
    """The themes networks work on, keyed by slug."""
    topics = rows_sync(report, Topic, ("slug",), [{"slug": slug, "name": name} for slug, name in TOPICS])
    return {topic.slug: topic for topic in topics}


def _institutions_seed(report: SeedReport, areas: dict[str, Area]) -> list[Institution]:
    """The invented institutions, in the order of ``INSTITUTIONS``."""
    types = {kind.name: kind.pk for kind in InstitutionType.objects.all()}
    umbrellas = {umbrella.short_name: umbrella.pk for umbrella in Umbrella.objects.all()}
    social_area_of = {code: number for code, _name, number, _invented in LIVING_AREAS}
    rows = [
        {
            "slug": german_slug(name),
            "name": name,
            "type_id": types[type_name],
            "umbrella_id": umbrellas[umbrella] if umbrella else None,
            "street": street,
            "postal_code": POSTAL_CODES[social_area_of[area_code]],
            "city": "Aachen",
            "area_id": areas[f"L:{area_code}"].pk,
            "email": f"{german_slug(name)}@example.org",
            "phone": "",
            "accessibility": accessibility,
        }
        for name, type_name, umbrella, area_code, street, accessibility in INSTITUTIONS
    ]
    return rows_sync(report, Institution, ("slug",), rows)


def _people_seed(report: SeedReport, institutions: list[Institution], users: dict[str, User]) -> dict[str, Person]:
    """The invented people and the demo logins' people, keyed by e-mail address, with affiliations.

    A person is found by their e-mail address. The first person of each institution leads
    it; ``SECOND_PEOPLE`` colleagues follow, then ``RESIDENTS`` engaged residents without an
    institution, then the people behind the demo logins.
    """
    wanted: dict[str, dict] = {}
    for index in range(len(institutions) + SECOND_PEOPLE + RESIDENTS):
        given_name, form = GIVEN_NAMES[index % len(GIVEN_NAMES)]
        family_name = FAMILY_NAMES[index % len(FAMILY_NAMES)]
        wanted[_person_email(given_name, family_name)] = {
            "given_name": given_name,
            "family_name": family_name,
            "form_of_address": form,
        }
    for login in DEMO_LOGINS:
        wanted[login.email] = {
            "given_name": login.given_name,
            "family_name": login.family_name,
            "form_of_address": login.form_of_address,
            "user_id": users[login.email].pk,
        }
    channels = ContactChannel.objects.filter(kind=ContactChannel.Kind.EMAIL, value__in=wanted).select_related("person")
    people = {channel.value: channel.person for channel in channels}
    missing = []
    for email, values in wanted.items():
        person = people.get(email)
        if person is None:
            person = Person(**values)
            person.is_demo = True
            person.clean_fields()
            missing.append(person)
            people[email] = person
        elif person.is_demo:
            instance_update(report, person, values)
    Person.objects.bulk_create(missing)
    new_channels = [
        ContactChannel(person=person, kind=ContactChannel.Kind.EMAIL, value=email, label="dienstlich", is_primary=True)
        for email, person in people.items()
        if person in missing
    ]
    for channel in new_channels:
        channel.clean_fields()
    ContactChannel.objects.bulk_create(new_channels)
    report.created["Person"] += len(missing)
    report.created["ContactChannel"] += len(new_channels)
    people = {email: people[email] for email in wanted}

    emails = list(wanted)
    rows = []
    for index, institution in enumerate(institutions):
        association = INSTITUTIONS[index][1] in ASSOCIATION_TYPES
        rows.append(
            {
                "person_id": people[emails[index]].pk,
                "institution_id": institution.pk,
                "function": "Vorstand" if association else "Leitung",
            }
        )
    for position in range(SECOND_PEOPLE):
        rows.append(
            {
                "person_id": people[emails[len(institutions) + position]].pk,
                "institution_id": institutions[position].pk,
                "function": SECOND_FUNCTIONS[position % len(SECOND_FUNCTIONS)],
            }
        )
    kita = next(institution for institution in institutions if institution.name == SPEAKER_INSTITUTION)
    rows.append({"person_id": people[SPEAKER.email].pk, "institution_id": kita.pk, "function": "Familienarbeit"})
    rows_sync(report, Affiliation, ("person_id", "institution_id"), rows)
    return people


def _users_seed(report: SeedReport) -> dict[str, User]:
    """The three demo accounts with their fixed passwords, keyed by e-mail address.

    The password is set when the account is made (or has none) and otherwise left alone,
    which keeps a second run silent.
    """
    group = Group.objects.get(name=SOZIALPLANUNG_GROUP)
    users = {}
    for login in DEMO_LOGINS:
        user = User.objects.filter(email__iexact=login.email).first()
        if user is None:
            user = User(email=login.email, is_staff=login.is_staff, password=_password_hash(login.password))
            user.full_clean()
            user.save()
            report.created["User"] += 1
        else:
            values = {"is_staff": login.is_staff}
            if not user.has_usable_password():
                values["password"] = _password_hash(login.password)
            instance_update(report, user, values)
        if login.is_staff and not user.groups.filter(pk=group.pk).exists():
            user.groups.add(group)
            report.created["User.groups"] += 1
        users[login.email] = user
    return users


def _networks_seed(
    report: SeedReport, areas: dict[str, Area], topics: dict[str, Topic], planner: Person
) -> dict[str, Network]:
    """The networks and their Arbeitskreise, keyed by slug, with their areas and topics."""

    def rows(items: list[NetworkData], parents: dict[str, Network]) -> list[dict]:
        """The field values of ``items``; Arbeitskreise find their network in ``parents``."""
        return [
            {
                "slug": data.slug,
                "kind": data.kind,
                "name": data.name,
                "short_name": data.short_name,
                "parent_id": parents[data.parent].pk if data.parent else None,
                "founded_year": data.founded_year,
                "description": data.description,
                "rhythm": data.rhythm,
                "is_invented": data.is_invented,
                "sozialplanung_contact_id": planner.pk,
            }
            for data in items
        ]

    networks = {network.slug: network for network in rows_sync(report, Network, ("slug",), rows(NETWORKS, {}))}
    groups = rows_sync(report, Network, ("slug",), rows(WORKING_GROUPS, networks))
    networks |= {network.slug: network for network in groups}
    for data in [*NETWORKS, *WORKING_GROUPS]:
        network = networks[data.slug]
        if network.is_demo:
            m2m_sync(report, network, "areas", [areas[key] for key in data.areas])
            m2m_sync(report, network, "topics", [topics[slug] for slug in data.topics])
    return networks


def _living_area_codes(areas: dict[str, Area], keys: tuple[str, ...]) -> set[str]:
    """The codes of the Lebensräume in or below the given areas."""
    by_pk = {area.pk: area for area in areas.values()}
    wanted = {areas[key].pk for key in keys}
    codes = set()
    for key, area in areas.items():
        if not key.startswith("L:"):
            continue
        chain = [area.pk]
        # A reused real area (seeding with --force) may hang below areas the demo does not know.
        while chain[-1] in by_pk and by_pk[chain[-1]].parent_id is not None:
            chain.append(by_pk[chain[-1]].parent_id)
        if wanted.intersection(chain):
            codes.add(area.code)
    return codes


def _memberships_seed(
    report: SeedReport,
    networks: dict[str, Network],
    areas: dict[str, Area],
    institutions: list[Institution],
    people: dict[str, Person],
    *,
    today: datetime.date,
) -> None:
    """Members (institutions with their representative, and residents) and speaker teams.

    An institution belongs to the networks that cover its Lebensraum (OAG and Arbeitskreise
    only take the categories they work with); residents join the Stadtteilkonferenzen in
    turn and the OAG once each. The speaker team is drawn from the members for a two-year
    term. An existing membership (same network, holder and role; for a term also the same
    start) is kept and only brought up to date.
    """
    emails = list(people)
    first_resident = len(institutions) + SECOND_PEOPLE
    # The leading person of an institution represents it; the demo speaker represents her
    # Kita, which makes her a member of Burtscheid.
    representative = {institution.pk: people[emails[index]] for index, institution in enumerate(institutions)}
    kita = next(institution for institution in institutions if institution.name == SPEAKER_INSTITUTION)
    representative[kita.pk] = people[SPEAKER.email]
    category_of = dict(InstitutionType.objects.values_list("pk", "category__name"))
    area_code = {area.pk: area.code for area in areas.values()}

    residents_of: dict[str, list[Person]] = {data.slug: [] for data in [*NETWORKS, *WORKING_GROUPS]}
    with_residents = [data.slug for data in NETWORKS if data.kind == STK and data.individual_members]
    seniors = [data.slug for data in NETWORKS if data.kind == OAG]
    for position, email in enumerate(emails[first_resident : first_resident + RESIDENTS]):
        residents_of[with_residents[position % len(with_residents)]].append(people[email])
        if position < len(seniors):
            residents_of[seniors[position]].append(people[email])
    residents_of["stk-burtscheid"].append(people[MEMBER.email])

    term_start = _term_start(today)
    term_end = datetime.date(term_start.year + 2, 3, 1) - datetime.timedelta(days=1)
    wanted: list[Membership] = []
    for data in [*NETWORKS, *WORKING_GROUPS]:
        network = networks[data.slug]
        codes = _living_area_codes(areas, data.areas)
        members = [
            institution
            for institution in institutions
            if area_code[institution.area_id] in codes
            and (not data.member_categories or category_of[institution.type_id] in data.member_categories)
        ]
        first_year = max(data.founded_year or 2015, 2015)
        for position, institution in enumerate(members):
            start = datetime.date(first_year + position % 4, 1 + (position * 5) % 12, 1)
            wanted.append(
                Membership(network=network, institution=institution, person=representative[institution.pk], start=start)
            )
        residents = residents_of[data.slug] if data.individual_members else []
        for position, person in enumerate(residents):
            start = datetime.date(first_year + 1 + position % 3, 1 + (position * 7) % 12, 1)
            wanted.append(Membership(network=network, person=person, start=start))
        team = [representative[institution.pk] for institution in members] + residents
        if data.slug == "stk-burtscheid":
            team.insert(0, people[SPEAKER.email])
        team = list(dict.fromkeys(team))
        if data.kind == AK:
            roles = [Membership.Role.SPEAKER]
        elif data.speaker_board:
            roles = [Membership.Role.SPEAKER] * 3
        else:
            roles = [Membership.Role.SPEAKER, Membership.Role.DEPUTY_SPEAKER, Membership.Role.MANAGEMENT]
        if data.slug == VACANT_SPEAKER_NETWORK:
            roles = [role for role in roles if role != Membership.Role.SPEAKER]
        for role, person in zip(roles, team, strict=False):
            wanted.append(Membership(network=network, role=role, person=person, start=term_start, end=term_end))

    def key(membership: Membership) -> tuple:
        """Who holds which role where, as the database's unique constraints see it: a person
        is a member once (whichever institution they represent); a term is told apart by its
        start; an institution without a representative is a member once."""
        role = plain(membership.role)
        if membership.person_id is None:
            return (membership.network_id, role, None, membership.institution_id, None)
        term = membership.start if role != Membership.Role.MEMBER else None
        return (membership.network_id, role, membership.person_id, None, term)

    rows = Membership.objects.filter(network__in=networks.values()).select_related("network")
    existing = {key(membership): membership for membership in rows}
    missing = []
    for membership in wanted:
        found = existing.get(key(membership))
        if found is None:
            membership.clean_fields()
            missing.append(membership)
        elif found.network.is_demo:
            # The data may change between versions; the membership stays the same row.
            values = {"institution_id": membership.institution_id, "start": membership.start, "end": membership.end}
            instance_update(report, found, values)
    Membership.objects.bulk_create(missing)
    report.created["Membership"] += len(missing)


def _consents_seed(report: SeedReport, people: dict[str, Person], *, recorded_by: User) -> None:
    """Consents, recorded through the service as staff would record them.

    Speakers, the demo staff member and every fifth person agree to show name, e-mail and
    institution publicly; the next fifth show name and e-mail only to members of their
    networks; the rest gave no consent, so their fields stay with the Sozialplanung.
    Existing consents are kept.
    """
    speakers = set(
        Membership.objects.filter(role=Membership.Role.SPEAKER, person__is_demo=True).values_list(
            "person_id", flat=True
        )
    )
    existing = set(
        Consent.objects.filter(person__in=people.values(), channel=None, text_version=CONSENT_TEXT_VERSION).values_list(
            "person_id", "scope", "audience"
        )
    )
    base = datetime.datetime(2025, 2, 3, 10, 0, tzinfo=BERLIN)
    for index, (email, person) in enumerate(people.items()):
        if not person.is_demo:
            continue
        if email == MEMBER.email:
            audience = Visibility.NETWORK_MEMBERS
        elif person.pk in speakers or email in (PLANNER.email, SPEAKER.email) or index % 5 == 0:
            audience = Visibility.PUBLIC
        elif index % 5 == 1:
            audience = Visibility.NETWORK_MEMBERS
        else:
            continue
        scopes = [Consent.Scope.NAME, Consent.Scope.EMAIL]
        if audience == Visibility.PUBLIC:
            scopes.append(Consent.Scope.AFFILIATION)
        for scope in scopes:
            if (person.pk, scope.value, audience.value) in existing:
                continue
            services.consent_record(
                person=person,
                scope=scope,
                audience=audience,
                text_version=CONSENT_TEXT_VERSION,
                source=Consent.Source.FORM if index % 3 else Consent.Source.PAPER,
                given_at=base + datetime.timedelta(days=index % 300, hours=index % 7),
                recorded_by=recorded_by,
            )
            report.created["Consent"] += 1


def _streets_seed(report: SeedReport, areas: dict[str, Area]) -> None:
    """The demo street index: rows that are missing are added; existing rows (perhaps from a
    real import, which has no demo flag) are never changed."""
    social_area_of = {code: number for code, _name, number, _invented in LIVING_AREAS}
    existing = set(
        Street.objects.filter(name__in={row[0] for row in STREETS}).values_list(
            "name", "postal_code", "number_from", "number_to", "parity"
        )
    )
    missing = []
    for name, number_from, number_to, parity, code in STREETS:
        postal_code = POSTAL_CODES[social_area_of[code]]
        if (name, postal_code, number_from, number_to, parity) in existing:
            continue
        street = Street(
            name=name,
            number_from=number_from,
            number_to=number_to,
            parity=parity,
            postal_code=postal_code,
            area=areas[f"L:{code}"],
            search_name=fold(name),
        )
        street.full_clean()
        missing.append(street)
    Street.objects.bulk_create(missing)
    report.created["Street"] += len(missing)
