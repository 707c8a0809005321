"""The indicators in the API (read only, public): the catalogue, each indicator's figures
and map, and the coverage of the Lebensräume by networks."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from indicators import selectors
from indicators.api.serializers import (
    CoverageSerializer,
    FigureQuerySerializer,
    FigureSerializer,
    IndicatorSerializer,
    MapQuerySerializer,
    MapSerializer,
    NoParametersSerializer,
)
from indicators.models import Indicator, IndicatorValue

BAD_REQUEST = OpenApiResponse(
    description="Unbekannter Parameter oder ungültiger Wert; die Antwort nennt, was zu ändern ist."
)
NOT_FOUND = OpenApiResponse(description="Diese Kennzahl gibt es nicht.")


def _params(request, serializer_class):
    allowed = set(serializer_class().fields) | {"format"}
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise ValidationError(
            {
                "detail": _("Unbekannter Filter: %(names)s. Erlaubt sind: %(allowed)s.")
                % {"names": ", ".join(unknown), "allowed": ", ".join(sorted(allowed))}
            }
        )
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data


def _indicator(slug: str) -> Indicator:
    indicator = selectors.indicator_get(slug)
    if indicator is None:
        raise NotFound(_("Diese Kennzahl gibt es nicht."))
    return indicator


@extend_schema_view(
    list=extend_schema(
        summary="Kennzahlen auflisten",
        description="Die Kennzahlen des Sozialentwicklungsplans: Name, Einheit, Quelle, ob ein höherer Wert mehr "
        "Bedarf bedeutet, und die Jahre mit Werten.",
    ),
    retrieve=extend_schema(summary="Eine Kennzahl", responses={200: IndicatorSerializer, 404: NOT_FOUND}),
)
class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = IndicatorSerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]{1,60}"
    ordering_fields = ["position", "name"]
    # What the actions read besides the general parameters (netzwerk.public_cache).
    query_parameters = frozenset({"year", "level"})

    def get_queryset(self):
        return Indicator.objects.order_by("position", "name")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        years: dict[int, set[int]] = {}
        for indicator_id, year in IndicatorValue.objects.order_by().values_list("indicator_id", "year").distinct():
            years.setdefault(indicator_id, set()).add(year)
        context["years"] = {pk: sorted(values) for pk, values in years.items()}
        return context

    @extend_schema(
        summary="Werte einer Kennzahl",
        description=(
            "Alle Werte der Kennzahl, gespeicherte und abgeleitete: Lebensräume, Sozialräume, Stadtbezirke und die "
            "Stadt (``level``), je Jahr. Nicht gespeicherte Werte größerer Gebiete sind aus ihren Lebensräumen "
            "berechnet (``derived``), mit der Bezugsgröße gewichtet, wo sie für alle bekannt ist (``weighted``). "
            "``status`` sagt, wie sicher ein Wert ist; ein abgeleiteter ist so sicher wie sein unsicherster Teil."
        ),
        parameters=[FigureQuerySerializer],
        responses={200: FigureSerializer(many=True), 400: BAD_REQUEST, 404: NOT_FOUND},
        filters=False,
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def values(self, request, slug=None):
        params = _params(request, FigureQuerySerializer)
        indicator = _indicator(slug)
        rows = selectors.indicator_figures(indicator=indicator, year=params.get("year"), level=params.get("level"))
        return Response(FigureSerializer(rows, many=True).data)

    @extend_schema(
        summary="Karte einer Kennzahl (GeoJSON)",
        description=(
            "Die Umrisse der Lebensräume mit ihrem Wert im Jahr ``year`` (Standard: das neueste) und die "
            "Einrichtungen mit Koordinaten, als GeoJSON-FeatureCollection (WGS 84). ``schematic``: die Umrisse "
            "sind eine Skizze, nicht maßstäblich."
        ),
        parameters=[MapQuerySerializer],
        responses={200: MapSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path="map", pagination_class=None, filter_backends=[])
    def map(self, request, slug=None):
        params = _params(request, MapQuerySerializer)
        indicator = _indicator(slug)
        data = selectors.map_data(indicator=indicator, year=params.get("year"))
        features = [
            {
                "type": "Feature",
                "geometry": area.geometry,
                "properties": {
                    "kind": "lebensraum",
                    "code": area.node.code,
                    "slug": area.node.slug,
                    "name": area.node.name,
                    "value": area.figure.value if area.figure else None,
                    "status": area.figure.status if area.figure else None,
                    "high_need": area.high_need,
                    "schematic": data.schematic,
                },
            }
            for area in data.areas
        ]
        features += [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [point.longitude, point.latitude]},
                "properties": {"kind": "einrichtung", "slug": point.institution.slug, "name": point.institution.name},
            }
            for point in data.points
        ]
        body = {
            "type": "FeatureCollection",
            "indicator": indicator.slug,
            "year": data.year,
            "schematic": data.schematic,
            "features": features,
        }
        return Response(MapSerializer(body).data)


@extend_schema_view(
    list=extend_schema(
        summary="Abdeckung der Lebensräume durch Netzwerke",
        description=(
            "Je Lebensraum: die zuständigen Netzwerke nach Art (für ihn selbst oder ein umfassendes Gebiet), die "
            "Arten der Einrichtungen dort und die Kennzahlen, bei denen er zum Viertel mit dem höchsten Bedarf "
            "gehört (im neuesten Jahr)."
        ),
        responses={200: CoverageSerializer(many=True), 400: BAD_REQUEST},
        filters=False,
    ),
)
class CoverageViewSet(viewsets.ViewSet):
    pagination_class = None

    def list(self, request):
        _params(request, NoParametersSerializer)
        rows = selectors.coverage()
        for row in rows:
            row.need_rows = [
                {"indicator": indicator, "year": year, "figure": figure} for indicator, year, figure in row.needs
            ]
        return Response(CoverageSerializer(rows, many=True, context={"request": request}).data)
