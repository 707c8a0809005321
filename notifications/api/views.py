"""Rundmails through the API (``/api/v1/rundmails/``), as on the web: the same services, the
same predicates (``notifications.send_rundmail`` for a network's speakers,
``notifications.propose_rundmail`` / ``read_rundmails`` for its members), the same German
messages.

A speaker creates a draft (``POST``, JSON or multipart with ``files``), looks at the
``preview`` as a chosen member gets it, then ``schedule``s it (now, or at ``send_at``) and
may ``withdraw`` it before that moment. A member ``POST``s with ``propose: true``; the
speakers ``schedule`` (approve) or ``reject`` it.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from contacts.models import Institution, Network, Person
from meetings.recurrence import BERLIN
from notifications import compose, selectors
from notifications.api.serializers import (
    RundmailCreateSerializer,
    RundmailPreviewSerializer,
    RundmailRejectSerializer,
    RundmailScheduleSerializer,
    RundmailSerializer,
)
from notifications.models import Rundmail
from notifications.services import rundmail as services

TAG = "Rundmails"


@extend_schema_view(
    list=extend_schema(
        summary="Rundmails, die ich lesen darf",
        description=(
            "Die Rundmails der Netzwerke, für die ich spreche (in jedem Zustand), meine Vorschläge und die "
            "versandten Rundmails meiner Netzwerke, die an alle oder an mich gingen."
        ),
        parameters=[
            OpenApiParameter("network", str, description="Kurzname eines Netzwerks"),
            OpenApiParameter("state", str, enum=Rundmail.State.values, description="Zustand"),
        ],
        tags=[TAG],
    ),
    retrieve=extend_schema(summary="Eine Rundmail", tags=[TAG]),
    destroy=extend_schema(summary="Einen Entwurf verwerfen", tags=[TAG]),
)
class RundmailViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = RundmailSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filter_backends: list = []
    query_parameters = ("network", "state", "person")

    def get_queryset(self):
        queryset = selectors.rundmails_visible(user=self.request.user)
        if self.action == "list":
            network = self.request.query_params.get("network")
            state = self.request.query_params.get("state")
            if state and state not in Rundmail.State.values:
                raise exceptions.ValidationError(
                    {
                        "state": _("Unbekannter Zustand. Möglich sind: %(states)s")
                        % {"states": ", ".join(Rundmail.State.values)}
                    }
                )
            if network:
                queryset = queryset.filter(network__slug=network)
            if state:
                queryset = queryset.filter(state=state)
        return queryset

    def _speaker_object(self) -> Rundmail:
        rundmail = self.get_object()
        if not self.request.user.has_perm("notifications.send_rundmail", rundmail.network):
            raise exceptions.PermissionDenied(_("Nur das Sprecher*innenteam des Netzwerks darf das."))
        return rundmail

    def _answer(self, rundmail: Rundmail, code=status.HTTP_200_OK) -> Response:
        fresh = selectors.rundmails_visible(user=self.request.user).get(pk=rundmail.pk)
        return Response(RundmailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        summary="Rundmail schreiben oder vorschlagen",
        description=(
            "Sprecher*innen legen einen Entwurf an; Mitglieder schlagen mit ``propose: true`` eine Rundmail an "
            "alle vor. Platzhalter: {anrede}, {name}, {netzwerk}. Anhänge als ``files`` (multipart)."
        ),
        request={"application/json": RundmailCreateSerializer, "multipart/form-data": RundmailCreateSerializer},
        responses={201: RundmailSerializer},
        tags=[TAG],
    )
    def create(self, request, *args, **kwargs):
        serializer = RundmailCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        network = Network.objects.filter(slug=data["network"]).first()
        if network is None or not request.user.has_perm("notifications.read_rundmails", network):
            raise exceptions.ValidationError(
                {"network": _("Dieses Netzwerk gibt es nicht, oder Sie sind nicht Mitglied.")}
            )
        files = request.FILES.getlist("files") if hasattr(request, "FILES") else []
        if data["propose"]:
            institution = None
            if data.get("institution"):
                institution = Institution.objects.filter(pk=data["institution"]).first()
                if institution is None:
                    raise exceptions.ValidationError({"institution": _("Diese Einrichtung gibt es nicht.")})
            rundmail = services.rundmail_propose(
                network=network,
                actor=request.user,
                subject=data["subject"],
                body=data["body"],
                institution=institution,
                files=files,
            )
        else:
            if not request.user.has_perm("notifications.send_rundmail", network):
                raise exceptions.PermissionDenied(
                    _("Nur das Sprecher*innenteam schreibt Rundmails; Mitglieder schlagen mit „propose“ eine vor.")
                )
            rundmail = services.rundmail_create(
                network=network,
                actor=request.user,
                subject=data["subject"],
                body=data["body"],
                roles=data["roles"],
                institution_type_ids=data["institution_types"],
                files=files,
            )
        return self._answer(rundmail, status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        services.rundmail_discard(rundmail=self._speaker_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Vorschau",
        description=(
            "Betreff und Text, wie die gewählte Person (``person``, sonst die erste der Empfänger*innen) sie erhält."
        ),
        parameters=[OpenApiParameter("person", int, description="Nr. einer Person der Empfänger*innen")],
        responses={200: RundmailPreviewSerializer, 404: None, 409: None},
        tags=[TAG],
    )
    @action(detail=True, methods=["get"])
    def preview(self, request, pk=None):
        rundmail = self._speaker_object()
        now = timezone.now()
        people = selectors.rundmail_preview_people(rundmail, day=now.astimezone(BERLIN).date())
        wanted = request.query_params.get("person", "")
        person = None
        if wanted:
            if not wanted.isdigit():
                raise exceptions.ValidationError({"person": _("Bitte die Nr. einer Person angeben.")})
            person = next((item for item in people if item.pk == int(wanted)), None)
            if person is None:
                # No preview exists for someone the Rundmail does not reach.
                raise exceptions.NotFound(_("Diese Person erhält die Rundmail nicht."))
        person = person or (people[0] if people else None)
        if person is None:
            return Response({"detail": _("Diese Rundmail erreicht niemanden.")}, status=status.HTTP_409_CONFLICT)
        person = Person.objects.get(pk=person.pk)
        total, by_mail = selectors.rundmail_recipient_counts(rundmail, day=now.astimezone(BERLIN).date())
        preview = compose.rundmail_preview(rundmail=rundmail, person=person, now=now)
        return Response(
            RundmailPreviewSerializer(
                {
                    "person": person.pk,
                    "to_name": person.full_name,
                    "subject": preview["subject"],
                    "body": preview["body"],
                    "files": preview["files"],
                    "attached": preview.get("attached", True),
                    "recipients": total,
                    "recipients_by_mail": by_mail,
                }
            ).data
        )

    @extend_schema(
        summary="Senden oder freigeben",
        description="Jetzt (``send_at`` leer) oder zum Zeitpunkt ``send_at``; ein Vorschlag wird damit freigegeben.",
        request=RundmailScheduleSerializer,
        responses={200: RundmailSerializer},
        tags=[TAG],
    )
    @action(detail=True, methods=["post"])
    def schedule(self, request, pk=None):
        rundmail = self._speaker_object()
        serializer = RundmailScheduleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rundmail = services.rundmail_schedule(
            rundmail=rundmail, actor=request.user, send_at=serializer.validated_data.get("send_at")
        )
        return self._answer(rundmail)

    @extend_schema(summary="Zurückziehen", request=None, responses={200: RundmailSerializer}, tags=[TAG])
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        rundmail = services.rundmail_withdraw(rundmail=self._speaker_object(), actor=request.user)
        return self._answer(rundmail)

    @extend_schema(
        summary="Vorschlag ablehnen", request=RundmailRejectSerializer, responses={200: RundmailSerializer}, tags=[TAG]
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        rundmail = self._speaker_object()
        serializer = RundmailRejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rundmail = services.rundmail_reject(
            rundmail=rundmail, actor=request.user, note=serializer.validated_data["note"]
        )
        return self._answer(rundmail)
