"""A meeting reads the same in the API's list of meetings as on its own: the list builds its
rows from plain values (``MeetingRowsRepresentation``), one meeting goes through
``MeetingSerializer``. For every audience and language, with every part a meeting can have:
partners, a members-only series, a place, agenda items, documents and minutes of each
visibility, a draft, a file."""

import datetime

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.utils import timezone

from meetings import services
from meetings.models import AgendaItem, Meeting, MeetingPartner, Visibility
from tests.factories import InstitutionFactory
from tests.meetings.api_support import ROLES, build_world
from tests.meetings.documents_support import upload
from tests.meetings.factories import AgendaItemFactory, MeetingFactory, in_days

# Uploaded files go to a folder of the test's own (``media`` in tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

URL = "/api/v1/meetings/"


@pytest.fixture
def world():
    world = build_world()
    x, y = world.x, world.y
    joint = MeetingFactory(network=x, title="Gemeinsame Sitzung", visibility=Visibility.MEMBERS)
    services.meeting_partners_set(meeting=joint, networks=[y])
    AgendaItemFactory(meeting=joint, position=1, title="Gemeinsamer Punkt", is_public=False)
    public_joint = MeetingFactory(network=y, title="Offene gemeinsame Sitzung")
    services.meeting_partners_set(meeting=public_joint, networks=[x])

    add = services.document_add
    add(meeting=world.meeting, file=upload("Einladung.pdf"), visibility=Visibility.PUBLIC)
    add(meeting=world.meeting, file=upload("Haushalt.pdf"), visibility=Visibility.MEMBERS)
    add(
        meeting=world.meeting,
        file=upload("Personalien.pdf"),
        visibility=Visibility.PUBLIC,
        agenda_item=world.internal_item,
    )
    add(meeting=joint, file=upload("Gemeinsam.pdf"), visibility=Visibility.MEMBERS)

    place = InstitutionFactory(name="Stadtteilbüro Forst", street="Schagenstraße 1", postal_code="52070", city="Aachen")
    held = MeetingFactory(
        network=x, title="Sitzung im Stadtteilbüro", start=in_days(-9), institution=place, room="Saal 2"
    )
    public_minutes = services.minutes_save(
        meeting=held,
        text="Protokoll für alle",
        file=ContentFile(b"%PDF-1.4\n", name="protokoll.pdf"),
        visibility=Visibility.PUBLIC,
    )
    services.minutes_publish(minutes=public_minutes)
    internal_held = MeetingFactory(network=x, title="Sitzung mit internem Protokoll", start=in_days(-16))
    services.minutes_publish(minutes=services.minutes_save(meeting=internal_held, text="Nur für Mitglieder"))

    internal_series = services.series_create(
        network=x,
        title="Sprecher*innenrunde",
        rule="FREQ=MONTHLY;BYDAY=1MO",
        first_date=timezone.localdate() + datetime.timedelta(days=1),
        start_time=datetime.time(17),
        duration_minutes=60,
        visibility=Visibility.MEMBERS,
        count=3,
    )
    opened = Meeting.objects.filter(series=internal_series).order_by("start").first()
    services.meeting_update(meeting=opened, visibility=Visibility.PUBLIC)
    moved = Meeting.objects.filter(series=world.series).order_by("start").first()
    services.meeting_move(
        meeting=moved, start=moved.start + datetime.timedelta(days=1), end=moved.end + datetime.timedelta(days=1)
    )
    return world


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("role", ROLES)
def test_api_meeting_list_rows_read_as_each_meeting_alone(client, world, role, language):
    headers = {**world.headers(role), "Accept-Language": language}
    listed = client.get(URL, {"page_size": 200}, headers=headers).json()["results"]

    alone = [client.get(f"{URL}{row['uid']}/", headers=headers).json() for row in listed]

    assert listed == alone


def test_api_meeting_list_rows_show_every_part_to_sozialplanung(client, world):
    rows = client.get(URL, {"page_size": 200}, headers=world.headers("staff")).json()["results"]
    by_title = {row["title"]: row for row in rows}

    assert [network["slug"] for network in by_title["Gemeinsame Sitzung"]["networks"]] == ["stk-forst", "stk-brand"]
    assert [document["title"] for document in by_title["Öffentliche Sitzung"]["documents"]] == [
        "Einladung",
        "Haushalt",
        "Personalien",
    ]
    assert by_title["Sitzung im Stadtteilbüro"]["minutes"]["file"].endswith("/protokoll/datei/")
    assert by_title["Sitzung im Stadtteilbüro"]["location"]["description"] == (
        "Stadtteilbüro Forst, Schagenstraße 1, 52070 Aachen, Saal 2"
    )
    assert by_title["Vergangene Sitzung"]["minutes"]["is_published"] is False
    assert sum(row["series"] is not None for row in rows if row["title"] == "Sprecher*innenrunde") == 3
    assert sum(row["moved_from"] is not None for row in rows) == 1


def test_api_meeting_list_rows_keep_internal_parts_from_anonymous(client, world):
    rows = client.get(URL, {"page_size": 200}).json()["results"]
    by_title = {row["title"]: row for row in rows}

    assert "Gemeinsame Sitzung" not in by_title
    assert [item["title"] for item in by_title["Öffentliche Sitzung"]["agenda_items"]] == ["Begrüßung"]
    assert [document["title"] for document in by_title["Öffentliche Sitzung"]["documents"]] == ["Einladung"]
    assert by_title["Sprecher*innenrunde"]["series"] is None  # the opened occurrence of a members-only series
    assert by_title["Sitzung mit internem Protokoll"]["minutes"] is None
    assert by_title["Vergangene Sitzung"]["minutes"] is None  # a draft
    assert by_title["Sitzung im Stadtteilbüro"]["minutes"]["text"] == "Protokoll für alle"


def test_api_meeting_list_rows_kept_for_one_audience_never_reach_another(client, world):
    """Each row is kept per state of its networks and per what its reader sees of that
    meeting: every audience, reading after all the others (their rows kept), gets exactly
    what it gets from an empty cache."""

    def read(role: str) -> bytes:
        return client.get(URL, {"page_size": 200}, headers=world.headers(role)).content

    alone = {}
    for role in ROLES:
        cache.clear()
        alone[role] = read(role)
    cache.clear()
    after_others = {role: read(role) for role in [*ROLES, *reversed(ROLES)]}

    assert after_others == alone


@pytest.mark.parametrize("role", ["member_x", "speaker_y"])
def test_api_meeting_list_rows_kept_follow_every_write_of_a_network(client, world, role):
    def rows() -> dict[str, dict]:
        listed = client.get(URL, {"page_size": 200}, headers=world.headers(role)).json()["results"]
        return {row["title"]: row for row in listed}

    before = rows()
    # Bulk writes no service sees: a partner added moves the partner's stamp alone, an
    # agenda item the host's.
    MeetingPartner.objects.create(meeting=world.internal_meeting, network=world.y)
    joint = rows()
    AgendaItem.objects.filter(pk=world.agenda_item.pk).update(title="Begrüßung und Bericht")
    after = rows()

    # Joint now: speaker_y sees the meeting too, and both see it as joint.
    assert ("Interne Sitzung" in before) == (role == "member_x")
    assert [network["slug"] for network in joint["Interne Sitzung"]["networks"]] == ["stk-forst", "stk-brand"]
    assert joint["Öffentliche Sitzung"]["agenda_items"][0]["title"] == "Begrüßung"
    assert after["Öffentliche Sitzung"]["agenda_items"][0]["title"] == "Begrüßung und Bericht"
