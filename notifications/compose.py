"""One builder per kind of mail: reads what the mail shows at send time, decides whether it
is still owed, and returns the ``EmailMessage`` (or an ``Outcome`` saying why not, or the
moment to try again for a reminder whose meeting moved later).

Everything is read again at send time, not at planning time: a mail says what is true when
it leaves, and a cancellation or an opt-out between planning and sending wins. The reads of
a batch of rows come together (``selectors.MailReads``), taken just before its mails leave.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import re
from email.utils import parseaddr

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import dateformat, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from contacts.entry_links import entry_link_url
from contacts.models import AccountInvitation, ContactMessage, Institution, Membership, Network, Person
from contacts.selectors import people_for_projection, person_mail_address
from contacts.visibility import Audience, project_person
from meetings import ical, uploads
from meetings.feeds import document_url, event_data
from meetings.models import DatePoll, DatePollVote, GuestRegistration, Meeting, Minutes, Visibility
from meetings.recurrence import BERLIN, weekday_names
from meetings.tokens import answer_paths, guest_cancel_path, poll_vote_path
from notifications import mail, selectors, tokens
from notifications.models import AddressOptOut, Delivery, Kind, Rundmail, Subject

logger = logging.getLogger(__name__)

# A reminder whose moment passed longer ago than this (an outage) is not sent late.
LATE_LIMIT = datetime.timedelta(hours=6)
MESSAGE_ID_DOMAIN = "netzwerk.aachen.de"
# The invitation papers go with the invitation up to this size together (many mailboxes
# refuse mail over 10 MB, and the mail goes to every member); above it, links only.
INVITATION_ATTACHMENTS_MAX_BYTES = 5 * 1024 * 1024
# How long a reminder waits, each time, for an invitation that is not out yet.
INVITATION_WAIT = datetime.timedelta(minutes=1)


@dataclasses.dataclass(frozen=True)
class Outcome:
    """The end of a send attempt that sends nothing: a final state and its reason."""

    state: str
    reason: str


def message_id_of(delivery: Delivery) -> str:
    """The Message-ID of a row: the same on every attempt, so a duplicate is recognisable."""
    return (
        f"<{delivery.kind}.{delivery.subject_type}{delivery.subject_id}.v{delivery.version}"
        f".d{delivery.pk}@{MESSAGE_ID_DOMAIN}>"
    )


def reminder_moment(start: datetime.datetime, offset_minutes: int) -> datetime.datetime:
    """When a reminder ``offset_minutes`` before ``start`` is due, counted on the wall clock
    in Europe/Berlin: "1 day before 18:30" is 18:30 the day before, also across a DST change."""
    local = start.astimezone(BERLIN)
    return (local - datetime.timedelta(minutes=offset_minutes)).astimezone(datetime.UTC)


def when_text(start: datetime.datetime, end: datetime.datetime | None, language: str) -> str:
    """„Dienstag, 24.11.2026, 18:30–20:00 Uhr“ in Berlin time (English: "Tuesday 24/11/2026, 18:30–20:00")."""
    local = start.astimezone(BERLIN)
    with translation.override(language):
        values = {
            "day": weekday_names()[local.weekday()],
            "date": dateformat.format(local, pgettext("date in a mail", "d.m.Y")),
            "time": f"{local:%H:%M}",
            "until": "",
        }
        if end is not None:
            local_end = end.astimezone(BERLIN)
            if local_end.date() == local.date():
                values["until"] = f"–{local_end:%H:%M}"
            else:
                values["until"] = " – " + dateformat.format(local_end, pgettext("date and time in a mail", "d.m.Y H:i"))
        return gettext("%(day)s, %(date)s, %(time)s%(until)s Uhr") % values


def _status_word(status: str, language: str) -> str:
    if status not in Meeting.Status.values:
        return status
    with translation.override(language):
        return str(Meeting.Status(status).label)


def _language(person) -> str:
    preference = getattr(person, "mail_preference", None) or selectors.preference_of(person)
    return preference.language or person.language or "de"


def _base_context(*, person, kind: str) -> dict:
    return {
        "name": person.full_name,
        "preferences_url": settings.SITE_URL + tokens.preferences_path(person_id=person.pk),
        "unsubscribe_url": settings.SITE_URL + tokens.unsubscribe_path(person_id=person.pk, kind=kind),
    }


def _person_message(
    *,
    delivery: Delivery,
    person,
    context: dict,
    personal: dict | None = None,
    group: tuple | None = None,
    reads: selectors.MailReads | None = None,
    calendar: mail.Calendar | None = None,
    attachments: tuple[mail.Attachment, ...] = (),
):
    """Render and wrap a mail to a person, with the RFC 8058 one-click unsubscribe headers.

    ``personal`` are the values that are the person's own besides the name and the
    preference links (their answer links, a Rundmail's text with their salutation);
    ``context`` is what every mail of ``group`` shows alike. Sent by a send task
    (``reads.merging``) without calendar or files, the mails of a group are written from
    one form (``mail.Form``) instead of one rendering and ``EmailMessage`` each.
    """
    address = person_mail_address(person)
    if not address:
        return Outcome(Delivery.State.SKIPPED, str(_("Die Person hat keine E-Mail-Adresse.")))
    language = _language(person)
    personal = {**_base_context(person=person, kind=delivery.kind), **(personal or {})}
    message_id = message_id_of(delivery)
    headers = {
        "List-Unsubscribe": f"<{personal['unsubscribe_url']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": "Netzwerk Aachen <benachrichtigungen.netzwerk.aachen.de>",
    }
    if (
        group is not None
        and reads is not None
        and reads.merging
        and calendar is None
        and not attachments
        and not personal.keys() & context.keys()
    ):
        form = reads.once(
            ("mail-form", delivery.kind, language, group),
            lambda: _form(kind=delivery.kind, language=language, context=context, personal=personal, headers=headers),
        )
        ready = None
        if form is not None:
            ready = form.outgoing(
                context=context,
                values=personal,
                to=address,
                to_name=person.full_name,
                message_id=message_id,
                headers=headers,
            )
        if ready is not None:
            return ready
    subject, body = mail.render(kind=delivery.kind, language=language, context={**personal, **context})
    return mail.message_build(
        subject=subject,
        body=body,
        to=address,
        to_name=person.full_name,
        message_id=message_id,
        headers=headers,
        calendar=calendar,
        attachments=attachments,
    )


def _form(*, kind: str, language: str, context: dict, personal: dict, headers: dict) -> mail.Form | None:
    """The group's form, or ``None`` when its template cannot be rendered with stand-ins:
    then every mail goes the general way, which fails the row where the template is wrong."""
    try:
        return mail.Form(
            kind=kind,
            language=language,
            context=context,
            personal=tuple(personal),
            headers=headers,
            personal_headers=("List-Unsubscribe",),
        )
    except Exception:
        logger.warning("No form for %s mails in %s; they are rendered one by one", kind, language, exc_info=True)
        return None


def _invitation_papers(meeting: Meeting, *, language: str, reads: selectors.MailReads):
    """The documents of ``meeting`` as the invitation lists them (every one: the recipients
    are members), and the files it attaches: the invitation papers (Einladung, Vorlagen),
    when together they stay within ``INVITATION_ATTACHMENTS_MAX_BYTES``; otherwise the
    links alone, so that no invitation is refused or clogs a mailbox for its size."""
    documents = sorted(meeting.documents.all(), key=lambda document: (document.position, document.pk))
    positions = {item.pk: item.position for item in meeting.agenda_items.all()}
    with translation.override(language):
        listed = [
            {
                "title": document.title,
                "kind": str(document.get_kind_display()),
                "type": document.type_label,
                "size": document.size_text,
                "top": gettext("TOP %(number)s") % {"number": positions[document.agenda_item_id]}
                if document.agenda_item_id in positions
                else "",
                "url": document_url(meeting.uid, document.pk),
            }
            for document in documents
        ]
    papers = [document for document in documents if document.is_invitation_paper]
    attachments = []
    if papers and sum(document.size for document in papers) <= INVITATION_ATTACHMENTS_MAX_BYTES:
        for document in papers:
            data = reads.document_bytes(document)
            if data is not None:
                attachments.append(mail.Attachment(document.file_name, data, document.content_type))
    return listed, tuple(attachments)


def _meeting_context(meeting: Meeting, *, language: str, reads: selectors.MailReads) -> dict:
    # The meeting's part is the same in every member's mail: worked out once per batch and
    # language (a reminder to 500 members formatted its date and agenda 500 times).
    return dict(
        reads.once(("meeting-context", meeting.pk, language), lambda: _meeting_shared(meeting, language=language))
    )


def _answer_links(meeting: Meeting, *, person) -> dict:
    """The member's own links of a meeting mail: „zusagen“ and „absagen“."""
    paths = answer_paths(meeting_id=meeting.pk, person_id=person.pk, answers=("zusage", "absage"))
    return {"yes_url": settings.SITE_URL + paths["zusage"], "no_url": settings.SITE_URL + paths["absage"]}


def _meeting_shared(meeting: Meeting, *, language: str) -> dict:
    return {
        "title": meeting.title,
        "network": meeting.network.name,
        # A joint meeting: the networks that hold it with the host.
        "partners": [network.name for network in meeting.partners],
        "when": when_text(meeting.start, meeting.end, language),
        "place": meeting.location_text,
        "accessibility_notes": meeting.accessibility_notes,
        "online_url": meeting.online_url,
        "agenda": [
            item.title for item in sorted(meeting.agenda_items.all(), key=lambda item: (item.position, item.pk))
        ],
    }


def _calendar(
    meeting: Meeting, *, method: str, address: str, name: str, language: str, reads: selectors.MailReads
) -> mail.Calendar:
    # The feed's own column list, so that the attachment and the feed never drift apart.
    row = reads.event_row(meeting.pk)
    titles = [item.title for item in meeting.agenda_items.all() if item.is_public]
    # The same ATTACH links as the feeds: public documents only (one rule for every
    # calendar copy of the meeting).
    public_items = {item.pk for item in meeting.agenda_items.all() if item.is_public}
    attachments = [
        (document_url(meeting.uid, document.pk), document.content_type)
        for document in sorted(meeting.documents.all(), key=lambda document: (document.position, document.pk))
        if meeting.visibility == Visibility.PUBLIC
        and document.visibility == Visibility.PUBLIC
        and (document.agenda_item_id is None or document.agenda_item_id in public_items)
    ]
    organizer_name, organizer_email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    data = ical.invitation_bytes(
        event_data(row, titles, language=language, attachments=attachments),
        method=method,
        organizer_email=organizer_email,
        organizer_name=organizer_name,
        attendee_emails=[address],
        attendee_names={address: name},
    )
    return mail.Calendar(method=method, data=data)


def _changes(details: dict, language: str) -> list[str]:
    """The "old → new" lines of a change notice, in ``language``."""
    before, after = details.get("before", {}), details.get("after", {})
    changed = []
    with translation.override(language):
        if before.get("start") != after.get("start") or before.get("end") != after.get("end"):
            old = when_text(datetime.datetime.fromisoformat(before["start"]), _end(before), language)
            new = when_text(datetime.datetime.fromisoformat(after["start"]), _end(after), language)
            changed.append((pgettext("changed in a mail", "Zeit"), old, new))
        for key, label in (
            ("place", pgettext("changed in a mail", "Ort")),
            ("online_url", pgettext("changed in a mail", "Online-Teilnahme")),
        ):
            if before.get(key) != after.get(key):
                changed.append((label, before.get(key) or "–", after.get(key) or "–"))
        if before.get("status") != after.get("status"):
            old, new = (_status_word(told.get("status", ""), language) for told in (before, after))
            changed.append((pgettext("changed in a mail", "Status"), old, new))
    return [f"{label}: {old} → {new}" for label, old, new in changed]


def _end(told: dict) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(told["end"]) if told.get("end") else None


def _meeting_mail(*, delivery: Delivery, person, now: datetime.datetime, reads: selectors.MailReads):
    try:
        meeting = reads.meeting(delivery.subject_id)
    except Meeting.DoesNotExist:
        return Outcome(Delivery.State.SKIPPED, str(_("Die Sitzung wurde gelöscht.")))
    if not reads.is_meeting_member(person_id=person.pk, meeting=meeting):
        return Outcome(Delivery.State.SKIPPED, str(_("Nicht mehr Mitglied des Netzwerks.")))
    kind = delivery.kind
    if kind == Kind.CANCELLATION:
        if not meeting.is_cancelled:
            return Outcome(Delivery.State.SKIPPED, str(_("Die Sitzung ist nicht mehr abgesagt.")))
    elif meeting.is_cancelled:
        return Outcome(Delivery.State.SKIPPED, str(_("Die Sitzung ist abgesagt.")))
    if kind == Kind.CHANGE and meeting.sequence > delivery.version:
        return Outcome(Delivery.State.SKIPPED, str(_("Überholt durch eine neuere Änderung.")))
    if (
        kind == Kind.CHANGE
        and Delivery.objects.filter(
            subject_type=delivery.subject_type,
            subject_id=delivery.subject_id,
            recipient_key=delivery.recipient_key,
            kind=Kind.INVITATION,
            sent_at__gt=delivery.created_at,
        ).exists()
    ):
        # The invitation left after the change and already said what is new.
        return Outcome(Delivery.State.SKIPPED, str(_("Die Einladung enthielt schon den neuen Stand.")))
    if meeting.start <= now and kind != Kind.CANCELLATION:
        state = Delivery.State.MISSED if kind == Kind.REMINDER else Delivery.State.SKIPPED
        return Outcome(state, str(_("Die Sitzung hat schon begonnen.")))
    if kind == Kind.REMINDER:
        if meeting.status == Meeting.Status.HELD:
            return Outcome(Delivery.State.SKIPPED, str(_("Die Sitzung hat stattgefunden.")))
        due = reminder_moment(meeting.start, delivery.version)
        if due > now + datetime.timedelta(minutes=1):
            return due
        if now - due > LATE_LIMIT:
            return Outcome(Delivery.State.MISSED, str(_("Erinnerung mehr als 6 Stunden überfällig (Ausfall?).")))
        if reads.invitation_open(meeting_id=meeting.pk, person_id=person.pk):
            # The invitation is still on its way (queued, or waiting for a retry): the
            # reminder follows it, never the other way round.
            return now + INVITATION_WAIT
    language = _language(person)
    context = _meeting_context(meeting, language=language, reads=reads)
    context["reason"] = meeting.cancellation_reason if kind == Kind.CANCELLATION else ""
    context["changes"] = _changes(delivery.details, language) if kind == Kind.CHANGE else []
    attachments = ()
    if kind == Kind.INVITATION:
        context["documents"], attachments = _invitation_papers(meeting, language=language, reads=reads)
        context["attached"] = bool(attachments)
    calendar = None
    address = person_mail_address(person) if kind in (Kind.INVITATION, Kind.CHANGE, Kind.CANCELLATION) else ""
    if address:
        method = "CANCEL" if kind == Kind.CANCELLATION else "REQUEST"
        calendar = _calendar(
            meeting, method=method, address=address, name=person.full_name, language=language, reads=reads
        )
    return _person_message(
        delivery=delivery,
        person=person,
        context=context,
        personal=_answer_links(meeting, person=person),
        group=("meeting", meeting.pk),
        reads=reads,
        calendar=calendar,
        attachments=attachments,
    )


# A file of minutes up to this size goes with the mail; a larger one only as the link.
MINUTES_ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024


def _minutes_attachment(minutes: Minutes) -> mail.Attachment | None:
    """The minutes' file for the mail, if small enough and still of a safe type (judged
    again by content, as the download does); ``None`` otherwise (the link is in the text)."""
    if not minutes.file:
        return None
    try:
        with minutes.file.open("rb") as handle:
            if handle.size > MINUTES_ATTACHMENT_MAX_BYTES:
                return None
            safe = uploads.upload_type(handle, max_bytes=MINUTES_ATTACHMENT_MAX_BYTES)
            handle.seek(0)
            data = handle.read()
    except (OSError, ValidationError):
        return None
    return mail.Attachment(file_name=minutes.file_name, data=data, mime=safe.mime)


def _minutes_mail(*, delivery: Delivery, person, now: datetime.datetime, reads: selectors.MailReads):
    """„Protokoll veröffentlicht“: the link to the minutes on the meeting's page, the file
    attached when small. Read at send time: minutes taken back or told about again since
    (a newer notice) send nothing here."""
    try:
        meeting = reads.meeting(delivery.subject_id)
    except Meeting.DoesNotExist:
        return Outcome(Delivery.State.SKIPPED, str(_("Die Sitzung wurde gelöscht.")))
    if not reads.is_member(person_id=person.pk, network_id=meeting.network_id):
        return Outcome(Delivery.State.SKIPPED, str(_("Nicht mehr Mitglied des Netzwerks.")))
    minutes = Minutes.objects.filter(meeting_id=meeting.pk).first()
    if minutes is None or not minutes.is_published:
        return Outcome(Delivery.State.SKIPPED, str(_("Das Protokoll ist nicht mehr veröffentlicht.")))
    if minutes.notice_version > delivery.version:
        return Outcome(Delivery.State.SKIPPED, str(_("Überholt durch eine neuere Benachrichtigung.")))
    language = _language(person)
    attachment = _minutes_attachment(minutes)
    page = settings.SITE_URL + reverse("meetings:meeting_detail", kwargs={"uid": meeting.uid})
    context = {
        "title": meeting.title,
        "network": meeting.network.name,
        "when": when_text(meeting.start, meeting.end, language),
        "minutes_url": page + "#protokoll",
        "print_url": settings.SITE_URL + reverse("meetings:minutes_print", kwargs={"uid": meeting.uid}),
        "again": delivery.version > 1,
        "file_name": minutes.file_name,
        "attached": attachment is not None,
        "file_url": (
            settings.SITE_URL + reverse("meetings:minutes_file", kwargs={"uid": meeting.uid}) if minutes.file else ""
        ),
    }
    return _person_message(
        delivery=delivery, person=person, context=context, attachments=(attachment,) if attachment else ()
    )


def _poll_mail(*, delivery: Delivery, person, now: datetime.datetime, reads: selectors.MailReads):
    try:
        poll = DatePoll.objects.select_related("network", "chosen_option", "meeting").get(pk=delivery.subject_id)
    except DatePoll.DoesNotExist:
        return Outcome(Delivery.State.SKIPPED, str(_("Die Terminumfrage wurde gelöscht.")))
    if not selectors.is_member(person_id=person.pk, network_id=poll.network_id, day=now.astimezone(BERLIN).date()):
        return Outcome(Delivery.State.SKIPPED, str(_("Nicht mehr Mitglied des Netzwerks.")))
    if delivery.kind in (Kind.POLL_INVITATION, Kind.POLL_REMINDER) and (not poll.is_open or poll.deadline <= now):
        return Outcome(Delivery.State.SKIPPED, str(_("Die Terminumfrage ist geschlossen.")))
    if (
        delivery.kind == Kind.POLL_REMINDER
        and DatePollVote.objects.filter(option__poll=poll, person_id=person.pk).exists()
    ):
        return Outcome(Delivery.State.SKIPPED, str(_("Hat schon abgestimmt.")))
    language = _language(person)
    chosen = poll.chosen_option
    context = {
        "title": poll.title,
        "network": poll.network.name,
        "description": poll.description,
        "deadline": when_text(poll.deadline, None, language),
        "options": [str(option) for option in poll.options.all()],
        "vote_url": settings.SITE_URL + poll_vote_path(poll_id=poll.pk, person_id=person.pk),
        "chosen": str(chosen) if chosen is not None else "",
    }
    return _person_message(delivery=delivery, person=person, context=context)


def _contact_mail(*, delivery: Delivery, person, now: datetime.datetime, reads: selectors.MailReads):
    try:
        message = ContactMessage.objects.select_related("network", "institution").get(pk=delivery.subject_id)
    except ContactMessage.DoesNotExist:
        return Outcome(Delivery.State.SKIPPED, str(_("Die Kontaktanfrage wurde gelöscht.")))
    if not delivery.address:
        return Outcome(Delivery.State.FAILED, str(_("Keine E-Mail-Adresse für diese Anfrage.")))
    copy = delivery.kind == Kind.CONTACT_COPY
    recipient = message.recipient
    recipient_name = str(recipient) if recipient is not None else str(_("Stadt Aachen (Barrierefreiheit)"))
    if delivery.kind == Kind.CONTACT_COPY_CONFIRM:
        return _contact_copy_confirm_mail(delivery=delivery, message=message, recipient_name=recipient_name)
    if copy and not delivery.details.get("confirmed"):
        # Planned before copies waited for the sender's confirmation: not sent unasked.
        return Outcome(Delivery.State.SKIPPED, str(_("Kopie ohne bestätigte Adresse: nicht gesendet.")))
    context = {
        "sender_name": message.sender_name,
        "sender_email": message.sender_email,
        "subject": message.subject,
        "body": message.body,
        "recipient": recipient_name,
        "accessibility": message.kind == ContactMessage.Kind.ACCESSIBILITY_FEEDBACK,
    }
    language = message.language if copy else "de"
    subject, body = mail.render(kind=delivery.kind, language=language, context=context)
    return mail.message_build(
        subject=subject,
        body=body,
        to=delivery.address,
        to_name=delivery.recipient_name,
        message_id=message_id_of(delivery),
        headers={},
        reply_to="" if copy else message.sender_email,
    )


def _contact_copy_confirm_mail(*, delivery: Delivery, message: ContactMessage, recipient_name: str):
    """The link that sends the copy: nothing the sender typed, not even the name, goes to
    the address they typed (it may be anyone's)."""
    context = {
        "recipient": recipient_name,
        "confirm_url": settings.SITE_URL + tokens.contact_copy_path(message_id=message.pk),
        "valid_days": tokens.CONTACT_COPY_MAX_AGE.days,
    }
    subject, body = mail.render(kind=delivery.kind, language=message.language, context=context)
    return mail.message_build(
        subject=subject,
        body=body,
        to=delivery.address,
        to_name="",
        message_id=message_id_of(delivery),
        headers={},
    )


def _account_invitation_mail(*, delivery: Delivery, person, now: datetime.datetime, reads: selectors.MailReads):
    """The link to choose a password, to the account's address, in the person's language.

    Transactional (no List-Unsubscribe: there is nothing to unsubscribe from). Read at send
    time: a withdrawn, accepted, expired or resent invitation sends nothing here.
    """
    invitation = AccountInvitation.objects.select_related("user", "network", "invited_by__person").get(
        pk=delivery.subject_id
    )
    if invitation.withdrawn_at is not None or invitation.accepted_at is not None:
        return Outcome(Delivery.State.SKIPPED, str(_("Die Einladung ist nicht mehr offen.")))
    if invitation.version != delivery.version:
        return Outcome(Delivery.State.SKIPPED, str(_("Die Einladung wurde inzwischen erneut verschickt.")))
    if invitation.expires_at <= now:
        return Outcome(Delivery.State.SKIPPED, str(_("Die Einladung ist abgelaufen.")))
    user = invitation.user
    link = settings.SITE_URL + reverse(
        "contacts:invitation_accept",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    inviter = getattr(invitation.invited_by, "person", None) if invitation.invited_by_id else None
    context = {
        "name": person.full_name,
        "link": link,
        "network": invitation.network.name if invitation.network_id else "",
        "inviter": inviter.full_name if inviter is not None else "",
        "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    subject, body = mail.render(kind=delivery.kind, language=_language(person), context=context)
    return mail.message_build(
        subject=subject,
        body=body,
        to=invitation.email,
        to_name=person.full_name,
        message_id=message_id_of(delivery),
        headers={},
    )


def _digest_mail(*, delivery: Delivery, person, now: datetime.datetime, reads: selectors.MailReads):
    # The coming seven days from when the digest leaves.
    week = delivery.version % 100
    start, end = now, now + datetime.timedelta(days=7)
    language = _language(person)
    meetings = list(
        selectors.digest_meetings(person_id=person.pk, start=start, end=end, day=now.astimezone(BERLIN).date())
    )
    preference = getattr(person, "mail_preference", None) or selectors.preference_of(person)
    minutes = (
        selectors.digest_minutes(
            person_id=person.pk, since=now - datetime.timedelta(days=7), day=now.astimezone(BERLIN).date()
        )
        if preference.minutes
        else []
    )
    # The Rundmails of the past week: for whoever reads them here instead of on their own.
    rundmails = []
    if preference.network_news and preference.digest_instead:
        rundmails = [
            {
                "subject": rundmail.subject,
                "network": rundmail.network.name,
                "url": settings.SITE_URL + reverse("rundmail:detail", args=[rundmail.network.slug, rundmail.pk]),
            }
            for rundmail in selectors.rundmails_in_digest(person_id=person.pk, since=now - datetime.timedelta(days=7))
        ]
    if not meetings and not minutes and not rundmails:
        return Outcome(Delivery.State.SKIPPED, str(_("Keine Sitzungen in dieser Woche.")))
    context = {
        "rundmails": rundmails,
        "week": week,
        "minutes": [
            {
                "title": item.meeting.title,
                "network": item.meeting.network.name,
                "when": when_text(item.meeting.start, None, language),
                "url": settings.SITE_URL
                + reverse("meetings:meeting_detail", kwargs={"uid": item.meeting.uid})
                + "#protokoll",
            }
            for item in minutes
        ],
        "meetings": [
            {
                "title": meeting.title,
                "network": meeting.network.name,
                "when": when_text(meeting.start, meeting.end, language),
                "place": meeting.location_text,
            }
            for meeting in meetings
        ],
    }
    return _person_message(delivery=delivery, person=person, context=context)


def _member_left_mail(*, delivery: Delivery, person, now: datetime.datetime, reads: selectors.MailReads):
    """To a speaker: a member left the network. The member is named as far as the speaker,
    a member of that network, may see them (the projection); otherwise by institution."""
    membership = Membership.objects.select_related("network", "institution").get(pk=delivery.subject_id)
    language = _language(person)
    leaver = people_for_projection(Person.objects.filter(pk=membership.person_id)).first()
    audience = Audience(network_ids=frozenset({membership.network_id}), person_id=person.pk)
    view = project_person(leaver, audience, today=membership.end) if leaver is not None else None
    with translation.override(language):
        if view is not None and view.name and leaver.erased_at is None:
            member = view.name
        elif membership.institution is not None:
            member = gettext("Ein Mitglied (%(institution)s)") % {"institution": membership.institution.name}
        else:
            member = gettext("Ein Mitglied")
        roles = ", ".join(
            str(Membership.Role(role).label) for role in delivery.details.get("roles", []) if role != "mitglied"
        )
        day = dateformat.format(membership.end or now.date(), pgettext("date in a mail", "d.m.Y"))
    context = {"network": membership.network.name, "member": member, "roles": roles, "day": day}
    return _person_message(delivery=delivery, person=person, context=context)


def invitation_preview(*, meeting: Meeting, person, now: datetime.datetime) -> tuple[str, str] | None:
    """Subject and text of the invitation to ``meeting`` as ``person`` (a member) would get
    it now, rendered by the same builder as the real mail; ``None`` when no mail would go
    to that person (no address, not a member)."""
    delivery = Delivery(
        subject_type=Subject.MEETING,
        subject_id=meeting.pk,
        kind=Kind.INVITATION,
        version=meeting.sequence,
        recipient_key=f"p{person.pk}",
        person_id=person.pk,
    )
    reads = selectors.MailReads([(person.pk, Subject.MEETING, meeting.pk)], day=now.astimezone(BERLIN).date())
    message = _meeting_mail(delivery=delivery, person=reads.person(person.pk), now=now, reads=reads)
    if isinstance(message, Outcome | datetime.datetime):
        return None
    return message.subject, message.body


def _consent_request_mail(*, delivery: Delivery, person, now: datetime.datetime, reads: selectors.MailReads):
    """What was taken over about the person, and how to say what may be shown; nothing if
    the person has consented in the meantime."""
    if person.consents.filter(withdrawn_at__isnull=True).exists():
        return Outcome(Delivery.State.SKIPPED, str(_("Die Person hat inzwischen eingewilligt.")))
    network = delivery.network
    context = {
        "network": network.name_with_kind if network is not None else "",
        "institutions": [
            affiliation.institution.name for affiliation in person.affiliations.select_related("institution")
        ],
        "addresses": [channel.value for channel in person.channels.all()],
    }
    return _person_message(delivery=delivery, person=person, context=context)


ENTRY_MODELS = {Subject.NETWORK: Network, Subject.INSTITUTION: Institution, Subject.PERSON: Person}
ENTRY_KIND_NAMES = {Subject.NETWORK: "network", Subject.INSTITUTION: "institution", Subject.PERSON: "person"}


def _entry_mail(*, delivery: Delivery, person, now: datetime.datetime, reads: selectors.MailReads):
    """„Sind Ihre Angaben noch aktuell?“, its reminder, or „Eintrag prüfen“ on request: the
    entry as it stands and the signed link to confirm (or correct) it."""
    model = ENTRY_MODELS[delivery.subject_type]
    entry = model.objects.filter(pk=delivery.subject_id).first()
    if entry is None or not getattr(entry, "is_active", True):
        return Outcome(Delivery.State.SKIPPED, str(_("Der Eintrag ist gelöscht oder nicht mehr aktiv.")))
    if entry.confirmed_at is not None and entry.confirmed_at >= delivery.created_at:
        return Outcome(Delivery.State.SKIPPED, str(_("Der Eintrag wurde inzwischen bestätigt.")))
    if (
        model is Network
        and not Membership.objects.active(now.astimezone(BERLIN).date())
        .leading()
        .filter(network_id=entry.pk, person_id=person.pk)
        .exists()
    ):
        return Outcome(Delivery.State.SKIPPED, str(_("Nicht mehr im Sprecher*innenteam.")))
    context = {
        "kind": ENTRY_KIND_NAMES[delivery.subject_type],
        "entry": entry.name_with_kind if model is Network else str(entry),
        "link": entry_link_url(entry),
        "valid_days": settings.ENTRY_CHECK_LINK_DAYS,
        "person_mail": person is not None,
    }
    if person is not None:
        language = _language(person)
        with translation.override(language):
            context["stand"] = dateformat.format(entry.stand.astimezone(BERLIN), pgettext("date in a mail", "d.m.Y"))
        return _person_message(delivery=delivery, person=person, context=context)
    address = delivery.address.strip().lower()
    if model is not Institution or address != (entry.email or "").strip().lower():
        return Outcome(Delivery.State.SKIPPED, str(_("Die Funktionsadresse hat sich inzwischen geändert.")))
    if AddressOptOut.objects.filter(address=address).exists():
        return Outcome(Delivery.State.SKIPPED, str(_("Abbestellt (Funktionsadresse).")))
    unsubscribe_url = settings.SITE_URL + tokens.address_unsubscribe_path(address=address)
    context.update(
        name="",
        unsubscribe_url=unsubscribe_url,
        stand=dateformat.format(entry.stand.astimezone(BERLIN), "d.m.Y"),
    )
    subject, body = mail.render(kind=delivery.kind, language="de", context=context)
    return mail.message_build(
        subject=subject,
        body=body,
        to=delivery.address,
        to_name=delivery.recipient_name,
        message_id=message_id_of(delivery),
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": "Netzwerk Aachen <benachrichtigungen.netzwerk.aachen.de>",
        },
    )


def _term_mail(*, delivery: Delivery, person, now: datetime.datetime, reads: selectors.MailReads):
    """A speaker's term ends soon: to the holder (time to prepare an election) and to the
    network's contact in the Sozialplanung (the same facts, addressed to the contact)."""
    membership = Membership.objects.select_related("network", "person").filter(pk=delivery.subject_id).first()
    if membership is None:
        return Outcome(Delivery.State.SKIPPED, str(_("Die Mitgliedschaft wurde gelöscht.")))
    if membership.end is None or int(membership.end.strftime("%Y%m%d")) != delivery.version:
        return Outcome(Delivery.State.SKIPPED, str(_("Das Ende der Amtszeit wurde geändert.")))
    today = now.astimezone(BERLIN).date()
    if membership.end < today:
        return Outcome(Delivery.State.SKIPPED, str(_("Die Amtszeit ist schon zu Ende.")))
    language = _language(person)
    with translation.override(language):
        context = {
            "network": membership.network.name,
            "holder": membership.person.full_name,
            "role": str(membership.get_role_display()),
            "end": dateformat.format(membership.end, pgettext("date in a mail", "d.m.Y")),
            "days": (membership.end - today).days,
            "is_holder": membership.person_id == person.pk,
            "network_url": settings.SITE_URL + reverse("directory:network_detail", args=[membership.network.slug]),
        }
    return _person_message(delivery=delivery, person=person, context=context)


def _guest_mail(*, delivery: Delivery, person, now: datetime.datetime, reads: selectors.MailReads):
    """To the address a guest typed: the confirmation (a seat with the ``.ics``, or the
    waiting list), moving up, a change or the cancellation of the meeting, each with the
    link that cancels the registration.

    Nothing the guest typed is in it, not even the name: the address may be anyone's, and
    the form must not send text of a stranger's choosing to it. Read at send time: a
    registration cancelled meanwhile sends nothing.
    """
    registration = (
        GuestRegistration.objects.select_related("meeting__network", "meeting__institution")
        .prefetch_related("meeting__agenda_items")
        .filter(pk=delivery.subject_id)
        .first()
    )
    if registration is None:
        return Outcome(Delivery.State.SKIPPED, str(_("Die Anmeldung wurde storniert oder gelöscht.")))
    if registration.email.strip().lower() != delivery.address.strip().lower():
        return Outcome(Delivery.State.SKIPPED, str(_("Die Adresse der Anmeldung hat sich geändert.")))
    meeting = registration.meeting
    kind = delivery.kind
    if kind == Kind.GUEST_CANCELLATION:
        if not meeting.is_cancelled:
            return Outcome(Delivery.State.SKIPPED, str(_("Die Sitzung ist nicht mehr abgesagt.")))
    elif meeting.is_cancelled:
        return Outcome(Delivery.State.SKIPPED, str(_("Die Sitzung ist abgesagt.")))
    if meeting.start <= now:
        return Outcome(Delivery.State.SKIPPED, str(_("Die Sitzung hat schon begonnen.")))
    if kind == Kind.GUEST_CHANGE and meeting.sequence > delivery.version:
        return Outcome(Delivery.State.SKIPPED, str(_("Überholt durch eine neuere Änderung.")))
    if kind == Kind.GUEST_MOVED_UP:
        if registration.is_waiting:
            return Outcome(Delivery.State.SKIPPED, str(_("Steht noch auf der Warteliste.")))
        told = Delivery.objects.filter(
            subject_type=Subject.GUEST,
            subject_id=registration.pk,
            kind=Kind.GUEST_CONFIRMATION,
            state=Delivery.State.SENT,
            sent_at__lt=registration.moved_up_at,
        )
        if not told.exists():
            # The confirmation left after moving up (or is still on its way): it tells the seat.
            return Outcome(Delivery.State.SKIPPED, str(_("Die Bestätigung nennt schon den Platz.")))
    language = registration.language
    waiting = registration.is_waiting
    position = 0
    if waiting:
        position = (
            GuestRegistration.objects.filter(
                meeting=meeting, status=GuestRegistration.Status.WAITING, created_at__lte=registration.created_at
            )
            .exclude(created_at=registration.created_at, pk__gt=registration.pk)
            .count()
        )
    context = {
        "title": meeting.title,
        "network": meeting.network.name,
        "when": when_text(meeting.start, meeting.end, language),
        "place": meeting.location_text,
        "accessibility_notes": meeting.accessibility_notes,
        "online_url": meeting.online_url,
        "waiting": waiting,
        "position": position,
        "meeting_url": settings.SITE_URL + reverse("meetings:meeting_detail", args=[meeting.uid]),
        "cancel_url": settings.SITE_URL + guest_cancel_path(registration_id=registration.pk),
        "reason": meeting.cancellation_reason if kind == Kind.GUEST_CANCELLATION else "",
        "changes": _changes(delivery.details, language) if kind == Kind.GUEST_CHANGE else [],
    }
    calendar = None
    if not waiting:
        method = "CANCEL" if kind == Kind.GUEST_CANCELLATION else "REQUEST"
        calendar = _calendar(
            meeting, method=method, address=registration.email, name="", language=language, reads=reads
        )
    subject, body = mail.render(kind=kind, language=language, context=context)
    return mail.message_build(
        subject=subject,
        body=body,
        to=registration.email,
        to_name="",
        message_id=message_id_of(delivery),
        headers={},
        calendar=calendar,
    )


# Rundmails ---------------------------------------------------------------------------

# What a speaker may write in a Rundmail to be replaced per recipient.
RUNDMAIL_PLACEHOLDERS = ("anrede", "name", "netzwerk")
_PLACEHOLDER = re.compile(r"\{([^{}\n]{1,40})\}")


def rundmail_placeholders_unknown(text: str) -> list[str]:
    """The placeholders in ``text`` that do not exist (``{vorname}``), in order, once each."""
    unknown: list[str] = []
    for match in _PLACEHOLDER.finditer(text or ""):
        name = match.group(1).strip()
        if name not in RUNDMAIL_PLACEHOLDERS and name not in unknown:
            unknown.append(name)
    return unknown


def rundmail_salutation(person) -> str:
    """„Sehr geehrte Frau Dr. Weber“, „Sehr geehrter Herr Schmitz“, or „Guten Tag Alex
    Beispiel“ for anyone who gave another form of address (or none): as the person
    describes themselves, never guessed from the first name. German, as the Rundmail's text."""
    address = (person.form_of_address or "").strip().casefold() if person.erased_at is None else ""
    surname = " ".join(part for part in (person.title, person.family_name) if part)
    if address == "frau":
        return f"Sehr geehrte Frau {surname}"
    if address == "herr":
        return f"Sehr geehrter Herr {surname}"
    return f"Guten Tag {person.full_name}".strip()


def rundmail_fill(text: str, *, person, network_name: str) -> str:
    """``text`` with the placeholders replaced for ``person`` (unknown ones were refused when
    it was written; any left are kept as typed). Without a person (a reader of the archive
    who has no entry) the greeting is neutral and the name empty."""
    if person is None:
        values = {"anrede": "Guten Tag", "name": "", "netzwerk": network_name}
    else:
        values = {"anrede": rundmail_salutation(person), "name": person.full_name, "netzwerk": network_name}
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1).strip(), match.group(0)), text)


def rundmail_attached(rundmail: Rundmail) -> bool:
    """Whether the files go with the mail (all together small) or are linked."""
    from notifications.services.rundmail import RUNDMAIL_ATTACH_MAX_BYTES

    return sum(attachment.size for attachment in rundmail.attachments.all()) <= RUNDMAIL_ATTACH_MAX_BYTES


def _rundmail_mail(*, delivery: Delivery, person, now: datetime.datetime, reads: selectors.MailReads):
    """A Rundmail to one member: its text with the placeholders filled in for them, the files
    attached (small) or linked (to the download after login)."""
    rundmail = reads.rundmail(delivery.subject_id)
    if rundmail is None:
        return Outcome(Delivery.State.SKIPPED, str(_("Die Rundmail wurde gelöscht.")))
    if rundmail.state != Rundmail.State.SENT:
        return Outcome(Delivery.State.SKIPPED, str(_("Die Rundmail wurde zurückgezogen.")))
    if not reads.is_member(person_id=person.pk, network_id=rundmail.network_id):
        return Outcome(Delivery.State.SKIPPED, str(_("Nicht mehr Mitglied des Netzwerks.")))
    message = _rundmail_message(delivery=delivery, person=person, rundmail=rundmail, reads=reads)
    return message


def _rundmail_message(
    *, delivery: Delivery, person, rundmail: Rundmail, reads: selectors.MailReads | None, attach: bool = True
):
    network = rundmail.network
    attachments = list(rundmail.attachments.all())
    attached = rundmail_attached(rundmail)
    slug = network.slug
    context = {
        "network": network.name,
        "author": rundmail.author.full_name if rundmail.author_id else "",
        "institution": rundmail.institution.name if rundmail.institution_id else "",
        # A member's proposal, approved by the speakers: signed as the member's notice.
        "proposed": rundmail.proposed_at is not None,
        "attached": attached,
        "files": [
            {
                "name": attachment.name,
                "url": settings.SITE_URL + reverse("rundmail:attachment", args=[slug, rundmail.pk, attachment.pk]),
            }
            for attachment in attachments
        ],
        "archive_url": settings.SITE_URL + reverse("rundmail:archive", args=[slug]),
    }
    # The text with this member's salutation: their own part of the mail.
    personal = {
        "subject": rundmail_fill(rundmail.subject, person=person, network_name=network.name),
        "body": rundmail_fill(rundmail.body, person=person, network_name=network.name),
    }
    files: tuple[mail.Attachment, ...] = ()
    if attached and attach and person_mail_address(person):
        files = tuple(
            mail.Attachment(attachment.name, _rundmail_attachment_bytes(attachment, reads), attachment.mime)
            for attachment in attachments
        )
    return _person_message(
        delivery=delivery,
        person=person,
        context=context,
        personal=personal,
        group=("rundmail", rundmail.pk),
        reads=reads,
        attachments=files,
    )


def _rundmail_attachment_bytes(attachment, reads: selectors.MailReads | None) -> bytes:
    if reads is not None:
        return reads.attachment_bytes(attachment)
    with attachment.file.open("rb") as handle:
        return handle.read()


def rundmail_preview(*, rundmail: Rundmail, person, now: datetime.datetime) -> dict:
    """The Rundmail as ``person`` would get it: subject, text, the files and whether they are
    attached, rendered by the same builder as the real mail (nothing is written)."""
    delivery = Delivery(
        subject_type=Subject.RUNDMAIL,
        subject_id=rundmail.pk,
        kind=Kind.RUNDMAIL,
        recipient_key=f"p{person.pk}",
        person_id=person.pk,
        network_id=rundmail.network_id,
    )
    message = _rundmail_message(delivery=delivery, person=person, rundmail=rundmail, reads=None, attach=False)
    if isinstance(message, Outcome):
        return {"subject": "", "body": "", "reason": message.reason, "files": []}
    return {
        "subject": message.subject,
        "body": message.body,
        "reason": "",
        "to_name": person.full_name,
        "files": [attachment.name for attachment in rundmail.attachments.all()],
        "attached": rundmail_attached(rundmail),
    }


BUILDERS = {
    Kind.INVITATION: _meeting_mail,
    Kind.CHANGE: _meeting_mail,
    Kind.CANCELLATION: _meeting_mail,
    Kind.REMINDER: _meeting_mail,
    Kind.POLL_INVITATION: _poll_mail,
    Kind.POLL_REMINDER: _poll_mail,
    Kind.POLL_RESULT: _poll_mail,
    Kind.CONTACT: _contact_mail,
    Kind.CONTACT_COPY: _contact_mail,
    Kind.CONTACT_COPY_CONFIRM: _contact_mail,
    Kind.DIGEST: _digest_mail,
    Kind.CONSENT_REQUEST: _consent_request_mail,
    Kind.TERM_ENDING: _term_mail,
    Kind.ENTRY_CHECK: _entry_mail,
    Kind.ENTRY_CHECK_REMINDER: _entry_mail,
    Kind.ENTRY_REVIEW: _entry_mail,
    Kind.MEMBER_LEFT: _member_left_mail,
    Kind.ACCOUNT_INVITATION: _account_invitation_mail,
    Kind.GUEST_CONFIRMATION: _guest_mail,
    Kind.GUEST_MOVED_UP: _guest_mail,
    Kind.GUEST_CHANGE: _guest_mail,
    Kind.GUEST_CANCELLATION: _guest_mail,
    Kind.MINUTES: _minutes_mail,
    Kind.RUNDMAIL: _rundmail_mail,
}
