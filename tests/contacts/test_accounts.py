"""Accounts: log in with the e-mail address, invitations, password reset, Mein Bereich."""

import re
from email.utils import parseaddr
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from contacts import services
from contacts.models import Consent, User
from tests.contacts.mail import due_mail_send
from tests.factories import ChannelFactory, ConsentFactory, MembershipFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "ein-langes-Testpasswort"


def login(client, email, password=PASSWORD, **extra):
    return client.post(reverse("contacts:login"), {"username": email, "password": password}, **extra)


def test_login_with_email_ignores_case(client):
    UserFactory(email="ada@example.org")

    response = login(client, "ADA@Example.org")

    assert response.status_code == 302
    assert response.url == reverse("contacts:my_area")


def test_login_wrong_password_says_what_to_check_in_german(client):
    UserFactory(email="ada@example.org")

    response = login(client, "ada@example.org", "falsch")

    assert response.status_code == 200
    assert "E-Mail-Adresse oder Passwort stimmen nicht" in response.content.decode()


def test_login_is_paused_after_repeated_failures_even_with_right_password(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(email="ada@example.org")
    for _ in range(3):
        login(client, "ada@example.org", "falsch")

    response = login(client, "ada@example.org")

    assert response.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_failures_from_one_client_pause_other_addresses_too(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(email="ada@example.org")
    for n in range(3):
        login(client, f"rate{n}@example.org", "falsch")

    response = login(client, "ada@example.org")

    assert response.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in response.content.decode()


def test_login_failures_behind_the_proxy_pause_only_their_client(client, settings):
    """Issue 11 §5: behind the TLS proxy every request comes from its address; the client
    it forwards for is counted, so one client's failures leave the others' logins alone."""
    settings.TRUSTED_PROXIES = 1
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(email="ada@example.org")
    for n in range(5):
        login(client, f"fremd{n}@example.org", "falsch", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")

    paused = login(client, "fremd9@example.org", "falsch", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    response = login(client, "ada@example.org", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.4")

    assert paused.status_code == 429
    assert response.status_code == 302
    assert response.url == reverse("contacts:my_area")


def test_login_forwarded_for_is_ignored_without_trusted_proxies(client, settings):
    """A client cannot escape the limit by rotating X-Forwarded-For when no proxy is trusted."""
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(email="ada@example.org")
    for n in range(3):
        login(client, f"fremd{n}@example.org", "falsch", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")

    response = login(client, "ada@example.org", HTTP_X_FORWARDED_FOR="203.0.113.99")

    assert response.status_code == 429


def test_login_account_failures_pause_the_account_from_every_client(client, settings):
    settings.TRUSTED_PROXIES = 1
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(email="ada@example.org")
    for n in range(3):
        login(client, "ada@example.org", "falsch", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")

    response = login(client, "ada@example.org", HTTP_X_FORWARDED_FOR="203.0.113.4")

    assert response.status_code == 429


def test_login_success_clears_the_failures_of_its_client(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(email="ada@example.org")
    UserFactory(email="bea@example.org")
    for n in range(2):
        login(client, f"fremd{n}@example.org", "falsch")
    login(client, "ada@example.org")
    client.logout()
    for n in range(2):
        login(client, f"fremd{n}@example.org", "falsch")

    response = login(client, "bea@example.org")

    assert response.status_code == 302


def test_admin_login_is_paused_while_the_main_login_is(client, settings):
    """Issue 12 #5: one limiter for every login; the Verwaltung's login is no way around it."""
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(email="chefin@example.org", is_staff=True, is_superuser=True)
    for _ in range(3):
        login(client, "chefin@example.org", "falsch")

    response = client.post(
        "/verwaltung/login/?next=/verwaltung/", {"username": "chefin@example.org", "password": PASSWORD}
    )

    assert response.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_admin_login_failures_are_limited(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(email="chefin@example.org", is_staff=True, is_superuser=True)
    for _ in range(3):
        client.post("/verwaltung/login/", {"username": "chefin@example.org", "password": "falsch"})

    response = client.post("/verwaltung/login/", {"username": "chefin@example.org", "password": PASSWORD})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_invitation_creates_account_and_mails_a_working_link(client, mailoutbox, django_capture_on_commit_callbacks):
    person = PersonFactory(given_name="Ada", family_name="Beispiel")
    ChannelFactory(person=person, value="ada@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        user = services.account_invite(person=person)

    assert not user.has_usable_password()
    due_mail_send()
    assert [parseaddr(m.to[0])[1] for m in mailoutbox] == ["ada@example.org"]
    assert mailoutbox[0].subject == "Ihr Zugang zu Netzwerk Aachen"
    link = re.search(r"http://\S+/konto/einladung/\S+/", mailoutbox[0].body).group(0)
    form_page = client.get(urlsplit(link).path, follow=True)
    assert "Willkommen bei Netzwerk Aachen" in form_page.content.decode()
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Gruenkohl-und-Printen-2026", "new_password2": "Gruenkohl-und-Printen-2026"},
    )
    assert response.status_code == 302
    assert client.login(username="ada@example.org", password="Gruenkohl-und-Printen-2026")


def test_invitation_without_address_is_refused_with_a_german_message():
    person = PersonFactory(given_name="Ohne", family_name="Adresse")

    with pytest.raises(ValidationError) as error:
        services.account_invite(person=person)

    assert error.value.messages == ["Ohne Adresse hat keine E-Mail-Adresse für die Einladung."]
    assert User.objects.count() == 0


def test_invitation_link_expires(client, settings):
    user = UserFactory(email="ada@example.org")
    token = default_token_generator.make_token(user)
    settings.PASSWORD_RESET_TIMEOUT = -1
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("contacts:invitation_accept", kwargs={"uidb64": uidb64, "token": token})

    response = client.get(path, follow=True)

    assert "Dieser Link ist abgelaufen" in response.content.decode()


def test_my_area_requires_login(client):
    response = client.get(reverse("contacts:my_area"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("contacts:login"))


def test_my_area_shows_my_networks_and_consents(client):
    user = UserFactory(email="ada@example.org")
    membership = MembershipFactory(person__user=user, network__name="Stadtteilkonferenz Eilendorf")
    ConsentFactory(person=membership.person, scope=Consent.Scope.NAME)
    client.force_login(user)

    page = client.get(reverse("contacts:my_area")).content.decode()

    assert "Stadtteilkonferenz Eilendorf" in page
    assert "öffentlich" in page
    assert "Mein Bereich" in page
    assert 'href="/benachrichtigungen/einstellungen/">E-Mail-Einstellungen ändern</a>' in page


def test_pages_are_german_with_lang_attribute(client):
    page = client.get(reverse("contacts:login")).content.decode()

    assert '<html lang="de">' in page
    assert "Anmelden" in page


@pytest.mark.parametrize(
    ("failed_as", "logs_in_as"),
    [("sprecherin@example.org", "ſprecherin@example.org"), ("ſprecherin@example.org", "sprecherin@example.org")],
)
def test_login_counts_a_long_s_spelling_for_the_same_account(client, settings, failed_as, logs_in_as):
    """Issue 12 #7: "ſprecherin@…" (U+017F) is "sprecherin@…" to PostgreSQL's UPPER(); it
    must not have a counter of its own that logs in to the paused account."""
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(email="sprecherin@example.org")
    for n in range(3):
        login(client, failed_as, "falsch", REMOTE_ADDR=f"198.51.100.{n}")

    response = login(client, logs_in_as, REMOTE_ADDR="203.0.113.4")

    assert "Zu viele fehlgeschlagene Anmeldeversuche" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_with_a_long_s_spelling_reaches_the_one_account(client):
    user = UserFactory(email="sprecherin@example.org")

    response = login(client, "ſprecherin@example.org")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_account_address_is_unique_in_its_normalised_form():
    UserFactory(email="sprecherin@example.org")
    second = User(email="ſprecherin@Example.org")
    second.set_unusable_password()

    with pytest.raises(ValidationError) as error:
        second.full_clean()

    assert second.email == "sprecherin@example.org"
    assert list(error.value.message_dict) == ["email"]


def test_account_created_by_the_manager_is_stored_normalised():
    user = User.objects.create_user("ſprecherin@Example.ORG", PASSWORD)

    assert user.email == "sprecherin@example.org"
