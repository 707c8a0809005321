"""Minutes files: one size limit for the web form, the API and the Verwaltung; files that are
replaced or whose meeting is deleted leave the storage; the API links the checked download."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse
from django.utils import timezone

from contacts.models import Membership
from meetings import services
from meetings.models import Minutes
from tests.meetings.api_support import auth_headers, user_with_role
from tests.meetings.factories import MeetingFactory

pytestmark = pytest.mark.django_db

TEN_MB = 10 * 1024 * 1024
TOO_BIG = "Die Datei ist größer als 10 MB; bitte verkleinern oder als PDF speichern."


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def pdf(name: str = "protokoll.pdf", size: int = 20) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF" + b"x" * (size - 4), content_type="application/pdf")


def past_meeting(**kwargs):
    start = timezone.now() - datetime.timedelta(days=1)
    return MeetingFactory(start=start, end=start + datetime.timedelta(hours=1), **kwargs)


def test_api_minutes_file_over_10_mb_is_refused_like_the_web_form(client):
    meeting = past_meeting()
    speaker = user_with_role(meeting.network, Membership.Role.SPEAKER)

    response = client.put(
        f"/api/v1/meetings/{meeting.uid}/minutes/",
        encode_multipart(BOUNDARY, {"text": "Beschlüsse", "file": pdf(size=TEN_MB + 1)}),
        headers=auth_headers(speaker),
        content_type=MULTIPART_CONTENT,
    )

    assert (response.status_code, response.json()) == (400, {"file": [TOO_BIG]})
    assert Minutes.objects.count() == 0


def test_minutes_save_service_refuses_a_file_over_10_mb():
    meeting = past_meeting()

    with pytest.raises(ValidationError) as raised:
        services.minutes_save(meeting=meeting, text="", file=pdf(size=TEN_MB + 1))

    assert raised.value.message_dict == {"file": [TOO_BIG]}


def test_minutes_replaced_file_is_removed_after_commit(django_capture_on_commit_callbacks):
    meeting = past_meeting()
    with django_capture_on_commit_callbacks(execute=True):
        first = services.minutes_save(meeting=meeting, file=pdf("erste.pdf")).file.name
    with django_capture_on_commit_callbacks(execute=True):
        second = services.minutes_save(meeting=meeting, file=pdf("zweite.pdf")).file.name

    assert (default_storage.exists(first), default_storage.exists(second)) == (False, True)


def test_minutes_text_change_keeps_the_file(django_capture_on_commit_callbacks):
    meeting = past_meeting()
    with django_capture_on_commit_callbacks(execute=True):
        name = services.minutes_save(meeting=meeting, file=pdf()).file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.minutes_save(meeting=meeting, text="Nachtrag")

    assert default_storage.exists(name)


def test_deleted_meeting_takes_its_minutes_file_along(django_capture_on_commit_callbacks):
    meeting = past_meeting()
    with django_capture_on_commit_callbacks(execute=True):
        name = services.minutes_save(meeting=meeting, file=pdf()).file.name
    with django_capture_on_commit_callbacks(execute=True):
        meeting.delete()

    assert default_storage.exists(name) is False


def test_api_minutes_file_links_the_checked_download(client):
    meeting = past_meeting()
    speaker = user_with_role(meeting.network, Membership.Role.SPEAKER)
    services.minutes_save(meeting=meeting, file=pdf())

    data = client.get(f"/api/v1/meetings/{meeting.uid}/minutes/", headers=auth_headers(speaker)).json()

    assert data["file"] == "http://testserver" + reverse("meetings:minutes_file", kwargs={"uid": meeting.uid})


def test_two_networks_minutes_both_called_protokoll_pdf_keep_that_name():
    # Every secretary calls the file „protokoll.pdf“: the mail attaches it and the download
    # offers it under that name, not as „protokoll_a1B2c3D.pdf“.
    first = services.minutes_save(meeting=past_meeting(), text="", file=pdf())
    second = services.minutes_save(meeting=past_meeting(), text="", file=pdf())

    assert (first.file_name, second.file_name) == ("protokoll.pdf", "protokoll.pdf")
    assert first.file.name != second.file.name
    assert all(default_storage.exists(minutes.file.name) for minutes in (first, second))
