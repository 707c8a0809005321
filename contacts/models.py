"""The directory: areas, networks, institutions, people, memberships and consents.

Shaped after OParl (Organization, Person, Membership, Location) so an OParl read view is a
small step. Models stay thin; writes live in ``services.py``, reads in ``selectors.py``,
and who may see which person field is decided in ``visibility.py`` alone.
"""

import datetime
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from contacts.clients import email_normalize
from contacts.managers import MembershipQuerySet, UserManager
from contacts.text import validate_single_line
from contacts.textsearch import Fold, fold, spaced


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True, db_index=True)

    class Meta:
        abstract = True


class ConfirmedModel(TimestampedModel):
    """An entry whose owners confirm from time to time that it is still correct.

    ``confirmed_at`` is the „Stand“ shown beside the entry: the last time someone who knows
    (the person, the institution, a speaker, Sozialplanung) said it is current. An edit
    counts as a confirmation; a save that only bumps ``updated_at`` does not.
    """

    confirmed_at = models.DateTimeField(_("Stand"), null=True, blank=True, db_index=True)

    class Meta:
        abstract = True

    @property
    def stand(self):
        """The „Stand“ shown: the last confirmation, or the day the entry was made."""
        return self.confirmed_at or self.created_at


class User(AbstractBaseUser, PermissionsMixin):
    """An account; people log in with their e-mail address.

    The account is separate from :class:`Person` because most people in the directory never
    log in, and an account's address may differ from the addresses that are published.
    """

    email = models.EmailField(_("E-Mail-Adresse"), unique=True)
    is_staff = models.BooleanField(
        _("Zugang zur Verwaltung"),
        default=False,
        help_text=_("Darf sich in der Verwaltungsoberfläche anmelden."),
    )
    is_active = models.BooleanField(_("aktiv"), default=True)
    date_joined = models.DateTimeField(_("angelegt am"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("Zugang")
        verbose_name_plural = _("Zugänge")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ignoring_case"),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = email_normalize(self.email)


class Area(TimestampedModel):
    """A Stadtbezirk, Sozialraum or Lebensraum; nested through ``parent``."""

    class Level(models.TextChoices):
        DISTRICT = "stadtbezirk", _("Stadtbezirk")
        SOCIAL_AREA = "sozialraum", _("Sozialraum")
        LIVING_AREA = "lebensraum", _("Lebensraum")

    level = models.CharField(_("Ebene"), max_length=20, choices=Level.choices)
    code = models.CharField(
        _("amtliche Nummer"),
        max_length=20,
        blank=True,
        help_text=_("z. B. 5 für einen Sozialraum oder 362 für einen Lebensraum"),
    )
    name = models.CharField(_("Name"), max_length=200)
    slug = models.SlugField(_("Kurzname in Adressen"), max_length=120, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("übergeordnetes Gebiet"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    description = models.TextField(_("Beschreibung"), blank=True)
    is_invented = models.BooleanField(
        _("Name erfunden"),
        default=False,
        help_text=_("Der Name ist nicht amtlich belegt, sondern für die Demodaten erfunden."),
    )
    # Kept by the database itself, as the search columns of networks and institutions: the
    # search compares folded text and must not fold every row of every query.
    search_name = models.GeneratedField(
        expression=Fold("name"),
        output_field=models.TextField(),
        db_persist=True,
        verbose_name=_("Suchname"),
    )
    search_text = models.GeneratedField(
        expression=Fold(spaced("code", "name")),
        output_field=models.TextField(),
        db_persist=True,
        verbose_name=_("Suchtext"),
    )
    is_demo = models.BooleanField(_("Demodaten"), default=False, editable=False)

    class Meta:
        verbose_name = _("Gebiet")
        verbose_name_plural = _("Gebiete")
        ordering = ["level", "code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "code"],
                condition=~Q(code=""),
                name="area_code_unique_per_level",
            ),
            models.CheckConstraint(
                condition=Q(level="stadtbezirk", parent__isnull=True) | ~Q(level="stadtbezirk"),
                name="area_district_has_no_parent",
            ),
        ]

    def __str__(self) -> str:
        if self.code:
            return f"{self.get_level_display()} {self.code} {self.name}"
        return f"{self.get_level_display()} {self.name}"

    # A Sozialraum lies in a Stadtbezirk and a Lebensraum in a Sozialraum; anything else
    # would make "which networks cover my quarter" give wrong answers.
    PARENT_LEVEL = {
        Level.SOCIAL_AREA: Level.DISTRICT,
        Level.LIVING_AREA: Level.SOCIAL_AREA,
    }

    def clean(self) -> None:
        super().clean()
        expected = self.PARENT_LEVEL.get(self.level)
        if expected is None and self.parent_id:
            raise ValidationError({"parent": _("Ein Stadtbezirk hat kein übergeordnetes Gebiet.")})
        if expected is not None and self.parent is not None and self.parent.level != expected:
            raise ValidationError(
                {
                    "parent": _("Ein %(level)s liegt in einem %(expected)s.")
                    % {"level": self.get_level_display(), "expected": self.Level(expected).label}
                }
            )


class Topic(models.Model):
    """A theme a network works on (Kinder und Jugendliche, Senior*innen, Wohnen, …)."""

    name = models.CharField(_("Name"), max_length=100, unique=True)
    slug = models.SlugField(_("Kurzname"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("Thema")
        verbose_name_plural = _("Themen")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# How each kind of network is named in a sentence, and what a name may start with instead.
NETWORK_KIND_WORDS = {
    "stk": (_("Stadtteilkonferenz"), "STK"),
    "oag": (_("Örtliche Arbeitsgemeinschaft der Altenarbeit"), _("Örtliche Arbeitsgemeinschaft"), "OAG"),
    "sozialraumkonferenz": (_("Sozialraumkonferenz"),),
    "arbeitskreis": (_("Arbeitskreis"), "AK"),
    "sozialkonferenz": (_("Sozialkonferenz"),),
}


class Network(ConfirmedModel):
    """A Stadtteilkonferenz, an OAG, a Sozialraumkonferenz, an Arbeitskreis, …"""

    class Kind(models.TextChoices):
        NEIGHBOURHOOD_CONFERENCE = "stk", _("Stadtteilkonferenz")
        SENIORS_WORKING_GROUP = "oag", _("Örtliche Arbeitsgemeinschaft der Altenarbeit")
        SOCIAL_AREA_CONFERENCE = "sozialraumkonferenz", _("Sozialraumkonferenz")
        WORKING_GROUP = "arbeitskreis", _("Arbeitskreis")
        SOCIAL_CONFERENCE = "sozialkonferenz", _("Sozialkonferenz")
        OTHER = "sonstiges", _("sonstiges Netzwerk")

    kind = models.CharField(_("Art"), max_length=30, choices=Kind.choices)
    name = models.CharField(_("Name"), max_length=200, validators=[validate_single_line])
    short_name = models.CharField(_("Kurzname"), max_length=60, blank=True, validators=[validate_single_line])
    slug = models.SlugField(_("Kurzname in Adressen"), max_length=120, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("gehört zu Netzwerk"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="working_groups",
        help_text=_("Nur für Arbeitskreise: das Netzwerk, in dem der Arbeitskreis arbeitet."),
    )
    areas = models.ManyToManyField(Area, verbose_name=_("Gebiete"), blank=True, related_name="networks")
    founded_year = models.PositiveSmallIntegerField(_("gegründet"), null=True, blank=True)
    description = models.TextField(_("Beschreibung"), blank=True)
    topics = models.ManyToManyField(Topic, verbose_name=_("Themen"), blank=True, related_name="networks")
    rhythm = models.CharField(
        _("üblicher Sitzungsrhythmus"),
        max_length=200,
        blank=True,
        help_text=_("z. B. „etwa alle zwei Monate“ oder „viermal im Jahr“"),
    )
    website = models.URLField(_("Internetseite"), blank=True)
    is_active = models.BooleanField(_("aktiv"), default=True)
    sozialplanung_contact = models.ForeignKey(
        "Person",
        verbose_name=_("zuständig in der Sozialplanung"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="networks_looked_after",
    )
    is_invented = models.BooleanField(
        _("Name erfunden"),
        default=False,
        help_text=_("Das Netzwerk ist für die Demodaten erfunden."),
    )
    is_demo = models.BooleanField(_("Demodaten"), default=False, editable=False)
    # Kept by the database itself, so bulk writes and imports cannot leave it stale.
    search_text = models.GeneratedField(
        expression=Fold(spaced("name", "short_name", "description")),
        output_field=models.TextField(),
        db_persist=True,
        verbose_name=_("Suchtext"),
    )
    search_name = models.GeneratedField(
        expression=Fold("name"),
        output_field=models.TextField(),
        db_persist=True,
        verbose_name=_("Suchname"),
    )

    history = HistoricalRecords(excluded_fields=["search_text", "search_name"])

    class Meta:
        verbose_name = _("Netzwerk")
        verbose_name_plural = _("Netzwerke")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="arbeitskreis") | Q(parent__isnull=True),
                name="network_only_working_groups_have_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name_with_kind(self) -> str:
        """„Stadtteilkonferenz Eilendorf“: the name, with the kind in front unless it already
        starts with it (or its usual abbreviation, „OAG Brand“, „AK Jugend“)."""
        words = NETWORK_KIND_WORDS.get(self.kind, ())
        if not words:
            return self.name
        # Names are German whatever the page's language: "Stadtteilkonferenz Aachen-Nord"
        # has its kind on an English page too.
        with translation.override("de"):
            german = [str(word) for word in words]
        if self.name.casefold().startswith(tuple(word.casefold() for word in [*german, *map(str, words)])):
            return self.name
        return f"{words[0]} {self.name}"

    @property
    def contact_heading(self) -> str:
        """The heading of the contact form, with the article the kind takes."""
        if self.kind == self.Kind.WORKING_GROUP:
            return _("Ihre Nachricht an den %(name)s") % {"name": self.name_with_kind}
        if self.kind == self.Kind.OTHER:
            return _("Ihre Nachricht an das Netzwerk %(name)s") % {"name": self.name}
        return _("Ihre Nachricht an die %(name)s") % {"name": self.name_with_kind}

    def clean(self) -> None:
        super().clean()
        if self.kind == self.Kind.WORKING_GROUP and self.parent_id is None:
            raise ValidationError({"parent": _("Ein Arbeitskreis gehört zu einem Netzwerk: bitte wählen.")})
        if self.kind != self.Kind.WORKING_GROUP and self.parent_id is not None:
            raise ValidationError({"parent": _("Nur ein Arbeitskreis gehört zu einem anderen Netzwerk.")})
        if self.parent_id is not None and self.parent_id == self.pk:
            raise ValidationError({"parent": _("Ein Netzwerk kann nicht zu sich selbst gehören.")})


class InstitutionCategory(models.Model):
    """A group of institution types (Kinder/Jugend/Familie, Schule, Senior*innen/Pflege, …)."""

    name = models.CharField(_("Name"), max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)

    class Meta:
        verbose_name = _("Bereich der Einrichtungsarten")
        verbose_name_plural = _("Bereiche der Einrichtungsarten")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class InstitutionType(models.Model):
    """A kind of institution (Kita, OGS, Seniorenbegegnungsstätte, …): data, not code."""

    category = models.ForeignKey(
        InstitutionCategory, verbose_name=_("Bereich"), on_delete=models.PROTECT, related_name="types"
    )
    name = models.CharField(_("Name"), max_length=120, unique=True)
    slug = models.SlugField(_("Kurzname"), max_length=120, unique=True)

    class Meta:
        verbose_name = _("Einrichtungsart")
        verbose_name_plural = _("Einrichtungsarten")
        ordering = ["category__position", "name"]

    def __str__(self) -> str:
        return self.name


class Umbrella(models.Model):
    """A Träger or Wohlfahrtsverband an institution belongs to (Caritas, AWO, Stadt Aachen, …)."""

    name = models.CharField(_("Name"), max_length=200, unique=True)
    short_name = models.CharField(_("Kurzname"), max_length=60, blank=True)
    website = models.URLField(_("Internetseite"), blank=True)

    class Meta:
        verbose_name = _("Träger")
        verbose_name_plural = _("Träger")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name or self.name


class Institution(ConfirmedModel):
    """An Einrichtung. Its contacts are functional (an office, not a person): public by default."""

    class Accessibility(models.TextChoices):
        UNKNOWN = "unbekannt", _("nicht bekannt")
        STEP_FREE = "barrierefrei", _("stufenlos zugänglich")
        PARTLY = "eingeschraenkt", _("eingeschränkt zugänglich")
        NOT_ACCESSIBLE = "nicht_barrierefrei", _("nicht stufenlos zugänglich")

    name = models.CharField(_("Name"), max_length=200, validators=[validate_single_line])
    slug = models.SlugField(_("Kurzname in Adressen"), max_length=160, unique=True)
    type = models.ForeignKey(
        InstitutionType, verbose_name=_("Art"), on_delete=models.PROTECT, related_name="institutions"
    )
    umbrella = models.ForeignKey(
        Umbrella,
        verbose_name=_("Träger"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="institutions",
    )
    street = models.CharField(_("Straße und Hausnummer"), max_length=200, blank=True)
    postal_code = models.CharField(_("Postleitzahl"), max_length=10, blank=True)
    city = models.CharField(_("Ort"), max_length=100, default="Aachen")
    area = models.ForeignKey(
        Area,
        verbose_name=_("Gebiet"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="institutions",
    )
    website = models.URLField(_("Internetseite"), blank=True)
    email = models.EmailField(_("E-Mail-Adresse (Funktionsadresse)"), blank=True)
    phone = models.CharField(_("Telefon (zentral)"), max_length=40, blank=True)
    # Where the institution is, for the map of the areas: set by hand or by import
    # (services.institution_coordinates_set), never looked up from outside at run time.
    latitude = models.DecimalField(
        _("Breitengrad"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        help_text=_("z. B. 50.775346 (WGS 84)"),
    )
    longitude = models.DecimalField(
        _("Längengrad"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        help_text=_("z. B. 6.083887 (WGS 84)"),
    )
    accessibility = models.CharField(
        _("Zugänglichkeit des Gebäudes"),
        max_length=20,
        choices=Accessibility.choices,
        default=Accessibility.UNKNOWN,
    )
    accessibility_notes = models.TextField(
        _("Hinweise zur Zugänglichkeit"),
        blank=True,
        help_text=_("z. B. Eingang über den Hof, Aufzug, barrierefreies WC, Induktionsschleife"),
    )
    opening_hours = models.TextField(
        _("Öffnungszeiten"),
        blank=True,
        max_length=1000,
        help_text=_("z. B. „Mo–Fr 9–13 Uhr, Di und Do auch 14–17 Uhr“"),
    )
    is_active = models.BooleanField(_("aktiv"), default=True)
    is_demo = models.BooleanField(_("Demodaten"), default=False, editable=False)
    search_text = models.GeneratedField(
        expression=Fold(spaced("name", "street")),
        output_field=models.TextField(),
        db_persist=True,
        verbose_name=_("Suchtext"),
    )
    search_name = models.GeneratedField(
        expression=Fold("name"),
        output_field=models.TextField(),
        db_persist=True,
        verbose_name=_("Suchname"),
    )

    history = HistoricalRecords(excluded_fields=["search_text", "search_name"])

    class Meta:
        verbose_name = _("Einrichtung")
        verbose_name_plural = _("Einrichtungen")
        ordering = ["name"]
        indexes = [
            # The public list's order: a page of 50 is read from the index, not by sorting
            # every institution (contacts.selectors.institution_directory).
            models.Index(fields=["name", "id"], condition=Q(is_active=True), name="institution_active_by_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="institution_coordinates_both_or_none",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Bitte Breiten- und Längengrad angeben, oder beide leer lassen."))

    @property
    def address(self) -> str:
        return self.address_of(street=self.street, postal_code=self.postal_code, city=self.city)

    @staticmethod
    def address_of(*, street: str, postal_code: str, city: str) -> str:
        """Street, postal code and city in one line, as ``address`` (for rows read as values)."""
        locality = " ".join(part for part in (postal_code, city) if part)
        return ", ".join(part for part in (street, locality) if part)


class DirectoryStamp(models.Model):
    """How the public directory stands: one row, whose ``version`` changes whenever a write
    touches what its lists and the network page show (areas, networks with their areas and
    topics, institutions with their types and umbrellas, people with their memberships,
    consents, channels and affiliations).

    Kept by database triggers (migration 0021), not by the services: every write moves it,
    also a bulk ``update()`` or ``delete()``. Other transactions see the new version when
    they see the rows it describes (at the commit). On PostgreSQL each new version is
    drawn from a sequence, so a number is never given twice, also not after a rollback.
    The pages cache what they render under it (``contacts.selectors.directory_version``).
    """

    version = models.BigIntegerField(_("Änderungsstand"))
    changed_at = models.DateTimeField(_("zuletzt geändert"))

    class Meta:
        verbose_name = _("Stand des Verzeichnisses")
        verbose_name_plural = _("Stände des Verzeichnisses")

    def __str__(self) -> str:
        return str(self.version)


class InstitutionChangeProposal(models.Model):
    """Changes to an institution's entry proposed through its „Eintrag prüfen“ link by
    someone without an account that represents it: they wait for the Sozialplanung.

    ``before`` keeps the values the proposer saw, so staff review „alt → neu“ per field even
    when the entry changed meanwhile. ``link_digest`` makes a link usable for one proposal.
    """

    class State(models.TextChoices):
        PENDING = "offen", _("wartet auf Prüfung")
        ACCEPTED = "uebernommen", _("übernommen")
        REJECTED = "abgelehnt", _("abgelehnt")

    institution = models.ForeignKey(
        Institution, verbose_name=_("Einrichtung"), on_delete=models.CASCADE, related_name="change_proposals"
    )
    changes = models.JSONField(_("vorgeschlagene Werte"), default=dict)
    before = models.JSONField(_("bisherige Werte"), default=dict)
    comment = models.TextField(_("Anmerkung"), blank=True, max_length=1000)
    link_digest = models.CharField(_("Prüfsumme des Links"), max_length=64, unique=True, editable=False)
    state = models.CharField(_("Status"), max_length=20, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(_("eingegangen am"), default=timezone.now, db_index=True)
    decided_at = models.DateTimeField(_("entschieden am"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entschieden von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_note = models.TextField(_("Notiz zur Entscheidung"), blank=True, max_length=1000)

    class Meta:
        verbose_name = _("Änderungsvorschlag einer Einrichtung")
        verbose_name_plural = _("Änderungsvorschläge von Einrichtungen")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return f"{self.institution}: {self.get_state_display()}"


class Person(ConfirmedModel):
    """A person in the directory. Who may see which of the fields is decided by consents."""

    title = models.CharField(_("Titel"), max_length=40, blank=True, help_text=_("z. B. Dr."))
    given_name = models.CharField(_("Vorname"), max_length=100, blank=True)
    family_name = models.CharField(_("Nachname"), max_length=100)
    form_of_address = models.CharField(
        _("Anrede / Pronomen"),
        max_length=60,
        blank=True,
        help_text=_("So, wie die Person es selbst angibt, z. B. „Frau“, „Herr“, „they/them“ oder leer."),
    )
    institutions = models.ManyToManyField(
        Institution,
        verbose_name=_("Einrichtungen"),
        through="Affiliation",
        blank=True,
        related_name="people",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Zugang"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )
    language = models.CharField(_("Sprache für E-Mails"), max_length=10, choices=settings.LANGUAGES, default="de")
    notes = models.TextField(_("interne Notizen"), blank=True, help_text=_("Nur für die Sozialplanung sichtbar."))
    is_demo = models.BooleanField(_("Demodaten"), default=False, editable=False)
    # Set by the erasure (Art. 17 DSGVO): the row stays only as the anonymous placeholder
    # that memberships, answers and minutes point to.
    erased_at = models.DateTimeField(_("gelöscht am"), null=True, blank=True, editable=False)
    # The name only: people are found by nothing else (and only where the name is visible).
    search_name = models.GeneratedField(
        expression=Fold(spaced("title", "given_name", "family_name")),
        output_field=models.TextField(),
        db_persist=True,
        verbose_name=_("Suchname"),
    )

    history = HistoricalRecords(excluded_fields=["search_name"])

    class Meta:
        verbose_name = _("Person")
        verbose_name_plural = _("Personen")
        ordering = ["family_name", "given_name"]
        indexes = [models.Index(fields=["family_name", "given_name"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        if self.erased_at is not None:
            return str(_("ehemaliges Mitglied"))
        return " ".join(part for part in (self.title, self.given_name, self.family_name) if part)


class Affiliation(models.Model):
    """A person works or volunteers at an institution, in a function (Leitung, Sozialarbeit, …)."""

    person = models.ForeignKey(Person, verbose_name=_("Person"), on_delete=models.CASCADE, related_name="affiliations")
    institution = models.ForeignKey(
        Institution, verbose_name=_("Einrichtung"), on_delete=models.CASCADE, related_name="affiliations"
    )
    function = models.CharField(_("Funktion"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("Zugehörigkeit zu einer Einrichtung")
        verbose_name_plural = _("Zugehörigkeiten zu Einrichtungen")
        constraints = [
            models.UniqueConstraint(fields=["person", "institution"], name="affiliation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.institution}"


class ContactChannel(models.Model):
    """An e-mail address or phone number of a person."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("E-Mail")
        PHONE = "phone", _("Telefon")

    person = models.ForeignKey(Person, verbose_name=_("Person"), on_delete=models.CASCADE, related_name="channels")
    kind = models.CharField(_("Art"), max_length=10, choices=Kind.choices)
    value = models.CharField(_("Adresse / Nummer"), max_length=254)
    label = models.CharField(_("Bezeichnung"), max_length=60, blank=True, help_text=_("z. B. dienstlich, mobil"))
    is_primary = models.BooleanField(
        _("Hauptadresse"), default=False, help_text=_("An diese Adresse gehen Einladungen und Erinnerungen.")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Kontaktweg")
        verbose_name_plural = _("Kontaktwege")
        ordering = ["kind", "-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind"], condition=Q(is_primary=True), name="channel_one_primary_per_kind"
            ),
            models.UniqueConstraint(fields=["person", "kind", "value"], name="channel_unique_value"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    def clean(self) -> None:
        super().clean()
        self.value = self.value.strip()
        if self.kind == self.Kind.EMAIL:
            from django.core.validators import validate_email

            try:
                validate_email(self.value)
            except ValidationError:
                raise ValidationError({"value": _("Bitte geben Sie eine gültige E-Mail-Adresse an.")}) from None
            self.value = self.value.lower()


class Visibility(models.IntegerChoices):
    """Who may see a person field; a higher value reaches more people."""

    STAFF = 0, _("nur Sozialplanung")
    NETWORK_MEMBERS = 1, _("Mitglieder der eigenen Netzwerke")
    PUBLIC = 2, _("öffentlich")


class ConsentText(models.Model):
    """The wording of one version of the consent form, so that everyone can read again
    exactly what they agreed to (``Consent.text_version`` names it). Versions are never
    changed once people have agreed to them; a new wording is a new version."""

    version = models.CharField(_("Fassung"), max_length=40, unique=True, help_text=_("z. B. 2026-01"))
    text = models.TextField(_("Text (deutsch)"))
    text_en = models.TextField(_("Text (englisch)"), blank=True)
    published_on = models.DateField(_("gültig ab"))

    class Meta:
        verbose_name = _("Einwilligungstext")
        verbose_name_plural = _("Einwilligungstexte")
        ordering = ["-published_on", "-version"]

    def __str__(self) -> str:
        return self.version

    def text_for(self, language: str) -> str:
        """The wording in ``language``; German where no translation exists."""
        return self.text_en if language == "en" and self.text_en else self.text


class Consent(models.Model):
    """A recorded consent (Art. 6 (1) a, Art. 7 DSGVO) to show a person field to an audience.

    Consents are never edited or deleted, only withdrawn, so the record of what a person
    agreed to, when and to which text stays complete.
    """

    class Scope(models.TextChoices):
        NAME = "name", _("Name")
        EMAIL = "email", _("E-Mail-Adressen")
        PHONE = "phone", _("Telefonnummern")
        AFFILIATION = "affiliation", _("Einrichtung und Funktion")

    class Source(models.TextChoices):
        FORM = "formular", _("Online-Formular")
        PAPER = "papier", _("schriftlich auf Papier")
        EMAIL = "email", _("per E-Mail")
        IMPORT = "import", _("Übernahme aus bestehender Liste")

    person = models.ForeignKey(Person, verbose_name=_("Person"), on_delete=models.CASCADE, related_name="consents")
    scope = models.CharField(_("Umfang"), max_length=20, choices=Scope.choices)
    channel = models.ForeignKey(
        ContactChannel,
        verbose_name=_("nur dieser Kontaktweg"),
        # A consent is a legal record; deleting the channel must not silently erase it.
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents",
        help_text=_("Leer: gilt für alle Kontaktwege dieser Art."),
    )
    audience = models.PositiveSmallIntegerField(
        _("sichtbar für"),
        choices=[
            (Visibility.NETWORK_MEMBERS, Visibility.NETWORK_MEMBERS.label),
            (Visibility.PUBLIC, Visibility.PUBLIC.label),
        ],
    )
    given_at = models.DateTimeField(_("erteilt am"), default=timezone.now)
    text_version = models.CharField(_("Fassung des Einwilligungstexts"), max_length=40, help_text=_("z. B. 2026-01"))
    source = models.CharField(_("Quelle"), max_length=20, choices=Source.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erfasst von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("widerrufen am"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Einwilligung")
        verbose_name_plural = _("Einwilligungen")
        ordering = ["person", "scope", "-given_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=models.F("given_at")),
                name="consent_withdrawn_after_given",
            ),
            models.CheckConstraint(
                condition=Q(channel__isnull=True) | Q(scope__in=["email", "phone"]),
                name="consent_channel_only_for_channel_scopes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_scope_display()} – {self.get_audience_display()}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None

    def clean(self) -> None:
        super().clean()
        if self.channel_id is not None:
            if self.channel.person_id != self.person_id:
                raise ValidationError({"channel": _("Der Kontaktweg gehört zu einer anderen Person.")})
            if self.channel.kind != self.scope:
                raise ValidationError({"channel": _("Der Kontaktweg passt nicht zum Umfang der Einwilligung.")})


# Roles that have a masculine and a feminine form: (Herr, Frau).
GENDERED_ROLES = {
    "sprecherin": (_("Sprecher"), _("Sprecherin")),
    "stellv_sprecherin": (_("stellvertretender Sprecher"), _("stellvertretende Sprecherin")),
}


class Membership(TimestampedModel):
    """Membership in a network: an institution (represented by a person) or an individual.

    Speaker teams and Geschäftsführung are memberships with their role and term, so history
    is kept and "who speaks for the network today" is derived, never stored as a flag.
    """

    class Role(models.TextChoices):
        MEMBER = "mitglied", pgettext_lazy("membership role", "Mitglied")
        SPEAKER = "sprecherin", _("Sprecher*in")
        DEPUTY_SPEAKER = "stellv_sprecherin", _("stellvertretende*r Sprecher*in")
        MANAGEMENT = "geschaeftsfuehrung", _("Geschäftsführung")
        GUEST = "gast", _("Gast")

    # Roles that plan the network's meetings and keep its member list.
    LEADING_ROLES = (Role.SPEAKER, Role.DEPUTY_SPEAKER, Role.MANAGEMENT)

    network = models.ForeignKey(
        Network, verbose_name=_("Netzwerk"), on_delete=models.CASCADE, related_name="memberships"
    )
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("Einrichtung"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("Person"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        help_text=_("Bei Einrichtungen: vertreten durch. Sonst: die Person als Einzelmitglied."),
    )
    role = models.CharField(_("Rolle"), max_length=30, choices=Role.choices, default=Role.MEMBER)
    start = models.DateField(_("seit"), default=datetime.date.today)
    end = models.DateField(_("bis"), null=True, blank=True, help_text=_("Leer: unbefristet."))
    note = models.CharField(_("Bemerkung"), max_length=200, blank=True)
    uuid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)

    objects = MembershipQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Mitgliedschaft")
        verbose_name_plural = _("Mitgliedschaften")
        ordering = ["network", "role", "start"]
        indexes = [
            models.Index(fields=["network", "role", "end"]),
            models.Index(fields=["person", "end"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="membership_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(institution__isnull=False) | Q(person__isnull=False),
                name="membership_has_institution_or_person",
            ),
            # A leading role belongs to a person, never to an institution alone.
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(role__in=["mitglied", "gast"]),
                name="membership_leading_role_has_person",
            ),
            # Open-ended rows: the database itself forbids the same role twice. Overlapping
            # terms with an end date are caught by clean(), which every service calls.
            models.UniqueConstraint(
                fields=["network", "person", "role"],
                condition=Q(end__isnull=True, person__isnull=False),
                name="membership_person_role_once",
            ),
            models.UniqueConstraint(
                fields=["network", "institution", "role"],
                condition=Q(end__isnull=True, person__isnull=True, institution__isnull=False),
                name="membership_institution_role_once",
            ),
        ]

    def __str__(self) -> str:
        who = self.institution or self.person
        if self.institution and self.person:
            who = f"{self.institution} ({self.person})"
        return f"{self.network}: {who} – {self.get_role_display()}"

    def is_active_on(self, day: datetime.date) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)

    def role_label(self, form_of_address: str | None = None) -> str:
        """The role as a person's own form of address makes it: a speaker recorded as „Herr“
        is „Sprecher“, as „Frau“ „Sprecherin“; anyone else keeps the Genderstern."""
        forms = GENDERED_ROLES.get(self.role)
        address = (form_of_address or "").strip().casefold()
        if forms is None or address not in ("herr", "frau"):
            return str(self.get_role_display())
        return str(forms[0] if address == "herr" else forms[1])

    @property
    def is_active(self) -> bool:
        return self.is_active_on(timezone.localdate())

    @property
    def has_person(self) -> bool:
        """Whether a person holds this row, also one not saved yet.

        „Person hinzufügen“ in the Verwaltung validates the membership rows before the new
        person has a primary key; the person is then only the related object.
        """
        return self.person_id is not None or self.person is not None

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.institution_id is None and not self.has_person:
            errors["person"] = _("Bitte geben Sie eine Einrichtung oder eine Person an.")
        if self.end is not None and self.start is not None and self.end < self.start:
            errors["end"] = _("Das Ende liegt vor dem Beginn.")
        if self.role in self.LEADING_ROLES and not self.has_person:
            errors["person"] = _("Eine Sprecher*innen- oder Geschäftsführungsrolle braucht eine Person.")
        if errors:
            raise ValidationError(errors)
        overlapping = self.overlapping_same_role()
        if overlapping is not None:
            raise ValidationError(
                _("%(who)s hat diese Rolle in diesem Netzwerk bereits (seit %(start)s).")
                % {"who": self.person or self.institution, "start": overlapping.start.strftime("%d.%m.%Y")}
            )

    def overlapping_same_role(self) -> "Membership | None":
        """Another row with the same holder and role whose term overlaps this one."""
        if self.network_id is None or self.start is None:
            return None
        if self.person_id is None and self.has_person:
            return None  # a person not saved yet holds no other row
        holder = (
            Q(person_id=self.person_id)
            if self.person_id
            else Q(institution_id=self.institution_id, person__isnull=True)
        )
        rows = Membership.objects.filter(holder, network_id=self.network_id, role=self.role).exclude(pk=self.pk)
        rows = rows.filter(Q(end__isnull=True) | Q(end__gte=self.start))
        if self.end is not None:
            rows = rows.filter(start__lte=self.end)
        return rows.order_by("start").first()


class Erasure(models.Model):
    """The record that a person was erased (Art. 17 DSGVO), without anything about them:
    when, by whom, and how many rows of each kind were removed or made anonymous."""

    erased_at = models.DateTimeField(_("gelöscht am"), default=timezone.now)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gelöscht von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    counts = models.JSONField(_("betroffene Einträge"), default=dict, blank=True)

    class Meta:
        verbose_name = _("Löschung (Art. 17 DSGVO)")
        verbose_name_plural = _("Löschungen (Art. 17 DSGVO)")
        ordering = ["-erased_at"]

    def __str__(self) -> str:
        return _("Löschung vom %(day)s") % {"day": timezone.localtime(self.erased_at).strftime("%d.%m.%Y %H:%M")}


class ContactMessage(models.Model):
    """A message sent through a public form: to a network or an institution (contact form),
    or to the city about a barrier on the site (feedback of the accessibility statement).

    The sender never learns an address: the message is stored here and the notifications
    app delivers it to the speaker team (or the institution's functional address, or the
    address in ``settings.ACCESSIBILITY_FEEDBACK_EMAIL``), with a copy to the sender if asked
    for. The row is the truth about what is owed, as for every other mail.
    """

    class Kind(models.TextChoices):
        CONTACT = "kontakt", _("Kontaktanfrage")
        ACCESSIBILITY_FEEDBACK = "barrierefreiheit", _("Rückmeldung zur Barrierefreiheit")

    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices, default=Kind.CONTACT)

    network = models.ForeignKey(
        Network,
        verbose_name=_("Netzwerk"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="contact_messages",
    )
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("Einrichtung"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="contact_messages",
    )
    sender_name = models.CharField(_("Name"), max_length=200)
    sender_email = models.EmailField(_("E-Mail-Adresse"))
    subject = models.CharField(_("Betreff"), max_length=200)
    body = models.TextField(_("Nachricht"), max_length=5000)
    copy_to_sender = models.BooleanField(_("Kopie an mich"), default=True)
    language = models.CharField(_("Sprache"), max_length=10, choices=settings.LANGUAGES, default="de")
    created_at = models.DateTimeField(_("gesendet am"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("Kontaktanfrage")
        verbose_name_plural = _("Kontaktanfragen")
        ordering = ["-created_at"]
        constraints = [
            # A contact goes to exactly one network or institution; feedback to neither.
            models.CheckConstraint(
                condition=Q(kind="kontakt", network__isnull=False, institution__isnull=True)
                | Q(kind="kontakt", network__isnull=True, institution__isnull=False)
                | Q(kind="barrierefreiheit", network__isnull=True, institution__isnull=True),
                name="contact_message_recipient_fits_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.sender_name})"

    @property
    def recipient(self) -> "Network | Institution | None":
        """The network or institution addressed; ``None`` for feedback to the city."""
        return self.network or self.institution


class Street(TimestampedModel):
    """A row of the Straßenverzeichnis: a street, or one range of its house numbers, lies in
    a Lebensraum. A street that crosses Lebensräume has one row per range.

    Sozialplanung imports the index from the city's CSV export (``services.street_index_import``);
    the start page uses it to lead a resident from a street to the area page.
    """

    class Parity(models.TextChoices):
        ALL = "alle", _("alle Hausnummern")
        ODD = "ungerade", _("ungerade Hausnummern")
        EVEN = "gerade", _("gerade Hausnummern")

    name = models.CharField(_("Straße"), max_length=200)
    number_from = models.PositiveIntegerField(_("Hausnummer von"), null=True, blank=True)
    number_to = models.PositiveIntegerField(_("Hausnummer bis"), null=True, blank=True)
    parity = models.CharField(_("Seite"), max_length=10, choices=Parity.choices, default=Parity.ALL)
    postal_code = models.CharField(_("Postleitzahl"), max_length=5, blank=True)
    area = models.ForeignKey(
        Area,
        verbose_name=_("Lebensraum"),
        on_delete=models.PROTECT,
        related_name="streets",
        limit_choices_to={"level": Area.Level.LIVING_AREA},
    )
    # The name as ``contacts.textsearch.fold`` spells it, so a prefix lookup can use an index.
    search_name = models.CharField(_("Suchname"), max_length=200, editable=False, db_index=True)

    class Meta:
        verbose_name = _("Straße")
        verbose_name_plural = _("Straßenverzeichnis")
        ordering = ["name", "number_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(number_from__isnull=True) & Q(number_to__isnull=True))
                | (
                    Q(number_from__isnull=False)
                    & Q(number_to__isnull=False)
                    & Q(number_to__gte=models.F("number_from"))
                ),
                name="street_number_range_complete_and_ordered",
            ),
            models.UniqueConstraint(
                fields=["name", "postal_code", "number_from", "number_to", "parity"],
                name="street_range_unique",
            ),
            # NULLs are distinct in a unique index: the whole street needs its own rule.
            models.UniqueConstraint(
                fields=["name", "postal_code", "parity"],
                condition=Q(number_from__isnull=True),
                name="street_whole_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.range_label}".strip()

    def save(self, *args, **kwargs) -> None:
        self.search_name = fold(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)

    @property
    def range_label(self) -> str:
        """The house numbers as people read them: "1–29 (ungerade)", empty for the whole street."""
        if self.number_from is None:
            return "" if self.parity == self.Parity.ALL else str(self.get_parity_display())
        numbers = f"{self.number_from}–{self.number_to}"
        if self.parity == self.Parity.ALL:
            return numbers
        return f"{numbers} ({self.get_parity_display()})"

    def covers(self, number: int) -> bool:
        """Whether house number ``number`` lies in this row's range and side of the street."""
        if self.number_from is not None and not (self.number_from <= number <= self.number_to):
            return False
        if self.parity == self.Parity.ODD:
            return number % 2 == 1
        if self.parity == self.Parity.EVEN:
            return number % 2 == 0
        return True

    def clean(self) -> None:
        super().clean()
        self.name = " ".join(self.name.split())
        errors = {}
        if (self.number_from is None) != (self.number_to is None):
            errors["number_to"] = _("Bitte geben Sie beide Hausnummern an (von und bis) oder keine.")
        elif self.number_from is not None and self.number_to < self.number_from:
            errors["number_to"] = _("Die Hausnummer „bis“ ist kleiner als „von“.")
        if self.area_id is not None and self.area.level != Area.Level.LIVING_AREA:
            errors["area"] = _("Eine Straße liegt in einem Lebensraum, nicht in einem Stadt- oder Sozialraum.")
        if errors:
            raise ValidationError(errors)


class NetworkProposal(models.Model):
    """A change a speaker team proposes and the Sozialplanung decides on: the areas a
    network covers (they decide which networks residents find for their street), or a new
    institution for the member list (the directory's institutions are kept by the city).

    The row stays after the decision, with who decided, when and why.
    """

    class Kind(models.TextChoices):
        AREAS = "gebiete", _("Gebiete des Netzwerks")
        INSTITUTION = "einrichtung", _("neue Einrichtung")

    class State(models.TextChoices):
        OPEN = "offen", _("offen")
        APPROVED = "angenommen", _("angenommen")
        REJECTED = "abgelehnt", _("abgelehnt")

    network = models.ForeignKey(Network, verbose_name=_("Netzwerk"), on_delete=models.CASCADE, related_name="proposals")
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    areas = models.ManyToManyField(Area, verbose_name=_("vorgeschlagene Gebiete"), blank=True, related_name="+")
    institution_name = models.CharField(
        _("Name der Einrichtung"), max_length=200, blank=True, validators=[validate_single_line]
    )
    institution_type = models.ForeignKey(
        InstitutionType,
        verbose_name=_("Art der Einrichtung"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    street = models.CharField(_("Straße und Hausnummer"), max_length=200, blank=True, validators=[validate_single_line])
    postal_code = models.CharField(_("Postleitzahl"), max_length=10, blank=True)
    website = models.URLField(_("Internetseite"), blank=True)
    email = models.EmailField(_("E-Mail-Adresse (Funktionsadresse)"), blank=True)
    phone = models.CharField(_("Telefon (zentral)"), max_length=40, blank=True)
    representative = models.ForeignKey(
        Person,
        verbose_name=_("vertreten durch"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("Begründung"), max_length=500, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vorgeschlagen von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("vorgeschlagen am"), default=timezone.now)
    state = models.CharField(_("Stand der Entscheidung"), max_length=20, choices=State.choices, default=State.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entschieden von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("entschieden am"), null=True, blank=True)
    decision_note = models.CharField(_("Anmerkung zur Entscheidung"), max_length=500, blank=True)
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("angelegte Einrichtung"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("Vorschlag eines Netzwerks")
        verbose_name_plural = _("Vorschläge der Netzwerke")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="gebiete") | ~Q(institution_name=""),
                name="proposal_institution_has_name",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.INSTITUTION:
            return _("%(network)s: neue Einrichtung „%(name)s“") % {
                "network": self.network,
                "name": self.institution_name,
            }
        return _("%(network)s: Gebiete") % {"network": self.network}

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN


class AccountInvitation(models.Model):
    """An invitation to an account: the mail with the link to choose a password.

    The row is what the delivery log reads: ``version`` rises with every resend, so each
    sending is one row of the log, sent once. A withdrawn or expired invitation's link no
    longer works, and an accepted one is kept as the record of who was invited by whom.
    """

    person = models.ForeignKey(
        Person, verbose_name=_("Person"), on_delete=models.CASCADE, related_name="account_invitations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Zugang"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    email = models.EmailField(_("E-Mail-Adresse"))
    network = models.ForeignKey(
        Network,
        verbose_name=_("für Netzwerk"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="account_invitations",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("eingeladen von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("eingeladen am"), default=timezone.now)
    version = models.PositiveIntegerField(_("Sendung"), default=1)
    sent_at = models.DateTimeField(_("zuletzt verschickt am"), default=timezone.now)
    expires_at = models.DateTimeField(_("gültig bis"))
    withdrawn_at = models.DateTimeField(_("zurückgezogen am"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("angenommen am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Einladung zu einem Zugang")
        verbose_name_plural = _("Einladungen zu Zugängen")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            # One open invitation per account: resending raises its version instead.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(withdrawn_at__isnull=True, accepted_at__isnull=True),
                name="account_invitation_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} <{self.email}>"

    def is_pending_at(self, moment: datetime.datetime) -> bool:
        return self.withdrawn_at is None and self.accepted_at is None and self.expires_at > moment

    @property
    def is_pending(self) -> bool:
        return self.is_pending_at(timezone.now())

    @property
    def state_label(self) -> str:
        if self.accepted_at is not None:
            return str(_("angenommen"))
        if self.withdrawn_at is not None:
            return str(_("zurückgezogen"))
        if self.expires_at <= timezone.now():
            return str(_("abgelaufen"))
        return str(_("offen"))


class ImportRun(TimestampedModel):
    """One import of a member list (CSV or XLSX): the file, the column mapping, the preview
    of every row, the progress of the import and its report, kept afterwards.

    The import writes in chunks, each in one transaction together with ``rows_done`` and the
    counts; a worker that dies loses only its open chunk, and the next one resumes after the
    last chunk that committed (``contacts.services.imports``). ``claim_token`` and
    ``lease_until`` make sure only one worker imports a run at a time.
    """

    class State(models.TextChoices):
        MAPPING = "zuordnung", _("Spalten zuordnen")
        PREVIEW = "vorschau", _("Vorschau")
        QUEUED = "wartet", _("wartet auf den Import")
        RUNNING = "laeuft", _("wird importiert")
        DONE = "fertig", _("abgeschlossen")
        FAILED = "fehlgeschlagen", _("fehlgeschlagen")

    class Mode(models.TextChoices):
        ALL = "alle", _("alle Zeilen")
        VALID = "gueltige", _("nur gültige Zeilen")

    network = models.ForeignKey(
        Network,
        verbose_name=_("Netzwerk"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="imports",
        help_text=_("Die Einrichtungen und Personen der Liste werden Mitglieder dieses Netzwerks."),
    )
    file_name = models.CharField(_("Dateiname"), max_length=255)
    file_format = models.CharField(_("Format"), max_length=10)
    file_hash = models.CharField(_("Prüfsumme (SHA-256)"), max_length=64, db_index=True)
    data = models.BinaryField(_("Datei"))
    encoding = models.CharField(_("Zeichenkodierung"), max_length=20, blank=True)
    header_line = models.PositiveIntegerField(_("Zeile der Kopfzeile"), default=1)
    headers = models.JSONField(_("Spaltenköpfe"), default=list, blank=True)
    # The rows below the header as read at the upload ([line, cells]), and the lines whose
    # cells were merged across columns: preview and import need not read the file again.
    rows = models.JSONField(_("Zeilen der Datei"), default=list, blank=True)
    merged_across = models.JSONField(_("über Spalten verbundene Zellen"), default=dict, blank=True)
    mapping = models.JSONField(_("Zuordnung der Spalten"), default=list, blank=True)
    default_type = models.ForeignKey(
        InstitutionType,
        verbose_name=_("Einrichtungsart ohne Angabe"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    notices = models.JSONField(_("Hinweise zur Datei"), default=list, blank=True)
    preview = models.JSONField(_("Vorschau"), default=list, blank=True)
    counts = models.JSONField(_("Zeilen je Ergebnis"), default=dict, blank=True)
    decisions = models.JSONField(_("Entscheidungen bei möglichen Dubletten"), default=dict, blank=True)
    mode = models.CharField(_("Umfang"), max_length=10, choices=Mode.choices, blank=True)
    state = models.CharField(_("Zustand"), max_length=20, choices=State.choices, default=State.MAPPING)
    rows_total = models.PositiveIntegerField(_("Zeilen"), default=0)
    rows_done = models.PositiveIntegerField(_("Zeilen erledigt"), default=0)
    result = models.JSONField(_("Ergebnis"), default=dict, blank=True)
    error = models.TextField(_("Fehler"), blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(_("reserviert bis"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hochgeladen von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    started_at = models.DateTimeField(_("begonnen am"), null=True, blank=True)
    finished_at = models.DateTimeField(_("abgeschlossen am"), null=True, blank=True)
    is_demo = models.BooleanField(_("Demodaten"), default=False, editable=False)

    class Meta:
        verbose_name = _("Import")
        verbose_name_plural = _("Importe")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "lease_until"], name="importrun_open_idx")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%d.%m.%Y %H:%M})" if self.created_at else self.file_name

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 100 if self.state == self.State.DONE else 0
        return min(100, round(100 * self.rows_done / self.rows_total))
