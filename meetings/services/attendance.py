"""Members' answers (Zusage/Absage) and the presence recorded after a meeting."""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Membership, Person
from meetings.models import (
    Attendance,
    Meeting,
)
from meetings.services._common import _actor_id, _save
from meetings.services.series import _local_day

logger = logging.getLogger(__name__)


@transaction.atomic
def attendance_answer(
    *, meeting: Meeting, person: Person, answer: str, note: str = "", now: datetime.datetime | None = None
) -> Attendance:
    """Record (or change) a member's answer: zusage, absage or vielleicht, with a note.

    Raises ``ValidationError`` (German) when the meeting is cancelled or has begun, when the
    person is not a current member of the network, or for an unknown answer. Side effects:
    the ``Attendance`` row of (meeting, person).
    """
    now = now or timezone.now()
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("Die Sitzung ist abgesagt; eine Antwort ist nicht nötig."))
    if meeting.start <= now:
        raise ValidationError(_("Die Sitzung hat schon begonnen; Antworten sind nicht mehr möglich."))
    network_ids = [meeting.network_id, *meeting.partnerships.values_list("network_id", flat=True)]
    if not Membership.objects.active(_local_day(now)).filter(network_id__in=network_ids, person=person).exists():
        raise ValidationError(_("%(person)s ist kein Mitglied dieses Netzwerks.") % {"person": person})
    attendance = Attendance.objects.filter(meeting=meeting, person=person).first() or Attendance(
        meeting=meeting, person=person
    )
    attendance.answer = answer
    attendance.note = note
    attendance.answered_at = now
    return _save(attendance)


@transaction.atomic
def attendance_record_presence(
    *, meeting: Meeting, person: Person, presence: str, actor=None, now: datetime.datetime | None = None
) -> Attendance:
    """Record who was there: anwesend or entschuldigt ("" clears it).

    Raises ``ValidationError`` before the meeting has begun. Side effects: the
    ``Attendance`` row of (meeting, person).
    """
    now = now or timezone.now()
    if meeting.start > now:
        raise ValidationError(_("Die Anwesenheit kann erst ab Beginn der Sitzung erfasst werden."))
    attendance = Attendance.objects.filter(meeting=meeting, person=person).first() or Attendance(
        meeting=meeting, person=person
    )
    attendance.presence = presence
    _save(attendance)
    logger.info("Presence at meeting %s recorded by %s", meeting.pk, _actor_id(actor))
    return attendance
