"""Account pages (German): log in with the e-mail address, invitations, password reset,
and the personal area "Mein Bereich"."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from contacts import selectors
from contacts.forms import LoginForm, PasswordResetForm


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "contacts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "contacts/password_reset.html"
    email_template_name = "contacts/mail/password_reset.txt"
    subject_template_name = "contacts/mail/password_reset_subject.txt"
    success_url = reverse_lazy("contacts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "contacts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "contacts/password_set.html"
    success_url = reverse_lazy("contacts:password_reset_complete")
    extra_context = {"heading": _("Neues Passwort wählen")}


class InvitationAcceptView(PasswordResetConfirmView):
    """The invitation link: the same signed, expiring token as a reset, other words."""

    extra_context = {"heading": _("Willkommen bei Netzwerk Aachen – bitte wählen Sie Ihr Passwort")}


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "contacts/password_reset_complete.html"


@login_required
@require_safe
def my_area(request: HttpRequest) -> HttpResponse:
    """Mein Bereich: my data, my networks and roles, my consents."""
    context = selectors.my_area_overview(user=request.user)
    return render(request, "contacts/my_area.html", context)
