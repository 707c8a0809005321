"""Reads of the calendar that follow relations, each with its prefetching.

Visibility is decided here once: anonymous visitors and non-members see public meetings and
public agenda items only; members of the network (and Sozialplanung staff) see internal
ones too, through ``user.has_perm("meetings.view_internal_meetings", network)``.
"""

import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from contacts.models import Membership, Network, Person
from meetings.models import AgendaItem, DatePoll, Meeting, Visibility
from meetings.recurrence import BERLIN


def user_sees_internals(user, network: Network) -> bool:
    """Whether ``user`` may see internal meetings, agenda items and minutes of ``network``."""
    return user is not None and user.is_authenticated and user.has_perm("meetings.view_internal_meetings", network)


def _meetings_for(*, network: Network, user) -> QuerySet[Meeting]:
    internals = user_sees_internals(user, network)
    meetings = Meeting.objects.filter(network=network)
    agenda = AgendaItem.objects.order_by("position", "pk")
    if not internals:
        meetings = meetings.filter(visibility=Visibility.PUBLIC)
        agenda = agenda.filter(is_public=True)
    return meetings.select_related("network", "series", "institution").prefetch_related(
        Prefetch("agenda_items", queryset=agenda, to_attr="visible_agenda_items")
    )


def meetings_upcoming(
    *, network: Network, user, now: datetime.datetime | None = None, limit: int | None = None
) -> QuerySet[Meeting]:
    """Meetings of ``network`` that have not ended yet, soonest first, as ``user`` may see them.

    Cancelled meetings are included (pages show them as abgesagt). Each meeting carries
    ``visible_agenda_items``: the agenda items ``user`` may see, in order.
    """
    now = now or timezone.now()
    meetings = _meetings_for(network=network, user=user).filter(end__gt=now).order_by("start", "pk")
    return meetings[:limit] if limit is not None else meetings


def meetings_in_month(*, network: Network, user, year: int, month: int) -> QuerySet[Meeting]:
    """Meetings of ``network`` that start in the given month (Europe/Berlin), as ``user`` may see them."""
    first = datetime.datetime(year, month, 1, tzinfo=BERLIN)
    following = datetime.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=BERLIN)
    return (
        _meetings_for(network=network, user=user).filter(start__gte=first, start__lt=following).order_by("start", "pk")
    )


def meeting_agenda(*, meeting: Meeting, user) -> list[AgendaItem]:
    """The agenda items of ``meeting`` that ``user`` may see, in order."""
    items = meeting.agenda_items.order_by("position", "pk")
    if not user_sees_internals(user, meeting.network):
        items = items.filter(is_public=True)
    return list(items)


def poll_invitees(poll: DatePoll, *, day: datetime.date | None = None) -> QuerySet[Person]:
    """People invited to ``poll``: current members of its network with one of its roles (any role if none)."""
    memberships = Membership.objects.active(day).filter(network_id=poll.network_id, person__isnull=False)
    if poll.invitee_roles:
        memberships = memberships.filter(role__in=poll.invitee_roles)
    return Person.objects.filter(pk__in=memberships.values("person_id")).order_by("family_name", "given_name", "pk")


def poll_detail(poll_id: int) -> DatePoll:
    """A poll with its options and their votes (and voters) for the answer matrix."""
    return (
        DatePoll.objects.select_related("network", "chosen_option", "meeting", "created_by")
        .prefetch_related("options__votes__person")
        .get(pk=poll_id)
    )


def polls_open(*, network: Network, now: datetime.datetime | None = None) -> QuerySet[DatePoll]:
    """Open polls of ``network`` whose deadline has not passed, the nearest deadline first."""
    now = now or timezone.now()
    return (
        DatePoll.objects.filter(network=network, status=DatePoll.Status.OPEN)
        .filter(Q(deadline__gt=now))
        .prefetch_related("options")
        .order_by("deadline", "pk")
    )
