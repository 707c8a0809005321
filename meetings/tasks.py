"""Thin Celery tasks: each calls one service."""

import logging

from celery import shared_task

from meetings.services import series_extend_horizon

logger = logging.getLogger(__name__)


@shared_task(name="meetings.extend_series_horizon", acks_late=True)
def extend_series_horizon() -> int:
    """Beat runs this daily: every series keeps its occurrences 12 months ahead (idempotent)."""
    created = series_extend_horizon()
    logger.info("Series horizon extended: %s new meetings", created)
    return created
