"""Every write operation of the speakers' and members' pages against every kind of visitor.

Roles: anonymous, member of X, speaker of X, speaker of Y, Sozialplanung staff. Expected:
anonymous → the login; speakers of X and staff change X's things; members of X answer and
vote (as does the speaker of X, who is a member too); everyone else is refused with a
German 403 or 404 — and a refused request writes nothing.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.models import AgendaItem, Attendance, DatePoll, DatePollVote, Meeting, MeetingSeries, Minutes
from tests.meetings.factories import AgendaItemFactory, DatePollFactory, DatePollOptionFactory, MeetingFactory
from tests.meetings.web_cast import cast_create

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "member", "speaker", "other_speaker", "staff"]
MANAGE = {"speaker", "staff"}
ANSWER = {"member", "speaker"}


def _future_day(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def _meeting_form(**changes) -> dict:
    data = {
        "title": "Sitzung",
        "day": _future_day(30),
        "start_time": "18:00",
        "end_time": "19:30",
        "visibility": "oeffentlich",
        "status": "geplant",
        "address": "Markt 1",
        "aktion": "speichern",
    }
    data.update(changes)
    return data


def _series_form() -> dict:
    return {
        "title": "Serie",
        "frequency": "monatlich",
        "weekday": "1",
        "ordinal": "2",
        "first_date": _future_day(1),
        "start_time": "18:30",
        "duration_minutes": "90",
        "count": "2",
        "visibility": "oeffentlich",
        "aktion": "speichern",
    }


def _series(cast):
    return services.series_create(
        network=cast.network,
        title="Serie",
        rule="FREQ=WEEKLY;BYDAY=MO",
        first_date=timezone.localdate() + datetime.timedelta(days=1),
        start_time=datetime.time(18, 0),
        duration_minutes=60,
        count=3,
    )


def _past_meeting(cast):
    start = timezone.now() - datetime.timedelta(days=1)
    return MeetingFactory(network=cast.network, start=start, end=start + datetime.timedelta(hours=1))


def op_meeting_create(cast):
    return reverse("meetings:meeting_create", args=[cast.network.slug]), _meeting_form()


def op_series_create(cast):
    return reverse("meetings:series_create", args=[cast.network.slug]), _series_form()


def op_series_edit(cast):
    series = _series(cast)
    return reverse("meetings:series_edit", args=[series.pk]), {**_series_form(), "title": "Neu"}


def op_series_cancel(cast):
    series = _series(cast)
    return reverse("meetings:series_cancel", args=[series.pk]), {"absage-day": _future_day(2)}


def op_meeting_edit(cast):
    meeting = MeetingFactory(network=cast.network, address="Markt 1")
    return reverse("meetings:meeting_edit", args=[meeting.uid]), _meeting_form(title="Geändert")


def op_meeting_cancel(cast):
    return reverse("meetings:meeting_cancel", args=[MeetingFactory(network=cast.network).uid]), {}


def op_meeting_restore(cast):
    meeting = MeetingFactory(network=cast.network, status=Meeting.Status.CANCELLED)
    return reverse("meetings:meeting_restore", args=[meeting.uid]), {}


def op_agenda_add(cast):
    meeting = MeetingFactory(network=cast.network)
    return reverse("meetings:agenda_add", args=[meeting.uid]), {"top-title": "TOP", "top-is_public": "on"}


def op_agenda_edit(cast):
    item = AgendaItemFactory(meeting=MeetingFactory(network=cast.network))
    return reverse("meetings:agenda_edit", args=[item.meeting.uid, item.pk]), {"title": "Neu", "is_public": "on"}


def op_agenda_remove(cast):
    item = AgendaItemFactory(meeting=MeetingFactory(network=cast.network))
    return reverse("meetings:agenda_remove", args=[item.meeting.uid, item.pk]), {}


def op_agenda_move(cast):
    meeting = MeetingFactory(network=cast.network)
    AgendaItemFactory(meeting=meeting, position=1)
    item = AgendaItemFactory(meeting=meeting, position=2)
    return reverse("meetings:agenda_move", args=[meeting.uid, item.pk]), {"richtung": "hoch"}


def op_minutes_save(cast):
    meeting = _past_meeting(cast)
    upload = SimpleUploadedFile("p.txt", b"Protokoll", content_type="text/plain")
    data = {"protokoll-text": "Text", "protokoll-visibility": "mitglieder", "protokoll-file": upload}
    return reverse("meetings:minutes_save", args=[meeting.uid]), data


def op_minutes_publish(cast):
    meeting = _past_meeting(cast)
    Minutes.objects.create(meeting=meeting, text="Entwurf")
    return reverse("meetings:minutes_publish", args=[meeting.uid]), {}


def op_agenda_result(cast):
    item = AgendaItemFactory(meeting=_past_meeting(cast), position=1)
    return reverse("meetings:agenda_result", args=[item.meeting.uid, item.pk]), {"result": "Beschlossen."}


def op_minutes_from_agenda(cast):
    meeting = _past_meeting(cast)
    AgendaItemFactory(meeting=meeting, position=1, result="Beschlossen.")
    return reverse("meetings:minutes_from_agenda", args=[meeting.uid]), {}


def op_minutes_notify_again(cast):
    meeting = _past_meeting(cast)
    Minutes.objects.create(meeting=meeting, text="Text", published_at=timezone.now(), notice_version=1)
    return reverse("meetings:minutes_publish", args=[meeting.uid]), {"erneut": "1"}


def op_meeting_presence(cast):
    meeting = _past_meeting(cast)
    return reverse("meetings:meeting_presence", args=[meeting.uid]), {
        f"anwesenheit-{cast.member_person.pk}": "anwesend"
    }


def op_meeting_answer(cast):
    meeting = MeetingFactory(network=cast.network)
    return reverse("meetings:meeting_answer", args=[meeting.uid]), {"answer": "zusage", "note": ""}


def op_poll_create(cast):
    data = {
        "title": "Umfrage",
        "deadline_day": _future_day(5),
        "deadline_time": "12:00",
        "vorschlag-TOTAL_FORMS": "1",
        "vorschlag-INITIAL_FORMS": "0",
        "vorschlag-0-day": _future_day(10),
    }
    return reverse("meetings:poll_create", args=[cast.network.slug]), data


def op_poll_vote(cast):
    option = DatePollOptionFactory(poll=DatePollFactory(network=cast.network))
    return reverse("meetings:poll_vote", args=[option.poll.pk]), {f"option-{option.pk}": "ja"}


def op_poll_close(cast):
    option = DatePollOptionFactory(poll=DatePollFactory(network=cast.network))
    data = {"abschluss-option": str(option.pk), "abschluss-visibility": "mitglieder"}
    return reverse("meetings:poll_close", args=[option.poll.pk]), data


OPERATIONS = {
    op_meeting_create: MANAGE,
    op_series_create: MANAGE,
    op_series_edit: MANAGE,
    op_series_cancel: MANAGE,
    op_meeting_edit: MANAGE,
    op_meeting_cancel: MANAGE,
    op_meeting_restore: MANAGE,
    op_agenda_add: MANAGE,
    op_agenda_edit: MANAGE,
    op_agenda_remove: MANAGE,
    op_agenda_move: MANAGE,
    op_minutes_save: MANAGE,
    op_minutes_publish: MANAGE,
    op_agenda_result: MANAGE,
    op_minutes_from_agenda: MANAGE,
    op_minutes_notify_again: MANAGE,
    op_meeting_presence: MANAGE,
    op_poll_create: MANAGE,
    op_poll_close: MANAGE,
    op_meeting_answer: ANSWER,
    op_poll_vote: ANSWER,
}


def snapshot() -> tuple:
    """Everything a write operation could change."""
    return (
        list(Meeting.objects.order_by("pk").values_list("pk", "title", "status", "sequence", "start")),
        list(MeetingSeries.objects.order_by("pk").values_list("pk", "title", "cancelled_from")),
        list(AgendaItem.objects.order_by("pk").values_list("pk", "title", "position", "is_public", "result")),
        list(Minutes.objects.order_by("pk").values_list("pk", "text", "file", "published_at", "notice_version")),
        list(Attendance.objects.order_by("pk").values_list("pk", "answer", "presence")),
        list(DatePoll.objects.order_by("pk").values_list("pk", "status")),
        list(DatePollVote.objects.order_by("pk").values_list("pk", "answer")),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", list(OPERATIONS), ids=lambda op: op.__name__.removeprefix("op_"))
def test_web_write_permissions(client, role, operation, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cast = cast_create()
    url, data = operation(cast)
    user = cast.user(role)
    if user is not None:
        client.force_login(user)
    before = snapshot()

    response = client.post(url, data)

    after = snapshot()
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("contacts:login"))
        assert after == before
    elif role in OPERATIONS[operation]:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert not response["Location"].startswith(reverse("contacts:login"))
        assert after != before
    else:
        assert response.status_code in (403, 404)
        assert ("Kein Zugriff" if response.status_code == 403 else "nicht gefunden") in response.content.decode()
        assert after == before


@pytest.mark.parametrize("role", ROLES)
def test_member_list_permissions(client, role):
    cast = cast_create()
    user = cast.user(role)
    if user is not None:
        client.force_login(user)

    response = client.get(reverse("meetings:network_members", args=[cast.network.slug]))

    expected = {"anonymous": 302, "member": 403, "speaker": 200, "other_speaker": 403, "staff": 200}[role]
    assert response.status_code == expected


@pytest.mark.parametrize("page", ["series_edit", "agenda_edit"])
def test_web_other_networks_series_and_agenda_items_answer_404_like_missing_ones(client, page):
    cast = cast_create()
    if page == "series_edit":
        existing = reverse("meetings:series_edit", args=[_series(cast).pk])
        missing = reverse("meetings:series_edit", args=[999999])
    else:
        item = AgendaItemFactory(meeting=MeetingFactory(network=cast.network))
        existing = reverse("meetings:agenda_edit", args=[item.meeting.uid, item.pk])
        missing = reverse("meetings:agenda_edit", args=[item.meeting.uid, 999999])
    client.force_login(cast.other_speaker)

    statuses = (client.get(existing).status_code, client.get(missing).status_code)

    assert statuses == (404, 404)
