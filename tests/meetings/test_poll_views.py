"""Date polls on the web: create with time ranges and whole days, vote, the matrix, close."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import DatePoll, DatePollOption, DatePollVote, Meeting
from tests.meetings.factories import DatePollFactory, DatePollOptionFactory
from tests.meetings.web_cast import cast_create

pytestmark = pytest.mark.django_db

# Session, user, roles, the poll with its options and votes, the invitees, and two for the hints.
QUERIES_POLL_PAGE = 15


@pytest.fixture
def cast():
    return cast_create()


def poll_data(*rows, **changes) -> dict:
    data = {
        "title": "Termin im Frühjahr",
        "description": "",
        "deadline_day": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
        "deadline_time": "12:00",
        "vorschlag-TOTAL_FORMS": str(max(len(rows), 1)),
        "vorschlag-INITIAL_FORMS": "0",
        "vorschlag-MIN_NUM_FORMS": "0",
        "vorschlag-MAX_NUM_FORMS": "30",
    }
    for index, (day, start, end) in enumerate(rows):
        data.update(
            {f"vorschlag-{index}-day": day, f"vorschlag-{index}-start_time": start, f"vorschlag-{index}-end_time": end}
        )
    data.update(changes)
    return data


def future(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def test_poll_created_with_a_range_and_a_whole_day(client, cast):
    client.force_login(cast.speaker)

    response = client.post(
        reverse("meetings:poll_create", args=[cast.network.slug]),
        poll_data((future(10), "18:00", "20:00"), (future(12), "", ""), invitee_roles=["mitglied"]),
    )

    poll = DatePoll.objects.get()
    assert response["Location"] == reverse("meetings:poll_detail", args=[poll.pk])
    options = list(poll.options.order_by("pk"))
    assert timezone.localtime(options[0].start).strftime("%H:%M") == "18:00"
    assert [option.is_whole_day for option in options] == [False, True]
    assert options[1].day.isoformat() == future(12)
    assert poll.invitee_roles == ["mitglied"]


def test_poll_without_options_is_refused_and_writes_nothing(client, cast):
    client.force_login(cast.speaker)

    response = client.post(reverse("meetings:poll_create", args=[cast.network.slug]), poll_data(("", "", "")))

    assert response.status_code == 400
    assert "mindestens einen Terminvorschlag" in response.content.decode()
    assert DatePoll.objects.count() == 0


def test_poll_option_with_only_a_start_time_is_a_field_error(client, cast):
    client.force_login(cast.speaker)

    response = client.post(
        reverse("meetings:poll_create", args=[cast.network.slug]), poll_data((future(3), "18:00", ""))
    )

    assert response.status_code == 400
    assert "Bitte geben Sie Beginn und Ende an" in response.content.decode()
    assert DatePoll.objects.count() == 0


def test_member_votes_and_matrix_shows_the_vote(client, cast):
    poll = DatePollFactory(network=cast.network)
    ranged = DatePollOptionFactory(poll=poll)
    whole = DatePollOptionFactory(
        poll=poll, start=None, end=None, day=timezone.localdate() + datetime.timedelta(days=20)
    )
    client.force_login(cast.member)

    response = client.post(
        reverse("meetings:poll_vote", args=[poll.pk]),
        {f"option-{ranged.pk}": "ja", f"option-{whole.pk}": "wenn_noetig"},
    )
    page = client.get(reverse("meetings:poll_detail", args=[poll.pk]))

    assert response.status_code == 302
    assert sorted(DatePollVote.objects.values_list("answer", flat=True)) == ["ja", "wenn_noetig"]
    assert page.context["sums"] == [(0, 1), (1, 0)]  # the whole day (in 20 days) comes first
    assert whole.day.strftime("%d.%m.%Y") in page.content.decode()


def test_vote_after_the_deadline_is_refused_in_german(client, cast):
    poll = DatePollFactory(network=cast.network)
    option = DatePollOptionFactory(poll=poll)
    DatePoll.objects.filter(pk=poll.pk).update(deadline=timezone.now() - datetime.timedelta(hours=1))
    client.force_login(cast.member)

    response = client.post(reverse("meetings:poll_vote", args=[poll.pk]), {f"option-{option.pk}": "ja"})

    assert response.status_code == 400
    assert "abgelaufen" in response.content.decode()
    assert DatePollVote.objects.count() == 0


def test_close_with_a_whole_day_creates_the_meeting_on_that_day(client, cast):
    poll = DatePollFactory(network=cast.network, title="Frühjahrstreffen")
    day = timezone.localdate() + datetime.timedelta(days=20)
    option = DatePollOptionFactory(poll=poll, start=None, end=None, day=day)
    client.force_login(cast.speaker)

    response = client.post(
        reverse("meetings:poll_close", args=[poll.pk]),
        {
            "abschluss-option": str(option.pk),
            "abschluss-start_time": "17:00",
            "abschluss-end_time": "19:00",
            "abschluss-visibility": "mitglieder",
            "abschluss-address": "Markt 1",
            "abschluss-room": "",
        },
    )

    meeting = Meeting.objects.get()
    assert response["Location"] == reverse("meetings:meeting_detail", args=[meeting.uid])
    assert (meeting.local_start.date(), meeting.local_start.hour, meeting.title) == (day, 17, "Frühjahrstreffen")
    assert DatePoll.objects.get().status == DatePoll.Status.CLOSED


def test_close_with_a_whole_day_needs_times(client, cast):
    poll = DatePollFactory(network=cast.network)
    option = DatePollOptionFactory(
        poll=poll, start=None, end=None, day=timezone.localdate() + datetime.timedelta(days=5)
    )
    client.force_login(cast.speaker)

    response = client.post(
        reverse("meetings:poll_close", args=[poll.pk]),
        {"abschluss-option": str(option.pk), "abschluss-visibility": "mitglieder"},
    )

    assert response.status_code == 400
    assert response.context["close_form"].errors["start_time"] == [
        "Für einen ganztägigen Vorschlag bitte Beginn und Ende angeben."
    ]
    assert (Meeting.objects.count(), DatePollOption.objects.count()) == (0, 1)


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "America/Los_Angeles"])
def test_whole_day_option_shows_its_calendar_day_in_any_zone(client, cast, zone):
    poll = DatePollFactory(network=cast.network)
    day = timezone.localdate() + datetime.timedelta(days=9)
    DatePollOptionFactory(poll=poll, start=None, end=None, day=day)
    client.force_login(cast.member)

    with timezone.override(zone):
        text = client.get(reverse("meetings:poll_detail", args=[poll.pk])).content.decode()

    assert f'{day:%d.%m.%Y} <span class="muted">(ganzer Tag)</span>' in text


def vote_form(html: str) -> str:
    return html.split('id="abstimmen"', 1)[1]


def test_poll_page_preselects_no_answer_and_names_the_weekday(client, cast):
    poll = DatePollFactory(network=cast.network)
    option = DatePollOptionFactory(poll=poll)
    weekday = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"][
        timezone.localtime(option.start).weekday()
    ]
    client.force_login(cast.member)

    form = vote_form(client.get(reverse("meetings:poll_detail", args=[poll.pk])).content.decode())

    assert (form.count("checked"), form.count(" required"), f"<legend>{weekday}, {option}</legend>" in form) == (
        0,
        3,
        True,
    )


def test_poll_vote_with_an_option_left_open_shows_the_page_with_a_german_error(client, cast):
    poll = DatePollFactory(network=cast.network)
    first = DatePollOptionFactory(poll=poll)
    DatePollOptionFactory(poll=poll, start=first.start + datetime.timedelta(days=1))
    client.force_login(cast.member)

    response = client.post(reverse("meetings:poll_vote", args=[poll.pk]), {f"option-{first.pk}": "ja"})

    assert response.status_code == 400
    assert "Bitte wählen Sie für jeden Terminvorschlag ja, wenn nötig oder nein." in vote_form(
        response.content.decode()
    )
    assert DatePollVote.objects.count() == 0


def test_poll_option_shows_the_planning_hints(client, cast):
    poll = DatePollFactory(network=cast.network)
    option = DatePollOptionFactory(poll=poll)
    calm = DatePollOptionFactory(poll=poll, start=option.start + datetime.timedelta(days=1))
    Meeting.objects.create(
        network=cast.network, title="Plenum", start=option.start, end=option.end, address="Kurbrunnenstraße 1"
    )
    client.force_login(cast.member)

    response = client.get(reverse("meetings:poll_detail", args=[poll.pk]))

    hints = {
        row[0].pk: [hint.message for hint in row[2] if hint.kind == "netzwerk"] for row in response.context["vote_rows"]
    }
    when = timezone.localtime(option.start).strftime("%d.%m.%Y %H:%M")
    assert hints[option.pk] == [f"Zur selben Zeit tagt dieses Netzwerk schon: „Plenum“ ({when})."]
    assert hints[calm.pk] == []
    assert "tagt dieses Netzwerk schon" in vote_form(response.content.decode())


@pytest.mark.parametrize("count", [1, 5])
def test_poll_page_query_count_is_constant(client, cast, django_assert_num_queries, count):
    poll = DatePollFactory(network=cast.network)
    for n in range(count):
        DatePollOptionFactory(poll=poll, start=timezone.now() + datetime.timedelta(days=10 + n))
    client.force_login(cast.member)
    client.get(reverse("meetings:poll_detail", args=[poll.pk]))  # session and user are cached after this

    with django_assert_num_queries(QUERIES_POLL_PAGE):
        client.get(reverse("meetings:poll_detail", args=[poll.pk]))


def test_close_form_names_the_weekday_of_each_option(client, cast):
    poll = DatePollFactory(network=cast.network)
    day = timezone.localdate() + datetime.timedelta(days=20)
    DatePollOptionFactory(poll=poll, start=None, end=None, day=day)
    weekday = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"][day.weekday()]
    client.force_login(cast.speaker)

    response = client.get(reverse("meetings:poll_detail", args=[poll.pk]))

    labels = [label for _value, label in response.context["close_form"].fields["option"].choices]
    assert labels == [f"{weekday}, {day:%d.%m.%Y}"]
