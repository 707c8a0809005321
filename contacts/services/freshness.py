"""The „Stand“ of entries: confirming a network, an institution or a person as current,
changing an institution's entry, and the proposals from its „Eintrag prüfen“ link."""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.entry_links import EntryLink
from contacts.models import Institution, InstitutionChangeProposal, Network, Person, User
from contacts.validators import validate_phone, validate_postal_code

logger = logging.getLogger(__name__)

# What an institution corrects itself through its link: where and when it is open, how to
# reach it, whether the building is accessible. Name, type and Träger stay with the city.
INSTITUTION_REVIEW_FIELDS = (
    "street",
    "postal_code",
    "city",
    "phone",
    "website",
    "opening_hours",
    "accessibility",
    "accessibility_notes",
)
# Checked here as well as in the forms and the API: a proposal waits for weeks, and what
# is accepted then must still be a number one can dial and a postcode that exists.
FIELD_VALIDATORS = {"phone": validate_phone, "postal_code": validate_postal_code}


@transaction.atomic
def entry_confirm(
    *, entry: Network | Institution | Person, now: datetime.datetime | None = None
) -> Network | Institution | Person:
    """Record that ``entry`` is current as it stands („Stand“ today).

    Side effects: ``confirmed_at`` (and ``updated_at``) of the entry; every „Eintrag
    prüfen“ link made before no longer fits (see ``contacts.entry_links``).
    """
    entry.confirmed_at = now or timezone.now()
    # A save, not an update(): the public page cache hears of it and shows the new Stand.
    entry.save(update_fields=["confirmed_at", "updated_at"])
    logger.info("%s %s confirmed as current", type(entry).__name__, entry.pk)
    return entry


def _institution_values_clean(institution: Institution, changes: dict) -> dict:
    """The values of ``changes`` that differ from the entry, trimmed and validated.

    Raises ``ValidationError`` (German, per field) for unknown fields, a malformed phone
    number or postcode, an invalid web address or accessibility choice, or text too long.
    """
    unknown = set(changes) - set(INSTITUTION_REVIEW_FIELDS)
    if unknown:
        raise ValidationError(
            _("Diese Angaben können hier nicht geändert werden: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    errors: dict[str, list] = {}
    cleaned = {}
    for name, value in changes.items():
        value = (value or "").strip() if isinstance(value, str) or value is None else value
        field = Institution._meta.get_field(name)
        try:
            if isinstance(value, str) and field.max_length and len(value) > field.max_length:
                raise ValidationError(
                    _("Höchstens %(limit)s Zeichen (jetzt %(length)s).")
                    % {"limit": field.max_length, "length": len(value)}
                )
            if value or not field.blank:
                FIELD_VALIDATORS.get(name, lambda _value: None)(value)
                value = field.clean(value, institution)
        except ValidationError as error:
            errors[name] = error.messages
            continue
        if value != getattr(institution, name):
            cleaned[name] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def institution_update(
    *, institution: Institution, actor: User | None = None, now: datetime.datetime | None = None, **changes
) -> Institution:
    """Change the fields of ``INSTITUTION_REVIEW_FIELDS`` of ``institution``; the entry
    counts as confirmed today (whoever changes it has looked at it).

    Raises ``ValidationError`` (German, per field) as ``_institution_values_clean``;
    nothing is written then. Side effects: the institution row with ``confirmed_at``.
    """
    now = now or timezone.now()
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    cleaned = _institution_values_clean(institution, changes)
    for name, value in cleaned.items():
        setattr(institution, name, value)
    institution.confirmed_at = now
    institution.full_clean()
    institution.save()
    logger.info(
        "Institution %s changed by %s (%s)", institution.pk, getattr(actor, "pk", None), ", ".join(sorted(cleaned))
    )
    return institution


@transaction.atomic
def institution_change_propose(
    *,
    link: EntryLink,
    changes: dict,
    comment: str = "",
    represents: bool = False,
    actor: User | None = None,
    now: datetime.datetime | None = None,
) -> InstitutionChangeProposal | Institution:
    """Changes proposed through an institution's „Eintrag prüfen“ link.

    From someone who represents the institution (``represents``: a logged-in account
    affiliated with it or representing it in a membership) they apply at once through
    ``institution_update``, which returns the institution. From anyone else they wait as a
    ``InstitutionChangeProposal`` for the Sozialplanung, which is returned.

    Raises ``ValidationError`` (German) for a malformed value (per field), for a proposal
    that changes nothing, and for a link already used for a proposal; nothing is written.
    Side effects: the proposal row, or the institution row.
    """
    institution = link.entry
    if not isinstance(institution, Institution):
        raise ValidationError(_("Änderungen lassen sich nur für Einrichtungen vorschlagen."))
    if InstitutionChangeProposal.objects.filter(link_digest=link.digest).exists():
        raise ValidationError(
            _("Mit diesem Link wurde schon ein Vorschlag eingereicht; er liegt der Sozialplanung vor."),
            code="used",
        )
    cleaned = _institution_values_clean(institution, changes)
    if not cleaned:
        raise ValidationError(
            _("Sie haben nichts geändert. Wenn alles stimmt, bestätigen Sie den Eintrag bitte mit „Alles korrekt“."),
            code="unchanged",
        )
    if represents:
        return institution_update(institution=institution, actor=actor, now=now, **cleaned)
    proposal = InstitutionChangeProposal(
        institution=institution,
        changes={name: _json(value) for name, value in cleaned.items()},
        before={name: _json(getattr(institution, name)) for name in cleaned},
        comment=(comment or "").strip(),
        link_digest=link.digest,
        created_at=now or timezone.now(),
    )
    proposal.full_clean()
    proposal.save()
    logger.info("Change proposal %s for institution %s", proposal.pk, institution.pk)
    return proposal


def _json(value) -> str:
    return "" if value is None else str(value)


def _proposal_locked(proposal: InstitutionChangeProposal) -> InstitutionChangeProposal:
    proposal = InstitutionChangeProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.state != InstitutionChangeProposal.State.PENDING:
        raise ValidationError(
            _("Über diesen Vorschlag wurde schon entschieden (%(state)s).") % {"state": proposal.get_state_display()},
            code="decided",
        )
    return proposal


@transaction.atomic
def institution_proposal_accept(
    *, proposal: InstitutionChangeProposal, actor: User, note: str = "", now: datetime.datetime | None = None
) -> InstitutionChangeProposal:
    """Apply a waiting proposal to its institution (through ``institution_update``).

    Raises ``ValidationError`` (German) for a proposal already decided, or one whose values
    are no longer valid; nothing is written then. Side effects: the institution (its fields
    and ``confirmed_at``); the proposal's state, decider, moment and note.
    """
    now = now or timezone.now()
    proposal = _proposal_locked(proposal)
    institution_update(institution=proposal.institution, actor=actor, now=now, **proposal.changes)
    return _decide(proposal, InstitutionChangeProposal.State.ACCEPTED, actor=actor, note=note, now=now)


@transaction.atomic
def institution_proposal_reject(
    *, proposal: InstitutionChangeProposal, actor: User, note: str = "", now: datetime.datetime | None = None
) -> InstitutionChangeProposal:
    """Decline a waiting proposal; the institution stays as it is.

    Raises ``ValidationError`` (German) for a proposal already decided. Side effects: the
    proposal's state, decider, moment and note.
    """
    proposal = _proposal_locked(proposal)
    return _decide(
        proposal, InstitutionChangeProposal.State.REJECTED, actor=actor, note=note, now=now or timezone.now()
    )


def _decide(proposal, state: str, *, actor: User, note: str, now: datetime.datetime) -> InstitutionChangeProposal:
    proposal.state = state
    proposal.decided_by = actor
    proposal.decided_at = now
    proposal.decision_note = (note or "").strip()
    proposal.full_clean()
    proposal.save()
    logger.info("Change proposal %s %s by %s", proposal.pk, state, actor.pk)
    return proposal
