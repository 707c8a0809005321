"""The calendar: meeting series and their occurrences, agendas, minutes, answers, date polls.

One meeting, one row (DESIGN.md principle 3): a series creates its occurrences ahead as
real ``Meeting`` rows, because each has its own agenda, minutes and answers. Feeds and
notifications read these rows; ``uid`` never changes and ``sequence`` rises with every
change members should notice (time, place, status), so they can tell what is new.

Models stay thin; every write is in ``services.py``, every read that follows a relation in
``selectors.py``, recurrence in ``recurrence.py``.
"""

import datetime
import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from contacts.models import Institution, Membership, Network, Person, TimestampedModel
from contacts.text import validate_single_line
from contacts.textsearch import Fold
from contacts.validators import is_plausible_date, validate_plausible_year
from meetings import recurrence, uploads
from meetings.markdown import render_markdown

# Caps of the free-text fields, shared by models, forms and API: text people type is
# untrusted and can be large (STYLE.md 15).
ACCESSIBILITY_NOTES_MAX_LENGTH = 2_000
AGENDA_TEXT_MAX_LENGTH = 20_000
AGENDA_RESULT_MAX_LENGTH = 20_000
MINUTES_TEXT_MAX_LENGTH = 200_000
POLL_DESCRIPTION_MAX_LENGTH = 5_000
GUEST_NEEDS_MAX_LENGTH = 1_000


def _rendered(text: str, limit: int) -> str:
    """The stored HTML of ``text``; nothing for a text over its cap (full_clean refuses it)."""
    return render_markdown(text) if len(text) <= limit else ""


class Visibility(models.TextChoices):
    """Who sees a meeting, a series or minutes."""

    PUBLIC = "oeffentlich", _("öffentlich")
    MEMBERS = "mitglieder", _("nur Mitglieder des Netzwerks")


class LocationFields(models.Model):
    """Where a meeting takes place: an institution's address, or a free address; and/or online."""

    institution = models.ForeignKey(
        Institution,
        verbose_name=_("Ort (Einrichtung)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Die Adresse der Einrichtung wird übernommen."),
    )
    address = models.CharField(
        _("Adresse"),
        max_length=300,
        blank=True,
        validators=[validate_single_line],
        help_text=_("Nur nötig, wenn keine Einrichtung gewählt ist."),
    )
    room = models.CharField(_("Raum"), max_length=120, blank=True, validators=[validate_single_line])
    accessibility_notes = models.TextField(
        _("Hinweise zur Barrierefreiheit"),
        blank=True,
        validators=[MaxLengthValidator(ACCESSIBILITY_NOTES_MAX_LENGTH)],
        help_text=_("z. B. Eingang über den Hof, Aufzug vorhanden, Gebärdensprachdolmetschung auf Anfrage"),
    )
    online_url = models.URLField(_("Link zur Online-Teilnahme"), max_length=500, blank=True)

    # The fields that make up "the place": a change here is one members must hear about.
    PLACE_FIELDS = ("institution", "address", "room", "online_url")
    LOCATION_FIELDS = (*PLACE_FIELDS, "accessibility_notes")

    class Meta:
        abstract = True

    @property
    def location_text(self) -> str:
        """Name and address of the place and the room, in one line (as calendars show it)."""
        if self.institution_id is not None:
            place = ", ".join(part for part in (self.institution.name, self.institution.address) if part)
        else:
            place = self.address
        return ", ".join(part for part in (place, self.room) if part)


class MeetingSeries(LocationFields, TimestampedModel):
    """A recurring meeting: the rule, the local time, and defaults for its occurrences.

    ``rule`` is an RFC 5545 RRULE without DTSTART, UNTIL and COUNT (they are fields here).
    Occurrences are created ahead up to ``generated_until`` (about 12 months); a daily task
    moves that horizon on.
    """

    network = models.ForeignKey(
        Network, verbose_name=_("Netzwerk"), on_delete=models.CASCADE, related_name="meeting_series"
    )
    title = models.CharField(_("Titel"), max_length=200, validators=[validate_single_line])
    rule = models.CharField(
        _("Wiederholungsregel"),
        max_length=300,
        help_text=_("RRULE nach RFC 5545, z. B. FREQ=MONTHLY;BYDAY=2TU für jeden 2. Dienstag im Monat"),
    )
    first_date = models.DateField(_("erster Termin"), validators=[validate_plausible_year])
    start_time = models.TimeField(_("Beginn (Uhrzeit)"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("Dauer in Minuten"), validators=[MinValueValidator(5), MaxValueValidator(24 * 60)]
    )
    visibility = models.CharField(
        _("sichtbar für"), max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    until = models.DateField(
        _("bis"),
        null=True,
        blank=True,
        validators=[validate_plausible_year],
        help_text=_("Letzter möglicher Tag; leer: offen."),
    )
    count = models.PositiveSmallIntegerField(
        _("Anzahl der Termine"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("Leer: unbegrenzt."),
    )
    cancelled_from = models.DateField(
        _("abgesagt ab"),
        null=True,
        blank=True,
        validators=[validate_plausible_year],
        help_text=_("Ab diesem Tag finden keine Termine der Serie mehr statt."),
    )
    generated_until = models.DateField(_("Termine angelegt bis"), null=True, blank=True, editable=False)
    confirmed = models.BooleanField(
        _("Termine bestätigt"),
        default=False,
        help_text=_("Alle Termine der Serie, auch die später angelegten, sind bestätigt."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Terminserie")
        verbose_name_plural = _("Terminserien")
        ordering = ["network", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(count__isnull=True),
                name="series_until_or_count",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("first_date")),
                name="series_until_not_before_first_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.network}: {self.title}"

    @property
    def pattern(self) -> recurrence.Pattern:
        return recurrence.Pattern(
            rule=self.rule,
            first_date=self.first_date,
            start_time=self.start_time,
            until=self.last_possible_date,
            count=self.count,
        )

    @property
    def last_possible_date(self) -> datetime.date | None:
        """The last day the rule may yield a meeting: ``until`` or the day before the cancellation."""
        ends = []
        if self.until is not None:
            ends.append(self.until)
        if self.cancelled_from is not None:
            ends.append(self.cancelled_from - datetime.timedelta(days=1))
        return min(ends) if ends else None

    @property
    def description(self) -> str:
        """The rule in plain German, e.g. „jeden 2. Dienstag im Monat, 18:30 bis 20:00 Uhr“."""
        return recurrence.rule_describe(self.rule, self.start_time, self.duration_minutes, first_date=self.first_date)

    def clean(self) -> None:
        super().clean()
        if self.until is not None and self.count is not None:
            raise ValidationError({"count": _("Bitte geben Sie entweder „bis“ oder „Anzahl“ an, nicht beides.")})
        if self.until is not None and self.first_date is not None and self.until < self.first_date:
            raise ValidationError({"until": _("Das Ende der Serie liegt vor dem ersten Termin.")})
        if not self.rule or self.first_date is None or self.start_time is None:
            return
        if not all(map(is_plausible_date, (self.first_date, self.until, self.cancelled_from))):
            return  # the field's validator says so; the rule cannot be checked on such dates
        try:
            self.rule = recurrence.normalize(self.rule)
            # The full pattern, without the cancellation: a series cancelled from its first
            # day is still a valid series.
            recurrence.validate(
                recurrence.Pattern(self.rule, self.first_date, self.start_time, until=self.until, count=self.count)
            )
        except ValidationError as error:
            raise ValidationError({"rule": error.messages}) from None


class Meeting(LocationFields, TimestampedModel):
    """A Sitzung: a single meeting or one occurrence of a series."""

    class Status(models.TextChoices):
        PLANNED = "geplant", _("geplant")
        CONFIRMED = "bestaetigt", _("bestätigt")
        CANCELLED = "abgesagt", _("abgesagt")
        POSTPONED = "verschoben", _("verschoben")
        HELD = "stattgefunden", _("stattgefunden")

    uid = models.UUIDField(_("dauerhafte Kennung"), default=uuid.uuid4, unique=True, editable=False)
    # No index of its own: the indexes that begin with ``network`` (network and start, the
    # feed stamp) serve every lookup by network, the foreign key's cascade too; each further
    # index is written with every occurrence a series creates.
    network = models.ForeignKey(
        Network, verbose_name=_("Netzwerk"), on_delete=models.CASCADE, related_name="meetings", db_index=False
    )
    # A joint meeting (OParl's Meeting.organization holds several): the host plans it,
    # the partner networks hold it too; it is in each one's calendar, page and feed.
    partner_networks = models.ManyToManyField(
        Network,
        verbose_name=_("gemeinsam mit"),
        through="MeetingPartner",
        related_name="joint_meetings",
        blank=True,
    )
    series = models.ForeignKey(
        MeetingSeries,
        verbose_name=_("Terminserie"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="occurrences",
        # As ``network``: the slot constraint and the (series, start) index begin with it.
        db_index=False,
    )
    original_start = models.DateTimeField(
        _("Termin laut Serienregel"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Wann die Sitzung nach der Regel der Serie stattfände; bleibt beim Verschieben gleich."),
    )
    title = models.CharField(_("Titel"), max_length=200, validators=[validate_single_line])
    start = models.DateTimeField(_("Beginn"), validators=[validate_plausible_year])
    end = models.DateTimeField(_("Ende"), validators=[validate_plausible_year])
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    visibility = models.CharField(
        _("sichtbar für"), max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    sequence = models.PositiveIntegerField(
        _("Fassung"),
        default=0,
        editable=False,
        help_text=_("Steigt mit jeder Änderung, die Mitglieder erfahren sollen (Zeit, Ort, Status)."),
    )
    cancellation_reason = models.TextField(
        _("Grund der Absage"),
        max_length=1000,
        blank=True,
        help_text=_("Steht in der Absage-Mail, auf der Seite der Sitzung und im Kalender."),
    )
    edited_by_hand = models.BooleanField(
        _("einzeln geändert"),
        default=False,
        help_text=_("Änderungen an der Serie überschreiben diese Sitzung nicht mehr."),
    )
    moved_from = models.DateTimeField(
        _("vorheriger Beginn"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Beginn vor dem letzten Verschieben."),
    )
    # The folded title, kept by the database (see contacts.textsearch): the search compares
    # folded text and must not fold every row of every query.
    search_name = models.GeneratedField(
        expression=Fold("title"),
        output_field=models.TextField(),
        db_persist=True,
        verbose_name=_("Suchtitel"),
    )

    # Open meetings (an „offenes Treffen“, the Sozialkonferenz) take registrations from
    # anyone: set by the speakers (``meetings.services.guest_settings_set``), never by a
    # series, so a series edit leaves them alone.
    guests_open = models.BooleanField(
        _("Anmeldung für Gäste"),
        default=False,
        help_text=_("Auf der öffentlichen Seite der Sitzung kann sich jede*r mit Name und E-Mail-Adresse anmelden."),
    )
    guest_capacity = models.PositiveIntegerField(
        _("Plätze für Gäste"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10_000)],
        help_text=_("Leer: unbegrenzt."),
    )
    guest_waitlist = models.BooleanField(
        _("Warteliste"),
        default=True,
        help_text=_("Sind alle Plätze vergeben, kommen weitere Anmeldungen auf die Warteliste und rücken nach."),
    )
    guest_deadline = models.DateTimeField(
        _("Anmeldung bis"),
        null=True,
        blank=True,
        validators=[validate_plausible_year],
        help_text=_("Leer: bis zum Beginn der Sitzung."),
    )

    # Changes to these fields are ones members must be told about: they raise ``sequence``.
    NOTICEABLE_FIELDS = ("start", "end", "status", *LocationFields.PLACE_FIELDS)

    history = HistoricalRecords(excluded_fields=["search_name"])

    class Meta:
        verbose_name = _("Sitzung")
        verbose_name_plural = _("Sitzungen")
        ordering = ["start", "pk"]
        indexes = [
            models.Index(fields=["network", "start"]),
            # The feeds' conditional GET aggregates a network's public meetings in the window
            # on every poll; with these columns in the index that is an index-only scan and
            # the 304 never reads the table (PostgreSQL; SQLite ignores INCLUDE).
            models.Index(
                fields=["network", "visibility", "start"],
                include=["status", "updated_at", "id"],
                name="meeting_feed_stamp",
            ),
            models.Index(fields=["series", "start"]),
            models.Index(fields=["start"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="meeting_end_after_start"),
            # Regenerating a series finds the occurrence it already made, never a second one.
            models.UniqueConstraint(fields=["series", "original_start"], name="meeting_one_per_series_slot"),
            models.CheckConstraint(
                condition=Q(series__isnull=True) | Q(original_start__isnull=False),
                name="meeting_occurrence_has_original_start",
            ),
        ]

    def __str__(self) -> str:
        local = self.start.astimezone(recurrence.BERLIN) if self.start else None
        return f"{self.title} ({local:%d.%m.%Y %H:%M})" if local else self.title

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    def _partner_rows(self):
        # A selector that only reads may prefetch the partners as a list (``partner_list``):
        # building the related manager on each read costs more than the rest of a row of
        # the API's meeting list. Whoever writes reads the manager, which a write refreshes.
        listed = getattr(self, "partner_list", None)
        return listed if listed is not None else self.partner_networks.all()

    @property
    def partners(self) -> list[Network]:
        """The partner networks by name (prefetch ``partner_networks`` to read no row)."""
        return sorted(self._partner_rows(), key=lambda network: (network.name.casefold(), network.pk))

    @property
    def networks(self) -> list[Network]:
        """Every network the meeting belongs to: the host first, then the partners."""
        return [self.network, *self.partners]

    @property
    def network_ids(self) -> frozenset[int]:
        """The ids of the host and the partner networks (what permissions are decided on)."""
        return frozenset({self.network_id, *(network.pk for network in self._partner_rows())})

    @property
    def is_joint(self) -> bool:
        return bool(self._partner_rows())

    @property
    def local_start(self) -> datetime.datetime:
        return self.start.astimezone(recurrence.BERLIN)

    @property
    def local_end(self) -> datetime.datetime:
        return self.end.astimezone(recurrence.BERLIN)

    def clean(self) -> None:
        super().clean()
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValidationError({"end": _("Das Ende muss nach dem Beginn liegen.")})
        if self.start is not None and self.end is not None and self.end - self.start > datetime.timedelta(days=2):
            raise ValidationError({"end": _("Eine Sitzung dauert höchstens zwei Tage; bitte das Ende prüfen.")})
        if self.series_id is not None and self.series.network_id != self.network_id:
            raise ValidationError({"series": _("Die Serie gehört zu einem anderen Netzwerk.")})


class MeetingPartner(models.Model):
    """A network that holds a meeting together with its host (a joint meeting).

    Its rows move the partner's calendar stamp (triggers, migration 0013) like the
    meeting's own changes do, so the partner's feeds notice the meeting joining or leaving.
    """

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("Sitzung"), on_delete=models.CASCADE, related_name="partnerships"
    )
    network = models.ForeignKey(
        Network, verbose_name=_("Netzwerk"), on_delete=models.CASCADE, related_name="meeting_partnerships"
    )
    added_at = models.DateTimeField(_("hinzugefügt am"), auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hinzugefügt von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("Partnernetzwerk einer Sitzung")
        verbose_name_plural = _("Partnernetzwerke von Sitzungen")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "network"], name="meetingpartner_once"),
        ]
        indexes = [models.Index(fields=["network", "meeting"], name="meetingpartner_network_idx")]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.network}"


def in_networks(network_ids) -> Q:
    """Meetings that belong to any of ``network_ids`` (ids or a query of ids): hosted by one
    of them, or held jointly with one of them. A subquery, not a join, so no meeting
    appears twice."""
    return Q(network_id__in=network_ids) | Q(
        pk__in=MeetingPartner.objects.filter(network_id__in=network_ids).values("meeting_id")
    )


class AgendaItem(TimestampedModel):
    """A TOP (Tagesordnungspunkt). ``text`` is Markdown, sanitised when rendered."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("Sitzung"), on_delete=models.CASCADE, related_name="agenda_items"
    )
    position = models.PositiveSmallIntegerField(_("TOP Nr."))
    title = models.CharField(_("Titel"), max_length=300, validators=[validate_single_line])
    text = models.TextField(
        _("Beschreibung"),
        blank=True,
        validators=[MaxLengthValidator(AGENDA_TEXT_MAX_LENGTH)],
        help_text=_("Markdown ist möglich."),
    )
    text_html = models.TextField(_("Beschreibung (HTML)"), blank=True, editable=False)
    is_public = models.BooleanField(
        _("öffentlich"), default=True, help_text=_("Nicht öffentliche Punkte sehen nur Mitglieder des Netzwerks.")
    )
    # What the meeting decided or noted under this TOP (OParl: AgendaItem.result and
    # resolutionText). Seen by whoever sees the item: it follows ``is_public``.
    result = models.TextField(
        _("Ergebnis"),
        blank=True,
        validators=[MaxLengthValidator(AGENDA_RESULT_MAX_LENGTH)],
        help_text=_("Nach der Sitzung: Beschluss, Absprachen, Zuständigkeiten. Markdown ist möglich."),
    )
    result_html = models.TextField(_("Ergebnis (HTML)"), blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["text_html", "result_html"])

    class Meta:
        verbose_name = _("Tagesordnungspunkt")
        verbose_name_plural = _("Tagesordnungspunkte")
        ordering = ["meeting", "position", "pk"]

    def __str__(self) -> str:
        return f"TOP {self.position}: {self.title}"

    def clean(self) -> None:
        super().clean()
        # Rendered here, once per save, because every write path (services, admin) runs
        # full_clean: a page view never parses Markdown.
        self.text_html = _rendered(self.text, AGENDA_TEXT_MAX_LENGTH)
        self.result_html = _rendered(self.result, AGENDA_RESULT_MAX_LENGTH)


def validate_minutes_file(upload) -> None:
    """At most 10 MB, and only a safe type judged by content (``meetings.uploads``): the one
    check of the web form, the API and the Verwaltung."""
    uploads.validate_upload(upload)


def minutes_upload_to(instance: "Minutes", filename: str) -> str:
    # A folder of its own per file keeps the uploaded name: the mail attaches the file and
    # the download offers it under that name, and a second „protokoll.pdf“ would otherwise
    # become „protokoll_a1B2c3D.pdf“.
    return f"protokolle/{timezone.localdate().year}/{secrets.token_hex(8)}/{filename}"


class Minutes(TimestampedModel):
    """The Protokoll of a meeting: text and/or a file; a draft until published."""

    meeting = models.OneToOneField(Meeting, verbose_name=_("Sitzung"), on_delete=models.CASCADE, related_name="minutes")
    text = models.TextField(
        _("Text"),
        blank=True,
        validators=[MaxLengthValidator(MINUTES_TEXT_MAX_LENGTH)],
        help_text=_("Markdown ist möglich. Bitte Einrichtungen und Rollen nennen, keine Privatpersonen."),
    )
    text_html = models.TextField(_("Text (HTML)"), blank=True, editable=False)
    file = models.FileField(
        _("Datei"), upload_to=minutes_upload_to, max_length=255, blank=True, validators=[validate_minutes_file]
    )
    visibility = models.CharField(
        _("sichtbar für"), max_length=20, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    published_at = models.DateTimeField(_("veröffentlicht am"), null=True, blank=True)
    # How often members were told about these minutes: 1 at the first publication, one
    # more for each „Mitglieder erneut benachrichtigen“. The notifications app plans one
    # „Protokoll veröffentlicht“ per member and value (the delivery's version), so editing
    # published minutes sends nothing unless the speaker asks for it.
    notice_version = models.PositiveIntegerField(_("Benachrichtigungen"), default=0, editable=False)

    history = HistoricalRecords(excluded_fields=["text_html"])

    class Meta:
        verbose_name = _("Protokoll")
        verbose_name_plural = _("Protokolle")

    def __str__(self) -> str:
        return str(_("Protokoll: %(meeting)s") % {"meeting": self.meeting})

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def file_name(self) -> str:
        """The file's own name, without the storage folder („protokolle/2026/“)."""
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""

    def clean(self) -> None:
        super().clean()
        self.text_html = _rendered(self.text, MINUTES_TEXT_MAX_LENGTH)
        if not self.text.strip() and not self.file:
            raise ValidationError(_("Ein Protokoll braucht einen Text oder eine Datei."))


def validate_document_file(upload) -> None:
    """The same check as for minutes: at most 10 MB, a safe type judged by content."""
    uploads.validate_upload(upload)


DOCUMENT_TITLE_MAX_LENGTH = 200


class MeetingDocument(TimestampedModel):
    """A file of a meeting or of one of its agenda items: the invitation, a Vorlage, the
    slides of a talk (OParl: Meeting.auxiliaryFile, AgendaItem.auxiliaryFile).

    The file lies in the media folder, which is never served as such: it goes out only
    through the view that checked who may read it (``meetings.uploads.file_response``).
    Type and size are taken from the content when the file arrives, so that lists never
    open the files.
    """

    class Kind(models.TextChoices):
        INVITATION = "einladung", _("Einladung")
        PAPER = "vorlage", _("Vorlage")
        PRESENTATION = "praesentation", _("Präsentation")
        OTHER = "sonstiges", _("Sonstiges")

    # What the invitation mail carries as attachments (when small enough): the papers
    # members should read before the meeting. Slides and other files are linked.
    INVITATION_PAPERS = (Kind.INVITATION, Kind.PAPER)

    meeting = models.ForeignKey(Meeting, verbose_name=_("Sitzung"), on_delete=models.CASCADE, related_name="documents")
    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("Tagesordnungspunkt"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
        help_text=_("Leer: eine Unterlage zur ganzen Sitzung."),
    )
    title = models.CharField(_("Titel"), max_length=DOCUMENT_TITLE_MAX_LENGTH, validators=[validate_single_line])
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices, default=Kind.PAPER)
    file = models.FileField(_("Datei"), upload_to="unterlagen/%Y/", validators=[validate_document_file])
    file_name = models.CharField(_("Dateiname"), max_length=255, validators=[validate_single_line])
    content_type = models.CharField(_("Dateityp"), max_length=100, editable=False)
    size = models.PositiveIntegerField(_("Größe in Bytes"), editable=False)
    visibility = models.CharField(
        _("sichtbar für"), max_length=20, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=1)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hochgeladen von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    # The account is not part of the versions speakers read: who changed what is already
    # in every version, named as the reader may see it.
    history = HistoricalRecords(excluded_fields=["uploaded_by"])

    class Meta:
        verbose_name = _("Unterlage")
        verbose_name_plural = _("Unterlagen")
        ordering = ["meeting", "position", "pk"]
        indexes = [models.Index(fields=["meeting", "position"])]

    def __str__(self) -> str:
        return self.title

    @property
    def type_label(self) -> str:
        """„PDF“, „Word“, „Bild“ …: what the file is, in one word for lists."""
        return uploads.type_label(self.content_type)

    @property
    def size_text(self) -> str:
        return uploads.size_text(self.size)

    @property
    def is_invitation_paper(self) -> bool:
        return self.kind in self.INVITATION_PAPERS

    def clean(self) -> None:
        super().clean()
        if (
            self.agenda_item_id is not None
            and self.meeting_id is not None
            and self.agenda_item.meeting_id != self.meeting_id
        ):
            raise ValidationError({"agenda_item": _("Dieser Tagesordnungspunkt gehört zu einer anderen Sitzung.")})


class Attendance(TimestampedModel):
    """A member's answer before a meeting and their presence after it.

    Empty ``answer`` means "not answered yet", empty ``presence`` "not recorded".
    """

    class Answer(models.TextChoices):
        YES = "zusage", _("Zusage")
        NO = "absage", _("Absage")
        MAYBE = "vielleicht", _("vielleicht")

    class Presence(models.TextChoices):
        PRESENT = "anwesend", _("anwesend")
        EXCUSED = "entschuldigt", _("entschuldigt")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("Sitzung"), on_delete=models.CASCADE, related_name="attendances"
    )
    person = models.ForeignKey(Person, verbose_name=_("Person"), on_delete=models.CASCADE, related_name="attendances")
    answer = models.CharField(_("Antwort"), max_length=20, choices=Answer.choices, blank=True)
    note = models.CharField(_("Bemerkung"), max_length=300, blank=True)
    answered_at = models.DateTimeField(_("geantwortet am"), null=True, blank=True)
    presence = models.CharField(_("Anwesenheit"), max_length=20, choices=Presence.choices, blank=True)

    class Meta:
        verbose_name = _("Teilnahme")
        verbose_name_plural = _("Teilnahmen")
        ordering = ["meeting", "person"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="attendance_once_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.person} – {self.get_answer_display() or '–'}"


class GuestRegistration(TimestampedModel):
    """A guest's registration for an open meeting: a seat, or a place on the waiting list.

    Guests are not people of the directory: name, address, institution and needs are what
    they typed, seen only by the network's speakers and the Sozialplanung, and deleted
    ``GUEST_DATA_RETENTION_DAYS`` after the meeting. A cancelled registration is deleted at
    once (nothing of it is needed any more).
    """

    class Status(models.TextChoices):
        CONFIRMED = "angemeldet", _("angemeldet")
        WAITING = "warteliste", _("Warteliste")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("Sitzung"), on_delete=models.CASCADE, related_name="guest_registrations"
    )
    name = models.CharField(_("Name"), max_length=200, validators=[validate_single_line])
    email = models.EmailField(_("E-Mail-Adresse"), max_length=254)
    institution = models.CharField(_("Einrichtung"), max_length=200, blank=True, validators=[validate_single_line])
    accessibility_needs = models.TextField(
        _("Bedarfe für die Teilnahme"),
        blank=True,
        validators=[MaxLengthValidator(GUEST_NEEDS_MAX_LENGTH)],
        help_text=_("z. B. Rollstuhlplatz, Gebärdensprachdolmetschung, Induktionsschleife, Leichte Sprache"),
    )
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.CONFIRMED)
    moved_up_at = models.DateTimeField(_("nachgerückt am"), null=True, blank=True)
    language = models.CharField(_("Sprache"), max_length=10, default="de")

    class Meta:
        verbose_name = _("Anmeldung eines Gasts")
        verbose_name_plural = _("Anmeldungen von Gästen")
        ordering = ["meeting", "created_at", "pk"]
        constraints = [
            # One registration per address and meeting, however it is capitalised.
            models.UniqueConstraint(Lower("email"), "meeting", name="guestregistration_once_per_address"),
        ]
        indexes = [models.Index(fields=["meeting", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.name}"

    @property
    def is_waiting(self) -> bool:
        return self.status == self.Status.WAITING


class DatePoll(TimestampedModel):
    """A Terminumfrage: members vote on options; closing it with a choice creates the meeting."""

    class Status(models.TextChoices):
        OPEN = "offen", _("offen")
        CLOSED = "geschlossen", _("geschlossen")

    network = models.ForeignKey(
        Network, verbose_name=_("Netzwerk"), on_delete=models.CASCADE, related_name="date_polls"
    )
    title = models.CharField(_("Titel"), max_length=200, validators=[validate_single_line])
    description = models.TextField(
        _("Beschreibung"),
        blank=True,
        validators=[MaxLengthValidator(POLL_DESCRIPTION_MAX_LENGTH)],
        help_text=_("Markdown ist möglich."),
    )
    description_html = models.TextField(_("Beschreibung (HTML)"), blank=True, editable=False)
    deadline = models.DateTimeField(_("abstimmen bis"), validators=[validate_plausible_year])
    invitee_roles = models.JSONField(
        _("eingeladene Rollen"),
        default=list,
        blank=True,
        help_text=_("Leer: alle aktuellen Mitglieder des Netzwerks."),
    )
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    chosen_option = models.ForeignKey(
        "DatePollOption",
        verbose_name=_("gewählter Termin"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("angelegte Sitzung"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="date_polls",
    )
    created_by = models.ForeignKey(
        Person, verbose_name=_("angelegt von"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("geschlossen am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Terminumfrage")
        verbose_name_plural = _("Terminumfragen")
        ordering = ["-deadline"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def clean(self) -> None:
        super().clean()
        self.description_html = _rendered(self.description, POLL_DESCRIPTION_MAX_LENGTH)
        roles = self.invitee_roles
        if not isinstance(roles, list) or any(role not in Membership.Role.values for role in roles):
            raise ValidationError({"invitee_roles": _("Bitte wählen Sie nur bekannte Rollen als Eingeladene.")})


class DatePollOption(models.Model):
    """One proposal: a time range, or a whole day.

    A whole day is a ``DateField``, not midnight-to-midnight: a calendar day has no time zone,
    so it is the same day for every viewer and never slides into the day before.
    """

    poll = models.ForeignKey(DatePoll, verbose_name=_("Umfrage"), on_delete=models.CASCADE, related_name="options")
    start = models.DateTimeField(_("Beginn"), null=True, blank=True, validators=[validate_plausible_year])
    end = models.DateTimeField(_("Ende"), null=True, blank=True, validators=[validate_plausible_year])
    day = models.DateField(_("ganzer Tag"), null=True, blank=True, validators=[validate_plausible_year])

    class Meta:
        verbose_name = _("Terminvorschlag")
        verbose_name_plural = _("Terminvorschläge")
        ordering = ["poll", "day", "start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(day__isnull=True, start__isnull=False, end__isnull=False)
                | Q(day__isnull=False, start__isnull=True, end__isnull=True),
                name="polloption_day_or_time_range",
            ),
            models.CheckConstraint(
                condition=Q(day__isnull=False) | Q(end__gt=F("start")),
                name="polloption_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        if self.day is not None:
            return self.day.strftime("%d.%m.%Y")
        start = self.start.astimezone(recurrence.BERLIN)
        end = self.end.astimezone(recurrence.BERLIN)
        if start.date() == end.date():
            return f"{start:%d.%m.%Y %H:%M}–{end:%H:%M}"
        return f"{start:%d.%m.%Y %H:%M}–{end:%d.%m.%Y %H:%M}"

    @property
    def is_whole_day(self) -> bool:
        return self.day is not None

    @property
    def slot(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The aware start and end; a whole day runs from midnight to midnight in Aachen."""
        if self.day is None:
            return self.start, self.end
        start = datetime.datetime.combine(self.day, datetime.time.min, tzinfo=recurrence.BERLIN)
        end = datetime.datetime.combine(
            self.day + datetime.timedelta(days=1), datetime.time.min, tzinfo=recurrence.BERLIN
        )
        return start, end

    @property
    def weekday(self) -> str:
        """The German name of the (first) day, „Dienstag“: a date alone is hard to place."""
        return recurrence.weekday_names()[self.slot[0].astimezone(recurrence.BERLIN).weekday()]

    def clean(self) -> None:
        super().clean()
        timed = self.start is not None or self.end is not None
        if (self.day is None) == (not timed) or (timed and (self.start is None or self.end is None)):
            raise ValidationError(_("Ein Terminvorschlag ist entweder ein ganzer Tag oder hat Beginn und Ende."))
        if timed and self.end <= self.start:
            raise ValidationError({"end": _("Das Ende muss nach dem Beginn liegen.")})


class DatePollVote(TimestampedModel):
    """A member's vote on one option."""

    class Answer(models.TextChoices):
        YES = "ja", _("ja")
        IF_NEED_BE = "wenn_noetig", _("wenn nötig")
        NO = "nein", _("nein")

    option = models.ForeignKey(
        DatePollOption, verbose_name=_("Terminvorschlag"), on_delete=models.CASCADE, related_name="votes"
    )
    person = models.ForeignKey(Person, verbose_name=_("Person"), on_delete=models.CASCADE, related_name="poll_votes")
    answer = models.CharField(_("Antwort"), max_length=20, choices=Answer.choices)

    class Meta:
        verbose_name = _("Stimme")
        verbose_name_plural = _("Stimmen")
        constraints = [
            models.UniqueConstraint(fields=["option", "person"], name="pollvote_once_per_option"),
        ]

    def __str__(self) -> str:
        return f"{self.option}: {self.person} – {self.get_answer_display()}"


def _feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarStamp(models.Model):
    """How often the meetings of one network have changed, and when last.

    Kept by database triggers on the meetings table (migration 0011), not by the services:
    every write moves it — a service's save, a bulk ``update()`` or ``delete()``, a cascade
    from a deleted network. A feed's ETag is made of the stamps of its networks, so a
    conditional GET reads one row per network and never the meetings (``meetings.feeds.stamp``).
    No foreign key: the row of a deleted network is written by the cascade that deletes
    its meetings, after the network itself may be gone.
    """

    network_id = models.BigIntegerField(_("Netzwerk"), primary_key=True)
    version = models.BigIntegerField(_("Änderungen"))
    changed_at = models.DateTimeField(_("zuletzt geändert"))

    class Meta:
        verbose_name = _("Kalenderstand eines Netzwerks")
        verbose_name_plural = _("Kalenderstände der Netzwerke")

    def __str__(self) -> str:
        return f"{self.network_id}: {self.version}"


class FeedToken(models.Model):
    """The secret in the address of a person's personal calendar feed.

    Calendar servers (Google, Microsoft) fetch feeds without logging in, so the address
    itself is the credential: long, random, revocable. At most one token per person is
    valid; issuing a new one revokes the old (rotate after the address leaked).
    ``last_fetched_at``/``last_user_agent`` let the owner see whether and by which client
    the feed is polled ("my Google calendar does not update").
    """

    person = models.ForeignKey(Person, verbose_name=_("Person"), on_delete=models.CASCADE, related_name="feed_tokens")
    token = models.CharField(_("Schlüssel"), max_length=64, unique=True, default=_feed_token, editable=False)
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("widerrufen am"), null=True, blank=True)
    last_fetched_at = models.DateTimeField(_("zuletzt abgerufen am"), null=True, blank=True)
    last_user_agent = models.CharField(_("zuletzt abgerufen von"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("Kalender-Schlüssel")
        verbose_name_plural = _("Kalender-Schlüssel")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(revoked_at__isnull=True), name="feedtoken_one_valid_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.created_at:%d.%m.%Y})"

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None


class SchoolHoliday(models.Model):
    """A span of NRW school holidays (Schulferien), kept by Sozialplanung staff in the admin.

    Only a hint for planning (many members have children or work in schools); the dates
    are data, not code, because the state sets them years ahead and sometimes changes them.
    """

    name = models.CharField(_("Bezeichnung"), max_length=100, help_text=_("z. B. Sommerferien 2027"))
    start = models.DateField(_("erster Ferientag"))
    end = models.DateField(_("letzter Ferientag"))

    class Meta:
        verbose_name = _("Schulferien")
        verbose_name_plural = _("Schulferien")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="schoolholiday_end_not_before_start"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.start:%d.%m.%Y}–{self.end:%d.%m.%Y})"

    def clean(self) -> None:
        super().clean()
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValidationError({"end": _("Der letzte Ferientag liegt vor dem ersten.")})
