"""„Sind Ihre Angaben noch aktuell?“: the sweep's part that asks owners of stale entries to
confirm them (institutions at their functional address, people at their own, networks
through their speakers), the reminder four weeks later, and „Eintrag prüfen“ that the
Sozialplanung sends to an institution on request.

What is owed is derived from the directory each sweep, as for every other mail: an entry
whose Stand is older than ``ENTRY_STALE_MONTHS`` and that got no check since its Stand
is owed one; a check sent ``ENTRY_CHECK_REMINDER_DAYS`` ago without a confirmation since
is owed the reminder. The row's ``version`` is the Stand (seconds since 1970), so each
period of staleness is asked about once, and a confirmation starts a new one.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Institution, Membership, Network, Person, User
from contacts.selectors.freshness import (
    people_with_address,
    stale_before,
    stale_institutions,
    stale_networks,
    stale_people,
)
from meetings.recurrence import BERLIN
from notifications.models import AddressOptOut, Delivery, Kind, PeriodicRun, Subject
from notifications.services.planning import _enqueue, _row

logger = logging.getLogger(__name__)

# At most this many entries of each kind are asked per run: the first run after going live
# (every entry stale at once) spreads over a few minutes instead of one burst.
PER_SWEEP = 200
# The ``PeriodicRun`` that records the last complete run (``entry_checks_plan_if_due``).
ENTRY_CHECKS_RUN = "entry-checks"
SUBJECT_OF = {Network: Subject.NETWORK, Institution: Subject.INSTITUTION, Person: Subject.PERSON}


def _version(stand: datetime.datetime) -> int:
    return int(stand.timestamp())


def _asked(subject_type: str, kind: str, **extra) -> Exists:
    """A row of ``kind`` for the entry made since its Stand (this period of staleness)."""
    return Exists(
        Delivery.objects.filter(
            subject_type=subject_type,
            subject_id=OuterRef("pk"),
            kind=kind,
            created_at__gte=OuterRef("stand_at"),
            **extra,
        )
    )


def _owed(queryset, subject_type: str, kind: str, now: datetime.datetime):
    """Entries of ``queryset`` owed ``kind``: the check if none was made this period; the
    reminder if the check went out long enough ago and no reminder was made."""
    if kind == Kind.ENTRY_CHECK:
        return queryset.exclude(_asked(subject_type, Kind.ENTRY_CHECK))
    reminder_after = now - datetime.timedelta(days=settings.ENTRY_CHECK_REMINDER_DAYS)
    return queryset.filter(
        _asked(subject_type, Kind.ENTRY_CHECK, state=Delivery.State.SENT, sent_at__lte=reminder_after)
    ).exclude(_asked(subject_type, Kind.ENTRY_CHECK_REMINDER))


def entry_checks_plan_if_due(*, now: datetime.datetime, last_run: PeriodicRun | None) -> list[Delivery]:
    """The sweep's part for stale entries: ``plan_entry_checks`` if the last complete run
    (``last_run``, read by the sweep with its own) is ``NOTIFICATIONS_ENTRY_CHECK_SECONDS``
    or more away from ``now``, else nothing.

    Staleness is counted in months, so an hour more before a check is planned changes
    nothing for its owner, while its queries were a third of those of a sweep with nothing
    due (every minute). A run that hit ``PER_SWEEP`` is not recorded as complete: the next
    sweep goes on with the backlog. The distance counts either way, so that a replay at
    past moments (the demo) asks as the sweeps did then. Side effects: the run's
    ``PeriodicRun`` row (``last_run_at`` is ``now``).
    """
    interval = datetime.timedelta(seconds=getattr(settings, "NOTIFICATIONS_ENTRY_CHECK_SECONDS", 3600.0))
    if last_run is not None and abs(now - last_run.last_run_at) < interval:
        return []
    rows, complete = plan_entry_checks(now=now)
    if complete:
        if last_run is None:
            # A sweep beside this one may record it too: either record will do.
            PeriodicRun.objects.bulk_create(
                [PeriodicRun(name=ENTRY_CHECKS_RUN, last_run_at=now, run_count=1)], ignore_conflicts=True
            )
        else:
            PeriodicRun.objects.filter(pk=last_run.pk).update(last_run_at=now, run_count=F("run_count") + 1)
    return rows


def plan_entry_checks(*, now: datetime.datetime) -> tuple[list[Delivery], bool]:
    """The checks and reminders owed now (rows, not saved; the sweep inserts them), and
    whether they are all (no kind of entry reached ``PER_SWEEP``)."""
    complete = True
    before = stale_before(now)
    day = now.astimezone(BERLIN).date()
    rows: list[Delivery] = []
    institutions = stale_institutions(before=before).exclude(email="").order_by("stand_at", "pk")
    people = stale_people(before=before).filter(people_with_address()).order_by("stand_at", "pk")
    leaders = Membership.objects.active(day).leading().filter(network_id=OuterRef("pk"), person__isnull=False)
    networks = stale_networks(before=before).filter(Exists(leaders)).order_by("stand_at", "pk")
    for kind in (Kind.ENTRY_CHECK, Kind.ENTRY_CHECK_REMINDER):
        owed_institutions = list(_owed(institutions, Subject.INSTITUTION, kind, now)[:PER_SWEEP])
        owed_people = list(_owed(people, Subject.PERSON, kind, now)[:PER_SWEEP])
        owed_networks = list(_owed(networks, Subject.NETWORK, kind, now)[:PER_SWEEP])
        complete = complete and max(len(owed_institutions), len(owed_people), len(owed_networks)) < PER_SWEEP
        for institution in owed_institutions:
            rows.append(
                _row(
                    subject_type=Subject.INSTITUTION,
                    subject_id=institution.pk,
                    kind=kind,
                    version=_version(institution.stand_at),
                    address=institution.email,
                    name=institution.name,
                    now=now,
                )
            )
        for person in owed_people:
            rows.append(
                _row(
                    subject_type=Subject.PERSON,
                    subject_id=person.pk,
                    kind=kind,
                    version=_version(person.stand_at),
                    person_id=person.pk,
                    now=now,
                )
            )
        speakers: dict[int, set[int]] = {}
        for network_id, person_id in (
            Membership.objects.active(day)
            .leading()
            .filter(network_id__in=[network.pk for network in owed_networks], person__isnull=False)
            .values_list("network_id", "person_id")
        ):
            speakers.setdefault(network_id, set()).add(person_id)
        for network in owed_networks:
            rows += [
                _row(
                    subject_type=Subject.NETWORK,
                    subject_id=network.pk,
                    kind=kind,
                    version=_version(network.stand_at),
                    person_id=person_id,
                    network_id=network.pk,
                    now=now,
                )
                for person_id in sorted(speakers.get(network.pk, ()))
            ]
    return rows, complete


@transaction.atomic
def entry_review_request(
    *, institution: Institution, actor: User | None = None, now: datetime.datetime | None = None
) -> Delivery:
    """„Eintrag prüfen lassen“: mail the institution's functional address the link to check
    its entry now (the Sozialplanung's button), whatever its Stand.

    Raises ``ValidationError`` (German) for an institution without an address, one that
    asked for no more such mails, or one whose request is still on its way. Side effects:
    one ``eintrag_pruefen`` row; after commit, its send task (the sweep would find it too).
    """
    now = now or timezone.now()
    if not institution.email:
        raise ValidationError(
            _("„%(name)s“ hat keine Funktionsadresse; bitte tragen Sie zuerst eine E-Mail-Adresse ein.")
            % {"name": institution.name}
        )
    if AddressOptOut.objects.filter(address=institution.email.strip().lower()).exists():
        raise ValidationError(_("Die Adresse %(address)s hat diese Mails abbestellt.") % {"address": institution.email})
    open_states = (*Delivery.CLAIMABLE, Delivery.State.CLAIMED)
    if Delivery.objects.filter(
        subject_type=Subject.INSTITUTION, subject_id=institution.pk, kind=Kind.ENTRY_REVIEW, state__in=open_states
    ).exists():
        raise ValidationError(_("Für „%(name)s“ ist bereits eine Bitte unterwegs.") % {"name": institution.name})
    delivery = _row(
        subject_type=Subject.INSTITUTION,
        subject_id=institution.pk,
        kind=Kind.ENTRY_REVIEW,
        version=_version(now),
        address=institution.email,
        name=institution.name,
        details={"requested_by": getattr(actor, "pk", None)},
        now=now,
    )
    delivery.enqueued_at = now
    delivery.save()
    transaction.on_commit(lambda: _enqueue([delivery.pk]))
    logger.info("Entry review of institution %s requested by %s", institution.pk, getattr(actor, "pk", None))
    return delivery


@transaction.atomic
def address_unsubscribe(*, address: str) -> AddressOptOut:
    """No more „Eintrag prüfen“ mails to ``address`` (one-click unsubscribe of a functional
    address). Idempotent. Side effects: one ``AddressOptOut`` row."""
    opt_out, _created = AddressOptOut.objects.get_or_create(address=address.strip().lower())
    logger.info("Address opted out of entry checks")
    return opt_out
