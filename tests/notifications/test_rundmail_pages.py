"""The pages of „Rundmail“: who may do what (anonymous, member, speaker of another network,
speaker, Sozialplanung), bad input answered with a German message and nothing written, and
what members read in the archive (never another member's address)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from contacts.models import Membership
from notifications.models import Delivery, Kind, Rundmail
from notifications.services.rundmail import rundmail_create, rundmail_propose, rundmail_schedule
from tests.factories import ChannelFactory
from tests.meetings.web_cast import cast_create

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "member", "other_speaker", "speaker", "staff"]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def sent_rundmail(cast, **values):
    values = {"subject": "Sommerfest", "body": "{anrede}, wir laden ein.", **values}
    rundmail = rundmail_create(network=cast.network, actor=cast.speaker, **values)
    return rundmail_schedule(rundmail=rundmail, actor=cast.speaker)


def snapshot():
    return (
        list(Rundmail.objects.order_by("pk").values_list("pk", "state", "subject", "send_at")),
        Delivery.objects.count(),
    )


def login(client, cast, role):
    user = cast.user(role)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "page,expected",
    [
        ("archive", {"anonymous": 302, "member": 200, "other_speaker": 403, "speaker": 200, "staff": 200}),
        ("compose", {"anonymous": 302, "member": 403, "other_speaker": 403, "speaker": 200, "staff": 200}),
        ("outbox", {"anonymous": 302, "member": 403, "other_speaker": 403, "speaker": 200, "staff": 200}),
        ("propose", {"anonymous": 302, "member": 200, "other_speaker": 403, "speaker": 200, "staff": 200}),
    ],
)
def test_page_permissions(client, role, page, expected):
    cast = cast_create()

    response = login(client, cast, role).get(reverse(f"rundmail:{page}", args=[cast.network.slug]))

    assert response.status_code == expected[role]


def op_compose(cast):
    url = reverse("rundmail:compose", args=[cast.network.slug])
    return url, {"subject": "Neu", "body": "Hallo {name}"}


def op_schedule(cast):
    rundmail = rundmail_create(network=cast.network, actor=cast.speaker, subject="Entwurf", body="Text")
    return reverse("rundmail:schedule", args=[cast.network.slug, rundmail.pk]), {"when": "jetzt"}


def op_withdraw(cast):
    rundmail = rundmail_create(network=cast.network, actor=cast.speaker, subject="Geplant", body="Text")
    rundmail_schedule(rundmail=rundmail, actor=cast.speaker, send_at=timezone.now() + datetime.timedelta(days=1))
    return reverse("rundmail:withdraw", args=[cast.network.slug, rundmail.pk]), {}


def op_reject(cast):
    rundmail = rundmail_propose(network=cast.network, actor=cast.member, subject="Vorschlag", body="Text")
    return reverse("rundmail:reject", args=[cast.network.slug, rundmail.pk]), {"note": "Passt nicht."}


def op_propose(cast):
    return reverse("rundmail:propose", args=[cast.network.slug]), {"subject": "Flohmarkt", "body": "Kommt vorbei"}


WRITES = {
    op_compose: {"speaker", "staff"},
    op_schedule: {"speaker", "staff"},
    op_withdraw: {"speaker", "staff"},
    op_reject: {"speaker", "staff"},
    op_propose: {"member", "speaker", "staff"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", list(WRITES), ids=lambda op: op.__name__.removeprefix("op_"))
def test_write_permissions(client, role, operation):
    cast = cast_create()
    url, data = operation(cast)
    before = snapshot()

    response = login(client, cast, role).post(url, data)

    after = snapshot()
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("contacts:login"))
        assert after == before
    elif role in WRITES[operation]:
        assert response.status_code == 302, response.content.decode()[:3000]
        assert after != before
    else:
        assert response.status_code == 403
        assert after == before


def test_compose_preview_send_as_speaker(client):
    cast = cast_create()
    ChannelFactory(person=cast.member_person)
    client.force_login(cast.speaker)

    response = client.post(
        reverse("rundmail:compose", args=[cast.network.slug]),
        {
            "subject": "Sommerfest",
            "body": "{anrede},\nbis bald in {netzwerk}.",
            "files": [SimpleUploadedFile("a.pdf", PDF)],
        },
    )
    rundmail = Rundmail.objects.get()
    assert response["Location"] == reverse("rundmail:detail", args=[cast.network.slug, rundmail.pk])
    preview = client.get(response["Location"], {"an": cast.member_person.pk}).content.decode()
    assert f"Guten Tag {cast.member_person.full_name},\nbis bald in {cast.network.name}." in preview
    assert "a.pdf" in preview

    sent = client.post(reverse("rundmail:schedule", args=[cast.network.slug, rundmail.pk]), {"when": "jetzt"})

    assert sent.status_code == 302
    assert Delivery.objects.filter(kind=Kind.RUNDMAIL).count() == 2
    assert "geht jetzt an 2 Empfänger*innen" in client.get(sent["Location"]).content.decode()


@pytest.mark.parametrize(
    "data,message",
    [
        ({"subject": "Hallo", "body": "{anrede}, {vorname}"}, "Den Platzhalter „{vorname}“ gibt es nicht"),
        ({"subject": "", "body": "Text"}, "Dieses Feld ist zwingend erforderlich"),
        (
            {
                "subject": "Flyer",
                "body": "Text",
                "files": [SimpleUploadedFile("flyer.pdf", b"<html><script></script>")],
            },
            "flyer.pdf",
        ),
    ],
)
def test_compose_bad_input_400_with_message_nothing_written(client, data, message):
    cast = cast_create()
    client.force_login(cast.speaker)

    response = client.post(reverse("rundmail:compose", args=[cast.network.slug]), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Rundmail.objects.exists()


def test_schedule_in_the_past_400_with_message(client):
    cast = cast_create()
    rundmail = rundmail_create(network=cast.network, actor=cast.speaker, subject="Hallo", body="Text")
    client.force_login(cast.speaker)

    response = client.post(
        reverse("rundmail:schedule", args=[cast.network.slug, rundmail.pk]),
        {"when": "spaeter", "send_at": "01.01.2020 10:00"},
    )

    assert response.status_code == 400
    assert "Der Zeitpunkt liegt in der Vergangenheit" in response.content.decode()
    assert Rundmail.objects.get().state == Rundmail.State.DRAFT


def test_schedule_with_everyone_opted_out_400_with_message(client):
    from notifications.models import Preference

    cast = cast_create()
    for person in (cast.speaker_person, cast.member_person):
        Preference.objects.create(person=person, network_news=False)
    rundmail = rundmail_create(network=cast.network, actor=cast.speaker, subject="Hallo", body="Text")
    client.force_login(cast.speaker)

    response = client.post(reverse("rundmail:schedule", args=[cast.network.slug, rundmail.pk]), {"when": "jetzt"})

    assert response.status_code == 400
    assert "erreicht niemanden per Mail" in response.content.decode()
    assert not Delivery.objects.exists()


def test_member_reads_the_archive_without_addresses_and_not_what_went_to_speakers_only(client):
    cast = cast_create()
    for person in (cast.speaker_person, cast.member_person):
        ChannelFactory(person=person, value=f"geheim-{person.pk}@example.org")
    to_all = sent_rundmail(cast, subject="An alle")
    sent_rundmail(cast, subject="Nur Sprecher*innen", roles=[Membership.Role.SPEAKER])
    client.force_login(cast.member)

    archive = client.get(reverse("rundmail:archive", args=[cast.network.slug])).content.decode()
    page = client.get(reverse("rundmail:detail", args=[cast.network.slug, to_all.pk])).content.decode()

    assert "An alle" in archive
    assert "Nur Sprecher*innen" not in archive
    assert "geheim-" not in archive + page
    speakers_only = Rundmail.objects.get(subject="Nur Sprecher*innen")
    assert client.get(reverse("rundmail:detail", args=[cast.network.slug, speakers_only.pk])).status_code == 404


def test_network_page_shows_the_archive_to_members_only(client):
    cast = cast_create()
    sent_rundmail(cast, subject="Sommerfest im Kurpark")
    url = reverse("directory:network_detail", args=[cast.network.slug])

    anonymous = client.get(url).content.decode()
    client.force_login(cast.member)
    member = client.get(url).content.decode()

    assert "Sommerfest im Kurpark" not in anonymous
    assert "Sommerfest im Kurpark" in member
    assert "Rundmail vorschlagen" in member


def test_attachment_download_for_members_only(client):
    cast = cast_create()
    rundmail = sent_rundmail(cast, files=[SimpleUploadedFile("programm.pdf", PDF)])
    url = reverse("rundmail:attachment", args=[cast.network.slug, rundmail.pk, rundmail.attachments.get().pk])

    assert client.get(url).status_code == 302
    client.force_login(cast.other_speaker)
    assert client.get(url).status_code == 403
    client.force_login(cast.member)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["X-Content-Type-Options"] == "nosniff"


def test_outbox_lists_proposals_and_scheduled(client):
    cast = cast_create()
    rundmail_propose(network=cast.network, actor=cast.member, subject="Flohmarkt im Familienzentrum", body="Text")
    planned = rundmail_create(network=cast.network, actor=cast.speaker, subject="Einladung Herbst", body="Text")
    rundmail_schedule(rundmail=planned, actor=cast.speaker, send_at=timezone.now() + datetime.timedelta(days=3))
    client.force_login(cast.speaker)

    page = client.get(reverse("rundmail:outbox", args=[cast.network.slug])).content.decode()

    assert "Flohmarkt im Familienzentrum" in page
    assert "Einladung Herbst" in page
    assert "Zurückziehen" in page


@pytest.mark.parametrize("count", [1, 8])
def test_archive_query_count_does_not_grow(client, count, django_assert_max_num_queries):
    cast = cast_create()
    for number in range(count):
        sent_rundmail(cast, subject=f"Mitteilung {number}", files=[SimpleUploadedFile("a.pdf", PDF)])
    client.force_login(cast.member)
    url = reverse("rundmail:archive", args=[cast.network.slug])
    client.get(url)

    with django_assert_max_num_queries(14):
        response = client.get(url)

    assert response.content.decode().count("Mitteilung ") == count
