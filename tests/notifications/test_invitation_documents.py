"""The invitation and the meeting's documents: every document is listed with its
permission-checked link, the invitation papers (Einladung, Vorlagen) go along as
attachments when together they are small enough — sent by a real Celery worker through a
real SMTP server, where they arrive."""

import datetime
import email
from email import policy

import pytest
from django.conf import settings
from django.core import mail as django_mail
from django.urls import reverse
from django.utils import timezone

from meetings import services as meeting_services
from meetings.models import Meeting, MeetingDocument, Visibility
from notifications.models import Delivery, Kind
from notifications.services import deliveries_send, invitation_send_now, notifications_sweep
from tests.conftest import wait_until
from tests.meetings.documents_support import PDF, docx, upload
from tests.meetings.factories import AgendaItemFactory, MeetingFactory, in_days
from tests.notifications.conftest import members

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def papers_for(meeting, *, padding: int = 0) -> dict[str, MeetingDocument]:
    item = AgendaItemFactory(meeting=meeting, position=1, title="Quartiersfonds", is_public=False)
    add = meeting_services.document_add
    return {
        "invitation": add(
            meeting=meeting,
            file=upload("Einladung.pdf", PDF + b"%" * padding),
            kind=MeetingDocument.Kind.INVITATION,
            visibility=Visibility.PUBLIC,
        ),
        "paper": add(
            meeting=meeting,
            file=upload("Vorlage_Quartiersfonds.docx", docx()),
            kind=MeetingDocument.Kind.PAPER,
            agenda_item=item,
        ),
        "slides": add(meeting=meeting, file=upload("Vortrag.pdf"), kind=MeetingDocument.Kind.PRESENTATION),
    }


def url_of(document) -> str:
    return settings.SITE_URL + reverse("meetings:document_file", args=[document.meeting.uid, document.pk])


def attachments_of(message: email.message.Message) -> list[tuple[str, str, bytes]]:
    return [
        (part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
        for part in message.walk()
        if part.get_content_disposition() == "attachment"
    ]


@pytest.mark.django_db
def test_invitation_lists_every_document_and_attaches_the_papers(media):
    network, _people = members(1)
    meeting = MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=in_days(10))
    papers = papers_for(meeting)

    deliveries_send(delivery_ids=notifications_sweep().enqueued)

    (message,) = django_mail.outbox
    body = message.body
    assert "Unterlagen:\n- Einladung, Einladung, PDF," in body
    assert "- Vorlage Quartiersfonds (TOP 1), Vorlage, Word," in body
    assert all(url_of(document) in body for document in papers.values())
    assert "sowie die Einladung und die Vorlagen" in body
    assert attachments_of(message.message()) == [
        ("einladung.ics", "text/calendar", attachments_of(message.message())[0][2]),
        ("Einladung.pdf", "application/pdf", PDF),
        ("Vorlage_Quartiersfonds.docx", DOCX, docx()),
    ]


@pytest.mark.django_db
def test_invitation_links_papers_too_large_to_attach(media):
    network, _people = members(1)
    meeting = MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=in_days(10))
    papers = papers_for(meeting, padding=5 * 1024 * 1024)

    deliveries_send(delivery_ids=notifications_sweep().enqueued)

    (message,) = django_mail.outbox
    assert [name for name, _type, _data in attachments_of(message.message())] == ["einladung.ics"]
    assert url_of(papers["invitation"]) in message.body
    assert "sowie die Einladung" not in message.body


@pytest.mark.django_db
def test_english_invitation_lists_the_documents_in_english(media):
    network, _people = members(1, language="en")
    meeting = MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=in_days(10))
    papers = papers_for(meeting)

    deliveries_send(delivery_ids=notifications_sweep().enqueued)

    (message,) = django_mail.outbox
    assert "Documents:\n" in message.body
    assert url_of(papers["slides"]) in message.body
    assert "the invitation and the papers are attached too" in message.body


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_delivers_the_invitation_with_its_papers_to_the_smtp_server(smtp_sink, celery_worker_start):
    # The worker is a process of its own: the files lie in the media folder both read.
    network, people = members(2)
    meeting = MeetingFactory(
        network=network, status=Meeting.Status.CONFIRMED, start=timezone.now() + datetime.timedelta(days=20)
    )
    papers = papers_for(meeting)
    try:
        invitation_send_now(meeting=meeting)
        worker = celery_worker_start(beat=True)

        wait_until(
            lambda: Delivery.objects.filter(kind=Kind.INVITATION, state=Delivery.State.SENT).count() == 2,
            timeout=120,
            process=worker,
        )

        arrived = [email.message_from_bytes(smtp_sink.eml(number), policy=policy.default) for number in (1, 2)]
        for message in arrived:
            files = {(name, mime): data for name, mime, data in attachments_of(message)}
            assert files[("Einladung.pdf", "application/pdf")] == PDF
            assert files[("Vorlage_Quartiersfonds.docx", DOCX)] == docx()
            assert ("Vortrag.pdf", "application/pdf") not in files
            text = message.get_body(preferencelist=("plain",)).get_content()
            assert url_of(papers["slides"]) in text
        assert sorted(str(message["To"]).split("<")[-1].rstrip(">") for message in arrived) == sorted(
            person.channels.get().value for person in people
        )
        assert worker.stop() == 0
    finally:
        for document in MeetingDocument.objects.all():
            meeting_services.document_remove(document=document)
