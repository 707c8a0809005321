"""Results of agenda items and minutes built from them: recorded by speakers after the
meeting (web and API), seen exactly as far as their TOP and their minutes may be seen,
printed as clean pages and PDF; the minutes draft names institutions and roles, never
private people unasked, and never overwrites a text without asking."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from contacts import services as contact_services
from contacts.models import Consent, Membership, Visibility
from meetings import services
from meetings.models import Attendance, Minutes
from meetings.models import Visibility as MeetingVisibility
from tests.factories import ConsentFactory, InstitutionFactory, PersonFactory
from tests.meetings.api_support import auth_headers
from tests.meetings.factories import AgendaItemFactory, MeetingFactory, in_days
from tests.meetings.web_cast import cast_create, client_for

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "member", "speaker", "other_speaker", "staff"]
READERS = {"member", "speaker", "staff"}


def _held(cast, *, visibility=MeetingVisibility.PUBLIC, title="Herbstkonferenz"):
    """A meeting of yesterday with a public and an internal TOP, both with a result."""
    meeting = MeetingFactory(
        network=cast.network, title=title, start=in_days(-1), end=in_days(-1, hour=20), visibility=visibility
    )
    public = services.agenda_item_add(meeting=meeting, title="Spielplatz Kurpark")
    internal = services.agenda_item_add(meeting=meeting, title="Personalien", is_public=False)
    services.agenda_item_update(item=public, result="Die **Stadt** prüft den Zaun bis März.")
    services.agenda_item_update(item=internal, result="Nachfolge im Sprecherinnenteam vertraulich besprochen.")
    return meeting, public, internal


def _present(cast, meeting):
    """Three people at the meeting: two of one institution (one with a public name), one
    individual member who shares their name with nobody; and one excused."""
    institution = InstitutionFactory(name="Familienzentrum Kurpark")
    shown = PersonFactory(given_name="Ute", family_name="Zeigt")
    ConsentFactory(person=shown, scope=Consent.Scope.NAME, audience=Visibility.NETWORK_MEMBERS)
    colleague = PersonFactory(given_name="Carla", family_name="Kollegin")
    hidden = PersonFactory(given_name="Verena", family_name="Verborgen")
    excused = PersonFactory(given_name="Ernst", family_name="Entschuldigt")
    for person in (shown, colleague):
        contact_services.membership_start(network=cast.network, person=person, institution=institution)
    contact_services.membership_start(network=cast.network, person=hidden)
    contact_services.membership_start(
        network=cast.network, person=excused, institution=InstitutionFactory(name="Jugendtreff Burtscheid")
    )
    for person in (shown, colleague, hidden):
        services.attendance_record_presence(meeting=meeting, person=person, presence=Attendance.Presence.PRESENT)
    services.attendance_record_presence(meeting=meeting, person=excused, presence=Attendance.Presence.EXCUSED)
    services.attendance_record_presence(
        meeting=meeting, person=cast.speaker_person, presence=Attendance.Presence.PRESENT
    )


# Results -----------------------------------------------------------------------------


def test_a_result_is_refused_before_the_meeting_has_begun():
    cast = cast_create()
    meeting = MeetingFactory(network=cast.network, start=in_days(3), end=in_days(3, hour=20))
    item = services.agenda_item_add(meeting=meeting, title="Begrüßung")

    with pytest.raises(ValidationError) as error:
        services.agenda_item_update(item=item, result="Zu früh")

    assert "erst ab Beginn der Sitzung" in str(error.value)
    item.refresh_from_db()
    assert item.result == ""


def test_a_result_is_rendered_once_and_shown_under_its_item(client):
    cast = cast_create()
    meeting, public, _internal = _held(cast)

    html = client.get(reverse("meetings:meeting_detail", args=[meeting.uid])).content.decode()

    assert public.result_html == "<p>Die <strong>Stadt</strong> prüft den Zaun bis März.</p>\n"
    assert "Ergebnis zu TOP 1" in html and "Die <strong>Stadt</strong> prüft den Zaun" in html


@pytest.mark.parametrize("role", ROLES)
def test_results_follow_the_visibility_of_their_item_on_page_and_api(client, role):
    cast = cast_create()
    meeting, _public, _internal = _held(cast)
    user = cast.user(role)

    page = client_for(client, user).get(reverse("meetings:meeting_detail", args=[meeting.uid])).content.decode()
    api = client.get(f"/api/v1/meetings/{meeting.uid}/", headers=auth_headers(user)).json()

    sees_internal = role in READERS
    assert "Die <strong>Stadt</strong> prüft den Zaun" in page
    assert ("Nachfolge im Sprecherinnenteam" in page) is sees_internal
    results = [item["result"] for item in api["agenda_items"]]
    assert results[0] == "Die **Stadt** prüft den Zaun bis März."
    assert ("Nachfolge im Sprecherinnenteam vertraulich besprochen." in results) is sees_internal


@pytest.mark.parametrize("role", ROLES)
def test_recording_a_result_through_the_api_needs_the_speakers_right(client, role):
    cast = cast_create()
    _meeting, public, _internal = _held(cast)
    user = cast.user(role)

    response = client.patch(
        f"/api/v1/agenda-items/{public.pk}/",
        {"result": "Neu: der Zaun kommt im April."},
        content_type="application/json",
        headers=auth_headers(user),
    )

    public.refresh_from_db()
    expected = {"anonymous": 401, "member": 403, "speaker": 200, "other_speaker": 403, "staff": 200}[role]
    assert response.status_code == expected
    changed = public.result == "Neu: der Zaun kommt im April."
    assert changed is (expected == 200)
    if changed:
        assert response.json()["result_html"] == "<p>Neu: der Zaun kommt im April.</p>\n"


def test_a_result_before_the_meeting_through_the_api_is_a_german_400(client):
    cast = cast_create()
    item = AgendaItemFactory(meeting=MeetingFactory(network=cast.network, start=in_days(2), end=in_days(2, hour=20)))

    response = client.patch(
        f"/api/v1/agenda-items/{item.pk}/",
        {"result": "Zu früh"},
        content_type="application/json",
        headers=auth_headers(cast.speaker),
    )

    assert response.status_code == 400
    assert "erst ab Beginn der Sitzung" in response.content.decode()


def test_the_speaker_records_a_result_on_its_page(client):
    cast = cast_create()
    meeting, public, _internal = _held(cast)
    client.force_login(cast.speaker)
    url = reverse("meetings:agenda_result", args=[meeting.uid, public.pk])

    form = client.get(url).content.decode()
    response = client.post(url, {"result": "- Zaun bis **April**\n- Bericht in der nächsten Sitzung"})

    public.refresh_from_db()
    assert "Spielplatz Kurpark" in form and "öffentlich sichtbar" in form
    assert response.status_code == 302 and response["Location"].endswith(f"#top-{public.pk}")
    assert "<strong>April</strong>" in public.result_html


def test_a_result_over_its_cap_is_a_form_error_and_nothing_is_written(client):
    cast = cast_create()
    meeting, public, _internal = _held(cast)
    client.force_login(cast.speaker)

    response = client.post(reverse("meetings:agenda_result", args=[meeting.uid, public.pk]), {"result": "x" * 20_001})

    public.refresh_from_db()
    assert response.status_code == 400
    assert "höchstens 20000 Zeichen" in response.content.decode().replace(".", "")
    assert public.result == "Die **Stadt** prüft den Zaun bis März."


# The minutes draft from the agenda -----------------------------------------------------


def test_the_draft_names_institutions_and_roles_not_people():
    cast = cast_create()
    meeting, _public, _internal = _held(cast)
    _present(cast, meeting)

    minutes = services.minutes_draft_from_agenda(meeting=meeting)

    text = minutes.text
    assert text.startswith("### Anwesend\n\n")
    assert "### Anwesend\n\n- Einzelmitglied\n- Familienzentrum Kurpark (2 Personen)\n- Sprecher\\*in\n" in text
    assert "### Entschuldigt\n\n- Jugendtreff Burtscheid" in text
    assert "### TOP 1: Spielplatz Kurpark\n\nDie **Stadt** prüft den Zaun bis März." in text
    assert "### TOP 2: Personalien (nicht öffentlich)\n\nNachfolge im Sprecherinnenteam" in text
    for name in ("Zeigt", "Kollegin", "Verborgen", "Entschuldigt\n", cast.speaker_person.family_name):
        assert name not in text.replace("### Entschuldigt", "")
    assert minutes.published_at is None and minutes.visibility == MeetingVisibility.MEMBERS


def test_names_appear_only_where_the_minutes_readers_may_see_them():
    cast = cast_create()
    meeting, _public, _internal = _held(cast)
    _present(cast, meeting)

    text = services.minutes_draft_from_agenda(meeting=meeting, with_names=True).text

    assert "- Ute Zeigt (Familienzentrum Kurpark)" in text
    assert "Kollegin" not in text and "Verborgen" not in text
    assert "- Einzelmitglied\n" in text and "- Familienzentrum Kurpark\n" in text


def test_a_public_draft_leaves_out_items_that_are_not_public():
    cast = cast_create()
    meeting, _public, _internal = _held(cast)
    services.minutes_save(meeting=meeting, text="Platzhalter", visibility=MeetingVisibility.PUBLIC)

    text = services.minutes_draft_from_agenda(meeting=meeting, replace=True).text

    assert "Spielplatz Kurpark" in text
    assert "Personalien" not in text and "vertraulich" not in text


def test_an_existing_text_is_never_overwritten_without_asking():
    cast = cast_create()
    meeting, _public, _internal = _held(cast)
    services.minutes_save(meeting=meeting, text="Mein eigener Text")

    with pytest.raises(services.MinutesTextExists):
        services.minutes_draft_from_agenda(meeting=meeting)
    kept = Minutes.objects.get(meeting=meeting).text
    replaced = services.minutes_draft_from_agenda(meeting=meeting, replace=True).text

    assert kept == "Mein eigener Text"
    assert replaced.startswith("### Anwesend")


def test_web_draft_asks_before_it_replaces_a_text(client):
    cast = cast_create()
    meeting, _public, _internal = _held(cast)
    services.minutes_save(meeting=meeting, text="Mein eigener Text")
    client.force_login(cast.speaker)
    url = reverse("meetings:minutes_from_agenda", args=[meeting.uid])

    asked = client.post(url, {})
    unchanged = Minutes.objects.get(meeting=meeting).text
    confirmed = client.post(url, {"replace": "True"})

    assert asked.status_code == 200
    assert "Das Protokoll hat schon einen Text." in asked.content.decode()
    assert 'name="replace" value="True"' in asked.content.decode()
    assert unchanged == "Mein eigener Text"
    assert confirmed.status_code == 302 and confirmed["Location"].endswith("#protokoll")
    assert Minutes.objects.get(meeting=meeting).text.startswith("### Anwesend")


def test_api_draft_answers_409_for_an_existing_text_and_replaces_with_replace(client):
    cast = cast_create()
    meeting, _public, _internal = _held(cast)
    services.minutes_save(meeting=meeting, text="Mein eigener Text")
    url = f"/api/v1/meetings/{meeting.uid}/minutes/from-agenda/"

    conflict = client.post(url, {}, content_type="application/json", headers=auth_headers(cast.speaker))
    replaced = client.post(url, {"replace": True}, content_type="application/json", headers=auth_headers(cast.speaker))
    refused = client.post(url, {"replace": True}, content_type="application/json", headers=auth_headers(cast.member))

    assert conflict.status_code == 409 and "schon einen Text" in conflict.json()["detail"]
    assert replaced.status_code == 200 and replaced.json()["text"].startswith("### Anwesend")
    assert refused.status_code == 403


# Publishing ----------------------------------------------------------------------------


def test_publishing_twice_tells_members_once_unless_asked_again():
    cast = cast_create()
    meeting, _public, _internal = _held(cast)
    minutes = services.minutes_save(meeting=meeting, text="Protokoll")

    services.minutes_publish(minutes=minutes)
    first = minutes.published_at
    services.minutes_save(meeting=meeting, text="Protokoll, korrigiert")
    services.minutes_publish(minutes=minutes)
    unchanged = Minutes.objects.get(pk=minutes.pk).notice_version
    services.minutes_publish(minutes=minutes, notify_again=True)

    minutes.refresh_from_db()
    assert unchanged == 1
    assert minutes.notice_version == 2 and minutes.published_at == first


def test_api_publish_with_notify_again(client):
    cast = cast_create()
    meeting, _public, _internal = _held(cast)
    services.minutes_save(meeting=meeting, text="Protokoll")
    url = f"/api/v1/meetings/{meeting.uid}/minutes/publish/"
    headers = auth_headers(cast.speaker)

    first = client.post(url, {}, content_type="application/json", headers=headers).json()
    again = client.post(url, {}, content_type="application/json", headers=headers).json()
    told = client.post(url, {"notify_again": True}, content_type="application/json", headers=headers).json()

    assert [first["notice_version"], again["notice_version"], told["notice_version"]] == [1, 1, 2]
    assert first["is_published"] is True


def test_the_web_edit_of_published_minutes_notifies_again_only_when_ticked(client):
    cast = cast_create()
    meeting, _public, _internal = _held(cast)
    minutes = services.minutes_publish(minutes=services.minutes_save(meeting=meeting, text="Protokoll"))
    client.force_login(cast.speaker)
    url = reverse("meetings:minutes_save", args=[meeting.uid])

    client.post(url, {"protokoll-text": "Korrigiert", "protokoll-visibility": "mitglieder"})
    quiet = Minutes.objects.get(pk=minutes.pk).notice_version
    client.post(
        url, {"protokoll-text": "Nochmals", "protokoll-visibility": "mitglieder", "protokoll-notify_again": "on"}
    )

    minutes.refresh_from_db()
    assert quiet == 1
    assert minutes.notice_version == 2 and minutes.text == "Nochmals"


# Print pages and PDF -------------------------------------------------------------------


def _minutes(cast, *, published: bool, visibility=MeetingVisibility.MEMBERS):
    meeting, _public, _internal = _held(cast)
    minutes = services.minutes_save(
        meeting=meeting, text="## Beschlüsse\n\nVertraulicher Protokolltext", visibility=visibility
    )
    if published:
        services.minutes_publish(minutes=minutes)
    return meeting


MINUTES_CASES = {
    # (published, visibility): the roles that may read the print page and the PDF.
    "draft": (False, MeetingVisibility.MEMBERS, {"speaker", "staff"}),
    "members": (True, MeetingVisibility.MEMBERS, {"member", "speaker", "staff"}),
    "public": (True, MeetingVisibility.PUBLIC, set(ROLES)),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", list(MINUTES_CASES))
@pytest.mark.parametrize("page", ["minutes_print", "minutes_pdf"])
def test_minutes_print_and_pdf_permission_matrix(client, role, case, page):
    cast = cast_create()
    published, visibility, readers = MINUTES_CASES[case]
    meeting = _minutes(cast, published=published, visibility=visibility)

    response = client_for(client, cast.user(role)).get(reverse(f"meetings:{page}", args=[meeting.uid]))

    if role in readers:
        assert response.status_code == 200
        if page == "minutes_pdf":
            assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
            assert "attachment" in response["Content-Disposition"]
        else:
            html = response.content.decode()
            assert "Vertraulicher Protokolltext" in html
            assert ("Entwurf – noch nicht veröffentlicht" in html) is (not published)
    else:
        assert response.status_code == 404
        assert b"Vertraulicher Protokolltext" not in response.content


@pytest.mark.parametrize("role", ROLES)
def test_invitation_print_shows_internal_items_only_to_the_network(client, role):
    cast = cast_create()
    meeting = MeetingFactory(network=cast.network, title="Frühjahr", start=in_days(7), end=in_days(7, hour=20))
    AgendaItemFactory(meeting=meeting, position=1, title="Begrüßung")
    AgendaItemFactory(meeting=meeting, position=2, title="Personalien", is_public=False)

    html = client_for(client, cast.user(role)).get(reverse("meetings:invitation_print", args=[meeting.uid]))
    html = html.content.decode()

    assert "Einladung: Frühjahr" in html and "Begrüßung" in html
    assert ("Personalien" in html) is (role in READERS)


@pytest.mark.parametrize("role", ROLES)
def test_an_internal_meetings_invitation_and_pdf_are_404_outside_the_network(client, role):
    cast = cast_create()
    meeting = MeetingFactory(
        network=cast.network, start=in_days(7), end=in_days(7, hour=20), visibility=MeetingVisibility.MEMBERS
    )
    client = client_for(client, cast.user(role))

    codes = {
        client.get(reverse("meetings:invitation_print", args=[meeting.uid])).status_code,
        client.get(reverse("meetings:invitation_pdf", args=[meeting.uid])).status_code,
    }

    assert codes == ({200} if role in READERS else {404})


def test_invitation_pdf_is_a_pdf_with_the_agenda():
    pytest.importorskip("weasyprint")
    cast = cast_create()
    meeting = MeetingFactory(network=cast.network, title="Frühjahr", start=in_days(7), end=in_days(7, hour=20))
    AgendaItemFactory(meeting=meeting, position=1, title="Begrüßung")
    from django.test import Client

    response = Client().get(reverse("meetings:invitation_pdf", args=[meeting.uid]))

    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == f'attachment; filename="einladung-{meeting.local_start:%Y-%m-%d}.pdf"'


def test_a_membership_of_the_meeting_day_gives_the_role_in_the_draft():
    cast = cast_create()
    meeting, _public, _internal = _held(cast)
    guest = PersonFactory()
    contact_services.membership_start(network=cast.network, person=guest, role=Membership.Role.GUEST)
    services.attendance_record_presence(meeting=meeting, person=guest, presence=Attendance.Presence.PRESENT)

    text = services.minutes_draft_from_agenda(meeting=meeting, now=timezone.now() + datetime.timedelta(minutes=1)).text

    assert "- Gast\n" in text
