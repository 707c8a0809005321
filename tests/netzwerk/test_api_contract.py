"""The API keeps the contract its OpenAPI schema states: schemathesis with every check
(``--checks all``) against a live server with the demo data, once anonymously and once
with a speaker's token. Each run is bounded in time and seeded, so it is reproducible.

Schemathesis generates valid and invalid requests from the schema and fails on any
server error, any answer that does not match the documented shape or status code, any
valid request rejected, any invalid request accepted, and authentication the schema
does not declare.
"""

import importlib
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.throttling import AnonRateThrottle

from contacts.models import User

pytestmark = pytest.mark.django_db(transaction=True)

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
CONFIG = Path(__file__).with_name("schemathesis.toml")
# Seconds each run may take; schemathesis stops generating when they are up.
RUN_SECONDS = 75


@pytest.fixture
def demo_api(live_server, monkeypatch):
    """The demo data behind a live server; the anonymous rate limit out of the way (it is
    tested on its own; here it would turn most generated requests into a 429)."""
    # An earlier transactional test emptied the tables, and with them the vocabulary and the
    # Sozialplanung group the data migration made; the demo needs both.
    importlib.import_module("contacts.migrations.0002_vocabulary").load_vocabulary(apps, None)
    call_command("seed_demo", stdout=None)
    monkeypatch.setitem(AnonRateThrottle.THROTTLE_RATES, "anon", "100000/minute")
    return live_server.url


def schemathesis_run(base_url: str, tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess:
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(CONFIG),
        "run",
        f"{base_url}/api/schema/?format=json",
        "--checks",
        "all",
        "--max-examples",
        "15",
        "--max-time",
        str(RUN_SECONDS),
        "--seed",
        "20261203",
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--no-color",
        *arguments,
    ]
    return subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=RUN_SECONDS * 3, stdin=subprocess.DEVNULL
    )


def failure_report(result: subprocess.CompletedProcess) -> str:
    return f"schemathesis exited with {result.returncode}:\n{result.stdout[-12000:]}\n{result.stderr[-3000:]}"


def test_api_keeps_its_schema_for_anonymous_clients(demo_api, tmp_path):
    result = schemathesis_run(demo_api, tmp_path)

    assert result.returncode == 0, failure_report(result)


def test_api_keeps_its_schema_for_a_speaker_with_a_token(demo_api, tmp_path):
    speaker = User.objects.get(email="sprecherin@example.org")
    token = Token.objects.create(user=speaker)

    # The token endpoint itself is left out: issuing a new token would revoke this one.
    result = schemathesis_run(
        demo_api, tmp_path, "--header", f"Authorization: Token {token.key}", "--exclude-path", "/api/v1/token/"
    )

    assert result.returncode == 0, failure_report(result)


# --- what schemathesis found, pinned as plain tests ----------------------------------


@pytest.mark.parametrize("path", ["/api/v1/gibt-es-nicht/", "/api/v1/agenda-items/%C2%84/", "/api/gibt-es-nicht"])
def test_api_unknown_address_answers_json_in_german(client, path):
    response = client.delete(path)

    assert (response.status_code, response["Content-Type"]) == (404, "application/json")
    assert response.json()["detail"].startswith(("Nicht gefunden", "Diese Adresse gibt es"))


def test_api_session_write_without_csrf_token_answers_json_in_german(client):
    from django.test import Client

    from tests.factories import UserFactory

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(UserFactory())

    response = strict.post("/api/v1/token/")

    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert "CSRF" in response.json()["detail"]


def test_site_form_without_csrf_token_explains_in_german(client):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/konto/anmelden/", {"username": "a", "password": "b"})

    assert response.status_code == 403
    assert "Das Formular ist abgelaufen" in response.content.decode()


def test_api_schema_declares_public_reads_open_to_anonymous_clients(client):
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]

    assert {} in paths["/api/v1/meetings/"]["get"]["security"]
    assert {} in paths["/api/v1/polls/{id}/"]["get"]["security"]
    assert {} not in paths["/api/v1/meetings/"]["post"]["security"]


def test_api_schema_declares_nullable_parents_and_bounded_pages(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/networks/"]["get"]["parameters"]}

    assert components["Area"]["properties"]["parent"].get("nullable") is True
    assert components["Network"]["properties"]["parent"].get("nullable") is True
    assert parameters["page_size"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 200}
    assert parameters["kind"]["allowEmptyValue"] is True


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"is_active": "vielleicht"}, 400),
        ({"is_active": "true"}, 200),
        ({"is_active": ""}, 200),
        ({"kind": ""}, 200),
        ({"area": "999999"}, 200),
        ({"parent": "0"}, 400),
    ],
)
def test_api_filters_reject_what_the_schema_forbids_and_accept_what_it_allows(client, params, status):
    url = "/api/v1/areas/" if "parent" in params else "/api/v1/networks/"

    response = client.get(url, params)

    assert response.status_code == status, response.content
