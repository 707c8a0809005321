"""Password reset (issue 11 §5, issue 12 #8): limited per address and per client, the mail
sent by a real worker, the link built from SITE_URL, the same answer for every address."""

import email
import email.policy
import re

import pytest
from django.urls import reverse

from tests.conftest import wait_until
from tests.factories import PersonFactory, UserFactory
from tests.notifications.conftest import sink_start

pytestmark = pytest.mark.django_db

RESET = "/konto/passwort-vergessen/"


def reset(client, address, **extra):
    return client.post(RESET, {"email": address}, **extra)


def test_password_reset_answers_the_same_with_and_without_account(client):
    UserFactory(email="ada@example.org")

    known = reset(client, "ada@example.org")
    unknown = reset(client, "niemand@example.org")

    assert (known.status_code, known.url) == (302, reverse("contacts:password_reset_done"))
    assert (unknown.status_code, unknown.url) == (known.status_code, known.url)


def test_password_reset_is_limited_per_address(client, settings):
    settings.TRUSTED_PROXIES = 1
    settings.PASSWORD_RESET_LIMIT = 3
    UserFactory(email="ada@example.org")
    statuses = [reset(client, "ADA@example.org", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(4)]

    assert statuses == [302, 302, 302, 429]


def test_password_reset_limit_answers_the_same_for_an_unknown_address(client, settings):
    settings.PASSWORD_RESET_LIMIT = 2
    statuses = [reset(client, "niemand@example.org").status_code for _ in range(3)]

    response = reset(client, "niemand@example.org")

    assert statuses == [302, 302, 429]
    assert "bereits mehrere Links angefordert" in response.content.decode()


def test_password_reset_is_limited_per_client_behind_the_proxy(client, settings):
    settings.TRUSTED_PROXIES = 1
    settings.PASSWORD_RESET_LIMIT = 2
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    own = [reset(client, f"a{n}@example.org", HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy) for n in range(3)]

    other = reset(client, "b@example.org", HTTP_X_FORWARDED_FOR="203.0.113.4", **proxy)

    assert [response.status_code for response in own] == [302, 302, 429]
    assert other.status_code == 302


def test_password_reset_sends_nothing_inside_the_request(client, mailoutbox, django_capture_on_commit_callbacks):
    UserFactory(email="ada@example.org")

    with django_capture_on_commit_callbacks() as callbacks:
        reset(client, "ada@example.org")

    assert mailoutbox == []
    assert len(callbacks) == 1


@pytest.fixture
def reset_sink(tmp_path, monkeypatch):
    sink = sink_start(tmp_path / "sink")
    monkeypatch.setenv("EMAIL_HOST", "127.0.0.1")
    monkeypatch.setenv("EMAIL_PORT", str(sink.port))
    monkeypatch.setenv("SITE_URL", "https://netzwerk.example.org")
    yield sink
    sink.handle.stop(timeout=5)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_password_reset_mail_comes_from_a_worker_with_a_site_url_link(client, reset_sink, celery_worker_start):
    user = UserFactory(email="ada@example.org")
    PersonFactory(user=user, language="de")
    worker = celery_worker_start()

    reset(client, "ada@example.org", HTTP_HOST="localhost")
    reset(client, "niemand@example.org", HTTP_HOST="localhost")
    arrivals = wait_until(reset_sink.arrivals, timeout=60, process=worker)

    message = email.message_from_bytes(reset_sink.eml(1), policy=email.policy.default)
    body = message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"\S+/konto/passwort-neu/\S+/", body).group(0)
    assert [(a["to"], a["subject"]) for a in arrivals] == [(["ada@example.org"], "Neues Passwort für Netzwerk Aachen")]
    assert link.startswith("https://netzwerk.example.org/konto/passwort-neu/")
    page = client.get(link.removeprefix("https://netzwerk.example.org"), follow=True)
    assert "Neues Passwort wählen" in page.content.decode()
    assert worker.stop() == 0
