"""„Eintrag prüfen“ through the API: read the entry a link is for, confirm it, or propose
changes to an institution (``/api/v1/entry-checks/{token}/…``). The token is the one of the
link in the mail; it is the only authorisation needed, as on the web page."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from contacts.entry_links import EntryLink, EntryLinkInvalid, entry_link_read
from contacts.models import Institution, Network
from contacts.services.freshness import INSTITUTION_REVIEW_FIELDS, entry_confirm, institution_change_propose

TAG = "Einträge prüfen"
KIND_NAMES = {"Network": "network", "Institution": "institution", "Person": "person"}
LINK_PROBLEMS = (
    "Der Link ist ungültig (verändert), abgelaufen, schon benutzt, oder der Eintrag existiert nicht mehr; "
    "`detail` sagt, was davon. Es wurde nichts gespeichert."
)


class InstitutionFieldsSerializer(serializers.Serializer):
    street = serializers.CharField(max_length=200, allow_blank=True, help_text="Straße und Hausnummer")
    postal_code = serializers.CharField(max_length=10, allow_blank=True, help_text="Postleitzahl (fünf Ziffern)")
    city = serializers.CharField(max_length=100)
    phone = serializers.CharField(max_length=40, allow_blank=True, help_text="Telefon mit Vorwahl")
    website = serializers.CharField(max_length=200, allow_blank=True)
    opening_hours = serializers.CharField(max_length=1000, allow_blank=True)
    accessibility = serializers.ChoiceField(choices=Institution.Accessibility.choices)
    accessibility_notes = serializers.CharField(allow_blank=True)


class EntryCheckSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["network", "institution", "person"], help_text="Art des Eintrags")
    name = serializers.CharField()
    stand = serializers.DateTimeField(help_text="Letzte Bestätigung (oder Anlage) des Eintrags")
    institution = InstitutionFieldsSerializer(
        allow_null=True, help_text="Die Angaben, die eine Einrichtung selbst pflegt (sonst null)"
    )


class ProposalRequestSerializer(serializers.Serializer):
    """Only the fields that change need to be sent."""

    street = serializers.CharField(max_length=200, allow_blank=True, required=False)
    postal_code = serializers.CharField(max_length=10, allow_blank=True, required=False)
    city = serializers.CharField(max_length=100, required=False)
    phone = serializers.CharField(max_length=40, allow_blank=True, required=False)
    website = serializers.CharField(max_length=200, allow_blank=True, required=False)
    opening_hours = serializers.CharField(max_length=1000, allow_blank=True, required=False)
    accessibility = serializers.ChoiceField(choices=Institution.Accessibility.choices, required=False)
    accessibility_notes = serializers.CharField(max_length=2000, allow_blank=True, required=False)
    comment = serializers.CharField(max_length=1000, allow_blank=True, required=False)


class ProposalResultSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=["proposed", "applied"],
        help_text="proposed: wartet auf die Sozialplanung; applied: sofort übernommen (angemeldet als Vertretung)",
    )
    changes = serializers.DictField(child=serializers.CharField(allow_blank=True))


def _link(token: str) -> EntryLink:
    try:
        return entry_link_read(token)
    except EntryLinkInvalid as problem:
        raise NotFound(str(problem.message)) from None


def _entry_data(entry) -> dict:
    return {
        "kind": KIND_NAMES[type(entry).__name__],
        "name": entry.name_with_kind if isinstance(entry, Network) else str(entry),
        "stand": entry.stand,
        "institution": {name: getattr(entry, name) for name in INSTITUTION_REVIEW_FIELDS}
        if isinstance(entry, Institution)
        else None,
    }


def _private(response: Response) -> Response:
    # A personal link: never in a shared cache (the public page cache skips it too).
    response["Cache-Control"] = "private, no-store"
    return response


class EntryCheckView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Eintrag eines Prüflinks lesen",
        description="Der Eintrag (Netzwerk, Einrichtung oder Person), für den der Link „Eintrag prüfen“ gilt.",
        responses={200: EntryCheckSerializer, 404: OpenApiResponse(description=LINK_PROBLEMS)},
        tags=[TAG],
    )
    def get(self, request, token: str):
        return _private(Response(EntryCheckSerializer(_entry_data(_link(token).entry)).data))


class EntryConfirmView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Eintrag als aktuell bestätigen",
        description="Setzt den Stand des Eintrags auf jetzt. Der Link ist danach verbraucht.",
        request=None,
        responses={200: EntryCheckSerializer, 404: OpenApiResponse(description=LINK_PROBLEMS)},
        tags=[TAG],
    )
    def post(self, request, token: str):
        entry = entry_confirm(entry=_link(token).entry)
        return _private(Response(EntryCheckSerializer(_entry_data(entry)).data))


class EntryProposalView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Änderungen an einer Einrichtung vorschlagen",
        description=(
            "Nur für Einrichtungen. Ohne Anmeldung wartet der Vorschlag auf die Prüfung durch die "
            "Sozialplanung; wer angemeldet ist und die Einrichtung vertritt, ändert den Eintrag sofort. "
            "Eine fehlerhafte Telefonnummer oder Postleitzahl ist ein 400 mit Meldung am Feld; "
            "ein Link gibt einen Vorschlag."
        ),
        request=ProposalRequestSerializer,
        responses={
            201: ProposalResultSerializer,
            400: OpenApiResponse(
                description="Ungültige Angabe (je Feld), nichts geändert, oder kein Einrichtungslink."
            ),
            404: OpenApiResponse(description=LINK_PROBLEMS),
        },
        tags=[TAG],
    )
    def post(self, request, token: str):
        link = _link(token)
        if not isinstance(link.entry, Institution):
            raise ValidationError({"detail": _("Änderungen lassen sich nur für Einrichtungen vorschlagen.")})
        data = ProposalRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        comment = values.pop("comment", "")
        represents = request.user.has_perm("contacts.maintain_institution", link.entry)
        try:
            result = institution_change_propose(
                link=link,
                changes=values,
                comment=comment,
                represents=represents,
                actor=request.user if request.user.is_authenticated else None,
            )
        except DjangoValidationError as error:
            detail = error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
            raise ValidationError(detail) from None
        if isinstance(result, Institution):
            body = {"status": "applied", "changes": {name: str(getattr(result, name)) for name in values}}
        else:
            body = {"status": "proposed", "changes": result.changes}
        return _private(Response(ProposalResultSerializer(body).data, status=status.HTTP_201_CREATED))
