"""Who a contact-form message reaches: the speaker team, never a hole."""

import datetime

import pytest
from django.db import IntegrityError
from django.utils import timezone

from contacts.models import ContactMessage, Membership
from contacts.selectors import contact_message_recipients
from tests.factories import (
    ChannelFactory,
    InstitutionFactory,
    MembershipFactory,
    NetworkFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _message(**target) -> ContactMessage:
    return ContactMessage.objects.create(
        sender_name="Anna Beispiel", sender_email="anna@example.org", subject="Frage", body="Hallo", **target
    )


def test_network_message_reaches_current_speakers_only():
    network = NetworkFactory()
    speaker = MembershipFactory(network=network, role=Membership.Role.SPEAKER)
    ChannelFactory(person=speaker.person, value="sprecherin@example.org")
    former = MembershipFactory(
        network=network,
        role=Membership.Role.SPEAKER,
        start=timezone.localdate() - datetime.timedelta(days=400),
        end=timezone.localdate() - datetime.timedelta(days=40),
    )
    ChannelFactory(person=former.person, value="ehemalig@example.org")
    member = MembershipFactory(network=network)
    ChannelFactory(person=member.person, value="mitglied@example.org")

    recipients = contact_message_recipients(_message(network=network))

    assert [address for _name, address in recipients] == ["sprecherin@example.org"]


def test_network_without_reachable_speaker_falls_back_to_sozialplanung():
    contact = PersonFactory(user=UserFactory(email="sozialplanung@example.org"))
    network = NetworkFactory(sozialplanung_contact=contact)
    MembershipFactory(network=network, role=Membership.Role.SPEAKER)

    recipients = contact_message_recipients(_message(network=network))

    assert recipients == [(contact.full_name, "sozialplanung@example.org")]


def test_institution_message_goes_to_its_functional_address():
    institution = InstitutionFactory(email="info@einrichtung.example.org")

    assert contact_message_recipients(_message(institution=institution)) == [
        (institution.name, "info@einrichtung.example.org")
    ]


def test_message_needs_exactly_one_recipient():
    with pytest.raises(IntegrityError):
        _message()


def test_accessibility_feedback_goes_to_the_city(settings):
    settings.ACCESSIBILITY_FEEDBACK_EMAIL = "barrierefreiheit@stadt.example.org"
    message = _message(kind=ContactMessage.Kind.ACCESSIBILITY_FEEDBACK)

    assert [address for _name, address in contact_message_recipients(message)] == ["barrierefreiheit@stadt.example.org"]


def test_feedback_cannot_name_a_network():
    with pytest.raises(IntegrityError):
        _message(kind=ContactMessage.Kind.ACCESSIBILITY_FEEDBACK, network=NetworkFactory())
