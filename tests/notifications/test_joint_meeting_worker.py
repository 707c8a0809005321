"""A joint meeting's mail, sent by a real Celery worker (beat running the sweep) to a real
SMTP server: the members of both networks are invited and reminded, and a person who is a
member of both gets one invitation and one reminder (counted by Message-ID at the server)."""

import datetime
from collections import Counter

import pytest
from django.utils import timezone

from contacts.models import Membership
from meetings.models import Meeting
from meetings.services import meeting_partners_set
from notifications.models import Delivery, Kind
from notifications.services import invitation_send_now
from tests.conftest import wait_until
from tests.meetings.factories import MeetingFactory
from tests.notifications.conftest import members, wait_for_final

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_member_of_both_networks_gets_one_invitation_and_one_reminder(smtp_sink, celery_worker_start):
    now = timezone.now()
    stk, stk_only = members(2)
    oag, oag_only = members(2)
    _, (in_both,) = members(1, network=stk)
    Membership.objects.create(network=oag, person=in_both)
    meeting = MeetingFactory(
        network=stk, status=Meeting.Status.CONFIRMED, start=now + datetime.timedelta(days=1, minutes=-1)
    )
    meeting_partners_set(meeting=meeting, networks=[oag])
    # Invited two days ago (the rows wait for the worker); the 1-day reminder fell due a minute ago.
    assert invitation_send_now(meeting=meeting, now=now - datetime.timedelta(days=2)) == 5
    worker = celery_worker_start(beat=True)

    wait_until(
        lambda: Delivery.objects.filter(kind=Kind.REMINDER, subject_id=meeting.pk).count() == 5,
        timeout=90,
        process=worker,
    )
    rows = wait_for_final(timeout=90, process=worker)
    assert worker.stop() == 0

    arrivals = Counter(smtp_sink.message_ids())
    sent = [row for row in rows if row.state == Delivery.State.SENT]
    assert {row.message_id: arrivals[row.message_id] for row in sent} == {row.message_id: 1 for row in sent}
    assert set(arrivals) == {row.message_id for row in sent}
    per_person = Counter((row.person_id, row.kind) for row in sent)
    everyone = [person.pk for person in (*stk_only, *oag_only, in_both)]
    assert per_person == Counter({(pk, kind): 1 for pk in everyone for kind in (Kind.INVITATION, Kind.REMINDER)})
    assert len(arrivals) == 10
