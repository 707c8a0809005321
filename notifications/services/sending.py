"""Sending the rows of the delivery log: claimed in chunks under a lease, each mail decided
and sent on its own, the outcome recorded per row (sent, skipped, retried, failed)."""

from __future__ import annotations

import contextlib
import datetime
import itertools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.mail import EmailMessage
from django.db import DatabaseError, connection, transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Greatest
from django.template import TemplateSyntaxError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.recurrence import BERLIN
from notifications import compose, mail, selectors
from notifications.compose import Outcome, message_id_of
from notifications.models import Delivery, Preference, Subject
from notifications.services._common import (
    CLAIM_CHUNK,
    MAX_ATTEMPTS,
    claim_token_new,
    lease_length,
    mark_every,
    retry_delay,
)
from notifications.services.breaker import (
    BreakerState,
    breaker_check,
    breaker_failure,
    breaker_probe_answered,
    breaker_success,
)
from notifications.services.planning import _claims_expired_recover, _enqueue_by_urgency, _ready, _split_urgent

# The last error of rows put back while the relay's circuit breaker pauses sending.
PAUSED = _("Versand pausiert: der Mailserver lehnt vorübergehend ab; danach geht es weiter.")
# How often a mail is decided again when what it depends on changed during its send.
DECISIONS = 3

T = TypeVar("T")

logger = logging.getLogger(__name__)


# Sending -------------------------------------------------------------------------------


def _claim(delivery_ids: list[int], *, now: datetime.datetime) -> tuple[str, list[Delivery]]:
    """Take those of the rows that may be sent now (due and not held): one UPDATE that also
    returns them, so two workers can never both hold a row. Rows held by a claim that ran
    out, or whose process is known to be gone (``claim_holders_dead``: the broker hands a
    task out again when its worker process died), are first put back as the sweep would
    (``_claims_expired_recover``: those in doubt flagged) and then taken, instead of
    waiting for the lease and the next sweep."""
    token = claim_token_new()
    rows = _claim_update(delivery_ids, token, now=now)
    if len(rows) < len(delivery_ids) and _claims_expired_recover(now, among=delivery_ids):
        rows += _claim_update(delivery_ids, token, now=now)
    # Sent in the order of their ids: if the worker dies, the first row of its claim not yet
    # marked is the one that may have been under way (``planning._claims_expired_recover``).
    rows.sort(key=lambda delivery: delivery.pk)
    return token, rows


def _claim_update(delivery_ids: list[int], token: str, *, now: datetime.datetime) -> list[Delivery]:
    table = Delivery._meta.db_table
    adapt = connection.ops.adapt_datetimefield_value
    marks = ", ".join(["%s"] * len(delivery_ids))
    return list(
        Delivery.objects.raw(
            f"UPDATE {table} SET state = %s, claim_token = %s, lease_until = %s, attempts = attempts + 1 "
            f"WHERE id IN ({marks}) "
            # ``state || ''``: the rows are found by their ids. Compared plainly, the state
            # let PostgreSQL's planner prove the open rows' partial index usable, and right
            # after a burst was planned (statistics not yet renewed: 10,000 reminders at
            # once) it read every due row through it: 19 ms per claim instead of 1.
            "AND (state || '') IN (%s, %s) AND next_attempt_at <= %s "
            "RETURNING *",
            [
                Delivery.State.CLAIMED,
                token,
                adapt(now + lease_length()),
                *delivery_ids,
                *Delivery.CLAIMABLE,
                adapt(now),
            ],
        )
    )


class _LeaseRenewal:
    """Keeps the claims of a send task alive while its process lives: a thread renews their
    lease every third of it, so the lease can be short (a dead worker's rows come back
    within seconds) however long one mail takes on a slow relay.

    Inside an open transaction (the in-process tests) the claim is invisible to every other
    worker and nothing needs renewing.
    """

    def __init__(self) -> None:
        self.tokens: list[str] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    @property
    def active(self) -> bool:
        return self.thread is not None

    def add(self, token: str) -> None:
        with self.lock:
            self.tokens.append(token)
        if self.thread is None and not connection.in_atomic_block:
            self.thread = threading.Thread(target=self._run, name="lease-renewal", daemon=True)
            self.thread.start()

    def _run(self) -> None:
        interval = lease_length().total_seconds() / 3
        try:
            while not self.stop.wait(interval):
                with self.lock:
                    tokens = list(self.tokens)
                try:
                    Delivery.objects.filter(claim_token__in=tokens, state=Delivery.State.CLAIMED).update(
                        lease_until=timezone.now() + lease_length()
                    )
                except DatabaseError:
                    logger.warning("Renewing the lease of %s claims failed", len(tokens), exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    def close(self) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join()


class _Aside:
    """A thread with a database connection of its own, beside the sending: it writes a
    group of marks while the next mail is built and its envelope goes to the relay, so that
    the commit's wait overlaps the relay's instead of adding to it.

    One thread per worker process (made again after a fork), its work done in the order
    given. Inside an open transaction (the in-process tests) there is one connection, and
    everything runs at once in the caller's thread.
    """

    def __init__(self) -> None:
        self.executor: ThreadPoolExecutor | None = None
        self.pid = 0

    def start(self, function: Callable[[], T]) -> Callable[[], T]:
        """Start ``function``; returns a callable that waits for its result (or its error)."""
        if connection.in_atomic_block:
            result = function()
            return lambda: result
        if self.executor is None or self.pid != os.getpid():
            self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mail-aside")
            self.pid = os.getpid()
        return self.executor.submit(function).result

    def done(self) -> None:
        """The end of a send task: the thread's connection is closed as Django closes the
        task's own (``CONN_MAX_AGE``, or after an error)."""
        if self.executor is not None and self.pid == os.getpid():
            # ``connection`` looked up inside the thread: its own, not the caller's.
            self.executor.submit(lambda: connection.close_if_unusable_or_obsolete()).result()


_aside = _Aside()


class _Marks:
    """The results of a send task's rows, written ``mark_every()`` at a time in one
    transaction: one commit (a flush of the database's log to disk, several milliseconds)
    per group of mails instead of per mail.

    A worker that dies loses at most the marks of one group: the rows of its claim not yet
    marked come back after the lease, and the first ``mark_every()`` of them (in the order
    they were sent) may have reached the relay: they are flagged „evtl. doppelt“ and sent
    again with the same Message-ID (``planning._claims_expired_recover``). A full group is
    written before the next mail's data leaves (``settle``, awaited with the mail's check),
    so no more than that many can be in doubt; the write itself runs beside the sending
    (``_Aside``).
    """

    def __init__(self) -> None:
        self.pending: list[tuple[int, str, dict]] = []
        self.written_at = time.monotonic()
        self.writing: Callable[[], None] | None = None

    def add(self, delivery: Delivery, token: str, values: dict) -> None:
        self.pending.append((delivery.pk, token, values))

    def write_if_due(self) -> None:
        """Start writing the group if it is full (or a second old); ``settle`` awaits it."""
        if len(self.pending) >= mark_every() or (self.pending and time.monotonic() - self.written_at > 1.0):
            self.start()

    def write(self) -> None:
        """Write what is pending and wait until every group is written."""
        self.start()
        self.settle()

    def settle(self) -> None:
        """Wait for the group being written; its error (a database gone) is raised here."""
        if self.writing is not None:
            writing, self.writing = self.writing, None
            writing()

    def start(self) -> None:
        """Start writing what is pending (after the group before it)."""
        self.settle()
        pending, self.pending = self.pending, []
        self.written_at = time.monotonic()
        if pending:
            self.writing = _aside.start(lambda: _marks_group_write(pending))


def _marks_group_write(pending: list[tuple[int, str, dict]]) -> None:
    """One UPDATE per claim and set of fields written (nearly always one: the rows sent),
    each row's own values chosen by its id; in one transaction."""
    groups: dict[tuple, list[tuple[int, dict]]] = {}
    for pk, token, values in pending:
        groups.setdefault((token, tuple(sorted(values))), []).append((pk, values))
    with transaction.atomic() if len(groups) > 1 else contextlib.nullcontext():
        for (token, names), rows in groups.items():
            _marks_write(token, names, rows)


def _marks_write(token: str, names: tuple[str, ...], rows: list[tuple[int, dict]]) -> None:
    """Write the results ``rows`` (id, values of the fields ``names``) of the claim ``token``,
    only where it is still held: one UPDATE, each row's own values chosen by its id.

    Written out here rather than built by the ORM: a group's ``Case`` of ten ``When`` for
    its Message-IDs and its moments took 2 ms of CPU to build and compile, a tenth of the
    sending's CPU per mail."""
    quote = connection.ops.quote_name
    meta = Delivery._meta
    now = meta.get_field("updated_at").get_db_prep_save(timezone.now(), connection)
    assignments = [f"{quote('claim_token')} = %s", f"{quote('lease_until')} = NULL", f"{quote('updated_at')} = %s"]
    params: list = ["", now]
    for name in names:
        field = meta.get_field(name)
        values = [field.get_db_prep_save(row[name], connection) for _pk, row in rows]
        if all(value == values[0] for value in values):
            assignments.append(f"{quote(field.column)} = %s")
            params.append(values[0])
        else:
            assignments.append(f"{quote(field.column)} = CASE {quote('id')} {'WHEN %s THEN %s ' * len(rows)}END")
            for (pk, _row), value in zip(rows, values, strict=True):
                params += [pk, value]
    ids = [pk for pk, _values in rows]
    # ``state || ''`` as in ``_claim``: the rows are found by their ids. Compared plainly,
    # the state made PostgreSQL's planner (statistics not yet renewed after a burst was
    # planned) combine the open rows' partial index and the state index, reading every
    # planned and claimed row's entry, dead ones included, for each group of ten: 0.6 ms
    # of the server's CPU instead of 0.03.
    held = f"{quote('claim_token')} = %s AND ({quote('state')} || '') = %s"
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {', '.join(assignments)} "
        f"WHERE {held} AND {quote('id')} IN ({', '.join(['%s'] * len(ids))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, token, Delivery.State.CLAIMED, *ids])


_marks: _Marks | None = None


def _finish(delivery: Delivery, token: str, **values) -> None:
    """Record the attempt's result: with the task's group of marks, or at once outside a task."""
    if _marks is not None:
        _marks.add(delivery, token, values)
    else:
        _marks_write(token, tuple(sorted(values)), [(delivery.pk, values)])


def _release(deliveries: list[Delivery], token: str, *, until: datetime.datetime | None = None) -> None:
    """Give back claimed rows that were not tried, without counting the attempt that never
    happened: claimable at once, or from ``until`` (the breaker's pause) on."""
    extra = {"next_attempt_at": until, "enqueued_at": None, "last_error": str(PAUSED)} if until else {}
    Delivery.objects.filter(
        pk__in=[delivery.pk for delivery in deliveries], claim_token=token, state=Delivery.State.CLAIMED
    ).update(
        state=Case(
            When(duplicate_possible=True, then=Value(Delivery.State.AMBIGUOUS)), default=Value(Delivery.State.PLANNED)
        ),
        claim_token="",
        lease_until=None,
        attempts=F("attempts") - 1,
        **extra,
    )


def deliveries_send(*, delivery_ids: list[int], now: datetime.datetime | None = None) -> dict[int, str]:
    """Send the rows ``delivery_ids`` one after the other (a send task's batch).

    Rows are claimed ``CLAIM_CHUNK`` at a time (one UPDATE), and what their mails read is
    loaded for the chunk right after its claim (``selectors.MailReads``): a handful of
    queries per chunk instead of six per mail. Once the relay accepted a mail's recipient,
    the stamps of what decides it (cancellation, membership, preferences) are compared with
    those the chunk was read at (one small query, while the DATA command makes its round
    trip), and its data leaves only after the answer; if they moved, the mail's own state
    is read, the mail decided anew if that changed, and the rest of the chunk read again
    (what committed before the send wins: ``_Sender``). The results are written ten at a
    time (``_Marks``: one commit per group, and no mail's data leaves before the full
    group before it is written); the claims are renewed while the task runs
    (``_LeaseRenewal``). The waits overlap: the marks are written beside the relay's round
    trips (``_Aside``), and the next mail is decided and written while the relay takes the
    data of the one before (``_Sender.send``). A batch that has run
    ``NOTIFICATIONS_SEND_BATCH_SECONDS`` gives back the rows not tried and queues them as a
    new task. While the relay's circuit breaker is open the rows are put back, due when it
    closes; when its pause is over one mail probes.

    Returns the state of each row afterwards; a row another worker holds or that is not due
    is missing. Side effects: the rows; the breaker; one mail per row sent.
    """
    started = time.monotonic()
    # Stop in time for the task time limit.
    batch_budget = getattr(settings, "NOTIFICATIONS_SEND_BATCH_SECONDS", 20.0)
    # Without renewal (inside a transaction) no mail starts after half the lease: one that
    # is still under way when the lease runs out could be sent by a second worker.
    lease_budget = lease_length().total_seconds() / 2
    states: dict[int, str] = {}
    renewal = _LeaseRenewal()
    global _marks
    marks = _marks = _Marks()
    try:
        for start in range(0, len(delivery_ids), CLAIM_CHUNK):
            if time.monotonic() - started > batch_budget:
                _requeue(delivery_ids[start:])
                return states
            breaker = breaker_check()
            if breaker.mode == "open":
                _pause(delivery_ids[start:], breaker)
                return states
            if breaker.mode == "probe":
                # The probe is one mail, and this batch ends with it; the rest waits for its
                # answer outside this task (``_resume`` queues it), not behind a probe that
                # may hang until the relay's timeout.
                _pause(delivery_ids[start + 1 :], breaker)
                delivery_ids = delivery_ids[: start + 1]
            claimed_at = now or timezone.now()
            claimed_clock = time.monotonic()
            token, claimed = _claim(delivery_ids[start : start + CLAIM_CHUNK], now=claimed_at)
            if not claimed:
                continue
            renewal.add(token)
            sender = _Sender(token, breaker, day=claimed_at.astimezone(BERLIN).date(), claimed=claimed)
            for index, delivery in enumerate(claimed):
                clock = time.monotonic()
                late = not renewal.active and clock - claimed_clock > lease_budget
                if clock - started > batch_budget or late:
                    marks.write()
                    _release(claimed[index:], token)
                    _requeue([delivery.pk for delivery in claimed[index:]] + delivery_ids[start + CLAIM_CHUNK :])
                    return states
                if sender.paused is not None:
                    marks.write()
                    _release(claimed[index:], token, until=sender.paused.until)
                    _pause(delivery_ids[start + CLAIM_CHUNK :], sender.paused)
                    return states
                marks.write_if_due()
                states[delivery.pk] = sender.send(delivery, now=now or timezone.now())
            marks.start()
            if breaker.mode == "probe":
                return states
    finally:
        _marks = None
        try:
            marks.write()
        finally:
            renewal.close()
            _aside.done()
    return states


class _Sender:
    """Sends the rows of one claim and keeps the relay's circuit breaker informed: a
    temporary failure is recorded (and may open it: then the rest waits), the first success
    after failures closes it. A worker that won the probe sends as usual: a refusal opens
    the breaker again, and the relay's taking the envelope closes it, before the data's
    answer (``breaker_probe_answered``).

    What the mails read is loaded for the claim at once (``selectors.MailReads``), after the
    stamps of everything that decides them (``selectors.mail_stamp``); before each mail's
    data the stamps are read again. While they stand, nothing the mails were decided on has
    changed; once they moved, the mail's own state is read (``_still_as_read``) and the
    rows after it are read anew, under the new stamps."""

    def __init__(self, token: str, breaker: BreakerState, *, day: datetime.date, claimed: list[Delivery]) -> None:
        self.token = token
        self.day = day
        self.claimed = claimed
        self._read(claimed)
        # The next mail of the claim after each, and those decided ahead (``send``).
        self.following = {delivery.pk: after for delivery, after in itertools.pairwise(claimed)}
        self.ahead: dict[int, object] = {}
        # Failures were recorded (or this worker probes): the next success clears them.
        self.dirty = breaker.mode == "probe" or breaker.failures > 0
        # This worker won the probe: the relay's taking its envelope closes the breaker.
        self.probing = breaker.mode == "probe"
        self.paused: BreakerState | None = None
        # Rows of this claim put back because of the relay, not of their own: no answer
        # after the data, the connection gone (``_retry_when_relay_answers``).
        self.relay_waiting: list[int] = []

    def _read(self, rows: list[Delivery]) -> None:
        # The stamps first: whatever commits after them shows when they are compared, and
        # whatever committed before them is in the reads.
        self.stamp = selectors.mail_stamp()
        self.reads = selectors.MailReads(
            [(delivery.person_id, delivery.subject_type, delivery.subject_id) for delivery in rows],
            day=self.day,
            merging=settings.EMAIL_BACKEND == mail.SMTP_BACKEND,
        )
        self.stale = False

    def refresh(self, delivery: Delivery) -> None:
        """Read again what ``delivery`` and the rows after it in the claim depend on (the
        stamps moved); what was decided ahead is decided again."""
        self._read(self.claimed[self.claimed.index(delivery) :])
        self.ahead.clear()

    def check(self, delivery: Delivery) -> Callable[[], bool]:
        """The check ``mail.deliver`` makes before the data of ``delivery`` (on what
        ``self.reads`` holds now): the marks of the mails before it written, then the
        stamps compared; only if they moved, one query reads the mail's own state."""
        reads, stamp = self.reads, self.stamp

        def check() -> bool:
            if _marks is not None:
                _marks.settle()
            if self.probing:
                # Called once the relay took the envelope: it answers again.
                self.probing = False
                self._relay_back(breaker_probe_answered())
            if delivery.person_id is None or selectors.mail_stamp() == stamp:
                return True
            # Something committed since the reads; the rows after this one are read anew.
            self.stale = True
            still = _still_as_read(delivery, reads)
            return still is None or still()

        return check

    def send(self, delivery: Delivery, *, now: datetime.datetime) -> str:
        if self.stale:
            self.refresh(delivery)
        relay: list[str] = []
        prepared = self.ahead.pop(delivery.pk, None)
        following = self.following.get(delivery.pk)

        def meanwhile() -> None:
            # While the relay takes this mail's data, the next one is decided and written
            # (the relay's answer and the CPU's work overlap). What goes wrong here is left
            # to the next mail's own turn, which decides it again and records the error.
            if following is None or self.stale:
                return
            try:
                self.ahead[following.pk] = _prepared_for_relay(following, now=now, reads=self.reads)
            except Exception:
                logger.debug("Preparing delivery %s ahead failed", following.pk, exc_info=True)

        state = _send_claimed(delivery, self, now=now, relay=relay, prepared=prepared, meanwhile=meanwhile)
        if relay in (["unreachable"], ["ambiguous"]) and state in Delivery.CLAIMABLE:
            self.relay_waiting.append(delivery.pk)
        if relay in (["temporary"], ["unreachable"]):
            self.dirty = True
            after = breaker_failure()
            if after.mode == "open":
                self.paused = after
        elif relay == ["ok"]:
            if self.dirty:
                self.dirty = False
                self._relay_back(breaker_success())
            if self.relay_waiting:
                waiting, self.relay_waiting = self.relay_waiting, []
                if _marks is not None:
                    _marks.write()
                _retry_when_relay_answers(waiting)
        return state

    def _relay_back(self, outage: datetime.datetime | None) -> None:
        """After an outage (it began at ``outage``) the relay takes mail again: what waited
        for it goes now (``_resume``), after the marks of this claim are written."""
        if outage is None:
            return
        if _marks is not None:
            _marks.write()
        _resume(since=outage)


def _pause(delivery_ids: list[int], breaker: BreakerState) -> None:
    """Put rows of a batch not yet claimed back for when the breaker's pause is over (the
    sweep queues them then; a probe that succeeds at once)."""
    until = breaker.until or timezone.now()
    Delivery.objects.filter(pk__in=delivery_ids, state__in=Delivery.CLAIMABLE).update(
        next_attempt_at=Greatest(F("next_attempt_at"), Value(until)), enqueued_at=None, last_error=str(PAUSED)
    )


def _resume(*, since: datetime.datetime) -> None:
    """The relay answers again after an outage (a probe went through): the rows paused for
    it, and those it refused or failed since ``since`` (before the outage began), are due
    now and queued at once, instead of at the next sweep or after their backoff (a minute
    and more: the fault run's last mails waited for it long after the relay was back). A
    refusal while the whole relay refused says nothing about its recipient."""
    now = timezone.now()
    Delivery.objects.filter(state__in=Delivery.CLAIMABLE, enqueued_at__isnull=True, last_error=str(PAUSED)).update(
        next_attempt_at=now
    )
    Delivery.objects.filter(
        state__in=Delivery.CLAIMABLE, enqueued_at__isnull=True, next_attempt_at__gt=now, updated_at__gte=since
    ).exclude(attempts=0).exclude(last_error="").update(next_attempt_at=now)
    urgent, rest = _ready(now=now, limit=20000)
    _enqueue_by_urgency(urgent, rest)


def _retry_when_relay_answers(delivery_ids: list[int]) -> None:
    """Rows put back because the relay did not answer after their data or could not be
    reached go again as soon as it takes a mail again, instead of after their backoff
    (a minute and more): recovery follows the relay, not the clock. A row without an answer
    after its data goes with its Message-ID and flagged „evtl. doppelt“, as it would later;
    a second time without an answer fails it (``_retry``), so this cannot repeat. Rows the
    relay refused with a 4xx keep their backoff (greylisting wants the wait)."""
    now = timezone.now()
    waiting = Delivery.objects.filter(
        pk__in=delivery_ids, state__in=Delivery.CLAIMABLE, enqueued_at__isnull=True, next_attempt_at__gt=now
    )
    ids = list(waiting.values_list("pk", flat=True))
    if ids:
        Delivery.objects.filter(pk__in=ids).update(next_attempt_at=now, enqueued_at=now)
        _enqueue_by_urgency(*_split_urgent(ids, now))


def _requeue(delivery_ids: list[int]) -> None:
    """Queue rows of a batch that ran out of time (a slow relay) as a task of their own."""
    Delivery.objects.filter(pk__in=delivery_ids).update(enqueued_at=timezone.now())
    _enqueue_by_urgency(*_split_urgent(delivery_ids))


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


def _send_claimed(
    delivery: Delivery,
    sender: _Sender,
    *,
    now: datetime.datetime,
    relay: list[str],
    prepared: object = None,
    meanwhile: Callable[[], None] | None = None,
) -> str:
    """``delivery_send`` for a row of ``sender``'s claim; ``prepared`` is its mail decided
    ahead (``_prepared_for_relay``), if it was.

    An error nobody foresaw while rendering or sending this one row (a header with a line
    break in a name typed somewhere, a template that breaks) fails this row with its text;
    escaping, it would end the batch and leave the rows after it claimed, to be tried and
    killed again after every lease, forever.
    """
    try:
        return _attempt(delivery, sender, now=now, relay=relay, prepared=prepared, meanwhile=meanwhile)
    except DatabaseError:
        # The row cannot be written either: the lease brings it back once the database does.
        raise
    except Exception as error:
        logger.exception("Delivery %s failed unexpectedly", delivery.pk)
        return _end(delivery, sender.token, Outcome(Delivery.State.FAILED, f"{type(error).__name__}: {error}"))


def _attempt(
    delivery: Delivery,
    sender: _Sender,
    *,
    now: datetime.datetime,
    relay: list[str],
    prepared: object = None,
    meanwhile: Callable[[], None] | None = None,
) -> str:
    """Decide the row's mail and hand it to the relay; ``relay`` gets what the relay said
    ("ok", "temporary": a 4xx, "unreachable", "ambiguous": no answer after the data), for
    the circuit breaker and ``_retry_when_relay_answers``."""
    token = sender.token
    for _decision in range(DECISIONS):
        try:
            if prepared is None:
                prepared = _prepared_for_relay(delivery, now=now, reads=sender.reads)
        except TemplateSyntaxError as error:
            logger.exception("Delivery %s could not be rendered", delivery.pk)
            return _end(delivery, token, Outcome(Delivery.State.FAILED, f"Vorlage: {error}"))
        if isinstance(prepared, Outcome):
            return _end(delivery, token, prepared)
        if isinstance(prepared, datetime.datetime):
            # A reminder whose meeting moved later waits for its new moment.
            _finish(delivery, token, state=Delivery.State.PLANNED, next_attempt_at=prepared, enqueued_at=None)
            return Delivery.State.PLANNED
        try:
            mail.deliver(prepared, check=sender.check(delivery), meanwhile=meanwhile)
            break
        except mail.Withdrawn:
            # Something the mail depends on committed while it was on its way: decide again
            # on what holds now.
            prepared = None
            sender.refresh(delivery)
            now = timezone.now()
        except mail.Permanent as error:
            return _end(delivery, token, Outcome(Delivery.State.FAILED, str(error)))
        except (mail.Temporary, mail.Ambiguous) as error:
            relay.append(
                "unreachable"
                if isinstance(error, mail.Unreachable)
                else "temporary"
                if isinstance(error, mail.Temporary)
                else "ambiguous"
            )
            return _retry(delivery, token, error, now=now)
    else:
        # Changed under it again and again: another try in a moment.
        _finish(delivery, token, state=Delivery.State.PLANNED, next_attempt_at=now, enqueued_at=None)
        return Delivery.State.PLANNED
    relay.append("ok")
    # The moment of this attempt's claim (``now``, seconds before the data left), not the
    # wall clock: the demo replays weeks of its delivery log at their moments.
    _finish(delivery, token, state=Delivery.State.SENT, sent_at=now, message_id=message_id_of(delivery))
    return Delivery.State.SENT


def _still_as_read(delivery: Delivery, reads: selectors.MailReads) -> Callable[[], bool] | None:
    """The mail's own check, once the stamps moved: one query reads what decided the mail
    (``selectors.MailReads.state_now``) and compares it with what the chunk read. ``None``
    where there is nothing to compare (no person)."""
    if delivery.person_id is None:
        return None
    read = reads.stamp(person_id=delivery.person_id, subject_type=delivery.subject_type, subject_id=delivery.subject_id)
    network_ids: tuple[int, ...] = ()
    if delivery.subject_type == Subject.MEETING:
        try:
            network_ids = reads.meeting_network_ids(reads.meeting(delivery.subject_id).pk)
        except ObjectDoesNotExist:
            return lambda: False
    elif delivery.subject_type == Subject.RUNDMAIL:
        rundmail = reads.rundmail(delivery.subject_id)
        if rundmail is None:
            return lambda: False
        network_ids = (rundmail.network_id,)

    def check() -> bool:
        return (
            reads.state_now(
                person_id=delivery.person_id,
                subject_type=delivery.subject_type,
                subject_id=delivery.subject_id,
                network_ids=network_ids,
            )
            == read
        )

    return check


def _retry(delivery: Delivery, token: str, error: Exception, *, now: datetime.datetime) -> str:
    """A temporary failure, or no answer after the data: again later, or given up."""
    ambiguous = isinstance(error, mail.Ambiguous)
    attempts = delivery.attempts
    if ambiguous and delivery.duplicate_possible:
        # A second attempt without an answer after the data: a third could make a
        # second duplicate. Staff decide (the row is listed as possibly doubled).
        return _end(delivery, token, Outcome(Delivery.State.FAILED, f"Zweimal unklar, nicht erneut gesendet: {error}"))
    if attempts >= MAX_ATTEMPTS:
        return _end(delivery, token, Outcome(Delivery.State.FAILED, f"Aufgegeben nach {attempts} Versuchen: {error}"))
    flags = {"duplicate_possible": True} if ambiguous else {}
    _finish(
        delivery,
        token,
        state=Delivery.State.AMBIGUOUS if ambiguous else Delivery.State.PLANNED,
        next_attempt_at=now + retry_delay(attempts),
        enqueued_at=None,
        last_error=str(error),
        message_id=message_id_of(delivery),
        **flags,
    )
    return Delivery.State.AMBIGUOUS if ambiguous else Delivery.State.PLANNED


def _end(delivery: Delivery, token: str, outcome: Outcome) -> str:
    _finish(delivery, token, state=outcome.state, last_error=outcome.reason)
    return outcome.state


def _prepared_for_relay(delivery: Delivery, *, now: datetime.datetime, reads: selectors.MailReads):
    """``_prepare``, with a message written out for the relay (``mail.outgoing``)."""
    prepared = _prepare(delivery, now=now, reads=reads)
    # A mail written from its group's form (``mail.Form``) is ready as it is.
    return mail.outgoing(prepared) if isinstance(prepared, EmailMessage) else prepared


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
