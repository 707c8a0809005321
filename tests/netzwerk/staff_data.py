"""Networks with a year of meetings, attendance, minutes and members for the staff tests."""

import datetime
from types import SimpleNamespace

from django.utils import timezone

from contacts.models import InstitutionCategory, InstitutionType, Membership, Network
from meetings.models import Attendance, Meeting
from tests.factories import (
    AreaFactory,
    InstitutionFactory,
    LivingAreaFactory,
    MembershipFactory,
    NetworkFactory,
    PersonFactory,
    SocialAreaFactory,
)
from tests.meetings.factories import AttendanceFactory, MeetingFactory, MinutesFactory


def institution_type(name: str) -> InstitutionType:
    category, _ = InstitutionCategory.objects.get_or_create(name="Testbereich")
    found, _ = InstitutionType.objects.get_or_create(
        slug=name.lower().replace(" ", "-"), defaults={"name": name, "category": category}
    )
    return found


def days_ago(days: int, *, hour: int = 18) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def busy_network(*, name: str, social_area, kind=Network.Kind.NEIGHBOURHOOD_CONFERENCE, speaker_end=None):
    """A network of ``social_area`` with two held meetings (3 and 5 present; one with published
    minutes), one cancelled, one ahead; two member institutions (a Kita, an OGS), one
    individual member who joined 100 days ago, one who left 50 days ago; a speaker."""
    network = NetworkFactory(name=name, kind=kind)
    network.areas.add(social_area)
    kita = InstitutionFactory(type=institution_type("Kita"), area=social_area)
    ogs = InstitutionFactory(type=institution_type("OGS"), area=social_area)
    long_ago = timezone.localdate() - datetime.timedelta(days=800)
    MembershipFactory(network=network, institution=kita, person=None, start=long_ago)
    MembershipFactory(network=network, institution=ogs, person=None, start=long_ago)
    MembershipFactory(network=network, start=timezone.localdate() - datetime.timedelta(days=100))
    MembershipFactory(
        network=network,
        start=long_ago,
        end=timezone.localdate() - datetime.timedelta(days=50),
    )
    speaker = PersonFactory(family_name=f"Sprecherin {name}")
    MembershipFactory(network=network, person=speaker, role=Membership.Role.SPEAKER, start=long_ago, end=speaker_end)
    held = []
    for days, present in ((40, 3), (20, 5)):
        meeting = MeetingFactory(network=network, start=days_ago(days), status=Meeting.Status.HELD)
        for _ in range(present):
            AttendanceFactory(meeting=meeting, presence=Attendance.Presence.PRESENT)
        AttendanceFactory(meeting=meeting, presence=Attendance.Presence.EXCUSED)
        held.append(meeting)
    MinutesFactory(meeting=held[1], published_at=timezone.now())
    MeetingFactory(network=network, start=days_ago(10), status=Meeting.Status.CANCELLED)
    upcoming = MeetingFactory(network=network, start=days_ago(-14), status=Meeting.Status.CONFIRMED)
    return SimpleNamespace(network=network, held=held, upcoming=upcoming, speaker=speaker)


def city(*, networks: int = 1):
    """A Stadtbezirk with a Sozialraum and two Lebensräume, ``networks`` busy networks in
    the Sozialraum, and an OAG linked to the first Lebensraum only."""
    district = AreaFactory(name="Testbezirk")
    social_area = SocialAreaFactory(parent=district, name="Testsozialraum")
    first = LivingAreaFactory(parent=social_area, name="Erster Lebensraum")
    second = LivingAreaFactory(parent=social_area, name="Zweiter Lebensraum")
    busy = [busy_network(name=f"STK Test {index}", social_area=social_area) for index in range(networks)]
    oag = NetworkFactory(name="OAG Test", kind=Network.Kind.SENIORS_WORKING_GROUP)
    oag.areas.add(first)
    return SimpleNamespace(district=district, social_area=social_area, first=first, second=second, busy=busy, oag=oag)
