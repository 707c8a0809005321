"""Forms of the site-wide pages: the search and the street lookup."""

from django import forms
from django.utils.translation import gettext_lazy as _

from netzwerk.search import QUERY_MAX_LENGTH


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Suchbegriff"),
        required=False,
        max_length=QUERY_MAX_LENGTH,
        error_messages={
            "max_length": _("Bitte geben Sie höchstens %(limit_value)d Zeichen ein (jetzt: %(show_value)d)."),
            "null_characters_not_allowed": _("Der Suchbegriff enthält ein unzulässiges Steuerzeichen."),
        },
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "enterkeyhint": "search"}),
    )


class StreetLookupForm(forms.Form):
    strasse = forms.CharField(
        label=_("Straße und Hausnummer"),
        max_length=QUERY_MAX_LENGTH,
        help_text=_("z. B. „Reichsweg“ oder „Reichsweg 12“"),
        error_messages={
            "required": _("Bitte geben Sie eine Straße ein."),
            "max_length": _("Bitte geben Sie höchstens %(limit_value)d Zeichen ein (jetzt: %(show_value)d)."),
            "null_characters_not_allowed": _("Die Eingabe enthält ein unzulässiges Steuerzeichen."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "strassen-vorschlaege"}),
    )
