"""The sweep's derivation and the send's decisions, in this process (Django's locmem mail
backend stands in for the relay; the worker tests use a real SMTP server)."""

import datetime
import time

import pytest
from django.conf import settings
from django.core import mail as django_mail
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts.models import ContactMessage, Membership
from meetings.models import DatePoll, DatePollVote, Meeting
from meetings.recurrence import BERLIN
from meetings.services import agenda_item_add, meeting_cancel, meeting_move
from notifications import tokens
from notifications.compose import reminder_moment
from notifications.models import Delivery, Kind, NetworkSettings, Preference, Step
from notifications.services import deliveries_send, delivery_send, notifications_sweep
from tests.factories import MembershipFactory, PersonFactory
from tests.meetings.factories import DatePollFactory, DatePollOptionFactory, MeetingFactory, in_days
from tests.notifications.conftest import members

pytestmark = pytest.mark.django_db


def sweep_and_send(now=None):
    result = notifications_sweep(now=now)
    return {pk: delivery_send(delivery_id=pk, now=now) for pk in result.enqueued}


def invited(meeting, *, days_before: int = 2) -> None:
    """The sweep ``days_before`` the meeting invited its members (the mails are sent and
    cleared from the outbox): what the rule does for a meeting confirmed in time."""
    sweep_and_send(now=meeting.start - datetime.timedelta(days=days_before))
    django_mail.outbox.clear()


def test_sweep_confirmed_meeting_plans_one_invitation_per_member():
    network, people = members(3)
    meeting = MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=in_days(10))

    first = notifications_sweep()
    second = notifications_sweep()

    rows = Delivery.objects.filter(kind=Kind.INVITATION, subject_id=meeting.pk)
    assert sorted(rows.values_list("person_id", flat=True)) == sorted(person.pk for person in people)
    assert len(first.enqueued) == 3
    assert second.planned == 0


def test_send_invitation_carries_headers_and_calendar():
    network, (_person,) = members(1)
    MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=in_days(10))

    states = sweep_and_send()

    assert list(states.values()) == [Delivery.State.SENT]
    (message,) = django_mail.outbox
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["Message-ID"] == Delivery.objects.get().message_id
    (calendar,) = [part for part in message.message().walk() if part.get_content_type() == "text/calendar"]
    assert calendar.get_param("method") == "REQUEST"
    assert b"METHOD:REQUEST" in calendar.get_payload(decode=True)


def test_send_through_real_smtp_server_arrives(smtp_sink, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_sink.port
    network, (_person,) = members(1)
    MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=in_days(10))

    states = sweep_and_send()

    assert list(states.values()) == [Delivery.State.SENT], Delivery.objects.values_list("last_error", flat=True)[0]
    assert smtp_sink.message_ids() == [Delivery.objects.get().message_id]


def test_sweep_moved_meeting_plans_change_with_old_and_new_time():
    network, (_person,) = members(1)
    meeting = MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=in_days(10))
    sweep_and_send()
    old_start = meeting.start

    meeting_move(
        meeting=meeting, start=old_start + datetime.timedelta(hours=2), end=meeting.end + datetime.timedelta(hours=2)
    )
    states = sweep_and_send()

    change = Delivery.objects.get(kind=Kind.CHANGE)
    assert (change.version, list(states.values())) == (meeting.sequence, [Delivery.State.SENT])
    body = django_mail.outbox[-1].body
    assert f"{old_start.astimezone(BERLIN):%H:%M}" in body.split("→")[0]
    assert f"{meeting.start.astimezone(BERLIN):%H:%M}" in body.split("→")[1]


def test_sweep_cancelled_meeting_sends_cancel_and_no_pending_reminder():
    now = timezone.now()
    network, (_person,) = members(1)
    meeting = MeetingFactory(
        network=network, status=Meeting.Status.CONFIRMED, start=now + datetime.timedelta(days=1, minutes=-5)
    )
    invited(meeting)
    result = notifications_sweep()
    reminder = Delivery.objects.get(kind=Kind.REMINDER, version=24 * 60)

    meeting_cancel(meeting=Meeting.objects.get(pk=meeting.pk))
    reminder_state = delivery_send(delivery_id=reminder.pk)
    cancel_states = sweep_and_send()

    assert len(result.enqueued) == 1  # the 1-day reminder (the 7-day one came before the invitation: never planned)
    assert reminder_state == Delivery.State.SKIPPED
    assert list(cancel_states.values()) == [Delivery.State.SENT]
    calendar = next(p for p in django_mail.outbox[-1].message().walk() if p.get_content_type() == "text/calendar")
    assert calendar.get_param("method") == "CANCEL"


def test_sweep_reminder_more_than_six_hours_late_is_missed():
    start = timezone.now() + datetime.timedelta(days=1, hours=2)
    network, _people = members(1)
    invited(MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=start))
    late = reminder_moment(start, 24 * 60) + datetime.timedelta(hours=6, minutes=1)

    notifications_sweep(now=late)

    assert list(Delivery.objects.filter(version=24 * 60).values_list("state", flat=True)) == [Delivery.State.MISSED]
    assert django_mail.outbox == []


def test_send_reminder_of_meeting_moved_later_waits_for_new_moment():
    now = timezone.now()
    network, _people = members(1)
    meeting = MeetingFactory(
        network=network, status=Meeting.Status.CONFIRMED, start=now + datetime.timedelta(days=1, minutes=-5)
    )
    invited(meeting)
    notifications_sweep()
    reminder = Delivery.objects.get(kind=Kind.REMINDER, version=24 * 60)

    meeting_move(
        meeting=meeting, start=meeting.start + datetime.timedelta(days=2), end=meeting.end + datetime.timedelta(days=2)
    )
    state = delivery_send(delivery_id=reminder.pk)

    reminder.refresh_from_db()
    assert (state, reminder.next_attempt_at) == (Delivery.State.PLANNED, reminder_moment(meeting.start, 24 * 60))
    assert django_mail.outbox == []


@pytest.mark.chaos
@pytest.mark.parametrize(
    ("local_start", "offset", "due_utc"),
    [
        # Spring 2027: clocks go forward on Sunday 28 March.
        (datetime.datetime(2027, 3, 29, 18, 30), 24 * 60, datetime.datetime(2027, 3, 28, 16, 30, tzinfo=datetime.UTC)),
        (
            datetime.datetime(2027, 3, 29, 18, 30),
            7 * 24 * 60,
            datetime.datetime(2027, 3, 22, 17, 30, tzinfo=datetime.UTC),
        ),
        # Autumn 2027: clocks go back on Sunday 31 October.
        (datetime.datetime(2027, 11, 1, 18, 30), 24 * 60, datetime.datetime(2027, 10, 31, 17, 30, tzinfo=datetime.UTC)),
        (
            datetime.datetime(2027, 11, 1, 18, 30),
            7 * 24 * 60,
            datetime.datetime(2027, 10, 25, 16, 30, tzinfo=datetime.UTC),
        ),
    ],
)
def test_reminder_after_dst_change_is_due_at_local_time(local_start, offset, due_utc):
    network, _people = members(1)
    start = local_start.replace(tzinfo=BERLIN)
    invited(MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=start), days_before=10)

    early = notifications_sweep(now=due_utc - datetime.timedelta(minutes=1))
    on_time = notifications_sweep(now=due_utc)
    states = {pk: delivery_send(delivery_id=pk, now=due_utc) for pk in on_time.enqueued}

    reminder = Delivery.objects.get(version=offset)
    assert (early.enqueued, reminder.due_at, states[reminder.pk]) == ([], due_utc, Delivery.State.SENT)
    assert reminder.due_at.astimezone(BERLIN).time() == datetime.time(18, 30)
    assert "18:30" in django_mail.outbox[-1].subject


def test_send_skips_opt_out_former_member_missing_address_and_deleted_meeting():
    network, (opted_out, leaving, keeping) = members(3)
    no_address = PersonFactory()
    MembershipFactory(network=network, person=no_address)
    meeting = MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=in_days(10))
    other = MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=in_days(10))
    notifications_sweep()
    Preference.objects.create(person=opted_out, invitations=False)
    Membership.objects.filter(person=leaving).update(end=timezone.localdate() - datetime.timedelta(days=1))
    other_pk = other.pk
    other.delete()

    for pk in Delivery.objects.values_list("pk", flat=True):
        delivery_send(delivery_id=pk)

    rows = Delivery.objects.filter(subject_id=meeting.pk)
    assert dict(rows.values_list("person_id", "state")) == {
        opted_out.pk: Delivery.State.SKIPPED,
        leaving.pk: Delivery.State.SKIPPED,
        keeping.pk: Delivery.State.SENT,
        no_address.pk: Delivery.State.SKIPPED,
    }
    assert set(
        Delivery.objects.filter(subject_id=other_pk).exclude(person=opted_out).values_list("last_error", flat=True)
    ) == {"Die Sitzung wurde gelöscht."}
    assert len(django_mail.outbox) == 1


def test_send_template_error_fails_that_row_only(tmp_path, settings):
    broken = tmp_path / "de"
    broken.mkdir()
    (broken / "erinnerung.txt").write_text("Erinnerung {{ title }}\n{{ gibt_es_nicht }}\n")
    settings.NOTIFICATIONS_MAIL_TEMPLATE_DIRS = [str(tmp_path)]
    now = timezone.now()
    network, _people = members(1)
    invited(
        MeetingFactory(
            network=network, status=Meeting.Status.CONFIRMED, start=now + datetime.timedelta(days=1, minutes=-5)
        )
    )
    MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=in_days(10))

    states = sweep_and_send()

    by_kind = {Delivery.objects.get(pk=pk).kind: state for pk, state in states.items() if state != "entfallen"}
    assert by_kind == {Kind.INVITATION: Delivery.State.SENT, Kind.REMINDER: Delivery.State.FAILED}
    assert "gibt_es_nicht" in Delivery.objects.get(kind=Kind.REMINDER, state="fehlgeschlagen").last_error


def sweep_queries(meetings: int) -> int:
    network, _people = members(2)
    for days in range(20, 20 + meetings):
        MeetingFactory(network=network, start=timezone.now() + datetime.timedelta(days=days))
    notifications_sweep()
    with CaptureQueriesContext(connection) as queries:
        result = notifications_sweep()
    assert (result.planned, result.enqueued) == (0, [])
    return len(queries)


def test_sweep_with_nothing_due_needs_the_same_queries_for_one_and_many_meetings():
    one = sweep_queries(1)
    many = sweep_queries(40)

    assert one == many
    # Each kind the sweep plans costs a query or two: meetings, polls, contact messages,
    # digest, account invitations, speaker terms, entry checks, minutes, guests, Rundmails.
    assert many <= 30


def test_sweep_contact_message_goes_to_speakers_and_asks_the_sender_to_confirm_the_copy():
    network, (speaker,) = members(1, role=Membership.Role.SPEAKER)
    ContactMessage.objects.create(
        network=network,
        sender_name="Bea Beispiel",
        sender_email="bea@example.org",
        subject="Frage",
        body="Hallo",
        language="en",
    )

    sweep_and_send()
    sweep_and_send()

    assert sorted(message.to[0] for message in django_mail.outbox) == sorted(
        [f'"{speaker.full_name}" <{speaker.channels.get().value}>', "bea@example.org"]
    )
    contact = next(message for message in django_mail.outbox if "bea@" not in message.to[0])
    assert contact.reply_to == ["bea@example.org"]


def confirmation_of(message: ContactMessage):
    """The confirmation mail of ``message`` and the path of its link."""
    (sent,) = [mail for mail in django_mail.outbox if mail.to == [message.sender_email]]
    link = next(line for line in sent.body.splitlines() if line.startswith(settings.SITE_URL))
    return sent, link.removeprefix(settings.SITE_URL)


def test_contact_copy_confirmation_carries_nothing_the_sender_typed():
    network, _speakers = members(1, role=Membership.Role.SPEAKER)
    network.name = "Stadtteilkonferenz Forst"
    network.save()
    message = ContactMessage.objects.create(
        network=network,
        sender_name="Ihr Konto ist gesperrt",
        sender_email="opfer@example.org",
        subject="Dringend: Passwort bestätigen",
        body="Klicken Sie hier: https://boese.example/",
    )

    sweep_and_send()

    sent, path = confirmation_of(message)
    text = sent.subject + sent.body + str(sent.message())
    assert sent.subject == "Kopie Ihrer Nachricht an Stadtteilkonferenz Forst anfordern"
    assert [typed in text for typed in ("Konto", "Passwort", "boese.example")] == [False, False, False]
    assert path.startswith("/benachrichtigungen/kopie/")
    assert Delivery.objects.filter(kind=Kind.CONTACT_COPY).count() == 0


def test_contact_copy_is_sent_once_after_the_sender_confirms(client):
    network, _speakers = members(1, role=Membership.Role.SPEAKER)
    message = ContactMessage.objects.create(
        network=network, sender_name="Bea Beispiel", sender_email="bea@example.org", subject="Frage", body="Hallo"
    )
    sweep_and_send()
    _sent, path = confirmation_of(message)

    shown = client.get(path)
    rows_after_get = Delivery.objects.filter(kind=Kind.CONTACT_COPY).count()
    confirmed = client.post(path)
    client.post(path)
    django_mail.outbox.clear()
    sweep_and_send()

    assert (shown.status_code, rows_after_get, confirmed.status_code) == (200, 0, 200)
    assert "Die Kopie Ihrer Nachricht an" in confirmed.content.decode()
    (copy,) = django_mail.outbox
    assert (copy.to, copy.subject, "Hallo" in copy.body) == (
        ['"Bea Beispiel" <bea@example.org>'],
        "Kopie Ihrer Nachricht: Frage",
        True,
    )


class EightDaysAgo(signing.TimestampSigner):
    def timestamp(self):
        return signing.b62_encode(int(time.time()) - 8 * 24 * 3600)


@pytest.mark.parametrize("kind", ["expired", "altered"])
def test_contact_copy_link_expired_or_altered_is_a_400(client, kind):
    network, _speakers = members(1, role=Membership.Role.SPEAKER)
    message = ContactMessage.objects.create(
        network=network, sender_name="Bea", sender_email="bea@example.org", subject="Frage", body="Hallo"
    )
    if kind == "expired":
        token = EightDaysAgo(salt=tokens.CONTACT_COPY_SALT).sign_object(message.pk)
    else:
        token = tokens.contact_copy_token_make(message_id=message.pk) + "x"

    response = client.post(reverse("notifications:contact_copy", kwargs={"token": token}))

    assert (response.status_code, Delivery.objects.filter(kind=Kind.CONTACT_COPY).count()) == (400, 0)


def test_contact_copy_planned_before_confirmation_existed_is_not_sent():
    network, _speakers = members(1, role=Membership.Role.SPEAKER)
    message = ContactMessage.objects.create(
        network=network, sender_name="Bea", sender_email="bea@example.org", subject="Frage", body="Hallo"
    )
    row = Delivery.objects.create(
        subject_type="kontakt",
        subject_id=message.pk,
        kind=Kind.CONTACT_COPY,
        recipient_key="abea@example.org",
        address="bea@example.org",
        due_at=timezone.now(),
        next_attempt_at=timezone.now(),
    )

    state = delivery_send(delivery_id=row.pk)

    row.refresh_from_db()
    assert (state, row.last_error) == (Delivery.State.SKIPPED, "Kopie ohne bestätigte Adresse: nicht gesendet.")


def test_sweep_digest_once_per_week_for_those_who_asked(settings):
    settings.NOTIFICATIONS_DIGEST_HOUR = 0
    network, (reader, _other) = members(2)
    Preference.objects.create(person=reader, digest=True)
    MeetingFactory(network=network, start=timezone.now() + datetime.timedelta(hours=3))

    sweep_and_send()
    sweep_and_send()

    digests = Delivery.objects.filter(kind=Kind.DIGEST)
    assert list(digests.values_list("person_id", "state")) == [(reader.pk, Delivery.State.SENT)]


def test_poll_invitation_reminder_and_result():
    network, (voter, silent) = members(2)
    poll = DatePollFactory(network=network, deadline=timezone.now() + datetime.timedelta(hours=10))
    option = DatePollOptionFactory(poll=poll)
    sweep_and_send()
    DatePollVote.objects.create(option=option, person=voter, answer=DatePollVote.Answer.YES)
    Step.objects.filter(subject_id=poll.pk).update(done_at=timezone.now() - datetime.timedelta(hours=3))

    sweep_and_send()
    DatePoll.objects.filter(pk=poll.pk).update(
        status=DatePoll.Status.CLOSED, closed_at=timezone.now(), chosen_option=option
    )
    sweep_and_send()

    sent = Delivery.objects.filter(state=Delivery.State.SENT)
    assert sorted(sent.values_list("kind", "person_id")) == sorted(
        [
            (Kind.POLL_INVITATION, voter.pk),
            (Kind.POLL_INVITATION, silent.pk),
            (Kind.POLL_REMINDER, silent.pk),
            (Kind.POLL_RESULT, voter.pk),
            (Kind.POLL_RESULT, silent.pk),
        ]
    )


def test_send_without_relay_writes_the_mail_to_a_file(tmp_path, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    network, _people = members(1)
    MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=in_days(10))

    states = sweep_and_send()

    (written,) = tmp_path.iterdir()
    assert list(states.values()) == [Delivery.State.SENT]
    assert Delivery.objects.get().message_id in written.read_text()


def test_change_planned_before_invitation_left_is_not_sent_twice():
    network, (_person,) = members(1)
    meeting = MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=in_days(10))
    notifications_sweep()
    meeting_move(
        meeting=meeting,
        start=meeting.start + datetime.timedelta(hours=1),
        end=meeting.end + datetime.timedelta(hours=1),
    )
    notifications_sweep()
    invitation = Delivery.objects.get(kind=Kind.INVITATION)
    change = Delivery.objects.get(kind=Kind.CHANGE)

    states = [delivery_send(delivery_id=invitation.pk), delivery_send(delivery_id=change.pk)]

    assert states == [Delivery.State.SENT, Delivery.State.SKIPPED]
    assert len(django_mail.outbox) == 1
    assert f"{meeting.start.astimezone(BERLIN):%H:%M}" in django_mail.outbox[0].subject


def invitations_to_the_sink(sink, settings, *, count: int, retry_base: float) -> None:
    """``count`` invitations owed, sent in this process to ``sink`` (1 s timeout) with
    ``retry_base`` seconds of backoff."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", sink.port, 1
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = retry_base
    network, _people = members(count)
    MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=in_days(10))


def test_send_timeout_after_data_twice_stops_with_failed(smtp_sink, settings):
    invitations_to_the_sink(smtp_sink, settings, count=1, retry_base=0)
    smtp_sink.set_mode("hang")
    (pk,) = notifications_sweep().enqueued

    states = [delivery_send(delivery_id=pk), delivery_send(delivery_id=pk)]

    row = Delivery.objects.get()
    assert states == [Delivery.State.AMBIGUOUS, Delivery.State.FAILED]
    assert (row.duplicate_possible, len(smtp_sink.arrivals())) == (True, 2)
    assert row.last_error.startswith("Zweimal unklar")


def test_a_mail_without_answer_after_its_data_goes_again_once_the_relay_answers(smtp_sink, settings):
    # By the backoff alone the row would wait an hour.
    invitations_to_the_sink(smtp_sink, settings, count=2, retry_base=3600)
    # The relay keeps the first mail without confirming it, then answers the second.
    smtp_sink.set_mode("hang-once")
    first, second = notifications_sweep().enqueued

    states = deliveries_send(delivery_ids=[first, second])
    waiting = Delivery.objects.get(pk=first)
    again = delivery_send(delivery_id=first)

    row = Delivery.objects.get(pk=first)
    assert states == {first: Delivery.State.AMBIGUOUS, second: Delivery.State.SENT}
    assert waiting.next_attempt_at <= timezone.now() and waiting.enqueued_at is not None
    assert (again, row.duplicate_possible) == (Delivery.State.SENT, True)
    assert sorted(smtp_sink.message_ids()).count(row.message_id) == 2


def test_rows_refused_while_the_whole_relay_refused_go_again_once_a_probe_gets_through(smtp_sink, settings):
    # By the backoff alone the refused rows would wait an hour.
    invitations_to_the_sink(smtp_sink, settings, count=3, retry_base=3600)
    settings.NOTIFICATIONS_BREAKER_FAILURES, settings.NOTIFICATIONS_BREAKER_PAUSE_SECONDS = 2, 0.2
    smtp_sink.set_mode("451")
    first, second, third = notifications_sweep().enqueued
    # Two refusals open the breaker: the third row is put back for its pause.
    refused = deliveries_send(delivery_ids=[first, second, third])
    smtp_sink.set_mode("ok")
    time.sleep(0.3)

    probe = deliveries_send(delivery_ids=[third])
    due = list(
        Delivery.objects.filter(pk__in=[first, second], next_attempt_at__lte=timezone.now()).values_list(
            "pk", flat=True
        )
    )
    again = deliveries_send(delivery_ids=[first, second])

    assert refused == {first: Delivery.State.PLANNED, second: Delivery.State.PLANNED}
    assert (probe, sorted(due)) == ({third: Delivery.State.SENT}, [first, second])
    assert again == {first: Delivery.State.SENT, second: Delivery.State.SENT}
    assert len(smtp_sink.arrivals()) == 3


def test_reminder_sent_is_not_repeated_after_the_meeting_moved():
    now = timezone.now()
    network, _people = members(1)
    meeting = MeetingFactory(
        network=network, status=Meeting.Status.CONFIRMED, start=now + datetime.timedelta(days=1, minutes=-5)
    )
    invited(meeting)
    sweep_and_send()

    meeting_move(
        meeting=meeting, start=meeting.start + datetime.timedelta(days=3), end=meeting.end + datetime.timedelta(days=3)
    )
    later = reminder_moment(meeting.start, 24 * 60) + datetime.timedelta(minutes=1)
    notifications_sweep(now=later)

    reminders = Delivery.objects.filter(kind=Kind.REMINDER, version=24 * 60)
    assert list(reminders.values_list("state", flat=True)) == [Delivery.State.SENT]


def test_sweep_network_inviting_on_agenda_waits_for_the_first_item():
    network, _people = members(1)
    NetworkSettings.objects.create(network=network, invitation_trigger=NetworkSettings.Trigger.AGENDA)
    meeting = MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=in_days(10))

    before = notifications_sweep()
    agenda_item_add(meeting=meeting, title="Begrüßung")
    after = notifications_sweep()

    assert (before.planned, after.planned) == (0, 1)
    assert Delivery.objects.get().kind == Kind.INVITATION


def test_a_contact_subject_with_a_lone_cr_fails_its_row_and_the_batch_goes_on():
    network, _speakers = members(1, role=Membership.Role.SPEAKER)
    # Stored before the form cleaned subjects: a header with a line break.
    ContactMessage.objects.create(
        network=network,
        sender_name="Bea",
        sender_email="bea@example.org",
        subject="Frage\rBcc: x",
        body="Hallo",
        copy_to_sender=False,
    )
    MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=in_days(10))
    result = notifications_sweep()

    states = deliveries_send(delivery_ids=sorted(result.enqueued, reverse=True))

    rows = {row.kind: (row.state, row.last_error.split(" (got")[0]) for row in Delivery.objects.all()}
    assert sorted(states.values()) == [Delivery.State.FAILED, Delivery.State.SENT]
    assert rows == {
        Kind.CONTACT: (Delivery.State.FAILED, "BadHeaderError: Header values can't contain newlines"),
        Kind.INVITATION: (Delivery.State.SENT, ""),
    }
