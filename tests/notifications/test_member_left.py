"""Leaving a network through „Mein Bereich“: every role ends today, and each speaker is
told once through the delivery log, as far as their preferences want it."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from contacts.models import Consent, Membership, Visibility
from contacts.services.self_service import network_leave
from notifications.models import Delivery, Kind, Preference, Subject
from notifications.services import delivery_send
from tests.factories import (
    ChannelFactory,
    ConsentFactory,
    MembershipFactory,
    NetworkFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    return PersonFactory(user=UserFactory(email="ada@example.org"), given_name="Ada", family_name="Beispiel")


def test_network_leave_ends_every_role_today_and_tells_each_speaker_once(member, django_capture_on_commit_callbacks):
    network = NetworkFactory()
    MembershipFactory(network=network, person=member)
    MembershipFactory(network=network, person=member, role=Membership.Role.DEPUTY_SPEAKER)
    speaker = MembershipFactory(network=network, role=Membership.Role.SPEAKER).person
    ChannelFactory(person=speaker, value="sprecherin@example.org")

    with django_capture_on_commit_callbacks(execute=False):
        rows = network_leave(person=member, network=network, actor=member.user)
    with pytest.raises(ValidationError) as again:
        network_leave(person=member, network=network)

    assert {m.end for m in rows} == {timezone.localdate()}
    assert again.value.code == "not_member"
    notices = Delivery.objects.filter(kind=Kind.MEMBER_LEFT)
    assert [(d.person_id, d.subject_type) for d in notices] == [(speaker.pk, Subject.MEMBERSHIP)]


def test_network_leave_notice_names_the_member_as_the_speaker_may_see_them(member):
    network = NetworkFactory(name="Stadtteilkonferenz Musterviertel")
    MembershipFactory(network=network, person=member, start=timezone.localdate() - datetime.timedelta(days=90))
    ConsentFactory(person=member, scope=Consent.Scope.NAME, audience=Visibility.NETWORK_MEMBERS)
    speaker = MembershipFactory(network=network, role=Membership.Role.SPEAKER).person
    ChannelFactory(person=speaker, value="sprecherin@example.org")
    network_leave(person=member, network=network)
    notice = Delivery.objects.get(kind=Kind.MEMBER_LEFT)

    state = delivery_send(delivery_id=notice.pk)
    delivery_send(delivery_id=notice.pk)

    (message,) = mail.outbox
    assert state == Delivery.State.SENT
    assert message.to[0].endswith("<sprecherin@example.org>")
    assert message.subject == "Stadtteilkonferenz Musterviertel: Ada Beispiel ist ausgetreten"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_network_leave_notice_respects_the_speakers_preferences(member):
    network = NetworkFactory()
    MembershipFactory(network=network, person=member)
    speaker = MembershipFactory(network=network, role=Membership.Role.SPEAKER).person
    ChannelFactory(person=speaker)
    Preference.objects.create(person=speaker, changes=False)
    network_leave(person=member, network=network)

    state = delivery_send(delivery_id=Delivery.objects.get(kind=Kind.MEMBER_LEFT).pk)

    assert state == "entfallen"
    assert mail.outbox == []
