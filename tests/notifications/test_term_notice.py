"""60 days before a speaker's term ends, the speaker and the network's Sozialplanung
contact get a notice: planned by the sweep once per term and end, sent through the delivery
log by a real worker to a real SMTP server, with List-Unsubscribe, respecting preferences."""

import datetime
import email
import email.header

import pytest
from django.utils import timezone

from contacts.models import Membership
from notifications.models import Delivery, Kind, PeriodicRun, Preference, Subject
from notifications.services import notifications_sweep
from tests.conftest import wait_until
from tests.factories import ChannelFactory, MembershipFactory, NetworkFactory, PersonFactory
from tests.notifications.conftest import wait_for_final


def term(days_left: int, *, contact=True):
    """A network whose speaker's term ends in ``days_left`` days, with a Sozialplanung contact."""
    speaker = PersonFactory(family_name="Sprecherin")
    ChannelFactory(person=speaker, value=f"sprecherin{days_left}@example.org")
    network = NetworkFactory(name=f"STK Amtszeit {days_left}")
    if contact:
        planner = PersonFactory(family_name="Planerin")
        ChannelFactory(person=planner, value=f"planung{days_left}@example.org")
        network.sozialplanung_contact = planner
        network.save()
    membership = MembershipFactory(
        network=network,
        person=speaker,
        role=Membership.Role.SPEAKER,
        end=timezone.localdate() + datetime.timedelta(days=days_left),
    )
    return membership


def term_rows():
    return list(Delivery.objects.filter(kind=Kind.TERM_ENDING).order_by("pk"))


@pytest.mark.django_db
def test_sweep_plans_the_notice_sixty_days_ahead_once_for_speaker_and_contact():
    due = term(60)
    term(61)  # not yet
    MembershipFactory(role=Membership.Role.MEMBER, end=timezone.localdate() + datetime.timedelta(days=10))

    notifications_sweep()
    notifications_sweep()

    rows = term_rows()
    assert [(row.subject_type, row.subject_id, row.person_id) for row in rows] == [
        (Subject.TERM, due.pk, due.person_id),
        (Subject.TERM, due.pk, due.network.sozialplanung_contact_id),
    ]
    assert {row.version for row in rows} == {int(due.end.strftime("%Y%m%d"))}


@pytest.mark.django_db
def test_a_term_whose_end_moves_gets_a_notice_for_its_new_end():
    membership = term(30, contact=False)
    notifications_sweep()
    membership.end = membership.end + datetime.timedelta(days=20)
    membership.save()

    notifications_sweep()

    assert sorted(row.version for row in term_rows()) == sorted(
        int((membership.end - datetime.timedelta(days=days)).strftime("%Y%m%d")) for days in (20, 0)
    )


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_sends_the_term_notice_exactly_once_with_unsubscribe(smtp_sink, celery_worker_start):
    membership = term(45)
    opted_out = term(50, contact=False)
    Preference.objects.create(person=opted_out.person, terms=False)
    worker = celery_worker_start(beat=True)

    wait_until(lambda: len(term_rows()) == 3, timeout=60, process=worker)
    rows = wait_for_final(timeout=60, process=worker)
    # Some more sweeps: nothing new is planned or sent.
    wait_until(
        lambda: PeriodicRun.objects.get(name="sweep").run_count >= 4,
        timeout=30,
        process=worker,
    )

    assert worker.stop() == 0
    states = {(row.person_id, row.state) for row in term_rows()}
    assert states == {
        (membership.person_id, Delivery.State.SENT),
        (membership.network.sozialplanung_contact_id, Delivery.State.SENT),
        (opted_out.person_id, Delivery.State.SKIPPED),
    }
    arrivals = [arrival for arrival in smtp_sink.arrivals() if arrival["message_id"].startswith("<amtszeit.")]
    assert sorted(arrival["to"][0] for arrival in arrivals) == ["planung45@example.org", "sprecherin45@example.org"]
    assert len({arrival["message_id"] for arrival in arrivals}) == 2
    sent = {row.message_id for row in rows if row.state == Delivery.State.SENT and row.kind == Kind.TERM_ENDING}
    assert {arrival["message_id"] for arrival in arrivals} == sent
    messages = [email.message_from_bytes(smtp_sink.eml(number)) for number in range(1, len(smtp_sink.arrivals()) + 1)]
    notices = [message for message in messages if message["Message-ID"] in sent]
    end = membership.end.strftime("%d.%m.%Y")
    subjects = sorted(str(email.header.make_header(email.header.decode_header(m["Subject"]))) for m in notices)
    assert subjects == [
        f"Amtszeit endet am {end}: {membership.person.full_name}, {membership.network.name}",
        f"Ihre Amtszeit endet am {end}: {membership.network.name}",
    ]
    assert all("/benachrichtigungen/abbestellen/" in arrival["list_unsubscribe"] for arrival in arrivals)
    assert all(arrival["list_unsubscribe_post"] == "List-Unsubscribe=One-Click" for arrival in arrivals)
