"""Single meetings: scheduled, changed, moved, cancelled (with a reason) and restored."""

import datetime
import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Institution, Network
from contacts.selectors import user_roles
from meetings.models import (
    Meeting,
    MeetingPartner,
    Visibility,
)
from meetings.services._common import (
    MEETING_FIELDS,
    _actor_id,
    _apply,
    _check_changes,
    _lock,
    _meeting_save,
    _meeting_touch,
    _require_aware,
    _save,
)

# More partners than this is not a meeting of networks but a conference of the city.
PARTNERS_MAX = 10

logger = logging.getLogger(__name__)


@transaction.atomic
def meeting_schedule(
    *,
    network: Network,
    title: str,
    start: datetime.datetime,
    end: datetime.datetime,
    status: str = Meeting.Status.PLANNED,
    visibility: str = Visibility.PUBLIC,
    institution: Institution | None = None,
    address: str = "",
    room: str = "",
    accessibility_notes: str = "",
    online_url: str = "",
    partner_networks: Iterable[Network] = (),
    actor=None,
) -> Meeting:
    """Plan a single meeting (not part of a series), hosted by ``network`` and, with
    ``partner_networks``, held jointly with them (see ``meeting_partners_set``).

    Raises ``ValidationError`` (German) for an end not after the start or naive times, and
    for a partner network the actor does not lead. Side effects: one ``Meeting`` row with a
    new UID and sequence 0; one ``MeetingPartner`` row per partner.
    """
    _require_aware(start=start, end=end)
    partners = _partners_check(host=network, wanted=list(partner_networks), current=[], actor=actor)
    meeting = _save(
        Meeting(
            network=network,
            title=title,
            start=start,
            end=end,
            status=status,
            visibility=visibility,
            institution=institution,
            address=address,
            room=room,
            accessibility_notes=accessibility_notes,
            online_url=online_url,
        )
    )
    MeetingPartner.objects.bulk_create(
        MeetingPartner(meeting=meeting, network=partner, added_by=_user_or_none(actor)) for partner in partners
    )
    logger.info("Meeting %s scheduled by %s", meeting.pk, _actor_id(actor))
    return meeting


def _user_or_none(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _partners_check(*, host: Network, wanted: list[Network], current: list[Network], actor) -> list[Network]:
    """The partner networks ``wanted`` instead of ``current``, checked: other than the host,
    active, at most ``PARTNERS_MAX``; a network that joins must be led by ``actor``, one that
    leaves by ``actor`` or the host's lead (Sozialplanung staff: any; no actor: a command).

    A speaker adds only networks they lead too: joining a meeting puts it into that
    network's calendar and its members' mail, which only its own speakers decide.
    Raises ``ValidationError`` ({"partner_networks": …}, German).
    """
    unique = {network.pk: network for network in wanted}
    if host.pk in unique:
        raise ValidationError(
            {
                "partner_networks": _(
                    "„%(network)s“ lädt zu dieser Sitzung ein; "
                    "als Partnernetzwerk wählen Sie bitte ein anderes Netzwerk."
                )
                % {"network": host.name}
            }
        )
    if len(unique) > PARTNERS_MAX:
        raise ValidationError(
            {
                "partner_networks": _("Eine gemeinsame Sitzung hat höchstens %(max)d Partnernetzwerke.")
                % {"max": PARTNERS_MAX}
            }
        )
    before = {network.pk for network in current}
    joining = [network for pk, network in unique.items() if pk not in before]
    inactive = [network for network in joining if not network.is_active]
    if inactive:
        raise ValidationError(
            {
                "partner_networks": _("„%(network)s“ ist nicht mehr aktiv und kann keine Sitzung mittragen.")
                % {"network": inactive[0].name}
            }
        )
    if actor is not None:
        roles = user_roles(actor)
        if not roles.is_sozialplanung:
            leading = set(roles.leading_network_ids)
            not_led = sorted((network for network in joining if network.pk not in leading), key=lambda n: n.name)
            if not_led:
                raise ValidationError(
                    {
                        "partner_networks": _(
                            "Sie leiten „%(network)s“ nicht. Eine gemeinsame Sitzung mit einem Netzwerk "
                            "planen nur, wer auch dessen Sprecher*innenteam oder Geschäftsführung angehört; "
                            "bitten Sie dessen Sprecher*innen oder die Sozialplanung, es hinzuzufügen."
                        )
                        % {"network": not_led[0].name}
                    }
                )
            leaving = [network for network in current if network.pk not in unique]
            not_theirs = [network for network in leaving if network.pk not in leading and host.pk not in leading]
            if not_theirs:
                raise ValidationError(
                    {
                        "partner_networks": _(
                            "„%(network)s“ aus der gemeinsamen Sitzung nehmen können nur dessen "
                            "Sprecher*innen, die des einladenden Netzwerks und die Sozialplanung."
                        )
                        % {"network": not_theirs[0].name}
                    }
                )
    return list(unique.values())


@transaction.atomic
def meeting_partners_set(*, meeting: Meeting, networks: Iterable[Network], actor=None) -> Meeting:
    """Make ``networks`` the partner networks of ``meeting`` (a joint meeting; none: the host's alone).

    The meeting then appears in each partner's calendar, page and feeds with its one UID,
    their speakers may change it and their members are invited (once each, whatever the
    number of networks they are in). Rules in ``_partners_check``; raises
    ``ValidationError`` (German) and writes nothing when one fails. Side effects: the
    ``MeetingPartner`` rows; the meeting's ``updated_at`` (feeds rebuild its event); the
    calendar stamps of the host and of every partner that joined or left (triggers).
    """
    _lock(meeting)
    current = list(meeting.partner_networks.all())
    partners = _partners_check(host=meeting.network, wanted=list(networks), current=current, actor=actor)
    wanted_ids = {network.pk for network in partners}
    current_ids = {network.pk for network in current}
    if wanted_ids == current_ids:
        return meeting
    MeetingPartner.objects.filter(meeting=meeting).exclude(network_id__in=wanted_ids).delete()
    MeetingPartner.objects.bulk_create(
        MeetingPartner(meeting=meeting, network=network, added_by=_user_or_none(actor))
        for network in partners
        if network.pk not in current_ids
    )
    _meeting_touch(meeting.pk)
    meeting.refresh_from_db(fields=["updated_at"])
    if hasattr(meeting, "_prefetched_objects_cache"):
        meeting._prefetched_objects_cache.pop("partner_networks", None)
    logger.info(
        "Meeting %s partners set by %s: %s", meeting.pk, _actor_id(actor), ", ".join(map(str, sorted(wanted_ids)))
    )
    return meeting


def meeting_update_check(*, meeting: Meeting, now: datetime.datetime | None = None, **changes) -> None:
    """The rules ``meeting_update`` applies, without writing: forms that must show the
    errors before anything is saved (the Verwaltung's) ask here first.

    Raises ``ValidationError`` (German) as ``meeting_update`` does; ``TypeError`` for a
    field the service does not change.
    """
    _check_changes(changes, MEETING_FIELDS)
    _require_aware(start=changes.get("start"), end=changes.get("end"))
    _meeting_rules(meeting, now=now or timezone.now(), changes=changes)


def _meeting_rules(meeting: Meeting, *, now: datetime.datetime, changes: dict) -> None:
    old_start, old_end = meeting.start, meeting.end
    time_changes = changes.get("start", old_start) != old_start or changes.get("end", old_end) != old_end
    if time_changes:
        if old_start < now:
            raise ValidationError({"start": _("Vergangene Sitzungen können nicht verschoben werden.")})
        if changes.get("start", old_start) < now:
            raise ValidationError({"start": _("Eine Sitzung kann nicht in die Vergangenheit verschoben werden.")})
    if changes.get("status") == Meeting.Status.HELD and changes.get("start", old_start) > now:
        raise ValidationError(
            {"status": _("Eine Sitzung, die noch nicht begonnen hat, kann nicht stattgefunden haben.")}
        )


@transaction.atomic
def meeting_update(*, meeting: Meeting, actor=None, now: datetime.datetime | None = None, **changes) -> Meeting:
    """Change one meeting: title, time, status, visibility or place.

    Time, place and status are noticeable: each change raises ``sequence`` (once per call,
    counted in the database, so two speakers editing at once raise it twice). A title,
    visibility or accessibility note alone does not. An occurrence of a series becomes
    ``edited_by_hand``, so later series edits leave it alone. A change of time keeps the
    previous start in ``moved_from``. The row is locked and ``meeting`` reloaded first:
    the decisions below are taken on the meeting as it is now, and what another edit
    saved meanwhile stays.

    Raises ``ValidationError`` (German) when the time of a meeting that has begun would
    change, a meeting would move into the past, the end is not after the start, or a
    meeting that has not begun would be marked as held. Side effects: the meeting row.
    """
    _check_changes(changes, MEETING_FIELDS)
    return _meeting_change(meeting=meeting, actor=actor, now=now, changes=changes)


def _meeting_change(*, meeting: Meeting, actor, now: datetime.datetime | None, changes: dict) -> Meeting:
    _require_aware(start=changes.get("start"), end=changes.get("end"))
    now = now or timezone.now()
    _lock(meeting)
    old_start = meeting.start
    _meeting_rules(meeting, now=now, changes=changes)
    if not _apply(meeting, changes):
        return meeting
    if meeting.start != old_start:
        meeting.moved_from = old_start
    if meeting.series_id is not None:
        meeting.edited_by_hand = True
    _meeting_save(meeting)
    logger.info("Meeting %s changed by %s (%s)", meeting.pk, _actor_id(actor), ", ".join(sorted(changes)))
    return meeting


def meeting_move(
    *,
    meeting: Meeting,
    start: datetime.datetime,
    end: datetime.datetime,
    actor=None,
    now: datetime.datetime | None = None,
) -> Meeting:
    """Move a meeting to a new time; the status stays, ``moved_from`` keeps the old start.

    Raises ``ValidationError`` „Vergangene Sitzungen können nicht verschoben werden.“ for a
    meeting that has begun, and for a move into the past. Side effects: as ``meeting_update``
    (sequence + 1, edited by hand).
    """
    return meeting_update(meeting=meeting, start=start, end=end, actor=actor, now=now)


CANCELLATION_REASON_MAX = 1000


def _reason_clean(reason: str) -> str:
    """The reason as it may be stored: trimmed, line breaks kept, other control characters
    dropped (it reaches mail bodies and calendar DESCRIPTIONs), at most 1000 characters."""
    reason = "".join(char for char in (reason or "") if char in "\n\t" or char.isprintable()).strip()
    if len(reason) > CANCELLATION_REASON_MAX:
        raise ValidationError(
            {
                "reason": _("Der Grund darf höchstens %(max)d Zeichen lang sein (jetzt %(length)d).")
                % {"max": CANCELLATION_REASON_MAX, "length": len(reason)}
            }
        )
    return reason


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor=None, now: datetime.datetime | None = None, reason: str = "") -> Meeting:
    """Cancel a meeting (abgesagt, sequence + 1); it stays, so feeds can show the cancellation.

    The optional ``reason`` appears in the cancellation mail, on the meeting's page and in
    the feed's DESCRIPTION. Cancelling a cancelled meeting changes nothing (not even the
    reason). Raises ``ValidationError`` for a meeting that has begun or a reason over 1000
    characters. Side effects: the meeting's status, reason and sequence.
    """
    now = now or timezone.now()
    reason = _reason_clean(reason)
    _lock(meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        return meeting
    if meeting.start < now:
        raise ValidationError(_("Vergangene Sitzungen können nicht abgesagt werden."))
    return _meeting_change(
        meeting=meeting,
        actor=actor,
        now=now,
        changes={"status": Meeting.Status.CANCELLED, "cancellation_reason": reason},
    )


@transaction.atomic
def meeting_restore(*, meeting: Meeting, actor=None, now: datetime.datetime | None = None) -> Meeting:
    """Undo a cancellation: the meeting is geplant again (sequence + 1), the reason is gone.

    A meeting that is not cancelled stays as it is. Raises ``ValidationError`` for a
    meeting that has begun.
    """
    now = now or timezone.now()
    _lock(meeting)
    if meeting.status != Meeting.Status.CANCELLED:
        return meeting
    if meeting.start < now:
        raise ValidationError(_("Vergangene Sitzungen können nicht wieder angesetzt werden."))
    return _meeting_change(
        meeting=meeting,
        actor=actor,
        now=now,
        changes={"status": Meeting.Status.PLANNED, "cancellation_reason": ""},
    )
