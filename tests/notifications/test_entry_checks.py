"""„Sind Ihre Angaben noch aktuell?“: what the sweep plans for stale entries (institutions
at their functional address, people at theirs, networks through their speakers), the
reminder four weeks later, exactly once, respecting opt-outs, with List-Unsubscribe; and
„Eintrag prüfen“ on request. In this process, with Django's locmem backend as the relay."""

import datetime
import re

import pytest
from django.core import mail as django_mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from contacts.models import Institution, Membership, Network, Person
from notifications.models import AddressOptOut, Delivery, Kind, Preference
from notifications.services import delivery_send, entry_review_request, notifications_sweep
from notifications.services.freshness import PER_SWEEP
from tests.factories import ChannelFactory, InstitutionFactory, MembershipFactory, NetworkFactory, PersonFactory
from tests.notifications.conftest import members

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def stale(entry, days: int = 400):
    type(entry).objects.filter(pk=entry.pk).update(confirmed_at=timezone.now() - DAY * days)


def sweep_and_send(now=None):
    result = notifications_sweep(now=now)
    return {pk: delivery_send(delivery_id=pk, now=now) for pk in result.enqueued}


def entry_rows(kind=Kind.ENTRY_CHECK):
    return list(Delivery.objects.filter(kind=kind).order_by("subject_type", "subject_id", "recipient_key"))


def link_of(message) -> str:
    return re.search(r"https?://\S+/eintrag/\S+/", message.body).group(0)


def test_sweep_asks_stale_entries_once_and_leaves_fresh_ones():
    old_institution = InstitutionFactory(email="buero@kita-alt.example.org")
    InstitutionFactory(email="buero@kita-neu.example.org")  # created today: fresh
    no_address = InstitutionFactory(email="")
    person = PersonFactory()
    ChannelFactory(person=person, value="person@example.org")
    network, (speaker,) = members(1, role=Membership.Role.SPEAKER)
    for entry in (old_institution, no_address, person, network):
        stale(entry)

    states = sweep_and_send()
    second = notifications_sweep()

    keys = {(row.subject_type, row.subject_id, row.recipient_key) for row in entry_rows()}
    assert keys == {
        ("einrichtung", old_institution.pk, "abuero@kita-alt.example.org"),
        ("person", person.pk, f"p{person.pk}"),
        ("netzwerk", network.pk, f"p{speaker.pk}"),
    }
    assert set(states.values()) == {"gesendet"}
    assert second.planned == 0
    subjects = sorted(message.subject for message in django_mail.outbox)
    assert all(subject.startswith("Sind Ihre Angaben noch aktuell?") for subject in subjects)


def test_an_entry_gone_stale_after_a_sweep_is_asked_within_the_hour_and_once():
    """The sweep asks about stale entries at most hourly (staleness counts in months)."""
    institution = InstitutionFactory(email="buero@example.org")
    now = timezone.now()
    notifications_sweep(now=now)
    stale(institution)

    soon = notifications_sweep(now=now + datetime.timedelta(minutes=30))
    within_the_hour = notifications_sweep(now=now + datetime.timedelta(minutes=61))
    after = notifications_sweep(now=now + datetime.timedelta(minutes=200))

    assert (soon.planned, within_the_hour.planned, after.planned) == (0, 1, 0)
    assert [(row.subject_id, row.address) for row in entry_rows()] == [(institution.pk, "buero@example.org")]


def test_a_backlog_of_stale_entries_goes_on_at_the_next_sweep_not_an_hour_later():
    institutions = InstitutionFactory.create_batch(PER_SWEEP + 5)
    Institution.objects.update(confirmed_at=timezone.now() - DAY * 400)
    now = timezone.now()

    runs = [notifications_sweep(now=now + datetime.timedelta(minutes=minute)).planned for minute in range(3)]

    assert runs == [PER_SWEEP, 5, 0]
    assert {row.subject_id for row in entry_rows()} == {institution.pk for institution in institutions}


def test_check_mail_has_one_click_unsubscribe_and_a_link_that_confirms(client):
    institution = InstitutionFactory(name="OT Kellerkinder", email="ot@example.org")
    stale(institution)

    sweep_and_send()
    (message,) = django_mail.outbox
    link = link_of(message)
    shown = client.get(link)
    client.post(link, {"action": "confirm"})

    assert message.to == ['"OT Kellerkinder" <ot@example.org>']
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/benachrichtigungen/abbestellen-adresse/" in message.extra_headers["List-Unsubscribe"]
    assert "OT Kellerkinder" in shown.content.decode()
    assert Institution.objects.get(pk=institution.pk).confirmed_at > timezone.now() - DAY


def test_reminder_comes_four_weeks_later_once_then_nothing():
    institution = InstitutionFactory(email="buero@example.org")
    stale(institution)
    now = timezone.now()
    sweep_and_send()
    django_mail.outbox.clear()
    Delivery.objects.update(created_at=now - DAY * 29, sent_at=now - DAY * 29)

    early = notifications_sweep(now=now - DAY * 2)
    sweep_and_send(now=now)
    later = notifications_sweep(now=now + DAY * 30)

    assert early.planned == 0
    assert [row.kind for row in Delivery.objects.order_by("pk")] == [Kind.ENTRY_CHECK, Kind.ENTRY_CHECK_REMINDER]
    assert [message.subject for message in django_mail.outbox] == [
        f"Erinnerung: Sind Ihre Angaben noch aktuell? – {institution.name}"
    ]
    assert later.planned == 0


def test_confirming_before_the_reminder_cancels_it_and_starts_a_new_year():
    person = PersonFactory()
    ChannelFactory(person=person)
    stale(person)
    now = timezone.now()
    sweep_and_send()
    Delivery.objects.update(created_at=now - DAY * 30, sent_at=now - DAY * 30)
    Person.objects.filter(pk=person.pk).update(confirmed_at=now - DAY)

    result = notifications_sweep(now=now)

    assert result.planned == 0
    assert Delivery.objects.count() == 1


def test_entry_confirmed_between_planning_and_sending_is_skipped():
    institution = InstitutionFactory()
    stale(institution)
    result = notifications_sweep()
    Institution.objects.filter(pk=institution.pk).update(confirmed_at=timezone.now() + DAY)

    states = [delivery_send(delivery_id=pk) for pk in result.enqueued]

    assert states == ["entfallen"]
    assert django_mail.outbox == []


def test_person_who_switched_entry_checks_off_gets_none():
    person = PersonFactory()
    ChannelFactory(person=person)
    Preference.objects.create(person=person, entry_checks=False)
    stale(person)

    states = sweep_and_send()

    assert list(states.values()) == ["entfallen"]
    assert django_mail.outbox == []


def test_person_mail_unsubscribe_link_switches_entry_checks_off(client):
    person = PersonFactory(language="en")
    ChannelFactory(person=person)
    stale(person)

    sweep_and_send()
    (message,) = django_mail.outbox
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    client.post(unsubscribe)

    assert message.subject.startswith("Are your details still up to date?")
    assert Preference.objects.get(person=person).entry_checks is False


def test_functional_address_unsubscribe_get_shows_post_stops(client):
    institution = InstitutionFactory(email="Leitung@Example.org")
    stale(institution)
    sweep_and_send()
    (message,) = django_mail.outbox
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")

    client.get(unsubscribe)
    assert not AddressOptOut.objects.exists()
    client.post(unsubscribe)
    with pytest.raises(ValidationError, match="abbestellt"):
        entry_review_request(institution=institution)

    assert list(AddressOptOut.objects.values_list("address", flat=True)) == ["leitung@example.org"]


def test_tampered_address_unsubscribe_link_changes_nothing(client):
    response = client.post(reverse("notifications:address_unsubscribe", args=["kaputt"]))

    assert response.status_code == 400
    assert not AddressOptOut.objects.exists()


def test_network_speaker_who_stepped_down_is_not_asked():
    network, (speaker,) = members(1, role=Membership.Role.SPEAKER)
    stale(network)
    result = notifications_sweep()
    Membership.objects.filter(person=speaker).update(end=timezone.localdate() - DAY)

    states = [delivery_send(delivery_id=pk) for pk in result.enqueued]

    assert states == ["entfallen"]


def test_entry_review_request_sends_now_whatever_the_stand(client, settings):
    institution = InstitutionFactory(name="Jugendzentrum Frisch", email="jz@example.org")

    delivery = entry_review_request(institution=institution)
    state = delivery_send(delivery_id=delivery.pk)

    (message,) = django_mail.outbox
    assert state == "gesendet"
    assert message.subject == "Bitte prüfen Sie Ihren Eintrag – Jugendzentrum Frisch"
    assert client.get(link_of(message)).status_code == 200


def test_entry_review_request_refuses_twice_and_without_address():
    institution = InstitutionFactory(email="a@example.org")
    entry_review_request(institution=institution)

    with pytest.raises(ValidationError, match="bereits eine Bitte"):
        entry_review_request(institution=institution)
    with pytest.raises(ValidationError, match="keine Funktionsadresse"):
        entry_review_request(institution=InstitutionFactory(email=""))


def test_staff_button_on_stale_list_requests_a_review(client):
    from contacts.models import User

    client.force_login(User.objects.create_superuser(email="planung@example.org", password="x-lang-genug-1"))
    institution = InstitutionFactory(email="b@example.org")
    stale(institution)

    response = client.post(reverse("contacts:entry_review_request", args=[institution.pk]), follow=True)

    assert "geht an b@example.org" in response.content.decode()
    assert Delivery.objects.filter(kind=Kind.ENTRY_REVIEW, subject_id=institution.pk).count() == 1


def test_sweep_with_nothing_stale_costs_few_queries(django_assert_max_num_queries):
    for _ in range(5):
        InstitutionFactory()
    network = NetworkFactory()
    MembershipFactory(network=network, role=Membership.Role.SPEAKER)
    Network.objects.update(confirmed_at=timezone.now())

    # 30 before Rundmails, minutes and guests; the sweep now also asks for the Rundmails
    # whose moment has come, minutes published since the last run and guests owed a mail;
    # and it records when it last asked about stale entries (one more).
    with django_assert_max_num_queries(35):
        result = notifications_sweep()
    # The sweeps of the next hour leave the stale entries alone: a third fewer queries.
    with django_assert_max_num_queries(22):
        later = notifications_sweep()

    assert (result.planned, later.planned) == (0, 0)
