"""The search (page and API) and the street lookup of the start page."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from contacts.models import Consent, Membership, Street, Visibility
from contacts.textsearch import fold
from meetings.models import Visibility as MeetingVisibility
from tests.factories import (
    ConsentFactory,
    InstitutionFactory,
    LivingAreaFactory,
    MembershipFactory,
    NetworkFactory,
    PersonFactory,
    UserFactory,
)
from tests.meetings.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def api_names(client, query: str, kind: str) -> list[str]:
    response = client.get("/api/v1/search/", {"q": query, "kind": kind})
    assert response.status_code == 200, response.content
    return [item.get("name") or item.get("title") for item in response.json()[kind]["items"]]


def street(name: str, area, **fields) -> Street:
    row = Street(name=name, area=area, **fields)
    row.full_clean()
    row.save()
    return row


# --- folding --------------------------------------------------------------------------


def test_fold_treats_umlauts_spelled_umlauts_and_sharp_s_alike():
    assert {fold("Kornelimünster"), fold("Kornelimunster"), fold("KORNELIMUENSTER")} == {"kornelimunster"}
    assert fold("Straße") == fold("Strasse") == "strase"


def test_fold_in_the_database_equals_fold_in_python():
    from django.db.models import Value

    from contacts.models import Area
    from contacts.textsearch import Fold

    texts = ["Kornelimünster", "STRASSE", "Äußere Größe", "Café Übersee", "Œuvre"]
    LivingAreaFactory()
    folded = [Area.objects.annotate(f=Fold(Value(text))).values_list("f", flat=True).first() for text in texts]

    assert folded == [fold(text) for text in texts]


# --- tolerant matching ------------------------------------------------------------------


@pytest.mark.parametrize("query", ["Kornelimunster", "kornelimünster", "Koernelimuenster", "KORNELIMUENSTER"])
def test_search_finds_umlauts_however_they_are_typed(client, query):
    NetworkFactory(name="Sozialraumkonferenz Kornelimünster/Walheim")
    NetworkFactory(name="Stadtteilkonferenz Eilendorf")

    assert api_names(client, query, "networks") == ["Sozialraumkonferenz Kornelimünster/Walheim"]


def test_search_finds_sharp_s_as_ss(client):
    InstitutionFactory(name="Treffpunkt Dammstraße")

    assert api_names(client, "Dammstrasse", "institutions") == ["Treffpunkt Dammstraße"]
    assert api_names(client, "dammstraße", "institutions") == ["Treffpunkt Dammstraße"]


def test_search_ranks_the_exact_name_before_longer_names(client):
    NetworkFactory(name="Arbeitskreis Älter werden in Burtscheid")
    NetworkFactory(name="Burtscheid")
    NetworkFactory(name="Burtscheider Runde")

    assert api_names(client, "burtscheid", "networks") == [
        "Burtscheid",
        "Burtscheider Runde",
        "Arbeitskreis Älter werden in Burtscheid",
    ]


def test_search_ranks_a_whole_word_before_a_part_of_a_word(client):
    InstitutionFactory(name="Abenteuerspielpark Nord")
    InstitutionFactory(name="Treff am Park")
    InstitutionFactory(name="Parkhaus Mitte")

    assert api_names(client, "park", "institutions") == [
        "Parkhaus Mitte",
        "Treff am Park",
        "Abenteuerspielpark Nord",
    ]


@pytest.mark.parametrize("limit", [1, 3, 5, 6, 9])
def test_search_cut_at_the_limit_keeps_the_order_of_all_hits(client, limit):
    """However many hits each rank has, the first ``limit`` are those of the whole ranking,
    also where names of a lower rank come first by name (on PostgreSQL each rank's first
    rows are picked before ranking)."""
    ranked = [
        "Treff",  # the query
        "Treff Nord 1",  # starts with it
        "Treff Nord 2",
        "Treff Nord 3",
        "Zum Treffpunkt",  # a word starts with it
        "Jugendtreff West",  # contains it
        "Kindertreff Ost",
        "Seniorentreff",
    ]
    for name in reversed(ranked):
        InstitutionFactory(name=name)
    InstitutionFactory(name="Haus Süd", street="Treffweg 3")  # the street only

    response = client.get("/api/v1/search/", {"q": "treff", "kind": "institutions", "limit": limit})

    names = [item["name"] for item in response.json()["institutions"]["items"]]
    assert names == [*ranked, "Haus Süd"][:limit]


def test_search_finds_areas_by_number_and_folded_name(client):
    LivingAreaFactory(code="362", name="Kornelimünster")
    LivingAreaFactory(code="371", name="Forst")

    assert api_names(client, "kornelimuenster", "areas") == ["Kornelimünster"]
    assert api_names(client, "362", "areas") == ["Kornelimünster"]


def test_search_needs_every_word_of_the_query(client):
    NetworkFactory(name="Stadtteilkonferenz Burtscheid")
    NetworkFactory(name="Stadtteilkonferenz Eilendorf")

    assert api_names(client, "Stadtteilkonferenz Burtscheid", "networks") == ["Stadtteilkonferenz Burtscheid"]


# Typos and word stems need PostgreSQL (trigrams, the German text search configuration);
# the embedded SQLite fallback matches folded words only, and these tests pin both.


def test_search_tolerates_small_typos_on_postgres_only(client):
    NetworkFactory(name="Stadtteilkonferenz Burtscheid")
    NetworkFactory(name="Sozialraumkonferenz Kornelimünster/Walheim")
    on_postgres = connection.vendor == "postgresql"

    found = [
        api_names(client, query, "networks")
        for query in ("Burtscheit", "Kornelimnster", "Stadteilkonferenz Burtscheid")
    ]

    if on_postgres:
        assert found == [
            ["Stadtteilkonferenz Burtscheid"],
            ["Sozialraumkonferenz Kornelimünster/Walheim"],
            ["Stadtteilkonferenz Burtscheid"],
        ]
    else:
        assert found == [[], [], []]


def test_search_finds_german_word_stems_on_postgres_only(client):
    NetworkFactory(name="Netzwerk", description="Die Konferenz lädt zu offenen Treffen ein.")

    found = [api_names(client, query, "networks") for query in ("Konferenzen", "Treffens", "Konferenz")]

    if connection.vendor == "postgresql":
        assert found == [["Netzwerk"], ["Netzwerk"], ["Netzwerk"]]
    else:
        assert found == [[], [], ["Netzwerk"]]


def test_search_orders_networks_found_by_their_description_by_text_rank_on_postgres(client):
    NetworkFactory(name="Arbeitskreis Nord", description="Eine Konferenz.")
    NetworkFactory(name="Zukunftsrunde", description="Die Konferenz der Konferenzen, eine Konferenz für alle.")

    found = api_names(client, "Konferenzen", "networks")

    if connection.vendor == "postgresql":
        assert found == ["Zukunftsrunde", "Arbeitskreis Nord"]
    else:
        assert found == ["Zukunftsrunde"]


def test_search_finds_meetings_by_title_and_network(client):
    network = NetworkFactory(name="Stadtteilkonferenz Preuswald")
    MeetingFactory(network=network, title="Vollversammlung")

    assert api_names(client, "Vollversammlung", "meetings") == ["Vollversammlung"]
    assert api_names(client, "preuswald", "meetings") == ["Vollversammlung"]


def test_search_shows_internal_meetings_only_to_members(client):
    network = NetworkFactory(name="Stadtteilkonferenz Preuswald")
    MeetingFactory(network=network, title="Interne Vorbereitung", visibility=MeetingVisibility.MEMBERS)
    member = PersonFactory(user=UserFactory())
    MembershipFactory(network=network, person=member)
    outsider = PersonFactory(user=UserFactory())
    MembershipFactory(network=NetworkFactory(), person=outsider)

    anonymous = api_names(client, "Vorbereitung", "meetings")
    client.force_login(outsider.user)
    other_member = api_names(client, "Vorbereitung", "meetings")
    client.force_login(member.user)
    own_member = api_names(client, "Vorbereitung", "meetings")

    assert (anonymous, other_member, own_member) == ([], [], ["Interne Vorbereitung"])


def test_search_after_a_member_still_hides_internal_meetings_from_anonymous_visitors(client):
    """The SQL of a search is kept per shape of the query: what a member's search was built
    with (her networks) must never answer the next visitor's search of the same shape."""
    network = NetworkFactory(name="Stadtteilkonferenz Preuswald")
    MeetingFactory(network=network, title="Interne Vorbereitung", visibility=MeetingVisibility.MEMBERS)
    member = PersonFactory(user=UserFactory())
    MembershipFactory(network=network, person=member)
    client.force_login(member.user)
    own_member = api_names(client, "Vorbereitung", "meetings")
    client.logout()

    anonymous = api_names(client, "Vorbereitung", "meetings")
    page = client.get("/suche/", {"q": "Vorbereitung"}).content.decode()

    assert (own_member, anonymous, "Interne Vorbereitung" in page) == (["Interne Vorbereitung"], [], False)


def test_search_of_the_same_shape_finds_each_query_its_own_hits(client):
    """Queries with as many words of the same lengths share their SQL; each still finds what
    its own words match, and an underscore is a letter, not a wildcard."""
    NetworkFactory(name="Stadtteilkonferenz Preuswald")
    NetworkFactory(name="Stadtteilkonferenz Eilendorf")
    NetworkFactory(name="Netzwerk Ost")

    found = [api_names(client, query, "networks") for query in ("preuswald", "eilendorf", "ost", "o_t")]

    assert found == [["Stadtteilkonferenz Preuswald"], ["Stadtteilkonferenz Eilendorf"], ["Netzwerk Ost"], []]


# --- privacy --------------------------------------------------------------------------


@pytest.fixture
def private_person():
    """A member of a network whose name only Sozialplanung may see (no name consent), and
    whose e-mail address is public: it must never make her findable by name."""
    network = NetworkFactory(name="Stadtteilkonferenz Forst")
    person = PersonFactory(given_name="Hildegard", family_name="Verborgenmann")
    MembershipFactory(network=network, person=person, role=Membership.Role.SPEAKER)
    ConsentFactory(person=person, scope=Consent.Scope.EMAIL, audience=Visibility.PUBLIC)
    return person


@pytest.fixture
def members_only_person():
    network = NetworkFactory(name="Stadtteilkonferenz Eilendorf")
    person = PersonFactory(given_name="Gertrud", family_name="Mitgliedsfrau")
    MembershipFactory(network=network, person=person)
    ConsentFactory(person=person, scope=Consent.Scope.NAME, audience=Visibility.NETWORK_MEMBERS)
    return person


def test_search_never_finds_a_person_by_a_private_name(client, private_person, members_only_person):
    outsider = PersonFactory(user=UserFactory())
    MembershipFactory(network=NetworkFactory(), person=outsider)
    # (query, the other half of the name, which only a leak would show)
    probes = [
        ("Verborgenmann", "Hildegard"),
        ("Hildegard", "Verborgenmann"),
        ("Mitgliedsfrau", "Gertrud"),
        ("Gertrud", "Mitgliedsfrau"),
    ]

    leaks = []
    for user in (None, outsider.user):
        if user is not None:
            client.force_login(user)
        for query, other_half in probes:
            page = client.get("/suche/", {"q": query}).content.decode()
            api = client.get("/api/v1/search/", {"q": query}).json()
            leaks.append((other_half in page, other_half in str(api), api["people"]["items"]))

    assert leaks == [(False, False, [])] * 8


def test_search_finds_a_members_only_name_for_members_of_the_same_network(client, members_only_person):
    colleague = PersonFactory(user=UserFactory())
    MembershipFactory(network=members_only_person.memberships.get().network, person=colleague)
    client.force_login(colleague.user)

    assert api_names(client, "Mitgliedsfrau", "people") == ["Gertrud Mitgliedsfrau"]


def test_search_after_a_colleague_still_hides_a_members_only_name_from_anonymous_visitors(client, members_only_person):
    colleague = PersonFactory(user=UserFactory())
    MembershipFactory(network=members_only_person.memberships.get().network, person=colleague)
    client.force_login(colleague.user)
    colleague_found = api_names(client, "Mitgliedsfrau", "people")
    client.logout()

    anonymous = api_names(client, "Mitgliedsfrau", "people")
    page = client.get("/suche/", {"q": "Mitgliedsfrau"}).content.decode()

    assert (colleague_found, anonymous, "Gertrud" in page) == (["Gertrud Mitgliedsfrau"], [], False)


def test_search_finds_a_public_name_with_the_roles_and_only_consented_affiliations(client):
    network = NetworkFactory(name="Stadtteilkonferenz Burtscheid", slug="stk-burtscheid")
    person = PersonFactory(given_name="Jörg", family_name="Öffentlich")
    MembershipFactory(network=network, person=person, role=Membership.Role.SPEAKER)
    ConsentFactory(person=person, scope=Consent.Scope.NAME, audience=Visibility.PUBLIC)

    response = client.get("/api/v1/search/", {"q": "joerg offentlich", "kind": "people"})

    assert response.json()["people"]["items"] == [
        {
            "id": person.pk,
            "name": "Jörg Öffentlich",
            "roles": [
                {
                    "role": "sprecherin",
                    "role_display": "Sprecher*in",
                    "network": {
                        "id": network.pk,
                        "kind": "stk",
                        "kind_display": "Stadtteilkonferenz",
                        "name": "Stadtteilkonferenz Burtscheid",
                        "short_name": "",
                        "slug": "stk-burtscheid",
                        "html_url": "http://testserver/netzwerke/stk-burtscheid/",
                    },
                }
            ],
            "affiliations": [],
        }
    ]


def test_search_stops_finding_a_name_once_the_consent_is_withdrawn(client):
    person = PersonFactory(family_name="Widerrufer")
    ConsentFactory(
        person=person,
        scope=Consent.Scope.NAME,
        audience=Visibility.PUBLIC,
        given_at=timezone.now() - datetime.timedelta(days=2),
        withdrawn_at=timezone.now(),
    )

    assert api_names(client, "Widerrufer", "people") == []


# --- query counts ---------------------------------------------------------------------


def _search_data(count: int) -> None:
    for index in range(count):
        network = NetworkFactory(name=f"Stadtteilkonferenz Suchwort {index}")
        InstitutionFactory(name=f"Suchwort-Treff {index}")
        person = PersonFactory(family_name=f"Suchwort{index}")
        ConsentFactory(person=person, scope=Consent.Scope.NAME, audience=Visibility.PUBLIC)
        MembershipFactory(network=network, person=person, role=Membership.Role.SPEAKER)
        MeetingFactory(network=network, title=f"Suchwort-Sitzung {index}")
        living_area = LivingAreaFactory(name=f"Suchwortviertel {index}")
        street(f"Suchwortweg {index}", living_area)
        NetworkFactory(name=f"Arbeitsgemeinschaft {index}").areas.add(living_area.parent)


@pytest.mark.parametrize("count", [1, 12])
def test_search_page_query_count_does_not_grow(client, django_assert_num_queries, count):
    _search_data(count)

    # networks, institutions, people + consents, channels, affiliations, memberships and
    # speaker roles, meetings, areas, streets; the networks responsible for the streets
    # (areas above them, links, networks); and the two of the demo marker
    with django_assert_num_queries(16):
        response = client.get("/suche/", {"q": "suchwort"})

    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 12])
def test_search_api_query_count_does_not_grow(client, django_assert_num_queries, count):
    _search_data(count)

    with django_assert_num_queries(14):
        response = client.get("/api/v1/search/", {"q": "suchwort"})

    assert response.json()["networks"]["more"] is (count > 10)


# --- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"q": "x" * 5000}, 400),
        ({"q": "a\x00b"}, 400),
        ({"q": "Forst", "knd": "stk"}, 400),
        ({"q": "Forst", "limit": "-1"}, 400),
        ({"q": "Forst", "limit": "viele"}, 400),
        ({"q": "Forst", "kind": "persons"}, 400),
        ({}, 400),
        ({"q": "%_'\";--<script>"}, 200),
        ({"q": "😀 ∑ \u202e"}, 200),
    ],
)
def test_search_api_answers_bad_input_with_a_german_400_or_nothing(client, params, status):
    NetworkFactory(name="Stadtteilkonferenz Forst")

    response = client.get("/api/v1/search/", params)

    assert response.status_code == status
    if status == 400:
        assert response.json()
    else:
        assert response.json()["total"] == 0


def test_search_api_names_the_unknown_parameter(client):
    response = client.get("/api/v1/search/", {"q": "Forst", "knd": "stk"})

    assert response.json() == {"detail": "Unbekannter Filter: knd. Erlaubt sind: format, kind, limit, q."}


@pytest.mark.parametrize(("query", "status"), [("x" * 5000, 400), ("a\x00b", 400), ("%_'<b>", 200), ("", 200)])
def test_search_page_answers_bad_input_with_a_german_message(client, query, status):
    response = client.get("/suche/", {"q": query})

    assert response.status_code == status
    if status == 400:
        assert 'aria-invalid="true"' in response.content.decode()


def test_search_page_helps_when_nothing_is_found(client):
    response = client.get("/suche/", {"q": "Quxyzzz"})

    assert "Keine Treffer" in response.content.decode()


def test_search_api_is_documented_in_openapi(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    operation = schema["paths"]["/api/v1/search/"]["get"]
    assert sorted(p["name"] for p in operation["parameters"]) == ["kind", "limit", "q"]
    assert {"200", "400", "429"} <= set(operation["responses"])
    assert "unbekannter Parameter" in operation["responses"]["400"]["description"]


# --- street lookup --------------------------------------------------------------------


@pytest.fixture
def streets():
    rothe_erde = LivingAreaFactory(code="341", name="Rothe Erde", slug="lebensraum-341-rothe-erde")
    trierer = LivingAreaFactory(code="352", name="Trierer Straße", slug="lebensraum-352")
    forst = LivingAreaFactory(code="371", name="Forst", slug="lebensraum-371-forst")
    street("Reichsweg", rothe_erde, postal_code="52068")
    street("Reichsstraße", forst)
    street("Trierer Straße", trierer, number_from=1, number_to=299)
    street("Trierer Straße", forst, number_from=300, number_to=699)
    return {"rothe_erde": rothe_erde, "forst": forst, "trierer": trierer}


def test_street_lookup_redirects_to_the_one_lebensraum(client, streets):
    response = client.get("/strassen/suche/", {"strasse": "Reichsweg"})

    assert response.status_code == 302
    assert response["Location"] == "/gebiete/lebensraum-341-rothe-erde/"


def test_street_lookup_picks_the_range_of_the_house_number(client, streets):
    low = client.get("/strassen/suche/", {"strasse": "Trierer Strasse 12"})
    high = client.get("/strassen/suche/", {"strasse": "trierer str. 417"})

    assert (low["Location"], high["Location"]) == ("/gebiete/lebensraum-352/", "/gebiete/lebensraum-371-forst/")


def test_street_lookup_lists_the_candidates_without_javascript(client, streets):
    response = client.get("/strassen/suche/", {"strasse": "reichs"})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="/gebiete/lebensraum-341-rothe-erde/"' in page
    assert 'href="/gebiete/lebensraum-371-forst/"' in page


def test_street_lookup_with_an_unknown_street_explains(client, streets):
    response = client.get("/strassen/suche/", {"strasse": "Nirgendwogasse"})

    assert response.status_code == 200
    assert "Keine Straße „Nirgendwogasse“ im Straßenverzeichnis gefunden." in response.content.decode()


@pytest.mark.parametrize("text", ["", "x" * 5000])
def test_street_lookup_rejects_empty_or_long_input(client, text):
    response = client.get("/strassen/suche/", {"strasse": text})

    assert response.status_code == 400


def test_street_typeahead_suggests_names_with_their_lebensraeume(client, streets):
    response = client.get("/strassen/", {"q": "trierer"})

    assert response.json() == {"results": [{"name": "Trierer Straße", "areas": ["Trierer Straße", "Forst"]}]}


def test_street_typeahead_ignores_one_letter_and_rejects_long_input(client, streets):
    assert client.get("/strassen/", {"q": "r"}).json() == {"results": []}
    assert client.get("/strassen/", {"q": "x" * 5000}).status_code == 400


@pytest.mark.parametrize("count", [1, 12])
def test_street_typeahead_query_count_does_not_grow(client, django_assert_num_queries, count):
    area = LivingAreaFactory()
    for index in range(count):
        street(f"Suchwortweg {index}", area)

    with django_assert_num_queries(2):
        response = client.get("/strassen/", {"q": "suchwort"})

    assert len(response.json()["results"]) == min(count, 10)


def test_start_page_offers_search_and_street_fields(client):
    page = client.get("/").content.decode()

    assert 'action="/suche/"' in page
    assert 'action="/strassen/suche/"' in page
    assert connection.vendor in ("sqlite", "postgresql")


@pytest.mark.parametrize(
    ("factory", "field", "kind"),
    [
        (NetworkFactory, "name", "networks"),
        (InstitutionFactory, "name", "institutions"),
        (LivingAreaFactory, "name", "areas"),
        (MeetingFactory, "title", "meetings"),
    ],
)
def test_search_columns_follow_bulk_writes(client, factory, field, kind):
    row = factory(**{field: "Alter Name"})

    type(row).objects.filter(pk=row.pk).update(**{field: "Treffpunkt Nirm"})

    assert api_names(client, "nirm", kind) == ["Treffpunkt Nirm"]
    assert api_names(client, "Alter", kind) == []


def test_demo_street_index_leads_reichsweg_to_rothe_erde_and_its_networks(client):
    from django.core.management import call_command

    call_command("seed_demo", stdout=None)

    response = client.get("/strassen/suche/", {"strasse": "Reichsweg 30"})
    area_page = client.get(response["Location"]).content.decode()

    assert response["Location"] == "/gebiete/lebensraum-341-rothe-erde/"
    assert "Stadtteilkonferenz Aachen-Ost / Rothe Erde" in area_page


def test_search_lists_every_network_responsible_for_a_named_street(client):
    rothe_erde = LivingAreaFactory(name="Rothe Erde")
    street("Reichsweg", rothe_erde)
    stk = NetworkFactory(name="Stadtteilkonferenz Aachen-Ost", description="Wir tagen in der Nadelfabrik, Reichsweg.")
    stk.areas.add(rothe_erde.parent)
    oag = NetworkFactory(name="OAG Altenarbeit Ost")
    oag.areas.add(rothe_erde)
    NetworkFactory(name="Stadtteilkonferenz anderswo").areas.add(LivingAreaFactory())

    page = client.get("/suche/", {"q": "Reichsweg"}).content.decode()
    found = api_names(client, "reichsweg", "networks")

    assert sorted(found) == ["OAG Altenarbeit Ost", "Stadtteilkonferenz Aachen-Ost"]
    assert "zuständig für Reichsweg" in page


def test_search_does_not_list_networks_for_a_street_that_only_contains_the_word(client):
    area = LivingAreaFactory()
    street("Am Breitenweg", area)
    NetworkFactory(name="OAG Breiten").areas.add(area)

    assert api_names(client, "eitenwe", "networks") == []


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [("Stadtteilkonferens", "Stadtteilkonferenz"), ("Seniorn", "Senioren"), ("Seniorn Haarn", "Senioren Haaren")],
)
def test_search_without_a_matching_name_offers_a_spelling_that_finds_something(client, typed, suggested):
    NetworkFactory(name="Stadtteilkonferenz Haaren")
    InstitutionFactory(name="Senioren-Treff Haaren")

    page = client.get("/suche/", {"q": typed}).content.decode()
    api = client.get("/api/v1/search/", {"q": typed}).json()

    # PostgreSQL's typo tolerance may find the names anyway; the suggestion is offered all the same.
    assert api["total"] == 0 or connection.vendor == "postgresql"
    assert api["suggestion"] == suggested
    assert f'Meinten Sie <a href="/suche/?q={suggested.replace(" ", "%20")}">„{suggested}“</a>?' in page


def test_search_offers_no_spelling_when_nothing_alike_is_known(client):
    NetworkFactory(name="Stadtteilkonferenz Haaren")

    api = client.get("/api/v1/search/", {"q": "Quxyzzz"}).json()

    assert api["suggestion"] is None


def test_search_offers_no_spelling_when_a_name_matches(client):
    NetworkFactory(name="Stadtteilkonferenz Haaren")

    api = client.get("/api/v1/search/", {"q": "Haaren"}).json()

    assert (api["total"], api["suggestion"]) == (1, None)
