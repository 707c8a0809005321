"""The directory API beyond areas and networks: institutions, people, memberships."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.models import Affiliation, InstitutionType, Membership, Visibility
from tests.factories import (
    ChannelFactory,
    ConsentFactory,
    InstitutionFactory,
    LivingAreaFactory,
    MembershipFactory,
    NetworkFactory,
    PersonFactory,
    SocialAreaFactory,
)
from tests.meetings.api_support import auth_headers, user_with_role

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    return [row["name"] for row in response.json()["results"]]


def public_person(**kwargs):
    person = PersonFactory(**kwargs)
    ConsentFactory(person=person, scope="name", audience=Visibility.PUBLIC)
    return person


def test_api_institutions_filter_by_area_with_sub_areas_type_and_search(client):
    social_area = SocialAreaFactory()
    inside = LivingAreaFactory(parent=social_area)
    kita, school = InstitutionType.objects.order_by("pk")[:2]
    InstitutionFactory(name="Kita Sonnenschein", area=inside, type=kita)
    InstitutionFactory(name="Grundschule Sonnenschein", area=inside, type=school)
    InstitutionFactory(name="Kita Regenbogen", area=LivingAreaFactory(), type=kita)

    response = client.get("/api/v1/institutions/", {"area": social_area.pk, "type": kita.slug, "search": "sonnen"})

    assert names(response) == ["Kita Sonnenschein"]


def test_api_institutions_filter_by_current_network_membership(client):
    network = NetworkFactory(slug="oag-brand")
    member = InstitutionFactory(name="Begegnungsstätte Brand")
    InstitutionFactory(name="Nicht Mitglied")
    MembershipFactory(network=network, institution=member, person=None)

    response = client.get("/api/v1/institutions/", {"network": "oag-brand"})

    assert names(response) == ["Begegnungsstätte Brand"]


def test_api_institution_detail_has_address_and_page(client):
    InstitutionFactory(name="Stadtteilbüro Forst", slug="stb-forst", street="Schagenstraße 1", postal_code="52078")

    body = client.get("/api/v1/institutions/stb-forst/").json()

    assert (body["address"], body["html_url"]) == (
        "Schagenstraße 1, 52078 Aachen",
        "http://testserver/einrichtungen/stb-forst/",
    )


def test_api_people_search_and_network_filter(client):
    network = NetworkFactory(slug="stk-forst")
    anna = public_person(given_name="Anna", family_name="Aachener")
    public_person(given_name="Berta", family_name="Aachener")
    MembershipFactory(network=network, person=anna)

    response = client.get("/api/v1/people/", {"search": "aachener", "network": "stk-forst"})

    assert names(response) == ["Anna Aachener"]


def test_api_people_search_never_matches_hidden_fields(client):
    person = public_person(given_name="Carla", family_name="Clemens")
    ChannelFactory(person=person, value="versteckt@example.org")

    response = client.get("/api/v1/people/", {"search": "versteckt"})

    assert response.json()["results"] == []


def test_api_updated_since_invalid_is_a_400_in_german(client):
    response = client.get("/api/v1/institutions/", {"updated_since": "letzte Woche"})

    assert response.status_code == 400
    assert response.json() == {"updated_since": ["Bitte geben Sie ein gültiges Datum mit Uhrzeit ein."]}


def grow_directory(count: int, network) -> None:
    for _ in range(count):
        area = LivingAreaFactory()
        institution = InstitutionFactory(area=area)
        NetworkFactory().areas.add(area, area.parent)
        person = public_person()
        ConsentFactory(person=person, scope="email", audience=Visibility.NETWORK_MEMBERS)
        ChannelFactory(person=person)
        Affiliation.objects.create(person=person, institution=institution, function="Leitung")
        MembershipFactory(network=network, person=person)
        MembershipFactory(network=network, person=person, institution=institution, role=Membership.Role.GUEST)
        MembershipFactory(network=network, person=PersonFactory(), role=Membership.Role.SPEAKER)


@pytest.mark.parametrize("as_member", [False, True], ids=["anonymous", "member"])
@pytest.mark.parametrize("name", ["institutions", "people", "memberships", "networks", "areas"])
def test_api_directory_list_query_count_does_not_grow(client, name, as_member):
    network = NetworkFactory()
    headers = auth_headers(user_with_role(network, Membership.Role.MEMBER)) if as_member else {}
    grow_directory(1, network)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/api/v1/{name}/", headers=headers).status_code == 200
    grow_directory(20, network)
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/api/v1/{name}/", headers=headers)

    assert response.json()["count"] >= 20
    assert len(many) == len(few)


@pytest.mark.parametrize("name", ["people", "memberships"])
def test_api_directory_detail_query_count_is_small(client, name, django_assert_max_num_queries):
    network = NetworkFactory()
    grow_directory(3, network)
    row = client.get(f"/api/v1/{name}/").json()["results"][0]

    with django_assert_max_num_queries(10):
        assert client.get(f"/api/v1/{name}/{row['id']}/").status_code == 200


@pytest.mark.parametrize(
    ("endpoint", "stored", "typed"),
    [
        ("networks", "Sozialraumkonferenz Kornelimünster/Walheim", "Kornelimunster"),
        ("networks", "Stadtteilkonferenz Süsterfeld", "SUESTERFELD"),
        ("institutions", "Begegnungsstätte Straßburger Weg", "strassburger"),
        ("areas", "Kornelimünster und Oberforstbach", "kornelimuenster oberforstbach"),
    ],
)
def test_api_search_filter_ignores_case_umlauts_and_sharp_s(client, endpoint, stored, typed):
    factory = {"networks": NetworkFactory, "institutions": InstitutionFactory, "areas": SocialAreaFactory}[endpoint]
    factory(name=stored)
    factory(name="Etwas ganz anderes")

    response = client.get(f"/api/v1/{endpoint}/", {"search": typed})

    assert response.status_code == 200
    assert names(response) == [stored]


def test_api_people_search_ignores_umlauts(client):
    public_person(given_name="Jürgen", family_name="Müller")
    public_person(given_name="Anna", family_name="Schmitz")

    response = client.get("/api/v1/people/", {"search": "jurgen mueller"})

    assert names(response) == ["Jürgen Müller"]
