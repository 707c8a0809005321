"""Reads of the calendar that follow relations, each with its prefetching.

Visibility is decided here once: anonymous visitors and non-members see public meetings and
public agenda items only; members of the network (and Sozialplanung staff) see internal
ones too, through ``user.has_perm("meetings.view_internal_meetings", network)``.
"""

import datetime
import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone, translation

from contacts.models import Membership, Network, Person
from contacts.selectors import (
    DIRECTORY_FRAGMENT_SECONDS,
    audience_for,
    directory_version,
    people_for_projection,
    person_names,
    user_roles,
)
from contacts.selectors.freshness import networks_stale_members
from contacts.selectors.history import SPEAKER_HIDDEN_FIELDS, network_history_querysets, versions_of
from contacts.visibility import Audience, PersonView
from meetings.models import (
    AgendaItem,
    Attendance,
    DatePoll,
    GuestRegistration,
    Meeting,
    MeetingDocument,
    MeetingSeries,
    Minutes,
    Visibility,
    in_networks,
)
from meetings.recurrence import BERLIN


def user_sees_internals(user, network: Network | Meeting) -> bool:
    """Whether ``user`` may see internal meetings, agenda items and minutes of ``network``
    (or of a meeting: of any network it belongs to, host or partner)."""
    return user is not None and user.is_authenticated and user.has_perm("meetings.view_internal_meetings", network)


PARTNERS = Prefetch("partner_networks", queryset=Network.objects.order_by("name", "pk"))

# What the lists of meetings show of one (``_meeting_list.html`` on the dashboard and the
# network page: link, title, time, status, the host's and the partners' names), and of a
# network: no description is read.
LISTED_NETWORK_FIELDS = ("id", "name", "short_name", "slug")
LISTED_MEETING_FIELDS = (
    "id",
    "uid",
    "title",
    "start",
    "status",
    "network_id",
    *(f"network__{name}" for name in LISTED_NETWORK_FIELDS),
)
LISTED_PARTNERS = Prefetch(
    "partner_networks", queryset=Network.objects.only(*LISTED_NETWORK_FIELDS).order_by("name", "pk")
)


def _meetings_for(*, network: Network, user) -> QuerySet[Meeting]:
    """The meetings ``network`` hosts or holds jointly with another, as ``user`` may see them."""
    internals = user_sees_internals(user, network)
    meetings = Meeting.objects.filter(in_networks([network.pk]))
    agenda = AgendaItem.objects.order_by("position", "pk")
    if not internals:
        meetings = meetings.filter(visibility=Visibility.PUBLIC)
        agenda = agenda.filter(is_public=True)
    return meetings.select_related("network", "series", "institution").prefetch_related(
        Prefetch("agenda_items", queryset=agenda, to_attr="visible_agenda_items"), PARTNERS
    )


def meetings_upcoming(
    *, network: Network, user, now: datetime.datetime | None = None, limit: int | None = None
) -> QuerySet[Meeting]:
    """Meetings of ``network`` (hosted or joint) that have not ended yet, soonest first, as
    ``user`` may see them: what the network page's list shows (``LISTED_MEETING_FIELDS``,
    the partners' names), two queries. No agenda, series or place is read: the list shows
    none of them, and reading them was a third of the network page's time.

    Cancelled meetings are included (pages show them as abgesagt).
    """
    now = now or timezone.now()
    meetings = Meeting.objects.filter(in_networks([network.pk]), end__gt=now)
    if not user_sees_internals(user, network):
        meetings = meetings.filter(visibility=Visibility.PUBLIC)
    meetings = (
        meetings.select_related("network")
        .only(*LISTED_MEETING_FIELDS)
        .prefetch_related(LISTED_PARTNERS)
        .order_by("start", "pk")
    )
    return meetings[:limit] if limit is not None else meetings


def meetings_next_public(*, now: datetime.datetime | None = None, limit: int = 5) -> list[Meeting]:
    """The next public meetings city-wide that have not ended, soonest first (the start page)."""
    now = now or timezone.now()
    return list(
        Meeting.objects.filter(visibility=Visibility.PUBLIC, end__gt=now)
        .select_related("network", "institution")
        .prefetch_related(PARTNERS)
        .order_by("start", "pk")[:limit]
    )


def meetings_in_month(*, network: Network, user, year: int, month: int) -> QuerySet[Meeting]:
    """Meetings of ``network`` (hosted or joint) that start in the given month (Europe/Berlin),
    as ``user`` may see them."""
    first = datetime.datetime(year, month, 1, tzinfo=BERLIN)
    following = datetime.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=BERLIN)
    return (
        _meetings_for(network=network, user=user).filter(start__gte=first, start__lt=following).order_by("start", "pk")
    )


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


def user_manages(user, network: Network | Meeting) -> bool:
    """Whether ``user`` may change ``network``'s meetings, series, agendas, minutes and polls
    (or this meeting: a speaker of any network it belongs to may)."""
    return user is not None and user.is_authenticated and user.has_perm("meetings.manage_meetings", network)


def partner_choices(*, user, host: Network, meeting: Meeting | None = None) -> QuerySet[Network]:
    """The networks ``user`` may tick as partners of a joint meeting hosted by ``host``: the
    active ones they lead (Sozialplanung: every active one) and the meeting's current
    partners (shown so they stay ticked), the host left out; by name."""
    roles = user_roles(user)
    offered = Q(is_active=True) if roles.is_sozialplanung else Q(is_active=True, pk__in=roles.leading_network_ids)
    if meeting is not None:
        offered |= Q(pk__in=meeting.partnerships.values("network_id"))
    return Network.objects.filter(offered).exclude(pk=host.pk).order_by("name", "pk")


def series_seen(meeting: Meeting, *, user) -> MeetingSeries | None:
    """The series ``meeting`` belongs to, if ``user`` may see that series.

    An occurrence opened to the public is public itself; its members-only series stays
    with the network's members and Sozialplanung: no title, rule or id reaches anyone else.
    """
    series = meeting.series
    if series is None:
        return None
    if series.visibility == Visibility.PUBLIC or user_sees_internals(user, meeting.network):
        return series
    return None


def meeting_for_page(*, uid, user) -> Meeting | None:
    """The meeting with ``uid`` if ``user`` may see it (internal ones: members only), else ``None``.

    Carries ``visible_agenda_items``, ``visible_series``, ``minutes_or_none`` and the
    documents (``documents_attach``).
    """
    meeting = (
        Meeting.objects.select_related("network", "series", "institution")
        .prefetch_related("agenda_items", PARTNERS)
        .filter(uid=uid)
        .first()
    )
    if meeting is None:
        return None
    internals = user_sees_internals(user, meeting)
    if meeting.visibility != Visibility.PUBLIC and not internals:
        return None
    items = sorted(meeting.agenda_items.all(), key=lambda item: (item.position, item.pk))
    meeting.visible_agenda_items = items if internals else [item for item in items if item.is_public]
    meeting.visible_series = series_seen(meeting, user=user)
    meeting.minutes_or_none = Minutes.objects.filter(meeting=meeting).first()
    documents_attach(meeting, internals=internals)
    return meeting


def documents_attach(meeting: Meeting, *, internals: bool) -> None:
    """Give ``meeting`` (with ``visible_agenda_items``) the documents the viewer may read,
    in one query: ``visible_documents`` (all, in order), ``meeting_documents`` (those of the
    whole meeting) and, on each visible agenda item, ``visible_documents``.

    Members of the network, its speakers and Sozialplanung read every document; everyone
    else only public documents of the meeting or of a public agenda item.
    """
    documents = list(MeetingDocument.objects.filter(meeting=meeting).order_by("position", "pk"))
    items = {item.pk: item for item in meeting.visible_agenda_items}
    if not internals:
        documents = [
            document
            for document in documents
            if document.visibility == Visibility.PUBLIC
            and (document.agenda_item_id is None or document.agenda_item_id in items)
        ]
    for document in documents:
        # The objects already read: no query per document for its meeting or item.
        document.meeting = meeting
        if document.agenda_item_id in items:
            document.agenda_item = items[document.agenda_item_id]
    meeting.visible_documents = documents
    meeting.meeting_documents = [document for document in documents if document.agenda_item_id is None]
    for item in meeting.visible_agenda_items:
        item.visible_documents = [document for document in documents if document.agenda_item_id == item.pk]


def document_visible(meeting: Meeting, document_id: int) -> MeetingDocument | None:
    """The document ``document_id`` of ``meeting`` (from ``meeting_for_page``) if the viewer
    may read it, else ``None`` — also when it does not exist."""
    return next((document for document in meeting.visible_documents if document.pk == document_id), None)


def public_documents_of(meeting_ids) -> QuerySet[MeetingDocument]:
    """Documents anyone may read: public, of a public meeting, not under a non-public
    agenda item (the ATTACH links of the feeds)."""
    return (
        MeetingDocument.objects.filter(
            meeting_id__in=meeting_ids, visibility=Visibility.PUBLIC, meeting__visibility=Visibility.PUBLIC
        )
        .exclude(agenda_item__is_public=False)
        .order_by("meeting_id", "position", "pk")
    )


def minutes_visible(minutes: Minutes | None, *, user, meeting: Meeting) -> bool:
    """Whether ``user`` may read ``minutes``: published, and public or the user sees the
    internals of a network of ``meeting``."""
    if minutes is None or not minutes.is_published:
        return False
    return minutes.visibility == Visibility.PUBLIC or user_sees_internals(user, meeting)


def network_members(network: Network, *, day: datetime.date | None = None) -> list[Membership]:
    """Current memberships of ``network`` with a person, people ready for the projection."""
    return list(
        Membership.objects.active(day or timezone.localdate())
        .filter(network=network, person__isnull=False)
        .select_related("institution")
        .prefetch_related(Prefetch("person", queryset=people_for_projection(Person.objects.all())))
        .order_by("person__family_name", "person__given_name", "pk")
    )


def meeting_members(meeting: Meeting, *, day: datetime.date | None = None) -> list[Membership]:
    """Current memberships with a person in every network of ``meeting`` (host and partners),
    people ready for the projection; a person in two of them has a row for each."""
    return list(
        Membership.objects.active(day or timezone.localdate())
        .filter(network_id__in=meeting.network_ids, person__isnull=False)
        .select_related("institution", "network")
        .prefetch_related(Prefetch("person", queryset=people_for_projection(Person.objects.all())))
        .order_by("person__family_name", "person__given_name", "pk")
    )


def meeting_members_named(
    meeting: Meeting, *, audience: Audience, day: datetime.date | None = None
) -> list[tuple[Membership, PersonView]]:
    """Current memberships with a person in every network of ``meeting`` (host and partners),
    each with the person's name as
    ``audience`` may see it (``contacts.selectors.person_names``), for lists that show
    names and institutions and nothing else of a person (the meeting page's answers):
    one query for the memberships with their institutions' names, at most three for the
    names, however many members."""
    day = day or timezone.localdate()
    memberships = list(
        Membership.objects.active(day)
        .filter(network_id__in=meeting.network_ids, person__isnull=False)
        .select_related("institution")
        .only("id", "person_id", "network_id", "role", "start", "end", "institution__id", "institution__name")
        .order_by("pk")
    )
    # Everyone listed is a member of the host, unless partners bring their own members.
    common_network_id = meeting.network_id if not meeting.is_joint else None
    names = person_names(
        {membership.person_id for membership in memberships},
        audience=audience,
        day=day,
        common_network_id=common_network_id,
    )
    return [(membership, names[membership.person_id]) for membership in memberships]


@dataclass(frozen=True)
class MemberName:
    """One person in the answers table of a meeting page: the name as the viewer may see
    it and every institution the person is a member for."""

    person: PersonView
    institutions: tuple[str, ...]


def meeting_member_names(meeting: Meeting, *, audience: Audience, day: datetime.date | None = None) -> list[MemberName]:
    """The people of ``meeting_members_named``, one entry per person (a speaker who also
    represents an institution, or a member of both networks of a joint meeting, is one
    person), by displayed name.

    Kept in the cache per directory version (``contacts.selectors.directory_version``:
    memberships, people, their consents and institutions all move it), day, networks of the
    meeting and audience — everything the projection of a name depends on — so a page of a
    network with hundreds of members reads one stamp instead of the members and their
    consents. Another audience (another speaker, Sozialplanung) has entries of its own.
    """
    day = day or timezone.localdate()
    version = directory_version()
    names_of = (
        version,
        day.isoformat(),
        sorted(meeting.network_ids),
        meeting.network_id,
        audience.is_sozialplanung,
        sorted(audience.network_ids),
        audience.person_id,
        translation.get_language(),
    )
    key = "meeting-member-names:" + hashlib.sha256(repr(names_of).encode()).hexdigest()
    found = cache.get(key)
    if found is not None:
        return found
    people: dict[int, tuple[PersonView, list[str]]] = {}
    for membership, person in meeting_members_named(meeting, audience=audience, day=day):
        _person, institutions = people.setdefault(membership.person_id, (person, []))
        if membership.institution is not None and membership.institution.name not in institutions:
            institutions.append(membership.institution.name)
    found = sorted(
        (MemberName(person=person, institutions=tuple(institutions)) for person, institutions in people.values()),
        key=lambda row: row.person.display_name.casefold(),
    )
    cache.set(key, found, DIRECTORY_FRAGMENT_SECONDS)
    return found


def meeting_attendances(meeting: Meeting) -> dict[int, Attendance]:
    """The answers and presences of ``meeting`` by person id (unordered: the model's order
    joins the meetings and the people, for nothing a dict keeps)."""
    return {attendance.person_id: attendance for attendance in Attendance.objects.filter(meeting=meeting).order_by()}


def calendar_month(*, network: Network, user, year: int, month: int) -> list[list[tuple[datetime.date, list[Meeting]]]]:
    """The month as weeks (Monday first) of (day, meetings that day) for ``user``; one query.

    Days of the neighbouring months that fill the first and last week carry no meetings.
    """
    meetings = list(meetings_in_month(network=network, user=user, year=year, month=month))
    by_day: dict[datetime.date, list[Meeting]] = {}
    for meeting in meetings:
        by_day.setdefault(meeting.local_start.date(), []).append(meeting)
    first = datetime.date(year, month, 1)
    start = first - datetime.timedelta(days=first.weekday())
    weeks = []
    day = start
    while True:
        week = []
        for _index in range(7):
            week.append((day, by_day.get(day, []) if day.month == month else []))
            day += datetime.timedelta(days=1)
        weeks.append(week)
        if day.month != month:
            break
    return weeks


def poll_page(*, poll_id: int, user) -> DatePoll | None:
    """A poll with options, votes and voters, if ``user`` may see it (members of its network)."""
    poll = DatePoll.objects.select_related("network", "chosen_option", "meeting").filter(pk=poll_id).first()
    if poll is None or not user_sees_internals(user, poll.network):
        return None
    return poll_detail(poll.pk)


DASHBOARD_LIMIT = 10
AGENDA_LEAD = datetime.timedelta(days=14)
MINUTES_LOOKBACK = datetime.timedelta(days=120)


def dashboard(*, user, now: datetime.datetime | None = None) -> dict:
    """The speaker's overview, in a constant number of queries however many networks.

    ``networks``: the user's current networks (leading ones first); ``next_meetings``;
    ``open_polls``; for the networks the user leads: ``without_agenda`` (not cancelled,
    starting within two weeks, no agenda item) and ``minutes_missing`` (held in the last
    four months, no published minutes).
    """
    now = now or timezone.now()
    roles = user_roles(user)
    member_ids = set(roles.member_network_ids)
    leading_ids = set(roles.leading_network_ids)
    networks = sorted(
        Network.objects.filter(pk__in=member_ids | leading_ids).only(*LISTED_NETWORK_FIELDS),
        key=lambda n: (n.pk not in leading_ids, n.name),
    )
    for network in networks:
        network.is_led = network.pk in leading_ids
    listed = Meeting.objects.select_related("network").only(*LISTED_MEETING_FIELDS).prefetch_related(LISTED_PARTNERS)
    upcoming = listed.filter(in_networks(member_ids), end__gt=now).order_by("start", "pk")[:DASHBOARD_LIMIT]
    polls = (
        DatePoll.objects.filter(network_id__in=member_ids, status=DatePoll.Status.OPEN, deadline__gt=now)
        .select_related("network")
        .only("id", "title", "deadline", "network_id", "network__id", "network__name")
        .annotate(option_count=Count("options"))
        .order_by("deadline", "pk")
    )
    # What the speaker still owes, in one query: meetings of the next two weeks without an
    # agenda, and meetings held in the last four months without published minutes. No
    # meeting is both (one has not begun, the other has ended): the rows part by their start.
    owed = list(
        listed.filter(in_networks(leading_ids))
        .exclude(status=Meeting.Status.CANCELLED)
        .filter(
            Q(~Exists(AgendaItem.objects.filter(meeting=OuterRef("pk"))), start__gte=now, start__lt=now + AGENDA_LEAD)
            | Q(
                ~Exists(Minutes.objects.filter(meeting=OuterRef("pk"), published_at__isnull=False)),
                end__lte=now,
                start__gte=now - MINUTES_LOOKBACK,
            )
        )
        .order_by("start", "pk")
    )
    stale = networks_stale_members(leading_ids, audience=audience_for(user), now=now) if leading_ids else {}
    return {
        "networks": networks,
        # Members of the networks the user leads whose entries nobody confirmed for a year.
        "stale_members": [(network, stale[network.pk]) for network in networks if stale.get(network.pk)],
        "next_meetings": list(upcoming),
        "open_polls": list(polls),
        "without_agenda": [meeting for meeting in owed if meeting.start >= now],
        "minutes_missing": [meeting for meeting in owed if meeting.start < now],
        "leads_any": bool(leading_ids),
    }


def series_unconfirmed_count(series, *, now=None) -> int:
    """How many future occurrences of ``series`` are still geplant (not yet bestätigt)."""
    now = now or timezone.now()
    return Meeting.objects.filter(series=series, start__gte=now, status=Meeting.Status.PLANNED).count()


def meeting_place_institution_ids(*, now: datetime.datetime | None = None, days: int = 365) -> set[int]:
    """The institutions where public meetings that are not cancelled take place within the
    next ``days`` (the meeting places the map of the areas marks)."""
    now = now or timezone.now()
    return set(
        Meeting.objects.filter(
            visibility=Visibility.PUBLIC,
            institution__isnull=False,
            end__gt=now,
            start__lt=now + datetime.timedelta(days=days),
        )
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by()
        .values_list("institution_id", flat=True)
        .distinct()
    )


def meeting_history_querysets(entry) -> list[QuerySet]:
    """The historical rows of a meeting (with agenda and minutes) or a series."""
    if isinstance(entry, Meeting):
        return [
            Meeting.history.filter(id=entry.pk),
            AgendaItem.history.filter(meeting_id=entry.pk),
            Minutes.history.filter(meeting_id=entry.pk),
            MeetingDocument.history.filter(meeting_id=entry.pk),
        ]
    return [MeetingSeries.history.filter(id=entry.pk)]


def network_history(network: Network, *, audience) -> list:
    """What a network's speakers read in its history, newest first: the network's fields,
    its memberships and its meetings; names projected for ``audience``, Sozialplanung's own
    fields left out."""
    joint = Meeting.objects.filter(partnerships__network_id=network.pk).values("pk")
    querysets = [
        *network_history_querysets(network),
        Meeting.history.filter(Q(network_id=network.pk) | Q(id__in=joint)),
    ]
    return versions_of(querysets, audience=audience, hidden=SPEAKER_HIDDEN_FIELDS)


def meeting_attendees_confirmed(meeting: Meeting) -> list[Attendance]:
    """The answers „Zusage“ of ``meeting``, their people ready for the projection."""
    return list(
        Attendance.objects.filter(meeting=meeting, answer=Attendance.Answer.YES).prefetch_related(
            Prefetch("person", queryset=people_for_projection(Person.objects.all()))
        )
    )


def person_answers(person: Person, *, limit: int = 30) -> list[Attendance]:
    """A person's answers and attendance, the latest meetings first (Mein Bereich)."""
    return list(
        Attendance.objects.filter(person=person).select_related("meeting__network").order_by("-meeting__start")[:limit]
    )


def meeting_guests(meeting: Meeting) -> list[GuestRegistration]:
    """The guests of ``meeting`` for its speakers: seats first, then the waiting list, each
    in the order they registered (one query). Only for those who manage the meeting."""
    rows = list(GuestRegistration.objects.filter(meeting=meeting).order_by("created_at", "pk"))
    return [row for row in rows if not row.is_waiting] + [row for row in rows if row.is_waiting]


def meeting_presence(meeting: Meeting) -> dict[str, list[tuple[Person, list[Membership]]]]:
    """Who was recorded „anwesend“ and „entschuldigt“ at ``meeting``, each person with their
    memberships of the network that had not ended by the meeting's day (institution, role;
    one entered after the meeting still tells where the person came from), people ready
    for the projection; two queries."""
    day = meeting.local_start.date()
    attendances = list(
        Attendance.objects.filter(meeting=meeting, presence__in=Attendance.Presence.values).prefetch_related(
            Prefetch("person", queryset=people_for_projection(Person.objects.all()))
        )
    )
    memberships: dict[int, list[Membership]] = {}
    for membership in (
        Membership.objects.filter(Q(end__isnull=True) | Q(end__gte=day))
        .filter(network_id__in=meeting.network_ids, person_id__in=[attendance.person_id for attendance in attendances])
        .select_related("institution")
        .order_by("pk")
    ):
        memberships.setdefault(membership.person_id, []).append(membership)
    found: dict[str, list[tuple[Person, list[Membership]]]] = {value: [] for value in Attendance.Presence.values}
    for attendance in attendances:
        found[attendance.presence].append((attendance.person, memberships.get(attendance.person_id, [])))
    return found
