"""The figures of the staff pages through the API, for Sozialplanung only: the network
overview and the yearly report, with the same selectors as the pages."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from contacts.models import Membership, Network
from contacts.selectors import area_tree
from netzwerk.staff.access import may_see_staff_pages
from netzwerk.staff.overview import SORT_KEYS, SpeakerTeam, areas_around, network_overview
from netzwerk.staff.report import yearly_report


class IsSozialplanung(BasePermission):
    """Sozialplanung only (``contacts.manage_directory``); anyone else a 401 or 403."""

    message = _("Nur für die Sozialplanung.")

    def has_permission(self, request, view) -> bool:
        return may_see_staff_pages(request.user)


def _reject_unknown(request, allowed: set[str]) -> None:
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise ValidationError(
            {
                "detail": _("Unbekannter Filter: %(names)s. Erlaubt sind: %(allowed)s.")
                % {"names": ", ".join(unknown), "allowed": ", ".join(sorted(allowed))}
            }
        )


class SpeakerSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Name der Person.")
    role = serializers.ChoiceField(choices=Membership.Role.choices)
    end = serializers.DateField(allow_null=True, help_text="Ende der Amtszeit; leer: unbefristet.")

    def to_representation(self, instance):
        name, role, end = instance
        return super().to_representation({"name": name, "role": role, "end": end})


class TermEndingSerializer(serializers.Serializer):
    name = serializers.CharField()
    end = serializers.DateField()

    def to_representation(self, instance):
        name, end = instance
        return super().to_representation({"name": name, "end": end})


class OverviewRowSerializer(serializers.Serializer):
    slug = serializers.CharField(source="network.slug")
    name = serializers.CharField(source="network.name")
    kind = serializers.ChoiceField(source="network.kind", choices=Network.Kind.choices)
    areas = serializers.ListField(source="area_names", child=serializers.CharField())
    last_meeting = serializers.DateTimeField(allow_null=True, help_text="Beginn der letzten gehaltenen Sitzung.")
    next_meeting = serializers.DateTimeField(allow_null=True, help_text="Beginn der nächsten geplanten Sitzung.")
    meetings_12_months = serializers.IntegerField(help_text="Gehaltene Sitzungen der letzten 12 Monate.")
    minutes_share = serializers.IntegerField(
        allow_null=True, help_text="Anteil (%) dieser Sitzungen mit veröffentlichtem Protokoll."
    )
    members = serializers.IntegerField(help_text="Mitglieder heute (Einrichtungen und Einzelpersonen).")
    members_change = serializers.IntegerField(help_text="Veränderung gegenüber vor 12 Monaten.")
    speaker_team = serializers.ChoiceField(
        choices=[SpeakerTeam.VACANT, SpeakerTeam.INCOMPLETE, SpeakerTeam.COMPLETE],
        help_text="vakant: keine Sprecher*in; unvollstaendig: nur eine Person im Sprecher*innenteam.",
    )
    speakers = SpeakerSerializer(many=True)
    terms_ending = TermEndingSerializer(many=True, help_text="Amtszeiten, die in den nächsten 3 Monaten enden.")
    confirmed_at = serializers.DateTimeField(allow_null=True, help_text="„Stand“ des Netzwerkeintrags.")
    stale_members = serializers.IntegerField(
        help_text="Mitglieder, deren Eintrag seit über 12 Monaten unbestätigt ist."
    )


OVERVIEW_PARAMETERS = {"kind", "area", "ordering", "format"}


class NetworkOverviewView(APIView):
    """``GET /api/v1/sozialplanung/overview/``: „Netzwerke im Überblick“ (Sozialplanung)."""

    permission_classes = [IsSozialplanung]

    @extend_schema(
        summary="Netzwerke im Überblick (nur Sozialplanung)",
        description=(
            "Eine Zeile je aktivem Netzwerk: letzte und nächste Sitzung, Sitzungen der letzten 12 Monate "
            "und der Anteil mit veröffentlichtem Protokoll, Mitglieder und ihre Veränderung, "
            "Sprecher*innenteam, bald endende Amtszeiten und der Stand der Daten. Dieselben Zahlen wie "
            "die Seite /sozialplanung/."
        ),
        parameters=[
            OpenApiParameter("kind", str, enum=Network.Kind.values, description="Nur Netzwerke dieser Art."),
            OpenApiParameter(
                "area",
                {"type": "integer", "minimum": 1},
                description="Nur Netzwerke, die in diesem Gebiet arbeiten (darüber oder darunter verknüpft).",
            ),
            OpenApiParameter(
                "ordering",
                str,
                enum=[key for name in SORT_KEYS for key in (name, f"-{name}")],
                description="Sortierung (- davor: absteigend); Standard: nach Art.",
            ),
        ],
        responses={200: OverviewRowSerializer(many=True)},
    )
    def get(self, request):
        _reject_unknown(request, OVERVIEW_PARAMETERS)
        kind = request.query_params.get("kind") or None
        if kind is not None and kind not in Network.Kind.values:
            raise ValidationError({"kind": [_("Unbekannte Art: %(kind)s.") % {"kind": kind}]})
        ordering = request.query_params.get("ordering") or "art"
        if ordering.lstrip("-") not in SORT_KEYS:
            raise ValidationError({"ordering": [_("Unbekannte Sortierung: %(value)s.") % {"value": ordering}]})
        area_ids = None
        if request.query_params.get("area"):
            try:
                area_id = int(request.query_params["area"])
            except ValueError:
                raise ValidationError({"area": [_("Bitte die Nummer eines Gebiets angeben.")]}) from None
            tree = area_tree()
            if area_id not in tree.by_id:
                raise ValidationError({"area": [_("Dieses Gebiet gibt es nicht.")]})
            area_ids = areas_around(tree, area_id)
        rows = network_overview(kind=kind, area_ids=area_ids, sort=ordering)
        return Response(OverviewRowSerializer(rows, many=True).data)


class NetworkYearSerializer(serializers.Serializer):
    slug = serializers.CharField(source="network.slug")
    name = serializers.CharField(source="network.name")
    kind = serializers.ChoiceField(source="network.kind", choices=Network.Kind.choices)
    meetings_held = serializers.IntegerField()
    average_attendance = serializers.FloatField(allow_null=True, help_text="Ø anwesende Personen je Sitzung.")
    minutes_published = serializers.IntegerField()
    members_start = serializers.IntegerField(help_text="Mitglieder am 1. Januar.")
    members_end = serializers.IntegerField(help_text="Mitglieder am Stichtag.")
    new_members = serializers.IntegerField()
    departed_members = serializers.IntegerField()
    institutions_by_type = serializers.DictField(
        source="type_names", child=serializers.IntegerField(), help_text="Mitgliedseinrichtungen je Einrichtungsart."
    )


class SocialAreaYearSerializer(serializers.Serializer):
    code = serializers.CharField(source="area.code")
    name = serializers.CharField(source="area.name")
    networks = serializers.SerializerMethodField()
    meetings_held = serializers.IntegerField()
    average_attendance = serializers.FloatField(allow_null=True)
    minutes_published = serializers.IntegerField()
    members_end = serializers.IntegerField()
    new_members = serializers.IntegerField()
    departed_members = serializers.IntegerField()
    institutions = serializers.IntegerField(help_text="Aktive Einrichtungen im Sozialraum.")
    missing_types = serializers.SerializerMethodField()

    def get_networks(self, area) -> list[str]:
        return [year.network.slug for year in area.networks]

    def get_missing_types(self, area) -> list[str]:
        return [institution_type.name for institution_type in area.missing_types]


class MonthSerializer(serializers.Serializer):
    month = serializers.IntegerField(min_value=1, max_value=12)
    meetings_held = serializers.IntegerField()
    present = serializers.IntegerField(help_text="Anwesende zusammen (Sitzungen mit erfasster Anwesenheit).")
    average_attendance = serializers.FloatField(allow_null=True)


class TypeCountSerializer(serializers.Serializer):
    type = serializers.CharField()
    count = serializers.IntegerField()

    def to_representation(self, instance):
        institution_type, count = instance
        return super().to_representation({"type": institution_type.name, "count": count})


class UncoveredSerializer(serializers.Serializer):
    code = serializers.CharField(source="area.code")
    name = serializers.CharField(source="area.name")
    social_area = serializers.CharField(source="social_area.name", allow_null=True, default=None)
    district = serializers.CharField(source="district.name", allow_null=True, default=None)


class YearlyReportSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    reference_day = serializers.DateField(help_text="Stichtag der Mitgliederzahlen.")
    is_complete = serializers.BooleanField(help_text="false: das Jahr läuft noch.")
    meetings_held = serializers.IntegerField()
    average_attendance = serializers.FloatField(allow_null=True)
    minutes_published = serializers.IntegerField()
    new_members = serializers.IntegerField()
    departed_members = serializers.IntegerField()
    networks = NetworkYearSerializer(many=True)
    social_areas = SocialAreaYearSerializer(many=True)
    months = MonthSerializer(many=True)
    members_by_type = TypeCountSerializer(many=True)
    living_areas_without_stk = UncoveredSerializer(many=True, source="without_stk")
    living_areas_without_oag = UncoveredSerializer(many=True, source="without_oag")


class YearlyReportView(APIView):
    """``GET /api/v1/sozialplanung/jahresbericht/<Jahr>/``: the yearly report's figures."""

    permission_classes = [IsSozialplanung]

    @extend_schema(
        summary="Jahresbericht Netzwerke eines Jahres (nur Sozialplanung)",
        description=(
            "Je Netzwerk und je Sozialraum: gehaltene Sitzungen, durchschnittliche Anwesenheit, "
            "veröffentlichte Protokolle, Mitgliedseinrichtungen nach Art, neue und ausgeschiedene "
            "Mitglieder; dazu die Monate, die Lebensräume ohne Stadtteilkonferenz oder OAG und die "
            "Einrichtungsarten, die in einem Sozialraum fehlen. Dieselben Zahlen wie der Bericht auf "
            "der Seite, im PDF und in den Tabellen."
        ),
        parameters=[
            OpenApiParameter(
                "year",
                {"type": "integer", "minimum": 2000, "maximum": 2100},
                OpenApiParameter.PATH,
                description="Das Berichtsjahr; ein Jahr nach dem laufenden gibt 404.",
            )
        ],
        responses={
            200: YearlyReportSerializer,
            404: OpenApiResponse(description="Für dieses Jahr gibt es keinen Bericht."),
        },
    )
    def get(self, request, year: int):
        _reject_unknown(request, {"format"})
        if not 2000 <= year <= timezone.localdate().year:
            raise NotFound(_("Für dieses Jahr gibt es keinen Jahresbericht."))
        return Response(YearlyReportSerializer(yearly_report(year=year)).data)
