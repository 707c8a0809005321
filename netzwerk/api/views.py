"""The combined search of the API: networks, institutions, people, meetings, areas, streets."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from contacts.selectors import audience_for
from netzwerk import search
from netzwerk.api.serializers import QUERY_PATTERN, SearchQuerySerializer, SearchResponseSerializer

SEARCH_PARAMETERS = {"q", "kind", "limit", "format"}


class SearchView(APIView):
    """``GET /api/v1/search/?q=…``: one request, hits grouped by kind.

    Search is tolerant: case, umlauts and ß do not matter; on PostgreSQL also word stems and
    small typos. People are found only by a name the caller may see (their consent), and
    shown only as far as the caller may see them. Meetings: public ones, and internal ones
    of the networks the (logged-in) caller is a member of.
    """

    # The parameters it reads; the public page cache stores answers to these alone.
    query_parameters = SEARCH_PARAMETERS

    @extend_schema(
        summary="Suche über Netzwerke, Einrichtungen, Personen, Termine, Gebiete und Straßen",
        description=(
            "Eine Anfrage, Treffer nach Art gruppiert und je Art nach Passgenauigkeit sortiert. "
            "Groß- und Kleinschreibung, Umlaute und ß sind egal (Kornelimunster, Strasse); auf "
            "PostgreSQL auch Wortformen (Konferenzen) und kleine Tippfehler. Personen werden nur "
            "über einen Namen gefunden, den die anfragende Person sehen darf (Einwilligung), und "
            "nur so weit gezeigt. Termine: öffentliche, für angemeldete Mitglieder auch die "
            "internen ihrer Netzwerke."
        ),
        parameters=[
            OpenApiParameter(
                "q",
                {"type": "string", "minLength": 1, "maxLength": search.QUERY_MAX_LENGTH, "pattern": QUERY_PATTERN},
                required=True,
                description="Suchbegriff (höchstens 200 Zeichen); Groß-/Kleinschreibung, Umlaute und ß sind egal.",
            ),
            OpenApiParameter(
                "kind",
                OpenApiTypes.STR,
                many=True,
                enum=list(search.KINDS),
                description="Nur diese Arten von Treffern; mehrfach möglich (kind=networks&kind=people).",
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": search.GROUP_LIMIT_MAX},
                description="Höchstzahl der Treffer je Art, 1 bis 50 (Standard 10).",
            ),
        ],
        responses={
            200: SearchResponseSerializer,
            400: OpenApiResponse(
                description="Ungültige Anfrage: unbekannter Parameter, fehlender oder zu langer Suchbegriff, "
                "ungültige Art oder ungültiges limit. Die Antwort nennt, was zu ändern ist.",
            ),
        },
    )
    def get(self, request):
        unknown = sorted(set(request.query_params) - SEARCH_PARAMETERS)
        if unknown:
            raise ValidationError(
                {
                    "detail": _("Unbekannter Filter: %(names)s. Erlaubt sind: %(allowed)s.")
                    % {"names": ", ".join(unknown), "allowed": ", ".join(sorted(SEARCH_PARAMETERS))}
                }
            )
        params = SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        kinds = tuple(kind for kind in search.KINDS if kind in (params.validated_data.get("kind") or search.KINDS))
        results = search.search(
            query=params.validated_data["q"],
            user=request.user,
            audience=audience_for(request.user),
            limit=params.validated_data["limit"],
            kinds=kinds,
        )
        serializer = SearchResponseSerializer(results, context={"request": request, "kinds": kinds})
        return Response(serializer.data)
