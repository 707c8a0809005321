"""Accounts: log in with the e-mail address, invitations, password reset, Mein Bereich."""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from contacts import services
from contacts.models import Consent, User
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
    settings.LOGIN_ATTEMPTS_LIMIT = 3
    UserFactory(email="ada@example.org")
    for _ in range(3):
        login(client, "ada@example.org", "falsch")

    response = login(client, "ada@example.org")

    assert response.status_code == 200
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_failures_from_one_client_pause_other_addresses_too(client, settings):
    settings.LOGIN_ATTEMPTS_LIMIT = 3
    UserFactory(email="ada@example.org")
    for n in range(3):
        login(client, f"rate{n}@example.org", "falsch")

    response = login(client, "ada@example.org")

    assert "Zu viele fehlgeschlagene Anmeldeversuche" in response.content.decode()


def test_invitation_creates_account_and_mails_a_working_link(client, mailoutbox, django_capture_on_commit_callbacks):
    person = PersonFactory(given_name="Ada", family_name="Beispiel")
    ChannelFactory(person=person, value="ada@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        user = services.account_invite(person=person)

    assert not user.has_usable_password()
    assert [m.to for m in mailoutbox] == [["ada@example.org"]]
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


def test_password_reset_mails_only_existing_accounts(client, mailoutbox):
    UserFactory(email="ada@example.org")

    client.post(reverse("contacts:password_reset"), {"email": "ada@example.org"})
    response = client.post(reverse("contacts:password_reset"), {"email": "niemand@example.org"})

    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [["ada@example.org"]]
    assert mailoutbox[0].subject == "Neues Passwort für Netzwerk Aachen"


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
