import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from contacts.models import Area, Network
from contacts.selectors import area_descendant_ids


@extend_schema_field(OpenApiTypes.INT)
class AreaChoiceFilter(django_filters.ModelChoiceFilter):
    """An area chosen by its id (documented as an integer in the OpenAPI schema)."""


class AreaFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Area.Level.choices, label=_("Ebene"))
    parent = django_filters.ModelChoiceFilter(queryset=Area.objects.all(), label=_("übergeordnetes Gebiet (ID)"))
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label=_("geändert seit (ISO 8601)")
    )

    class Meta:
        model = Area
        fields = ["level", "parent", "updated_since"]


class NetworkFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=Network.Kind.choices, label=_("Art"))
    area = AreaChoiceFilter(
        queryset=Area.objects.all(),
        method="filter_area",
        label=_("Gebiet (ID), einschließlich der darin liegenden Gebiete"),
    )
    is_active = django_filters.BooleanFilter(label=_("aktiv"))
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label=_("geändert seit (ISO 8601)")
    )

    class Meta:
        model = Network
        fields = ["kind", "area", "is_active", "updated_since"]

    def filter_area(self, queryset, name, value):
        return queryset.filter(areas__in=area_descendant_ids(value)).distinct()
