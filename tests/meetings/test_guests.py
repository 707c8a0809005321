"""Guests of open meetings: registering (seat, waiting list), the bad input that writes and
sends nothing, the rate limit and the honeypot, cancelling with the link from the mail,
the guest list against every kind of visitor (pages and API), and that no guest address
reaches anyone but the speakers."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from meetings import services, tokens
from meetings.models import GuestRegistration, Meeting, Visibility
from notifications.models import Delivery, Kind, Subject
from tests.meetings.factories import MeetingFactory
from tests.meetings.web_cast import cast_create, client_for

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "guest", "member", "other_speaker", "speaker", "staff"]
SEES_GUESTS = {"speaker", "staff"}
GUEST_ADDRESS = "gast.hidden@example.org"


def open_meeting(*, capacity=None, waitlist=True, **fields) -> Meeting:
    meeting = MeetingFactory(title="Offenes Treffen", **fields)
    return services.guest_settings_set(meeting=meeting, guests_open=True, capacity=capacity, waitlist=waitlist)


def register(meeting, email, *, name="Gitta Gast", client="192.0.2.1", **extra) -> GuestRegistration:
    return services.guest_register(meeting=meeting, name=name, email=email, client=client, **extra)


def form(name="Gitta Gast", email="gitta@example.org", **extra) -> dict:
    data = {"gast-name": name, "gast-email": email, "gast-institution": "", "gast-accessibility_needs": ""}
    data.update({f"gast-{key}": value for key, value in extra.items()})
    return data


# --- Services ---------------------------------------------------------------------------


def test_guest_register_gives_seats_then_the_waiting_list_and_plans_one_confirmation_each():
    meeting = open_meeting(capacity=2)

    guests = [register(meeting, f"g{number}@example.org") for number in range(3)]

    assert [guest.status for guest in guests] == ["angemeldet", "angemeldet", "warteliste"]
    assert services.guest_counts(meeting) == (2, 1)
    confirmations = Delivery.objects.filter(kind=Kind.GUEST_CONFIRMATION, subject_type=Subject.GUEST)
    assert sorted(confirmations.values_list("address", flat=True)) == [f"g{n}@example.org" for n in range(3)]


def test_guest_cancel_moves_the_first_on_the_waiting_list_up_and_plans_its_mail():
    meeting = open_meeting(capacity=1)
    seated = register(meeting, "sitz@example.org")
    first = register(meeting, "erste@example.org")
    second = register(meeting, "zweite@example.org")

    promoted = services.guest_registration_cancel(registration=seated)

    assert [guest.pk for guest in promoted] == [first.pk]
    assert GuestRegistration.objects.filter(pk=seated.pk).exists() is False
    statuses = dict(GuestRegistration.objects.values_list("email", "status"))
    assert statuses == {"erste@example.org": "angemeldet", "zweite@example.org": "warteliste"}
    moved = Delivery.objects.filter(kind=Kind.GUEST_MOVED_UP)
    assert [row.subject_id for row in moved] == [first.pk]
    assert second.pk not in {row.subject_id for row in moved}


def test_more_seats_move_waiting_guests_up():
    meeting = open_meeting(capacity=1)
    register(meeting, "a@example.org")
    register(meeting, "b@example.org")
    register(meeting, "c@example.org")

    services.guest_settings_set(meeting=meeting, guests_open=True, capacity=None)

    assert services.guest_counts(meeting) == (3, 0)
    assert Delivery.objects.filter(kind=Kind.GUEST_MOVED_UP).count() == 2


def test_fewer_seats_keep_those_who_have_one():
    meeting = open_meeting(capacity=3)
    for number in range(3):
        register(meeting, f"g{number}@example.org")

    services.guest_settings_set(meeting=meeting, guests_open=True, capacity=1)
    late = register(meeting, "spaet@example.org")

    assert services.guest_counts(meeting) == (3, 1)
    assert late.is_waiting


def test_opening_a_members_only_meeting_is_refused():
    meeting = MeetingFactory(visibility=Visibility.MEMBERS)

    with pytest.raises(ValidationError) as error:
        services.guest_settings_set(meeting=meeting, guests_open=True)

    assert "öffentliche Sitzungen" in error.value.messages[0]
    meeting.refresh_from_db()
    assert meeting.guests_open is False


def test_a_deadline_after_the_start_is_refused():
    meeting = MeetingFactory()

    with pytest.raises(ValidationError) as error:
        services.guest_settings_set(
            meeting=meeting, guests_open=True, deadline=meeting.start + datetime.timedelta(hours=1)
        )

    assert error.value.message_dict == {"deadline": ["Die Anmeldefrist muss vor dem Beginn der Sitzung enden."]}


# --- Bad input: a clear message, nothing written or sent ---------------------------------


def _full_without_waitlist():
    meeting = open_meeting(capacity=1, waitlist=False)
    register(meeting, "erster@example.org")
    return meeting, "full", "Alle Plätze sind vergeben"


def _past():
    start = timezone.now() - datetime.timedelta(days=2)
    meeting = MeetingFactory(start=start, end=start + datetime.timedelta(hours=2))
    Meeting.objects.filter(pk=meeting.pk).update(guests_open=True)
    meeting.refresh_from_db()
    return meeting, "closed", "schon begonnen oder ist vorbei"


def _closed():
    return MeetingFactory(), "closed", "keine Anmeldung für Gäste vorgesehen"


def _deadline_passed():
    meeting = open_meeting()
    Meeting.objects.filter(pk=meeting.pk).update(guest_deadline=timezone.now() - datetime.timedelta(hours=1))
    meeting.refresh_from_db()
    return meeting, "closed", "Anmeldefrist ist am"


def _members_only():
    meeting = open_meeting()
    Meeting.objects.filter(pk=meeting.pk).update(visibility=Visibility.MEMBERS)
    meeting.refresh_from_db()
    return meeting, "closed", "nur für Mitglieder"


def _cancelled():
    meeting = open_meeting()
    services.meeting_cancel(meeting=meeting)
    return meeting, "closed", "abgesagt"


def _duplicate():
    meeting = open_meeting()
    register(meeting, "Doppelt@Example.org")
    return meeting, "duplicate", "schon eine Anmeldung"


BAD = [_full_without_waitlist, _past, _closed, _deadline_passed, _members_only, _cancelled, _duplicate]


@pytest.mark.parametrize("case", BAD, ids=lambda case: case.__name__.strip("_"))
def test_guest_register_bad_input_writes_and_sends_nothing(case):
    meeting, code, text = case()
    before_rows = Delivery.objects.count()
    before_guests = GuestRegistration.objects.count()

    with pytest.raises(ValidationError) as error:
        register(meeting, "doppelt@example.org")

    assert error.value.code == code
    assert text in " ".join(error.value.messages)
    assert GuestRegistration.objects.count() == before_guests
    assert Delivery.objects.count() == before_rows


def test_guest_register_invalid_address_is_refused():
    meeting = open_meeting()

    with pytest.raises(ValidationError) as error:
        register(meeting, "keine-adresse")

    assert "email" in error.value.message_dict
    assert GuestRegistration.objects.count() == 0
    assert Delivery.objects.count() == 0


def test_registration_form_bad_input_is_a_400_with_the_message_on_the_page(client):
    meeting, _code, _text = _full_without_waitlist()

    response = client.post(reverse("meetings:guest_register", args=[meeting.uid]), form(email="neu@example.org"))
    invalid = client.post(reverse("meetings:guest_register", args=[meeting.uid]), form(email="kaputt"))

    assert response.status_code == 400
    assert "Alle Plätze sind vergeben" in response.content.decode()
    assert invalid.status_code == 400
    assert "gültige E-Mail-Adresse" in invalid.content.decode()
    assert GuestRegistration.objects.count() == 1


# --- The form: registration, honeypot, rate limit, cross-site ----------------------------


def test_registration_form_registers_and_shows_the_confirmation_page_without_the_address(client):
    meeting = open_meeting(capacity=10)
    page = client.get(reverse("meetings:meeting_detail", args=[meeting.uid]))

    response = client.post(
        reverse("meetings:guest_register", args=[meeting.uid]),
        form(institution="Nachbarschaftstreff Am Weiher", accessibility_needs="Rollstuhlplatz"),
        follow=True,
    )

    assert "Noch 10 Plätze frei." in page.content.decode()
    assert response.status_code == 200
    assert "Sie sind für „Offenes Treffen“ angemeldet." in response.content.decode()
    assert "gitta@example.org" not in response.content.decode()
    guest = GuestRegistration.objects.get()
    assert (guest.name, guest.institution, guest.accessibility_needs) == (
        "Gitta Gast",
        "Nachbarschaftstreff Am Weiher",
        "Rollstuhlplatz",
    )


def test_registration_form_full_meeting_tells_the_guest_they_are_on_the_waiting_list(client):
    meeting = open_meeting(capacity=1)
    register(meeting, "erster@example.org")

    response = client.post(reverse("meetings:guest_register", args=[meeting.uid]), form(), follow=True)

    assert "Sie stehen auf der Warteliste" in response.content.decode()
    assert GuestRegistration.objects.get(email="gitta@example.org").is_waiting


def test_registration_honeypot_stores_nothing_and_looks_like_success(client):
    meeting = open_meeting()

    response = client.post(reverse("meetings:guest_register", args=[meeting.uid]), form(webseite="http://spam"))

    assert response.status_code == 302
    assert GuestRegistration.objects.count() == 0
    assert Delivery.objects.count() == 0


def test_registration_rate_limit_is_a_429_and_writes_nothing(client, settings):
    settings.GUEST_REGISTRATIONS_LIMIT = 2
    meeting = open_meeting()
    url = reverse("meetings:guest_register", args=[meeting.uid])
    for number in range(2):
        assert client.post(url, form(email=f"g{number}@example.org")).status_code == 302

    response = client.post(url, form(email="dritte@example.org"))

    assert response.status_code == 429
    assert "warten Sie eine Stunde" in response.content.decode()
    assert GuestRegistration.objects.count() == 2


def test_registration_posted_from_another_site_is_refused(client):
    meeting = open_meeting()

    response = client.post(
        reverse("meetings:guest_register", args=[meeting.uid]), form(), headers={"Sec-Fetch-Site": "cross-site"}
    )

    assert response.status_code == 403
    assert GuestRegistration.objects.count() == 0


# --- Cancelling with the link ------------------------------------------------------------


def test_cancel_link_shows_a_button_on_get_and_cancels_on_post(client):
    meeting = open_meeting(capacity=1)
    guest = register(meeting, "gitta@example.org")
    waiting = register(meeting, "warte@example.org")
    url = reverse("meetings:guest_cancel", args=[tokens.guest_cancel_token_make(registration_id=guest.pk)])

    shown = client.get(url)
    still = GuestRegistration.objects.filter(pk=guest.pk).exists()
    cancelled = client.post(url)
    again = client.get(url)

    assert shown.status_code == 200 and "Anmeldung stornieren" in shown.content.decode() and still
    assert cancelled.status_code == 200
    assert "Ihre Anmeldung ist storniert" in cancelled.content.decode()
    assert not GuestRegistration.objects.filter(pk=guest.pk).exists()
    assert GuestRegistration.objects.get(pk=waiting.pk).status == GuestRegistration.Status.CONFIRMED
    assert again.status_code == 404


def test_cancel_link_altered_is_a_404(client):
    response = client.get(reverse("meetings:guest_cancel", args=["kaputt"]))

    assert response.status_code == 404
    assert "keine Anmeldung" in response.content.decode()


# --- Who sees the guests ------------------------------------------------------------------


def _visitor(client, cast, role: str, meeting):
    if role == "guest":
        # A guest who registered is an anonymous visitor with a registration of their own.
        register(meeting, "selbst@example.org", name="Selma Selbst")
        return client
    return client_for(client, cast.user(role))


@pytest.mark.parametrize("role", ROLES)
def test_guest_list_page_matrix(client, role):
    cast = cast_create()
    meeting = open_meeting(network=cast.network)
    register(meeting, GUEST_ADDRESS, name="Hanna Heimlich")
    visitor = _visitor(client, cast, role, meeting)

    detail = visitor.get(reverse("meetings:meeting_detail", args=[meeting.uid]))
    printout = visitor.get(reverse("meetings:guest_list", args=[meeting.uid]))

    assert detail.status_code == 200
    assert (GUEST_ADDRESS in detail.content.decode()) == (role in SEES_GUESTS)
    assert ("Hanna Heimlich" in detail.content.decode()) == (role in SEES_GUESTS)
    if role in SEES_GUESTS:
        assert printout.status_code == 200
        assert GUEST_ADDRESS in printout.content.decode()
    else:
        assert printout.status_code in (302, 403)
        assert GUEST_ADDRESS not in printout.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_guest_list_api_matrix(client, role):
    cast = cast_create()
    meeting = open_meeting(network=cast.network)
    register(meeting, GUEST_ADDRESS, name="Hanna Heimlich")
    visitor = _visitor(client, cast, role, meeting)

    response = visitor.get(f"/api/v1/meetings/{meeting.uid}/guests/")

    expected = 200 if role in SEES_GUESTS else (401 if role in ("anonymous", "guest") else 403)
    assert response.status_code == expected
    if role in SEES_GUESTS:
        assert [(g["name"], g["email"], g["status"]) for g in response.json()] == [
            ("Hanna Heimlich", GUEST_ADDRESS, "angemeldet")
        ] + ([("Selma Selbst", "selbst@example.org", "angemeldet")] if role == "guest" else [])
    else:
        assert GUEST_ADDRESS not in response.content.decode()


@pytest.mark.parametrize("role", ["anonymous", "member", "other_speaker"])
def test_guest_settings_refused_for_those_who_do_not_manage(client, role):
    cast = cast_create()
    meeting = MeetingFactory(network=cast.network)

    response = client_for(client, cast.user(role)).post(
        reverse("meetings:guest_settings", args=[meeting.uid]), {"gaeste-guests_open": "on"}
    )

    assert response.status_code in (302, 403)
    meeting.refresh_from_db()
    assert meeting.guests_open is False


def test_speaker_opens_registration_with_seats_and_deadline(client):
    cast = cast_create()
    meeting = MeetingFactory(network=cast.network, start=timezone.now() + datetime.timedelta(days=20))
    deadline_day = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()

    response = client_for(client, cast.speaker).post(
        reverse("meetings:guest_settings", args=[meeting.uid]),
        {
            "gaeste-guests_open": "on",
            "gaeste-capacity": "40",
            "gaeste-waitlist": "on",
            "gaeste-deadline_day": deadline_day,
            "gaeste-deadline_time": "12:00",
        },
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.guests_open, meeting.guest_capacity, meeting.guest_waitlist) == (True, 40, True)
    assert timezone.localtime(meeting.guest_deadline).strftime("%Y-%m-%d %H:%M") == f"{deadline_day} 12:00"


def body_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode()


def test_privacy_crawl_no_guest_address_on_any_public_or_member_surface(client):
    """Every page, feed and API answer a member or an anonymous visitor can reach about the
    meeting and its network: the guest's address and name appear on none of them."""
    cast = cast_create()
    meeting = open_meeting(network=cast.network)
    register(meeting, GUEST_ADDRESS, name="Hanna Heimlich", institution="Geheimverein")
    urls = [
        reverse("meetings:meeting_detail", args=[meeting.uid]),
        reverse("directory:network_detail", args=[cast.network.slug]),
        reverse("meetings:network_calendar", args=[cast.network.slug]),
        reverse("feeds:meeting", args=[meeting.uid]),
        reverse("home"),
        f"/api/v1/meetings/{meeting.uid}/",
        "/api/v1/meetings/",
        f"/api/v1/networks/{cast.network.slug}/",
        "/suche/?q=Heimlich",
        "/datenschutz/",
    ]
    seen = []
    for user in (None, cast.member, cast.other_speaker):
        client.logout()
        client_for(client, user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            body = body_of(response)
            links = re.findall(r'href="(/[^"]*)"', body)
            for link in links:
                if link.startswith(("/termine/", "/kalender/", "/netzwerke/")) and link not in seen:
                    seen.append(link)
                    followed = client.get(link)
                    assert GUEST_ADDRESS not in body_of(followed), link
            for secret in (GUEST_ADDRESS, "Hanna Heimlich", "Geheimverein"):
                assert secret not in body, (url, secret)


def test_privacy_statement_names_the_guest_retention(client, settings):
    settings.GUEST_DATA_RETENTION_DAYS = 30

    body = client.get("/datenschutz/").content.decode()

    assert "Anmeldungen von Gästen zu offenen Sitzungen" in body
    assert "30 Tage nach der Sitzung gelöscht" in body


# --- API ----------------------------------------------------------------------------------


def test_api_registration_takes_a_seat_then_the_waiting_list(client):
    meeting = open_meeting(capacity=1)
    url = f"/api/v1/meetings/{meeting.uid}/register/"

    first = client.post(url, {"name": "Anna Api", "email": "anna@example.org"}, content_type="application/json")
    second = client.post(url, {"name": "Bert Api", "email": "bert@example.org"}, content_type="application/json")

    assert first.status_code == 201 and first.json()["status"] == "angemeldet"
    assert second.status_code == 201 and second.json()["status"] == "warteliste"
    assert "anna@example.org" not in first.content.decode()
    assert Delivery.objects.filter(kind=Kind.GUEST_CONFIRMATION).count() == 2


def test_api_registration_bad_input_is_a_german_400(client):
    meeting, _code, _text = _full_without_waitlist()
    url = f"/api/v1/meetings/{meeting.uid}/register/"

    full = client.post(url, {"name": "Anna", "email": "anna@example.org"}, content_type="application/json")
    invalid = client.post(url, {"name": "Anna", "email": "kaputt"}, content_type="application/json")

    assert full.status_code == 400
    assert "Alle Plätze sind vergeben" in str(full.json())
    assert invalid.status_code == 400
    assert "gültige E-Mail-Adresse" in str(invalid.json()["email"])
    assert GuestRegistration.objects.count() == 1


def test_api_registration_rate_limit_is_a_429(client, settings):
    settings.GUEST_REGISTRATIONS_LIMIT = 1
    meeting = open_meeting()
    url = f"/api/v1/meetings/{meeting.uid}/register/"
    client.post(url, {"name": "Anna", "email": "anna@example.org"}, content_type="application/json")

    response = client.post(url, {"name": "Bert", "email": "bert@example.org"}, content_type="application/json")

    assert response.status_code == 429
    assert GuestRegistration.objects.count() == 1


def test_api_registration_for_a_members_only_meeting_is_a_404_for_anonymous(client):
    meeting = MeetingFactory(visibility=Visibility.MEMBERS)

    response = client.post(
        f"/api/v1/meetings/{meeting.uid}/register/",
        {"name": "A", "email": "a@example.org"},
        content_type="application/json",
    )

    assert response.status_code == 404
    assert GuestRegistration.objects.count() == 0


def test_staff_delete_a_guest_in_the_verwaltung_and_the_waiting_list_moves_up(client):
    cast = cast_create()
    meeting = open_meeting(network=cast.network, capacity=1)
    seated = register(meeting, "sitz@example.org")
    waiting = register(meeting, "warte@example.org")
    cast.staff.is_staff = True
    cast.staff.save(update_fields=["is_staff"])
    client.force_login(cast.staff)
    url = reverse("admin:meetings_guestregistration_delete", args=[seated.pk])

    listed = client.get(reverse("admin:meetings_guestregistration_changelist"), {"q": "sitz@example.org"})
    response = client.post(url, {"post": "yes"})

    assert listed.status_code == 200
    assert response.status_code == 302
    assert list(GuestRegistration.objects.values_list("pk", "status")) == [(waiting.pk, "angemeldet")]


@pytest.mark.parametrize("count", [1, 8])
def test_guest_list_api_reads_in_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    cast = cast_create()
    meeting = open_meeting(network=cast.network)
    for number in range(count):
        register(meeting, f"g{number}@example.org", client=f"192.0.2.{number}")
    client.force_login(cast.speaker)
    client.get(f"/api/v1/meetings/{meeting.uid}/guests/")  # warm the session and permission caches

    with django_assert_num_queries(QUERIES_GUEST_LIST):
        response = client.get(f"/api/v1/meetings/{meeting.uid}/guests/")

    assert len(response.json()) == count


# Session, user, the requester's roles, the meeting with its agenda, partner networks and documents, the guests.
QUERIES_GUEST_LIST = 9
