"""The Verwaltung's view of the notification machinery: the delivery log and the periodic runs
are read-only (the workers write them); preferences and network settings go through the services."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications.models import Delivery, NetworkSettings, PeriodicRun, Preference, RelayBreaker
from notifications.services import NETWORK_SETTINGS_FIELDS, delivery_retry, network_settings_update, preference_update


class WrittenByWorkersAdmin(admin.ModelAdmin):
    """Rows the workers write: staff look, but never add, edit or delete them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PeriodicRun)
class PeriodicRunAdmin(WrittenByWorkersAdmin):
    """Shows when each periodic job last ran; editing would only hide a stalled worker."""

    list_display = ["name", "last_run_at", "run_count"]
    search_fields = ["name"]
    ordering = ["name"]


@admin.register(RelayBreaker)
class RelayBreakerAdmin(WrittenByWorkersAdmin):
    """Whether sending pauses because the relay refuses (the workers open and close it)."""

    list_display = ["name", "failures", "open_until", "pause_seconds", "opened_count", "updated_at"]


@admin.register(Delivery)
class DeliveryAdmin(WrittenByWorkersAdmin):
    """The delivery log: what went out, what failed and why. Rows are written by the
    workers; staff only look, and send failed rows again."""

    list_display = ["created_at", "kind", "state", "recipient", "network", "attempts", "sent_at", "error_short"]
    list_filter = ["state", "kind", ("network", admin.RelatedOnlyFieldListFilter), "duplicate_possible"]
    search_fields = ["address", "recipient_name", "message_id", "last_error"]
    list_select_related = ["network", "person"]
    date_hierarchy = "created_at"
    actions = ["send_again"]
    readonly_fields = [field.name for field in Delivery._meta.fields]

    @admin.display(description=_("Empfänger*in"))
    def recipient(self, obj: Delivery) -> str:
        return obj.recipient_name or obj.address or obj.recipient_key

    @admin.display(description=_("Fehler"))
    def error_short(self, obj: Delivery) -> str:
        return obj.last_error[:120]

    @admin.action(description=_("Fehlgeschlagene erneut senden"))
    def send_again(self, request, queryset):
        count = delivery_retry(deliveries=queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d Zustellung wird erneut gesendet.", "%(count)d Zustellungen werden erneut gesendet.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )


def adopt(obj, saved) -> None:
    """Make the admin's ``obj`` the row a service wrote (the admin goes on with ``obj``)."""
    obj.pk = saved.pk
    obj.refresh_from_db()


class PreferenceForm(forms.ModelForm):
    # The languages ``preference_update`` accepts, offered as a choice instead of free text.
    language = forms.ChoiceField(
        label=_("Sprache"),
        required=False,
        choices=[("", _("wie im Personeneintrag")), *settings.LANGUAGES],
    )


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    """A person's mail preferences, written through ``preference_update`` as on their own page."""

    form = PreferenceForm
    list_display = ["person", *Preference.TOGGLES, "digest_instead", "language"]
    list_filter = [*Preference.TOGGLES, "digest_instead"]
    search_fields = ["person__family_name", "person__given_name"]
    autocomplete_fields = ["person"]
    list_select_related = ["person"]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is None else [*self.readonly_fields, "person"]

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in (*Preference.TOGGLES, "digest_instead", "language")}
        person = obj.person if change else form.cleaned_data["person"]
        adopt(obj, preference_update(person=person, **values))


@admin.register(NetworkSettings)
class NetworkSettingsAdmin(admin.ModelAdmin):
    """How a network's meetings are announced, written through ``network_settings_update``."""

    list_display = ["network", "invitation_trigger", "invitation_lead_days", "reminder_offsets"]
    autocomplete_fields = ["network"]
    list_select_related = ["network"]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is None else [*self.readonly_fields, "network"]

    def save_model(self, request, obj, form, change):
        network = obj.network if change else form.cleaned_data["network"]
        values = {name: form.cleaned_data[name] for name in NETWORK_SETTINGS_FIELDS}
        adopt(obj, network_settings_update(network=network, **values))
