"""Serializers of the combined search (``/api/v1/search/``)."""

from functools import cached_property

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contacts.api import serializers as directory
from contacts.api.serializers import DisplayField, HtmlUrlField, PageUrls
from contacts.models import Area, Institution, Network
from netzwerk.search import GROUP_LIMIT, GROUP_LIMIT_MAX, KINDS, QUERY_MAX_LENGTH


@extend_schema_field(OpenApiTypes.URI)
class IcalUrlField(serializers.Field):
    """The absolute address of the object's iCal feed (``ical_url``), read-only. Feed
    addresses are absolute, with ``SITE_URL`` where there is no request: a calendar
    subscribes to them from elsewhere."""

    def __init__(self, url_name: str, *, key: str = "slug", **kwargs) -> None:
        self.url_name = url_name
        self.key = key
        super().__init__(source="*", read_only=True, **kwargs)

    @cached_property
    def urls(self) -> PageUrls:
        # Once per serializer, that is per response: the field is copied for each.
        return PageUrls(self.url_name, key=self.key, request=self.context.get("request"), site=settings.SITE_URL)

    def to_representation(self, value) -> str:
        return self.urls.of(getattr(value, self.key))


# The directory's areas and networks as the API shows them: with the address of their
# calendar feed, which the calendar app serves (the contract: every network and area
# resource carries its ``ical_url``). Same class names, so the schema's components keep
# their names ("Area", "Network").


class AreaSerializer(directory.AreaSerializer):
    ical_url = IcalUrlField("feeds:area")

    class Meta(directory.AreaSerializer.Meta):
        fields = [*directory.AreaSerializer.Meta.fields, "ical_url"]


class NetworkSerializer(directory.NetworkSerializer):
    ical_url = IcalUrlField("feeds:network")

    class Meta(directory.NetworkSerializer.Meta):
        fields = [*directory.NetworkSerializer.Meta.fields, "ical_url"]


# What ``q`` must be, for the schema: at least one character that is not white space, and
# no NUL (the field rejects both with a German 400).
QUERY_PATTERN = r"^[^\x00]*[^\s\x00][^\x00]*$"


class SearchQuerySerializer(serializers.Serializer):
    """The query parameters; every mistake is a 400 with a German message."""

    q = serializers.CharField(
        max_length=QUERY_MAX_LENGTH,
        help_text=_("Suchbegriff; Groß- und Kleinschreibung, Umlaute und ß sind egal."),
        error_messages={
            "required": _("Bitte geben Sie einen Suchbegriff in q an."),
            "blank": _("Bitte geben Sie einen Suchbegriff in q an."),
            "max_length": _("Der Suchbegriff darf höchstens {max_length} Zeichen lang sein."),
            "null_characters_not_allowed": _("Der Suchbegriff enthält ein unzulässiges Steuerzeichen."),
            "surrogate_characters_not_allowed": _("Der Suchbegriff enthält ein unzulässiges Zeichen."),
        },
    )
    kind = serializers.MultipleChoiceField(
        choices=KINDS,
        required=False,
        help_text=_("Nur diese Arten von Treffern (mehrfach möglich); ohne Angabe: alle."),
        error_messages={"invalid_choice": _("Unbekannte Art „{input}“.")},
    )
    limit = serializers.IntegerField(
        min_value=1,
        max_value=GROUP_LIMIT_MAX,
        default=GROUP_LIMIT,
        help_text=_("Höchstzahl der Treffer je Art (1 bis 50, Standard 10)."),
        error_messages={
            "invalid": _("limit muss eine ganze Zahl sein."),
            "min_value": _("limit muss mindestens {min_value} sein."),
            "max_value": _("limit darf höchstens {max_value} sein."),
        },
    )


class NetworkHitSerializer(serializers.ModelSerializer):
    kind_display = DisplayField("kind")
    html_url = HtmlUrlField("directory:network_detail")

    class Meta:
        model = Network
        fields = ["id", "kind", "kind_display", "name", "short_name", "slug", "html_url"]


class InstitutionHitSerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="type.name", read_only=True)
    html_url = HtmlUrlField("directory:institution_detail")

    class Meta:
        model = Institution
        fields = ["id", "name", "slug", "type", "street", "postal_code", "city", "html_url"]


class AreaHitSerializer(serializers.ModelSerializer):
    level_display = DisplayField("level")
    html_url = HtmlUrlField("directory:area_detail")

    class Meta:
        model = Area
        fields = ["id", "level", "level_display", "code", "name", "slug", "html_url"]


class RoleHitSerializer(serializers.Serializer):
    role = serializers.CharField()
    role_display = serializers.CharField(source="get_role_display")
    network = NetworkHitSerializer()


class AffiliationHitSerializer(serializers.Serializer):
    institution_id = serializers.IntegerField()
    institution_name = serializers.CharField()
    function = serializers.CharField()


class PersonHitSerializer(serializers.Serializer):
    """A person as the audience may see them: the name, the speaker roles (public on every
    network page) and affiliations only where consented. Never more than the projection."""

    id = serializers.IntegerField(source="view.id")
    name = serializers.CharField(source="view.name")
    roles = RoleHitSerializer(source="leading", many=True)
    affiliations = AffiliationHitSerializer(source="view.affiliations", many=True)


class MeetingHitSerializer(serializers.Serializer):
    uid = serializers.UUIDField()
    title = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    status = serializers.CharField()
    visibility = serializers.CharField()
    network = NetworkHitSerializer()
    html_url = HtmlUrlField("meetings:meeting_detail", key="uid")


class StreetHitSerializer(serializers.Serializer):
    name = serializers.CharField()
    number_from = serializers.IntegerField(allow_null=True)
    number_to = serializers.IntegerField(allow_null=True)
    parity = serializers.CharField()
    postal_code = serializers.CharField()
    area = AreaHitSerializer()


def _group(item_serializer, label: str) -> type[serializers.Serializer]:
    return type(
        f"Search{label}Group",
        (serializers.Serializer,),
        {
            "items": item_serializer(many=True),
            "more": serializers.BooleanField(help_text=_("Es gibt mehr Treffer als limit.")),
        },
    )


class SearchResponseSerializer(serializers.Serializer):
    """Hits grouped by kind; a kind not asked for (``kind``) is left out."""

    query = serializers.CharField()
    total = serializers.IntegerField()
    suggestion = serializers.CharField(
        allow_null=True, help_text="Ein ähnlich geschriebener Suchbegriff, der etwas findet („Meinten Sie …?“)."
    )
    networks = _group(NetworkHitSerializer, "Network")(required=False)
    institutions = _group(InstitutionHitSerializer, "Institution")(required=False)
    people = _group(PersonHitSerializer, "Person")(required=False)
    meetings = _group(MeetingHitSerializer, "Meeting")(required=False)
    areas = _group(AreaHitSerializer, "Area")(required=False)
    streets = _group(StreetHitSerializer, "Street")(required=False)

    def to_representation(self, results):
        data = {"query": results.query, "total": results.total, "suggestion": results.suggestion}
        for kind in self.context["kinds"]:
            field = self.fields[kind]
            data[kind] = {
                "items": field.fields["items"].to_representation(getattr(results, kind)),
                "more": kind in results.more,
            }
        return data
