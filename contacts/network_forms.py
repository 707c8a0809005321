"""Forms of the pages where speakers keep their network. They only parse and bound what is
typed; every rule (who may, overlapping terms, members twice) is the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.forms import area_choices
from contacts.models import InstitutionType, Membership, Network, Topic
from contacts.selectors import AreaTree
from contacts.text import JoinedLineField

MEMBER_ROLE_CHOICES = [
    (Membership.Role.MEMBER.value, Membership.Role.MEMBER.label),
    (Membership.Role.GUEST.value, Membership.Role.GUEST.label),
]
TEAM_ROLE_CHOICES = [("", _("– nicht im Team –")), *[(role.value, role.label) for role in Membership.LEADING_ROLES]]
TEAM_ROWS = 4


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class NetworkProfileForm(forms.ModelForm):
    website = forms.URLField(label=_("Internetseite"), required=False, max_length=200, assume_scheme="https")
    topics = forms.ModelMultipleChoiceField(
        label=_("Themen"), queryset=Topic.objects.order_by("name"), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Network
        fields = ["description", "rhythm", "website", "topics"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6, "cols": 60, "maxlength": 5000})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["description"].max_length = 5000


class AreasProposalForm(forms.Form):
    areas = forms.TypedMultipleChoiceField(
        label=_("Gebiete"),
        coerce=int,
        help_text=_("Mehrfachauswahl mit Strg- bzw. Cmd-Taste. Die Sozialplanung prüft den Vorschlag."),
    )
    note = forms.CharField(label=_("Begründung (freiwillig)"), max_length=500, required=False)

    def __init__(self, *args, tree: AreaTree, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["areas"].choices = area_choices(tree)
        self.fields["areas"].widget = forms.SelectMultiple(attrs={"size": 10})
        self.fields["areas"].widget.choices = self.fields["areas"].choices


class MemberAddForm(forms.Form):
    """The person who represents the institution chosen on the page (its id travels in a
    hidden field of the page), or the individual member found by the person search."""

    person = forms.TypedChoiceField(label=_("Person"), coerce=int, required=False, empty_value=None)
    role = forms.ChoiceField(label=_("Rolle"), choices=MEMBER_ROLE_CHOICES, initial=Membership.Role.MEMBER)
    start = forms.DateField(label=_("Mitglied seit"), widget=DateInput)

    def __init__(self, *args, people: list[tuple[int, str]], institution_required: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", _("– niemand (später eintragen) –"))] if institution_required else []
        self.fields["person"].choices += [(str(pk), label) for pk, label in people]
        self.fields["person"].label = _("vertreten durch") if institution_required else _("Person")
        self.fields["person"].required = not institution_required


class RoleChangeForm(forms.Form):
    role = forms.ChoiceField(label=_("neue Rolle"), choices=MEMBER_ROLE_CHOICES)
    day = forms.DateField(label=_("ab"), widget=DateInput)


class MembershipEndForm(forms.Form):
    end = forms.DateField(label=_("beendet zum"), widget=DateInput)


class TeamElectForm(forms.Form):
    start = forms.DateField(label=_("Amtszeit ab"), widget=DateInput)
    end = forms.DateField(label=_("Amtszeit bis"), widget=DateInput, required=False, help_text=_("Leer: unbefristet."))

    def __init__(self, *args, candidates: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for index in range(TEAM_ROWS):
            self.fields[f"person_{index}"] = forms.TypedChoiceField(
                label=_("Person %(number)s") % {"number": index + 1},
                coerce=int,
                empty_value=None,
                required=False,
                choices=[("", _("– bitte wählen –")), *[(str(pk), label) for pk, label in candidates]],
            )
            self.fields[f"role_{index}"] = forms.ChoiceField(
                label=_("Rolle von Person %(number)s") % {"number": index + 1},
                choices=TEAM_ROLE_CHOICES,
                required=False,
            )

    def clean(self):
        data = super().clean()
        for index in range(TEAM_ROWS):
            person, role = data.get(f"person_{index}"), data.get(f"role_{index}")
            if (person is None) != (not role):
                self.add_error(f"role_{index}", _("Bitte wählen Sie zu jeder Person eine Rolle (und umgekehrt)."))
        return data

    def team_rows(self) -> list[tuple[int, str]]:
        return [
            (self.cleaned_data[f"person_{index}"], self.cleaned_data[f"role_{index}"])
            for index in range(TEAM_ROWS)
            if self.cleaned_data.get(f"person_{index}") is not None
        ]

    def rows(self):
        return [(self[f"person_{index}"], self[f"role_{index}"]) for index in range(TEAM_ROWS)]


class InstitutionProposalForm(forms.Form):
    name = JoinedLineField(label=_("Name der Einrichtung"), max_length=200)
    institution_type = forms.ModelChoiceField(
        label=_("Art der Einrichtung"), queryset=InstitutionType.objects.select_related("category").order_by("name")
    )
    street = JoinedLineField(label=_("Straße und Hausnummer"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postleitzahl"), max_length=10, required=False)
    website = forms.URLField(label=_("Internetseite"), required=False, max_length=200, assume_scheme="https")
    email = forms.EmailField(label=_("E-Mail-Adresse (Funktionsadresse)"), required=False, max_length=254)
    phone = forms.CharField(label=_("Telefon (zentral)"), max_length=40, required=False)
    representative = forms.TypedChoiceField(label=_("vertreten durch"), coerce=int, required=False, empty_value=None)
    note = forms.CharField(label=_("Hinweis für die Sozialplanung"), max_length=500, required=False)

    def __init__(self, *args, people: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["representative"].choices = [("", _("– niemand (später eintragen) –"))] + [
            (str(pk), label) for pk, label in people
        ]


class InvitationForm(forms.Form):
    person = forms.TypedChoiceField(label=_("Mitglied"), coerce=int)
    email = forms.EmailField(
        label=_("E-Mail-Adresse"),
        required=False,
        max_length=254,
        help_text=_("Leer: die hinterlegte Adresse der Person."),
    )

    def __init__(self, *args, people: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", _("– bitte wählen –")), *[(str(pk), label) for pk, label in people]]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("annehmen", _("annehmen")), ("ablehnen", _("ablehnen"))])
    note = forms.CharField(label=_("Anmerkung"), max_length=500, required=False)
