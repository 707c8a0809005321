"""The filters of the staff pages: each value checked, a wrong one answered with a German 400."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import Network
from netzwerk.staff.overview import SORT_KEYS

KIND_CHOICES = [("", _("alle Arten")), *Network.Kind.choices]


class OverviewFilterForm(forms.Form):
    art = forms.ChoiceField(label=_("Art"), choices=KIND_CHOICES, required=False)
    gebiet = forms.TypedChoiceField(label=_("Gebiet"), coerce=int, required=False, empty_value=None)
    sortierung = forms.ChoiceField(
        label=_("Sortierung"),
        required=False,
        choices=[(key, key) for name in SORT_KEYS for key in (name, f"-{name}")],
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, area_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gebiet"].choices = [("", _("alle Gebiete")), *area_choices]


class CalendarFilterForm(forms.Form):
    monat = forms.CharField(label=_("Monat"), required=False, max_length=7)
    ansicht = forms.ChoiceField(
        label=_("Ansicht"), required=False, choices=[("monat", _("Monat")), ("liste", _("Liste"))]
    )
    art = forms.ChoiceField(label=_("Art"), choices=KIND_CHOICES, required=False)

    def clean_monat(self) -> tuple[int, int]:
        value = self.cleaned_data["monat"]
        today = timezone.localdate()
        if not value:
            return today.year, today.month
        try:
            year, month = (int(part) for part in value.split("-"))
            datetime.date(year, month, 1)
        except ValueError:
            raise forms.ValidationError(_("Bitte geben Sie den Monat als JJJJ-MM an, z. B. 2027-03.")) from None
        if not 2000 <= year <= 2100:
            raise forms.ValidationError(_("Bitte wählen Sie einen Monat zwischen 2000 und 2100."))
        return year, month
