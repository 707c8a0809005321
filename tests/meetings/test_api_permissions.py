"""Every write operation of the calendar API against every kind of requester.

Only the speakers of network X and Sozialplanung staff change X's calendar; members of X
answer and vote; nobody else. A refusal leaves every calendar table exactly as it was.
"""

import datetime
import json

import pytest
from django.utils import timezone

from meetings import services
from meetings.models import DatePoll
from tests.meetings.api_support import ROLES, build_world, calendar_snapshot
from tests.meetings.documents_support import upload
from tests.meetings.factories import in_days

pytestmark = pytest.mark.django_db

MANAGERS = {"speaker_x", "staff"}
ANSWERERS = {"member_x", "speaker_x"}


def soon(days: int, hour: int = 18) -> str:
    return in_days(days, hour=hour).isoformat()


# name: (method, path, body, roles allowed, success status)
OPERATIONS = {
    "series_create": (
        "post",
        lambda w: "/api/v1/series/",
        lambda w: {
            "network": w.x.slug,
            "title": "Neue Serie",
            "rule": "FREQ=MONTHLY;BYDAY=1WE",
            "first_date": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
            "start_time": "17:00",
            "duration_minutes": 120,
        },
        MANAGERS,
        201,
    ),
    "series_update": (
        "patch",
        lambda w: f"/api/v1/series/{w.series.pk}/",
        lambda w: {"title": "Umbenannt"},
        MANAGERS,
        200,
    ),
    "series_cancel_from": (
        "post",
        lambda w: f"/api/v1/series/{w.series.pk}/cancel-from/",
        lambda w: {"day": (timezone.localdate() + datetime.timedelta(days=40)).isoformat()},
        MANAGERS,
        200,
    ),
    "meeting_create": (
        "post",
        lambda w: "/api/v1/meetings/",
        lambda w: {"network": w.x.slug, "title": "Sondersitzung", "start": soon(5), "end": soon(5, 20)},
        MANAGERS,
        201,
    ),
    "meeting_update": (
        "patch",
        lambda w: f"/api/v1/meetings/{w.meeting.uid}/",
        lambda w: {"title": "Neuer Titel"},
        MANAGERS,
        200,
    ),
    "meeting_move": (
        "post",
        lambda w: f"/api/v1/meetings/{w.meeting.uid}/move/",
        lambda w: {"start": soon(15), "end": soon(15, 20)},
        MANAGERS,
        200,
    ),
    "meeting_cancel": ("post", lambda w: f"/api/v1/meetings/{w.meeting.uid}/cancel/", lambda w: {}, MANAGERS, 200),
    "meeting_restore": (
        "post",
        lambda w: f"/api/v1/meetings/{w.cancelled_meeting.uid}/restore/",
        lambda w: {},
        MANAGERS,
        200,
    ),
    "agenda_item_add": (
        "post",
        lambda w: "/api/v1/agenda-items/",
        lambda w: {"meeting": str(w.meeting.uid), "title": "Verschiedenes"},
        MANAGERS,
        201,
    ),
    "agenda_item_update": (
        "patch",
        lambda w: f"/api/v1/agenda-items/{w.agenda_item.pk}/",
        lambda w: {"title": "Begrüßung und Vorstellung"},
        MANAGERS,
        200,
    ),
    "agenda_item_remove": (
        "delete",
        lambda w: f"/api/v1/agenda-items/{w.agenda_item.pk}/",
        lambda w: None,
        MANAGERS,
        204,
    ),
    "minutes_save": (
        "put",
        lambda w: f"/api/v1/meetings/{w.past_meeting.uid}/minutes/",
        lambda w: {"text": "Protokoll: alle Einrichtungen berichten."},
        MANAGERS,
        200,
    ),
    "minutes_publish": (
        "post",
        lambda w: f"/api/v1/meetings/{w.past_meeting.uid}/minutes/publish/",
        lambda w: {},
        MANAGERS,
        200,
    ),
    "presence_record": (
        "post",
        lambda w: f"/api/v1/meetings/{w.past_meeting.uid}/presence/",
        lambda w: {"person": w.users["member_x"].person.pk, "presence": "anwesend"},
        MANAGERS,
        200,
    ),
    "minutes_from_agenda": (
        "post",
        lambda w: f"/api/v1/meetings/{w.past_meeting.uid}/minutes/from-agenda/",
        lambda w: {"replace": True},
        MANAGERS,
        200,
    ),
    "guest_list": (
        "get",
        lambda w: f"/api/v1/meetings/{w.meeting.uid}/guests/",
        lambda w: None,
        MANAGERS,
        200,
    ),
    "attendances_list": (
        "get",
        lambda w: f"/api/v1/meetings/{w.meeting.uid}/attendances/",
        lambda w: None,
        MANAGERS,
        200,
    ),
    "poll_answers": (
        "get",
        lambda w: f"/api/v1/polls/{w.poll.pk}/answers/",
        lambda w: None,
        MANAGERS,
        200,
    ),
    "poll_create": (
        "post",
        lambda w: "/api/v1/polls/",
        lambda w: {
            "network": w.x.slug,
            "title": "Sommerfest",
            "deadline": soon(5, 12),
            "options": [
                {"start": soon(20), "end": soon(20, 20)},
                {"day": (timezone.localdate() + datetime.timedelta(days=22)).isoformat()},
            ],
        },
        MANAGERS,
        201,
    ),
    "poll_close": (
        "post",
        lambda w: f"/api/v1/polls/{w.poll.pk}/close/",
        lambda w: {"option": w.poll.options.order_by("pk").first().pk},
        MANAGERS,
        201,
    ),
    "document_add": (
        "post",
        lambda w: f"/api/v1/meetings/{w.meeting.uid}/documents/",
        lambda w: {"file": upload("Einladung.pdf"), "kind": "einladung"},
        MANAGERS,
        201,
    ),
    "document_update": (
        "patch",
        lambda w: f"/api/v1/meetings/{w.meeting.uid}/documents/{w.document.pk}/",
        lambda w: {"title": "Vorlage (neu)"},
        MANAGERS,
        200,
    ),
    "attendance_answer": (
        "post",
        lambda w: f"/api/v1/meetings/{w.meeting.uid}/answer/",
        lambda w: {"answer": "zusage", "note": "komme etwas später"},
        ANSWERERS,
        200,
    ),
    "poll_vote": (
        "post",
        lambda w: f"/api/v1/polls/{w.poll.pk}/vote/",
        lambda w: {"votes": [{"option": w.poll.options.order_by("pk").first().pk, "answer": "ja"}]},
        ANSWERERS,
        200,
    ),
}

# Staff may answer and vote by the rules, but is no member of X: the service refuses (400).
REFUSED_BY_SERVICE = {("attendance_answer", "staff"), ("poll_vote", "staff")}


# Polls are never public: to a non-member an existing poll looks like a missing one.
HIDDEN_FROM_SPEAKER_Y = {"poll_answers", "poll_close", "poll_vote"}


def denied_status(operation: str, role: str) -> int:
    if role == "anonymous":
        return 401
    if role == "speaker_y" and operation in HIDDEN_FROM_SPEAKER_Y:
        return 404
    return 403


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world()
    world.document = services.document_add(meeting=world.meeting, file=upload("Vorlage.pdf"))
    return world


def send(client, world, role, method, path, body):
    kwargs = {"headers": world.headers(role)}
    if body is not None and any(hasattr(value, "read") for value in body.values()):
        kwargs.update(data=body)  # a file: multipart/form-data
    elif body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client, method)(path, **kwargs)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_api_write_permission_matrix(client, world, operation, role):
    method, path, body, allowed, success = OPERATIONS[operation]
    before = calendar_snapshot()

    response = send(client, world, role, method, path(world), body(world))

    if (operation, role) in REFUSED_BY_SERVICE:
        assert response.status_code == 400, response.content
        assert calendar_snapshot() == before
    elif role in allowed:
        assert response.status_code == success, response.content
        if method != "get":
            assert calendar_snapshot() != before
    else:
        assert response.status_code == denied_status(operation, role), response.content
        assert response.json()["detail"]
        assert calendar_snapshot() == before


def test_api_write_permission_matrix_covers_every_write_route(client):
    """A new write route without a row in the matrix fails here."""
    from netzwerk.api.urls import router

    write_actions = set()
    for prefix, viewset, _basename in router.registry:
        if not prefix.startswith(("meetings", "series", "agenda-items", "polls")):
            continue
        for name in ("create", "partial_update", "update", "destroy"):
            if hasattr(viewset, name):
                write_actions.add((prefix, name))
        for extra in viewset.get_extra_actions():
            write_actions.add((prefix, extra.__name__))
    covered = {
        ("series", "create"), ("series", "partial_update"), ("series", "cancel_from"),
        ("meetings", "create"), ("meetings", "partial_update"), ("meetings", "move"), ("meetings", "cancel"),
        ("meetings", "restore"), ("meetings", "minutes"), ("meetings", "minutes_publish"), ("meetings", "presence"),
        ("meetings", "attendances"), ("meetings", "answer"), ("meetings", "documents"), ("meetings", "document"),
        ("meetings", "minutes_from_agenda"), ("meetings", "guests"), ("meetings", "register"),
        ("agenda-items", "create"), ("agenda-items", "partial_update"), ("agenda-items", "destroy"),
        ("polls", "create"), ("polls", "close"), ("polls", "vote"), ("polls", "answers"),
    }  # fmt: skip

    # Registering as a guest is open to everyone (its matrix: tests/meetings/test_guests.py).
    open_to_everyone = {("meetings", "register")}

    assert write_actions == covered
    assert len(OPERATIONS) == len(covered - open_to_everyone)


def test_api_internal_meeting_of_another_network_is_a_404_for_writes(client, world):
    before = calendar_snapshot()

    response = send(
        client, world, "speaker_y", "patch", f"/api/v1/meetings/{world.internal_meeting.uid}/", {"title": "x"}
    )

    assert response.status_code == 404
    assert calendar_snapshot() == before


def test_api_poll_close_creates_the_meeting_and_closes_the_poll(client, world):
    option = world.poll.options.order_by("pk").first()

    response = send(client, world, "speaker_x", "post", f"/api/v1/polls/{world.poll.pk}/close/", {"option": option.pk})

    world.poll.refresh_from_db()
    assert response.status_code == 201
    assert (world.poll.status, str(world.poll.meeting.uid)) == (DatePoll.Status.CLOSED, response.json()["uid"])
    assert response.json()["visibility"] == "mitglieder"
