"""Art. 17 DSGVO: staff erase a person from the Verwaltung; afterwards no surface holds any
value of that person — pages, API, feeds, search, vCards, the Verwaltung's search, the
delivery log, exports — while memberships, answers and minutes keep an anonymous
placeholder, and the erasure is logged without personal data."""

import json

import pytest
from django.apps import apps
from django.contrib.admin import helpers
from django.urls import reverse
from django.utils import timezone

from contacts.models import Consent, ContactChannel, ContactMessage, Erasure, Membership, Person, User, Visibility
from meetings.models import Attendance, DatePollVote, FeedToken
from meetings.services import feed_token_issue
from netzwerk.privacy import person_data_export, person_erase
from notifications.models import Delivery, Kind, Preference, Subject
from tests.factories import (
    ChannelFactory,
    ConsentFactory,
    InstitutionFactory,
    MembershipFactory,
    NetworkFactory,
    PersonFactory,
    UserFactory,
)
from tests.meetings.factories import (
    AttendanceFactory,
    DatePollFactory,
    DatePollOptionFactory,
    MeetingFactory,
    MinutesFactory,
    in_days,
)

pytestmark = pytest.mark.django_db

GIVEN, FAMILY = "Hildegunde", "Zwackelmann"
EMAIL = "hildegunde.zwackelmann@example.org"
LOGIN = "login.zwackelmann@example.org"
PHONE = "0241 000222-7"
VALUES = (GIVEN, FAMILY, EMAIL, LOGIN, PHONE)


def text_of(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.fixture
def world():
    """A member with everything Netzwerk can hold about a person, and a speaker and staff."""
    network = NetworkFactory(slug="stk-erasure", name="Stadtteilkonferenz Löschtest")
    institution = InstitutionFactory(name="Familienzentrum Löschtest")
    person = PersonFactory(
        user=UserFactory(email=LOGIN), given_name=GIVEN, family_name=FAMILY, form_of_address="Frau", notes="Notiz"
    )
    ChannelFactory(person=person, value=EMAIL)
    ChannelFactory(person=person, kind=ContactChannel.Kind.PHONE, value=PHONE, is_primary=False)
    for scope in Consent.Scope.values:
        ConsentFactory(person=person, scope=scope, audience=Visibility.PUBLIC)
    MembershipFactory(network=network, person=person, institution=institution)
    MembershipFactory(network=network, person=person, role=Membership.Role.DEPUTY_SPEAKER)
    past = MeetingFactory(network=network, start=in_days(-10), end=in_days(-10, hour=20), title="Herbstsitzung")
    upcoming = MeetingFactory(network=network, start=in_days(10), end=in_days(10, hour=20))
    AttendanceFactory(meeting=past, person=person, note=f"{GIVEN} kommt später", presence="anwesend")
    AttendanceFactory(meeting=upcoming, person=person)
    MinutesFactory(meeting=past, text=f"TOP 1: {GIVEN} {FAMILY} berichtet.", published_at=timezone.now())
    poll = DatePollFactory(network=network)
    DatePollVote.objects.create(option=DatePollOptionFactory(poll=poll), person=person, answer="ja")
    feed_token_issue(person=person)
    Preference.objects.create(person=person, digest=True)
    common = {"subject_type": Subject.MEETING, "subject_id": upcoming.pk, "network": network}
    Delivery.objects.create(
        kind=Kind.INVITATION, recipient_key=f"p{person.pk}", person=person, address=EMAIL,
        recipient_name=f"{GIVEN} {FAMILY}", due_at=timezone.now(), next_attempt_at=timezone.now(),
        state=Delivery.State.SENT, sent_at=timezone.now(), **common,
    )  # fmt: skip
    Delivery.objects.create(
        kind=Kind.REMINDER, recipient_key=f"p{person.pk}", person=person, recipient_name=f"{GIVEN} {FAMILY}",
        due_at=in_days(9), next_attempt_at=in_days(9), **common,
    )  # fmt: skip
    message = ContactMessage.objects.create(
        network=network, sender_name=f"{GIVEN} {FAMILY}", sender_email=EMAIL, subject="Frage", body="Hallo",
        copy_to_sender=True,
    )  # fmt: skip
    Delivery.objects.create(
        subject_type=Subject.CONTACT, subject_id=message.pk, kind=Kind.CONTACT_COPY_CONFIRM,
        recipient_key=f"a{EMAIL}", address=EMAIL, due_at=timezone.now(), next_attempt_at=timezone.now(),
        state=Delivery.State.SENT, sent_at=timezone.now(),
    )  # fmt: skip
    speaker = PersonFactory(user=UserFactory(email="sprecher.loeschtest@example.org"))
    MembershipFactory(network=network, person=speaker, role=Membership.Role.SPEAKER)
    staff = User.objects.create_superuser(email="staff.loeschtest@example.org", password="ein-langes-Testpasswort")
    return {"network": network, "person": person, "past": past, "speaker": speaker, "staff": staff}


def erase_in_verwaltung(client, staff, person):
    """The admin action, as staff use it: the confirmation page, then the confirmed POST."""
    client.force_login(staff)
    url = reverse("admin:contacts_person_changelist")
    data = {"action": "privacy_erase", helpers.ACTION_CHECKBOX_NAME: [person.pk]}
    asked = client.post(url, data)
    assert "endgültig gelöscht" in asked.content.decode()
    assert Person.objects.get(pk=person.pk).erased_at is None
    return client.post(url, {**data, "confirm": "yes"})


def all_surfaces(client, world) -> dict[str, str]:
    """Every surface, as anonymous visitor, as the network's speaker and as staff."""
    network, past, person = world["network"], world["past"], world["person"]
    token = FeedToken.objects.filter(person=person).order_by("-pk").first()
    texts = {
        "page": client.get(reverse("directory:network_detail", args=[network.slug])).content.decode(),
        # Search pages repeat the query; what a hit would show is the rest of the name.
        "search": client.get(reverse("search"), {"q": GIVEN}).content.decode().replace(GIVEN, ""),
        "api_people": client.get("/api/v1/people/").content.decode(),
        "api_memberships": client.get("/api/v1/memberships/").content.decode(),
        "api_search": client.get("/api/v1/search/", {"q": GIVEN}).content.decode().replace(GIVEN, ""),
        "vcard": client.get(reverse("directory:network_vcard", args=[network.slug])).content.decode(),
        "feed_network": text_of(client.get(reverse("feeds:network", args=[network.slug]))),
        "feed_personal": text_of(client.get(reverse("feeds:personal", args=[token.token]))),
    }
    client.force_login(world["speaker"].user)
    texts["meeting_as_speaker"] = client.get(reverse("meetings:meeting_detail", args=[past.uid])).content.decode()
    texts["api_meeting_as_speaker"] = client.get(f"/api/v1/meetings/{past.uid}/").content.decode()
    texts["history_as_speaker"] = client.get(reverse("meetings:network_history", args=[network.slug])).content.decode()
    texts["members_csv_as_speaker"] = client.get(
        reverse("meetings:network_members_export", args=[network.slug, "csv"])
    ).content.decode("utf-8-sig")
    client.force_login(world["staff"])
    admin = "admin:contacts_person_changelist"
    texts["admin_people"] = client.get(reverse(admin), {"q": GIVEN}).content.decode().replace(GIVEN, "")
    texts["admin_people_by_address"] = client.get(reverse(admin), {"q": EMAIL}).content.decode().replace(EMAIL, "")
    texts["admin_deliveries"] = client.get(reverse("admin:notifications_delivery_changelist")).content.decode()
    texts["admin_users"] = client.get(reverse("admin:contacts_user_changelist"), {"q": "zwackelmann"}).content.decode()
    texts["export"] = json.dumps(person_data_export(person=person), ensure_ascii=False)
    texts["database_delivery_log"] = json.dumps(
        list(Delivery.objects.values("address", "recipient_name", "recipient_key", "details", "last_error")),
        ensure_ascii=False,
    )
    # Every version of every entry (django-simple-history), read straight from the tables.
    texts["database_history"] = json.dumps(
        [
            list(model.history.values())
            for model in apps.get_models()
            if getattr(model._meta, "simple_history_manager_attribute", None) == "history"
        ],
        ensure_ascii=False,
        default=str,
    )
    client.logout()
    return texts


def found(texts: dict[str, str]) -> dict[str, list[str]]:
    return {name: hits for name, text in texts.items() if (hits := [value for value in VALUES if value in text])}


def test_erasure_leaves_no_value_of_the_person_on_any_surface(client, world):
    person = world["person"]
    before = found(all_surfaces(client, world))

    response = erase_in_verwaltung(client, world["staff"], person)
    after = found(all_surfaces(client, world))

    assert response.status_code == 302
    # Every surface showed the person before, so each check below can fail.
    assert set(before) >= {
        "page", "search", "api_people", "api_memberships", "api_search", "vcard",
        "meeting_as_speaker", "admin_people", "admin_people_by_address", "admin_deliveries", "export",
        "database_delivery_log", "database_history", "history_as_speaker", "members_csv_as_speaker",
    }  # fmt: skip
    assert after == {}
    token = FeedToken.objects.get(person=person)
    assert client.get(reverse("feeds:personal", args=[token.token])).status_code == 404


def test_erasure_keeps_history_with_a_placeholder_and_logs_without_personal_data(client, world):
    person = world["person"]

    erase_in_verwaltung(client, world["staff"], person)

    person.refresh_from_db()
    user = User.objects.get(pk=person.user_id)
    memberships = Membership.objects.filter(person=person).select_related("institution")
    assert person.full_name == "ehemaliges Mitglied"
    assert sorted((m.role, m.institution.name if m.institution else None) for m in memberships) == [
        ("mitglied", "Familienzentrum Löschtest"),
        ("stellv_sprecherin", None),
    ]
    assert Attendance.objects.filter(person=person).count() == 2
    assert Attendance.objects.filter(person=person).exclude(note="").count() == 0
    assert DatePollVote.objects.filter(person=person).count() == 1
    assert "ehemaliges Mitglied berichtet" in world["past"].minutes.__class__.objects.get(meeting=world["past"]).text
    assert (user.is_active, user.has_usable_password(), user.email.endswith("@invalid.invalid")) == (False, False, True)
    assert not FeedToken.objects.filter(person=person, revoked_at__isnull=True).exists()
    assert not Consent.objects.filter(person=person).exists()
    assert not ContactMessage.objects.exists()
    assert not Preference.objects.filter(person=person).exists()
    assert list(Delivery.objects.filter(person=person).values_list("kind", "state")) == [
        ("erinnerung", Delivery.State.SKIPPED),
        ("einladung", Delivery.State.SENT),
    ]
    (record,) = Erasure.objects.all()
    assert record.erased_by == world["staff"]
    assert record.counts["einwilligungen"] == 4
    assert not any(value in json.dumps(record.counts) + str(record) for value in VALUES)


def test_erased_person_cannot_log_in(client, world):
    person = world["person"]
    person_erase(person=person, actor=world["staff"])

    response = client.post(reverse("contacts:login"), {"username": LOGIN, "password": "ein-langes-Testpasswort"})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_erasing_twice_is_refused(world):
    person_erase(person=world["person"])

    with pytest.raises(ValueError):
        person_erase(person=Person.objects.get(pk=world["person"].pk))

    assert Erasure.objects.count() == 1


def test_only_sozialplanung_may_erase(client, world):
    clerk = UserFactory(email="sachbearbeitung@example.org", is_staff=True)
    client.force_login(clerk)

    response = client.post(
        reverse("admin:contacts_person_changelist"),
        {"action": "privacy_erase", helpers.ACTION_CHECKBOX_NAME: [world["person"].pk], "confirm": "yes"},
    )

    assert response.status_code == 403
    assert Person.objects.get(pk=world["person"].pk).erased_at is None


def test_staff_produce_the_art_15_export_for_a_letter(client, world):
    client.force_login(world["staff"])

    response = client.post(
        reverse("admin:contacts_person_changelist"),
        {"action": "privacy_export_json", helpers.ACTION_CHECKBOX_NAME: [world["person"].pk]},
    )
    data = json.loads(response.content)

    assert data["person"]["family_name"] == FAMILY
    assert [m["subject"] for m in data["contact_messages"]] == ["Frage"]
    assert len(data["deliveries"]) == 3
    assert len(data["feed_tokens"]) == 1
    assert {a["note"] for a in data["attendance"]} >= {f"{GIVEN} kommt später"}
