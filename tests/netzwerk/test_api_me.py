"""``/api/v1/me/…``: the self-service through the API, with a token; the same rules and
German messages as the pages; documented in the schema."""

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from contacts.models import Consent, ContactChannel, Membership, User, Visibility
from tests.factories import ChannelFactory, ConsentFactory, MembershipFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    person = PersonFactory(user=UserFactory(email="api.mitglied@example.org"), given_name="Ada", family_name="Test")
    ChannelFactory(person=person, value="ada.test@example.org")
    MembershipFactory(person=person)
    ConsentFactory(person=person, scope=Consent.Scope.NAME, audience=Visibility.PUBLIC, text_version="2025-01")
    return person


@pytest.fixture
def api(person):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=person.user).key}")
    return client


def test_me_shows_entry_channels_consents_memberships(api):
    data = api.get("/api/v1/me/").json()

    assert data["account_email"] == "api.mitglied@example.org"
    assert data["person"]["family_name"] == "Test"
    assert [c["value"] for c in data["channels"]] == ["ada.test@example.org"]
    assert [(c["scope"], c["audience"], c["is_active"]) for c in data["consents"]] == [("name", 2, True)]
    assert len(data["memberships"]) == 1


def test_me_needs_authentication():
    response = APIClient().get("/api/v1/me/")

    assert response.status_code == 401


def test_me_patch_changes_the_name(api, person):
    response = api.patch("/api/v1/me/", {"given_name": "Adele"}, format="json")

    person.refresh_from_db()
    assert response.status_code == 200
    assert person.given_name == "Adele"


def test_channel_add_and_malformed_phone(api, person):
    added = api.post("/api/v1/me/channels/", {"kind": "phone", "value": "0241 000333-1"}, format="json")
    refused = api.post("/api/v1/me/channels/", {"kind": "phone", "value": "nachts"}, format="json")

    assert added.status_code == 201
    assert refused.status_code == 400
    assert "Telefonnummer" in refused.json()["value"][0]
    assert person.channels.filter(kind=ContactChannel.Kind.PHONE).count() == 1


def test_other_persons_channel_and_consent_are_refused_in_german(api):
    channel = ChannelFactory(value="fremd@example.org")
    consent = ConsentFactory()

    patched = api.patch(f"/api/v1/me/channels/{channel.pk}/", {"value": "x@example.org"}, format="json")
    deleted = api.delete(f"/api/v1/me/channels/{channel.pk}/")
    withdrawn = api.post(f"/api/v1/me/consents/{consent.pk}/withdraw/")

    channel.refresh_from_db()
    consent.refresh_from_db()
    assert [r.status_code for r in (patched, deleted, withdrawn)] == [403, 403, 403]
    assert patched.json()["detail"] == "Sie können nur Ihre eigenen Angaben ändern."
    assert (channel.value, consent.withdrawn_at) == ("fremd@example.org", None)


def test_consent_grant_and_withdraw(api, person):
    granted = api.post("/api/v1/me/consents/", {"scope": "email", "audience": 1}, format="json")
    withdrawn = api.post(f"/api/v1/me/consents/{granted.json()['id']}/withdraw/")

    assert granted.status_code == 201 and granted.json()["text_version"] == "2025-01"
    assert withdrawn.status_code == 200 and withdrawn.json()["is_active"] is False


def test_leave_network(api, person):
    membership = person.memberships.get()

    response = api.post(f"/api/v1/me/memberships/{membership.uuid}/leave/")
    again = api.post(f"/api/v1/me/memberships/{membership.uuid}/leave/")

    assert response.status_code == 200
    assert Membership.objects.get(pk=membership.pk).end == timezone.localdate()
    assert again.status_code == 400


def test_email_change_to_taken_address_is_a_400_in_german(api, person):
    UserFactory(email="vergeben@example.org")

    response = api.post("/api/v1/me/email/", {"email": "vergeben@example.org"}, format="json")

    assert response.status_code == 400
    assert "gehört schon zu einem anderen Zugang" in response.json()["email"][0]
    assert User.objects.get(pk=person.user.pk).email == "api.mitglied@example.org"


def test_email_change_is_accepted_for_confirmation(api, person):
    response = api.post("/api/v1/me/email/", {"email": "neu.api@example.org"}, format="json")

    assert response.status_code == 202
    assert User.objects.get(pk=person.user.pk).email == "api.mitglied@example.org"


def test_password_change_with_wrong_current_password(api):
    response = api.post(
        "/api/v1/me/password/", {"old_password": "falsch", "new_password": "ein-neues-Passwort-2026"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["old_password"] == ["Das bisherige Passwort stimmt nicht."]


def test_export(api):
    response = api.get("/api/v1/me/export/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response.json()["consents"][0]["text"].startswith("Ich willige ein")


def test_schema_documents_the_self_service(client):
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]

    assert {
        "/api/v1/me/",
        "/api/v1/me/channels/",
        "/api/v1/me/channels/{id}/",
        "/api/v1/me/consents/",
        "/api/v1/me/consents/{id}/withdraw/",
        "/api/v1/me/memberships/{uuid}/leave/",
        "/api/v1/me/email/",
        "/api/v1/me/password/",
        "/api/v1/me/export/",
    } <= set(paths)
    assert {} not in paths["/api/v1/me/"]["get"]["security"]
