"""Mail in the recipient's language: the words notifications puts into a mail (dates, the
"old → new" lines of a change) come from the catalogue, not from dictionaries in the code."""

import datetime

import pytest
from django.core import mail as django_mail

from meetings.models import Meeting
from meetings.services import meeting_move
from notifications.compose import when_text
from notifications.services import delivery_send, notifications_sweep
from tests.meetings.factories import MeetingFactory, in_days
from tests.notifications.conftest import members

START = datetime.datetime(2026, 11, 24, 17, 30, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("language", "text"),
    [("de", "Dienstag, 24.11.2026, 18:30–20:00 Uhr"), ("en", "Tuesday 24/11/2026, 18:30–20:00")],
)
def test_when_text_in_the_recipients_language(language, text):
    assert when_text(START, START + datetime.timedelta(minutes=90), language) == text


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Dienstag, 24.11.2026, 18:30 – 25.11.2026 09:00 Uhr"),
        ("en", "Tuesday 24/11/2026, 18:30 – 25/11/2026 09:00"),
    ],
)
def test_when_text_over_midnight_names_the_second_day(language, text):
    assert when_text(START, START + datetime.timedelta(hours=14, minutes=30), language) == text


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "label"), [("de", "Zeit"), ("en", "Time")])
def test_change_mail_names_what_changed_in_the_recipients_language(language, label):
    network, (_person,) = members(1, language=language)
    meeting = MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=in_days(10))
    for pk in notifications_sweep().enqueued:
        delivery_send(delivery_id=pk)
    later = datetime.timedelta(hours=2)
    meeting_move(meeting=meeting, start=meeting.start + later, end=meeting.end + later)

    for pk in notifications_sweep().enqueued:
        delivery_send(delivery_id=pk)

    change_lines = [line for line in django_mail.outbox[-1].body.splitlines() if " → " in line]
    assert [line.strip().partition(":")[0] for line in change_lines] == [label]


def test_every_mail_to_a_person_has_an_english_text():
    """kontakt.txt goes to the speaker team, whose working language is German."""
    from notifications.mail import MAIL_TEMPLATES

    german = {path.name for path in (MAIL_TEMPLATES / "de").glob("*.txt")}
    english = {path.name for path in (MAIL_TEMPLATES / "en").glob("*.txt")}

    assert german - english == {"kontakt.txt"}


def test_copy_confirmation_in_english_for_an_english_sender():
    from notifications import mail

    subject, body = mail.render(
        kind="kontakt_bestaetigung",
        language="en",
        context={"recipient": "STK Forst", "confirm_url": "https://example.org/k", "valid_days": 7},
    )

    assert (subject, "valid for 7 days" in body) == ("Request a copy of your message to STK Forst", True)
