"""The guests part of the demo: an „Offenes Treffen“ of the Stadtteilkonferenz Burtscheid
about three weeks ahead, open for registrations with a few seats, all taken by invented guests,
and one more on the waiting list. The demo speaker sees them on the meeting page.

Written once: when the open meeting is not there yet (``--refresh`` removes it with the
rest of the calendar). The guests registered through the service over the last days;
their confirmations went out then, into the dummy mail backend, so the first real sweep
finds nothing owed.
"""

import datetime

from django.test import override_settings

from meetings import services as meeting_services
from meetings.models import GuestRegistration, Meeting
from meetings.recurrence import BERLIN
from netzwerk.demo.data import SPEAKER, SPEAKER_INSTITUTION
from netzwerk.demo.directory import Directory, real_data_present
from netzwerk.demo.sync import DUMMY_MAIL_BACKEND, SeedReport
from notifications import services as notification_services
from notifications.models import Delivery, Subject

NETWORK = "stk-burtscheid"
TITLE = "Offenes Treffen: Burtscheid im Gespräch"
CAPACITY = 6
# (name, address, institution, needs, registered days ago): invented people, example.org
# addresses; the last finds every seat taken and waits.
GUESTS = [
    ("Ida Kohnen", "ida.kohnen@example.org", "", "Rollstuhlplatz", 9),
    ("Hakan Demir", "hakan.demir@example.org", "Nachbarschaftstreff Kurpark (fiktiv)", "", 8),
    ("Greta Frings", "greta.frings@example.org", "", "Induktionsschleife, wenn möglich", 6),
    ("Nils Crombach", "nils.crombach@example.org", "Jugendtreff Abteitor (fiktiv)", "", 5),
    ("Olga Pauls", "olga.pauls@example.org", "", "Gebärdensprachdolmetschung (DGS)", 3),
    ("Jonas Hermanns", "jonas.hermanns@example.org", "Seniorentreff Steinebrück (fiktiv)", "", 2),
    ("Elif Öztürk", "elif.oeztuerk@example.org", "", "Unterlagen in Leichter Sprache", 1),
]


def guests_seed(report: SeedReport, directory: Directory, *, now: datetime.datetime) -> None:
    """The open meeting with its guests and their confirmations; nothing beside real data."""
    network = directory.networks.get(NETWORK)
    if network is None or real_data_present() or Meeting.objects.filter(network=network, title=TITLE).exists():
        return
    # A Wednesday about three weeks ahead, never in the days around Christmas and New Year.
    day = now.astimezone(BERLIN).date() + datetime.timedelta(days=21)
    while day.weekday() != 2 or (day.month, day.day) >= (12, 20) or (day.month, day.day) <= (1, 6):
        day += datetime.timedelta(days=1)
    start = datetime.datetime.combine(day, datetime.time(17, 30), tzinfo=BERLIN)
    speaker = directory.users[SPEAKER.email]
    opened = now - datetime.timedelta(days=10)
    meeting = meeting_services.meeting_schedule(
        network=network,
        title=TITLE,
        start=start,
        end=start + datetime.timedelta(hours=2),
        status=Meeting.Status.CONFIRMED,
        institution=directory.institutions.get(SPEAKER_INSTITUTION),
        room="Mehrzweckraum",
        accessibility_notes=(
            "Stufenloser Eingang, barrierefreies WC; Gebärdensprachdolmetschung bitte bei der Anmeldung angeben."
        ),
        actor=speaker,
    )
    meeting_services.guest_settings_set(
        meeting=meeting,
        guests_open=True,
        capacity=CAPACITY,
        deadline=start - datetime.timedelta(days=2),
        actor=speaker,
        now=opened,
    )
    for number, (name, email, institution, needs, days_ago) in enumerate(GUESTS):
        moment = now - datetime.timedelta(days=days_ago)
        registration = meeting_services.guest_register(
            meeting=meeting,
            name=name,
            email=email,
            institution=institution,
            accessibility_needs=needs,
            client=f"demo-gast-{number}",
            now=moment,
        )
        GuestRegistration.objects.filter(pk=registration.pk).update(created_at=moment, updated_at=moment)
        report.created["GuestRegistration"] += 1
        # The confirmation went out at once, as it does (into the dummy backend).
        planned = list(
            Delivery.objects.filter(
                subject_type=Subject.GUEST, subject_id=registration.pk, state__in=Delivery.CLAIMABLE
            ).values_list("pk", flat=True)
        )
        with override_settings(EMAIL_BACKEND=DUMMY_MAIL_BACKEND):
            notification_services.deliveries_send(delivery_ids=planned, now=moment)
        report.created["Delivery"] += len(planned)
    report.created["Meeting"] += 1
