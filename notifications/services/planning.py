"""The sweep: what the database says is owed (invitations, changes, cancellations,
reminders, poll mails, contact messages, digests) becomes rows of the delivery log, and
due rows are queued. Also sending an invitation now, and recording a baseline."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DateTimeField, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import AccountInvitation, ContactMessage, Membership
from contacts.selectors import contact_message_recipients
from meetings.models import AgendaItem, DatePoll, DatePollVote, Meeting, Minutes
from meetings.recurrence import BERLIN
from meetings.selectors import poll_invitees
from meetings.services import meeting_update
from notifications import selectors
from notifications.compose import LATE_LIMIT, message_id_of, reminder_moment
from notifications.models import (
    DEFAULT_INVITATION_LEAD_DAYS,
    Delivery,
    Kind,
    MeetingNotice,
    NetworkSettings,
    PeriodicRun,
    Preference,
    Step,
    Subject,
)
from notifications.selectors import invitation_moment
from notifications.services._common import (
    POLL_REMINDER_BEFORE,
    POLL_REMINDER_MIN_AGE,
    RECENT,
    REMINDING_STATUSES,
    SEND_TASK,
    WATERMARK_MARGIN,
    claim_holders_dead,
    mark_every,
    requeue_after,
)

logger = logging.getLogger(__name__)


# Periodic runs ------------------------------------------------------------------------


@transaction.atomic
def periodic_run_record(*, name: str, watermark: datetime.datetime | None = None) -> PeriodicRun:
    """Note that the periodic job ``name`` ran now (beat → broker → worker works).

    ``watermark`` only ever moves forward. Side effects: the ``PeriodicRun`` row.
    """
    now = timezone.now()
    run, created = PeriodicRun.objects.get_or_create(
        name=name, defaults={"last_run_at": now, "run_count": 1, "watermark": watermark}
    )
    if not created:
        PeriodicRun.objects.filter(pk=run.pk).update(last_run_at=now, run_count=F("run_count") + 1)
        if watermark is not None:
            PeriodicRun.objects.filter(pk=run.pk).filter(Q(watermark__isnull=True) | Q(watermark__lt=watermark)).update(
                watermark=watermark
            )
        run.refresh_from_db()
    return run


# The sweep ---------------------------------------------------------------------------


@dataclasses.dataclass
class SweepResult:
    planned: int = 0
    enqueued: list[int] = dataclasses.field(default_factory=list)


def _row(
    *,
    subject_type: str,
    subject_id: int,
    kind: str,
    now: datetime.datetime,
    person_id: int | None = None,
    address: str = "",
    name: str = "",
    version: int = 0,
    network_id: int | None = None,
    due_at: datetime.datetime | None = None,
    details: dict | None = None,
    state: str = Delivery.State.PLANNED,
    reason: str = "",
) -> Delivery:
    due_at = due_at or now
    return Delivery(
        subject_type=subject_type,
        subject_id=subject_id,
        kind=kind,
        version=version,
        recipient_key=f"p{person_id}" if person_id is not None else f"a{address.strip().lower()}",
        person_id=person_id,
        address=address,
        recipient_name=name,
        network_id=network_id,
        due_at=due_at,
        next_attempt_at=due_at,
        details=details or {},
        state=state,
        last_error=reason,
    )


def _steps(subject_type: str, step: str) -> Exists:
    return Exists(Step.objects.filter(subject_type=subject_type, subject_id=OuterRef("pk"), step=step))


def _steps_done(subject_type: str, step: str, ids: Iterable[int]) -> None:
    Step.objects.bulk_create(
        [Step(subject_type=subject_type, subject_id=pk, step=step) for pk in ids], ignore_conflicts=True
    )


def _meeting_told(meeting: Meeting) -> dict:
    """What members are told about a meeting: the facts a change notice compares."""
    return {
        "start": meeting.start.isoformat(),
        "end": meeting.end.isoformat(),
        "status": meeting.status,
        "place": meeting.location_text,
        "online_url": meeting.online_url,
    }


def _invitations_due(now: datetime.datetime) -> Q:
    """Meetings whose invitation moment has come and that members were not told about yet:
    confirmed, starting within the lead time of their network (default 14 days)."""
    custom = selectors.invitation_lead_days_by_network()
    by_days: dict[int, list[int]] = {}
    for network_id, days in custom.items():
        by_days.setdefault(days, []).append(network_id)
    within = Q(start__lte=now + datetime.timedelta(days=DEFAULT_INVITATION_LEAD_DAYS)) & ~Q(network_id__in=list(custom))
    for days, network_ids in by_days.items():
        within |= Q(network_id__in=network_ids, start__lte=now + datetime.timedelta(days=days))
    told = MeetingNotice.objects.filter(meeting_id=OuterRef("pk"))
    return Q(status=Meeting.Status.CONFIRMED) & within & ~Exists(told)


def _plan_meetings(*, now: datetime.datetime, since: datetime.datetime | None) -> list[Delivery]:
    """Invitations whose moment has come; changes and cancellations of meetings changed
    since ``since``."""
    meetings = Meeting.objects.filter(start__gt=now).select_related("institution").order_by("pk")
    if since is not None:
        # An invitation falls due by the clock alone (start minus the lead time), without the
        # meeting changing: those meetings are looked at whether they changed or not.
        meetings = meetings.filter(Q(updated_at__gte=since) | _invitations_due(now))
    rows: list[Delivery] = []
    batch: list[Meeting] = []
    # Usually a handful changed since the last sweep: one plain query. Only the very first
    # sweep (no watermark) walks every future meeting, through a server-side cursor.
    found = meetings.iterator(chunk_size=1000) if since is None else list(meetings)
    for meeting in found:
        batch.append(meeting)
        if len(batch) == 1000:
            rows += _plan_meeting_batch(batch, now=now)
            batch = []
    if batch:
        rows += _plan_meeting_batch(batch, now=now)
    return rows


def _invitable(meetings: list[Meeting], *, now: datetime.datetime | None = None) -> set[int]:
    """Ids of the meetings members are to be invited to: confirmed, and in a network that
    invites only with the agenda, with at least one agenda item; with ``now``, only those
    whose invitation moment (start minus the network's lead time) has come."""
    ids = [meeting.pk for meeting in meetings]
    settings_of = selectors.invitation_settings({meeting.network_id for meeting in meetings})
    agenda_networks = [pk for pk, (trigger, _days) in settings_of.items() if trigger == NetworkSettings.Trigger.AGENDA]
    with_agenda = set()
    if agenda_networks:
        with_agenda = set(
            AgendaItem.objects.filter(meeting_id__in=ids, meeting__network_id__in=agenda_networks)
            .order_by()
            .values_list("meeting_id", flat=True)
            .distinct()
        )
    invitable = set()
    for meeting in meetings:
        trigger, lead_days = settings_of.get(
            meeting.network_id, (NetworkSettings.Trigger.CONFIRMED, DEFAULT_INVITATION_LEAD_DAYS)
        )
        if meeting.status != Meeting.Status.CONFIRMED:
            continue
        if trigger == NetworkSettings.Trigger.AGENDA and meeting.pk not in with_agenda:
            continue
        if now is not None and invitation_moment(meeting.start, lead_days) > now:
            continue
        invitable.add(meeting.pk)
    return invitable


def _plan_meeting_batch(meetings: list[Meeting], *, now: datetime.datetime, force: bool = False) -> list[Delivery]:
    """The mails owed for ``meetings``: an invitation where members were not told yet and
    its moment has come (``force``: now, whatever the moment and the agenda), a change or
    cancellation where the sequence rose above what they were told."""
    ids = [meeting.pk for meeting in meetings]
    notices = {notice.meeting_id: notice for notice in MeetingNotice.objects.filter(meeting_id__in=ids)}
    untold = [meeting for meeting in meetings if meeting.pk not in notices]
    invitable = {meeting.pk for meeting in untold} if force else _invitable(untold, now=now)
    owed: list[tuple[Meeting, str, dict]] = []
    new_notices: list[MeetingNotice] = []
    for meeting in meetings:
        notice = notices.get(meeting.pk)
        told = _meeting_told(meeting)
        if notice is None:
            if meeting.pk not in invitable:
                continue
            kind, details = Kind.INVITATION, {}
            new_notices.append(
                MeetingNotice(meeting_id=meeting.pk, told_sequence=meeting.sequence, told=told, announced_at=now)
            )
        elif meeting.sequence > notice.told_sequence:
            kind = Kind.CANCELLATION if meeting.is_cancelled else Kind.CHANGE
            details = {"before": notice.told, "after": told}
            MeetingNotice.objects.filter(pk=notice.pk, told_sequence__lt=meeting.sequence).update(
                told_sequence=meeting.sequence, told=told
            )
        else:
            continue
        owed.append((meeting, kind, details))
    MeetingNotice.objects.bulk_create(new_notices, ignore_conflicts=True)
    if not owed:
        return []
    # Members of every network of each meeting, a person once (a joint meeting's member of
    # both networks gets one mail; the delivery log's unique key would refuse a second).
    members = selectors.meeting_recipients(
        {(meeting.pk, meeting.network_id) for meeting, _k, _d in owed}, day=now.astimezone(BERLIN).date()
    )
    rows: list[Delivery] = []
    for meeting, kind, details in owed:
        rows += [
            _row(
                subject_type=Subject.MEETING,
                subject_id=meeting.pk,
                kind=kind,
                version=meeting.sequence,
                person_id=person_id,
                network_id=meeting.network_id,
                details=details,
                now=now,
            )
            for person_id in members.get(meeting.pk, ())
        ]
    return rows


def _plan_reminders(*, now: datetime.datetime) -> list[Delivery]:
    """Reminders whose moment has come (missed if it passed more than ``LATE_LIMIT`` ago).

    Only for meetings members were told about (invited, or recorded as known by the
    baseline), and only reminders whose moment lies after that: nobody is reminded of a
    meeting before being invited to it. A meeting confirmed a day before it starts gets its
    invitation and no reminder of the day before; the invitation is fresh.
    """
    offsets_of = selectors.reminder_offsets_by_network()
    all_offsets = sorted(set().union(*offsets_of.values(), selectors.DEFAULT_OFFSETS))
    rows: list[Delivery] = []
    # Two hours of slack on each side: the wall-clock offset may differ from the plain one
    # by the DST hour; the exact moment is decided per meeting below.
    slack = datetime.timedelta(hours=2)
    notice = MeetingNotice.objects.filter(meeting_id=OuterRef("pk"))
    for offset in all_offsets:
        delta = datetime.timedelta(minutes=offset)
        low = max(now, now + delta - LATE_LIMIT - slack)
        candidates = (
            Meeting.objects.filter(start__gt=low, start__lte=now + delta + slack, status__in=REMINDING_STATUSES)
            .filter(Exists(notice))
            .exclude(_steps(Subject.MEETING, f"erinnerung:{offset}"))
            .annotate(announced_at=Subquery(notice.values("announced_at")[:1]))
            .values_list("pk", "network_id", "start", "announced_at")
        )
        done = []
        candidates = list(candidates)
        recipients = selectors.meeting_recipients(
            {(pk, network_id) for pk, network_id, _start, _announced in candidates}, day=now.astimezone(BERLIN).date()
        )
        for pk, network_id, start, announced_at in candidates:
            offsets = offsets_of.get(network_id, selectors.DEFAULT_OFFSETS)
            if offset not in offsets:
                continue
            due = reminder_moment(start, offset)
            if due > now:
                continue
            done.append(pk)
            if announced_at is not None and announced_at > due:
                # Members were invited after this reminder's moment: it is not owed.
                continue
            state, reason = Delivery.State.PLANNED, ""
            if now - due > LATE_LIMIT:
                state, reason = Delivery.State.MISSED, str(_("Erinnerung mehr als 6 Stunden überfällig (Ausfall?)."))
            elif any(other < offset and reminder_moment(start, other) <= now for other in offsets):
                state, reason = Delivery.State.SKIPPED, str(_("Überholt: die nächste Erinnerung ist schon fällig."))
            rows += [
                _row(
                    subject_type=Subject.MEETING,
                    subject_id=pk,
                    kind=Kind.REMINDER,
                    version=offset,
                    person_id=person_id,
                    network_id=network_id,
                    due_at=due,
                    state=state,
                    reason=reason,
                    now=now,
                )
                for person_id in recipients.get(pk, ())
            ]
        _steps_done(Subject.MEETING, f"erinnerung:{offset}", done)
    return rows


def _poll_rows(poll: DatePoll, kind: str, person_ids: Iterable[int], now: datetime.datetime) -> list[Delivery]:
    return [
        _row(
            subject_type=Subject.POLL, subject_id=poll.pk, kind=kind, person_id=pk, network_id=poll.network_id, now=now
        )
        for pk in person_ids
    ]


def _plan_polls(*, now: datetime.datetime) -> list[Delivery]:
    """Invitations to vote, one reminder before the deadline to non-voters, the result.

    One query finds the polls with a step owed (open ones and those closed recently); the
    steps already done come with them, so a sweep with nothing owed costs that query alone.
    """
    day = now.astimezone(BERLIN).date()

    def step(name: str, **extra) -> Exists:
        return Exists(Step.objects.filter(subject_type=Subject.POLL, subject_id=OuterRef("pk"), step=name, **extra))

    polls = (
        DatePoll.objects.filter(
            Q(status=DatePoll.Status.OPEN, deadline__gt=now)
            | Q(status=DatePoll.Status.CLOSED, closed_at__gte=now - RECENT)
        )
        .annotate(
            invited=step("einladung"),
            invited_a_while_ago=step("einladung", done_at__lte=now - POLL_REMINDER_MIN_AGE),
            reminded=step("erinnerung"),
            resulted=step("ergebnis"),
        )
        .order_by("pk")
    )
    rows: list[Delivery] = []
    done: dict[str, list[int]] = {"einladung": [], "erinnerung": [], "ergebnis": []}
    for poll in polls:
        if poll.status == DatePoll.Status.CLOSED:
            owed = [] if poll.resulted else [("ergebnis", Kind.POLL_RESULT)]
        elif not poll.invited:
            owed = [("einladung", Kind.POLL_INVITATION)]
        elif poll.invited_a_while_ago and not poll.reminded and poll.deadline <= now + POLL_REMINDER_BEFORE:
            owed = [("erinnerung", Kind.POLL_REMINDER)]
        else:
            owed = []
        for name, kind in owed:
            people = poll_invitees(poll, day=day)
            if kind == Kind.POLL_REMINDER:
                people = people.exclude(pk__in=DatePollVote.objects.filter(option__poll=poll).values("person_id"))
            rows += _poll_rows(poll, kind, people.values_list("pk", flat=True), now)
            done[name].append(poll.pk)
    for name, ids in done.items():
        _steps_done(Subject.POLL, name, ids)
    return rows


def _plan_minutes(*, now: datetime.datetime) -> list[Delivery]:
    """„Protokoll veröffentlicht“ to the network's current members, once per publication
    and per renewed notice (the minutes' ``notice_version`` is the row's version).

    Minutes published within ``RECENT`` (and those told about again within it) are looked
    at; a step per meeting and version keeps the sweep from looking at them again, so an
    edit of published minutes sends nothing unless the speaker asked to tell members again
    (a new version). Minutes published before the notice existed (version 0) are never
    announced after the fact.
    """
    recent = now - RECENT
    found = list(
        Minutes.objects.filter(published_at__lte=now, notice_version__gt=0)
        .filter(Q(published_at__gte=recent) | Q(notice_version__gt=1, updated_at__gte=recent))
        .select_related("meeting")
        .order_by("pk")
    )
    if not found:
        return []
    done = set(
        Step.objects.filter(
            subject_type=Subject.MEETING,
            subject_id__in=[minutes.meeting_id for minutes in found],
            step__startswith="protokoll:",
        ).values_list("subject_id", "step")
    )
    owed = [minutes for minutes in found if (minutes.meeting_id, f"protokoll:{minutes.notice_version}") not in done]
    if not owed:
        return []
    members = selectors.network_members(
        {minutes.meeting.network_id for minutes in owed}, day=now.astimezone(BERLIN).date()
    )
    rows: list[Delivery] = []
    for minutes in owed:
        meeting = minutes.meeting
        rows += [
            _row(
                subject_type=Subject.MEETING,
                subject_id=meeting.pk,
                kind=Kind.MINUTES,
                version=minutes.notice_version,
                person_id=person_id,
                network_id=meeting.network_id,
                now=now,
            )
            for person_id in members.get(meeting.network_id, ())
        ]
    Step.objects.bulk_create(
        [
            Step(
                subject_type=Subject.MEETING, subject_id=minutes.meeting_id, step=f"protokoll:{minutes.notice_version}"
            )
            for minutes in owed
        ],
        ignore_conflicts=True,
    )
    return rows


def _plan_contact_messages(*, now: datetime.datetime) -> list[Delivery]:
    """Each stored contact-form message to its recipients, and the copy to its sender."""
    rows: list[Delivery] = []
    messages = (
        ContactMessage.objects.filter(created_at__gte=now - RECENT)
        .exclude(_steps(Subject.CONTACT, "zustellung"))
        .select_related("network", "institution")
    )
    done = []
    for message in messages:
        recipients = contact_message_recipients(message, day=now.astimezone(BERLIN).date())
        common = {"subject_type": Subject.CONTACT, "subject_id": message.pk, "network_id": message.network_id}
        rows += [
            _row(kind=Kind.CONTACT, address=address, name=str(name), now=now, **common) for name, address in recipients
        ]
        if not recipients:
            rows.append(
                _row(
                    kind=Kind.CONTACT,
                    now=now,
                    state=Delivery.State.FAILED,
                    reason=str(_("Niemand mit E-Mail-Adresse ist für diese Anfrage zuständig.")),
                    **common,
                )
            )
        if message.copy_to_sender:
            # First a link to the typed address, the copy only once it is used
            # (``contact_copy_confirm``): the form must not send any text to any address.
            rows.append(_row(kind=Kind.CONTACT_COPY_CONFIRM, address=message.sender_email, now=now, **common))
        done.append(message.pk)
    _steps_done(Subject.CONTACT, "zustellung", done)
    return rows


def _plan_account_invitations(*, now: datetime.datetime, ids: Iterable[int] | None = None) -> list[Delivery]:
    """Each open invitation to an account, once per sending (``version`` rises on resend)."""
    planned = Delivery.objects.filter(
        subject_type=Subject.ACCOUNT_INVITATION, subject_id=OuterRef("pk"), version=OuterRef("version")
    )
    invitations = AccountInvitation.objects.filter(
        withdrawn_at__isnull=True, accepted_at__isnull=True, expires_at__gt=now
    ).exclude(Exists(planned))
    if ids is not None:
        invitations = invitations.filter(pk__in=ids)
    return [
        _row(
            subject_type=Subject.ACCOUNT_INVITATION,
            subject_id=invitation.pk,
            kind=Kind.ACCOUNT_INVITATION,
            version=invitation.version,
            person_id=invitation.person_id,
            address=invitation.email,
            network_id=invitation.network_id,
            now=now,
        )
        for invitation in invitations
    ]


@transaction.atomic
def account_invitations_plan(*, invitation_ids: Iterable[int], now: datetime.datetime | None = None) -> list[int]:
    """Plan the mail of these open invitations now, as the next sweep would (the demo sends
    its invitation at once with it). Idempotent. Returns the ids of the planned rows."""
    rows = Delivery.objects.bulk_create(
        _plan_account_invitations(now=now or timezone.now(), ids=list(invitation_ids)), ignore_conflicts=True
    )
    return list(
        Delivery.objects.filter(
            subject_type=Subject.ACCOUNT_INVITATION,
            subject_id__in=[row.subject_id for row in rows],
            state__in=Delivery.CLAIMABLE,
        ).values_list("pk", flat=True)
    )


@transaction.atomic
def contact_copy_confirm(*, message: ContactMessage, now: datetime.datetime | None = None) -> Delivery:
    """The sender followed the link in the confirmation mail: the address is theirs, so the
    copy of their message may go to it.

    Idempotent: a second use finds the row of the first. Raises ``ValidationError``
    (German) when no copy was asked for. Side effects: one ``kontakt_kopie`` row; after
    commit, its send task (the sweep would find it too).
    """
    if not message.copy_to_sender:
        raise ValidationError(_("Für diese Nachricht wurde keine Kopie angefordert."))
    row = _row(
        subject_type=Subject.CONTACT,
        subject_id=message.pk,
        kind=Kind.CONTACT_COPY,
        address=message.sender_email,
        name=message.sender_name,
        network_id=message.network_id,
        details={"confirmed": True},
        now=now or timezone.now(),
    )
    delivery, created = Delivery.objects.get_or_create(
        subject_type=row.subject_type,
        subject_id=row.subject_id,
        kind=row.kind,
        version=row.version,
        recipient_key=row.recipient_key,
        defaults={
            field.attname: getattr(row, field.attname)
            for field in Delivery._meta.concrete_fields
            if not field.primary_key
        },
    )
    if created:
        transaction.on_commit(lambda: _enqueue([delivery.pk], urgent=True))
    return delivery


def digest_week(now: datetime.datetime) -> tuple[int, datetime.datetime]:
    """The ISO week (YYYYWW) of ``now`` in Berlin and the moment its digest is due (Monday 07:00)."""
    local = now.astimezone(BERLIN)
    monday = local.date() - datetime.timedelta(days=local.weekday())
    year, week, _weekday = monday.isocalendar()
    return year * 100 + week, datetime.datetime.combine(
        monday, datetime.time(getattr(settings, "NOTIFICATIONS_DIGEST_HOUR", 7)), tzinfo=BERLIN
    )


def _plan_digest(*, now: datetime.datetime) -> list[Delivery]:
    """This week's digest for everyone who asked for it, once its moment has come."""
    week, due = digest_week(now)
    if now < due or Step.objects.filter(subject_type=Subject.DIGEST, subject_id=week, step="geplant").exists():
        return []
    day = now.astimezone(BERLIN).date()
    people = (
        Preference.objects.filter(digest=True)
        .filter(Exists(Membership.objects.active(day).filter(person_id=OuterRef("person_id"))))
        .values_list("person_id", flat=True)
    )
    rows = [
        _row(subject_type=Subject.DIGEST, subject_id=week, kind=Kind.DIGEST, version=week, person_id=pk, now=now)
        for pk in people
    ]
    _steps_done(Subject.DIGEST, "geplant", [week])
    return rows


# A speaker and the network's Sozialplanung contact hear this many days before a term ends
# that it does: time to prepare an election.
TERM_NOTICE_DAYS = 60


def _plan_terms(*, now: datetime.datetime) -> list[Delivery]:
    """The notice that a speaker's term ends in ``TERM_NOTICE_DAYS`` days (or fewer, for a
    term entered late): to the holder and to the network's contact in the Sozialplanung.

    Once per term and end date: the row's version is the end (YYYYMMDD), and a step per
    membership and end keeps the sweep from looking at it again; a term whose end is moved
    gets a notice for its new end when that comes near.
    """
    day = now.astimezone(BERLIN).date()
    ending = list(
        Membership.objects.active(day)
        .leading()
        .filter(end__isnull=False, end__lte=day + datetime.timedelta(days=TERM_NOTICE_DAYS), network__is_active=True)
        .select_related("network")
        .order_by("pk")
    )
    if not ending:
        return []
    done = set(
        Step.objects.filter(subject_type=Subject.TERM, subject_id__in=[m.pk for m in ending]).values_list(
            "subject_id", "step"
        )
    )
    rows: list[Delivery] = []
    steps: list[Step] = []
    for membership in ending:
        step = f"ende:{membership.end.isoformat()}"
        if (membership.pk, step) in done:
            continue
        recipients = [membership.person_id]
        contact_id = membership.network.sozialplanung_contact_id
        if contact_id is not None and contact_id != membership.person_id:
            recipients.append(contact_id)
        rows += [
            _row(
                subject_type=Subject.TERM,
                subject_id=membership.pk,
                kind=Kind.TERM_ENDING,
                version=int(membership.end.strftime("%Y%m%d")),
                person_id=person_id,
                network_id=membership.network_id,
                details={"end": membership.end.isoformat(), "role": membership.role},
                now=now,
            )
            for person_id in recipients
        ]
        steps.append(Step(subject_type=Subject.TERM, subject_id=membership.pk, step=step))
    Step.objects.bulk_create(steps, ignore_conflicts=True)
    return rows


@transaction.atomic
def term_notices_plan(*, now: datetime.datetime) -> list[int]:
    """Plan the term notices owed at ``now`` on their own, outside the sweep (the demo
    replays its past at the moments they fell due). Returns the ids of the planned rows
    that are due at ``now``. Side effects: as the sweep's part for terms (rows, steps).
    """
    Delivery.objects.bulk_create(_plan_terms(now=now), ignore_conflicts=True)
    return list(
        Delivery.objects.filter(kind=Kind.TERM_ENDING, state=Delivery.State.PLANNED, next_attempt_at__lte=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# What changes plans goes before reminders, digests and poll mail: its own queue (and on
# Redis the highest priority), so that a cancellation never waits behind a backlog.
URGENT_KINDS = (
    Kind.CANCELLATION,
    Kind.CHANGE,
    Kind.CONTACT,
    Kind.CONTACT_COPY,
    Kind.CONTACT_COPY_CONFIRM,
    # Someone waits for the link to their new account.
    Kind.ACCOUNT_INVITATION,
    # A guest waits for the confirmation; a guest told of a change may have to re-plan.
    Kind.GUEST_CONFIRMATION,
    Kind.GUEST_MOVED_UP,
    Kind.GUEST_CHANGE,
    Kind.GUEST_CANCELLATION,
)
URGENT_QUEUE, URGENT_PRIORITY = "mail-urgent", 0
BULK_QUEUE, BULK_PRIORITY = "mail", 6
MAIL_QUEUES = (URGENT_QUEUE, BULK_QUEUE)
# With more send tasks than this waiting, rows queued long ago are most likely still in the
# queue: they are not queued a second time (a slow queue is not flooded with copies).
REQUEUE_QUEUE_LIMIT = 20


def _urgent(now: datetime.datetime) -> Q:
    """Rows that change plans: cancellations, changes, contact messages, and invitations to
    meetings of the next days (``NOTIFICATIONS_URGENT_INVITATION_DAYS``)."""
    days = getattr(settings, "NOTIFICATIONS_URGENT_INVITATION_DAYS", 3)
    soon = Meeting.objects.filter(start__gt=now, start__lte=now + datetime.timedelta(days=days)).values("pk")
    return Q(kind__in=URGENT_KINDS) | Q(kind=Kind.INVITATION, subject_type=Subject.MEETING, subject_id__in=soon)


def _split_urgent(ids: list[int], now: datetime.datetime | None = None) -> tuple[list[int], list[int]]:
    """``ids`` parted into those that change plans and the rest (order kept)."""
    urgent = set(Delivery.objects.filter(_urgent(now or timezone.now()), pk__in=ids).values_list("pk", flat=True))
    return [pk for pk in ids if pk in urgent], [pk for pk in ids if pk not in urgent]


IN_DOUBT = _(
    "Worker beim Senden ausgefallen; die Mail ist vielleicht angekommen, sie wird mit derselben Message-ID wiederholt."
)


def _claims_expired_recover(now: datetime.datetime, *, among: list[int] | None = None) -> int:
    """Put back rows whose claim ran out (its worker died: a living one renews it) or whose
    holder is known to be dead (``claim_holders_dead``: a process of this machine that is
    gone), of every claim or of the claims holding a row of ``among``. Returns how many.

    A worker sends the rows of a claim in the order of their ids and writes their results
    a group of ``mark_every()`` at a time (``sending._Marks``), never sending more before
    the group is written; so the first ``mark_every()`` unmarked rows of a dead claim
    may have been handed to the relay without their mark. They are in doubt like a timeout
    after the data: flagged ``duplicate_possible`` and sent again with the same Message-ID
    (``unklar``); one already in doubt is not sent a third time (``fehlgeschlagen``, staff
    decide). The others were never tried.
    """
    held = Delivery.objects.filter(state=Delivery.State.CLAIMED)
    if among is not None:
        held = held.filter(claim_token__in=held.filter(pk__in=among).values("claim_token"))
    # One query: the rows held now are those of the claims under way (a few hundred).
    rows = list(held.order_by("claim_token", "pk").values_list("claim_token", "pk", "lease_until"))
    dead = claim_holders_dead({token for token, _pk, _lease in rows})
    by_claim: dict[str, list[int]] = {}
    for token, pk, lease_until in rows:
        if token in dead or (lease_until is not None and lease_until < now):
            by_claim.setdefault(token, []).append(pk)
    if not by_claim:
        return 0
    # Taken only while still over (a slow worker may have renewed its lease meanwhile).
    expired = held.filter(
        Q(lease_until__lt=now) | Q(claim_token__in=dead), pk__in=[pk for ids in by_claim.values() for pk in ids]
    )
    first_ids = [pk for ids in by_claim.values() for pk in ids[: mark_every()]]
    for row in list(expired.filter(pk__in=first_ids)):
        fields = {"claim_token": "", "lease_until": None, "enqueued_at": None, "message_id": message_id_of(row)}
        if row.duplicate_possible:
            fields.update(
                state=Delivery.State.FAILED,
                last_error=str(_("Zweimal unklar (Worker beim Senden ausgefallen), nicht erneut gesendet.")),
            )
        else:
            fields.update(
                state=Delivery.State.AMBIGUOUS,
                duplicate_possible=True,
                next_attempt_at=now,
                last_error=str(IN_DOUBT),
            )
        Delivery.objects.filter(pk=row.pk, claim_token=row.claim_token, state=Delivery.State.CLAIMED).update(**fields)
    expired.update(
        claim_token="",
        lease_until=None,
        state=Delivery.State.PLANNED,
        next_attempt_at=now,
        enqueued_at=None,
        last_error=str(_("Zustellung unterbrochen (Worker ausgefallen?); wird wiederholt.")),
    )
    return sum(len(ids) for ids in by_claim.values())


@dataclasses.dataclass(frozen=True)
class BrokerState:
    """What the broker tells of the send tasks: how many its mail queues hold, and since
    when it runs (a Redis broker's uptime; ``None`` for one that does not say)."""

    queued: int
    started: datetime.datetime | None


def _broker_state() -> BrokerState | None:
    """The broker's ``BrokerState`` (``None``: it cannot tell)."""
    from celery import current_app
    from kombu.exceptions import ChannelError

    try:
        with current_app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
            channel = broker.default_channel
            total = 0
            for queue in MAIL_QUEUES:
                # Redis keeps no key for an empty queue: "not found" is none waiting.
                with contextlib.suppress(ChannelError):
                    total += channel.queue_declare(queue=queue, passive=True).message_count
            client = getattr(channel, "client", None)
            uptime = client.info("server").get("uptime_in_seconds") if hasattr(client, "info") else None
    except Exception:
        logger.warning("The broker's queues could not be counted", exc_info=True)
        return None
    started = timezone.now() - datetime.timedelta(seconds=uptime) if uptime is not None else None
    return BrokerState(queued=total, started=started)


def _requeue_rule(now: datetime.datetime) -> Q:
    """Which rows queued before are queued again (their task lost): those queued before
    the broker last started (a Redis without persistence starts empty; one that kept its
    tasks has them twice, and the claim decides), and those queued ``requeue_after`` ago;
    sooner when the broker's mail queues are empty — a row queued more than a few seconds
    ago is then in no task — and none while many tasks wait."""
    never = Q(enqueued_at__isnull=True)
    waiting = Delivery.objects.filter(
        state__in=Delivery.CLAIMABLE, next_attempt_at__lte=now, enqueued_at__isnull=False
    ).exists()
    if not waiting:
        return never
    broker = _broker_state()
    if broker is None:
        return never | Q(enqueued_at__lt=now - requeue_after())
    if broker.queued > REQUEUE_QUEUE_LIMIT:
        return never
    lost = Q(enqueued_at__lt=broker.started) if broker.started is not None else Q(pk__in=[])
    if broker.queued == 0:
        grace = datetime.timedelta(seconds=getattr(settings, "NOTIFICATIONS_REQUEUE_GRACE_SECONDS", 10.0))
        return never | lost | Q(enqueued_at__lt=now - grace)
    return never | lost | Q(enqueued_at__lt=now - requeue_after())


def _ready(*, now: datetime.datetime, limit: int) -> tuple[list[int], list[int]]:
    """Rows to hand to a worker now, those that change plans first: due and not queued
    (or their task lost, ``_requeue_rule``), or back from a claim that ran out."""
    _claims_expired_recover(now)
    if limit <= 0:
        return [], []
    ready = Delivery.objects.filter(state__in=Delivery.CLAIMABLE, next_attempt_at__lte=now).filter(_requeue_rule(now))
    urgent_rule = _urgent(now)
    urgent = list(ready.filter(urgent_rule).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    rest = list(
        ready.exclude(urgent_rule).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[: limit - len(urgent)]
    )
    ids = urgent + rest
    for start in range(0, len(ids), 5000):
        Delivery.objects.filter(pk__in=ids[start : start + 5000]).update(enqueued_at=now)
    return urgent, rest


def _enqueue(ids: list[int], *, urgent: bool = False) -> None:
    """One send task per batch of ``NOTIFICATIONS_SEND_BATCH`` rows, on the urgent queue or
    the other. A broker that is down loses nothing: the rows stay planned and a later
    sweep queues them again (``_requeue_rule``)."""
    if not ids:
        return
    from celery import current_app

    size = max(1, settings.NOTIFICATIONS_SEND_BATCH)
    queue, priority = (URGENT_QUEUE, URGENT_PRIORITY) if urgent else (BULK_QUEUE, BULK_PRIORITY)
    try:
        with current_app.producer_or_acquire() as producer:
            for start in range(0, len(ids), size):
                current_app.send_task(
                    SEND_TASK, args=[ids[start : start + size]], producer=producer, queue=queue, priority=priority
                )
    except Exception:
        logger.exception("Enqueueing %s deliveries failed; a later sweep queues them again", len(ids))


def _enqueue_by_urgency(urgent: list[int], rest: list[int]) -> None:
    _enqueue(urgent, urgent=True)
    _enqueue(rest)


def notifications_sweep(*, now: datetime.datetime | None = None, limit: int = 20000) -> SweepResult:
    """Plan every mail that is owed now and queue one send task per ready row.

    Derives from the current state: invitations (a meeting confirmed, or with its agenda,
    per network), changes and cancellations (the meeting's ``sequence`` above what members
    were told), reminders whose moment has come, poll invitations, reminders and results,
    „Protokoll veröffentlicht“, contact-form messages, invitations to accounts, the weekly
    digest, the notices of speaker terms ending, the mails to guests of open meetings
    (``guests.plan_guests``), the Rundmails whose moment has come, and „Sind Ihre Angaben
    noch aktuell?“ with its reminder to owners of stale entries, at most hourly
    (``freshness.entry_checks_plan_if_due``). Idempotent: rows that exist are not made again
    (unique key), so overlapping or repeated sweeps do no harm.

    Side effects: ``Delivery``, ``MeetingNotice`` and ``Step`` rows; the ``sweep`` run with
    its watermark; after commit, one ``notifications.send`` task per batch of ready rows.
    """
    # Here, not at the top: the freshness module builds its rows with this module's helpers.
    from notifications.services.freshness import ENTRY_CHECKS_RUN, entry_checks_plan_if_due
    from notifications.services.guests import plan_guests
    from notifications.services.rundmail import _plan_rundmails

    clock = timezone.now()
    now = now or clock
    with transaction.atomic():
        runs = {run.name: run for run in PeriodicRun.objects.filter(name__in=("sweep", ENTRY_CHECKS_RUN))}
        run = runs.get("sweep")
        since = run.watermark - WATERMARK_MARGIN if run is not None and run.watermark else None
        rows = _plan_meetings(now=now, since=since)
        rows += _plan_reminders(now=now)
        rows += _plan_polls(now=now)
        rows += _plan_minutes(now=now)
        rows += _plan_contact_messages(now=now)
        rows += _plan_account_invitations(now=now)
        rows += _plan_digest(now=now)
        rows += _plan_terms(now=now)
        rows += entry_checks_plan_if_due(now=now, last_run=runs.get(ENTRY_CHECKS_RUN))
        rows += plan_guests(now=now)
        Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        # Written by the database itself (one INSERT … SELECT per Rundmail).
        rundmail_rows = _plan_rundmails(now=now)
        urgent, rest = _ready(now=now, limit=limit)
        if run is None:
            periodic_run_record(name="sweep", watermark=clock)
        else:
            # One statement instead of the general record: the sweep runs every minute.
            stamp = Value(clock, output_field=DateTimeField())
            PeriodicRun.objects.filter(pk=run.pk).update(
                last_run_at=timezone.now(),
                run_count=F("run_count") + 1,
                watermark=Greatest(Coalesce("watermark", stamp), stamp),
            )
        transaction.on_commit(lambda: _enqueue_by_urgency(urgent, rest))
    return SweepResult(planned=len(rows) + rundmail_rows, enqueued=urgent + rest)


@transaction.atomic
def invitation_send_now(*, meeting: Meeting, actor=None, now: datetime.datetime | None = None) -> int:
    """„Einladung jetzt verschicken“: invite the members to ``meeting`` now instead of at
    its lead time, with the agenda as it stands (also in a network that waits for the
    agenda: the speaker decided, having seen the preview).

    A meeting still geplant is confirmed first (``meetings.services.meeting_update``).
    Raises ``ValidationError`` (German) for a meeting that is cancelled, held, postponed or
    has begun, and for one members were already invited to. Returns the number of
    invitations planned. Side effects: the meeting's status (locked row); its
    ``MeetingNotice``; one ``Delivery`` row per current member; after commit one send
    task per batch (the sweep sends them otherwise).
    """
    now = now or timezone.now()
    meeting.refresh_from_db(from_queryset=Meeting.objects.select_for_update())
    if meeting.status not in (Meeting.Status.PLANNED, Meeting.Status.CONFIRMED):
        raise ValidationError(
            _("Zu einer Sitzung mit dem Status „%(status)s“ geht keine Einladung hinaus.")
            % {"status": meeting.get_status_display()}
        )
    if meeting.start <= now:
        raise ValidationError(_("Die Sitzung hat schon begonnen; eine Einladung ist nicht mehr sinnvoll."))
    if MeetingNotice.objects.filter(meeting_id=meeting.pk).exists():
        raise ValidationError(_("Die Mitglieder sind zu dieser Sitzung schon eingeladen."))
    if meeting.status == Meeting.Status.PLANNED:
        meeting_update(meeting=meeting, status=Meeting.Status.CONFIRMED, actor=actor, now=now)
    rows = _plan_meeting_batch([meeting], now=now, force=True)
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    ids = list(
        Delivery.objects.filter(
            subject_type=Subject.MEETING, subject_id=meeting.pk, kind=Kind.INVITATION, state=Delivery.State.PLANNED
        ).values_list("pk", flat=True)
    )
    Delivery.objects.filter(pk__in=ids).update(enqueued_at=now)
    # A speaker is waiting for it: with the mail that changes plans.
    transaction.on_commit(lambda: _enqueue(ids, urgent=True))
    logger.info(
        "Invitation to meeting %s sent now by %s (%s members)", meeting.pk, getattr(actor, "pk", None), len(rows)
    )
    return len(rows)


@transaction.atomic
def notifications_baseline(*, now: datetime.datetime | None = None) -> int:
    """Record that members already know every future meeting they would be invited to now.

    For a system that takes over from another tool (meetings imported, members invited the
    old way): without it the first sweep would invite every member to every confirmed
    future meeting at once. Afterwards only what changes is sent: changes, cancellations and
    invitations to meetings confirmed (or given their agenda) later; reminders come as
    usual. Idempotent: a meeting members were told about keeps what they were told. Returns
    the number of meetings recorded. Side effects: ``MeetingNotice`` rows; the sweep's
    watermark.
    """
    clock = timezone.now()
    now = now or clock
    recorded = 0
    known = MeetingNotice.objects.filter(meeting_id=OuterRef("pk"))
    unknown = Meeting.objects.filter(start__gt=now).exclude(Exists(known)).order_by("pk")
    batch: list[Meeting] = []
    for meeting in unknown.iterator(chunk_size=2000):
        batch.append(meeting)
        if len(batch) == 2000:
            recorded += _notices_record(batch)
            batch = []
    recorded += _notices_record(batch)
    periodic_run_record(name="sweep", watermark=clock)
    logger.info("Baseline: %s future meetings recorded as known", recorded)
    return recorded


def _notices_record(meetings: list[Meeting]) -> int:
    """Record as told what members would be invited to now (the others stay unknown, so
    confirming one later still invites)."""
    invitable = _invitable(meetings)
    notices = [
        # No announcement moment: members knew these meetings before (every reminder is owed).
        MeetingNotice(meeting_id=meeting.pk, told_sequence=meeting.sequence, told=_meeting_told(meeting))
        for meeting in meetings
        if meeting.pk in invitable
    ]
    MeetingNotice.objects.bulk_create(notices, ignore_conflicts=True)
    return len(notices)
