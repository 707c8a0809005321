"""Titles of the Verwaltung; the project package is an installed app, so this is autodiscovered."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from netzwerk.models import SitePage

admin.site.site_header = _("Netzwerk Aachen – Verwaltung")
admin.site.site_title = _("Netzwerk Aachen")
admin.site.index_title = _("Verwaltung der Sozialplanung")


@admin.register(SitePage)
class SitePageAdmin(admin.ModelAdmin):
    list_display = ["__str__", "slug", "updated_at"]
    readonly_fields = ["updated_at"]
