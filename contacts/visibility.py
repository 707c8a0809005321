"""The one projection that decides which person fields an audience sees.

Every surface that shows people — pages, the API, search, vCards, feeds, exports, mail —
turns a :class:`~contacts.models.Person` into a :class:`PersonView` here and renders only
that. Nothing private is rendered and then hidden: a field the audience may not see is
simply absent from the view.

The rule (DESIGN.md, principle 2): a field's visibility comes from the person's active
consents for that field's scope. Without a consent, a field is visible to Sozialplanung
only. "Members of the network" means: the viewer is an active member of at least one
network the person is an active member of. A person always sees their own data.

The functions are pure: they read the person's prefetched ``consents``, ``channels``,
``affiliations`` and ``memberships`` (see ``selectors.people_for_projection``) and never
query on their own.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import Consent, ContactChannel, Person, Visibility

HIDDEN_NAME = _("Name nicht veröffentlicht")


@dataclass(frozen=True)
class Audience:
    """Who is looking: anonymous public, a member of some networks, or Sozialplanung."""

    is_sozialplanung: bool = False
    network_ids: frozenset[int] = frozenset()
    person_id: int | None = None

    @property
    def is_public(self) -> bool:
        return not self.is_sozialplanung and not self.network_ids and self.person_id is None


PUBLIC = Audience()
SOZIALPLANUNG = Audience(is_sozialplanung=True)


@dataclass(frozen=True)
class AffiliationView:
    institution_id: int
    institution_name: str
    function: str


@dataclass(frozen=True)
class PersonView:
    """What one audience may see of one person. Absent fields are ``None`` or empty."""

    id: int
    name: str | None = None
    form_of_address: str | None = None
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    affiliations: tuple[AffiliationView, ...] = field(default=())
    # The „Stand“ of the entry (shown beside a visible name; a date says nothing personal).
    stand: datetime.datetime | None = None

    @property
    def display_name(self) -> str:
        return self.name or str(HIDDEN_NAME)

    @property
    def has_contact(self) -> bool:
        return bool(self.emails or self.phones)


def field_visibility(person: Person, scope: str, *, channel: ContactChannel | None = None) -> Visibility:
    """The widest audience the person's active consents allow for ``scope``.

    A consent that names one channel counts only for that channel; one without a channel
    counts for every channel of its kind.
    """
    return _widest(person.consents.all(), scope, channel=channel)


def _widest(consents: Iterable[Consent], scope: str, *, channel: ContactChannel | None = None) -> Visibility:
    widest = Visibility.STAFF
    for consent in consents:
        if consent.withdrawn_at is not None or consent.scope != scope:
            continue
        if consent.channel_id is not None and (channel is None or consent.channel_id != channel.pk):
            continue
        widest = max(widest, Visibility(consent.audience))
    return widest


def may_see(person: Person, visibility: Visibility, audience: Audience, *, today: datetime.date | None = None) -> bool:
    """Whether ``audience`` may see a field of ``person`` that has ``visibility``."""
    return _allowed(person.pk, visibility, audience, lambda: shared_network_ids(person, today=today))


def _allowed(person_id: int, visibility: Visibility, audience: Audience, networks: Callable[[], frozenset[int]]):
    if audience.is_sozialplanung or audience.person_id == person_id or visibility == Visibility.PUBLIC:
        return True
    if visibility == Visibility.NETWORK_MEMBERS and audience.network_ids:
        return bool(audience.network_ids & networks())
    return False


def shared_network_ids(person: Person, *, today: datetime.date | None = None) -> frozenset[int]:
    """Networks the person is an active member of, from prefetched memberships."""
    today = today or timezone.localdate()
    return frozenset(m.network_id for m in person.memberships.all() if m.is_active_on(today))


def name_visibility(consents: Iterable[Consent]) -> Visibility:
    """The widest audience that may see a name, from the person's consents (any scope)."""
    return _widest(consents, Consent.Scope.NAME)


def project_person_name(
    person: Person, audience: Audience, *, visibility: Visibility, network_ids: Callable[[], frozenset[int]]
) -> PersonView:
    """The part of ``project_person`` that lists of names show — id, name, form of address,
    Stand — by the same rule, from what the caller read (``selectors.person_names``): the
    name's ``visibility`` (``name_visibility``) and the networks the person is an active
    member of (asked only when the rule needs them). No channel, no affiliation."""
    show_name = _allowed(person.pk, visibility, audience, network_ids)
    return PersonView(
        id=person.pk,
        name=person.full_name if show_name else None,
        form_of_address=person.form_of_address if show_name else None,
        stand=person.stand,
    )


def project_person(person: Person, audience: Audience, *, today: datetime.date | None = None) -> PersonView:
    """Return the view of ``person`` that ``audience`` may see."""

    def visible(scope: str, channel: ContactChannel | None = None) -> bool:
        return may_see(person, field_visibility(person, scope, channel=channel), audience, today=today)

    show_name = visible(Consent.Scope.NAME)
    channels = list(person.channels.all())
    return PersonView(
        id=person.pk,
        name=person.full_name if show_name else None,
        form_of_address=person.form_of_address if show_name else None,
        emails=tuple(
            c.value for c in channels if c.kind == ContactChannel.Kind.EMAIL and visible(Consent.Scope.EMAIL, c)
        ),
        phones=tuple(
            c.value for c in channels if c.kind == ContactChannel.Kind.PHONE and visible(Consent.Scope.PHONE, c)
        ),
        affiliations=tuple(
            AffiliationView(a.institution_id, a.institution.name, a.function)
            for a in person.affiliations.all()
            if visible(Consent.Scope.AFFILIATION)
        ),
        stand=person.stand,
    )
