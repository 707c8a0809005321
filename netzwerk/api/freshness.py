"""``GET /api/v1/stale-entries/``: the Sozialplanung's list of stale entries, with the
dates the owners were asked and reminded (the same as the page „Veraltete Einträge“)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from contacts import selectors
from contacts.selectors.freshness import AGE_CHOICES, KINDS, ORDERINGS, stale_entries
from netzwerk.api.pagination import PageNumberPagination
from netzwerk.freshness import ADMIN_URL_OF_KIND, SUBJECT_OF_KIND
from notifications.selectors import entry_checks_sent

PARAMETERS = {"kind", "network", "area", "months", "ordering", "page", "page_size", "format"}


class StaleQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(KINDS), required=False)
    network = serializers.IntegerField(min_value=1, max_value=999_999_999, required=False)
    area = serializers.IntegerField(min_value=1, max_value=999_999_999, required=False)
    months = serializers.ChoiceField(choices=list(AGE_CHOICES), required=False)
    ordering = serializers.ChoiceField(choices=list(ORDERINGS), required=False)


class StaleEntrySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(KINDS))
    id = serializers.IntegerField()
    name = serializers.CharField()
    stand = serializers.DateTimeField()
    asked_at = serializers.DateTimeField(allow_null=True, help_text="„Sind Ihre Angaben noch aktuell?“ gesendet")
    reminded_at = serializers.DateTimeField(allow_null=True, help_text="Erinnerung gesendet")
    admin_url = serializers.CharField(help_text="Der Eintrag in der Verwaltung")


class StaleEntriesView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = PageNumberPagination

    @extend_schema(
        summary="Veraltete Einträge (nur Sozialplanung)",
        description=(
            "Netzwerke, Einrichtungen und Personen, die seit mindestens 12 Monaten (oder `months`) niemand "
            "bestätigt hat, mit den Daten der Nachfrage und der Erinnerung."
        ),
        parameters=[
            OpenApiParameter("kind", str, enum=list(KINDS), description="Nur diese Art von Einträgen"),
            OpenApiParameter(
                "network",
                {"type": "integer", "minimum": 1, "maximum": 999_999_999},
                description="Nur dieses Netzwerk und seine heutigen Mitglieder",
            ),
            OpenApiParameter(
                "area",
                {"type": "integer", "minimum": 1, "maximum": 999_999_999},
                description="Nur in diesem Gebiet (samt allem darunter)",
            ),
            OpenApiParameter(
                "months", {"type": "integer", "enum": list(AGE_CHOICES)}, description="Mindestalter in Monaten"
            ),
            OpenApiParameter("ordering", str, enum=list(ORDERINGS), description="Sortierung (mit - absteigend)"),
            OpenApiParameter("page", {"type": "integer", "minimum": 1}),
            OpenApiParameter("page_size", {"type": "integer", "minimum": 1, "maximum": 200}),
        ],
        responses={
            200: StaleEntrySerializer(many=True),
            403: OpenApiResponse(description="Nur für die Sozialplanung."),
        },
        tags=["Einträge prüfen"],
    )
    def get(self, request):
        if not request.user.has_perm("contacts.review_entries"):
            raise PermissionDenied(_("Diese Liste ist der Sozialplanung vorbehalten."))
        unknown = sorted(set(request.query_params) - PARAMETERS)
        if unknown:
            raise ValidationError(
                {
                    "detail": _("Unbekannter Filter: %(names)s. Erlaubt sind: %(allowed)s.")
                    % {"names": ", ".join(unknown), "allowed": ", ".join(sorted(PARAMETERS))}
                }
            )
        query = StaleQuerySerializer(data={key: value for key, value in request.query_params.items() if value != ""})
        query.is_valid(raise_exception=True)
        data = query.validated_data
        area_ids = selectors.area_descendant_ids(data["area"]) if "area" in data else None
        entries = stale_entries(
            kind=data.get("kind"),
            network_id=data.get("network"),
            area_ids=area_ids,
            months=data.get("months"),
            ordering=data.get("ordering", "stand"),
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(entries, request, view=self)
        sent = entry_checks_sent(page)
        rows = [
            {
                "kind": item.kind,
                "id": item.entry.pk,
                "name": item.name,
                "stand": item.stand,
                "asked_at": sent.get((SUBJECT_OF_KIND[item.kind], item.entry.pk), {}).get("check"),
                "reminded_at": sent.get((SUBJECT_OF_KIND[item.kind], item.entry.pk), {}).get("reminder"),
                "admin_url": request.build_absolute_uri(reverse(ADMIN_URL_OF_KIND[item.kind], args=[item.entry.pk])),
            }
            for item in page
        ]
        return paginator.get_paginated_response(StaleEntrySerializer(rows, many=True).data)
