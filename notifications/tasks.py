"""Thin Celery tasks: each calls one service."""

from celery import shared_task

from notifications.services import deliveries_send, notifications_sweep, periodic_run_record
from notifications.services.privacy import retention_apply


@shared_task(name="notifications.heartbeat", acks_late=True)
def heartbeat() -> None:
    """Beat sends this every minute; ``/healthz`` shows when a worker last ran it."""
    periodic_run_record(name="heartbeat")


@shared_task(name="notifications.sweep", acks_late=True, ignore_result=True)
def sweep() -> None:
    """Beat sends this every minute: plan what is owed and queue one send per batch of ready rows."""
    notifications_sweep()


@shared_task(name="notifications.send", acks_late=True, ignore_result=True)
def send(delivery_ids: list[int]) -> dict[int, str]:
    """Send a batch of rows of the delivery log (idempotent: each row's claim decides)."""
    return deliveries_send(delivery_ids=delivery_ids)


@shared_task(name="notifications.retention", acks_late=True)
def retention() -> dict[str, int]:
    """Beat sends this daily: delete old contact messages, blank old addresses in the log."""
    return retention_apply()
