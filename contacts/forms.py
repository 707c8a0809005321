from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contacts.models import Area, InstitutionType, Network
from contacts.selectors import AreaTree
from contacts.text import JoinedLineField


class LoginForm(auth_forms.AuthenticationForm):
    """Log in with the e-mail address. Too many failures pause further attempts: the
    limiter (django-axes, ``contacts.backends.LoginLimitBackend``) refuses them before the
    password is checked, and ``contacts.views.login_paused`` answers."""

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


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = forms.EmailField(
        label=_("E-Mail-Adresse"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


# --- Filters of the public directory pages ---------------------------------------------
#
# The choices are built from lists the view has already read, so rendering a form never
# queries. An unknown value is a field error the page shows (with status 400), never a 500.

AREA_LEVEL_PLURALS = {
    Area.Level.DISTRICT: _("Stadtbezirke"),
    Area.Level.SOCIAL_AREA: _("Sozialräume"),
    Area.Level.LIVING_AREA: _("Lebensräume"),
}


def area_label(area: Area) -> str:
    return f"{area.code} {area.name}" if area.code else area.name


def area_choices(tree: AreaTree) -> list:
    """Areas grouped by level (for ``<optgroup>``), Stadtbezirke first."""
    return [
        (AREA_LEVEL_PLURALS[level], [(str(area.pk), area_label(area)) for area in areas])
        for level, areas in tree.levels
        if areas
    ]


class AreaSelect(forms.Select):
    """Django's select with the options written in Python: the area select has an option
    per area (810 at bench scale), and rendering each through Django's option templates
    (``select_option.html`` including ``attrs.html``) cost most of the time of the pages
    that show it. The markup is the same but for blank lines (an option's only attribute
    is ``selected``, as a select's options inherit none of its attributes)."""

    template_name = "contacts/widgets/area_select.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["options_html"] = self._options_html(context["widget"]["optgroups"])
        return context

    @staticmethod
    def _options_html(optgroups) -> str:
        lines = []
        for group_name, options, _index in optgroups:
            if group_name:
                lines.append(format_html('<optgroup label="{}">', group_name))
            for option in options:
                selected = " selected" if option["selected"] else ""
                value, label = escape(str(option["value"])), escape(option["label"])
                lines.append(f'<option value="{value}"{selected}>{label}</option>')
            if group_name:
                lines.append("</optgroup>")
        # Safe: every value and label above is escaped.
        return mark_safe("\n".join(lines))


class DirectoryFilterForm(forms.Form):
    """Filter a public list by area; the area includes everything below it."""

    gebiet = forms.TypedChoiceField(label=_("Gebiet"), required=False, coerce=int, empty_value=None, widget=AreaSelect)

    def __init__(self, data, *, tree: AreaTree) -> None:
        super().__init__(data)
        # A callable: Django builds and checks the choices (an option per area, 810 at
        # bench scale) only when the select is rendered (in a fragment cached per directory
        # version) or a chosen area is checked. A list was normalised on every request, the
        # one part of /netzwerke/ that grew with the city.
        self.fields["gebiet"].choices = lambda: [("", _("alle Gebiete")), *area_choices(tree)]


class NetworkFilterForm(DirectoryFilterForm):
    art = forms.ChoiceField(
        label=pgettext_lazy("network kind", "Art"),
        required=False,
        choices=[("", _("alle Arten")), *Network.Kind.choices],
    )

    field_order = ["art", "gebiet"]


class InstitutionFilterForm(DirectoryFilterForm):
    art = forms.TypedChoiceField(label=_("Art der Einrichtung"), required=False, coerce=int, empty_value=None)

    field_order = ["art", "gebiet"]

    def __init__(self, data, *, tree: AreaTree, types: list[InstitutionType]) -> None:
        super().__init__(data, tree=tree)
        groups: dict[str, list[tuple[str, str]]] = {}
        for institution_type in types:
            groups.setdefault(institution_type.category.name, []).append(
                (str(institution_type.pk), institution_type.name)
            )
        self.fields["art"].choices = [("", _("alle Arten")), *groups.items()]


class AreaChoiceForm(forms.Form):
    """ "Was ist in meinem Stadtteil los?": pick an area, go to its page."""

    gebiet = forms.TypedChoiceField(label=_("Stadtbezirk, Sozialraum oder Lebensraum"), coerce=int, widget=AreaSelect)

    def __init__(self, data=None, *, tree: AreaTree) -> None:
        super().__init__(data)
        self.fields["gebiet"].choices = [("", _("Bitte wählen")), *area_choices(tree)]


# --- The contact form of network and institution pages, and the accessibility feedback ----


class ContactMessageForm(forms.Form):
    """A message to a speaker team, an institution or the city; the sender sees no address.

    ``webseite`` is a honeypot: hidden from sighted users, labelled for screen readers to
    leave empty, skipped by the keyboard. Programs that fill in every field fill it in too;
    the view then answers as if the message had been sent and stores nothing.
    """

    name = JoinedLineField(label=_("Ihr Name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(
        label=_("Ihre E-Mail-Adresse"),
        max_length=254,
        help_text=_("Für die Antwort. Sie wird nicht veröffentlicht."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    betreff = JoinedLineField(label=_("Betreff"), max_length=200)
    nachricht = forms.CharField(
        label=_("Ihre Nachricht"),
        max_length=5000,
        help_text=_("Höchstens 5.000 Zeichen."),
        widget=forms.Textarea(attrs={"rows": 8, "cols": 40}),
    )
    kopie = forms.BooleanField(
        label=_("Kopie an mich"),
        required=False,
        initial=True,
        help_text=_("Sie erhalten zuerst eine kurze Mail mit einem Link; die Kopie kommt, sobald Sie ihn bestätigen."),
    )
    webseite = forms.CharField(
        label=_("Bitte lassen Sie dieses Feld leer."),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].error_messages["invalid"] = _(
            "Bitte geben Sie eine gültige E-Mail-Adresse ein, zum Beispiel name@example.org."
        )
        for name in ("name", "email", "betreff", "nachricht"):
            self.fields[name].error_messages["required"] = _("Bitte füllen Sie dieses Feld aus.")

    @property
    def is_spam(self) -> bool:
        """Whether the honeypot was filled in (only meaningful after ``is_valid()``)."""
        return bool(self.cleaned_data.get("webseite"))

    def visible_fields(self):
        return [field for field in super().visible_fields() if field.name != "webseite"]


class InstitutionEntryForm(forms.Form):
    """The fields an institution keeps itself (``INSTITUTION_REVIEW_FIELDS``), filled with
    its entry; checked again by the service, which is the rule."""

    def __init__(self, *args, institution, with_comment: bool = False, **kwargs) -> None:
        from contacts.models import Institution
        from contacts.services.freshness import FIELD_VALIDATORS, INSTITUTION_REVIEW_FIELDS

        initial = {name: getattr(institution, name) for name in INSTITUTION_REVIEW_FIELDS}
        super().__init__(*args, initial=initial, **kwargs)
        fields = forms.fields_for_model(
            Institution,
            fields=INSTITUTION_REVIEW_FIELDS,
            formfield_callback=lambda field, **options: field.formfield(
                **({"assume_scheme": "https"} if field.name == "website" else {}), **options
            ),
        )
        for name, field in fields.items():
            validator = FIELD_VALIDATORS.get(name)
            if validator is not None:
                field.validators.append(validator)
            if name == "phone":
                field.widget.attrs["autocomplete"] = "tel"
            if name in ("opening_hours", "accessibility_notes"):
                field.widget.attrs["rows"] = 3
            self.fields[name] = field
        if with_comment:
            self.fields["comment"] = forms.CharField(
                label=_("Anmerkung für die Sozialplanung (freiwillig)"),
                required=False,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def changes(self) -> dict:
        """The entry's fields as typed (the service keeps only those that differ)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "comment"}


class ProposalDecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Notiz (freiwillig)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
