"""Mein Bereich, the services: a member changes their own entry, login address, password,
consents and memberships; bad input is refused in German and writes nothing."""

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError

from contacts.models import Consent, ContactChannel, User, Visibility
from contacts.services import consent_withdraw
from contacts.services.self_service import (
    EMAIL_CHANGE_SALT,
    account_email_change_confirm,
    account_email_change_mail_send,
    account_email_change_request,
    account_password_change,
    consent_grant,
    email_change_token,
    person_channel_add,
    person_channel_update,
    person_profile_update,
)
from tests.factories import (
    ChannelFactory,
    ConsentFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    user = UserFactory(email="ada@example.org")
    return PersonFactory(user=user, given_name="Ada", family_name="Beispiel")


def test_profile_update_changes_name_and_confirms_the_entry(member):
    person_profile_update(person=member, actor=member.user, given_name=" Ada Maria ", form_of_address="they/them")

    member.refresh_from_db()
    assert (member.given_name, member.form_of_address) == ("Ada Maria", "they/them")
    assert member.confirmed_at is not None


def test_profile_update_refuses_empty_family_name_and_writes_nothing(member):
    with pytest.raises(ValidationError) as error:
        person_profile_update(person=member, family_name="")

    member.refresh_from_db()
    assert "family_name" in error.value.message_dict
    assert member.family_name == "Beispiel"


def test_email_change_to_address_of_another_account_is_refused(member, django_capture_on_commit_callbacks):
    UserFactory(email="belegt@example.org")

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationError) as error:
        account_email_change_request(user=member.user, email="Belegt@Example.org")

    assert error.value.code == "taken"
    assert "gehört schon zu einem anderen Zugang" in error.value.messages[0]
    assert callbacks == []
    assert User.objects.get(pk=member.user.pk).email == "ada@example.org"


def test_email_change_request_changes_nothing_until_confirmed(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        address = account_email_change_request(user=member.user, email="neu@example.org")

    assert address == "neu@example.org"
    assert len(callbacks) == 1
    assert User.objects.get(pk=member.user.pk).email == "ada@example.org"


def test_email_change_mail_goes_to_the_new_address_with_the_link(member, settings):
    settings.SITE_URL = "https://netzwerk.example.org"

    account_email_change_mail_send(user=member.user, email="neu@example.org")

    (message,) = mail.outbox
    assert message.to == ["neu@example.org"]
    assert "https://netzwerk.example.org/konto/anmeldeadresse/" in message.body
    assert "ada@example.org" not in message.body


def test_email_change_confirm_changes_the_login_and_a_replay_is_refused(member):
    token = email_change_token(user=member.user, email="neu@example.org")

    account_email_change_confirm(token=token)
    with pytest.raises(ValidationError) as replay:
        account_email_change_confirm(token=token)

    assert User.objects.get(pk=member.user.pk).email == "neu@example.org"
    assert replay.value.code == "used"


def test_email_change_confirm_refuses_an_expired_link(member, settings):
    token = email_change_token(user=member.user, email="neu@example.org")
    settings.EMAIL_CHANGE_TIMEOUT = -1

    with pytest.raises(ValidationError) as error:
        account_email_change_confirm(token=token)

    assert error.value.code == "expired"
    assert "abgelaufen" in error.value.messages[0]
    assert User.objects.get(pk=member.user.pk).email == "ada@example.org"


def test_email_change_confirm_refuses_when_the_address_was_taken_meanwhile(member):
    token = email_change_token(user=member.user, email="neu@example.org")
    UserFactory(email="neu@example.org")

    with pytest.raises(ValidationError) as error:
        account_email_change_confirm(token=token)

    assert error.value.code == "taken"
    assert User.objects.get(pk=member.user.pk).email == "ada@example.org"


def test_email_change_confirm_refuses_a_forged_link(member):
    forged = signing.dumps({"u": member.user.pk, "old": "ada@example.org", "new": "x@example.org"}, salt="andere")

    with pytest.raises(ValidationError) as error:
        account_email_change_confirm(token=forged)

    assert error.value.code == "invalid"
    assert EMAIL_CHANGE_SALT != "andere"


def test_password_change_needs_the_current_password(member):
    with pytest.raises(ValidationError) as error:
        account_password_change(user=member.user, old_password="falsch", new_password="ein-neues-Passwort-2026")

    assert error.value.message_dict == {"old_password": ["Das bisherige Passwort stimmt nicht."]}
    assert member.user.check_password("ein-langes-Testpasswort")


def test_password_change_sets_the_new_password(member):
    account_password_change(
        user=member.user, old_password="ein-langes-Testpasswort", new_password="ein-neues-Passwort-2026"
    )

    assert User.objects.get(pk=member.user.pk).check_password("ein-neues-Passwort-2026")


def test_channel_add_refuses_a_malformed_phone_number(member):
    with pytest.raises(ValidationError) as error:
        person_channel_add(person=member, kind=ContactChannel.Kind.PHONE, value="ruf mich an")

    assert "Telefonnummer" in error.value.message_dict["value"][0]
    assert not ContactChannel.objects.filter(person=member).exists()


def test_channel_add_new_primary_address_demotes_the_old(member):
    old = ChannelFactory(person=member, value="alt@example.org", is_primary=True)

    person_channel_add(person=member, kind=ContactChannel.Kind.EMAIL, value="Neu@Example.org", is_primary=True)

    primaries = list(ContactChannel.objects.filter(person=member, is_primary=True).values_list("value", flat=True))
    old.refresh_from_db()
    assert primaries == ["neu@example.org"]
    assert old.is_primary is False


def test_channel_update_keeps_the_kind_a_consent_names(member):
    channel = ChannelFactory(person=member)
    ConsentFactory(person=member, scope=Consent.Scope.EMAIL, channel=channel)

    with pytest.raises(ValidationError):
        person_channel_update(channel=channel, kind=ContactChannel.Kind.PHONE, value="0241 12345")

    channel.refresh_from_db()
    assert channel.kind == ContactChannel.Kind.EMAIL


def test_consent_grant_records_the_current_wording_and_is_idempotent(member):
    first = consent_grant(person=member, scope=Consent.Scope.NAME, audience=Visibility.PUBLIC, actor=member.user)
    second = consent_grant(person=member, scope=Consent.Scope.NAME, audience=Visibility.PUBLIC, actor=member.user)

    assert first.pk == second.pk
    assert (first.text_version, first.source, first.recorded_by) == ("2025-01", "formular", member.user)


def test_consent_grant_after_withdrawal_is_a_new_record(member):
    first = consent_grant(person=member, scope=Consent.Scope.EMAIL, audience=Visibility.NETWORK_MEMBERS)
    consent_withdraw(consent=first)

    again = consent_grant(person=member, scope=Consent.Scope.EMAIL, audience=Visibility.NETWORK_MEMBERS)

    assert again.pk != first.pk
    assert Consent.objects.filter(person=member).count() == 2


def test_consent_grant_refuses_staff_only_audience(member):
    with pytest.raises(ValidationError):
        consent_grant(person=member, scope=Consent.Scope.NAME, audience=Visibility.STAFF)

    assert not Consent.objects.filter(person=member).exists()
