"""Conflict hints: holidays, school holidays, same place, networks that share members."""

import datetime

import pytest

from contacts.models import Membership
from meetings import conflicts
from meetings.models import Meeting, SchoolHoliday
from meetings.recurrence import BERLIN
from tests.factories import InstitutionFactory, MembershipFactory, NetworkFactory, PersonFactory
from tests.meetings.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def slot(year, month, day, hour=18, minute=30, minutes=90):
    start = datetime.datetime(year, month, day, hour, minute, tzinfo=BERLIN)
    return (start, start + datetime.timedelta(minutes=minutes))


def test_public_holiday_in_nrw_is_named():
    found = conflicts.public_holiday_conflicts([slot(2027, 5, 27), slot(2027, 6, 3)])

    assert [(c.kind, c.day, c.message) for c in found] == [
        ("feiertag", datetime.date(2027, 5, 27), "27.05.2027 ist ein Feiertag in NRW (Fronleichnam).")
    ]


def test_school_holidays_come_from_the_data_migration(django_assert_num_queries):
    with django_assert_num_queries(1):
        found = conflicts.school_holiday_conflicts([slot(2027, 7, 20), slot(2027, 9, 14), slot(2026, 10, 20)])

    assert [c.message for c in found] == [
        "20.10.2026 liegt in den Schulferien (Herbstferien 2026).",
        "20.07.2027 liegt in den Schulferien (Sommerferien 2027).",
    ]


def test_school_holidays_staff_can_add_a_span():
    SchoolHoliday.objects.create(
        name="Beweglicher Ferientag", start=datetime.date(2027, 9, 14), end=datetime.date(2027, 9, 14)
    )

    found = conflicts.school_holiday_conflicts([slot(2027, 9, 14)])

    assert [c.kind for c in found] == ["schulferien"]


def test_same_institution_overlapping_is_a_conflict_cancelled_and_adjacent_are_not(django_assert_num_queries):
    place = InstitutionFactory()
    network = NetworkFactory()
    start, end = slot(2030, 3, 5)
    MeetingFactory(network=network, institution=place, title="Treffen", start=start + datetime.timedelta(hours=1))
    MeetingFactory(network=network, institution=place, start=start, status=Meeting.Status.CANCELLED)
    MeetingFactory(network=network, institution=place, start=end)  # begins when ours ends

    with django_assert_num_queries(1):
        found = conflicts.place_conflicts([(start, end)], institution=place)

    assert [c.kind for c in found] == ["ort"]
    assert "„Treffen“" in found[0].message


def test_same_address_ignores_case_and_other_addresses():
    start, end = slot(2030, 3, 5)
    MeetingFactory(address="Markt 1, 52062 Aachen", start=start)
    MeetingFactory(address="Markt 2, 52062 Aachen", start=start)

    found = conflicts.place_conflicts([(start, end)], address="markt 1, 52062 aachen")

    assert len(found) == 1


def test_shared_members_name_the_network_and_count(django_assert_num_queries):
    ours, theirs, unrelated = NetworkFactory(), NetworkFactory(name="OAG Brand"), NetworkFactory()
    for _index in range(2):
        person = PersonFactory()
        MembershipFactory(network=ours, person=person)
        MembershipFactory(network=theirs, person=person)
    institution = InstitutionFactory()
    MembershipFactory(network=ours, person=None, institution=institution)
    MembershipFactory(network=theirs, person=None, institution=institution)
    former = PersonFactory()
    MembershipFactory(network=ours, person=former)
    MembershipFactory(network=theirs, person=former, end=datetime.date(2020, 1, 1), start=datetime.date(2019, 1, 1))
    start, end = slot(2030, 3, 5)
    MeetingFactory(network=theirs, title="Plenum", start=start)
    MeetingFactory(network=unrelated, start=start)
    MeetingFactory(network=ours, title="AK Senioren", start=start + datetime.timedelta(hours=1))

    with django_assert_num_queries(1):
        found = conflicts.network_conflicts([(start, end)], network=ours)

    assert [c.message for c in found] == [
        "Zur selben Zeit tagt OAG Brand („Plenum“, 05.03.2030 18:30); beide Netzwerke haben Mitglieder "
        "gemeinsam: 2 gemeinsame Personen und 1 gemeinsame Einrichtung.",
        "Zur selben Zeit tagt dieses Netzwerk schon: „AK Senioren“ (05.03.2030 19:30).",
    ]


def test_institution_and_free_address_of_the_same_house_are_the_same_place(django_assert_num_queries):
    kita = InstitutionFactory(name="Kita Kurbrunnen", street="Kurbrunnenstraße 1", postal_code="52066")
    start, end = slot(2030, 3, 5)
    MeetingFactory(institution=kita, address="", title="Plenum", start=start)
    MeetingFactory(institution=None, address="Kurbrunnenstr. 1, 52066 Aachen", title="Elterncafé", start=start)
    MeetingFactory(institution=None, address="Kurbrunnenstraße 12", title="Nebenan", start=start)

    with django_assert_num_queries(1):
        by_address = conflicts.place_conflicts([(start, end)], address="kurbrunnenstrasse 1")
    by_institution = conflicts.place_conflicts([(start, end)], institution=kita)

    assert [c.message.split("„")[1].split("“")[0] for c in by_address] == ["Plenum", "Elterncafé"]
    assert [c.message.split("„")[1].split("“")[0] for c in by_institution] == ["Plenum", "Elterncafé"]


def test_place_key_writes_street_and_number_one_way():
    keys = {
        conflicts.place_key(text)
        for text in ["Kurbrunnenstr. 1, 52066 Aachen", "kurbrunnenstrasse  1", "Kurbrunnenstraße 1"]
    }

    assert (keys, conflicts.place_key("Strüverweg 1")) == ({"kurbrunnenstr1"}, "strüverweg1")


def test_meeting_of_the_same_network_at_the_same_place_is_named_once():
    network = NetworkFactory()
    start, end = slot(2030, 3, 5)
    MeetingFactory(network=network, address="Markt 1", title="Plenum", start=start)

    found = conflicts.conflicts_for(network=network, slots=[(start, end)], address="Markt 1, 52062 Aachen")

    assert [c.kind for c in found] == ["ort"]


def test_conflicts_for_a_series_stays_at_three_queries(django_assert_num_queries):
    network = NetworkFactory()
    MembershipFactory(network=network, role=Membership.Role.SPEAKER)
    slots = [slot(2030, month, 10) for month in range(1, 13)]

    with django_assert_num_queries(3):
        found = conflicts.conflicts_for(network=network, slots=slots, address="Markt 1")

    assert [(c.kind, c.day) for c in found] == [("feiertag", datetime.date(2030, 6, 10))]


def test_many_slots_are_matched_exactly():
    network = NetworkFactory()
    first = slot(2030, 1, 1, minutes=60)
    slots = [(first[0] + datetime.timedelta(days=n), first[1] + datetime.timedelta(days=n)) for n in range(80)]
    MeetingFactory(network=network, address="Markt 1", start=datetime.datetime(2030, 1, 5, 12, 0, tzinfo=BERLIN))
    MeetingFactory(network=network, address="Markt 1", start=datetime.datetime(2030, 1, 5, 18, 45, tzinfo=BERLIN))

    found = conflicts.place_conflicts(slots, address="Markt 1")

    assert [c.day for c in found] == [datetime.date(2030, 1, 5)]
