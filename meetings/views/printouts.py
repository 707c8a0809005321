"""What people take out of Netzwerk: the member list as a spreadsheet, the attendance
sheet to sign (speakers), and the invitation with its agenda and the minutes on paper and
as PDF (whoever may see them).

Everything goes through the visibility projection for the speaker (a member who shared
their e-mail with the public or the network appears with it, others with what they
allowed), as the member list page does. The invitation and the minutes are read as the
meeting page reads them (``selectors.meeting_for_page``, ``selectors.minutes_visible``):
internal TOPs and members-only minutes never reach anyone outside the network. Pages for
paper have a print stylesheet; their PDF is the same body laid out by WeasyPrint
(``meetings.pdf``).
"""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from contacts.exports import FORMATS, spreadsheet_response
from contacts.selectors import audience_for
from contacts.visibility import project_person
from meetings import selectors
from meetings.pdf import pdf_response
from meetings.views.access import guarded, managed_meeting, managed_network, meeting_or_404

# Empty lines on the attendance sheet for people who come without having answered.
WALK_IN_LINES = 10


@require_safe
@guarded
def network_member_export(request, slug: str, fmt: str):
    """The member list page as CSV or XLSX: the same rows, the same projection."""
    if fmt not in FORMATS:
        raise Http404(_("Dieses Format gibt es nicht."))
    network = managed_network(request, slug)
    audience = audience_for(request.user)
    rows = []
    for membership in selectors.network_members(network):
        person = project_person(membership.person, audience)
        rows.append(
            [
                person.display_name,
                membership.role_label(person.form_of_address),
                membership.institution.name if membership.institution else "",
                ", ".join(person.emails),
                ", ".join(person.phones),
                membership.start,
            ]
        )
    rows.sort(key=lambda row: row[0].casefold())
    headers = [_("Name"), _("Rolle"), _("Einrichtung"), _("E-Mail"), _("Telefon"), _("Mitglied seit")]
    filename = f"{_('mitglieder')}-{network.slug}-{timezone.localdate():%Y-%m-%d}"
    return spreadsheet_response(fmt, headers=headers, rows=rows, filename=filename)


@require_safe
@guarded
def attendance_sheet(request, uid):
    """Anwesenheitsliste: who said yes (names as the speaker may see them), empty lines for
    walk-ins, a column to sign."""
    meeting = managed_meeting(request, uid)
    audience = audience_for(request.user)
    institutions: dict[int, list[str]] = {}
    for membership in selectors.meeting_members(meeting):
        names = institutions.setdefault(membership.person_id, [])
        if membership.institution is not None and membership.institution.name not in names:
            names.append(membership.institution.name)
    rows = [
        {
            "name": project_person(attendance.person, audience).display_name,
            "institutions": ", ".join(institutions.get(attendance.person_id, [])),
        }
        for attendance in selectors.meeting_attendees_confirmed(meeting)
    ]
    rows.sort(key=lambda row: row["name"].casefold())
    context = {
        "meeting": meeting,
        "network": meeting.network,
        "rows": rows,
        "walk_ins": range(len(rows) + 1, len(rows) + 1 + WALK_IN_LINES),
    }
    return render(request, "meetings/attendance_sheet.html", context)


def _invitation_context(request, uid) -> dict:
    meeting = meeting_or_404(request, uid)
    return {"meeting": meeting, "network": meeting.network, "agenda": meeting.visible_agenda_items}


@require_safe
def invitation_print(request, uid):
    """The invitation with its agenda, as the visitor may see the meeting: members (and the
    paper they hand on inside the network) with the internal TOPs, everyone else with the
    public ones."""
    return render(request, "meetings/invitation_print.html", _invitation_context(request, uid))


@require_safe
def invitation_pdf(request, uid):
    """The invitation as PDF, from the same body as the print page."""
    context = _invitation_context(request, uid)
    meeting = context["meeting"]
    context.update(
        body="meetings/_invitation_body.html", document_title=_("Einladung: %(title)s") % {"title": meeting.title}
    )
    return pdf_response(
        request,
        template="meetings/print_document.html",
        context=context,
        filename=f"{_('einladung')}-{meeting.local_start:%Y-%m-%d}.pdf",
    )


def _minutes_context(request, uid) -> dict:
    """The minutes as the visitor may read them: published per their visibility, the draft
    (marked so) for those who manage the network's meetings; a 404 for everyone else."""
    meeting = meeting_or_404(request, uid)
    minutes = meeting.minutes_or_none
    readable = selectors.minutes_visible(minutes, user=request.user, meeting=meeting) or (
        minutes is not None and selectors.user_manages(request.user, meeting)
    )
    if not readable:
        raise Http404(_("Dieses Protokoll gibt es nicht, oder es ist nicht für Sie freigegeben."))
    return {"meeting": meeting, "network": meeting.network, "minutes": minutes}


@require_safe
def minutes_print(request, uid):
    """The minutes as a clean page for paper."""
    return render(request, "meetings/minutes_print.html", _minutes_context(request, uid))


@require_safe
def minutes_pdf(request, uid):
    """The minutes as PDF, from the same body as the print page."""
    context = _minutes_context(request, uid)
    meeting = context["meeting"]
    context.update(
        body="meetings/_minutes_body.html", document_title=_("Protokoll: %(title)s") % {"title": meeting.title}
    )
    return pdf_response(
        request,
        template="meetings/print_document.html",
        context=context,
        filename=f"{_('protokoll')}-{meeting.local_start:%Y-%m-%d}.pdf",
    )
