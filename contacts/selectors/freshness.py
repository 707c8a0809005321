"""Reads about the „Stand“ of entries: which are stale, what a network's speakers should
ask their members to confirm, which proposals wait, and who represents an institution."""

from __future__ import annotations

import dataclasses
import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import (
    Affiliation,
    ContactChannel,
    Institution,
    InstitutionChangeProposal,
    Membership,
    Network,
    Person,
)
from contacts.selectors import NAME_FIELDS, person_names
from contacts.visibility import Audience

KINDS = ("network", "institution", "person")
# The ages the staff list offers, in months; the first is the setting.
AGE_CHOICES = (12, 18, 24, 36)
ORDERINGS = ("stand", "-stand", "name", "-name", "kind", "-kind")


def stale_before(now: datetime.datetime | None = None, *, months: int | None = None) -> datetime.datetime:
    """Entries whose Stand lies before this moment are stale (``ENTRY_STALE_MONTHS``)."""
    now = now or timezone.now()
    return now - relativedelta(months=months if months is not None else settings.ENTRY_STALE_MONTHS)


def with_stand(queryset: QuerySet) -> QuerySet:
    """``queryset`` with ``stand_at``: the last confirmation, or when the entry was made (an
    entry nobody ever confirmed is as old as the entry)."""
    return queryset.annotate(stand_at=Coalesce("confirmed_at", "created_at"))


def stale_networks(*, before: datetime.datetime) -> QuerySet[Network]:
    """Active networks not confirmed since ``before``."""
    return with_stand(Network.objects.filter(is_active=True)).filter(stand_at__lt=before)


def stale_institutions(*, before: datetime.datetime) -> QuerySet[Institution]:
    """Active institutions not confirmed since ``before``."""
    return with_stand(Institution.objects.filter(is_active=True)).filter(stand_at__lt=before)


def stale_people(*, before: datetime.datetime) -> QuerySet[Person]:
    """People not confirmed since ``before``."""
    return with_stand(Person.objects.all()).filter(stand_at__lt=before)


def people_with_address() -> Q:
    """People mail can reach: an e-mail channel or an active login (``person_mail_address``)."""
    channel = ContactChannel.objects.filter(person_id=OuterRef("pk"), kind=ContactChannel.Kind.EMAIL)
    return Q(Exists(channel)) | Q(user__is_active=True)


@dataclasses.dataclass(frozen=True)
class StaleEntry:
    kind: str  # "network", "institution" or "person"
    entry: Network | Institution | Person
    stand: datetime.datetime
    # The name as the viewer may see it (people: through the projection), if not the entry's.
    label: str | None = None

    @property
    def name(self) -> str:
        return self.label if self.label is not None else str(self.entry)

    @property
    def kind_label(self) -> str:
        return str(type(self.entry)._meta.verbose_name)


def stale_entries(
    *,
    kind: str | None = None,
    network_id: int | None = None,
    area_ids: set[int] | None = None,
    months: int | None = None,
    ordering: str = "stand",
    now: datetime.datetime | None = None,
) -> list[StaleEntry]:
    """Stale networks, institutions and people for the staff list (three queries).

    ``kind`` limits to one kind; ``network_id`` to the network itself and its current
    members (institutions and people); ``area_ids`` to networks working there, institutions
    there and people who are members of networks there; ``months`` is the least age.
    """
    before = stale_before(now, months=months)
    day = (now or timezone.now()).date()
    members = Membership.objects.active(day)
    if network_id is not None:
        members = members.filter(network_id=network_id)
    if area_ids is not None:
        members = members.filter(network__areas__in=area_ids)
    entries: list[StaleEntry] = []
    if kind in (None, "network"):
        networks = stale_networks(before=before)
        if network_id is not None:
            networks = networks.filter(pk=network_id)
        if area_ids is not None:
            networks = networks.filter(areas__in=area_ids).distinct()
        entries += [StaleEntry("network", network, network.stand_at) for network in networks]
    if kind in (None, "institution"):
        institutions = stale_institutions(before=before).select_related("area")
        if network_id is not None:
            institutions = institutions.filter(Exists(members.filter(institution_id=OuterRef("pk"))))
        if area_ids is not None:
            institutions = institutions.filter(area_id__in=area_ids)
        entries += [StaleEntry("institution", institution, institution.stand_at) for institution in institutions]
    if kind in (None, "person"):
        people = stale_people(before=before)
        if network_id is not None or area_ids is not None:
            people = people.filter(Exists(members.filter(person_id=OuterRef("pk"))))
        entries += [StaleEntry("person", person, person.stand_at) for person in people]
    field = ordering.lstrip("-")
    if field not in ("stand", "name", "kind"):
        field = "stand"

    def key(item: StaleEntry):
        if field == "name":
            return (item.name.casefold(), item.stand)
        if field == "kind":
            return (KINDS.index(item.kind), item.stand)
        return (item.stand, item.name.casefold())

    return sorted(entries, key=key, reverse=ordering.startswith("-"))


def networks_stale_members(
    network_ids, *, audience: Audience, now: datetime.datetime | None = None
) -> dict[int, list[StaleEntry]]:
    """For several networks at once (a constant number of queries): their current members
    (institutions, people) whose entries are stale, oldest first. People are named as far
    as ``audience`` may see them; the others as „ein Mitglied (Name nicht freigegeben)“."""
    now = now or timezone.now()
    before = stale_before(now)
    # One query: the memberships of which the institution or the person is stale, with the
    # columns the table shows of each joined in (formerly the memberships, the institutions
    # and the people each read on their own, and every person's whole projection).
    members = (
        Membership.objects.active(now.date())
        .filter(network_id__in=list(network_ids))
        .alias(
            institution_stand=Coalesce("institution__confirmed_at", "institution__created_at"),
            person_stand=Coalesce("person__confirmed_at", "person__created_at"),
        )
        .filter(Q(institution__is_active=True, institution_stand__lt=before) | Q(person_stand__lt=before))
        .select_related("institution", "person")
        .only(
            "network_id",
            "institution_id",
            "person_id",
            *(f"institution__{name}" for name in ("id", "name", "slug", "is_active", "confirmed_at", "created_at")),
            *(f"person__{name}" for name in NAME_FIELDS),
        )
        .order_by()  # the model's ordering would join every network to sort by its name
    )
    result: dict[int, dict] = {network_id: {} for network_id in network_ids}
    people: dict[int, list[tuple[int, Person]]] = {}
    for membership in members:
        institution, person = membership.institution, membership.person
        if institution is not None and institution.is_active and institution.stand < before:
            key = ("institution", institution.pk)
            result[membership.network_id][key] = StaleEntry("institution", institution, institution.stand)
        if person is not None and person.stand < before:
            people.setdefault(person.pk, []).append((membership.network_id, person))
    # Only the names, by the projection's rule for lists of names: the table shows no
    # channel or affiliation.
    views = person_names(people, audience=audience, day=now.date())
    hidden = _("ein Mitglied (Name nicht freigegeben)")
    for pk, found in people.items():
        for network_id, person in found:
            name = views[pk].name or hidden
            result[network_id][("person", pk)] = StaleEntry("person", person, person.stand, name)
    return {
        network_id: sorted(found.values(), key=lambda item: (item.stand, item.name))
        for network_id, found in result.items()
    }


def proposals_pending() -> QuerySet[InstitutionChangeProposal]:
    """Proposals waiting for the Sozialplanung, oldest first, with their institution."""
    return (
        InstitutionChangeProposal.objects.filter(state=InstitutionChangeProposal.State.PENDING)
        .select_related("institution")
        .order_by("created_at", "pk")
    )


def proposals_decided(limit: int = 20) -> list[InstitutionChangeProposal]:
    """The last decided proposals, newest first."""
    return list(
        InstitutionChangeProposal.objects.exclude(state=InstitutionChangeProposal.State.PENDING)
        .select_related("institution", "decided_by")
        .order_by("-decided_at", "-pk")[:limit]
    )


@dataclasses.dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    current: str
    proposed: str

    @property
    def changed_meanwhile(self) -> bool:
        return self.before != self.current


def _display(institution: Institution, name: str, value: str) -> str:
    field = Institution._meta.get_field(name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return value


def proposal_diff(proposal: InstitutionChangeProposal) -> list[FieldChange]:
    """Per proposed field: label, the value the proposer saw, the value now, the proposal."""
    institution = proposal.institution
    return [
        FieldChange(
            label=str(Institution._meta.get_field(name).verbose_name),
            before=_display(institution, name, proposal.before.get(name, "")),
            current=_display(institution, name, str(getattr(institution, name) or "")),
            proposed=_display(institution, name, value),
        )
        for name, value in proposal.changes.items()
    ]


def represents_institution(user, institution: Institution, *, day: datetime.date | None = None) -> bool:
    """Whether ``user``'s person works at ``institution`` (an affiliation) or represents it
    in a current membership: then their changes to its entry apply without review."""
    if user is None or not user.is_authenticated or institution is None:
        return False
    person = Person.objects.filter(user=user)
    return (
        Affiliation.objects.filter(person__in=person, institution=institution).exists()
        or Membership.objects.active(day).filter(person__in=person, institution=institution).exists()
    )
