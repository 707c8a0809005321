"""What planning and sending share: the timing of leases, requeues and retries."""

from __future__ import annotations

import datetime

from django.conf import settings

from meetings.models import Meeting

SEND_TASK = "notifications.send"
# Meetings changed this long before the last sweep are looked at again: a transaction that
# saved a meeting before the sweep started may commit after it.
WATERMARK_MARGIN = datetime.timedelta(minutes=10)
POLL_REMINDER_BEFORE = datetime.timedelta(hours=24)
# No reminder within this time after the invitation went out: it is still fresh.
POLL_REMINDER_MIN_AGE = datetime.timedelta(hours=2)
RECENT = datetime.timedelta(days=7)
MAX_ATTEMPTS = 10
# A send task claims its rows this many at a time (a whole batch of the sweep's) and reads
# what their mails show right after: few queries per mail (the chunk's reads, about 20 ms
# for a meeting's reminders, were a fifth of a mail's CPU at 50 rows). Just before each
# mail's data leaves, one small query compares the stamps of what decided it (an opt-out or
# a cancellation committed meanwhile wins).
CLAIM_CHUNK = 200
REMINDING_STATUSES = (Meeting.Status.PLANNED, Meeting.Status.CONFIRMED)


def _seconds(name: str, default: float) -> datetime.timedelta:
    return datetime.timedelta(seconds=getattr(settings, name, default))


def lease_length() -> datetime.timedelta:
    return _seconds("NOTIFICATIONS_LEASE_SECONDS", 30)


def mark_every() -> int:
    """How many results a send task writes in one transaction (``sending._Marks``); as many
    rows of a dead worker's claim are flagged „evtl. doppelt“."""
    return max(1, int(getattr(settings, "NOTIFICATIONS_MARK_EVERY", 10)))


def requeue_after() -> datetime.timedelta:
    return _seconds("NOTIFICATIONS_REQUEUE_SECONDS", 300)


def retry_delay(attempts: int) -> datetime.timedelta:
    """Backoff before attempt ``attempts + 1``: base, 2×, 4× … at most one hour."""
    base = getattr(settings, "NOTIFICATIONS_RETRY_BASE_SECONDS", 60)
    return datetime.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))
