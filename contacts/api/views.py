from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.response import Response

from contacts import selectors
from contacts.api import selectors as api_selectors
from contacts.api.filters import AreaFilter, InstitutionFilter, MembershipFilter, NetworkFilter, PersonFilter
from contacts.api.lists import RowsOf, VersionedListMixin
from contacts.api.serializers import (
    AreaSerializer,
    InstitutionRowsRepresentation,
    InstitutionSerializer,
    MembershipSerializer,
    NetworkSerializer,
    PersonViewSerializer,
)
from contacts.visibility import project_person

# Database ids in a path: digits only, and few enough that no database overflows on them.
ID_PATTERN = r"[0-9]{1,9}"


# Areas, networks and institutions are public, the same for every audience; all their
# lists show lies in the tables that move the directory's stamp. At Aachen's size the 50
# rows of a page, built anew on every request, cost as much as three simple pages
# (``bench.pages``). A comment: see ``VersionedListMixin``.
class DirectoryListMixin(VersionedListMixin):
    def list_version(self, request) -> str:
        return f"directory-{selectors.directory_version()}"


@extend_schema_view(
    list=extend_schema(summary="Gebiete auflisten", description="Stadtbezirke, Sozialräume und Lebensräume."),
    retrieve=extend_schema(summary="Ein Gebiet"),
)
class AreaViewSet(DirectoryListMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = AreaSerializer
    filterset_class = AreaFilter
    ordering_fields = ["level", "code", "name", "updated_at"]
    lookup_value_regex = ID_PATTERN

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
class NetworkViewSet(DirectoryListMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = NetworkSerializer
    filterset_class = NetworkFilter
    ordering_fields = ["name", "kind", "founded_year", "updated_at"]
    lookup_field = "slug"

    def get_queryset(self):
        return selectors.network_list()


# The list of institutions read as rows (``selectors.institution_rows``) and represented as
# ``InstitutionSerializer`` represents one (``InstitutionRowsRepresentation``): the same
# JSON, without the nested serializers' work per row. A comment: see ``VersionedListMixin``.
class InstitutionRowsListMixin(mixins.ListModelMixin):
    def list(self, request, *args, **kwargs):
        institutions = self.filter_queryset(api_selectors.institutions_listed())
        rows = self.paginate_queryset(RowsOf(institutions, read=api_selectors.institution_rows))
        return self.get_paginated_response(InstitutionRowsRepresentation(request=request)(rows))


@extend_schema_view(
    list=extend_schema(
        summary="Einrichtungen auflisten",
        description="Aktive Einrichtungen mit Adresse, Zugänglichkeit und Funktionsadressen.",
    ),
    retrieve=extend_schema(summary="Eine Einrichtung"),
)
class InstitutionViewSet(DirectoryListMixin, InstitutionRowsListMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = InstitutionSerializer
    filterset_class = InstitutionFilter
    ordering_fields = ["name", "updated_at"]
    lookup_field = "slug"

    def get_queryset(self):
        return api_selectors.institution_list()


class ProjectedMixin:
    """Serialiser context with the audience of the request, so people can be projected."""

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["audience"] = selectors.audience_for(self.request.user)
        return context


@extend_schema_view(
    list=extend_schema(
        summary="Personen auflisten",
        description=(
            "Nur Personen, deren Namen die anfragende Person sehen darf, und nur die Angaben, "
            "in deren Veröffentlichung die Person eingewilligt hat (öffentlich; angemeldete Mitglieder "
            "sehen zusätzlich, was für Mitglieder gemeinsamer Netzwerke freigegeben ist)."
        ),
    ),
    retrieve=extend_schema(summary="Eine Person"),
)
class PersonViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PersonViewSerializer
    filterset_class = PersonFilter
    ordering_fields = ["family_name", "given_name"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        return api_selectors.person_list(selectors.audience_for(self.request.user))

    def list(self, request, *args, **kwargs):
        audience = selectors.audience_for(request.user)
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        views = [project_person(person, audience) for person in page]
        return self.get_paginated_response(self.get_serializer(views, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        view = project_person(self.get_object(), selectors.audience_for(request.user))
        return Response(self.get_serializer(view).data)


@extend_schema_view(
    list=extend_schema(
        summary="Mitgliedschaften auflisten",
        description=(
            "Aktuelle Mitgliedschaften: Einrichtungen und Sprecher*innenteams immer, "
            "Einzelpersonen nur, wenn ihr Name sichtbar sein darf."
        ),
    ),
    retrieve=extend_schema(summary="Eine Mitgliedschaft"),
)
class MembershipViewSet(ProjectedMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter
    ordering_fields = ["start", "role", "updated_at"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        return api_selectors.membership_list(selectors.audience_for(self.request.user))
