"""The privacy crawl of the API: people who consented to nothing (or only towards members
of their network) never appear through any list or detail, for an anonymous visitor or a
logged-in member of another network."""

import pytest

from contacts.models import Affiliation, ContactChannel, Membership, Visibility
from meetings import services
from meetings.models import Visibility as MeetingVisibility
from tests.factories import (
    ChannelFactory,
    ConsentFactory,
    InstitutionFactory,
    MembershipFactory,
    NetworkFactory,
    PersonFactory,
)
from tests.meetings.api_support import auth_headers, user_with_role
from tests.meetings.documents_support import upload
from tests.meetings.factories import AgendaItemFactory, AttendanceFactory, MeetingFactory

pytestmark = pytest.mark.django_db

PRIVATE_VALUES = [
    "Geheimname",
    "geheim@privat.example",
    "0241 999 111",
    "Geheimfunktion",
    "Nurmitglied",
    "nur-mitglieder@privat.example",
    "Halbprivat-Mail@privat.example".lower(),
    "Geheime Haushaltsvorlage",
    "Vorlage zum geheimen Punkt",
]


@pytest.fixture
def seeded(settings, tmp_path):
    """Network X with a private member, a members-only member, and a public speaker whose
    contact channels are private; plus everything else the API lists."""
    settings.MEDIA_ROOT = tmp_path / "media"
    x = NetworkFactory(name="Stadtteilkonferenz Haaren", slug="stk-haaren")
    institution = InstitutionFactory(name="Familienzentrum Haaren", slug="fz-haaren")

    private = PersonFactory(given_name="Gisela", family_name="Geheimname")
    ChannelFactory(person=private, value="geheim@privat.example")
    ChannelFactory(person=private, kind=ContactChannel.Kind.PHONE, value="0241 999 111")
    Affiliation.objects.create(person=private, institution=institution, function="Geheimfunktion")
    MembershipFactory(network=x, person=private)
    MembershipFactory(network=x, person=private, institution=institution, role=Membership.Role.GUEST)

    members_only = PersonFactory(given_name="Mia", family_name="Nurmitglied")
    ChannelFactory(person=members_only, value="nur-mitglieder@privat.example")
    for scope in ("name", "email"):
        ConsentFactory(person=members_only, scope=scope, audience=Visibility.NETWORK_MEMBERS)
    MembershipFactory(network=x, person=members_only)

    speaker = PersonFactory(given_name="Paula", family_name="Sprecherin")
    ConsentFactory(person=speaker, scope="name", audience=Visibility.PUBLIC)
    ChannelFactory(person=speaker, value="halbprivat-mail@privat.example")
    MembershipFactory(network=x, person=speaker, role=Membership.Role.SPEAKER)

    meeting = MeetingFactory(network=x, title="Öffentliche Sitzung Haaren")
    AttendanceFactory(meeting=meeting, person=private)
    secret_item = AgendaItemFactory(meeting=meeting, title="Personalien", is_public=False)
    for title, visibility, item in (
        ("Öffentliche Einladung", MeetingVisibility.PUBLIC, None),
        ("Geheime Haushaltsvorlage", MeetingVisibility.MEMBERS, None),
        ("Vorlage zum geheimen Punkt", MeetingVisibility.PUBLIC, secret_item),
    ):
        services.document_add(meeting=meeting, file=upload(), title=title, visibility=visibility, agenda_item=item)
    services.poll_create(
        network=x,
        title="Terminfindung Haaren",
        options=[{"start": meeting.start, "end": meeting.end}],
        deadline=meeting.start,
    )
    return {"private": private, "members_only": members_only, "speaker": speaker, "network": x, "meeting": meeting}


def crawl(client, headers) -> dict[str, bytes]:
    """Every API list (and the same with a name search), and every detail the lists link to."""
    bodies = {}

    def get(path, **params):
        response = client.get(path, params, headers=headers)
        assert response.status_code < 500, path
        bodies[f"{path}?{params}"] = response.content
        return response

    lists = [
        "areas",
        "networks",
        "institutions",
        "people",
        "memberships",
        "meetings",
        "series",
        "agenda-items",
        "polls",
    ]
    for name in lists:
        rows = get(f"/api/v1/{name}/").json()["results"]
        get(f"/api/v1/{name}/", page_size=200)
        for row in rows:
            key = row.get("slug") or row.get("uid") or row.get("id")
            get(f"/api/v1/{name}/{key}/")
    get("/api/v1/people/", search="Geheimname")
    get("/api/v1/people/", search="Nurmitglied")
    get("/api/v1/memberships/", network="stk-haaren")
    return bodies


def test_api_private_values_never_reach_anonymous_visitors(client, seeded):
    bodies = crawl(client, {})

    leaks = {url: value for url, body in bodies.items() for value in PRIVATE_VALUES if value.encode() in body}
    assert leaks == {}


def test_api_private_values_never_reach_members_of_another_network(client, seeded):
    outsider = user_with_role(NetworkFactory(), Membership.Role.SPEAKER)

    bodies = crawl(client, auth_headers(outsider))

    leaks = {url: value for url, body in bodies.items() for value in PRIVATE_VALUES if value.encode() in body}
    assert leaks == {}


def test_api_hidden_people_are_404_not_an_empty_record(client, seeded):
    for person in (seeded["private"], seeded["members_only"]):
        assert client.get(f"/api/v1/people/{person.pk}/").status_code == 404


def test_api_speaker_shows_name_but_not_the_private_address(client, seeded):
    response = client.get(f"/api/v1/people/{seeded['speaker'].pk}/")

    assert response.json() == {
        "id": seeded["speaker"].pk,
        "name": "Paula Sprecherin",
        "form_of_address": "",
        "email": [],
        "phone": [],
        "affiliations": [],
    }


def test_api_members_see_what_is_released_to_members(client, seeded):
    colleague = user_with_role(seeded["network"], Membership.Role.MEMBER)

    response = client.get(f"/api/v1/people/{seeded['members_only'].pk}/", headers=auth_headers(colleague))

    assert (response.json()["name"], response.json()["email"]) == ("Mia Nurmitglied", ["nur-mitglieder@privat.example"])


def test_api_memberships_hide_private_individuals_but_show_institutions_and_speakers(client, seeded):
    response = client.get("/api/v1/memberships/", {"network": "stk-haaren"})

    rows = [
        (row["role"], row["institution"] and row["institution"]["name"], row["person"] and row["person"]["name"])
        for row in response.json()["results"]
    ]
    assert sorted(rows, key=str) == sorted(
        [("gast", "Familienzentrum Haaren", None), ("sprecherin", None, "Paula Sprecherin")], key=str
    )


def test_api_crawl_does_find_the_values_where_they_may_be_seen(client, seeded):
    """The crawl reaches the places private values would leak through: Sozialplanung sees them."""
    from tests.meetings.api_support import staff_user

    bodies = crawl(client, auth_headers(staff_user()))

    found = {value for body in bodies.values() for value in PRIVATE_VALUES if value.encode() in body}
    assert found == set(PRIVATE_VALUES)
