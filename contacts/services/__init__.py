"""Every write to the directory: keyword-only functions, validated, in one transaction."""

import csv
import datetime
import io
import logging
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from contacts.clients import email_normalize
from contacts.models import (
    Area,
    Consent,
    ContactChannel,
    ContactMessage,
    Institution,
    Membership,
    Network,
    Person,
    Street,
    User,
)
from contacts.selectors import contact_message_recipients
from contacts.textsearch import fold

logger = logging.getLogger(__name__)


def _save(instance):
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def membership_start(
    *,
    network: Network,
    role: str = Membership.Role.MEMBER,
    person: Person | None = None,
    institution: Institution | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    note: str = "",
) -> Membership:
    """Add a member (an institution represented by a person, or an individual) or a role.

    Raises ``ValidationError`` for impossible states: no holder, an end before the start,
    the same role twice in overlapping terms.
    """
    membership = Membership(
        network=network,
        role=role,
        person=person,
        institution=institution,
        start=start or timezone.localdate(),
        end=end,
        note=note,
    )
    return _save(membership)


@transaction.atomic
def membership_end(*, membership: Membership, end: datetime.date | None = None) -> Membership:
    """End a membership or a term of office; the row stays as history."""
    membership.end = end or timezone.localdate()
    return _save(membership)


MEMBERSHIP_FIELDS = ("network", "person", "institution", "role", "start", "end", "note")
CHANNEL_FIELDS = ("kind", "value", "label", "is_primary")


@transaction.atomic
def membership_update(*, membership: Membership, **changes) -> Membership:
    """Correct a membership: holder, role, term or note (ending one is ``membership_end``).

    Raises ``ValidationError`` as ``membership_start``; ``TypeError`` for other fields.
    Side effects: the membership row.
    """
    unknown = set(changes) - set(MEMBERSHIP_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(membership, name, value)
    return _save(membership)


def _primary_demote(channel: ContactChannel) -> None:
    """A new primary address demotes the person's previous one of the same kind."""
    if channel.is_primary:
        others = ContactChannel.objects.filter(person_id=channel.person_id, kind=channel.kind, is_primary=True)
        # One row at most, saved (not updated) so that its history records the change.
        for other in others.exclude(pk=channel.pk):
            other.is_primary = False
            other.save(update_fields=["is_primary"])


@transaction.atomic
def channel_add(*, person: Person, kind: str, value: str, label: str = "", is_primary: bool = False) -> ContactChannel:
    """Add an e-mail address or phone number; a new primary one demotes the old."""
    channel = ContactChannel(person=person, kind=kind, value=value, label=label, is_primary=is_primary)
    _primary_demote(channel)
    return _save(channel)


@transaction.atomic
def channel_update(*, channel: ContactChannel, **changes) -> ContactChannel:
    """Change an address or number, its label or kind; becoming primary demotes the old one.

    Raises ``ValidationError`` (German) for an invalid address; ``TypeError`` for other
    fields. Side effects: the channel row; ``is_primary`` of the person's other channels.
    """
    unknown = set(changes) - set(CHANNEL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(channel, name, value)
    _primary_demote(channel)
    return _save(channel)


@transaction.atomic
def channel_remove(*, channel: ContactChannel) -> None:
    """Delete an address or number that no consent names.

    Raises ``ValidationError`` when a consent names it: the consent is a legal record and
    must keep the channel it was given for. Side effects: the channel row is deleted.
    """
    if channel.consents.exists():
        raise ValidationError(
            _("%(channel)s ist in einer Einwilligung genannt und kann nicht gelöscht werden.") % {"channel": channel}
        )
    channel.delete()


@transaction.atomic
def consent_record(
    *,
    person: Person,
    scope: str,
    audience: int,
    text_version: str,
    source: str,
    channel: ContactChannel | None = None,
    given_at: datetime.datetime | None = None,
    recorded_by: User | None = None,
) -> Consent:
    """Record a consent to show a person field to an audience (never edited afterwards)."""
    consent = Consent(
        person=person,
        scope=scope,
        audience=audience,
        text_version=text_version,
        source=source,
        channel=channel,
        given_at=given_at or timezone.now(),
        recorded_by=recorded_by,
    )
    return _save(consent)


@transaction.atomic
def consent_withdraw(*, consent: Consent, at: datetime.datetime | None = None) -> Consent:
    """Withdraw a consent. From now on the field falls back to the next widest consent."""
    if consent.withdrawn_at is None:
        consent.withdrawn_at = at or timezone.now()
        _save(consent)
    return consent


@transaction.atomic
def account_invite(*, person: Person, email: str | None = None, invited_by: User | None = None) -> User:
    """Give ``person`` an account and mail them a link to choose a password.

    The address is ``email`` or the person's primary e-mail channel. The account has no
    usable password until the link is followed; the link expires after
    ``PASSWORD_RESET_TIMEOUT``. Side effect: one mail, sent after the transaction commits.
    """
    address = (
        email
        or person.channels.filter(kind=ContactChannel.Kind.EMAIL)
        .order_by("-is_primary", "id")
        .values_list("value", flat=True)
        .first()
    )
    if not address:
        raise ValidationError(_("%(person)s hat keine E-Mail-Adresse für die Einladung.") % {"person": person})
    user = person.user
    if user is None:
        if User.objects.filter(email=email_normalize(address)).exists():
            raise ValidationError(_("Für %(email)s gibt es bereits einen Zugang.") % {"email": address})
        user = User(email=email_normalize(address))
        user.set_unusable_password()
        _save(user)
        person.user = user
        person.save(update_fields=["user", "updated_at"])
    transaction.on_commit(lambda: account_invitation_send(user=user, person=person))
    logger.info("Account invitation for person %s by %s", person.pk, invited_by)
    return user


def account_invitation_send(*, user: User, person: Person) -> None:
    """Mail the set-password link to a newly invited account, in the person's language."""
    link = settings.SITE_URL + reverse(
        "contacts:invitation_accept",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    with translation.override(person.language):
        context = {
            "person": person,
            "link": link,
            "valid_days": settings.PASSWORD_RESET_TIMEOUT // 86400,
        }
        message = EmailMessage(
            subject=_("Ihr Zugang zu Netzwerk Aachen"),
            body=render_to_string("contacts/mail/invitation.txt", context),
            to=[user.email],
        )
    message.send()


def _counter_increase(key: str, *, window_seconds: int) -> None:
    """Count one more event under ``key``; the count expires ``window_seconds`` after the first."""
    if cache.add(key, 1, timeout=window_seconds):
        return
    try:
        cache.incr(key)
    except ValueError:
        # Expired between add() and incr().
        cache.set(key, 1, timeout=window_seconds)


# --- Password reset --------------------------------------------------------------------
#
# Anybody can type any address into "Passwort vergessen", and each request sends a mail:
# requests count per (normalised) address and per client address, whether or not an
# account exists, so the answer says nothing about which addresses have one. The mail is
# built and sent by a Celery task (contacts.tasks), never inside the request, and its link
# starts with SITE_URL, never with the Host header of whoever asked.


def _password_reset_keys(*, email: str, client: str) -> list[str]:
    return [f"password-reset:email:{email_normalize(email)}", f"password-reset:client:{client}"]


@transaction.atomic
def password_reset_request(*, email: str, client: str) -> None:
    """Ask for a password-reset mail to ``email`` on behalf of ``client`` (its address).

    Raises ``ValidationError`` (German, code ``rate_limited``) when this address or this
    client has asked ``PASSWORD_RESET_LIMIT`` times within the window; then nothing is sent.

    Side effects: both counters rise; for each active account with a usable password and
    this address, one ``contacts.password_reset_send`` task is queued when the transaction
    commits. An address without an account changes nothing else.
    """
    keys = _password_reset_keys(email=email, client=client)
    if any((cache.get(key) or 0) >= settings.PASSWORD_RESET_LIMIT for key in keys):
        raise ValidationError(
            _(
                "Für diese Adresse oder von Ihrem Anschluss wurden in kurzer Zeit bereits mehrere Links "
                "angefordert. Bitte warten Sie eine Stunde und versuchen Sie es dann erneut."
            ),
            code="rate_limited",
        )
    for key in keys:
        _counter_increase(key, window_seconds=settings.PASSWORD_RESET_WINDOW_SECONDS)
    # Imported here: the tasks module imports this one.
    from contacts.tasks import password_reset_send

    for user in User.objects.filter(email=email_normalize(email), is_active=True):
        if user.has_usable_password():
            # delay_on_commit, but robust: a broker that is down is logged, and the page
            # answers as always (the person can ask again) instead of failing after the commit.
            transaction.on_commit(partial(password_reset_send.delay, user_id=user.pk), robust=True)


def password_reset_mail_send(*, user: User) -> None:
    """Mail ``user`` the link to choose a new password, in the language of their person.

    Side effects: one mail to the account's address. The link starts with ``SITE_URL`` and
    carries a token that a password change or a login makes invalid.
    """
    link = settings.SITE_URL + reverse(
        "contacts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    person = Person.objects.filter(user=user).first()
    with translation.override(person.language if person else settings.LANGUAGE_CODE):
        message = EmailMessage(
            subject=render_to_string("contacts/mail/password_reset_subject.txt").strip(),
            body=render_to_string("contacts/mail/password_reset.txt", {"link": link}),
            to=[user.email],
        )
    message.send()
    logger.info("Password-reset mail sent to account %s", user.pk)


# --- the street index ------------------------------------------------------------------
#
# Sozialplanung imports the city's Straßenverzeichnis from a CSV file (Excel's "CSV UTF-8"
# export: UTF-8 with a byte order mark, ";" between fields). Every broken row is reported
# with its line number; nothing is written unless every row is valid, or the person
# importing chose "import the valid rows" explicitly.

STREET_IMPORT_MAX_BYTES = 10 * 1024 * 1024


class StreetImportMode(models.TextChoices):
    REPLACE = "ersetzen", _("Verzeichnis ersetzen (alle bisherigen Straßen löschen)")
    ADD = "ergaenzen", _("ergänzen (bestehende Zeilen aktualisieren, neue hinzufügen)")


# Header spellings seen in the city's exports, folded and without punctuation or spaces.
STREET_COLUMNS = {
    "name": {"strase", "strasenname", "name", "strasenbezeichnung"},
    "number_from": {"von", "hausnummervon", "nrvon", "hnrvon", "hausnrvon"},
    "number_to": {"bis", "hausnummerbis", "nrbis", "hnrbis", "hausnrbis"},
    "parity": {"seite", "paritat", "geradeungerade", "straseseite"},
    "postal_code": {"plz", "postleitzahl"},
    "area": {"lebensraum", "lebensraumnummer", "lebensraumnr", "lr"},
}
STREET_REQUIRED_COLUMNS = {"name": _("Straße"), "area": _("Lebensraum")}
STREET_EXPECTED_HEADER = "Straße;Hausnummer von;Hausnummer bis;Seite;PLZ;Lebensraum"
STREET_PARITIES = {
    "": Street.Parity.ALL,
    "alle": Street.Parity.ALL,
    "a": Street.Parity.ALL,
    "beide": Street.Parity.ALL,
    "ungerade": Street.Parity.ODD,
    "u": Street.Parity.ODD,
    "gerade": Street.Parity.EVEN,
    "g": Street.Parity.EVEN,
}


@dataclass(frozen=True)
class StreetImportProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return _("Zeile %(line)s: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class StreetImportReport:
    """What an import found and did. ``written`` is false when nothing was changed."""

    mode: str
    problems: list[StreetImportProblem] = field(default_factory=list)
    rows_read: int = 0
    rows_valid: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def _street_header_key(cell: str) -> str:
    return "".join(ch for ch in (fold(cell.strip()) or "") if ch.isalnum())


def _street_number(text: str, label: str, problems: list[str]) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or int(text) == 0:
        problems.append(
            _("%(label)s „%(value)s“ ist keine Hausnummer (nur Ziffern, ohne Zusatz wie „a“).")
            % {"label": label, "value": text}
        )
        return None
    return int(text)


def _street_row_parse(cells: dict[str, str], living_areas: dict[str, Area]) -> tuple[Street | None, list[str]]:
    """A ``Street`` (not saved) from one row, or the problems that prevent it."""
    problems: list[str] = []
    name = " ".join(cells.get("name", "").split())
    if not name:
        problems.append(_("Der Straßenname fehlt."))
    elif len(name) > 200:
        problems.append(_("Der Straßenname ist länger als 200 Zeichen."))
    number_from = _street_number(cells.get("number_from", ""), _("Hausnummer von"), problems)
    number_to = _street_number(cells.get("number_to", ""), _("Hausnummer bis"), problems)
    if not problems:
        if (number_from is None) != (number_to is None):
            problems.append(_("Bitte geben Sie beide Hausnummern an (von und bis) oder keine."))
        elif number_from is not None and number_to < number_from:
            problems.append(
                _("Der Hausnummernbereich %(start)s–%(end)s ist verkehrt herum („bis“ ist kleiner als „von“).")
                % {"start": number_from, "end": number_to}
            )
    parity_text = cells.get("parity", "").strip()
    parity = STREET_PARITIES.get(fold(parity_text))
    if parity is None:
        problems.append(
            _("Die Seite „%(value)s“ ist unbekannt; erlaubt sind „alle“, „gerade“ und „ungerade“.")
            % {"value": parity_text}
        )
    postal_code = cells.get("postal_code", "").strip()
    if postal_code and not (len(postal_code) == 5 and postal_code.isdigit()):
        problems.append(_("Die Postleitzahl „%(value)s“ hat nicht fünf Ziffern.") % {"value": postal_code})
    area_text = " ".join(cells.get("area", "").split())
    area = None
    if not area_text:
        problems.append(_("Der Lebensraum fehlt."))
    else:
        # "341", "Rothe Erde" and "341 Rothe Erde" all name the same Lebensraum.
        code = area_text.split(" ", 1)[0]
        area = living_areas.get(code) or living_areas.get(fold(area_text))
        if area is None:
            problems.append(
                _("Den Lebensraum „%(value)s“ gibt es nicht; bitte Nummer oder Namen eines Lebensraums angeben.")
                % {"value": area_text}
            )
    if problems:
        return None, problems
    street = Street(
        name=name,
        number_from=number_from,
        number_to=number_to,
        parity=parity,
        postal_code=postal_code,
        area=area,
        search_name=fold(name),
    )
    return street, []


def _street_key(street: Street) -> tuple:
    return (street.name, street.postal_code, street.number_from, street.number_to, street.parity)


def _street_rows_read(data: bytes, report: StreetImportReport) -> list[tuple[int, Street]]:
    """Parse the file; file-level problems (encoding, header) are reported at their line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        report.problems.append(
            StreetImportProblem(
                line,
                _(
                    "Die Datei ist nicht UTF-8-kodiert. Bitte in Excel „Speichern unter“ → "
                    "„CSV UTF-8 (durch Trennzeichen getrennt)“ wählen."
                ),
            )
        )
        return []
    lines = text.splitlines()
    header_line = next((line for line in lines if line.strip()), "")
    if not header_line:
        report.problems.append(StreetImportProblem(1, _("Die Datei ist leer.")))
        return []
    delimiter = ";" if ";" in header_line else ("," if "," in header_line else None)
    header_number = lines.index(header_line) + 1
    if delimiter is None:
        report.problems.append(
            StreetImportProblem(
                header_number,
                _("Die Kopfzeile ist nicht durch Semikolon getrennt. Erwartet wird zum Beispiel: %(header)s")
                % {"header": STREET_EXPECTED_HEADER},
            )
        )
        return []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] = []
    for cells in reader:
        if any(cell.strip() for cell in cells):
            header = cells
            break
    columns: dict[int, str] = {}
    for position, cell in enumerate(header):
        key = _street_header_key(cell)
        for column, spellings in STREET_COLUMNS.items():
            if key in spellings and column not in columns.values():
                columns[position] = column
    missing = [str(label) for column, label in STREET_REQUIRED_COLUMNS.items() if column not in columns.values()]
    if missing:
        report.problems.append(
            StreetImportProblem(
                reader.line_num,
                _(
                    "In der Kopfzeile fehlt die Spalte %(missing)s (gefunden: %(found)s). "
                    "Erwartet wird zum Beispiel: %(header)s"
                )
                % {
                    "missing": " und ".join(f"„{label}“" for label in missing),
                    "found": ", ".join(f"„{cell.strip()}“" for cell in header),
                    "header": STREET_EXPECTED_HEADER,
                },
            )
        )
        return []
    living_areas: dict[str, Area] = {}
    for area in Area.objects.filter(level=Area.Level.LIVING_AREA):
        living_areas.setdefault(fold(area.name), area)
        if area.code:
            living_areas[area.code] = area
    rows: list[tuple[int, Street]] = []
    seen: dict[tuple, int] = {}
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            report.rows_read += 1
            while len(cells) > len(header) and not cells[-1].strip():
                cells = cells[:-1]
            if len(cells) != len(header):
                report.problems.append(
                    StreetImportProblem(
                        line,
                        _(
                            "%(found)s statt %(expected)s Spalten. Fehlt ein Trennzeichen „%(delimiter)s“ "
                            "oder steht eines zu viel?"
                        )
                        % {"found": len(cells), "expected": len(header), "delimiter": delimiter},
                    )
                )
                continue
            street, problems = _street_row_parse(
                {column: cells[position] for position, column in columns.items()}, living_areas
            )
            if street is not None and _street_key(street) in seen:
                problems = [
                    _("Dieselbe Straße mit denselben Hausnummern steht schon in Zeile %(line)s.")
                    % {"line": seen[_street_key(street)]}
                ]
            report.problems.extend(StreetImportProblem(line, message) for message in problems)
            if not problems:
                seen[_street_key(street)] = line
                rows.append((line, street))
    except csv.Error as error:
        report.problems.append(
            StreetImportProblem(reader.line_num, _("Die Zeile ist kein gültiges CSV (%(error)s).") % {"error": error})
        )
        return []
    report.rows_valid = len(rows)
    return rows


@transaction.atomic
def street_index_import(*, file, mode: str, import_valid_rows: bool = False) -> StreetImportReport:
    """Import the Straßenverzeichnis from a CSV file (bytes or a binary file object).

    ``mode`` says explicitly what happens to the rows already there: ``"ersetzen"`` deletes
    them all first, ``"ergaenzen"`` keeps them, updates the Lebensraum of rows with the same
    street, postal code and house numbers, and adds the rest. Broken rows are reported with
    their line numbers; then nothing is written, unless ``import_valid_rows`` is true, in
    which case the valid rows are. A file that cannot be read at all (encoding, header,
    no rows) is never imported. Side effects: deletes, updates and creates ``Street`` rows
    in one transaction.
    """
    if mode not in StreetImportMode.values:
        raise ValueError(f"unknown street import mode {mode!r}")
    report = StreetImportReport(mode=mode)
    data = file if isinstance(file, bytes) else file.read(STREET_IMPORT_MAX_BYTES + 1)
    if len(data) > STREET_IMPORT_MAX_BYTES:
        report.problems.append(StreetImportProblem(1, _("Die Datei ist größer als 10 MB.")))
        return report
    rows = _street_rows_read(data, report)
    if report.rows_read == 0 and not report.problems:
        report.problems.append(StreetImportProblem(2, _("Die Datei enthält keine Straßen, nur die Kopfzeile.")))
    # Without a single valid row even "import the valid rows" must not empty the index.
    if not rows or (report.problems and not import_valid_rows):
        return report
    streets = [street for _line, street in rows]
    if mode == StreetImportMode.REPLACE:
        report.deleted, _details = Street.objects.all().delete()
        existing = {}
    else:
        existing = {_street_key(s): s for s in Street.objects.filter(name__in={s.name for s in streets})}
    missing = []
    for street in streets:
        current = existing.get(_street_key(street))
        if current is None:
            missing.append(street)
        elif current.area_id != street.area_id:
            current.area = street.area
            current.save(update_fields=["area", "updated_at"])
            report.updated += 1
    Street.objects.bulk_create(missing)
    report.created = len(missing)
    report.written = True
    logger.info(
        "Street index import (%s): %s created, %s updated, %s deleted, %s problems",
        mode,
        report.created,
        report.updated,
        report.deleted,
        len(report.problems),
    )
    return report


# --- Messages from the public forms ------------------------------------------------------


def _contact_messages_key(client: str) -> str:
    return f"contact-message:client:{client}"


def contact_messages_blocked(*, client: str) -> bool:
    """Whether ``client`` (its network address) has sent as many messages as the window allows."""
    return (cache.get(_contact_messages_key(client)) or 0) >= settings.CONTACT_MESSAGES_LIMIT


@transaction.atomic
def contact_message_submit(
    *,
    sender_name: str,
    sender_email: str,
    subject: str,
    body: str,
    copy_to_sender: bool,
    client: str,
    language: str = "de",
    network: Network | None = None,
    institution: Institution | None = None,
    kind: str = ContactMessage.Kind.CONTACT,
) -> ContactMessage:
    """Store a message from the contact form (to ``network`` or ``institution``) or the
    accessibility feedback form (``kind="barrierefreiheit"``, to neither) for delivery.

    Raises ``ValidationError`` (German) when ``client`` has sent too many messages within
    the window, when nobody could receive the message (an institution without an address),
    or when a field is invalid; then nothing is stored.

    Side effects: one ``ContactMessage`` row and the client's message counter rises. No
    mail is sent here: the notifications sweep finds the undelivered row and sends it to
    the recipients and, if asked for, the copy to the sender.
    """
    if contact_messages_blocked(client=client):
        raise ValidationError(
            _(
                "Von Ihrem Anschluss wurden in kurzer Zeit bereits mehrere Nachrichten gesendet. "
                "Bitte warten Sie eine Stunde und senden Sie Ihre Nachricht dann erneut."
            ),
            code="rate_limited",
        )
    message = ContactMessage(
        kind=kind,
        network=network,
        institution=institution,
        sender_name=sender_name.strip(),
        sender_email=sender_email.strip(),
        subject=subject.strip(),
        body=body.strip(),
        copy_to_sender=copy_to_sender,
        language=language,
    )
    message.full_clean()
    if not contact_message_recipients(message):
        raise ValidationError(
            _(
                "Für diese Nachricht ist zurzeit niemand erreichbar. Bitte wenden Sie sich an die "
                "Sozialplanung der Stadt Aachen."
            ),
            code="no_recipient",
        )
    message.save()
    _counter_increase(_contact_messages_key(client), window_seconds=settings.CONTACT_MESSAGES_WINDOW_SECONDS)
    return message
