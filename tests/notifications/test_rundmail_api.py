"""``/api/v1/rundmails/``: create, preview, schedule, withdraw, reject, list — with the same
permissions and German messages as the pages, and token authentication as a script uses it."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from notifications.models import Delivery, Kind, Rundmail
from notifications.services.rundmail import rundmail_create, rundmail_schedule
from tests.meetings.api_support import auth_headers
from tests.meetings.web_cast import cast_create

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "member", "other_speaker", "speaker", "staff"]
URL = "/api/v1/rundmails/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def api(cast, role) -> APIClient:
    client = APIClient()
    client.credentials(**{"HTTP_" + key.upper(): value for key, value in auth_headers(cast.user(role)).items()})
    return client


def test_speaker_creates_previews_schedules_and_withdraws():
    cast = cast_create()
    client = api(cast, "speaker")

    created = client.post(
        URL,
        {"network": cast.network.slug, "subject": "Herbsttreffen", "body": "{anrede}, bis bald in {netzwerk}."},
        format="json",
    )
    assert created.status_code == 201, created.json()
    rundmail_id = created.json()["id"]
    assert created.json()["state"] == "entwurf"

    preview = client.get(f"{URL}{rundmail_id}/preview/", {"person": cast.member_person.pk})
    assert preview.status_code == 200
    assert preview.json()["body"].startswith(f"Guten Tag {cast.member_person.full_name}, bis bald in")
    assert preview.json()["recipients"] == 2

    moment = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    scheduled = client.post(f"{URL}{rundmail_id}/schedule/", {"send_at": moment}, format="json")
    assert scheduled.status_code == 200
    assert scheduled.json()["state"] == "geplant"

    withdrawn = client.post(f"{URL}{rundmail_id}/withdraw/")
    assert withdrawn.status_code == 200
    assert withdrawn.json()["state"] == "zurueckgezogen"
    assert not Delivery.objects.exists()


def test_send_now_through_the_api_plans_one_row_per_member():
    cast = cast_create()
    client = api(cast, "speaker")
    rundmail_id = client.post(
        URL, {"network": cast.network.slug, "subject": "Jetzt", "body": "Hallo"}, format="json"
    ).json()["id"]

    response = client.post(f"{URL}{rundmail_id}/schedule/", {}, format="json")

    assert response.json()["state"] == "versandt"
    assert Delivery.objects.filter(kind=Kind.RUNDMAIL).count() == 2


@pytest.mark.parametrize("role", ROLES)
def test_create_permissions(role):
    cast = cast_create()

    response = api(cast, role).post(URL, {"network": cast.network.slug, "subject": "S", "body": "B"}, format="json")

    expected = {"anonymous": 401, "member": 403, "other_speaker": 400, "speaker": 201, "staff": 201}[role]
    assert response.status_code == expected
    assert Rundmail.objects.count() == (1 if expected == 201 else 0)


@pytest.mark.parametrize("role", ROLES)
def test_schedule_permissions(role):
    cast = cast_create()
    rundmail = rundmail_create(network=cast.network, actor=cast.speaker, subject="S", body="B")

    response = api(cast, role).post(f"{URL}{rundmail.pk}/schedule/", {}, format="json")

    # A draft is not the business of members or other networks: it is not found for them.
    expected = {"anonymous": 401, "member": 404, "other_speaker": 404, "speaker": 200, "staff": 200}[role]
    assert response.status_code == expected
    assert Delivery.objects.exists() == (expected == 200)


def test_member_proposes_through_the_api():
    cast = cast_create()

    response = api(cast, "member").post(
        URL, {"network": cast.network.slug, "subject": "Flohmarkt", "body": "Kommt!", "propose": True}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["state"] == "vorgeschlagen"
    listed = api(cast, "speaker").get(URL, {"state": "vorgeschlagen"}).json()
    assert [item["subject"] for item in listed["results"]] == ["Flohmarkt"]


@pytest.mark.parametrize(
    "body,field,message",
    [
        ({"subject": "S", "body": "{vorname}"}, "body", "„{vorname}“"),
        ({"subject": "Zeile\nBcc: x@example.org", "body": "B"}, "subject", "Zeilenumbrüche"),
    ],
)
def test_bad_input_400_with_german_message_nothing_written(body, field, message):
    cast = cast_create()

    response = api(cast, "speaker").post(URL, {"network": cast.network.slug, **body}, format="json")

    assert response.status_code == 400
    assert message in str(response.json()[field])
    assert not Rundmail.objects.exists()


def test_file_renamed_pdf_refused_through_the_api():
    cast = cast_create()
    upload = SimpleUploadedFile("programm.pdf", b"<html><body onload=alert(1)></body></html>")

    response = api(cast, "speaker").post(
        URL,
        {"network": cast.network.slug, "subject": "Programm", "body": "Anbei", "files": [upload]},
        format="multipart",
    )

    assert response.status_code == 400
    assert "programm.pdf" in str(response.json()["files"])
    assert not Rundmail.objects.exists()


def test_schedule_in_the_past_and_to_nobody_400():
    cast = cast_create()
    rundmail = rundmail_create(network=cast.network, actor=cast.speaker, subject="S", body="B", roles=["gast"])
    client = api(cast, "speaker")

    past = client.post(f"{URL}{rundmail.pk}/schedule/", {"send_at": "2020-01-01T10:00:00+01:00"}, format="json")
    nobody = client.post(f"{URL}{rundmail.pk}/schedule/", {}, format="json")

    assert past.status_code == 400
    assert "Vergangenheit" in str(past.json())
    assert nobody.status_code == 400
    assert "niemanden" in str(nobody.json())
    assert Rundmail.objects.get().state == Rundmail.State.DRAFT


def test_member_lists_only_what_went_out_to_them_without_addresses():
    cast = cast_create()
    sent = rundmail_schedule(
        rundmail=rundmail_create(network=cast.network, actor=cast.speaker, subject="An alle", body="B"),
        actor=cast.speaker,
    )
    rundmail_create(network=cast.network, actor=cast.speaker, subject="Entwurf", body="B")

    listed = api(cast, "member").get(URL).json()["results"]
    other = api(cast, "other_speaker").get(URL).json()["results"]

    assert [item["id"] for item in listed] == [sent.pk]
    assert "@" not in str(listed)
    assert other == []


def test_schema_documents_the_rundmail_endpoints(tmp_path):
    import yaml

    path = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    paths = yaml.safe_load(path.read_text())["paths"]

    assert {name: set(paths[name]) - {"parameters"} for name in paths if name.startswith(URL)} == {
        URL: {"get", "post"},
        f"{URL}{{id}}/": {"get", "delete"},
        f"{URL}{{id}}/preview/": {"get"},
        f"{URL}{{id}}/reject/": {"post"},
        f"{URL}{{id}}/schedule/": {"post"},
        f"{URL}{{id}}/withdraw/": {"post"},
    }


def test_preview_for_someone_the_rundmail_does_not_reach_is_a_404():
    cast = cast_create()
    client = api(cast, "speaker")
    rundmail = client.post(URL, {"network": cast.network.slug, "subject": "Fest", "body": "{anrede}"}, format="json")

    response = client.get(f"{URL}{rundmail.json()['id']}/preview/", {"person": 0})

    assert (response.status_code, response.json()["detail"]) == (404, "Diese Person erhält die Rundmail nicht.")
