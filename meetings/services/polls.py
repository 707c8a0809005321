"""Date polls: created with their options, voted on, closed into a meeting."""

import datetime
import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Institution, Network, Person
from meetings import recurrence
from meetings.models import (
    DatePoll,
    DatePollOption,
    DatePollVote,
    Meeting,
    Visibility,
)
from meetings.selectors import poll_invitees
from meetings.services._common import _actor_id, _require_aware, _save
from meetings.services.meetings import meeting_schedule
from meetings.services.series import _local_day

logger = logging.getLogger(__name__)


def _poll_option(poll: DatePoll, proposal: dict, now: datetime.datetime) -> DatePollOption:
    unknown = set(proposal) - {"start", "end", "day"}
    if unknown:
        raise TypeError(f"Unknown option fields: {', '.join(sorted(unknown))}")
    _require_aware(start=proposal.get("start"), end=proposal.get("end"))
    option = DatePollOption(poll=poll, start=proposal.get("start"), end=proposal.get("end"), day=proposal.get("day"))
    option.full_clean(exclude=["poll"])
    if option.day is not None and option.day < _local_day(now):
        raise ValidationError(_("Der Vorschlag %(option)s liegt in der Vergangenheit.") % {"option": option})
    if option.start is not None and option.start < now:
        raise ValidationError(_("Der Vorschlag %(option)s liegt in der Vergangenheit.") % {"option": option})
    return option


@transaction.atomic
def poll_create(
    *,
    network: Network,
    title: str,
    options: list[dict],
    deadline: datetime.datetime,
    invitee_roles: Iterable[str] = (),
    description: str = "",
    actor=None,
    now: datetime.datetime | None = None,
) -> DatePoll:
    """Start a Terminumfrage with proposals: ``{"start": …, "end": …}`` or ``{"day": date}``.

    Invited are the network's current members with one of ``invitee_roles`` (all when
    empty). Raises ``ValidationError`` (German) for no options, a repeated or past option,
    a deadline in the past, an unknown role. Side effects: the poll and its options.
    """
    now = now or timezone.now()
    _require_aware(deadline=deadline)
    if not options:
        raise ValidationError({"options": _("Eine Terminumfrage braucht mindestens einen Terminvorschlag.")})
    if deadline <= now:
        raise ValidationError({"deadline": _("Die Frist zum Abstimmen muss in der Zukunft liegen.")})
    created_by = Person.objects.filter(user_id=_actor_id(actor)).first() if _actor_id(actor) else None
    poll = _save(
        DatePoll(
            network=network,
            title=title,
            description=description,
            deadline=deadline,
            invitee_roles=list(invitee_roles),
            created_by=created_by,
        )
    )
    rows = [_poll_option(poll, proposal, now) for proposal in options]
    keys = [(row.day, row.start, row.end) for row in rows]
    for index, key in enumerate(keys):
        if key in keys[:index]:
            raise ValidationError(
                {"options": _("Der Vorschlag %(option)s steht doppelt in der Liste.") % {"option": rows[index]}}
            )
    DatePollOption.objects.bulk_create(rows)
    logger.info("Poll %s created by %s with %s options", poll.pk, _actor_id(actor), len(rows))
    return poll


@transaction.atomic
def poll_vote(
    *, option: DatePollOption, person: Person, answer: str, now: datetime.datetime | None = None
) -> DatePollVote:
    """Vote (or change a vote) on one option: ja, wenn_noetig or nein.

    Raises ``ValidationError`` (German) after the deadline, on a closed poll, for a person
    who is not invited, or an unknown answer. Side effects: the ``DatePollVote`` row.
    """
    now = now or timezone.now()
    poll = option.poll
    if poll.status != DatePoll.Status.OPEN:
        raise ValidationError(_("Die Umfrage ist bereits geschlossen."))
    if now > poll.deadline:
        deadline = poll.deadline.astimezone(recurrence.BERLIN)
        raise ValidationError(
            _("Die Frist für diese Umfrage ist am %(date)s um %(time)s Uhr abgelaufen.")
            % {"date": f"{deadline:%d.%m.%Y}", "time": f"{deadline:%H:%M}"}
        )
    if not poll_invitees(poll, day=_local_day(now)).filter(pk=person.pk).exists():
        raise ValidationError(_("%(person)s ist zu dieser Umfrage nicht eingeladen.") % {"person": person})
    vote = DatePollVote.objects.filter(option=option, person=person).first() or DatePollVote(
        option=option, person=person
    )
    vote.answer = answer
    return _save(vote)


@transaction.atomic
def poll_close(
    *,
    poll: DatePoll,
    option: DatePollOption,
    actor=None,
    start_time: datetime.time | None = None,
    end_time: datetime.time | None = None,
    visibility: str = Visibility.MEMBERS,
    institution: Institution | None = None,
    address: str = "",
    room: str = "",
    online_url: str = "",
    now: datetime.datetime | None = None,
) -> Meeting:
    """Close a poll with the chosen option and create the meeting (geplant, internal by default).

    A whole-day option needs ``start_time`` and ``end_time`` (local, Europe/Berlin): a
    meeting has a time, and guessing one would put a wrong time into every member's
    calendar. The meeting lies on the option's day whatever time zone is active. Raises
    ``ValidationError`` (German) for a closed poll, an option of another poll, missing
    times. Side effects: the meeting; the poll's status, choice, meeting and ``closed_at``.
    """
    now = now or timezone.now()
    if poll.status != DatePoll.Status.OPEN:
        raise ValidationError(_("Die Umfrage ist bereits geschlossen."))
    if option.poll_id != poll.pk:
        raise ValidationError({"option": _("Dieser Vorschlag gehört zu einer anderen Umfrage.")})
    if option.is_whole_day:
        if start_time is None or end_time is None:
            raise ValidationError(
                _("Für einen ganztägigen Vorschlag bitte Beginn und Ende der Sitzung (Uhrzeit) angeben.")
            )
        start = recurrence.localize(datetime.datetime.combine(option.day, start_time))
        end = recurrence.localize(datetime.datetime.combine(option.day, end_time))
    else:
        start, end = option.start, option.end
    meeting = meeting_schedule(
        network=poll.network,
        title=poll.title,
        start=start,
        end=end,
        visibility=visibility,
        institution=institution,
        address=address,
        room=room,
        online_url=online_url,
        actor=actor,
    )
    poll.status = DatePoll.Status.CLOSED
    poll.chosen_option = option
    poll.meeting = meeting
    poll.closed_at = now
    _save(poll)
    logger.info("Poll %s closed by %s, meeting %s", poll.pk, _actor_id(actor), meeting.pk)
    return meeting
