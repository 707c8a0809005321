from django.conf import settings
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contacts.models import Area, Network, Topic


@extend_schema_field(OpenApiTypes.URI)
class HtmlUrlField(serializers.Field):
    """The absolute address of the object's public page (``html_url``), read-only."""

    def __init__(self, url_name: str, **kwargs) -> None:
        self.url_name = url_name
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value) -> str:
        path = reverse(self.url_name, args=[value.slug])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


@extend_schema_field(OpenApiTypes.URI)
class IcalUrlField(serializers.Field):
    """The absolute address of the object's iCal feed (``ical_url``), read-only.

    Reversed by name ("feeds:…"): the feeds live in the meetings app, which contacts
    must not import; URL names are the contract between them.
    """

    def __init__(self, url_name: str, **kwargs) -> None:
        self.url_name = url_name
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value) -> str:
        path = reverse(self.url_name, args=[value.slug])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else settings.SITE_URL + path


class AreaSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["id", "level", "code", "name", "slug"]


class AreaSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    parent = AreaSummarySerializer(read_only=True)
    html_url = HtmlUrlField("directory:area_detail")
    ical_url = IcalUrlField("feeds:area")

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
            "ical_url",
        ]


class TopicSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["name", "slug"]


class NetworkSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Network
        fields = ["id", "kind", "name", "short_name", "slug"]


class NetworkSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    parent = NetworkSummarySerializer(read_only=True)
    areas = AreaSummarySerializer(many=True, read_only=True)
    topics = TopicSerializer(many=True, read_only=True)
    html_url = HtmlUrlField("directory:network_detail")
    ical_url = IcalUrlField("feeds:network")

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
            "ical_url",
        ]
