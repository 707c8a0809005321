"""The client address every limit counts by (issue 11 §5, issue 12 #3), and the one form
of an account address (issue 12 #7)."""

import pytest
from django.test import RequestFactory
from rest_framework.throttling import AnonRateThrottle

from contacts.clients import client_address, email_normalize
from contacts.models import Membership
from tests.factories import ChannelFactory, MembershipFactory, NetworkFactory

FORWARDED = [
    None,
    "198.51.100.7",
    "203.0.113.1, 198.51.100.7",
    "spoofed, 203.0.113.1, 198.51.100.7",
    " 2001:db8::1 ",
]


def request_with(forwarded_for):
    extra = {"REMOTE_ADDR": "10.0.0.2"}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize("forwarded_for", FORWARDED)
def test_client_address_without_trusted_proxies_is_remote_addr(forwarded_for, settings):
    settings.TRUSTED_PROXIES = 0

    assert client_address(request_with(forwarded_for)) == "10.0.0.2"


def test_client_address_behind_one_proxy_is_what_it_appended(settings):
    settings.TRUSTED_PROXIES = 1

    addresses = [client_address(request_with(header)) for header in FORWARDED]

    assert addresses == ["10.0.0.2", "198.51.100.7", "198.51.100.7", "198.51.100.7", "2001:db8::1"]


def test_client_address_behind_two_proxies_skips_only_the_trusted_entries(settings):
    settings.TRUSTED_PROXIES = 2

    addresses = [client_address(request_with(header)) for header in FORWARDED]

    assert addresses == ["10.0.0.2", "198.51.100.7", "203.0.113.1", "203.0.113.1", "2001:db8::1"]


def test_client_address_that_is_no_ip_address_falls_back_to_remote_addr(settings):
    settings.TRUSTED_PROXIES = 1

    assert client_address(request_with("nicht-eine-adresse")) == "10.0.0.2"


@pytest.mark.parametrize("trusted", [0, 1, 2])
@pytest.mark.parametrize("forwarded_for", FORWARDED[:4])
def test_client_address_is_what_the_api_throttle_counts(trusted, forwarded_for, settings):
    """DRF's throttle takes the address by NUM_PROXIES, set from the same setting."""
    settings.TRUSTED_PROXIES = trusted
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": trusted}
    request = request_with(forwarded_for)

    assert AnonRateThrottle().get_ident(request) == client_address(request)


def test_api_throttle_ignores_rotating_forwarded_for_without_trusted_proxies(client, db):
    """Issue 12 #3: after the 429, requests with a new X-Forwarded-For each are still limited."""
    limit = 120  # API_ANON_RATE's default, per minute
    statuses = [client.get("/api/v1/", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code for _ in range(limit + 1)]

    rotated = {client.get("/api/v1/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(30)}

    assert statuses[-2:] == [200, 429]
    assert rotated == {429}


def test_api_default_settings_trust_no_forwarded_for():
    from django.conf import settings

    assert settings.TRUSTED_PROXIES == 0
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0


def test_email_normalize_folds_compatibility_and_case():
    addresses = ["ſprecherin@Example.org", "SPRECHERIN@example.org", " sprecherin@example.org "]

    assert {email_normalize(address) for address in addresses} == {"sprecherin@example.org"}


CONTACT = {
    "name": "Anna Beispiel",
    "email": "anna@example.org",
    "betreff": "Frage",
    "nachricht": "Wann trifft sich die Konferenz?",
    "webseite": "",
}


@pytest.mark.django_db
def test_contact_limit_behind_the_proxy_counts_each_forwarded_client(client, settings):
    """Issue 11 §5: behind the proxy, one client's messages no longer use up the city's."""
    settings.TRUSTED_PROXIES = 1
    settings.CONTACT_MESSAGES_LIMIT = 2
    speaker = MembershipFactory(network=NetworkFactory(slug="stk-forst"), role=Membership.Role.SPEAKER)
    ChannelFactory(person=speaker.person, value="sprecherin@example.org")
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    own = [
        client.post("/netzwerke/stk-forst/kontakt/", CONTACT, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
        for _ in range(3)
    ]

    other = client.post("/netzwerke/stk-forst/kontakt/", CONTACT, HTTP_X_FORWARDED_FOR="203.0.113.4", **proxy)

    assert [response.status_code for response in own] == [302, 302, 429]
    assert other.status_code == 302
