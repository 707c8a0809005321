"""How clients authenticate: a personal token (issued and rotated by the logged-in user) or
the browser session with CSRF; anonymous reading is throttled."""

import json

import pytest
from django.conf import settings
from django.test import Client
from django.utils.crypto import get_random_string
from rest_framework.authtoken.models import Token
from rest_framework.throttling import AnonRateThrottle

from tests.meetings.api_support import build_world, calendar_snapshot
from tests.meetings.factories import in_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def browser(user) -> Client:
    """A client that enforces CSRF like a real browser session, with its CSRF cookie set."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.cookies[settings.CSRF_COOKIE_NAME] = get_random_string(32)
    return client


def csrf(client: Client) -> dict:
    return {"X-CSRFToken": client.cookies[settings.CSRF_COOKIE_NAME].value}


def new_meeting(world) -> str:
    return json.dumps(
        {
            "network": world.x.slug,
            "title": "Per Token",
            "start": in_days(9).isoformat(),
            "end": in_days(9, hour=20).isoformat(),
        }
    )


def test_api_token_is_issued_to_the_logged_in_user_and_works_for_writes(world):
    speaker = world.users["speaker_x"]
    session = browser(speaker)

    issued = session.post("/api/v1/token/", headers=csrf(session))
    key = issued.json()["token"]
    created = Client().post(
        "/api/v1/meetings/",
        data=new_meeting(world),
        content_type="application/json",
        headers={"Authorization": f"Token {key}"},
    )

    assert issued.status_code == 201
    assert Token.objects.get(user=speaker).key == key
    assert (created.status_code, created.json()["title"]) == (201, "Per Token")


def test_api_token_rotation_invalidates_the_old_key(world):
    session = browser(world.users["speaker_x"])
    old = session.post("/api/v1/token/", headers=csrf(session)).json()["token"]

    new = session.post("/api/v1/token/", headers=csrf(session)).json()["token"]
    with_old = Client().get("/api/v1/meetings/", headers={"Authorization": f"Token {old}"})

    assert new != old
    assert with_old.status_code == 401
    assert with_old.json()["detail"] == "Ungültiges Token"


def test_api_token_revoke(world):
    session = browser(world.users["member_x"])
    key = session.post("/api/v1/token/", headers=csrf(session)).json()["token"]

    response = session.delete("/api/v1/token/", headers=csrf(session))

    assert response.status_code == 204
    assert not Token.objects.filter(key=key).exists()


def test_api_token_needs_a_login(client):
    response = client.post("/api/v1/token/")

    assert response.status_code == 401
    assert response.json()["detail"] == "Anmeldedaten fehlen."


def test_api_token_issue_without_csrf_is_refused(world):
    session = browser(world.users["speaker_x"])

    response = session.post("/api/v1/token/")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Token.objects.exists()


def test_api_session_write_needs_csrf_and_writes_nothing_without_it(world):
    session = browser(world.users["speaker_x"])
    before = calendar_snapshot()

    refused = session.post("/api/v1/meetings/", data=new_meeting(world), content_type="application/json")
    unchanged = calendar_snapshot() == before
    accepted = session.post(
        "/api/v1/meetings/", data=new_meeting(world), content_type="application/json", headers=csrf(session)
    )

    assert (refused.status_code, unchanged, accepted.status_code) == (403, True, 201)


def test_api_anonymous_requests_are_throttled_with_a_json_429(client, monkeypatch):
    # The cache is emptied before each test (conftest), so the count starts at zero.
    monkeypatch.setitem(AnonRateThrottle.THROTTLE_RATES, "anon", "3/minute")

    statuses = [client.get("/api/v1/networks/").status_code for _ in range(4)]
    last = client.get("/api/v1/networks/")

    assert statuses == [200, 200, 200, 429]
    assert last.status_code == 429
    assert "Anfrage wurde gedrosselt" in last.json()["detail"]
    assert int(last["Retry-After"]) > 0


def test_api_logged_in_clients_are_not_throttled_as_anonymous(world, client, monkeypatch):
    monkeypatch.setitem(AnonRateThrottle.THROTTLE_RATES, "anon", "1/minute")

    statuses = [client.get("/api/v1/networks/", headers=world.headers("member_x")).status_code for _ in range(3)]

    assert statuses == [200, 200, 200]
