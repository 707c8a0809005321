"""Thin Celery tasks: each calls one service."""

from celery import shared_task

from notifications.services import delivery_send, notifications_sweep, periodic_run_record


@shared_task(name="notifications.heartbeat", acks_late=True)
def heartbeat() -> None:
    """Beat sends this every minute; ``/healthz`` shows when a worker last ran it."""
    periodic_run_record(name="heartbeat")


@shared_task(name="notifications.sweep", acks_late=True, ignore_result=True)
def sweep() -> None:
    """Beat sends this every minute: plan what is owed and queue one send per ready row."""
    notifications_sweep()


@shared_task(name="notifications.send", acks_late=True, ignore_result=True)
def send(delivery_id: int) -> str:
    """Send one row of the delivery log (idempotent: the row's claim decides)."""
    return delivery_send(delivery_id=delivery_id)
