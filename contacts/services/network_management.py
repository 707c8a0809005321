"""Speakers keep their network's entry: its profile, member list, speaker team and the
invitations to accounts; Sozialplanung decides on what a speaker may only propose (the
areas, a new institution).

Every function takes the ``actor`` who acts and asks the permission predicates
(``contacts.manage_network``, ``contacts.manage_directory``) itself, so the web pages, the
API and the Verwaltung cannot differ; ``actor=None`` is the system (imports, the demo).
Refusals are ``PermissionDenied``, bad input ``ValidationError``, both with a German
message, and nothing is written then.
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from contacts.clients import email_normalize
from contacts.models import (
    AccountInvitation,
    Area,
    ContactChannel,
    Institution,
    InstitutionType,
    Membership,
    Network,
    NetworkProposal,
    Person,
    Topic,
    User,
)

logger = logging.getLogger(__name__)

PROFILE_FIELDS = ("description", "rhythm", "website", "topics")
# Roles a speaker team hands out in the member list; the leading roles come only with an
# election (``speaker_team_elect``), with a term.
MEMBER_ROLES = (Membership.Role.MEMBER, Membership.Role.GUEST)
TEAM_ROLES = Membership.LEADING_ROLES


def _save(instance):
    instance.full_clean()
    instance.save()
    return instance


def network_manage_check(*, actor, network: Network) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` (``None``: the system) may keep ``network``."""
    if actor is not None and not actor.has_perm("contacts.manage_network", network):
        raise PermissionDenied(
            _("Nur das Sprecher*innenteam, die Geschäftsführung und die Sozialplanung dürfen das ändern.")
        )


def _staff_check(actor) -> None:
    if actor is not None and not actor.has_perm("contacts.manage_directory"):
        raise PermissionDenied(_("Nur die Sozialplanung darf darüber entscheiden."))


def _is_staff(actor) -> bool:
    return actor is None or actor.has_perm("contacts.manage_directory")


# --- the network's profile -------------------------------------------------------------


@transaction.atomic
def network_profile_update(*, network: Network, actor, **changes) -> Network:
    """Change what a network says about itself: description, rhythm, website, topics.

    Raises ``TypeError`` for other fields (the areas are proposed: ``network_areas_propose``).
    Side effects: the network row (its „Stand“ becomes now: an edit is a confirmation),
    its topics; the public pages show the change once the transaction commits.
    """
    network_manage_check(actor=actor, network=network)
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    topics = changes.pop("topics", None)
    for name, value in changes.items():
        setattr(network, name, value.strip() if isinstance(value, str) else value)
    network.confirmed_at = timezone.now()
    _save(network)
    if topics is not None:
        network.topics.set(topics)
    return network


@transaction.atomic
def network_save(
    *,
    network: Network,
    actor=None,
    areas: list[Area] | None = None,
    topics: list[Topic] | None = None,
) -> Network:
    """Create or change a network with every field (the Verwaltung's form): Sozialplanung only.

    Side effects: the network row (confirmed now), its areas and topics when given.
    """
    _staff_check(actor)
    network.confirmed_at = timezone.now()
    _save(network)
    if areas is not None:
        network.areas.set(areas)
    if topics is not None:
        network.topics.set(topics)
    return network


@transaction.atomic
def institution_save(*, institution: Institution, actor=None) -> Institution:
    """Create or change an institution (the Verwaltung's form): Sozialplanung only.

    Side effects: the institution row, confirmed now.
    """
    _staff_check(actor)
    institution.confirmed_at = timezone.now()
    return _save(institution)


@transaction.atomic
def person_save(*, person: Person, actor=None) -> Person:
    """Create or change a person's own fields (the Verwaltung's form): Sozialplanung only.

    Channels, consents and memberships have services of their own. Side effects: the
    person row, confirmed now.
    """
    _staff_check(actor)
    person.confirmed_at = timezone.now()
    return _save(person)


# --- proposals -------------------------------------------------------------------------


@transaction.atomic
def network_areas_propose(*, network: Network, areas: list[Area], actor, note: str = "") -> NetworkProposal:
    """Propose the areas ``network`` covers; Sozialplanung decides (``proposal_approve``).

    Raises ``ValidationError`` when the areas are those the network has, or when the same
    proposal is open already. Side effects: one open ``NetworkProposal``.
    """
    network_manage_check(actor=actor, network=network)
    wanted = {area.pk for area in areas}
    if wanted == set(network.areas.values_list("pk", flat=True)):
        raise ValidationError(_("Das sind schon die Gebiete des Netzwerks; es gibt nichts vorzuschlagen."))
    for open_proposal in network.proposals.filter(kind=NetworkProposal.Kind.AREAS, state=NetworkProposal.State.OPEN):
        if set(open_proposal.areas.values_list("pk", flat=True)) == wanted:
            raise ValidationError(_("Genau diese Gebiete sind bereits vorgeschlagen und warten auf die Sozialplanung."))
    proposal = _save(
        NetworkProposal(network=network, kind=NetworkProposal.Kind.AREAS, note=note.strip(), proposed_by=actor)
    )
    proposal.areas.set(areas)
    return proposal


@transaction.atomic
def institution_propose(
    *,
    network: Network,
    actor,
    name: str,
    institution_type: InstitutionType,
    representative: Person | None = None,
    street: str = "",
    postal_code: str = "",
    website: str = "",
    email: str = "",
    phone: str = "",
    note: str = "",
) -> NetworkProposal:
    """Propose a new institution for the directory and ``network``'s member list; once
    Sozialplanung approves, the institution exists and is a member, represented by
    ``representative``.

    Raises ``ValidationError`` when an institution of that name exists (choose it from the
    directory instead) or one is proposed already. Side effects: one open proposal.
    """
    network_manage_check(actor=actor, network=network)
    name = " ".join(name.split())
    if Institution.objects.filter(name__iexact=name).exists():
        raise ValidationError(
            {"name": _("„%(name)s“ steht schon im Verzeichnis: bitte dort auswählen.") % {"name": name}}
        )
    if NetworkProposal.objects.filter(
        kind=NetworkProposal.Kind.INSTITUTION, state=NetworkProposal.State.OPEN, institution_name__iexact=name
    ).exists():
        raise ValidationError({"name": _("„%(name)s“ ist bereits vorgeschlagen.") % {"name": name}})
    if postal_code.strip() and not (len(postal_code.strip()) == 5 and postal_code.strip().isdigit()):
        raise ValidationError({"postal_code": _("Eine Postleitzahl hat fünf Ziffern.")})
    return _save(
        NetworkProposal(
            network=network,
            kind=NetworkProposal.Kind.INSTITUTION,
            institution_name=name,
            institution_type=institution_type,
            representative=representative,
            street=street.strip(),
            postal_code=postal_code.strip(),
            website=website.strip(),
            email=email.strip(),
            phone=phone.strip(),
            note=note.strip(),
            proposed_by=actor,
        )
    )


def _open_proposal(proposal: NetworkProposal) -> NetworkProposal:
    locked = NetworkProposal.objects.select_for_update().get(pk=proposal.pk)
    if not locked.is_open:
        raise ValidationError(
            _("Über diesen Vorschlag ist bereits entschieden (%(state)s).") % {"state": locked.get_state_display()}
        )
    return locked


def _unique_slug(model, name: str) -> str:
    base = slugify(name)[:140] or "eintrag"
    slug, number = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


@transaction.atomic
def proposal_approve(*, proposal: NetworkProposal, actor, note: str = "") -> NetworkProposal:
    """Sozialplanung accepts a proposal: the network gets the proposed areas, or the new
    institution is created and joins the network (represented by the proposed person).

    Raises ``ValidationError`` when the proposal was decided before. Side effects: the
    proposal (decided now, by ``actor``); the network's areas, or a new institution and
    its membership.
    """
    _staff_check(actor)
    proposal = _open_proposal(proposal)
    if proposal.kind == NetworkProposal.Kind.AREAS:
        proposal.network.areas.set(proposal.areas.all())
    else:
        institution = _save(
            Institution(
                name=proposal.institution_name,
                slug=_unique_slug(Institution, proposal.institution_name),
                type=proposal.institution_type,
                street=proposal.street,
                postal_code=proposal.postal_code,
                website=proposal.website,
                email=proposal.email,
                phone=proposal.phone,
                confirmed_at=timezone.now(),
            )
        )
        proposal.institution = institution
        representative = proposal.representative
        if (
            representative is not None
            and Membership.objects.filter(
                network=proposal.network, person=representative, role=Membership.Role.MEMBER, end__isnull=True
            ).exists()
        ):
            # A person is a member once (the database's rule); who is one already keeps that
            # row, and the institution joins without a named representative.
            representative = None
        _save(
            Membership(
                network=proposal.network,
                institution=institution,
                person=representative,
                role=Membership.Role.MEMBER,
                start=timezone.localdate(),
            )
        )
    proposal.state = NetworkProposal.State.APPROVED
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.decision_note = note.strip()
    return _save(proposal)


@transaction.atomic
def proposal_reject(*, proposal: NetworkProposal, actor, note: str = "") -> NetworkProposal:
    """Sozialplanung declines a proposal, with a note for the speaker team.

    Raises ``ValidationError`` when decided before. Side effects: the proposal only.
    """
    _staff_check(actor)
    proposal = _open_proposal(proposal)
    proposal.state = NetworkProposal.State.REJECTED
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.decision_note = note.strip()
    return _save(proposal)


# --- the member list -------------------------------------------------------------------


def _already_member(*, network: Network, institution: Institution | None, person: Person | None, day) -> bool:
    rows = Membership.objects.active(day).filter(network=network, role__in=MEMBER_ROLES)
    if institution is not None:
        return rows.filter(institution=institution).exists()
    return rows.filter(person=person, institution__isnull=True).exists()


@transaction.atomic
def network_member_add(
    *,
    network: Network,
    actor,
    institution: Institution | None = None,
    person: Person | None = None,
    role: str = Membership.Role.MEMBER,
    start: datetime.date | None = None,
) -> Membership:
    """Add a member institution (represented by ``person``) or an individual member.

    Raises ``ValidationError`` for a leading role (they come with an election), a holder
    that is a member already on ``start``, or an impossible row. Side effects: one membership.
    """
    network_manage_check(actor=actor, network=network)
    if role not in MEMBER_ROLES:
        raise ValidationError(
            {"role": _("Sprecher*innen und Geschäftsführung werden über „Sprecher*innenteam wählen“ eingetragen.")}
        )
    if institution is None and person is None:
        raise ValidationError(_("Bitte wählen Sie eine Einrichtung oder eine Person."))
    start = start or timezone.localdate()
    if _already_member(network=network, institution=institution, person=person, day=start):
        raise ValidationError(_("%(who)s ist bereits Mitglied dieses Netzwerks.") % {"who": institution or person})
    try:
        with transaction.atomic():
            return _save(Membership(network=network, institution=institution, person=person, role=role, start=start))
    except IntegrityError:
        # Two requests at once: the database's rule (one open row per holder and role) wins.
        raise ValidationError(
            _("%(who)s ist bereits Mitglied dieses Netzwerks.") % {"who": institution or person}
        ) from None


def _check_membership_of(membership: Membership, network: Network | None) -> None:
    if network is not None and membership.network_id != network.pk:
        raise PermissionDenied(_("Diese Mitgliedschaft gehört zu einem anderen Netzwerk."))


@transaction.atomic
def network_membership_end(*, membership: Membership, actor, end: datetime.date | None = None) -> Membership:
    """End a membership or a term with a date; the row stays as history.

    Raises ``ValidationError`` for an end before the start or a membership ended already.
    Side effects: the membership's end.
    """
    network_manage_check(actor=actor, network=membership.network)
    end = end or timezone.localdate()
    if membership.end is not None and membership.end < timezone.localdate():
        raise ValidationError(_("Diese Mitgliedschaft ist bereits beendet."))
    if end < membership.start:
        raise ValidationError({"end": _("Das Ende liegt vor dem Beginn.")})
    membership.end = end
    return _save(membership)


@transaction.atomic
def network_membership_role_change(
    *, membership: Membership, actor, role: str, day: datetime.date | None = None
) -> Membership:
    """Give a member another role from ``day`` on (member ↔ guest); the old row ends the
    day before, so the history says who was what when. A row that starts on ``day``
    changes in place.

    Raises ``ValidationError`` for a leading role (those come with an election), the role
    the member has, or a day outside the membership. Side effects: one or two rows.
    """
    network_manage_check(actor=actor, network=membership.network)
    day = day or timezone.localdate()
    if role not in MEMBER_ROLES or membership.role not in MEMBER_ROLES:
        raise ValidationError(
            {"role": _("Sprecher*innen und Geschäftsführung werden über „Sprecher*innenteam wählen“ eingetragen.")}
        )
    if role == membership.role:
        raise ValidationError({"role": _("Das Mitglied hat diese Rolle bereits.")})
    if day < membership.start or (membership.end is not None and day > membership.end):
        raise ValidationError({"day": _("Der Tag liegt außerhalb der Mitgliedschaft.")})
    if day == membership.start:
        membership.role = role
        return _save(membership)
    old_end = membership.end
    membership.end = day - datetime.timedelta(days=1)
    _save(membership)
    return _save(
        Membership(
            network=membership.network,
            institution=membership.institution,
            person=membership.person,
            role=role,
            start=day,
            end=old_end,
            note=membership.note,
        )
    )


@transaction.atomic
def speaker_team_elect(
    *,
    network: Network,
    actor,
    team: list[tuple[Person, str]],
    start: datetime.date,
    end: datetime.date | None = None,
) -> list[Membership]:
    """A new speaker team (and Geschäftsführung) elected for a term from ``start`` to ``end``.

    The terms of the team in office end the day before ``start``; the network page shows the
    new team from ``start`` on, because the current speakers are derived from the terms
    active on a day. Each person of ``team`` must be a member of the network on ``start``
    (as an individual or for an institution, which the term then names).

    Raises ``ValidationError`` for an empty team or one without a Sprecher*in, a person
    twice, a role that is not a leading one, an end before the start, a start in the past
    (a term is never rewritten backwards) or a team elected already for a later start.
    Side effects: the old terms' ends; one membership per person of ``team``.
    """
    network_manage_check(actor=actor, network=network)
    today = timezone.localdate()
    if not team:
        raise ValidationError(_("Bitte tragen Sie mindestens eine Person in das neue Team ein."))
    if end is not None and end < start:
        raise ValidationError({"end": _("Das Ende der Amtszeit liegt vor ihrem Beginn.")})
    if start < today:
        raise ValidationError({"start": _("Eine neue Amtszeit beginnt heute oder später, nicht in der Vergangenheit.")})
    people = [person.pk for person, _role in team]
    if len(set(people)) != len(people):
        raise ValidationError(_("Eine Person steht zweimal im neuen Team."))
    if any(role not in TEAM_ROLES for _person, role in team):
        raise ValidationError(_("Im Team gibt es nur Sprecher*innen, Stellvertretungen und die Geschäftsführung."))
    if not any(role == Membership.Role.SPEAKER for _person, role in team):
        raise ValidationError(_("Das neue Team braucht mindestens eine Sprecherin oder einen Sprecher."))
    later = Membership.objects.filter(network=network, role__in=TEAM_ROLES, start__gte=start).order_by("start").first()
    if later is not None:
        raise ValidationError(
            {
                "start": _("Für den %(day)s ist schon ein Team eingetragen; die Amtszeiten würden sich überschneiden.")
                % {"day": later.start.strftime("%d.%m.%Y")}
            }
        )
    members = {
        row.person_id: row
        for row in Membership.objects.active(start)
        .filter(network=network, person_id__in=people, role__in=MEMBER_ROLES)
        .order_by("institution_id")
    }
    missing = [str(person) for person, _role in team if person.pk not in members]
    if missing:
        raise ValidationError(
            _("Nicht Mitglied des Netzwerks am Beginn der Amtszeit: %(names)s.") % {"names": ", ".join(missing)}
        )
    previous = Membership.objects.select_for_update().filter(
        Q(end__isnull=True) | Q(end__gte=start), network=network, role__in=TEAM_ROLES, start__lt=start
    )
    for membership in previous:
        membership.end = start - datetime.timedelta(days=1)
        _save(membership)
    elected = [
        _save(
            Membership(
                network=network,
                person=person,
                institution=members[person.pk].institution,
                role=role,
                start=start,
                end=end,
            )
        )
        for person, role in team
    ]
    logger.info("Network %s elected a team of %s from %s", network.pk, len(elected), start)
    return elected


# --- invitations to an account ---------------------------------------------------------


def invitation_lifetime() -> datetime.timedelta:
    """How long an invitation's link works: as long as the password-reset token it carries."""
    return datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)


def _invitation_address(person: Person, email: str | None) -> str:
    address = (
        email
        or (person.user.email if person.user_id else None)
        or person.channels.filter(kind=ContactChannel.Kind.EMAIL)
        .order_by("-is_primary", "id")
        .values_list("value", flat=True)
        .first()
    )
    if not address:
        raise ValidationError(_("%(person)s hat keine E-Mail-Adresse für die Einladung.") % {"person": person})
    return email_normalize(address)


def invitable_check(*, actor, person: Person, network: Network | None) -> None:
    """Speakers invite the members of their own network; Sozialplanung anyone."""
    if _is_staff(actor):
        return
    if network is None:
        raise PermissionDenied(_("Nur die Sozialplanung darf Personen ohne Netzwerk einladen."))
    network_manage_check(actor=actor, network=network)
    if not Membership.objects.active().filter(network=network, person=person).exists():
        raise PermissionDenied(_("Eingeladen werden können nur Mitglieder des eigenen Netzwerks."))


@transaction.atomic
def account_invitation_create(
    *, person: Person, actor, network: Network | None = None, email: str | None = None
) -> AccountInvitation:
    """Invite ``person`` to an account: the account (without a usable password) and an open
    invitation, which the notifications sweep mails once (a link to choose the password,
    valid for ``PASSWORD_RESET_TIMEOUT``).

    The address is ``email``, the account's, or the person's primary e-mail channel. An
    open invitation of the same account is sent again instead. Raises ``ValidationError``
    for a person without an address, an address another account uses, or a person who has
    logged in already (they use „Passwort vergessen“). Side effects: a ``User`` (new
    accounts), the person's link to it, an ``AccountInvitation``.
    """
    invitable_check(actor=actor, person=person, network=network)
    address = _invitation_address(person, email)
    user = person.user
    if user is None:
        if User.objects.filter(email=address).exists():
            raise ValidationError(_("Für %(email)s gibt es bereits einen Zugang.") % {"email": address})
        user = User(email=address)
        user.set_unusable_password()
        _save(user)
        person.user = user
        person.save(update_fields=["user", "updated_at"])
    elif user.last_login is not None:
        raise ValidationError(
            _("%(person)s hat den Zugang schon benutzt; ein neues Passwort gibt es über „Passwort vergessen“.")
            % {"person": person}
        )
    open_invitation = AccountInvitation.objects.filter(
        user=user, withdrawn_at__isnull=True, accepted_at__isnull=True
    ).first()
    if open_invitation is not None:
        return account_invitation_resend(invitation=open_invitation, actor=actor)
    now = timezone.now()
    invitation = _save(
        AccountInvitation(
            person=person,
            user=user,
            email=user.email,
            network=network,
            invited_by=actor,
            created_at=now,
            sent_at=now,
            expires_at=now + invitation_lifetime(),
        )
    )
    logger.info("Account invitation %s for person %s", invitation.pk, person.pk)
    return invitation


def _invitation_manage_check(*, actor, invitation: AccountInvitation) -> None:
    if _is_staff(actor):
        return
    if invitation.network_id is None:
        raise PermissionDenied(_("Nur die Sozialplanung darf diese Einladung ändern."))
    network_manage_check(actor=actor, network=invitation.network)


@transaction.atomic
def account_invitation_resend(*, invitation: AccountInvitation, actor) -> AccountInvitation:
    """Send an open (or expired) invitation again, with a fresh link valid from now.

    Raises ``ValidationError`` for a withdrawn or accepted invitation. Side effects: the
    invitation's version (one more row in the delivery log) and validity.
    """
    _invitation_manage_check(actor=actor, invitation=invitation)
    invitation = AccountInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.withdrawn_at is not None or invitation.accepted_at is not None:
        raise ValidationError(
            _("Diese Einladung ist nicht mehr offen (%(state)s).") % {"state": invitation.state_label}
        )
    now = timezone.now()
    invitation.version += 1
    invitation.sent_at = now
    invitation.expires_at = now + invitation_lifetime()
    return _save(invitation)


@transaction.atomic
def account_invitation_withdraw(*, invitation: AccountInvitation, actor) -> AccountInvitation:
    """Withdraw an open invitation: its link stops working and an unsent mail is not sent.

    Raises ``ValidationError`` when it is not open. Side effects: ``withdrawn_at``.
    """
    _invitation_manage_check(actor=actor, invitation=invitation)
    invitation = AccountInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.withdrawn_at is not None or invitation.accepted_at is not None:
        raise ValidationError(
            _("Diese Einladung ist nicht mehr offen (%(state)s).") % {"state": invitation.state_label}
        )
    invitation.withdrawn_at = timezone.now()
    return _save(invitation)


def account_invitation_pending(*, user: User) -> AccountInvitation | None:
    """The open, unexpired invitation of ``user``, if any (the link works only then)."""
    invitation = AccountInvitation.objects.filter(
        user=user, withdrawn_at__isnull=True, accepted_at__isnull=True
    ).first()
    if invitation is None or not invitation.is_pending:
        return None
    return invitation


@transaction.atomic
def account_invitation_accept(*, user: User) -> AccountInvitation | None:
    """The invited person chose a password: the open invitation is accepted.

    Side effects: ``accepted_at`` of the open invitation.
    """
    invitation = account_invitation_pending(user=user)
    if invitation is not None:
        invitation.accepted_at = timezone.now()
        _save(invitation)
    return invitation
