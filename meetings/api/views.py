"""The calendar API: read what the requester may see, write only through ``meetings.services``.

Each write validates its body with a write serialiser (the service's keyword arguments),
checks the permission on the network (``permissions.NetworkPermission``), calls exactly one
service (or several in one transaction) and answers with the read shape. A service's German
``ValidationError`` becomes a 400 through the global exception handler; the service's
transaction guarantees that nothing is half-written.
"""

import hashlib

from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from contacts.api.lists import LIST_SECONDS, RowsOf, VersionedListMixin
from contacts.clients import client_address
from contacts.models import Membership, Network, Person
from contacts.selectors import audience_for, people_for_projection
from contacts.visibility import project_person
from meetings import services
from meetings.api import selectors
from meetings.api.filters import AgendaItemFilter, MeetingFilter, PollFilter, SeriesFilter
from meetings.api.permissions import ANSWER, MANAGE, MESSAGES, NetworkPermission, has_network_perm
from meetings.api.serializers import (
    AgendaItemSerializer,
    AgendaItemUpdateSerializer,
    AgendaItemWriteSerializer,
    AnswerSerializer,
    AttendanceSerializer,
    DocumentSerializer,
    DocumentUpdateSerializer,
    DocumentWriteSerializer,
    GuestRegistrationReceiptSerializer,
    GuestRegistrationWriteSerializer,
    GuestSerializer,
    MeetingCancelSerializer,
    MeetingMoveSerializer,
    MeetingRowsRepresentation,
    MeetingSerializer,
    MeetingUpdateSerializer,
    MeetingWriteSerializer,
    MinutesFromAgendaSerializer,
    MinutesPublishSerializer,
    MinutesSerializer,
    MinutesWriteSerializer,
    NetworkReferenceSerializer,
    PollAnswerRowSerializer,
    PollCloseSerializer,
    PollSerializer,
    PollWriteSerializer,
    PresenceSerializer,
    SeriesCancelSerializer,
    SeriesSerializer,
    SeriesUpdateSerializer,
    SeriesWriteSerializer,
    VoteSerializer,
    minutes_visible_to,
)
from meetings.models import Attendance, Meeting, Minutes
from meetings.selectors import meeting_guests, poll_invitees

ID_PATTERN = r"[0-9]{1,9}"
UUID_PATTERN = r"[0-9a-fA-F-]{32,36}"

TAG_MEETINGS = "Sitzungen"


class GuestRegistrationThrottle(SimpleRateThrottle):
    """Every attempt to register counts per client address, failed ones too (someone trying
    which addresses are registered); the service counts the registrations made, web and
    API together (``GUEST_REGISTRATIONS_LIMIT``)."""

    scope = "guest_registration"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class OwnAttendanceSerializer(AttendanceSerializer):
    class Meta(AttendanceSerializer.Meta):
        fields = ["answer", "note", "answered_at", "presence"]


class CalendarViewSet(viewsets.GenericViewSet):
    """Shared plumbing: the permission class, the audience, validated write bodies."""

    permission_classes = [NetworkPermission]
    action_perms: dict[str, str] = {}

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["audience"] = audience_for(self.request.user)
        return context

    def validated(self, serializer_class, **kwargs) -> dict:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def require(self, perm: str, network) -> None:
        if not has_network_perm(self.request.user, perm, network):
            self.permission_denied(self.request, message=MESSAGES[perm])

    def network_for_create(self):
        """The network named in the body, after checking the right to manage it (403 first)."""
        network = self.validated(NetworkReferenceSerializer)["network"]
        self.require(MANAGE, network)
        return network

    def requester_person(self) -> Person:
        person = Person.objects.filter(user=self.request.user).first()
        if person is None:
            raise exceptions.PermissionDenied(_("Ihr Zugang ist mit keiner Person im Verzeichnis verbunden."))
        return person

    def read(self, obj, *, serializer_class=None, status_code=status.HTTP_200_OK) -> Response:
        """Answer with the read shape of ``obj``, fetched again as the requester sees it."""
        fresh = self.get_queryset().get(pk=obj.pk)
        serializer_class = serializer_class or self.serializer_class
        return Response(serializer_class(fresh, context=self.get_serializer_context()).data, status=status_code)


# The list of meetings read as rows (``selectors.meeting_rows``) and represented as
# ``MeetingSerializer`` represents a meeting (``MeetingRowsRepresentation``): the same JSON,
# without building every field of four nested serializers for every meeting; each row kept
# as represented per state of its networks and per audience (``KeptMeetingRows``). Filters,
# ordering and pagination are the viewset's own. A comment: see ``VersionedListMixin``.
class MeetingRowsListMixin(mixins.ListModelMixin):
    def calendar_state(self) -> selectors.CalendarState:
        # Read once per request: the version of the kept list and the rows' versions.
        if getattr(self, "_calendar_state", None) is None:
            self._calendar_state = selectors.calendar_state()
        return self._calendar_state

    def list(self, request, *args, **kwargs):
        network_ids = selectors.networks_seen_internally(request.user)
        meetings = self.filter_queryset(selectors.meetings_listed(network_ids))
        kept = KeptMeetingRows(request=request, network_ids=network_ids, state=self.calendar_state())
        return self.get_paginated_response(self.paginate_queryset(RowsOf(meetings, read=kept)))


class KeptMeetingRows:
    """The represented rows of a page of meetings, each kept in the cache under the state
    of what it shows and the audience it was made for, so that a page is mostly put
    together from rows made before: after a write only the rows of the networks it touched
    are read again.

    A row's key holds the meeting, the stamps of its networks (host and partners) and the
    directory's (``CalendarState.meeting_version``; a meeting's series is of its network,
    ``Meeting.clean``), the language, the time zone, the scheme and host of its links, and
    what the requester may see of this meeting — the only parts of a row that
    differ by requester: its internal agenda items and documents (the internal sight of one
    of its networks, as ``agenda_items_visible`` and ``documents_visible`` decide), its
    series (that of the host, ``MeetingRowsRepresentation.sees_internals``) and its minutes
    (the rights ``minutes_visible_to`` asks of the rules). A row is only ever given to a
    requester who sees exactly as much of that meeting as the one it was made for; nobody
    else can make its key.
    """

    def __init__(self, *, request, network_ids: frozenset[int] | None, state: selectors.CalendarState) -> None:
        self.request = request
        self.network_ids = network_ids
        self.state = state
        self.representation = MeetingRowsRepresentation(request=request, network_ids=network_ids)
        # What a row's text and links depend on besides the data: language, time zone, address.
        language = translation.get_language() or ""
        self.base = f"{language}:{timezone.get_current_timezone_name()}:{request.build_absolute_uri('/')}"
        # The sight of each set of networks met on the page, asked of the rules once.
        self.sights: dict[tuple[int, frozenset[int]], str] = {}

    def sight(self, host: int, partners: list[int]) -> str:
        """What the requester sees of a meeting of ``host`` and ``partners`` (see above)."""
        networks = frozenset({host, *partners})
        if self.network_ids is not None and self.network_ids.isdisjoint(networks):
            # None of its networks seen internally: no right on it either (the rules grant
            # them only on networks one belongs to, ``networks_seen_internally``), the
            # public row. Anonymous visitors see every meeting so.
            return "----"
        sight = self.sights.get((host, networks))
        if sight is None:
            user = self.request.user
            meeting = Meeting(network_id=host)
            meeting.partner_list = [Network(pk=pk) for pk in partners]
            flags = (
                user.has_perm(MANAGE, meeting),
                user.has_perm(selectors.INTERNAL_PERM, meeting),
                True,  # seen internally: ``agenda_items_visible`` and ``documents_visible``
                self.representation.sees_internals(host),
            )
            sight = self.sights[host, networks] = "".join("mish"[n] if flag else "-" for n, flag in enumerate(flags))
        return sight

    def key(self, meeting_id: int, host: int, partners: list[int]) -> str:
        version = self.state.meeting_version([host, *partners])
        detail = hashlib.sha256(f"{version}:{self.base}".encode()).hexdigest()[:32]
        # The host's id first: ``bench.pages`` empties one network's rows as a write would.
        return f"api-row:meeting:{host}:{meeting_id}:{self.sight(host, partners)}:{detail}"

    def __call__(self, meetings) -> list[dict]:
        page = selectors.meeting_page(meetings)
        # Joint meetings are few: most pages need no query for partners.
        joint = [meeting_id for meeting_id, _, is_joint in page if is_joint]
        partners = selectors.meeting_partner_rows(joint)
        keys = {
            meeting_id: self.key(meeting_id, host, sorted(row["network_id"] for row in partners.get(meeting_id, ())))
            for meeting_id, host, _ in page
        }
        kept = cache.get_many(keys.values())
        missing = [meeting_id for meeting_id, key in keys.items() if key not in kept]
        if missing:
            rows = selectors.meeting_rows(
                # In any order: the page gives it.
                Meeting.objects.filter(pk__in=missing).order_by(),
                network_ids=self.network_ids,
                partners=partners,
            )
            made = {
                keys[row["id"]]: represented for row, represented in zip(rows, self.representation(rows), strict=True)
            }
            cache.set_many(made, LIST_SECONDS)
            kept.update(made)
        return [kept[keys[meeting_id]] for meeting_id, _, _ in page]


@extend_schema_view(
    list=extend_schema(
        summary="Sitzungen auflisten",
        description=(
            "Anonym: öffentliche Sitzungen mit öffentlichen Tagesordnungspunkten. Mitglieder eines "
            "Netzwerks sehen auch dessen interne Sitzungen und Punkte, die Sozialplanung alle."
        ),
        tags=[TAG_MEETINGS],
    ),
    retrieve=extend_schema(summary="Eine Sitzung", tags=[TAG_MEETINGS]),
    create=extend_schema(
        summary="Einzelne Sitzung planen",
        request=MeetingWriteSerializer,
        responses={201: MeetingSerializer},
        tags=[TAG_MEETINGS],
    ),
    partial_update=extend_schema(
        summary="Sitzung ändern",
        description=(
            "Titel, Zeit, Status, Sichtbarkeit oder Ort. Zeit, Ort und Status erhöhen `sequence`; "
            "eine Sitzung einer Serie gilt danach als einzeln geändert."
        ),
        request=MeetingUpdateSerializer,
        responses={200: MeetingSerializer},
        tags=[TAG_MEETINGS],
    ),
)
class MeetingViewSet(VersionedListMixin, MeetingRowsListMixin, mixins.RetrieveModelMixin, CalendarViewSet):
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    ordering_fields = ["start", "updated_at", "title"]
    lookup_field = "uid"
    lookup_value_regex = UUID_PATTERN
    action_perms = {"answer": ANSWER, "attendances": MANAGE, "guests": MANAGE}

    def get_queryset(self):
        # Reading needs only what the representation shows; the writes get whole rows.
        reading = self.action in ("list", "retrieve")
        return selectors.meetings_visible(self.request.user, shown_only=reading)

    def list_version(self, request) -> str | None:
        # Kept for anonymous visitors only: what a signed-in user sees depends on their
        # networks and rights (internal meetings, agenda items and documents, drafts of
        # minutes, series), and is never kept, so nothing of it can reach anyone else.
        if request.user.is_authenticated:
            return None
        return f"anonymous-{self.calendar_state().list_version()}"

    def create(self, request, *args, **kwargs):
        network = self.network_for_create()
        data = self.validated(MeetingWriteSerializer)
        del data["network"]
        meeting = services.meeting_schedule(network=network, actor=request.user, **data)
        return self.read(meeting, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        meeting = self.get_object()
        data = self.validated(MeetingUpdateSerializer, partial=True, instance=meeting)
        partners = data.pop("partner_networks", None)
        # One transaction: a partner the caller may not add leaves the other changes unsaved too.
        with transaction.atomic():
            if partners is not None:
                services.meeting_partners_set(meeting=meeting, networks=partners, actor=request.user)
            services.meeting_update(meeting=meeting, actor=request.user, **data)
        return self.read(meeting)

    @extend_schema(
        summary="Sitzung verschieben",
        request=MeetingMoveSerializer,
        responses={200: MeetingSerializer},
        tags=[TAG_MEETINGS],
    )
    @action(detail=True, methods=["post"])
    def move(self, request, uid=None):
        meeting = self.get_object()
        services.meeting_move(meeting=meeting, actor=request.user, **self.validated(MeetingMoveSerializer))
        return self.read(meeting)

    @extend_schema(
        summary="Sitzung absagen",
        request=MeetingCancelSerializer,
        responses={200: MeetingSerializer},
        tags=[TAG_MEETINGS],
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, uid=None):
        meeting = self.get_object()
        services.meeting_cancel(meeting=meeting, actor=request.user, **self.validated(MeetingCancelSerializer))
        return self.read(meeting)

    @extend_schema(summary="Absage zurücknehmen", request=None, responses={200: MeetingSerializer}, tags=[TAG_MEETINGS])
    @action(detail=True, methods=["post"])
    def restore(self, request, uid=None):
        meeting = self.get_object()
        services.meeting_restore(meeting=meeting, actor=request.user)
        return self.read(meeting)

    @extend_schema(
        methods=["GET"],
        summary="Eigene Antwort lesen",
        responses={200: OwnAttendanceSerializer},
        tags=[TAG_MEETINGS],
    )
    @extend_schema(
        methods=["POST"],
        summary="Zusagen, absagen oder „vielleicht“",
        description="Die Antwort des angemeldeten Mitglieds; eine neue Antwort ersetzt die alte.",
        request=AnswerSerializer,
        responses={200: OwnAttendanceSerializer},
        tags=[TAG_MEETINGS],
    )
    @action(detail=True, methods=["get", "post"])
    def answer(self, request, uid=None):
        meeting = self.get_object()
        person = self.requester_person()
        if request.method == "POST":
            attendance = services.attendance_answer(meeting=meeting, person=person, **self.validated(AnswerSerializer))
        else:
            attendance = Attendance.objects.filter(meeting=meeting, person=person).first() or Attendance()
        return Response(OwnAttendanceSerializer(attendance, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Antworten und Anwesenheit",
        description="Für Sprecher*innen: alle Antworten; Personen nur so weit sichtbar, wie sie eingewilligt haben.",
        responses={200: AttendanceSerializer(many=True)},
        tags=[TAG_MEETINGS],
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def attendances(self, request, uid=None):
        meeting = self.get_object()
        attendances = (
            Attendance.objects.filter(meeting=meeting)
            .prefetch_related(Prefetch("person", queryset=people_for_projection(Person.objects.all())))
            .order_by("person__family_name", "person__given_name", "pk")
        )
        return Response(AttendanceSerializer(attendances, many=True, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Als Gast anmelden",
        description=(
            "Für offene Sitzungen mit „Anmeldung für Gäste“, ohne Zugang: Name, E-Mail-Adresse, freiwillig "
            "Einrichtung und Bedarfe. Sind alle Plätze vergeben, kommt die Anmeldung auf die Warteliste "
            "(`status` „warteliste“). Die Bestätigung mit dem Termin (.ics) und dem Link zum Abmelden geht "
            "an die angegebene Adresse. Eine volle Sitzung ohne Warteliste, eine vergangene, abgesagte oder "
            "geschlossene Anmeldung und eine schon angemeldete Adresse sind ein 400; zu viele Anmeldungen "
            "von einem Anschluss ein 429."
        ),
        request=GuestRegistrationWriteSerializer,
        responses={201: GuestRegistrationReceiptSerializer},
        tags=[TAG_MEETINGS],
    )
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[AllowAny],
        throttle_classes=[AnonRateThrottle, GuestRegistrationThrottle],
    )
    def register(self, request, uid=None):
        meeting = self.get_object()
        data = self.validated(GuestRegistrationWriteSerializer)
        try:
            registration = services.guest_register(
                meeting=meeting,
                client=client_address(request),
                language=getattr(request, "LANGUAGE_CODE", "de"),
                **data,
            )
        except DjangoValidationError as error:
            if getattr(error, "code", None) == "rate_limited":
                raise exceptions.Throttled(detail=" ".join(error.messages)) from None
            raise
        if registration.is_waiting:
            detail = _("Alle Plätze sind vergeben: Sie stehen auf der Warteliste. Eine Bestätigung kommt per E-Mail.")
        else:
            detail = _("Sie sind angemeldet. Eine Bestätigung mit dem Termin kommt per E-Mail.")
        receipt = {"meeting": meeting.uid, "status": registration.status, "detail": detail}
        return Response(GuestRegistrationReceiptSerializer(receipt).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Gäste einer Sitzung",
        description=(
            "Für Sprecher*innen und die Sozialplanung: die angemeldeten Gäste mit Name, E-Mail-Adresse, "
            "Einrichtung und Bedarfen, zuerst die mit Platz, dann die Warteliste. Niemand sonst sieht sie."
        ),
        responses={200: GuestSerializer(many=True)},
        tags=[TAG_MEETINGS],
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def guests(self, request, uid=None):
        meeting = self.get_object()
        return Response(GuestSerializer(meeting_guests(meeting), many=True).data)

    @extend_schema(
        summary="Anwesenheit erfassen",
        description="Nach Beginn der Sitzung: anwesend oder entschuldigt (leer löscht die Angabe).",
        request=PresenceSerializer,
        responses={200: AttendanceSerializer},
        tags=[TAG_MEETINGS],
    )
    @action(detail=True, methods=["post"])
    def presence(self, request, uid=None):
        meeting = self.get_object()
        data = self.validated(PresenceSerializer)
        members = Membership.objects.filter(network_id__in=meeting.network_ids, person_id=data["person"])
        person = people_for_projection(Person.objects.filter(pk=data["person"])).first()
        if person is None or not members.exists():
            raise exceptions.ValidationError({"person": [_("Diese Person ist kein Mitglied dieses Netzwerks.")]})
        attendance = services.attendance_record_presence(
            meeting=meeting, person=person, presence=data["presence"], actor=request.user
        )
        return Response(AttendanceSerializer(attendance, context=self.get_serializer_context()).data)

    @extend_schema(
        methods=["GET"],
        summary="Protokoll lesen",
        responses={200: MinutesSerializer},
        tags=[TAG_MEETINGS],
    )
    @extend_schema(
        methods=["PUT"],
        summary="Protokoll speichern",
        description=(
            "Text und/oder Datei (multipart/form-data); bis zur Veröffentlichung ein Entwurf, den nur "
            "Sprecher*innen sehen. Nicht angegebene Felder behalten ihren Wert."
        ),
        request={"application/json": MinutesWriteSerializer, "multipart/form-data": MinutesWriteSerializer},
        responses={200: MinutesSerializer},
        tags=[TAG_MEETINGS],
    )
    @action(detail=True, methods=["get", "put"])
    def minutes(self, request, uid=None):
        meeting = self.get_object()
        if request.method == "PUT":
            data = self.validated(MinutesWriteSerializer)
            current = Minutes.objects.filter(meeting=meeting).first()
            minutes = services.minutes_save(
                meeting=meeting,
                text=data.get("text", current.text if current else ""),
                file=data.get("file"),
                visibility=data.get("visibility", current.visibility if current else Minutes().visibility),
                actor=request.user,
            )
        else:
            minutes = minutes_visible_to(request, meeting)
            if minutes is None:
                raise exceptions.NotFound(_("Zu dieser Sitzung gibt es kein Protokoll, das Sie lesen dürfen."))
        return Response(MinutesSerializer(minutes, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Protokoll veröffentlichen",
        description=(
            "Für Mitglieder oder öffentlich, je nach Sichtbarkeit des Protokolls; erst nach Beginn der Sitzung. "
            "Die Mitglieder erhalten „Protokoll veröffentlicht“. Ein zweites Veröffentlichen benachrichtigt "
            "niemanden, außer mit `notify_again` (nach einer Änderung)."
        ),
        request=MinutesPublishSerializer,
        responses={200: MinutesSerializer},
        tags=[TAG_MEETINGS],
    )
    @action(detail=True, methods=["post"], url_path="minutes/publish", url_name="minutes-publish")
    def minutes_publish(self, request, uid=None):
        meeting = self.get_object()
        data = self.validated(MinutesPublishSerializer)
        minutes = Minutes.objects.filter(meeting=meeting).select_related("meeting").first()
        if minutes is None:
            raise exceptions.NotFound(_("Zu dieser Sitzung gibt es noch kein Protokoll."))
        minutes = services.minutes_publish(minutes=minutes, notify_again=data["notify_again"], actor=request.user)
        return Response(MinutesSerializer(minutes, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Protokoll aus der Tagesordnung erstellen",
        description=(
            "Der Entwurf aus der Sitzung, den Anwesenden (Einrichtungen und Rollen; mit `with_names` Namen, "
            "soweit die Leser*innen des Protokolls sie sehen dürfen) und jedem TOP mit seinem Ergebnis. "
            "Ein vorhandener Text wird nur mit `replace` ersetzt, sonst 409. Erst ab Beginn der Sitzung."
        ),
        request=MinutesFromAgendaSerializer,
        responses={200: MinutesSerializer},
        tags=[TAG_MEETINGS],
    )
    @action(detail=True, methods=["post"], url_path="minutes/from-agenda", url_name="minutes-from-agenda")
    def minutes_from_agenda(self, request, uid=None):
        meeting = self.get_object()
        data = self.validated(MinutesFromAgendaSerializer)
        try:
            minutes = services.minutes_draft_from_agenda(
                meeting=meeting, with_names=data["with_names"], replace=data["replace"], actor=request.user
            )
        except services.MinutesTextExists as error:
            return Response({"detail": " ".join(error.messages)}, status=status.HTTP_409_CONFLICT)
        return Response(MinutesSerializer(minutes, context=self.get_serializer_context()).data)

    def _agenda_item_of(self, meeting, item_id):
        """The agenda item ``item_id`` of ``meeting``; a 400 naming the field for any other."""
        if item_id is None:
            return None
        item = next((item for item in meeting.visible_agenda_items if item.pk == item_id), None)
        if item is None:
            raise exceptions.ValidationError(
                {"agenda_item": [_("Dieser Tagesordnungspunkt gehört zu einer anderen Sitzung.")]}
            )
        return item

    def _document_read(self, document, *, status_code=status.HTTP_200_OK) -> Response:
        return Response(DocumentSerializer(document, context=self.get_serializer_context()).data, status=status_code)

    @extend_schema(
        methods=["GET"],
        summary="Unterlagen einer Sitzung",
        description="Dieselben Unterlagen wie im Feld `documents` der Sitzung.",
        responses={200: DocumentSerializer(many=True)},
        tags=[TAG_MEETINGS],
    )
    @extend_schema(
        methods=["POST"],
        summary="Unterlage hochladen",
        description=(
            "Für Sprecher*innen (multipart/form-data): eine Datei zur Sitzung oder zu einem ihrer "
            "Tagesordnungspunkte. Erlaubt sind PDF, Word/Excel/PowerPoint, OpenDocument, Bilder und "
            "reiner Text bis 10 MB; der Typ wird am Inhalt erkannt, eine umbenannte Datei abgelehnt. "
            "Ohne Angabe ist eine Unterlage nur für Mitglieder sichtbar."
        ),
        request={"multipart/form-data": DocumentWriteSerializer},
        responses={201: DocumentSerializer},
        tags=[TAG_MEETINGS],
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filterset_class=None)
    def documents(self, request, uid=None):
        meeting = self.get_object()
        if request.method == "GET":
            return Response(
                DocumentSerializer(meeting.visible_documents, many=True, context=self.get_serializer_context()).data
            )
        data = self.validated(DocumentWriteSerializer)
        data["agenda_item"] = self._agenda_item_of(meeting, data.get("agenda_item"))
        document = services.document_add(meeting=meeting, actor=request.user, **data)
        return self._document_read(document, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["PATCH"],
        summary="Unterlage umbenennen, einordnen oder verschieben",
        description="Titel, Art, Sichtbarkeit, Tagesordnungspunkt oder Position (die Datei bleibt).",
        request=DocumentUpdateSerializer,
        responses={200: DocumentSerializer},
        tags=[TAG_MEETINGS],
    )
    @extend_schema(methods=["DELETE"], summary="Unterlage entfernen", responses={204: None}, tags=[TAG_MEETINGS])
    @action(
        detail=True,
        methods=["patch", "delete"],
        url_path=r"documents/(?P<document_id>[0-9]{1,9})",
        url_name="document",
        filterset_class=None,
    )
    def document(self, request, uid=None, document_id=None):
        meeting = self.get_object()
        document = next((row for row in meeting.visible_documents if row.pk == int(document_id)), None)
        if document is None:
            raise exceptions.NotFound(_("Diese Unterlage gibt es nicht."))
        if request.method == "DELETE":
            services.document_remove(document=document, actor=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        data = self.validated(DocumentUpdateSerializer, partial=True)
        if "agenda_item" in data:
            data["agenda_item"] = self._agenda_item_of(meeting, data["agenda_item"])
        services.document_update(document=document, actor=request.user, **data)
        return self._document_read(document)


TAG_SERIES = "Terminserien"


@extend_schema_view(
    list=extend_schema(summary="Terminserien auflisten", tags=[TAG_SERIES]),
    retrieve=extend_schema(summary="Eine Terminserie", tags=[TAG_SERIES]),
    create=extend_schema(
        summary="Terminserie anlegen",
        description="Legt die Termine der nächsten zwölf Monate als Sitzungen an.",
        request=SeriesWriteSerializer,
        responses={201: SeriesSerializer},
        tags=[TAG_SERIES],
    ),
    partial_update=extend_schema(
        summary="Terminserie ändern",
        description=(
            "Künftige, nicht einzeln geänderte Termine folgen; vergangene bleiben unverändert. "
            "Termine, die die neue Regel nicht mehr ergibt, werden gelöscht oder (wenn schon jemand "
            "geantwortet hat oder eine Tagesordnung besteht) abgesagt."
        ),
        request=SeriesUpdateSerializer,
        responses={200: SeriesSerializer},
        tags=[TAG_SERIES],
    ),
)
class SeriesViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CalendarViewSet):
    serializer_class = SeriesSerializer
    filterset_class = SeriesFilter
    ordering_fields = ["title", "first_date", "updated_at"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        return selectors.series_visible(self.request.user)

    def create(self, request, *args, **kwargs):
        network = self.network_for_create()
        data = self.validated(SeriesWriteSerializer)
        del data["network"]
        series = services.series_create(network=network, actor=request.user, **data)
        return self.read(series, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        series = self.get_object()
        data = self.validated(SeriesUpdateSerializer, partial=True)
        services.series_update(series=series, actor=request.user, **data)
        return self.read(series)

    @extend_schema(
        summary="Terminserie ab einem Tag absagen",
        description="Alle Termine ab diesem Tag werden abgesagt; neue entstehen nicht mehr.",
        request=SeriesCancelSerializer,
        responses={200: SeriesSerializer},
        tags=[TAG_SERIES],
    )
    @action(detail=True, methods=["post"], url_path="cancel-from", url_name="cancel-from")
    def cancel_from(self, request, pk=None):
        series = self.get_object()
        services.series_cancel_from(series=series, actor=request.user, **self.validated(SeriesCancelSerializer))
        return self.read(series)


TAG_AGENDA = "Tagesordnung"


@extend_schema_view(
    list=extend_schema(summary="Tagesordnungspunkte auflisten", tags=[TAG_AGENDA]),
    retrieve=extend_schema(summary="Ein Tagesordnungspunkt", tags=[TAG_AGENDA]),
    create=extend_schema(
        summary="Tagesordnungspunkt hinzufügen",
        description="Am Ende oder an `position`; die folgenden Punkte rücken nach.",
        request=AgendaItemWriteSerializer,
        responses={201: AgendaItemSerializer},
        tags=[TAG_AGENDA],
    ),
    partial_update=extend_schema(
        summary="Tagesordnungspunkt ändern",
        request=AgendaItemUpdateSerializer,
        responses={200: AgendaItemSerializer},
        tags=[TAG_AGENDA],
    ),
    destroy=extend_schema(summary="Tagesordnungspunkt entfernen", responses={204: None}, tags=[TAG_AGENDA]),
)
class AgendaItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CalendarViewSet):
    serializer_class = AgendaItemSerializer
    filterset_class = AgendaItemFilter
    ordering_fields = ["position", "updated_at"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        return selectors.agenda_item_list(self.request.user)

    def create(self, request, *args, **kwargs):
        data = self.validated(AgendaItemWriteSerializer)
        meeting = selectors.meetings_visible(request.user).filter(uid=data.pop("meeting")).first()
        if meeting is None:
            raise exceptions.ValidationError({"meeting": [_("Diese Sitzung gibt es nicht.")]})
        self.require(MANAGE, meeting)
        item = services.agenda_item_add(meeting=meeting, actor=request.user, **data)
        return self.read(item, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        item = self.get_object()
        services.agenda_item_update(
            item=item, actor=request.user, **self.validated(AgendaItemUpdateSerializer, partial=True)
        )
        return self.read(item)

    def destroy(self, request, *args, **kwargs):
        services.agenda_item_remove(item=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


TAG_POLLS = "Terminumfragen"


@extend_schema_view(
    list=extend_schema(
        summary="Terminumfragen auflisten",
        description="Nur Umfragen der eigenen Netzwerke (Umfragen sind nie öffentlich).",
        tags=[TAG_POLLS],
    ),
    retrieve=extend_schema(summary="Eine Terminumfrage", tags=[TAG_POLLS]),
    create=extend_schema(
        summary="Terminumfrage starten",
        description=(
            'Vorschläge als `{"start": …, "end": …}` oder als ganzer Tag `{"day": "2027-03-02"}`; '
            "eingeladen sind die aktuellen Mitglieder (oder die mit einer der `invitee_roles`)."
        ),
        request=PollWriteSerializer,
        responses={201: PollSerializer},
        tags=[TAG_POLLS],
    ),
)
class PollViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CalendarViewSet):
    serializer_class = PollSerializer
    filterset_class = PollFilter
    ordering_fields = ["deadline", "updated_at"]
    lookup_value_regex = ID_PATTERN
    action_perms = {"vote": ANSWER, "answers": MANAGE}

    def get_queryset(self):
        return selectors.polls_visible(self.request.user)

    def create(self, request, *args, **kwargs):
        network = self.network_for_create()
        data = self.validated(PollWriteSerializer)
        del data["network"]
        data["options"] = [dict(option) for option in data["options"]]
        poll = services.poll_create(network=network, actor=request.user, **data)
        return self.read(poll, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Abstimmen",
        description="Eine Antwort (ja, wenn nötig, nein) je Vorschlag; alle oder keine werden gespeichert.",
        request=VoteSerializer,
        responses={200: PollSerializer},
        tags=[TAG_POLLS],
    )
    @action(detail=True, methods=["post"])
    def vote(self, request, pk=None):
        poll = self.get_object()
        person = self.requester_person()
        votes = self.validated(VoteSerializer)["votes"]
        options = {option.pk: option for option in poll.options.all()}
        unknown = sorted({vote["option"] for vote in votes} - set(options))
        if unknown:
            raise exceptions.ValidationError(
                {"votes": [_("Diese Vorschläge gehören nicht zu der Umfrage: %(ids)s.") % {"ids": unknown}]}
            )
        with transaction.atomic():
            for vote in votes:
                services.poll_vote(option=options[vote["option"]], person=person, answer=vote["answer"])
        return self.read(poll)

    @extend_schema(
        summary="Antworten aller Eingeladenen (Matrix)",
        description=(
            "Für Sprecher*innen: je eingeladener Person (und je Person, die abgestimmt hat) die Antworten "
            "je Vorschlag. Personen erscheinen nur so weit, wie sie eingewilligt haben."
        ),
        responses={200: PollAnswerRowSerializer(many=True)},
        tags=[TAG_POLLS],
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def answers(self, request, pk=None):
        poll = self.get_object()
        votes: dict[int, dict[str, str]] = {}
        for option in poll.options.all():
            for vote in option.votes.all():
                votes.setdefault(vote.person_id, {})[str(option.pk)] = vote.answer
        invited = poll_invitees(poll).values("pk")
        people = people_for_projection(Person.objects.filter(Q(pk__in=invited) | Q(pk__in=list(votes))))
        audience = audience_for(request.user)
        rows = [
            {"person": project_person(person, audience), "votes": votes.get(person.pk, {})}
            for person in people.order_by("family_name", "given_name", "pk")
        ]
        return Response(PollAnswerRowSerializer(rows, many=True).data)

    @extend_schema(
        summary="Umfrage mit einem Termin abschließen",
        description=(
            "Legt die Sitzung zum gewählten Vorschlag an (standardmäßig nur für Mitglieder sichtbar). "
            "Bei einem ganztägigen Vorschlag sind `start_time` und `end_time` nötig."
        ),
        request=PollCloseSerializer,
        responses={201: MeetingSerializer},
        tags=[TAG_POLLS],
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        poll = self.get_object()
        data = self.validated(PollCloseSerializer)
        option = poll.options.filter(pk=data.pop("option")).first()
        if option is None:
            raise exceptions.ValidationError({"option": [_("Dieser Vorschlag gehört nicht zu der Umfrage.")]})
        meeting = services.poll_close(poll=poll, option=option, actor=request.user, **data)
        fresh = selectors.meetings_visible(request.user).get(pk=meeting.pk)
        return Response(
            MeetingSerializer(fresh, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED
        )
