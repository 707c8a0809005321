"""The documents part of the demo: the next session of the demo speaker's network has its
invitation (a PDF, public) and a Vorlage for its first agenda item (members only); its
last session held has the slides of a talk. The PDFs are made here with WeasyPrint from a few lines of HTML, so they
open in every reader and show what they are: invented demo papers.

Written once: when the speaker's network has no document yet. Through the services, like
a speaker's upload (the content check included).
"""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import formats
from django.utils.html import escape

from contacts.models import Membership
from meetings import services as meeting_services
from meetings.models import Meeting, MeetingDocument, Visibility
from meetings.recurrence import BERLIN
from netzwerk.demo.data import SPEAKER
from netzwerk.demo.directory import Directory, real_data_present
from netzwerk.demo.sync import SeedReport

STYLE = (
    "@page { size: A4; margin: 2.5cm; } body { font-family: sans-serif; font-size: 11pt; line-height: 1.4; }"
    " h1 { font-size: 16pt; } .marker { color: #a00; font-weight: bold; }"
)


def _pdf(name: str, title: str, paragraphs: list[str]) -> SimpleUploadedFile:
    # Imported here: WeasyPrint parses its stylesheets on import, which a seed that has
    # its documents already need not wait for.
    from weasyprint import HTML

    body = "".join(f"<p>{escape(text)}</p>" for text in paragraphs)
    html = (
        f'<html lang="de"><head><meta charset="utf-8"><title>{escape(title)}</title><style>{STYLE}</style></head>'
        f'<body><p class="marker">Demodaten – fiktiv</p><h1>{escape(title)}</h1>{body}</body></html>'
    )
    return SimpleUploadedFile(name, HTML(string=html).write_pdf(), content_type="application/pdf")


def _when(meeting: Meeting) -> str:
    local = meeting.start.astimezone(BERLIN)
    return f"{formats.date_format(local, 'l, d.m.Y')}, {local:%H:%M} Uhr"


def documents_seed(report: SeedReport, directory: Directory, *, now: datetime.datetime) -> None:
    """Invitation and Vorlage for the next meeting of the speaker's network, slides for its
    last meeting held. Nothing beside real data, nothing a second time."""
    if real_data_present():
        return
    speaker = directory.people[SPEAKER.email]
    network_id = (
        Membership.objects.active(now.astimezone(BERLIN).date())
        .leading()
        .filter(person=speaker)
        .values_list("network_id", flat=True)
        .order_by("network_id")
        .first()
    )
    if network_id is None or MeetingDocument.objects.filter(meeting__network_id=network_id).exists():
        return
    actor = directory.users.get(SPEAKER.email)
    meetings = Meeting.objects.filter(network_id=network_id).exclude(status=Meeting.Status.CANCELLED)
    # The network's own sessions (public), not its speakers' internal meetings.
    public = meetings.filter(visibility=Visibility.PUBLIC).select_related("network")
    upcoming = public.filter(start__gt=now).order_by("start").first()
    held = public.filter(end__lt=now).order_by("-start").first()
    if upcoming is not None:
        network = upcoming.network.name
        items = list(upcoming.agenda_items.order_by("position", "pk"))
        agenda = [f"TOP {item.position}: {item.title}" for item in items] or ["Die Tagesordnung folgt."]
        meeting_services.document_add(
            meeting=upcoming,
            file=_pdf(
                "Einladung.pdf",
                f"Einladung: {upcoming.title}",
                [
                    "Liebe Mitglieder,",
                    f"das Sprecher*innenteam der {network} lädt herzlich ein: {_when(upcoming)}, "
                    f"{upcoming.location_text or 'Ort folgt'}.",
                    *agenda,
                    "Wir freuen uns auf Sie!",
                ],
            ),
            title=f"Einladung {upcoming.title}",
            kind=MeetingDocument.Kind.INVITATION,
            visibility=Visibility.PUBLIC,
            actor=actor,
        )
        # The item that asks for a decision on applications (the demo agenda has one).
        target = next((item for item in items if "fonds" in item.title.casefold()), items[0] if items else None)
        meeting_services.document_add(
            meeting=upcoming,
            file=_pdf(
                "Vorlage_Stadtteilfonds.pdf",
                "Vorlage: Anträge an den Stadtteilfonds",
                [
                    "Zwei Anträge liegen vor: ein Sommerfest auf dem Spielplatz (Träger: ein Familienzentrum "
                    "im Stadtteil) und ein Erzählcafé für ältere Nachbar*innen.",
                    "Beschlussvorschlag: Die Stadtteilkonferenz empfiehlt beide Anträge.",
                ],
            ),
            title="Vorlage Anträge an den Stadtteilfonds",
            kind=MeetingDocument.Kind.PAPER,
            visibility=Visibility.MEMBERS,
            agenda_item=target,
            actor=actor,
        )
        report.created[MeetingDocument] += 2
    if held is not None:
        meeting_services.document_add(
            meeting=held,
            file=_pdf(
                "Vortrag_Wohnen_im_Alter.pdf",
                "Vortrag: Wohnen im Alter im Quartier",
                [
                    "Folien des Vortrags der Wohnberatung (Demodaten).",
                    "1. Welche Wohnformen es gibt – 2. Beratung und Förderung – 3. Fragen aus dem Stadtteil",
                ],
            ),
            title="Präsentation Wohnen im Alter",
            kind=MeetingDocument.Kind.PRESENTATION,
            visibility=Visibility.PUBLIC,
            actor=actor,
        )
        report.created[MeetingDocument] += 1
