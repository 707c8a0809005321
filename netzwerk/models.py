"""Site pages (Impressum, Datenschutz, Barrierefreiheit, Leichte Sprache) that staff may edit."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SitePage(models.Model):
    """The text of one of the legally required site pages, as staff edited it.

    An empty body keeps the default text the template carries, so a fresh installation
    shows complete pages that name Stadt Aachen, FB 56, before anybody has edited them.
    """

    class Slug(models.TextChoices):
        IMPRINT = "impressum", _("Impressum")
        PRIVACY = "datenschutz", _("Datenschutzerklärung")
        ACCESSIBILITY = "barrierefreiheit", _("Erklärung zur Barrierefreiheit")
        EASY_LANGUAGE = "leichte-sprache", _("Leichte Sprache")

    slug = models.CharField(pgettext_lazy("site page", "Seite"), max_length=30, choices=Slug.choices, unique=True)
    title = models.CharField(
        _("Überschrift"), max_length=200, blank=True, help_text=_("Leer lassen für die Standardüberschrift.")
    )
    body = models.TextField(
        _("Text (Markdown)"),
        blank=True,
        help_text=_(
            "Leer lassen für den Standardtext. Zwischenüberschriften mit „###“, Listen mit „-“, "
            "Links als [Text](https://…)."
        ),
    )
    updated_at = models.DateTimeField(_("zuletzt geändert"), auto_now=True)

    class Meta:
        verbose_name = _("Seite (Impressum, Datenschutz, …)")
        verbose_name_plural = _("Seiten (Impressum, Datenschutz, …)")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.title or self.get_slug_display()
