"""Every kind of mail, sent by a real Celery worker (with beat running the sweep) to a real
SMTP server; counted by Message-ID at the server: nothing lost, nothing twice."""

import datetime
from collections import Counter

import pytest
from django.utils import timezone

from contacts import services as contact_services
from contacts.models import ContactMessage, Institution, InstitutionCategory, InstitutionType, Membership, Person
from contacts.services import imports
from contacts.services.self_service import network_leave
from meetings import services as meeting_services
from meetings.models import DatePoll, Meeting
from meetings.services import meeting_cancel, meeting_move
from notifications.models import Delivery, Kind, NetworkSettings, Preference, Step, Subject
from notifications.services import contact_copy_confirm, entry_review_request, invitation_send_now
from notifications.services.consent import consent_requests_plan
from notifications.services.rundmail import rundmail_create, rundmail_schedule
from tests.conftest import wait_until
from tests.factories import InstitutionFactory, UserFactory
from tests.meetings.factories import AgendaItemFactory, DatePollFactory, DatePollOptionFactory, MeetingFactory
from tests.notifications.conftest import members, wait_for_final

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def assert_each_sent_arrived_once(sink, rows):
    arrivals = Counter(sink.message_ids())
    sent = {row.message_id for row in rows if row.state == Delivery.State.SENT}
    assert {message_id: arrivals[message_id] for message_id in sent} == dict.fromkeys(sent, 1)
    assert set(arrivals) == sent


def test_every_kind_is_delivered_once_by_a_real_worker(smtp_sink, celery_worker_start):
    now = timezone.now()
    network, _people = members(2)
    _, (english,) = members(1, network=network, language="en")
    _, (_speaker,) = members(1, network=network, role=Membership.Role.SPEAKER)
    # Invitations four weeks ahead: the meetings to move and to cancel are invited at once.
    NetworkSettings.objects.create(network=network, invitation_lead_days=28)
    confirmed = MeetingFactory(
        network=network, status=Meeting.Status.CONFIRMED, start=now + datetime.timedelta(days=14)
    )
    AgendaItemFactory(meeting=confirmed, title="Begrüßung")
    to_move = MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=now + datetime.timedelta(days=20))
    to_cancel = MeetingFactory(
        network=network, status=Meeting.Status.CONFIRMED, start=now + datetime.timedelta(days=21)
    )
    # Invited two days ago, due for its 1-day reminder a minute ago (the 7-day one came
    # before the invitation: not owed).
    reminded = MeetingFactory(
        network=network, status=Meeting.Status.CONFIRMED, start=now + datetime.timedelta(days=1, minutes=-1)
    )
    invitation_send_now(meeting=reminded, now=now - datetime.timedelta(days=2))
    DatePollOptionFactory(poll=DatePollFactory(network=network))
    # Invited three hours ago, closing in twelve: owed a reminder.
    poll = DatePollFactory(network=network, deadline=now + datetime.timedelta(hours=12))
    DatePollOptionFactory(poll=poll)
    Step.objects.create(subject_type=Subject.POLL, subject_id=poll.pk, step="einladung")
    Step.objects.update(done_at=now - datetime.timedelta(hours=3))
    closed = DatePollFactory(network=network, status=DatePoll.Status.CLOSED, closed_at=now)
    contact = ContactMessage.objects.create(
        network=network, sender_name="Anna Anfrage", sender_email="anna@example.org", subject="Frage", body="Hallo"
    )
    digest_network, (reader,) = members(1)
    Preference.objects.create(person=reader, digest=True)
    MeetingFactory(network=digest_network, start=now + datetime.timedelta(hours=30))
    # A speaker of a network of its own whose term ends in 30 days: the term notice.
    term_network, (term_speaker,) = members(1)
    Membership.objects.create(
        network=term_network,
        person=term_speaker,
        role=Membership.Role.SPEAKER,
        end=timezone.localdate() + datetime.timedelta(days=30),
    )
    # The directory's own mail: an account invitation, a member leaving (to the speaker),
    # the entry checks (asked, reminded, and on request) and a consent request after an import.
    invitee_network, (invitee,) = members(1)
    contact_services.account_invitation_create(person=invitee, actor=None, network=invitee_network)
    left_network, (leaver,) = members(1)
    members(1, network=left_network, role=Membership.Role.SPEAKER)
    network_leave(person=leaver, network=left_network)
    category, _ = InstitutionCategory.objects.get_or_create(name="Senior*innen")
    kind, _ = InstitutionType.objects.get_or_create(
        slug="begegnungsstaette", defaults={"name": "Begegnungsstätte", "category": category}
    )
    stale, reminded_entry, on_request = (
        InstitutionFactory(email=f"{name}@example.org", type=kind) for name in ("alt", "erinnert", "anfrage")
    )
    stand = now - datetime.timedelta(days=400)
    Institution.objects.filter(pk__in=[stale.pk, reminded_entry.pk]).update(confirmed_at=stand)
    asked = Delivery.objects.create(
        subject_type=Subject.INSTITUTION,
        subject_id=reminded_entry.pk,
        kind=Kind.ENTRY_CHECK,
        version=int(stand.timestamp()),
        recipient_key=f"a{reminded_entry.email}",
        address=reminded_entry.email,
        due_at=now - datetime.timedelta(days=35),
        next_attempt_at=now - datetime.timedelta(days=35),
        state=Delivery.State.SENT,
        sent_at=now - datetime.timedelta(days=35),
    )
    Delivery.objects.filter(pk=asked.pk).update(created_at=now - datetime.timedelta(days=35))
    entry_review_request(institution=on_request)
    member_list = b"Einrichtung;Ansprechpartner*in;E-Mail;PLZ\r\nKita Import;Ina Import;ina@example.org;52062\r\n"
    run = imports.import_upload(file_name="liste.csv", data=member_list, network=None, created_by=UserFactory())
    run = imports.import_mapping_set(run=run, mapping=run.mapping, default_type=kind)
    imports.import_start(run=run, mode="alle")
    imports.import_execute(run_id=run.pk)
    run.refresh_from_db()
    assert consent_requests_plan(run=run) == 1
    # Guests: a seat and the waiting list on the meeting to move, a seat on the one to cancel.
    meeting_services.guest_settings_set(meeting=to_move, guests_open=True, capacity=1)
    meeting_services.guest_settings_set(meeting=to_cancel, guests_open=True)
    seated = meeting_services.guest_register(meeting=to_move, name="Gast", email="gast@example.org", client="1")
    meeting_services.guest_register(meeting=to_move, name="Warte", email="warte@example.org", client="2")
    meeting_services.guest_register(meeting=to_cancel, name="Gast", email="gast@example.org", client="3")
    # A Rundmail of the network's speaker, due in a few seconds (the sweep plans it).
    speaker_user = UserFactory()
    Person.objects.filter(pk=_speaker.pk).update(user=speaker_user)
    rundmail = rundmail_create(network=network, actor=speaker_user, subject="Sommerfest", body="{anrede}, kommt!")
    rundmail_schedule(rundmail=rundmail, actor=speaker_user, send_at=now + datetime.timedelta(seconds=5))
    # Minutes of a meeting held two days ago, published now: „Protokoll veröffentlicht“.
    held = MeetingFactory(
        network=network, status=Meeting.Status.CONFIRMED, start=now - datetime.timedelta(days=2, hours=-1)
    )
    meeting_services.minutes_publish(minutes=meeting_services.minutes_save(meeting=held, text="TOP 1: beschlossen."))
    worker = celery_worker_start(beat=True)

    wait_until(
        lambda: Delivery.objects.filter(kind=Kind.GUEST_CONFIRMATION, state="gesendet").count() == 3,
        timeout=60,
        process=worker,
    )
    meeting_services.guest_registration_cancel(registration=seated)
    wait_until(
        lambda: Delivery.objects.filter(kind=Kind.INVITATION, state="gesendet").count() >= 16,
        timeout=60,
        process=worker,
    )
    meeting_move(
        meeting=Meeting.objects.get(pk=to_move.pk),
        start=to_move.start + datetime.timedelta(hours=1),
        end=to_move.end + datetime.timedelta(hours=1),
    )
    meeting_cancel(meeting=Meeting.objects.get(pk=to_cancel.pk))
    # The sender follows the link in the confirmation mail: then the copy goes out.
    wait_until(
        lambda: Delivery.objects.filter(kind=Kind.CONTACT_COPY_CONFIRM, state="gesendet").exists(),
        timeout=60,
        process=worker,
    )
    contact_copy_confirm(message=contact)
    wait_until(
        lambda: (
            Delivery.objects.filter(kind__in=[Kind.CHANGE, Kind.CANCELLATION]).count() == 8
            and Delivery.objects.filter(kind__in=[Kind.GUEST_CHANGE, Kind.GUEST_CANCELLATION]).count() == 2
        ),
        timeout=60,
        process=worker,
    )
    # The Rundmail (its moment a few seconds after the start) and the minutes' notice are
    # planned by a sweep of their own: their rows may come after the others are final.
    wait_until(
        lambda: (
            Delivery.objects.filter(kind__in=[Kind.RUNDMAIL, Kind.MINUTES], state="gesendet")
            .values("kind")
            .distinct()
            .count()
            == 2
        ),
        timeout=60,
        process=worker,
    )
    # Without the check that went out five weeks ago (made by hand above, never sent here).
    rows = [row for row in wait_for_final(timeout=90, process=worker) if row.pk != asked.pk]

    assert_each_sent_arrived_once(smtp_sink, rows)
    sent_kinds = {row.kind for row in rows if row.state == Delivery.State.SENT}
    assert sent_kinds == set(Kind.values)
    assert closed.pk in {row.subject_id for row in rows if row.kind == Kind.POLL_RESULT}
    english_subjects = [a["subject"] for a in smtp_sink.arrivals() if a["to"] == [english.channels.get().value]]
    assert any(subject.startswith("Invitation: ") for subject in english_subjects)
    assert worker.stop() == 0
