"""Documents in the calendar: a meeting's event carries ATTACH links to its public
documents only (never a members-only one, nor one of a non-public agenda item or of a
members-only meeting), in every feed and in the invitation's calendar attachment."""

import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.conf import settings
from django.urls import reverse

from contacts.models import Membership
from meetings import services
from meetings.ical import EventData, vevent_bytes
from meetings.models import Visibility
from tests.factories import NetworkFactory
from tests.meetings.api_support import user_with_role
from tests.meetings.documents_support import upload
from tests.meetings.factories import AgendaItemFactory, MeetingFactory

BERLIN = ZoneInfo("Europe/Berlin")


def event(**overrides) -> EventData:
    values = {
        "uid": "m-1@netzwerk.aachen.de",
        "sequence": 0,
        "summary": "Stadtteilkonferenz Eilendorf",
        "start": datetime.datetime(2027, 3, 2, 18, 30, tzinfo=BERLIN),
        "end": datetime.datetime(2027, 3, 2, 20, 0, tzinfo=BERLIN),
        "status": "CONFIRMED",
        "created": datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC),
        "last_modified": datetime.datetime(2027, 2, 1, tzinfo=datetime.UTC),
        **overrides,
    }
    return EventData(**values)


def test_vevent_attach_lines_are_read_back_by_icalendar():
    url = "https://netzwerk.aachen.de/termine/8c3e7a52-0000-4000-8000-000000000001/unterlagen/17/"
    data = vevent_bytes(event(attachments=((url, "application/pdf"),)))

    parsed = icalendar.Event.from_ical(data)

    attach = parsed["ATTACH"]
    assert (str(attach), attach.params["FMTTYPE"]) == (url, "application/pdf")
    assert b"ATTACH;FMTTYPE=application/pdf:https://netzwerk.aachen.de/termine/" in data


@pytest.mark.parametrize("media_type", ["", 'application/pdf";x', "text/plain;charset=utf-8"])
def test_vevent_refuses_a_media_type_that_would_break_the_line(media_type):
    with pytest.raises(ValueError):
        vevent_bytes(event(attachments=(("https://example.org/a", media_type),)))


@pytest.fixture
def documents(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    network = NetworkFactory(slug="stk-eilendorf")
    meeting = MeetingFactory(network=network, title="Stadtteilkonferenz Eilendorf")
    internal = MeetingFactory(network=network, title="Sprecherrunde", visibility=Visibility.MEMBERS)
    secret_item = AgendaItemFactory(meeting=meeting, is_public=False)
    add = services.document_add
    return {
        "network": network,
        "meeting": meeting,
        "internal": internal,
        "public": add(meeting=meeting, file=upload("Einladung.pdf"), visibility=Visibility.PUBLIC),
        "members": add(meeting=meeting, file=upload("Haushalt.pdf"), visibility=Visibility.MEMBERS),
        "secret_item": add(
            meeting=meeting, file=upload("Personal.pdf"), visibility=Visibility.PUBLIC, agenda_item=secret_item
        ),
        "internal_meeting": add(meeting=internal, file=upload("Runde.pdf"), visibility=Visibility.PUBLIC),
    }


def attach_urls(data: bytes) -> dict[str, list[str]]:
    calendar = icalendar.Calendar.from_ical(data)
    found = {}
    for vevent in calendar.walk("VEVENT"):
        attach = vevent.get("ATTACH", [])
        attach = attach if isinstance(attach, list) else [attach]
        # The title without the network's name in brackets, which feeds add.
        found[str(vevent["SUMMARY"]).split(" (")[0]] = [str(value) for value in attach]
    return found


def url_of(document) -> str:
    return settings.SITE_URL + reverse("meetings:document_file", args=[document.meeting.uid, document.pk])


@pytest.mark.django_db
def test_public_feed_attaches_public_documents_only(client, documents):
    response = client.get(reverse("feeds:network", args=["stk-eilendorf"]))

    found = attach_urls(b"".join(response.streaming_content))

    assert found == {"Stadtteilkonferenz Eilendorf": [url_of(documents["public"])]}


@pytest.mark.django_db
def test_personal_feed_of_a_member_also_attaches_public_documents_only(client, documents):
    member = user_with_role(documents["network"], Membership.Role.MEMBER)
    token = services.feed_token_issue(person=member.person)

    response = client.get(reverse("feeds:personal", args=[token.token]))

    found = attach_urls(b"".join(response.streaming_content))
    assert found["Stadtteilkonferenz Eilendorf"] == [url_of(documents["public"])]
    assert found["Sprecherrunde"] == []


@pytest.mark.django_db
def test_new_public_document_reaches_the_cached_feed(client, documents):
    path = reverse("feeds:network", args=["stk-eilendorf"])
    client.get(path)  # the VEVENT is now cached

    later = services.document_add(
        meeting=documents["meeting"], file=upload("Protokoll.pdf"), visibility=Visibility.PUBLIC
    )
    found = attach_urls(b"".join(client.get(path).streaming_content))

    assert found["Stadtteilkonferenz Eilendorf"] == [url_of(documents["public"]), url_of(later)]
