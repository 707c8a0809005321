"""„Mein Bereich“: what a member changes of their own entry and account.

Every change goes through a model save (never ``QuerySet.update``), so that the change
history records who changed what, when, from what to what. Whether the actor may change
the entry is the caller's question (``contacts.edit_person``); these functions trust it.
"""

import datetime
import logging
from functools import partial

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contacts.clients import email_normalize
from contacts.models import Consent, ConsentText, ContactChannel, Membership, Network, Person, User, Visibility
from contacts.signals import network_left

logger = logging.getLogger(__name__)

PROFILE_FIELDS = ("title", "given_name", "family_name", "form_of_address", "language")


def _save(instance):
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def person_profile_update(*, person: Person, actor: User | None = None, **changes) -> Person:
    """Change a person's own name, title, form of address or mail language.

    An edit by the person counts as a confirmation that the entry is current
    (``confirmed_at``). Raises ``ValidationError`` (German) for invalid values, ``TypeError``
    for other fields. Side effects: the person row.
    """
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(person, name, value.strip() if isinstance(value, str) else value)
    person.confirmed_at = timezone.now()
    _save(person)
    logger.info("Person %s changed their entry (account %s)", person.pk, getattr(actor, "pk", None))
    return person


# --- the login address -------------------------------------------------------------------
#
# The new address is written only when the link mailed to it is followed, so nobody can
# move an account to an address that is not theirs. The link is signed and carries the old
# address: once the change is made the link no longer fits, so a replay changes nothing.

EMAIL_CHANGE_SALT = "contacts.email-change"


def _email_change_key(user: User) -> str:
    return f"email-change:user:{user.pk}"


def account_email_change_check(*, user: User, email: str) -> str:
    """The normalised new address, or ``ValidationError`` (German) saying why it cannot be
    the login address of ``user``: invalid, unchanged, or another account's address."""
    address = email_normalize((email or "").strip())
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError(_("Bitte geben Sie eine gültige E-Mail-Adresse an."), code="invalid") from None
    if address == user.email:
        raise ValidationError(_("Mit dieser Adresse melden Sie sich bereits an."), code="unchanged")
    if User.objects.filter(email=address).exclude(pk=user.pk).exists():
        raise ValidationError(
            _(
                "Diese E-Mail-Adresse gehört schon zu einem anderen Zugang. Bitte wählen Sie eine andere "
                "Adresse oder wenden Sie sich an die Sozialplanung."
            ),
            code="taken",
        )
    return address


@transaction.atomic
def account_email_change_request(*, user: User, email: str) -> str:
    """Ask to log in with ``email`` from now on: a confirmation link goes to that address.

    Raises ``ValidationError`` (German) as ``account_email_change_check`` does, and when
    the account asked ``PASSWORD_RESET_LIMIT`` times within the hour (each request sends a
    mail to an address of the member's choosing). Nothing is changed until the link is
    followed. Side effects: the counter; after commit, one ``contacts.email_change_send``
    task. Returns the normalised address.
    """
    address = account_email_change_check(user=user, email=email)
    key = _email_change_key(user)
    if (cache.get(key) or 0) >= settings.PASSWORD_RESET_LIMIT:
        raise ValidationError(
            _("Sie haben in kurzer Zeit bereits mehrere Links angefordert. Bitte warten Sie eine Stunde."),
            code="rate_limited",
        )
    if not cache.add(key, 1, timeout=settings.PASSWORD_RESET_WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=settings.PASSWORD_RESET_WINDOW_SECONDS)
    from contacts.tasks import email_change_send

    transaction.on_commit(partial(email_change_send.delay, user_id=user.pk, email=address), robust=True)
    return address


def email_change_token(*, user: User, email: str) -> str:
    """The signed token of the confirmation link: account, its current and its new address."""
    return signing.dumps({"u": user.pk, "old": user.email, "new": email}, salt=EMAIL_CHANGE_SALT, compress=True)


def account_email_change_mail_send(*, user: User, email: str) -> None:
    """Mail the confirmation link to the new address, in the language of the person.

    Side effects: one mail to ``email``. The link starts with ``SITE_URL``.
    """
    link = settings.SITE_URL + reverse(
        "contacts:email_change_confirm", kwargs={"token": email_change_token(user=user, email=email)}
    )
    person = Person.objects.filter(user=user).first()
    with translation.override(person.language if person else settings.LANGUAGE_CODE):
        message = EmailMessage(
            subject=_("Neue Anmeldeadresse bestätigen"),
            body=render_to_string(
                "contacts/mail/email_change.txt",
                {"link": link, "valid_days": max(1, settings.EMAIL_CHANGE_TIMEOUT // 86400)},
            ),
            to=[email],
        )
    message.send()
    logger.info("E-mail change link sent for account %s", user.pk)


def email_change_token_read(token: str) -> tuple[User, str]:
    """The account and new address a confirmation link names.

    Raises ``ValidationError`` (German) with code ``expired``, ``invalid`` or ``used``.
    """
    try:
        data = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=settings.EMAIL_CHANGE_TIMEOUT)
    except signing.SignatureExpired:
        raise ValidationError(
            _("Der Link ist abgelaufen. Bitte fordern Sie unter „Mein Bereich“ einen neuen an."), code="expired"
        ) from None
    except signing.BadSignature:
        raise ValidationError(
            _("Der Link ist ungültig. Bitte prüfen Sie, ob er vollständig ist."), code="invalid"
        ) from None
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None:
        raise ValidationError(_("Der Link ist ungültig. Bitte prüfen Sie, ob er vollständig ist."), code="invalid")
    if user.email != data.get("old"):
        raise ValidationError(
            _("Dieser Link wurde bereits verwendet oder ist durch eine neuere Änderung überholt."), code="used"
        )
    return user, data["new"]


@transaction.atomic
def account_email_change_confirm(*, token: str) -> User:
    """Follow the confirmation link: the account logs in with the new address from now on.

    Raises ``ValidationError`` (German) for an expired, invalid or used link, and when the
    address has become another account's meanwhile; then nothing changes. Side effects:
    the account's ``email``.
    """
    user, address = email_change_token_read(token)
    old = user.email
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.email != old:
        # Another request used the link between the read and the lock.
        raise ValidationError(_("Dieser Link wurde bereits verwendet."), code="used")
    if User.objects.filter(email=address).exclude(pk=user.pk).exists():
        raise ValidationError(
            _("Diese E-Mail-Adresse gehört inzwischen zu einem anderen Zugang. Bitte wählen Sie eine andere."),
            code="taken",
        )
    user.email = address
    _save(user)
    logger.info("Account %s changed its login address", user.pk)
    return user


@transaction.atomic
def account_password_change(*, user: User, old_password: str, new_password: str) -> User:
    """Change the password after checking the current one and the password rules.

    Raises ``ValidationError`` (German) with the field as key. Side effects: the password
    hash (other sessions of the account end; the caller keeps its own).
    """
    if not user.check_password(old_password or ""):
        raise ValidationError({"old_password": _("Das bisherige Passwort stimmt nicht.")})
    try:
        validate_password(new_password, user=user)
    except ValidationError as error:
        raise ValidationError({"new_password": error.messages}) from None
    user.set_password(new_password)
    user.save(update_fields=["password"])
    return user


# --- addresses and numbers ------------------------------------------------------------


PHONE_CHARACTERS = set("0123456789+ /-()")


def phone_check(value: str) -> str:
    """A phone number as people write it (digits, spaces, + / - and brackets, at least four
    digits), or ``ValidationError`` (German)."""
    value = (value or "").strip()
    if not value or set(value) - PHONE_CHARACTERS or sum(ch.isdigit() for ch in value) < 4:
        raise ValidationError({"value": _("Bitte geben Sie eine Telefonnummer aus Ziffern an, z. B. 0241 432-0.")})
    return value


@transaction.atomic
def person_channel_add(*, person: Person, kind: str, value: str, label: str = "", is_primary: bool = False):
    """Add an address or number to one's own entry; a duplicate or a malformed number is
    refused in German. Side effects: the channel row; the entry counts as confirmed."""
    from contacts.services import channel_add

    if kind == ContactChannel.Kind.PHONE:
        value = phone_check(value)
    if ContactChannel.objects.filter(person=person, kind=kind, value__iexact=(value or "").strip()).exists():
        raise ValidationError({"value": _("Diese Angabe ist bereits eingetragen.")})
    channel = channel_add(person=person, kind=kind, value=value, label=label, is_primary=is_primary)
    person.confirmed_at = timezone.now()
    person.save(update_fields=["confirmed_at", "updated_at"])
    return channel


@transaction.atomic
def person_channel_update(*, channel: ContactChannel, **changes) -> ContactChannel:
    """Change one of one's own addresses or numbers (``channel_update``), with the phone
    number checked as in ``person_channel_add``. A channel that a consent names keeps its
    kind (the consent was given for that kind)."""
    from contacts.services import channel_update

    kind = changes.get("kind", channel.kind)
    if kind != channel.kind and channel.consents.exists():
        raise ValidationError({"kind": _("Eine Einwilligung nennt diese Angabe; ihre Art bleibt.")})
    if kind == ContactChannel.Kind.PHONE and "value" in changes:
        changes["value"] = phone_check(changes["value"])
    return channel_update(channel=channel, **changes)


# --- consents -------------------------------------------------------------------------


def consent_text_current() -> ConsentText | None:
    """The wording a consent given now agrees to: the newest version in force today."""
    return ConsentText.objects.filter(published_on__lte=timezone.localdate()).order_by("-published_on", "-pk").first()


@transaction.atomic
def consent_grant(
    *, person: Person, scope: str, audience: int, channel: ContactChannel | None = None, actor: User | None = None
) -> Consent:
    """Give a consent with one click, to the current wording (``consent_text_current``).

    Idempotent: an active consent for the same field, audience and channel is returned
    as it is. Raises ``ValidationError`` (German) for an unknown field or audience, a
    channel of another person, or when no wording is on record. Side effects: one
    ``Consent`` row; public pages show the field from the commit on.
    """
    from contacts.services import consent_record

    if audience not in (Visibility.NETWORK_MEMBERS, Visibility.PUBLIC):
        raise ValidationError({"audience": _("Bitte wählen Sie, wer die Angabe sehen darf.")})
    if scope not in Consent.Scope.values:
        raise ValidationError({"scope": _("Diese Angabe gibt es nicht.")})
    existing = (
        Consent.objects.select_for_update()
        .filter(person=person, scope=scope, audience=audience, channel=channel, withdrawn_at__isnull=True)
        .first()
    )
    if existing is not None:
        return existing
    text = consent_text_current()
    if text is None:
        raise ValidationError(
            _("Zurzeit ist kein Einwilligungstext hinterlegt. Bitte wenden Sie sich an die Sozialplanung.")
        )
    return consent_record(
        person=person,
        scope=scope,
        audience=audience,
        channel=channel,
        text_version=text.version,
        source=Consent.Source.FORM,
        recorded_by=actor,
    )


# --- leaving a network ----------------------------------------------------------------


@transaction.atomic
def network_leave(
    *, person: Person, network: Network, actor: User | None = None, day: datetime.date | None = None
) -> list[Membership]:
    """Leave ``network``: every active membership and role of ``person`` in it ends today.

    The rows stay as history. Raises ``ValidationError`` (German) when the person is no
    active member. Side effects: ``end`` of those rows; the ``network_left`` signal, whose
    receiver (notifications) plans one mail to each speaker in the same transaction.
    """
    from contacts.services import membership_end

    day = day or timezone.localdate()
    # A row that already ends today was left already (it stays active until the day is over).
    rows = list(
        Membership.objects.active(day).select_for_update().filter(person=person, network=network).exclude(end__lte=day)
    )
    if not rows:
        raise ValidationError(_("Sie sind in diesem Netzwerk nicht (mehr) Mitglied."), code="not_member")
    for membership in rows:
        membership_end(membership=membership, end=day)
    network_left.send(sender=Membership, person=person, network=network, memberships=rows)
    logger.info("Person %s left network %s (account %s)", person.pk, network.pk, getattr(actor, "pk", None))
    return rows
