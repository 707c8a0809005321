"""Results and minutes in the demo: the demo speaker's network (Stadtteilkonferenz
Burtscheid) has results under every TOP of its last conference, whose minutes are
published; and a Sondersitzung of a few days ago with results, whose minutes are still a
draft built from the agenda (the speaker's next step: check and publish).

Idempotent: results are written where a TOP has none, the Sondersitzung and its draft only
when they are missing. Members were told of minutes published before now (the calendar's
replay sent „Protokoll veröffentlicht“ at the time; minutes it did not reach are recorded
as told), so the first real sweep owes nothing.
"""

import datetime

from django.utils import timezone

from contacts.models import Network
from meetings import services as meeting_services
from meetings.models import AgendaItem, Attendance, Meeting, Minutes
from meetings.recurrence import BERLIN
from meetings.selectors import network_members
from netzwerk.demo.data import MEMBER, SPEAKER
from netzwerk.demo.directory import Directory
from netzwerk.demo.sync import SeedReport
from notifications.models import Step, Subject

NETWORK = "stk-burtscheid"
SPECIAL_TITLE = "Sondersitzung Sozialraumbudget 2027"
SPECIAL_DAYS_AGO = 4

# Results by a word of the TOP's title; the first that matches.
RESULTS = (
    ("Begrüßung", "Die Tagesordnung wird ohne Änderungen angenommen. Zwei neue Mitglieder stellen sich vor."),
    ("Protokoll", "Das Protokoll der letzten Sitzung ist ohne Änderungen genehmigt."),
    (
        "Arbeitskreise",
        "Der AK Jugend plant ein Graffiti-Projekt an der Unterführung; der AK Senior*innen sucht "
        "Ehrenamtliche für den Besuchsdienst.",
    ),
    (
        "Schulweg",
        "Die Schulwegbegehung findet im Frühjahr statt. Das Stadtteilbüro lädt die Grundschulen "
        "und die Elternvertretungen ein; die Ergebnisse gehen an die Verkehrsplanung.",
    ),
    (
        "Anträge",
        "Die Konferenz empfiehlt zwei Anträge an den Stadtteilfonds: **Sprachcafé** (Familienzentrum) "
        "und **Lesepat*innen** (Bücherei). Ein Antrag wird zurückgestellt.",
    ),
    (
        "Quartiersmanagement",
        "Die Sozialplanung stellt die neuen Sozialraumdaten in der nächsten Sitzung vor; das "
        "Quartiersmanagement berichtet vom Umbau des Kurparks.",
    ),
    (
        "Sprecher",
        "Die Nachfolge im Sprecher*innenteam wird vertraulich beraten. Zur Wahl in der nächsten "
        "Sitzung stellt sich die Kita Wasserfloh zur Verfügung.",
    ),
    (
        "Verschiedenes",
        "- Das Stadtteilfest findet am zweiten Samstag im Juni statt.\n"
        "- Nächste Sitzung wie geplant; die Einladung folgt zwei Wochen vorher.",
    ),
)
DEFAULT_RESULT = "Zur Kenntnis genommen; keine Beschlüsse."

SPECIAL_AGENDA = (
    ("Begrüßung und Beschluss der Tagesordnung", "", True, "Die Tagesordnung wird ohne Änderungen angenommen."),
    (
        "Anträge an das Sozialraumbudget 2027",
        "Fünf Anträge liegen vor (Übersicht im Anhang der Einladung).",
        True,
        "Empfohlen werden drei Anträge: **Hausaufgabenhilfe** (Jugendtreff), **Sprachcafé** "
        "(Familienzentrum) und **Bewegung im Park** (Sportverein). Die Empfehlung geht an die "
        "Bezirksvertretung Aachen-Mitte.",
    ),
    (
        "Rückmeldung an die Antragstellenden",
        "",
        False,
        "Das Sprecher*innenteam schreibt den zwei nicht empfohlenen Antragstellenden bis Monatsende "
        "und bietet ein Gespräch an.",
    ),
)


def _result_for(title: str) -> str:
    for word, text in RESULTS:
        if word.casefold() in title.casefold():
            return text
    return DEFAULT_RESULT


def _results_fill(report: SeedReport, meeting: Meeting, actor) -> None:
    for item in AgendaItem.objects.filter(meeting=meeting, result="").order_by("position"):
        meeting_services.agenda_item_update(item=item, result=_result_for(item.title), actor=actor, now=meeting.end)
        report.changed["AgendaItem"] += 1


def _special_meeting(
    report: SeedReport, directory: Directory, network: Network, actor, *, now: datetime.datetime
) -> Meeting:
    """The Sondersitzung of a few days ago: agenda, results, who came, a draft of minutes."""
    day = (now.astimezone(BERLIN) - datetime.timedelta(days=SPECIAL_DAYS_AGO)).date()
    # Networks meet on working days.
    day -= datetime.timedelta(days={5: 1, 6: 2}.get(day.weekday(), 0))
    start = datetime.datetime.combine(day, datetime.time(17, 0), tzinfo=BERLIN)
    meeting = meeting_services.meeting_schedule(
        network=network,
        title=SPECIAL_TITLE,
        start=start,
        end=start + datetime.timedelta(minutes=90),
        status=Meeting.Status.CONFIRMED,
        address="Stadtteilbüro Burtscheid, Kapellenstraße 5, 52066 Aachen",
        room="Besprechungsraum",
        actor=actor,
    )
    meeting_services.meeting_update(meeting=meeting, status=Meeting.Status.HELD, actor=actor, now=meeting.end)
    report.created["Meeting"] += 1
    for title, text, public, result in SPECIAL_AGENDA:
        item = meeting_services.agenda_item_add(meeting=meeting, title=title, text=text, is_public=public, actor=actor)
        meeting_services.agenda_item_update(item=item, result=result, actor=actor, now=meeting.end)
        report.created["AgendaItem"] += 1
    member = directory.people[MEMBER.email]
    # The demo member said yes and came (the privacy story gives the member an answer in
    # the last two held meetings; this one is the latest from now on).
    meeting_services.attendance_answer(
        meeting=meeting, person=member, answer=Attendance.Answer.YES, now=start - datetime.timedelta(days=3)
    )
    for index, membership in enumerate(network_members(network, day=day)):
        if index % 3 == 2 and membership.person_id != member.pk:
            continue
        excused = index % 5 == 4 and membership.person_id != member.pk
        presence = Attendance.Presence.EXCUSED if excused else Attendance.Presence.PRESENT
        meeting_services.attendance_record_presence(
            meeting=meeting, person=membership.person, presence=presence, actor=actor, now=meeting.end
        )
        report.created["Attendance"] += 1
    return meeting


def _told_record(report: SeedReport, *, now: datetime.datetime) -> None:
    """Minutes of demo networks published up to now count as announced (see the docstring)."""
    published = Minutes.objects.filter(
        meeting__network__is_demo=True, published_at__lte=now, notice_version__gt=0
    ).values_list("meeting_id", "notice_version")
    steps = {(meeting_id, f"protokoll:{version}") for meeting_id, version in published}
    if not steps:
        return
    done = set(
        Step.objects.filter(
            subject_type=Subject.MEETING, subject_id__in=[meeting_id for meeting_id, _step in steps]
        ).values_list("subject_id", "step")
    )
    missing = [
        Step(subject_type=Subject.MEETING, subject_id=meeting_id, step=step)
        for meeting_id, step in sorted(steps - done)
    ]
    Step.objects.bulk_create(missing, ignore_conflicts=True)
    report.created["Step"] += len(missing)


def results_seed(report: SeedReport, directory: Directory, *, now: datetime.datetime | None = None) -> None:
    """Results and minutes of the demo speaker's network (call inside the seed's
    transaction, after the calendar). Side effects: results of agenda items; the
    Sondersitzung with agenda, presences and its draft minutes; planning steps."""
    now = now or timezone.now()
    network = directory.networks.get(NETWORK)
    if network is None:
        return
    actor = directory.users[SPEAKER.email]
    last = (
        Meeting.objects.filter(
            network=network, end__lt=now, agenda_items__isnull=False, minutes__published_at__isnull=False
        )
        .exclude(status=Meeting.Status.CANCELLED)
        .exclude(title=SPECIAL_TITLE)
        .order_by("-start")
        .distinct()
        .first()
    )
    if last is not None:
        _results_fill(report, last, actor)
    special = Meeting.objects.filter(network=network, title=SPECIAL_TITLE).first()
    if special is None:
        special = _special_meeting(report, directory, network, actor, now=now)
    if not Minutes.objects.filter(meeting=special).exists():
        meeting_services.minutes_draft_from_agenda(meeting=special, actor=actor, now=now)
        report.created["Minutes"] += 1
    _told_record(report, now=now)
