import copy
from functools import cached_property
from operator import attrgetter
from urllib.parse import quote

from django.urls import reverse
from django.utils import translation
from django.utils.http import RFC3986_SUBDELIMS
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject

from contacts.models import Area, Institution, InstitutionType, Membership, Network, Topic, Umbrella
from contacts.visibility import project_person

# Stand-ins that the URL converters accept (a slug, a UUID) and no other part of an address holds.
_SLUG_MARKER = "netzwerk-url-marker"
UUID_MARKER = "00000000-0000-4000-8000-000000000000"
ID_MARKER = 987654321


class PageUrls:
    """The absolute addresses of one kind of page for the rows of a response: the pattern is
    reversed once, and each row's key put into its place, quoted as ``reverse`` quotes it
    (``reverse`` per row cost as much as some whole rows)."""

    def __init__(self, url_name: str, *, key: str, request, site: str = "") -> None:
        marker = UUID_MARKER if key == "uid" else _SLUG_MARKER
        path = reverse(url_name, args=[marker])
        # Without a request: the path alone, or on the ``site`` given.
        address = request.build_absolute_uri(path) if request is not None else site + path
        self.before, _, self.after = address.partition(marker)

    def of(self, key) -> str:
        return self.before + quote(str(key), safe=RFC3986_SUBDELIMS + "/~:@") + self.after


@extend_schema_field(OpenApiTypes.URI)
class HtmlUrlField(serializers.Field):
    """The absolute address of the object's public page (``html_url``), read-only."""

    def __init__(self, url_name: str, *, key: str = "slug", **kwargs) -> None:
        self.url_name = url_name
        self.key = key
        super().__init__(source="*", read_only=True, **kwargs)

    @cached_property
    def urls(self) -> PageUrls:
        # Once per serializer, that is per response: the field is copied for each.
        return PageUrls(self.url_name, key=self.key, request=self.context.get("request"))

    def to_representation(self, value) -> str:
        return self.urls.of(getattr(value, self.key))


# (model, field, language) → {value: label}: the choices are fixed in the code.
_choice_labels: dict[tuple[type, str, str | None], dict] = {}


def choice_labels(model: type, field_name: str) -> dict:
    """The labels of a field's choices in the current language, as ``get_<field>_display()``
    gives them, made once per model, field and language."""
    key = (model, field_name, translation.get_language())
    labels = _choice_labels.get(key)
    if labels is None:
        choices = model._meta.get_field(field_name).flatchoices
        labels = _choice_labels[key] = {choice: str(label) for choice, label in choices}
    return labels


def choice_display(labels: dict, choice) -> str | None:
    """The label of ``choice`` (``DisplayField``'s representation): a value without one as
    itself, as text."""
    if choice in labels:
        return labels[choice]
    return None if choice is None else str(choice)


class DisplayField(serializers.CharField):
    """The label of a choice, as ``get_<field>_display()`` gives it, read-only.

    ``CharField(source="get_<field>_display")`` gives the same, but DRF inspects the bound
    method's signature on every object before it calls it (``fields.is_simple_callable``),
    and the method builds a dictionary of every (lazily translated) choice on each call:
    together more than all other fields of a meeting cost. The labels are made once per
    model, field and language instead.
    """

    def __init__(self, field_name: str, **kwargs) -> None:
        self.choice_field = field_name
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value) -> str:
        # The field is this response's own, and the language does not change within it.
        labels = self.__dict__.get("labels")
        if labels is None:
            labels = self.labels = choice_labels(type(value), self.choice_field)
        return choice_display(labels, getattr(value, self.choice_field))


# Serializer class → its fields, as built the first time (``RowsMixin.get_fields``).
_built_fields: dict[type, dict] = {}


# DRF's ``to_representation`` for serializers of long lists, with the same result.
#
# DRF walks the bound fields anew for every object (``_readable_fields``) and reads each
# value through ``fields.get_attribute``, which checks every value for being a callable
# to call: for a page of 50 meetings that is a fifth of the response. Here the readable
# fields are listed once per serializer (that is per response; a nested serializer is
# bound once for all rows), and a column of the model (not a relation, not a property or
# method) is read with a plain attribute access. Everything else goes through the
# field's own ``get_attribute`` as before.
#
# The fields themselves are built once per class and copied for each response:
# ``ModelSerializer.get_fields`` introspects the model and builds every field anew each
# time, about a millisecond per response.
#
#
# A comment, not a docstring: drf-spectacular would describe every serializer without
# a docstring of its own by this one.
class RowsMixin:
    def get_fields(self) -> dict:
        built = _built_fields.get(type(self))
        if built is None:
            built = _built_fields[type(self)] = super().get_fields()
        # Copied as DRF copies the declared fields: unbound, for this serializer alone.
        return copy.deepcopy(built)

    @cached_property
    def _readers(self) -> list:
        model = getattr(getattr(self, "Meta", None), "model", None)
        columns = set()
        if model is not None:
            columns = {field.attname for field in model._meta.concrete_fields if not field.is_relation}
        readers = []
        for field in self._readable_fields:
            if isinstance(field, serializers.DateTimeField) and not hasattr(field, "timezone"):
                # DRF asks for the current time zone again for every value (through
                # asgiref's Local: a third of a meeting's representation); it does not
                # change within a response, and the field is this response's own.
                field.timezone = field.default_timezone()
            plain = type(field).get_attribute is serializers.Field.get_attribute
            if plain and len(field.source_attrs) == 1 and field.source_attrs[0] in columns:
                read = attrgetter(field.source_attrs[0])
            else:
                read = field.get_attribute
            readers.append((field.field_name, read, field.to_representation))
        return readers

    def to_representation(self, instance) -> dict:
        representation = {}
        for name, read, represent in self._readers:
            try:
                value = read(instance)
            except SkipField:
                continue
            # As DRF: no ``to_representation`` for None (a related field's pk-only object
            # stands for None by its pk).
            if (value.pk if isinstance(value, PKOnlyObject) else value) is None:
                representation[name] = None
            else:
                representation[name] = represent(value)
        return representation


class AreaSummarySerializer(RowsMixin, serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["id", "level", "code", "name", "slug"]


class AreaSerializer(RowsMixin, serializers.ModelSerializer):
    level_display = DisplayField("level")
    parent = AreaSummarySerializer(read_only=True, allow_null=True)
    html_url = HtmlUrlField("directory:area_detail")

    class Meta:
        model = Area
        fields = [
            "id",
            "level",
            "level_display",
            "code",
            "name",
            "slug",
            "parent",
            "description",
            "updated_at",
            "html_url",
        ]


class TopicSerializer(RowsMixin, serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["name", "slug"]


class NetworkSummarySerializer(RowsMixin, serializers.ModelSerializer):
    class Meta:
        model = Network
        fields = ["id", "kind", "name", "short_name", "slug"]


class NetworkSerializer(RowsMixin, serializers.ModelSerializer):
    kind_display = DisplayField("kind")
    parent = NetworkSummarySerializer(read_only=True, allow_null=True)
    # Lists prefetched by ``selectors.network_list``.
    areas = AreaSummarySerializer(source="summary_areas", many=True, read_only=True)
    topics = TopicSerializer(source="summary_topics", many=True, read_only=True)
    html_url = HtmlUrlField("directory:network_detail")

    class Meta:
        model = Network
        fields = [
            "id",
            "kind",
            "kind_display",
            "name",
            "short_name",
            "slug",
            "parent",
            "areas",
            "topics",
            "founded_year",
            "description",
            "rhythm",
            "website",
            "is_active",
            "updated_at",
            "html_url",
        ]


class InstitutionSummarySerializer(RowsMixin, serializers.ModelSerializer):
    class Meta:
        model = Institution
        fields = ["id", "name", "slug"]


class InstitutionTypeSerializer(RowsMixin, serializers.ModelSerializer):
    category = serializers.CharField(source="category.name", read_only=True)

    class Meta:
        model = InstitutionType
        fields = ["id", "name", "slug", "category"]


class UmbrellaSerializer(RowsMixin, serializers.ModelSerializer):
    class Meta:
        model = Umbrella
        fields = ["id", "name", "short_name", "website"]


class InstitutionSerializer(RowsMixin, serializers.ModelSerializer):
    """An Einrichtung (OParl: Organization with a Location). Its contacts are functional
    addresses, public by definition; the people who work there are not part of it."""

    type = InstitutionTypeSerializer(read_only=True)
    umbrella = UmbrellaSerializer(read_only=True, allow_null=True)
    area = AreaSummarySerializer(read_only=True, allow_null=True)
    address = serializers.CharField(read_only=True, help_text="Straße, Postleitzahl und Ort in einer Zeile")
    accessibility_display = DisplayField("accessibility")
    html_url = HtmlUrlField("directory:institution_detail")

    class Meta:
        model = Institution
        fields = [
            "id",
            "name",
            "slug",
            "type",
            "umbrella",
            "street",
            "postal_code",
            "city",
            "address",
            "area",
            "website",
            "email",
            "phone",
            "accessibility",
            "accessibility_display",
            "accessibility_notes",
            "updated_at",
            "html_url",
        ]


class RelatedColumns:
    """The summary of a related row read with a list's rows, as its nested serializer
    represents it: ``{"id": <prefix>_id, name: <prefix>__<column>, …}``, ``None`` without
    one. ``fields`` are the names shown, each the column of the same name or, as a pair,
    another one (``("category", "category__name")``)."""

    def __init__(self, prefix: str, *fields: str | tuple[str, str]) -> None:
        self.id_key = f"{prefix}_id"
        pairs = [field if isinstance(field, tuple) else (field, field) for field in fields]
        self.keys = [(name, f"{prefix}__{column}") for name, column in pairs]

    def __call__(self, row: dict) -> dict | None:
        pk = row[self.id_key]
        if pk is None:
            return None
        summary = {"id": pk}
        for name, key in self.keys:
            summary[name] = row[key]
        return summary


def datetime_representation():
    """``DateTimeField().to_representation`` with the current time zone taken once (see
    ``RowsMixin``), for the rows of one response."""
    field = serializers.DateTimeField()
    field.timezone = field.default_timezone()
    return field.to_representation


INSTITUTION_TYPE_COLUMNS = RelatedColumns("type", "name", "slug", ("category", "category__name"))
UMBRELLA_COLUMNS = RelatedColumns("umbrella", "name", "short_name", "website")
AREA_SUMMARY_COLUMNS = RelatedColumns("area", "level", "code", "name", "slug")


class InstitutionRowsRepresentation:
    """``InstitutionSerializer``'s representation of the rows of ``selectors.institution_rows``
    (the list of institutions): the same JSON, built as plain dicts, what repeats made once
    per response (``tests/contacts/test_api_list_rows.py`` compares the two)."""

    def __init__(self, *, request) -> None:
        self.html_url = PageUrls("directory:institution_detail", key="slug", request=request).of
        self.datetime = datetime_representation()
        self.accessibility_labels = choice_labels(Institution, "accessibility")

    def __call__(self, rows: list[dict]) -> list[dict]:
        return [self.institution(row) for row in rows]

    def institution(self, row: dict) -> dict:
        accessibility = row["accessibility"]
        return {
            "id": row["id"],
            "name": row["name"],
            "slug": row["slug"],
            "type": INSTITUTION_TYPE_COLUMNS(row),
            "umbrella": UMBRELLA_COLUMNS(row),
            "street": row["street"],
            "postal_code": row["postal_code"],
            "city": row["city"],
            "address": Institution.address_of(street=row["street"], postal_code=row["postal_code"], city=row["city"]),
            "area": AREA_SUMMARY_COLUMNS(row),
            "website": row["website"],
            "email": row["email"],
            "phone": row["phone"],
            "accessibility": accessibility,
            "accessibility_display": choice_display(self.accessibility_labels, accessibility),
            "accessibility_notes": row["accessibility_notes"],
            "updated_at": self.datetime(row["updated_at"]),
            "html_url": self.html_url(row["slug"]),
        }


class AffiliationViewSerializer(serializers.Serializer):
    institution = serializers.IntegerField(source="institution_id", help_text="ID der Einrichtung")
    institution_name = serializers.CharField()
    function = serializers.CharField()


class PersonViewSerializer(serializers.Serializer):
    """A person as the audience may see them (``contacts.visibility.project_person``).

    Only a ``PersonView`` is ever serialised, never a ``Person``: a field the audience may
    not see is ``null`` or an empty list, because the projection never filled it in.
    (OParl: Person, with ``email``/``phone`` as lists.)
    """

    id = serializers.IntegerField()
    name = serializers.CharField(allow_null=True, help_text="null, wenn der Name nicht veröffentlicht ist")
    form_of_address = serializers.CharField(allow_null=True)
    email = serializers.ListField(source="emails", child=serializers.CharField())
    phone = serializers.ListField(source="phones", child=serializers.CharField())
    affiliations = AffiliationViewSerializer(many=True)


class MembershipSerializer(serializers.ModelSerializer):
    """A current membership (OParl: Membership). ``person`` is the projected person or
    ``null`` where the audience may not see the name; for an institution it is the person
    who represents it (OParl ``onBehalfOf`` read the other way round)."""

    network = NetworkSummarySerializer(read_only=True)
    institution = InstitutionSummarySerializer(read_only=True, allow_null=True)
    person = serializers.SerializerMethodField()
    role_display = DisplayField("role")
    start_date = serializers.DateField(source="start", read_only=True)
    end_date = serializers.DateField(source="end", read_only=True, allow_null=True)

    class Meta:
        model = Membership
        fields = ["id", "network", "institution", "person", "role", "role_display", "start_date", "end_date"]

    @extend_schema_field(PersonViewSerializer(allow_null=True))
    def get_person(self, membership: Membership) -> dict | None:
        if membership.person is None:
            return None
        view = project_person(membership.person, self.context["audience"])
        return PersonViewSerializer(view).data if view.name is not None else None
