"""The meeting page, the network calendar, the member list and the speaker's overview.

Reading views: a selector reads in a fixed number of queries, people arrive projected for
the viewer (``contacts.visibility.project_person``), templates render what they are given.
Members answer on the meeting page; speakers record attendance there after the meeting.
"""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from contacts.history_admin import VERSIONS_PER_PAGE, version_rows
from contacts.models import Person
from contacts.selectors import audience_for, user_roles
from contacts.selectors.history import user_labels
from contacts.visibility import project_person
from meetings import selectors, uploads
from meetings.forms import (
    AgendaItemForm,
    AnswerForm,
    DocumentForm,
    GuestRegistrationForm,
    GuestSettingsForm,
    MinutesForm,
    MinutesFromAgendaForm,
)
from meetings.models import Attendance, Meeting, Visibility
from meetings.recurrence import BERLIN, month_names
from meetings.services import (
    attendance_answer,
    attendance_record_presence,
    guest_counts,
    guest_registration_closed_reason,
)
from meetings.views.access import (
    guarded,
    managed_meeting,
    managed_network,
    meeting_or_404,
    network_or_404,
    require_login,
    require_member,
)


def _people_rows(request, meeting: Meeting, attendances: dict[int, Attendance]) -> list[dict]:
    """The current members of the meeting's networks (host and partners) with their answer
    and presence (``attendances``, by person), names projected
    (``selectors.meeting_member_names``): one row per person, with every institution they
    are a member for, by name."""
    # Each label translated once, not once a row (``get_answer_display`` per attendance).
    answer_labels = {value: str(label) for value, label in Attendance.Answer.choices}
    rows = []
    for member in selectors.meeting_member_names(meeting, audience=audience_for(request.user)):
        attendance = attendances.get(member.person.id)
        rows.append(
            {
                "person": member.person,
                "attendance": attendance,
                "answer": answer_labels.get(attendance.answer) if attendance else None,
                "institutions": member.institutions,
            }
        )
    return rows


def meeting_context(request, meeting: Meeting, **extra) -> dict:
    """Everything the meeting page shows to this user."""
    now = timezone.now()
    user = request.user
    manages = selectors.user_manages(user, meeting)
    roles = user_roles(user)
    is_member = bool(meeting.network_ids & set(roles.member_network_ids))
    minutes = meeting.minutes_or_none
    # Those who manage the meeting see every answer: their own is among them.
    attendances = selectors.meeting_attendances(meeting) if manages else None
    my_attendance = None
    if is_member and roles.person_id is not None:
        if attendances is not None:
            my_attendance = attendances.get(roles.person_id)
        else:
            my_attendance = Attendance.objects.filter(meeting=meeting, person_id=roles.person_id).order_by().first()
    may_answer = is_member and meeting.start > now and not meeting.is_cancelled
    context = {
        "meeting": meeting,
        "network": meeting.network,
        "agenda": meeting.visible_agenda_items,
        "documents": meeting.meeting_documents,
        "minutes": minutes if selectors.minutes_visible(minutes, user=user, meeting=meeting) else None,
        "manages": manages,
        "is_member": is_member,
        "may_answer": may_answer,
        "my_attendance": my_attendance,
        "has_begun": meeting.start <= now,
        "is_public": meeting.visibility == Visibility.PUBLIC,
    }
    if meeting.guests_open:
        confirmed, waiting = guest_counts(meeting)
        capacity = meeting.guest_capacity
        context["guests"] = {
            "closed_reason": guest_registration_closed_reason(meeting, now=now),
            "confirmed": confirmed,
            "waiting": waiting,
            "capacity": capacity,
            "free": None if capacity is None else max(0, capacity - confirmed),
            "waitlist": meeting.guest_waitlist,
        }
        if not context["guests"]["closed_reason"] and "guest_form" not in extra:
            context["guest_form"] = GuestRegistrationForm(prefix="gast")
    if may_answer and "answer_form" not in extra:
        initial = {"answer": my_attendance.answer, "note": my_attendance.note} if my_attendance else {}
        context["answer_form"] = AnswerForm(initial=initial)
    if manages:
        context["people"] = _people_rows(request, meeting, attendances)
        context["answer_counts"] = {
            label: sum(1 for row in context["people"] if row["attendance"] and row["attendance"].answer == value)
            for value, label in Attendance.Answer.choices
        }
        context["presence_choices"] = Attendance.Presence.choices
        context.setdefault("agenda_form", AgendaItemForm(prefix="top"))
        if "minutes_form" not in extra:
            initial = {"text": minutes.text, "visibility": minutes.visibility} if minutes else {}
            context["minutes_form"] = MinutesForm(
                initial=initial, prefix="protokoll", published=minutes is not None and minutes.is_published
            )
        context["minutes_draft"] = minutes
        context["guest_list"] = selectors.meeting_guests(meeting)
        context.setdefault("guest_settings_form", GuestSettingsForm.for_meeting(meeting))
        # Without „replace“: a text of its own is only replaced after the page that asks.
        context["from_agenda_form"] = MinutesFromAgendaForm()
        context.setdefault("document_form", DocumentForm(prefix="unterlage", agenda_items=meeting.visible_agenda_items))
    context.update(extra)
    return context


@require_POST
@guarded
def meeting_answer(request, uid):
    """A member's zusage/absage/vielleicht with a note, on the meeting page."""
    require_login(request)
    meeting = meeting_or_404(request, uid)
    require_member(request, meeting)
    person_id = user_roles(request.user).person_id
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            attendance_answer(
                meeting=meeting,
                person=Person.objects.get(pk=person_id),
                answer=form.cleaned_data["answer"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.errors_from_service(error)
        else:
            messages.success(request, _("Ihre Antwort ist gespeichert."))
            return redirect("meetings:meeting_detail", uid=meeting.uid)
    context = meeting_context(request, meeting, answer_form=form)
    return render(request, "meetings/meeting_detail.html", context, status=400)


@require_POST
@guarded
def meeting_presence(request, uid):
    """After the meeting: who was there (anwesend / entschuldigt) — speakers only."""
    meeting = managed_meeting(request, uid)
    if meeting.start > timezone.now():
        return HttpResponseBadRequest(_("Die Anwesenheit kann erst ab Beginn der Sitzung erfasst werden."))
    members = {membership.person_id: membership.person for membership in selectors.meeting_members(meeting)}
    allowed = {"", *Attendance.Presence.values}
    wanted = {}
    for key, value in request.POST.items():
        if not key.startswith("anwesenheit-"):
            continue
        person_id = key.removeprefix("anwesenheit-")
        if not person_id.isdigit() or int(person_id) not in members or value not in allowed:
            return HttpResponseBadRequest(_("Bitte wählen Sie für jede Person „anwesend“, „entschuldigt“ oder nichts."))
        wanted[int(person_id)] = value
    current = selectors.meeting_attendances(meeting)
    for person_id, presence in wanted.items():
        attendance = current.get(person_id)
        if (attendance.presence if attendance else "") != presence:
            attendance_record_presence(
                meeting=meeting, person=members[person_id], presence=presence, actor=request.user
            )
    messages.success(request, _("Die Anwesenheit ist gespeichert."))
    return redirect("meetings:meeting_detail", uid=meeting.uid)


CALENDAR_LINK_MONTHS = 12


def _month_arg(value: str | None) -> tuple[int, int] | None:
    today = timezone.localdate()
    if not value:
        return today.year, today.month
    try:
        year, month = (int(part) for part in value.split("-"))
        datetime.date(year, month, 1)
    except ValueError:
        return None
    if not 2000 <= year <= 2100:
        return None
    return year, month


@require_safe
def network_calendar(request, slug: str):
    """A network's month: public meetings for everyone, internal ones for members too."""
    network = network_or_404(slug)
    month = _month_arg(request.GET.get("monat"))
    if month is None:
        return HttpResponseBadRequest(_("Bitte geben Sie den Monat als JJJJ-MM an, z. B. 2027-03."))
    year, number = month
    weeks = selectors.calendar_month(network=network, user=request.user, year=year, month=number)
    previous = datetime.date(year, number, 1) - datetime.timedelta(days=1)
    following = datetime.date(year, number, 28) + datetime.timedelta(days=7)
    # The month links stop a year either side of today (occurrences exist 12 months
    # ahead): an endless chain of empty months only feeds crawlers.
    today = timezone.localdate()
    offset = (year - today.year) * 12 + number - today.month
    context = {
        "network": network,
        "weeks": weeks,
        "has_meetings": any(meetings for week in weeks for day, meetings in week if day.month == number),
        "month_label": f"{month_names()[number - 1]} {year}",
        "month_number": number,
        "previous": f"{previous.year:04d}-{previous.month:02d}" if offset > -CALENDAR_LINK_MONTHS else None,
        "following": f"{following.year:04d}-{following.month:02d}" if offset < CALENDAR_LINK_MONTHS else None,
        "today": today,
        "manages": selectors.user_manages(request.user, network),
    }
    return render(request, "meetings/calendar.html", context)


@require_safe
@guarded
def network_member_list(request, slug: str):
    """The members of a network with the contact channels the speaker may see (projected)."""
    network = managed_network(request, slug)
    audience = audience_for(request.user)
    rows = [
        (membership, project_person(membership.person, audience)) for membership in selectors.network_members(network)
    ]
    rows.sort(key=lambda row: row[1].display_name.casefold())
    return render(request, "meetings/member_list.html", {"network": network, "rows": rows})


@require_safe
@guarded
def network_history(request, slug: str):
    """Verlauf for the speakers: who changed the network, its members and meetings, when."""
    network = managed_network(request, slug)
    audience = audience_for(request.user)
    page = Paginator(selectors.network_history(network, audience=audience), VERSIONS_PER_PAGE).get_page(
        request.GET.get("seite")
    )
    rows = version_rows(page, user_labels([version.user_id for version in page], audience=audience), {})
    return render(request, "meetings/network_history.html", {"network": network, "page_obj": page, "rows": rows})


@require_safe
@guarded
def dashboard(request):
    """Meine Termine: my networks, next meetings, open polls, and what a speaker still owes."""
    require_login(request)
    context = selectors.dashboard(user=request.user)
    context["berlin"] = BERLIN
    return render(request, "meetings/dashboard.html", context)


@require_safe
def minutes_file(request, uid):
    """The minutes' file, to those who may read the minutes (speakers also the draft's)."""
    meeting = meeting_or_404(request, uid)
    minutes = meeting.minutes_or_none
    readable = selectors.minutes_visible(minutes, user=request.user, meeting=meeting) or (
        minutes is not None and selectors.user_manages(request.user, meeting)
    )
    if not readable or not minutes.file:
        raise Http404(_("Dieses Protokoll gibt es nicht, oder es ist nicht für Sie freigegeben."))
    return uploads.file_response(minutes.file, file_name=minutes.file_name)


@require_safe
@guarded
def document_file(request, uid, document_id: int):
    """A document of the meeting, to those who may read it (members-only ones: members,
    speakers, Sozialplanung). Anyone else gets a 404 that does not tell whether it
    exists; an anonymous visitor (who followed the link in an invitation mail) is first
    asked to log in — whatever the address, so that says nothing either."""
    meeting = selectors.meeting_for_page(uid=uid, user=request.user)
    document = selectors.document_visible(meeting, document_id) if meeting is not None else None
    if document is None:
        require_login(request)
        raise Http404(_("Diese Unterlage gibt es nicht, oder sie ist nicht für Sie freigegeben."))
    try:
        return uploads.file_response(document.file, file_name=document.file_name)
    except FileNotFoundError:
        raise Http404(_("Die Datei dieser Unterlage ist nicht mehr vorhanden.")) from None
