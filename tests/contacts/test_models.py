"""Constraints that make impossible directory states impossible."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from contacts import services
from contacts.models import Area, Membership, Network
from tests.factories import (
    AreaFactory,
    InstitutionFactory,
    MembershipFactory,
    NetworkFactory,
    PersonFactory,
    SocialAreaFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 1, 1)


def test_membership_end_before_start_is_refused_by_service():
    network, person = NetworkFactory(), PersonFactory()

    with pytest.raises(ValidationError) as error:
        services.membership_start(network=network, person=person, start=DAY, end=DAY - datetime.timedelta(days=1))

    assert error.value.message_dict["end"] == ["Das Ende liegt vor dem Beginn."]
    assert Membership.objects.count() == 0


def test_membership_end_before_start_is_refused_by_database():
    network, person = NetworkFactory(), PersonFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(network=network, person=person, start=DAY, end=DAY - datetime.timedelta(days=1))


def test_membership_without_holder_is_refused_by_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(network=NetworkFactory(), start=DAY)


def test_membership_same_open_role_twice_is_refused_by_database():
    membership = MembershipFactory(role=Membership.Role.SPEAKER)

    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            network=membership.network, person=membership.person, role=Membership.Role.SPEAKER, start=DAY
        )


def test_membership_overlapping_terms_of_same_role_are_refused():
    network, person = NetworkFactory(), PersonFactory()
    services.membership_start(
        network=network,
        person=person,
        role=Membership.Role.SPEAKER,
        start=datetime.date(2025, 1, 1),
        end=datetime.date(2026, 12, 31),
    )

    with pytest.raises(ValidationError) as error:
        services.membership_start(
            network=network, person=person, role=Membership.Role.SPEAKER, start=datetime.date(2026, 6, 1)
        )

    assert "hat diese Rolle in diesem Netzwerk bereits (seit 01.01.2025)" in error.value.messages[0]
    assert Membership.objects.count() == 1


def test_membership_next_term_after_previous_ended_is_allowed():
    network, person = NetworkFactory(), PersonFactory()
    first = services.membership_start(
        network=network,
        person=person,
        role=Membership.Role.SPEAKER,
        start=datetime.date(2024, 1, 1),
        end=datetime.date(2025, 12, 31),
    )

    second = services.membership_start(
        network=network, person=person, role=Membership.Role.SPEAKER, start=datetime.date(2026, 1, 1)
    )

    assert [m.pk for m in Membership.objects.order_by("start")] == [first.pk, second.pk]


def test_membership_same_person_may_hold_two_roles():
    network, person = NetworkFactory(), PersonFactory()
    services.membership_start(network=network, person=person, role=Membership.Role.MEMBER, start=DAY)

    services.membership_start(network=network, person=person, role=Membership.Role.SPEAKER, start=DAY)

    assert sorted(Membership.objects.values_list("role", flat=True)) == ["mitglied", "sprecherin"]


def test_membership_institution_twice_is_refused():
    network, institution = NetworkFactory(), InstitutionFactory()
    services.membership_start(network=network, institution=institution, start=DAY)

    with pytest.raises(ValidationError):
        services.membership_start(network=network, institution=institution, start=DAY)


def test_membership_speaker_role_needs_a_person():
    with pytest.raises(ValidationError) as error:
        services.membership_start(
            network=NetworkFactory(), institution=InstitutionFactory(), role=Membership.Role.SPEAKER, start=DAY
        )

    assert "person" in error.value.message_dict


def test_membership_end_keeps_history():
    membership = MembershipFactory(start=datetime.date(2020, 1, 1))

    services.membership_end(membership=membership, end=datetime.date(2025, 6, 30))

    membership.refresh_from_db()
    assert membership.end == datetime.date(2025, 6, 30)
    assert not Membership.objects.active().filter(pk=membership.pk).exists()
    assert Membership.objects.active(datetime.date(2025, 6, 30)).filter(pk=membership.pk).exists()


def test_area_living_area_must_lie_in_a_social_area():
    district = AreaFactory()
    living_area = Area(level=Area.Level.LIVING_AREA, name="Rothe Erde", slug="rothe-erde", code="341", parent=district)

    with pytest.raises(ValidationError) as error:
        living_area.full_clean()

    assert error.value.message_dict["parent"] == ["Ein Lebensraum liegt in einem Sozialraum."]


def test_area_district_with_parent_is_refused_by_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        Area.objects.create(level=Area.Level.DISTRICT, name="X", slug="x", parent=SocialAreaFactory())


def test_area_code_is_unique_per_level():
    AreaFactory(code="5", level=Area.Level.SOCIAL_AREA, parent=AreaFactory())

    with pytest.raises(IntegrityError), transaction.atomic():
        AreaFactory(code="5", level=Area.Level.SOCIAL_AREA, parent=AreaFactory())


def test_network_working_group_needs_parent_network():
    working_group = Network(kind=Network.Kind.WORKING_GROUP, name="AK Jugend", slug="ak-jugend")

    with pytest.raises(ValidationError) as error:
        working_group.full_clean()

    assert error.value.message_dict["parent"] == ["Ein Arbeitskreis gehört zu einem Netzwerk: bitte wählen."]


def test_network_conference_with_parent_is_refused_by_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        NetworkFactory(parent=NetworkFactory())


def test_channel_email_is_validated_and_lowered():
    person = PersonFactory()

    channel = services.channel_add(person=person, kind="email", value="  Ada.Beispiel@Example.org ", is_primary=True)

    assert channel.value == "ada.beispiel@example.org"
    with pytest.raises(ValidationError) as error:
        services.channel_add(person=person, kind="email", value="keine-adresse")
    assert error.value.message_dict["value"] == ["Bitte geben Sie eine gültige E-Mail-Adresse an."]


def test_channel_new_primary_demotes_the_old_one():
    person = PersonFactory()
    old = services.channel_add(person=person, kind="email", value="alt@example.org", is_primary=True)

    new = services.channel_add(person=person, kind="email", value="neu@example.org", is_primary=True)

    old.refresh_from_db()
    assert (old.is_primary, new.is_primary) == (False, True)


def test_consent_withdrawn_before_given_is_refused_by_database():
    from tests.factories import ConsentFactory

    consent = ConsentFactory()
    consent.withdrawn_at = consent.given_at - datetime.timedelta(days=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        consent.save()


def test_str_of_models_is_readable():
    membership = MembershipFactory(
        network__name="Stadtteilkonferenz Burtscheid",
        person__given_name="Ada",
        person__family_name="Beispiel",
        role=Membership.Role.SPEAKER,
    )

    assert str(membership) == "Stadtteilkonferenz Burtscheid: Ada Beispiel – Sprecher*in"
    assert str(AreaFactory(name="Brand", code="51")) == "Stadtbezirk 51 Brand"
