from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from contacts import selectors
from contacts.api.filters import AreaFilter, NetworkFilter
from contacts.api.serializers import AreaSerializer, NetworkSerializer


@extend_schema_view(
    list=extend_schema(summary="Gebiete auflisten", description="Stadtbezirke, Sozialräume und Lebensräume."),
    retrieve=extend_schema(summary="Ein Gebiet"),
)
class AreaViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AreaSerializer
    filterset_class = AreaFilter
    ordering_fields = ["level", "code", "name", "updated_at"]

    def get_queryset(self):
        return selectors.area_list()


@extend_schema_view(
    list=extend_schema(
        summary="Netzwerke auflisten",
        description=(
            "Stadtteilkonferenzen, Örtliche Arbeitsgemeinschaften der Altenarbeit, "
            "Sozialraumkonferenzen, Arbeitskreise."
        ),
    ),
    retrieve=extend_schema(summary="Ein Netzwerk"),
)
class NetworkViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = NetworkSerializer
    filterset_class = NetworkFilter
    ordering_fields = ["name", "kind", "founded_year", "updated_at"]
    lookup_field = "slug"

    def get_queryset(self):
        return selectors.network_list()
