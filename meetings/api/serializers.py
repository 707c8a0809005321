"""Serialisers of the calendar API: read shapes (what an audience sees) and write shapes
(exactly the arguments of one service each).

Read shapes keep names close to OParl's Meeting/AgendaItem where natural (``start``,
``end``, ``location``, ``agenda_items``, ``minutes``), so an OParl view is a small step.
"""

import re

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contacts.api.filters import SLUG
from contacts.api.serializers import (
    ID_MARKER,
    UUID_MARKER,
    DisplayField,
    InstitutionSummarySerializer,
    NetworkSummarySerializer,
    PageUrls,
    PersonViewSerializer,
    RelatedColumns,
    RowsMixin,
    choice_display,
    choice_labels,
    datetime_representation,
)
from contacts.models import Institution, Membership, Network
from contacts.text import SingleLineSerializerField
from contacts.validators import validate_plausible_year
from contacts.visibility import project_person
from meetings.models import (
    ACCESSIBILITY_NOTES_MAX_LENGTH,
    AGENDA_RESULT_MAX_LENGTH,
    AGENDA_TEXT_MAX_LENGTH,
    DOCUMENT_TITLE_MAX_LENGTH,
    GUEST_NEEDS_MAX_LENGTH,
    MINUTES_TEXT_MAX_LENGTH,
    POLL_DESCRIPTION_MAX_LENGTH,
    AgendaItem,
    Attendance,
    DatePoll,
    DatePollOption,
    DatePollVote,
    GuestRegistration,
    Meeting,
    MeetingDocument,
    MeetingSeries,
    Minutes,
    Visibility,
    validate_document_file,
    validate_minutes_file,
)
from meetings.selectors import series_seen

MANAGE_PERM = "meetings.manage_meetings"
LOCAL_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else settings.SITE_URL + path


# --- Read ------------------------------------------------------------------------------


@extend_schema_field({"type": "string", "pattern": LOCAL_TIME_PATTERN, "example": "18:30"})
class LocalTimeField(serializers.TimeField):
    """A wall-clock time in Aachen, "HH:MM" or "HH:MM:SS", without an offset: OpenAPI's
    ``format: time`` is RFC 3339's full-time, which requires one ("18:30:00+01:00"), while
    a series meets at 18:30 local time in winter and in summer alike."""

    def to_internal_value(self, value):
        if isinstance(value, str) and not re.fullmatch(LOCAL_TIME_PATTERN, value):
            self.fail("invalid", format="HH:MM")
        return super().to_internal_value(value)


class LocationSerializer(RowsMixin, serializers.Serializer):
    """Where a meeting takes place (OParl: Location)."""

    institution = InstitutionSummarySerializer(allow_null=True)
    address = serializers.CharField(help_text="Freie Adresse, wenn keine Einrichtung gewählt ist")
    room = serializers.CharField()
    accessibility_notes = serializers.CharField()
    online_url = serializers.CharField()
    description = serializers.CharField(source="location_text", help_text="Ort und Raum in einer Zeile")


class AgendaItemSerializer(RowsMixin, serializers.ModelSerializer):
    meeting = serializers.UUIDField(source="meeting.uid", read_only=True)
    text_html = serializers.CharField(read_only=True, help_text="Der Text als bereinigtes HTML")
    result = serializers.CharField(
        read_only=True, help_text="Ergebnis nach der Sitzung (Markdown; OParl: result); sichtbar wie der Punkt"
    )
    result_html = serializers.CharField(read_only=True, help_text="Das Ergebnis als bereinigtes HTML")

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "meeting",
            "position",
            "title",
            "text",
            "text_html",
            "is_public",
            "result",
            "result_html",
            "updated_at",
        ]


class NestedAgendaItemSerializer(AgendaItemSerializer):
    class Meta(AgendaItemSerializer.Meta):
        fields = ["id", "position", "title", "text", "text_html", "is_public", "result", "result_html"]


class MinutesSerializer(RowsMixin, serializers.ModelSerializer):
    file = serializers.SerializerMethodField()
    is_published = serializers.BooleanField(read_only=True)

    notice_version = serializers.IntegerField(
        read_only=True, help_text="Wie oft die Mitglieder über das Protokoll benachrichtigt wurden"
    )

    class Meta:
        model = Minutes
        fields = [
            "text",
            "text_html",
            "file",
            "visibility",
            "is_published",
            "published_at",
            "notice_version",
            "updated_at",
        ]

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_file(self, minutes: Minutes) -> str | None:
        """The download that checks who may read the file; ``/media/`` itself is never served."""
        if not minutes.file:
            return None
        return _absolute(
            self.context.get("request"), reverse("meetings:minutes_file", kwargs={"uid": minutes.meeting.uid})
        )


class DocumentSerializer(RowsMixin, serializers.ModelSerializer):
    """A document of a meeting or agenda item (OParl: File, as Meeting.auxiliaryFile and
    AgendaItem.auxiliaryFile)."""

    kind_display = DisplayField("kind")
    agenda_item = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="ID des Tagesordnungspunkts, sonst leer"
    )
    content_type = serializers.CharField(read_only=True, help_text="MIME-Typ, aus dem Inhalt der Datei bestimmt")
    size = serializers.IntegerField(read_only=True, help_text="Größe in Bytes")
    url = serializers.SerializerMethodField()

    class Meta:
        model = MeetingDocument
        fields = [
            "id",
            "title",
            "kind",
            "kind_display",
            "agenda_item",
            "visibility",
            "file_name",
            "content_type",
            "size",
            "position",
            "url",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_url(self, document: MeetingDocument) -> str:
        """The download that checks who may read the file; ``/media/`` itself is never served."""
        path = reverse("meetings:document_file", kwargs={"uid": document.meeting.uid, "document_id": document.pk})
        return _absolute(self.context.get("request"), path)


def minutes_visible_to(request, meeting: Meeting) -> Minutes | None:
    """The meeting's minutes if the requester may read them: published ones per their
    visibility; drafts only for those who manage the network's meetings."""
    minutes = getattr(meeting, "minutes", None)
    if minutes is None:
        return None
    user = request.user if request is not None else None
    if user is not None and user.has_perm(MANAGE_PERM, meeting):
        return minutes
    if not minutes.is_published:
        return None
    if minutes.visibility == Visibility.PUBLIC:
        return minutes
    return minutes if user is not None and user.has_perm("meetings.view_internal_meetings", meeting) else None


class MeetingSerializer(RowsMixin, serializers.ModelSerializer):
    """A meeting as the requester may see it; internal agenda items only for members.

    ``network`` is the host; ``networks`` every network the meeting belongs to (OParl's
    ``Meeting.organization``), the host first, then the partners of a joint meeting.
    """

    network = NetworkSummarySerializer(read_only=True, help_text="Das einladende Netzwerk")
    networks = NetworkSummarySerializer(
        many=True,
        read_only=True,
        help_text="Alle Netzwerke der Sitzung: das einladende zuerst, dann die Partner einer gemeinsamen Sitzung",
    )
    joint = serializers.BooleanField(
        source="is_joint", read_only=True, help_text="Gemeinsame Sitzung mehrerer Netzwerke"
    )
    series = serializers.SerializerMethodField()
    status_display = DisplayField("status")
    visibility_display = DisplayField("visibility")
    cancelled = serializers.BooleanField(source="is_cancelled", read_only=True)
    location = LocationSerializer(source="*", read_only=True)
    agenda_items = NestedAgendaItemSerializer(source="visible_agenda_items", many=True, read_only=True)
    documents = DocumentSerializer(
        source="visible_documents",
        many=True,
        read_only=True,
        help_text="Unterlagen (Einladung, Vorlagen, Präsentationen), so weit sichtbar; öffentlich nur die "
        "öffentlichen zu öffentlichen Punkten",
    )
    minutes = serializers.SerializerMethodField()
    ical_url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "uid",
            "title",
            "network",
            "networks",
            "joint",
            "series",
            "start",
            "end",
            "status",
            "status_display",
            "cancelled",
            "visibility",
            "visibility_display",
            "sequence",
            "cancellation_reason",
            "edited_by_hand",
            "moved_from",
            "location",
            "agenda_items",
            "documents",
            "minutes",
            "created_at",
            "updated_at",
            "ical_url",
            "html_url",
        ]

    @extend_schema_field({"type": "integer", "nullable": True, "description": "ID der Terminserie, wenn sichtbar"})
    def get_series(self, meeting: Meeting) -> int | None:
        request = self.context.get("request")
        series = series_seen(meeting, user=request.user if request is not None else None)
        return series.pk if series is not None else None

    @extend_schema_field(MinutesSerializer(allow_null=True))
    def get_minutes(self, meeting: Meeting) -> dict | None:
        minutes = minutes_visible_to(self.context.get("request"), meeting)
        return MinutesSerializer(minutes, context=self.context).data if minutes is not None else None

    def _page_urls(self, url_name: str) -> PageUrls:
        # Reversed once per response (``self.context`` is the response's, shared by its rows).
        urls = self.context.setdefault("_page_urls", {})
        if url_name not in urls:
            request = self.context.get("request")
            urls[url_name] = PageUrls(url_name, key="uid", request=request, site=settings.SITE_URL)
        return urls[url_name]

    @extend_schema_field(OpenApiTypes.URI)
    def get_ical_url(self, meeting: Meeting) -> str:
        return self._page_urls("feeds:meeting").of(meeting.uid)

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_html_url(self, meeting: Meeting) -> str:
        return self._page_urls("meetings:meeting_detail").of(meeting.uid)


# What the list's rows show of a meeting's networks and place (``NetworkSummarySerializer``,
# ``InstitutionSummarySerializer``); a partner's row names its network as the meeting's does.
NETWORK_SUMMARY_COLUMNS = RelatedColumns("network", "kind", "name", "short_name", "slug")
INSTITUTION_SUMMARY_COLUMNS = RelatedColumns("institution", "name", "slug")


def _partner_order(partner: dict) -> tuple:
    # As ``Meeting.partners``.
    return (partner["network__name"].casefold(), partner["network_id"])


class MeetingRowsRepresentation:
    """``MeetingSerializer``'s representation of the rows of ``selectors.meeting_rows`` (the
    list of meetings): the same JSON, built as plain dicts.

    DRF builds and walks the fields of four nested serializers per meeting and reads each
    value through its attribute machinery: at Aachen's size that was most of what a
    signed-in member's list cost (``bench.pages``). Here what repeats is made once per
    response (the choice labels, the page addresses as templates, the time zone); the
    values are the fields' own representations (``tests/meetings/test_api_list_rows.py``
    compares the two for every audience). Minutes are shown by ``minutes_visible_to``, the
    series by the internal sight the rows were read with (``networks_seen_internally``).
    """

    def __init__(self, *, request, network_ids: frozenset[int] | None) -> None:
        self.request = request
        self.network_ids = network_ids
        site = settings.SITE_URL
        self.ical_url = PageUrls("feeds:meeting", key="uid", request=request, site=site).of
        self.html_url = PageUrls("meetings:meeting_detail", key="uid", request=request, site=site).of
        self.minutes_file_url = PageUrls("meetings:minutes_file", key="uid", request=request, site=site).of
        # A document's address has two keys: its meeting's uid, then its own id.
        path = reverse("meetings:document_file", kwargs={"uid": UUID_MARKER, "document_id": ID_MARKER})
        before, _, rest = _absolute(request, path).partition(UUID_MARKER)
        middle, _, after = rest.partition(str(ID_MARKER))
        self.document_url_parts = (before, middle, after)
        self.datetime = datetime_representation()
        self.status_labels = choice_labels(Meeting, "status")
        self.visibility_labels = choice_labels(Meeting, "visibility")
        self.document_kind_labels = choice_labels(MeetingDocument, "kind")

    def sees_internals(self, network_id: int) -> bool:
        return self.network_ids is None or network_id in self.network_ids

    def document_url(self, uid, document_id: int) -> str:
        before, middle, after = self.document_url_parts
        return f"{before}{uid}{middle}{document_id}{after}"

    def __call__(self, rows: list[dict]) -> list[dict]:
        return [self.meeting(row) for row in rows]

    def meeting(self, row: dict) -> dict:
        datetime = self.datetime
        network = NETWORK_SUMMARY_COLUMNS(row)
        partners = sorted(row["partners"], key=_partner_order)
        series = row["series_id"]
        if row["series__visibility"] != Visibility.PUBLIC and not self.sees_internals(row["network_id"]):
            series = None
        uid = str(row["uid"])
        status = row["status"]
        visibility = row["visibility"]
        return {
            "uid": uid,
            "title": row["title"],
            "network": network,
            "networks": [network, *(NETWORK_SUMMARY_COLUMNS(partner) for partner in partners)],
            "joint": bool(partners),
            "series": series,
            "start": datetime(row["start"]),
            "end": datetime(row["end"]),
            "status": status,
            "status_display": choice_display(self.status_labels, status),
            "cancelled": status == Meeting.Status.CANCELLED,
            "visibility": visibility,
            "visibility_display": choice_display(self.visibility_labels, visibility),
            "sequence": row["sequence"],
            "cancellation_reason": row["cancellation_reason"],
            "edited_by_hand": row["edited_by_hand"],
            "moved_from": datetime(row["moved_from"]) if row["moved_from"] is not None else None,
            "location": self.location(row),
            "agenda_items": [self.agenda_item(item) for item in row["agenda_items"]],
            "documents": [self.document(document, uid) for document in row["documents"]],
            "minutes": self.minutes(row, uid, partners),
            "created_at": datetime(row["created_at"]),
            "updated_at": datetime(row["updated_at"]),
            "ical_url": self.ical_url(uid),
            "html_url": self.html_url(uid),
        }

    def location(self, row: dict) -> dict:
        institution = INSTITUTION_SUMMARY_COLUMNS(row)
        if institution is None:
            place = row["address"]
        else:
            address = Institution.address_of(
                street=row["institution__street"],
                postal_code=row["institution__postal_code"],
                city=row["institution__city"],
            )
            place = ", ".join(part for part in (institution["name"], address) if part)
        return {
            "institution": institution,
            "address": row["address"],
            "room": row["room"],
            "accessibility_notes": row["accessibility_notes"],
            "online_url": row["online_url"],
            "description": ", ".join(part for part in (place, row["room"]) if part),
        }

    @staticmethod
    def agenda_item(item: dict) -> dict:
        return {
            "id": item["id"],
            "position": item["position"],
            "title": item["title"],
            "text": item["text"],
            "text_html": item["text_html"],
            "is_public": item["is_public"],
            "result": item["result"],
            "result_html": item["result_html"],
        }

    def document(self, document: dict, uid: str) -> dict:
        datetime = self.datetime
        return {
            "id": document["id"],
            "title": document["title"],
            "kind": document["kind"],
            "kind_display": choice_display(self.document_kind_labels, document["kind"]),
            "agenda_item": document["agenda_item_id"],
            "visibility": document["visibility"],
            "file_name": document["file_name"],
            "content_type": document["content_type"],
            "size": document["size"],
            "position": document["position"],
            "url": self.document_url(uid, document["id"]),
            "created_at": datetime(document["created_at"]),
            "updated_at": datetime(document["updated_at"]),
        }

    def minutes(self, row: dict, uid: str, partners: list[dict]) -> dict | None:
        if row["minutes__id"] is None:
            return None
        # Who may read them is asked of the rules, on the meeting with its networks.
        meeting = Meeting(pk=row["id"], network_id=row["network_id"], visibility=row["visibility"])
        meeting.partner_list = [Network(pk=partner["network_id"]) for partner in partners]
        meeting.minutes = Minutes(
            meeting=meeting,
            visibility=row["minutes__visibility"],
            published_at=row["minutes__published_at"],
        )
        if minutes_visible_to(self.request, meeting) is None:
            return None
        published_at = row["minutes__published_at"]
        return {
            "text": row["minutes__text"],
            "text_html": row["minutes__text_html"],
            "file": self.minutes_file_url(uid) if row["minutes__file"] else None,
            "visibility": row["minutes__visibility"],
            "is_published": published_at is not None,
            "published_at": self.datetime(published_at) if published_at is not None else None,
            "notice_version": row["minutes__notice_version"],
            "updated_at": self.datetime(row["minutes__updated_at"]),
        }


class SeriesSerializer(serializers.ModelSerializer):
    network = NetworkSummarySerializer(read_only=True)
    rule_description = serializers.CharField(source="description", read_only=True)
    start_time = LocalTimeField(read_only=True, help_text="Ortszeit Europe/Berlin")
    location = LocationSerializer(source="*", read_only=True)

    class Meta:
        model = MeetingSeries
        fields = [
            "id",
            "network",
            "title",
            "rule",
            "rule_description",
            "first_date",
            "start_time",
            "duration_minutes",
            "visibility",
            "until",
            "count",
            "cancelled_from",
            "generated_until",
            "location",
            "updated_at",
        ]


class AttendanceSerializer(serializers.ModelSerializer):
    """One person's answer and presence. ``person`` is projected for the requester."""

    person = serializers.SerializerMethodField()

    class Meta:
        model = Attendance
        fields = ["person", "answer", "note", "answered_at", "presence", "updated_at"]

    @extend_schema_field(PersonViewSerializer)
    def get_person(self, attendance: Attendance) -> dict:
        view = project_person(attendance.person, self.context["audience"])
        return PersonViewSerializer(view).data


class PollOptionSerializer(serializers.ModelSerializer):
    is_whole_day = serializers.BooleanField(read_only=True)
    votes = serializers.SerializerMethodField(help_text="Anzahl der Stimmen je Antwort")

    class Meta:
        model = DatePollOption
        fields = ["id", "start", "end", "day", "is_whole_day", "votes"]

    @extend_schema_field(
        {"type": "object", "properties": {answer: {"type": "integer"} for answer in DatePollVote.Answer.values}}
    )
    def get_votes(self, option: DatePollOption) -> dict:
        counts = dict.fromkeys(DatePollVote.Answer.values, 0)
        for vote in option.votes.all():
            counts[vote.answer] += 1
        return counts


class MyVoteSerializer(serializers.Serializer):
    option = serializers.IntegerField()
    answer = serializers.ChoiceField(choices=DatePollVote.Answer.choices)


class PollSerializer(serializers.ModelSerializer):
    network = NetworkSummarySerializer(read_only=True)
    options = PollOptionSerializer(many=True, read_only=True)
    meeting = serializers.SlugRelatedField(slug_field="uid", read_only=True, allow_null=True)
    my_votes = serializers.SerializerMethodField()

    class Meta:
        model = DatePoll
        fields = [
            "id",
            "network",
            "title",
            "description",
            "description_html",
            "deadline",
            "invitee_roles",
            "status",
            "options",
            "chosen_option",
            "meeting",
            "closed_at",
            "my_votes",
            "updated_at",
        ]

    @extend_schema_field(MyVoteSerializer(many=True))
    def get_my_votes(self, poll: DatePoll) -> list[dict]:
        person_id = self.context["audience"].person_id
        return [
            {"option": option.pk, "answer": vote.answer}
            for option in poll.options.all()
            for vote in option.votes.all()
            if person_id is not None and vote.person_id == person_id
        ]


class PollAnswerRowSerializer(serializers.Serializer):
    """One row of the answer matrix: an invitee (projected) and their answer per option id."""

    person = PersonViewSerializer()
    votes = serializers.DictField(
        child=serializers.ChoiceField(choices=DatePollVote.Answer.choices),
        help_text="Antwort je Vorschlag (Schlüssel: ID des Vorschlags); fehlt, wo noch nicht abgestimmt",
    )


# --- Write (one serializer per service; names are the service's keyword arguments) -----


class SlugReferenceField(serializers.SlugRelatedField):
    """An object named by its ``slug``. A value that cannot be a slug is "not found" before
    the database is asked: PostgreSQL refuses a NUL in a text parameter with an error."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or not SLUG.fullmatch(data):
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data)[:80])
        return super().to_internal_value(data)


def _network_field() -> serializers.SlugRelatedField:
    return SlugReferenceField(
        slug_field="slug", queryset=Network.objects.filter(is_active=True), help_text="Kurzname des Netzwerks"
    )


def _institution_field() -> serializers.SlugRelatedField:
    return SlugReferenceField(
        slug_field="slug",
        queryset=Institution.objects.all(),
        required=False,
        allow_null=True,
        help_text="Kurzname der Einrichtung, deren Adresse übernommen wird",
    )


class NetworkReferenceSerializer(serializers.Serializer):
    """Only the network of a new object: checked before the rest, so a caller without the
    right gets a 403 whatever else the body holds."""

    network = _network_field()


class LocationWriteSerializer(serializers.Serializer):
    institution = _institution_field()
    address = SingleLineSerializerField(required=False, allow_blank=True, max_length=300)
    room = SingleLineSerializerField(required=False, allow_blank=True, max_length=120)
    accessibility_notes = serializers.CharField(
        required=False, allow_blank=True, max_length=ACCESSIBILITY_NOTES_MAX_LENGTH
    )
    online_url = serializers.URLField(required=False, allow_blank=True, max_length=500)


class MeetingWriteSerializer(LocationWriteSerializer):
    """Fields of ``meeting_schedule`` (create) and ``meeting_update`` (change), and the
    partners of a joint meeting (``meeting_partners_set``)."""

    network = _network_field()
    partner_networks = serializers.ListField(
        child=SlugReferenceField(slug_field="slug", queryset=Network.objects.all()),
        required=False,
        max_length=20,
        help_text=(
            "Kurznamen der Partnernetzwerke einer gemeinsamen Sitzung. Hinzufügen darf nur, wer das "
            "Partnernetzwerk auch leitet (oder die Sozialplanung); beim Ändern ersetzt die Liste die bisherige."
        ),
    )
    title = SingleLineSerializerField(max_length=200)
    start = serializers.DateTimeField(validators=[validate_plausible_year])
    end = serializers.DateTimeField(validators=[validate_plausible_year])
    status = serializers.ChoiceField(choices=Meeting.Status.choices, required=False)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)

    def validate(self, data):
        start = data.get("start", getattr(self.instance, "start", None))
        end = data.get("end", getattr(self.instance, "end", None))
        if start is not None and end is not None and end <= start:
            raise serializers.ValidationError({"end": _("Das Ende muss nach dem Beginn liegen.")})
        return data


class MeetingUpdateSerializer(MeetingWriteSerializer):
    network = None


class MeetingMoveSerializer(serializers.Serializer):
    start = serializers.DateTimeField(validators=[validate_plausible_year])
    end = serializers.DateTimeField(validators=[validate_plausible_year])

    def validate(self, data):
        if data["end"] <= data["start"]:
            raise serializers.ValidationError({"end": _("Das Ende muss nach dem Beginn liegen.")})
        return data


class MeetingCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Grund der Absage (optional): steht in der Absage-Mail, auf der Seite und im Kalender.",
    )


class SeriesWriteSerializer(LocationWriteSerializer):
    """Fields of ``series_create`` and ``series_update``."""

    network = _network_field()
    title = SingleLineSerializerField(max_length=200)
    rule = serializers.CharField(max_length=300, help_text="RRULE nach RFC 5545, z. B. FREQ=MONTHLY;BYDAY=2TU")
    first_date = serializers.DateField(validators=[validate_plausible_year])
    start_time = LocalTimeField(help_text="Ortszeit Europe/Berlin")
    duration_minutes = serializers.IntegerField(min_value=5, max_value=24 * 60)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    until = serializers.DateField(validators=[validate_plausible_year], required=False, allow_null=True)
    count = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=1000)


class SeriesUpdateSerializer(SeriesWriteSerializer):
    network = None


class SeriesCancelSerializer(serializers.Serializer):
    day = serializers.DateField(
        validators=[validate_plausible_year], help_text="Ab diesem Tag (einschließlich) entfallen alle Termine"
    )


class AgendaItemWriteSerializer(serializers.Serializer):
    """Fields of ``agenda_item_add`` (with ``meeting``) and ``agenda_item_update``."""

    meeting = serializers.UUIDField(help_text="uid der Sitzung")
    title = SingleLineSerializerField(max_length=300)
    text = serializers.CharField(required=False, allow_blank=True, max_length=AGENDA_TEXT_MAX_LENGTH)
    is_public = serializers.BooleanField(required=False)
    position = serializers.IntegerField(required=False, min_value=1, max_value=999)


class AgendaItemUpdateSerializer(AgendaItemWriteSerializer):
    meeting = None
    result = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=AGENDA_RESULT_MAX_LENGTH,
        help_text="Ergebnis (Markdown), erst ab Beginn der Sitzung",
    )


class MinutesFromAgendaSerializer(serializers.Serializer):
    with_names = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Anwesende mit Namen, soweit die Leser*innen des Protokolls sie sehen dürfen; sonst nur "
        "Einrichtungen und Rollen",
    )
    replace = serializers.BooleanField(
        required=False, default=False, help_text="Einen vorhandenen Text ersetzen (sonst 409)"
    )


class MinutesPublishSerializer(serializers.Serializer):
    notify_again = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Bei einem schon veröffentlichten Protokoll: die Mitglieder erneut benachrichtigen",
    )


class MinutesWriteSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, max_length=MINUTES_TEXT_MAX_LENGTH)
    file = serializers.FileField(required=False, allow_null=True, validators=[validate_minutes_file])
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)


class DocumentUpdateSerializer(serializers.Serializer):
    """Fields of ``document_update``."""

    title = SingleLineSerializerField(max_length=DOCUMENT_TITLE_MAX_LENGTH)
    kind = serializers.ChoiceField(choices=MeetingDocument.Kind.choices)
    visibility = serializers.ChoiceField(choices=Visibility.choices)
    agenda_item = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        allow_null=True,
        help_text="ID eines Tagesordnungspunkts der Sitzung, oder leer",
    )
    position = serializers.IntegerField(min_value=1, max_value=999)


class DocumentWriteSerializer(DocumentUpdateSerializer):
    """Fields of ``document_add`` (multipart/form-data)."""

    file = serializers.FileField(
        validators=[validate_document_file],
        help_text="PDF, Office/OpenDocument, Bild oder Text; höchstens 10 MB; der Typ wird am Inhalt erkannt",
    )
    title = SingleLineSerializerField(
        max_length=DOCUMENT_TITLE_MAX_LENGTH, required=False, allow_blank=True, help_text="Leer: der Dateiname"
    )
    kind = serializers.ChoiceField(choices=MeetingDocument.Kind.choices, required=False)
    visibility = serializers.ChoiceField(
        choices=Visibility.choices, required=False, help_text="Standard: nur Mitglieder"
    )
    agenda_item = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        required=False,
        allow_null=True,
        help_text="ID eines Tagesordnungspunkts der Sitzung",
    )
    position = None


class AnswerSerializer(serializers.Serializer):
    answer = serializers.ChoiceField(choices=Attendance.Answer.choices)
    note = SingleLineSerializerField(required=False, allow_blank=True, max_length=300)


class GuestRegistrationWriteSerializer(serializers.Serializer):
    """A guest's registration for an open meeting (the fields of the form on its page)."""

    name = SingleLineSerializerField(max_length=200)
    email = serializers.EmailField(
        max_length=254,
        error_messages={
            "invalid": _("Bitte geben Sie eine gültige E-Mail-Adresse ein, zum Beispiel name@example.org.")
        },
    )
    institution = SingleLineSerializerField(required=False, allow_blank=True, max_length=200, default="")
    accessibility_needs = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=GUEST_NEEDS_MAX_LENGTH,
        default="",
        help_text="Was die Person für die Teilnahme braucht (Rollstuhlplatz, Dolmetschung, …)",
    )


class GuestRegistrationReceiptSerializer(serializers.Serializer):
    """What a registering guest learns: a seat or the waiting list (nothing else is echoed)."""

    meeting = serializers.UUIDField(help_text="UID der Sitzung")
    status = serializers.ChoiceField(choices=GuestRegistration.Status.choices)
    detail = serializers.CharField()


class GuestSerializer(serializers.ModelSerializer):
    """A guest as the speakers see them (with the address: nobody else ever does)."""

    class Meta:
        model = GuestRegistration
        fields = ["id", "name", "email", "institution", "accessibility_needs", "status", "created_at", "moved_up_at"]


class PresenceSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="ID der Person")
    presence = serializers.ChoiceField(choices=[("", "–"), *Attendance.Presence.choices], allow_blank=True)


class PollOptionWriteSerializer(serializers.Serializer):
    start = serializers.DateTimeField(validators=[validate_plausible_year], required=False)
    end = serializers.DateTimeField(validators=[validate_plausible_year], required=False)
    day = serializers.DateField(
        validators=[validate_plausible_year], required=False, help_text="Ein ganzer Tag statt Beginn und Ende"
    )

    def validate(self, data):
        timed = "start" in data or "end" in data
        if ("day" in data) == timed or (timed and not ("start" in data and "end" in data)):
            raise serializers.ValidationError(
                _("Ein Terminvorschlag ist entweder ein ganzer Tag („day“) oder hat Beginn und Ende („start“, „end“).")
            )
        return data


class PollWriteSerializer(serializers.Serializer):
    """Fields of ``poll_create``."""

    network = _network_field()
    title = SingleLineSerializerField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=POLL_DESCRIPTION_MAX_LENGTH)
    deadline = serializers.DateTimeField(validators=[validate_plausible_year])
    invitee_roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Membership.Role.choices), required=False, max_length=10
    )
    options = PollOptionWriteSerializer(many=True, max_length=100)


class VoteItemSerializer(serializers.Serializer):
    option = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    answer = serializers.ChoiceField(choices=DatePollVote.Answer.choices)


class VoteSerializer(serializers.Serializer):
    votes = VoteItemSerializer(many=True, allow_empty=False, max_length=100)


class PollCloseSerializer(LocationWriteSerializer):
    """Fields of ``poll_close``."""

    option = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="ID des gewählten Vorschlags")
    start_time = LocalTimeField(required=False, help_text="Nur für ganztägige Vorschläge: Beginn (Ortszeit)")
    end_time = serializers.TimeField(required=False, help_text="Nur für ganztägige Vorschläge: Ende (Ortszeit)")
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
