"""Reads of the notifications app."""

import datetime

from notifications.models import PeriodicRun


def periodic_run_last(*, name: str) -> datetime.datetime | None:
    """When the periodic job ``name`` last ran, or ``None`` if never."""
    return PeriodicRun.objects.filter(name=name).values_list("last_run_at", flat=True).first()
