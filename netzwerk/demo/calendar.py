"""The calendar part of the demo: meetings around today, planned and lived through the services.

Every network gets its series (rhythms from the data file) starting about half a year
back, so ``series_create`` makes past occurrences as well as the twelve months ahead; a few
single meetings stand beside them. What happened to each meeting is then played in the
order it happened, each service called with ``now`` pinned to its moment: the agenda is
written and the meeting confirmed two weeks ahead, members answer, the meeting is held
and presence recorded, the minutes are published a week later. One next meeting is moved,
one cancelled, and the demo speaker's network has an open Terminumfrage with votes.

The delivery log is played too. For the last ``replay_days`` the real sweep runs at each
moment something was owed (a confirmation, a reminder's moment, a move, a cancellation, a
new poll) and the rows it plans are sent at once through the real send, with mail handed
to Django's dummy backend: the log shows what went out then, and nobody receives mail
about meetings that are over. After the seed nothing past is owed, so the first real sweep
sends only what falls due from now on. The replay runs only while every meeting and poll
in the database belongs to a demo network: the sweep is global, and real members' mail
must never be "sent" into the dummy backend.
"""

import datetime
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.core.files import File
from django.db.models import Max, Q
from django.test import override_settings
from django.utils import timezone

from contacts.history import history_made_by
from contacts.models import Membership, Network, Person
from meetings import recurrence
from meetings import services as meeting_services
from meetings.models import AgendaItem, Attendance, DatePoll, DatePollVote, Meeting, MeetingSeries, Minutes, Visibility
from meetings.selectors import poll_invitees
from netzwerk.demo.data import CALENDAR, MEMBER, PLANNER, SPEAKER, MeetingData, Place, SeriesData
from netzwerk.demo.directory import Directory
from netzwerk.demo.management import real_calendar_present
from netzwerk.demo.staff import term_notices_replay
from netzwerk.demo.sync import DUMMY_MAIL_BACKEND, SeedReport
from notifications import services as notification_services
from notifications.compose import reminder_moment
from notifications.models import DEFAULT_INVITATION_LEAD_DAYS, Delivery, MeetingNotice, Step, Subject
from notifications.selectors import DEFAULT_OFFSETS, invitation_lead_days_by_network, invitation_moment
from notifications.services import network_settings_update

BERLIN = recurrence.BERLIN
# A calendar whose last held meeting is older than this is stale: ``seed_demo`` suggests ``--refresh``.
STALE_AFTER = datetime.timedelta(days=14)
# Every weekly or monthly rule has a day within this span.
DAYS_70 = datetime.timedelta(days=70)


@dataclass(order=True)
class _Event:
    """Something that happened at ``moment``; ``notifies`` when members were told about it.

    ``meeting_id`` ties the event to the meeting it happened to (None: the poll, which is
    always within the replay window).
    """

    moment: datetime.datetime
    order: int
    action: Callable[[], object] = field(compare=False)
    meeting_id: int | None = field(default=None, compare=False)
    notifies: bool = field(default=False, compare=False)


@dataclass
class _Timeline:
    """The events of the demo's past, in the order they are added; only the past is kept."""

    now: datetime.datetime
    events: list[_Event] = field(default_factory=list)

    def add(
        self,
        moment: datetime.datetime,
        action: Callable[[], object],
        *,
        meeting_id: int | None = None,
        notifies: bool = False,
    ) -> None:
        if moment < self.now:
            self.events.append(_Event(moment, len(self.events), action, meeting_id, notifies))


# --- reads ------------------------------------------------------------------------------


def calendar_last_held() -> datetime.datetime | None:
    """The end of the demo's latest held meeting, None without one (read only).

    The calendar is planned around the day of the seed, so with some twenty networks the
    latest held meeting lies a few days before that day: it dates the demo's "today".
    """
    held = Meeting.objects.filter(network__is_demo=True, status=Meeting.Status.HELD)
    return held.aggregate(last=Max("end"))["last"]


def calendar_present() -> bool:
    """Whether a demo network has any meeting, series or poll (read only)."""
    return (
        Meeting.objects.filter(network__is_demo=True).exists()
        or MeetingSeries.objects.filter(network__is_demo=True).exists()
        or DatePoll.objects.filter(network__is_demo=True).exists()
    )


def calendar_is_stale(now: datetime.datetime) -> bool:
    """Whether the demo's calendar was planned so long ago that ``--refresh`` should move it."""
    last = calendar_last_held()
    return last is not None and now - last > STALE_AFTER


# --- clearing (--refresh) ---------------------------------------------------------------


def calendar_clear(report: SeedReport) -> None:
    """Remove the demo networks' calendar and what the delivery log holds about it.

    Only rows of demo networks (``is_demo=True``) go: their series, meetings (with agenda,
    answers and minutes, and the minutes' files), polls, and the delivery log rows, notices
    and planning steps of those meetings and polls, and the versions of that calendar in the
    history. Called inside the seed's transaction.
    """
    demo = Network.objects.filter(is_demo=True)
    meeting_ids = list(Meeting.objects.filter(network__in=demo).values_list("pk", flat=True))
    poll_ids = list(DatePoll.objects.filter(network__in=demo).values_list("pk", flat=True))
    subjects = Q(subject_type=Subject.MEETING, subject_id__in=meeting_ids) | Q(
        subject_type=Subject.POLL, subject_id__in=poll_ids
    )
    for minutes in Minutes.objects.filter(meeting_id__in=meeting_ids).exclude(file=""):
        minutes.file.delete(save=False)
    report.deleted["Delivery"] += Delivery.objects.filter(subjects).delete()[0]
    MeetingNotice.objects.filter(meeting_id__in=meeting_ids).delete()
    Step.objects.filter(subjects).delete()
    report.deleted["DatePoll"] += DatePoll.objects.filter(pk__in=poll_ids).delete()[1].get("meetings.DatePoll", 0)
    report.deleted["Meeting"] += Meeting.objects.filter(pk__in=meeting_ids).delete()[1].get("meetings.Meeting", 0)
    report.deleted["MeetingSeries"] += MeetingSeries.objects.filter(network__in=demo).delete()[0]
    # The removed calendar's versions go with it: the new calendar starts its own history.
    demo_ids = list(demo.values_list("pk", flat=True))
    AgendaItem.history.filter(meeting_id__in=meeting_ids).delete()
    Minutes.history.filter(meeting_id__in=meeting_ids).delete()
    Meeting.history.filter(network_id__in=demo_ids).delete()
    MeetingSeries.history.filter(network_id__in=demo_ids).delete()


# --- planning ---------------------------------------------------------------------------


def _local(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return recurrence.localize(datetime.datetime.combine(day, time))


def _place_values(place: Place, directory: Directory) -> dict:
    """The location arguments of the services for ``place``."""
    return {
        "institution": directory.institutions[place.institution] if place.institution else None,
        "address": place.address,
        "room": place.room,
        "accessibility_notes": place.accessibility_notes,
    }


def _series_first_date(data: SeriesData, today: datetime.date) -> datetime.date:
    """A first day for the series such that its next meeting lies about ``next_in_days``
    ahead and it reaches about ``past_months`` back.

    The next meeting is the rule's day nearest to ``today + next_in_days`` after today
    (taken without INTERVAL, so every month or week counts); the first day lies whole
    periods before it, which keeps the rhythm running through that meeting.
    """
    parts = recurrence.parse_parts(data.rule)
    interval = int(parts.get("INTERVAL", "1"))
    every_period = ";".join(f"{name}={value}" for name, value in parts.items() if name != "INTERVAL")
    anchor = today + datetime.timedelta(days=data.next_in_days)
    tomorrow = today + datetime.timedelta(days=1)
    pattern = recurrence.Pattern(rule=every_period, first_date=tomorrow, start_time=data.start_time)
    days = [start.date() for start in recurrence.local_starts(pattern, since=tomorrow, through=anchor + DAYS_70)]
    next_day = min(days, key=lambda day: (abs((day - anchor).days), day))
    past = today - relativedelta(months=CALENDAR.past_months)
    if parts["FREQ"] == "WEEKLY":
        period_days = 7 * interval
        periods = math.ceil((next_day - past).days / period_days)
        return next_day - datetime.timedelta(days=period_days * periods)
    if parts["FREQ"] == "MONTHLY":
        months = (next_day.year - past.year) * 12 + next_day.month - past.month
        return next_day.replace(day=1) - relativedelta(months=interval * math.ceil(months / interval))
    raise ValueError(f"Demo series need a WEEKLY or MONTHLY rule: {data.rule}")


def _actors(directory: Directory) -> dict[int, object]:
    """Who plans in each network: the demo speaker in hers, the Sozialplanung elsewhere."""
    speaker = directory.users[SPEAKER.email]
    led = set(
        Membership.objects.filter(person__user=speaker, role__in=Membership.LEADING_ROLES).values_list(
            "network_id", flat=True
        )
    )
    planner = directory.users[PLANNER.email]
    return {network.pk: speaker if network.pk in led else planner for network in directory.networks.values()}


def _plan(directory: Directory, actors: dict, *, now: datetime.datetime) -> dict[int, tuple[str, bool, bool]]:
    """Create the series and single meetings. Returns, per meeting id: the network's kind,
    whether its minutes are public, and whether it stays without minutes."""
    today = now.astimezone(BERLIN).date()
    extra: dict[int, tuple[str, bool, bool]] = {}
    for data in CALENDAR.series:
        network = directory.networks[data.network]
        series = meeting_services.series_create(
            network=network,
            title=data.title,
            rule=data.rule,
            first_date=_series_first_date(data, today),
            start_time=data.start_time,
            duration_minutes=data.duration_minutes,
            visibility=Visibility.MEMBERS if data.members_only else Visibility.PUBLIC,
            actor=actors[network.pk],
            today=today,
            **_place_values(data.place, directory),
        )
        for pk in series.occurrences.values_list("pk", flat=True):
            extra[pk] = (network.kind, data.public_minutes, False)
    for single in CALENDAR.meetings:
        network = directory.networks[single.network]
        meeting = _single_schedule(single, directory, actors[network.pk], today=today)
        extra[meeting.pk] = (network.kind, False, single.without_minutes)
    return extra


def _single_schedule(data: MeetingData, directory: Directory, actor, *, today: datetime.date) -> Meeting:
    network = directory.networks[data.network]
    day = today + datetime.timedelta(days=data.in_days)
    # Networks meet on working days: Saturday → Friday, Sunday → Monday.
    day += datetime.timedelta(days={5: -1, 6: 1}.get(day.weekday(), 0))
    start = _local(day, data.start_time)
    return meeting_services.meeting_schedule(
        network=network,
        title=data.title,
        start=start,
        end=start + datetime.timedelta(minutes=data.duration_minutes),
        visibility=Visibility.MEMBERS if data.members_only else Visibility.PUBLIC,
        actor=actor,
        **_place_values(data.place, directory),
    )


# --- what happened --------------------------------------------------------------------


@dataclass
class _Story:
    """One meeting with what the timeline needs to know about it."""

    meeting: Meeting
    kind: str
    public_minutes: bool
    without_minutes: bool
    # 0 for the next meeting of its series (or a single meeting ahead), -1, -2 … before it.
    number: int
    confirmed_at: datetime.datetime
    # Answers end here: the moment the meeting was moved or cancelled, else its start.
    answers_until: datetime.datetime
    members: list[Person] = field(default_factory=list)


def _stories(extra: dict[int, tuple[str, bool, bool]], *, now: datetime.datetime) -> list[_Story]:
    """The planned meetings up to the next one of each series (later ones stay untouched)."""
    meetings = (
        Meeting.objects.filter(pk__in=extra)
        .select_related("network", "series", "institution")
        .order_by("network_id", "series_id", "title", "start")
    )
    groups: dict[tuple, list[Meeting]] = {}
    for meeting in meetings:
        groups.setdefault((meeting.network_id, meeting.series_id, meeting.title), []).append(meeting)
    stories = []
    for group in groups.values():
        upcoming = [index for index, meeting in enumerate(group) if meeting.start > now]
        zero = upcoming[0] if upcoming else len(group)
        for index, meeting in enumerate(group[: zero + 1]):
            kind, public_minutes, without_minutes = extra[meeting.pk]
            day = meeting.start.astimezone(BERLIN).date()
            confirmed_at = _local(day - datetime.timedelta(days=CALENDAR.confirm_days_before), datetime.time(9, 30))
            stories.append(
                _Story(meeting, kind, public_minutes, without_minutes, index - zero, confirmed_at, meeting.start)
            )
    return stories


def _story_events(story: _Story, timeline: _Timeline, actor, *, skip: set[int]) -> None:
    """Put on the timeline what happened to ``story.meeting``, in the order it happened.

    People in ``skip`` never answer (the demo member, so the demo shows the form).
    """
    meeting = story.meeting
    now = timeline.now

    def add(moment, action, **flags):
        timeline.add(moment, action, meeting_id=meeting.pk, **flags)

    detailed = story.number >= -CALENDAR.detailed_past
    if detailed and (story.confirmed_at < now or story.number == 0):
        # The agenda is written just before the invitation; the next meeting has one already.
        add(min(story.confirmed_at, now) - datetime.timedelta(minutes=5), lambda: _agenda_add(story, actor))
    add(
        story.confirmed_at,
        lambda: meeting_services.meeting_update(
            meeting=meeting, status=Meeting.Status.CONFIRMED, actor=actor, now=story.confirmed_at
        ),
        notifies=True,
    )
    answers = CALENDAR.answers
    for index, person in enumerate(story.members if detailed else ()):
        answer, note = answers[index % len(answers)]
        moment = story.confirmed_at + datetime.timedelta(days=1 + index % 9, hours=index % 5)
        if not answer or person.pk in skip or moment >= story.answers_until:
            continue
        add(
            moment,
            lambda person=person, answer=answer, note=note, moment=moment: meeting_services.attendance_answer(
                meeting=meeting, person=person, answer=answer, note=note, now=moment
            ),
        )
    add(meeting.end, lambda: _held(story, actor, detailed=detailed))
    if not story.without_minutes:
        day = meeting.start.astimezone(BERLIN).date() + datetime.timedelta(days=CALENDAR.minutes_days_after)
        published = _local(day, datetime.time(16, 0))
        # Members are told („Protokoll veröffentlicht“) when the minutes come out.
        add(published, lambda: _minutes_publish(story, actor, published), notifies=True)


def _theme(story: _Story) -> str:
    themes = CALENDAR.themes[story.kind]
    return themes[story.number % len(themes)]


def _agenda_add(story: _Story, actor) -> None:
    for item in CALENDAR.agenda[story.kind]:
        meeting_services.agenda_item_add(
            meeting=story.meeting,
            title=item["title"].format(theme=_theme(story)),
            text=item.get("text", ""),
            is_public=item.get("public", True),
            actor=actor,
        )


def _held(story: _Story, actor, *, detailed: bool) -> None:
    """The meeting took place; when ``detailed``, who came follows their answer (no answer:
    every other one came)."""
    meeting = story.meeting
    meeting_services.meeting_update(meeting=meeting, status=Meeting.Status.HELD, actor=actor, now=meeting.end)
    if not detailed:
        return
    answers = dict(Attendance.objects.filter(meeting=meeting).values_list("person_id", "answer"))
    for index, person in enumerate(story.members):
        answer = answers.get(person.pk, "")
        if answer == Attendance.Answer.NO:
            presence = Attendance.Presence.EXCUSED
        elif answer or index % 2:
            presence = Attendance.Presence.PRESENT
        else:
            continue
        meeting_services.attendance_record_presence(
            meeting=meeting, person=person, presence=presence, actor=actor, now=meeting.end
        )


def _minutes_publish(story: _Story, actor, moment: datetime.datetime) -> None:
    """The minutes, a week after the meeting; the last public ones come with a PDF."""
    meeting = story.meeting
    presences = list(Attendance.objects.filter(meeting=meeting).values_list("presence", flat=True))
    text = CALENDAR.minutes_text.format(
        network=meeting.network.name,
        theme=_theme(story),
        present=presences.count(Attendance.Presence.PRESENT),
        excused=presences.count(Attendance.Presence.EXCUSED),
    )
    values = {"visibility": Visibility.PUBLIC if story.public_minutes else Visibility.MEMBERS}
    with CALENDAR.minutes_file.open("rb") as handle:
        if story.public_minutes and story.number == -1:
            local = meeting.start.astimezone(BERLIN)
            values["file"] = File(handle, name=f"protokoll-{local:%Y-%m-%d}.pdf")
        minutes = meeting_services.minutes_save(meeting=meeting, text=text, actor=actor, **values)
    meeting_services.minutes_publish(minutes=minutes, actor=actor, now=moment)


def _members(stories: list[_Story], *, now: datetime.datetime) -> dict[int, list[Person]]:
    """The people who answer and attend, per network: members from the first detailed
    meeting's confirmation until today (the services check membership on the day)."""
    first: dict[int, datetime.date] = {}
    networks: dict[int, Network] = {}
    for story in stories:
        if story.number >= -CALENDAR.detailed_past:
            network_id = story.meeting.network_id
            networks[network_id] = story.meeting.network
            first[network_id] = min(first.get(network_id, story.confirmed_at.date()), story.confirmed_at.date())
    today = now.astimezone(BERLIN).date()
    members = {}
    for network_id in networks:
        then = Membership.objects.active(first[network_id]).filter(network_id=network_id).values("person_id")
        ids = (
            Membership.objects.active(today)
            .filter(network_id=network_id, person_id__in=then)
            .values_list("person_id", flat=True)
        )
        members[network_id] = list(Person.objects.filter(pk__in=ids).order_by("family_name", "given_name", "pk"))
    return members


def _next_meeting(stories: list[_Story], slug: str) -> _Story:
    return next(
        story
        for story in stories
        if story.number == 0 and story.meeting.series_id is not None and story.meeting.network.slug == slug
    )


def _changes(stories: list[_Story], timeline: _Timeline, actors: dict) -> None:
    """The move and the cancellation of a next meeting, both after its invitation."""
    day = timeline.now.astimezone(BERLIN).date()
    moved = _next_meeting(stories, CALENDAR.moved_network)
    moved.answers_until = _local(day - datetime.timedelta(days=CALENDAR.moved_days_ago), datetime.time(11, 15))
    shift = datetime.timedelta(days=CALENDAR.moved_by_days)
    timeline.add(
        moved.answers_until,
        lambda: meeting_services.meeting_move(
            meeting=moved.meeting,
            start=moved.meeting.start + shift,
            end=moved.meeting.end + shift,
            actor=actors[moved.meeting.network_id],
            now=moved.answers_until,
        ),
        meeting_id=moved.meeting.pk,
        notifies=True,
    )
    cancelled = _next_meeting(stories, CALENDAR.cancelled_network)
    cancelled.answers_until = _local(day - datetime.timedelta(days=CALENDAR.cancelled_days_ago), datetime.time(8, 45))
    timeline.add(
        cancelled.answers_until,
        lambda: meeting_services.meeting_cancel(
            meeting=cancelled.meeting,
            actor=actors[cancelled.meeting.network_id],
            now=cancelled.answers_until,
            reason=CALENDAR.cancel_reason,
        ),
        meeting_id=cancelled.meeting.pk,
        notifies=True,
    )


def _poll_events(timeline: _Timeline, directory: Directory, actors: dict, *, skip: set[int]) -> None:
    """The open Terminumfrage and the votes of most members."""
    data = CALENDAR.poll
    network = directory.networks[data.network]
    day = timeline.now.astimezone(BERLIN).date()
    created_at = _local(day - datetime.timedelta(days=data.created_days_ago), datetime.time(11, 0))
    options = []
    for days, time, minutes in data.options:
        start = _local(day + datetime.timedelta(days=days), time)
        options.append({"start": start, "end": start + datetime.timedelta(minutes=minutes)})
    actor = actors[network.pk]

    def create() -> None:
        poll = meeting_services.poll_create(
            network=network,
            title=data.title,
            description=data.description,
            options=options,
            deadline=_local(day + datetime.timedelta(days=data.deadline_in_days), datetime.time(18, 0)),
            actor=actor,
            now=created_at,
        )
        answers = list(DatePollVote.Answer)
        voters = [person for person in poll_invitees(poll, day=day) if person.pk not in skip]
        for index, person in enumerate(voters):
            moment = created_at + datetime.timedelta(hours=3 + 5 * index)
            if index % 4 == 3 or moment >= timeline.now:
                continue
            for position, option in enumerate(poll.options.order_by("start")):
                answer = answers[(index + position) % len(answers)]
                meeting_services.poll_vote(option=option, person=person, answer=answer, now=moment)

    timeline.add(created_at, create, notifies=True)


# --- the replay -------------------------------------------------------------------------


def _sweep_and_send(moment: datetime.datetime) -> int:
    """Run the sweep at ``moment`` and send what is due then, into the dummy mail backend.

    ``limit=0`` keeps the sweep from queueing send tasks on the broker: the rows are sent
    here, at once, a claim's worth per call so that no call runs into the send's time
    budget (which would queue the rest for a worker). Returns the number of rows finished.
    """
    notification_services.notifications_sweep(now=moment, limit=0)
    due = list(
        Delivery.objects.filter(state__in=Delivery.CLAIMABLE, next_attempt_at__lte=moment)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)
    )
    finished = 0
    with override_settings(EMAIL_BACKEND=DUMMY_MAIL_BACKEND):
        for start in range(0, len(due), notification_services.CLAIM_CHUNK):
            chunk = due[start : start + notification_services.CLAIM_CHUNK]
            finished += len(notification_services.deliveries_send(delivery_ids=chunk, now=moment))
    return finished


def calendar_seed(report: SeedReport, directory: Directory, *, now: datetime.datetime) -> None:
    """Plan the demo's calendar around ``now`` and play what happened up to ``now``.

    Call inside the seed's transaction, on a database without a demo calendar (see
    ``calendar_present``). Side effects: series, meetings, agenda items, answers,
    presences, minutes (one with a file), a poll with votes, all through the meetings
    services; the invitation lead time of the networks the data file names; within the
    replay window also delivery log rows, notices and planning steps through the
    notifications services (mail to the dummy backend).
    """
    for slug, days in CALENDAR.invitation_lead_days.items():
        network_settings_update(network=directory.networks[slug], invitation_lead_days=days)
    started = timezone.now()
    replay = not real_calendar_present()
    if replay:
        # Speakers whose term ends within 60 days got their notice when it fell due.
        report.created["Delivery"] += term_notices_replay(
            since=now - datetime.timedelta(days=CALENDAR.replay_days), now=now
        )
        # Whatever is owed now (a contact message, say) is planned at its real time first,
        # so the replay below cannot claim it for the past.
        notification_services.notifications_sweep(now=now)
    actors = _actors(directory)
    extra = _plan(directory, actors, now=now)
    stories = _stories(extra, now=now)
    timeline = _Timeline(now=now)
    _changes(stories, timeline, actors)
    skip = {directory.people[MEMBER.email].pk}
    members_of = _members(stories, now=now)
    for story in stories:
        story.members = members_of[story.meeting.network_id]
        _story_events(story, timeline, actors[story.meeting.network_id], skip=skip)
    _poll_events(timeline, directory, actors, skip=skip)

    # Meetings confirmed before the window are lived first and without mail; in the window
    # every moment something was owed is a sweep, so the log holds no late reminders.
    replay_start = now - datetime.timedelta(days=CALENDAR.replay_days)
    old = {story.meeting.pk for story in stories if story.confirmed_at < replay_start}
    events = sorted(timeline.events)
    network_of = {story.meeting.pk: story.meeting.network_id for story in stories}

    def live(event: _Event) -> None:
        # Its versions in the history are dated when it happened and name who did it.
        with history_made_by(user=actors.get(network_of.get(event.meeting_id)), at=event.moment):
            event.action()

    for event in events:
        if event.meeting_id in old:
            live(event)
    if replay:
        recent = [story.meeting for story in stories if story.meeting.pk not in old]
        for moment in _reminder_moments(recent, since=replay_start, now=now):
            timeline.add(moment, lambda: None, notifies=True)
        # Invitations fall due by the clock (the network's lead time before the meeting),
        # also for meetings confirmed before the window.
        meetings = [story.meeting for story in stories]
        for moment in _invitation_moments(meetings, since=replay_start, now=now):
            timeline.add(moment, lambda: None, notifies=True)
    for event in sorted(event for event in timeline.events if event.meeting_id not in old):
        live(event)
        if replay and event.notifies:
            report.created["Delivery"] += _sweep_and_send(event.moment)
    # Series and meetings were planned before anything of the demo's past happened: their
    # first versions are dated then, not at the moment the seed runs.
    planned_at = min((event.moment for event in events), default=now) - datetime.timedelta(days=1)
    for model in (MeetingSeries, Meeting):
        model.history.filter(history_type="+", history_date__gte=started).update(history_date=planned_at)
    report.created["Meeting"] += len(extra)
    report.created["MeetingSeries"] += len(CALENDAR.series)


def _reminder_moments(meetings: list[Meeting], *, since: datetime.datetime, now: datetime.datetime) -> set:
    """The moments reminders of ``meetings`` fell due between ``since`` and ``now``."""
    moments = set()
    for meeting in meetings:
        for offset in DEFAULT_OFFSETS:
            moment = reminder_moment(meeting.start, offset)
            if since <= moment < now:
                moments.add(moment)
    return moments


def _invitation_moments(meetings: list[Meeting], *, since: datetime.datetime, now: datetime.datetime) -> set:
    """The moments invitations to ``meetings`` fell due between ``since`` and ``now``."""
    lead_days = invitation_lead_days_by_network()
    moments = set()
    for meeting in meetings:
        moment = invitation_moment(meeting.start, lead_days.get(meeting.network_id, DEFAULT_INVITATION_LEAD_DAYS))
        if since <= moment < now:
            moments.add(moment)
    return moments
