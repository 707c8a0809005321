"""Mails of a group written from one form (``mail.Form``): a reminder to many members, a
Rundmail. What arrives at the real SMTP server must be what the general way (a rendering
and a Django ``EmailMessage`` per mail) writes: the same headers in the same order
(List-Unsubscribe and its one-click POST included), the same Message-ID, the same text, in
the recipient's language; only the Date and the moment inside each signed link differ."""

import datetime
import re

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from meetings.models import Meeting
from meetings.services import agenda_item_add
from notifications import compose, mail, selectors
from notifications.models import Delivery, Kind
from notifications.services import deliveries_send, notifications_sweep
from notifications.services.rundmail import rundmail_create, rundmail_schedule
from tests.factories import ChannelFactory, MembershipFactory, PersonFactory, UserFactory
from tests.meetings.factories import MeetingFactory, in_days

SMTP = "django.core.mail.backends.smtp.EmailBackend"


def comparable(data: bytes, *, stored: bool = True) -> bytes:
    """The mail without what differs between two writings a moment apart: the Date, and
    the time and signature inside each signed link (its payload stays); with the line ends
    as the SMTP server stores them (``stored``), or as they go over the wire."""
    if stored:
        data = data.replace(b"\r\n", b"\n")
    data = re.sub(rb"\nDate: [^\r\n]*\r?\n", b"\nDate: -\n", data)
    return re.sub(rb"/([A-Za-z0-9_-]+):[A-Za-z0-9]+:[A-Za-z0-9_-]+/", rb"/\1:-:-/", data)


def written_the_general_way(delivery: Delivery, *, now: datetime.datetime) -> bytes:
    reads = selectors.MailReads(
        [(delivery.person_id, delivery.subject_type, delivery.subject_id)], day=now.astimezone(datetime.UTC).date()
    )
    message = compose.BUILDERS[delivery.kind](
        delivery=delivery, person=reads.person(delivery.person_id), now=now, reads=reads
    )
    return mail.flatten(message.message())


def arrived(smtp_sink) -> dict[str, bytes]:
    return {arrival["message_id"]: smtp_sink.eml(arrival["n"]) for arrival in smtp_sink.arrivals()}


@pytest.fixture
def relay(smtp_sink, settings):
    settings.EMAIL_BACKEND = SMTP
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_sink.port
    yield smtp_sink
    mail.relay_reset()


def member(network, *, given_name: str, family_name: str, language: str):
    person = PersonFactory(given_name=given_name, family_name=family_name, language=language)
    ChannelFactory(person=person)
    MembershipFactory(network=network, person=person)
    return person


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["de", "en"])
def test_reminders_from_one_form_arrive_as_the_general_way_writes_them(relay, language):
    meeting = MeetingFactory(status=Meeting.Status.CONFIRMED, start=in_days(10), title="Stadtteilkonferenz Forst")
    agenda_item_add(meeting=meeting, title="Begrüßung")
    for given_name, family_name in [("Anna", "Schmidt"), ("Jürgen", "Müller-Lüdenscheidt"), ('Kalle "K."', "Blom")]:
        member(meeting.network, given_name=given_name, family_name=family_name, language=language)
    notifications_sweep(now=meeting.start - datetime.timedelta(days=2))
    Delivery.objects.update(state=Delivery.State.SENT, sent_at=timezone.now())
    now = meeting.start - datetime.timedelta(days=1)

    ids = notifications_sweep(now=now).enqueued
    states = deliveries_send(delivery_ids=ids, now=now)

    assert list(states.values()) == [Delivery.State.SENT] * 3
    received = arrived(relay)
    for delivery in Delivery.objects.filter(pk__in=ids):
        assert comparable(received[delivery.message_id]) == comparable(written_the_general_way(delivery, now=now))
    greetings = {"de": "Guten Tag Jürgen Müller-Lüdenscheidt,", "en": "Hello Jürgen Müller-Lüdenscheidt,"}
    assert sum(greetings[language].encode() in data for data in received.values()) == 1


@pytest.mark.django_db
def test_rundmail_from_one_form_arrives_as_the_general_way_writes_it_with_each_salutation(relay):
    network = MeetingFactory().network
    weber = member(network, given_name="Eva", family_name="Weber", language="de")
    weber.form_of_address = "Frau"
    weber.save()
    member(network, given_name="Alex", family_name="Beispiel", language="en")
    speaker = UserFactory(is_superuser=True, is_staff=True)
    rundmail = rundmail_create(network=network, actor=speaker, subject="Sommerfest", body="{anrede},\n\nkommt vorbei!")
    rundmail_schedule(rundmail=rundmail, actor=speaker)
    notifications_sweep()
    ids = list(Delivery.objects.filter(kind=Kind.RUNDMAIL).values_list("pk", flat=True))
    now = timezone.now()

    states = deliveries_send(delivery_ids=ids, now=now)

    assert list(states.values()) == [Delivery.State.SENT] * 2
    received = arrived(relay)
    for delivery in Delivery.objects.filter(pk__in=ids):
        assert comparable(received[delivery.message_id]) == comparable(written_the_general_way(delivery, now=now))
    bodies = b"\n".join(received.values())
    assert b"Sehr geehrte Frau Weber,\r\n\r\nkommt vorbei!" in bodies
    assert b"Guten Tag Alex Beispiel,\r\n\r\nkommt vorbei!" in bodies


@pytest.mark.django_db
def test_a_template_that_changes_the_name_is_rendered_for_each_mail(relay, tmp_path, settings):
    """A city's own wording may do more with a value than show it: then no form is used."""
    folder = tmp_path / "templates" / "de"
    folder.mkdir(parents=True)
    (folder / "erinnerung.txt").write_text(
        "Erinnerung: {{ title }}\nGUTEN TAG {{ name|upper }},\n{{ yes_url }}\n"
        "{{ unsubscribe_url }} {{ preferences_url }}\n"
    )
    settings.NOTIFICATIONS_MAIL_TEMPLATE_DIRS = [str(tmp_path / "templates")]
    meeting = MeetingFactory(status=Meeting.Status.CONFIRMED, start=in_days(10))
    member(meeting.network, given_name="Anna", family_name="Schmidt", language="de")
    member(meeting.network, given_name="Jörg", family_name="Weiß", language="de")
    notifications_sweep(now=meeting.start - datetime.timedelta(days=2))
    Delivery.objects.update(state=Delivery.State.SENT, sent_at=timezone.now())
    now = meeting.start - datetime.timedelta(days=1)

    deliveries_send(delivery_ids=notifications_sweep(now=now).enqueued, now=now)

    bodies = b"\n".join(arrived(relay).values())
    assert b"GUTEN TAG ANNA SCHMIDT," in bodies
    assert "GUTEN TAG JÖRG WEISS,".encode() in bodies


CONTEXT = {
    "title": "Stadtteilkonferenz Forst",
    "network": "STK Forst",
    "partners": [],
    "when": "Dienstag, 24.11.2026, 18:30–20:00 Uhr",
    "place": "Rathaus",
    "online_url": "",
    "accessibility_notes": "",
    "agenda": ["Begrüßung", "Verschiedenes"],
    "reason": "",
    "changes": [],
}
HEADERS = {
    "List-Unsubscribe": "<https://netzwerk.aachen.de/benachrichtigungen/abbestellen/WzEsImVyaW5uZXJ1bmciXQ:1a:b/>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    "List-Id": "Netzwerk Aachen <benachrichtigungen.netzwerk.aachen.de>",
}
# Text people type: names with umlauts, quotes, commas and symbols; links of any length.
TYPED = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Co")), min_size=1, max_size=60)


@given(
    name=TYPED,
    link=st.text("abcdefXYZ0123456789-_:", min_size=1, max_size=300),
    language=st.sampled_from(["de", "en"]),
)
@hypothesis_settings(max_examples=200, deadline=None)
def test_a_mail_from_the_form_is_byte_for_byte_the_general_one(name, link, language):
    from django.test import override_settings

    personal = {
        "name": name,
        "preferences_url": f"https://netzwerk.aachen.de/einstellungen/{link}/",
        "unsubscribe_url": f"https://netzwerk.aachen.de/abbestellen/{link}/",
        "yes_url": f"https://netzwerk.aachen.de/antwort/{link}/?antwort=zusage",
        "no_url": f"https://netzwerk.aachen.de/antwort/{link}/?antwort=absage",
    }
    headers = {**HEADERS, "List-Unsubscribe": f"<{personal['unsubscribe_url']}>"}
    values = {
        "to": "p1@example.org",
        "to_name": name,
        "message_id": "<erinnerung.sitzung1.v1440.d7@netzwerk.aachen.de>",
    }
    with override_settings(EMAIL_BACKEND=SMTP):
        form = mail.Form(
            kind=Kind.REMINDER,
            language=language,
            context=CONTEXT,
            personal=tuple(personal),
            headers=HEADERS,
            personal_headers=("List-Unsubscribe",),
        )
        ready = form.outgoing(context=CONTEXT, values=personal, headers=headers, **values)
    subject, body = mail.render(kind=Kind.REMINDER, language=language, context={**personal, **CONTEXT})
    general = mail.flatten(mail.message_build(subject=subject, body=body, headers=headers, **values).message())

    assert comparable(ready.data, stored=False) == comparable(general, stored=False)
    assert b"\n" not in ready.data.replace(b"\r\n", b"")
    assert ready.recipient == "p1@example.org"
