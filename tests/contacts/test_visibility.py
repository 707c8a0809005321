"""The one projection: a field without consent is never public."""

import datetime

import pytest
from django.contrib.auth.models import Group
from hypothesis import given, settings
from hypothesis import strategies as st

from contacts import services
from contacts.models import Consent, ContactChannel, Person, Visibility
from contacts.selectors import SOZIALPLANUNG_GROUP, audience_for, people_for_projection
from contacts.visibility import PUBLIC, SOZIALPLANUNG, Audience, project_person
from tests.factories import (
    ChannelFactory,
    ConsentFactory,
    InstitutionFactory,
    MembershipFactory,
    NetworkFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def projected(person: Person, audience: Audience):
    return project_person(people_for_projection(Person.objects.filter(pk=person.pk)).get(), audience)


@pytest.fixture
def private_person():
    """A person with a name, two addresses, a phone and an affiliation, and no consent."""
    person = PersonFactory(given_name="Gesine", family_name="Geheim", form_of_address="Frau")
    ChannelFactory(person=person, value="gesine.geheim@example.org")
    ChannelFactory(person=person, value="gesine.privat@example.org", is_primary=False)
    ChannelFactory(person=person, kind=ContactChannel.Kind.PHONE, value="0241 000000")
    person.affiliations.create(institution=InstitutionFactory(name="Familienzentrum Beispielweg"), function="Leitung")
    return person


def test_projection_without_consent_shows_nothing_to_public(private_person):
    view = projected(private_person, PUBLIC)

    assert (view.name, view.form_of_address, view.emails, view.phones, view.affiliations) == (None, None, (), (), ())
    assert view.display_name == "Name nicht veröffentlicht"


def test_projection_without_consent_shows_everything_to_sozialplanung(private_person):
    view = projected(private_person, SOZIALPLANUNG)

    assert view.name == "Gesine Geheim"
    assert view.emails == ("gesine.geheim@example.org", "gesine.privat@example.org")
    assert view.phones == ("0241 000000",)
    assert [a.institution_name for a in view.affiliations] == ["Familienzentrum Beispielweg"]


def test_projection_public_name_consent_shows_name_only(private_person):
    ConsentFactory(person=private_person, scope=Consent.Scope.NAME, audience=Visibility.PUBLIC)

    view = projected(private_person, PUBLIC)

    assert (view.name, view.emails, view.phones) == ("Gesine Geheim", (), ())


def test_projection_consent_for_one_channel_covers_only_that_channel(private_person):
    work = private_person.channels.get(value="gesine.geheim@example.org")
    ConsentFactory(person=private_person, scope=Consent.Scope.EMAIL, channel=work, audience=Visibility.PUBLIC)

    view = projected(private_person, PUBLIC)

    assert view.emails == ("gesine.geheim@example.org",)


def test_projection_withdrawn_consent_no_longer_counts(private_person):
    consent = ConsentFactory(person=private_person, scope=Consent.Scope.NAME, audience=Visibility.PUBLIC)

    services.consent_withdraw(consent=consent)

    assert projected(private_person, PUBLIC).name is None


def test_projection_members_consent_reaches_members_of_a_shared_network_only(private_person):
    ConsentFactory(person=private_person, scope=Consent.Scope.EMAIL, audience=Visibility.NETWORK_MEMBERS)
    shared, other = NetworkFactory(), NetworkFactory()
    MembershipFactory(network=shared, person=private_person)

    member_view = projected(private_person, Audience(network_ids=frozenset({shared.pk})))
    outsider_view = projected(private_person, Audience(network_ids=frozenset({other.pk})))
    public_view = projected(private_person, PUBLIC)

    assert member_view.emails == ("gesine.geheim@example.org", "gesine.privat@example.org")
    assert (outsider_view.emails, public_view.emails) == ((), ())


def test_projection_members_consent_ends_when_person_left_the_network(private_person):
    ConsentFactory(person=private_person, scope=Consent.Scope.NAME, audience=Visibility.NETWORK_MEMBERS)
    network = NetworkFactory()
    MembershipFactory(
        network=network, person=private_person, start=datetime.date(2020, 1, 1), end=datetime.date(2021, 1, 1)
    )

    view = projected(private_person, Audience(network_ids=frozenset({network.pk})))

    assert view.name is None


def test_projection_person_sees_own_data(private_person):
    view = projected(private_person, Audience(person_id=private_person.pk))

    assert view.name == "Gesine Geheim"


def test_audience_for_user_derives_networks_and_staff_role():
    planner = UserFactory()
    planner.groups.add(Group.objects.get(name=SOZIALPLANUNG_GROUP))
    member = MembershipFactory(person__user=UserFactory())

    assert audience_for(planner).is_sozialplanung is True
    assert audience_for(member.person.user) == Audience(
        network_ids=frozenset({member.network_id}), person_id=member.person_id
    )


def test_projection_runs_without_queries_once_prefetched(private_person, django_assert_num_queries):
    person = people_for_projection(Person.objects.filter(pk=private_person.pk)).get()

    with django_assert_num_queries(0):
        project_person(person, PUBLIC)


AUDIENCES = st.sampled_from(["public", "members", "outsider"])
SCOPES = st.sampled_from([Consent.Scope.NAME, Consent.Scope.EMAIL, Consent.Scope.PHONE, Consent.Scope.AFFILIATION])


@settings(max_examples=30, deadline=None)
@given(consents=st.lists(st.tuples(SCOPES, st.sampled_from([1, 2]), st.booleans()), max_size=6), viewer=AUDIENCES)
def test_projection_shows_a_field_only_with_an_active_consent_wide_enough(consents, viewer):
    """Property: for any set of consents, a field is visible iff an active consent reaches the viewer."""
    person = PersonFactory(given_name="Paula", family_name="Probe")
    ChannelFactory(person=person, value=f"p{person.pk}@example.org")
    ChannelFactory(person=person, kind=ContactChannel.Kind.PHONE, value="0000")
    person.affiliations.create(institution=InstitutionFactory(), function="Leitung")
    network = NetworkFactory()
    MembershipFactory(network=network, person=person)
    for scope, audience, withdrawn in consents:
        consent = ConsentFactory(person=person, scope=scope, audience=audience)
        if withdrawn:
            services.consent_withdraw(consent=consent)
    audience = {
        "public": PUBLIC,
        "members": Audience(network_ids=frozenset({network.pk})),
        "outsider": Audience(network_ids=frozenset({network.pk + 10_000})),
    }[viewer]
    needed = Visibility.PUBLIC if viewer != "members" else Visibility.NETWORK_MEMBERS

    view = projected(person, audience)

    def expected(scope):
        return any(s == scope and a >= needed and not w for s, a, w in consents)

    assert (view.name is not None) == expected(Consent.Scope.NAME)
    assert bool(view.emails) == expected(Consent.Scope.EMAIL)
    assert bool(view.phones) == expected(Consent.Scope.PHONE)
    assert bool(view.affiliations) == expected(Consent.Scope.AFFILIATION)


def test_person_names_agree_with_the_full_projection_for_every_audience():
    """``selectors.person_names`` (names only, read in three queries) shows a name exactly
    where ``project_person`` does, whoever looks."""
    from contacts.models import Membership
    from contacts.selectors import person_names

    network, other = NetworkFactory(), NetworkFactory()
    people = []
    for audience_value in (None, Visibility.PUBLIC, Visibility.NETWORK_MEMBERS, Visibility.STAFF):
        for member_of in (network, other):
            person = PersonFactory()
            MembershipFactory(network=member_of, person=person, role=Membership.Role.MEMBER)
            if audience_value is not None:
                ConsentFactory(person=person, scope=Consent.Scope.NAME, audience=audience_value)
            people.append(person)
    audiences = [
        PUBLIC,
        SOZIALPLANUNG,
        Audience(network_ids=frozenset({network.pk}), person_id=people[0].pk),
        Audience(network_ids=frozenset({other.pk})),
        Audience(person_id=people[5].pk),
    ]
    ids = [person.pk for person in people]
    loaded = list(people_for_projection(Person.objects.filter(pk__in=ids)))

    for audience in audiences:
        full = {person.pk: project_person(person, audience).display_name for person in loaded}
        names = {pk: view.display_name for pk, view in person_names(ids, audience=audience).items()}
        assert names == full
    # Told that all of them are members of ``other``, the answer is the same without asking.
    members_of_other = [person.pk for person in people[1::2]]
    viewer = Audience(network_ids=frozenset({other.pk}))
    told = person_names(members_of_other, audience=viewer, common_network_id=other.pk)
    asked = person_names(members_of_other, audience=viewer)
    assert {pk: view.display_name for pk, view in told.items()} == {pk: view.display_name for pk, view in asked.items()}
