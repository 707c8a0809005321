"""„Mein Bereich“, the directory's part: forms and pages with which a member changes their
own entry and account — name, addresses and numbers, login address, password, consents,
leaving a network. The overview page itself shows the calendar and mail settings too and
is assembled in ``netzwerk.directory``.

Every page that changes something: GET shows, POST acts. An object of somebody else is
refused with a German sentence (403), nothing is written. Permission:
``contacts.edit_person`` (``contacts.rules``).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from contacts.models import Consent, ContactChannel, Membership, Person, Visibility
from contacts.services import channel_remove, consent_withdraw
from contacts.services.self_service import (
    account_email_change_confirm,
    account_email_change_request,
    account_password_change,
    consent_grant,
    email_change_token_read,
    network_leave,
    person_channel_add,
    person_channel_update,
    person_profile_update,
)

NOT_YOURS = _("Sie können nur Ihre eigenen Angaben ändern.")
NO_ENTRY = _("Zu Ihrem Zugang ist noch keine Person im Verzeichnis hinterlegt. Die Sozialplanung kann das verknüpfen.")


def own_person(request: HttpRequest) -> Person:
    """The directory entry of the logged-in account; 403 with the reason when there is none."""
    person = Person.objects.filter(user=request.user, erased_at__isnull=True).first()
    if person is None:
        raise PermissionDenied(NO_ENTRY)
    return person


def _owned(request: HttpRequest, obj):
    """``obj`` (a channel, consent or membership) if it belongs to the account's entry."""
    person = getattr(obj, "person", None)
    if person is None or not request.user.has_perm("contacts.edit_person", person):
        raise PermissionDenied(NOT_YOURS)
    if person.user_id != request.user.pk:
        # Staff change other people's entries in the Verwaltung, with its own history.
        raise PermissionDenied(NOT_YOURS)
    return obj


def _apply_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _done(request: HttpRequest, text) -> HttpResponse:
    messages.success(request, text)
    return redirect("contacts:my_area")


def _form_page(request: HttpRequest, form: forms.Form, *, heading, submit, status: int = 200, intro="") -> HttpResponse:
    context = {"form": form, "heading": heading, "submit": submit, "intro": intro}
    return render(request, "contacts/my_area/form.html", context, status=status)


# --- my name ------------------------------------------------------------------------------


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["title", "given_name", "family_name", "form_of_address", "language"]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    """Name, title, form of address and mail language of one's own entry."""
    person = own_person(request)
    heading, submit = _("Meine Angaben ändern"), _("Angaben speichern")
    if request.method != "POST":
        return _form_page(request, ProfileForm(instance=person), heading=heading, submit=submit)
    form = ProfileForm(request.POST, instance=Person.objects.get(pk=person.pk))
    if not form.is_valid():
        return _form_page(request, form, heading=heading, submit=submit, status=400)
    try:
        person_profile_update(
            person=Person.objects.get(pk=person.pk),
            actor=request.user,
            **{f: form.cleaned_data[f] for f in form.fields},
        )
    except ValidationError as error:
        _apply_errors(form, error)
        return _form_page(request, form, heading=heading, submit=submit, status=400)
    return _done(request, _("Ihre Angaben sind gespeichert."))


# --- my addresses and numbers -----------------------------------------------------------


class ChannelForm(forms.Form):
    kind = forms.ChoiceField(label=_("Art"), choices=ContactChannel.Kind.choices)
    value = forms.CharField(label=_("Adresse / Nummer"), max_length=254)
    label = forms.CharField(
        label=_("Bezeichnung"), max_length=60, required=False, help_text=_("z. B. dienstlich, mobil")
    )
    is_primary = forms.BooleanField(
        label=_("Hauptadresse"),
        required=False,
        help_text=_("An die Haupt-E-Mail-Adresse gehen Einladungen und Erinnerungen."),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def channel_add_page(request: HttpRequest) -> HttpResponse:
    """Add an e-mail address or phone number to one's own entry."""
    person = own_person(request)
    heading, submit = _("E-Mail-Adresse oder Telefonnummer hinzufügen"), _("Hinzufügen")
    if request.method != "POST":
        return _form_page(request, ChannelForm(), heading=heading, submit=submit)
    form = ChannelForm(request.POST)
    if form.is_valid():
        try:
            person_channel_add(person=person, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _done(request, _("Die Angabe ist hinzugefügt."))
    return _form_page(request, form, heading=heading, submit=submit, status=400)


def _channel(request: HttpRequest, pk: int) -> ContactChannel:
    channel = ContactChannel.objects.select_related("person").filter(pk=pk).first()
    if channel is None:
        raise Http404(_("Diese Angabe gibt es nicht."))
    return _owned(request, channel)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def channel_edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Change one of one's own addresses or numbers."""
    channel = _channel(request, pk)
    heading, submit = _("Angabe ändern"), _("Speichern")
    initial = {"kind": channel.kind, "value": channel.value, "label": channel.label, "is_primary": channel.is_primary}
    if request.method != "POST":
        return _form_page(request, ChannelForm(initial=initial), heading=heading, submit=submit)
    form = ChannelForm(request.POST, initial=initial)
    if form.is_valid():
        try:
            person_channel_update(channel=channel, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _done(request, _("Die Angabe ist gespeichert."))
    return _form_page(request, form, heading=heading, submit=submit, status=400)


@login_required
@require_POST
def channel_remove_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete one of one's own addresses or numbers (not one a consent names)."""
    channel = _channel(request, pk)
    try:
        channel_remove(channel=channel)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("contacts:my_area")
    return _done(request, _("Die Angabe ist gelöscht."))


# --- my login address and password ---------------------------------------------------------


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label=_("Neue Anmeldeadresse"), max_length=254)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def email_change_page(request: HttpRequest) -> HttpResponse:
    """Ask to log in with a new address: a link goes to it, the change waits for the link."""
    heading, submit = _("Anmeldeadresse ändern"), _("Bestätigungslink senden")
    intro = _(
        "Sie melden sich zurzeit mit %(email)s an. An die neue Adresse schicken wir einen Link; erst wenn "
        "Sie ihn öffnen und bestätigen, gilt sie."
    ) % {"email": request.user.email}
    if request.method != "POST":
        return _form_page(request, EmailChangeForm(), heading=heading, submit=submit, intro=intro)
    form = EmailChangeForm(request.POST)
    if form.is_valid():
        try:
            address = account_email_change_request(user=request.user, email=form.cleaned_data["email"])
        except ValidationError as error:
            form.add_error("email", error.messages)
        else:
            return _done(
                request,
                _(
                    "Wir haben einen Link an %(email)s geschickt. Ihre Anmeldeadresse ändert sich, "
                    "sobald Sie ihn bestätigen."
                )
                % {"email": address},
            )
    return _form_page(request, form, heading=heading, submit=submit, intro=intro, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
def email_change_confirm_page(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the mail. GET shows the address and a button (mail scanners open
    links); POST changes the address. Works without being logged in: the link is the proof."""
    try:
        user, address = email_change_token_read(token)
    except ValidationError as error:
        return render(request, "contacts/my_area/email_confirm.html", {"error": " ".join(error.messages)}, status=400)
    if request.method != "POST":
        return render(request, "contacts/my_area/email_confirm.html", {"address": address})
    try:
        account_email_change_confirm(token=token)
    except ValidationError as error:
        return render(request, "contacts/my_area/email_confirm.html", {"error": " ".join(error.messages)}, status=400)
    messages.success(request, _("Ihre neue Anmeldeadresse ist %(email)s.") % {"email": address})
    if request.user.is_authenticated and request.user.pk == user.pk:
        return redirect("contacts:my_area")
    return redirect("contacts:login")


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Bisheriges Passwort"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        label=_("Neues Passwort"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Mindestens 10 Zeichen; nicht nur Ziffern und kein gängiges Passwort."),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def password_change_page(request: HttpRequest) -> HttpResponse:
    """Change the password; the current session stays logged in, others end."""
    heading, submit = _("Passwort ändern"), _("Passwort ändern")
    if request.method != "POST":
        return _form_page(request, PasswordChangeForm(), heading=heading, submit=submit)
    form = PasswordChangeForm(request.POST)
    if form.is_valid():
        try:
            account_password_change(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            update_session_auth_hash(request, request.user)
            return _done(request, _("Ihr Passwort ist geändert."))
    return _form_page(request, form, heading=heading, submit=submit, status=400)


# --- my consents ------------------------------------------------------------------------


class ConsentGrantForm(forms.Form):
    scope = forms.ChoiceField(choices=Consent.Scope.choices)
    audience = forms.TypedChoiceField(
        coerce=int, choices=[(Visibility.NETWORK_MEMBERS.value, ""), (Visibility.PUBLIC.value, "")]
    )


@login_required
@require_POST
def consent_grant_page(request: HttpRequest) -> HttpResponse:
    """One click: show a field of one's own entry to an audience (a new consent)."""
    person = own_person(request)
    form = ConsentGrantForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Diese Einwilligung gibt es nicht. Bitte wählen Sie auf der Seite."))
        return redirect("contacts:my_area")
    try:
        consent = consent_grant(person=person, actor=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("contacts:my_area")
    return _done(
        request,
        _("Einwilligung erteilt: %(scope)s – sichtbar für %(audience)s.")
        % {"scope": consent.get_scope_display(), "audience": consent.get_audience_display()},
    )


@login_required
@require_POST
def consent_withdraw_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One click: withdraw a consent. From this request on, no surface shows the field."""
    consent = Consent.objects.select_related("person").filter(pk=pk).first()
    if consent is None:
        raise Http404(_("Diese Einwilligung gibt es nicht."))
    _owned(request, consent)
    consent_withdraw(consent=consent)
    return _done(
        request,
        _(
            "Einwilligung widerrufen: %(scope)s – sichtbar für %(audience)s. "
            "Die Angabe erscheint dort ab sofort nicht mehr."
        )
        % {"scope": consent.get_scope_display(), "audience": consent.get_audience_display()},
    )


# --- leaving a network --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def network_leave_page(request: HttpRequest, uuid) -> HttpResponse:
    """Leave a network: GET asks, POST ends the membership today and tells the speakers."""
    membership = Membership.objects.select_related("person", "network", "institution").filter(uuid=uuid).first()
    if membership is None or membership.person is None:
        raise Http404(_("Diese Mitgliedschaft gibt es nicht."))
    _owned(request, membership)
    if request.method != "POST":
        return render(request, "contacts/my_area/leave.html", {"membership": membership})
    try:
        network_leave(person=membership.person, network=membership.network, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("contacts:my_area")
    return _done(
        request,
        _("Sie sind aus %(network)s ausgetreten. Die Sprecher*innen werden per E-Mail informiert.")
        % {"network": membership.network.name},
    )
