"""What Sozialplanung's overview and yearly report show in the demo: a network whose
speaker post is vacant since the last election, a second speaker whose term ends within
60 days (so the term notice is due), and in a few Stadtteilkonferenzen a member who joined
this year and one who left. Dated relative to the day of the seed; a run on the same day
changes nothing."""

from __future__ import annotations

import datetime

from contacts.models import Membership, Network, Person
from netzwerk.demo.sync import SeedReport, instance_update

# Its speaker of the last term became deputy; nobody stood as speaker („Sprecher*in gesucht“).
VACANT_SPEAKER_NETWORK = "oag-richterich"
# A speaker elected mid-term, whose two-year term ends this many days after the seed.
TERM_ENDING_NETWORK = "stk-kronenberg"
TERM_ENDING_IN_DAYS = 45
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

    ending = networks[TERM_ENDING_NETWORK]
    end = today + datetime.timedelta(days=TERM_ENDING_IN_DAYS)
    found = Membership.objects.filter(network=ending, role=Membership.Role.SPEAKER).exclude(start=term_start).first()
    holder = found.person if found is not None else None
    if holder is None:
        leading = Membership.objects.filter(network=ending).leading().values("person_id")
        holder = (
            Person.objects.filter(memberships__network=ending, memberships__role=Membership.Role.MEMBER)
            .exclude(pk__in=leading)
            .order_by("pk")
            .first()
        )
    if holder is not None:
        _keep(
            report,
            found,
            Membership(
                network=ending, person=holder, role=Membership.Role.SPEAKER, start=_two_years_before(end), end=end
            ),
        )

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
