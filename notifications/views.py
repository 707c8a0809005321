"""One-click unsubscribe (RFC 8058), the preferences page, the link that sends the copy
of a contact-form message, and „Einladung jetzt verschicken“.

The unsubscribe URL is called with POST by mail clients (Gmail, Apple Mail) without any
login or CSRF token, so that view is CSRF-exempt and authorised by its signed token alone.
A GET (a mail scanner following links, or a person clicking in an old client) only shows
a confirm button: nothing is switched off by a GET.
"""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from contacts.models import ContactMessage, Person
from contacts.selectors import user_roles
from meetings.views.access import guarded, managed_meeting
from notifications import compose, selectors, services, tokens
from notifications.forms import PreferenceForm
from notifications.models import Kind, Preference
from notifications.selectors import preference_of


def _invalid(request: HttpRequest, **context) -> HttpResponse:
    return render(request, "notifications/link_invalid.html", context, status=400)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: what would be switched off, with a button; POST: switch it off (one click)."""
    try:
        person_id, kind = tokens.unsubscribe_token_read(token)
    except tokens.TokenInvalid:
        return _invalid(request)
    person = Person.objects.filter(pk=person_id).first()
    if person is None or kind not in Preference.FIELD_OF_KIND:
        return _invalid(request)
    context = {
        "kind_label": Kind(kind).label,
        "preferences_url": tokens.preferences_path(person_id=person.pk),
        "done": False,
    }
    if request.method == "POST":
        services.preference_unsubscribe(person=person, kind=kind)
        context["done"] = True
    return render(request, "notifications/unsubscribe.html", context)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def address_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """An institution's functional address: no more „Eintrag prüfen“ mails. GET shows,
    POST (the one-click of RFC 8058) switches off."""
    try:
        address = tokens.address_unsubscribe_token_read(token)
    except tokens.TokenInvalid:
        return render(request, "notifications/address_unsubscribe.html", {"invalid": True}, status=400)
    done = False
    if request.method == "POST":
        services.address_unsubscribe(address=address)
        done = True
    return render(request, "notifications/address_unsubscribe.html", {"address": address, "done": done})


def _preferences(request: HttpRequest, person: Person, *, action: str) -> HttpResponse:
    preference = preference_of(person)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.preference_update(person=person, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Ihre Einstellungen sind gespeichert."))
                return redirect(request.path)
        return render(request, "notifications/preferences.html", {"form": form, "action": action}, status=400)
    return render(request, "notifications/preferences.html", {"form": form, "action": action})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """The logged-in person's mail preferences."""
    person = Person.objects.filter(user=request.user).first()
    if person is None:
        raise Http404(_("Zu diesem Zugang gehört kein Personeneintrag."))
    return _preferences(request, person, action=request.path)


@require_http_methods(["GET", "HEAD", "POST"])
def preferences_by_token(request: HttpRequest, token: str) -> HttpResponse:
    """The same page, reached from the signed link in every mail (no login needed)."""
    try:
        person_id = tokens.preferences_token_read(token)
    except tokens.TokenInvalid:
        return _invalid(request)
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        return _invalid(request)
    return _preferences(request, person, action=request.path)


@require_http_methods(["GET", "HEAD", "POST"])
def contact_copy(request: HttpRequest, token: str) -> HttpResponse:
    """GET: which message the copy is of (the recipient's name only), with a button; POST:
    send the copy. A GET sends nothing: mail scanners follow links, and the copy must go
    only where a person asked for it."""
    try:
        message_id = tokens.contact_copy_token_read(token)
    except tokens.TokenInvalid:
        return _invalid(request, contact_copy=True)
    message = ContactMessage.objects.select_related("network", "institution").filter(pk=message_id).first()
    if message is None or not message.copy_to_sender:
        return _invalid(request, contact_copy=True)
    recipient = message.recipient
    context = {
        "recipient": str(recipient) if recipient is not None else _("Stadt Aachen (Barrierefreiheit)"),
        "done": False,
    }
    if request.method == "POST":
        services.contact_copy_confirm(message=message)
        context["done"] = True
    return render(request, "notifications/contact_copy.html", context)


def _preview_person(request: HttpRequest, meeting) -> Person | None:
    """Whose invitation the preview shows: the speaker's own if they are a member, else the
    first member's (what everyone gets is the same but for the name and the answer links)."""
    now = timezone.now()
    members = selectors.meeting_recipients([(meeting.pk, meeting.network_id)], day=timezone.localdate(now))[meeting.pk]
    own = user_roles(request.user).person_id
    person_id = own if own in members else (members[0] if members else None)
    return Person.objects.filter(pk=person_id).first() if person_id is not None else None


# The signed links in a mail (answer, unsubscribe, preferences) act for their recipient.
PERSONAL_LINK = re.compile(r"(/(?:termine/antwort|benachrichtigungen/(?:abbestellen|einstellungen))/)\S+")


def _preview(request: HttpRequest, meeting, person: Person | None, now) -> tuple[str, str] | None:
    """The invitation as ``person`` gets it; another member's personal links are masked, so
    the page never hands one person's signed links to someone else."""
    if person is None:
        return None
    preview = compose.invitation_preview(meeting=meeting, person=person, now=now)
    if preview is None or person.pk == user_roles(request.user).person_id:
        return preview
    subject, body = preview
    return subject, PERSONAL_LINK.sub(r"\1…", body)


@require_http_methods(["GET", "HEAD", "POST"])
@guarded
def invitation_send(request: HttpRequest, uid) -> HttpResponse:
    """„Einladung jetzt verschicken“: GET shows the mail as a member gets it and whom it
    goes to; POST confirms (and a meeting still geplant is confirmed with it)."""
    meeting = managed_meeting(request, uid)
    status = 200
    error = ""
    if request.method == "POST":
        try:
            count = services.invitation_send_now(meeting=meeting, actor=request.user)
        except ValidationError as failure:
            error = " ".join(failure.messages)
            status = 400
        else:
            messages.success(
                request,
                ngettext(
                    "Die Einladung geht jetzt an %(count)s Mitglied hinaus.",
                    "Die Einladung geht jetzt an %(count)s Mitglieder hinaus.",
                    count,
                )
                % {"count": count},
            )
            return redirect("meetings:meeting_detail", uid=meeting.uid)
    now = timezone.now()
    person = _preview_person(request, meeting)
    members = selectors.meeting_recipients([(meeting.pk, meeting.network_id)], day=timezone.localdate(now))[meeting.pk]
    context = {
        "meeting": meeting,
        "network": meeting.network,
        "invitation": selectors.invitation_status(meeting=meeting, now=now),
        "preview": _preview(request, meeting, person, now),
        "preview_person": person,
        "member_count": len(members),
        "error": error,
    }
    return render(request, "notifications/invitation_send.html", context, status=status)
