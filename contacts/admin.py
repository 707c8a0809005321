"""The Verwaltung (Django admin) of the directory, for the Sozialplanung.

Every changelist runs a constant number of queries however many rows it shows: foreign
keys come through ``list_select_related``, lists of related rows through prefetches in
``get_queryset``, and the list filters that need data ask for it in one query each.
Consents are recorded, never edited or deleted, only withdrawn through the service.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models as dbmodels
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.forms.models import BaseInlineFormSet
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from contacts import models, selectors, services
from contacts.admin_export import ExportAdmin
from contacts.history_admin import VersionHistoryAdmin
from contacts.services import places


class DirectoryAdmin(admin.ModelAdmin):
    """Shared defaults of the directory's admin pages."""

    # Addresses typed without a scheme are https today; Django 6 makes that the default and
    # warns until then.
    formfield_overrides = {dbmodels.URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj, form, change):
        # Sozialplanung editing an entry has looked at it: its „Stand“ is today.
        if isinstance(obj, models.ConfirmedModel):
            obj.confirmed_at = timezone.now()
        super().save_model(request, obj, form, change)


# --- writing through the services ------------------------------------------------------------
# The forms have validated each row (the model's clean, the formsets' cross-row rules); the
# services then write it as the web pages and imports do, with their side effects.


def _changes(row, changed: list[str], names) -> dict:
    return {name: getattr(row, name) for name in changed if name in names}


def memberships_save(formset) -> None:
    """Save a membership inline: new rows start, changed rows are corrected, through the services."""
    formset.save(commit=False)
    for membership in formset.deleted_objects:
        membership.delete()  # superusers only: staff may not delete memberships (history)
    for membership, changed in formset.changed_objects:
        stored = models.Membership.objects.get(pk=membership.pk)
        services.membership_update(membership=stored, **_changes(membership, changed, services.MEMBERSHIP_FIELDS))
    for membership in formset.new_objects:
        services.membership_start(**{name: getattr(membership, name) for name in services.MEMBERSHIP_FIELDS})


def channel_save(form, *, person: models.Person) -> models.ContactChannel:
    """Add or change the channel of a ``ChannelForm`` through the services."""
    if form.instance.pk is None:
        return services.channel_add(person=person, **form.channel_values())
    stored = models.ContactChannel.objects.get(pk=form.instance.pk)
    return services.channel_update(channel=stored, **form.channel_values())


def consent_save(consent: models.Consent, *, recorded_by) -> models.Consent:
    """Record a new consent through the service; whoever is logged in recorded it."""
    return services.consent_record(
        person=consent.person,
        scope=consent.scope,
        audience=consent.audience,
        text_version=consent.text_version,
        source=consent.source,
        channel=consent.channel,
        given_at=consent.given_at,
        recorded_by=recorded_by,
    )


def adopt(obj, saved) -> None:
    """Make the admin's ``obj`` the row a service wrote (the admin goes on with ``obj``)."""
    obj.pk = saved.pk
    obj.refresh_from_db()


# --- list filters --------------------------------------------------------------------


class NetworkAreaFilter(admin.SimpleListFilter):
    """Networks working in an area or anywhere below it.

    Picking a Stadtbezirk also finds the networks registered for its Sozial- and
    Lebensräume, which is what "who is active in this district" means.
    """

    title = _("Gebiet")
    parameter_name = "gebiet"

    def lookups(self, request, model_admin):
        return [(str(area.pk), str(area)) for area in selectors.area_list()]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        area = models.Area.objects.filter(pk=self.value()).first()
        if area is None:
            return queryset.none()
        ids = selectors.area_descendant_ids(area.pk)
        # A subquery instead of a join keeps one row per network without DISTINCT.
        through = models.Network.areas.through.objects.filter(area_id__in=ids)
        return queryset.filter(pk__in=through.values("network_id"))


class PersonNetworkFilter(admin.SimpleListFilter):
    """People with a membership in a network that is current today."""

    title = _("Mitglied im Netzwerk")
    parameter_name = "netzwerk"

    def lookups(self, request, model_admin):
        return list(models.Network.objects.order_by("name").values_list("pk", "name"))

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        members = models.Membership.objects.active().filter(network_id=self.value(), person__isnull=False)
        return queryset.filter(pk__in=members.values("person_id"))


class YesNoFilter(admin.SimpleListFilter):
    """A filter with the two choices „ja“ and „nein“; subclasses name the condition."""

    def lookups(self, request, model_admin):
        return [("ja", _("ja")), ("nein", _("nein"))]

    def condition(self) -> Q:
        raise NotImplementedError

    def queryset(self, request, queryset):
        if self.value() == "ja":
            return queryset.filter(self.condition())
        if self.value() == "nein":
            return queryset.exclude(self.condition())
        return queryset


class PersonHasAccountFilter(YesNoFilter):
    title = _("hat einen Zugang")
    parameter_name = "zugang"

    def condition(self) -> Q:
        return Q(user__isnull=False)


class PersonHasConsentFilter(YesNoFilter):
    """Counts only consents that are not withdrawn: a withdrawn one permits nothing."""

    title = _("hat eine gültige Einwilligung")
    parameter_name = "einwilligung"

    def condition(self) -> Q:
        return Q(Exists(models.Consent.objects.filter(person=OuterRef("pk"), withdrawn_at__isnull=True)))


class ConsentWithdrawnFilter(YesNoFilter):
    title = _("widerrufen")
    parameter_name = "widerrufen"

    def condition(self) -> Q:
        return Q(withdrawn_at__isnull=False)


class MembershipCurrentFilter(YesNoFilter):
    title = _("besteht heute")
    parameter_name = "aktuell"

    def condition(self) -> Q:
        today = timezone.localdate()
        return Q(start__lte=today) & (Q(end__isnull=True) | Q(end__gte=today))


# --- areas, topics, vocabulary ---------------------------------------------------------


@admin.register(models.Area)
class AreaAdmin(DirectoryAdmin):
    list_display = ["name", "level", "code", "parent", "is_invented", "is_demo"]
    list_filter = ["level", ("parent", admin.RelatedOnlyFieldListFilter), "is_invented"]
    list_select_related = ["parent"]
    search_fields = ["name", "code", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    readonly_fields = ["is_demo", "created_at", "updated_at"]
    ordering = ["level", "code", "name"]


@admin.register(models.Topic)
class TopicAdmin(DirectoryAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(models.InstitutionCategory)
class InstitutionCategoryAdmin(DirectoryAdmin):
    list_display = ["name", "position"]
    list_editable = ["position"]
    search_fields = ["name"]


@admin.register(models.InstitutionType)
class InstitutionTypeAdmin(DirectoryAdmin):
    list_display = ["name", "category", "slug"]
    list_filter = ["category"]
    list_select_related = ["category"]
    search_fields = ["name", "slug", "category__name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(models.Umbrella)
class UmbrellaAdmin(DirectoryAdmin):
    list_display = ["name", "short_name", "website"]
    search_fields = ["name", "short_name"]


# --- networks ----------------------------------------------------------------------------


class NetworkMembershipInline(admin.TabularInline):
    """The members and roles of a network, with their terms."""

    model = models.Membership
    # A membership ends with a date (the "end" column, or "heute beenden" in the list of
    # memberships); deleting it would erase the history of who was a member when.
    can_delete = False
    fields = ["person", "institution", "role", "start", "end", "note"]
    autocomplete_fields = ["person", "institution"]
    extra = 0
    ordering = ["role", "-start"]
    verbose_name = _("Mitglied oder Rolle")
    verbose_name_plural = _("Mitglieder und Rollen")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person", "institution")


@admin.register(models.Network)
class NetworkAdmin(ExportAdmin, VersionHistoryAdmin, DirectoryAdmin):
    list_display = ["name", "kind", "parent", "area_names", "member_count", "is_active", "confirmed_at"]
    list_filter = ["kind", NetworkAreaFilter, "is_active", "topics"]
    list_select_related = ["parent"]
    search_fields = ["name", "short_name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent", "areas", "topics", "sozialplanung_contact"]
    readonly_fields = ["is_demo", "confirmed_at", "created_at", "updated_at"]
    inlines = [NetworkMembershipInline]

    def get_queryset(self, request):
        today = timezone.localdate()
        current = Q(memberships__start__lte=today) & (Q(memberships__end__isnull=True) | Q(memberships__end__gte=today))
        return (
            super()
            .get_queryset(request)
            .prefetch_related("areas")
            .annotate(current_member_count=Count("memberships", filter=current))
        )

    def save_model(self, request, obj, form, change):
        """Through the service, with the areas and topics (one write path, „Stand“ set)."""
        services.network_save(
            network=obj,
            actor=request.user,
            areas=list(form.cleaned_data["areas"]),
            topics=list(form.cleaned_data["topics"]),
        )

    def save_related(self, request, form, formsets, change):
        # The areas and topics were written by the service in save_model; only the inlines remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        if formset.model is models.Membership:
            memberships_save(formset)
        else:
            super().save_formset(request, form, formset, change)

    @admin.display(description=_("Gebiete"))
    def area_names(self, obj: models.Network) -> str:
        return ", ".join(area.name for area in obj.areas.all())

    @admin.display(description=_("Mitglieder heute"), ordering="current_member_count")
    def member_count(self, obj: models.Network) -> int:
        return obj.current_member_count


# --- institutions ------------------------------------------------------------------------


@admin.register(models.Institution)
class InstitutionAdmin(ExportAdmin, VersionHistoryAdmin, DirectoryAdmin):
    list_display = ["name", "type", "umbrella", "area", "email", "accessibility", "is_active", "confirmed_at"]
    list_filter = ["type__category", "type", "umbrella", "area", "accessibility", "is_active"]
    list_select_related = ["type", "umbrella", "area"]
    search_fields = ["name", "slug", "email", "street", "umbrella__name", "umbrella__short_name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["type", "umbrella", "area"]
    readonly_fields = ["is_demo", "confirmed_at", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        """The entry through ``services.institution_save``, the coordinates through
        ``services.places.institution_coordinates_set`` (as the GeoJSON import does); the
        form has checked them with the model's rules."""
        latitude, longitude = obj.latitude, obj.longitude
        if change:
            stored = models.Institution.objects.get(pk=obj.pk)
            obj.latitude, obj.longitude = stored.latitude, stored.longitude
        else:
            obj.latitude = obj.longitude = None
        services.institution_save(institution=obj, actor=request.user)
        places.institution_coordinates_set(institution=obj, latitude=latitude, longitude=longitude)


# --- people ------------------------------------------------------------------------------


class ChannelFormSet(BaseInlineFormSet):
    """Guards the rules the database enforces only row by row.

    One primary address per kind is a partial unique constraint, which formsets do not
    check across their rows; and a channel named in a consent may not disappear, because
    deleting it would delete the consent record with it.
    """

    def clean(self):
        super().clean()
        primary_kinds: set[str] = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if self.can_delete and self._should_delete_form(form):
                if form.instance.pk and form.instance.consents.exists():
                    raise ValidationError(
                        _("%(channel)s ist in einer Einwilligung genannt und kann nicht gelöscht werden.")
                        % {"channel": form.instance}
                    )
                continue
            if getattr(form, "wants_primary", False):
                kind = form.cleaned_data.get("kind")
                if kind in primary_kinds:
                    raise ValidationError(_("Bitte markieren Sie nur eine Hauptadresse je Art (E-Mail, Telefon)."))
                primary_kinds.add(kind)


class ChannelForm(forms.ModelForm):
    """A channel as ``channel_add``/``channel_update`` save it: a new primary address demotes
    the old one. The one-primary constraint holds once the service ran, so the model is
    validated as not primary; ``channel_values`` carries the wish to the service."""

    def clean(self):
        cleaned = super().clean()
        self.wants_primary = bool(cleaned.get("is_primary"))
        cleaned["is_primary"] = self.instance.is_primary and self.wants_primary
        return cleaned

    def channel_values(self) -> dict:
        """The changed values for the service (all of them for a new channel)."""
        names = services.CHANNEL_FIELDS if self.instance.pk is None else self.changed_data
        values = {name: self.cleaned_data[name] for name in names if name in services.CHANNEL_FIELDS}
        if "is_primary" in values:
            values["is_primary"] = self.wants_primary
        return values


class ChannelInline(admin.TabularInline):
    model = models.ContactChannel
    form = ChannelForm
    formset = ChannelFormSet
    fields = ["kind", "value", "label", "is_primary"]
    extra = 0


class AffiliationInline(admin.TabularInline):
    model = models.Affiliation
    fields = ["institution", "function"]
    autocomplete_fields = ["institution"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("institution")


class PersonMembershipInline(admin.TabularInline):
    model = models.Membership
    # A membership ends with a date (the "end" column, or "heute beenden" in the list of
    # memberships); deleting it would erase the history of who was a member when.
    can_delete = False
    fields = ["network", "institution", "role", "start", "end", "note"]
    autocomplete_fields = ["network", "institution"]
    extra = 0
    ordering = ["-start"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("network", "institution")


class ConsentInline(admin.TabularInline):
    """Recorded consents stay as they are: shown read-only, never deleted; new ones may be added.

    Withdrawing goes through the action in the list of consents (link on the person's page),
    which calls ``services.consent_withdraw`` and keeps the record.
    """

    model = models.Consent
    fields = ["scope", "channel", "audience", "given_at", "text_version", "source", "recorded_by", "withdrawn_at"]
    readonly_fields = ["recorded_by", "withdrawn_at"]
    extra = 0
    ordering = ["scope", "-given_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("channel", "recorded_by")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # Only this person's channels: the full table would be a huge select, and any
        # other person's channel is invalid anyway. The form class is new on every call.
        channel_field = formset.form.base_fields.get("channel")
        if channel_field is not None:
            channels = models.ContactChannel.objects.filter(person=obj) if obj else models.ContactChannel.objects.none()
            channel_field.queryset = channels
        return formset

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Person)
class PersonAdmin(ExportAdmin, VersionHistoryAdmin, DirectoryAdmin):
    list_display = [
        "family_name",
        "given_name",
        "email_addresses",
        "institution_names",
        "has_account",
        "has_consent",
        "confirmed_at",
    ]
    list_display_links = ["family_name", "given_name"]
    list_filter = [PersonNetworkFilter, PersonHasAccountFilter, PersonHasConsentFilter, "language"]
    search_fields = ["family_name", "given_name", "channels__value", "user__email", "affiliations__institution__name"]
    autocomplete_fields = ["user"]
    readonly_fields = ["consents_link", "is_demo", "confirmed_at", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "given_name", "family_name", "form_of_address", "language"]}),
        (_("Zugang"), {"fields": ["user"]}),
        (
            _("Interne Notizen"),
            {
                "fields": ["notes"],
                "description": _("Nur in der Verwaltung sichtbar, nie auf öffentlichen Seiten oder in der API."),
            },
        ),
        (_("Einwilligungen"), {"fields": ["consents_link"]}),
        (_("Verwaltung"), {"fields": ["is_demo", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    inlines = [ChannelInline, AffiliationInline, PersonMembershipInline, ConsentInline]
    actions = ["invite_accounts"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch(
                    "channels",
                    queryset=models.ContactChannel.objects.filter(kind=models.ContactChannel.Kind.EMAIL),
                    to_attr="email_channels",
                ),
                Prefetch(
                    "affiliations",
                    queryset=models.Affiliation.objects.select_related("institution").order_by("institution__name"),
                    to_attr="affiliation_list",
                ),
            )
            .annotate(
                has_active_consent=Exists(
                    models.Consent.objects.filter(person=OuterRef("pk"), withdrawn_at__isnull=True)
                )
            )
        )

    @admin.display(description=_("E-Mail"))
    def email_addresses(self, obj: models.Person) -> str:
        return ", ".join(channel.value for channel in obj.email_channels)

    @admin.display(description=_("Einrichtungen"))
    def institution_names(self, obj: models.Person) -> str:
        return ", ".join(affiliation.institution.name for affiliation in obj.affiliation_list)

    @admin.display(description=_("Zugang"), boolean=True, ordering="user")
    def has_account(self, obj: models.Person) -> bool:
        return obj.user_id is not None

    @admin.display(description=_("gültige Einwilligung"), boolean=True, ordering="has_active_consent")
    def has_consent(self, obj: models.Person) -> bool:
        return obj.has_active_consent

    @admin.display(description=_("Einwilligungen verwalten"))
    def consents_link(self, obj: models.Person) -> str:
        if obj.pk is None:
            return "–"
        url = reverse("admin:contacts_consent_changelist") + "?" + urlencode({"person__id__exact": obj.pk})
        return format_html('<a href="{}">{}</a>', url, _("Einwilligungen dieser Person anzeigen und widerrufen"))

    def save_model(self, request, obj, form, change):
        services.person_save(person=obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is models.Consent:
            self._consents_save(request, formset)
        elif formset.model is models.ContactChannel:
            self._channels_save(formset)
        elif formset.model is models.Membership:
            memberships_save(formset)
        else:
            super().save_formset(request, form, formset, change)

    def _consents_save(self, request, formset) -> None:
        """Only new consents arrive here (the inline forbids change and delete)."""
        formset.save(commit=False)
        for consent in formset.new_objects:
            consent_save(consent, recorded_by=request.user)

    def _channels_save(self, formset) -> None:
        """Removed channels first, then demoted primaries before promoted ones and new rows,
        so the one-primary rule never trips between two rows."""
        formset.save(commit=False)
        for channel in formset.deleted_objects:
            services.channel_remove(channel=models.ContactChannel.objects.get(pk=channel.pk))
        changed = [form for form in formset.forms if form.has_changed() and not form.cleaned_data.get("DELETE")]
        for form in sorted(changed, key=lambda form: form.wants_primary):
            channel_save(form, person=formset.instance)

    def has_invite_permission(self, request) -> bool:
        return request.user.has_perm("contacts.invite_account")

    @admin.action(description=_("Zugang einladen"), permissions=["invite"])
    def invite_accounts(self, request, queryset):
        """Ask first, naming every recipient and address; then create an account for each
        selected person and an invitation, whose mail (the set-password link) the delivery
        log sends once.

        Each person is invited in a transaction of their own, so one person without an
        address does not stop the others; every failure is reported by name.
        """
        if request.POST.get("post") != "yes":
            return self._invite_confirmation(request, queryset)
        invited = []
        for person in queryset.select_related("user"):
            had_account = person.user_id is not None
            try:
                user = services.account_invite(person=person, invited_by=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                continue
            invited.append(
                _("%(person)s (%(email)s, erneut)") % {"person": person, "email": user.email}
                if had_account
                else _("%(person)s (%(email)s)") % {"person": person, "email": user.email}
            )
        if invited:
            self.message_user(
                request,
                ngettext(
                    "Einladung verschickt an: %(names)s.",
                    "%(count)d Einladungen verschickt an: %(names)s.",
                    len(invited),
                )
                % {"count": len(invited), "names": "; ".join(str(name) for name in invited)},
                messages.SUCCESS,
            )

    def _invite_confirmation(self, request, queryset):
        recipients = selectors.account_invitation_recipients(queryset)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Zugänge einladen?"),
            "recipients": recipients,
            "sendable": [recipient for recipient in recipients if recipient.address],
            "without_address": [recipient for recipient in recipients if not recipient.address],
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/contacts/person/invite_confirmation.html", context)


@admin.register(models.Affiliation)
class AffiliationAdmin(DirectoryAdmin):
    list_display = ["person", "institution", "function"]
    list_filter = ["institution__type__category"]
    list_select_related = ["person", "institution"]
    search_fields = ["person__family_name", "person__given_name", "institution__name", "function"]
    autocomplete_fields = ["person", "institution"]


@admin.register(models.ContactChannel)
class ContactChannelAdmin(VersionHistoryAdmin, DirectoryAdmin):
    form = ChannelForm
    list_display = ["value", "kind", "label", "is_primary", "person"]
    list_filter = ["kind", "is_primary"]
    list_select_related = ["person"]
    search_fields = ["value", "label", "person__family_name", "person__given_name"]
    autocomplete_fields = ["person"]

    def has_delete_permission(self, request, obj=None):
        # Deleting a channel would delete the consents that name it.
        if obj is not None and obj.consents.exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        # A channel stays with its person: consents given for it name that person.
        return self.readonly_fields if obj is None else [*self.readonly_fields, "person"]

    def save_model(self, request, obj, form, change):
        adopt(obj, channel_save(form, person=obj.person))

    def delete_model(self, request, obj):
        services.channel_remove(channel=obj)

    def delete_queryset(self, request, queryset):
        """Remove each through the service; channels named in a consent stay, with a message."""
        for channel in queryset:
            try:
                services.channel_remove(channel=channel)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)


# --- consents ----------------------------------------------------------------------------


@admin.register(models.Consent)
class ConsentAdmin(VersionHistoryAdmin, DirectoryAdmin):
    """Consents are added and withdrawn, never changed or deleted (Art. 7 (1) DSGVO: the
    controller must be able to show what was consented to, when and to which text)."""

    list_display = [
        "person",
        "scope",
        "channel",
        "audience",
        "given_at",
        "text_version",
        "source",
        "recorded_by",
        "withdrawn_at",
    ]
    list_filter = ["scope", "audience", ConsentWithdrawnFilter, "source"]
    list_select_related = ["person", "channel", "recorded_by"]
    search_fields = ["person__family_name", "person__given_name", "channel__value", "text_version"]
    autocomplete_fields = ["person", "channel"]
    fields = ["person", "scope", "channel", "audience", "given_at", "text_version", "source"]
    readonly_fields = ["recorded_by", "withdrawn_at"]
    date_hierarchy = "given_at"
    actions = ["withdraw"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.fields
        return [*self.fields, "recorded_by", "withdrawn_at"]

    def save_model(self, request, obj, form, change):
        # Only adding reaches here: recorded consents are never changed.
        adopt(obj, consent_save(obj, recorded_by=request.user))

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_withdraw_permission(self, request) -> bool:
        return request.user.has_perm("contacts.change_consent")

    @admin.action(description=_("Ausgewählte Einwilligungen widerrufen"), permissions=["withdraw"])
    def withdraw(self, request, queryset):
        """Withdraw through the service; already withdrawn consents keep their date."""
        now = timezone.now()
        count = 0
        for consent in queryset.filter(withdrawn_at__isnull=True):
            services.consent_withdraw(consent=consent, at=now)
            count += 1
        if count:
            self.message_user(
                request,
                ngettext("%(count)d Einwilligung widerrufen.", "%(count)d Einwilligungen widerrufen.", count)
                % {"count": count},
                messages.SUCCESS,
            )
        else:
            self.message_user(request, _("Die ausgewählten Einwilligungen waren schon widerrufen."), messages.INFO)


# --- memberships -------------------------------------------------------------------------


@admin.register(models.Membership)
class MembershipAdmin(ExportAdmin, VersionHistoryAdmin, DirectoryAdmin):
    list_display = ["network", "holder", "role", "start", "end", "is_current"]
    list_filter = ["role", "network__kind", MembershipCurrentFilter, "network"]
    list_select_related = ["network", "institution", "person"]
    search_fields = [
        "network__name",
        "network__short_name",
        "person__family_name",
        "person__given_name",
        "institution__name",
    ]
    autocomplete_fields = ["network", "person", "institution"]
    readonly_fields = ["created_at", "updated_at"]
    date_hierarchy = "start"
    actions = ["end_today"]

    def has_delete_permission(self, request, obj=None):
        # Ended, not deleted: see NetworkMembershipInline.
        return False

    def save_model(self, request, obj, form, change):
        if change:
            stored = models.Membership.objects.get(pk=obj.pk)
            saved = services.membership_update(
                membership=stored, **_changes(obj, form.changed_data, services.MEMBERSHIP_FIELDS)
            )
        else:
            saved = services.membership_start(**{name: getattr(obj, name) for name in services.MEMBERSHIP_FIELDS})
        adopt(obj, saved)

    @admin.display(description=_("Mitglied"))
    def holder(self, obj: models.Membership) -> str:
        if obj.institution and obj.person:
            return f"{obj.institution} ({obj.person})"
        return str(obj.institution or obj.person)

    @admin.display(description=_("besteht heute"), boolean=True)
    def is_current(self, obj: models.Membership) -> bool:
        return obj.is_active

    def has_end_today_permission(self, request) -> bool:
        return request.user.has_perm("contacts.change_membership")

    @admin.action(description=_("Ausgewählte Mitgliedschaften heute beenden"), permissions=["end_today"])
    def end_today(self, request, queryset):
        """End through the service; the rows stay as history."""
        count = 0
        for membership in queryset.filter(Q(end__isnull=True) | Q(end__gt=timezone.localdate())):
            try:
                services.membership_end(membership=membership)
            except ValidationError as error:
                self.message_user(request, f"{membership}: {' '.join(error.messages)}", messages.ERROR)
                continue
            count += 1
        if count:
            self.message_user(
                request,
                ngettext("%(count)d Mitgliedschaft beendet.", "%(count)d Mitgliedschaften beendet.", count)
                % {"count": count},
                messages.SUCCESS,
            )


# --- accounts ----------------------------------------------------------------------------


class UserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta:
        model = models.User
        fields = ["email"]


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = models.User
        fields = "__all__"


@admin.register(models.User)
class UserAdmin(auth_admin.UserAdmin):
    """Django's account admin, keyed by the e-mail address instead of a user name."""

    form = UserChangeForm
    add_form = UserCreationForm
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person im Verzeichnis"), {"fields": ["person_link"]}),
        (
            _("Berechtigungen"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Wichtige Daten"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "usable_password", "password1", "password2"]}),
    ]
    readonly_fields = ["person_link", "last_login", "date_joined"]
    list_display = ["email", "person_name", "is_staff", "is_superuser", "is_active", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    list_select_related = ["person"]
    search_fields = ["email"]
    ordering = ["email"]

    @admin.display(description=_("Person"), ordering="person__family_name")
    def person_name(self, obj: models.User) -> str:
        person = getattr(obj, "person", None)
        return person.full_name if person else ""

    @admin.display(description=_("Person"))
    def person_link(self, obj: models.User) -> str:
        person = models.Person.objects.filter(user=obj).first() if obj.pk else None
        if person is None:
            return "–"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:contacts_person_change", args=[person.pk]), person.full_name
        )


# --- the street index ---------------------------------------------------------------------


class StreetImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV-Datei"),
        help_text=_(
            "UTF-8 (auch mit BOM, wie Excels „CSV UTF-8“), Trennzeichen Semikolon; Kopfzeile "
            "Straße;Hausnummer von;Hausnummer bis;Seite;PLZ;Lebensraum. Der Lebensraum ist seine "
            "Nummer (z. B. 341) oder sein Name."
        ),
    )
    mode = forms.ChoiceField(
        label=_("Bisherige Straßen"),
        choices=services.StreetImportMode.choices,
        widget=forms.RadioSelect,
    )
    import_valid_rows = forms.BooleanField(
        label=_("Gültige Zeilen auch dann importieren, wenn andere Zeilen fehlerhaft sind"),
        required=False,
    )


@admin.register(models.Street)
class StreetAdmin(DirectoryAdmin):
    list_display = ["name", "range_label", "postal_code", "area"]
    list_filter = ["area__parent", "parity"]
    list_select_related = ["area"]
    search_fields = ["name", "search_name", "postal_code", "area__name", "area__code"]
    autocomplete_fields = ["area"]
    readonly_fields = ["created_at", "updated_at"]
    change_list_template = "admin/contacts/street/change_list.html"

    @admin.display(description=_("Hausnummern"))
    def range_label(self, obj: models.Street) -> str:
        return obj.range_label or _("alle")

    def get_urls(self):
        custom = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="contacts_street_import",
            )
        ]
        return custom + super().get_urls()

    def import_view(self, request):
        """Upload the Straßenverzeichnis and read the report (line numbers, German messages)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        report = None
        status = 200
        if request.method == "POST":
            form = StreetImportForm(request.POST, request.FILES)
            if form.is_valid():
                mode = form.cleaned_data["mode"]
                if mode == services.StreetImportMode.REPLACE and not self.has_delete_permission(request):
                    raise PermissionDenied
                report = services.street_index_import(
                    file=form.cleaned_data["file"],
                    mode=mode,
                    import_valid_rows=form.cleaned_data["import_valid_rows"],
                )
                if report.written:
                    messages.success(
                        request,
                        _("Straßenverzeichnis importiert: %(created)s neu, %(updated)s geändert, %(deleted)s gelöscht.")
                        % {"created": report.created, "updated": report.updated, "deleted": report.deleted},
                    )
                else:
                    status = 400
            else:
                status = 400
        else:
            form = StreetImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Straßenverzeichnis importieren"),
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, "admin/contacts/street/import.html", context, status=status)


# --- what speaker teams propose, and invitations to accounts -------------------------------
# Read-only lists: proposals are decided and invitations resent or withdrawn through the
# services (actions here, or the pages /konto/vorschlaege/ and the network's management page).


class ReadOnlyServiceAdmin(DirectoryAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _each(self, request, queryset, write, done_message) -> None:
        """``write`` each row through its service; ``done_message(count)`` says how many went through."""
        count = 0
        for row in queryset:
            try:
                write(row)
            except (ValidationError, PermissionDenied) as error:
                self.message_user(
                    request, f"{row}: {' '.join(getattr(error, 'messages', [str(error)]))}", messages.ERROR
                )
                continue
            count += 1
        if count:
            self.message_user(request, done_message(count) % {"count": count}, messages.SUCCESS)


@admin.register(models.NetworkProposal)
class NetworkProposalAdmin(ReadOnlyServiceAdmin):
    list_display = ["__str__", "kind", "state", "created_at", "decided_at"]
    list_filter = ["state", "kind"]
    list_select_related = ["network"]
    search_fields = ["network__name", "institution_name"]
    actions = ["approve", "reject"]

    def has_decide_permission(self, request) -> bool:
        return request.user.has_perm("contacts.manage_directory")

    @admin.action(description=_("Ausgewählte Vorschläge annehmen"), permissions=["decide"])
    def approve(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda proposal: services.proposal_approve(proposal=proposal, actor=request.user),
            lambda count: ngettext("%(count)d Vorschlag angenommen.", "%(count)d Vorschläge angenommen.", count),
        )

    @admin.action(description=_("Ausgewählte Vorschläge ablehnen"), permissions=["decide"])
    def reject(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda proposal: services.proposal_reject(proposal=proposal, actor=request.user),
            lambda count: ngettext("%(count)d Vorschlag abgelehnt.", "%(count)d Vorschläge abgelehnt.", count),
        )


@admin.register(models.AccountInvitation)
class AccountInvitationAdmin(ReadOnlyServiceAdmin):
    list_display = ["person", "email", "network", "sent_at", "expires_at", "state_label"]
    list_filter = ["network"]
    list_select_related = ["person", "network"]
    search_fields = ["person__family_name", "email"]
    actions = ["resend", "withdraw"]

    def has_invite_permission(self, request) -> bool:
        return request.user.has_perm("contacts.invite_account")

    @admin.display(description=pgettext_lazy("invitation", "Stand"))
    def state_label(self, obj: models.AccountInvitation) -> str:
        return obj.state_label

    @admin.action(description=_("Ausgewählte Einladungen erneut senden"), permissions=["invite"])
    def resend(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda invitation: services.account_invitation_resend(invitation=invitation, actor=request.user),
            lambda count: ngettext(
                "%(count)d Einladung wird erneut gesendet.", "%(count)d Einladungen werden erneut gesendet.", count
            ),
        )

    @admin.action(description=_("Ausgewählte Einladungen zurückziehen"), permissions=["invite"])
    def withdraw(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda invitation: services.account_invitation_withdraw(invitation=invitation, actor=request.user),
            lambda count: ngettext("%(count)d Einladung zurückgezogen.", "%(count)d Einladungen zurückgezogen.", count),
        )
