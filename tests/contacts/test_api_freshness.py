"""„Eintrag prüfen“ and the stale list through the API: the same rules as the pages."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from contacts.entry_links import entry_token_make
from contacts.models import Affiliation, Institution, InstitutionChangeProposal, User
from tests.factories import InstitutionFactory, NetworkFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def institution():
    return InstitutionFactory(name="Kita Pusteblume", phone="0241 1234")


def url(token: str, action: str = "") -> str:
    return f"/api/v1/entry-checks/{token}/" + (f"{action}/" if action else "")


def test_api_reads_the_entry_of_a_link(client, institution):
    response = client.get(url(entry_token_make(institution)))

    body = response.json()
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert (body["kind"], body["name"], body["institution"]["phone"]) == ("institution", "Kita Pusteblume", "0241 1234")


def test_api_confirm_then_replay_is_refused(client, institution):
    token = entry_token_make(institution)

    first = client.post(url(token, "confirm"))
    stand = Institution.objects.get(pk=institution.pk).confirmed_at
    again = client.post(url(token, "confirm"))

    assert first.status_code == 200
    assert again.status_code == 404
    assert "schon benutzt" in again.json()["detail"]
    assert Institution.objects.get(pk=institution.pk).confirmed_at == stand


def test_api_proposal_waits_for_review(client, institution):
    response = client.post(
        url(entry_token_make(institution), "proposal"),
        {"phone": "0241 55 44 33", "opening_hours": "Mo–Fr 7–17 Uhr", "comment": "neu"},
        content_type="application/json",
    )

    assert response.status_code == 201
    assert response.json() == {
        "status": "proposed",
        "changes": {"phone": "0241 55 44 33", "opening_hours": "Mo–Fr 7–17 Uhr"},
    }
    assert Institution.objects.get(pk=institution.pk).phone == "0241 1234"


def test_api_proposal_with_malformed_values_names_the_fields_and_writes_nothing(client, institution):
    response = client.post(
        url(entry_token_make(institution), "proposal"),
        {"phone": "+49 abc", "postal_code": "5206"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "keine Telefonnummer" in response.json()["phone"][0]
    assert "keine Postleitzahl" in response.json()["postal_code"][0]
    assert not InstitutionChangeProposal.objects.exists()


def test_api_proposal_by_a_representative_with_a_token_applies(client, institution):
    user = UserFactory()
    Affiliation.objects.create(person=PersonFactory(user=user), institution=institution)
    key = Token.objects.create(user=user).key

    response = client.post(
        url(entry_token_make(institution), "proposal"),
        {"phone": "0241 9"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )

    assert response.status_code == 400  # too few digits
    response = client.post(
        url(entry_token_make(institution), "proposal"),
        {"phone": "0241 99 00 11"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )
    assert response.json()["status"] == "applied"
    assert Institution.objects.get(pk=institution.pk).phone == "0241 99 00 11"


def test_api_tampered_token_is_404_in_german(client):
    response = client.get(url("abc:def"))

    assert response.status_code == 404
    assert "ungültig" in response.json()["detail"]


def test_api_proposal_for_a_network_is_refused(client):
    response = client.post(
        url(entry_token_make(NetworkFactory()), "proposal"), {"phone": "0241 1234 5"}, content_type="application/json"
    )

    assert response.status_code == 400


def test_api_stale_list_is_for_the_sozialplanung(client):
    old = InstitutionFactory(name="Altes Haus")
    Institution.objects.filter(pk=old.pk).update(confirmed_at=timezone.now() - datetime.timedelta(days=500))
    speaker_key = Token.objects.create(user=UserFactory()).key
    planner = User.objects.create_superuser(email="planung@example.org", password="x-lang-genug-1")
    planner_key = Token.objects.create(user=planner).key

    anonymous = client.get("/api/v1/stale-entries/")
    speaker = client.get("/api/v1/stale-entries/", HTTP_AUTHORIZATION=f"Token {speaker_key}")
    staff = client.get("/api/v1/stale-entries/?kind=institution", HTTP_AUTHORIZATION=f"Token {planner_key}")
    bad = client.get("/api/v1/stale-entries/?months=5", HTTP_AUTHORIZATION=f"Token {planner_key}")
    unknown = client.get("/api/v1/stale-entries/?knd=x", HTTP_AUTHORIZATION=f"Token {planner_key}")

    assert (anonymous.status_code, speaker.status_code, bad.status_code, unknown.status_code) == (401, 403, 400, 400)
    assert [(row["kind"], row["name"]) for row in staff.json()["results"]] == [("institution", "Altes Haus")]
    assert staff.json()["results"][0]["asked_at"] is None


def test_api_schema_documents_the_entry_check_operations(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]

    assert {
        "/api/v1/entry-checks/{token}/",
        "/api/v1/entry-checks/{token}/confirm/",
        "/api/v1/entry-checks/{token}/proposal/",
        "/api/v1/stale-entries/",
    } <= set(paths)
