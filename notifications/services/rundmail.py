"""„Rundmail“: a network's speakers write to its members; members propose one (an event of
their institution) and the speakers approve it from their outbox.

A Rundmail is written as a draft (or proposed), looked at in the preview, then scheduled —
for now or for a chosen moment. The mails themselves are rows of the delivery log like
every other mail (DESIGN.md principle 1): the sweep plans them once the moment has come,
for everyone the audience reaches then (``_plan_rundmails``), in one INSERT whose unique
key makes a second mail to the same person impossible; the send task decides each mail
again just before it leaves (an opt-out or a withdrawal committed meanwhile wins).
Withdrawing a scheduled Rundmail takes its row lock, as planning does: whichever commits
first decides, and a withdrawn Rundmail has no rows to send.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Institution, InstitutionType, Membership, Network, Person
from contacts.text import clean_single_line, strip_invisible
from meetings.recurrence import BERLIN
from meetings.uploads import upload_type
from notifications import selectors
from notifications.compose import rundmail_placeholders_unknown
from notifications.models import Delivery, Kind, Rundmail, RundmailAttachment, Subject
from notifications.services.planning import _enqueue, _row

logger = logging.getLogger(__name__)

# Attached to the mail while all files together stay below this; otherwise linked.
RUNDMAIL_ATTACH_MAX_BYTES = 5 * 1024 * 1024
RUNDMAIL_MAX_FILES = 5
SUBJECT_MAX = 150
BODY_MAX = 20000
# A moment this little in the past still counts as „now“ (the time it took to submit).
SCHEDULE_SLACK = datetime.timedelta(minutes=1)
# Scheduled further ahead than this is most likely a typo in the year.
SCHEDULE_MAX_AHEAD = datetime.timedelta(days=366)


def _today(now: datetime.datetime) -> datetime.date:
    return now.astimezone(BERLIN).date()


def _clean_text(*, subject: str, body: str) -> tuple[str, str]:
    """Subject (one line: it becomes a mail header) and body, checked; raises
    ``ValidationError`` (German, per field)."""
    errors: dict[str, list[str]] = {}
    try:
        subject = clean_single_line(subject or "")
    except ValidationError as error:
        errors["subject"] = list(error.messages)
    body = strip_invisible(body or "").strip("\n")
    if not subject and "subject" not in errors:
        errors["subject"] = [_("Bitte geben Sie einen Betreff an.")]
    elif len(subject) > SUBJECT_MAX:
        errors["subject"] = [_("Der Betreff ist zu lang (höchstens %(max)d Zeichen).") % {"max": SUBJECT_MAX}]
    if not body.strip():
        errors["body"] = [_("Bitte schreiben Sie einen Text.")]
    elif len(body) > BODY_MAX:
        errors["body"] = [_("Der Text ist zu lang (höchstens %(max)d Zeichen).") % {"max": BODY_MAX}]
    for field, text in (("subject", subject), ("body", body)):
        unknown = rundmail_placeholders_unknown(text)
        if unknown:
            errors.setdefault(field, []).append(
                _("Den Platzhalter %(names)s gibt es nicht. Möglich sind: {anrede}, {name}, {netzwerk}.")
                % {"names": ", ".join(f"„{{{name}}}“" for name in unknown)}
            )
    if errors:
        raise ValidationError(errors)
    return subject, body


def _clean_audience(*, roles: Iterable[str], institution_type_ids: Iterable[int]) -> tuple[list[str], list[int]]:
    roles = sorted(set(roles or ()))
    unknown = [role for role in roles if role not in Membership.Role.values]
    if unknown:
        raise ValidationError({"roles": _("Unbekannte Rolle: %(roles)s") % {"roles": ", ".join(unknown)}})
    type_ids = sorted({int(pk) for pk in institution_type_ids or ()})
    known = set(InstitutionType.objects.filter(pk__in=type_ids).values_list("pk", flat=True))
    if set(type_ids) - known:
        raise ValidationError({"institution_types": _("Diese Einrichtungsart gibt es nicht.")})
    return roles, type_ids


def _check_files(files: Iterable, *, existing: int = 0) -> list[tuple[object, str]]:
    """Each upload with its checked type (by content, ``meetings.uploads.upload_type``);
    raises ``ValidationError`` naming the file before anything is stored."""
    files = list(files or ())
    if existing + len(files) > RUNDMAIL_MAX_FILES:
        raise ValidationError({"files": _("Höchstens %(count)d Anhänge je Rundmail.") % {"count": RUNDMAIL_MAX_FILES}})
    checked = []
    for upload in files:
        try:
            safe = upload_type(upload)
        except ValidationError as error:
            raise ValidationError({"files": [f"{upload.name}: {message}" for message in error.messages]}) from None
        checked.append((upload, safe.mime))
    return checked


def _store_files(rundmail: Rundmail, checked: list[tuple[object, str]]) -> None:
    for upload, mime in checked:
        name = (upload.name or "anhang").rsplit("/", 1)[-1][:200]
        attachment = RundmailAttachment(rundmail=rundmail, name=name, mime=mime, size=upload.size)
        attachment.file.save(name, upload, save=False)
        attachment.full_clean()
        attachment.save()


def _leads(actor, network: Network) -> bool:
    return actor is not None and actor.has_perm("notifications.send_rundmail", network)


def _author(actor) -> Person | None:
    return getattr(actor, "person", None) if actor is not None else None


@transaction.atomic
def rundmail_create(
    *,
    network: Network,
    actor,
    subject: str,
    body: str,
    roles: Iterable[str] = (),
    institution_type_ids: Iterable[int] = (),
    files: Iterable = (),
) -> Rundmail:
    """A speaker's draft of a Rundmail to ``network``'s members (all, or by role, or by the
    type of the institution they are there for), with its attachments.

    Raises ``PermissionDenied``-free ``ValidationError`` (German, per field) for an empty or
    too long text, an unknown placeholder, an unknown role or type, or a file whose content
    is not allowed (whatever its name says): then nothing is written. Side effects: the
    ``Rundmail`` row (``entwurf``) and its files.
    """
    if not _leads(actor, network):
        raise ValidationError(_("Nur das Sprecher*innenteam des Netzwerks kann eine Rundmail schreiben."))
    subject, body = _clean_text(subject=subject, body=body)
    roles, type_ids = _clean_audience(roles=roles, institution_type_ids=institution_type_ids)
    checked = _check_files(files)
    rundmail = Rundmail(network=network, subject=subject, body=body, roles=roles, author=_author(actor))
    rundmail.full_clean()
    rundmail.save()
    rundmail.institution_types.set(type_ids)
    _store_files(rundmail, checked)
    logger.info("Rundmail %s drafted for network %s", rundmail.pk, network.pk)
    return rundmail


@transaction.atomic
def rundmail_propose(
    *, network: Network, actor, subject: str, body: str, institution: Institution | None = None, files: Iterable = ()
) -> Rundmail:
    """A member proposes a Rundmail to all members of ``network`` (e.g. an event of their
    institution); it waits in the speakers' outbox for approval.

    Raises ``ValidationError`` (German) as ``rundmail_create``, and when the actor is no
    member or ``institution`` is not one they work at or represent. Side effects: the
    ``Rundmail`` row (``vorgeschlagen``) and its files.
    """
    if actor is None or not actor.has_perm("notifications.propose_rundmail", network):
        raise ValidationError(_("Nur Mitglieder des Netzwerks können eine Rundmail vorschlagen."))
    subject, body = _clean_text(subject=subject, body=body)
    if institution is not None and institution.pk not in {
        choice.pk for choice in selectors_institutions_of(actor=actor, network=network)
    }:
        raise ValidationError({"institution": _("Bitte wählen Sie eine Einrichtung, für die Sie im Netzwerk sind.")})
    checked = _check_files(files)
    rundmail = Rundmail(
        network=network,
        subject=subject,
        body=body,
        state=Rundmail.State.PROPOSED,
        author=_author(actor),
        institution=institution,
        proposed_at=timezone.now(),
    )
    rundmail.full_clean()
    rundmail.save()
    _store_files(rundmail, checked)
    logger.info("Rundmail %s proposed for network %s", rundmail.pk, network.pk)
    return rundmail


def selectors_institutions_of(*, actor, network: Network) -> list[Institution]:
    """The institutions ``actor`` is in ``network`` for, or works at (for a proposal)."""
    person = _author(actor)
    if person is None:
        return []
    today = _today(timezone.now())
    ids = set(
        Membership.objects.active(today)
        .filter(network=network, person=person, institution__isnull=False)
        .values_list("institution_id", flat=True)
    ) | set(person.affiliations.values_list("institution_id", flat=True))
    return list(Institution.objects.filter(pk__in=ids).order_by("name"))


def _locked(rundmail: Rundmail) -> Rundmail:
    return Rundmail.objects.select_for_update().get(pk=rundmail.pk)


@transaction.atomic
def rundmail_update(
    *,
    rundmail: Rundmail,
    actor,
    subject: str,
    body: str,
    roles: Iterable[str] = (),
    institution_type_ids: Iterable[int] = (),
    files: Iterable = (),
    remove_attachment_ids: Iterable[int] = (),
) -> Rundmail:
    """Change a draft or a proposal before it is scheduled (speakers; a proposal also its
    author while it waits). Raises ``ValidationError`` (German) as ``rundmail_create`` and
    for a Rundmail that is scheduled or out. Side effects: the row, its files."""
    rundmail = _locked(rundmail)
    is_author = rundmail.author_id is not None and rundmail.author_id == getattr(_author(actor), "pk", None)
    if not (_leads(actor, rundmail.network) or (is_author and rundmail.state == Rundmail.State.PROPOSED)):
        raise ValidationError(_("Diese Rundmail können Sie nicht ändern."))
    if rundmail.state not in (Rundmail.State.DRAFT, Rundmail.State.PROPOSED):
        raise ValidationError(_("Eine geplante oder versandte Rundmail kann nicht mehr geändert werden."))
    subject, body = _clean_text(subject=subject, body=body)
    roles, type_ids = _clean_audience(roles=roles, institution_type_ids=institution_type_ids)
    removing = set(remove_attachment_ids or ())
    kept = rundmail.attachments.exclude(pk__in=removing).count()
    checked = _check_files(files, existing=kept)
    rundmail.subject, rundmail.body, rundmail.roles = subject, body, roles
    rundmail.full_clean()
    rundmail.save()
    rundmail.institution_types.set(type_ids)
    for attachment in rundmail.attachments.filter(pk__in=removing):
        attachment.file.delete(save=False)
        attachment.delete()
    _store_files(rundmail, checked)
    return rundmail


@transaction.atomic
def rundmail_schedule(
    *, rundmail: Rundmail, actor, send_at: datetime.datetime | None = None, now: datetime.datetime | None = None
) -> Rundmail:
    """Send a draft — or approve a member's proposal — now (``send_at`` empty) or at
    ``send_at``.

    Raises ``ValidationError`` (German) for a moment in the past or more than a year
    ahead, a Rundmail that is no draft or proposal any more, and one that would reach nobody
    (no member in its audience, or all of them switched these mails off): nothing is
    changed then. Side effects: the row (``geplant``); sent now, its delivery rows and after
    commit their send tasks (otherwise the sweep plans them at ``send_at``).
    """
    now = now or timezone.now()
    rundmail = _locked(rundmail)
    if not _leads(actor, rundmail.network):
        raise ValidationError(_("Nur das Sprecher*innenteam des Netzwerks kann eine Rundmail versenden."))
    if rundmail.state not in (Rundmail.State.DRAFT, Rundmail.State.PROPOSED):
        raise ValidationError(
            _("Diese Rundmail ist %(state)s und kann nicht mehr versandt werden.")
            % {"state": rundmail.get_state_display()}
        )
    if send_at is not None:
        if send_at < now - SCHEDULE_SLACK:
            raise ValidationError(
                {"send_at": _("Der Zeitpunkt liegt in der Vergangenheit. Bitte wählen Sie einen späteren.")}
            )
        if send_at > now + SCHEDULE_MAX_AHEAD:
            raise ValidationError({"send_at": _("Bitte wählen Sie einen Zeitpunkt innerhalb eines Jahres.")})
    # The text may have been written before a placeholder was renamed: checked again.
    _clean_text(subject=rundmail.subject, body=rundmail.body)
    total, by_mail = selectors.rundmail_recipient_counts(rundmail, day=_today(now))
    if total == 0:
        raise ValidationError(_("Diese Rundmail erreicht niemanden: Im Netzwerk ist niemand in der gewählten Gruppe."))
    if by_mail == 0:
        raise ValidationError(
            _(
                "Diese Rundmail erreicht niemanden per Mail: Alle %(count)d Empfänger*innen haben "
                "„Mitteilungen aus dem Netzwerk“ abbestellt oder lesen sie im Wochenüberblick."
            )
            % {"count": total}
        )
    if rundmail.state == Rundmail.State.PROPOSED:
        rundmail.reviewed_by = _author(actor)
    rundmail.state = Rundmail.State.SCHEDULED
    rundmail.send_at = send_at if send_at is not None and send_at > now else now
    rundmail.full_clean()
    rundmail.save()
    logger.info("Rundmail %s scheduled for %s", rundmail.pk, rundmail.send_at.isoformat())
    if rundmail.send_at <= now:
        ids = _plan_now(rundmail, now=now)
        # Members are waiting for nothing: with the other bulk mail, but at once.
        transaction.on_commit(lambda: _enqueue(ids))
    return rundmail


@transaction.atomic
def rundmail_withdraw(*, rundmail: Rundmail, actor, now: datetime.datetime | None = None) -> Rundmail:
    """Withdraw a scheduled Rundmail before its moment: nobody gets it.

    The row lock decides against the sweep: once its mails are planned (the moment came),
    the Rundmail is out and can no longer be withdrawn (``ValidationError``). Side effects:
    the row (``zurueckgezogen``).
    """
    now = now or timezone.now()
    rundmail = _locked(rundmail)
    if not _leads(actor, rundmail.network):
        raise ValidationError(_("Nur das Sprecher*innenteam des Netzwerks kann eine Rundmail zurückziehen."))
    if rundmail.state != Rundmail.State.SCHEDULED:
        raise ValidationError(
            _("Nur eine geplante Rundmail kann zurückgezogen werden; diese ist %(state)s.")
            % {"state": rundmail.get_state_display()}
        )
    rundmail.state = Rundmail.State.WITHDRAWN
    rundmail.withdrawn_at = now
    rundmail.save(update_fields=["state", "withdrawn_at", "updated_at"])
    logger.info("Rundmail %s withdrawn", rundmail.pk)
    return rundmail


@transaction.atomic
def rundmail_reject(*, rundmail: Rundmail, actor, note: str) -> Rundmail:
    """Decline a member's proposal with a note the proposer reads in the archive of their
    proposals. Raises ``ValidationError`` (German) without a note or for a Rundmail that is
    no proposal. Side effects: the row (``abgelehnt``)."""
    rundmail = _locked(rundmail)
    if not _leads(actor, rundmail.network):
        raise ValidationError(_("Nur das Sprecher*innenteam des Netzwerks entscheidet über Vorschläge."))
    if rundmail.state != Rundmail.State.PROPOSED:
        raise ValidationError(_("Nur ein Vorschlag kann abgelehnt werden."))
    note = strip_invisible(note or "").strip()
    if not note:
        raise ValidationError({"note": _("Bitte schreiben Sie kurz, warum der Vorschlag nicht versandt wird.")})
    if len(note) > 500:
        raise ValidationError({"note": _("Die Anmerkung ist zu lang (höchstens 500 Zeichen).")})
    rundmail.state = Rundmail.State.REJECTED
    rundmail.review_note = note
    rundmail.reviewed_by = _author(actor)
    rundmail.save(update_fields=["state", "review_note", "reviewed_by", "updated_at"])
    return rundmail


@transaction.atomic
def rundmail_discard(*, rundmail: Rundmail, actor) -> None:
    """Delete a draft with its files. Raises ``ValidationError`` for anything but a draft."""
    rundmail = _locked(rundmail)
    if not _leads(actor, rundmail.network):
        raise ValidationError(_("Nur das Sprecher*innenteam des Netzwerks kann Entwürfe verwerfen."))
    if rundmail.state != Rundmail.State.DRAFT:
        raise ValidationError(_("Nur ein Entwurf kann verworfen werden."))
    for attachment in rundmail.attachments.all():
        attachment.file.delete(save=False)
    rundmail.delete()


# Planning ------------------------------------------------------------------------------


def _rows_insert(
    rundmail: Rundmail,
    *,
    now: datetime.datetime,
    state: str = Delivery.State.PLANNED,
    sent_at: datetime.datetime | None = None,
) -> int:
    """One row of the delivery log per person the audience reaches now, written by the
    database in one ``INSERT … SELECT`` from the memberships (no row passes through Python:
    2,000 recipients cost one statement); a row that exists stays as it is (the unique key
    of the log: ``ON CONFLICT DO NOTHING``). Also for those who switched these mails off:
    their row ends „entfallen“ with the reason, and the archive knows they were addressed.
    Returns the number of rows written."""
    template = _row(
        subject_type=Subject.RUNDMAIL,
        subject_id=rundmail.pk,
        kind=Kind.RUNDMAIL,
        person_id=0,
        network_id=rundmail.network_id,
        due_at=rundmail.send_at or now,
        state=state,
        now=now,
    )
    template.created_at = template.updated_at = now
    template.sent_at = sent_at
    template.attempts = 1 if state == Delivery.State.SENT else 0
    quote = connection.ops.quote_name
    columns, values, params = [], [], []
    for field in Delivery._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(quote(field.column))
        if field.attname == "person_id":
            values.append("audience.person_id")
        elif field.attname == "recipient_key":
            values.append("'p' || audience.person_id")
        else:
            values.append("%s")
            params.append(field.get_db_prep_save(getattr(template, field.attname), connection))
    audience = selectors.rundmail_audience_of(rundmail, day=_today(now))
    audience_sql, audience_params = audience.query.sql_with_params()
    sql = (
        f"INSERT INTO {quote(Delivery._meta.db_table)} ({', '.join(columns)}) "
        # „WHERE true“: without it SQLite reads ON CONFLICT as a join's ON.
        f"SELECT {', '.join(values)} FROM ({audience_sql}) audience WHERE true "
        "ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *audience_params])
        return max(cursor.rowcount, 0)


def _mark_out(rundmail: Rundmail, *, count: int, now: datetime.datetime) -> None:
    Rundmail.objects.filter(pk=rundmail.pk).update(
        state=Rundmail.State.SENT, planned_at=now, recipient_count=count, updated_at=now
    )


def _plan_rundmails(*, now: datetime.datetime) -> int:
    """The sweep's part: the mails of every Rundmail whose moment has come, each written by
    the database (``_rows_insert``). Rundmails a withdrawal holds locked are left to the
    next sweep (which then finds them withdrawn). Returns the number of rows written."""
    written = 0
    due = (
        Rundmail.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(state=Rundmail.State.SCHEDULED, send_at__lte=now)
        .prefetch_related("institution_types")
        .order_by("send_at", "pk")
    )
    for rundmail in due:
        count = _rows_insert(rundmail, now=now)
        _mark_out(rundmail, count=count, now=now)
        written += count
    return written


def _plan_now(rundmail: Rundmail, *, now: datetime.datetime) -> list[int]:
    """Plan the mails of a Rundmail sent now (held locked by the caller); returns the ids of
    its rows, marked queued."""
    count = _rows_insert(rundmail, now=now)
    _mark_out(rundmail, count=count, now=now)
    rundmail.state, rundmail.planned_at, rundmail.recipient_count = Rundmail.State.SENT, now, count
    open_rows = Delivery.objects.filter(
        subject_type=Subject.RUNDMAIL, subject_id=rundmail.pk, kind=Kind.RUNDMAIL, state=Delivery.State.PLANNED
    )
    ids = list(open_rows.order_by("pk").values_list("pk", flat=True))
    open_rows.update(enqueued_at=now)
    return ids


@transaction.atomic
def rundmails_plan(*, now: datetime.datetime | None = None) -> list[int]:
    """Plan the Rundmails due at ``now`` outside the sweep (the demo, the benchmark).
    Returns the ids of the rows planned. Side effects: as the sweep's part."""
    now = now or timezone.now()
    due = list(Rundmail.objects.filter(state=Rundmail.State.SCHEDULED, send_at__lte=now).values_list("pk", flat=True))
    _plan_rundmails(now=now)
    return list(
        Delivery.objects.filter(
            subject_type=Subject.RUNDMAIL, subject_id__in=due, kind=Kind.RUNDMAIL, state=Delivery.State.PLANNED
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
