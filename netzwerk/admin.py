"""Titles of the Verwaltung; the project package is an installed app, so this is autodiscovered."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from contacts.admin import InstitutionAdmin
from netzwerk.models import SitePage
from notifications.services import entry_review_request

admin.site.site_header = _("Netzwerk Aachen – Verwaltung")
admin.site.site_title = _("Netzwerk Aachen")
admin.site.index_title = _("Verwaltung der Sozialplanung")


@admin.register(SitePage)
class SitePageAdmin(admin.ModelAdmin):
    list_display = ["__str__", "slug", "updated_at"]
    readonly_fields = ["updated_at"]


@admin.action(description=_("Eintrag prüfen lassen (Mail an die Funktionsadresse)"))
def entry_review_request_action(modeladmin, request, queryset):
    """The staff button of issue 14 in the Verwaltung: the selected institutions get the
    „Eintrag prüfen“ link now (through the delivery log); the ones that cannot are named."""
    sent = 0
    for institution in queryset:
        try:
            entry_review_request(institution=institution, actor=request.user)
        except ValidationError as error:
            modeladmin.message_user(request, " ".join(error.messages), messages.WARNING)
        else:
            sent += 1
    if sent:
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)s Einrichtung bekommt die Bitte, ihren Eintrag zu prüfen.",
                "%(count)s Einrichtungen bekommen die Bitte, ihren Eintrag zu prüfen.",
                sent,
            )
            % {"count": sent},
            messages.SUCCESS,
        )


# Wired here: the directory's admin (contacts) must not know the mail (notifications).
InstitutionAdmin.actions = [*(InstitutionAdmin.actions or []), entry_review_request_action]
