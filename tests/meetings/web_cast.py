"""The people of the web tests: a network X with a speaker and a member, a speaker of
another network Y, Sozialplanung staff, and the anonymous visitor (``None``)."""

from dataclasses import dataclass

from django.contrib.auth.models import Group

from contacts.models import Membership, Network, Person
from tests.factories import MembershipFactory, NetworkFactory, PersonFactory, UserFactory

PASSWORD = "ein-langes-Testpasswort"


@dataclass
class Cast:
    network: Network
    other_network: Network
    speaker: object
    member: object
    other_speaker: object
    staff: object

    @property
    def speaker_person(self) -> Person:
        return self.speaker.person

    @property
    def member_person(self) -> Person:
        return self.member.person

    def user(self, name: str):
        return None if name == "anonymous" else getattr(self, name)


def person_with_login(network: Network, role: str, *, email: str, password: str | None = None):
    # Without a password (tests log in with force_login) no slow hash is computed.
    user = UserFactory(email=email, password=password)
    person = PersonFactory(user=user)
    MembershipFactory(network=network, person=person, role=role)
    return user


def cast_create(*, password: str | None = None) -> Cast:
    """The cast; ``password`` only where a browser logs in through the form."""
    network = NetworkFactory(name="Stadtteilkonferenz Burtscheid", slug="stk-burtscheid")
    other = NetworkFactory(name="OAG Brand", slug="oag-brand")
    staff = UserFactory(email="planung@example.org", password=password)
    # get_or_create: transactional tests flush the group the data migration made.
    staff.groups.add(Group.objects.get_or_create(name="Sozialplanung")[0])
    return Cast(
        network=network,
        other_network=other,
        speaker=person_with_login(network, Membership.Role.SPEAKER, email="sprecherin@example.org", password=password),
        member=person_with_login(network, Membership.Role.MEMBER, email="mitglied@example.org", password=password),
        other_speaker=person_with_login(
            other, Membership.Role.SPEAKER, email="sprecher-y@example.org", password=password
        ),
        staff=staff,
    )


def client_for(client, user):
    """``client`` logged in as ``user`` (anonymous for ``None``)."""
    if user is not None:
        client.force_login(user)
    return client
