"""Answering and voting from a mail link: no login, a GET changes nothing, a POST records."""

import datetime

import pytest

from meetings import tokens
from meetings.models import Attendance, DatePollVote
from meetings.recurrence import BERLIN
from tests.factories import MembershipFactory
from tests.meetings.factories import DatePollFactory, DatePollOptionFactory, MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invited():
    meeting = MeetingFactory()
    person = MembershipFactory(network=meeting.network).person
    return meeting, person


def test_opening_the_link_records_nothing(client, invited):
    meeting, person = invited

    response = client.get(tokens.answer_path(meeting_id=meeting.pk, person_id=person.pk, answer="absage"))

    assert response.status_code == 200
    assert 'value="absage" checked' in response.content.decode()
    assert not Attendance.objects.exists()


def test_one_click_records_the_answer_without_login(client, invited):
    meeting, person = invited
    path = tokens.answer_path(meeting_id=meeting.pk, person_id=person.pk, answer="zusage")

    response = client.post(path, {"antwort": "absage", "bemerkung": "Urlaub"})

    assert response.status_code == 200
    attendance = Attendance.objects.get(meeting=meeting, person=person)
    assert (attendance.answer, attendance.note) == ("absage", "Urlaub")
    assert "ist gespeichert" in response.content.decode()


def test_answer_to_cancelled_meeting_is_refused_in_german(client, invited):
    meeting, person = invited
    meeting.status = meeting.Status.CANCELLED
    meeting.save()

    response = client.post(tokens.answer_path(meeting_id=meeting.pk, person_id=person.pk, answer="zusage"))

    assert response.status_code == 400
    assert "abgesagt" in response.content.decode()
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("mangle", [lambda t: t[:-2] + "xx", lambda t: "kaputt", lambda t: t + "a"])
def test_altered_link_is_not_found(client, invited, mangle):
    meeting, person = invited
    token = tokens.answer_token_make(meeting_id=meeting.pk, person_id=person.pk)

    response = client.post(f"/termine/antwort/{mangle(token)}/", {"antwort": "zusage"})

    assert response.status_code == 404
    assert not Attendance.objects.exists()


def test_poll_link_is_not_an_answer_link(client, invited):
    meeting, person = invited
    poll_token = tokens.poll_token_make(poll_id=meeting.pk, person_id=person.pk)

    response = client.post(f"/termine/antwort/{poll_token}/", {"antwort": "zusage"})

    assert response.status_code == 404


def test_expired_link_is_refused():
    token = tokens.answer_token_make(meeting_id=1, person_id=2)

    with pytest.raises(tokens.TokenInvalid):
        tokens.answer_token_read(token, max_age=datetime.timedelta(seconds=-1))


def test_vote_on_every_option_from_the_link(client):
    poll = DatePollFactory()
    first, second = DatePollOptionFactory(poll=poll), DatePollOptionFactory(poll=poll)
    person = MembershipFactory(network=poll.network).person
    path = tokens.poll_vote_path(poll_id=poll.pk, person_id=person.pk)

    assert client.get(path).status_code == 200
    response = client.post(path, {f"option-{first.pk}": "ja", f"option-{second.pk}": "wenn_noetig"})

    assert response.status_code == 200
    votes = dict(DatePollVote.objects.filter(person=person).values_list("option_id", "answer"))
    assert votes == {first.pk: "ja", second.pk: "wenn_noetig"}


def test_vote_with_missing_option_writes_nothing(client):
    poll = DatePollFactory()
    first, _second = DatePollOptionFactory(poll=poll), DatePollOptionFactory(poll=poll)
    person = MembershipFactory(network=poll.network).person

    response = client.post(tokens.poll_vote_path(poll_id=poll.pk, person_id=person.pk), {f"option-{first.pk}": "ja"})

    assert response.status_code == 400
    assert "Bitte wählen Sie für jeden Terminvorschlag ja, wenn nötig oder nein." in response.content.decode()
    assert not DatePollVote.objects.exists()


def test_vote_page_from_the_link_shows_weekday_and_hints_and_preselects_nothing(client):
    poll = DatePollFactory()
    option = DatePollOptionFactory(poll=poll)
    MeetingFactory(network=poll.network, title="Plenum", start=option.start)
    person = MembershipFactory(network=poll.network).person
    weekday = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"][
        option.start.astimezone(BERLIN).weekday()
    ]

    html = client.get(tokens.poll_vote_path(poll_id=poll.pk, person_id=person.pk)).content.decode()

    assert (f"<legend>{weekday}, {option}</legend>" in html, "checked" in html) == (True, False)
    assert "Zur selben Zeit tagt dieses Netzwerk schon: „Plenum“" in html
