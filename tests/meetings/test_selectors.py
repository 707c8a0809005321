"""Reads: what anonymous visitors and members see, in a constant number of queries."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from meetings import selectors
from meetings.models import Visibility
from tests.factories import MembershipFactory, NetworkFactory, UserFactory
from tests.meetings.factories import AgendaItemFactory, MeetingFactory, in_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def network():
    return NetworkFactory()


@pytest.fixture
def member(network):
    user = UserFactory()
    MembershipFactory(network=network, person__user=user)
    return user


def test_meetings_upcoming_anonymous_sees_public_meetings_and_items_only(network):
    public = MeetingFactory(network=network, title="Öffentlich")
    MeetingFactory(network=network, title="Intern", visibility=Visibility.MEMBERS)
    MeetingFactory(network=network, title="Vorbei", start=in_days(-2), end=in_days(-2) + datetime.timedelta(hours=1))
    AgendaItemFactory(meeting=public, title="Begrüßung", position=1)
    AgendaItemFactory(meeting=public, title="Personalien", position=2, is_public=False)

    meetings = list(selectors.meetings_upcoming(network=network, user=AnonymousUser()))

    assert [m.title for m in meetings] == ["Öffentlich"]
    assert [item.title for item in meetings[0].visible_agenda_items] == ["Begrüßung"]


def test_meetings_upcoming_member_sees_internal_meetings_and_items(network, member):
    public = MeetingFactory(network=network, title="Öffentlich", start=in_days(3))
    MeetingFactory(network=network, title="Intern", visibility=Visibility.MEMBERS, start=in_days(5))
    AgendaItemFactory(meeting=public, title="Begrüßung", position=1)
    AgendaItemFactory(meeting=public, title="Personalien", position=2, is_public=False)

    meetings = list(selectors.meetings_upcoming(network=network, user=member))

    assert [m.title for m in meetings] == ["Öffentlich", "Intern"]
    assert [item.title for item in meetings[0].visible_agenda_items] == ["Begrüßung", "Personalien"]


def test_meetings_upcoming_member_of_another_network_sees_public_only(network):
    outsider = UserFactory()
    MembershipFactory(person__user=outsider)
    MeetingFactory(network=network, title="Intern", visibility=Visibility.MEMBERS)

    assert list(selectors.meetings_upcoming(network=network, user=outsider)) == []


@pytest.mark.parametrize("count", [1, 12])
def test_meetings_upcoming_query_count_is_constant(network, member, django_assert_num_queries, count):
    for days in range(count):
        meeting = MeetingFactory(network=network, start=in_days(days + 1))
        AgendaItemFactory(meeting=meeting)
    selectors.user_sees_internals(member, network)  # roles are computed once per user

    # The meetings, their visible agenda items, their partner networks (joint meetings).
    with django_assert_num_queries(3):
        meetings = list(selectors.meetings_upcoming(network=network, user=member))
        titles = [(m.network.name, m.location_text, [i.title for i in m.visible_agenda_items]) for m in meetings]

    assert len(titles) == count


def test_meetings_in_month_uses_berlin_month_bounds(network):
    """A meeting at 00:30 on 1 May in Berlin is 22:30 UTC on 30 April: it belongs to May."""
    berlin = datetime.timezone(datetime.timedelta(hours=2))
    MeetingFactory(network=network, title="Mai", start=datetime.datetime(2027, 5, 1, 0, 30, tzinfo=berlin))
    MeetingFactory(network=network, title="April", start=datetime.datetime(2027, 4, 30, 23, 0, tzinfo=berlin))
    MeetingFactory(network=network, title="Dezember", start=datetime.datetime(2027, 12, 31, 20, 0, tzinfo=berlin))

    may = selectors.meetings_in_month(network=network, user=AnonymousUser(), year=2027, month=5)
    december = selectors.meetings_in_month(network=network, user=AnonymousUser(), year=2027, month=12)

    assert [m.title for m in may] == ["Mai"]
    assert [m.title for m in december] == ["Dezember"]
