"""The meeting page, the network calendar, the member list and the speaker's overview."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from contacts.models import Consent, Institution, Person, Visibility
from meetings.models import Attendance, Meeting, Minutes
from meetings.models import Visibility as MeetingVisibility
from tests.factories import ChannelFactory, ConsentFactory, InstitutionFactory, MembershipFactory, PersonFactory
from tests.meetings.factories import (
    AgendaItemFactory,
    AttendanceFactory,
    DatePollFactory,
    MeetingFactory,
    MinutesFactory,
    in_days,
)
from tests.meetings.web_cast import cast_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return cast_create()


def page_of(meeting) -> str:
    return reverse("meetings:meeting_detail", args=[meeting.uid])


def test_meeting_page_public_shows_time_place_and_public_agenda_only(client, cast):
    meeting = MeetingFactory(
        network=cast.network,
        title="Stadtteilkonferenz im Herbst",
        start=timezone.make_aware(datetime.datetime(2030, 10, 8, 18, 30)),
        end=timezone.make_aware(datetime.datetime(2030, 10, 8, 20, 0)),
        accessibility_notes="Eingang über den Hof, Aufzug vorhanden",
    )
    AgendaItemFactory(meeting=meeting, title="Spielplatz Kurpark", position=1, text="**wichtig**")
    AgendaItemFactory(meeting=meeting, title="Personalsache", position=2, is_public=False)

    response = client.get(page_of(meeting))

    text = response.content.decode()
    assert response.status_code == 200
    assert "Dienstag, 08.10.2030, 18:30" in text
    assert "20:00" in text
    assert "Eingang über den Hof" in text
    assert "Spielplatz Kurpark" in text
    assert "<strong>wichtig</strong>" in text
    assert "Personalsache" not in text
    assert reverse("feeds:meeting", args=[meeting.uid]) in text
    assert "webcal://" in text
    assert "Ihre Antwort" not in text


def test_meeting_page_internal_is_not_found_for_anonymous_and_other_speakers(client, cast):
    meeting = MeetingFactory(network=cast.network, visibility=MeetingVisibility.MEMBERS)

    anonymous = client.get(page_of(meeting)).status_code
    client.force_login(cast.other_speaker)
    other = client.get(page_of(meeting)).status_code

    assert (anonymous, other) == (404, 404)


def test_meeting_page_member_sees_internal_agenda_and_answers(client, cast):
    meeting = MeetingFactory(
        network=cast.network, visibility=MeetingVisibility.MEMBERS, online_url="https://konf.example.org/x"
    )
    AgendaItemFactory(meeting=meeting, title="Personalsache", is_public=False)
    client.force_login(cast.member)

    response = client.get(page_of(meeting))
    answered = client.post(
        reverse("meetings:meeting_answer", args=[meeting.uid]), {"answer": "vielleicht", "note": "komme später"}
    )

    text = response.content.decode()
    assert "Personalsache" in text
    assert "https://konf.example.org/x" in text
    assert "webcal://" not in text
    assert answered.status_code == 302
    attendance = Attendance.objects.get(meeting=meeting, person=cast.member_person)
    assert (attendance.answer, attendance.note) == ("vielleicht", "komme später")


def test_meeting_answer_unknown_value_is_a_form_error(client, cast):
    meeting = MeetingFactory(network=cast.network)
    client.force_login(cast.member)

    response = client.post(reverse("meetings:meeting_answer", args=[meeting.uid]), {"answer": "klar"})

    assert response.status_code == 400
    assert "Bitte wählen Sie einen Eintrag aus der Liste." in response.content.decode()
    assert Attendance.objects.count() == 0


def test_meeting_page_speaker_sees_answers_with_projected_names(client, cast):
    meeting = MeetingFactory(network=cast.network)
    ConsentFactory(person=cast.member_person, scope=Consent.Scope.NAME, audience=Visibility.NETWORK_MEMBERS)
    AttendanceFactory(meeting=meeting, person=cast.member_person, answer=Attendance.Answer.NO, note="Urlaub")
    client.force_login(cast.speaker)

    text = client.get(page_of(meeting)).content.decode()

    assert cast.member_person.full_name in text
    assert "Urlaub" in text
    assert "Absage: 1" in text


def test_meeting_page_lists_a_member_with_two_memberships_once(client, cast):
    """A member who is also a speaker (for an institution) has one row and one answer."""
    from contacts.models import Membership
    from tests.factories import InstitutionFactory, MembershipFactory

    meeting = MeetingFactory(network=cast.network)
    ConsentFactory(person=cast.member_person, scope=Consent.Scope.NAME, audience=Visibility.NETWORK_MEMBERS)
    MembershipFactory(
        network=cast.network,
        person=cast.member_person,
        institution=InstitutionFactory(name="Kita Wasserfloh"),
        role=Membership.Role.SPEAKER,
    )
    AttendanceFactory(meeting=meeting, person=cast.member_person, answer=Attendance.Answer.YES)
    client.force_login(cast.speaker)

    text = client.get(page_of(meeting)).content.decode()

    assert text.count(f'<th scope="row">{cast.member_person.full_name}') == 1
    assert "Kita Wasserfloh" in text
    assert "Zusage: 1" in text


def test_meeting_page_hidden_name_stays_hidden_from_the_speaker(client, cast):
    meeting = MeetingFactory(network=cast.network)
    AttendanceFactory(meeting=meeting, person=cast.member_person)
    client.force_login(cast.speaker)

    text = client.get(page_of(meeting)).content.decode()

    assert cast.member_person.full_name not in text
    assert "Name nicht veröffentlicht" in text


def test_presence_recorded_after_the_meeting(client, cast):
    start = timezone.now() - datetime.timedelta(days=1)
    meeting = MeetingFactory(network=cast.network, start=start, end=start + datetime.timedelta(hours=2))
    client.force_login(cast.speaker)

    response = client.post(
        reverse("meetings:meeting_presence", args=[meeting.uid]),
        {f"anwesenheit-{cast.member_person.pk}": "anwesend", f"anwesenheit-{cast.speaker_person.pk}": ""},
    )

    assert response.status_code == 302
    assert list(Attendance.objects.values_list("person_id", "presence")) == [(cast.member_person.pk, "anwesend")]


def test_meeting_page_after_the_meeting_selects_the_presence_recorded_since_the_last_visit(client, cast):
    """The rows of the answers table are kept under what they show: a presence recorded
    after the page was shown is selected on the next visit."""
    start = timezone.now() - datetime.timedelta(days=1)
    meeting = MeetingFactory(network=cast.network, start=start, end=start + datetime.timedelta(hours=2))
    client.force_login(cast.speaker)
    before = client.get(page_of(meeting)).content.decode()

    client.post(
        reverse("meetings:meeting_presence", args=[meeting.uid]), {f"anwesenheit-{cast.member_person.pk}": "anwesend"}
    )
    after = client.get(page_of(meeting)).content.decode()

    assert f'name="anwesenheit-{cast.member_person.pk}"' in before
    assert ('value="anwesend" selected' in before, 'value="anwesend" selected' in after) == (False, True)


def test_presence_before_the_meeting_is_refused(client, cast):
    meeting = MeetingFactory(network=cast.network)
    client.force_login(cast.speaker)

    response = client.post(
        reverse("meetings:meeting_presence", args=[meeting.uid]), {f"anwesenheit-{cast.member_person.pk}": "anwesend"}
    )

    assert response.status_code == 400
    assert Attendance.objects.count() == 0


def test_minutes_published_to_members_are_hidden_from_the_public(client, cast):
    start = timezone.now() - datetime.timedelta(days=2)
    meeting = MeetingFactory(network=cast.network, start=start, end=start + datetime.timedelta(hours=2))
    MinutesFactory(meeting=meeting, text="Beschluss: Sommerfest", published_at=timezone.now())

    anonymous = client.get(page_of(meeting)).content.decode()
    client.force_login(cast.member)
    member = client.get(page_of(meeting)).content.decode()

    assert "Beschluss: Sommerfest" not in anonymous
    assert "Beschluss: Sommerfest" in member


def test_minutes_file_is_shown_by_its_own_name(client, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    start = timezone.now() - datetime.timedelta(days=2)
    meeting = MeetingFactory(network=cast.network, start=start, end=start + datetime.timedelta(hours=2))
    Minutes.objects.create(
        meeting=meeting, file=ContentFile(b"%PDF-1.4\n", name="protokoll-mai.pdf"), published_at=timezone.now()
    )
    client.force_login(cast.member)

    html = client.get(page_of(meeting)).content.decode()

    assert ("Protokoll als Datei herunterladen: protokoll-mai.pdf" in html, "protokolle/" in html) == (True, False)


def test_network_page_links_upcoming_meetings(client, cast):
    meeting = MeetingFactory(network=cast.network, title="Herbstsitzung")
    MeetingFactory(network=cast.network, title="Interne Runde", visibility=MeetingVisibility.MEMBERS)

    text = client.get(reverse("directory:network_detail", args=[cast.network.slug])).content.decode()

    assert page_of(meeting) in text
    assert "Interne Runde" not in text


def test_member_list_shows_channels_the_speaker_may_see(client, cast):
    ConsentFactory(person=cast.member_person, scope=Consent.Scope.NAME, audience=Visibility.NETWORK_MEMBERS)
    ChannelFactory(person=cast.member_person, value="sichtbar@example.org")
    ConsentFactory(person=cast.member_person, scope=Consent.Scope.EMAIL, audience=Visibility.NETWORK_MEMBERS)
    ChannelFactory(person=cast.speaker_person, value="privat@example.org")
    client.force_login(cast.speaker)

    text = client.get(reverse("meetings:network_members", args=[cast.network.slug])).content.decode()

    assert "sichtbar@example.org" in text
    assert "privat@example.org" in text  # the speaker's own address
    assert cast.member_person.full_name in text


def test_member_list_other_speaker_is_forbidden(client, cast):
    client.force_login(cast.other_speaker)

    response = client.get(reverse("meetings:network_members", args=[cast.network.slug]))

    assert response.status_code == 403


def _month(day: datetime.datetime) -> str:
    return f"{day.year:04d}-{day.month:02d}"


@pytest.mark.parametrize("count", [1, 12])
def test_calendar_month_query_count_is_constant(client, cast, django_assert_num_queries, count):
    first = timezone.make_aware(datetime.datetime(2030, 3, 1, 18, 0))
    for index in range(count):
        MeetingFactory(network=cast.network, start=first + datetime.timedelta(days=index * 2))
    client.force_login(cast.member)
    url = reverse("meetings:network_calendar", args=[cast.network.slug]) + "?monat=2030-03"
    client.get(url)  # session and permissions warm

    # 7, and one for the partner networks of joint meetings.
    with django_assert_num_queries(8):
        response = client.get(url)

    # Each meeting twice: in the month's grid and in its list for narrow screens.
    assert response.content.decode().count("cal-meeting") == 2 * count


def test_calendar_bad_month_is_a_german_400(client, cast):
    response = client.get(reverse("meetings:network_calendar", args=[cast.network.slug]) + "?monat=2030-13")

    assert response.status_code == 400
    assert "JJJJ-MM" in response.content.decode()


def test_calendar_unknown_network_is_404(client):
    assert client.get(reverse("meetings:network_calendar", args=["gibt-es-nicht"])).status_code == 404


@pytest.mark.parametrize("count", [1, 6])
def test_dashboard_query_count_is_constant(client, cast, django_assert_num_queries, count):
    for index in range(count):
        MeetingFactory(network=cast.network, start=in_days(3 + index))
        past = timezone.now() - datetime.timedelta(days=10 + index)
        MeetingFactory(network=cast.network, start=past, end=past + datetime.timedelta(hours=1))
        DatePollFactory(network=cast.network)
        # A member institution and its representative whose entries nobody confirmed for a year.
        member = MembershipFactory(network=cast.network, institution=InstitutionFactory(), person=PersonFactory())
        for model, pk in ((Institution, member.institution_id), (Person, member.person_id)):
            model.objects.filter(pk=pk).update(confirmed_at=past - datetime.timedelta(days=400))
    client.force_login(cast.speaker)
    client.get(reverse("meetings:dashboard"))

    # 10 for meetings (each list with the partners of joint meetings) and polls, 3 for the
    # stale members (memberships with their institutions and people, the people's names and
    # name consents).
    with django_assert_num_queries(13):
        response = client.get(reverse("meetings:dashboard"))

    context = response.context
    assert [len(entries) for _network, entries in context["stale_members"]] == [2 * count]
    assert (len(context["next_meetings"]), len(context["open_polls"])) == (count, count)
    assert (len(context["without_agenda"]), len(context["minutes_missing"])) == (count, count)


def test_dashboard_leaves_out_meetings_with_agenda_and_published_minutes(client, cast):
    with_agenda = MeetingFactory(network=cast.network, start=in_days(3))
    AgendaItemFactory(meeting=with_agenda)
    MeetingFactory(network=cast.network, start=in_days(4), status=Meeting.Status.CANCELLED)
    past = timezone.now() - datetime.timedelta(days=5)
    held = MeetingFactory(network=cast.network, start=past, end=past + datetime.timedelta(hours=1))
    Minutes.objects.create(meeting=held, text="Protokoll", published_at=timezone.now())
    client.force_login(cast.speaker)

    context = client.get(reverse("meetings:dashboard")).context

    assert (context["without_agenda"], context["minutes_missing"]) == ([], [])


def test_dashboard_anonymous_is_sent_to_login(client):
    response = client.get(reverse("meetings:dashboard"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("contacts:login"))


def test_calendar_month_links_stop_a_year_from_today(client, cast):
    today = timezone.localdate()
    far = f"{today.year + 1:04d}-{today.month:02d}"

    context = client.get(reverse("meetings:network_calendar", args=[cast.network.slug]) + f"?monat={far}").context

    assert context["following"] is None
    assert context["previous"] is not None


def test_meeting_page_answers_show_each_name_only_as_far_as_its_consent_allows(client, cast):
    """The speaker's answer table reads names only (no channels, no affiliations), by the
    same rule as every projection: a name shown to members of the network appears, a name
    without consent or with a withdrawn one does not."""
    meeting = MeetingFactory(network=cast.network)
    shown = PersonFactory(given_name="Wiebke", family_name="Sichtbar")
    hidden = PersonFactory(given_name="Ottokar", family_name="Ohnezustimmung")
    withdrawn = PersonFactory(given_name="Rita", family_name="Zurueckgezogen")
    ConsentFactory(person=shown, scope=Consent.Scope.NAME, audience=Visibility.NETWORK_MEMBERS)
    ChannelFactory(person=shown, value="wiebke.privat@example.org")
    ConsentFactory(
        person=withdrawn,
        scope=Consent.Scope.NAME,
        audience=Visibility.PUBLIC,
        given_at=timezone.now() - datetime.timedelta(days=30),
        withdrawn_at=timezone.now(),
    )
    for person in (shown, hidden, withdrawn):
        MembershipFactory(network=cast.network, person=person)
        AttendanceFactory(meeting=meeting, person=person, answer=Attendance.Answer.YES)
    client.force_login(cast.speaker)

    text = client.get(page_of(meeting)).content.decode()

    assert ("Wiebke Sichtbar" in text, "Ohnezustimmung" in text, "Zurueckgezogen" in text) == (True, False, False)
    assert "wiebke.privat@example.org" not in text
    assert text.count("Name nicht veröffentlicht") >= 2
    assert "Zusage: 3" in text


def test_meeting_page_answers_hide_a_name_at_once_when_its_consent_is_withdrawn(client, cast):
    """The names of the answers table are kept per version of the directory: a consent
    withdrawn after the page was shown (even by a bulk ``update()``) hides the name on the
    next visit."""
    meeting = MeetingFactory(network=cast.network)
    person = PersonFactory(given_name="Wiebke", family_name="Sichtbar")
    consent = ConsentFactory(person=person, scope=Consent.Scope.NAME, audience=Visibility.NETWORK_MEMBERS)
    MembershipFactory(network=cast.network, person=person)
    client.force_login(cast.speaker)
    before = client.get(page_of(meeting)).content.decode()

    Consent.objects.filter(pk=consent.pk).update(withdrawn_at=timezone.now())
    after = client.get(page_of(meeting)).content.decode()

    assert ("Wiebke Sichtbar" in before, "Wiebke Sichtbar" in after) == (True, False)


def test_meeting_page_answers_kept_for_sozialplanung_are_not_shown_to_the_speaker(client, cast):
    """Staff see every name; the speaker only those the consents allow, also when staff
    opened the page just before (each audience has names of its own in the cache)."""
    meeting = MeetingFactory(network=cast.network)
    MembershipFactory(network=cast.network, person=PersonFactory(given_name="Ottokar", family_name="Ohnezustimmung"))
    client.force_login(cast.staff)
    staff = client.get(page_of(meeting)).content.decode()

    client.force_login(cast.speaker)
    speaker = client.get(page_of(meeting)).content.decode()

    assert ("Ohnezustimmung" in staff, "Ohnezustimmung" in speaker) == (True, False)


def test_meeting_page_for_the_speaker_reads_the_same_number_of_queries_for_many_members(
    client, cast, django_assert_max_num_queries
):
    """Counted with the names read from the database (the cache emptied before each count):
    a new member moves the directory's version, so the next page reads them again."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    meeting = MeetingFactory(network=cast.network)
    client.force_login(cast.speaker)
    client.get(page_of(meeting))
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        client.get(page_of(meeting))
    for number in range(15):
        person = PersonFactory()
        ConsentFactory(person=person, scope=Consent.Scope.NAME, audience=Visibility.NETWORK_MEMBERS)
        MembershipFactory(network=cast.network, person=person, institution=InstitutionFactory())
        if number % 2:
            AttendanceFactory(meeting=meeting, person=person, answer=Attendance.Answer.NO)
    cache.clear()

    with django_assert_max_num_queries(len(few)):
        response = client.get(page_of(meeting))

    assert response.content.decode().count("Absage") >= 7
