"""What planning and sending share: the timing of leases, requeues and retries, and who
holds a claim."""

from __future__ import annotations

import datetime
import hashlib
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

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


# Who holds a claim ----------------------------------------------------------------------
#
# A claim's token names the process that holds it: this machine (its boot and its process
# namespace), the process id and the moment the process started. When that process is
# gone, its rows need not wait for their lease: ``claim_holders_dead`` tells, for the
# claims of this machine; those of another (a worker in another container) keep the lease.


def _machine() -> str:
    """This boot of this machine and its process namespace, as 16 hex digits ("" where
    ``/proc`` does not tell: no claim is then known to be dead before its lease ends)."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""
    return hashlib.sha256(f"{boot} {namespace}".encode()).hexdigest()[:16]


MACHINE = _machine()


def _stat(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (``None``: not readable)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name, in parentheses, may itself hold spaces and parentheses.
    return stat[stat.rindex(")") + 2 :].split()


def _gone(pid: int, started: str) -> bool:
    """Whether the process ``pid`` that started at ``started`` has ended (a zombie has: it
    was killed and is not yet reaped). ``False`` when it cannot be told."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # a process of another user: it exists
    fields = _stat(pid)
    if fields is None:
        return False
    return fields[0] in ("Z", "X") or fields[19] != started


_holder: tuple[int, str] = (0, "")


def claim_token_new(*, pid: int | None = None) -> str:
    """A new claim's token, naming the process that holds it (``claim_holders_dead``):
    this one, or the running process ``pid``."""
    global _holder
    if not MACHINE:
        return secrets.token_hex(16)
    if pid is not None:
        return f"{MACHINE}.{pid}.{_stat(pid)[19]}.{secrets.token_hex(6)}"
    pid = os.getpid()
    if _holder[0] != pid:  # read once per process (a fork is a new one)
        _holder = (pid, f"{MACHINE}.{pid}.{_stat(pid)[19]}")
    return f"{_holder[1]}.{secrets.token_hex(6)}"


def claim_holders_dead(tokens: Iterable[str]) -> set[str]:
    """Those of ``tokens`` whose process is known to be gone: it ran on this machine, and
    no process with its id and start runs now (a process id used again starts later).
    Tokens of another machine, or of the older form, are never dead: their lease tells."""
    dead = set()
    for token in tokens:
        machine, *holder = token.split(".")
        if MACHINE and machine == MACHINE and len(holder) == 3 and _gone(int(holder[0]), holder[1]):
            dead.add(token)
    return dead
