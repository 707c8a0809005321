"""Guests of open meetings: the registration form on the public meeting page, the page a
guest cancels on (the link in their mail), and the speakers' switch and guest list.

The registration posts like the contact form (``contacts.views``): no CSRF token, but a
post another site made the visitor's browser send is refused; a honeypot catches programs
and a per-client limit floods. Guest addresses appear on the speakers' pages only.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from contacts.clients import client_address
from contacts.views import CROSS_SITE_MESSAGE, posted_from_another_site
from meetings import selectors, tokens
from meetings.forms import GuestRegistrationForm, GuestSettingsForm
from meetings.models import GuestRegistration
from meetings.services import guest_counts, guest_register, guest_registration_cancel, guest_settings_set
from meetings.views.access import guarded, managed_meeting, meeting_or_404
from meetings.views.pages import meeting_context


def _meeting_page(request, meeting, *, status: int, **extra):
    """The meeting page again, with a form and its errors (the page is assembled in
    ``netzwerk.views.meeting_page`` for speakers; a guest's errors need only this part)."""
    return render(request, "meetings/meeting_detail.html", meeting_context(request, meeting, **extra), status=status)


@csrf_exempt
@require_POST
def guest_register_view(request, uid):
    """A guest registers: on to the confirmation page, or back to the meeting with the errors
    (400, or 429 after too many registrations from one client)."""
    if posted_from_another_site(request):
        raise PermissionDenied(CROSS_SITE_MESSAGE)
    meeting = meeting_or_404(request, uid)
    form = GuestRegistrationForm(request.POST, prefix="gast")
    if not form.is_valid():
        return _meeting_page(request, meeting, status=400, guest_form=form)
    if form.is_spam:
        return redirect("meetings:guest_registered", uid=meeting.uid)
    try:
        registration = guest_register(
            meeting=meeting,
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            institution=form.cleaned_data["institution"],
            accessibility_needs=form.cleaned_data["accessibility_needs"],
            client=client_address(request),
            language=translation.get_language() or "de",
        )
    except ValidationError as error:
        form.add_error(None, error.messages)
        status = 429 if getattr(error, "code", None) == "rate_limited" else 400
        return _meeting_page(request, meeting, status=status, guest_form=form)
    response = redirect("meetings:guest_registered", uid=meeting.uid)
    if registration.is_waiting:
        response["Location"] += "?warteliste=1"
    return response


@require_safe
def guest_registered(request, uid):
    """After registering: seat or waiting list, and that a mail is on its way (no address shown)."""
    meeting = meeting_or_404(request, uid)
    context = {"meeting": meeting, "network": meeting.network, "waiting": request.GET.get("warteliste") == "1"}
    return render(request, "meetings/guest_registered.html", context)


guest_registered.query_parameters = frozenset({"warteliste"})


@require_http_methods(["GET", "HEAD", "POST"])
def guest_cancel(request, token: str):
    """The link in a guest's mails: GET shows the registration and a button, POST cancels
    it (mail scanners open every link; only the button cancels)."""
    try:
        registration_id = tokens.guest_cancel_token_read(token)
    except tokens.TokenInvalid:
        return render(request, "meetings/guest_cancel.html", {"registration": None}, status=404)
    registration = (
        GuestRegistration.objects.select_related("meeting__network", "meeting__institution")
        .filter(pk=registration_id)
        .first()
    )
    if request.method == "POST":
        if registration is not None:
            guest_registration_cancel(registration=registration)
        return render(request, "meetings/guest_cancel.html", {"registration": None, "cancelled": True})
    if registration is None:
        return render(request, "meetings/guest_cancel.html", {"registration": None}, status=404)
    context = {
        "registration": registration,
        "meeting": registration.meeting,
        "has_begun": registration.meeting.start <= timezone.now(),
    }
    return render(request, "meetings/guest_cancel.html", context)


@require_POST
@guarded
def guest_settings(request, uid):
    """Speakers switch „Anmeldung für Gäste“ on or off, with seats, waiting list and deadline."""
    meeting = managed_meeting(request, uid)
    form = GuestSettingsForm.for_meeting(meeting, data=request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            guest_settings_set(
                meeting=meeting,
                guests_open=data["guests_open"],
                capacity=data["capacity"],
                waitlist=data["waitlist"],
                deadline=data["deadline"],
                actor=request.user,
            )
        except ValidationError as error:
            form.errors_from_service(error, {"capacity": "capacity", "deadline": "deadline_day"})
        else:
            messages.success(request, _("Die Anmeldung für Gäste ist gespeichert."))
            return redirect("meetings:meeting_detail", uid=meeting.uid)
    return _meeting_page(request, meeting, status=400, guest_settings_form=form)


@require_safe
@guarded
def guest_list_print(request, uid):
    """The guest list on paper: names, institutions, needs and addresses, for the speakers."""
    meeting = managed_meeting(request, uid)
    guests = selectors.meeting_guests(meeting)
    confirmed, waiting = guest_counts(meeting)
    context = {
        "meeting": meeting,
        "network": meeting.network,
        "guests": [guest for guest in guests if not guest.is_waiting],
        "waiting_guests": [guest for guest in guests if guest.is_waiting],
        "confirmed_count": confirmed,
        "waiting_count": waiting,
    }
    return render(request, "meetings/guest_list_print.html", context)
