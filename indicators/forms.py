"""The forms of the figures' pages: which indicator, year and areas; the import."""

from django import forms
from django.utils.translation import gettext_lazy as _

from indicators.imports import MAX_BYTES
from indicators.selectors import IndicatorTable, Tree


class FigureChoiceForm(forms.Form):
    """Which indicator and year a page shows; for the comparison also which areas and order.

    An unknown indicator or a year without values is an error the page answers with a 400
    that says what exists."""

    kennzahl = forms.ChoiceField(label=_("Kennzahl"), required=False)
    jahr = forms.TypedChoiceField(label=_("Jahr"), coerce=int, required=False, empty_value=None)

    def __init__(self, data=None, *, tables: list[IndicatorTable]) -> None:
        super().__init__(data)
        self.tables = {table.indicator.slug: table for table in tables}
        self.fields["kennzahl"].choices = [(slug, table.indicator.name) for slug, table in self.tables.items()]
        self.fields["kennzahl"].error_messages["invalid_choice"] = _(
            "Diese Kennzahl gibt es nicht. Bitte wählen Sie eine aus der Liste."
        )
        years = sorted({year for table in tables for year in table.years}, reverse=True)
        self.fields["jahr"].choices = [("", _("neuestes")), *((year, year) for year in years)]
        self.fields["jahr"].error_messages["invalid_choice"] = _(
            "Für dieses Jahr gibt es keine Werte. Vorhanden: %(years)s."
        ) % {"years": ", ".join(map(str, sorted(years))) or "–"}

    def clean(self):
        cleaned = super().clean()
        slug = cleaned.get("kennzahl") or next(iter(self.tables), None)
        cleaned["table"] = self.tables.get(slug) if slug else None
        year, table = cleaned.get("jahr"), cleaned["table"]
        if year is not None and table is not None and year not in table.years:
            self.add_error(
                "jahr",
                _("Für %(indicator)s gibt es im Jahr %(year)s keine Werte. Vorhanden: %(years)s.")
                % {"indicator": table.indicator.name, "year": year, "years": ", ".join(map(str, table.years))},
            )
        return cleaned


class ComparisonForm(FigureChoiceForm):
    stadtbezirk = forms.TypedChoiceField(label=_("Stadtbezirk"), coerce=int, required=False, empty_value=None)
    sozialraum = forms.TypedChoiceField(label=_("Sozialraum"), coerce=int, required=False, empty_value=None)
    sortierung = forms.ChoiceField(
        label=_("Sortierung"),
        required=False,
        choices=[
            ("code", _("nach Nummer")),
            ("name", _("nach Name")),
            ("-wert", _("höchster Wert zuerst")),
            ("wert", _("niedrigster Wert zuerst")),
        ],
    )

    def __init__(self, data=None, *, tables: list[IndicatorTable], tree: Tree) -> None:
        super().__init__(data, tables=tables)
        self.tree = tree
        self.fields["stadtbezirk"].choices = [("", _("alle"))] + [
            (node.pk, node.name) for node in tree.of_level("stadtbezirk")
        ]
        self.fields["sozialraum"].choices = [("", _("alle"))] + [
            (node.pk, str(node)) for node in tree.of_level("sozialraum")
        ]

    def clean(self):
        cleaned = super().clean()
        district, social_area = cleaned.get("stadtbezirk"), cleaned.get("sozialraum")
        if district and social_area and self.tree.nodes[social_area].parent_id != district:
            self.add_error("sozialraum", _("Dieser Sozialraum liegt nicht im gewählten Stadtbezirk."))
        cleaned["sortierung"] = cleaned.get("sortierung") or "code"
        return cleaned


class ImportForm(forms.Form):
    datei = forms.FileField(
        label=_("Datei (CSV oder XLSX)"),
        help_text=_(
            "Spalten: Gebiet (Nummer des Lebensraums), Kennzahl, Jahr, Wert; "
            "wahlweise Bezugsgröße, Ebene, Kennzeichnung, Hinweis. Höchstens 5 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_datei(self):
        upload = self.cleaned_data["datei"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("Die Datei ist größer als 5 MB."))
        return upload
