"""Text people type is untrusted and can be large (issue 12 #1, #10, #14; issue 11 §2):
Markdown rendered once in linear time and stored, caps on every free-text field, titles
on one line, dates in a sane range."""

import datetime
import importlib
import json
import time

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.markdown import MAX_DEPTH, render_markdown
from meetings.models import AGENDA_TEXT_MAX_LENGTH, AgendaItem, DatePoll, Meeting, MeetingSeries, Minutes
from tests.meetings.api_support import build_world
from tests.meetings.factories import MeetingFactory, in_days
from tests.meetings.web_cast import cast_create

pytestmark = pytest.mark.django_db

ADVERSARIAL = {
    "brackets": "[" * 200_000,
    "image brackets": "![" * 100_000,
    "open links": "[a](" * 50_000,
    "emphasis": "*a " * 66_000,
    "quotes": ">" * 200_000,
    "backticks": "".join("`" * n + " " for n in range(1, 630)),
}


@pytest.fixture
def world():
    return build_world()


def post(client, world, role, path, body, method="post"):
    return getattr(client, method)(
        path, data=json.dumps(body), content_type="application/json", headers=world.headers(role)
    )


# --- Markdown -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ADVERSARIAL)
def test_render_markdown_of_200_kb_adversarial_input_takes_well_under_a_second(name):
    # Python-Markdown needed 30 s for 20,000 "["; the bound is loose on purpose (a shared,
    # loaded machine), the figure itself is in ``python -m bench.markdown``.
    text = ADVERSARIAL[name]

    started = time.perf_counter()
    render_markdown(text)
    elapsed = time.perf_counter() - started

    assert elapsed < 1.0


def test_render_markdown_nested_deeper_than_the_limit_is_plain_text():
    html = render_markdown("> " * (MAX_DEPTH + 5) + "tief")

    assert html == "<p>" + "&gt; " * (MAX_DEPTH + 5) + "tief</p>"


def test_render_markdown_keeps_headings_emphasis_and_numbered_lists():
    html = render_markdown("### Bericht\n\n3. drei\n4. vier\n\n*kursiv*")

    assert html == '<h3>Bericht</h3>\n<ol start="3">\n<li>drei</li>\n<li>vier</li>\n</ol>\n<p><em>kursiv</em></p>\n'


def test_meeting_page_shows_the_stored_html_without_rendering_again(client):
    meeting = MeetingFactory()
    item = services.agenda_item_add(meeting=meeting, title="Bericht", text="**fett**")
    # Whatever is stored is what the page shows: no Markdown is parsed on a page view.
    AgendaItem.objects.filter(pk=item.pk).update(text_html="<p>gespeichert</p>")

    page = client.get(reverse("meetings:meeting_detail", args=[meeting.uid])).content.decode()

    assert ("<p>gespeichert</p>" in page, "<strong>fett</strong>" in page) == (True, False)


def test_agenda_item_update_renders_the_new_text():
    item = services.agenda_item_add(meeting=MeetingFactory(), title="Bericht", text="alt")

    services.agenda_item_update(item=item, text="- neu")

    assert AgendaItem.objects.get(pk=item.pk).text_html == "<ul>\n<li>neu</li>\n</ul>\n"


def test_minutes_save_stores_sanitised_html():
    meeting = MeetingFactory(start=in_days(-1), end=in_days(-1, hour=20))

    minutes = services.minutes_save(meeting=meeting, text="**Beschluss** <img src=x onerror=alert(1)>")

    assert Minutes.objects.get(pk=minutes.pk).text_html == "<p><strong>Beschluss</strong> </p>\n"


def test_api_lists_agenda_html_as_stored(client, world):
    AgendaItem.objects.filter(pk=world.agenda_item.pk).update(text="x", text_html="<p>gespeichert</p>")

    response = client.get("/api/v1/agenda-items/", {"meeting": str(world.meeting.uid)})

    assert [row["text_html"] for row in response.json()["results"]] == ["<p>gespeichert</p>"]


def test_poll_description_is_markdown_on_the_page_and_in_the_api(client, world):
    poll = services.poll_create(
        network=world.x,
        title="Sommerfest",
        description="Bitte **bis Freitag** abstimmen.\n\n- Ort: Park",
        options=[{"day": timezone.localdate() + datetime.timedelta(days=40)}],
        deadline=in_days(10),
    )
    client.force_login(world.users["member_x"])

    page = client.get(reverse("meetings:poll_detail", args=[poll.pk])).content.decode()
    api = client.get(f"/api/v1/polls/{poll.pk}/").json()

    expected = "<p>Bitte <strong>bis Freitag</strong> abstimmen.</p>\n<ul>\n<li>Ort: Park</li>\n</ul>\n"
    assert expected in page
    assert api["description_html"] == expected


def test_data_migration_renders_existing_rows():
    meeting = MeetingFactory(start=in_days(-1), end=in_days(-1, hour=20))
    item = AgendaItem.objects.create(meeting=meeting, position=1, title="Alt", text="**alt**")
    minutes = Minutes.objects.create(meeting=meeting, text="_Protokoll_")
    migration = importlib.import_module("meetings.migrations.0008_stored_markdown_html_and_text_caps")

    migration.render_stored_html(apps, None)

    item.refresh_from_db()
    minutes.refresh_from_db()
    assert (item.text_html, minutes.text_html) == ("<p><strong>alt</strong></p>\n", "<p><em>Protokoll</em></p>\n")


# --- Caps ---------------------------------------------------------------------------


def test_agenda_form_refuses_text_over_the_cap_in_german(client):
    cast = cast_create()
    meeting = MeetingFactory(network=cast.network)
    client.force_login(cast.speaker)

    response = client.post(
        reverse("meetings:agenda_add", args=[meeting.uid]),
        {"top-title": "Lang", "top-text": "[" * (AGENDA_TEXT_MAX_LENGTH + 1)},
    )

    assert response.status_code == 400
    # Django's own German message (its wording is the catalogue's business).
    [message] = response.context["agenda_form"].errors["text"]
    assert "höchstens 20000 Zeichen" in message
    assert AgendaItem.objects.count() == 0


@pytest.mark.parametrize(
    ("path", "field", "limit"),
    [("/api/v1/agenda-items/", "text", 20_000), ("/api/v1/polls/", "description", 5_000)],
)
def test_api_refuses_text_over_the_cap(client, world, path, field, limit):
    body = {
        "network": "stk-forst",
        "meeting": str(world.meeting.uid),
        "title": "Lang",
        "deadline": in_days(5).isoformat(),
        "options": [{"day": (timezone.localdate() + datetime.timedelta(days=9)).isoformat()}],
        field: "x" * (limit + 1),
    }

    response = post(client, world, "speaker_x", path, body)

    # DRF's own German message (its wording is the catalogue's business).
    [message] = response.json()[field]
    assert (response.status_code, f"nicht mehr als {limit} Zeichen" in message) == (400, True)


def test_agenda_item_service_refuses_text_over_the_cap():
    meeting = MeetingFactory()

    with pytest.raises(Exception) as raised:
        services.agenda_item_add(meeting=meeting, title="Lang", text="x" * (AGENDA_TEXT_MAX_LENGTH + 1))

    assert list(raised.value.message_dict) == ["text"]
    assert AgendaItem.objects.count() == 0


# --- Single-line titles -------------------------------------------------------------


def test_api_meeting_title_loses_bidi_and_zero_width_characters(client, world):
    body = {
        "network": "stk-forst",
        "title": "\u202eSitzung\u200b im\u2066 Park\ufeff",
        "start": in_days(20).isoformat(),
        "end": in_days(20, hour=20).isoformat(),
    }

    response = post(client, world, "speaker_x", "/api/v1/meetings/", body)

    assert response.status_code == 201
    assert Meeting.objects.get(uid=response.json()["uid"]).title == "Sitzung im Park"


@pytest.mark.parametrize("title", ["Sitzung\r\nBcc: alle@example.org", "Sitzung\nDESCRIPTION:x", "Tab\tTitel"])
def test_api_meeting_title_with_control_characters_is_a_400_in_german(client, world, title):
    body = {
        "network": "stk-forst",
        "title": title,
        "start": in_days(20).isoformat(),
        "end": in_days(20, hour=20).isoformat(),
    }

    response = post(client, world, "speaker_x", "/api/v1/meetings/", body)

    assert response.status_code == 400
    assert response.json()["title"] == ["Bitte ohne Zeilenumbrüche, Tabulatoren oder andere Steuerzeichen eingeben."]


def test_agenda_form_title_loses_invisible_characters_and_refuses_line_breaks(client):
    cast = cast_create()
    meeting = MeetingFactory(network=cast.network)
    client.force_login(cast.speaker)
    add = reverse("meetings:agenda_add", args=[meeting.uid])

    client.post(add, {"top-title": "\u200fBegrüßung\u202c"})
    refused = client.post(add, {"top-title": "Begrüßung\r\nX-Header: 1"})

    assert list(AgendaItem.objects.values_list("title", flat=True)) == ["Begrüßung"]
    assert refused.status_code == 400


def test_series_service_refuses_a_title_with_a_line_break():
    network = MeetingFactory().network

    with pytest.raises(Exception) as raised:
        services.series_create(
            network=network,
            title="Treffen\nSUMMARY:x",
            rule="FREQ=WEEKLY",
            first_date=timezone.localdate(),
            start_time=datetime.time(18),
            duration_minutes=60,
        )

    assert list(raised.value.message_dict) == ["title"]
    assert MeetingSeries.objects.count() == 0


# --- Dates --------------------------------------------------------------------------

YEAR_MESSAGE = ["Bitte ein Datum zwischen den Jahren 1900 und 2200 angeben."]


@pytest.mark.parametrize("first_date", ["9999-12-31", "0001-01-01"])
def test_api_series_starting_in_an_implausible_year_is_a_400(client, world, first_date):
    body = {
        "network": "stk-forst",
        "title": "Fern",
        "rule": "FREQ=WEEKLY",
        "first_date": first_date,
        "start_time": "18:00",
        "duration_minutes": 60,
    }

    response = post(client, world, "speaker_x", "/api/v1/series/", body)

    assert (response.status_code, response.json()["first_date"]) == (400, YEAR_MESSAGE)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("9999-12-31T22:00:00+00:00", "9999-12-31T23:00:00+00:00"),
        ("0001-01-01T10:00:00+00:00", "0001-01-01T11:00:00+00:00"),
    ],
)
def test_api_meeting_in_an_implausible_year_is_a_400(client, world, start, end):
    body = {"network": "stk-forst", "title": "Fern", "start": start, "end": end}

    response = post(client, world, "speaker_x", "/api/v1/meetings/", body)

    assert (response.status_code, response.json()["start"]) == (400, YEAR_MESSAGE)


def test_series_form_starting_in_year_9999_is_a_field_error(client):
    cast = cast_create()
    client.force_login(cast.speaker)

    response = client.post(
        reverse("meetings:series_create", args=[cast.network.slug]),
        {
            "title": "Fern",
            "frequency": "woechentlich",
            "weekday": "1",
            "first_date": "9999-12-31",
            "start_time": "18:00",
            "duration_minutes": "60",
            "visibility": "oeffentlich",
        },
    )

    assert response.status_code == 400
    assert response.context["form"].errors["first_date"] == YEAR_MESSAGE
    assert DatePoll.objects.count() == MeetingSeries.objects.count() == 0


@pytest.mark.parametrize(
    "value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59+00:00", "9999-12-31T23:00:00-05:00"]
)
@pytest.mark.parametrize("parameter", ["updated_since", "start_after"])
def test_api_meeting_filter_with_an_implausible_year_is_a_400(client, value, parameter):
    response = client.get("/api/v1/meetings/", {parameter: value})

    assert response.status_code == 400
    assert response.json()[parameter] == YEAR_MESSAGE
