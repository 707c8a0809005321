"""The „Stand“ part of the demo: most entries confirmed in the last months, a few not for
more than a year. Those were asked „Sind Ihre Angaben noch aktuell?“ (one of them reminded
four weeks later), and one institution proposed changes that wait for the Sozialplanung.

Written once, like the calendar: when the delivery log holds no such mail yet. The rows of
the log are what the sweep would have written then, marked sent (nobody receives mail
about the past), so the first real sweep finds nothing owed.
"""

import datetime
import hashlib

from django.db.models import Q

from contacts.models import Institution, InstitutionChangeProposal, Membership, Network, Person
from netzwerk.demo.data import SPEAKER
from netzwerk.demo.directory import Directory, real_data_present
from netzwerk.demo.sync import SeedReport
from notifications.compose import message_id_of
from notifications.models import ENTRY_KINDS, Delivery, Kind, Subject

DAY = datetime.timedelta(days=1)
SUBJECT_OF = {Network: Subject.NETWORK, Institution: Subject.INSTITUTION, Person: Subject.PERSON}


def freshness_present() -> bool:
    return (
        Delivery.objects.filter(kind__in=ENTRY_KINDS).exists()
        or InstitutionChangeProposal.objects.exists()
        or Institution.objects.filter(confirmed_at__isnull=False).exists()
    )


def _confirm_spread(model, *, now: datetime.datetime) -> None:
    """Every entry confirmed some days to ten months ago, spread by its key."""
    for pk in model.objects.filter(is_demo=True).values_list("pk", flat=True):
        model.objects.filter(pk=pk).update(confirmed_at=now - DAY * (3 + (pk * 37) % 300))


def _sent(entry, kind: str, *, stand: datetime.datetime, sent_at: datetime.datetime, person=None) -> Delivery:
    """A row of the log as the sweep made it at ``sent_at``, and sent then."""
    delivery = Delivery(
        subject_type=SUBJECT_OF[type(entry)],
        subject_id=entry.pk,
        kind=kind,
        version=int(stand.timestamp()),
        recipient_key=f"p{person.pk}" if person is not None else f"a{entry.email.lower()}",
        person=person,
        address="" if person is not None else entry.email,
        recipient_name="" if person is not None else entry.name,
        network=entry if isinstance(entry, Network) else None,
        due_at=sent_at,
        next_attempt_at=sent_at,
        state=Delivery.State.SENT,
        attempts=1,
        sent_at=sent_at,
    )
    delivery.save()
    Delivery.objects.filter(pk=delivery.pk).update(created_at=sent_at, message_id=message_id_of(delivery))
    return delivery


def _stale(entry, *, stand: datetime.datetime) -> None:
    type(entry).objects.filter(pk=entry.pk).update(confirmed_at=stand)
    entry.confirmed_at = stand


def freshness_seed(report: SeedReport, directory: Directory, *, now: datetime.datetime) -> None:
    """Stand dates for every demo entry, five stale ones with their mails, one open proposal.

    Nothing beside real entries (``seed_demo --force``): their owners' mails are theirs.
    """
    if freshness_present() or real_data_present():
        return
    for model in (Network, Institution, Person):
        _confirm_spread(model, now=now)
    speaker = directory.people[SPEAKER.email]
    own = (
        Membership.objects.active(now.date())
        .leading()
        .filter(person=speaker)
        .values_list("network_id", flat=True)
        .order_by("network_id")
        .first()
    )
    members = Membership.objects.active(now.date()).filter(network_id=own).exclude(person=speaker)
    institutions = list(
        Institution.objects.filter(pk__in=members.filter(institution__isnull=False).values("institution_id"))
        .exclude(email="")
        .order_by("name")[:2]
    )
    person = (
        Person.objects.filter(pk__in=members.filter(institution__isnull=True).values("person_id"))
        .filter(Q(channels__kind="email") | Q(user__isnull=False))
        .order_by("family_name", "pk")
        .first()
    )
    led = Membership.objects.active(now.date()).leading().filter(person__isnull=False).values("network_id")
    other_network = Network.objects.filter(pk__in=led).exclude(pk=own).order_by("name").first()
    elsewhere = Institution.objects.exclude(pk__in=[i.pk for i in institutions]).exclude(email="")
    elsewhere = elsewhere.exclude(memberships__network_id=own).order_by("name").first()
    written = 0
    # Reminded: asked five weeks ago, reminded a week ago, no answer yet.
    if institutions:
        reminded = institutions[0]
        stand = now - DAY * 430
        _stale(reminded, stand=stand)
        _sent(reminded, Kind.ENTRY_CHECK, stand=stand, sent_at=now - DAY * 37)
        _sent(reminded, Kind.ENTRY_CHECK_REMINDER, stand=stand, sent_at=now - DAY * 9)
        written += 3
    # Asked twelve days ago; someone there proposed a new phone number and opening hours.
    if len(institutions) > 1:
        proposing = institutions[1]
        stand = now - DAY * 400
        _stale(proposing, stand=stand)
        _sent(proposing, Kind.ENTRY_CHECK, stand=stand, sent_at=now - DAY * 12)
        changes = {
            "phone": "0241 000000-0",
            "opening_hours": "Mo–Do 9–16 Uhr, Fr 9–12 Uhr",
            "accessibility": Institution.Accessibility.STEP_FREE.value,
        }
        InstitutionChangeProposal.objects.create(
            institution=proposing,
            changes=changes,
            before={name: str(getattr(proposing, name) or "") for name in changes},
            comment="Seit dem Umbau im Frühjahr haben wir einen Aufzug. (Demodaten)",
            link_digest=hashlib.sha256(b"demo-proposal").hexdigest(),
            created_at=now - DAY * 5,
        )
        written += 3
    if person is not None:
        stand = now - DAY * 460
        _stale(person, stand=stand)
        _sent(person, Kind.ENTRY_CHECK, stand=stand, sent_at=now - DAY * 6, person=person)
        written += 2
    if other_network is not None:
        stand = now - DAY * 395
        _stale(other_network, stand=stand)
        leaders = Membership.objects.active(now.date()).leading().filter(network=other_network, person__isnull=False)
        for leader in Person.objects.filter(pk__in=leaders.values("person_id")).order_by("pk"):
            _sent(other_network, Kind.ENTRY_CHECK, stand=stand, sent_at=now - DAY * 3, person=leader)
            written += 1
    if elsewhere is not None:
        stand = now - DAY * 410
        _stale(elsewhere, stand=stand)
        _sent(elsewhere, Kind.ENTRY_CHECK, stand=stand, sent_at=now - DAY * 2)
        written += 2
    report.changed["Stand"] += written
