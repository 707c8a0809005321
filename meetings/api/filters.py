import django_filters
from django.utils.translation import gettext_lazy as _

from contacts.api.filters import (
    BooleanFilter,
    IdFilter,
    MultipleChoiceFilter,
    SlugFilter,
    area_filter,
    date_time_filter,
    search_filter,
    updated_since_filter,
)
from contacts.models import Network
from contacts.selectors import area_descendant_ids
from meetings.api.selectors import series_visible
from meetings.models import AgendaItem, DatePoll, Meeting, MeetingSeries, Visibility, in_networks


def network_filter() -> SlugFilter:
    return SlugFilter(field_name="network", label=_("Netzwerk (Kurzname; mehrfach möglich)"))


def kind_filter() -> MultipleChoiceFilter:
    return MultipleChoiceFilter(field_name="network__kind", choices=Network.Kind.choices, label=_("Art des Netzwerks"))


class NetworkAreaMixin:
    def filter_area(self, queryset, name, value):
        links = Network.areas.through.objects.filter(area_id__in=area_descendant_ids(value))
        return queryset.filter(network_id__in=links.values("network_id"))


class JointSlugFilter(SlugFilter):
    """Meetings of the named networks, also those a network holds jointly with another."""

    def filter(self, queryset, value):
        if not value:
            return queryset
        return queryset.filter(in_networks(Network.objects.filter(slug__in=value).values("pk")))


class MeetingFilter(NetworkAreaMixin, django_filters.FilterSet):
    network = JointSlugFilter(
        field_name="network", label=_("Netzwerk (Kurzname; mehrfach möglich; auch gemeinsame Sitzungen)")
    )
    kind = MultipleChoiceFilter(method="filter_kind", choices=Network.Kind.choices, label=_("Art des Netzwerks"))
    area = area_filter("filter_area")
    series = IdFilter(method="filter_series", label=_("Terminserie (ID)"))
    status = MultipleChoiceFilter(choices=Meeting.Status.choices, label=_("Status"))
    visibility = django_filters.ChoiceFilter(choices=Visibility.choices, label=_("sichtbar für"))
    start_after = date_time_filter(
        field_name="start", lookup_expr="gte", label=_("Beginn ab (ISO 8601, einschließlich)")
    )
    start_before = date_time_filter(
        field_name="start",
        lookup_expr="lt",
        label=_("Beginn vor (ISO 8601, ausschließlich; vor start_after: leere Liste)"),
    )
    updated_since = updated_since_filter()
    search = search_filter("search_name", label=_("Freitext im Titel (alle Wörter müssen vorkommen)"))

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

    def filter_kind(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(in_networks(Network.objects.filter(kind__in=value).values("pk")))

    def filter_area(self, queryset, name, value):
        links = Network.areas.through.objects.filter(area_id__in=area_descendant_ids(value))
        return queryset.filter(in_networks(links.values("network_id")))

    def filter_series(self, queryset, name, value):
        # Only a series the requester sees: filtering by a hidden one would tell which public
        # meetings belong to it.
        return queryset.filter(series_id=value, series__in=series_visible(self.request.user))


class SeriesFilter(NetworkAreaMixin, django_filters.FilterSet):
    network = network_filter()
    kind = kind_filter()
    area = area_filter("filter_area")
    visibility = django_filters.ChoiceFilter(choices=Visibility.choices, label=_("sichtbar für"))
    updated_since = updated_since_filter()
    search = search_filter("title", label=_("Freitext im Titel (alle Wörter müssen vorkommen)"))

    class Meta:
        model = MeetingSeries
        fields = ["network", "kind", "area", "visibility", "updated_since", "search"]


class AgendaItemFilter(django_filters.FilterSet):
    meeting = django_filters.UUIDFilter(field_name="meeting__uid", label=_("Sitzung (uid)"))
    network = SlugFilter(field_name="meeting__network", label=_("Netzwerk (Kurzname; mehrfach möglich)"))
    is_public = BooleanFilter(label=_("öffentlich"))
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
