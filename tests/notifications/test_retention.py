"""Retention, as the privacy statement promises it: contact messages go a configured time
after their delivery, the delivery log forgets recipient addresses per kind, unused
invitations expire. The daily beat tasks are thin; here their services are called."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from contacts.models import ContactMessage, Person, User
from contacts.services.privacy import account_invitations_expire
from notifications.models import Delivery, Kind, Subject
from notifications.services.privacy import retention_apply
from notifications.tasks import retention
from tests.factories import NetworkFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def message(*, days_ago: int) -> ContactMessage:
    return ContactMessage.objects.create(
        network=NetworkFactory(),
        sender_name="Erika Anfrage",
        sender_email="erika.anfrage@example.org",
        subject="Frage",
        body="Text",
        copy_to_sender=False,
        created_at=NOW - datetime.timedelta(days=days_ago),
    )


def logged(msg: ContactMessage, *, state: str, days_ago: int, kind: str = Kind.CONTACT) -> Delivery:
    moment = NOW - datetime.timedelta(days=days_ago)
    delivery = Delivery.objects.create(
        subject_type=Subject.CONTACT,
        subject_id=msg.pk,
        kind=kind,
        recipient_key="asprecherin@example.org",
        address="sprecherin@example.org",
        recipient_name="Sabine Beispiel",
        due_at=moment,
        next_attempt_at=moment,
        state=state,
        sent_at=moment if state == Delivery.State.SENT else None,
    )
    Delivery.objects.filter(pk=delivery.pk).update(updated_at=moment)
    return delivery


def test_contact_message_is_deleted_the_configured_days_after_delivery(settings):
    settings.CONTACT_MESSAGES_RETENTION_DAYS = 30
    old = message(days_ago=40)
    logged(old, state=Delivery.State.SENT, days_ago=39)
    recently_delivered = message(days_ago=40)
    logged(recently_delivered, state=Delivery.State.SENT, days_ago=10)
    young = message(days_ago=5)

    result = retention_apply(now=NOW)

    assert result["kontaktanfragen"] == 1
    assert sorted(ContactMessage.objects.values_list("pk", flat=True)) == sorted([recently_delivered.pk, young.pk])


def test_contact_message_with_mail_still_open_is_kept(settings):
    settings.CONTACT_MESSAGES_RETENTION_DAYS = 30
    waiting = message(days_ago=40)
    logged(waiting, state=Delivery.State.PLANNED, days_ago=1)

    retention_apply(now=NOW)

    assert ContactMessage.objects.filter(pk=waiting.pk).exists()


def test_retention_time_is_a_setting(settings):
    settings.CONTACT_MESSAGES_RETENTION_DAYS = 60
    kept = message(days_ago=40)

    retention_apply(now=NOW)

    assert ContactMessage.objects.filter(pk=kept.pk).exists()


def test_delivery_addresses_are_blanked_after_their_kind_s_retention(settings):
    settings.DELIVERY_ADDRESS_RETENTION_DAYS = {"default": 180, "kontakt": 30}
    msg = message(days_ago=5)
    contact = logged(msg, state=Delivery.State.SENT, days_ago=31)
    invitation = logged(msg, state=Delivery.State.SENT, days_ago=31, kind=Kind.INVITATION)
    failed_long_ago = logged(msg, state=Delivery.State.FAILED, days_ago=200, kind=Kind.REMINDER)

    result = retention_apply(now=NOW)

    rows = {
        d.pk: (d.address, d.recipient_name, d.recipient_key.startswith("a"), d.state)
        for d in Delivery.objects.filter(pk__in=[contact.pk, invitation.pk, failed_long_ago.pk])
    }
    assert result["adressen"] == 2
    assert rows == {
        contact.pk: ("", "", False, Delivery.State.SENT),
        invitation.pk: ("sprecherin@example.org", "Sabine Beispiel", True, Delivery.State.SENT),
        failed_long_ago.pk: ("", "", False, Delivery.State.FAILED),
    }


def test_retention_is_idempotent():
    old = message(days_ago=400)
    logged(old, state=Delivery.State.SENT, days_ago=399)

    first = retention_apply(now=NOW)
    second = retention_apply(now=NOW)

    assert first == {"kontaktanfragen": 1, "gaeste": 0, "adressen": 1}
    assert second == {"kontaktanfragen": 0, "gaeste": 0, "adressen": 0}


def test_retention_task_calls_the_service():
    message(days_ago=400)

    assert retention.apply().get() == {"kontaktanfragen": 1, "gaeste": 0, "adressen": 0}


def test_beat_runs_retention_daily():
    tasks = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert tasks["notifications.retention"] == tasks["contacts.invitations_expire"] == 24 * 60 * 60.0


def test_every_task_of_beat_runs_on_the_periodic_queue_not_behind_queued_mail():
    from netzwerk.celery import app

    queues = {
        entry["task"]: app.amqp.router.route({}, entry["task"])["queue"].name
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }

    assert set(queues.values()) == {"periodic"}, queues


def test_unused_invitation_expires_and_the_person_stays():
    person = PersonFactory()
    invited = User(email="eingeladen@example.org", date_joined=NOW - datetime.timedelta(days=10))
    invited.set_unusable_password()
    invited.save()
    person.user = invited
    person.save()
    fresh = User(email="frisch@example.org")
    fresh.set_unusable_password()
    fresh.save()
    active = UserFactory(email="aktiv@example.org", date_joined=NOW - datetime.timedelta(days=10))

    removed = account_invitations_expire(now=NOW)

    assert removed == 1
    assert sorted(User.objects.values_list("email", flat=True)) == sorted([fresh.email, active.email])
    assert Person.objects.get(pk=person.pk).user is None


def test_an_invitation_sent_again_keeps_its_account():
    """A speaker who sent the invitation again gave it a new time: the account stays."""
    from contacts.models import AccountInvitation

    person = PersonFactory()
    invited = User(email="nochmal@example.org", date_joined=NOW - datetime.timedelta(days=10))
    invited.set_unusable_password()
    invited.save()
    person.user = invited
    person.save()
    AccountInvitation.objects.create(
        person=person,
        user=invited,
        sent_at=NOW - datetime.timedelta(days=1),
        expires_at=NOW + datetime.timedelta(days=2),
    )

    assert account_invitations_expire(now=NOW) == 0
    assert User.objects.filter(pk=invited.pk).exists()
