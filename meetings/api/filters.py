import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from contacts.api.filters import (
    SlugChoiceFilter,
    SlugMultipleChoiceFilter,
    area_filter,
    search_filter,
    updated_since_filter,
)
from contacts.models import Network
from contacts.selectors import area_descendant_ids
from meetings.api.selectors import series_visible
from meetings.models import AgendaItem, DatePoll, Meeting, MeetingSeries, Visibility


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """A database id: a whole number in the range every database can hold."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**31 - 1)
        super().__init__(*args, **kwargs)


def network_filter() -> SlugMultipleChoiceFilter:
    return SlugMultipleChoiceFilter(
        field_name="network",
        queryset=Network.objects.all(),
        label=_("Netzwerk (Kurzname; mehrfach möglich)"),
    )


def kind_filter() -> django_filters.MultipleChoiceFilter:
    return django_filters.MultipleChoiceFilter(
        field_name="network__kind", choices=Network.Kind.choices, label=_("Art des Netzwerks")
    )


class NetworkAreaMixin:
    def filter_area(self, queryset, name, value):
        links = Network.areas.through.objects.filter(area_id__in=area_descendant_ids(value))
        return queryset.filter(network_id__in=links.values("network_id"))


class MeetingFilter(NetworkAreaMixin, django_filters.FilterSet):
    network = network_filter()
    kind = kind_filter()
    area = area_filter("filter_area")
    series = IdFilter(method="filter_series", label=_("Terminserie (ID)"))
    status = django_filters.MultipleChoiceFilter(choices=Meeting.Status.choices, label=_("Status"))
    visibility = django_filters.ChoiceFilter(choices=Visibility.choices, label=_("sichtbar für"))
    start_after = django_filters.IsoDateTimeFilter(
        field_name="start", lookup_expr="gte", label=_("Beginn ab (ISO 8601, einschließlich)")
    )
    start_before = django_filters.IsoDateTimeFilter(
        field_name="start", lookup_expr="lt", label=_("Beginn vor (ISO 8601, ausschließlich)")
    )
    updated_since = updated_since_filter()
    search = search_filter("title")

    class Meta:
        model = Meeting
        fields = [
            "network",
            "kind",
            "area",
            "series",
            "status",
            "visibility",
            "start_after",
            "start_before",
            "updated_since",
            "search",
        ]

    def filter_series(self, queryset, name, value):
        # Only a series the requester sees: filtering by a hidden one would tell which public
        # meetings belong to it.
        return queryset.filter(series_id=value, series__in=series_visible(self.request.user))

    def is_valid(self) -> bool:
        if not super().is_valid():
            return False
        after = self.form.cleaned_data.get("start_after")
        before = self.form.cleaned_data.get("start_before")
        if after is not None and before is not None and before <= after:
            self.form.add_error("start_before", _("„start_before“ muss nach „start_after“ liegen."))
            return False
        return True


class SeriesFilter(NetworkAreaMixin, django_filters.FilterSet):
    network = network_filter()
    kind = kind_filter()
    area = area_filter("filter_area")
    visibility = django_filters.ChoiceFilter(choices=Visibility.choices, label=_("sichtbar für"))
    updated_since = updated_since_filter()
    search = search_filter("title")

    class Meta:
        model = MeetingSeries
        fields = ["network", "kind", "area", "visibility", "updated_since", "search"]


class AgendaItemFilter(django_filters.FilterSet):
    meeting = django_filters.UUIDFilter(field_name="meeting__uid", label=_("Sitzung (uid)"))
    network = SlugChoiceFilter(
        field_name="meeting__network", queryset=Network.objects.all(), label=_("Netzwerk (Kurzname)")
    )
    is_public = django_filters.BooleanFilter(label=_("öffentlich"))
    updated_since = updated_since_filter()

    class Meta:
        model = AgendaItem
        fields = ["meeting", "network", "is_public", "updated_since"]


class PollFilter(django_filters.FilterSet):
    network = network_filter()
    status = django_filters.ChoiceFilter(choices=DatePoll.Status.choices, label=_("Status"))
    updated_since = updated_since_filter()

    class Meta:
        model = DatePoll
        fields = ["network", "status", "updated_since"]
