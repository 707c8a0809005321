"""Data-protection rights in the directory: the directory's part of an erasure (Art. 17
DSGVO) and the retention of what the directory keeps only for a while.

The erasure of a person as a whole (calendar, delivery log, directory) is
``netzwerk.privacy.person_erase``; it calls ``person_directory_erase`` last, in the same
transaction.
"""

import datetime
import logging
import uuid

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from contacts.models import Affiliation, Consent, ContactChannel, ContactMessage, Erasure, Membership, Person, User

logger = logging.getLogger(__name__)

# How an erased person appears wherever a membership, an answer or the minutes still point
# to them; with the institution of the membership where there is one.
ERASED_NAME = "ehemaliges Mitglied"


def person_identifying_values(person: Person) -> dict[str, list[str]]:
    """What identifies ``person``: names and every address and number, for the parts of an
    erasure that must find them in other apps' rows (delivery log, contact messages, minutes)."""
    channels = list(person.channels.all())
    addresses = {c.value.lower() for c in channels if c.kind == ContactChannel.Kind.EMAIL}
    if person.user_id is not None:
        addresses.add(person.user.email.lower())
    return {
        "names": [name for name in (person.full_name, f"{person.given_name} {person.family_name}".strip()) if name],
        "addresses": sorted(addresses),
        "phones": [c.value for c in channels if c.kind == ContactChannel.Kind.PHONE],
    }


@transaction.atomic
def person_directory_erase(*, person: Person) -> dict[str, int]:
    """Remove everything the directory holds about ``person`` but the row that memberships
    and answers point to, which becomes the placeholder „ehemaliges Mitglied“.

    Consents, addresses, numbers, affiliations and notes are deleted; the name becomes the
    placeholder; the account is closed for good (an address that cannot receive mail, no
    usable password, inactive, its API token and sessions gone); contact messages sent
    from one of the person's addresses are deleted. Memberships keep their network,
    institution, role and term. Returns the number of rows per kind.
    """
    values = person_identifying_values(person)
    channel_ids = list(person.channels.values_list("pk", flat=True))
    consent_ids = list(person.consents.values_list("pk", flat=True))
    counts = {
        "einwilligungen": Consent.objects.filter(pk__in=consent_ids).delete()[0],
        "kontaktwege": ContactChannel.objects.filter(pk__in=channel_ids).delete()[0],
        "zugehoerigkeiten": Affiliation.objects.filter(person=person).delete()[0],
        "kontaktanfragen": ContactMessage.objects.filter(sender_email__in=values["addresses"]).delete()[0]
        if values["addresses"]
        else 0,
    }
    # A membership's note may name the person („vertritt Frau X“); role and term stay.
    for membership in Membership.objects.filter(person=person).exclude(note=""):
        membership.note = ""
        membership.save(update_fields=["note", "updated_at"])
    user = person.user
    if user is not None:
        user.email = f"geloescht-{uuid.uuid4().hex}@invalid.invalid"
        user.set_unusable_password()
        user.is_active = False
        user.is_staff = False
        user.save()
        user.groups.clear()
        Token.objects.filter(user=user).delete()
        counts["sitzungen"] = _sessions_end(user)
        counts["zugang"] = 1
    person.title = ""
    person.given_name = ""
    person.family_name = ERASED_NAME
    person.form_of_address = ""
    person.notes = ""
    person.language = settings.LANGUAGE_CODE
    person.erased_at = timezone.now()
    person.save()
    return counts


def _sessions_end(user: User) -> int:
    """Delete the stored sessions of ``user`` (database sessions: one pass over the open ones)."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def erasure_record(*, actor: User | None, counts: dict[str, int]) -> Erasure:
    """Log that an erasure happened: when, by whom, how many rows; nothing about the person."""
    return Erasure.objects.create(erased_by=actor, counts=counts)


# --- retention --------------------------------------------------------------------------


@transaction.atomic
def account_invitations_expire(*, now: datetime.datetime | None = None) -> int:
    """Delete accounts whose invitation link expired unused: never logged in, no usable
    password, invited longer than ``PASSWORD_RESET_TIMEOUT`` ago, and no invitation still
    open (a speaker may have sent it again). The person stays in the directory and can be
    invited again. Password-reset and confirmation links are signed,
    not stored, and invalid after their time: nothing of them is kept to delete.

    Side effects: those ``User`` rows are deleted (one by one, so signals see them).
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    expired = [
        user
        for user in User.objects.filter(
            last_login__isnull=True, date_joined__lt=cutoff, is_staff=False, is_superuser=False
        ).exclude(
            invitations__withdrawn_at__isnull=True,
            invitations__accepted_at__isnull=True,
            invitations__expires_at__gt=now,
        )
        if not user.has_usable_password()
    ]
    for user in expired:
        user.delete()
    if expired:
        logger.info("%s expired invitations removed", len(expired))
    return len(expired)


@transaction.atomic
def contact_messages_delete(*, ids: list[int]) -> int:
    """Delete the contact-form messages ``ids`` (their retention time is over).

    Side effects: the rows are deleted one by one (signals and history see each)."""
    deleted = 0
    for message in ContactMessage.objects.filter(pk__in=ids):
        message.delete()
        deleted += 1
    if deleted:
        logger.info("%s contact messages deleted after their retention time", deleted)
    return deleted


def erased_label(*, institution_name: str | None = None) -> str:
    """„ehemaliges Mitglied, Einrichtung X“ in the current language."""
    if institution_name:
        return _("ehemaliges Mitglied, %(institution)s") % {"institution": institution_name}
    return _("ehemaliges Mitglied")
