"""Reads of the notifications app."""

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Exists, Min, OuterRef, Q
from django.utils import timezone

from contacts.models import Membership, Person
from meetings.models import Meeting
from notifications.models import Delivery, NetworkSettings, PeriodicRun, Preference, default_reminder_offsets

DEFAULT_OFFSETS = tuple(default_reminder_offsets())


def periodic_run_last(*, name: str) -> datetime.datetime | None:
    """When the periodic job ``name`` last ran, or ``None`` if never."""
    return PeriodicRun.objects.filter(name=name).values_list("last_run_at", flat=True).first()


def network_members(network_ids: Iterable[int], *, day: datetime.date) -> dict[int, list[int]]:
    """Person ids of the current members of each network (institutions through their person)."""
    members: dict[int, list[int]] = defaultdict(list)
    rows = (
        Membership.objects.active(day)
        .filter(network_id__in=list(network_ids), person__isnull=False)
        .values_list("network_id", "person_id")
        .distinct()
        .order_by("network_id", "person_id")
    )
    for network_id, person_id in rows:
        members[network_id].append(person_id)
    return members


def is_member(*, person_id: int, network_id: int, day: datetime.date) -> bool:
    return Membership.objects.active(day).filter(network_id=network_id, person_id=person_id).exists()


def invitation_triggers(network_ids: Iterable[int]) -> dict[int, str]:
    """The invitation trigger of each network that has settings (others: confirmed)."""
    return dict(
        NetworkSettings.objects.filter(network_id__in=list(network_ids)).values_list("network_id", "invitation_trigger")
    )


def reminder_offsets_by_network() -> dict[int, tuple[int, ...]]:
    """Reminder offsets (minutes) of networks with their own settings; others use the defaults."""
    return {
        network_id: tuple(offsets or ())
        for network_id, offsets in NetworkSettings.objects.values_list("network_id", "reminder_offsets")
    }


def reminder_offsets_of(network_id: int) -> tuple[int, ...]:
    offsets = NetworkSettings.objects.filter(network_id=network_id).values_list("reminder_offsets", flat=True).first()
    return DEFAULT_OFFSETS if offsets is None else tuple(offsets)


def person_for_mail(person_id: int) -> Person | None:
    """The person with what ``person_mail_address`` reads (channels, login)."""
    return (
        Person.objects.select_related("user", "notification_preference")
        .prefetch_related("channels")
        .filter(pk=person_id)
        .first()
    )


def preference_of(person: Person) -> Preference:
    """The person's preferences, or the defaults (unsaved) when none were set."""
    return Preference.objects.filter(person=person).first() or Preference(person=person)


def meeting_for_mail(meeting_id: int, *, person_id: int, day: datetime.date) -> Meeting:
    """A meeting with what its mails show: network, place, the whole agenda (members read it),
    and ``recipient_is_member``: whether ``person_id`` is a current member of its network."""
    return (
        Meeting.objects.select_related("network", "institution")
        .prefetch_related("agenda_items")
        .annotate(
            recipient_is_member=Exists(
                Membership.objects.active(day).filter(network_id=OuterRef("network_id"), person_id=person_id)
            )
        )
        .get(pk=meeting_id)
    )


def digest_meetings(*, person_id: int, start: datetime.datetime, end: datetime.datetime, day: datetime.date):
    """Meetings of the person's networks between ``start`` and ``end`` (not cancelled)."""
    networks = Membership.objects.active(day).filter(person_id=person_id).values("network_id")
    return (
        Meeting.objects.filter(network_id__in=networks, start__gte=start, start__lt=end)
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("network", "institution")
        .order_by("start", "pk")
    )


def delivery_health(*, now: datetime.datetime | None = None) -> dict:
    """For ``/healthz``: the oldest due message not yet sent, and rows stuck past their lease."""
    now = now or timezone.now()
    oldest = Delivery.objects.filter(
        state__in=(*Delivery.CLAIMABLE, Delivery.State.CLAIMED), next_attempt_at__lte=now
    ).aggregate(oldest=Min("due_at"))["oldest"]
    stuck = Delivery.objects.filter(Q(state=Delivery.State.CLAIMED) & Q(lease_until__lt=now)).count()
    return {
        "oldest_due_unsent": oldest.isoformat() if oldest else None,
        "oldest_due_unsent_age_seconds": round((now - oldest).total_seconds()) if oldest else None,
        "stuck_past_lease": stuck,
    }
