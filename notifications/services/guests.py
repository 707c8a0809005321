"""Mail to the guests of open meetings, planned from what the calendar holds: the
confirmation of each registration, the notice of moving up from the waiting list, and a
change or cancellation of the meeting (whenever its ``sequence`` rose above what the guest
was told, whatever the members were told).

The sweep runs ``plan_guests`` every minute; ``guests_changed_receive`` (the receiver of
``meetings.signals.guests_changed``) plans the same rows at once, inside the transaction
that registered the guest, and queues them when it commits: a guest waits for the
confirmation on the page.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from meetings.models import GuestRegistration
from notifications.models import Delivery, GuestNotice, Kind, Step, Subject
from notifications.services.planning import _enqueue, _meeting_told, _row, _steps, _steps_done

MOVED_UP_STEP = "nachgerueckt"


def _guest_row(registration: GuestRegistration, *, kind: str, now: datetime.datetime, **extra) -> Delivery:
    return _row(
        subject_type=Subject.GUEST,
        subject_id=registration.pk,
        kind=kind,
        address=registration.email,
        name=registration.name,
        network_id=registration.meeting.network_id,
        now=now,
        **extra,
    )


def plan_guests(*, now: datetime.datetime, ids: Iterable[int] | None = None) -> list[Delivery]:
    """The guest mails owed now (``ids``: only for these registrations, and no changes).

    Side effects: a ``GuestNotice`` per registration confirmed here, updated notices for
    changes, ``Step`` rows for moving up.
    """
    registrations = GuestRegistration.objects.select_related("meeting__institution")
    if ids is not None:
        registrations = registrations.filter(pk__in=list(ids))
    rows: list[Delivery] = []
    # One query for both: new registrations (no notice yet) and those that moved up from
    # the waiting list without being told (once: a registration never goes back).
    noticed = Exists(GuestNotice.objects.filter(registration_id=OuterRef("pk")))
    moved_told = _steps(Subject.GUEST, MOVED_UP_STEP)
    moved_up = Q(status=GuestRegistration.Status.CONFIRMED, moved_up_at__isnull=False)
    owed = list(
        registrations.annotate(noticed=noticed, moved_told=moved_told)
        .filter(Q(noticed=False) | (moved_up & Q(moved_told=False)))
        .order_by("pk")
    )
    notices, moved = [], []
    for registration in owed:
        meeting = registration.meeting
        if not registration.noticed:
            rows.append(_guest_row(registration, kind=Kind.GUEST_CONFIRMATION, now=now))
            notices.append(
                GuestNotice(registration=registration, told_sequence=meeting.sequence, told=_meeting_told(meeting))
            )
        if registration.moved_up_at is not None and not registration.is_waiting and not registration.moved_told:
            rows.append(_guest_row(registration, kind=Kind.GUEST_MOVED_UP, now=now))
            moved.append(registration.pk)
    GuestNotice.objects.bulk_create(notices, ignore_conflicts=True)
    _steps_done(Subject.GUEST, MOVED_UP_STEP, moved)
    if ids is not None:
        return rows
    # Changes and cancellations of meetings still ahead, to every guest told an older state.
    behind = (
        GuestNotice.objects.filter(
            registration__meeting__start__gt=now, told_sequence__lt=F("registration__meeting__sequence")
        )
        .select_related("registration__meeting__institution")
        .order_by("pk")
    )
    for notice in behind:
        registration = notice.registration
        meeting = registration.meeting
        told = _meeting_told(meeting)
        kind = Kind.GUEST_CANCELLATION if meeting.is_cancelled else Kind.GUEST_CHANGE
        rows.append(
            _guest_row(
                registration,
                kind=kind,
                version=meeting.sequence,
                details={"before": notice.told, "after": told},
                now=now,
            )
        )
        GuestNotice.objects.filter(pk=notice.pk, told_sequence__lt=meeting.sequence).update(
            told_sequence=meeting.sequence, told=told
        )
    return rows


def guests_changed_receive(*, registration_ids: list[int], now: datetime.datetime | None = None, **kwargs) -> int:
    """Receiver of ``meetings.signals.guests_changed``: plan the confirmation or the notice
    of moving up now, in the registering transaction, and queue it once that commits (the
    sweep would find it within a minute anyway). Returns the number of rows planned."""
    now = now or timezone.now()
    rows = Delivery.objects.bulk_create(plan_guests(now=now, ids=registration_ids), ignore_conflicts=True)
    pending = list(
        Delivery.objects.filter(
            subject_type=Subject.GUEST,
            subject_id__in=registration_ids,
            kind__in=(Kind.GUEST_CONFIRMATION, Kind.GUEST_MOVED_UP),
            state=Delivery.State.PLANNED,
            enqueued_at__isnull=True,
        ).values_list("pk", flat=True)
    )
    if pending:
        Delivery.objects.filter(pk__in=pending).update(enqueued_at=now)
        transaction.on_commit(lambda: _enqueue(pending, urgent=True))
    return len(rows)


def guest_steps_forget(*, registration_ids: Iterable[int]) -> None:
    """Drop the planning steps of deleted registrations (retention)."""
    Step.objects.filter(subject_type=Subject.GUEST, subject_id__in=list(registration_ids)).delete()
