"""Odd input is a 4xx with a German message, never a 500 (issue 12 #10); and the 500 page
claims that someone was told only when someone is (``DJANGO_ADMINS``)."""

import json

import pytest
from django.core import mail

from netzwerk.api.parsers import MAX_DEPTH
from tests.meetings.api_support import auth_headers, staff_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("depth", [100_000, MAX_DEPTH + 1])
def test_api_json_nested_too_deep_is_a_400_in_german(client, depth):
    body = "[" * depth + "]" * depth

    response = client.post(
        "/api/v1/meetings/", data=body, content_type="application/json", headers=auth_headers(staff_user())
    )

    assert response.status_code == 400
    assert response.json() == {"detail": f"Die JSON-Daten sind zu tief verschachtelt (höchstens {MAX_DEPTH} Ebenen)."}


def test_api_json_of_ordinary_depth_still_reaches_the_view(client):
    body = json.dumps({"network": "gibt-es-nicht", "title": "x", "extra": [[[{"a": [1]}]]]})

    response = client.post(
        "/api/v1/meetings/", data=body, content_type="application/json", headers=auth_headers(staff_user())
    )

    assert response.status_code == 400
    assert list(response.json()) == ["network"]


@pytest.mark.parametrize("path", ["/api/v1/networks/", "/api/v1/institutions/", "/api/v1/polls/"])
def test_api_updated_since_in_year_one_is_a_400_in_german(client, path):
    response = client.get(path, {"updated_since": "0001-01-01T00:00:00+14:00"})

    assert response.status_code == 400
    assert response.json()["updated_since"] == ["Bitte ein Datum zwischen den Jahren 1900 und 2200 angeben."]


@pytest.mark.urls("tests.netzwerk.failing_urls")
@pytest.mark.parametrize(("admins", "notified"), [([], False), ([("Betrieb", "betrieb@example.org")], True)])
def test_server_error_page_says_someone_was_told_only_when_admins_are_set(client, settings, admins, notified):
    settings.ADMINS = admins
    client.raise_request_exception = False

    response = client.get("/kaputt/")

    text = response.content.decode()
    assert response.status_code == 500
    assert ("wurde benachrichtigt" in text, [message.to for message in mail.outbox]) == (
        notified,
        [["betrieb@example.org"]] if notified else [],
    )
