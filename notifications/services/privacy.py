"""The delivery log and data protection: the notice to the speakers when a member leaves,
the log's part of an erasure (Art. 17 DSGVO), and retention (contact messages, old
recipient addresses)."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import ContactMessage, Membership, Network, Person
from contacts.services.privacy import contact_messages_delete
from meetings.models import GuestRegistration
from meetings.services import guest_registrations_delete_expired
from notifications.models import Delivery, Kind, Subject
from notifications.services.planning import _enqueue, _row

logger = logging.getLogger(__name__)

OPEN_STATES = (Delivery.State.PLANNED, Delivery.State.CLAIMED, Delivery.State.AMBIGUOUS)


@transaction.atomic
def network_left_notice_plan(*, person: Person, network: Network, memberships: list[Membership], **kwargs) -> int:
    """Plan the mail „… ist ausgetreten“ to each current speaker and Geschäftsführung of
    ``network`` (receiver of ``contacts.signals.network_left``, so in the transaction that
    ended the membership: the notice exists exactly when the membership ended).

    One row per speaker, keyed by the ended membership: a second call plans nothing more.
    Whether the speaker wants it (their preferences) is decided when it is sent.
    Side effects: ``Delivery`` rows; after commit, their send tasks (the sweep would
    queue them too).
    """
    if not memberships:
        return 0
    now = timezone.now()
    day = memberships[0].end or timezone.localdate()
    leaders = (
        Membership.objects.active(day + datetime.timedelta(days=1))
        .leading()
        .filter(network=network, person__isnull=False)
        .exclude(person=person)
        .values_list("person_id", flat=True)
        .distinct()
    )
    rows = [
        _row(
            subject_type=Subject.MEMBERSHIP,
            subject_id=memberships[0].pk,
            kind=Kind.MEMBER_LEFT,
            person_id=leader_id,
            network_id=network.pk,
            details={"roles": sorted({m.role for m in memberships})},
            now=now,
        )
        for leader_id in set(leaders)
    ]
    created = Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    keys = [row.recipient_key for row in rows]
    ids = list(
        Delivery.objects.filter(
            subject_type=Subject.MEMBERSHIP, subject_id=memberships[0].pk, kind=Kind.MEMBER_LEFT, recipient_key__in=keys
        ).values_list("pk", flat=True)
    )
    transaction.on_commit(lambda: _enqueue(ids))
    return len(created)


@transaction.atomic
def person_deliveries_erase(*, person: Person, addresses: list[str]) -> dict[str, int]:
    """The delivery log forgets ``person``: mail not yet sent to them is dropped (state
    „entfallen“), and every row to them or to one of their ``addresses`` loses the address
    and the name. The rows stay (without personal data) so the log's counts remain true.

    Returns the number of rows per kind. Side effects: ``Delivery`` rows.
    """
    to_person = Q(person=person)
    if addresses:
        to_person |= Q(recipient_key__in=[f"a{address}" for address in addresses]) | Q(address__in=addresses)
    rows = Delivery.objects.filter(to_person)
    dropped = rows.filter(state__in=OPEN_STATES).update(
        state=Delivery.State.SKIPPED, last_error=str(_("Die Person wurde gelöscht (Art. 17 DSGVO).")), claim_token=""
    )
    blanked = 0
    for delivery in rows:
        delivery.address = ""
        delivery.recipient_name = ""
        if delivery.recipient_key.startswith("a"):
            delivery.recipient_key = f"x{delivery.pk}"
        delivery.save(update_fields=["address", "recipient_name", "recipient_key", "updated_at"])
        blanked += 1
    return {"zustellungen_entfallen": dropped, "zustellungen_anonymisiert": blanked}


def _address_retention_cutoffs(now: datetime.datetime) -> dict[str, datetime.datetime]:
    days = settings.DELIVERY_ADDRESS_RETENTION_DAYS
    return {kind: now - datetime.timedelta(days=days.get(kind, days["default"])) for kind in Kind.values}


@transaction.atomic
def retention_apply(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """What the privacy statement promises to keep only for a while, removed:

    - contact-form messages ``CONTACT_MESSAGES_RETENTION_DAYS`` after their delivery (the
      last row of the log for them that ended), or after they were sent when the log
      has none; never while a mail of theirs is still open;
    - recipient addresses and names in the delivery log, after the days set per kind in
      ``DELIVERY_ADDRESS_RETENTION_DAYS`` (counted from the send or the final state).

    - guests' registrations ``GUEST_DATA_RETENTION_DAYS`` after their meeting ended, and
      the address and name in the log's rows to guests whose registration is gone
      (deleted here, or cancelled by the guest);

    Idempotent. Returns the numbers. Side effects: ``ContactMessage`` and
    ``GuestRegistration`` rows deleted, ``Delivery`` rows blanked.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.CONTACT_MESSAGES_RETENTION_DAYS)
    log = Delivery.objects.filter(subject_type=Subject.CONTACT, subject_id=OuterRef("pk"))
    expired = list(
        ContactMessage.objects.filter(created_at__lt=cutoff)
        .exclude(Exists(log.filter(state__in=OPEN_STATES)))
        .values_list("pk", flat=True)
    )
    ids = []
    last_done = dict(
        Delivery.objects.filter(subject_type=Subject.CONTACT, subject_id__in=expired)
        .values("subject_id")
        .annotate(done=Max(Coalesce("sent_at", "updated_at")))
        .values_list("subject_id", "done")
    )
    for pk in expired:
        done = last_done.get(pk)
        if done is None or done < cutoff:
            ids.append(pk)
    deleted = contact_messages_delete(ids=ids)
    blanked = 0
    for kind, kind_cutoff in _address_retention_cutoffs(now).items():
        old = Delivery.objects.filter(kind=kind, state__in=Delivery.FINAL).exclude(address="", recipient_name="")
        old = old.annotate(done=Coalesce("sent_at", "updated_at")).filter(done__lt=kind_cutoff)
        for delivery in old:
            delivery.address = ""
            delivery.recipient_name = ""
            if delivery.recipient_key.startswith("a"):
                delivery.recipient_key = f"x{delivery.pk}"
            # Not through save(): ``updated_at`` must keep the moment the row ended.
            Delivery.objects.filter(pk=delivery.pk).update(
                address="", recipient_name="", recipient_key=delivery.recipient_key
            )
            blanked += 1
    guests = guest_registrations_delete_expired(now=now)
    blanked += _guest_rows_blank()
    if deleted or blanked or guests:
        logger.info(
            "Retention: %s contact messages and %s guest registrations deleted, %s delivery addresses blanked",
            deleted,
            len(guests),
            blanked,
        )
    return {"kontaktanfragen": deleted, "gaeste": len(guests), "adressen": blanked}


def _guest_rows_blank() -> int:
    """Blank the address and name of finished log rows to guests whose registration is
    gone; their planning steps go too. Returns the number of rows blanked."""
    from notifications.services.guests import guest_steps_forget

    gone = Delivery.objects.filter(subject_type=Subject.GUEST, state__in=Delivery.FINAL).exclude(
        Exists(GuestRegistration.objects.filter(pk=OuterRef("subject_id")))
    )
    rows = list(gone.exclude(address="", recipient_name="").values_list("pk", "subject_id"))
    for pk, _subject_id in rows:
        Delivery.objects.filter(pk=pk).update(address="", recipient_name="", recipient_key=f"x{pk}")
    guest_steps_forget(registration_ids={subject_id for _pk, subject_id in rows})
    return len(rows)
