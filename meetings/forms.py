"""Forms of the speakers' and members' pages (German, errors bound to their fields).

Forms only read and check input; writes go through ``meetings.services``. A service's
``ValidationError`` is put back on the form with ``errors_from_service`` so the message
appears beside the field it concerns.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import Institution, Membership, Network
from contacts.text import JoinedLineField, SingleLineField
from contacts.validators import validate_plausible_year
from meetings import recurrence, uploads
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
    DatePollVote,
    Meeting,
    MeetingDocument,
    Visibility,
    validate_document_file,
    validate_minutes_file,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class AccessibleForm(forms.Form):
    """Marks fields with errors ``aria-invalid`` and points them at their message and help."""

    def full_clean(self):
        super().full_clean()
        self._mark_fields()

    def _mark_fields(self) -> None:
        for name, field in self.fields.items():
            auto_id = self.auto_id % self.add_prefix(name)
            described = [f"{auto_id}_hilfe"] if field.help_text else []
            if name in self.errors:
                described.append(f"{auto_id}_fehler")
                field.widget.attrs["aria-invalid"] = "true"
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)

    def errors_from_service(self, error: ValidationError, field_map: dict[str, str] | None = None) -> None:
        """Attach a service's ``ValidationError`` to the matching fields (others: the whole form)."""
        field_map = field_map or {}
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                target = field_map.get(name, name)
                self.add_error(target if target in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)
        self._mark_fields()


def _aware(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return recurrence.localize(datetime.datetime.combine(day, time))


class LocationMixin(forms.Form):
    institution = forms.ModelChoiceField(
        label=_("Ort: Einrichtung"),
        queryset=Institution.objects.none(),
        required=False,
        empty_label=_("– keine Einrichtung, Adresse unten –"),
        help_text=_("Die Adresse der Einrichtung wird übernommen."),
    )
    address = SingleLineField(label=_("oder Adresse"), max_length=300, required=False)
    room = SingleLineField(label=_("Raum"), max_length=120, required=False)
    accessibility_notes = forms.CharField(
        label=_("Hinweise zur Barrierefreiheit"),
        required=False,
        max_length=ACCESSIBILITY_NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("z. B. Eingang über den Hof, Aufzug vorhanden"),
    )
    online_url = forms.URLField(label=_("Link zur Online-Teilnahme"), required=False, assume_scheme="https")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = Institution.objects.filter(is_active=True).order_by("name")

    def location_values(self) -> dict:
        data = self.cleaned_data
        return {
            "institution": data.get("institution"),
            "address": data.get("address", ""),
            "room": data.get("room", ""),
            "accessibility_notes": data.get("accessibility_notes", ""),
            "online_url": data.get("online_url", ""),
        }


class MeetingForm(LocationMixin, AccessibleForm):
    """A single meeting, or the change of one (then with ``status``).

    ``partner_choices``: the networks that may be ticked as partners of a joint meeting
    (those the speaker leads besides the host, and the meeting's current partners); none:
    the field is left out.
    """

    title = SingleLineField(label=_("Titel"), max_length=200)
    day = forms.DateField(validators=[validate_plausible_year], label=_("Tag"), widget=DATE)
    start_time = forms.TimeField(label=_("Beginn (Uhrzeit)"), widget=TIME)
    end_time = forms.TimeField(label=_("Ende (Uhrzeit)"), widget=TIME)
    visibility = forms.ChoiceField(label=_("sichtbar für"), choices=Visibility.choices, initial=Visibility.PUBLIC)
    partner_networks = forms.ModelMultipleChoiceField(
        label=_("Gemeinsame Sitzung mit"),
        queryset=Network.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Die Sitzung steht dann auch im Kalender dieser Netzwerke, ihre Mitglieder werden "
            "eingeladen (wer in mehreren ist, einmal), ihre Sprecher*innen können sie bearbeiten."
        ),
    )

    field_order = ["title", "day", "start_time", "end_time", "visibility", "partner_networks"]
    SERVICE_FIELDS = {"start": "start_time", "end": "end_time"}

    def __init__(self, *args, partner_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if partner_choices is None or not partner_choices.exists():
            del self.fields["partner_networks"]
        else:
            self.fields["partner_networks"].queryset = partner_choices

    @property
    def has_partners_field(self) -> bool:
        return "partner_networks" in self.fields

    def partners(self) -> list[Network]:
        return list(self.cleaned_data.get("partner_networks") or [])

    def clean(self):
        data = super().clean()
        day, start_time, end_time = data.get("day"), data.get("start_time"), data.get("end_time")
        if day and start_time and end_time:
            if end_time <= start_time:
                self.add_error("end_time", _("Das Ende muss nach dem Beginn liegen."))
            else:
                data["start"] = _aware(day, start_time)
                data["end"] = _aware(day, end_time)
        return data

    def meeting_values(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "start": data["start"],
            "end": data["end"],
            "visibility": data["visibility"],
            **self.location_values(),
        }


class MeetingEditForm(MeetingForm):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (value, label)
            for value, label in Meeting.Status.choices
            if value not in (Meeting.Status.CANCELLED, Meeting.Status.POSTPONED)
        ],
    )

    @classmethod
    def initial_for(cls, meeting: Meeting) -> dict:
        return {
            "partner_networks": [network.pk for network in meeting.partner_networks.all()],
            "title": meeting.title,
            "day": meeting.local_start.date(),
            "start_time": meeting.local_start.time(),
            "end_time": meeting.local_end.time(),
            "visibility": meeting.visibility,
            "status": meeting.status,
            **{field: getattr(meeting, field) for field in ("institution", "address", "room")},
            "accessibility_notes": meeting.accessibility_notes,
            "online_url": meeting.online_url,
        }

    def changes_for(self, meeting: Meeting) -> dict:
        """Only what differs: an unchanged time of a past meeting must not count as a move."""
        values = {**self.meeting_values(), "status": self.cleaned_data["status"]}
        if meeting.status == Meeting.Status.CANCELLED:
            values.pop("status")
        return {name: value for name, value in values.items() if getattr(meeting, name) != value}


class Frequency:
    WEEKLY = "woechentlich"
    EVERY_N_WEEKS = "alle_n_wochen"
    MONTHLY = "monatlich"
    QUARTERLY = "vierteljaehrlich"
    CUSTOM = "eigene_regel"

    choices = [
        (WEEKLY, _("jede Woche am gewählten Wochentag")),
        (EVERY_N_WEEKS, _("alle n Wochen am gewählten Wochentag")),
        (MONTHLY, _("monatlich am n-ten Wochentag")),
        (QUARTERLY, _("vierteljährlich am n-ten Wochentag")),
        (CUSTOM, _("eigene Regel (RRULE, für Fachleute)")),
    ]


ORDINALS = [(1, _("1.")), (2, _("2.")), (3, _("3.")), (4, _("4.")), (-1, _("letzten"))]


def builder_from_rule(rule: str) -> dict:
    """The builder fields for a stored rule; rules the builder cannot show are "eigene Regel"."""
    parts = recurrence.parse_parts(rule)
    interval = int(parts.get("INTERVAL", "1"))
    byday = parts.get("BYDAY", "")
    custom = {"frequency": Frequency.CUSTOM, "rule": recurrence.normalize(rule)}
    if set(parts) - {"FREQ", "INTERVAL", "BYDAY"} or "," in byday or len(byday) < 2:
        return custom
    code, number = byday[-2:], byday[:-2]
    if code not in recurrence.WEEKDAY_CODES:
        return custom
    weekday = recurrence.WEEKDAY_CODES.index(code)
    if parts["FREQ"] == "WEEKLY" and not number:
        if interval == 1:
            return {"frequency": Frequency.WEEKLY, "weekday": weekday}
        return {"frequency": Frequency.EVERY_N_WEEKS, "weekday": weekday, "interval": interval}
    monthly = parts["FREQ"] == "MONTHLY" and interval in (1, 3)
    if monthly and number.lstrip("-").isdigit() and int(number) in (1, 2, 3, 4, -1):
        frequency = Frequency.MONTHLY if interval == 1 else Frequency.QUARTERLY
        return {"frequency": frequency, "weekday": weekday, "ordinal": int(number)}
    return custom


class SeriesForm(LocationMixin, AccessibleForm):
    """The rule builder: the fields make the RRULE; the preview shows it in German with dates."""

    title = SingleLineField(label=_("Titel"), max_length=200)
    frequency = forms.ChoiceField(label=_("Rhythmus"), choices=Frequency.choices, initial=Frequency.MONTHLY)
    weekday = forms.TypedChoiceField(
        label=_("Wochentag"),
        coerce=int,
        choices=[(index, name) for index, name in enumerate(recurrence.weekday_names())],
        required=False,
        initial=1,
    )
    ordinal = forms.TypedChoiceField(
        label=_("Welcher Wochentag im Monat"),
        coerce=int,
        choices=ORDINALS,
        required=False,
        initial=2,
        help_text=_("Nur bei „monatlich“ und „vierteljährlich“: z. B. der 2. Dienstag."),
    )
    interval = forms.IntegerField(
        label=_("Alle wie viele Wochen"),
        min_value=2,
        max_value=recurrence.MAX_INTERVAL,
        required=False,
        initial=8,
        help_text=_("Nur bei „alle n Wochen“."),
    )
    rule = forms.CharField(
        label=_("Eigene Regel (RRULE)"),
        max_length=300,
        required=False,
        help_text=_("Nur bei „eigene Regel“, z. B. FREQ=MONTHLY;BYMONTHDAY=15"),
    )
    first_date = forms.DateField(validators=[validate_plausible_year], label=_("erster möglicher Termin"), widget=DATE)
    start_time = forms.TimeField(label=_("Beginn (Uhrzeit)"), widget=TIME, initial=datetime.time(18, 30))
    duration_minutes = forms.IntegerField(label=_("Dauer in Minuten"), min_value=5, max_value=24 * 60, initial=90)
    until = forms.DateField(
        validators=[validate_plausible_year],
        label=_("bis (letzter möglicher Tag)"),
        widget=DATE,
        required=False,
        help_text=_("Leer: offen."),
    )
    count = forms.IntegerField(
        label=_("oder: Anzahl der Termine"),
        min_value=1,
        max_value=1000,
        required=False,
        help_text=_("Leer: unbegrenzt."),
    )
    visibility = forms.ChoiceField(label=_("sichtbar für"), choices=Visibility.choices, initial=Visibility.PUBLIC)

    field_order = [
        "title",
        "frequency",
        "weekday",
        "ordinal",
        "interval",
        "rule",
        "first_date",
        "start_time",
        "duration_minutes",
        "until",
        "count",
        "visibility",
    ]
    SERVICE_FIELDS = {"rule": "frequency"}
    PREVIEW_DATES = 8

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_date"].initial = timezone.localdate()

    def _rule(self, data: dict) -> str | None:
        frequency = data.get("frequency")
        if frequency == Frequency.CUSTOM:
            if not data.get("rule"):
                self.add_error("rule", _("Bitte geben Sie die Regel ein, z. B. FREQ=MONTHLY;BYDAY=2TU."))
                return None
            return data["rule"]
        weekday = data.get("weekday")
        if weekday is None:
            self.add_error("weekday", _("Bitte wählen Sie einen Wochentag."))
            return None
        code = recurrence.WEEKDAY_CODES[weekday]
        if frequency == Frequency.WEEKLY:
            return f"FREQ=WEEKLY;BYDAY={code}"
        if frequency == Frequency.EVERY_N_WEEKS:
            if not data.get("interval"):
                self.add_error("interval", _("Bitte geben Sie an, alle wie viele Wochen (2 bis 99)."))
                return None
            return f"FREQ=WEEKLY;INTERVAL={data['interval']};BYDAY={code}"
        ordinal = data.get("ordinal")
        if ordinal is None:
            self.add_error("ordinal", _("Bitte wählen Sie, der wievielte Wochentag im Monat."))
            return None
        interval = ";INTERVAL=3" if frequency == Frequency.QUARTERLY else ""
        return f"FREQ=MONTHLY{interval};BYDAY={ordinal}{code}"

    def clean(self):
        data = super().clean()
        if data.get("until") and data.get("count"):
            self.add_error("count", _("Bitte geben Sie entweder „bis“ oder „Anzahl“ an, nicht beides."))
        if data.get("until") and data.get("first_date") and data["until"] < data["first_date"]:
            self.add_error("until", _("Das Ende der Serie liegt vor dem ersten Termin."))
        rule = self._rule(data)
        if rule is None or self.errors or not data.get("first_date") or not data.get("start_time"):
            return data
        target = "rule" if data.get("frequency") == Frequency.CUSTOM else "frequency"
        try:
            data["built_rule"] = recurrence.normalize(rule)
            pattern = recurrence.Pattern(
                data["built_rule"],
                data["first_date"],
                data["start_time"],
                until=data.get("until"),
                count=data.get("count"),
            )
            recurrence.validate(pattern)
        except ValidationError as error:
            self.add_error(target, error.messages)
            return data
        data["pattern"] = pattern
        return data

    def series_values(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "rule": data["built_rule"],
            "first_date": data["first_date"],
            "start_time": data["start_time"],
            "duration_minutes": data["duration_minutes"],
            "visibility": data["visibility"],
            "until": data.get("until"),
            "count": data.get("count"),
            **self.location_values(),
        }

    def description(self) -> str:
        data = self.cleaned_data
        return recurrence.rule_describe(
            data["built_rule"], data["start_time"], data["duration_minutes"], first_date=data["first_date"]
        )

    def slots(self, *, limit: int | None = None, since: datetime.date | None = None) -> list[tuple]:
        """Aware (start, end) of the occurrences in the next 12 months from ``since``."""
        data = self.cleaned_data
        since = max(since or data["first_date"], data["first_date"])
        through = since + datetime.timedelta(days=366)
        starts = recurrence.local_starts(data["pattern"], since=since, through=through)
        if limit is not None:
            starts = starts[:limit]
        duration = datetime.timedelta(minutes=data["duration_minutes"])
        slots = []
        for local in starts:
            start = recurrence.localize(local).astimezone(datetime.UTC)
            slots.append((start, start + duration))
        return slots

    @classmethod
    def initial_for(cls, series) -> dict:
        return {
            **builder_from_rule(series.rule),
            "title": series.title,
            "first_date": series.first_date,
            "start_time": series.start_time,
            "duration_minutes": series.duration_minutes,
            "until": series.until,
            "count": series.count,
            "visibility": series.visibility,
            "institution": series.institution,
            "address": series.address,
            "room": series.room,
            "accessibility_notes": series.accessibility_notes,
            "online_url": series.online_url,
        }


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label=_("Grund der Absage (freiwillig)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Steht in der Absage-Mail an die Mitglieder, auf der Seite der Sitzung und im Kalender."),
    )


class SeriesCancelForm(AccessibleForm):
    day = forms.DateField(
        validators=[validate_plausible_year],
        label=_("Abgesagt ab (Tag)"),
        widget=DATE,
        help_text=_("Ab diesem Tag finden keine Termine der Serie mehr statt."),
    )
    reason = _reason_field()


class MeetingCancelForm(AccessibleForm):
    """The confirmation step of a cancellation, with its optional reason."""

    reason = _reason_field()


class AgendaItemForm(AccessibleForm):
    title = SingleLineField(label=_("Titel"), max_length=300)
    text = forms.CharField(
        label=_("Beschreibung"),
        required=False,
        max_length=AGENDA_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Markdown ist möglich, z. B. **fett** oder eine Liste mit „- “."),
    )
    is_public = forms.BooleanField(
        label=_("öffentlich sichtbar"),
        required=False,
        initial=True,
        help_text=_("Ohne Haken sehen den Punkt nur Mitglieder des Netzwerks."),
    )

    @classmethod
    def initial_for(cls, item: AgendaItem) -> dict:
        return {"title": item.title, "text": item.text, "is_public": item.is_public}


class AgendaResultForm(AccessibleForm):
    result = forms.CharField(
        label=_("Ergebnis"),
        required=False,
        max_length=AGENDA_RESULT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Beschluss, Absprachen, wer was bis wann erledigt. Markdown ist möglich. "
            "Bitte Einrichtungen und Rollen nennen, keine Privatpersonen."
        ),
    )


class MinutesFromAgendaForm(AccessibleForm):
    with_names = forms.BooleanField(
        label=_("Anwesende mit Namen nennen"),
        required=False,
        help_text=_(
            "Ohne Haken stehen nur Einrichtungen und Rollen im Protokoll. Mit Haken erscheinen Namen nur, "
            "wo die Person sie für die Leser*innen des Protokolls freigegeben hat."
        ),
    )
    replace = forms.BooleanField(required=False, widget=forms.HiddenInput)


class MinutesForm(AccessibleForm):
    text = forms.CharField(
        label=_("Protokoll (Text)"),
        required=False,
        max_length=MINUTES_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown ist möglich. Bitte Einrichtungen und Rollen nennen, keine Privatpersonen."),
    )
    file = forms.FileField(
        label=_("Protokoll als Datei"),
        required=False,
        help_text=_("z. B. PDF, höchstens 10 MB"),
        validators=[validate_minutes_file],
    )
    visibility = forms.ChoiceField(label=_("sichtbar für"), choices=Visibility.choices, initial=Visibility.MEMBERS)
    notify_again = forms.BooleanField(
        label=_("Mitglieder erneut benachrichtigen"),
        required=False,
        help_text=_("Alle Mitglieder erhalten eine Mail über die Änderung; ohne Haken erfährt niemand davon."),
    )

    def __init__(self, *args, published: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # Telling members again is for minutes they were told about once.
        if not published:
            del self.fields["notify_again"]


class GuestRegistrationForm(AccessibleForm):
    """A guest registers for an open meeting. ``webseite`` is a honeypot as in the contact
    form (``contacts.forms.ContactMessageForm``): hidden, skipped by the keyboard, labelled
    for screen readers to leave empty; the view answers a program that fills it in as if
    it had registered, and stores nothing."""

    name = JoinedLineField(label=_("Ihr Name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(
        label=_("Ihre E-Mail-Adresse"),
        max_length=254,
        help_text=_("Für die Bestätigung und den Link zum Abmelden. Nur das Sprecher*innenteam sieht sie."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    institution = JoinedLineField(
        label=_("Einrichtung (freiwillig)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    accessibility_needs = forms.CharField(
        label=_("Was brauchen Sie, um teilnehmen zu können? (freiwillig)"),
        max_length=GUEST_NEEDS_MAX_LENGTH,
        required=False,
        help_text=_("z. B. Rollstuhlplatz, Gebärdensprachdolmetschung, Induktionsschleife, Leichte Sprache"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 40}),
    )
    webseite = forms.CharField(
        label=_("Bitte lassen Sie dieses Feld leer."),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].error_messages["invalid"] = _(
            "Bitte geben Sie eine gültige E-Mail-Adresse ein, zum Beispiel name@example.org."
        )
        for name in ("name", "email"):
            self.fields[name].error_messages["required"] = _("Bitte füllen Sie dieses Feld aus.")

    @property
    def is_spam(self) -> bool:
        """Whether the honeypot was filled in (only meaningful after ``is_valid()``)."""
        return bool(self.cleaned_data.get("webseite"))

    def visible_fields(self):
        return [field for field in super().visible_fields() if field.name != "webseite"]


class GuestSettingsForm(AccessibleForm):
    """The speakers' switch „Anmeldung für Gäste“ with seats, waiting list and deadline."""

    guests_open = forms.BooleanField(
        label=_("Anmeldung für Gäste"),
        required=False,
        help_text=_("Auf der öffentlichen Seite der Sitzung kann sich jede*r mit Name und E-Mail-Adresse anmelden."),
    )
    capacity = forms.IntegerField(
        label=_("Plätze für Gäste"),
        required=False,
        min_value=1,
        max_value=10_000,
        help_text=_("Leer: unbegrenzt."),
    )
    waitlist = forms.BooleanField(
        label=_("Warteliste"),
        required=False,
        initial=True,
        help_text=_("Sind alle Plätze vergeben, kommen weitere Anmeldungen auf die Warteliste und rücken nach."),
    )
    deadline_day = forms.DateField(
        validators=[validate_plausible_year], label=_("Anmeldung bis (Tag)"), required=False, widget=DATE
    )
    deadline_time = forms.TimeField(
        label=_("Anmeldung bis (Uhrzeit)"),
        required=False,
        widget=TIME,
        help_text=_("Leer: bis zum Beginn der Sitzung."),
    )

    def clean(self):
        data = super().clean()
        day, time = data.get("deadline_day"), data.get("deadline_time")
        data["deadline"] = None
        if day is not None:
            data["deadline"] = datetime.datetime.combine(day, time or datetime.time(23, 59), tzinfo=recurrence.BERLIN)
        elif time is not None:
            self.add_error("deadline_day", _("Bitte geben Sie zur Uhrzeit auch den Tag an."))
        return data

    @classmethod
    def for_meeting(cls, meeting: Meeting, data=None) -> "GuestSettingsForm":
        initial = {
            "guests_open": meeting.guests_open,
            "capacity": meeting.guest_capacity,
            "waitlist": meeting.guest_waitlist,
        }
        if meeting.guest_deadline is not None:
            local = meeting.guest_deadline.astimezone(recurrence.BERLIN)
            initial.update(deadline_day=local.date(), deadline_time=local.time().replace(second=0, microsecond=0))
        return cls(data, initial=initial, prefix="gaeste")


class DocumentEditForm(AccessibleForm):
    """A document's title, kind, place (the meeting or one agenda item) and visibility."""

    title = SingleLineField(label=_("Titel"), max_length=DOCUMENT_TITLE_MAX_LENGTH)
    kind = forms.ChoiceField(label=_("Art"), choices=MeetingDocument.Kind.choices, initial=MeetingDocument.Kind.PAPER)
    agenda_item = forms.TypedChoiceField(label=_("gehört zu"), coerce=int, required=False, empty_value=None, choices=())
    visibility = forms.ChoiceField(
        label=_("sichtbar für"),
        choices=Visibility.choices,
        initial=Visibility.MEMBERS,
        help_text=_(
            "Öffentliche Unterlagen sieht jede*r auf der Seite der Sitzung und im Kalender; "
            "Unterlagen zu nicht öffentlichen Punkten sehen nur Mitglieder."
        ),
    )

    def __init__(self, *args, agenda_items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.agenda_items = {item.pk: item for item in agenda_items}
        self.fields["agenda_item"].choices = [
            ("", _("– die ganze Sitzung –")),
            *((item.pk, f"TOP {item.position}: {item.title}") for item in agenda_items),
        ]

    @classmethod
    def initial_for(cls, document: MeetingDocument) -> dict:
        return {
            "title": document.title,
            "kind": document.kind,
            "agenda_item": document.agenda_item_id,
            "visibility": document.visibility,
        }

    def document_values(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "kind": data["kind"],
            "visibility": data["visibility"],
            "agenda_item": self.agenda_items.get(data["agenda_item"]),
        }


class DocumentForm(DocumentEditForm):
    """A new document: the file, and what the edit form holds (the title may stay empty)."""

    file = forms.FileField(
        label=_("Datei"),
        validators=[validate_document_file],
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{ext}" for ext in uploads.ALLOWED_EXTENSIONS)}),
    )
    title = SingleLineField(
        label=_("Titel der Unterlage"),
        max_length=DOCUMENT_TITLE_MAX_LENGTH,
        required=False,
        help_text=_("Leer: der Name der Datei."),
    )

    field_order = ["file", "title", "kind", "agenda_item", "visibility"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "%(types)s; höchstens 10 MB. Die Einladungsmail verlinkt alle Unterlagen und hängt Einladung "
            "und Vorlagen an, wenn sie zusammen höchstens 5 MB groß sind."
        ) % {"types": uploads.allowed_types_text()}

    def document_values(self) -> dict:
        return {**super().document_values(), "file": self.cleaned_data["file"]}


class AnswerForm(AccessibleForm):
    answer = forms.ChoiceField(label=_("Ihre Antwort"), choices=Attendance.Answer.choices, widget=forms.RadioSelect)
    note = SingleLineField(label=_("Bemerkung (freiwillig)"), max_length=300, required=False)


class PollForm(AccessibleForm):
    title = SingleLineField(label=_("Titel"), max_length=200)
    description = forms.CharField(
        label=_("Beschreibung"),
        required=False,
        max_length=POLL_DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Markdown ist möglich, z. B. **fett** oder eine Liste mit „- “."),
    )
    deadline_day = forms.DateField(validators=[validate_plausible_year], label=_("Abstimmen bis (Tag)"), widget=DATE)
    deadline_time = forms.TimeField(label=_("Abstimmen bis (Uhrzeit)"), widget=TIME, initial=datetime.time(12, 0))
    invitee_roles = forms.MultipleChoiceField(
        label=_("Eingeladen"),
        choices=Membership.Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Keine Auswahl: alle aktuellen Mitglieder des Netzwerks."),
    )

    SERVICE_FIELDS = {"deadline": "deadline_day"}

    def clean(self):
        data = super().clean()
        if data.get("deadline_day") and data.get("deadline_time"):
            data["deadline"] = _aware(data["deadline_day"], data["deadline_time"])
        return data


class PollOptionForm(AccessibleForm):
    """One proposal: a day; with start and end time a time range, without a whole day."""

    day = forms.DateField(validators=[validate_plausible_year], label=_("Tag"), widget=DATE, required=False)
    start_time = forms.TimeField(label=_("von"), widget=TIME, required=False)
    end_time = forms.TimeField(label=_("bis"), widget=TIME, required=False)

    def clean(self):
        data = super().clean()
        day, start_time, end_time = data.get("day"), data.get("start_time"), data.get("end_time")
        if not day:
            if start_time or end_time:
                self.add_error("day", _("Bitte geben Sie den Tag zu dieser Uhrzeit an."))
            return data
        if (start_time is None) != (end_time is None):
            self.add_error(
                "end_time", _("Bitte geben Sie Beginn und Ende an – oder lassen Sie beides leer für einen ganzen Tag.")
            )
        elif start_time is not None and end_time <= start_time:
            self.add_error("end_time", _("Das Ende muss nach dem Beginn liegen."))
        return data

    def proposal(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("day"):
            return None
        if data.get("start_time") is None:
            return {"day": data["day"]}
        return {"start": _aware(data["day"], data["start_time"]), "end": _aware(data["day"], data["end_time"])}


PollOptionFormSet = formset_factory(PollOptionForm, extra=5, max_num=30, absolute_max=30)


class PollCloseForm(AccessibleForm):
    option = forms.TypedChoiceField(label=_("Gewählter Termin"), coerce=int, choices=(), widget=forms.RadioSelect)
    start_time = forms.TimeField(
        label=_("Beginn (Uhrzeit)"), widget=TIME, required=False, help_text=_("Nur bei einem ganztägigen Vorschlag.")
    )
    end_time = forms.TimeField(
        label=_("Ende (Uhrzeit)"), widget=TIME, required=False, help_text=_("Nur bei einem ganztägigen Vorschlag.")
    )
    visibility = forms.ChoiceField(label=_("sichtbar für"), choices=Visibility.choices, initial=Visibility.MEMBERS)
    address = SingleLineField(label=_("Adresse"), max_length=300, required=False)
    room = SingleLineField(label=_("Raum"), max_length=120, required=False)

    SERVICE_FIELDS = {"start": "start_time", "end": "end_time"}

    def __init__(self, *args, options=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.options = {option.pk: option for option in options}
        self.fields["option"].choices = [(option.pk, f"{option.weekday}, {option}") for option in options]

    def clean(self):
        data = super().clean()
        option = self.options.get(data.get("option"))
        if option is not None and option.is_whole_day:
            if data.get("start_time") is None or data.get("end_time") is None:
                self.add_error("start_time", _("Für einen ganztägigen Vorschlag bitte Beginn und Ende angeben."))
            elif data["end_time"] <= data["start_time"]:
                self.add_error("end_time", _("Das Ende muss nach dem Beginn liegen."))
        data["chosen"] = option
        return data


VOTE_CHOICES = DatePollVote.Answer.choices
