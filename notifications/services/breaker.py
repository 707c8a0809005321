"""The circuit breaker of the SMTP relay (issue 13): when the relay refuses everything for a
while (451, no connection), the workers stop hammering it, pause for a short interval that
grows while the refusals go on, and then let one mail probe whether it takes mail again.

The state is one ``RelayBreaker`` row that every worker shares. A worker reads it once per
chunk of rows and after each temporary failure, and writes it only on a failure or when it
closes the breaker: sending that goes well costs nothing here.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from notifications.models import RelayBreaker

logger = logging.getLogger(__name__)

NAME = "relay"
SWEEP_TASK = "notifications.sweep"
# Failures further apart than this are not "in a row": a relay that refuses one recipient
# now and then never pauses the sending.
FAILURE_WINDOW = datetime.timedelta(seconds=60)


@dataclasses.dataclass(frozen=True)
class BreakerState:
    """What a worker may do now: send (``closed``), send exactly one mail (``probe``, it won
    the probe), or nothing before ``until`` (``open``)."""

    mode: str
    until: datetime.datetime | None = None
    failures: int = 0

    @property
    def closed(self) -> bool:
        return self.mode == "closed"


def _seconds(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def _row() -> RelayBreaker:
    breaker, _created = RelayBreaker.objects.get_or_create(name=NAME)
    return breaker


def breaker_check(*, now: datetime.datetime | None = None) -> BreakerState:
    """The breaker's state for a worker about to send; while it is open and its pause is
    over, the first worker to ask becomes the prober (one atomic UPDATE decides).

    Side effects: at most ``probe_until`` of the row.
    """
    now = now or timezone.now()
    row = RelayBreaker.objects.filter(name=NAME).values("failures", "open_until", "probe_until").first()
    if row is None or row["open_until"] is None:
        return BreakerState("closed", failures=row["failures"] if row else 0)
    if row["open_until"] > now:
        return BreakerState("open", row["open_until"], row["failures"])
    probe_seconds = max(_seconds("EMAIL_TIMEOUT", 30) * 2, 5.0)
    won = RelayBreaker.objects.filter(
        Q(probe_until__isnull=True) | Q(probe_until__lt=now), name=NAME, open_until__lte=now
    ).update(probe_until=now + datetime.timedelta(seconds=probe_seconds))
    if won:
        return BreakerState("probe", failures=row["failures"])
    return BreakerState("open", row["probe_until"] or now + datetime.timedelta(seconds=1), row["failures"])


@transaction.atomic
def breaker_failure(*, now: datetime.datetime | None = None) -> BreakerState:
    """Record a temporary failure of the relay; at ``NOTIFICATIONS_BREAKER_FAILURES`` in a
    row, or when a probe failed, open the breaker for the next, doubled pause.

    Returns the state afterwards. Side effects: the breaker row (locked); when it opens, a
    sweep queued for the end of the pause (``_sweep_at``).
    """
    now = now or timezone.now()
    _row()
    breaker = RelayBreaker.objects.select_for_update().get(name=NAME)
    in_a_row = breaker.last_failure_at is not None and now - breaker.last_failure_at <= FAILURE_WINDOW
    breaker.failures = breaker.failures + 1 if in_a_row or breaker.open_until is not None else 1
    breaker.last_failure_at = now
    probing = breaker.open_until is not None and breaker.open_until <= now
    threshold = int(getattr(settings, "NOTIFICATIONS_BREAKER_FAILURES", 5))
    if probing or (breaker.open_until is None and breaker.failures >= threshold):
        base = _seconds("NOTIFICATIONS_BREAKER_PAUSE_SECONDS", 5.0)
        breaker.pause_seconds = min(
            max(breaker.pause_seconds * 2, base), _seconds("NOTIFICATIONS_BREAKER_MAX_PAUSE_SECONDS", 300.0)
        )
        breaker.open_until = now + datetime.timedelta(seconds=breaker.pause_seconds)
        breaker.probe_until = None
        breaker.opened_count += 1
        transaction.on_commit(functools.partial(_sweep_at, breaker.open_until))
    breaker.save()
    if breaker.open_until is not None and breaker.open_until > now:
        return BreakerState("open", breaker.open_until, breaker.failures)
    return BreakerState("closed", failures=breaker.failures)


def _sweep_at(moment: datetime.datetime) -> None:
    """Queue a sweep for the end of a pause: it queues the rows put back until then, and the
    first worker to take one probes the relay. Recovery follows the pause, not beat's
    interval (a minute in production). A broker that is down loses nothing: beat's next
    sweep does the same."""
    from celery import current_app

    try:
        current_app.send_task(SWEEP_TASK, eta=moment)
    except Exception:
        logger.exception("Queueing the sweep at the end of the relay's pause failed; beat's next sweep follows")


def _outage_start(now: datetime.datetime, pause_seconds: float) -> datetime.datetime:
    """A moment before the outage that an open breaker's pause belongs to began: its pauses,
    each double the one before, and the failures in a row that opened it (at most
    ``FAILURE_WINDOW`` apart)."""
    return now - datetime.timedelta(seconds=2 * pause_seconds) - FAILURE_WINDOW


def breaker_probe_answered(*, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """The probe's envelope was taken (MAIL, RCPT and DATA answered): the relay answers
    again, and an open breaker closes at once, before the probe's data has its answer (a
    relay can hang after the data; the other workers need not wait for that). The pause
    stays until a mail's data is taken (``breaker_success``): a relay that takes every
    envelope and refuses every data opens it again, for a longer pause. Returns the
    outage's start as ``breaker_success`` does, ``None`` if the breaker was not open.

    Side effects: the breaker row, if it was open.
    """
    now = now or timezone.now()
    row = RelayBreaker.objects.filter(name=NAME, open_until__isnull=False).values("pause_seconds").first()
    if row is None:
        return None
    RelayBreaker.objects.filter(name=NAME).update(failures=0, open_until=None, probe_until=None)
    return _outage_start(now, row["pause_seconds"])


def breaker_success(*, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """The relay took a mail: failures in a row are over and an open breaker closes (its
    pause starts from the beginning next time). Returns, when the breaker was open, a
    moment before the outage it ends began (``_outage_start``); else ``None``.

    Side effects: the breaker row, only if it recorded failures.
    """
    now = now or timezone.now()
    row = RelayBreaker.objects.filter(name=NAME, open_until__isnull=False).values("pause_seconds").first()
    RelayBreaker.objects.filter(
        Q(failures__gt=0) | Q(open_until__isnull=False) | Q(pause_seconds__gt=0), name=NAME
    ).update(failures=0, open_until=None, probe_until=None, pause_seconds=F("pause_seconds") * 0)
    if row is None:
        return None
    return _outage_start(now, row["pause_seconds"])
