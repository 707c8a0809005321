"""Mein Bereich, the pages: a member sees and changes their own entry; a withdrawn consent is
gone from every surface within the next request; another person's data cannot be touched;
links from mail show on GET and act on POST; the Art. 15 export is complete."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import Consent, ContactChannel, ContactMessage, Membership, User, Visibility
from contacts.services.self_service import email_change_token
from meetings.models import Attendance
from tests.factories import (
    ChannelFactory,
    ConsentFactory,
    MembershipFactory,
    NetworkFactory,
    PersonFactory,
    UserFactory,
)
from tests.meetings.factories import MeetingFactory, in_days

pytestmark = pytest.mark.django_db

NAME = "Adelheid Quastenflosser"
EMAIL = "adelheid.quastenflosser@example.org"
PHONE = "0241 000111-9"


@pytest.fixture
def member():
    """An individual member of a network who agreed to show name, address and phone publicly."""
    user = UserFactory(email="login.quastenflosser@example.org")
    person = PersonFactory(user=user, given_name="Adelheid", family_name="Quastenflosser")
    ChannelFactory(person=person, value=EMAIL)
    ChannelFactory(person=person, kind=ContactChannel.Kind.PHONE, value=PHONE, is_primary=False)
    network = NetworkFactory(slug="stk-musterviertel", name="Stadtteilkonferenz Musterviertel")
    MembershipFactory(network=network, person=person)
    for scope in (Consent.Scope.NAME, Consent.Scope.EMAIL, Consent.Scope.PHONE):
        ConsentFactory(person=person, scope=scope, audience=Visibility.PUBLIC, text_version="2025-01")
    return person


@pytest.fixture
def member_client(client, member):
    client.force_login(member.user)
    return client


def test_my_area_shows_entry_consents_with_wording_memberships_and_answers(member_client, member):
    meeting = MeetingFactory(network=member.memberships.get().network, title="Frühjahrssitzung")
    Attendance.objects.create(meeting=meeting, person=member, answer=Attendance.Answer.YES)

    page = member_client.get(reverse("contacts:my_area")).content.decode()

    assert NAME in page and EMAIL in page and PHONE in page
    assert "Wortlaut der Fassung 2025-01" in page and "Ich willige ein" in page
    assert "Stadtteilkonferenz Musterviertel" in page and "Austreten" in page
    assert "Frühjahrssitzung" in page and "Zusage" in page


def test_profile_edit_get_shows_form_post_saves(member_client, member):
    url = reverse("contacts:my_profile")

    shown = member_client.get(url)
    saved = member_client.post(
        url, {"title": "Dr.", "given_name": "Adelheid", "family_name": "Quastenflosser", "language": "en"}
    )

    member.refresh_from_db()
    assert shown.status_code == 200 and saved.status_code == 302
    assert (member.title, member.language) == ("Dr.", "en")


def test_profile_edit_with_empty_family_name_is_a_400_in_german(member_client, member):
    response = member_client.post(
        reverse("contacts:my_profile"), {"given_name": "X", "family_name": "", "language": "de"}
    )

    member.refresh_from_db()
    assert response.status_code == 400
    assert "Dieses Feld" in response.content.decode()
    assert member.given_name == "Adelheid"


def test_member_cannot_change_or_delete_another_persons_channel(member_client):
    other = ChannelFactory(value="fremd@example.org")

    edit = member_client.post(
        reverse("contacts:my_channel_edit", args=[other.pk]), {"kind": "email", "value": "gekapert@example.org"}
    )
    delete = member_client.post(reverse("contacts:my_channel_remove", args=[other.pk]))

    other.refresh_from_db()
    assert (edit.status_code, delete.status_code) == (403, 403)
    assert "nur Ihre eigenen Angaben" in edit.content.decode()
    assert other.value == "fremd@example.org"


def test_member_cannot_withdraw_another_persons_consent_or_leave_for_them(member_client):
    consent = ConsentFactory()
    membership = MembershipFactory()

    withdraw = member_client.post(reverse("contacts:my_consent_withdraw", args=[consent.pk]))
    leave = member_client.post(reverse("contacts:my_network_leave", args=[membership.uuid]))

    consent.refresh_from_db()
    membership.refresh_from_db()
    assert (withdraw.status_code, leave.status_code) == (403, 403)
    assert (consent.withdrawn_at, membership.end) == (None, None)


def test_channel_add_with_malformed_phone_is_a_400_and_writes_nothing(member_client, member):
    response = member_client.post(reverse("contacts:my_channel_add"), {"kind": "phone", "value": "bitte anrufen"})

    assert response.status_code == 400
    assert "Telefonnummer aus Ziffern" in response.content.decode()
    assert member.channels.count() == 2


def test_consent_grant_and_withdraw_are_one_post_each(member_client, member):
    granted = member_client.post(reverse("contacts:my_consent_grant"), {"scope": "affiliation", "audience": "1"})
    consent = Consent.objects.get(person=member, scope="affiliation")
    withdrawn = member_client.post(reverse("contacts:my_consent_withdraw", args=[consent.pk]))

    consent.refresh_from_db()
    assert (granted.status_code, withdrawn.status_code) == (302, 302)
    assert consent.withdrawn_at is not None


def test_consent_grant_with_unknown_scope_writes_nothing(member_client, member):
    member_client.post(reverse("contacts:my_consent_grant"), {"scope": "passfoto", "audience": "2"})

    assert Consent.objects.filter(person=member).count() == 3


def text_of(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def surfaces(client, network_slug: str) -> dict[str, str]:
    """Every public surface that can show a person, as an anonymous visitor sees it."""
    return {
        "page": client.get(reverse("directory:network_detail", args=[network_slug])).content.decode(),
        "search": client.get(reverse("search"), {"q": "Quastenflosser"}).content.decode(),
        "api_people": client.get("/api/v1/people/").content.decode(),
        "api_memberships": client.get("/api/v1/memberships/").content.decode(),
        "api_search": client.get("/api/v1/search/", {"q": "Quastenflosser"}).content.decode(),
        "vcard": client.get(reverse("directory:network_vcard", args=[network_slug])).content.decode(),
        "feed": text_of(client.get(reverse("feeds:network", args=[network_slug]))),
    }


def test_withdrawn_consent_is_gone_from_every_surface_in_the_next_request(
    client, member, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_CACHE_SECONDS = 60  # the cached public pages must not keep the name
    network = member.memberships.get().network
    MembershipFactory(network=network, person=member, role=Membership.Role.SPEAKER)
    MeetingFactory(network=network, start=in_days(5), end=in_days(5, hour=20))
    before = surfaces(client, network.slug)
    client.force_login(member.user)
    # Each request commits (the test's transaction stands in for it): what it committed runs.
    for consent in Consent.objects.filter(person=member):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(reverse("contacts:my_consent_withdraw", args=[consent.pk])).status_code == 302
    client.logout()

    after = surfaces(client, network.slug)

    # The search pages repeat the query itself; the full name is what a hit shows.
    assert [name for name, text in before.items() if NAME in text] == [
        "page",
        "search",
        "api_people",
        "api_memberships",
        "api_search",
        "vcard",
    ]
    assert {name: [v for v in (NAME, EMAIL, PHONE) if v in text] for name, text in after.items()} == {
        name: [] for name in after
    }


def test_email_change_page_refuses_address_of_another_account(member_client, member):
    UserFactory(email="vergeben@example.org")

    response = member_client.post(reverse("contacts:my_email_change"), {"email": "vergeben@example.org"})

    assert response.status_code == 400
    assert "gehört schon zu einem anderen Zugang" in response.content.decode()
    assert User.objects.get(pk=member.user.pk).email == "login.quastenflosser@example.org"


def test_email_confirm_link_get_only_shows_post_changes(client, member):
    url = reverse("contacts:email_change_confirm", args=[email_change_token(user=member.user, email="neu@example.org")])

    shown = client.get(url)
    unchanged = User.objects.get(pk=member.user.pk).email
    confirmed = client.post(url)
    replayed = client.post(url)

    assert shown.status_code == 200 and "neu@example.org" in shown.content.decode()
    assert unchanged == "login.quastenflosser@example.org"
    assert confirmed.status_code == 302
    assert User.objects.get(pk=member.user.pk).email == "neu@example.org"
    assert replayed.status_code == 400 and "bereits verwendet" in replayed.content.decode()


def test_password_change_keeps_the_session(member_client):
    response = member_client.post(
        reverse("contacts:my_password"),
        {"old_password": "ein-langes-Testpasswort", "new_password": "ein-neues-Passwort-2026"},
    )

    assert response.status_code == 302
    assert member_client.get(reverse("contacts:my_area")).status_code == 200


def test_leave_network_get_asks_post_ends_membership(member_client, member):
    membership = member.memberships.get()
    url = reverse("contacts:my_network_leave", args=[membership.uuid])

    asked = member_client.get(url)
    membership.refresh_from_db()
    still = membership.end
    left = member_client.post(url)
    membership.refresh_from_db()

    assert asked.status_code == 200 and "Jetzt austreten" in asked.content.decode()
    assert still is None
    assert left.status_code == 302
    assert membership.end == timezone.localdate()


def test_export_json_holds_everything_about_the_person(member_client, member):
    ContactMessage.objects.create(
        network=member.memberships.get().network,
        sender_name=NAME,
        sender_email=EMAIL,
        subject="Meine Frage",
        body="Text",
        copy_to_sender=False,
    )

    response = member_client.get(reverse("contacts:my_data_json"))
    data = json.loads(response.content)

    assert response["Content-Disposition"].startswith('attachment; filename="netzwerk-auskunft-')
    assert data["person"]["family_name"] == "Quastenflosser"
    assert data["account"]["email"] == "login.quastenflosser@example.org"
    assert sorted(c["value"] for c in data["channels"]) == [PHONE, EMAIL]
    assert {c["scope"] for c in data["consents"]} == {"name", "email", "phone"}
    assert all(c["text"].startswith("Ich willige ein") for c in data["consents"])
    assert [m["network"] for m in data["memberships"]] == ["Stadtteilkonferenz Musterviertel"]
    assert [m["subject"] for m in data["contact_messages"]] == ["Meine Frage"]
    assert set(data) >= {"attendance", "poll_votes", "deliveries", "feed_tokens", "mail_preferences"}


def test_export_page_is_printable_html(member_client):
    page = member_client.get(reverse("contacts:my_data")).content.decode()

    assert "Auskunft nach Art. 15 DSGVO" in page
    assert "Wortlaut der Fassung 2025-01" in page


def test_my_area_pages_need_a_login(client):
    response = client.get(reverse("contacts:my_data_json"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("contacts:login"))


def test_account_without_entry_gets_a_clear_403(client):
    client.force_login(UserFactory())

    response = client.get(reverse("contacts:my_profile"))

    assert response.status_code == 403
    assert "keine Person im Verzeichnis" in response.content.decode()


def test_privacy_statement_names_my_area_and_the_retention_times(client, settings):
    settings.CONTACT_MESSAGES_RETENTION_DAYS = 30

    page = client.get(reverse("datenschutz")).content.decode()

    assert "unter „Mein Bereich“ mit einem Klick" in page
    assert "30 Tage nach ihrer Zustellung gelöscht" in page
