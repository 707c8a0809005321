import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from contacts.models import Area, Institution, InstitutionCategory, InstitutionType, Membership, Network, Person
from contacts.selectors import area_descendant_ids
from contacts.validators import validate_plausible_year

# Free text is a plain "contains" here; the combined search endpoint does the tolerant one.
SEARCH_MAX_LENGTH = 200


@extend_schema_field(OpenApiTypes.INT)
class AreaChoiceFilter(django_filters.ModelChoiceFilter):
    """An area chosen by its id (documented as an integer in the OpenAPI schema)."""


@extend_schema_field(OpenApiTypes.STR)
class SlugChoiceFilter(django_filters.ModelChoiceFilter):
    """An object chosen by its ``slug`` (documented as a string)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.STR)
class SlugMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    """Objects chosen by their ``slug``, repeatable (``?network=a&network=b``)."""

    def __init__(self, *args, field_name: str, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        super().__init__(*args, field_name=f"{field_name}__slug", **kwargs)


def search_filter(*fields: str) -> django_filters.CharFilter:
    """A ``search`` parameter: every word must occur in one of ``fields`` (case-insensitive)."""

    def method(queryset, name, value):
        for word in value.split():
            condition = Q()
            for field in fields:
                condition |= Q(**{f"{field}__icontains": word})
            queryset = queryset.filter(condition)
        return queryset

    return django_filters.CharFilter(
        method=method,
        max_length=SEARCH_MAX_LENGTH,
        label=_("Freitext (alle Wörter müssen vorkommen)"),
    )


def date_time_filter(**kwargs) -> django_filters.IsoDateTimeFilter:
    """An ISO 8601 date-time parameter, refused with a German message outside 1900–2200
    (year 1 with +14:00 or year 9999 would overflow in the database adapter)."""
    return django_filters.IsoDateTimeFilter(validators=[validate_plausible_year], **kwargs)


def updated_since_filter() -> django_filters.IsoDateTimeFilter:
    return date_time_filter(
        field_name="updated_at", lookup_expr="gte", label=_("geändert seit (ISO 8601, z. B. 2026-11-01T00:00:00+01:00)")
    )


def area_filter(method: str) -> AreaChoiceFilter:
    return AreaChoiceFilter(
        queryset=Area.objects.all(),
        method=method,
        label=_("Gebiet (ID), einschließlich der darin liegenden Gebiete"),
    )


class AreaFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Area.Level.choices, label=_("Ebene"))
    parent = django_filters.ModelChoiceFilter(queryset=Area.objects.all(), label=_("übergeordnetes Gebiet (ID)"))
    updated_since = updated_since_filter()
    search = search_filter("name", "code")

    class Meta:
        model = Area
        fields = ["level", "parent", "updated_since", "search"]


class NetworkFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=Network.Kind.choices, label=_("Art"))
    area = area_filter("filter_area")
    is_active = django_filters.BooleanFilter(label=_("aktiv"))
    updated_since = updated_since_filter()
    search = search_filter("name", "short_name")

    class Meta:
        model = Network
        fields = ["kind", "area", "is_active", "updated_since", "search"]

    def filter_area(self, queryset, name, value):
        return queryset.filter(areas__in=area_descendant_ids(value)).distinct()


class InstitutionFilter(django_filters.FilterSet):
    type = SlugMultipleChoiceFilter(
        field_name="type",
        queryset=InstitutionType.objects.all(),
        label=_("Einrichtungsart (Kurzname; mehrfach möglich)"),
    )
    category = django_filters.ModelChoiceFilter(
        field_name="type__category", queryset=InstitutionCategory.objects.all(), label=_("Bereich (ID)")
    )
    area = area_filter("filter_area")
    network = SlugChoiceFilter(
        queryset=Network.objects.all(), method="filter_network", label=_("aktuelles Mitglied im Netzwerk (Kurzname)")
    )
    updated_since = updated_since_filter()
    search = search_filter("name", "street")

    class Meta:
        model = Institution
        fields = ["type", "category", "area", "network", "updated_since", "search"]

    def filter_area(self, queryset, name, value):
        return queryset.filter(area_id__in=area_descendant_ids(value))

    def filter_network(self, queryset, name, value):
        members = Membership.objects.active().filter(network=value, institution__isnull=False)
        return queryset.filter(pk__in=members.values("institution_id"))


class PersonFilter(django_filters.FilterSet):
    # Only the name is searched: matching a hidden e-mail address would reveal it.
    search = search_filter("given_name", "family_name")
    network = SlugChoiceFilter(
        queryset=Network.objects.all(), method="filter_network", label=_("aktuelles Mitglied im Netzwerk (Kurzname)")
    )

    class Meta:
        model = Person
        fields = ["search", "network"]

    def filter_network(self, queryset, name, value):
        members = Membership.objects.active().filter(network=value, person__isnull=False)
        return queryset.filter(pk__in=members.values("person_id"))


class MembershipFilter(django_filters.FilterSet):
    network = SlugChoiceFilter(queryset=Network.objects.all(), label=_("Netzwerk (Kurzname)"))
    kind = django_filters.MultipleChoiceFilter(
        field_name="network__kind", choices=Network.Kind.choices, label=_("Art des Netzwerks")
    )
    area = area_filter("filter_area")
    institution = SlugChoiceFilter(queryset=Institution.objects.all(), label=_("Einrichtung (Kurzname)"))
    role = django_filters.MultipleChoiceFilter(choices=Membership.Role.choices, label=_("Rolle"))
    updated_since = updated_since_filter()

    class Meta:
        model = Membership
        fields = ["network", "kind", "area", "institution", "role", "updated_since"]

    def filter_area(self, queryset, name, value):
        links = Network.areas.through.objects.filter(area_id__in=area_descendant_ids(value))
        return queryset.filter(network_id__in=links.values("network_id"))
