"""``manage.py seed_demo`` and ``demo_logins``: Aachen's geography and networks, invented
people, three working logins, idempotence and the guards against mixing with real data."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import override_settings

from contacts.models import (
    Affiliation,
    Area,
    Consent,
    ContactChannel,
    Institution,
    Membership,
    Network,
    Person,
    Topic,
    User,
    Visibility,
)
from contacts.selectors import user_roles
from netzwerk.demo import DEMO_LOGINS
from tests.factories import InstitutionFactory, NetworkFactory

pytestmark = pytest.mark.django_db

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args: str) -> str:
    """Run ``seed_demo`` with ``args`` and return what it printed."""
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def fast_hashing(settings):
    """Hash passwords cheaply: the seed under test does not depend on the hasher."""
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(scope="class")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for a class of read-only tests, inside a transaction rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            seed()
        yield
        transaction.set_rollback(True)


@pytest.mark.usefixtures("seeded")
class TestSeededDemo:
    """What one seed run loads (shared by the tests of this class, which only read)."""

    def test_seed_demo_creates_the_seven_stadtbezirke(self):
        names = list(Area.objects.filter(level=Area.Level.DISTRICT).order_by("name").values_list("name", flat=True))

        assert names == [
            "Aachen-Mitte",
            "Brand",
            "Eilendorf",
            "Haaren",
            "Kornelimünster/Walheim",
            "Laurensberg",
            "Richterich",
        ]

    def test_seed_demo_creates_fourteen_sozialraeume_in_stadtbezirken(self):
        social_areas = Area.objects.filter(level=Area.Level.SOCIAL_AREA).select_related("parent")

        codes = sorted(int(area.code) for area in social_areas)
        parent_levels = {area.parent.level for area in social_areas}

        assert codes == list(range(1, 15))
        assert parent_levels == {Area.Level.DISTRICT}

    def test_seed_demo_keeps_verified_sozialraum_names_unflagged(self):
        verified = dict(
            Area.objects.filter(level=Area.Level.SOCIAL_AREA, is_invented=False).values_list("code", "name")
        )

        assert verified == {
            "1": "Zentrum und Soers",
            "2": "Hochschulviertel und Hörn",
            "8": "Haaren und Verlautenheide",
            "10": "Brand",
            "13": "Kornelimünster und Oberforstbach",
            "14": "Walheim",
        }

    def test_seed_demo_creates_sixty_lebensraeume_with_district_codes(self):
        living_areas = Area.objects.filter(level=Area.Level.LIVING_AREA).select_related("parent")

        sozialraum_5 = sorted(area.code for area in living_areas if area.parent.code == "5")

        assert living_areas.count() == 60
        assert {area.parent.level for area in living_areas} == {Area.Level.SOCIAL_AREA}
        assert sozialraum_5 == ["362", "363", "410", "420", "430", "460"]

    def test_seed_demo_creates_the_nine_stadtteilkonferenzen_with_founding_years(self):
        founded = dict(
            Network.objects.filter(kind=Network.Kind.NEIGHBOURHOOD_CONFERENCE).values_list("name", "founded_year")
        )

        assert founded == {
            "Stadtteilkonferenz Forst / Driescher Hof": 1989,
            "Stadtteilkonferenz Aachen-Ost / Rothe Erde": 1996,
            "Stadtteilkonferenz Preuswald": 2010,
            "Stadtteilkonferenz Aachen-Nord": 2011,
            "Stadtteilkonferenz Brander Feld": 2012,
            "Stadtteilkonferenz Eilendorf": 2018,
            "Stadtteilkonferenz Burtscheid": 2018,
            "Stadtteilkonferenz Kronenberg": None,
            "Stadtteilkonferenz Haaren/Verlautenheide": None,
        }

    def test_seed_demo_creates_eight_oag_with_invented_names_flagged(self):
        oag = dict(Network.objects.filter(kind=Network.Kind.SENIORS_WORKING_GROUP).values_list("name", "is_invented"))

        assert len(oag) == 8
        assert [name for name, invented in oag.items() if not invented] == [
            "ÖAG für und mit Senioren in Eilendorf und Rothe Erde"
        ]

    def test_seed_demo_creates_the_sozialraumkonferenz_on_children_and_youth(self):
        conference = Network.objects.get(kind=Network.Kind.SOCIAL_AREA_CONFERENCE)

        topics = list(conference.topics.values_list("name", flat=True))

        assert conference.name == "Sozialraumkonferenz Kornelimünster/Walheim"
        assert topics == ["Kinder und Jugendliche"]

    def test_seed_demo_places_arbeitskreise_in_their_networks(self):
        groups = sorted(
            Network.objects.filter(kind=Network.Kind.WORKING_GROUP).values_list("parent__slug", "name"),
        )

        assert groups == [
            ("stk-brander-feld", "Arbeitskreis Jugend und Bildung"),
            ("stk-burtscheid", "Arbeitskreis Älter werden in Burtscheid"),
            ("stk-eilendorf", "Arbeitskreis Mobilität"),
            ("stk-eilendorf", "Arbeitskreis „Kind und Kegel“"),
        ]

    def test_seed_demo_gives_every_network_a_speaker(self):
        without_speaker = Network.objects.exclude(memberships__role=Membership.Role.SPEAKER)

        assert list(without_speaker) == []

    def test_seed_demo_gives_speaker_terms_of_two_years(self):
        terms = Membership.objects.filter(role__in=Membership.LEADING_ROLES)

        two_years = {
            term.end + datetime.timedelta(days=1) == term.start.replace(year=term.start.year + 2) for term in terms
        }

        assert two_years == {True}

    def test_seed_demo_marks_every_row_as_demo_data(self):
        not_demo = [
            Area.objects.filter(is_demo=False).count(),
            Network.objects.filter(is_demo=False).count(),
            Institution.objects.filter(is_demo=False).count(),
            Person.objects.filter(is_demo=False).count(),
        ]

        assert not_demo == [0, 0, 0, 0]

    def test_seed_demo_gives_invented_people_only_example_org_addresses(self):
        emails = ContactChannel.objects.filter(kind=ContactChannel.Kind.EMAIL).values_list("value", flat=True)

        foreign = [email for email in emails if not email.endswith("@example.org")]
        phones = ContactChannel.objects.filter(kind=ContactChannel.Kind.PHONE).count()

        assert Person.objects.count() >= 120
        assert set(Person.objects.values_list("channels__kind", flat=True)) == {ContactChannel.Kind.EMAIL}
        assert foreign == []
        assert phones == 0

    def test_seed_demo_gives_institutions_functional_example_org_addresses_and_no_phone(self):
        institutions = Institution.objects.all()

        foreign = [institution.email for institution in institutions if not institution.email.endswith("@example.org")]
        phones = [institution.phone for institution in institutions if institution.phone]

        assert institutions.count() >= 60
        assert foreign == []
        assert phones == []

    def test_seed_demo_attaches_people_only_to_invented_institutions(self):
        institutions = set(Affiliation.objects.values_list("institution__is_demo", flat=True))

        assert institutions == {True}

    def test_seed_demo_records_consents_for_some_people_only(self):
        audiences = dict(Consent.objects.filter(scope=Consent.Scope.NAME).values_list("person_id", "audience"))
        without_consent = Person.objects.exclude(pk__in=audiences).count()

        assert set(audiences.values()) == {Visibility.PUBLIC, Visibility.NETWORK_MEMBERS}
        assert without_consent > Person.objects.count() // 3

    def test_seed_demo_rows_pass_model_validation(self):
        rows = [
            *Area.objects.all(),
            *Network.objects.all(),
            *Institution.objects.all(),
            *Person.objects.all(),
            *ContactChannel.objects.all(),
            *Affiliation.objects.all(),
            *Membership.objects.all(),
        ]

        for row in rows:
            row.full_clean()

        assert len(rows) > 500

    def test_seed_demo_gives_the_demo_users_their_roles(self):
        users = {user.email: user for user in User.objects.filter(email__in=[login.email for login in DEMO_LOGINS])}
        burtscheid = Network.objects.get(slug="stk-burtscheid")

        planner = user_roles(users["sozialplanung@example.org"])
        speaker = user_roles(users["sprecherin@example.org"])
        member = user_roles(users["mitglied@example.org"])

        assert (planner.is_sozialplanung, users["sozialplanung@example.org"].is_staff) == (True, True)
        assert (speaker.leading_network_ids, speaker.member_network_ids) == ({burtscheid.pk}, {burtscheid.pk})
        assert (member.leading_network_ids, member.member_network_ids) == (frozenset(), {burtscheid.pk})

    def test_demo_logins_prints_the_three_logins(self):
        out = io.StringIO()

        call_command("demo_logins", stdout=out)

        lines = out.getvalue().splitlines()
        assert len(lines) == 4
        assert [login.email in out.getvalue() and login.password in out.getvalue() for login in DEMO_LOGINS] == [
            True,
            True,
            True,
        ]


def test_seed_demo_users_can_log_in(client, fast_hashing):
    seed()

    results = [client.login(username=login.email, password=login.password) for login in DEMO_LOGINS]

    assert results == [True, True, True]


def test_seed_demo_user_can_log_in_with_the_configured_hashers(client):
    """The seed hashes demo passwords cheaply; Django must still accept and upgrade them."""
    seed()

    logged_in = client.login(username="mitglied@example.org", password="demo-mitglied")

    assert logged_in is True
    assert User.objects.get(email="mitglied@example.org").password.startswith("pbkdf2_sha256$")


def test_seed_demo_sozialplanung_user_reaches_the_verwaltung(client, fast_hashing):
    seed()
    client.login(username="sozialplanung@example.org", password="demo-sozialplanung")

    response = client.get("/verwaltung/")

    assert response.status_code == 200


def test_home_page_shows_the_demo_marker_right_after_seeding(client, fast_hashing):
    before = client.get("/").content.decode()  # caches "no demo data"

    seed()
    after = client.get("/").content.decode()

    assert "Demodaten – fiktiv" not in before
    assert "Demodaten – fiktiv" in after


def snapshot() -> dict[str, list]:
    """Every directory row with all its values (updated_at included), and the accounts."""
    models = [Area, Topic, Network, Institution, Person, ContactChannel, Affiliation, Consent, Membership, User]
    state = {model.__name__: sorted(model.objects.values_list(), key=repr) for model in models}
    state["network_areas"] = sorted(Network.areas.through.objects.values_list("network_id", "area_id"))
    state["network_topics"] = sorted(Network.topics.through.objects.values_list("network_id", "topic_id"))
    state["user_groups"] = sorted(User.groups.through.objects.values_list("user_id", "group_id"))
    return state


def test_seed_demo_second_run_changes_nothing(fast_hashing):
    seed()
    before = snapshot()

    output = seed()

    assert snapshot() == before
    assert "nichts geändert" in output


def test_seed_demo_refuses_when_real_data_exists(fast_hashing):
    NetworkFactory(name="Stadtteilkonferenz Echt")

    with pytest.raises(CommandError, match="--force") as refusal:
        seed()

    assert "echte Daten (Netzwerke)" in str(refusal.value)
    assert list(Network.objects.values_list("name", flat=True)) == ["Stadtteilkonferenz Echt"]
    assert Area.objects.count() == 0


def test_seed_demo_with_force_loads_next_to_real_data_without_touching_it(fast_hashing):
    real_network = NetworkFactory(name="Stadtteilkonferenz Echt")
    real_institution = InstitutionFactory(name="Echte Einrichtung")

    seed("--force")

    real_network.refresh_from_db()
    assert (real_network.name, real_network.is_demo) == ("Stadtteilkonferenz Echt", False)
    assert Network.objects.filter(is_demo=True).count() == 22
    assert real_institution.affiliations.count() == 0
    assert real_institution.memberships.count() == 0


def test_seed_demo_if_empty_skips_a_database_with_networks(fast_hashing):
    NetworkFactory()

    output = seed("--if-empty")

    assert "nicht geladen" in output
    assert Person.objects.count() == 0


def test_seed_demo_if_empty_seeds_an_empty_database(fast_hashing):
    seed("--if-empty")

    assert Network.objects.filter(kind=Network.Kind.NEIGHBOURHOOD_CONFERENCE).count() == 9


def test_demo_logins_prints_nothing_without_demo_users():
    out = io.StringIO()

    call_command("demo_logins", stdout=out)

    assert out.getvalue() == ""
