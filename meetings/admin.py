"""The calendar in Django's admin, for Sozialplanung staff.

Every write here goes through ``meetings.services``, as the speakers' pages and the API do:
a moved or cancelled meeting raises its SEQUENCE (calendars update, the change or
cancellation mail follows), a changed series carries its future occurrences along, and an
agenda edit renumbers the TOPs. The forms ask the services' rules before anything is saved,
so a refused change shows its German message beside the form instead of failing half-way.
Answers, presence and date polls belong to the members' and speakers' pages; here staff
only look at them.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models as dbmodels
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from contacts.history_admin import VersionHistoryAdmin
from meetings import selectors, services
from meetings.models import (
    AgendaItem,
    Attendance,
    DatePoll,
    DatePollOption,
    GuestRegistration,
    Meeting,
    MeetingSeries,
    Minutes,
    SchoolHoliday,
)
from meetings.services.history import RESTORERS


def service_errors_to_form(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the fields it names (others: the whole form)."""
    if hasattr(error, "error_dict"):
        for name, field_messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, field_messages)
    else:
        form.add_error(None, error.messages)


def changed_values(form: forms.ModelForm, row, names) -> dict:
    """The cleaned values among ``names`` that differ from ``row`` as stored."""
    return {
        name: form.cleaned_data[name]
        for name in names
        if name in form.cleaned_data and getattr(row, name) != form.cleaned_data[name]
    }


def adopt(obj, saved) -> None:
    """Make the admin's ``obj`` the row a service wrote (the admin goes on with ``obj``)."""
    obj.pk = saved.pk
    obj.refresh_from_db()


class CalendarAdmin(admin.ModelAdmin):
    # Addresses typed without a scheme are https today; Django 6 makes that the default and
    # warns until then.
    formfield_overrides = {dbmodels.URLField: {"assume_scheme": "https"}}


class WrittenByServicesAdmin(CalendarAdmin):
    """A meeting or a series of a network: created and changed by its services only.

    Subclasses name the fields the services take (``service_fields``) and call them in
    ``create`` and ``update``. The row stays in its network once saved.
    """

    service_fields: tuple[str, ...] = ()

    def has_delete_permission(self, request, obj=None):
        # A meeting is cancelled, never deleted (the action "absagen" calls the service):
        # calendars keep showing the cancellation and members are told, which a deleted row
        # could do neither; its agenda, answers and minutes stay on record.
        return False

    def create(self, *, network, actor, **values):
        raise NotImplementedError

    def update(self, stored, *, actor, **changes):
        raise NotImplementedError

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        return [*self.readonly_fields, "network"]

    def save_model(self, request, obj, form, change):
        if change:
            stored = self.model.objects.get(pk=obj.pk)
            saved = self.update(stored, actor=request.user, **changed_values(form, stored, self.service_fields))
        else:
            values = {name: form.cleaned_data[name] for name in self.service_fields if name in form.cleaned_data}
            saved = self.create(network=form.cleaned_data["network"], actor=request.user, **values)
        adopt(obj, saved)


class ReadOnlyAdmin(CalendarAdmin):
    """Rows written on the members' and speakers' pages: staff look here, and change there."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- meetings --------------------------------------------------------------------------


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ["position", "title", "text", "is_public"]


class MinutesInline(admin.StackedInline):
    """Text, file and audience of the minutes; publishing is done on the meeting's page."""

    model = Minutes
    extra = 0
    fields = ["text", "file", "visibility", "published_at"]
    readonly_fields = ["published_at"]
    can_delete = False


class MeetingAdminForm(forms.ModelForm):
    """Asks ``services.meeting_update_check`` before a change is saved, as the web form does."""

    # No Meta: the admin builds it with the fields it shows (``modelform_factory``).

    def clean(self):
        cleaned = super().clean()
        # clean() runs before the form copies its values onto the instance: it is still the
        # stored row here.
        if self.instance.pk is not None and not self.errors:
            try:
                services.meeting_update_check(
                    meeting=self.instance, **changed_values(self, self.instance, services.MEETING_FIELDS)
                )
            except ValidationError as error:
                service_errors_to_form(self, error)
        return cleaned


@admin.register(Meeting)
class MeetingAdmin(VersionHistoryAdmin, WrittenByServicesAdmin):
    history_restorers = RESTORERS

    def history_querysets(self, obj) -> list:
        return selectors.meeting_history_querysets(obj)

    form = MeetingAdminForm
    service_fields = services.MEETING_FIELDS
    list_display = ["title", "network", "start", "status", "visibility", "sequence", "edited_by_hand"]
    list_filter = ["status", "visibility", "network__kind", "edited_by_hand"]
    search_fields = ["title", "network__name", "address", "room"]
    date_hierarchy = "start"
    list_select_related = ["network"]
    autocomplete_fields = ["network", "institution"]
    readonly_fields = [
        "uid",
        "series",
        "edited_by_hand",
        "sequence",
        "original_start",
        "moved_from",
        # Set on the meeting's page (``guest_settings_set``), which also moves guests up.
        "guests_open",
        "guest_capacity",
        "guest_waitlist",
        "guest_deadline",
        "created_at",
        "updated_at",
    ]
    inlines = [AgendaItemInline, MinutesInline]
    actions = ["cancel_meetings", "restore_meetings"]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status":
            # Cancelling is its own step (``meeting_cancel``), as on the meeting's page.
            kwargs["choices"] = [choice for choice in Meeting.Status.choices if choice[0] != Meeting.Status.CANCELLED]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and obj.status == Meeting.Status.CANCELLED and "status" in form.base_fields:
            # A cancelled meeting is restored through the action, never by picking a status.
            form.base_fields["status"].disabled = True
            form.base_fields["status"].choices = Meeting.Status.choices
        return form

    def create(self, *, network, actor, **values) -> Meeting:
        return services.meeting_schedule(network=network, actor=actor, **values)

    def update(self, stored: Meeting, *, actor, **changes) -> Meeting:
        return services.meeting_update(meeting=stored, actor=actor, **changes)

    def save_formset(self, request, form, formset, change):
        if formset.model is AgendaItem:
            self._agenda_save(request, form.instance, formset)
        elif formset.model is Minutes:
            self._minutes_save(request, form.instance, formset)
        else:
            super().save_formset(request, form, formset, change)

    def _agenda_save(self, request, meeting: Meeting, formset) -> None:
        formset.save(commit=False)
        for item in formset.deleted_objects:
            services.agenda_item_remove(item=AgendaItem.objects.get(pk=item.pk), actor=request.user)
        for item, changed in formset.changed_objects:
            stored = AgendaItem.objects.get(pk=item.pk)
            changes = {name: getattr(item, name) for name in changed if name in services.AGENDA_ITEM_FIELDS}
            services.agenda_item_update(item=stored, actor=request.user, **changes)
        for item in formset.new_objects:
            services.agenda_item_add(
                meeting=meeting,
                title=item.title,
                text=item.text,
                is_public=item.is_public,
                position=item.position,
                actor=request.user,
            )

    def _minutes_save(self, request, meeting: Meeting, formset) -> None:
        # Writes nothing; fills the lists the admin's change message is built from.
        formset.save(commit=False)
        for minutes_form in formset.forms:
            if not minutes_form.has_changed():
                continue
            data = minutes_form.cleaned_data
            upload = data.get("file") if "file" in minutes_form.changed_data else None
            services.minutes_save(
                meeting=meeting,
                text=data.get("text", ""),
                file=upload or None,
                visibility=data["visibility"],
                actor=request.user,
            )

    def _status_action(self, request, queryset, service, done_message) -> None:
        count = 0
        for meeting in queryset.select_related("network"):
            try:
                before = meeting.sequence
                if service(meeting=meeting, actor=request.user).sequence != before:
                    count += 1
            except ValidationError as error:
                self.message_user(request, f"{meeting}: {' '.join(error.messages)}", messages.ERROR)
        self.message_user(request, done_message(count), messages.SUCCESS if count else messages.INFO)

    @admin.action(description=_("Ausgewählte Sitzungen absagen"), permissions=["change"])
    def cancel_meetings(self, request, queryset):
        """Cancel through ``meeting_cancel``: abgesagt, sequence + 1, the cancellation mail follows."""
        self._status_action(
            request,
            queryset,
            services.meeting_cancel,
            lambda count: (
                ngettext("%(count)d Sitzung abgesagt.", "%(count)d Sitzungen abgesagt.", count) % {"count": count}
            ),
        )

    @admin.action(description=_("Ausgewählte Sitzungen wieder ansetzen"), permissions=["change"])
    def restore_meetings(self, request, queryset):
        """Undo cancellations through ``meeting_restore`` (geplant again, sequence + 1)."""
        self._status_action(
            request,
            queryset,
            services.meeting_restore,
            lambda count: (
                ngettext("%(count)d Sitzung findet wieder statt.", "%(count)d Sitzungen finden wieder statt.", count)
                % {"count": count}
            ),
        )


# --- series ----------------------------------------------------------------------------


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(VersionHistoryAdmin, WrittenByServicesAdmin):
    history_restorers = RESTORERS

    def history_querysets(self, obj) -> list:
        return selectors.meeting_history_querysets(obj)

    service_fields = services.SERIES_FIELDS
    list_display = ["title", "network", "rule_text", "first_date", "until", "cancelled_from", "generated_until"]
    list_filter = ["network__kind", "visibility"]
    search_fields = ["title", "network__name"]
    list_select_related = ["network"]
    autocomplete_fields = ["network", "institution"]
    readonly_fields = ["cancelled_from", "generated_until", "created_at", "updated_at"]
    actions = ["cancel_from_today"]

    @admin.display(description=_("Rhythmus"))
    def rule_text(self, series: MeetingSeries) -> str:
        return series.description

    def create(self, *, network, actor, **values) -> MeetingSeries:
        return services.series_create(network=network, actor=actor, **values)

    def update(self, stored: MeetingSeries, *, actor, **changes) -> MeetingSeries:
        return services.series_update(series=stored, actor=actor, **changes)

    @admin.action(description=_("Ausgewählte Serien ab heute absagen"), permissions=["change"])
    def cancel_from_today(self, request, queryset):
        """End each series through ``series_cancel_from``: its meetings from today on are cancelled."""
        today = timezone.localdate()
        count = 0
        for series in queryset:
            try:
                count += services.series_cancel_from(series=series, day=today, actor=request.user)
            except ValidationError as error:
                self.message_user(request, f"{series}: {' '.join(error.messages)}", messages.ERROR)
        self.message_user(
            request,
            ngettext("%(count)d Sitzung abgesagt.", "%(count)d Sitzungen abgesagt.", count) % {"count": count},
            messages.SUCCESS,
        )


# --- what members and speakers write on their pages ---------------------------------------


class DatePollOptionInline(admin.TabularInline):
    model = DatePollOption
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DatePoll)
class DatePollAdmin(ReadOnlyAdmin):
    """Polls are created, answered and closed on the network's pages (staff may plan for every
    network there); the Verwaltung shows them."""

    list_display = ["title", "network", "deadline", "status"]
    list_filter = ["status"]
    search_fields = ["title", "network__name"]
    list_select_related = ["network"]
    inlines = [DatePollOptionInline]


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    """Answers come from the members, presence from the meeting's page."""

    list_display = ["meeting", "person", "answer", "presence", "answered_at"]
    list_filter = ["answer", "presence"]
    list_select_related = ["meeting", "person"]


@admin.register(GuestRegistration)
class GuestRegistrationAdmin(ReadOnlyAdmin):
    """Guests registered on a meeting's page. Staff answer a guest's request for their data
    here (Art. 15, 17 DSGVO): deleting cancels the registration through the service, so the
    seat goes to the waiting list as when the guest cancels."""

    list_display = ["name", "meeting", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "email", "institution", "meeting__title"]
    list_select_related = ["meeting"]

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("meetings.delete_guestregistration")

    def delete_model(self, request, obj):
        services.guest_registration_cancel(registration=obj)

    def delete_queryset(self, request, queryset):
        for registration in queryset.select_related("meeting"):
            services.guest_registration_cancel(registration=registration)


@admin.register(SchoolHoliday)
class SchoolHolidayAdmin(admin.ModelAdmin):
    list_display = ["name", "start", "end"]
    search_fields = ["name"]
    date_hierarchy = "start"
