"""The stamps a send task compares before each mail's data (``selectors.mail_stamp``): every
write that can change whether a queued mail goes moves them, also a bulk ``update()`` or
``delete()`` that no service sees, and the delivery log's own writes do not (a send task
would otherwise read its chunk again after every mark)."""

import datetime

import pytest
from django.utils import timezone

from contacts.models import Membership, Person
from meetings.models import Meeting
from notifications.models import Delivery, Preference, Rundmail
from notifications.selectors import mail_stamp
from notifications.services import notifications_sweep
from tests.meetings.factories import MeetingFactory, in_days
from tests.notifications.conftest import members

pytestmark = pytest.mark.django_db


def invitations_planned():
    network, people = members(2)
    meeting = MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=in_days(10))
    notifications_sweep()
    return meeting, people


def yesterday() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda meeting, people: Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CANCELLED),
            id="meeting-cancelled-by-update",
        ),
        pytest.param(lambda meeting, people: Meeting.objects.filter(pk=meeting.pk).delete(), id="meeting-deleted"),
        pytest.param(
            lambda meeting, people: Membership.objects.filter(person=people[0]).update(end=yesterday()),
            id="membership-ended-by-update",
        ),
        pytest.param(
            lambda meeting, people: Membership.objects.filter(person=people[0]).delete(), id="membership-deleted"
        ),
        pytest.param(
            lambda meeting, people: Preference.objects.bulk_create([Preference(person=people[0], invitations=False)]),
            id="preference-bulk-created",
        ),
        pytest.param(lambda meeting, people: Person.objects.filter(pk=people[1].pk).delete(), id="person-deleted"),
    ],
)
def test_a_write_that_may_stop_a_mail_moves_the_stamps(change):
    meeting, people = invitations_planned()
    before = mail_stamp()

    change(meeting, people)

    assert mail_stamp() != before


def test_a_preference_changed_by_update_moves_the_stamps():
    _meeting, people = invitations_planned()
    Preference.objects.create(person=people[0])
    before = mail_stamp()

    Preference.objects.filter(person=people[0]).update(reminders=False)

    assert mail_stamp() != before


def test_a_rundmail_withdrawn_by_update_moves_the_stamps():
    network, people = members(1)
    rundmail = Rundmail.objects.create(
        network=network, author=people[0], subject="Hallo", body="Text", state=Rundmail.State.SCHEDULED
    )
    before = mail_stamp()

    Rundmail.objects.filter(pk=rundmail.pk).update(state=Rundmail.State.WITHDRAWN)

    assert mail_stamp() != before


def test_the_delivery_log_written_leaves_the_stamps_alone():
    invitations_planned()
    before = mail_stamp()

    Delivery.objects.update(state=Delivery.State.SENT, sent_at=timezone.now(), message_id="<x@example.org>")

    assert mail_stamp() == before
