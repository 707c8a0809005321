"""Asking imported people for their consent: one mail per person, ever, through the log."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from contacts.models import ImportRun
from contacts.selectors.imports import import_people_without_consent
from notifications.models import Delivery, Kind, Subject
from notifications.services.planning import _enqueue, _row

logger = logging.getLogger(__name__)


@transaction.atomic
def consent_requests_plan(*, run: ImportRun, actor=None, now: datetime.datetime | None = None) -> int:
    """„Einwilligung anfragen“ from an import report: plan a consent request to every person
    of ``run`` who has an e-mail address and no consent yet.

    The key of the delivery log is the person (subject „Person“, version 0), not the run:
    a person on two imported lists is asked once. Preferences are read when the mail leaves
    (language; someone who switched every mail off gets none). Returns the number of rows
    planned now. Side effects: ``Delivery`` rows; after commit, their send tasks.
    """
    now = now or timezone.now()
    people = list(import_people_without_consent(run).values_list("pk", "given_name", "family_name"))
    rows = [
        _row(
            subject_type=Subject.PERSON,
            subject_id=pk,
            kind=Kind.CONSENT_REQUEST,
            now=now,
            person_id=pk,
            name=f"{given} {family}".strip(),
            network_id=run.network_id,
            details={"import": run.pk},
        )
        for pk, given, family in people
    ]
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    ids = list(
        Delivery.objects.filter(
            subject_type=Subject.PERSON,
            subject_id__in=[pk for pk, _given, _family in people],
            kind=Kind.CONSENT_REQUEST,
            state=Delivery.State.PLANNED,
            enqueued_at__isnull=True,
        ).values_list("pk", flat=True)
    )
    Delivery.objects.filter(pk__in=ids).update(enqueued_at=now)
    transaction.on_commit(lambda: _enqueue(ids))
    logger.info("Consent requests for import %s by %s: %s people", run.pk, getattr(actor, "pk", None), len(ids))
    return len(ids)
