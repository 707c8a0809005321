"""The „Rundmail“ part of the demo: in the demo speaker's network one Rundmail went out nine
days ago (with a programme as PDF, in the archive on the network page), one is scheduled for
next week, and a member's proposal — an event of their institution — waits in the outbox.

Written once (when no Rundmail exists), through the services. The Rundmail of the past is
marked out as the sweep would have left it, its rows of the delivery log sent then (nobody
receives mail about the past), so the first real sweep finds nothing owed.
"""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from contacts.models import Membership
from meetings.recurrence import BERLIN
from netzwerk.demo.data import MEMBER, SPEAKER
from netzwerk.demo.directory import Directory, real_data_present
from netzwerk.demo.sync import SeedReport
from notifications.compose import message_id_of
from notifications.models import Delivery, Rundmail, Subject
from notifications.services.rundmail import (
    _rows_insert,
    rundmail_create,
    rundmail_propose,
    rundmail_schedule,
    selectors_institutions_of,
)

DAY = datetime.timedelta(days=1)


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF with ``lines`` of text (Latin-1), small and valid, for the attachment."""
    text = "BT /F1 14 Tf 72 760 Td 18 TL " + " ".join(
        "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '" for line in lines
    )
    stream = text.replace("–", "-").encode("latin-1") + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=BERLIN)


def rundmail_seed(report: SeedReport, directory: Directory, *, now: datetime.datetime) -> None:
    """A sent Rundmail, a scheduled one and a member's proposal in the demo speaker's network."""
    if Rundmail.objects.exists() or real_data_present():
        return
    today = now.astimezone(BERLIN).date()
    speaker_user = directory.users[SPEAKER.email]
    member_user = directory.users[MEMBER.email]
    network_id = (
        Membership.objects.active(today)
        .leading()
        .filter(person=directory.people[SPEAKER.email])
        .values_list("network_id", flat=True)
        .order_by("network_id")
        .first()
    )
    if network_id is None:
        return
    network = next(item for item in directory.networks.values() if item.pk == network_id)
    name = network.name

    # Nine days ago: the network's „Markt der Möglichkeiten“, with its programme attached.
    sent_at = _at(today - 9 * DAY, 10)
    programme = SimpleUploadedFile(
        "Programm-Markt-der-Moeglichkeiten.pdf",
        _pdf(
            [
                f"Markt der Möglichkeiten – {name}",
                "Samstag, 11 bis 15 Uhr, Kurhaus Burtscheid",
                "11:00  Begrüßung durch das Sprecher*innenteam",
                "11:30  Die Einrichtungen stellen sich vor (Stände im Foyer)",
                "13:00  Austausch bei Kaffee und Suppe",
                "(Demodaten – fiktiv)",
            ]
        ),
        content_type="application/pdf",
    )
    sent = rundmail_create(
        network=network,
        actor=speaker_user,
        subject="Einladung zum Markt der Möglichkeiten",
        body=(
            "{anrede},\n\n"
            "wir laden alle Mitglieder von {netzwerk} herzlich zu unserem Markt der Möglichkeiten ein: Die "
            "Einrichtungen im Viertel stellen sich und ihre Angebote vor. Bringen Sie gern Kolleg*innen und "
            "Besucher*innen Ihrer Einrichtungen mit; das Programm finden Sie im Anhang.\n\n"
            "Wer einen Stand beitragen möchte, meldet sich bitte über die Seite des Netzwerks.\n\n"
            "Herzliche Grüße"
        ),
        files=[programme],
    )
    sent.send_at = sent_at
    count = _rows_insert(sent, now=sent_at, state=Delivery.State.SENT, sent_at=sent_at)
    for delivery in Delivery.objects.filter(subject_type=Subject.RUNDMAIL, subject_id=sent.pk):
        Delivery.objects.filter(pk=delivery.pk).update(message_id=message_id_of(delivery))
    Rundmail.objects.filter(pk=sent.pk).update(
        state=Rundmail.State.SENT, send_at=sent_at, planned_at=sent_at, recipient_count=count
    )

    # In five days: topics for the next conference, to every member.
    scheduled = rundmail_create(
        network=network,
        actor=speaker_user,
        subject="Nächste Konferenz: Themen bis Freitag melden",
        body=(
            "{anrede},\n\n"
            "für die nächste Konferenz von {netzwerk} sammeln wir Themen für die Tagesordnung. Bitte schicken "
            "Sie uns Ihre Vorschläge bis Freitag über die Seite des Netzwerks.\n\n"
            "Viele Grüße"
        ),
    )
    rundmail_schedule(rundmail=scheduled, actor=speaker_user, send_at=_at(today + 5 * DAY, 9), now=now)

    # A member's proposal: the open day of their institution.
    institutions = selectors_institutions_of(actor=member_user, network=network)
    institution = institutions[0] if institutions else None
    rundmail_propose(
        network=network,
        actor=member_user,
        subject=f"Tag der offenen Tür: {institution.name}" if institution else "Tag der offenen Tür bei uns",
        body=(
            "{anrede},\n\n"
            f"am kommenden Samstag öffnet {institution.name if institution else 'unsere Einrichtung'} von 11 bis "
            "15 Uhr die Türen: Führungen, Kaffee und Kuchen, Beratung zu unseren Angeboten. Wir freuen uns über "
            "Besuch aus dem Netzwerk.\n\n"
            "Viele Grüße"
        ),
        institution=institution,
    )
    report.created[Rundmail._meta.label] += 3
    report.created[Delivery._meta.label] += count
