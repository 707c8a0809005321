"""Every write to the directory: keyword-only functions, validated, in one transaction."""

import datetime
import logging

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from contacts.models import (
    Consent,
    ContactChannel,
    ContactMessage,
    Institution,
    Membership,
    Network,
    Person,
    User,
)
from contacts.selectors import contact_message_recipients

logger = logging.getLogger(__name__)


def _save(instance):
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def membership_start(
    *,
    network: Network,
    role: str = Membership.Role.MEMBER,
    person: Person | None = None,
    institution: Institution | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    note: str = "",
) -> Membership:
    """Add a member (an institution represented by a person, or an individual) or a role.

    Raises ``ValidationError`` for impossible states: no holder, an end before the start,
    the same role twice in overlapping terms.
    """
    membership = Membership(
        network=network,
        role=role,
        person=person,
        institution=institution,
        start=start or timezone.localdate(),
        end=end,
        note=note,
    )
    return _save(membership)


@transaction.atomic
def membership_end(*, membership: Membership, end: datetime.date | None = None) -> Membership:
    """End a membership or a term of office; the row stays as history."""
    membership.end = end or timezone.localdate()
    return _save(membership)


@transaction.atomic
def channel_add(*, person: Person, kind: str, value: str, label: str = "", is_primary: bool = False) -> ContactChannel:
    """Add an e-mail address or phone number; a new primary one demotes the old."""
    if is_primary:
        person.channels.filter(kind=kind, is_primary=True).update(is_primary=False)
    return _save(ContactChannel(person=person, kind=kind, value=value, label=label, is_primary=is_primary))


@transaction.atomic
def consent_record(
    *,
    person: Person,
    scope: str,
    audience: int,
    text_version: str,
    source: str,
    channel: ContactChannel | None = None,
    given_at: datetime.datetime | None = None,
    recorded_by: User | None = None,
) -> Consent:
    """Record a consent to show a person field to an audience (never edited afterwards)."""
    consent = Consent(
        person=person,
        scope=scope,
        audience=audience,
        text_version=text_version,
        source=source,
        channel=channel,
        given_at=given_at or timezone.now(),
        recorded_by=recorded_by,
    )
    return _save(consent)


@transaction.atomic
def consent_withdraw(*, consent: Consent, at: datetime.datetime | None = None) -> Consent:
    """Withdraw a consent. From now on the field falls back to the next widest consent."""
    if consent.withdrawn_at is None:
        consent.withdrawn_at = at or timezone.now()
        _save(consent)
    return consent


@transaction.atomic
def account_invite(*, person: Person, email: str | None = None, invited_by: User | None = None) -> User:
    """Give ``person`` an account and mail them a link to choose a password.

    The address is ``email`` or the person's primary e-mail channel. The account has no
    usable password until the link is followed; the link expires after
    ``PASSWORD_RESET_TIMEOUT``. Side effect: one mail, sent after the transaction commits.
    """
    address = (
        email
        or person.channels.filter(kind=ContactChannel.Kind.EMAIL)
        .order_by("-is_primary", "id")
        .values_list("value", flat=True)
        .first()
    )
    if not address:
        raise ValidationError(_("%(person)s hat keine E-Mail-Adresse für die Einladung.") % {"person": person})
    user = person.user
    if user is None:
        if User.objects.filter(email__iexact=address).exists():
            raise ValidationError(_("Für %(email)s gibt es bereits einen Zugang.") % {"email": address})
        user = User(email=address.lower())
        user.set_unusable_password()
        _save(user)
        person.user = user
        person.save(update_fields=["user", "updated_at"])
    transaction.on_commit(lambda: account_invitation_send(user=user, person=person))
    logger.info("Account invitation for person %s by %s", person.pk, invited_by)
    return user


def account_invitation_send(*, user: User, person: Person) -> None:
    """Mail the set-password link to a newly invited account, in the person's language."""
    link = settings.SITE_URL + reverse(
        "contacts:invitation_accept",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    with translation.override(person.language):
        context = {
            "person": person,
            "link": link,
            "valid_days": settings.PASSWORD_RESET_TIMEOUT // 86400,
        }
        message = EmailMessage(
            subject=_("Ihr Zugang zu Netzwerk Aachen"),
            body=render_to_string("contacts/mail/invitation.txt", context),
            to=[user.email],
        )
    message.send()


def _attempt_keys(*, email: str, client: str) -> list[str]:
    return [f"login-fail:email:{email.strip().lower()}", f"login-fail:client:{client}"]


def login_is_blocked(*, email: str, client: str) -> bool:
    """Whether too many logins failed lately for this address or from this client."""
    limit = settings.LOGIN_ATTEMPTS_LIMIT
    return any((cache.get(key) or 0) >= limit for key in _attempt_keys(email=email, client=client))


def _counter_increase(key: str, *, window_seconds: int) -> None:
    """Count one more event under ``key``; the count expires ``window_seconds`` after the first."""
    if cache.add(key, 1, timeout=window_seconds):
        return
    try:
        cache.incr(key)
    except ValueError:
        # Expired between add() and incr().
        cache.set(key, 1, timeout=window_seconds)


def login_failure_record(*, email: str, client: str) -> None:
    """Count a failed login for the address and for the client within the window."""
    for key in _attempt_keys(email=email, client=client):
        _counter_increase(key, window_seconds=settings.LOGIN_ATTEMPTS_WINDOW_SECONDS)


def login_failures_clear(*, email: str) -> None:
    """Forget failed attempts for an address after a successful login."""
    cache.delete(_attempt_keys(email=email, client="")[0])


# --- Messages from the public forms ------------------------------------------------------


def _contact_messages_key(client: str) -> str:
    return f"contact-message:client:{client}"


def contact_messages_blocked(*, client: str) -> bool:
    """Whether ``client`` (its network address) has sent as many messages as the window allows."""
    return (cache.get(_contact_messages_key(client)) or 0) >= settings.CONTACT_MESSAGES_LIMIT


@transaction.atomic
def contact_message_submit(
    *,
    sender_name: str,
    sender_email: str,
    subject: str,
    body: str,
    copy_to_sender: bool,
    client: str,
    language: str = "de",
    network: Network | None = None,
    institution: Institution | None = None,
    kind: str = ContactMessage.Kind.CONTACT,
) -> ContactMessage:
    """Store a message from the contact form (to ``network`` or ``institution``) or the
    accessibility feedback form (``kind="barrierefreiheit"``, to neither) for delivery.

    Raises ``ValidationError`` (German) when ``client`` has sent too many messages within
    the window, when nobody could receive the message (an institution without an address),
    or when a field is invalid; then nothing is stored.

    Side effects: one ``ContactMessage`` row and the client's message counter rises. No
    mail is sent here: the notifications sweep finds the undelivered row and sends it to
    the recipients and, if asked for, the copy to the sender.
    """
    if contact_messages_blocked(client=client):
        raise ValidationError(
            _(
                "Von Ihrem Anschluss wurden in kurzer Zeit bereits mehrere Nachrichten gesendet. "
                "Bitte warten Sie eine Stunde und senden Sie Ihre Nachricht dann erneut."
            ),
            code="rate_limited",
        )
    message = ContactMessage(
        kind=kind,
        network=network,
        institution=institution,
        sender_name=sender_name.strip(),
        sender_email=sender_email.strip(),
        subject=subject.strip(),
        body=body.strip(),
        copy_to_sender=copy_to_sender,
        language=language,
    )
    message.full_clean()
    if not contact_message_recipients(message):
        raise ValidationError(
            _(
                "Für diese Nachricht ist zurzeit niemand erreichbar. Bitte wenden Sie sich an die "
                "Sozialplanung der Stadt Aachen."
            ),
            code="no_recipient",
        )
    message.save()
    _counter_increase(_contact_messages_key(client), window_seconds=settings.CONTACT_MESSAGES_WINDOW_SECONDS)
    return message
