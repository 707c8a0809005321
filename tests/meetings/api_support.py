"""A small world for the calendar API tests: two networks, the five kinds of requester,
and one object of each kind in network X."""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.authtoken.models import Token

from contacts.models import Membership
from contacts.selectors import SOZIALPLANUNG_GROUP
from meetings import models, services
from tests.factories import MembershipFactory, NetworkFactory, PersonFactory, UserFactory
from tests.meetings.factories import AgendaItemFactory, MeetingFactory, in_days

ROLES = ["anonymous", "member_x", "speaker_x", "speaker_y", "staff"]

CALENDAR_MODELS = [
    models.MeetingSeries,
    models.Meeting,
    models.AgendaItem,
    models.MeetingDocument,
    models.Minutes,
    models.Attendance,
    models.DatePoll,
    models.DatePollOption,
    models.DatePollVote,
]


def calendar_snapshot() -> list:
    """Every row of every calendar table, to prove that a refused request wrote nothing."""
    return [list(model.objects.order_by("pk").values()) for model in CALENDAR_MODELS]


def user_with_role(network, role):
    user = UserFactory(password=None)  # no slow hashing: the API tests log in by token
    MembershipFactory(network=network, person__user=user, role=role)
    return user


def staff_user():
    user = UserFactory(password=None)  # no slow hashing: the API tests log in by token
    user.groups.add(Group.objects.get_or_create(name=SOZIALPLANUNG_GROUP)[0])
    PersonFactory(user=user)
    return user


def auth_headers(user) -> dict:
    """Real token authentication, as a script would use it."""
    if user is None:
        return {}
    token, _ = Token.objects.get_or_create(user=user)
    return {"Authorization": f"Token {token.key}"}


@dataclass
class World:
    x: object
    y: object
    users: dict
    meeting: models.Meeting
    internal_meeting: models.Meeting
    cancelled_meeting: models.Meeting
    past_meeting: models.Meeting
    series: models.MeetingSeries
    agenda_item: models.AgendaItem
    internal_item: models.AgendaItem
    poll: models.DatePoll

    def headers(self, role: str) -> dict:
        return auth_headers(self.users.get(role))


def build_world() -> World:
    x = NetworkFactory(name="Stadtteilkonferenz Forst", slug="stk-forst")
    y = NetworkFactory(name="Stadtteilkonferenz Brand", slug="stk-brand")
    users = {
        "anonymous": None,
        "member_x": user_with_role(x, Membership.Role.MEMBER),
        "speaker_x": user_with_role(x, Membership.Role.SPEAKER),
        "speaker_y": user_with_role(y, Membership.Role.SPEAKER),
        "staff": staff_user(),
    }
    meeting = MeetingFactory(network=x, title="Öffentliche Sitzung")
    internal_meeting = MeetingFactory(network=x, title="Interne Sitzung", visibility=models.Visibility.MEMBERS)
    cancelled_meeting = MeetingFactory(network=x, title="Abgesagte Sitzung", status=models.Meeting.Status.CANCELLED)
    past_meeting = MeetingFactory(network=x, title="Vergangene Sitzung", start=in_days(-2))
    services.minutes_save(meeting=past_meeting, text="Entwurf des Protokolls")
    series = services.series_create(
        network=x,
        title="Regeltreffen",
        rule="FREQ=MONTHLY;BYDAY=2TU",
        first_date=timezone.localdate() + datetime.timedelta(days=1),
        start_time=datetime.time(18, 30),
        duration_minutes=90,
    )
    agenda_item = AgendaItemFactory(meeting=meeting, position=1, title="Begrüßung")
    internal_item = AgendaItemFactory(meeting=meeting, position=2, title="Haushalt intern", is_public=False)
    poll = services.poll_create(
        network=x,
        title="Termin im Frühjahr",
        options=[
            {"start": in_days(30), "end": in_days(30, hour=20)},
            {"start": in_days(31), "end": in_days(31, hour=20)},
        ],
        deadline=in_days(10, hour=12),
    )
    return World(
        x=x,
        y=y,
        users=users,
        meeting=meeting,
        internal_meeting=internal_meeting,
        cancelled_meeting=cancelled_meeting,
        past_meeting=past_meeting,
        series=series,
        agenda_item=agenda_item,
        internal_item=internal_item,
        poll=poll,
    )
