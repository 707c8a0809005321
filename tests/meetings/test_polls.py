"""Date polls: options, votes, deadline, invitees, closing into a meeting."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from contacts.models import Membership
from meetings import services
from meetings.models import DatePoll, DatePollOption, DatePollVote, Meeting
from tests.factories import MembershipFactory, NetworkFactory, PersonFactory
from tests.meetings.factories import in_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def network():
    return NetworkFactory()


def make_poll(network, **overrides) -> DatePoll:
    values = {
        "network": network,
        "title": "Jahresplanung",
        "options": [
            {"start": in_days(20), "end": in_days(20, hour=20)},
            {"day": timezone.localdate() + datetime.timedelta(days=25)},
        ],
        "deadline": in_days(10, hour=12),
    }
    values.update(overrides)
    return services.poll_create(**values)


def test_poll_create_stores_timed_and_whole_day_options(network):
    poll = make_poll(network)

    options = list(poll.options.order_by("pk"))
    assert [option.is_whole_day for option in options] == [False, True]
    assert (poll.status, poll.invitee_roles) == ("offen", [])


@pytest.mark.parametrize(
    ("overrides", "message_part"),
    [
        ({"options": []}, "mindestens einen Terminvorschlag"),
        ({"deadline": in_days(-1)}, "Zukunft"),
        ({"options": [{"start": in_days(20), "end": in_days(19)}]}, "Ende muss nach dem Beginn"),
        ({"options": [{"day": datetime.date(2000, 1, 1)}]}, "Vergangenheit"),
        ({"options": [{"day": datetime.date(2099, 1, 1), "start": in_days(3), "end": in_days(4)}]}, "entweder"),
        ({"options": [{"day": datetime.date(2099, 1, 1)}, {"day": datetime.date(2099, 1, 1)}]}, "doppelt"),
        ({"invitee_roles": ["kaiserin"]}, "bekannte Rollen"),
    ],
)
def test_poll_create_bad_input_is_refused_and_nothing_written(network, overrides, message_part):
    with pytest.raises(ValidationError) as error:
        make_poll(network, **overrides)

    assert message_part in " ".join(error.value.messages)
    assert DatePoll.objects.count() == 0
    assert DatePollOption.objects.count() == 0


def test_poll_vote_by_member_is_recorded_and_can_change(network):
    member = MembershipFactory(network=network).person
    option = make_poll(network).options.first()

    services.poll_vote(option=option, person=member, answer="ja")
    services.poll_vote(option=option, person=member, answer="wenn_noetig")

    assert list(DatePollVote.objects.values_list("person_id", "answer")) == [(member.pk, "wenn_noetig")]


def test_poll_vote_after_deadline_is_refused(network):
    member = MembershipFactory(network=network).person
    poll = make_poll(network)

    with pytest.raises(ValidationError) as error:
        services.poll_vote(
            option=poll.options.first(), person=member, answer="ja", now=poll.deadline + datetime.timedelta(seconds=1)
        )

    assert "Frist für diese Umfrage ist am" in error.value.messages[0]
    assert DatePollVote.objects.count() == 0


def test_poll_vote_by_non_invitee_is_refused(network):
    speaker_only = make_poll(network, invitee_roles=[Membership.Role.SPEAKER])
    member = MembershipFactory(network=network).person
    outsider = PersonFactory()
    speaker = MembershipFactory(network=network, role=Membership.Role.SPEAKER).person

    services.poll_vote(option=speaker_only.options.first(), person=speaker, answer="ja")
    for person in (member, outsider):
        with pytest.raises(ValidationError) as error:
            services.poll_vote(option=speaker_only.options.first(), person=person, answer="ja")
        assert "nicht eingeladen" in error.value.messages[0]

    assert list(DatePollVote.objects.values_list("person_id", flat=True)) == [speaker.pk]


def test_poll_close_with_timed_option_creates_the_meeting(network):
    poll = make_poll(network)
    option = poll.options.filter(day__isnull=True).get()

    meeting = services.poll_close(poll=poll, option=option)

    poll.refresh_from_db()
    assert (meeting.start, meeting.end, meeting.title, meeting.visibility) == (
        option.start,
        option.end,
        "Jahresplanung",
        "mitglieder",
    )
    assert (poll.status, poll.chosen_option, poll.meeting) == ("geschlossen", option, meeting)


def test_poll_close_with_whole_day_option_needs_times(network):
    poll = make_poll(network)
    option = poll.options.filter(day__isnull=False).get()

    with pytest.raises(ValidationError) as error:
        services.poll_close(poll=poll, option=option)

    assert "Beginn und Ende" in error.value.messages[0]
    assert Meeting.objects.count() == 0
    assert DatePoll.objects.get(pk=poll.pk).status == "offen"


@pytest.mark.parametrize("zone", ["Pacific/Auckland", "America/Los_Angeles", "UTC", "Europe/Berlin"])
def test_whole_day_option_stays_on_its_calendar_day_in_any_zone(network, zone):
    """The day is a date, not a timestamp: in Auckland and Los Angeles it is the same day."""
    day = datetime.date(2027, 3, 28)  # the day the clocks go forward
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        poll = make_poll(network, options=[{"day": day}], deadline=timezone.now() + datetime.timedelta(days=1))
        option = DatePollOption.objects.get(poll=poll)
        meeting = services.poll_close(
            poll=poll, option=option, start_time=datetime.time(18, 0), end_time=datetime.time(20, 0)
        )

    assert option.day == day
    assert str(option) == "28.03.2027"
    assert (meeting.local_start.date(), meeting.local_start.time(), meeting.local_end.time()) == (
        day,
        datetime.time(18, 0),
        datetime.time(20, 0),
    )


def test_poll_close_twice_is_refused(network):
    poll = make_poll(network)
    option = poll.options.filter(day__isnull=True).get()
    services.poll_close(poll=poll, option=option)

    with pytest.raises(ValidationError) as error:
        services.poll_close(poll=poll, option=option)

    assert error.value.messages == ["Die Umfrage ist bereits geschlossen."]
    assert Meeting.objects.count() == 1


def test_poll_close_with_option_of_another_poll_is_refused(network):
    poll = make_poll(network)
    other = make_poll(network).options.first()

    with pytest.raises(ValidationError):
        services.poll_close(poll=poll, option=other)

    assert Meeting.objects.count() == 0
