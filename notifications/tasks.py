"""Thin Celery tasks: each calls one service."""

from celery import shared_task

from notifications.services import periodic_run_record


@shared_task(name="notifications.heartbeat", acks_late=True)
def heartbeat() -> None:
    """Beat sends this every minute; ``/healthz`` shows when a worker last ran it."""
    periodic_run_record(name="heartbeat")
