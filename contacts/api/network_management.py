"""Speakers keep their network through the API as on the web: the same services, the same
permission predicates (``contacts.manage_network``; ``contacts.manage_directory`` for the
decisions on proposals), the same German messages.

``/api/v1/network-management/{slug}/`` reads what the management page shows; its actions
write. ``/api/v1/proposals/`` is Sozialplanung's list of proposals with their decisions.
Ids in bodies are bounded integers (a huge number is a 400, never a database error).
"""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from contacts import selectors, services
from contacts.api.serializers import (
    AreaSummarySerializer,
    DisplayField,
    InstitutionSummarySerializer,
    NetworkSummarySerializer,
)
from contacts.models import (
    AccountInvitation,
    Area,
    Institution,
    InstitutionType,
    Membership,
    Network,
    NetworkProposal,
    Person,
    Topic,
)
from contacts.selectors import network_management as manage_selectors

TAG = "Netzwerk verwalten"
MAX_ID = 999_999_999
EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2199, 12, 31)
MEMBER_ROLE_CHOICES = [(role.value, role.label) for role in (Membership.Role.MEMBER, Membership.Role.GUEST)]
TEAM_ROLE_CHOICES = [(role.value, role.label) for role in Membership.LEADING_ROLES]


# --- read shapes ---------------------------------------------------------------------------


class ManagedPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(allow_null=True, help_text="null, wo der Name nicht freigegeben ist")


class ManagedMembershipSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(source="membership.uuid")
    role = serializers.CharField(source="membership.role")
    role_display = serializers.CharField(source="membership.get_role_display")
    start_date = serializers.DateField(source="membership.start")
    end_date = serializers.DateField(source="membership.end", allow_null=True)
    institution = InstitutionSummarySerializer(source="membership.institution", allow_null=True)
    person = ManagedPersonSerializer(allow_null=True)


class InvitationSerializer(serializers.ModelSerializer):
    person = serializers.SerializerMethodField()
    state = serializers.CharField(source="state_label", read_only=True)

    class Meta:
        model = AccountInvitation
        fields = ["id", "person", "email", "created_at", "sent_at", "expires_at", "state"]

    @extend_schema_field(ManagedPersonSerializer)
    def get_person(self, invitation: AccountInvitation) -> dict:
        return {"id": invitation.person_id, "name": invitation.person.full_name}


class ProposalSerializer(serializers.ModelSerializer):
    network = NetworkSummarySerializer(read_only=True)
    areas = AreaSummarySerializer(many=True, read_only=True)
    kind_display = DisplayField("kind")
    state_display = DisplayField("state")
    institution_type = serializers.CharField(source="institution_type.name", read_only=True, allow_null=True)
    representative = serializers.IntegerField(source="representative_id", read_only=True, allow_null=True)
    institution = InstitutionSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = NetworkProposal
        fields = [
            "id",
            "network",
            "kind",
            "kind_display",
            "areas",
            "institution_name",
            "institution_type",
            "street",
            "postal_code",
            "website",
            "email",
            "phone",
            "representative",
            "note",
            "created_at",
            "state",
            "state_display",
            "decided_at",
            "decision_note",
            "institution",
        ]


class NetworkManagementSerializer(serializers.Serializer):
    network = NetworkSummarySerializer()
    day = serializers.DateField(help_text="Der Tag, für den „im Amt“ und „aktuell“ gelten (heute)")
    team = ManagedMembershipSerializer(many=True, help_text="Sprecher*innenteam und Geschäftsführung im Amt")
    future_team = ManagedMembershipSerializer(many=True, help_text="gewählt, Amtszeit beginnt später")
    members = ManagedMembershipSerializer(many=True, help_text="aktuelle und beginnende Mitgliedschaften")
    history = ManagedMembershipSerializer(many=True, help_text="beendete Mitgliedschaften und Amtszeiten")
    invitations = InvitationSerializer(many=True, help_text="offene Einladungen zu einem Zugang")
    proposals = ProposalSerializer(many=True)


# --- write shapes --------------------------------------------------------------------------


def _bounded_date(value: datetime.date | None) -> datetime.date | None:
    if value is not None and not EARLIEST <= value <= LATEST:
        raise serializers.ValidationError(_("Bitte ein Datum zwischen 1900 und 2199 angeben."))
    return value


class BoundedDateField(serializers.DateField):
    def to_internal_value(self, value):
        return _bounded_date(super().to_internal_value(value))


def _id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class ProfileUpdateSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=5000, allow_blank=True, required=False, trim_whitespace=False)
    rhythm = serializers.CharField(max_length=200, allow_blank=True, required=False)
    website = serializers.URLField(max_length=200, allow_blank=True, required=False)
    topics = serializers.ListField(
        child=serializers.SlugField(max_length=100), max_length=50, required=False, help_text="Kurznamen der Themen"
    )

    def validate_topics(self, slugs: list[str]) -> list[Topic]:
        topics = list(Topic.objects.filter(slug__in=slugs))
        unknown = sorted(set(slugs) - {topic.slug for topic in topics})
        if unknown:
            raise serializers.ValidationError(_("Unbekanntes Thema: %(slugs)s.") % {"slugs": ", ".join(unknown)})
        return topics


class AreasProposalSerializer(serializers.Serializer):
    areas = serializers.ListField(child=_id_field(), min_length=1, max_length=100, help_text="Ids der Gebiete")
    note = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")

    def validate_areas(self, ids: list[int]) -> list[Area]:
        areas = list(Area.objects.filter(pk__in=ids))
        if len(areas) != len(set(ids)):
            raise serializers.ValidationError(_("Mindestens eines der Gebiete gibt es nicht."))
        return areas


class MemberAddSerializer(serializers.Serializer):
    institution = _id_field(required=False, allow_null=True, default=None, help_text="Id der Einrichtung")
    person = _id_field(
        required=False,
        allow_null=True,
        default=None,
        help_text="Id der Person: vertritt die Einrichtung, oder Einzelmitglied",
    )
    role = serializers.ChoiceField(choices=MEMBER_ROLE_CHOICES, default=Membership.Role.MEMBER)
    start_date = BoundedDateField(required=False, allow_null=True, default=None)


class MembershipEndSerializer(serializers.Serializer):
    end_date = BoundedDateField()


class RoleChangeSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=MEMBER_ROLE_CHOICES)
    day = BoundedDateField(required=False, allow_null=True, default=None, help_text="ab diesem Tag (leer: heute)")


class TeamMemberSerializer(serializers.Serializer):
    person = _id_field()
    role = serializers.ChoiceField(choices=TEAM_ROLE_CHOICES)


class TeamElectSerializer(serializers.Serializer):
    start_date = BoundedDateField()
    end_date = BoundedDateField(required=False, allow_null=True, default=None)
    team = TeamMemberSerializer(many=True, min_length=1, max_length=10)


class InstitutionProposalSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    institution_type = serializers.SlugField(max_length=120, help_text="Kurzname der Einrichtungsart")
    street = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")
    postal_code = serializers.CharField(max_length=10, allow_blank=True, required=False, default="")
    website = serializers.URLField(max_length=200, allow_blank=True, required=False, default="")
    email = serializers.EmailField(max_length=254, allow_blank=True, required=False, default="")
    phone = serializers.CharField(max_length=40, allow_blank=True, required=False, default="")
    representative = _id_field(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")

    def validate_institution_type(self, slug: str) -> InstitutionType:
        found = InstitutionType.objects.filter(slug=slug).first()
        if found is None:
            raise serializers.ValidationError(_("Diese Einrichtungsart gibt es nicht."))
        return found


class InvitationCreateSerializer(serializers.Serializer):
    person = _id_field()
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")


# --- views -------------------------------------------------------------------------------


def _visible_person(person_id: int | None, audience, field: str) -> Person | None:
    """The person ``person_id`` if the requester may see the name; a 400 otherwise (so an id
    does not tell whether someone hidden exists)."""
    if person_id is None:
        return None
    person = manage_selectors.person_visible(person_id=person_id, audience=audience)
    if person is None:
        raise exceptions.ValidationError(
            {field: [_("Diese Person gibt es nicht, oder ihr Name ist nicht freigegeben.")]}
        )
    return person


@extend_schema_view(
    list=extend_schema(summary="Netzwerke, die ich verwalte", tags=[TAG]),
    retrieve=extend_schema(
        summary="Verwaltung eines Netzwerks",
        description="Team im Amt und künftiges Team, Mitglieder mit Verlauf, offene Einladungen, Vorschläge.",
        tags=[TAG],
    ),
)
class NetworkManagementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "slug"
    serializer_class = NetworkManagementSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return Network.objects.order_by("name")

    def get_object(self) -> Network:
        network = super().get_object()
        if not self.request.user.has_perm("contacts.manage_network", network):
            raise exceptions.PermissionDenied(
                _("Nur das Sprecher*innenteam, die Geschäftsführung und die Sozialplanung dürfen das ändern.")
            )
        return network

    def _audience(self):
        return selectors.audience_for(self.request.user)

    def _body(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _overview(self, network: Network, status_code: int = status.HTTP_200_OK) -> Response:
        page = manage_selectors.network_management(network=network, audience=self._audience())
        data = NetworkManagementSerializer(_page_data(page), context=self.get_serializer_context()).data
        return Response(data, status=status_code)

    @extend_schema(responses={200: NetworkSummarySerializer(many=True)})
    def list(self, request, *args, **kwargs):
        roles = selectors.user_roles(request.user)
        networks = Network.objects.order_by("name")
        if not roles.is_sozialplanung:
            networks = networks.filter(pk__in=roles.leading_network_ids)
        return Response(NetworkSummarySerializer(networks, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return self._overview(self.get_object())

    @extend_schema(
        summary="Angaben ändern",
        request=ProfileUpdateSerializer,
        responses={200: NetworkManagementSerializer},
        tags=[TAG],
    )
    @action(detail=True, methods=["patch"])
    def profile(self, request, slug=None):
        network = self.get_object()
        services.network_profile_update(network=network, actor=request.user, **self._body(ProfileUpdateSerializer))
        return self._overview(network)

    @extend_schema(
        summary="Gebiete vorschlagen",
        description="Die Sozialplanung entscheidet; bis dahin gelten die bisherigen Gebiete.",
        request=AreasProposalSerializer,
        responses={201: ProposalSerializer},
        tags=[TAG],
    )
    @action(detail=True, methods=["post"], url_path="area-proposals", url_name="area-proposals")
    def area_proposals(self, request, slug=None):
        network = self.get_object()
        proposal = services.network_areas_propose(
            network=network, actor=request.user, **self._body(AreasProposalSerializer)
        )
        return Response(ProposalSerializer(proposal).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Neue Einrichtung vorschlagen",
        description="Nimmt die Sozialplanung an, steht die Einrichtung im Verzeichnis und ist Mitglied.",
        request=InstitutionProposalSerializer,
        responses={201: ProposalSerializer},
        tags=[TAG],
    )
    @action(detail=True, methods=["post"], url_path="institution-proposals", url_name="institution-proposals")
    def institution_proposals(self, request, slug=None):
        network = self.get_object()
        data = self._body(InstitutionProposalSerializer)
        data["representative"] = _visible_person(data["representative"], self._audience(), "representative")
        proposal = services.institution_propose(network=network, actor=request.user, **data)
        return Response(ProposalSerializer(proposal).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Mitglied hinzufügen",
        description="Eine Einrichtung (mit der Person, die sie vertritt) oder eine Einzelperson.",
        request=MemberAddSerializer,
        responses={201: NetworkManagementSerializer},
        tags=[TAG],
    )
    @action(detail=True, methods=["post"])
    def members(self, request, slug=None):
        network = self.get_object()
        data = self._body(MemberAddSerializer)
        institution = None
        if data["institution"] is not None:
            institution = Institution.objects.filter(pk=data["institution"], is_active=True).first()
            if institution is None:
                raise exceptions.ValidationError({"institution": [_("Diese Einrichtung gibt es nicht.")]})
        person = _visible_person(data["person"], self._audience(), "person")
        services.network_member_add(
            network=network,
            actor=request.user,
            institution=institution,
            person=person,
            role=data["role"],
            start=data["start_date"],
        )
        return self._overview(network, status.HTTP_201_CREATED)

    def _membership(self, network: Network, uuid) -> Membership:
        membership = Membership.objects.select_related("network").filter(uuid=uuid, network=network).first()
        if membership is None:
            raise exceptions.NotFound(_("Diese Mitgliedschaft gibt es nicht."))
        return membership

    @extend_schema(
        summary="Mitgliedschaft beenden",
        request=MembershipEndSerializer,
        responses={200: NetworkManagementSerializer},
        tags=[TAG],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"memberships/(?P<uuid>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/end",
        url_name="membership-end",
    )
    def membership_end(self, request, slug=None, uuid=None):
        network = self.get_object()
        membership = self._membership(network, uuid)
        data = self._body(MembershipEndSerializer)
        services.network_membership_end(membership=membership, actor=request.user, end=data["end_date"])
        return self._overview(network)

    @extend_schema(
        summary="Rolle ändern", request=RoleChangeSerializer, responses={200: NetworkManagementSerializer}, tags=[TAG]
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"memberships/(?P<uuid>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/role",
        url_name="membership-role",
    )
    def membership_role(self, request, slug=None, uuid=None):
        network = self.get_object()
        membership = self._membership(network, uuid)
        data = self._body(RoleChangeSerializer)
        services.network_membership_role_change(
            membership=membership, actor=request.user, role=data["role"], day=data["day"]
        )
        return self._overview(network)

    @extend_schema(
        summary="Neues Sprecher*innenteam eintragen",
        description=(
            "Die Amtszeiten des bisherigen Teams enden am Tag vor `start_date`; ab dann zeigt die Seite "
            "des Netzwerks das neue Team. Gewählt werden Mitglieder des Netzwerks."
        ),
        request=TeamElectSerializer,
        responses={201: NetworkManagementSerializer},
        tags=[TAG],
    )
    @action(detail=True, methods=["post"], url_path="speaker-team", url_name="speaker-team")
    def speaker_team(self, request, slug=None):
        network = self.get_object()
        data = self._body(TeamElectSerializer)
        ids = [row["person"] for row in data["team"]]
        people = Person.objects.in_bulk(ids)
        missing = [pk for pk in ids if pk not in people]
        if missing:
            raise exceptions.ValidationError({"team": [_("Diese Person gibt es nicht.")]})
        services.speaker_team_elect(
            network=network,
            actor=request.user,
            team=[(people[row["person"]], row["role"]) for row in data["team"]],
            start=data["start_date"],
            end=data["end_date"],
        )
        return self._overview(network, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Zu einem Zugang einladen",
        description="Die Mail mit dem Link (drei Tage gültig) geht über das Zustellprotokoll, genau einmal.",
        request=InvitationCreateSerializer,
        responses={201: InvitationSerializer},
        tags=[TAG],
    )
    @action(detail=True, methods=["post"])
    def invitations(self, request, slug=None):
        network = self.get_object()
        data = self._body(InvitationCreateSerializer)
        person = Person.objects.filter(pk=data["person"]).first()
        if person is None:
            raise exceptions.ValidationError({"person": [_("Diese Person gibt es nicht.")]})
        invitation = services.account_invitation_create(
            person=person, actor=request.user, network=network, email=data["email"] or None
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    def _invitation(self, network: Network, pk: str) -> AccountInvitation:
        invitation = (
            AccountInvitation.objects.select_related("person", "network").filter(pk=pk, network=network).first()
        )
        if invitation is None:
            raise exceptions.NotFound(_("Diese Einladung gibt es nicht."))
        return invitation

    @extend_schema(summary="Einladung erneut senden", request=None, responses={200: InvitationSerializer}, tags=[TAG])
    @action(
        detail=True, methods=["post"], url_path=r"invitations/(?P<pk>[0-9]{1,9})/resend", url_name="invitation-resend"
    )
    def invitation_resend(self, request, slug=None, pk=None):
        network = self.get_object()
        invitation = services.account_invitation_resend(invitation=self._invitation(network, pk), actor=request.user)
        return Response(InvitationSerializer(invitation).data)

    @extend_schema(summary="Einladung zurückziehen", request=None, responses={200: InvitationSerializer}, tags=[TAG])
    @action(
        detail=True,
        methods=["post"],
        url_path=r"invitations/(?P<pk>[0-9]{1,9})/withdraw",
        url_name="invitation-withdraw",
    )
    def invitation_withdraw(self, request, slug=None, pk=None):
        network = self.get_object()
        invitation = services.account_invitation_withdraw(invitation=self._invitation(network, pk), actor=request.user)
        return Response(InvitationSerializer(invitation).data)


def _page_data(page: manage_selectors.NetworkManagement) -> dict:
    def rows(items):
        return [
            {
                "membership": row.membership,
                "person": {"id": row.membership.person_id, "name": row.person.name} if row.person else None,
            }
            for row in items
        ]

    return {
        "network": page.network,
        "day": page.day,
        "team": rows(page.team),
        "future_team": rows(page.future_team),
        "members": rows(page.members),
        "history": rows(page.history),
        "invitations": page.invitations,
        "proposals": page.proposals,
    }


class StaffOnly(permissions.IsAuthenticated):
    message = gettext_lazy("Nur die Sozialplanung entscheidet über Vorschläge.")

    def has_permission(self, request, view):
        return super().has_permission(request, view) and request.user.has_perm("contacts.manage_directory")


@extend_schema_view(
    list=extend_schema(
        summary="Vorschläge der Netzwerke",
        description="Neueste zuerst.",
        parameters=[
            OpenApiParameter(
                "state", str, enum=NetworkProposal.State.values, description="nur Vorschläge in diesem Stand"
            )
        ],
        tags=[TAG],
    ),
    retrieve=extend_schema(summary="Ein Vorschlag", tags=[TAG]),
)
class ProposalViewSet(viewsets.ReadOnlyModelViewSet):
    """Sozialplanung's list of proposals (areas, new institutions) and its decisions."""

    permission_classes = [StaffOnly]
    serializer_class = ProposalSerializer
    lookup_value_regex = "[0-9]{1,9}"
    filter_backends: list = []

    def get_queryset(self):
        state = self.request.query_params.get("state")
        if state is not None and state not in NetworkProposal.State.values:
            raise exceptions.ValidationError({"state": [_("Erlaubt sind: offen, angenommen, abgelehnt.")]})
        return manage_selectors.network_proposals(state=state)

    def _decide(self, decide) -> Response:
        proposal = self.get_object()
        serializer = DecisionSerializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            decide(proposal=proposal, actor=self.request.user, note=serializer.validated_data["note"])
        return Response(ProposalSerializer(manage_selectors.network_proposals().get(pk=proposal.pk)).data)

    @extend_schema(
        summary="Vorschlag annehmen", request=DecisionSerializer, responses={200: ProposalSerializer}, tags=[TAG]
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(services.proposal_approve)

    @extend_schema(
        summary="Vorschlag ablehnen", request=DecisionSerializer, responses={200: ProposalSerializer}, tags=[TAG]
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(services.proposal_reject)
