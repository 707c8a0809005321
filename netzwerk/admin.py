"""Titles of the Verwaltung; the project package is an installed app, so this is autodiscovered."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

import contacts.admin  # registers the directory's admins, so the person admin can be extended
from contacts.admin import InstitutionAdmin
from contacts.models import ConsentText, Erasure, Person
from netzwerk.directory import data_export_response
from netzwerk.models import SitePage
from netzwerk.privacy import person_data_export, person_erase
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


# --- Data-protection rights in the Verwaltung --------------------------------------------
#
# The export and the erasure compose every app (netzwerk.privacy), so their actions are
# added here to the directory's person admin, which is registered again with them.


class PrivacyPersonAdmin(contacts.admin.PersonAdmin):
    actions = [*contacts.admin.PersonAdmin.actions, "privacy_export_page", "privacy_export_json", "privacy_erase"]

    def get_queryset(self, request):
        # Erased rows are placeholders for history, not people: they are not listed.
        return super().get_queryset(request).filter(erased_at__isnull=True)

    def has_manage_directory_permission(self, request) -> bool:
        """Only the Sozialplanung sees the data-protection actions at all."""
        return request.user.has_perm("contacts.manage_directory")

    def _one(self, request, queryset):
        if not request.user.has_perm("contacts.manage_directory"):
            raise PermissionDenied(_("Nur die Sozialplanung darf Auskünfte erstellen und Personen löschen."))
        if queryset.count() != 1:
            self.message_user(request, _("Bitte wählen Sie genau eine Person."), messages.ERROR)
            return None
        return queryset.get()

    @admin.action(
        description=_("Auskunft nach Art. 15 DSGVO als Seite (zum Drucken)"), permissions=["manage_directory"]
    )
    def privacy_export_page(self, request, queryset):
        person = self._one(request, queryset)
        if person is None:
            return None
        return render(request, "netzwerk/my_data.html", {"data": person_data_export(person=person), "own": False})

    @admin.action(description=_("Auskunft nach Art. 15 DSGVO als JSON-Datei"), permissions=["manage_directory"])
    def privacy_export_json(self, request, queryset):
        person = self._one(request, queryset)
        if person is None:
            return None
        return data_export_response(person_data_export(person=person))

    @admin.action(description=_("Person löschen nach Art. 17 DSGVO (endgültig)"), permissions=["manage_directory"])
    def privacy_erase(self, request, queryset):
        """Asks first (an intermediate page); erases only when the page is confirmed."""
        person = self._one(request, queryset)
        if person is None:
            return None
        if request.POST.get("confirm") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": _("Person endgültig löschen?"),
                "person": person,
                "opts": self.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return render(request, "admin/netzwerk/person_erase_confirm.html", context)
        person_erase(person=person, actor=request.user)
        self.message_user(
            request,
            _("Die Person ist gelöscht. Mitgliedschaften und Antworten zeigen „ehemaliges Mitglied“."),
            messages.SUCCESS,
        )
        return None


admin.site.unregister(Person)
admin.site.register(Person, PrivacyPersonAdmin)


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    list_display = ["version", "published_on"]

    def get_readonly_fields(self, request, obj=None):
        # A wording people agreed to is never changed: a new wording is a new version.
        return ["version", "text", "text_en", "published_on"] if obj is not None else []


@admin.register(Erasure)
class ErasureAdmin(admin.ModelAdmin):
    list_display = ["erased_at", "erased_by", "counts"]
    readonly_fields = ["erased_at", "erased_by", "counts"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
