"""The calendar API: what each audience reads, writes through the services, bad input,
constant query counts."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meetings.models import Meeting
from tests.meetings.api_support import build_world, calendar_snapshot
from tests.meetings.factories import AgendaItemFactory, MeetingFactory, in_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def titles(response) -> list[str]:
    return [row["title"] for row in response.json()["results"]]


def post(client, world, role, path, body, method="post"):
    return getattr(client, method)(
        path, data=json.dumps(body), content_type="application/json", headers=world.headers(role)
    )


# --- Reading -------------------------------------------------------------------------


def test_api_meetings_anonymous_sees_public_meetings_and_public_agenda_only(client, world):
    response = client.get("/api/v1/meetings/", {"network": "stk-forst", "series": "", "search": "Sitzung"})

    assert titles(response) == ["Vergangene Sitzung", "Öffentliche Sitzung", "Abgesagte Sitzung"]
    agenda = response.json()["results"][1]["agenda_items"]
    assert [item["title"] for item in agenda] == ["Begrüßung"]


@pytest.mark.parametrize(
    ("role", "sees_internal"), [("member_x", True), ("speaker_x", True), ("speaker_y", False), ("staff", True)]
)
def test_api_meetings_internal_ones_only_for_members_and_staff(client, world, role, sees_internal):
    response = client.get(f"/api/v1/meetings/{world.meeting.uid}/", headers=world.headers(role))
    internal = client.get(f"/api/v1/meetings/{world.internal_meeting.uid}/", headers=world.headers(role))

    assert [item["title"] for item in response.json()["agenda_items"]] == (
        ["Begrüßung", "Haushalt intern"] if sees_internal else ["Begrüßung"]
    )
    assert internal.status_code == (200 if sees_internal else 404)


def test_api_meeting_carries_ical_url_and_stable_uid(client, world):
    response = client.get(f"/api/v1/meetings/{world.meeting.uid}/")

    body = response.json()
    assert body["ical_url"] == f"http://testserver/kalender/termin/{world.meeting.uid}.ics"
    assert (body["uid"], body["sequence"], body["location"]["address"]) == (
        str(world.meeting.uid),
        0,
        "Musterweg 1, 52062 Aachen",
    )


def test_api_meetings_filter_by_date_range_and_status(client, world):
    response = client.get(
        "/api/v1/meetings/",
        {"start_after": in_days(1).isoformat(), "start_before": in_days(20).isoformat(), "status": "abgesagt"},
    )

    assert titles(response) == ["Abgesagte Sitzung"]


def test_api_meetings_range_that_ends_before_it_starts_is_empty(client, world):
    """Both bounds are valid on their own (the schema cannot relate them): an empty window."""
    response = client.get(
        "/api/v1/meetings/", {"start_after": in_days(10).isoformat(), "start_before": in_days(1).isoformat()}
    )

    assert (response.status_code, titles(response)) == (200, [])


def test_api_minutes_draft_only_for_managers_published_per_visibility(client, world):
    path = f"/api/v1/meetings/{world.past_meeting.uid}/minutes/"

    draft_for_member = client.get(path, headers=world.headers("member_x")).status_code
    draft_for_speaker = client.get(path, headers=world.headers("speaker_x")).json()["text"]
    client.post(f"{path}publish/", headers=world.headers("speaker_x"))
    published_for_member = client.get(path, headers=world.headers("member_x")).json()["is_published"]
    published_for_public = client.get(path).status_code

    assert (draft_for_member, draft_for_speaker, published_for_member, published_for_public) == (
        404,
        "Entwurf des Protokolls",
        True,
        404,
    )


def vote_first_option(client, world, answer: str):
    """member_x votes ``answer`` on the poll's first option; returns that option."""
    first = world.poll.options.order_by("pk").first()
    body = {"votes": [{"option": first.pk, "answer": answer}]}
    assert post(client, world, "member_x", f"/api/v1/polls/{world.poll.pk}/vote/", body).status_code == 200
    return first


def test_api_polls_are_never_public(client, world):
    assert client.get("/api/v1/polls/").json()["results"] == []
    assert client.get(f"/api/v1/polls/{world.poll.pk}/").status_code == 404


def test_api_poll_shows_counts_and_my_votes(client, world):
    first = vote_first_option(client, world, "ja")

    response = client.get(f"/api/v1/polls/{world.poll.pk}/", headers=world.headers("member_x"))

    assert response.json()["options"][0]["votes"] == {"ja": 1, "wenn_noetig": 0, "nein": 0}
    assert response.json()["my_votes"] == [{"option": first.pk, "answer": "ja"}]


# --- Writing -------------------------------------------------------------------------


def test_api_series_create_makes_occurrences_and_describes_the_rule(client, world):
    response = post(
        client,
        world,
        "speaker_x",
        "/api/v1/series/",
        {
            "network": "stk-forst",
            "title": "Monatstreffen",
            "rule": "FREQ=MONTHLY;BYDAY=2TU",
            "first_date": (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
            "start_time": "18:30",
            "duration_minutes": 90,
        },
    )

    assert response.status_code == 201
    assert response.json()["rule_description"].startswith("jeden 2. Dienstag im Monat")
    assert Meeting.objects.filter(series_id=response.json()["id"]).count() in {12, 13}


def test_api_meeting_move_raises_sequence_and_keeps_uid(client, world):
    response = post(
        client,
        world,
        "speaker_x",
        f"/api/v1/meetings/{world.meeting.uid}/move/",
        {"start": in_days(16).isoformat(), "end": in_days(16, hour=20).isoformat()},
    )

    assert (response.json()["uid"], response.json()["sequence"]) == (str(world.meeting.uid), 1)
    assert response.json()["moved_from"] is not None


def test_api_answer_is_the_members_own(client, world):
    post(client, world, "member_x", f"/api/v1/meetings/{world.meeting.uid}/answer/", {"answer": "absage"})

    mine = client.get(f"/api/v1/meetings/{world.meeting.uid}/answer/", headers=world.headers("member_x")).json()
    speakers = client.get(f"/api/v1/meetings/{world.meeting.uid}/answer/", headers=world.headers("speaker_x")).json()

    assert (mine["answer"], speakers["answer"]) == ("absage", "")


@pytest.mark.parametrize(
    ("path", "body", "field", "message_part"),
    [
        (
            "/api/v1/meetings/",
            {
                "network": "stk-forst",
                "title": "x",
                "start": "2030-05-05T18:00:00+02:00",
                "end": "2030-05-05T17:00:00+02:00",
            },
            "end",
            "nach dem Beginn",
        ),
        ("/api/v1/meetings/", {"network": "gibt-es-nicht", "title": "x"}, "network", "existiert nicht"),
        (
            "/api/v1/series/",
            {
                "network": "stk-forst",
                "title": "x",
                "rule": "JEDEN DIENSTAG",
                "first_date": "2030-01-01",
                "start_time": "18:00",
                "duration_minutes": 60,
            },
            "rule",
            "",
        ),
        (
            "/api/v1/series/",
            {
                "network": "stk-forst",
                "title": "x",
                "rule": "FREQ=WEEKLY",
                "first_date": "2030-01-01",
                "until": "2029-01-01",
                "start_time": "18:00",
                "duration_minutes": 60,
            },
            "until",
            "vor dem ersten Termin",
        ),
        (
            "/api/v1/polls/",
            {"network": "stk-forst", "title": "x", "deadline": "2030-01-01T12:00:00+01:00", "options": []},
            "options",
            "mindestens einen Terminvorschlag",
        ),
        (
            "/api/v1/polls/",
            {
                "network": "stk-forst",
                "title": "x",
                "deadline": "2030-01-01T12:00:00+01:00",
                "options": [{"start": "2030-02-01T18:00:00+01:00"}],
            },
            "options",
            "ganzer Tag",
        ),
        (
            "/api/v1/agenda-items/",
            {"meeting": "00000000-0000-0000-0000-000000000000", "title": "x"},
            "meeting",
            "gibt es nicht",
        ),
    ],
)
def test_api_bad_write_is_a_400_with_a_german_field_message_and_nothing_written(
    client, world, path, body, field, message_part
):
    before = calendar_snapshot()

    response = post(client, world, "speaker_x", path, body)

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert message_part in json.dumps(response.json(), ensure_ascii=False)
    assert calendar_snapshot() == before


def test_api_edit_of_a_past_meetings_time_is_refused(client, world):
    before = calendar_snapshot()

    response = post(
        client,
        world,
        "speaker_x",
        f"/api/v1/meetings/{world.past_meeting.uid}/",
        {"start": in_days(3).isoformat(), "end": in_days(3, hour=20).isoformat()},
        method="patch",
    )

    assert response.status_code == 400
    assert response.json() == {"start": ["Vergangene Sitzungen können nicht verschoben werden."]}
    assert calendar_snapshot() == before


def test_api_vote_after_the_deadline_is_refused_and_nothing_written(client, world):
    world.poll.deadline = timezone.now() - datetime.timedelta(minutes=1)
    world.poll.save()
    before = calendar_snapshot()
    options = list(world.poll.options.order_by("pk"))

    response = post(
        client,
        world,
        "member_x",
        f"/api/v1/polls/{world.poll.pk}/vote/",
        {"votes": [{"option": options[0].pk, "answer": "ja"}, {"option": options[1].pk, "answer": "nein"}]},
    )

    assert response.status_code == 400
    assert "Die Frist für diese Umfrage ist am" in response.json()["detail"][0]
    assert calendar_snapshot() == before


def test_api_vote_for_an_option_of_another_poll_is_refused(client, world):
    before = calendar_snapshot()

    response = post(
        client,
        world,
        "member_x",
        f"/api/v1/polls/{world.poll.pk}/vote/",
        {"votes": [{"option": 999999, "answer": "ja"}]},
    )

    assert response.status_code == 400
    assert "gehören nicht zu der Umfrage" in response.json()["votes"][0]
    assert calendar_snapshot() == before


# --- Bad input on reads --------------------------------------------------------------

ODD_VALUES = ["\x00", "'; DROP TABLE meetings_meeting; --", "%", "_", "😀 Ümläut ß", "<script>", "a" * 5000, " "]
LISTS = ["meetings", "series", "agenda-items", "polls", "institutions", "people", "memberships", "networks", "areas"]


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("value", ODD_VALUES, ids=lambda v: repr(v[:12]))
def test_api_odd_search_values_are_never_a_500(client, world, name, value):
    filter_name = "search" if name not in {"agenda-items", "polls"} else "network"

    response = client.get(f"/api/v1/{name}/", {filter_name: value}, headers=world.headers("member_x"))

    assert response.status_code in {200, 400}
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize(
    "params",
    [
        {"updated_since": "gestern"},
        {"updated_since": "2026-13-45T99:00"},
        {"page": "-1"},
        {"page": "99999999999999999999"},
        {"page_size": "-5"},
        {"unbekannt": "1"},
        {"x" * 5000: "1"},
        {"series": "99999999999999999999"},
        {"series": "-1"},
    ],
    ids=[
        "date-word",
        "date-invalid",
        "page-negative",
        "page-huge",
        "page-size-negative",
        "unknown",
        "long-name",
        "id-huge",
        "id-negative",
    ],
)
def test_api_bad_list_parameters_are_a_4xx_json_in_german(client, world, name, params):
    response = client.get(f"/api/v1/{name}/", params)

    assert response.status_code in {400, 404}
    body = json.dumps(response.json(), ensure_ascii=False)
    assert any(
        word in body for word in ("Unbekannter Filter", "Ungültige Seite", "gültig", "Datum", "Wert muss", "ganze Zahl")
    )


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/meetings/00000000-0000-0000-0000-000000000000/",
        "/api/v1/meetings/keine-uid/",
        "/api/v1/series/999999/",
        "/api/v1/series/99999999999999999999/",
        "/api/v1/people/-1/",
        "/api/v1/polls/0/",
        "/api/v1/agenda-items/123456789/",
        "/api/v1/institutions/gibt-es-nicht/",
        "/api/v1/networks/gibt-es-nicht/",
        "/api/v1/gibt-es-nicht/",
        "/api/v1/meetings",
    ],
)
def test_api_unknown_ids_are_a_404_json_in_german(client, world, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"] in {
        "Nicht gefunden.",
        "Diese Adresse gibt es in der API nicht. Adressen der API enden mit „/“; siehe /api/docs/.",
    }


def test_api_write_with_a_broken_body_is_a_400(client, world):
    response = client.post(
        "/api/v1/meetings/", data="{kaputt", content_type="application/json", headers=world.headers("speaker_x")
    )

    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


# --- Query counts --------------------------------------------------------------------


def grow_calendar(world, count: int) -> None:
    for _ in range(count):
        meeting = MeetingFactory(network=world.x)
        AgendaItemFactory(meeting=meeting)
        AgendaItemFactory(meeting=meeting, is_public=False)
        internal = MeetingFactory(network=world.x, visibility="mitglieder")
        AgendaItemFactory(meeting=internal)
    from meetings import services

    for index in range(count):
        services.series_create(
            network=world.x,
            title=f"Serie {index}",
            rule="FREQ=YEARLY",
            first_date=timezone.localdate() + datetime.timedelta(days=5),
            start_time=datetime.time(10),
            duration_minutes=60,
        )
        services.poll_create(
            network=world.x,
            title=f"Umfrage {index}",
            options=[{"start": in_days(40), "end": in_days(40, hour=20)}],
            deadline=in_days(20),
        )


@pytest.mark.parametrize("role", ["anonymous", "member_x", "staff"])
@pytest.mark.parametrize("name", ["meetings", "series", "agenda-items", "polls"])
def test_api_calendar_list_query_count_does_not_grow(client, world, name, role):
    headers = world.headers(role)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/api/v1/{name}/", headers=headers).status_code == 200
    grow_calendar(world, 15)
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/api/v1/{name}/", headers=headers)

    assert response.status_code == 200
    assert response.json()["count"] > 15 or role == "anonymous"
    assert len(many) == len(few)


def test_api_attendances_query_count_does_not_grow(client, world):
    from contacts.models import Membership
    from tests.factories import MembershipFactory
    from tests.meetings.factories import AttendanceFactory

    path = f"/api/v1/meetings/{world.meeting.uid}/attendances/"
    AttendanceFactory(meeting=world.meeting, person=world.users["member_x"].person)
    headers = world.headers("speaker_x")
    with CaptureQueriesContext(connection) as few:
        client.get(path, headers=headers)
    for _ in range(10):
        AttendanceFactory(
            meeting=world.meeting, person=MembershipFactory(network=world.x, role=Membership.Role.MEMBER).person
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(path, headers=headers)

    assert len(response.json()) == 11
    assert len(many) == len(few), "\n".join(q["sql"] for q in many.captured_queries)


@pytest.mark.parametrize("role", ["anonymous", "speaker_x"])
def test_api_options_and_head_are_never_a_500(client, world, role):
    paths = [
        "/api/v1/meetings/",
        f"/api/v1/meetings/{world.meeting.uid}/",
        f"/api/v1/meetings/{world.meeting.uid}/minutes/",
        f"/api/v1/meetings/{world.meeting.uid}/answer/",
        f"/api/v1/series/{world.series.pk}/",
        f"/api/v1/agenda-items/{world.agenda_item.pk}/",
        "/api/v1/polls/",
        "/api/v1/token/",
    ]

    statuses = {path: client.options(path, headers=world.headers(role)).status_code for path in paths}
    heads = {path: client.head(path, headers=world.headers(role)).status_code for path in paths}

    assert all(code < 500 for code in [*statuses.values(), *heads.values()]), (statuses, heads)


def test_api_poll_answers_matrix_projects_people_for_the_speaker(client, world):
    first = vote_first_option(client, world, "nein")

    rows = client.get(f"/api/v1/polls/{world.poll.pk}/answers/", headers=world.headers("speaker_x")).json()

    by_person = {row["person"]["id"]: row for row in rows}
    member = by_person[world.users["member_x"].person.pk]
    # Without a consent the name stays hidden even from the speaker; the answer is there.
    assert (member["person"]["name"], member["votes"]) == (None, {str(first.pk): "nein"})
    assert len(rows) == 2


def test_api_poll_answers_query_count_does_not_grow(client, world):
    from contacts.models import Membership
    from meetings.models import DatePollVote
    from tests.factories import MembershipFactory

    path = f"/api/v1/polls/{world.poll.pk}/answers/"
    option = world.poll.options.order_by("pk").first()
    headers = world.headers("speaker_x")
    with CaptureQueriesContext(connection) as few:
        client.get(path, headers=headers)
    for _ in range(10):
        person = MembershipFactory(network=world.x, role=Membership.Role.MEMBER).person
        DatePollVote.objects.create(option=option, person=person, answer="ja")
    with CaptureQueriesContext(connection) as many:
        response = client.get(path, headers=headers)

    assert len(response.json()) == 12
    assert len(many) == len(few)


@pytest.mark.parametrize("name", ["meetings", "series", "polls"])
def test_api_create_with_a_nul_in_the_network_is_a_400_not_a_500(client, world, name):
    """PostgreSQL refuses a NUL in a text parameter; the value never reaches it."""
    response = client.post(
        f"/api/v1/{name}/",
        {"network": "stk\x00forst"},
        content_type="application/json",
        headers=world.headers("speaker_x"),
    )

    assert response.status_code == 400
    assert "network" in response.json()
