"""``manage.py seed_demo`` and ``demo_logins``: Aachen's geography and networks, invented
people, three working logins, the calendar around today with its delivery log, idempotence,
``--refresh`` and the guards against mixing with real data."""

import datetime
import io
import re
import tempfile

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from contacts.models import (
    AccountInvitation,
    Affiliation,
    Area,
    Consent,
    ContactChannel,
    Institution,
    Membership,
    Network,
    NetworkProposal,
    Person,
    Topic,
    User,
    Visibility,
)
from contacts.selectors import user_roles
from meetings.models import (
    AgendaItem,
    Attendance,
    DatePoll,
    DatePollVote,
    GuestRegistration,
    Meeting,
    MeetingSeries,
    Minutes,
)
from meetings.models import Visibility as MeetingVisibility
from netzwerk.demo import DEMO_LOGINS, demo_seed
from notifications.models import Delivery, Kind, MeetingNotice
from notifications.services import notifications_sweep
from tests.factories import InstitutionFactory, NetworkFactory
from tests.meetings.factories import MeetingFactory

pytestmark = pytest.mark.django_db

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args: str) -> str:
    """Run ``seed_demo`` with ``args`` and return what it printed."""
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def fast_hashing(settings, tmp_path):
    """Hash passwords cheaply (the seed under test does not depend on the hasher); the
    minutes file goes to a temporary media folder."""
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(scope="class")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for a class of read-only tests, inside a transaction rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic(), tempfile.TemporaryDirectory() as media:
        with override_settings(PASSWORD_HASHERS=FAST_HASHERS, MEDIA_ROOT=media):
            seed()
            yield
        transaction.set_rollback(True)


@pytest.mark.usefixtures("seeded")
class TestSeededDemo:
    """What one seed run loads (shared by the tests of this class, which only read)."""

    def test_seed_demo_creates_the_seven_stadtbezirke(self):
        names = list(Area.objects.filter(level=Area.Level.DISTRICT).order_by("name").values_list("name", flat=True))

        assert names == [
            "Aachen-Mitte",
            "Brand",
            "Eilendorf",
            "Haaren",
            "Kornelimünster/Walheim",
            "Laurensberg",
            "Richterich",
        ]

    def test_every_demo_entry_shows_its_stand(self):
        """Every network, institution and person of the demo carries a „Stand“ (steps of the
        seed that save an entry loaded earlier must not blank it)."""
        from contacts.models import Institution, Network, Person

        unconfirmed = [
            model.__name__
            for model in (Network, Institution, Person)
            if model.objects.filter(confirmed_at=None).exists()
        ]

        assert unconfirmed == []

    def test_seed_demo_holds_a_joint_meeting_of_stk_and_oag_eilendorf(self):
        """STK Eilendorf and the ÖAG Eilendorf/Rothe Erde meet together in the coming weeks;
        one person of Eilendorf is a member of both."""
        from django.utils import timezone

        from contacts.models import Membership
        from meetings.models import Meeting

        joint = Meeting.objects.filter(partnerships__isnull=False).prefetch_related("partner_networks")
        today = timezone.localdate()
        in_both = Membership.objects.active(today).filter(
            network__slug="stk-eilendorf",
            person_id__in=Membership.objects.active(today)
            .filter(network__slug="oag-eilendorf-rothe-erde")
            .values("person_id"),
        )

        assert [[network.slug for network in meeting.networks] for meeting in joint] == [
            ["stk-eilendorf", "oag-eilendorf-rothe-erde"]
        ]
        meeting = joint[0]
        assert timezone.now() + datetime.timedelta(days=14) < meeting.start
        assert meeting.start < timezone.now() + datetime.timedelta(days=28)
        assert meeting.agenda_items.count() == 4
        assert in_both.exists()

    def test_seed_demo_gives_one_network_an_earlier_invitation(self):
        from notifications.models import NetworkSettings

        lead_days = dict(NetworkSettings.objects.values_list("network__slug", "invitation_lead_days"))

        assert lead_days == {"stk-aachen-nord": 21}

    def test_seed_demo_creates_fourteen_sozialraeume_in_stadtbezirken(self):
        social_areas = Area.objects.filter(level=Area.Level.SOCIAL_AREA).select_related("parent")

        codes = sorted(int(area.code) for area in social_areas)
        parent_levels = {area.parent.level for area in social_areas}

        assert codes == list(range(1, 15))
        assert parent_levels == {Area.Level.DISTRICT}

    def test_seed_demo_keeps_verified_sozialraum_names_unflagged(self):
        verified = dict(
            Area.objects.filter(level=Area.Level.SOCIAL_AREA, is_invented=False).values_list("code", "name")
        )

        assert verified == {
            "1": "Zentrum und Soers",
            "2": "Hochschulviertel und Hörn",
            "8": "Haaren und Verlautenheide",
            "10": "Brand",
            "13": "Kornelimünster und Oberforstbach",
            "14": "Walheim",
        }

    def test_seed_demo_creates_sixty_lebensraeume_with_district_codes(self):
        living_areas = Area.objects.filter(level=Area.Level.LIVING_AREA).select_related("parent")

        sozialraum_5 = sorted(area.code for area in living_areas if area.parent.code == "5")

        assert living_areas.count() == 60
        assert {area.parent.level for area in living_areas} == {Area.Level.SOCIAL_AREA}
        assert sozialraum_5 == ["362", "363", "410", "420", "430", "460"]

    def test_seed_demo_creates_the_nine_stadtteilkonferenzen_with_founding_years(self):
        founded = dict(
            Network.objects.filter(kind=Network.Kind.NEIGHBOURHOOD_CONFERENCE).values_list("name", "founded_year")
        )

        assert founded == {
            "Stadtteilkonferenz Forst / Driescher Hof": 1989,
            "Stadtteilkonferenz Aachen-Ost / Rothe Erde": 1996,
            "Stadtteilkonferenz Preuswald": 2010,
            "Stadtteilkonferenz Aachen-Nord": 2011,
            "Stadtteilkonferenz Brander Feld": 2012,
            "Stadtteilkonferenz Eilendorf": 2018,
            "Stadtteilkonferenz Burtscheid": 2018,
            "Stadtteilkonferenz Kronenberg": None,
            "Stadtteilkonferenz Haaren/Verlautenheide": None,
        }

    def test_seed_demo_creates_eight_oag_with_invented_names_flagged(self):
        oag = dict(Network.objects.filter(kind=Network.Kind.SENIORS_WORKING_GROUP).values_list("name", "is_invented"))

        assert len(oag) == 8
        assert [name for name, invented in oag.items() if not invented] == [
            "ÖAG für und mit Senioren in Eilendorf und Rothe Erde"
        ]

    def test_seed_demo_creates_the_sozialraumkonferenz_on_children_and_youth(self):
        conference = Network.objects.get(kind=Network.Kind.SOCIAL_AREA_CONFERENCE)

        topics = list(conference.topics.values_list("name", flat=True))

        assert conference.name == "Sozialraumkonferenz Kornelimünster/Walheim"
        assert topics == ["Kinder und Jugendliche"]

    def test_seed_demo_places_arbeitskreise_in_their_networks(self):
        groups = sorted(
            Network.objects.filter(kind=Network.Kind.WORKING_GROUP).values_list("parent__slug", "name"),
        )

        assert groups == [
            ("stk-brander-feld", "Arbeitskreis Jugend und Bildung"),
            ("stk-burtscheid", "Arbeitskreis Älter werden in Burtscheid"),
            ("stk-eilendorf", "Arbeitskreis Mobilität"),
            ("stk-eilendorf", "Arbeitskreis „Kind und Kegel“"),
        ]

    def test_seed_demo_gives_every_network_a_speaker(self):
        without_speaker = Network.objects.exclude(memberships__role=Membership.Role.SPEAKER)

        assert list(without_speaker) == []

    def test_seed_demo_gives_speaker_terms_of_two_years(self):
        terms = Membership.objects.filter(role__in=Membership.LEADING_ROLES)

        two_years = {
            term.end + datetime.timedelta(days=1) == term.start.replace(year=term.start.year + 2) for term in terms
        }

        assert two_years == {True}

    def test_seed_demo_marks_every_row_as_demo_data(self):
        not_demo = [
            Area.objects.filter(is_demo=False).count(),
            Network.objects.filter(is_demo=False).count(),
            Institution.objects.filter(is_demo=False).count(),
            Person.objects.filter(is_demo=False).count(),
        ]

        assert not_demo == [0, 0, 0, 0]

    def test_seed_demo_gives_invented_people_only_example_org_addresses(self):
        emails = ContactChannel.objects.filter(kind=ContactChannel.Kind.EMAIL).values_list("value", flat=True)

        foreign = [email for email in emails if not email.endswith("@example.org")]
        phones = ContactChannel.objects.filter(kind=ContactChannel.Kind.PHONE).count()

        assert Person.objects.count() >= 120
        assert set(Person.objects.values_list("channels__kind", flat=True)) == {ContactChannel.Kind.EMAIL}
        assert foreign == []
        assert phones == 0

    def test_seed_demo_gives_institutions_functional_example_org_addresses_and_no_phone(self):
        institutions = Institution.objects.all()

        foreign = [institution.email for institution in institutions if not institution.email.endswith("@example.org")]
        phones = [institution.phone for institution in institutions if institution.phone]

        assert institutions.count() >= 60
        assert foreign == []
        assert phones == []

    def test_seed_demo_attaches_people_only_to_invented_institutions(self):
        institutions = set(Affiliation.objects.values_list("institution__is_demo", flat=True))

        assert institutions == {True}

    def test_seed_demo_records_consents_for_some_people_only(self):
        audiences = dict(Consent.objects.filter(scope=Consent.Scope.NAME).values_list("person_id", "audience"))
        without_consent = Person.objects.exclude(pk__in=audiences).count()

        assert set(audiences.values()) == {Visibility.PUBLIC, Visibility.NETWORK_MEMBERS}
        assert without_consent > Person.objects.count() // 3

    def test_seed_demo_rows_pass_model_validation(self):
        rows = [
            *Area.objects.all(),
            *Network.objects.all(),
            *Institution.objects.all(),
            *Person.objects.all(),
            *ContactChannel.objects.all(),
            *Affiliation.objects.all(),
            *Membership.objects.all(),
        ]

        for row in rows:
            row.full_clean()

        assert len(rows) > 500

    def test_seed_demo_gives_the_demo_users_their_roles(self):
        users = {user.email: user for user in User.objects.filter(email__in=[login.email for login in DEMO_LOGINS])}
        burtscheid = Network.objects.get(slug="stk-burtscheid")

        planner = user_roles(users["sozialplanung@example.org"])
        speaker = user_roles(users["sprecherin@example.org"])
        member = user_roles(users["mitglied@example.org"])

        assert (planner.is_sozialplanung, users["sozialplanung@example.org"].is_staff) == (True, True)
        assert (speaker.leading_network_ids, speaker.member_network_ids) == ({burtscheid.pk}, {burtscheid.pk})
        assert (member.leading_network_ids, member.member_network_ids) == (frozenset(), {burtscheid.pk})

    def test_seed_demo_plans_meetings_before_and_after_today_for_every_network(self):
        now = timezone.now()
        networks = Network.objects.all()

        without_past = [n.slug for n in networks if not n.meetings.filter(end__lt=now).exists()]
        without_future = [n.slug for n in networks if not n.meetings.filter(start__gt=now).exists()]
        horizon = Meeting.objects.filter(start__gt=now).order_by("-start").first().start - now

        assert (without_past, without_future) == ([], [])
        assert horizon > datetime.timedelta(days=330)

    def test_seed_demo_keeps_arbeitskreis_meetings_for_members(self):
        visibilities = set(
            Meeting.objects.filter(network__kind=Network.Kind.WORKING_GROUP).values_list("visibility", flat=True)
        )

        assert visibilities == {MeetingVisibility.MEMBERS}

    def test_seed_demo_gives_next_meetings_public_and_internal_agenda_items(self):
        burtscheid = Meeting.objects.filter(
            network__slug="stk-burtscheid", series__isnull=False, start__gt=timezone.now()
        ).first()

        items = list(burtscheid.agenda_items.order_by("position").values_list("is_public", flat=True))

        assert burtscheid.status == Meeting.Status.CONFIRMED
        assert len(items) >= 6
        assert set(items) == {True, False}

    def test_seed_demo_moves_one_meeting_and_cancels_another_after_the_invitation(self):
        moved = Meeting.objects.get(moved_from__isnull=False)
        cancelled = Meeting.objects.get(status=Meeting.Status.CANCELLED)

        kinds = {
            meeting.network.slug: set(
                Delivery.objects.filter(subject_id=meeting.pk).values_list("kind", flat=True).distinct()
            )
            for meeting in (moved, cancelled)
        }

        assert moved.start - moved.moved_from == datetime.timedelta(days=7)
        assert moved.start > timezone.now()
        assert kinds["stk-haaren-verlautenheide"] >= {Kind.INVITATION, Kind.CHANGE}
        assert kinds["stk-eilendorf"] >= {Kind.INVITATION, Kind.CANCELLATION}

    def test_seed_demo_past_meetings_were_held_with_published_minutes(self):
        past = Meeting.objects.filter(end__lt=timezone.now())
        week_ago = past.filter(end__lt=timezone.now() - datetime.timedelta(days=7))

        statuses = set(past.values_list("status", flat=True))
        unpublished = week_ago.exclude(minutes__published_at__isnull=False).values_list("title", flat=True)
        with_file = Minutes.objects.exclude(file="").select_related("meeting__network")

        assert statuses == {Meeting.Status.HELD}
        # Minutes follow a week after; the speaker team's meeting waits for its minutes (the
        # dashboard's to-do).
        assert list(unpublished) == ["Treffen des Sprecher*innenteams"]
        assert [(m.meeting.network.slug, m.visibility, m.file.name.endswith(".pdf")) for m in with_file] == [
            ("stk-burtscheid", MeetingVisibility.PUBLIC, True)
        ]

    def test_seed_demo_records_answers_and_presence(self):
        answers = set(Attendance.objects.exclude(answer="").values_list("answer", flat=True))
        presences = set(Attendance.objects.exclude(presence="").values_list("presence", flat=True))

        assert answers == set(Attendance.Answer.values)
        assert presences == set(Attendance.Presence.values)

    def test_seed_demo_opens_a_poll_in_the_speakers_network_with_votes(self):
        poll = DatePoll.objects.get()

        voters = set(DatePollVote.objects.filter(option__poll=poll).values_list("person_id", flat=True))
        demo_member = Person.objects.get(user__email="mitglied@example.org")

        assert (poll.network.slug, poll.status, poll.deadline > timezone.now()) == ("stk-burtscheid", "offen", True)
        assert len(voters) >= 5
        assert demo_member.pk not in voters

    def test_seed_demo_shows_burtscheid_keeping_its_network(self):
        """The last term's team ended the day before the sitting one began; an institution
        left weeks ago; an invitation and an area proposal wait."""
        burtscheid = Network.objects.get(slug="stk-burtscheid")
        speakers = Membership.objects.filter(network=burtscheid, role=Membership.Role.SPEAKER).order_by("start")
        ended = Membership.objects.filter(network=burtscheid, institution__isnull=False, end__isnull=False)

        assert [(term.end + datetime.timedelta(days=1)) for term in speakers[:1]] == [speakers[1].start]
        assert ended.count() == 1 and ended.get().end < timezone.localdate()
        assert AccountInvitation.objects.filter(network=burtscheid, accepted_at__isnull=True).count() == 1
        assert NetworkProposal.objects.filter(network=burtscheid, state="offen", kind="gebiete").count() == 1

    def test_seed_demo_fills_the_delivery_log_with_sent_mail(self):
        rows = Delivery.objects.all()

        kinds = set(rows.values_list("kind", flat=True))
        states = set(rows.values_list("state", flat=True))

        assert kinds == {
            *(Kind.INVITATION, Kind.REMINDER, Kind.CHANGE, Kind.CANCELLATION, Kind.POLL_INVITATION),
            # „Sind Ihre Angaben noch aktuell?“ to the stale entries, one of them reminded.
            *(Kind.ENTRY_CHECK, Kind.ENTRY_CHECK_REMINDER),
            Kind.ACCOUNT_INVITATION,
            Kind.CONTACT,  # the demo member's question to the speakers (Mein Bereich shows it)
            Kind.TERM_ENDING,
            Kind.GUEST_CONFIRMATION,  # the guests of the open meeting in Burtscheid
            Kind.MINUTES,  # „Protokoll veröffentlicht“ when the replayed minutes came out
            Kind.RUNDMAIL,  # the speaker's Rundmail of nine days ago (in the archive)
        }
        assert states == {Delivery.State.SENT}

    def test_seed_demo_opens_a_meeting_for_guests_with_a_waiting_list(self):
        meeting = Meeting.objects.get(title="Offenes Treffen: Burtscheid im Gespräch")
        guests = list(meeting.guest_registrations.order_by("created_at"))

        assert meeting.guests_open and meeting.guest_capacity == 6
        assert meeting.start > timezone.now()
        assert [guest.status for guest in guests] == ["angemeldet"] * 6 + ["warteliste"]
        assert all(guest.email.endswith("@example.org") for guest in guests)

    def test_seed_demo_shows_a_sent_rundmail_a_scheduled_one_and_a_proposal(self):
        from notifications.models import Rundmail

        burtscheid = Network.objects.get(slug="stk-burtscheid")
        states = sorted(Rundmail.objects.filter(network=burtscheid).values_list("state", flat=True))
        sent = Rundmail.objects.get(state=Rundmail.State.SENT)

        assert states == [Rundmail.State.SCHEDULED, Rundmail.State.SENT, Rundmail.State.PROPOSED]
        assert sent.recipient_count == Delivery.objects.filter(kind=Kind.RUNDMAIL, subject_id=sent.pk).count() > 0
        assert sent.attachments.get().name.endswith(".pdf")
        assert Rundmail.objects.get(state=Rundmail.State.SCHEDULED).send_at > timezone.now()

    def test_seed_demo_has_a_few_stale_entries_one_reminded_and_one_open_proposal(self):
        from contacts.models import InstitutionChangeProposal
        from contacts.selectors.freshness import stale_entries

        stale = stale_entries()
        reminded = Delivery.objects.filter(kind=Kind.ENTRY_CHECK_REMINDER)
        proposal = InstitutionChangeProposal.objects.get()

        assert {item.kind for item in stale} == {"network", "institution", "person"}
        assert len(stale) < Institution.objects.count() / 5
        assert reminded.count() == 1
        assert (proposal.state, sorted(proposal.changes)) == ("offen", ["accessibility", "opening_hours", "phone"])

    def test_home_page_lists_upcoming_public_meetings(self, client):
        next_public = Meeting.objects.filter(visibility=MeetingVisibility.PUBLIC, start__gt=timezone.now()).first()

        page = client.get("/").content.decode()

        assert "Zurzeit sind keine öffentlichen Sitzungen geplant" not in page
        assert next_public.network.name in page

    def test_network_feed_has_events(self, client):
        response = client.get("/kalender/netzwerk/stk-burtscheid.ics")

        events = b"".join(response.streaming_content).decode().count("BEGIN:VEVENT")

        assert response.status_code == 200
        assert events >= 5

    def test_demo_logins_prints_the_three_logins(self):
        out = io.StringIO()

        call_command("demo_logins", stdout=out)

        lines = out.getvalue().splitlines()
        assert len(lines) == 4
        assert [login.email in out.getvalue() and login.password in out.getvalue() for login in DEMO_LOGINS] == [
            True,
            True,
            True,
        ]


def test_seed_demo_users_can_log_in(client, fast_hashing):
    seed("--no-calendar")

    results = [client.login(username=login.email, password=login.password) for login in DEMO_LOGINS]

    assert results == [True, True, True]


def test_seed_demo_user_can_log_in_with_the_configured_hashers(client):
    """The seed hashes demo passwords cheaply; Django must still accept and upgrade them."""
    seed("--no-calendar")

    logged_in = client.login(username="mitglied@example.org", password="demo-mitglied")

    assert logged_in is True
    assert User.objects.get(email="mitglied@example.org").password.startswith("pbkdf2_sha256$")


def test_seed_demo_sozialplanung_user_reaches_the_verwaltung(client, fast_hashing):
    seed("--no-calendar")
    client.login(username="sozialplanung@example.org", password="demo-sozialplanung")

    response = client.get("/verwaltung/")

    assert response.status_code == 200


def test_home_page_shows_the_demo_marker_right_after_seeding(client, fast_hashing):
    before = client.get("/").content.decode()  # caches "no demo data"

    seed("--no-calendar")
    after = client.get("/").content.decode()

    assert "Demodaten – fiktiv" not in before
    assert "Demodaten – fiktiv" in after


def snapshot() -> dict[str, list]:
    """Every directory and calendar row with all its values (updated_at included), the
    accounts and the delivery log."""
    models = [
        *(Area, Topic, Network, Institution, Person, ContactChannel, Affiliation, Consent, Membership, User),
        *(MeetingSeries, Meeting, AgendaItem, Attendance, Minutes, DatePoll, DatePollVote, Delivery, MeetingNotice),
        GuestRegistration,
    ]
    state = {model.__name__: sorted(model.objects.values_list(), key=repr) for model in models}
    state["network_areas"] = sorted(Network.areas.through.objects.values_list("network_id", "area_id"))
    state["network_topics"] = sorted(Network.topics.through.objects.values_list("network_id", "topic_id"))
    state["user_groups"] = sorted(User.groups.through.objects.values_list("user_id", "group_id"))
    return state


def test_seed_demo_second_run_changes_nothing(fast_hashing):
    """Nor did either run send mail or leave any owed: the log's past went into the dummy
    backend, and the first real sweep finds nothing due."""
    first = seed()
    before = snapshot()

    output = seed()
    swept = notifications_sweep(limit=0)

    assert snapshot() == before
    assert (mail.outbox, swept.planned) == ([], 0)
    assert Delivery.objects.exclude(state=Delivery.State.SENT).count() == 0
    assert "nichts geändert" in output
    assert re.search(r"Demodaten geladen in \d+\.\d s", first)
    assert Meeting.objects.count() > 150
    assert Delivery.objects.count() > 50


def test_seed_demo_refuses_when_real_data_exists(fast_hashing):
    NetworkFactory(name="Stadtteilkonferenz Echt")

    with pytest.raises(CommandError, match="--force") as refusal:
        seed()

    assert "echte Daten (Netzwerke)" in str(refusal.value)
    assert list(Network.objects.values_list("name", flat=True)) == ["Stadtteilkonferenz Echt"]
    assert Area.objects.count() == 0


def test_seed_demo_with_force_loads_next_to_real_data_without_touching_it(fast_hashing):
    real_network = NetworkFactory(name="Stadtteilkonferenz Echt")
    real_institution = InstitutionFactory(name="Echte Einrichtung")

    seed("--force", "--no-calendar")

    real_network.refresh_from_db()
    assert (real_network.name, real_network.is_demo) == ("Stadtteilkonferenz Echt", False)
    assert Network.objects.filter(is_demo=True).count() == 22
    assert real_institution.affiliations.count() == 0
    assert real_institution.memberships.count() == 0


def test_seed_demo_if_empty_skips_a_database_with_networks(fast_hashing):
    NetworkFactory()

    output = seed("--if-empty", "--no-calendar")

    assert "nicht geladen" in output
    assert Person.objects.count() == 0


def test_seed_demo_if_empty_seeds_an_empty_database(fast_hashing):
    seed("--if-empty", "--no-calendar")

    assert Network.objects.filter(kind=Network.Kind.NEIGHBOURHOOD_CONFERENCE).count() == 9


def test_demo_logins_prints_nothing_without_demo_users():
    out = io.StringIO()

    call_command("demo_logins", stdout=out)

    assert out.getvalue() == ""


def test_seed_demo_refresh_moves_an_old_demo_to_today_without_mail_for_the_past(fast_hashing):
    months_ago = timezone.now() - datetime.timedelta(days=120)
    demo_seed(now=months_ago)
    old_uids = set(Meeting.objects.values_list("uid", flat=True))
    kept = seed()
    assert (Meeting.objects.count(), "--refresh" in kept) == (len(old_uids), True)

    output = seed("--refresh")
    now = timezone.now()
    result = notifications_sweep(limit=0)

    soon = Meeting.objects.filter(start__gt=now, start__lt=now + datetime.timedelta(days=14))
    owed_for_past = Delivery.objects.filter(
        subject_id__in=Meeting.objects.filter(start__lt=now).values("pk"), state=Delivery.State.PLANNED
    )
    assert "gelöscht" in output
    assert old_uids.isdisjoint(set(Meeting.objects.values_list("uid", flat=True)))
    assert soon.filter(status=Meeting.Status.CONFIRMED).count() >= 2
    assert Meeting.objects.filter(end__lt=now).exclude(status=Meeting.Status.HELD).count() == 0
    assert (result.planned, owed_for_past.count(), mail.outbox) == (0, 0, [])


def test_seed_demo_next_to_real_meetings_plays_no_delivery_log(fast_hashing):
    """The sweep is global: played into the dummy backend it would swallow real members' mail."""
    real = MeetingFactory(start=timezone.now() + datetime.timedelta(days=3))

    seed("--force")

    assert Meeting.objects.filter(network__is_demo=True).count() > 150
    assert Delivery.objects.count() == 0
    assert MeetingNotice.objects.filter(meeting_id=real.pk).count() == 0


@pytest.mark.django_db
def test_seed_demo_shows_results_published_minutes_and_a_draft_in_the_speakers_network(fast_hashing):
    seed()
    burtscheid = Meeting.objects.filter(network__slug="stk-burtscheid", end__lt=timezone.now())

    published = (
        burtscheid.filter(minutes__published_at__isnull=False, agenda_items__isnull=False).distinct().latest("start")
    )
    drafted = burtscheid.get(title="Sondersitzung Sozialraumbudget 2027")

    assert published.agenda_items.filter(result="").count() == 0
    assert drafted.agenda_items.filter(result="").count() == 0
    assert drafted.minutes.published_at is None
    assert drafted.minutes.text.startswith("### Anwesend\n\n")
    assert "### TOP 2: Anträge an das Sozialraumbudget 2027" in drafted.minutes.text
