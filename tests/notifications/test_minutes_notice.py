"""„Protokoll veröffentlicht“: publishing minutes tells the network's members once, through
the delivery log (planned by the sweep, sent by a real worker to a real SMTP server), with
the link and the file attached when small; an opt-out is respected, an edit tells nobody
unless the speaker asks to tell the members again."""

import datetime
import email
import email.header
import email.policy

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from meetings import services as meeting_services
from meetings.models import Minutes
from notifications.models import Delivery, Kind, PeriodicRun, Preference, Subject
from notifications.services import delivery_send, notifications_sweep
from tests.conftest import wait_until
from tests.meetings.factories import AgendaItemFactory, MeetingFactory, in_days
from tests.notifications.conftest import members, wait_for_final

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _held_meeting(network, title="Herbstkonferenz"):
    meeting = MeetingFactory(network=network, title=title, start=in_days(-2), end=in_days(-2, hour=20))
    AgendaItemFactory(meeting=meeting, position=1, title="Spielplatz")
    return meeting


def _published(meeting, *, text="## TOP 1\n\nDer Zaun kommt.", file=None):
    minutes = meeting_services.minutes_save(meeting=meeting, text=text, file=file)
    return meeting_services.minutes_publish(minutes=minutes)


def minutes_rows():
    return list(Delivery.objects.filter(kind=Kind.MINUTES).order_by("pk"))


@pytest.mark.django_db
def test_the_sweep_plans_one_notice_per_member_once():
    network, people = members(3)
    other_network, _others = members(2)
    meeting = _held_meeting(network)
    _published(meeting)
    meeting_services.minutes_save(meeting=_held_meeting(other_network), text="Entwurf")  # a draft: nobody

    notifications_sweep()
    notifications_sweep()

    rows = minutes_rows()
    assert sorted(row.person_id for row in rows) == sorted(person.pk for person in people)
    assert {(row.subject_type, row.subject_id, row.version) for row in rows} == {(Subject.MEETING, meeting.pk, 1)}


@pytest.mark.django_db
def test_an_edit_tells_nobody_until_the_speaker_asks_to_tell_again():
    network, people = members(2)
    meeting = _held_meeting(network)
    minutes = _published(meeting)
    notifications_sweep()

    meeting_services.minutes_save(meeting=meeting, text="Korrigiert")
    meeting_services.minutes_publish(minutes=minutes)
    notifications_sweep()
    after_edit = len(minutes_rows())
    meeting_services.minutes_publish(minutes=minutes, notify_again=True)
    notifications_sweep()

    assert after_edit == 2
    assert sorted((row.version, row.person_id) for row in minutes_rows()) == sorted(
        (version, person.pk) for version in (1, 2) for person in people
    )


@pytest.mark.django_db
def test_the_mail_links_the_minutes_and_attaches_a_small_file(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    network, _people = members(1)
    meeting = _held_meeting(network)
    _published(meeting, file=SimpleUploadedFile("protokoll-herbst.pdf", PDF, content_type="application/pdf"))
    notifications_sweep()
    (row,) = minutes_rows()

    state = delivery_send(delivery_id=row.pk)

    assert state == Delivery.State.SENT
    (message,) = mail.outbox
    assert message.subject == "Protokoll veröffentlicht: Herbstkonferenz"
    assert f"/termine/{meeting.uid}/#protokoll" in message.body
    assert f"/termine/{meeting.uid}/protokoll/drucken/" in message.body
    assert "Die Datei „protokoll-herbst.pdf“ hängt an dieser Mail." in message.body
    assert message.attachments[0][0] == "protokoll-herbst.pdf"
    assert message.attachments[0][1] == PDF and message.attachments[0][2] == "application/pdf"
    assert "/benachrichtigungen/abbestellen/" in message.extra_headers["List-Unsubscribe"]


@pytest.mark.django_db
def test_a_file_over_five_megabytes_goes_as_a_link_only(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    network, _people = members(1)
    meeting = _held_meeting(network)
    big = PDF + b"%" + b"0" * (6 * 1024 * 1024)
    _published(meeting, file=SimpleUploadedFile("gross.pdf", big, content_type="application/pdf"))
    notifications_sweep()

    delivery_send(delivery_id=minutes_rows()[0].pk)

    (message,) = mail.outbox
    assert message.attachments == []
    assert f"/termine/{meeting.uid}/protokoll/datei/" in message.body


@pytest.mark.django_db
def test_an_english_speaking_member_gets_the_english_mail_and_a_renewed_notice_says_changed():
    network, _people = members(1, language="en")
    meeting = _held_meeting(network)
    minutes = _published(meeting)
    notifications_sweep()
    meeting_services.minutes_publish(minutes=minutes, notify_again=True)
    notifications_sweep()
    first, second = minutes_rows()

    delivery_send(delivery_id=first.pk)
    delivery_send(delivery_id=second.pk)

    assert Delivery.objects.get(pk=first.pk).state == Delivery.State.SKIPPED
    (message,) = mail.outbox
    assert message.subject == "Minutes changed: Herbstkonferenz"
    assert "have been changed" in message.body


@pytest.mark.django_db
def test_a_digest_reader_gets_the_minutes_in_the_weekly_overview_instead():
    network, (person,) = members(1)
    Preference.objects.create(person=person, digest=True, digest_instead=True)
    meeting = _held_meeting(network)
    _published(meeting)
    monday = timezone.now() + datetime.timedelta(days=7 - timezone.localdate().weekday())
    notifications_sweep()

    (row,) = minutes_rows()
    notice = delivery_send(delivery_id=row.pk)
    notifications_sweep(now=monday.replace(hour=8))
    digest = Delivery.objects.filter(kind=Kind.DIGEST, person=person).order_by("-version").first()
    delivery_send(delivery_id=digest.pk, now=monday.replace(hour=8))

    assert notice == Delivery.State.SKIPPED
    (message,) = mail.outbox
    assert "Neue Protokolle:" in message.body and "Herbstkonferenz" in message.body


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_sends_exactly_one_notice_to_each_member_and_none_to_the_opted_out(
    smtp_sink, celery_worker_start, media_shared_with_worker
):
    # The worker reads the file where this process stores it (media_shared_with_worker).
    network, people = members(3)
    opted_out = people[2]
    Preference.objects.create(person=opted_out, minutes=False)
    meeting = _held_meeting(network)
    minutes = _published(meeting, file=SimpleUploadedFile("protokoll.pdf", PDF, content_type="application/pdf"))
    # An edit afterwards, without telling again: still one mail each.
    meeting_services.minutes_save(meeting=meeting, text="Korrigiert")
    meeting_services.minutes_publish(minutes=minutes)
    worker = celery_worker_start(beat=True)

    wait_until(lambda: len(minutes_rows()) == 3, timeout=60, process=worker)
    wait_for_final(timeout=60, process=worker)
    wait_until(lambda: PeriodicRun.objects.get(name="sweep").run_count >= 4, timeout=30, process=worker)

    assert worker.stop() == 0
    states = {(row.person_id, row.state) for row in minutes_rows()}
    assert states == {
        (people[0].pk, Delivery.State.SENT),
        (people[1].pk, Delivery.State.SENT),
        (opted_out.pk, Delivery.State.SKIPPED),
    }
    arrivals = [arrival for arrival in smtp_sink.arrivals() if arrival["message_id"].startswith("<protokoll.")]
    assert len(arrivals) == 2 and len({arrival["message_id"] for arrival in arrivals}) == 2
    assert all(arrival["list_unsubscribe_post"] == "List-Unsubscribe=One-Click" for arrival in arrivals)
    number = arrivals[0]["n"]
    message = email.message_from_bytes(smtp_sink.eml(number), policy=email.policy.default)
    assert str(message["Subject"]) == "Protokoll veröffentlicht: Herbstkonferenz"
    attached = [part for part in message.iter_attachments() if part.get_filename() == "protokoll.pdf"]
    assert [part.get_content() for part in attached] == [PDF]
    assert Minutes.objects.get(pk=minutes.pk).text == "Korrigiert"
