"""The public list of meetings is kept per state of the calendar and the directory: a change
shows at once, also one made by a bulk ``update()`` that no service sees, and no list a
signed-in user sees is ever kept, so nothing members-only reaches an anonymous visitor.
(Rows are kept per what their reader sees of a meeting: ``test_api_list_rows.py``.)"""

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts.models import Institution, Network
from meetings.models import AgendaItem, Meeting, MeetingDocument, MeetingSeries, Minutes, Visibility
from tests.factories import InstitutionFactory
from tests.meetings.api_support import build_world
from tests.meetings.factories import AgendaItemFactory, MeetingFactory, MinutesFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/meetings/"


@pytest.fixture
def world():
    return build_world()


def public_meeting(client, world) -> dict:
    rows = client.get(URL, {"network": "stk-forst"}).json()["results"]
    return next(row for row in rows if row["uid"] == str(world.meeting.uid))


def agenda_titles(client, world) -> list[str]:
    return [item["title"] for item in public_meeting(client, world)["agenda_items"]]


def test_api_meetings_anonymous_list_is_answered_from_the_cache_while_nothing_changes(client, world):
    first = client.get(URL)
    with CaptureQueriesContext(connection) as again:
        second = client.get(URL)

    assert second.content == first.content
    assert len(again) == 1  # the calendar's and the directory's stamps, read together


@pytest.mark.parametrize("role", ["member_x", "speaker_x", "staff"], ids=["member", "speaker", "sozialplanung"])
def test_api_meetings_members_only_agenda_never_reaches_anonymous_after_a_member_read(client, world, role):
    member = client.get(URL, {"network": "stk-forst"}, headers=world.headers(role))
    member_meeting = next(row for row in member.json()["results"] if row["uid"] == str(world.meeting.uid))
    anonymous = client.get(URL, {"network": "stk-forst"})

    assert [item["title"] for item in member_meeting["agenda_items"]] == ["Begrüßung", "Haushalt intern"]
    assert "Haushalt intern" not in anonymous.content.decode()
    assert "Interne Sitzung" not in anonymous.content.decode()
    assert "Interne Sitzung" in member.content.decode()


def test_api_meetings_signed_in_lists_are_never_kept(client, world):
    client.get(URL, headers=world.headers("member_x"))
    with CaptureQueriesContext(connection) as again:
        client.get(URL, headers=world.headers("member_x"))

    assert len(again) > 2


def test_api_meetings_bulk_update_of_an_agenda_item_shows_at_once(client, world):
    assert agenda_titles(client, world) == ["Begrüßung"]

    AgendaItem.objects.filter(pk=world.agenda_item.pk).update(is_public=False)
    hidden = agenda_titles(client, world)
    AgendaItem.objects.filter(pk=world.internal_item.pk).update(is_public=True)

    assert hidden == []
    assert agenda_titles(client, world) == ["Haushalt intern"]


def test_api_meetings_new_and_deleted_agenda_items_show_at_once(client, world):
    assert agenda_titles(client, world) == ["Begrüßung"]
    AgendaItemFactory(meeting=world.meeting, position=3, title="Verschiedenes")
    added = agenda_titles(client, world)
    AgendaItem.objects.filter(title="Begrüßung").delete()

    assert added == ["Begrüßung", "Verschiedenes"]
    assert agenda_titles(client, world) == ["Verschiedenes"]


def test_api_meetings_minutes_made_members_only_by_a_bulk_update_vanish_at_once(client, world):
    MinutesFactory(
        meeting=world.meeting, text="Öffentliches Protokoll", visibility=Visibility.PUBLIC, published_at=timezone.now()
    )
    shown = public_meeting(client, world)["minutes"]

    Minutes.objects.filter(meeting=world.meeting).update(visibility=Visibility.MEMBERS)

    assert shown["text"] == "Öffentliches Protokoll"
    assert public_meeting(client, world)["minutes"] is None


def test_api_meetings_document_made_members_only_by_a_bulk_update_vanishes_at_once(client, world):
    document = MeetingDocument.objects.create(
        meeting=world.meeting,
        title="Einladung",
        file=ContentFile(b"%PDF-1.4\n", name="einladung.pdf"),
        file_name="einladung.pdf",
        content_type="application/pdf",
        size=9,
        visibility=Visibility.PUBLIC,
    )
    shown = [row["title"] for row in public_meeting(client, world)["documents"]]

    MeetingDocument.objects.filter(pk=document.pk).update(visibility=Visibility.MEMBERS)

    assert shown == ["Einladung"]
    assert public_meeting(client, world)["documents"] == []


def test_api_meetings_series_made_members_only_by_a_bulk_update_is_hidden_at_once(client, world):
    occurrence = Meeting.objects.filter(series=world.series).order_by("start").first()
    MeetingSeries.objects.filter(pk=world.series.pk).update(visibility=Visibility.PUBLIC)
    Meeting.objects.filter(pk=occurrence.pk).update(visibility=Visibility.PUBLIC)

    def series_of_occurrence():
        rows = client.get(URL, {"network": "stk-forst", "page_size": 200}).json()["results"]
        return next(row["series"] for row in rows if row["uid"] == str(occurrence.uid))

    shown = series_of_occurrence()
    MeetingSeries.objects.filter(pk=world.series.pk).update(visibility=Visibility.MEMBERS)

    assert shown == world.series.pk
    assert series_of_occurrence() is None


def test_api_meetings_meeting_made_members_only_by_a_bulk_update_vanishes_at_once(client, world):
    before = [row["title"] for row in client.get(URL, {"network": "stk-forst"}).json()["results"]]

    Meeting.objects.filter(pk=world.meeting.pk).update(visibility=Visibility.MEMBERS)
    after = client.get(URL, {"network": "stk-forst"}).json()

    assert "Öffentliche Sitzung" in before
    assert "Öffentliche Sitzung" not in [row["title"] for row in after["results"]]
    assert after["count"] == len(before) - 1


def test_api_meetings_network_and_place_renamed_by_a_bulk_update_show_at_once(client, world):
    place = InstitutionFactory(name="Haus am Park")
    Meeting.objects.filter(pk=world.meeting.pk).update(institution=place)
    assert public_meeting(client, world)["location"]["institution"]["name"] == "Haus am Park"

    Network.objects.filter(pk=world.x.pk).update(name="Stadtteilkonferenz Forst-Nord")
    Institution.objects.filter(pk=place.pk).update(name="Haus im Park")
    row = public_meeting(client, world)

    assert row["network"]["name"] == "Stadtteilkonferenz Forst-Nord"
    assert row["location"]["institution"]["name"] == "Haus im Park"


def test_api_meetings_cached_list_keeps_the_requested_page_and_links(client, world):
    MeetingFactory.create_batch(3, network=world.x)
    first = client.get(URL, {"page_size": 2, "page": 2}).json()
    other = client.get(URL, {"page_size": 2, "page": 1}).json()
    again = client.get(URL, {"page_size": 2, "page": 2}).json()

    assert again == first
    assert other["results"] != first["results"]
    assert first["previous"] == "http://testserver/api/v1/meetings/?page_size=2"
