"""Reads of the notifications app."""

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, Subquery
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contacts.models import Membership, Person
from meetings import feeds
from meetings.models import Meeting, MeetingPartner, Minutes, in_networks
from meetings.recurrence import BERLIN
from notifications.models import (
    DEFAULT_INVITATION_LEAD_DAYS,
    Delivery,
    Kind,
    MeetingNotice,
    NetworkSettings,
    PeriodicRun,
    Preference,
    Subject,
    default_reminder_offsets,
)

DEFAULT_OFFSETS = tuple(default_reminder_offsets())


def periodic_run_last(*, name: str) -> datetime.datetime | None:
    """When the periodic job ``name`` last ran, or ``None`` if never."""
    return PeriodicRun.objects.filter(name=name).values_list("last_run_at", flat=True).first()


def network_members(network_ids: Iterable[int], *, day: datetime.date) -> dict[int, list[int]]:
    """Person ids of the current members of each network (institutions through their person)."""
    members: dict[int, list[int]] = defaultdict(list)
    rows = (
        Membership.objects.active(day)
        .filter(network_id__in=list(network_ids), person__isnull=False)
        .values_list("network_id", "person_id")
        .distinct()
        .order_by("network_id", "person_id")
    )
    for network_id, person_id in rows:
        members[network_id].append(person_id)
    return members


def meeting_networks(meetings: Iterable[tuple[int, int]]) -> dict[int, list[int]]:
    """The networks of each meeting, from ``(meeting_id, host_network_id)`` pairs: the host
    and the partners of a joint meeting (one query)."""
    networks = {meeting_id: [network_id] for meeting_id, network_id in meetings}
    if networks:
        partners = MeetingPartner.objects.filter(meeting_id__in=list(networks)).values_list("meeting_id", "network_id")
        for meeting_id, network_id in partners.order_by("meeting_id", "network_id"):
            networks[meeting_id].append(network_id)
    return networks


def meeting_recipients(meetings: Iterable[tuple[int, int]], *, day: datetime.date) -> dict[int, list[int]]:
    """Person ids of the current members of each meeting's networks (host and partners),
    each person once however many of the networks they are in: a member of both networks
    of a joint meeting gets one invitation, one reminder. Two queries for any number of
    meetings."""
    networks = meeting_networks(meetings)
    members = network_members({pk for ids in networks.values() for pk in ids}, day=day)
    return {
        meeting_id: sorted({person_id for network_id in ids for person_id in members.get(network_id, ())})
        for meeting_id, ids in networks.items()
    }


def is_member(*, person_id: int, network_id: int, day: datetime.date) -> bool:
    return Membership.objects.active(day).filter(network_id=network_id, person_id=person_id).exists()


def invitation_settings(network_ids: Iterable[int]) -> dict[int, tuple[str, int]]:
    """The invitation trigger and lead time (days) of each network that has settings
    (others: confirmed, ``DEFAULT_INVITATION_LEAD_DAYS``)."""
    return {
        network_id: (trigger, lead_days)
        for network_id, trigger, lead_days in NetworkSettings.objects.filter(
            network_id__in=list(network_ids)
        ).values_list("network_id", "invitation_trigger", "invitation_lead_days")
    }


def invitation_lead_days_by_network() -> dict[int, int]:
    """The invitation lead time (days) of networks whose lead time is not the default."""
    return dict(
        NetworkSettings.objects.exclude(invitation_lead_days=DEFAULT_INVITATION_LEAD_DAYS).values_list(
            "network_id", "invitation_lead_days"
        )
    )


def reminder_offsets_by_network() -> dict[int, tuple[int, ...]]:
    """Reminder offsets (minutes) of networks with their own settings; others use the defaults."""
    return {
        network_id: tuple(offsets or ())
        for network_id, offsets in NetworkSettings.objects.values_list("network_id", "reminder_offsets")
    }


def invitation_moment(start: datetime.datetime, lead_days: int) -> datetime.datetime:
    """When the invitation to a meeting at ``start`` is due: ``lead_days`` before, at the
    same time of day in Europe/Berlin (also across a change of the clocks)."""
    local = start.astimezone(BERLIN)
    return (local - datetime.timedelta(days=lead_days)).astimezone(datetime.UTC)


@dataclasses.dataclass(frozen=True)
class InvitationStatus:
    """Whether and when members are invited to a meeting, in one sentence for its speakers."""

    message: str
    # „Einladung jetzt verschicken“ is offered (nobody was invited yet, and still can be).
    may_send_now: bool
    # When the invitation is due (not yet planned), or when it went out.
    moment: datetime.datetime | None = None


def invitation_status(*, meeting: Meeting, now: datetime.datetime | None = None) -> InvitationStatus:
    """The invitation rule's state for ``meeting`` (three queries): sent (when, to how
    many), on its way, due on a date, waiting for confirmation or the agenda, or none."""
    now = now or timezone.now()
    notice = MeetingNotice.objects.filter(meeting_id=meeting.pk).first()
    if notice is not None:
        return _invitation_sent_status(meeting, notice)
    if meeting.start <= now:
        return InvitationStatus(str(_("Die Sitzung hat begonnen; es ging keine Einladung hinaus.")), False)
    if meeting.status not in (Meeting.Status.PLANNED, Meeting.Status.CONFIRMED):
        return InvitationStatus(
            str(
                _("Zu einer Sitzung mit dem Status „%(status)s“ geht keine Einladung hinaus.")
                % {"status": meeting.get_status_display()}
            ),
            False,
        )
    trigger, lead_days = invitation_settings([meeting.network_id]).get(
        meeting.network_id, (NetworkSettings.Trigger.CONFIRMED, DEFAULT_INVITATION_LEAD_DAYS)
    )
    moment = invitation_moment(meeting.start, lead_days)
    date = formats.date_format(moment.astimezone(BERLIN), "d.m.Y")
    values = {"date": date, "days": lead_days}
    if meeting.status == Meeting.Status.PLANNED:
        if moment <= now:
            text = _(
                "Noch nicht bestätigt: Solange die Sitzung nur geplant ist, geht weder eine Einladung noch "
                "eine Erinnerung hinaus. Sobald Sie sie bestätigen, wird die Einladung verschickt."
            )
        else:
            text = _(
                "Noch nicht bestätigt: Solange die Sitzung nur geplant ist, geht weder eine Einladung noch "
                "eine Erinnerung hinaus. Bestätigt wird die Einladung am %(date)s verschickt (%(days)s Tage "
                "vor der Sitzung), mit der Tagesordnung, wie sie dann steht."
            )
        return InvitationStatus(str(text % values), True, moment)
    if trigger == NetworkSettings.Trigger.AGENDA and not meeting.agenda_items.exists():
        text = _(
            "Die Einladung wird verschickt, sobald die Tagesordnung mindestens einen Punkt hat "
            "(Einstellung des Netzwerks), frühestens am %(date)s."
        )
        return InvitationStatus(str(text % values), True, moment)
    if moment <= now:
        return InvitationStatus(str(_("Die Einladung wird in den nächsten Minuten verschickt.")), True, moment)
    text = _(
        "Die Einladung wird am %(date)s verschickt (%(days)s Tage vor der Sitzung), mit der Tagesordnung, "
        "wie sie dann steht."
    )
    return InvitationStatus(str(text % values), True, moment)


def _invitation_sent_status(meeting: Meeting, notice: MeetingNotice) -> InvitationStatus:
    counts = Delivery.objects.filter(
        subject_type=Subject.MEETING, subject_id=meeting.pk, kind=Kind.INVITATION
    ).aggregate(
        sent=Count("pk", filter=Q(state=Delivery.State.SENT)),
        open=Count("pk", filter=Q(state__in=(*Delivery.CLAIMABLE, Delivery.State.CLAIMED))),
        last=Max("sent_at"),
    )
    if counts["open"]:
        text = _("Die Einladung wird gerade verschickt: %(sent)s von %(total)s Mails sind hinaus.") % {
            "sent": counts["sent"],
            "total": counts["sent"] + counts["open"],
        }
        return InvitationStatus(str(text), False, notice.announced_at)
    if not counts["sent"]:
        if notice.announced_at is None:
            return InvitationStatus(
                str(_("Die Mitglieder kannten diese Sitzung schon, bevor Netzwerk Aachen die Einladungen übernahm.")),
                False,
            )
        text = _(
            "Die Einladung ging an niemanden hinaus (keine Mitglieder mit E-Mail-Adresse, oder alle haben "
            "Einladungen abbestellt)."
        )
        return InvitationStatus(
            str(text),
            False,
            notice.announced_at,
        )
    sent_at = counts["last"] or notice.announced_at
    date = formats.date_format(sent_at.astimezone(BERLIN), "d.m.Y, H:i")
    text = ngettext(
        "Einladung verschickt am %(date)s Uhr, an %(count)s Mitglied.",
        "Einladung verschickt am %(date)s Uhr, an %(count)s Mitglieder.",
        counts["sent"],
    ) % {"date": date, "count": counts["sent"]}
    return InvitationStatus(str(text), False, sent_at)


def preference_of(person: Person) -> Preference:
    """The person's preferences, or the defaults (unsaved) when none were set."""
    return Preference.objects.filter(person=person).first() or Preference(person=person)


# The preferences that decide whether a mail goes (``Preference.wants``) and its language.
STATE_PREFERENCE_FIELDS = (*Preference.TOGGLES, "digest_instead", "language")
# Stand-in ids for the state query built once per batch (``MailReads.state_now``).
_PERSON_STAND_IN, _SUBJECT_STAND_IN = -918273645, -918273646


def _state_query(*, subject_type: str, network_ids: tuple[int, ...], day: datetime.date):
    """SQL and parameters of ``MailReads.state_now`` with stand-in ids, and where they sit."""
    columns = [f"notification_preference__{name}" for name in STATE_PREFERENCE_FIELDS]
    queryset = Person.objects.filter(pk=_PERSON_STAND_IN)
    if subject_type == Subject.MEETING:
        # Unordered: the meetings' default ordering only made PostgreSQL sort the one row.
        meeting = Meeting.objects.filter(pk=_SUBJECT_STAND_IN).order_by()
        queryset = queryset.annotate(
            state_status=Subquery(meeting.values("status")[:1]),
            state_sequence=Subquery(meeting.values("sequence")[:1]),
            state_member=Exists(
                Membership.objects.active(day).filter(network_id__in=network_ids, person_id=OuterRef("pk"))
            ),
        )
        columns += ["state_status", "state_sequence", "state_member"]
    elif subject_type == Subject.RUNDMAIL:
        from notifications.models import Rundmail

        rundmail = Rundmail.objects.filter(pk=_SUBJECT_STAND_IN)
        queryset = queryset.annotate(
            state_status=Subquery(rundmail.values("state")[:1]),
            state_member=Exists(
                Membership.objects.active(day).filter(network_id__in=network_ids, person_id=OuterRef("pk"))
            ),
        )
        columns += ["state_status", "state_member"]
    sql, params = queryset.order_by().values_list(*columns).query.sql_with_params()
    person_at = [index for index, value in enumerate(params) if value == _PERSON_STAND_IN]
    subject_at = [index for index, value in enumerate(params) if value == _SUBJECT_STAND_IN]
    return sql, params, person_at, subject_at


def _mail_stamp_sql() -> str:
    from contacts.models import DirectoryStamp
    from meetings.models import CalendarStamp
    from notifications.models import MailStamp

    return (
        "SELECT directory.version, mail.version, calendar.count, calendar.total "
        "FROM (SELECT count(*) AS count, sum(version) AS total "
        f"FROM {CalendarStamp._meta.db_table}) AS calendar "
        f"LEFT JOIN {DirectoryStamp._meta.db_table} AS directory ON directory.id = 1 "
        f"LEFT JOIN {MailStamp._meta.db_table} AS mail ON mail.id = 1"
    )


def mail_stamp() -> tuple:
    """Where everything that decides whether a queued mail still goes stands, in one query:
    the directory's stamp (people, memberships), the calendar's stamps of all networks
    (a meeting's status, sequence, networks and partners, its deletion) and the mail stamp
    (preferences, a Rundmail's state). All three are kept by triggers, so a bulk
    ``update()`` moves them as a service's save does, and a transaction's change shows in
    them when it commits. Read before a chunk's mails are decided and again before each
    one's data: while the answer is the same, nothing any of them was decided on changed.

    The calendar's part is the count and the sum of every network's stamp: each only ever
    counts up, so the sum moves with any of them. The versions suffice: another connection
    never sees a number a rolled-back transaction drew (the stamps' moments, which the
    page caches need for that, are not read)."""
    global _MAIL_STAMP_SQL
    if _MAIL_STAMP_SQL is None:
        _MAIL_STAMP_SQL = _mail_stamp_sql()
    with connection.cursor() as cursor:
        cursor.execute(_MAIL_STAMP_SQL)
        return tuple(cursor.fetchone())


_MAIL_STAMP_SQL: str | None = None


class MailReads:
    """What the mails of a batch of delivery rows read, loaded for the whole batch at once.

    A send task works through a batch of rows; reading each row's recipient, meeting and
    membership on its own cost five queries per mail, more than the mail itself. Here a
    batch costs a handful of queries whatever its size. The send service takes the reads
    right after claiming the rows, a moment before their mails leave.

    ``rows`` are ``(person_id, subject_type, subject_id)`` of the rows to be sent; with
    ``merging`` (a send task writing to an SMTP relay) the mails of a group are written from
    one form (``compose._person_message``).
    """

    def __init__(
        self, rows: Iterable[tuple[int | None, str, int]], *, day: datetime.date, merging: bool = False
    ) -> None:
        self.merging = merging
        rows = list(rows)
        person_ids = {person_id for person_id, _type, _id in rows if person_id is not None}
        meeting_ids = {subject_id for _person, subject_type, subject_id in rows if subject_type == Subject.MEETING}
        rundmail_ids = {subject_id for _person, subject_type, subject_id in rows if subject_type == Subject.RUNDMAIL}
        self._people = {
            person.pk: person
            for person in Person.objects.select_related("user", "notification_preference")
            .prefetch_related("channels")
            .filter(pk__in=person_ids)
        }
        self._meetings = {
            meeting.pk: meeting
            for meeting in Meeting.objects.select_related("network", "institution")
            .prefetch_related("agenda_items", "partner_networks", "documents")
            .filter(pk__in=meeting_ids)
        }
        self._rundmails = {}
        if rundmail_ids:
            from notifications.models import Rundmail

            self._rundmails = {
                rundmail.pk: rundmail
                for rundmail in Rundmail.objects.select_related("network", "author")
                .prefetch_related("attachments")
                .filter(pk__in=rundmail_ids)
            }
        # A joint meeting's members are those of every network holding it (worked out once:
        # every mail of the batch asks).
        self._network_ids = {pk: tuple(sorted(meeting.network_ids)) for pk, meeting in self._meetings.items()}
        network_ids = {pk for ids in self._network_ids.values() for pk in ids} | {
            rundmail.network_id for rundmail in self._rundmails.values()
        }
        # The attachments' bytes, read once per batch (a Rundmail to 500 members attaches
        # the same files 500 times).
        self._attachment_bytes: dict[int, bytes] = {}
        self._memberships = set()
        if network_ids and person_ids:
            self._memberships = set(
                Membership.objects.active(day)
                .filter(network_id__in=network_ids, person_id__in=person_ids)
                .values_list("network_id", "person_id")
                .order_by()
            )
        self._event_rows: dict[int, dict] = {}
        self._document_bytes: dict[int, bytes | None] = {}
        self._open_invitations: set[tuple[int, int]] | None = None
        self._meeting_ids, self._person_ids = meeting_ids, person_ids
        self._day = day
        self._state_sql: dict = {}
        self._once: dict = {}

    def once(self, key, compute):
        """``compute()``, worked out once per batch for ``key``: what every mail of the batch
        shows alike (a meeting's date and agenda in one language)."""
        if key not in self._once:
            self._once[key] = compute()
        return self._once[key]

    def person(self, person_id: int) -> Person | None:
        """The person with what ``person_mail_address`` reads (channels, login); ``None`` if deleted."""
        return self._people.get(person_id)

    def document_bytes(self, document) -> bytes | None:
        """The content of a meeting document, read once per batch (an invitation to 500
        members attaches the same files 500 times); ``None`` if the file is gone."""
        if document.pk not in self._document_bytes:
            try:
                with document.file.open("rb") as handle:
                    self._document_bytes[document.pk] = handle.read()
            except OSError:
                self._document_bytes[document.pk] = None
        return self._document_bytes[document.pk]

    def meeting(self, meeting_id: int) -> Meeting:
        """The meeting with its network, place, whole agenda and all documents (members
        read them); raises
        ``Meeting.DoesNotExist`` when it was deleted."""
        try:
            return self._meetings[meeting_id]
        except KeyError:
            raise Meeting.DoesNotExist(meeting_id) from None

    def rundmail(self, rundmail_id: int):
        """The Rundmail with its network, author and attachments; ``None`` when deleted."""
        return self._rundmails.get(rundmail_id)

    def attachment_bytes(self, attachment) -> bytes:
        """The stored file of a Rundmail's attachment (read once per batch)."""
        if attachment.pk not in self._attachment_bytes:
            with attachment.file.open("rb") as handle:
                self._attachment_bytes[attachment.pk] = handle.read()
        return self._attachment_bytes[attachment.pk]

    def is_member(self, *, person_id: int, network_id: int) -> bool:
        """Whether the person is a current member of the network (of the batch's meetings
        and Rundmails)."""
        return (network_id, person_id) in self._memberships

    def meeting_network_ids(self, meeting_id: int) -> tuple[int, ...]:
        """The ids of the networks holding the meeting (host and partners), sorted."""
        return self._network_ids[meeting_id]

    def is_meeting_member(self, *, person_id: int, meeting: Meeting) -> bool:
        """Whether the person is a current member of any network of the meeting (host or partner)."""
        return any((network_id, person_id) in self._memberships for network_id in self._network_ids[meeting.pk])

    def invitation_open(self, *, meeting_id: int, person_id: int) -> bool:
        """Whether the person's invitation to the meeting is planned but not yet out (read
        once per batch, on the first reminder asking): a reminder never overtakes it."""
        if self._open_invitations is None:
            self._open_invitations = set(
                Delivery.objects.filter(
                    subject_type=Subject.MEETING,
                    subject_id__in=self._meeting_ids,
                    person_id__in=self._person_ids,
                    kind=Kind.INVITATION,
                    state__in=(*Delivery.CLAIMABLE, Delivery.State.CLAIMED),
                )
                .order_by()
                .values_list("subject_id", "person_id")
            )
        return (meeting_id, person_id) in self._open_invitations

    def stamp(self, *, person_id: int | None, subject_type: str, subject_id: int) -> tuple | None:
        """What decides whether a row's mail still goes, as the batch read it: the person's
        preferences, and for a meeting its status, its sequence and the membership.
        ``state_now`` reads the same now; a difference means something committed since.
        ``None`` where nothing is to be compared (no person)."""
        if person_id is None:
            return None
        person = self._people.get(person_id)
        if person is None:
            return ("deleted",)
        try:
            preference = person.notification_preference
        except Preference.DoesNotExist:
            preference = None
        if preference is None or preference.pk is None:
            # None stored (the defaults; an unsaved one stands in for them while sending).
            stamp = (None,) * len(STATE_PREFERENCE_FIELDS)
        else:
            stamp = tuple(getattr(preference, name) for name in STATE_PREFERENCE_FIELDS)
        if subject_type == Subject.RUNDMAIL:
            rundmail = self._rundmails.get(subject_id)
            if rundmail is None:
                return ("deleted",)
            return (*stamp, rundmail.state, (rundmail.network_id, person_id) in self._memberships)
        if subject_type != Subject.MEETING:
            return stamp
        meeting = self._meetings.get(subject_id)
        if meeting is None:
            return ("deleted",)
        member = self.is_meeting_member(person_id=person_id, meeting=meeting)
        return (*stamp, meeting.status, meeting.sequence, member)

    def state_now(
        self, *, person_id: int, subject_type: str, subject_id: int, network_ids: tuple[int, ...] = ()
    ) -> tuple:
        """``stamp`` read from the database now, in one query: the check just before a mail's
        data leaves. The query is built by the ORM once per batch and kind of subject (with
        stand-in ids) and then run with each row's ids, so that the check costs one round
        trip and hardly any Python."""
        key = (subject_type, network_ids)
        if key not in self._state_sql:
            self._state_sql[key] = _state_query(subject_type=subject_type, network_ids=network_ids, day=self._day)
        sql, params, person_at, subject_at = self._state_sql[key]
        params = list(params)
        for index in person_at:
            params[index] = person_id
        for index in subject_at:
            params[index] = subject_id
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            return ("deleted",)
        if subject_type in (Subject.MEETING, Subject.RUNDMAIL) and row[len(STATE_PREFERENCE_FIELDS)] is None:
            return ("deleted",)
        return tuple(row)

    def event_row(self, meeting_id: int) -> dict:
        """The meeting's columns as the feed reads them, for the ``.ics`` attachment (one
        query per meeting and batch: an invitation to 500 members builds 500 attachments)."""
        if meeting_id not in self._event_rows:
            self._event_rows[meeting_id] = Meeting.objects.filter(pk=meeting_id).values(*feeds.EVENT_FIELDS).get()
        return self._event_rows[meeting_id]


def digest_meetings(*, person_id: int, start: datetime.datetime, end: datetime.datetime, day: datetime.date):
    """Meetings of the person's networks (hosted or joint) between ``start`` and ``end`` (not cancelled)."""
    networks = Membership.objects.active(day).filter(person_id=person_id).values("network_id")
    return (
        Meeting.objects.filter(in_networks(networks), start__gte=start, start__lt=end)
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("network", "institution")
        .order_by("start", "pk")
    )


def delivery_health(*, now: datetime.datetime | None = None) -> dict:
    """For ``/healthz``: the oldest due message not yet sent, and rows stuck past their lease."""
    now = now or timezone.now()
    oldest = Delivery.objects.filter(
        state__in=(*Delivery.CLAIMABLE, Delivery.State.CLAIMED), next_attempt_at__lte=now
    ).aggregate(oldest=Min("due_at"))["oldest"]
    stuck = Delivery.objects.filter(Q(state=Delivery.State.CLAIMED) & Q(lease_until__lt=now)).count()
    return {
        "oldest_due_unsent": oldest.isoformat() if oldest else None,
        "oldest_due_unsent_age_seconds": round((now - oldest).total_seconds()) if oldest else None,
        "stuck_past_lease": stuck,
    }


def entry_checks_sent(entries) -> dict[tuple[str, int], dict[str, datetime.datetime]]:
    """When the check and the reminder of this period of staleness went out, per entry:
    ``{(subject_type, id): {"check": …, "reminder": …, "review": …}}`` (one query).

    ``entries`` are ``contacts.selectors.freshness.StaleEntry``; a mail counts when it was
    sent after the entry's Stand.
    """
    from contacts.models import Institution, Network, Person

    subject_of = {Network: Subject.NETWORK, Institution: Subject.INSTITUTION, Person: Subject.PERSON}
    names = {Kind.ENTRY_CHECK: "check", Kind.ENTRY_CHECK_REMINDER: "reminder", Kind.ENTRY_REVIEW: "review"}
    stands = {(subject_of[type(item.entry)], item.entry.pk): item.stand for item in entries}
    if not stands:
        return {}
    query = Q()
    for subject_type in {key[0] for key in stands}:
        query |= Q(subject_type=subject_type, subject_id__in=[pk for kind, pk in stands if kind == subject_type])
    rows = (
        Delivery.objects.filter(query, kind__in=list(names), state=Delivery.State.SENT)
        .order_by("sent_at")
        .values_list("subject_type", "subject_id", "kind", "sent_at")
    )
    sent: dict[tuple[str, int], dict[str, datetime.datetime]] = {}
    for subject_type, subject_id, kind, sent_at in rows:
        key = (subject_type, subject_id)
        if sent_at >= stands[key]:
            sent.setdefault(key, {})[names[kind]] = sent_at
    return sent


def digest_minutes(*, person_id: int, since: datetime.datetime, day: datetime.date) -> list[Minutes]:
    """Minutes of the person's networks published since ``since`` (the week's digest lists
    them for those who get „Protokoll veröffentlicht“ there instead of by single mail)."""
    networks = Membership.objects.active(day).filter(person_id=person_id).values("network_id")
    return list(
        Minutes.objects.filter(meeting__network_id__in=networks, published_at__gte=since)
        .select_related("meeting__network")
        .order_by("published_at", "pk")
    )


# Rundmails -----------------------------------------------------------------------------


def rundmail_audience(
    *, network_id: int, roles: Iterable[str], institution_type_ids: Iterable[int], day: datetime.date
):
    """Ids of the people a Rundmail of ``network_id`` reaches on ``day``: its current members
    (institutions through the person representing them), only those in ``roles`` and only
    those there for an institution of one of ``institution_type_ids`` where given."""
    memberships = Membership.objects.active(day).filter(network_id=network_id, person__isnull=False)
    roles, type_ids = list(roles), list(institution_type_ids)
    if roles:
        memberships = memberships.filter(role__in=roles)
    if type_ids:
        memberships = memberships.filter(institution__type_id__in=type_ids)
    return memberships.order_by().values_list("person_id", flat=True).distinct()


def rundmail_audience_of(rundmail, *, day: datetime.date):
    """``rundmail_audience`` of a saved Rundmail."""
    return rundmail_audience(
        network_id=rundmail.network_id,
        roles=rundmail.roles,
        institution_type_ids=[kind.pk for kind in rundmail.institution_types.all()],
        day=day,
    )


def _not_wanting_rundmails() -> Q:
    return Q(notification_preference__network_news=False)


def rundmail_recipient_counts(rundmail, *, day: datetime.date) -> tuple[int, int]:
    """How many people the Rundmail reaches today, and how many of them get it by mail now
    (the others switched „Mitteilungen aus dem Netzwerk“ off or read it in the weekly digest)."""
    people = Person.objects.filter(pk__in=rundmail_audience_of(rundmail, day=day), erased_at__isnull=True)
    counts = people.aggregate(
        total=Count("pk"),
        off=Count(
            "pk",
            filter=_not_wanting_rundmails()
            | Q(notification_preference__digest_instead=True, notification_preference__digest=True),
        ),
    )
    return counts["total"], counts["total"] - counts["off"]


def rundmail_preview_people(rundmail, *, day: datetime.date, limit: int = 200) -> list[Person]:
    """People of the audience to choose from for the preview, by name (no addresses)."""
    return list(
        Person.objects.filter(pk__in=rundmail_audience_of(rundmail, day=day), erased_at__isnull=True)
        .only("pk", "title", "given_name", "family_name", "erased_at")
        .order_by("family_name", "given_name", "pk")[:limit]
    )


def rundmails_for_network(*, network, states: Iterable[str]):
    """The network's Rundmails in ``states``, newest first, with what their lists show."""
    from notifications.models import Rundmail

    return (
        Rundmail.objects.filter(network=network, state__in=list(states))
        .select_related("author", "institution", "reviewed_by")
        .prefetch_related("attachments", "institution_types")
        .order_by("-send_at", "-proposed_at", "-pk")
    )


def rundmail_archive(*, network, person_id: int | None, sees_all: bool):
    """The Rundmails of ``network`` that went out, as a reader may see them: speakers and
    the Sozialplanung all of them, a member those that went to every member and those that
    were addressed to them."""
    from notifications.models import Rundmail

    sent = rundmails_for_network(network=network, states=[Rundmail.State.SENT])
    if sees_all:
        return sent
    addressed = Delivery.objects.filter(
        subject_type=Subject.RUNDMAIL, subject_id=OuterRef("pk"), kind=Kind.RUNDMAIL, person_id=person_id
    )
    by_type = Rundmail.institution_types.through.objects.filter(rundmail_id=OuterRef("pk"))
    return sent.annotate(addressed=Exists(addressed), by_type=Exists(by_type)).filter(
        Q(addressed=True) | (Q(roles=[]) & Q(by_type=False))
    )


def rundmails_in_digest(*, person_id: int, since: datetime.datetime):
    """The Rundmails sent to ``person_id`` since ``since`` (the weekly digest lists them)."""
    from notifications.models import Rundmail

    addressed = Delivery.objects.filter(
        subject_type=Subject.RUNDMAIL, kind=Kind.RUNDMAIL, person_id=person_id, created_at__gte=since
    ).values("subject_id")
    return (
        Rundmail.objects.filter(pk__in=addressed, state=Rundmail.State.SENT)
        .select_related("network")
        .order_by("send_at", "pk")
    )


def rundmails_visible(*, user):
    """The Rundmails ``user`` may read (the API's list): every one of the networks they speak
    for (all of them for the Sozialplanung), their own proposals, and in the networks they are
    a member of those that went out to everyone or to them."""
    from contacts.selectors import user_roles
    from notifications.models import Rundmail

    roles = user_roles(user)
    queryset = Rundmail.objects.select_related("network", "author", "institution", "reviewed_by").prefetch_related(
        "attachments", "institution_types"
    )
    if roles.is_sozialplanung:
        return queryset.order_by("-send_at", "-pk")
    addressed = Delivery.objects.filter(
        subject_type=Subject.RUNDMAIL, subject_id=OuterRef("pk"), kind=Kind.RUNDMAIL, person_id=roles.person_id
    )
    by_type = Rundmail.institution_types.through.objects.filter(rundmail_id=OuterRef("pk"))
    read = Q(state=Rundmail.State.SENT, network_id__in=roles.member_network_ids) & (
        Q(addressed=True) | (Q(roles=[]) & Q(by_type=False))
    )
    own = Q(author_id=roles.person_id) if roles.person_id is not None else Q(pk__in=[])
    return (
        queryset.annotate(addressed=Exists(addressed), by_type=Exists(by_type))
        .filter(Q(network_id__in=roles.leading_network_ids) | own | read)
        .order_by("-send_at", "-pk")
    )
