"""Meeting documents on the web: speakers upload, rename, reorder and remove them on the
meeting page; everyone who may read them finds them listed there (per meeting and under
each agenda item) and downloads them through the permission check; refused files say why
and leave nothing behind."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.models import MeetingDocument, Visibility
from tests.meetings.documents_support import EXE, HTML, PDF, docx, upload
from tests.meetings.factories import AgendaItemFactory, MeetingFactory
from tests.meetings.web_cast import cast_create

# Uploaded files go to a folder of the test's own (``media`` in tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

ROLES = ["anonymous", "member", "speaker", "other_speaker", "staff"]
READERS_OF_INTERNALS = {"member", "speaker", "staff"}
MANAGERS = {"speaker", "staff"}


def stored_files(media) -> list[str]:
    return sorted(str(path.relative_to(media)) for path in media.rglob("*") if path.is_file()) if media.exists() else []


@pytest.fixture
def cast():
    return cast_create()


@pytest.fixture
def meeting(cast):
    return MeetingFactory(network=cast.network, title="Stadtteilkonferenz Burtscheid")


def add(meeting, name="Einladung.pdf", content=PDF, **values):
    return services.document_add(meeting=meeting, file=upload(name, content), **values)


# --- service --------------------------------------------------------------------------


def test_document_add_takes_type_size_title_and_order_from_the_file(meeting):
    first = add(meeting, "Einladung_März_2027.pdf", kind=MeetingDocument.Kind.INVITATION)
    second = add(meeting, "vorlage.docx", docx(), title="Vorlage Quartiersfonds")

    rows = [(d.title, d.file_name, d.content_type, d.size, d.position, d.visibility) for d in (first, second)]
    assert rows == [
        ("Einladung März 2027", "Einladung_März_2027.pdf", "application/pdf", len(PDF), 1, Visibility.MEMBERS),
        (
            "Vorlage Quartiersfonds",
            "vorlage.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            len(docx()),
            2,
            Visibility.MEMBERS,
        ),
    ]
    with default_storage.open(first.file.name) as stored:
        assert stored.read() == PDF


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("einladung.pdf", EXE, "Diese Art von Datei nimmt Netzwerk nicht an"),
        ("einladung.pdf", HTML, "Der Name der Datei passt nicht zu ihrem Inhalt: sie endet auf „.pdf“"),
        ("gross.pdf", PDF + b"0" * (10 * 1024 * 1024), "Die Datei ist größer als 10 MB"),
        ("leer.pdf", b"", "Die Datei ist leer."),
    ],
)
def test_document_add_refuses_unsafe_files_and_writes_nothing(meeting, media, name, content, message):
    before = meeting.updated_at

    with pytest.raises(ValidationError) as refused:
        add(meeting, name, content)

    assert message in refused.value.message_dict["file"][0]
    meeting.refresh_from_db()
    assert (MeetingDocument.objects.count(), stored_files(media), meeting.updated_at) == (0, [], before)


def test_document_add_refuses_an_agenda_item_of_another_meeting(meeting, media):
    elsewhere = AgendaItemFactory(meeting=MeetingFactory(network=meeting.network))

    with pytest.raises(ValidationError) as refused:
        add(meeting, agenda_item=elsewhere)

    assert refused.value.message_dict == {"agenda_item": ["Dieser Tagesordnungspunkt gehört zu einer anderen Sitzung."]}
    assert (MeetingDocument.objects.count(), stored_files(media)) == (0, [])


def test_document_update_renames_and_moves_to_an_agenda_item(meeting):
    item = AgendaItemFactory(meeting=meeting, title="Quartiersfonds")
    document = add(meeting)

    services.document_update(document=document, title="  Einladung (neu)  ", agenda_item=item, kind="vorlage")

    document.refresh_from_db()
    assert (document.title, document.agenda_item_id, document.kind) == ("Einladung (neu)", item.pk, "vorlage")


def test_document_move_swaps_with_the_neighbour_of_the_same_place(meeting):
    item = AgendaItemFactory(meeting=meeting)
    a = add(meeting, "a.pdf")
    add(meeting, "b.pdf")
    under_item = add(meeting, "c.pdf", agenda_item=item)
    c = add(meeting, "d.pdf")

    services.document_move(document=a, step=1)
    services.document_move(document=c, step=-1)
    services.document_move(document=under_item, step=-1)  # alone under its item: stays

    order = list(MeetingDocument.objects.filter(agenda_item=None).order_by("position").values_list("title", flat=True))
    assert order == ["b", "d", "a"]
    assert MeetingDocument.objects.get(pk=under_item.pk).agenda_item == item


def test_document_remove_deletes_the_file_after_commit(meeting, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        kept, gone = add(meeting, "bleibt.pdf"), add(meeting, "weg.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        services.document_remove(document=gone)

    assert stored_files(media) == [kept.file.name]
    assert list(MeetingDocument.objects.values_list("title", "position")) == [("bleibt", 1)]


def test_deleted_meeting_and_agenda_item_leave_no_orphan_files(meeting, media, django_capture_on_commit_callbacks):
    item = AgendaItemFactory(meeting=meeting)
    with django_capture_on_commit_callbacks(execute=True):
        add(meeting, agenda_item=item)
        add(meeting, "zweite.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        services.agenda_item_remove(item=item)
    assert len(stored_files(media)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        meeting.delete()

    assert (MeetingDocument.objects.count(), stored_files(media)) == (0, [])


def test_document_changes_touch_the_meeting_for_the_feeds(meeting):
    before = meeting.updated_at

    add(meeting)

    meeting.refresh_from_db()
    assert meeting.updated_at > before


# --- reading and downloading ------------------------------------------------------------


@pytest.fixture
def papers(meeting):
    """A public document, a members-only one, and a public one under a non-public item."""
    internal_item = AgendaItemFactory(meeting=meeting, title="Personalien", is_public=False)
    return {
        "public": add(meeting, "Einladung.pdf", title="Öffentliche Einladung", visibility=Visibility.PUBLIC),
        "members": add(meeting, "intern.pdf", title="Interne Haushaltsvorlage", visibility=Visibility.MEMBERS),
        "internal_item": add(
            meeting,
            "personal.pdf",
            title="Vorlage Personalien",
            visibility=Visibility.PUBLIC,
            agenda_item=internal_item,
        ),
    }


def _login(client, cast, role):
    user = cast.user(role)
    if user is not None:
        client.force_login(user)


@pytest.mark.parametrize("role", ROLES)
def test_meeting_page_lists_the_documents_the_visitor_may_read(client, cast, meeting, papers, role):
    _login(client, cast, role)

    html = client.get(reverse("meetings:meeting_detail", args=[meeting.uid])).content.decode()

    shown = {name for name, document in papers.items() if document.title in html}
    assert shown == ({"public", "members", "internal_item"} if role in READERS_OF_INTERNALS else {"public"})
    assert "(Einladung, PDF," not in html or "Öffentliche Einladung" in html


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("which", ["public", "members", "internal_item"])
def test_document_download_permission_matrix(client, cast, meeting, papers, role, which):
    _login(client, cast, role)
    document = papers[which]

    response = client.get(reverse("meetings:document_file", args=[meeting.uid, document.pk]))

    if which == "public" or role in READERS_OF_INTERNALS:
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["X-Content-Type-Options"] == "nosniff"
    elif role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("contacts:login"))
    else:
        assert response.status_code == 404


def test_document_of_a_members_only_meeting_is_404_for_other_speakers_like_a_missing_one(client, cast):
    meeting = MeetingFactory(network=cast.network, visibility=Visibility.MEMBERS)
    document = add(meeting, visibility=Visibility.PUBLIC)
    client.force_login(cast.other_speaker)

    statuses = [
        client.get(reverse("meetings:document_file", args=[meeting.uid, document.pk])).status_code,
        client.get(reverse("meetings:document_file", args=[meeting.uid, 999999])).status_code,
    ]

    assert statuses == [404, 404]


def test_document_download_is_inline_for_pdf_and_an_attachment_for_office(client, cast, meeting):
    pdf = add(meeting, "Einladung.pdf", visibility=Visibility.PUBLIC)
    word = add(meeting, "Vorlage.docx", docx(), visibility=Visibility.PUBLIC)

    answers = [client.get(reverse("meetings:document_file", args=[meeting.uid, d.pk])) for d in (pdf, word)]

    assert [(r["Content-Type"], r["Content-Disposition"]) for r in answers] == [
        ("application/pdf", 'inline; filename="Einladung.pdf"'),
        (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            'attachment; filename="Vorlage.docx"',
        ),
    ]
    assert [b"".join(response.streaming_content)[:4] for response in answers] == [b"%PDF", b"PK\x03\x04"]


def test_media_folder_is_not_served(client, meeting):
    document = add(meeting, visibility=Visibility.PUBLIC)

    assert client.get("/media/" + document.file.name).status_code == 404


# --- speaker's pages --------------------------------------------------------------------


def op_add(cast, meeting):
    data = {"unterlage-file": upload(), "unterlage-kind": "einladung", "unterlage-visibility": "mitglieder"}
    return reverse("meetings:document_add", args=[meeting.uid]), data


def op_edit(cast, meeting):
    document = add(meeting)
    data = {"title": "Neuer Titel", "kind": "vorlage", "agenda_item": "", "visibility": "oeffentlich"}
    return reverse("meetings:document_edit", args=[meeting.uid, document.pk]), data


def op_remove(cast, meeting):
    document = add(meeting)
    return reverse("meetings:document_remove", args=[meeting.uid, document.pk]), {}


def op_move(cast, meeting):
    add(meeting, "a.pdf")
    document = add(meeting, "b.pdf")
    return reverse("meetings:document_move", args=[meeting.uid, document.pk]), {"richtung": "hoch"}


def snapshot():
    return list(MeetingDocument.objects.order_by("pk").values_list("pk", "title", "kind", "visibility", "position"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", [op_add, op_edit, op_remove, op_move], ids=lambda op: op.__name__)
def test_web_document_write_permissions(client, cast, meeting, role, operation):
    url, data = operation(cast, meeting)
    _login(client, cast, role)
    before = snapshot()

    response = client.post(url, data)

    after = snapshot()
    if role == "anonymous":
        assert (response.status_code, response["Location"].startswith(reverse("contacts:login"))) == (302, True)
        assert after == before
    elif role in MANAGERS:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert response["Location"] == reverse("meetings:meeting_detail", args=[meeting.uid]) + "#unterlagen"
        assert after != before
    else:
        assert response.status_code in (403, 404)
        assert after == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("Einladung.pdf", EXE, "Diese Art von Datei nimmt Netzwerk nicht an. Erlaubt sind: PDF, Word"),
        ("Einladung.pdf", HTML, "Der Name der Datei passt nicht zu ihrem Inhalt: sie endet auf „.pdf“"),
        ("Einladung.pdf", PDF + b"0" * (10 * 1024 * 1024), "Die Datei ist größer als 10 MB; bitte verkleinern"),
    ],
)
def test_web_upload_of_a_refused_file_says_why_and_stores_nothing(client, cast, meeting, media, name, content, message):
    client.force_login(cast.speaker)
    data = {"unterlage-file": upload(name, content), "unterlage-kind": "vorlage", "unterlage-visibility": "mitglieder"}

    response = client.post(reverse("meetings:document_add", args=[meeting.uid]), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert (MeetingDocument.objects.count(), stored_files(media)) == (0, [])


def test_web_upload_to_an_agenda_item_of_another_meeting_is_refused(client, cast, meeting, media):
    elsewhere = AgendaItemFactory(meeting=MeetingFactory(network=cast.network))
    client.force_login(cast.speaker)
    data = {
        "unterlage-file": upload(),
        "unterlage-kind": "vorlage",
        "unterlage-visibility": "mitglieder",
        "unterlage-agenda_item": str(elsewhere.pk),
    }

    response = client.post(reverse("meetings:document_add", args=[meeting.uid]), data)

    assert response.status_code == 400
    assert (
        f"Bitte wählen Sie einen Eintrag aus der Liste. {elsewhere.pk} gehört nicht dazu." in response.content.decode()
    )
    assert (MeetingDocument.objects.count(), stored_files(media)) == (0, [])


def test_web_speaker_uploads_to_an_agenda_item_and_sees_it_under_the_item(client, cast, meeting):
    item = AgendaItemFactory(meeting=meeting, position=1, title="Quartiersfonds")
    client.force_login(cast.speaker)
    data = {
        "unterlage-file": upload("Antrag_Quartiersfonds.pdf"),
        "unterlage-title": "",
        "unterlage-kind": "vorlage",
        "unterlage-visibility": "oeffentlich",
        "unterlage-agenda_item": str(item.pk),
    }

    response = client.post(reverse("meetings:document_add", args=[meeting.uid]), data, follow=True)

    html = response.content.decode()
    document = MeetingDocument.objects.get()
    assert (document.title, document.agenda_item, document.uploaded_by) == ("Antrag Quartiersfonds", item, cast.speaker)
    assert "Die Unterlage „Antrag Quartiersfonds“ ist hochgeladen." in html
    item_html = html[html.index(f'id="top-{item.pk}"') : html.index('id="unterlagen"')]
    assert "Antrag Quartiersfonds" in item_html
    assert "(Vorlage, PDF, " in item_html


def test_web_edit_form_shows_the_file_and_saves_the_new_title(client, cast, meeting):
    document = add(meeting)
    client.force_login(cast.speaker)
    url = reverse("meetings:document_edit", args=[meeting.uid, document.pk])

    page = client.get(url).content.decode()
    client.post(url, {"title": "Einladung zur Herbstsitzung", "kind": "einladung", "visibility": "mitglieder"})

    assert "Einladung.pdf" in page
    document.refresh_from_db()
    assert document.title == "Einladung zur Herbstsitzung"


def test_web_edit_of_another_networks_document_is_404_like_a_missing_one(client, cast, meeting):
    document = add(meeting, visibility=Visibility.PUBLIC)
    client.force_login(cast.other_speaker)

    statuses = [
        client.get(reverse("meetings:document_edit", args=[meeting.uid, document.pk])).status_code,
        client.get(reverse("meetings:document_edit", args=[meeting.uid, 999999])).status_code,
    ]

    assert statuses == [404, 404]


def test_past_meeting_takes_a_presentation(client, cast):
    start = timezone.now() - datetime.timedelta(days=3)
    meeting = MeetingFactory(network=cast.network, start=start, end=start + datetime.timedelta(hours=2))
    client.force_login(cast.speaker)
    data = {
        "unterlage-file": upload("Vortrag.pdf"),
        "unterlage-kind": "praesentation",
        "unterlage-visibility": "oeffentlich",
    }

    client.post(reverse("meetings:document_add", args=[meeting.uid]), data)
    client.logout()
    html = client.get(reverse("meetings:meeting_detail", args=[meeting.uid])).content.decode()

    assert "Vortrag" in html and "(Präsentation, PDF," in html


def test_deleted_uploader_account_leaves_the_document_and_its_file(meeting, cast, media):
    document = add(meeting, actor=cast.speaker)

    cast.speaker.delete()

    document.refresh_from_db()
    assert (document.uploaded_by, stored_files(media)) == (None, [document.file.name])


def test_admin_meeting_history_lists_document_changes(client, cast, meeting):
    document = add(meeting, title="Einladung")
    services.document_update(document=document, title="Einladung (korrigiert)")
    cast.staff.is_staff = True
    cast.staff.save()
    client.force_login(cast.staff)

    html = client.get(reverse("admin:meetings_meeting_history", args=[meeting.pk])).content.decode()

    assert "Einladung (korrigiert)" in html


def test_printed_invitation_names_the_documents(client, cast, meeting):
    item = AgendaItemFactory(meeting=meeting, position=1, title="Stadtteilfonds")
    add(meeting, title="Einladung Frühjahr", kind=MeetingDocument.Kind.INVITATION)
    add(meeting, title="Antrag Sommerfest", agenda_item=item)
    client.force_login(cast.speaker)

    html = client.get(reverse("meetings:invitation_print", args=[meeting.uid])).content.decode()

    assert ("Einladung Frühjahr (Einladung)" in html, "Antrag Sommerfest (Vorlage, TOP 1)" in html) == (True, True)
