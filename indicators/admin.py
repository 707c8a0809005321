"""The catalogue of indicators in the Verwaltung. Values come by import
(/gebiete/kennzahlen/import/) and shapes by ``manage.py import_geojson``; both are shown
here read-only, so there is one write path for each."""

from django.contrib import admin

from indicators import services
from indicators.models import AreaShape, Indicator, IndicatorValue


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "unit", "higher_means_need", "source", "position"]
    search_fields = ["name", "slug", "source"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["is_demo", "created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        # The short name is how imports and addresses name the indicator: fixed once made.
        return [*self.readonly_fields, "slug"] if obj else self.readonly_fields

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj else self.prepopulated_fields

    def save_model(self, request, obj, form, change):
        """Through ``services.indicator_save``, as the demo does."""
        saved = services.indicator_save(
            slug=obj.slug, **{name: getattr(obj, name) for name in services.INDICATOR_FIELDS}
        )
        obj.pk = saved.pk


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = ["indicator", "area", "year", "value", "population", "status"]
    list_filter = ["indicator", "year", "status", "area__level"]
    list_select_related = ["indicator", "area"]
    search_fields = ["area__name", "area__code", "indicator__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(AreaShape)
class AreaShapeAdmin(admin.ModelAdmin):
    list_display = ["area", "is_schematic", "source", "updated_at"]
    list_select_related = ["area"]
    list_filter = ["is_schematic"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
