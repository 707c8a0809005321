"""The bytes a mail goes out as: written with a quicker folding of short headers, they
must be exactly what Django's own ``as_bytes`` writes, for every shape of mail we send."""

import pytest

from notifications import mail


def message(**overrides):
    values = {
        "subject": "Einladung: Stadtteilkonferenz Forst (Dienstag, 24.11.2026, 18:30–20:00 Uhr)",
        "body": "Guten Tag,\n\nÄnderung: Zeit 18:30 → 19:00\n" + "x" * 200 + "\n",
        "to": "p1@example.org",
        "to_name": "Jürgen Müller-Lüdenscheidt",
        "message_id": "<einladung.sitzung1.v0.d1@netzwerk.aachen.de>",
        "headers": {
            "List-Unsubscribe": "<https://netzwerk.aachen.de/benachrichtigungen/abbestellen/" + "A" * 120 + "/>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": "Netzwerk Aachen <benachrichtigungen.netzwerk.aachen.de>",
        },
    }
    return mail.message_build(**{**values, **overrides})


CALENDAR = mail.Calendar(method="REQUEST", data=b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n")


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"subject": "Erinnerung: Sitzung", "to_name": "Anna Schmidt"},
        {"to_name": 'Dr. "Kalle" Blomquist', "subject": "Absage:  zwei  Leerzeichen\tund Tab"},
        {"to_name": "", "reply_to": "buerger@example.org"},
        {"calendar": CALENDAR},
        {"calendar": mail.Calendar(method="CANCEL", data=CALENDAR.data), "subject": "Ä" * 90},
        {"headers": {"X-Lang": "a" * 200}},
    ],
)
def test_mail_bytes_are_exactly_what_django_writes(overrides):
    mime = message(**overrides).message()

    assert mail.flatten(mime) == mime.as_bytes(linesep="\r\n")
