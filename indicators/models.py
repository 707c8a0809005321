"""The figures of the Sozialentwicklungsplan (SEP) per area, and the shapes of the areas.

An ``Indicator`` is one figure the SEP reports (Arbeitslosenquote, Kinderarmut, …); an
``IndicatorValue`` is its value for one area and year. Values are stored for Lebensräume
and, where the source has them, for Sozialräume, Stadtbezirke or the whole city (``area``
empty); what is not stored is derived from the Lebensräume when it is read
(``selectors.IndicatorTable``). Every value says how sure it is (``Status``): taken from
the source, estimated from the source's figures, or invented for the demo.

``AreaShape`` holds the outline of an area as GeoJSON (longitude/latitude), imported with
``manage.py import_geojson``; the map draws it as SVG (``geo.py``).
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from contacts.models import Area, TimestampedModel

YEAR_MIN = 1990
YEAR_MAX = 2100


class Indicator(TimestampedModel):
    """One figure of the SEP: what it measures, in which unit, from which source."""

    slug = models.SlugField(_("Kurzname"), max_length=60, unique=True)
    name = models.CharField(_("Name"), max_length=120, unique=True)
    unit = models.CharField(_("Einheit"), max_length=20, blank=True, help_text=_("z. B. %"))
    description = models.TextField(_("Beschreibung"), blank=True, max_length=2000)
    source = models.CharField(_("Quelle"), max_length=300, blank=True)
    higher_means_need = models.BooleanField(
        _("Höherer Wert bedeutet mehr Bedarf"),
        default=True,
        help_text=_("Zum Beispiel bei Arbeitslosenquote und Kinderarmut: je höher, desto größer der Bedarf."),
    )
    decimals = models.PositiveSmallIntegerField(_("Nachkommastellen"), default=1, validators=[MaxValueValidator(3)])
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    is_demo = models.BooleanField(_("Demodaten"), default=False, editable=False)

    class Meta:
        verbose_name = _("Kennzahl")
        verbose_name_plural = _("Kennzahlen")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class IndicatorValue(TimestampedModel):
    """The value of an indicator for one area (or the whole city) and year."""

    class Status(models.TextChoices):
        # In this order: the least sure input decides what a derived value is.
        OFFICIAL = "belegt", _("belegt")
        ESTIMATED = "geschaetzt", _("geschätzt")
        INVENTED = "fiktiv", _("fiktiv")

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("Kennzahl"), on_delete=models.CASCADE, related_name="values"
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("Gebiet"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicator_values",
        help_text=_("Leer: die ganze Stadt."),
    )
    year = models.PositiveSmallIntegerField(
        _("Jahr"), validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)]
    )
    value = models.DecimalField(_("Wert"), max_digits=12, decimal_places=3)
    population = models.PositiveIntegerField(
        _("Bezugsgröße"),
        null=True,
        blank=True,
        help_text=_("z. B. die Einwohner*innenzahl, mit der der Wert für größere Gebiete gewichtet wird."),
    )
    status = models.CharField(_("Kennzeichnung"), max_length=20, choices=Status.choices, default=Status.OFFICIAL)
    note = models.CharField(_("Hinweis"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("Kennzahlwert")
        verbose_name_plural = _("Kennzahlwerte")
        ordering = ["indicator", "year", "area"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "year"],
                condition=Q(area__isnull=False),
                name="indicator_value_unique_per_area_and_year",
            ),
            models.UniqueConstraint(
                fields=["indicator", "year"],
                condition=Q(area__isnull=True),
                name="indicator_value_unique_for_city_and_year",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=YEAR_MIN, year__lte=YEAR_MAX), name="indicator_value_year_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}: {self.value}"


class AreaShape(TimestampedModel):
    """The outline of an area: a GeoJSON Polygon or MultiPolygon in longitude/latitude."""

    area = models.OneToOneField(Area, verbose_name=_("Gebiet"), on_delete=models.CASCADE, related_name="shape")
    geometry = models.JSONField(_("Umriss (GeoJSON)"))
    is_schematic = models.BooleanField(
        _("schematisch"),
        default=False,
        help_text=_("Der Umriss ist eine Skizze, nicht maßstäblich (Demodaten)."),
    )
    source = models.CharField(_("Quelle"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("Umriss eines Gebiets")
        verbose_name_plural = _("Umrisse der Gebiete")
        ordering = ["area"]

    def __str__(self) -> str:
        return str(self.area)
