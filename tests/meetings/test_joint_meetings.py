"""Joint meetings: one meeting held by several networks (OParl's Meeting.organization).

The host plans it, the partner networks hold it too: it is in every network's page,
calendar and feed with one UID; speakers of each may change it; members of each see its
internal parts and answer; a member of both is one person with one answer and one mail.
A speaker adds only partner networks they lead too; anything else is refused with a German
message and nothing is written.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from contacts.models import Membership
from meetings import services
from meetings.models import CalendarStamp, Meeting, MeetingPartner, Visibility
from notifications.models import Delivery, Kind
from notifications.services import notifications_sweep
from tests.factories import MembershipFactory, NetworkFactory, PersonFactory, UserFactory
from tests.meetings.api_support import auth_headers
from tests.meetings.factories import MeetingFactory, in_days
from tests.meetings.web_cast import client_for

pytestmark = pytest.mark.django_db


def login_for(network, role=Membership.Role.MEMBER, *, email: str):
    user = UserFactory(email=email, password=None)  # no slow hashing: tests log in with force_login
    person = PersonFactory(user=user)
    MembershipFactory(network=network, person=person, role=role)
    return user


@pytest.fixture
def joint():
    """STK Eilendorf hosts, the ÖAG Eilendorf/Rothe Erde joins; a speaker who leads both,
    one speaker and one member of each, a member of both, a member of a third network."""
    from django.contrib.auth.models import Group

    stk = NetworkFactory(
        name="Stadtteilkonferenz Eilendorf", short_name="STK Eilendorf", slug="stk-eilendorf", kind="stk"
    )
    oag = NetworkFactory(
        name="ÖAG für und mit Senioren in Eilendorf und Rothe Erde",
        short_name="ÖAG Eilendorf / Rothe Erde",
        slug="oag-eilendorf-rothe-erde",
        kind="oag",
    )
    third = NetworkFactory(name="Stadtteilkonferenz Burtscheid", slug="stk-burtscheid", kind="stk")
    both_lead = login_for(stk, Membership.Role.SPEAKER, email="beide@example.org")
    MembershipFactory(network=oag, person=both_lead.person, role=Membership.Role.SPEAKER)
    both_member = login_for(stk, email="mitglied-beide@example.org")
    MembershipFactory(network=oag, person=both_member.person)
    staff = UserFactory(email="planung@example.org", password=None)
    staff.groups.add(Group.objects.get_or_create(name="Sozialplanung")[0])
    return {
        "stk": stk,
        "oag": oag,
        "third": third,
        "both_lead": both_lead,
        "host_speaker": login_for(stk, Membership.Role.SPEAKER, email="stk-sprecher@example.org"),
        "partner_speaker": login_for(oag, Membership.Role.SPEAKER, email="oag-sprecherin@example.org"),
        "partner_member": login_for(oag, email="oag-mitglied@example.org"),
        "host_member": login_for(stk, email="stk-mitglied@example.org"),
        "neither": login_for(third, email="anderswo@example.org"),
        "both_member": both_member,
        "staff": staff,
    }


def schedule(joint, *, actor=None, visibility=Visibility.PUBLIC, partners=None, **values) -> Meeting:
    return services.meeting_schedule(
        network=joint["stk"],
        title=values.pop("title", "Gemeinsame Sitzung: Älter werden in Eilendorf"),
        start=values.pop("start", in_days(20)),
        end=values.pop("end", in_days(20) + datetime.timedelta(hours=2)),
        visibility=visibility,
        address="Heinrich-Thomas-Platz 1, 52080 Aachen",
        partner_networks=[joint["oag"]] if partners is None else partners,
        actor=actor if actor is not None else joint["both_lead"],
        **values,
    )


# --- Services ---------------------------------------------------------------------------


def test_schedule_joint_meeting_belongs_to_both_networks(joint):
    meeting = schedule(joint)

    meeting = Meeting.objects.prefetch_related("partner_networks").get(pk=meeting.pk)
    assert [network.slug for network in meeting.networks] == ["stk-eilendorf", "oag-eilendorf-rothe-erde"]
    assert meeting.network_ids == {joint["stk"].pk, joint["oag"].pk}
    assert MeetingPartner.objects.get(meeting=meeting).added_by == joint["both_lead"]


def test_schedule_with_network_the_speaker_does_not_lead_writes_nothing(joint):
    with pytest.raises(ValidationError) as error:
        schedule(joint, actor=joint["host_speaker"])

    assert error.value.message_dict["partner_networks"] == [
        "Sie leiten „ÖAG für und mit Senioren in Eilendorf und Rothe Erde“ nicht. Eine gemeinsame Sitzung mit "
        "einem Netzwerk planen nur, wer auch dessen Sprecher*innenteam oder Geschäftsführung angehört; bitten "
        "Sie dessen Sprecher*innen oder die Sozialplanung, es hinzuzufügen."
    ]
    assert Meeting.objects.count() == 0
    assert MeetingPartner.objects.count() == 0


def test_host_is_no_partner_of_its_own_meeting(joint):
    with pytest.raises(ValidationError) as error:
        schedule(joint, partners=[joint["stk"]])

    assert "lädt zu dieser Sitzung ein" in error.value.message_dict["partner_networks"][0]
    assert Meeting.objects.count() == 0


def test_inactive_network_cannot_join(joint):
    joint["oag"].is_active = False
    joint["oag"].save()

    with pytest.raises(ValidationError) as error:
        schedule(joint, actor=joint["staff"])

    assert error.value.message_dict["partner_networks"] == [
        "„ÖAG für und mit Senioren in Eilendorf und Rothe Erde“ ist nicht mehr aktiv und kann keine Sitzung mittragen."
    ]


def test_staff_add_any_partner(joint):
    meeting = schedule(joint, actor=joint["staff"], partners=[joint["oag"], joint["third"]])

    assert set(meeting.partner_networks.values_list("slug", flat=True)) == {
        "oag-eilendorf-rothe-erde",
        "stk-burtscheid",
    }


def test_partners_set_adds_and_removes(joint):
    meeting = schedule(joint, partners=[])

    services.meeting_partners_set(meeting=meeting, networks=[joint["oag"]], actor=joint["both_lead"])
    assert list(meeting.partner_networks.values_list("slug", flat=True)) == ["oag-eilendorf-rothe-erde"]

    # The partner's own speaker may take their network out again.
    services.meeting_partners_set(meeting=meeting, networks=[], actor=joint["partner_speaker"])
    assert list(meeting.partner_networks.all()) == []


def test_partner_speaker_cannot_add_a_network_they_do_not_lead(joint):
    meeting = schedule(joint)

    with pytest.raises(ValidationError):
        services.meeting_partners_set(
            meeting=meeting, networks=[joint["oag"], joint["third"]], actor=joint["partner_speaker"]
        )

    assert list(meeting.partner_networks.values_list("slug", flat=True)) == ["oag-eilendorf-rothe-erde"]


def test_speaker_of_another_partner_cannot_remove_a_partner(joint):
    meeting = schedule(joint, actor=joint["staff"], partners=[joint["oag"], joint["third"]])
    third_speaker = login_for(joint["third"], Membership.Role.SPEAKER, email="burtscheid@example.org")

    with pytest.raises(ValidationError) as error:
        services.meeting_partners_set(meeting=meeting, networks=[joint["third"]], actor=third_speaker)

    assert "aus der gemeinsamen Sitzung nehmen" in error.value.message_dict["partner_networks"][0]
    assert meeting.partner_networks.count() == 2


def test_partner_member_answers(joint):
    meeting = schedule(joint)

    attendance = services.attendance_answer(
        meeting=meeting, person=joint["partner_member"].person, answer="zusage", note=""
    )

    assert attendance.answer == "zusage"


# --- Calendar stamps (database triggers) ------------------------------------------------


def stamp_of(network) -> int:
    row = CalendarStamp.objects.filter(network_id=network.pk).first()
    return row.version if row is not None else 0


def stamps(joint) -> tuple[int, int]:
    return stamp_of(joint["stk"]), stamp_of(joint["oag"])


def test_stamps_of_both_networks_move_with_every_write(joint):
    before = stamps(joint)
    meeting = schedule(joint)
    created = stamps(joint)
    assert created[0] > before[0] and created[1] > before[1]

    services.meeting_update(meeting=meeting, title="Neuer Titel", actor=joint["partner_speaker"])
    updated = stamps(joint)
    assert updated[0] > created[0] and updated[1] > created[1]

    # A bulk update sends no signal and calls no service: the trigger still sees it.
    Meeting.objects.filter(pk=meeting.pk).update(room="Saal")
    bulk = stamps(joint)
    assert bulk[0] > updated[0] and bulk[1] > updated[1]

    Meeting.objects.filter(pk=meeting.pk).delete()
    deleted = stamps(joint)
    assert deleted[0] > bulk[0] and deleted[1] > bulk[1]


def test_stamp_of_a_partner_moves_when_it_joins_and_leaves(joint):
    meeting = schedule(joint, partners=[])
    before = stamps(joint)

    services.meeting_partners_set(meeting=meeting, networks=[joint["oag"]], actor=joint["both_lead"])
    joined = stamps(joint)
    assert joined[0] > before[0] and joined[1] > before[1]

    MeetingPartner.objects.filter(meeting=meeting).delete()
    assert stamp_of(joint["oag"]) > joined[1]


def test_stamp_of_a_third_network_stays(joint):
    schedule(joint)
    before = stamp_of(joint["third"])

    Meeting.objects.update(room="Saal")

    assert stamp_of(joint["third"]) == before


# --- Pages and feeds --------------------------------------------------------------------


def test_both_network_pages_and_calendars_show_it(client, joint):
    meeting = schedule(joint)
    month = meeting.local_start.strftime("%Y-%m")

    for slug in ("stk-eilendorf", "oag-eilendorf-rothe-erde"):
        page = client.get(reverse("directory:network_detail", args=[slug]))
        assert str(meeting.uid) in page.content.decode()
        calendar = client.get(reverse("meetings:network_calendar", args=[slug]), {"monat": month})
        assert str(meeting.uid) in calendar.content.decode()
    third = client.get(reverse("directory:network_detail", args=["stk-burtscheid"]))
    assert str(meeting.uid) not in third.content.decode()


def test_meeting_page_names_both_networks(client, joint):
    meeting = schedule(joint)

    page = client.get(reverse("meetings:meeting_detail", args=[meeting.uid])).content.decode()

    assert "Gemeinsame Sitzung von" in page
    assert '<a href="/netzwerke/stk-eilendorf/">STK Eilendorf</a> und ' in page
    assert ">ÖAG Eilendorf / Rothe Erde</a>" in page


def ics_uids(response) -> list[str]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return [
        line.split(":", 1)[1] for line in body.decode().replace("\r\n ", "").splitlines() if line.startswith("UID:")
    ]


def test_both_feeds_hold_it_with_one_uid(client, joint):
    meeting = schedule(joint)
    MeetingFactory(network=joint["third"], start=in_days(5), end=in_days(5) + datetime.timedelta(hours=1))

    uids = {
        slug: ics_uids(client.get(f"/kalender/netzwerk/{slug}.ics"))
        for slug in ("stk-eilendorf", "oag-eilendorf-rothe-erde")
    }
    kind_feed = ics_uids(client.get("/kalender/art/oag.ics"))
    chosen = ics_uids(client.get("/kalender/auswahl.ics?netzwerk=oag-eilendorf-rothe-erde&netzwerk=stk-burtscheid"))

    expected = f"{meeting.uid}@netzwerk.aachen.de"
    assert uids["stk-eilendorf"] == [expected]
    assert uids["oag-eilendorf-rothe-erde"] == [expected]
    assert kind_feed == [expected]
    assert expected in chosen and len(chosen) == 2


def test_partner_feed_answers_changed_after_joint_meeting_changes(client, joint):
    meeting = schedule(joint)
    url = "/kalender/netzwerk/oag-eilendorf-rothe-erde.ics"
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304

    services.meeting_update(meeting=meeting, title="Seniorentag-Planung", actor=joint["host_speaker"])

    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_personal_feed_of_a_partner_member_holds_internal_joint_meeting(client, joint):
    meeting = schedule(joint, visibility=Visibility.MEMBERS)
    token = services.feed_token_issue(person=joint["partner_member"].person)
    outsider = services.feed_token_issue(person=joint["neither"].person)

    assert ics_uids(client.get(f"/kalender/persoenlich/{token.token}.ics")) == [f"{meeting.uid}@netzwerk.aachen.de"]
    assert ics_uids(client.get(f"/kalender/persoenlich/{outsider.token}.ics")) == []
    # Not in any public feed.
    assert ics_uids(client.get("/kalender/netzwerk/oag-eilendorf-rothe-erde.ics")) == []


def test_dashboard_lists_joint_meeting_for_partner_member(client, joint):
    meeting = schedule(joint, visibility=Visibility.MEMBERS)

    page = client_for(client, joint["partner_member"]).get(reverse("meetings:dashboard")).content.decode()

    assert str(meeting.uid) in page
    assert "Gemeinsame Sitzung von STK Eilendorf und ÖAG Eilendorf / Rothe Erde" in page


# --- Who may do what (web) --------------------------------------------------------------

ROLES = ["anonymous", "host_speaker", "partner_speaker", "partner_member", "neither", "staff"]
SEES_INTERNAL = {"host_speaker", "partner_speaker", "partner_member", "staff"}
MANAGES = {"host_speaker", "partner_speaker", "staff"}
ANSWERS = {"host_speaker", "partner_speaker", "partner_member"}


@pytest.mark.parametrize("role", ROLES)
def test_internal_joint_meeting_page(client, joint, role):
    meeting = schedule(joint, visibility=Visibility.MEMBERS)
    user = None if role == "anonymous" else joint[role]

    response = client_for(client, user).get(reverse("meetings:meeting_detail", args=[meeting.uid]))

    assert response.status_code == (200 if role in SEES_INTERNAL else 404)


@pytest.mark.parametrize("role", ROLES)
def test_edit_joint_meeting(client, joint, role):
    meeting = schedule(joint)
    user = None if role == "anonymous" else joint[role]
    data = {
        "title": "Geänderter Titel",
        "day": meeting.local_start.date().isoformat(),
        "start_time": "18:30",
        "end_time": "20:30",
        "visibility": "oeffentlich",
        "status": "geplant",
        "address": "Heinrich-Thomas-Platz 1, 52080 Aachen",
        "partner_networks": [joint["oag"].pk],
        "aktion": "speichern",
    }

    response = client_for(client, user).post(reverse("meetings:meeting_edit", args=[meeting.uid]), data)

    meeting.refresh_from_db()
    if role in MANAGES:
        assert response.status_code == 302
        assert meeting.title == "Geänderter Titel"
    else:
        assert response.status_code == {"anonymous": 302, "partner_member": 403, "neither": 403}[role]
        assert meeting.title == "Gemeinsame Sitzung: Älter werden in Eilendorf"
    assert meeting.partner_networks.count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_answer_joint_meeting(client, joint, role):
    meeting = schedule(joint)
    user = None if role == "anonymous" else joint[role]

    response = client_for(client, user).post(
        reverse("meetings:meeting_answer", args=[meeting.uid]), {"answer": "zusage"}
    )

    answered = meeting.attendances.filter(answer="zusage").count()
    if role in ANSWERS:
        assert response.status_code == 302 and answered == 1
    else:
        assert response.status_code in (302, 403) and answered == 0
        if role == "anonymous":
            assert "/konto/anmelden/" in response["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_add_agenda_item_to_joint_meeting(client, joint, role):
    meeting = schedule(joint)
    user = None if role == "anonymous" else joint[role]

    client_for(client, user).post(reverse("meetings:agenda_add", args=[meeting.uid]), {"top-title": "Begrüßung"})

    assert meeting.agenda_items.count() == (1 if role in MANAGES else 0)


def test_speaker_page_lists_members_of_both_networks_once(client, joint):
    meeting = schedule(joint)

    page = client_for(client, joint["host_speaker"]).get(reverse("meetings:meeting_detail", args=[meeting.uid]))

    person_ids = [row["person"].id for row in page.context["people"]]
    assert len(person_ids) == len(set(person_ids))
    assert joint["both_member"].person.pk in person_ids
    assert joint["partner_member"].person.pk in person_ids
    assert joint["neither"].person.pk not in person_ids


# --- Planning form ----------------------------------------------------------------------


def meeting_form(joint, **changes) -> dict:
    data = {
        "title": "Gemeinsame Sitzung",
        "day": (timezone.localdate() + datetime.timedelta(days=25)).isoformat(),
        "start_time": "18:00",
        "end_time": "20:00",
        "visibility": "oeffentlich",
        "address": "Heinrich-Thomas-Platz 1, 52080 Aachen",
        "aktion": "speichern",
    }
    data.update(changes)
    return data


def test_form_offers_only_networks_the_speaker_leads(client, joint):
    page = client_for(client, joint["both_lead"]).get(reverse("meetings:meeting_create", args=["stk-eilendorf"]))

    offered = list(page.context["form"].fields["partner_networks"].queryset.values_list("slug", flat=True))
    assert offered == ["oag-eilendorf-rothe-erde"]
    single = client.get(reverse("meetings:meeting_create", args=["stk-eilendorf"]))
    assert single.status_code == 200


def test_form_without_other_led_network_has_no_partner_field(client, joint):
    page = client_for(client, joint["host_speaker"]).get(reverse("meetings:meeting_create", args=["stk-eilendorf"]))

    assert "partner_networks" not in page.context["form"].fields


def test_form_creates_joint_meeting(client, joint):
    response = client_for(client, joint["both_lead"]).post(
        reverse("meetings:meeting_create", args=["stk-eilendorf"]),
        meeting_form(joint, partner_networks=[joint["oag"].pk]),
    )

    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert list(meeting.partner_networks.values_list("slug", flat=True)) == ["oag-eilendorf-rothe-erde"]


def test_form_refuses_a_network_the_speaker_does_not_lead(client, joint):
    # Only the networks the speaker leads are offered; another one sent anyway is refused.
    response = client_for(client, joint["both_lead"]).post(
        reverse("meetings:meeting_create", args=["stk-eilendorf"]),
        meeting_form(joint, partner_networks=[joint["third"].pk]),
    )

    assert response.status_code == 400
    assert "partner_networks" in response.context["form"].errors
    assert Meeting.objects.count() == 0


def test_edit_form_refusal_of_partner_keeps_other_changes_unsaved(client, joint):
    meeting = schedule(joint, partners=[])
    # A network the speaker does not lead is not offered; sent anyway, the whole edit is refused.
    data = meeting_form(
        joint,
        title="Nicht gespeichert",
        day=meeting.local_start.date().isoformat(),
        status="geplant",
        partner_networks=[joint["third"].pk],
    )

    response = client_for(client, joint["both_lead"]).post(reverse("meetings:meeting_edit", args=[meeting.uid]), data)

    assert response.status_code == 400
    meeting.refresh_from_db()
    assert meeting.title == "Gemeinsame Sitzung: Älter werden in Eilendorf"
    assert meeting.partner_networks.count() == 0


# --- Mail planning ----------------------------------------------------------------------


def test_sweep_invites_members_of_both_networks_once_each(joint):
    meeting = schedule(
        joint, status=Meeting.Status.CONFIRMED, start=in_days(5), end=in_days(5) + datetime.timedelta(hours=2)
    )

    notifications_sweep()

    rows = Delivery.objects.filter(subject_id=meeting.pk, kind=Kind.INVITATION)
    people = sorted(rows.values_list("person_id", flat=True))
    expected = sorted(
        {
            joint[name].person.pk
            for name in ("both_lead", "host_speaker", "partner_speaker", "partner_member", "host_member", "both_member")
        }
    )
    assert people == expected


# --- API --------------------------------------------------------------------------------


def api_post(client, user, path, body):
    return client.post(path, body, content_type="application/json", headers=auth_headers(user))


def test_api_creates_joint_meeting_and_lists_its_networks(client, joint):
    body = {
        "network": "stk-eilendorf",
        "partner_networks": ["oag-eilendorf-rothe-erde"],
        "title": "Gemeinsame Sitzung",
        "start": in_days(20).isoformat(),
        "end": (in_days(20) + datetime.timedelta(hours=2)).isoformat(),
    }

    response = api_post(client, joint["both_lead"], "/api/v1/meetings/", body)

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["network"]["slug"] == "stk-eilendorf"
    assert [network["slug"] for network in data["networks"]] == ["stk-eilendorf", "oag-eilendorf-rothe-erde"]
    assert data["joint"] is True
    listed = client.get("/api/v1/meetings/", {"network": "oag-eilendorf-rothe-erde"}).json()
    assert [row["uid"] for row in listed["results"]] == [data["uid"]]


def test_api_meeting_list_shows_an_internal_joint_meeting_with_its_networks_only_to_their_members(client, joint):
    """The list reads the partners as a prefetched list; they still decide who sees the
    internal meeting, and they are listed after the host."""
    schedule(joint, visibility=Visibility.MEMBERS)

    def listed(user) -> list:
        rows = client.get("/api/v1/meetings/", headers=auth_headers(user)).json()["results"]
        return [([network["slug"] for network in row["networks"]], row["joint"]) for row in rows]

    assert (listed(joint["partner_member"]), listed(joint["neither"])) == (
        [(["stk-eilendorf", "oag-eilendorf-rothe-erde"], True)],
        [],
    )


def test_api_refuses_partner_the_speaker_does_not_lead(client, joint):
    body = {
        "network": "stk-eilendorf",
        "partner_networks": ["oag-eilendorf-rothe-erde"],
        "title": "Gemeinsame Sitzung",
        "start": in_days(20).isoformat(),
        "end": (in_days(20) + datetime.timedelta(hours=2)).isoformat(),
    }

    response = api_post(client, joint["host_speaker"], "/api/v1/meetings/", body)

    assert response.status_code == 400
    assert "Sie leiten „ÖAG für und mit Senioren in Eilendorf und Rothe Erde“ nicht." in str(response.json())
    assert Meeting.objects.count() == 0


def test_api_partner_speaker_changes_joint_meeting_and_partner_member_sees_internal(client, joint):
    meeting = schedule(joint, visibility=Visibility.MEMBERS)

    response = client.patch(
        f"/api/v1/meetings/{meeting.uid}/",
        {"title": "Von der ÖAG geändert"},
        content_type="application/json",
        headers=auth_headers(joint["partner_speaker"]),
    )
    refused = client.patch(
        f"/api/v1/meetings/{meeting.uid}/",
        {"title": "Nicht erlaubt"},
        content_type="application/json",
        headers=auth_headers(joint["partner_member"]),
    )
    seen = client.get(f"/api/v1/meetings/{meeting.uid}/", headers=auth_headers(joint["partner_member"]))
    hidden = client.get(f"/api/v1/meetings/{meeting.uid}/", headers=auth_headers(joint["neither"]))

    assert response.status_code == 200 and response.json()["title"] == "Von der ÖAG geändert"
    assert refused.status_code == 403
    assert seen.status_code == 200
    assert hidden.status_code == 404


def test_api_patch_with_refused_partner_changes_nothing(client, joint):
    meeting = schedule(joint)

    response = client.patch(
        f"/api/v1/meetings/{meeting.uid}/",
        {"title": "Nicht gespeichert", "partner_networks": ["oag-eilendorf-rothe-erde", "stk-burtscheid"]},
        content_type="application/json",
        headers=auth_headers(joint["partner_speaker"]),
    )

    assert response.status_code == 400
    meeting.refresh_from_db()
    assert meeting.title == "Gemeinsame Sitzung: Älter werden in Eilendorf"
    assert list(meeting.partner_networks.values_list("slug", flat=True)) == ["oag-eilendorf-rothe-erde"]


def test_openapi_schema_describes_the_networks_of_a_meeting(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    meeting = schema["components"]["schemas"]["Meeting"]["properties"]
    assert meeting["networks"]["type"] == "array"
    write = schema["components"]["schemas"]["MeetingWriteRequest"]["properties"]
    assert write["partner_networks"]["type"] == "array"


# --- Staff overview, planning hints, search ----------------------------------------------


def test_staff_overview_counts_joint_meeting_for_the_partner(joint):
    from netzwerk.staff.overview import network_overview

    meeting = schedule(joint)

    rows = {row.network.slug: row for row in network_overview()}

    assert rows["oag-eilendorf-rothe-erde"].next_meeting == meeting.start
    assert rows["stk-eilendorf"].next_meeting == meeting.start
    assert rows["stk-burtscheid"].next_meeting is None


def test_partner_planning_another_meeting_at_the_same_time_is_warned(joint):
    from meetings.conflicts import conflicts_for

    meeting = schedule(joint)

    hints = conflicts_for(network=joint["oag"], slots=[(meeting.start, meeting.end)])

    assert [hint.message for hint in hints if hint.kind == "netzwerk"] == [
        f"Zur selben Zeit tagt dieses Netzwerk schon: „{meeting.title}“ ({meeting.local_start:%d.%m.%Y %H:%M})."
    ]


def test_partner_member_finds_internal_joint_meeting_in_search(client, joint):
    meeting = schedule(joint, visibility=Visibility.MEMBERS, title="Seniorentag intern")

    found = client_for(client, joint["partner_member"]).get("/suche/", {"q": "Seniorentag"}).content.decode()
    client.logout()
    hidden = client_for(client, joint["neither"]).get("/suche/", {"q": "Seniorentag"}).content.decode()

    assert str(meeting.uid) in found
    assert str(meeting.uid) not in hidden


def test_invitation_to_a_partner_member_names_both_networks(joint):
    from notifications.compose import invitation_preview
    from tests.factories import ChannelFactory

    meeting = schedule(joint, status=Meeting.Status.CONFIRMED)
    person = joint["partner_member"].person
    ChannelFactory(person=person)

    _subject, body = invitation_preview(meeting=meeting, person=person, now=timezone.now())

    assert (
        "Netzwerk: Stadtteilkonferenz Eilendorf\nGemeinsam mit: ÖAG für und mit Senioren in Eilendorf und Rothe Erde\n"
    ) in body
