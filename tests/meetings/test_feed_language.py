"""Feeds in the subscriber's language: German unless the address asks for English
(``?sprache=en``); the personal feed in the person's language. The meetings' own titles
stay as the networks wrote them."""

import icalendar
import pytest
from django.urls import reverse
from django.utils import translation

from meetings import services
from meetings.models import Meeting
from tests.factories import MembershipFactory, NetworkFactory, PersonFactory
from tests.meetings.factories import MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    """A request in English leaves English active in this thread (the test client does not
    reset it); later tests expect the default, German."""
    yield
    translation.deactivate()


def calendar_of(response) -> icalendar.Calendar:
    assert response.status_code == 200
    return icalendar.Calendar.from_ical(b"".join(response.streaming_content))


def summaries_and_name(calendar: icalendar.Calendar) -> tuple[list[str], str]:
    return [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")], str(calendar["X-WR-CALNAME"])


def test_city_feed_in_english_when_the_address_asks(client):
    network = NetworkFactory(short_name="STK Forst")
    MeetingFactory(network=network, title="Sitzung", status=Meeting.Status.CANCELLED)

    english = calendar_of(client.get("/kalender/stadt.ics", {"sprache": "en"}))
    german = calendar_of(client.get("/kalender/stadt.ics"))

    assert summaries_and_name(english) == (["Cancelled: Sitzung (STK Forst)"], "Netzwerk Aachen: all meetings")
    assert summaries_and_name(german) == (["Abgesagt: Sitzung (STK Forst)"], "Netzwerk Aachen: alle Sitzungen")
    assert "More information: " in str(english.walk("VEVENT")[0]["DESCRIPTION"])


def test_feed_languages_have_their_own_etags(client):
    MeetingFactory()

    etags = {client.get("/kalender/stadt.ics", query)["ETag"] for query in ({}, {"sprache": "en"})}

    assert len(etags) == 2


def test_unknown_feed_language_falls_back_to_german(client):
    MeetingFactory()

    calendar = calendar_of(client.get("/kalender/stadt.ics", {"sprache": "xx"}))

    assert str(calendar["X-WR-CALNAME"]) == "Netzwerk Aachen: alle Sitzungen"


def test_builder_feed_accepts_the_language_parameter(client):
    network = NetworkFactory()
    MeetingFactory(network=network)

    calendar = calendar_of(client.get("/kalender/auswahl.ics", {"netzwerk": network.slug, "sprache": "en"}))

    assert str(calendar["X-WR-CALNAME"]) == "Netzwerk Aachen: selection"


def test_personal_feed_in_the_persons_language(client):
    person = PersonFactory(language="en")
    network = NetworkFactory()
    MembershipFactory(person=person, network=network)
    MeetingFactory(network=network)
    token = services.feed_token_issue(person=person)

    calendar = calendar_of(client.get(reverse("feeds:personal", args=[token.token])))

    assert str(calendar["X-WR-CALNAME"]) == "Netzwerk Aachen: my meetings"


def test_english_network_page_links_the_english_feed(client):
    network = NetworkFactory(slug="stk-forst")

    html = client.get(reverse("directory:network_detail", args=[network.slug]), HTTP_ACCEPT_LANGUAGE="en").content

    assert b"/kalender/netzwerk/stk-forst.ics?sprache=en" in html
