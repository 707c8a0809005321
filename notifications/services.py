"""Writes of the notifications app."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from notifications.models import PeriodicRun


@transaction.atomic
def periodic_run_record(*, name: str) -> PeriodicRun:
    """Note that the periodic job ``name`` ran now (beat → broker → worker works)."""
    now = timezone.now()
    run, created = PeriodicRun.objects.get_or_create(name=name, defaults={"last_run_at": now, "run_count": 1})
    if not created:
        PeriodicRun.objects.filter(pk=run.pk).update(last_run_at=now, run_count=F("run_count") + 1)
        run.refresh_from_db()
    return run
