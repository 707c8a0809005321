"""The consent request from an import report (issue 15): through the delivery log, once per
person however often it is asked for, in the person's language, with List-Unsubscribe;
nothing to someone who consented meanwhile or switched every mail off."""

import pytest
from django.core import mail as django_mail

from contacts.models import ImportRun, InstitutionType, Person
from contacts.services.imports import import_execute, import_mapping_set, import_start, import_upload
from notifications.models import Delivery, Kind, Preference
from notifications.services import delivery_send, preference_unsubscribe
from notifications.services.consent import consent_requests_plan
from tests.contacts.import_files import csv_bytes
from tests.factories import ConsentFactory, NetworkFactory

pytestmark = pytest.mark.django_db


def imported(rows, network=None):
    run = import_upload(file_name="liste.csv", data=csv_bytes(rows), network=network, created_by=None)
    run = import_mapping_set(run=run, mapping=run.mapping, default_type=InstitutionType.objects.get(name="Kita"))
    import_start(run=run, mode=ImportRun.Mode.VALID)
    return import_execute(run_id=run.pk)


def send_all() -> None:
    """What the send tasks queued after the commit do (the sweep queues them otherwise)."""
    for pk in Delivery.objects.filter(state=Delivery.State.PLANNED).values_list("pk", flat=True):
        delivery_send(delivery_id=pk)


def test_consent_request_sent_once_per_person_in_their_language():
    network = NetworkFactory(name="Stadtteilkonferenz Testviertel")
    rows = [
        ["Kita A", "Anna Adler", "anna@example.org", "", "Weg 1", "52062"],
        ["Kita A", "Bernd Berg", "bernd@example.org", "", "Weg 1", "52062"],
        ["Kita A", "Cleo Clean", "cleo@example.org", "", "Weg 1", "52062"],
        ["Kita A", "Dora Done", "dora@example.org", "", "Weg 1", "52062"],
    ]
    run = imported(rows, network=network)
    people = {person.family_name: person for person in Person.objects.all()}
    people["Berg"].language = "en"
    people["Berg"].save()
    Preference.objects.create(person=people["Clean"], **dict.fromkeys(Preference.TOGGLES, False))
    ConsentFactory(person=people["Done"])

    assert consent_requests_plan(run=run) == 3
    assert consent_requests_plan(run=run) == 0
    send_all()
    again = imported(rows, network=network)
    consent_requests_plan(run=again)
    send_all()

    rows = Delivery.objects.filter(kind=Kind.CONSENT_REQUEST).order_by("recipient_name")
    assert [(row.recipient_name, row.state) for row in rows] == [
        ("Anna Adler", "gesendet"),
        ("Bernd Berg", "gesendet"),
        ("Cleo Clean", "entfallen"),
    ]
    assert sorted(message.subject for message in django_mail.outbox) == [
        "Ihre Angaben bei Netzwerk Aachen: dürfen wir sie zeigen?",
        "Your details in Netzwerk Aachen: may we show them?",
    ]
    german = next(message for message in django_mail.outbox if message.to == ['"Anna Adler" <anna@example.org>'])
    assert "Stadtteilkonferenz Testviertel" in german.body
    assert "nur für die Sozialplanung sichtbar" in german.body
    assert german.extra_headers["List-Unsubscribe"].startswith("<http")


def test_consent_request_unsubscribe_switches_every_mail_off():
    run = imported([["Kita A", "Anna Adler", "anna@example.org", "", "Weg 1", "52062"]])
    person = Person.objects.get()

    preference_unsubscribe(person=person, kind=Kind.CONSENT_REQUEST)

    assert not any(getattr(Preference.objects.get(person=person), name) for name in Preference.TOGGLES)
    assert consent_requests_plan(run=run) == 1
    send_all()
    assert Delivery.objects.get().state == Delivery.State.SKIPPED
