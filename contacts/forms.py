from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from contacts.services import login_failure_record, login_failures_clear, login_is_blocked


class LoginForm(auth_forms.AuthenticationForm):
    """Log in with the e-mail address; too many failures pause further attempts."""

    username = forms.EmailField(
        label=_("E-Mail-Adresse"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        "invalid_login": _(
            "E-Mail-Adresse oder Passwort stimmen nicht. Bitte prüfen Sie beides; "
            "Groß- und Kleinschreibung zählt beim Passwort."
        ),
        "inactive": _("Dieser Zugang ist gesperrt. Bitte wenden Sie sich an die Sozialplanung."),
        "blocked": _(
            "Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie 15 Minuten oder setzen Sie "
            "Ihr Passwort über „Passwort vergessen“ neu."
        ),
    }

    def _client(self) -> str:
        if self.request is None:
            return "unknown"
        return self.request.META.get("REMOTE_ADDR", "unknown")

    def clean(self):
        email = (self.data.get("username") or "").strip().lower()
        if email and login_is_blocked(email=email, client=self._client()):
            raise forms.ValidationError(self.error_messages["blocked"], code="blocked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if email:
                login_failure_record(email=email, client=self._client())
            raise
        login_failures_clear(email=email)
        return cleaned


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = forms.EmailField(
        label=_("E-Mail-Adresse"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
