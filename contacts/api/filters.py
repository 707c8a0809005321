import re

import django_filters
from django import forms
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import QueryArrayWidget
from drf_spectacular.utils import extend_schema_field

from contacts.models import Area, Institution, Membership, Network, Person
from contacts.selectors import area_descendant_ids
from contacts.textsearch import Fold, fold_words, spaced
from contacts.validators import validate_plausible_year

# Free text here is every folded word contained; the combined search endpoint also ranks and
# forgives typos.
SEARCH_MAX_LENGTH = 200
SLUG_MAX_LENGTH = 200
# What Django's SlugField accepts.
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


# A whole number every database can hold as an id.
ID_MAX = 2**31 - 1


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": ID_MAX})
class IdFilter(django_filters.NumberFilter):
    """A database id. An id that names nothing filters everything out (an empty list, as
    for any other value nothing has): whether an id exists is not a question of syntax."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(*args, **kwargs)


class _ChoicesField(django_filters.fields.MultipleChoiceField):
    """A repeated choice; empty values (``?kind=``, as a filter form sends them) left out."""

    def to_python(self, value) -> list[str]:
        return [item for item in super().to_python(value) if item != ""]


class MultipleChoiceFilter(django_filters.MultipleChoiceFilter):
    """Several choices (``?kind=stk&kind=oag``); an empty value is no filter, an unknown
    one a 400 that names it."""

    field_class = _ChoicesField


class _StrictBooleanField(forms.NullBooleanField):
    """``true``/``false`` (also ``1``/``0``); empty is no filter; anything else is a 400 — a
    plain NullBooleanField reads an unknown word as "no filter" and answers everything."""

    widget = forms.TextInput
    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        answer = self.VALUES.get(str(value).strip().lower())
        if answer is None:
            raise forms.ValidationError(_("Bitte geben Sie „true“ oder „false“ an."), code="invalid")
        return answer

    def validate(self, value) -> None:
        pass


class BooleanFilter(django_filters.BooleanFilter):
    field_class = _StrictBooleanField


class _SlugListField(forms.Field):
    """The values of a repeated parameter, empty ones left out."""

    widget = QueryArrayWidget

    def to_python(self, value) -> list[str]:
        if value in self.empty_values:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        return [str(item) for item in values if str(item)]

    def validate(self, value) -> None:
        super().validate(value)
        if any(len(item) > SLUG_MAX_LENGTH for item in value):
            raise forms.ValidationError(
                _("Ein Kurzname hat höchstens %(max)d Zeichen.") % {"max": SLUG_MAX_LENGTH}, code="max_length"
            )
        if not all(SLUG.fullmatch(item) for item in value):
            raise forms.ValidationError(
                _("Ein Kurzname besteht nur aus Buchstaben a–z, Ziffern, - und _."), code="invalid"
            )


# In the schema an empty item is allowed too: "?network=" is no filter (as an HTML filter
# form sends it).
@extend_schema_field(
    {"type": "array", "items": {"type": "string", "maxLength": SLUG_MAX_LENGTH, "pattern": "^[-a-zA-Z0-9_]*$"}}
)
class SlugFilter(django_filters.Filter):
    """Objects chosen by their ``slug``, repeatable (``?network=a&network=b``). A slug that
    names nothing matches nothing; an empty value is no filter."""

    field_class = _SlugListField

    def __init__(self, *args, field_name: str, **kwargs):
        super().__init__(*args, field_name=f"{field_name}__slug__in", **kwargs)

    def filter(self, queryset, value):
        if not value:
            return queryset
        return queryset.filter(**{self.field_name: value})


@extend_schema_field({"type": "string", "maxLength": SEARCH_MAX_LENGTH, "pattern": r"^[^\x00]*$"})
class SearchFilter(django_filters.CharFilter):
    """Free text, documented with its length limit."""


def search_filter(*fields: str, label=None) -> django_filters.CharFilter:
    """A ``search`` parameter: every word must occur in one of ``fields``, compared folded as
    the site search does (``contacts.textsearch.fold``: case, umlauts and ß do not matter,
    so "Kornelimunster" finds "Kornelimünster"). A single stored folded column
    (``search_name``, ``search_text``) is compared as it is; plain fields are folded in the
    query."""
    if len(fields) == 1 and fields[0].startswith("search_"):
        folded = F(fields[0])
    else:
        folded = Fold(spaced(*fields)) if len(fields) > 1 else Fold(fields[0])

    def method(queryset, name, value):
        words = fold_words(value)
        if not words:
            return queryset
        queryset = queryset.alias(search_folded=folded)
        for word in words:
            queryset = queryset.filter(search_folded__contains=word)
        return queryset

    return SearchFilter(
        method=method,
        max_length=SEARCH_MAX_LENGTH,
        label=label or _("Freitext (alle Wörter müssen vorkommen; Groß- und Kleinschreibung und Umlaute egal)"),
    )


# The years validate_plausible_year accepts, as the schema states them.
PLAUSIBLE_YEAR_PATTERN = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-"


@extend_schema_field({"type": "string", "format": "date-time", "pattern": PLAUSIBLE_YEAR_PATTERN})
class PlausibleDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date-time in the years 1900–2200."""


def date_time_filter(**kwargs) -> django_filters.IsoDateTimeFilter:
    """An ISO 8601 date-time parameter, refused with a German message outside 1900–2200
    (year 1 with +14:00 or year 9999 would overflow in the database adapter)."""
    return PlausibleDateTimeFilter(validators=[validate_plausible_year], **kwargs)


def updated_since_filter() -> django_filters.IsoDateTimeFilter:
    return date_time_filter(
        field_name="updated_at", lookup_expr="gte", label=_("geändert seit (ISO 8601, z. B. 2026-11-01T00:00:00+01:00)")
    )


def area_filter(method: str) -> IdFilter:
    return IdFilter(
        method=method,
        label=_("Gebiet (ID), einschließlich der darin liegenden Gebiete"),
    )


class AreaFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Area.Level.choices, label=_("Ebene"))
    parent = IdFilter(field_name="parent_id", label=_("übergeordnetes Gebiet (ID)"))
    updated_since = updated_since_filter()
    search = search_filter("search_text", label=_("Freitext in Nummer und Name (alle Wörter müssen vorkommen)"))

    class Meta:
        model = Area
        fields = ["level", "parent", "updated_since", "search"]


class NetworkFilter(django_filters.FilterSet):
    kind = MultipleChoiceFilter(choices=Network.Kind.choices, label=_("Art"))
    area = area_filter("filter_area")
    is_active = BooleanFilter(label=_("aktiv"))
    updated_since = updated_since_filter()
    search = search_filter("name", "short_name")

    class Meta:
        model = Network
        fields = ["kind", "area", "is_active", "updated_since", "search"]

    def filter_area(self, queryset, name, value):
        return queryset.filter(areas__in=area_descendant_ids(value)).distinct()


class InstitutionFilter(django_filters.FilterSet):
    type = SlugFilter(field_name="type", label=_("Einrichtungsart (Kurzname; mehrfach möglich)"))
    category = IdFilter(field_name="type__category_id", label=_("Bereich (ID)"))
    area = area_filter("filter_area")
    network = SlugFilter(
        field_name="network",
        method="filter_network",
        label=_("aktuelles Mitglied im Netzwerk (Kurzname; mehrfach möglich)"),
    )
    updated_since = updated_since_filter()
    search = search_filter("search_text", label=_("Freitext in Name und Straße (alle Wörter müssen vorkommen)"))

    class Meta:
        model = Institution
        fields = ["type", "category", "area", "network", "updated_since", "search"]

    def filter_area(self, queryset, name, value):
        return queryset.filter(area_id__in=area_descendant_ids(value))

    def filter_network(self, queryset, name, value):
        members = Membership.objects.active().filter(network__slug__in=value, institution__isnull=False)
        return queryset.filter(pk__in=members.values("institution_id"))


class PersonFilter(django_filters.FilterSet):
    # Only the name is searched: matching a hidden e-mail address would reveal it.
    search = search_filter("given_name", "family_name")
    network = SlugFilter(
        field_name="network",
        method="filter_network",
        label=_("aktuelles Mitglied im Netzwerk (Kurzname; mehrfach möglich)"),
    )

    class Meta:
        model = Person
        fields = ["search", "network"]

    def filter_network(self, queryset, name, value):
        members = Membership.objects.active().filter(network__slug__in=value, person__isnull=False)
        return queryset.filter(pk__in=members.values("person_id"))


class MembershipFilter(django_filters.FilterSet):
    network = SlugFilter(field_name="network", label=_("Netzwerk (Kurzname; mehrfach möglich)"))
    kind = MultipleChoiceFilter(field_name="network__kind", choices=Network.Kind.choices, label=_("Art des Netzwerks"))
    area = area_filter("filter_area")
    institution = SlugFilter(field_name="institution", label=_("Einrichtung (Kurzname; mehrfach möglich)"))
    role = MultipleChoiceFilter(choices=Membership.Role.choices, label=_("Rolle"))
    updated_since = updated_since_filter()

    class Meta:
        model = Membership
        fields = ["network", "kind", "area", "institution", "role", "updated_since"]

    def filter_area(self, queryset, name, value):
        links = Network.areas.through.objects.filter(area_id__in=area_descendant_ids(value))
        return queryset.filter(network_id__in=links.values("network_id"))
