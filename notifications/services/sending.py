"""Sending the rows of the delivery log: claimed in chunks under a lease, each mail decided
and sent on its own, the outcome recorded per row (sent, skipped, retried, failed)."""

from __future__ import annotations

import datetime
import logging
import secrets
import time
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import DatabaseError, connection, transaction
from django.db.models import Case, F, Value, When
from django.template import TemplateSyntaxError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.recurrence import BERLIN
from notifications import compose, mail, selectors
from notifications.compose import Outcome, message_id_of
from notifications.models import (
    Delivery,
    Preference,
)
from notifications.services._common import CLAIM_CHUNK, MAX_ATTEMPTS, lease_length, retry_delay
from notifications.services.planning import _enqueue

logger = logging.getLogger(__name__)


# Sending -------------------------------------------------------------------------------


def _claim(delivery_ids: list[int], *, now: datetime.datetime) -> tuple[str, list[Delivery]]:
    """Take those of the rows that may be sent now (due, or their lease ran out): one UPDATE
    that also returns them, so two workers can never both hold a row."""
    token = secrets.token_hex(16)
    table = Delivery._meta.db_table
    adapt = connection.ops.adapt_datetimefield_value
    marks = ", ".join(["%s"] * len(delivery_ids))
    rows = list(
        Delivery.objects.raw(
            f"UPDATE {table} SET state = %s, claim_token = %s, lease_until = %s, attempts = attempts + 1 "
            f"WHERE id IN ({marks}) "
            "AND ((state IN (%s, %s) AND next_attempt_at <= %s) OR (state = %s AND lease_until < %s)) "
            "RETURNING *",
            [
                Delivery.State.CLAIMED,
                token,
                adapt(now + lease_length()),
                *delivery_ids,
                *Delivery.CLAIMABLE,
                adapt(now),
                Delivery.State.CLAIMED,
                adapt(now),
            ],
        )
    )
    rows.sort(key=lambda delivery: delivery_ids.index(delivery.pk))
    return token, rows


def _finish(delivery: Delivery, token: str, **values) -> bool:
    """Write the attempt's result only while still holding the claim."""
    return bool(
        Delivery.objects.filter(pk=delivery.pk, claim_token=token, state=Delivery.State.CLAIMED).update(
            claim_token="", lease_until=None, updated_at=timezone.now(), **values
        )
    )


def _release(deliveries: list[Delivery], token: str) -> None:
    """Give back claimed rows that were not tried, claimable at once and without counting
    the attempt that never happened."""
    Delivery.objects.filter(
        pk__in=[delivery.pk for delivery in deliveries], claim_token=token, state=Delivery.State.CLAIMED
    ).update(
        state=Case(
            When(duplicate_possible=True, then=Value(Delivery.State.AMBIGUOUS)), default=Value(Delivery.State.PLANNED)
        ),
        claim_token="",
        lease_until=None,
        attempts=F("attempts") - 1,
    )


def deliveries_send(*, delivery_ids: list[int], now: datetime.datetime | None = None) -> dict[int, str]:
    """Send the rows ``delivery_ids`` one after the other (a send task's batch).

    Rows are claimed ``CLAIM_CHUNK`` at a time (one UPDATE), and what their mails read is
    loaded for the chunk right after its claim (``selectors.MailReads``): a handful of
    queries per chunk instead of six per mail. Each row is marked the moment its mail is
    handed over: a worker that dies mid-batch leaves the row it was sending in doubt and
    the rest of its chunk claimed until their lease runs out; the sweep then queues them
    again. A batch that has run ``NOTIFICATIONS_SEND_BATCH_SECONDS``, or a chunk half its
    lease (a slow relay), gives back the rows not tried and queues them as a new task.

    Returns the state of each row afterwards; a row another worker holds or that is not due
    is missing. Side effects: the rows; one mail per row sent.
    """
    started = time.monotonic()
    # Stop in time for the task time limit, and start no mail after half the lease: one
    # that is still under way when the lease runs out could be sent by a second worker.
    batch_budget = getattr(settings, "NOTIFICATIONS_SEND_BATCH_SECONDS", 20.0)
    lease_budget = lease_length().total_seconds() / 2
    states: dict[int, str] = {}
    for start in range(0, len(delivery_ids), CLAIM_CHUNK):
        if time.monotonic() - started > batch_budget:
            _requeue(delivery_ids[start:])
            return states
        claimed_at = now or timezone.now()
        claimed_clock = time.monotonic()
        token, claimed = _claim(delivery_ids[start : start + CLAIM_CHUNK], now=claimed_at)
        if not claimed:
            continue
        reads = selectors.MailReads(
            [(delivery.person_id, delivery.subject_type, delivery.subject_id) for delivery in claimed],
            day=claimed_at.astimezone(BERLIN).date(),
        )
        for index, delivery in enumerate(claimed):
            clock = time.monotonic()
            if clock - started > batch_budget or clock - claimed_clock > lease_budget:
                _release(claimed[index:], token)
                _requeue([delivery.pk for delivery in claimed[index:]] + delivery_ids[start + CLAIM_CHUNK :])
                return states
            states[delivery.pk] = _send_claimed(delivery, token, now=now or timezone.now(), reads=reads)
    return states


def _requeue(delivery_ids: list[int]) -> None:
    """Queue rows of a batch that ran out of time (a slow relay) as a task of their own."""
    Delivery.objects.filter(pk__in=delivery_ids).update(enqueued_at=timezone.now())
    _enqueue(delivery_ids)


def delivery_send(*, delivery_id: int, now: datetime.datetime | None = None) -> str:
    """Claim the row ``delivery_id``, check again that its mail is wanted, and send it.

    Returns the row's state afterwards ("" when another worker holds it or it is not due).
    Opt-out, leaving the network, a cancelled or deleted meeting and a missing address end
    as ``entfallen`` with the reason; a reminder more than 6 hours late as ``verpasst``; a
    relay's 4xx or an unreachable relay as a retry at the backoff stored in the row, given up
    (``fehlgeschlagen``) after ``MAX_ATTEMPTS``; a 5xx or a template error as
    ``fehlgeschlagen`` with the text; no answer after the data as ``unklar`` (sent once more
    with the same Message-ID). Side effects: the row; one mail.
    """
    return deliveries_send(delivery_ids=[delivery_id], now=now).get(delivery_id, "")


def _send_claimed(delivery: Delivery, token: str, *, now: datetime.datetime, reads: selectors.MailReads) -> str:
    """``delivery_send`` for a row already claimed with ``token``.

    An error nobody foresaw while rendering or sending this one row (a header with a line
    break in a name typed somewhere, a template that breaks) fails this row with its text;
    escaping, it would end the batch and leave the rows after it claimed, to be tried and
    killed again after every lease, forever.
    """
    try:
        return _attempt(delivery, token, now=now, reads=reads)
    except DatabaseError:
        # The row cannot be written either: the lease brings it back once the database does.
        raise
    except Exception as error:
        logger.exception("Delivery %s failed unexpectedly", delivery.pk)
        return _end(delivery, token, Outcome(Delivery.State.FAILED, f"{type(error).__name__}: {error}"))


def _attempt(delivery: Delivery, token: str, *, now: datetime.datetime, reads: selectors.MailReads) -> str:
    try:
        prepared = _prepare(delivery, now=now, reads=reads)
    except TemplateSyntaxError as error:
        logger.exception("Delivery %s could not be rendered", delivery.pk)
        return _end(delivery, token, Outcome(Delivery.State.FAILED, f"Vorlage: {error}"))
    if isinstance(prepared, Outcome):
        return _end(delivery, token, prepared)
    if isinstance(prepared, datetime.datetime):
        # A reminder whose meeting moved later waits for its new moment.
        _finish(delivery, token, state=Delivery.State.PLANNED, next_attempt_at=prepared, enqueued_at=None)
        return Delivery.State.PLANNED
    message_id = message_id_of(delivery)
    try:
        mail.deliver(prepared)
    except mail.Permanent as error:
        return _end(delivery, token, Outcome(Delivery.State.FAILED, str(error)))
    except (mail.Temporary, mail.Ambiguous) as error:
        ambiguous = isinstance(error, mail.Ambiguous)
        attempts = delivery.attempts
        if ambiguous and delivery.duplicate_possible:
            # A second attempt without an answer after the data: a third could make a
            # second duplicate. Staff decide (the row is listed as possibly doubled).
            return _end(
                delivery, token, Outcome(Delivery.State.FAILED, f"Zweimal unklar, nicht erneut gesendet: {error}")
            )
        if attempts >= MAX_ATTEMPTS:
            return _end(
                delivery, token, Outcome(Delivery.State.FAILED, f"Aufgegeben nach {attempts} Versuchen: {error}")
            )
        flags = {"duplicate_possible": True} if ambiguous else {}
        _finish(
            delivery,
            token,
            state=Delivery.State.AMBIGUOUS if ambiguous else Delivery.State.PLANNED,
            next_attempt_at=now + retry_delay(attempts),
            enqueued_at=None,
            last_error=str(error),
            message_id=message_id,
            **flags,
        )
        return Delivery.State.AMBIGUOUS if ambiguous else Delivery.State.PLANNED
    # The moment of this attempt (``now``): the send itself, not a replay's wall clock (the
    # demo plays four weeks of its delivery log at their moments), counts for the log.
    _finish(delivery, token, state=Delivery.State.SENT, sent_at=now, message_id=message_id)
    return Delivery.State.SENT


def _end(delivery: Delivery, token: str, outcome: Outcome) -> str:
    _finish(delivery, token, state=outcome.state, last_error=outcome.reason)
    return outcome.state


def _prepare(delivery: Delivery, *, now: datetime.datetime, reads: selectors.MailReads):
    """The message for ``delivery``, or why none goes out (``Outcome``), or when to retry."""
    person = None
    if delivery.person_id is not None:
        person = reads.person(delivery.person_id)
        if person is None:
            return Outcome(Delivery.State.SKIPPED, str(_("Die Person ist gelöscht.")))
        try:
            preference = person.notification_preference
        except Preference.DoesNotExist:
            preference = Preference(person=person)
        # Read once per send: the builders take the language from it.
        person.mail_preference = preference
        if not preference.wants(delivery.kind):
            return Outcome(Delivery.State.SKIPPED, str(_("Abbestellt (Einstellungen der Person).")))
    builder = compose.BUILDERS[delivery.kind]
    try:
        return builder(delivery=delivery, person=person, now=now, reads=reads)
    except ObjectDoesNotExist:
        return Outcome(Delivery.State.SKIPPED, str(_("Der Gegenstand der Mail ist gelöscht.")))


@transaction.atomic
def delivery_retry(*, deliveries: Iterable[Delivery], now: datetime.datetime | None = None) -> int:
    """Send failed rows again ("erneut senden" in the admin): back to planned, attempts reset.

    Only ``fehlgeschlagen`` rows change. Side effects: those rows; the next sweep queues them.
    """
    now = now or timezone.now()
    ids = [delivery.pk for delivery in deliveries]
    return Delivery.objects.filter(pk__in=ids, state=Delivery.State.FAILED).update(
        state=Delivery.State.PLANNED, attempts=0, next_attempt_at=now, enqueued_at=None
    )
