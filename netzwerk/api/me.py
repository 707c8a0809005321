"""``/api/v1/me/…``: „Mein Bereich“ for scripts and apps — the logged-in person's own entry,
addresses, consents, memberships, login address, password, and the Art. 15 export.

The same services as the web pages; an object of somebody else answers 403 with a German
sentence, nothing is written.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from contacts.models import Consent, ContactChannel, Membership, Person, Visibility
from contacts.my_area import NO_ENTRY, NOT_YOURS
from contacts.services import channel_remove, consent_withdraw
from contacts.services.self_service import (
    PROFILE_FIELDS,
    account_email_change_request,
    account_password_change,
    consent_grant,
    network_leave,
    person_channel_add,
    person_channel_update,
    person_profile_update,
)
from netzwerk.privacy import person_data_export

TAGS = ["Mein Bereich"]
ID_PATTERN = r"[0-9]{1,9}"


class MyChannelSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContactChannel
        fields = ["id", "kind", "value", "label", "is_primary"]
        read_only_fields = ["id"]


class ChannelWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ContactChannel.Kind.choices)
    value = serializers.CharField(max_length=254)
    label = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    is_primary = serializers.BooleanField(required=False, default=False)


class ChannelPatchSerializer(ChannelWriteSerializer):
    kind = serializers.ChoiceField(choices=ContactChannel.Kind.choices, required=False)
    value = serializers.CharField(max_length=254, required=False)
    label = serializers.CharField(max_length=60, required=False, allow_blank=True)
    is_primary = serializers.BooleanField(required=False)


class MyConsentSerializer(serializers.ModelSerializer):
    channel = serializers.CharField(source="channel.value", read_only=True, allow_null=True, default=None)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = Consent
        fields = [
            "id",
            "scope",
            "audience",
            "channel",
            "text_version",
            "source",
            "given_at",
            "withdrawn_at",
            "is_active",
        ]


class ConsentGrantSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=Consent.Scope.choices)
    audience = serializers.ChoiceField(
        choices=[(Visibility.NETWORK_MEMBERS.value, "network_members"), (Visibility.PUBLIC.value, "public")],
        help_text="1: Mitglieder der eigenen Netzwerke, 2: öffentlich",
    )


class MyMembershipSerializer(serializers.ModelSerializer):
    network = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    network_name = serializers.CharField(source="network.name", read_only=True)
    institution = serializers.CharField(source="institution.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Membership
        fields = ["uuid", "network", "network_name", "institution", "role", "start", "end"]


class ProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = list(PROFILE_FIELDS)


class MeSerializer(serializers.Serializer):
    account_email = serializers.EmailField()
    person = ProfileSerializer()
    channels = MyChannelSerializer(many=True)
    consents = MyConsentSerializer(many=True)
    memberships = MyMembershipSerializer(many=True)


class EmailChangeSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class EmailChangeAnswerSerializer(serializers.Serializer):
    detail = serializers.CharField()
    email = serializers.EmailField()


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(max_length=256, trim_whitespace=False)
    new_password = serializers.CharField(max_length=256, trim_whitespace=False)


def _person(request) -> Person:
    person = Person.objects.filter(user=request.user, erased_at__isnull=True).first()
    if person is None:
        raise PermissionDenied(str(NO_ENTRY))
    return person


def _own(request, obj):
    if obj.person_id is None or obj.person.user_id != request.user.pk:
        raise PermissionDenied(str(NOT_YOURS))
    return obj


def _me(request, person: Person) -> dict:
    return {
        "account_email": request.user.email,
        "person": person,
        "channels": person.channels.all(),
        "consents": Consent.objects.filter(person=person).select_related("channel"),
        "memberships": Membership.objects.filter(person=person).select_related("network", "institution"),
    }


class MeView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(summary="Mein Eintrag", responses=MeSerializer, tags=TAGS)
    def get(self, request):
        return Response(MeSerializer(_me(request, _person(request))).data)

    @extend_schema(
        summary="Name, Anrede und Sprache ändern",
        request=ProfileSerializer(partial=True),
        responses={200: MeSerializer, 400: OpenApiResponse(description="Ungültige Angaben")},
        tags=TAGS,
    )
    def patch(self, request):
        person = _person(request)
        serializer = ProfileSerializer(person, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        person_profile_update(person=person, actor=request.user, **serializer.validated_data)
        return Response(MeSerializer(_me(request, person)).data)


class MeChannelsView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="E-Mail-Adresse oder Telefonnummer hinzufügen",
        request=ChannelWriteSerializer,
        responses={201: MyChannelSerializer, 400: OpenApiResponse(description="Ungültige Angabe")},
        tags=TAGS,
    )
    def post(self, request):
        person = _person(request)
        serializer = ChannelWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        channel = person_channel_add(person=person, **serializer.validated_data)
        return Response(MyChannelSerializer(channel).data, status=status.HTTP_201_CREATED)


class MeChannelView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    def _channel(self, request, pk) -> ContactChannel:
        return _own(request, get_object_or_404(ContactChannel.objects.select_related("person"), pk=pk))

    @extend_schema(
        summary="Eigene Adresse oder Nummer ändern",
        request=ChannelPatchSerializer,
        responses={200: MyChannelSerializer, 400: OpenApiResponse(description="Ungültige Angabe")},
        tags=TAGS,
    )
    def patch(self, request, pk):
        channel = self._channel(request, pk)
        serializer = ChannelPatchSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        channel = person_channel_update(channel=channel, **serializer.validated_data)
        return Response(MyChannelSerializer(channel).data)

    @extend_schema(
        summary="Eigene Adresse oder Nummer löschen",
        responses={204: None, 400: OpenApiResponse(description="Eine Einwilligung nennt sie")},
        tags=TAGS,
    )
    def delete(self, request, pk):
        channel_remove(channel=self._channel(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeConsentsView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Meine Einwilligungen (auch widerrufene)", responses=MyConsentSerializer(many=True), tags=TAGS
    )
    def get(self, request):
        consents = Consent.objects.filter(person=_person(request)).select_related("channel")
        return Response(MyConsentSerializer(consents, many=True).data)

    @extend_schema(
        summary="Einwilligung geben",
        description=(
            "Zur aktuellen Fassung des Einwilligungstexts; eine gleiche gültige Einwilligung bleibt, wie sie ist."
        ),
        request=ConsentGrantSerializer,
        responses={201: MyConsentSerializer, 400: OpenApiResponse(description="Ungültige Angabe")},
        tags=TAGS,
    )
    def post(self, request):
        person = _person(request)
        serializer = ConsentGrantSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        consent = consent_grant(person=person, actor=request.user, **serializer.validated_data)
        return Response(MyConsentSerializer(consent).data, status=status.HTTP_201_CREATED)


class MeConsentWithdrawView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Einwilligung widerrufen",
        description="Ab dieser Anfrage zeigt keine Seite, keine Schnittstelle und kein Kalender die Angabe mehr.",
        request=None,
        responses={200: MyConsentSerializer},
        tags=TAGS,
    )
    def post(self, request, pk):
        consent = _own(request, get_object_or_404(Consent.objects.select_related("person"), pk=pk))
        return Response(MyConsentSerializer(consent_withdraw(consent=consent)).data)


class MeLeaveView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Aus einem Netzwerk austreten",
        description="Beendet heute jede Mitgliedschaft und Rolle in dem Netzwerk dieser Mitgliedschaft; "
        "die Sprecher*innen bekommen eine E-Mail.",
        request=None,
        responses={200: MyMembershipSerializer(many=True), 400: OpenApiResponse(description="Nicht (mehr) Mitglied")},
        tags=TAGS,
    )
    def post(self, request, uuid):
        membership = get_object_or_404(Membership.objects.select_related("person", "network"), uuid=uuid)
        _own(request, membership)
        rows = network_leave(person=membership.person, network=membership.network, actor=request.user)
        return Response(MyMembershipSerializer(rows, many=True).data)


class MeEmailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Anmeldeadresse ändern",
        description="Schickt einen Bestätigungslink an die neue Adresse; sie gilt erst, wenn er bestätigt ist. "
        "Eine Adresse eines anderen Zugangs wird abgelehnt.",
        request=EmailChangeSerializer,
        responses={202: EmailChangeAnswerSerializer, 400: OpenApiResponse(description="Adresse nicht möglich")},
        tags=TAGS,
    )
    def post(self, request):
        serializer = EmailChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            address = account_email_change_request(user=request.user, email=serializer.validated_data["email"])
        except DjangoValidationError as error:
            raise serializers.ValidationError({"email": error.messages}) from None
        detail = "Bestätigungslink gesendet; die Adresse gilt, sobald er bestätigt ist."
        return Response({"detail": detail, "email": address}, status=status.HTTP_202_ACCEPTED)


class MePasswordView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Passwort ändern",
        request=PasswordChangeSerializer,
        responses={204: None, 400: OpenApiResponse(description="Bisheriges Passwort falsch oder neues zu schwach")},
        tags=TAGS,
    )
    def post(self, request):
        serializer = PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        account_password_change(user=request.user, **serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeExportView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Auskunft nach Art. 15 DSGVO",
        description="Alles, was Netzwerk über die angemeldete Person gespeichert hat: Eintrag, Zugang, "
        "Einwilligungen mit Wortlaut, Mitgliedschaften, Antworten und Anwesenheit, Stimmen in "
        "Terminumfragen, Zustellprotokoll, Kalenderadressen, Kontaktanfragen.",
        responses={200: OpenApiTypes.OBJECT},
        tags=TAGS,
    )
    def get(self, request):
        response = Response(person_data_export(person=_person(request)))
        response["Cache-Control"] = "no-store"
        return response
