"""Meeting documents through the API: listed on the meeting (as far as the requester may
read them), uploaded (multipart), changed and removed by the network's speakers and
Sozialplanung; refused files and foreign agenda items are a 400 that writes nothing."""

import pytest
from django.urls import reverse

from meetings import services
from meetings.models import MeetingDocument, Visibility
from tests.meetings.api_support import ROLES, build_world
from tests.meetings.documents_support import EXE, HTML, PDF, docx, upload
from tests.meetings.factories import AgendaItemFactory, MeetingFactory

# Uploaded files go to a folder of the test's own (``media`` in tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

MANAGERS = {"speaker_x", "staff"}
INSIDERS = {"member_x", "speaker_x", "staff"}


@pytest.fixture
def world():
    world = build_world()
    add = services.document_add
    world.documents = {
        "public": add(meeting=world.meeting, file=upload("Einladung.pdf"), visibility=Visibility.PUBLIC),
        "members": add(meeting=world.meeting, file=upload("Haushalt.pdf"), visibility=Visibility.MEMBERS),
        "internal_item": add(
            meeting=world.meeting,
            file=upload("Personalien.pdf"),
            visibility=Visibility.PUBLIC,
            agenda_item=world.internal_item,
        ),
        "internal_meeting": add(
            meeting=world.internal_meeting, file=upload("Intern.pdf"), visibility=Visibility.PUBLIC
        ),
    }
    return world


def multipart(client, path, data, headers):
    return client.post(path, data, headers=headers)  # multipart/form-data, as a browser or script sends it


@pytest.mark.parametrize("role", ROLES)
def test_api_meeting_lists_the_documents_the_requester_may_read(client, world, role):
    headers = world.headers(role)

    rows = client.get("/api/v1/meetings/", {"page_size": 100}, headers=headers).json()["results"]
    listed = {document["title"] for row in rows for document in row["documents"]}
    own_list = client.get(f"/api/v1/meetings/{world.meeting.uid}/documents/", headers=headers).json()

    expected = {"Einladung"} | ({"Haushalt", "Personalien", "Intern"} if role in INSIDERS else set())
    assert listed == expected
    assert {row["title"] for row in own_list} == expected - {"Intern"}


def test_api_document_row_links_the_checked_download(client, world):
    document = world.documents["public"]

    row = client.get(f"/api/v1/meetings/{world.meeting.uid}/").json()["documents"][0]

    assert row == {
        "id": document.pk,
        "title": "Einladung",
        "kind": "vorlage",
        "kind_display": "Vorlage",
        "agenda_item": None,
        "visibility": "oeffentlich",
        "file_name": "Einladung.pdf",
        "content_type": "application/pdf",
        "size": len(PDF),
        "position": 1,
        "url": "http://testserver" + reverse("meetings:document_file", args=[world.meeting.uid, document.pk]),
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }
    download = client.get(row["url"])
    assert (download.status_code, b"".join(download.streaming_content)) == (200, PDF)


def test_api_meeting_list_query_count_does_not_grow_with_documents(client, world, django_assert_max_num_queries):
    for index in range(5):
        meeting = MeetingFactory(network=world.x)
        for number in range(3):
            services.document_add(meeting=meeting, file=upload(f"v{index}{number}.pdf"), visibility=Visibility.PUBLIC)
    client.get("/api/v1/meetings/")

    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/meetings/", {"page_size": 100})

    assert sum(len(row["documents"]) for row in response.json()["results"]) == 16


@pytest.mark.parametrize("role", ROLES)
def test_api_document_upload_permissions(client, world, role):
    before = MeetingDocument.objects.count()

    response = multipart(
        client,
        f"/api/v1/meetings/{world.meeting.uid}/documents/",
        {"file": upload("Vorlage.docx", docx()), "kind": "vorlage", "agenda_item": world.agenda_item.pk},
        world.headers(role),
    )

    if role in MANAGERS:
        assert response.status_code == 201, response.content
        created = MeetingDocument.objects.get(pk=response.json()["id"])
        assert (created.title, created.agenda_item, created.visibility, created.uploaded_by) == (
            "Vorlage",
            world.agenda_item,
            Visibility.MEMBERS,
            world.users[role],
        )
    else:
        assert response.status_code == {"anonymous": 401}.get(role, 403)
        assert MeetingDocument.objects.count() == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method", ["patch", "delete"])
def test_api_document_change_and_delete_permissions(client, world, role, method):
    document = world.documents["public"]
    path = f"/api/v1/meetings/{world.meeting.uid}/documents/{document.pk}/"
    before = list(MeetingDocument.objects.order_by("pk").values_list("pk", "title"))

    if method == "patch":
        response = client.patch(path, {"title": "Neu"}, content_type="application/json", headers=world.headers(role))
    else:
        response = client.delete(path, headers=world.headers(role))

    after = list(MeetingDocument.objects.order_by("pk").values_list("pk", "title"))
    if role in MANAGERS:
        assert response.status_code == (200 if method == "patch" else 204)
        assert after != before
    else:
        assert response.status_code == {"anonymous": 401}.get(role, 403)
        assert after == before


def test_api_members_only_meeting_documents_are_404_for_other_speakers(client, world):
    document = world.documents["internal_meeting"]
    headers = world.headers("speaker_y")

    statuses = [
        client.get(f"/api/v1/meetings/{world.internal_meeting.uid}/documents/", headers=headers).status_code,
        client.delete(
            f"/api/v1/meetings/{world.internal_meeting.uid}/documents/{document.pk}/", headers=headers
        ).status_code,
    ]

    assert statuses == [404, 404]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"file": upload("Einladung.pdf", EXE)}, "Diese Art von Datei nimmt Netzwerk nicht an."),
        ({"file": upload("Einladung.pdf", HTML)}, "Der Name der Datei passt nicht zu ihrem Inhalt"),
        ({"file": upload("Einladung.pdf", PDF + b"0" * (10 * 1024 * 1024))}, "Die Datei ist größer als 10 MB"),
    ],
)
def test_api_refused_files_are_a_400_with_the_reason(client, world, media, data, errors):
    before = MeetingDocument.objects.count()
    files_before = sorted(media.rglob("*"))

    response = multipart(client, f"/api/v1/meetings/{world.meeting.uid}/documents/", data, world.headers("speaker_x"))

    assert response.status_code == 400
    assert errors in response.json()["file"][0]
    assert (MeetingDocument.objects.count(), sorted(media.rglob("*"))) == (before, files_before)


def test_api_agenda_item_of_another_meeting_is_refused(client, world):
    elsewhere = AgendaItemFactory(meeting=world.past_meeting)
    before = MeetingDocument.objects.count()

    response = multipart(
        client,
        f"/api/v1/meetings/{world.meeting.uid}/documents/",
        {"file": upload(), "agenda_item": elsewhere.pk},
        world.headers("speaker_x"),
    )

    assert (response.status_code, response.json()) == (
        400,
        {"agenda_item": ["Dieser Tagesordnungspunkt gehört zu einer anderen Sitzung."]},
    )
    assert MeetingDocument.objects.count() == before


def test_api_patch_moves_a_document_to_the_first_place(client, world):
    document = world.documents["members"]

    client.patch(
        f"/api/v1/meetings/{world.meeting.uid}/documents/{document.pk}/",
        {"position": 1, "kind": "einladung"},
        content_type="application/json",
        headers=world.headers("speaker_x"),
    )

    titles = list(
        MeetingDocument.objects.filter(meeting=world.meeting).order_by("position").values_list("title", flat=True)
    )
    assert titles == ["Haushalt", "Einladung", "Personalien"]
