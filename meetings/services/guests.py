"""Guests of open meetings: the speakers open a meeting for registrations; anyone registers
(a seat, or the waiting list when it is full), cancels with the link from the mail, and
moves up when a seat becomes free; registrations are deleted a while after the meeting.

No mail is sent here: the notifications app plans the confirmation, the notice of moving
up and the changes from the rows these functions leave behind (``meetings.signals``).
"""

import datetime
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from contacts.text import join_lines
from meetings.models import GuestRegistration, Meeting, Visibility
from meetings.recurrence import BERLIN
from meetings.services._common import _actor_id, _lock
from meetings.signals import guests_changed

logger = logging.getLogger(__name__)


def _guest_counter_key(client: str) -> str:
    return f"guest-registration:client:{client}"


def guest_registrations_blocked(*, client: str) -> bool:
    """Whether ``client`` (its network address) has registered as often as the window allows."""
    return (cache.get(_guest_counter_key(client)) or 0) >= settings.GUEST_REGISTRATIONS_LIMIT


def _counter_increase(key: str, *, window_seconds: int) -> None:
    """Count one more registration under ``key``; the count expires ``window_seconds`` after the first."""
    if cache.add(key, 1, timeout=window_seconds):
        return
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window_seconds)


def guest_counts(meeting: Meeting) -> tuple[int, int]:
    """How many guests of ``meeting`` hold a seat and how many wait (one query)."""
    confirmed = waiting = 0
    for status in GuestRegistration.objects.filter(meeting=meeting).values_list("status", flat=True):
        if status == GuestRegistration.Status.WAITING:
            waiting += 1
        else:
            confirmed += 1
    return confirmed, waiting


def guest_registration_closed_reason(meeting: Meeting, *, now: datetime.datetime | None = None) -> str:
    """Why nobody can register for ``meeting`` now, in German; "" when registration is open."""
    now = now or timezone.now()
    if meeting.visibility != Visibility.PUBLIC:
        return _("Diese Sitzung ist nur für Mitglieder des Netzwerks; Gäste können sich nicht anmelden.")
    if not meeting.guests_open:
        return _("Für diese Sitzung ist keine Anmeldung für Gäste vorgesehen.")
    if meeting.is_cancelled:
        return _("Die Sitzung ist abgesagt; eine Anmeldung ist nicht möglich.")
    if meeting.start <= now:
        return _("Die Sitzung hat schon begonnen oder ist vorbei; eine Anmeldung ist nicht mehr möglich.")
    if meeting.guest_deadline is not None and meeting.guest_deadline <= now:
        deadline = formats.date_format(meeting.guest_deadline.astimezone(BERLIN), "d.m.Y, H:i")
        return _("Die Anmeldefrist ist am %(deadline)s Uhr abgelaufen.") % {"deadline": deadline}
    return ""


def _promote(meeting: Meeting, *, now: datetime.datetime) -> list[GuestRegistration]:
    """Give free seats of ``meeting`` (row locked) to the first guests on the waiting list."""
    if meeting.is_cancelled or meeting.start <= now:
        return []
    waiting = GuestRegistration.objects.filter(meeting=meeting, status=GuestRegistration.Status.WAITING).order_by(
        "created_at", "pk"
    )
    if meeting.guest_capacity is not None:
        confirmed = GuestRegistration.objects.filter(meeting=meeting, status=GuestRegistration.Status.CONFIRMED).count()
        free = max(0, meeting.guest_capacity - confirmed)
        waiting = waiting[:free]
    promoted = list(waiting)
    for registration in promoted:
        registration.status = GuestRegistration.Status.CONFIRMED
        registration.moved_up_at = now
        registration.save(update_fields=["status", "moved_up_at", "updated_at"])
    return promoted


def _tell(registrations: list[GuestRegistration], *, now: datetime.datetime) -> None:
    if registrations:
        guests_changed.send(sender=GuestRegistration, registration_ids=[r.pk for r in registrations], now=now)


@transaction.atomic
def guest_settings_set(
    *,
    meeting: Meeting,
    guests_open: bool,
    capacity: int | None = None,
    waitlist: bool = True,
    deadline: datetime.datetime | None = None,
    actor=None,
    now: datetime.datetime | None = None,
) -> Meeting:
    """Open or close ``meeting`` for guest registrations, with an optional number of seats,
    a waiting list (on by default) and an optional deadline.

    Opening needs a public meeting that has not begun and is not cancelled, and a deadline
    before its start. Guests who hold a seat keep it when the seats are reduced; when seats
    are added (or the limit removed), the first on the waiting list move up. Raises
    ``ValidationError`` (German). Side effects: the meeting's guest fields (no new
    ``sequence``: members are not told); moved-up registrations, whose mail follows.
    """
    now = now or timezone.now()
    _lock(meeting)
    if guests_open:
        if meeting.visibility != Visibility.PUBLIC:
            raise ValidationError(
                _("Nur öffentliche Sitzungen können Gäste annehmen. Bitte machen Sie die Sitzung zuerst öffentlich.")
            )
        if meeting.is_cancelled:
            raise ValidationError(_("Die Sitzung ist abgesagt; eine Anmeldung für Gäste ist nicht möglich."))
        if meeting.start <= now:
            raise ValidationError(_("Die Sitzung hat schon begonnen; eine Anmeldung für Gäste ist nicht mehr möglich."))
    if deadline is not None:
        if timezone.is_naive(deadline):
            raise ValidationError({"deadline": _("Zeitangaben brauchen eine Zeitzone (Europe/Berlin).")})
        if deadline > meeting.start:
            raise ValidationError({"deadline": _("Die Anmeldefrist muss vor dem Beginn der Sitzung enden.")})
    if capacity is not None and capacity < 1:
        raise ValidationError(
            {"capacity": _("Bitte geben Sie mindestens einen Platz an, oder lassen Sie das Feld leer.")}
        )
    meeting.guests_open = guests_open
    meeting.guest_capacity = capacity
    meeting.guest_waitlist = waitlist
    meeting.guest_deadline = deadline
    meeting.full_clean()
    meeting.save()
    promoted = _promote(meeting, now=now)
    _tell(promoted, now=now)
    logger.info(
        "Guest registration of meeting %s set by %s (open=%s, %s moved up)",
        meeting.pk,
        _actor_id(actor),
        guests_open,
        len(promoted),
    )
    return meeting


@transaction.atomic
def guest_register(
    *,
    meeting: Meeting,
    name: str,
    email: str,
    institution: str = "",
    accessibility_needs: str = "",
    client: str,
    language: str = "de",
    now: datetime.datetime | None = None,
) -> GuestRegistration:
    """Register a guest for an open meeting: a seat while there are seats, else the
    waiting list (if the meeting keeps one).

    Raises ``ValidationError`` (German; ``code`` says which) when ``client`` registered too
    often within the window (``rate_limited``), when the meeting takes no guests (members
    only, not opened, cancelled, begun, past its deadline: ``closed``), when the address is
    registered already (``duplicate``), when every seat is taken and there is no waiting
    list (``full``), or for an invalid field; then nothing is written and nothing sent.

    Side effects: one ``GuestRegistration`` row (the meeting row is locked while the seats
    are counted, so two guests never take the last seat both); the client's counter rises;
    the confirmation follows by mail (``meetings.signals.guests_changed``).
    """
    now = now or timezone.now()
    if guest_registrations_blocked(client=client):
        raise ValidationError(
            _(
                "Von Ihrem Anschluss kamen in kurzer Zeit bereits mehrere Anmeldungen. "
                "Bitte warten Sie eine Stunde und melden Sie sich dann erneut an."
            ),
            code="rate_limited",
        )
    _lock(meeting)
    reason = guest_registration_closed_reason(meeting, now=now)
    if reason:
        raise ValidationError(reason, code="closed")
    registration = GuestRegistration(
        meeting=meeting,
        name=join_lines(name).strip(),
        email=email.strip(),
        institution=join_lines(institution).strip(),
        accessibility_needs="".join(c for c in accessibility_needs if c in "\n\t" or c.isprintable()).strip(),
        language=language if language in ("de", "en") else "de",
    )
    registration.full_clean(exclude=["meeting"], validate_constraints=False)
    registered = GuestRegistration.objects.filter(meeting=meeting).annotate(address=Lower("email"))
    if registered.filter(address=registration.email.lower()).exists():
        raise ValidationError(
            _(
                "Mit dieser E-Mail-Adresse ist schon eine Anmeldung für diese Sitzung eingegangen. "
                "Den Link zum Abmelden finden Sie in der Bestätigung per E-Mail."
            ),
            code="duplicate",
        )
    confirmed, _waiting = guest_counts(meeting)
    if meeting.guest_capacity is not None and confirmed >= meeting.guest_capacity:
        if not meeting.guest_waitlist:
            raise ValidationError(_("Alle Plätze sind vergeben; eine Anmeldung ist nicht mehr möglich."), code="full")
        registration.status = GuestRegistration.Status.WAITING
    registration.save()
    _counter_increase(_guest_counter_key(client), window_seconds=settings.GUEST_REGISTRATIONS_WINDOW_SECONDS)
    _tell([registration], now=now)
    logger.info("Guest registered for meeting %s (%s)", meeting.pk, registration.status)
    return registration


@transaction.atomic
def guest_registration_cancel(
    *, registration: GuestRegistration, now: datetime.datetime | None = None
) -> list[GuestRegistration]:
    """The guest cancels (the link in their mail): the registration and its data are
    deleted; a seat that becomes free goes to the first on the waiting list.

    Returns the registrations that moved up. Side effects: the registration deleted (its
    notice with it); moved-up registrations, whose mail follows.
    """
    now = now or timezone.now()
    meeting = registration.meeting
    _lock(meeting)
    registration.delete()
    promoted = _promote(meeting, now=now)
    _tell(promoted, now=now)
    logger.info("Guest registration for meeting %s cancelled (%s moved up)", meeting.pk, len(promoted))
    return promoted


@transaction.atomic
def guest_registrations_delete_expired(*, now: datetime.datetime | None = None) -> list[int]:
    """Delete the registrations of meetings that ended more than
    ``GUEST_DATA_RETENTION_DAYS`` ago (the privacy statement's promise).

    Returns the ids deleted. Side effects: ``GuestRegistration`` rows deleted.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.GUEST_DATA_RETENTION_DAYS)
    expired = GuestRegistration.objects.filter(meeting__end__lt=cutoff)
    ids = list(expired.values_list("pk", flat=True))
    if ids:
        GuestRegistration.objects.filter(pk__in=ids).delete()
        logger.info("Retention: %s guest registrations deleted", len(ids))
    return ids
