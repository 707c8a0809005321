"""Import of member lists: institutions, people and memberships of a network from CSV/XLSX.

The flow is upload (``import_upload``) → columns matched to fields by their headers, the
mapping corrected by staff (``import_mapping_set``, which computes the preview) → a decision
for each possible duplicate (``import_decide``) → the import (``import_start``, then
``import_execute`` in the request for small files or in a Celery task for large ones).

One planner (``_plan``) decides for every row what it would do — new, update, unchanged,
possible duplicate or error with line and column — from the file and the database as they
are now. The preview shows its answer; the import asks it again, fresh, and writes what it
says. Because a row whose entries already exist plans as „unverändert“, importing the same
file twice changes nothing, and a run that resumes after a dead worker re-plans the rows it
had already written as unchanged.

The import writes in chunks of ``CHUNK_ROWS`` rows, each in one transaction together with
the run's progress and counts: a worker that dies loses its open chunk only, and whoever
claims the run next (the sweep ``imports_resume`` re-queues it when its lease has run out)
goes on after the last chunk that committed.

Imported people get no consent: nothing of them is public, members see nothing either,
until the person consents (the import report can ask them by mail, see notifications).
"""

from __future__ import annotations

import datetime
import difflib
import functools
import hashlib
import logging
import re
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils.cell import range_boundaries

from contacts.history import bulk_history_defaults
from contacts.models import (
    Affiliation,
    ContactChannel,
    ImportRun,
    Institution,
    InstitutionType,
    Membership,
    Network,
    Person,
    Street,
    User,
)
from contacts.services.tables import TABLE_MAX_BYTES, Table, TableError, header_key, table_read
from contacts.textsearch import fold

logger = logging.getLogger(__name__)

CHUNK_ROWS = 500
# Files with at most this many rows are imported in the request; larger ones by a worker.
SYNC_MAX_ROWS = 300
DUPLICATE_SIMILARITY = 0.82

# Fields a column can hold: label, and the header spellings (German and English) that
# select it; compared through ``header_key`` (case, umlauts, ß, punctuation ignored).
FIELDS: dict[str, tuple] = {
    "institution": (
        gettext_lazy("Einrichtung"),
        ["Einrichtung", "Name der Einrichtung", "Institution", "Organisation", "Organization", "Träger/Einrichtung"],
    ),
    "institution_type": (
        gettext_lazy("Einrichtungsart"),
        ["Art", "Einrichtungsart", "Art der Einrichtung", "Typ", "Type", "Institution type", "Kategorie"],
    ),
    "name": (
        gettext_lazy("Ansprechperson (ganzer Name)"),
        [
            "Ansprechpartner*in",
            "Ansprechpartner",
            "Ansprechpartnerin",
            "Ansprechperson",
            "Kontaktperson",
            "Kontakt",
            "Name",
            "Person",
            "Vertreten durch",
            "Contact",
            "Contact person",
            "Full name",
        ],
    ),
    "form_of_address": (gettext_lazy("Anrede"), ["Anrede", "Salutation", "Pronomen"]),
    "title": (gettext_lazy("Titel"), ["Titel", "Akad. Titel", "Title"]),
    "given_name": (gettext_lazy("Vorname"), ["Vorname", "Given name", "First name", "Firstname"]),
    "family_name": (gettext_lazy("Nachname"), ["Nachname", "Familienname", "Family name", "Last name", "Surname"]),
    "function": (gettext_lazy("Funktion in der Einrichtung"), ["Funktion", "Position", "Function", "Job title"]),
    "email": (gettext_lazy("E-Mail"), ["E-Mail", "Email", "Mail", "E-Mail-Adresse", "Email address"]),
    "phone": (gettext_lazy("Telefon"), ["Telefon", "Tel.", "Telefonnummer", "Fon", "Phone", "Telephone"]),
    "street": (
        gettext_lazy("Straße und Hausnummer"),
        ["Straße", "Strasse", "Straße und Hausnummer", "Adresse", "Anschrift", "Street", "Address"],
    ),
    "house_number": (gettext_lazy("Hausnummer"), ["Hausnummer", "Hausnr.", "Nr.", "House number"]),
    "postal_code": (gettext_lazy("PLZ"), ["PLZ", "Postleitzahl", "Postal code", "Postcode", "ZIP"]),
    "city": (gettext_lazy("Ort"), ["Ort", "Stadt", "City", "Town"]),
    "website": (gettext_lazy("Internetseite"), ["Internetseite", "Homepage", "Website", "Web", "Internet"]),
    "role": (gettext_lazy("Rolle im Netzwerk"), ["Rolle", "Rolle im Netzwerk", "Role"]),
    "note": (gettext_lazy("Bemerkung"), ["Bemerkung", "Bemerkungen", "Notiz", "Anmerkung", "Note", "Notes", "Comment"]),
}
FIELD_KEYS = {key: {header_key(spelling) for spelling in spellings} for key, (_label, spellings) in FIELDS.items()}
ROLE_WORDS = {
    **dict.fromkeys(["", "mitglied", "member", "mitgliedseinrichtung"], Membership.Role.MEMBER),
    **dict.fromkeys(["sprecherin", "sprecher", "sprecherinnen", "speaker"], Membership.Role.SPEAKER),
    **dict.fromkeys(
        ["stellvsprecherin", "stellvertretung", "stellvertretendesprecherin", "stellvertretendersprecher", "deputy"],
        Membership.Role.DEPUTY_SPEAKER,
    ),
    **dict.fromkeys(["geschaftsfuhrung", "management"], Membership.Role.MANAGEMENT),
    **dict.fromkeys(["gast", "guest"], Membership.Role.GUEST),
}
ADDRESS_WORDS = {"frau", "herr", "divers", "mr", "mrs", "ms"}
TITLE_WORDS = {"dr", "prof", "drmed", "dipl"}
# Words that say nothing about which institution is meant ("Kita Sonnenschein e. V.").
NAME_NOISE = {"ev", "e", "v", "ggmbh", "gmbh", "der", "die", "das", "und", "st"}
WORD_CHARACTERS = re.compile(r"[^\W_]+")
PHONE_CHARACTERS = re.compile(r"^[0-9 +()/\-.]{3,40}$")
POSTAL_CODE = re.compile(r"^\d{5}$")
STREET_NUMBER = re.compile(r"^(?P<name>.*?)[\s,]*(?P<number>\d+)\s*[a-zA-Z]?(?:\s*[-–/]\s*\d+\s*[a-zA-Z]?)?$")

STATUS_LABELS = {
    "new": gettext_lazy("neu"),
    "update": gettext_lazy("Aktualisierung"),
    "unchanged": gettext_lazy("unverändert"),
    "duplicate": gettext_lazy("mögliche Dublette"),
    "error": gettext_lazy("Fehler"),
}
DECISIONS = {
    "skip": gettext_lazy("nicht importieren"),
    "merge": gettext_lazy("ist derselbe Eintrag: bestehenden aktualisieren"),
    "new": gettext_lazy("ist ein anderer Eintrag: neu anlegen"),
}


def _lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=getattr(settings, "IMPORT_LEASE_SECONDS", 120))


def column_letter(index: int) -> str:
    """0 → "A", 25 → "Z", 26 → "AA": the column as Excel names it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _words(text: str) -> str:
    """``text`` folded, its words (letters and digits) separated by single spaces."""
    return " ".join(WORD_CHARACTERS.findall(fold(text) or ""))


def _name_key(text: str) -> str:
    return " ".join(word for word in _words(text).split() if word not in NAME_NOISE)


def _street_key(text: str) -> str:
    text = re.sub(r"str\.?(?=\s|\d|$)", "strase", fold(text) or "")
    return "".join(ch for ch in text if ch.isalnum())


# --- upload and mapping ---------------------------------------------------------------------


def _guess(cells: list[str]) -> list[str]:
    """The field each header cell names (first come, first served), or ""."""
    mapping: list[str] = []
    for cell in cells:
        key = header_key(cell)
        chosen = next((name for name, keys in FIELD_KEYS.items() if key and key in keys and name not in mapping), "")
        mapping.append(chosen)
    return mapping


def _header_find(table: Table) -> tuple[int, list[str]]:
    """The header row: the first row naming at least two known fields (a title row above it,
    „Mitgliederliste Stand …“, is passed over), else the first row that is not empty."""
    first = None
    for position, (_line, cells) in enumerate(table.rows[:30]):
        if not any(cells):
            continue
        if first is None:
            first = position
        if sum(1 for name in _guess(cells) if name) >= 2:
            return position, cells
    if first is None:
        raise TableError(1, _("Die Datei enthält keine Zeile mit Inhalt."))
    return first, table.rows[first][1]


def _table(data: bytes) -> Table:
    if len(data) > TABLE_MAX_BYTES:
        raise TableError(1, _("Die Datei ist größer als 10 MB."))
    return table_read(data)


def _invalid(error: TableError) -> ValidationError:
    return ValidationError(
        _("Zeile %(line)s: %(message)s") % {"line": error.line, "message": error.message}, code="unreadable"
    )


@transaction.atomic
def import_upload(
    *, file_name: str, data: bytes, network: Network | None, created_by: User | None, is_demo: bool = False
) -> ImportRun:
    """Keep an uploaded member list and guess which column holds which field.

    Raises ``ValidationError`` (German, with the line) for a file that is not CSV/XLSX, is
    empty, larger than 10 MB, or has nothing below its header; then nothing is stored.
    Side effects: one ``ImportRun`` in the state „Spalten zuordnen“. With ``is_demo`` (the
    demo's own list) everything the import creates is demo data.
    """
    try:
        table = _table(data)
        header_position, header = _header_find(table)
    except TableError as error:
        raise _invalid(error) from None
    rows_below = [[line, cells] for line, cells in table.rows[header_position + 1 :] if any(cells)]
    if not rows_below:
        raise ValidationError(_("Die Datei enthält nur die Kopfzeile und keine Einträge."), code="empty")
    while header and not header[-1]:
        header = header[:-1]
    notices = []
    if table.encoding and table.encoding != "utf-8":
        notices.append(
            _(
                "Die Datei ist nicht UTF-8, sondern %(encoding)s kodiert (Excels „CSV“ unter Windows). "
                "Sie wurde so gelesen; bitte Umlaute in der Vorschau prüfen."
            )
            % {"encoding": table.encoding}
        )
    header_line = table.rows[header_position][0]
    # A title merged across the columns above the header is no concern of the rows.
    merged = [coord for coord in table.merged if range_boundaries(coord)[1] > header_line]
    if merged:
        notices.append(
            _("Verbundene Zellen (%(ranges)s): ein über mehrere Zeilen verbundener Wert gilt für jede dieser Zeilen.")
            % {"ranges": ", ".join(merged[:10]) + (" …" if len(merged) > 10 else "")}
        )
    run = ImportRun(
        network=network,
        file_name=file_name[:255],
        file_format=table.file_format,
        file_hash=hashlib.sha256(data).hexdigest(),
        data=data,
        encoding=table.encoding,
        header_line=header_line,
        headers=header,
        rows=rows_below,
        merged_across={str(line): coord for line, coord in table.merged_across.items() if line > header_line},
        mapping=_guess(header),
        notices=notices,
        created_by=created_by,
        is_demo=is_demo,
    )
    run.full_clean()
    run.save()
    logger.info("Import %s uploaded: %s (%s rows)", run.pk, run.file_name, len(rows_below))
    return run


def mapping_problems(mapping: list[str]) -> list[str]:
    """What is wrong with a column mapping (German): a field twice, no name at all."""
    problems = []
    chosen = [name for name in mapping if name]
    for name in sorted({name for name in chosen if chosen.count(name) > 1}):
        problems.append(_("„%(field)s“ ist mehreren Spalten zugeordnet.") % {"field": FIELDS[name][0]})
    if not {"institution", "name", "family_name"} & set(chosen):
        problems.append(
            _("Keine Spalte ist „Einrichtung“ oder „Ansprechperson“/„Nachname“ zugeordnet: wer soll importiert werden?")
        )
    return problems


@transaction.atomic
def import_mapping_set(*, run: ImportRun, mapping: list[str], default_type: InstitutionType | None = None) -> ImportRun:
    """Set the column mapping and compute the preview of every row.

    Raises ``ValidationError`` for a mapping that names a field twice or nobody to import,
    or a run that is already imported. Side effects: the run's mapping, preview and counts.
    """
    if run.state not in (ImportRun.State.MAPPING, ImportRun.State.PREVIEW):
        raise ValidationError(_("Dieser Import ist bereits gestartet."), code="started")
    mapping = [name if name in FIELDS else "" for name in mapping][: len(run.headers)]
    problems = mapping_problems(mapping)
    if problems:
        raise ValidationError(problems, code="mapping")
    run.mapping = mapping
    run.default_type = default_type
    plan = _plan(run)
    run.preview = [row.as_json() for row in plan.rows]
    run.counts = plan.counts()
    run.rows_total = len(plan.rows)
    run.decisions = {key: value for key, value in run.decisions.items() if key in plan.duplicate_lines()}
    run.state = ImportRun.State.PREVIEW
    run.save()
    return run


@transaction.atomic
def import_decide(*, run: ImportRun, decisions: dict[str, str]) -> ImportRun:
    """Record what to do with each possible duplicate: skip, merge into the existing entry,
    or create a new one. Lines that are no possible duplicates are ignored."""
    if run.state != ImportRun.State.PREVIEW:
        raise ValidationError(_("Dieser Import ist bereits gestartet."), code="started")
    lines = {str(row["line"]) for row in run.preview if row["status"] == "duplicate"}
    run.decisions = {line: choice for line, choice in decisions.items() if line in lines and choice in DECISIONS}
    run.save(update_fields=["decisions", "updated_at"])
    return run


# --- the planner ----------------------------------------------------------------------------


@dataclass
class _Existing:
    """What the database holds that a row can match, read in a few queries."""

    types: dict[str, InstitutionType] = field(default_factory=dict)
    institutions: dict[int, Institution] = field(default_factory=dict)
    institution_by_key: dict[tuple, int] = field(default_factory=dict)
    name_keys: dict[int, str] = field(default_factory=dict)
    institution_by_name: dict[str, list[int]] = field(default_factory=dict)
    institution_by_email: dict[str, int] = field(default_factory=dict)
    # Area → the numbers in a name („GGS 2“) → institutions: only names with the same
    # numbers can be similar, which keeps the comparisons per row few.
    institution_buckets: dict[str, dict[frozenset[str], list[int]]] = field(default_factory=dict)
    people: dict[int, Person] = field(default_factory=dict)
    person_by_email: dict[str, int] = field(default_factory=dict)
    person_by_name_institution: dict[tuple[str, int], int] = field(default_factory=dict)
    person_by_name: dict[str, list[int]] = field(default_factory=dict)
    person_buckets: dict[int, set[str]] = field(default_factory=dict)
    channels: set[tuple[int, str, str]] = field(default_factory=set)
    affiliations: dict[tuple[int, int], str] = field(default_factory=dict)
    memberships: dict[tuple, int | None] = field(default_factory=dict)
    network_people: set[int] = field(default_factory=set)
    slugs: set[str] = field(default_factory=set)
    streets: dict[str, list[Street]] = field(default_factory=dict)

    @classmethod
    def load(cls, network: Network | None) -> _Existing:
        existing = cls()
        for kind in InstitutionType.objects.all():
            existing.types[_words(kind.name)] = kind
            existing.types[_words(kind.slug)] = kind
        for institution in Institution.objects.only(
            "id", "name", "slug", "street", "postal_code", "city", "area_id", "email", "phone", "website"
        ):
            existing.institution_add(institution)
        for person in Person.objects.only("id", "title", "given_name", "family_name", "form_of_address"):
            existing.people[person.pk] = person
            existing.person_by_name.setdefault(_words(person.full_name), []).append(person.pk)
        for person_id, kind, value in ContactChannel.objects.values_list("person_id", "kind", "value"):
            existing.channels.add((person_id, kind, value.lower() if kind == ContactChannel.Kind.EMAIL else value))
            if kind == ContactChannel.Kind.EMAIL:
                existing.person_by_email.setdefault(value.lower(), person_id)
        for person_id, institution_id, function in Affiliation.objects.values_list(
            "person_id", "institution_id", "function"
        ):
            existing.affiliations[(person_id, institution_id)] = function
            person = existing.people.get(person_id)
            if person is not None:
                existing.person_by_name_institution[(_words(person.full_name), institution_id)] = person_id
            institution = existing.institutions.get(institution_id)
            if institution is not None:
                existing.person_buckets.setdefault(person_id, set()).update(_buckets(institution))
        if network is not None:
            today = timezone.localdate()
            current = Membership.objects.filter(network=network).filter(Q(end__isnull=True) | Q(end__gte=today))
            for institution_id, person_id, role in current.values_list("institution_id", "person_id", "role"):
                existing.memberships[(person_id, role) if person_id else (None, institution_id, role)] = institution_id
                if person_id:
                    existing.network_people.add(person_id)
        for street in Street.objects.only(
            "name", "search_name", "number_from", "number_to", "parity", "postal_code", "area_id"
        ):
            existing.streets.setdefault(street.search_name, []).append(street)
        return existing

    def institution_add(self, institution: Institution) -> None:
        self.institutions[institution.pk] = institution
        name = _name_key(institution.name)
        self.name_keys[institution.pk] = name
        self.institution_by_key.setdefault(
            (name, _street_key(institution.street), institution.postal_code), institution.pk
        )
        self.institution_by_name.setdefault(name, []).append(institution.pk)
        if institution.email:
            self.institution_by_email.setdefault(institution.email.lower(), institution.pk)
        for bucket in _buckets(institution):
            digits = _name_parts(name)[1]
            self.institution_buckets.setdefault(bucket, {}).setdefault(digits, []).append(institution.pk)
        self.slugs.add(institution.slug)

    def area_of(self, street: str, postal_code: str) -> int | None:
        """The Lebensraum of an address, from the street index (``None`` if not found)."""
        match = STREET_NUMBER.match(street.strip())
        name, number = (match["name"], int(match["number"])) if match else (street, None)
        name = re.sub(r"str\.?$", "straße", name.strip())
        for row in self.streets.get(fold(" ".join(name.split())) or "", []):
            if postal_code and row.postal_code and row.postal_code != postal_code:
                continue
            if number is None or row.covers(number):
                return row.area_id
        return None


def _buckets(institution) -> set[str]:
    """The areas an institution lies in, for „similar name in the same area“: its
    Lebensraum, and its postal code."""
    buckets = set()
    if institution.area_id:
        buckets.add(f"a{institution.area_id}")
    if institution.postal_code:
        buckets.add(f"p{institution.postal_code}")
    return buckets


@functools.lru_cache(maxsize=65536)
def _name_parts(key: str) -> tuple[frozenset[str], frozenset[str]]:
    words = frozenset(key.split())
    return words, frozenset(word for word in words if word.isdigit())


def _similar(a: str, b: str) -> bool:
    """Whether two folded names (``_name_key``) may name the same institution or person:
    one's words contain the other's („Kita Sonnenschein“, „Kita Sonnenschein Nord“), or
    they differ by a typo. Numbers must agree: „GGS 2“ is not „GGS 3“."""
    if not a or not b:
        return False
    if a == b:
        return True
    (words_a, digits_a), (words_b, digits_b) = _name_parts(a), _name_parts(b)
    if digits_a != digits_b:
        return False
    if (words_a <= words_b or words_b <= words_a) and min(len(words_a), len(words_b)) >= 2:
        return True
    matcher = difflib.SequenceMatcher(None, a, b)
    # The cheap upper bounds first: most names in an area are nothing alike.
    return (
        matcher.real_quick_ratio() >= DUPLICATE_SIMILARITY
        and matcher.quick_ratio() >= DUPLICATE_SIMILARITY
        and matcher.ratio() >= DUPLICATE_SIMILARITY
    )


@dataclass
class PlanRow:
    """What the import would do with one row of the file."""

    line: int
    values: dict[str, str]
    errors: list[dict] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    institution: dict | None = None
    person: dict | None = None
    membership: dict | None = None
    duplicate: dict | None = None
    decision: str = ""

    @property
    def status(self) -> str:
        if self.errors:
            return "error"
        if self.duplicate and self.decision not in ("merge", "new"):
            return "duplicate"
        # A new membership of entries that exist is an update („Mitglied in …“ among the changes).
        parts = [part for part in (self.institution, self.person) if part]
        if any(part["action"] == "create" for part in parts):
            return "new"
        if self.changes:
            return "update"
        return "unchanged"

    def error(self, column: str, message: str) -> None:
        self.errors.append({"column": column, "message": message})

    def as_json(self) -> dict:
        return {
            "line": self.line,
            "status": self.status,
            "values": self.values,
            "errors": self.errors,
            "changes": self.changes,
            "duplicate": self.duplicate,
            "decision": self.decision,
        }


@dataclass
class Plan:
    rows: list[PlanRow]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUS_LABELS, 0)
        for row in self.rows:
            counts[row.status] += 1
        return counts

    def duplicate_lines(self) -> set[str]:
        return {str(row.line) for row in self.rows if row.duplicate}


def _field_changes(row: PlanRow, instance, values: dict[str, str]) -> dict[str, str]:
    """The values of the file that differ from ``instance`` (an empty cell never clears a
    field), each also described in ``row.changes`` as „entry – field: old → new“."""
    changes = {name: value for name, value in values.items() if value and (getattr(instance, name) or "") != value}
    row.changes.extend(
        _("%(entry)s – %(field)s: %(old)s → %(new)s")
        % {
            "entry": instance,
            "field": type(instance)._meta.get_field(name).verbose_name,
            "old": getattr(instance, name) or "–",
            "new": value,
        }
        for name, value in changes.items()
    )
    return changes


def _split_name(text: str) -> dict[str, str]:
    """„Frau Dr. Maria Muster“, „Muster, Maria“, „Muster“ → its parts."""
    text = " ".join(text.replace("*", " ").split()) if "*" in text else " ".join(text.split())
    if "," in text:
        family, _comma, given = text.partition(",")
        words = given.split()
    else:
        words = text.split()
        family = words.pop() if words else ""
    parts = {"form_of_address": "", "title": "", "given_name": "", "family_name": family.strip()}
    while words and words[0].rstrip(".").lower().replace(".", "") in ADDRESS_WORDS:
        parts["form_of_address"] = words.pop(0)
    titles = []
    while words and words[0].rstrip(".").lower().replace(".", "") in TITLE_WORDS:
        titles.append(words.pop(0))
    parts["title"] = " ".join(titles)
    parts["given_name"] = " ".join(words)
    return parts


class _Planner:
    def __init__(self, run: ImportRun, existing: _Existing) -> None:
        self.run = run
        self.existing = existing
        self.columns = {name: index for index, name in enumerate(run.mapping) if name}
        self.new_institutions: dict[tuple, int] = {}
        self.new_people: dict[str, int] = {}
        self.rows_seen: dict[tuple, int] = {}
        self.roles_seen: dict[tuple, tuple[int, object]] = {}
        self.today = timezone.localdate()

    def column(self, name: str) -> str:
        index = self.columns.get(name)
        if index is None:
            return ""
        header = self.run.headers[index] if index < len(self.run.headers) else ""
        return f"{column_letter(index)} „{header}“" if header else column_letter(index)

    def row(self, line: int, cells: list[str], merged_across: str | None) -> PlanRow:
        values = {name: (cells[index] if index < len(cells) else "") for name, index in self.columns.items()}
        row = PlanRow(line=line, values=values, decision=self.run.decisions.get(str(line), ""))
        if merged_across:
            row.error(
                merged_across.split(":")[0],
                _("Verbundene Zellen über mehrere Spalten (%(range)s): bitte die Verbindung aufheben.")
                % {"range": merged_across},
            )
        self._check(row)
        if row.errors:
            return row
        self._institution(row)
        self._person(row)
        self._membership(row)
        if row.status in ("error", "duplicate"):
            self._forget(row)
        return row

    def _forget(self, row: PlanRow) -> None:
        """A row that is not imported creates nothing later rows could refer to."""
        for part, created in ((row.institution, self.new_institutions), (row.person, self.new_people)):
            if part and part["action"] == "create" and created.get(part["key"]) == row.line:
                del created[part["key"]]
        for holder, (line, _institution) in list(self.roles_seen.items()):
            if line == row.line:
                del self.roles_seen[holder]

    # Checks of single cells -----------------------------------------------------------------

    def _check(self, row: PlanRow) -> None:
        values = row.values
        for name, text in values.items():
            if "\n" in text and name != "note":
                row.error(self.column(name), _("Die Zelle enthält mehrere Zeilen; bitte eine Angabe je Zelle."))
        if any(row.errors):
            return
        limits = {"institution": 200, "street": 200, "city": 100, "function": 120, "note": 200, "title": 40}
        for name, limit in limits.items():
            if len(values.get(name, "")) > limit:
                row.error(self.column(name), _("Länger als %(limit)s Zeichen.") % {"limit": limit})
        email = values.get("email", "")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                row.error(self.column("email"), _("„%(value)s“ ist keine gültige E-Mail-Adresse.") % {"value": email})
        phone = values.get("phone", "")
        if phone and not PHONE_CHARACTERS.match(phone):
            row.error(
                self.column("phone"),
                _("„%(value)s“ ist keine Telefonnummer (nur Ziffern, Leerzeichen und + ( ) / -).") % {"value": phone},
            )
        postal_code = values.get("postal_code", "")
        if postal_code and not POSTAL_CODE.match(postal_code):
            row.error(
                self.column("postal_code"),
                _("Die Postleitzahl „%(value)s“ hat nicht fünf Ziffern.") % {"value": postal_code},
            )
        website = values.get("website", "")
        if website:
            url = website if "://" in website else f"https://{website}"
            try:
                URLValidator(schemes=["http", "https"])(url)
                values["website"] = url
            except ValidationError:
                row.error(self.column("website"), _("„%(value)s“ ist keine Internetadresse.") % {"value": website})
        role = values.get("role", "")
        if header_key(role) not in ROLE_WORDS:
            row.error(
                self.column("role"),
                _(
                    "Die Rolle „%(value)s“ ist unbekannt; erlaubt sind Mitglied, Sprecher*in, "
                    "Stellvertretung, Geschäftsführung, Gast."
                )
                % {"value": role},
            )
        if values.get("house_number") and values.get("street"):
            values["street"] = f"{values['street']} {values['house_number']}"
        person = self._person_parts(values)
        if person and len(person["family_name"]) > 100:
            row.error(self.column("name") or self.column("family_name"), _("Der Name ist länger als 100 Zeichen."))
        if person and not person["family_name"]:
            row.error(self.column("family_name"), _("Der Nachname fehlt."))
        if not values.get("institution") and not person:
            row.error(
                self.column("institution") or self.column("name"),
                _("Weder eine Einrichtung noch eine Person: die Zeile nennt niemanden."),
            )
        if values.get("institution") and not self._type(values):
            text = values.get("institution_type", "")
            row.error(
                self.column("institution_type") or self.column("institution"),
                _("Die Einrichtungsart „%(value)s“ ist unbekannt.") % {"value": text}
                if text
                else _("Die Einrichtungsart fehlt; bitte eine Spalte „Art“ zuordnen oder eine Art für alle wählen."),
            )
        if ROLE_WORDS.get(header_key(role)) in Membership.LEADING_ROLES and not person:
            row.error(self.column("role"), _("Eine Sprecher*innen- oder Geschäftsführungsrolle braucht eine Person."))

    def _type(self, values: dict[str, str]) -> InstitutionType | None:
        text = values.get("institution_type", "")
        if text:
            return self.existing.types.get(_words(text))
        return self.run.default_type

    def _person_parts(self, values: dict[str, str]) -> dict[str, str] | None:
        if values.get("name"):
            parts = _split_name(values["name"])
        else:
            parts = {
                "form_of_address": "",
                "title": "",
                "given_name": values.get("given_name", ""),
                "family_name": values.get("family_name", ""),
            }
            if not parts["given_name"] and not parts["family_name"]:
                return None
        for name in ("form_of_address", "title"):
            if values.get(name):
                parts[name] = values[name]
        return {key: value[:100] if key != "family_name" else value for key, value in parts.items()}

    # Matching ------------------------------------------------------------------------------

    def _institution(self, row: PlanRow) -> None:
        values = row.values
        name = values.get("institution", "")
        if not name:
            return
        has_person = self._person_parts(values) is not None
        fields = {
            "name": " ".join(name.split()),
            "street": values.get("street", ""),
            "postal_code": values.get("postal_code", ""),
            "city": values.get("city", ""),
            "website": values.get("website", ""),
        }
        if not has_person:
            fields["email"] = values.get("email", "").lower()
            fields["phone"] = values.get("phone", "")
        key = (_name_key(name), _street_key(fields["street"]), fields["postal_code"])
        existing = self.existing
        match = existing.institution_by_key.get(key)
        if match is None and not fields["street"]:
            same_name = [
                pk
                for pk in existing.institution_by_name.get(key[0], [])
                if not fields["postal_code"] or existing.institutions[pk].postal_code == fields["postal_code"]
            ]
            match = same_name[0] if len(same_name) == 1 else None
        if match is None and fields.get("email"):
            match = existing.institution_by_email.get(fields["email"])
        if match is None and key in self.new_institutions:
            row.institution = {"action": "same", "line": self.new_institutions[key], "key": key}
            return
        if match is None:
            area_id = existing.area_of(fields["street"], fields["postal_code"])
            candidate = self._similar_institution(key[0], area_id, fields["postal_code"])
            if candidate is not None and row.decision != "new":
                if row.decision == "merge":
                    match = candidate.pk
                else:
                    row.duplicate = {
                        "kind": "institution",
                        "id": candidate.pk,
                        "file": {"name": fields["name"], "address": self._address(fields)},
                        "existing": {"name": candidate.name, "address": candidate.address, "email": candidate.email},
                    }
                    return
        if match is None:
            self.new_institutions[key] = row.line
            row.institution = {
                "action": "create",
                "fields": {**fields, "city": fields["city"] or "Aachen"},
                "type": self._type(values),
                "area_id": existing.area_of(fields["street"], fields["postal_code"]),
                "key": key,
            }
            return
        institution = existing.institutions[match]
        changes = _field_changes(row, institution, {name: value for name, value in fields.items() if name != "name"})
        if "street" in changes or "postal_code" in changes:
            changes["area_id"] = (
                existing.area_of(
                    changes.get("street", institution.street), changes.get("postal_code", institution.postal_code)
                )
                or institution.area_id
            )
        row.institution = {"action": "update" if changes else "keep", "id": match, "changes": changes}

    def _similar_institution(self, name_key: str, area_id: int | None, postal_code: str):
        existing = self.existing
        buckets = ([f"a{area_id}"] if area_id else []) + ([f"p{postal_code}"] if postal_code else [])
        digits = _name_parts(name_key)[1]
        candidates = {pk for bucket in buckets for pk in existing.institution_buckets.get(bucket, {}).get(digits, [])}
        candidates.update(existing.institution_by_name.get(name_key, []))
        for pk in sorted(candidates):
            if _similar(name_key, existing.name_keys[pk]):
                return existing.institutions[pk]
        return None

    @staticmethod
    def _address(fields: dict) -> str:
        locality = " ".join(part for part in (fields.get("postal_code"), fields.get("city")) if part)
        return ", ".join(part for part in (fields.get("street"), locality) if part)

    def _institution_id(self, row: PlanRow) -> int | None:
        institution = row.institution
        if institution is None or institution["action"] in ("create", "same"):
            return None
        return institution["id"]

    def _person(self, row: PlanRow) -> None:
        parts = self._person_parts(row.values)
        if parts is None:
            return
        values = row.values
        email = values.get("email", "").lower()
        phone = values.get("phone", "")
        name_key = _words(
            " ".join(part for part in (parts["title"], parts["given_name"], parts["family_name"]) if part)
        )
        existing = self.existing
        institution_id = self._institution_id(row)
        match = existing.person_by_email.get(email) if email else None
        if match is None and institution_id is not None:
            match = existing.person_by_name_institution.get((name_key, institution_id))
        file_key = f"e{email}" if email else f"n{name_key}|{row.institution and row.institution.get('key')}"
        if match is None and file_key in self.new_people:
            row.person = {"action": "same", "line": self.new_people[file_key], "key": file_key}
        elif match is None:
            candidate = None if row.decision == "new" else self._similar_person(name_key, row)
            if candidate is not None and row.decision == "merge":
                match = candidate.pk
            elif candidate is not None:
                row.duplicate = {
                    "kind": "person",
                    "id": candidate.pk,
                    "file": {"name": values.get("name") or name_key, "address": email},
                    "existing": {"name": candidate.full_name, "address": "", "email": ""},
                }
                return
            else:
                self.new_people[file_key] = row.line
                row.person = {"action": "create", "fields": parts, "email": email, "phone": phone, "key": file_key}
        if match is not None:
            person = existing.people[match]
            changes = _field_changes(row, person, parts)
            channels = []
            if email and (match, ContactChannel.Kind.EMAIL, email) not in existing.channels:
                channels.append((ContactChannel.Kind.EMAIL, email))
            if phone and (match, ContactChannel.Kind.PHONE, phone) not in existing.channels:
                channels.append((ContactChannel.Kind.PHONE, phone))
            row.changes.extend(
                _("%(entry)s – neu: %(value)s") % {"entry": person.full_name, "value": value}
                for _kind, value in channels
            )
            row.person = {
                "action": "update" if changes or channels else "keep",
                "id": match,
                "changes": changes,
                "channels": channels,
            }
        self._affiliation(row)

    def _similar_person(self, name_key: str, row: PlanRow):
        existing = self.existing
        institution_id = self._institution_id(row)
        buckets = set()
        if institution_id is not None:
            buckets = _buckets(existing.institutions[institution_id])
        for pk in existing.person_by_name.get(name_key, []):
            if (
                pk in existing.network_people
                or buckets & existing.person_buckets.get(pk, set())
                or not row.values.get("institution")
            ):
                return existing.people[pk]
        return None

    def _affiliation(self, row: PlanRow) -> None:
        if row.institution is None or row.person is None:
            return
        function = row.values.get("function", "")
        person_id = row.person.get("id") if row.person["action"] in ("update", "keep") else None
        institution_id = self._institution_id(row)
        current = self.existing.affiliations.get((person_id, institution_id)) if person_id and institution_id else None
        if current is None:
            row.person["affiliation"] = "create"
            if person_id and institution_id:
                row.changes.append(
                    _("%(person)s – neu bei %(institution)s")
                    % {
                        "person": self.existing.people[person_id].full_name,
                        "institution": self.existing.institutions[institution_id].name,
                    }
                )
        elif function and current != function:
            row.person["affiliation"] = "update"
            row.changes.append(_("Funktion: %(old)s → %(new)s") % {"old": current or "–", "new": function})
        else:
            row.person["affiliation"] = "keep"

    def _membership(self, row: PlanRow) -> None:
        network = self.run.network
        if network is None or row.duplicate:
            return
        role = ROLE_WORDS[header_key(row.values.get("role", ""))]
        person_ref = self._ref(row.person)
        institution_ref = self._ref(row.institution)
        holder = (("p", person_ref), role) if person_ref else (("i", institution_ref), role)
        seen = self.roles_seen.get(holder)
        if seen is not None:
            line, other_institution = seen
            if other_institution == institution_ref:
                row.error(
                    self.column("institution") or self.column("name"),
                    _("Dieselbe Zeile steht schon in Zeile %(line)s.") % {"line": line},
                )
            else:
                row.error(
                    self.column("name") or self.column("institution"),
                    _(
                        "Diese Person hat die Rolle schon in Zeile %(line)s (für eine andere Einrichtung); "
                        "eine Person ist in einem Netzwerk nur einmal Mitglied."
                    )
                    % {"line": line},
                )
            return
        self.roles_seen[holder] = (row.line, institution_ref)
        person_id = row.person["id"] if row.person and row.person["action"] in ("update", "keep") else None
        institution_id = self._institution_id(row)
        if person_id is not None:
            key = (person_id, role)
            if key in self.existing.memberships:
                if self.existing.memberships[key] != institution_id:
                    current = self.existing.institutions.get(self.existing.memberships[key])
                    row.error(
                        self.column("name") or self.column("family_name"),
                        _("%(person)s ist in diesem Netzwerk schon %(role)s für %(institution)s.")
                        % {
                            "person": self.existing.people[person_id].full_name,
                            "role": Membership.Role(role).label,
                            "institution": current.name if current else _("sich selbst"),
                        },
                    )
                    return
                row.membership = {"action": "keep"}
                return
        elif (
            person_ref is None
            and institution_id is not None
            and (None, institution_id, role) in self.existing.memberships
        ):
            row.membership = {"action": "keep"}
            return
        row.membership = {"action": "create", "role": role, "note": row.values.get("note", "")}
        row.changes.append(
            _("Mitglied in %(network)s (%(role)s)") % {"network": network.name, "role": Membership.Role(role).label}
        )

    @staticmethod
    def _ref(part: dict | None):
        if part is None:
            return None
        if part["action"] in ("create", "same"):
            return ("k", part["key"])
        return ("id", part["id"])


def _data_rows(run: ImportRun) -> tuple[list[tuple[int, list[str]]], dict[int, str]]:
    """The rows below the header that are not empty, and the lines merged across columns."""
    return [(line, cells) for line, cells in run.rows], {int(line): coord for line, coord in run.merged_across.items()}


def _plan(run: ImportRun, *, existing: _Existing | None = None) -> Plan:
    """Plan every row of ``run``'s file against the database as it is now."""
    rows, merged_across = _data_rows(run)
    planner = _Planner(run, existing or _Existing.load(run.network))
    plan = Plan(rows=[])
    for line, cells in rows:
        mapped = [cells[index] if index < len(cells) else "" for index, name in enumerate(run.mapping) if name]
        if not any(mapped):
            continue
        plan.rows.append(planner.row(line, cells, merged_across.get(line)))
    return plan


# --- the import -----------------------------------------------------------------------------


@transaction.atomic
def import_start(*, run: ImportRun, mode: str, actor: User | None = None) -> ImportRun:
    """Start importing: „alle“ only when no row has an error, „gueltige“ imports the rows
    without errors. Raises ``ValidationError`` otherwise. The caller runs
    ``import_execute`` (small files) or queues ``contacts.import_execute`` (large ones).
    Side effects: the run is queued (state, mode, progress reset)."""
    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    if run.state != ImportRun.State.PREVIEW:
        raise ValidationError(_("Dieser Import ist bereits gestartet."), code="started")
    if mode not in ImportRun.Mode.values:
        raise ValidationError(_("Unbekannter Umfang des Imports."), code="mode")
    if mode == ImportRun.Mode.ALL and run.counts.get("error"):
        raise ValidationError(
            _(
                "„Alle importieren“ geht nur, wenn keine Zeile einen Fehler hat. Bitte korrigieren "
                "oder nur die gültigen Zeilen importieren."
            ),
            code="errors",
        )
    run.mode = mode
    run.state = ImportRun.State.QUEUED
    run.rows_done = 0
    run.result = {}
    run.save()
    logger.info("Import %s queued by %s (%s)", run.pk, actor, mode)
    return run


def import_is_large(run: ImportRun) -> bool:
    return run.rows_total > SYNC_MAX_ROWS


def _claim(run_id: int) -> str | None:
    now = timezone.now()
    token = secrets.token_hex(16)
    claimed = ImportRun.objects.filter(
        Q(state=ImportRun.State.QUEUED) | Q(state=ImportRun.State.RUNNING, lease_until__lt=now), pk=run_id
    ).update(state=ImportRun.State.RUNNING, claim_token=token, lease_until=now + _lease(), started_at=now)
    return token if claimed else None


def import_execute(*, run_id: int) -> ImportRun | None:
    """Import the queued run ``run_id`` (a worker's task, or the request for small files).

    Claims the run (one worker at a time), plans every row afresh and writes the rows from
    ``rows_done`` on, ``CHUNK_ROWS`` per transaction with the progress. Rows with an error,
    undecided or skipped duplicates are left out. Returns the run, or ``None`` when another
    worker holds it or it is not queued. A planner's error in mode „alle“ (the database
    changed since the preview) fails the run before anything is written.
    Side effects: institutions, people, their addresses and affiliations, memberships; the run.
    """
    token = _claim(run_id)
    if token is None:
        return None
    run = ImportRun.objects.select_related("network", "default_type").defer("data").get(pk=run_id)
    try:
        existing = _Existing.load(run.network)
        plan = _plan(run, existing=existing)
        if run.mode == ImportRun.Mode.ALL and plan.counts()["error"] and run.rows_done == 0:
            return _fail(
                run,
                token,
                _("Seit der Vorschau hat sich etwas geändert: neue Fehler. Bitte die Vorschau neu erstellen."),
            )
        writer = _Writer(run, existing)
        start = run.rows_done
        for first in range(start, len(plan.rows), CHUNK_ROWS):
            chunk = plan.rows[first : first + CHUNK_ROWS]
            with transaction.atomic():
                locked = ImportRun.objects.select_for_update().only("claim_token", "result").get(pk=run_id)
                if locked.claim_token != token:
                    return None
                result = writer.write(chunk, dict(locked.result))
                ImportRun.objects.filter(pk=run_id).update(
                    rows_done=first + len(chunk),
                    rows_total=len(plan.rows),
                    result=result,
                    lease_until=timezone.now() + _lease(),
                    updated_at=timezone.now(),
                )
        # The report keeps the plan as it was carried out (decisions applied).
        ImportRun.objects.filter(pk=run_id, claim_token=token).update(
            state=ImportRun.State.DONE,
            claim_token="",
            lease_until=None,
            finished_at=timezone.now(),
            rows_total=len(plan.rows),
            rows_done=len(plan.rows),
            preview=[row.as_json() for row in plan.rows] if start == 0 else run.preview,
            counts=plan.counts() if start == 0 else run.counts,
        )
    except ValidationError as error:
        return _fail(run, token, " ".join(error.messages))
    except IntegrityError:
        logger.exception("Import %s collided with a concurrent change", run_id)
        return _fail(
            run,
            token,
            _(
                "Ein Eintrag wurde gleichzeitig anders angelegt. Bitte die Vorschau neu erstellen "
                "und erneut importieren."
            ),
        )
    run.refresh_from_db()
    logger.info("Import %s done: %s", run.pk, run.result.get("rows"))
    return run


def _fail(run: ImportRun, token: str, message: str) -> ImportRun:
    ImportRun.objects.filter(pk=run.pk, claim_token=token).update(
        state=ImportRun.State.FAILED, error=message, claim_token="", lease_until=None, finished_at=timezone.now()
    )
    run.refresh_from_db()
    return run


class _Writer:
    """Writes planned rows: new entries in bulk (validated one by one first, uniqueness
    known from the planner), changes one by one."""

    def __init__(self, run: ImportRun, existing: _Existing) -> None:
        self.run = run
        self.existing = existing
        self.institution_by_key: dict[tuple, int] = {}
        self.person_by_key: dict[str, int] = {}

    def _slug(self, name: str) -> str:
        base = slugify(name)[:150] or "einrichtung"
        slug, number = base, 2
        while slug in self.existing.slugs:
            slug, number = f"{base}-{number}", number + 1
        self.existing.slugs.add(slug)
        return slug

    def write(self, rows: list[PlanRow], result: dict) -> dict:
        counts = dict(result.get("rows", {}))
        totals = dict(result.get("entries", {}))
        people = list(result.get("people", []))
        wanted = []
        for row in rows:
            status = row.status
            if status in ("error", "duplicate"):
                counts["skipped"] = counts.get("skipped", 0) + 1
                continue
            counts[status] = counts.get(status, 0) + 1
            wanted.append(row)
        now = timezone.now()
        # Institutions first: people and memberships point at them.
        new_institutions = []
        for row in wanted:
            part = row.institution
            if part and part["action"] == "create":
                institution = Institution(
                    **part["fields"],
                    is_demo=self.run.is_demo,
                    type=part["type"],
                    area_id=part["area_id"],
                    slug=self._slug(part["fields"]["name"]),
                    confirmed_at=now,
                )
                # Foreign keys are the planner's own (no query per row to re-check them).
                institution.full_clean(exclude=["type", "area"], validate_unique=False, validate_constraints=False)
                new_institutions.append((part["key"], institution))
            elif part and part["action"] == "update":
                self._update(Institution, part["id"], part["changes"], now)
                totals["institutions_updated"] = totals.get("institutions_updated", 0) + 1
        Institution.objects.bulk_create([institution for _key, institution in new_institutions])
        for key, institution in new_institutions:
            self.institution_by_key[key] = institution.pk
        totals["institutions_created"] = totals.get("institutions_created", 0) + len(new_institutions)
        new_people = []
        for row in wanted:
            part = row.person
            if part and part["action"] == "create":
                person = Person(**part["fields"], confirmed_at=now, is_demo=self.run.is_demo)
                person.full_clean(validate_unique=False, validate_constraints=False)
                new_people.append((part, person))
            elif part and part["action"] == "update" and part["changes"]:
                self._update(Person, part["id"], part["changes"], now)
        Person.objects.bulk_create([person for _part, person in new_people])
        for part, person in new_people:
            self.person_by_key[part["key"]] = person.pk
        totals["people_created"] = totals.get("people_created", 0) + len(new_people)
        channels, affiliations, memberships = [], [], []
        for _part, person in new_people:
            for kind, value in (
                (ContactChannel.Kind.EMAIL, _part["email"]),
                (ContactChannel.Kind.PHONE, _part["phone"]),
            ):
                if value:
                    channels.append(ContactChannel(person_id=person.pk, kind=kind, value=value, is_primary=True))
        for row in wanted:
            person_id = self._id(row.person, self.person_by_key)
            institution_id = self._id(row.institution, self.institution_by_key)
            if row.person and row.person["action"] == "update":
                primary = (
                    {kind for pid, kind, _value in self.existing.channels if pid == person_id}
                    if row.person["channels"]
                    else set()
                )
                for kind, value in row.person["channels"]:
                    channels.append(
                        ContactChannel(person_id=person_id, kind=kind, value=value, is_primary=kind not in primary)
                    )
                    self.existing.channels.add((person_id, kind, value))
                    primary.add(kind)
            if person_id is not None:
                people.append(person_id)
            if row.person and person_id and institution_id:
                affiliation = row.person.get("affiliation")
                function = row.values.get("function", "")
                if affiliation == "create" and (person_id, institution_id) not in self.existing.affiliations:
                    affiliations.append(
                        Affiliation(person_id=person_id, institution_id=institution_id, function=function)
                    )
                    self.existing.affiliations[(person_id, institution_id)] = function
                elif affiliation == "update":
                    Affiliation.objects.filter(person_id=person_id, institution_id=institution_id).update(
                        function=function
                    )
            if row.membership and row.membership["action"] == "create":
                membership = Membership(
                    network=self.run.network,
                    person_id=person_id,
                    institution_id=institution_id,
                    role=row.membership["role"],
                    note=row.membership["note"][:200],
                    start=timezone.localdate(),
                )
                membership.clean_fields(exclude=["network", "person", "institution"])
                memberships.append(membership)
        for channel in channels:
            channel.clean_fields(exclude=["person"])
            channel.clean()
        ContactChannel.objects.bulk_create(channels)
        Affiliation.objects.bulk_create(affiliations)
        Membership.objects.bulk_create(memberships)
        # A bulk write sends no signals: the first version of each new entry is written here,
        # naming who uploaded the list (or whom the demo's replay names).
        for model, created in (
            (Institution, [institution for _key, institution in new_institutions]),
            (Person, [person for _part, person in new_people]),
            (ContactChannel, channels),
            (Membership, memberships),
        ):
            if created:
                model.history.bulk_history_create(created, **self._history())
        totals["memberships_created"] = totals.get("memberships_created", 0) + len(memberships)
        return {"rows": counts, "entries": totals, "people": sorted(set(people))}

    @staticmethod
    def _id(part: dict | None, created: dict) -> int | None:
        if part is None:
            return None
        if part["action"] in ("create", "same"):
            return created.get(part["key"])
        return part["id"]

    def _history(self) -> dict:
        defaults = bulk_history_defaults()
        return {**defaults, "default_user": defaults["default_user"] or self.run.created_by}

    def _update(self, model, pk: int, changes: dict, now: datetime.datetime) -> None:
        instance = model.objects.get(pk=pk)
        # The version names who uploaded the list, also when a worker writes it.
        instance._history_user = self._history()["default_user"]
        for name, value in changes.items():
            setattr(instance, name, value)
        instance.confirmed_at = now
        instance.full_clean(validate_unique=False, validate_constraints=False)
        instance.save(update_fields=[*changes, "confirmed_at", "updated_at"])


# --- the sweep ------------------------------------------------------------------------------


def imports_resume() -> list[int]:
    """The runs a worker should (go on) import: queued ones nobody took for a minute, and
    running ones whose worker stopped renewing its lease (it died). Queues a task for each.
    Returns their ids. Side effects: one ``contacts.import_execute`` task per run."""
    from contacts.tasks import import_execute_task

    now = timezone.now()
    stale = ImportRun.objects.filter(
        Q(state=ImportRun.State.QUEUED, updated_at__lt=now - datetime.timedelta(seconds=30))
        | Q(state=ImportRun.State.RUNNING, lease_until__lt=now)
    ).values_list("pk", flat=True)
    ids = list(stale)
    for run_id in ids:
        import_execute_task.delay(run_id=run_id)
    return ids
