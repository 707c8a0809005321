"""The pages where speakers keep their network, against every kind of visitor, and what a
speaker sees when the input is bad.

Roles: anonymous, member of X, speaker of X, speaker of Y, Sozialplanung staff. Anonymous →
the login; the speaker of X and staff change X; everyone else gets a German 403 (or 404) —
and a refused request writes nothing. Staff alone decide on proposals.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts import services
from contacts.models import AccountInvitation, Consent, Membership, Network, NetworkProposal
from tests.factories import (
    ChannelFactory,
    ConsentFactory,
    InstitutionFactory,
    LivingAreaFactory,
    MembershipFactory,
    PersonFactory,
)
from tests.meetings.web_cast import cast_create

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "member", "speaker", "other_speaker", "staff"]
MANAGE = {"speaker", "staff"}
STAFF = {"staff"}


def day(offset: int = 0) -> str:
    return (timezone.localdate() + datetime.timedelta(days=offset)).isoformat()


def url(name: str, cast, *args) -> str:
    return reverse(f"network_manage:{name}", args=[cast.network.slug, *args])


def op_profile(cast):
    return url("profile", cast), {"description": "Neu", "rhythm": "monatlich", "website": "https://stk.example.org"}


def op_areas(cast):
    return url("areas", cast), {"areas": [LivingAreaFactory().pk], "note": ""}


def op_member_add(cast):
    return url("member_add", cast), {"institution": InstitutionFactory().pk, "role": "mitglied", "start": day()}


def op_institution_propose(cast):
    return url("institution_propose", cast), {
        "name": "Neue Einrichtung",
        "institution_type": InstitutionFactory().type_id,
        "postal_code": "52066",
    }


def _member_row(cast) -> Membership:
    return Membership.objects.get(network=cast.network, person=cast.member_person)


def op_membership_role(cast):
    return url("membership_role", cast, _member_row(cast).uuid), {"role": "gast", "day": day()}


def op_membership_end(cast):
    return url("membership_end", cast, _member_row(cast).uuid), {"end": day()}


def op_team(cast):
    return url("team", cast), {"start": day(7), "end": "", "person_0": cast.member_person.pk, "role_0": "sprecherin"}


def _invitable(cast):
    person = PersonFactory()
    ChannelFactory(person=person, value=f"person{person.pk}@example.org")
    MembershipFactory(network=cast.network, person=person)
    return person


def op_invitation_create(cast):
    return url("invitation_create", cast), {"person": _invitable(cast).pk, "email": ""}


def _invitation(cast) -> AccountInvitation:
    return services.account_invitation_create(person=_invitable(cast), actor=None, network=cast.network)


def op_invitation_resend(cast):
    return url("invitation_resend", cast, _invitation(cast).pk), {}


def op_invitation_withdraw(cast):
    return url("invitation_withdraw", cast, _invitation(cast).pk), {}


def op_proposal_decide(cast):
    proposal = services.network_areas_propose(network=cast.network, areas=[LivingAreaFactory()], actor=None)
    return reverse("network_manage:proposal_decide", args=[proposal.pk]), {"decision": "annehmen", "note": ""}


OPERATIONS = {
    op_profile: MANAGE,
    op_areas: MANAGE,
    op_member_add: MANAGE,
    op_institution_propose: MANAGE,
    op_membership_role: MANAGE,
    op_membership_end: MANAGE,
    op_team: MANAGE,
    op_invitation_create: MANAGE,
    op_invitation_resend: MANAGE,
    op_invitation_withdraw: MANAGE,
    op_proposal_decide: STAFF,
}


def snapshot() -> tuple:
    return (
        list(Membership.objects.order_by("pk").values_list("pk", "role", "start", "end")),
        list(Network.objects.order_by("pk").values_list("pk", "description", "rhythm", "website")),
        list(NetworkProposal.objects.order_by("pk").values_list("pk", "state")),
        list(AccountInvitation.objects.order_by("pk").values_list("pk", "version", "withdrawn_at")),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", list(OPERATIONS), ids=lambda op: op.__name__.removeprefix("op_"))
def test_web_write_permissions(client, role, operation):
    cast = cast_create()
    target, data = operation(cast)
    user = cast.user(role)
    if user is not None:
        client.force_login(user)
    before = snapshot()

    response = client.post(target, data)

    after = snapshot()
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("contacts:login"))
        assert after == before
    elif role in OPERATIONS[operation]:
        assert response.status_code == 302, response.content.decode()[:3000]
        assert not response["Location"].startswith(reverse("contacts:login"))
        assert after != before
    else:
        assert response.status_code in (403, 404)
        assert ("Kein Zugriff" if response.status_code == 403 else "nicht gefunden") in response.content.decode()
        assert after == before


PAGES = ["overview", "profile", "areas", "member_add", "institution_propose", "team", "invitation_create"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_page_permissions(client, role, page):
    cast = cast_create()
    user = cast.user(role)
    if user is not None:
        client.force_login(user)

    response = client.get(url(page, cast))

    expected = {"anonymous": 302, "member": 403, "speaker": 200, "other_speaker": 403, "staff": 200}[role]
    assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_proposal_list_is_for_staff(client, role):
    cast = cast_create()
    user = cast.user(role)
    if user is not None:
        client.force_login(user)

    response = client.get(reverse("network_manage:proposals"))

    expected = {"anonymous": 302, "member": 403, "speaker": 403, "other_speaker": 403, "staff": 200}[role]
    assert response.status_code == expected


def test_get_shows_and_never_acts(client):
    cast = cast_create()
    client.force_login(cast.speaker)
    paths = [
        url("membership_end", cast, _member_row(cast).uuid),
        url("invitation_withdraw", cast, _invitation(cast).pk),
    ]
    before = snapshot()

    statuses = [client.get(path).status_code for path in paths]

    assert (statuses, snapshot()) == ([405, 405], before)


def test_team_with_end_before_start_comes_back_with_the_german_message(client):
    cast = cast_create()
    client.force_login(cast.speaker)
    before = snapshot()

    response = client.post(
        url("team", cast), {"start": day(10), "end": day(5), "person_0": cast.member_person.pk, "role_0": "sprecherin"}
    )

    assert response.status_code == 400
    assert "Das Ende der Amtszeit liegt vor ihrem Beginn." in response.content.decode()
    assert snapshot() == before


def test_adding_a_member_twice_comes_back_with_the_german_message(client):
    cast = cast_create()
    institution = InstitutionFactory(name="Kita Kurpark")
    MembershipFactory(network=cast.network, institution=institution, person=None)
    client.force_login(cast.speaker)
    before = snapshot()

    response = client.post(url("member_add", cast), {"institution": institution.pk, "role": "mitglied", "start": day()})

    assert response.status_code == 400
    assert "Kita Kurpark ist bereits Mitglied dieses Netzwerks." in response.content.decode()
    assert snapshot() == before


def test_membership_of_another_network_is_not_found(client):
    cast = cast_create()
    foreign = MembershipFactory(network=cast.other_network, person=PersonFactory())
    client.force_login(cast.speaker)

    response = client.post(url("membership_end", cast, foreign.uuid), {"end": day()})

    foreign.refresh_from_db()
    assert (response.status_code, foreign.end) == (404, None)


def test_member_search_finds_institutions_and_only_people_whose_name_is_public(client):
    cast = cast_create()
    InstitutionFactory(name="Kita Kurpark")
    public = PersonFactory(given_name="Paula", family_name="Kurzweil")
    ConsentFactory(person=public, scope=Consent.Scope.NAME)
    PersonFactory(given_name="Hanna", family_name="Kurzweil")
    client.force_login(cast.speaker)

    page = client.get(url("member_add", cast), {"einrichtung_suche": "kurpark", "person_suche": "kurzweil"})

    text = page.content.decode()
    assert ("Kita Kurpark" in text, "Paula Kurzweil" in text, "Hanna" in text) == (True, True, False)


def test_network_page_and_dashboard_link_the_management_for_the_speaker_only(client):
    cast = cast_create()
    target = url("overview", cast)

    client.force_login(cast.member)
    member_view = (
        client.get(f"/netzwerke/{cast.network.slug}/").content.decode(),
        client.get("/termine/uebersicht/").content.decode(),
    )
    client.force_login(cast.speaker)
    speaker_view = (
        client.get(f"/netzwerke/{cast.network.slug}/").content.decode(),
        client.get("/termine/uebersicht/").content.decode(),
    )

    assert [target in text for text in member_view] == [False, False]
    assert [target in text for text in speaker_view] == [True, True]


def queries_of(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_overview_query_count_does_not_grow_with_the_members(client):
    cast = cast_create()
    client.force_login(cast.speaker)
    client.get(url("overview", cast))
    few = queries_of(client, url("overview", cast))
    for _ in range(15):
        MembershipFactory(network=cast.network, institution=InstitutionFactory(), person=PersonFactory())
        _invitation(cast)

    many = queries_of(client, url("overview", cast))

    assert many == few
