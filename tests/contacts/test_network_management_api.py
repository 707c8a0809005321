"""Keeping a network through the API: the same services and permission predicates as the
web pages, each operation against every kind of requester, and the German 400s."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from contacts import services
from contacts.models import AccountInvitation, Membership, Network, NetworkProposal
from tests.factories import ChannelFactory, InstitutionFactory, LivingAreaFactory, MembershipFactory, PersonFactory
from tests.meetings.web_cast import cast_create

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "member", "speaker", "other_speaker", "staff"]
MANAGE = {"speaker", "staff"}
BASE = "/api/v1/network-management/stk-burtscheid/"


def day(offset: int = 0) -> str:
    return (timezone.localdate() + datetime.timedelta(days=offset)).isoformat()


def _member_uuid(cast) -> str:
    return str(Membership.objects.get(network=cast.network, person=cast.member_person).uuid)


def _invitable(cast):
    person = PersonFactory()
    ChannelFactory(person=person, value=f"person{person.pk}@example.org")
    MembershipFactory(network=cast.network, person=person)
    return person


def _invitation(cast) -> AccountInvitation:
    return services.account_invitation_create(person=_invitable(cast), actor=None, network=cast.network)


def _proposal(cast) -> NetworkProposal:
    return services.network_areas_propose(network=cast.network, areas=[LivingAreaFactory()], actor=None)


# name: (method, path, body, roles allowed, status on success)
OPERATIONS = {
    "profile": ("patch", lambda c: BASE + "profile/", lambda c: {"rhythm": "monatlich"}, MANAGE, 200),
    "area_proposals": (
        "post",
        lambda c: BASE + "area-proposals/",
        lambda c: {"areas": [LivingAreaFactory().pk]},
        MANAGE,
        201,
    ),
    "institution_proposals": (
        "post",
        lambda c: BASE + "institution-proposals/",
        lambda c: {"name": "Neu", "institution_type": InstitutionFactory().type.slug},
        MANAGE,
        201,
    ),
    "members": ("post", lambda c: BASE + "members/", lambda c: {"institution": InstitutionFactory().pk}, MANAGE, 201),
    "membership_end": (
        "post",
        lambda c: BASE + f"memberships/{_member_uuid(c)}/end/",
        lambda c: {"end_date": day()},
        MANAGE,
        200,
    ),
    "membership_role": (
        "post",
        lambda c: BASE + f"memberships/{_member_uuid(c)}/role/",
        lambda c: {"role": "gast"},
        MANAGE,
        200,
    ),
    "speaker_team": (
        "post",
        lambda c: BASE + "speaker-team/",
        lambda c: {"start_date": day(7), "team": [{"person": c.member_person.pk, "role": "sprecherin"}]},
        MANAGE,
        201,
    ),
    "invitations": ("post", lambda c: BASE + "invitations/", lambda c: {"person": _invitable(c).pk}, MANAGE, 201),
    "invitation_resend": (
        "post",
        lambda c: BASE + f"invitations/{_invitation(c).pk}/resend/",
        lambda c: {},
        MANAGE,
        200,
    ),
    "invitation_withdraw": (
        "post",
        lambda c: BASE + f"invitations/{_invitation(c).pk}/withdraw/",
        lambda c: {},
        MANAGE,
        200,
    ),
    "proposal_approve": (
        "post",
        lambda c: f"/api/v1/proposals/{_proposal(c).pk}/approve/",
        lambda c: {},
        {"staff"},
        200,
    ),
    "proposal_reject": ("post", lambda c: f"/api/v1/proposals/{_proposal(c).pk}/reject/", lambda c: {}, {"staff"}, 200),
}


def snapshot() -> tuple:
    return (
        list(Membership.objects.order_by("pk").values_list("pk", "role", "start", "end")),
        list(Network.objects.order_by("pk").values_list("pk", "rhythm")),
        list(NetworkProposal.objects.order_by("pk").values_list("pk", "state")),
        list(AccountInvitation.objects.order_by("pk").values_list("pk", "version", "withdrawn_at")),
    )


def api_for(cast, role: str) -> APIClient:
    api = APIClient()
    user = cast.user(role)
    if user is not None:
        api.force_authenticate(user)
    return api


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(OPERATIONS))
def test_api_write_permissions(role, name):
    cast = cast_create()
    method, path, body, allowed, success = OPERATIONS[name]
    target, data = path(cast), body(cast)
    before = snapshot()

    response = getattr(api_for(cast, role), method)(target, data, format="json")

    if role in allowed:
        assert response.status_code == success, response.json()
        assert snapshot() != before
    else:
        assert response.status_code == (401 if role == "anonymous" else 403), response.json()
        assert response.json()["detail"]
        assert snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_api_management_read_permissions(role):
    cast = cast_create()

    response = api_for(cast, role).get(BASE)

    expected = {"anonymous": 401, "member": 403, "speaker": 200, "other_speaker": 403, "staff": 200}[role]
    assert response.status_code == expected


def test_api_overview_shows_team_members_history_and_open_invitations():
    cast = cast_create()
    invitation = _invitation(cast)
    old = Membership.objects.get(network=cast.network, person=cast.member_person)
    services.network_membership_end(membership=old, actor=None, end=timezone.localdate())

    data = api_for(cast, "speaker").get(BASE).json()

    assert [row["role"] for row in data["team"]] == ["sprecherin"]
    assert [row["id"] for row in data["invitations"]] == [invitation.pk]
    assert str(old.uuid) in [row["uuid"] for row in data["members"]]


def test_api_lists_the_networks_a_speaker_manages():
    cast = cast_create()

    data = api_for(cast, "speaker").get("/api/v1/network-management/").json()

    assert [network["slug"] for network in data] == ["stk-burtscheid"]


def test_api_team_with_overlapping_terms_is_a_german_400_and_writes_nothing():
    cast = cast_create()
    api = api_for(cast, "speaker")
    first = {"start_date": day(30), "team": [{"person": cast.member_person.pk, "role": "sprecherin"}]}
    assert api.post(BASE + "speaker-team/", first, format="json").status_code == 201
    before = snapshot()

    response = api.post(
        BASE + "speaker-team/",
        {"start_date": day(10), "team": [{"person": cast.speaker_person.pk, "role": "sprecherin"}]},
        format="json",
    )

    assert response.status_code == 400
    assert "überschneiden" in response.json()["start"][0]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"start_date": "0001-01-01", "team": [{"person": 1, "role": "sprecherin"}]}, "start_date"),
        ({"start_date": "2030-01-01", "team": [{"person": 10**12, "role": "sprecherin"}]}, "team"),
        ({"start_date": "2030-01-01", "team": []}, "team"),
        ({"start_date": "2030-01-01", "team": [{"person": 1, "role": "mitglied"}]}, "team"),
    ],
)
def test_api_bad_team_input_is_a_400_naming_the_field(body, field):
    cast = cast_create()

    response = api_for(cast, "speaker").post(BASE + "speaker-team/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_api_member_added_twice_is_refused_in_german():
    cast = cast_create()
    api = api_for(cast, "speaker")
    institution = InstitutionFactory(name="Kita Kurpark")
    api.post(BASE + "members/", {"institution": institution.pk}, format="json")

    response = api.post(BASE + "members/", {"institution": institution.pk}, format="json")

    assert (response.status_code, response.json()["detail"]) == (
        400,
        ["Kita Kurpark ist bereits Mitglied dieses Netzwerks."],
    )


def test_api_hidden_person_cannot_be_added_by_id():
    cast = cast_create()
    hidden = PersonFactory()

    response = api_for(cast, "speaker").post(BASE + "members/", {"person": hidden.pk}, format="json")

    assert response.status_code == 400
    assert Membership.objects.filter(person=hidden).count() == 0


def test_api_proposal_list_filters_by_state_for_staff():
    cast = cast_create()
    _proposal(cast)

    data = api_for(cast, "staff").get("/api/v1/proposals/", {"state": "offen"}).json()

    assert [row["state"] for row in data["results"]] == ["offen"]
