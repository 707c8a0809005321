"""The calendar in Django's admin, for Sozialplanung staff.

Staff edit here what the speakers' pages do not cover. Changes made here bypass the
services (no sequence bump, no series propagation); the pages and API are the way for
everyday planning.
"""

from django.contrib import admin
from django.db import models as dbmodels
from django.utils.translation import gettext_lazy as _

from meetings.models import (
    AgendaItem,
    Attendance,
    DatePoll,
    DatePollOption,
    Meeting,
    MeetingSeries,
    Minutes,
    SchoolHoliday,
)


class CalendarAdmin(admin.ModelAdmin):
    # Addresses typed without a scheme are https today; Django 6 makes that the default and
    # warns until then.
    formfield_overrides = {dbmodels.URLField: {"assume_scheme": "https"}}


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ["position", "title", "text", "is_public"]


class MinutesInline(admin.StackedInline):
    model = Minutes
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(CalendarAdmin):
    list_display = ["title", "network", "start", "status", "visibility", "sequence", "edited_by_hand"]
    list_filter = ["status", "visibility", "network__kind", "edited_by_hand"]
    search_fields = ["title", "network__name", "address", "room"]
    date_hierarchy = "start"
    list_select_related = ["network"]
    autocomplete_fields = ["network", "institution"]
    raw_id_fields = ["series"]
    readonly_fields = ["uid", "sequence", "original_start", "moved_from", "created_at", "updated_at"]
    inlines = [AgendaItemInline, MinutesInline]


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(CalendarAdmin):
    list_display = ["title", "network", "rule_text", "first_date", "until", "cancelled_from", "generated_until"]
    list_filter = ["network__kind", "visibility"]
    search_fields = ["title", "network__name"]
    list_select_related = ["network"]
    autocomplete_fields = ["network", "institution"]
    readonly_fields = ["generated_until", "created_at", "updated_at"]

    @admin.display(description=_("Rhythmus"))
    def rule_text(self, series: MeetingSeries) -> str:
        return series.description


class DatePollOptionInline(admin.TabularInline):
    model = DatePollOption
    extra = 0


@admin.register(DatePoll)
class DatePollAdmin(CalendarAdmin):
    list_display = ["title", "network", "deadline", "status"]
    list_filter = ["status"]
    search_fields = ["title", "network__name"]
    list_select_related = ["network"]
    autocomplete_fields = ["network"]
    raw_id_fields = ["chosen_option", "meeting", "created_by"]
    inlines = [DatePollOptionInline]


@admin.register(Attendance)
class AttendanceAdmin(CalendarAdmin):
    list_display = ["meeting", "person", "answer", "presence", "answered_at"]
    list_filter = ["answer", "presence"]
    list_select_related = ["meeting", "person"]
    raw_id_fields = ["meeting", "person"]


@admin.register(SchoolHoliday)
class SchoolHolidayAdmin(admin.ModelAdmin):
    list_display = ["name", "start", "end"]
    search_fields = ["name"]
    date_hierarchy = "start"
