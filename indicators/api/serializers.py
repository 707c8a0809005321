"""The indicators in the API: the catalogue, the figures (stored and derived), the coverage of
the Lebensräume and the map as GeoJSON. Every figure says how sure it is (``status``)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contacts.api.serializers import HtmlUrlField
from indicators.models import YEAR_MAX, YEAR_MIN, Indicator, IndicatorValue

LEVELS = ["lebensraum", "sozialraum", "stadtbezirk", "stadt"]


class IndicatorSerializer(serializers.ModelSerializer):
    years = serializers.SerializerMethodField(help_text="Jahre, für die Werte vorliegen.")

    class Meta:
        model = Indicator
        fields = ["slug", "name", "unit", "description", "source", "higher_means_need", "decimals", "years"]

    def get_years(self, indicator) -> list[int]:
        return self.context.get("years", {}).get(indicator.pk, [])


class FigureQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=YEAR_MIN, max_value=YEAR_MAX)
    level = serializers.ChoiceField(choices=LEVELS, required=False)


class NoParametersSerializer(serializers.Serializer):
    """A list that reads no parameters (besides ``format``)."""


class MapQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=YEAR_MIN, max_value=YEAR_MAX)


class AreaRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    name = serializers.CharField()
    slug = serializers.CharField()


class FigureFieldsSerializer(serializers.Serializer):
    """What every figure carries."""

    value = serializers.FloatField(source="figure.value")
    status = serializers.ChoiceField(
        choices=IndicatorValue.Status.choices,
        source="figure.status",
        help_text="belegt: aus der Quelle; geschaetzt: aus Angaben der Quelle verteilt; fiktiv: erfunden (Demo).",
    )
    derived = serializers.BooleanField(
        source="figure.derived", help_text="Aus den Lebensräumen berechnet statt gespeichert."
    )
    weighted = serializers.BooleanField(source="figure.weighted", help_text="Mit der Bezugsgröße gewichtet.")
    population = serializers.IntegerField(source="figure.population", allow_null=True)
    note = serializers.CharField(source="figure.note")


class FigureSerializer(FigureFieldsSerializer):
    year = serializers.IntegerField()
    # Plain text in the answer (its values are those of the parameter ``level``): an enum named
    # "level" here would collide in the schema with the areas' own levels.
    level = serializers.CharField(help_text="lebensraum, sozialraum, stadtbezirk oder stadt")
    area = AreaRefSerializer(allow_null=True, help_text="Leer für die ganze Stadt.")


class NeedSerializer(FigureFieldsSerializer):
    indicator = serializers.CharField(source="indicator.slug")
    year = serializers.IntegerField()


class NetworkRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    html_url = HtmlUrlField("directory:network_detail")


class CoverageNetworksSerializer(serializers.Serializer):
    stk = NetworkRefSerializer(many=True, help_text="Stadtteilkonferenzen")
    oag = NetworkRefSerializer(many=True, help_text="Örtliche Arbeitsgemeinschaften der Altenarbeit")
    sozialraumkonferenz = NetworkRefSerializer(many=True)
    arbeitskreis = NetworkRefSerializer(many=True, help_text="Arbeitskreise")


class CoverageSerializer(serializers.Serializer):
    area = AreaRefSerializer(source="node")
    social_area = AreaRefSerializer(allow_null=True)
    networks = CoverageNetworksSerializer()
    has_stk = serializers.BooleanField()
    has_oag = serializers.BooleanField()
    institution_types = serializers.ListField(child=serializers.CharField())
    high_need = NeedSerializer(many=True, source="need_rows", help_text="Kennzahlen mit hohem Bedarf (neuestes Jahr).")


class MapPropertiesSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="lebensraum oder einrichtung")
    code = serializers.CharField(required=False)
    slug = serializers.CharField()
    name = serializers.CharField()
    value = serializers.FloatField(required=False, allow_null=True)
    status = serializers.CharField(required=False, allow_null=True)
    high_need = serializers.BooleanField(required=False)
    schematic = serializers.BooleanField(required=False)


@extend_schema_field(OpenApiTypes.OBJECT)
class GeometryField(serializers.JSONField):
    """A GeoJSON geometry (Polygon, MultiPolygon or Point), longitude/latitude (WGS 84)."""


class MapFeatureSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Feature"])
    geometry = GeometryField()
    properties = MapPropertiesSerializer()


class MapSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["FeatureCollection"])
    indicator = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)
    schematic = serializers.BooleanField(help_text="Die Umrisse sind eine Skizze, nicht maßstäblich.")
    features = MapFeatureSerializer(many=True)
