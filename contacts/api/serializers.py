from rest_framework import serializers

from contacts.models import Area, Network, Topic


class AreaSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["id", "level", "code", "name", "slug"]


class AreaSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    parent = AreaSummarySerializer(read_only=True)

    class Meta:
        model = Area
        fields = ["id", "level", "level_display", "code", "name", "slug", "parent", "description", "updated_at"]


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
        ]
