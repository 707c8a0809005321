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


def test_meetings_upcoming_anonymous_sees_public_meetings_only(network):
    MeetingFactory(network=network, title="Öffentlich")
    MeetingFactory(network=network, title="Intern", visibility=Visibility.MEMBERS)
    MeetingFactory(network=network, title="Vorbei", start=in_days(-2), end=in_days(-2) + datetime.timedelta(hours=1))

    meetings = list(selectors.meetings_upcoming(network=network, user=AnonymousUser()))

    assert [m.title for m in meetings] == ["Öffentlich"]


def test_meetings_upcoming_member_sees_internal_meetings_and_joint_ones_with_their_partners(network, member):
    MeetingFactory(network=network, title="Öffentlich", start=in_days(3))
    MeetingFactory(network=network, title="Intern", visibility=Visibility.MEMBERS, start=in_days(5))
    joint = MeetingFactory(title="Gemeinsam", start=in_days(7))
    joint.partnerships.create(network=network)

    meetings = list(selectors.meetings_upcoming(network=network, user=member))

    assert [m.title for m in meetings] == ["Öffentlich", "Intern", "Gemeinsam"]
    assert [n.name for n in meetings[2].networks] == [joint.network.name, network.name]


def test_meetings_upcoming_member_of_another_network_sees_public_only(network):
    outsider = UserFactory()
    MembershipFactory(person__user=outsider)
    MeetingFactory(network=network, title="Intern", visibility=Visibility.MEMBERS)

    assert list(selectors.meetings_upcoming(network=network, user=outsider)) == []


@pytest.mark.parametrize("count", [1, 12])
def test_meetings_upcoming_query_count_is_constant(network, member, django_assert_num_queries, count):
    for days in range(count):
        meeting = MeetingFactory(network=network, start=in_days(days + 1))
        meeting.partnerships.create(network=NetworkFactory())
    selectors.user_sees_internals(member, network)  # roles are computed once per user

    # The meetings with their hosts, their partner networks (joint meetings).
    with django_assert_num_queries(2):
        meetings = list(selectors.meetings_upcoming(network=network, user=member))
        names = [[n.short_name or n.name for n in m.networks] for m in meetings]

    assert len(names) == count


@pytest.mark.parametrize("as_member", [False, True], ids=["anonymous", "member"])
def test_meetings_in_month_agenda_items_as_the_viewer_may_see_them(network, member, as_member):
    public = MeetingFactory(network=network, title="Öffentlich", start=in_days(3))
    AgendaItemFactory(meeting=public, title="Begrüßung", position=1)
    AgendaItemFactory(meeting=public, title="Personalien", position=2, is_public=False)
    start = public.local_start

    meetings = list(
        selectors.meetings_in_month(
            network=network, user=member if as_member else AnonymousUser(), year=start.year, month=start.month
        )
    )

    titles = [item.title for item in meetings[0].visible_agenda_items]
    assert titles == (["Begrüßung", "Personalien"] if as_member else ["Begrüßung"])


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
