"""What leaves by e-mail: the delivery log, per-person preferences, per-network settings.

The delivery log is the truth about what is owed and what went out (DESIGN.md principle 1):
one row per (subject, recipient, kind, version), guarded by a unique constraint, so a second
row for the same message cannot exist whatever the sweeps and workers do concurrently.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contacts.models import Network, Person
from meetings.models import GuestRegistration


class PeriodicRun(models.Model):
    """When a periodic job last ran in a worker; ``/healthz`` reports its age."""

    name = models.CharField(_("Aufgabe"), max_length=60, unique=True)
    last_run_at = models.DateTimeField(_("zuletzt gelaufen"))
    run_count = models.PositiveBigIntegerField(_("Läufe"), default=0)
    # The sweep looks at meetings changed since this moment (minus a margin), which keeps a
    # sweep over 100,000 unchanged future meetings to a few index look-ups.
    watermark = models.DateTimeField(_("geprüft bis"), null=True, blank=True)

    class Meta:
        verbose_name = _("regelmäßige Aufgabe")
        verbose_name_plural = _("regelmäßige Aufgaben")

    def __str__(self) -> str:
        return self.name


class Kind(models.TextChoices):
    """What a mail is about; also the unit a person can switch off."""

    INVITATION = "einladung", _("Einladung")
    CHANGE = "aenderung", _("Änderung")
    CANCELLATION = "absage", pgettext_lazy("notification kind", "Absage")
    REMINDER = "erinnerung", _("Erinnerung")
    POLL_INVITATION = "umfrage", _("Terminumfrage")
    POLL_REMINDER = "umfrage_erinnerung", _("Erinnerung an eine Terminumfrage")
    POLL_RESULT = "umfrage_ergebnis", _("Ergebnis einer Terminumfrage")
    CONTACT = "kontakt", _("Kontaktanfrage")
    CONTACT_COPY = "kontakt_kopie", _("Kopie einer Kontaktanfrage")
    # To the address a sender typed, asking whether it is theirs: a link, no text of theirs.
    CONTACT_COPY_CONFIRM = "kontakt_bestaetigung", _("Bestätigungslink für eine Kopie")
    DIGEST = "wochenueberblick", _("Wochenüberblick")
    # To a person taken over from a member list: may their details be shown? Once per person.
    CONSENT_REQUEST = "einwilligung", _("Bitte um Einwilligung")
    # „Sind Ihre Angaben noch aktuell?“ to an entry not confirmed for a year, its reminder,
    # and „Eintrag prüfen“ that the Sozialplanung sends to an institution on request.
    ENTRY_CHECK = "stand_pruefen", _("Bitte um Prüfung eines Eintrags")
    ENTRY_CHECK_REMINDER = "stand_erinnerung", _("Erinnerung: Prüfung eines Eintrags")
    ENTRY_REVIEW = "eintrag_pruefen", _("Eintrag prüfen (auf Anfrage)")
    # To the speakers of a network: a member left it through „Mein Bereich“.
    MEMBER_LEFT = "austritt", _("Austritt eines Mitglieds")
    # Transactional: the link to choose a password for a new account.
    ACCOUNT_INVITATION = "zugangseinladung", _("Einladung zu einem Zugang")
    # To a speaker and the network's Sozialplanung contact, 60 days before the term ends.
    TERM_ENDING = "amtszeit", _("Ende einer Amtszeit")
    # To the address a guest typed when registering for an open meeting: the confirmation
    # (a seat with the .ics, or the waiting list), moving up from the waiting list, and
    # the meeting changed or cancelled. Each carries the link that cancels the registration.
    GUEST_CONFIRMATION = "gast_anmeldung", _("Anmeldebestätigung für Gäste")
    GUEST_MOVED_UP = "gast_nachgerueckt", _("Gast von der Warteliste nachgerückt")
    GUEST_CHANGE = "gast_aenderung", _("Änderung (an Gäste)")
    GUEST_CANCELLATION = "gast_absage", _("Absage (an Gäste)")
    # To the members of a network: the minutes of a meeting are published (or were
    # changed and the speaker asked to tell them again).
    MINUTES = "protokoll", _("Protokoll veröffentlicht")
    # A network's speakers write to its members („Rundmail“).
    RUNDMAIL = "rundmail", _("Mitteilungen aus dem Netzwerk")


# The kinds that ask whether an entry of the directory is still correct.
ENTRY_KINDS = (Kind.ENTRY_CHECK, Kind.ENTRY_CHECK_REMINDER, Kind.ENTRY_REVIEW)


class Subject(models.TextChoices):
    MEETING = "sitzung", _("Sitzung")
    POLL = "umfrage", _("Terminumfrage")
    CONTACT = "kontakt", _("Kontaktanfrage")
    DIGEST = "woche", _("Woche")
    NETWORK = "netzwerk", _("Netzwerk")
    INSTITUTION = "einrichtung", _("Einrichtung")
    PERSON = "person", _("Person")
    MEMBERSHIP = "mitglied", _("Mitgliedschaft")
    ACCOUNT_INVITATION = "zugang", _("Einladung zu einem Zugang")
    TERM = "amtszeit", _("Amtszeit")
    GUEST = "gast", _("Anmeldung eines Gasts")
    RUNDMAIL = "rundmail", _("Rundmail")


class Delivery(models.Model):
    """One mail to one recipient: planned by the sweep, claimed and sent by one task.

    ``version`` tells messages of the same kind apart: the meeting's ``sequence`` for
    invitations, changes and cancellations, the offset in minutes for reminders, the ISO
    week (YYYYWW) for digests, 0 otherwise. ``subject_id`` is no foreign key on purpose: a
    meeting deleted between sweep and send leaves its rows, which the send task then marks
    skipped with the reason, instead of the rows vanishing from the log.
    """

    class State(models.TextChoices):
        PLANNED = "geplant", _("geplant")
        CLAIMED = "in_arbeit", _("wird gesendet")
        SENT = "gesendet", _("gesendet")
        FAILED = "fehlgeschlagen", _("fehlgeschlagen")
        MISSED = "verpasst", _("verpasst")
        SKIPPED = "entfallen", _("entfallen")
        AMBIGUOUS = "unklar", _("unklar (evtl. doppelt)")

    # States a send task may claim (with the retry time reached) and states that are final.
    CLAIMABLE = (State.PLANNED, State.AMBIGUOUS)
    FINAL = (State.SENT, State.FAILED, State.MISSED, State.SKIPPED)

    subject_type = models.CharField(_("Gegenstand"), max_length=20, choices=Subject.choices)
    subject_id = models.BigIntegerField(_("Nr. des Gegenstands"))
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    version = models.BigIntegerField(_("Fassung"), default=0)
    # "p<pk>" for a person, "a<address>" for an address without a person (contact form).
    recipient_key = models.CharField(_("Empfänger*in (Schlüssel)"), max_length=260)
    person = models.ForeignKey(
        Person, verbose_name=_("Person"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    address = models.CharField(_("E-Mail-Adresse"), max_length=254, blank=True)
    recipient_name = models.CharField(_("Name"), max_length=200, blank=True)
    network = models.ForeignKey(
        Network, verbose_name=_("Netzwerk"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # When the message is owed (a reminder's moment); reminders later than the limit are missed.
    due_at = models.DateTimeField(_("fällig ab"))
    details = models.JSONField(_("Angaben"), default=dict, blank=True)

    state = models.CharField(_("Zustand"), max_length=20, choices=State.choices, default=State.PLANNED)
    claim_token = models.CharField(_("Anspruch"), max_length=64, blank=True)
    lease_until = models.DateTimeField(_("reserviert bis"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("Versuche"), default=0)
    next_attempt_at = models.DateTimeField(_("nächster Versuch"))
    enqueued_at = models.DateTimeField(_("zuletzt eingereiht"), null=True, blank=True)
    last_error = models.TextField(_("letzter Fehler"), blank=True)
    duplicate_possible = models.BooleanField(
        _("evtl. doppelt"),
        default=False,
        help_text=_("Ein Versuch brach nach dem Senden der Daten ab, oder der Worker fiel beim Senden aus."),
    )
    message_id = models.CharField(_("Message-ID"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)
    sent_at = models.DateTimeField(_("gesendet am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Zustellung")
        verbose_name_plural = _("Zustellprotokoll")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "recipient_key", "kind", "version"], name="delivery_once"
            ),
        ]
        indexes = [
            # The sweep's "what is ready to go": only open rows are in this index.
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_open_idx",
                condition=Q(state__in=["geplant", "in_arbeit", "unklar"]),
            ),
            models.Index(fields=["subject_type", "subject_id", "kind"], name="delivery_subject_idx"),
            models.Index(fields=["state", "kind"], name="delivery_state_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient_name or self.address or self.recipient_key}"


class RelayBreaker(models.Model):
    """The circuit breaker of the SMTP relay, shared by every worker.

    ``failures`` counts temporary failures in a row (4xx, no connection) within a short
    window; at the threshold sending pauses until ``open_until`` (``pause_seconds``,
    doubling while the relay keeps refusing), then one worker probes with one mail
    (``probe_until``): an answer closes the breaker, a refusal opens it again.
    """

    name = models.CharField(_("Name"), max_length=30, unique=True)
    failures = models.PositiveIntegerField(_("Fehlschläge in Folge"), default=0)
    last_failure_at = models.DateTimeField(_("letzter Fehlschlag"), null=True, blank=True)
    open_until = models.DateTimeField(_("pausiert bis"), null=True, blank=True)
    pause_seconds = models.FloatField(_("Pause (Sekunden)"), default=0)
    probe_until = models.DateTimeField(_("Probe läuft bis"), null=True, blank=True)
    opened_count = models.PositiveIntegerField(_("Pausen"), default=0)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("Sicherung des Mailservers")
        verbose_name_plural = _("Sicherungen des Mailservers")

    def __str__(self) -> str:
        return self.name


class MeetingNotice(models.Model):
    """What the members of a meeting were last told: the ``sequence`` and the facts then.

    The sweep compares the meeting's current ``sequence`` with ``told_sequence`` to find
    changes and cancellations owed; ``told`` keeps time, place and status for the "old →
    new" of the next change notice.
    """

    meeting_id = models.BigIntegerField(_("Sitzung"), unique=True)
    told_sequence = models.PositiveIntegerField(_("mitgeteilte Fassung"))
    told = models.JSONField(_("mitgeteilter Stand"), default=dict)
    # When the invitation was planned. A reminder whose moment lies before it is never
    # planned: no member is reminded of a meeting before being invited to it. Empty where
    # members knew the meeting before (the baseline, notices older than this field).
    announced_at = models.DateTimeField(_("angekündigt am"), null=True, blank=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("mitgeteilter Stand einer Sitzung")
        verbose_name_plural = _("mitgeteilte Stände von Sitzungen")

    def __str__(self) -> str:
        return f"{self.meeting_id}@{self.told_sequence}"


class GuestNotice(models.Model):
    """What a guest was last told about their meeting, as ``MeetingNotice`` is for members.

    Written when the confirmation is planned: a guest may register long before members
    are invited, so a change is owed to them whenever the meeting's ``sequence`` rises
    above ``told_sequence``, whatever the members were told. Goes with the registration.
    """

    registration = models.OneToOneField(
        GuestRegistration, verbose_name=_("Anmeldung"), on_delete=models.CASCADE, related_name="notice"
    )
    told_sequence = models.PositiveIntegerField(_("mitgeteilte Fassung"))
    told = models.JSONField(_("mitgeteilter Stand"), default=dict)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("mitgeteilter Stand an einen Gast")
        verbose_name_plural = _("mitgeteilte Stände an Gäste")

    def __str__(self) -> str:
        return f"{self.registration_id}@{self.told_sequence}"


class Step(models.Model):
    """A step of planning that is done for a subject (e.g. a poll's reminders were planned).

    Lets the sweep skip what it already handled with one indexed anti-join instead of
    re-inserting (and ignoring) the same rows every minute.
    """

    subject_type = models.CharField(max_length=20, choices=Subject.choices)
    subject_id = models.BigIntegerField()
    step = models.CharField(max_length=30)
    done_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("erledigter Planungsschritt")
        verbose_name_plural = _("erledigte Planungsschritte")
        constraints = [models.UniqueConstraint(fields=["subject_type", "subject_id", "step"], name="step_once")]

    def __str__(self) -> str:
        return f"{self.subject_type} {self.subject_id}: {self.step}"


class Preference(models.Model):
    """What a person wants by mail. No row means the defaults: everything but the digest.

    Contact-form messages to a speaker team cannot be switched off here: a network's
    contact must never fall into a hole (speakers get everything).
    """

    person = models.OneToOneField(
        Person, verbose_name=_("Person"), on_delete=models.CASCADE, related_name="notification_preference"
    )
    invitations = models.BooleanField(_("Einladungen"), default=True)
    changes = models.BooleanField(_("Änderungen"), default=True)
    cancellations = models.BooleanField(_("Absagen"), default=True)
    reminders = models.BooleanField(_("Erinnerungen"), default=True)
    polls = models.BooleanField(_("Terminumfragen"), default=True)
    digest = models.BooleanField(_("Wochenüberblick"), default=False)
    entry_checks = models.BooleanField(
        _("Bitte um Prüfung meiner Angaben"),
        default=True,
        help_text=_("Einmal im Jahr: Sind Ihre Angaben (und die Ihres Netzwerks) noch aktuell?"),
    )
    terms = models.BooleanField(
        _("Ende von Amtszeiten"),
        default=True,
        help_text=_("Für Sprecher*innen und die Sozialplanung: 60 Tage bevor eine Amtszeit endet."),
    )
    minutes = models.BooleanField(
        _("Protokolle"),
        default=True,
        help_text=_("Wenn das Protokoll einer Sitzung Ihrer Netzwerke veröffentlicht ist."),
    )
    network_news = models.BooleanField(
        _("Mitteilungen aus dem Netzwerk"),
        default=True,
        help_text=_("Rundmails der Sprecher*innen Ihrer Netzwerke an die Mitglieder."),
    )
    digest_instead = models.BooleanField(
        _("Überblick statt einzelner Mails"),
        default=False,
        help_text=_(
            "Einladungen, Erinnerungen, Protokolle und Mitteilungen aus dem Netzwerk nur im Wochenüberblick; "
            "Änderungen und Absagen kommen immer einzeln."
        ),
    )
    language = models.CharField(
        _("Sprache"), max_length=10, blank=True, help_text=_("Leer: die Sprache aus dem Personeneintrag.")
    )
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    # The field of this model that switches each kind of mail.
    FIELD_OF_KIND = {
        Kind.INVITATION: "invitations",
        Kind.CHANGE: "changes",
        Kind.CANCELLATION: "cancellations",
        Kind.REMINDER: "reminders",
        Kind.POLL_INVITATION: "polls",
        Kind.POLL_REMINDER: "polls",
        Kind.POLL_RESULT: "polls",
        Kind.DIGEST: "digest",
        Kind.ENTRY_CHECK: "entry_checks",
        Kind.ENTRY_CHECK_REMINDER: "entry_checks",
        Kind.ENTRY_REVIEW: "entry_checks",
        # A member leaving changes the network; who switched off changes is not told.
        Kind.MEMBER_LEFT: "changes",
        Kind.TERM_ENDING: "terms",
        Kind.MINUTES: "minutes",
        Kind.RUNDMAIL: "network_news",
    }
    TOGGLES = (
        "invitations",
        "changes",
        "cancellations",
        "reminders",
        "polls",
        "minutes",
        "network_news",
        "digest",
        "entry_checks",
        "terms",
    )
    # What „Überblick statt einzelner Mails“ moves into the weekly digest.
    DIGEST_KINDS = (Kind.INVITATION, Kind.REMINDER, Kind.MINUTES, Kind.RUNDMAIL)

    class Meta:
        verbose_name = _("Benachrichtigungseinstellung")
        verbose_name_plural = _("Benachrichtigungseinstellungen")

    def __str__(self) -> str:
        return str(self.person)

    def wants(self, kind: str) -> bool:
        if kind == Kind.CONSENT_REQUEST:
            # No switch of its own (it comes once): whoever switched off every mail gets none.
            return any(getattr(self, name) for name in self.TOGGLES)
        field = self.FIELD_OF_KIND.get(kind)
        if field is None:
            return True
        if self.digest_instead and self.digest and kind in self.DIGEST_KINDS:
            return False
        return getattr(self, field)


class AddressOptOut(models.Model):
    """An address without a person (an institution's functional address) that asked for no
    more „Eintrag prüfen“ mails: their one-click unsubscribe (RFC 8058) writes this row."""

    address = models.CharField(_("E-Mail-Adresse"), max_length=254, unique=True)
    created_at = models.DateTimeField(_("abbestellt am"), auto_now_add=True)

    class Meta:
        verbose_name = _("abbestellte Funktionsadresse")
        verbose_name_plural = _("abbestellte Funktionsadressen")

    def __str__(self) -> str:
        return self.address


def default_reminder_offsets() -> list[int]:
    return [7 * 24 * 60, 24 * 60]


DEFAULT_INVITATION_LEAD_DAYS = 14


class NetworkSettings(models.Model):
    """How a network's meetings are announced. No row means the defaults."""

    class Trigger(models.TextChoices):
        CONFIRMED = "bestaetigt", _("wenn die Sitzung bestätigt ist")
        AGENDA = "tagesordnung", _("wenn die Sitzung bestätigt ist und eine Tagesordnung hat")

    network = models.OneToOneField(
        Network, verbose_name=_("Netzwerk"), on_delete=models.CASCADE, related_name="notification_settings"
    )
    reminder_offsets = models.JSONField(
        _("Erinnerungen (Minuten vorher)"),
        default=default_reminder_offsets,
        blank=True,
        help_text=_("Minuten vor Beginn, in Ortszeit gerechnet; z. B. [10080, 1440] für 7 Tage und 1 Tag."),
    )
    invitation_trigger = models.CharField(
        _("Einladung senden"), max_length=20, choices=Trigger.choices, default=Trigger.CONFIRMED
    )
    invitation_lead_days = models.PositiveSmallIntegerField(
        _("Einladung (Tage vorher)"),
        default=DEFAULT_INVITATION_LEAD_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_(
            "So viele Tage vor Beginn geht die Einladung an die Mitglieder, mit der Tagesordnung, "
            "wie sie dann steht. Wird eine Sitzung erst später bestätigt, geht sie sofort hinaus."
        ),
    )

    class Meta:
        verbose_name = _("Benachrichtigungen eines Netzwerks")
        verbose_name_plural = _("Benachrichtigungen der Netzwerke")

    def __str__(self) -> str:
        return str(self.network)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        offsets = self.reminder_offsets
        if not isinstance(offsets, list) or any(
            not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= 60 * 24 * 60 for value in offsets
        ):
            raise ValidationError(
                {"reminder_offsets": _("Bitte geben Sie eine Liste ganzer Minuten zwischen 1 und 86400 an.")}
            )


class Rundmail(models.Model):
    """A mail of a network's speakers to its members („Rundmail“), or a member's proposal of one.

    Its mails are rows of the delivery log like every other mail (``Kind.RUNDMAIL``, subject
    ``Subject.RUNDMAIL``): the sweep plans them once ``send_at`` has come, for everyone the
    audience reaches then; the unique key of the log makes a second mail to the same person
    impossible. Withdrawing it before that moment leaves nothing to plan.
    """

    class State(models.TextChoices):
        DRAFT = "entwurf", _("Entwurf")
        PROPOSED = "vorgeschlagen", _("vorgeschlagen")
        SCHEDULED = "geplant", pgettext_lazy("rundmail state", "geplant")
        SENT = "versandt", _("versandt")
        WITHDRAWN = "zurueckgezogen", _("zurückgezogen")
        REJECTED = "abgelehnt", _("abgelehnt")

    # States that may still be changed, sent or withdrawn.
    OPEN = (State.DRAFT, State.PROPOSED, State.SCHEDULED)

    network = models.ForeignKey(Network, verbose_name=_("Netzwerk"), on_delete=models.CASCADE, related_name="rundmails")
    subject = models.CharField(_("Betreff"), max_length=150)
    body = models.TextField(_("Text"), max_length=20000)
    # Empty: every member. Otherwise only members in these roles.
    roles = models.JSONField(_("Rollen"), default=list, blank=True)
    institution_types = models.ManyToManyField(
        "contacts.InstitutionType",
        verbose_name=_("Einrichtungsarten"),
        blank=True,
        related_name="+",
        help_text=_("Leer: alle. Sonst nur Mitglieder, die für eine Einrichtung dieser Art im Netzwerk sind."),
    )
    state = models.CharField(_("Zustand"), max_length=20, choices=State.choices, default=State.DRAFT)
    send_at = models.DateTimeField(_("senden am"), null=True, blank=True)
    author = models.ForeignKey(
        Person, verbose_name=_("verfasst von"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A member's proposal: the event of this institution.
    institution = models.ForeignKey(
        "contacts.Institution",
        verbose_name=_("Einrichtung"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("vorgeschlagen am"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        Person, verbose_name=_("geprüft von"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review_note = models.CharField(_("Anmerkung zur Prüfung"), max_length=500, blank=True)
    planned_at = models.DateTimeField(_("Zustellungen angelegt am"), null=True, blank=True)
    recipient_count = models.PositiveIntegerField(_("Empfänger*innen"), default=0)
    withdrawn_at = models.DateTimeField(_("zurückgezogen am"), null=True, blank=True)
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("Rundmail")
        verbose_name_plural = _("Rundmails")
        ordering = ["-send_at", "-pk"]
        indexes = [
            # The sweep's „which Rundmails are due“: only scheduled ones are in this index.
            models.Index(fields=["send_at"], name="rundmail_due_idx", condition=Q(state="geplant")),
            models.Index(fields=["network", "state"], name="rundmail_network_state_idx"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN


def rundmail_upload_to(instance: "RundmailAttachment", filename: str) -> str:
    # Never under a public URL: served only by the permission-checked download view.
    return f"rundmails/{instance.rundmail_id or 'neu'}/{filename}"


class RundmailAttachment(models.Model):
    """A file that goes with a Rundmail: attached to the mail while all of them together are
    small (``RUNDMAIL_ATTACH_MAX_BYTES``), otherwise linked (members download it after login)."""

    rundmail = models.ForeignKey(
        Rundmail, verbose_name=_("Rundmail"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("Datei"), upload_to=rundmail_upload_to)
    name = models.CharField(_("Dateiname"), max_length=200)
    mime = models.CharField(_("Dateityp"), max_length=120)
    size = models.PositiveIntegerField(_("Größe (Bytes)"))
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Anhang einer Rundmail")
        verbose_name_plural = _("Anhänge von Rundmails")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class MailStamp(models.Model):
    """How what decides whether a queued mail still goes stands, beyond the directory and the
    calendar: one row, whose ``version`` changes whenever a write touches a person's mail
    preferences or a Rundmail's state.

    Kept by database triggers (migration 0021), as ``contacts.DirectoryStamp`` and
    ``meetings.CalendarStamp`` are: every write moves it, also a bulk ``update()`` or
    ``delete()``, and other transactions see the new version when they see the rows. A send
    task compares the three stamps before each mail's data with what they were when it read
    its chunk (``selectors.mail_stamp``): one cheap query per mail instead of reading the
    mail's state again, and a re-read only when a stamp moved.
    """

    version = models.BigIntegerField(_("Änderungsstand"))
    changed_at = models.DateTimeField(_("zuletzt geändert"))

    class Meta:
        verbose_name = _("Stand der Mail-Einstellungen")
        verbose_name_plural = _("Stände der Mail-Einstellungen")

    def __str__(self) -> str:
        return str(self.version)
