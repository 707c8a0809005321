from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from contacts.text import SingleLineField
from notifications.models import Preference


class PreferenceForm(forms.ModelForm):
    language = forms.ChoiceField(
        label=_("Sprache der Mails"),
        choices=[("", _("wie im Personeneintrag")), *settings.LANGUAGES],
        required=False,
    )

    class Meta:
        model = Preference
        fields = [*Preference.TOGGLES, "digest_instead", "language"]


class _MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class _MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern); each is checked by content
    in the service (``meetings.uploads.upload_type``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", _MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _role_choices():
    from contacts.models import Membership

    return Membership.Role.choices


class RundmailForm(forms.Form):
    """A Rundmail as the speakers write it: text, audience, files."""

    subject = SingleLineField(label=_("Betreff"), max_length=150)
    body = forms.CharField(
        label=_("Text"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "Platzhalter: {anrede} (z. B. „Sehr geehrte Frau Weber“), {name} (der Name) und {netzwerk} "
            "(der Name des Netzwerks) werden für jede*n Empfänger*in ersetzt."
        ),
    )
    roles = forms.MultipleChoiceField(
        label=_("Nur an diese Rollen"),
        choices=_role_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Nichts angekreuzt: an alle Mitglieder."),
    )
    institution_types = forms.ModelMultipleChoiceField(
        label=_("Nur an Mitglieder aus diesen Einrichtungsarten"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Nichts angekreuzt: unabhängig von der Einrichtung."),
    )
    files = _MultipleFileField(label=_("Anhänge"), required=False)

    def __init__(self, *args, types=None, files_help: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        from contacts.models import InstitutionType

        self.fields["institution_types"].queryset = types if types is not None else InstitutionType.objects.none()
        self.fields["files"].help_text = files_help
        if not self.fields["institution_types"].queryset.exists():
            del self.fields["institution_types"]


class RundmailProposalForm(forms.Form):
    """A member's proposal: text and files; it goes to all members once approved."""

    subject = SingleLineField(label=_("Betreff"), max_length=150)
    body = forms.CharField(
        label=_("Text"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Platzhalter: {anrede}, {name} und {netzwerk} werden für jede*n Empfänger*in ersetzt."),
    )
    institution = forms.ModelChoiceField(
        label=_("Für die Einrichtung"), queryset=None, required=False, empty_label=_("– für mich selbst –")
    )
    files = _MultipleFileField(label=_("Anhänge"), required=False)

    def __init__(self, *args, institutions=(), files_help: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        from contacts.models import Institution

        self.fields["institution"].queryset = Institution.objects.filter(pk__in=[i.pk for i in institutions])
        self.fields["files"].help_text = files_help
        if not institutions:
            del self.fields["institution"]


class RundmailScheduleForm(forms.Form):
    """Send now, or at a chosen moment (Europe/Berlin)."""

    when = forms.ChoiceField(
        label=_("Wann senden?"),
        choices=[("jetzt", _("jetzt")), ("spaeter", _("zu einem gewählten Zeitpunkt"))],
        widget=forms.RadioSelect,
        initial="jetzt",
    )
    send_at = forms.DateTimeField(
        label=_("Zeitpunkt"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M"],
    )

    def clean(self):
        data = super().clean()
        if data.get("when") == "spaeter" and not data.get("send_at"):
            self.add_error("send_at", _("Bitte geben Sie Datum und Uhrzeit an."))
        return data


class RundmailRejectForm(forms.Form):
    note = forms.CharField(
        label=_("Anmerkung für die Einreichenden"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
