"""Permission predicates: roles come from active memberships, asked in one way."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser, Group

from contacts.models import Membership
from contacts.selectors import SOZIALPLANUNG_GROUP
from tests.factories import MembershipFactory, NetworkFactory, UserFactory

pytestmark = pytest.mark.django_db

PERMISSIONS = [
    "contacts.manage_network",
    "contacts.view_network_internals",
    "meetings.manage_meetings",
    "meetings.view_internal_meetings",
    "meetings.answer_meetings",
]


def user_with_role(network, role, **membership):
    user = UserFactory()
    MembershipFactory(network=network, person__user=user, role=role, **membership)
    return user


def granted(user, network):
    return [perm for perm in PERMISSIONS if user.has_perm(perm, network)]


@pytest.fixture
def network():
    return NetworkFactory()


def test_rules_anonymous_gets_nothing(network):
    assert granted(AnonymousUser(), network) == []


def test_rules_member_sees_internals_but_manages_nothing(network):
    member = user_with_role(network, Membership.Role.MEMBER)

    assert granted(member, network) == [
        "contacts.view_network_internals",
        "meetings.view_internal_meetings",
        "meetings.answer_meetings",
    ]


@pytest.mark.parametrize("role", [Membership.Role.SPEAKER, Membership.Role.DEPUTY_SPEAKER, Membership.Role.MANAGEMENT])
def test_rules_leading_roles_manage_their_network(network, role):
    assert granted(user_with_role(network, role), network) == PERMISSIONS


def test_rules_speaker_of_another_network_gets_nothing_here(network):
    speaker_elsewhere = user_with_role(NetworkFactory(), Membership.Role.SPEAKER)

    assert granted(speaker_elsewhere, network) == []


def test_rules_speaker_whose_term_ended_manages_nothing(network):
    former = user_with_role(
        network, Membership.Role.SPEAKER, start=datetime.date(2020, 1, 1), end=datetime.date(2022, 1, 1)
    )

    assert granted(former, network) == []


def test_rules_guest_is_not_a_speaker(network):
    assert "meetings.manage_meetings" not in granted(user_with_role(network, Membership.Role.GUEST), network)


def test_rules_sozialplanung_manages_every_network(network):
    planner = UserFactory()
    planner.groups.add(Group.objects.get(name=SOZIALPLANUNG_GROUP))

    assert granted(planner, network) == PERMISSIONS
    assert planner.has_perm("contacts.manage_directory")
    assert not user_with_role(network, Membership.Role.SPEAKER).has_perm("contacts.manage_directory")


def test_rules_inactive_network_grants_nothing(network):
    speaker = user_with_role(network, Membership.Role.SPEAKER)
    network.is_active = False
    network.save()

    assert granted(speaker, network) == []
