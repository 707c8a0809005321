"""What Sozialplanung's overview and yearly report show in the demo: a network whose
speaker post is vacant since the last election, a second speaker whose term ends within
60 days (so the term notice is due), and in a few Stadtteilkonferenzen a member who joined
this year and one who left. Dated relative to the day of the seed; a run on the same day
changes nothing."""

from __future__ import annotations

import datetime

from django.test import override_settings

from contacts.models import Membership, Network, Person
from meetings.recurrence import BERLIN
from netzwerk.demo.sync import SeedReport, instance_update
from notifications import services as notification_services
from notifications.services.planning import TERM_NOTICE_DAYS

DUMMY_MAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"

# Its speaker of the last term became deputy; nobody stood as speaker („Sprecher*in gesucht“).
VACANT_SPEAKER_NETWORK = "oag-richterich"
# Speakers elected mid-term, whose two-year terms end this many days after the seed: the
# first one's notice went out 15 days ago, the second one's falls due in 20 days.
TERM_ENDINGS = (("stk-kronenberg", 45), ("oag-laurensberg", 80))
# Stadtteilkonferenzen with a newcomer and/or a departure in the report's year.
CHANGING_NETWORKS = ("stk-aachen-nord", "stk-preuswald", "stk-eilendorf")
JOINED_NOTE = "Demo: neu dabei"
LEFT_NOTE = "Demo: ausgeschieden"


def _two_years_before(day: datetime.date) -> datetime.date:
    """The start of a two-year term that ends on ``day``."""
    following = day + datetime.timedelta(days=1)
    return following.replace(year=following.year - 2)


def _keep(report: SeedReport, found: Membership | None, wanted: Membership) -> None:
    if found is None:
        wanted.full_clean()
        wanted.save()
        report.created["Membership"] += 1
    else:
        instance_update(report, found, {"start": wanted.start, "end": wanted.end})


def _term_ending_seed(report: SeedReport, network: Network, *, end: datetime.date, term_start) -> None:
    """A second speaker of ``network`` (a member outside the team) whose term ends on ``end``."""
    found = Membership.objects.filter(network=network, role=Membership.Role.SPEAKER).exclude(start=term_start).first()
    holder = found.person if found is not None else None
    if holder is None:
        leading = Membership.objects.filter(network=network).leading().values("person_id")
        holder = (
            Person.objects.filter(memberships__network=network, memberships__role=Membership.Role.MEMBER)
            .exclude(pk__in=leading)
            .order_by("pk")
            .first()
        )
    if holder is not None:
        wanted = Membership(
            network=network, person=holder, role=Membership.Role.SPEAKER, start=_two_years_before(end), end=end
        )
        _keep(report, found, wanted)


def term_notice_moments(*, since: datetime.datetime, now: datetime.datetime) -> set[datetime.datetime]:
    """The moments between ``since`` and ``now`` at which a term's notice fell due (the
    morning 60 days before its end), for the replay of the demo's delivery log."""
    first, last = since.astimezone(BERLIN).date(), now.astimezone(BERLIN).date()
    notice = datetime.timedelta(days=TERM_NOTICE_DAYS)
    ends = (
        Membership.objects.leading()
        .filter(end__gte=first + notice, end__lte=last + notice)
        .values_list("end", flat=True)
        .distinct()
    )
    moments = {datetime.datetime.combine(end - notice, datetime.time(8), tzinfo=BERLIN) for end in ends}
    return {moment for moment in moments if since <= moment < now}


def term_notices_replay(*, since: datetime.datetime, now: datetime.datetime) -> int:
    """Plan and send, into the dummy mail backend, the term notices that fell due between
    ``since`` and ``now``, each at its moment (as the demo's delivery log is replayed).
    Returns the number of rows sent."""
    sent = 0
    for moment in sorted(term_notice_moments(since=since, now=now)):
        ids = notification_services.term_notices_plan(now=moment)
        with override_settings(EMAIL_BACKEND=DUMMY_MAIL_BACKEND):
            sent += len(notification_services.deliveries_send(delivery_ids=ids, now=moment))
    return sent


def staff_demo_seed(
    report: SeedReport, networks: dict[str, Network], people: dict[str, Person], *, today: datetime.date, term_start
) -> None:
    """Add the rows above (call after the memberships are seeded, inside the transaction)."""
    vacant = networks[VACANT_SPEAKER_NETWORK]
    deputy = Membership.objects.filter(network=vacant, role=Membership.Role.DEPUTY_SPEAKER, start=term_start).first()
    if deputy is not None:
        previous_end = term_start - datetime.timedelta(days=1)
        found = Membership.objects.filter(network=vacant, role=Membership.Role.SPEAKER, person=deputy.person).first()
        _keep(
            report,
            found,
            Membership(
                network=vacant,
                person=deputy.person,
                role=Membership.Role.SPEAKER,
                start=_two_years_before(previous_end),
                end=previous_end,
            ),
        )

    for slug, days in TERM_ENDINGS:
        _term_ending_seed(report, networks[slug], end=today + datetime.timedelta(days=days), term_start=term_start)

    residents = sorted((person for person in people.values() if person.user_id is None), key=lambda p: -p.pk)
    for position, slug in enumerate(CHANGING_NETWORKS):
        network = networks[slug]
        members = set(Membership.objects.filter(network=network).values_list("person_id", flat=True))
        candidates = [person for person in residents[position * 7 :] if person.pk not in members]
        changes = [
            (JOINED_NOTE, today - datetime.timedelta(days=120 + 20 * position), None),
            (LEFT_NOTE, datetime.date(2019, 1, 1), today - datetime.timedelta(days=60 + 20 * position)),
        ]
        # One network grows, one shrinks, one keeps its size with a newcomer and a departure.
        changes = changes[: 2 - position] if position < 2 else changes[1:]
        for note, start, until in changes:
            found = Membership.objects.filter(network=network, note=note).first()
            if found is None and not candidates:
                continue
            person = found.person if found is not None else candidates.pop(0)
            _keep(report, found, Membership(network=network, person=person, start=start, end=until, note=note))
