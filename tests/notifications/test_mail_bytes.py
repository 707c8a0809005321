"""The bytes a mail goes out as: written with a quicker folding of short headers, they
must be exactly what Django's own ``as_bytes`` writes, for every shape of mail we send."""

import string
from email.policy import compat32

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


@given(
    name=st.sampled_from(["List-Unsubscribe", "Message-ID", "To", "Subject", "X-" + "a" * 70]),
    # What may stand in a header (Django refuses line breaks in one): ASCII and beyond.
    value=st.text(st.sampled_from([*string.printable.strip("\r\n\x0b\x0c"), "\t", " ", "ä", "€"]), max_size=300),
)
def test_any_header_is_folded_exactly_as_compat32_folds_it(name, value):
    assert mail.QUICK_FOLDING.fold_binary(name, value) == compat32.fold_binary(name, value)
