"""Demo data of „Mein Bereich“ and the data-protection rights: the demo member's consents of
several kinds (one withdrawn), answers to past meetings, a message they sent through a
contact form (delivered, as the sweep would have), and an old message from somebody else
that retention deletes.

Through the services, dated relative to today; the contact messages are stored as the form
stores them, but dated in the past (the form's service dates them now). Idempotent.
"""

import datetime

from django.utils import timezone

from contacts import services
from contacts.consent_texts import PUBLISHED_ON, TEXT, TEXT_EN, VERSION
from contacts.models import Consent, ConsentText, ContactMessage, Network, Person, User, Visibility
from meetings.models import Attendance, Meeting
from meetings.services import attendance_answer, attendance_record_presence
from netzwerk.demo.calendar import _sweep_and_send
from netzwerk.demo.data import MEMBER
from netzwerk.demo.management import real_calendar_present
from netzwerk.demo.sync import SeedReport

OLD_MESSAGE_SENDER = "anfrage.demo@example.org"
NETWORK_SLUG = "stk-burtscheid"


def privacy_seed(report: SeedReport, *, people: dict[str, Person], recorded_by: User, now: datetime.datetime) -> None:
    """The consent wording, the demo member's consents, phone, answers and messages."""
    ConsentText.objects.get_or_create(
        version=VERSION, defaults={"text": TEXT, "text_en": TEXT_EN, "published_on": PUBLISHED_ON}
    )
    member = people.get(MEMBER.email)
    network = Network.objects.filter(slug=NETWORK_SLUG).first()
    if member is None or network is None:
        return
    _member_consents(report, member, recorded_by=recorded_by, now=now)
    _member_answers(report, member, network, now=now)
    # The sweep is global: played into the dummy backend next to real meetings it would
    # swallow real members' mail, so then the demo leaves the recent message out.
    recent = not real_calendar_present()
    if _messages(report, member, network, now=now, recent=recent) and recent:
        # Delivered as the sweep delivers it, into the dummy backend: the demo owes no mail.
        _sweep_and_send(now)


def _member_consents(report: SeedReport, member: Person, *, recorded_by: User, now: datetime.datetime) -> None:
    wanted = [
        # The name public, so the member is listed on the public network page (and the demo
        # shows what withdrawing it does there).
        (Consent.Scope.NAME, Visibility.PUBLIC, None, 120, None),
        # Given once, withdrawn two weeks ago: the history shows both.
        (Consent.Scope.AFFILIATION, Visibility.PUBLIC, None, 200, 14),
    ]
    for scope, audience, channel, given_days_ago, withdrawn_days_ago in wanted:
        if Consent.objects.filter(person=member, scope=scope, audience=audience, channel=channel).exists():
            continue
        consent = services.consent_record(
            person=member,
            scope=scope,
            audience=audience,
            channel=channel,
            text_version=VERSION,
            source=Consent.Source.FORM,
            given_at=now - datetime.timedelta(days=given_days_ago),
            recorded_by=recorded_by,
        )
        report.created["Consent"] += 1
        if withdrawn_days_ago is not None:
            services.consent_withdraw(consent=consent, at=now - datetime.timedelta(days=withdrawn_days_ago))


def _member_answers(report: SeedReport, member: Person, network: Network, *, now: datetime.datetime) -> None:
    """The member answered the last two held meetings and came to one (the coming ones
    stay unanswered, so the demo still shows the answer form)."""
    held = list(
        Meeting.objects.filter(network=network, start__lt=now, status=Meeting.Status.HELD).order_by("-start")[:2]
    )
    for index, meeting in enumerate(held):
        if Attendance.objects.filter(meeting=meeting, person=member).exists():
            continue
        answer = Attendance.Answer.YES if index == 0 else Attendance.Answer.NO
        attendance_answer(meeting=meeting, person=member, answer=answer, now=meeting.start - datetime.timedelta(days=3))
        presence = Attendance.Presence.PRESENT if index == 0 else Attendance.Presence.EXCUSED
        attendance_record_presence(meeting=meeting, person=member, presence=presence, now=meeting.end)
        report.created["Attendance"] += 1


def _messages(report: SeedReport, member: Person, network: Network, *, now: datetime.datetime, recent: bool) -> int:
    """A question the member sent last week, and one from somebody else 45 days ago: past
    the retention time, so the daily retention task deletes it."""
    rows = [
        (
            member.full_name,
            MEMBER.email,
            "Frage zur nächsten Sitzung",
            "Guten Tag, kann ich zur nächsten Sitzung eine Kollegin mitbringen? Viele Grüße",
            now - datetime.timedelta(days=6),
        ),
        (
            "Erika Beispielanfrage",
            OLD_MESSAGE_SENDER,
            "Seniorentreff im Viertel",
            "Guten Tag, gibt es in Burtscheid einen Seniorentreff am Nachmittag? Danke.",
            now - datetime.timedelta(days=45),
        ),
    ]
    created = 0
    for name, email, subject, body, created_at in rows if recent else rows[1:]:
        if ContactMessage.objects.filter(sender_email=email, subject=subject).exists():
            continue
        # Stored as the form stores it, with the moment it came; no limit of the form applies.
        message = ContactMessage(
            network=network,
            sender_name=name,
            sender_email=email,
            subject=subject,
            body=body,
            copy_to_sender=False,
            created_at=created_at if created_at < timezone.now() else timezone.now(),
        )
        message.full_clean()
        message.save()
        report.created["ContactMessage"] += 1
        created += 1
    return created
