"""Data-protection rights across the apps: the Art. 15 export (everything Netzwerk holds
about a person) and the Art. 17 erasure. Both compose the directory, the calendar and the
delivery log, so they live here (DESIGN.md: pages and operations that span apps)."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from contacts.models import ConsentText, ContactMessage, Membership, Person, User
from contacts.services.history import history_purge_person
from contacts.services.privacy import (
    ERASED_NAME,
    erasure_record,
    person_directory_erase,
    person_identifying_values,
)
from meetings.models import Attendance, DatePollVote, FeedToken
from meetings.services.privacy import person_calendar_erase
from notifications.models import Delivery, Preference
from notifications.services.privacy import person_deliveries_erase

logger = logging.getLogger(__name__)

EXPORT_FORMAT_VERSION = 1


def _when(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def _label(instance, field: str) -> str:
    return str(getattr(instance, f"get_{field}_display")())


def person_data_export(*, person: Person) -> dict:
    """Everything Netzwerk holds about ``person`` (Art. 15 DSGVO), as plain data: the
    entry, the account, consents with the wording agreed to, memberships, answers and
    attendance, poll votes, mail settings, the delivery log, calendar addresses and the
    contact-form messages sent from one of the person's addresses.

    Reads only. The same dictionary is the JSON file and the printable page.
    """
    person = (
        Person.objects.select_related("user")
        .prefetch_related("channels", "consents__channel", "affiliations__institution")
        .get(pk=person.pk)
    )
    addresses = person_identifying_values(person)["addresses"]
    texts = {text.version: text for text in ConsentText.objects.all()}
    user: User | None = person.user
    token = Token.objects.filter(user=user).first() if user is not None else None
    preference = Preference.objects.filter(person=person).first()
    memberships = Membership.objects.filter(person=person).select_related("network", "institution")
    attendances = Attendance.objects.filter(person=person).select_related("meeting__network")
    votes = DatePollVote.objects.filter(person=person).select_related("option__poll__network")
    deliveries = Delivery.objects.filter(
        Q(person=person) | Q(address__in=addresses) | Q(recipient_key__in=[f"a{a}" for a in addresses])
    ).select_related("network")
    messages = ContactMessage.objects.filter(sender_email__in=addresses).select_related("network", "institution")
    return {
        "format": EXPORT_FORMAT_VERSION,
        "created_at": _when(timezone.now()),
        "controller": "Stadt Aachen, Fachbereich Wohnen, Soziales und Integration (FB 56), Sozialplanung",
        "person": {
            "id": person.pk,
            "title": person.title,
            "given_name": person.given_name,
            "family_name": person.family_name,
            "form_of_address": person.form_of_address,
            "language": person.language,
            "notes": person.notes,
            "confirmed_at": _when(person.confirmed_at),
            "created_at": _when(person.created_at),
            "updated_at": _when(person.updated_at),
        },
        "channels": [
            {"kind": c.kind, "value": c.value, "label": c.label, "is_primary": c.is_primary}
            for c in person.channels.all()
        ],
        "affiliations": [
            {"institution": a.institution.name, "function": a.function} for a in person.affiliations.all()
        ],
        "consents": [
            {
                "id": c.pk,
                "scope": c.scope,
                "scope_label": _label(c, "scope"),
                "channel": c.channel.value if c.channel_id else None,
                "audience": c.audience,
                "audience_label": _label(c, "audience"),
                "given_at": _when(c.given_at),
                "withdrawn_at": _when(c.withdrawn_at),
                "source": _label(c, "source"),
                "text_version": c.text_version,
                "text": texts[c.text_version].text if c.text_version in texts else None,
            }
            for c in person.consents.all()
        ],
        "consent_texts": {
            version: texts[version].text
            for version in sorted({c.text_version for c in person.consents.all()})
            if version in texts
        },
        "account": None
        if user is None
        else {
            "email": user.email,
            "is_active": user.is_active,
            "is_staff": user.is_staff,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
            "api_token_created": _when(token.created) if token else None,
        },
        "memberships": [
            {
                "network": m.network.name,
                "institution": m.institution.name if m.institution_id else None,
                "role": m.role,
                "role_label": _label(m, "role"),
                "start": _when(m.start),
                "end": _when(m.end),
                "note": m.note,
            }
            for m in memberships
        ],
        "attendance": [
            {
                "meeting": a.meeting.title,
                "network": a.meeting.network.name,
                "start": _when(a.meeting.start),
                "answer": a.answer,
                "answer_label": _label(a, "answer") if a.answer else "",
                "note": a.note,
                "answered_at": _when(a.answered_at),
                "presence": a.presence,
                "presence_label": _label(a, "presence") if a.presence else "",
            }
            for a in attendances
        ],
        "poll_votes": [
            {
                "poll": v.option.poll.title,
                "network": v.option.poll.network.name,
                "option": str(v.option),
                "answer": v.answer,
                "answer_label": _label(v, "answer"),
                "at": _when(v.updated_at),
            }
            for v in votes
        ],
        "mail_preferences": None
        if preference is None
        else {field: getattr(preference, field) for field in (*Preference.TOGGLES, "digest_instead", "language")},
        "deliveries": [
            {
                "kind": d.kind,
                "kind_label": _label(d, "kind"),
                "network": d.network.name if d.network_id else None,
                "address": d.address,
                "state": d.state,
                "state_label": _label(d, "state"),
                "created_at": _when(d.created_at),
                "sent_at": _when(d.sent_at),
            }
            for d in deliveries
        ],
        "feed_tokens": [
            {
                # The secret itself is not repeated: its end is enough to recognise it.
                "token_end": t.token[-6:],
                "created_at": _when(t.created_at),
                "revoked_at": _when(t.revoked_at),
                "last_fetched_at": _when(t.last_fetched_at),
                "last_user_agent": t.last_user_agent,
            }
            for t in FeedToken.objects.filter(person=person)
        ],
        "contact_messages": [
            {
                "to": str(m.recipient) if m.recipient is not None else _("Stadt Aachen (Barrierefreiheit)"),
                "sender_name": m.sender_name,
                "sender_email": m.sender_email,
                "subject": m.subject,
                "body": m.body,
                "created_at": _when(m.created_at),
            }
            for m in messages
        ],
    }


@transaction.atomic
def person_erase(*, person: Person, actor: User | None = None) -> dict[str, int]:
    """Erase ``person`` (Art. 17 DSGVO) in one transaction:

    1. the delivery log: mail not yet sent to them dropped, their addresses and name
       blanked in every row (``notifications``);
    2. the calendar: their calendar addresses revoked, notes on answers blanked, their
       name in minutes and agenda texts replaced by „ehemaliges Mitglied“ (``meetings``);
    3. the directory: consents, addresses, numbers, affiliations, notes and contact
       messages deleted, the change history of these rows purged, the account closed, the
       row kept as the placeholder that memberships, answers and votes point to
       (``contacts``);
    4. the erasure logged with counts only (``Erasure``).

    Raises ``ValueError`` for a person already erased. Side effects: above; the public
    page cache goes stale with the commit (the saves signal it).
    """
    person = Person.objects.select_for_update(of=("self",)).select_related("user").get(pk=person.pk)
    if person.erased_at is not None:
        raise ValueError("person already erased")
    values = person_identifying_values(person)
    counts: dict[str, int] = {}
    counts |= person_deliveries_erase(person=person, addresses=values["addresses"])
    counts |= person_calendar_erase(person=person, names=values["names"], placeholder=ERASED_NAME)
    Preference.objects.filter(person=person).delete()
    counts |= person_directory_erase(person=person)
    # Last: the writes above made versions of their own (django-simple-history).
    counts["verlauf"] = history_purge_person(person=person)
    counts["mitgliedschaften"] = Membership.objects.filter(person=person).count()
    erasure_record(actor=actor, counts=counts)
    logger.info("Person %s erased by account %s", person.pk, getattr(actor, "pk", None))
    return counts
