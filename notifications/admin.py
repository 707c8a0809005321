"""The Verwaltung's view of the notification machinery: read-only, the workers write it."""

from django.contrib import admin

from notifications.models import PeriodicRun


@admin.register(PeriodicRun)
class PeriodicRunAdmin(admin.ModelAdmin):
    """Shows when each periodic job last ran; editing would only hide a stalled worker."""

    list_display = ["name", "last_run_at", "run_count"]
    search_fields = ["name"]
    ordering = ["name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
