"""Planning in the browser without JavaScript: single meetings, the rule builder with its
preview, series edits and cancellation, one occurrence's changes, agenda and minutes."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.forms import SeriesForm, builder_from_rule
from meetings.models import AgendaItem, Meeting, MeetingSeries, Minutes
from tests.meetings.factories import MeetingFactory
from tests.meetings.web_cast import cast_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return cast_create()


@pytest.fixture
def speaker_client(client, cast):
    client.force_login(cast.speaker)
    return client


def series_data(**changes) -> dict:
    data = {
        "title": "Stadtteilkonferenz",
        "frequency": "monatlich",
        "weekday": "1",
        "ordinal": "2",
        "interval": "",
        "rule": "",
        "first_date": "2030-01-01",
        "start_time": "18:30",
        "duration_minutes": "90",
        "until": "",
        "count": "",
        "visibility": "oeffentlich",
        "address": "Kurbrunnenstraße 1, 52066 Aachen",
        "room": "Saal",
        "accessibility_notes": "",
        "online_url": "",
        "institution": "",
    }
    data.update(changes)
    return data


def test_rule_builder_preview_shows_german_rule_and_next_dates_and_saves_nothing(speaker_client, cast):
    url = reverse("meetings:series_create", args=[cast.network.slug])

    response = speaker_client.post(url, {**series_data(), "aktion": "vorschau"})

    text = response.content.decode()
    assert response.status_code == 200
    assert "jeden 2. Dienstag im Monat, 18:30 bis 20:00 Uhr" in text
    assert response.context["next_dates"][0].astimezone(datetime.UTC) == datetime.datetime(
        2030, 1, 8, 17, 30, tzinfo=datetime.UTC
    )
    assert len(response.context["next_dates"]) == SeriesForm.PREVIEW_DATES
    assert MeetingSeries.objects.count() == 0


def test_rule_builder_preview_warns_of_public_holiday(speaker_client, cast):
    url = reverse("meetings:series_create", args=[cast.network.slug])
    # The 1st Thursday of October 2030 is 3 October, Tag der Deutschen Einheit.
    data = series_data(frequency="monatlich", weekday="3", ordinal="1", first_date="2030-10-01", count="2")

    response = speaker_client.post(url, {**data, "aktion": "vorschau"})

    assert "03.10.2030 ist ein Feiertag in NRW (Tag der Deutschen Einheit)." in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"frequency": "woechentlich", "weekday": "0"}, "FREQ=WEEKLY;BYDAY=MO"),
        ({"frequency": "alle_n_wochen", "weekday": "2", "interval": "8"}, "FREQ=WEEKLY;INTERVAL=8;BYDAY=WE"),
        ({"frequency": "monatlich", "weekday": "1", "ordinal": "-1"}, "FREQ=MONTHLY;BYDAY=-1TU"),
        ({"frequency": "vierteljaehrlich", "weekday": "2", "ordinal": "1"}, "FREQ=MONTHLY;INTERVAL=3;BYDAY=1WE"),
        ({"frequency": "eigene_regel", "rule": "freq=monthly;bymonthday=15"}, "FREQ=MONTHLY;BYMONTHDAY=15"),
    ],
)
def test_rule_builder_saves_the_rule_and_its_round_trip(speaker_client, cast, changes, rule):
    url = reverse("meetings:series_create", args=[cast.network.slug])

    first_date = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    data = series_data(count="3", first_date=first_date, **changes)

    response = speaker_client.post(url, {**data, "aktion": "speichern"})

    assert response.status_code == 302
    series = MeetingSeries.objects.get()
    assert (series.rule, series.occurrences.count()) == (rule, 3)
    assert builder_from_rule(series.rule)["frequency"] == changes["frequency"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"frequency": "eigene_regel", "rule": "FREQ=HOURLY"}, "rule", "höchstens täglich"),
        ({"frequency": "eigene_regel", "rule": ""}, "rule", "Bitte geben Sie die Regel ein"),
        ({"until": "2029-12-01"}, "until", "vor dem ersten Termin"),
        ({"until": "2030-06-01", "count": "3"}, "count", "nicht beides"),
        ({"frequency": "alle_n_wochen", "interval": ""}, "interval", "alle wie viele Wochen"),
        ({"duration_minutes": "0"}, "duration_minutes", "größer oder gleich 5"),
    ],
)
def test_rule_builder_bad_input_is_a_german_field_error_and_writes_nothing(
    speaker_client, cast, changes, field, message
):
    url = reverse("meetings:series_create", args=[cast.network.slug])

    response = speaker_client.post(url, {**series_data(**changes), "aktion": "speichern"})

    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors
    assert 'aria-invalid="true"' in response.content.decode()
    assert (MeetingSeries.objects.count(), Meeting.objects.count()) == (0, 0)


def test_series_edit_moves_future_occurrences_but_not_hand_edited_ones(speaker_client, cast):
    series = services.series_create(
        network=cast.network,
        title="STK",
        rule="FREQ=MONTHLY;BYDAY=2TU",
        first_date=timezone.localdate(),
        start_time=datetime.time(18, 30),
        duration_minutes=90,
        count=4,
    )
    hand_edited = series.occurrences.order_by("start")[1]
    services.meeting_update(meeting=hand_edited, title="Sondersitzung")
    url = reverse("meetings:series_edit", args=[series.pk])
    initial = SeriesForm.initial_for(series)
    data = series_data(
        title="STK",
        first_date=initial["first_date"].isoformat(),
        count="4",
        start_time="17:00",
        address="",
        room="",
    )

    response = speaker_client.post(url, {**data, "aktion": "speichern"})

    assert response.status_code == 302
    times = {m.title: m.local_start.time() for m in series.occurrences.all()}
    assert times["Sondersitzung"] == datetime.time(18, 30)
    assert times["STK"] == datetime.time(17, 0)


def test_series_cancel_from_a_day(speaker_client, cast):
    series = services.series_create(
        network=cast.network,
        title="STK",
        rule="FREQ=WEEKLY;BYDAY=MO",
        first_date=timezone.localdate() + datetime.timedelta(days=1),
        start_time=datetime.time(18, 0),
        duration_minutes=60,
        count=4,
    )
    day = series.occurrences.order_by("start")[2].local_start.date()

    response = speaker_client.post(reverse("meetings:series_cancel", args=[series.pk]), {"absage-day": day.isoformat()})

    assert response.status_code == 302
    assert list(series.occurrences.order_by("start").values_list("status", flat=True)) == [
        "geplant",
        "geplant",
        "abgesagt",
        "abgesagt",
    ]


def test_series_cancel_in_the_past_is_a_german_field_error(speaker_client, cast):
    series = services.series_create(
        network=cast.network,
        title="STK",
        rule="FREQ=WEEKLY;BYDAY=MO",
        first_date=timezone.localdate(),
        start_time=datetime.time(18, 0),
        duration_minutes=60,
        count=2,
    )

    response = speaker_client.post(reverse("meetings:series_cancel", args=[series.pk]), {"absage-day": "2020-01-01"})

    assert response.status_code == 400
    assert "rückwirkend" in response.content.decode()
    assert MeetingSeries.objects.get().cancelled_from is None


def meeting_data(**changes) -> dict:
    data = {
        "title": "Sondersitzung",
        "day": "2030-05-07",
        "start_time": "18:00",
        "end_time": "20:00",
        "visibility": "oeffentlich",
        "address": "Markt 1",
        "room": "",
        "accessibility_notes": "",
        "online_url": "",
        "institution": "",
    }
    data.update(changes)
    return data


def test_single_meeting_planned(speaker_client, cast):
    response = speaker_client.post(
        reverse("meetings:meeting_create", args=[cast.network.slug]), {**meeting_data(), "aktion": "speichern"}
    )

    meeting = Meeting.objects.get()
    assert response["Location"] == reverse("meetings:meeting_detail", args=[meeting.uid])
    assert (meeting.local_start.hour, meeting.local_end.hour, meeting.series) == (18, 20, None)


def test_single_meeting_end_before_start_is_a_field_error(speaker_client, cast):
    response = speaker_client.post(
        reverse("meetings:meeting_create", args=[cast.network.slug]),
        {**meeting_data(end_time="17:00"), "aktion": "speichern"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["end_time"] == ["Das Ende muss nach dem Beginn liegen."]
    assert Meeting.objects.count() == 0


def test_single_meeting_unknown_network_is_404(speaker_client):
    response = speaker_client.post(reverse("meetings:meeting_create", args=["gibt-es-nicht"]), meeting_data())

    assert response.status_code == 404
    assert Meeting.objects.count() == 0


def test_meeting_preview_warns_of_same_place_and_shared_members(speaker_client, cast):
    start = timezone.make_aware(datetime.datetime(2030, 5, 7, 18, 30))
    MeetingFactory(network=cast.network, title="Andere Runde", address="markt 1", start=start)
    speaker_client.post(
        reverse("meetings:meeting_create", args=[cast.network.slug]), {**meeting_data(), "aktion": "vorschau"}
    )

    response = speaker_client.post(
        reverse("meetings:meeting_create", args=[cast.network.slug]), {**meeting_data(), "aktion": "vorschau"}
    )

    kinds = [conflict.kind for conflict in response.context["conflicts"]]
    assert kinds == ["ort"]
    assert Meeting.objects.count() == 1


def test_edit_of_a_past_meetings_time_is_refused_in_german(speaker_client, cast):
    # At noon, so that the hour's meeting ends on its own day whenever the test runs.
    start = (timezone.localtime() - datetime.timedelta(days=3)).replace(hour=12, minute=0, second=0, microsecond=0)
    meeting = MeetingFactory(network=cast.network, start=start, end=start + datetime.timedelta(hours=1))
    local = meeting.local_start
    data = meeting_data(
        title=meeting.title,
        day=(local.date() + datetime.timedelta(days=10)).isoformat(),
        start_time=local.strftime("%H:%M"),
        end_time=meeting.local_end.strftime("%H:%M"),
        address=meeting.address,
        status="geplant",
    )

    response = speaker_client.post(
        reverse("meetings:meeting_edit", args=[meeting.uid]), {**data, "aktion": "speichern"}
    )

    assert response.status_code == 400
    assert "Vergangene Sitzungen können nicht verschoben werden." in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.start == start


def test_move_one_occurrence_marks_it_edited_by_hand(speaker_client, cast):
    meeting = MeetingFactory(network=cast.network)
    new_day = meeting.local_start.date() + datetime.timedelta(days=1)
    data = meeting_data(
        title=meeting.title,
        day=new_day.isoformat(),
        start_time="19:00",
        end_time="21:00",
        status="geplant",
        address=meeting.address,
    )

    response = speaker_client.post(
        reverse("meetings:meeting_edit", args=[meeting.uid]), {**data, "aktion": "speichern"}
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.local_start.date(), meeting.local_start.hour, meeting.sequence) == (new_day, 19, 1)


def test_cancel_and_restore_one_meeting(speaker_client, cast):
    meeting = MeetingFactory(network=cast.network)

    speaker_client.post(reverse("meetings:meeting_cancel", args=[meeting.uid]))
    meeting.refresh_from_db()
    cancelled = meeting.status
    speaker_client.post(reverse("meetings:meeting_restore", args=[meeting.uid]))
    meeting.refresh_from_db()

    assert (cancelled, meeting.status, meeting.sequence) == ("abgesagt", "geplant", 2)


def test_agenda_add_edit_move_remove(speaker_client, cast):
    meeting = MeetingFactory(network=cast.network)
    add = reverse("meetings:agenda_add", args=[meeting.uid])
    speaker_client.post(add, {"top-title": "Begrüßung", "top-text": "", "top-is_public": "on"})
    speaker_client.post(add, {"top-title": "Interna", "top-text": "<script>x</script>**a**"})
    second = AgendaItem.objects.get(title="Interna")

    speaker_client.post(reverse("meetings:agenda_move", args=[meeting.uid, second.pk]), {"richtung": "hoch"})
    order = list(meeting.agenda_items.order_by("position").values_list("title", "is_public"))
    speaker_client.post(
        reverse("meetings:agenda_edit", args=[meeting.uid, second.pk]),
        {"title": "Internes", "text": "", "is_public": ""},
    )
    page = speaker_client.get(reverse("meetings:meeting_detail", args=[meeting.uid])).content.decode()
    speaker_client.post(reverse("meetings:agenda_remove", args=[meeting.uid, second.pk]))

    assert order == [("Interna", False), ("Begrüßung", True)]
    assert "<script>x</script>" not in page
    assert list(meeting.agenda_items.values_list("title", "position")) == [("Begrüßung", 1)]


def test_agenda_move_down_and_up_swaps_with_the_neighbour(speaker_client, cast):
    meeting = MeetingFactory(network=cast.network)
    add = reverse("meetings:agenda_add", args=[meeting.uid])
    for title in ("Begrüßung", "Berichte", "Verschiedenes"):
        speaker_client.post(add, {"top-title": title, "top-text": "", "top-is_public": "on"})
    first = AgendaItem.objects.get(title="Begrüßung")

    def order():
        return list(meeting.agenda_items.order_by("position").values_list("title", flat=True))

    speaker_client.post(reverse("meetings:agenda_move", args=[meeting.uid, first.pk]), {"richtung": "runter"})
    after_down = order()
    speaker_client.post(reverse("meetings:agenda_move", args=[meeting.uid, first.pk]), {"richtung": "hoch"})

    assert after_down == ["Berichte", "Begrüßung", "Verschiedenes"]
    assert order() == ["Begrüßung", "Berichte", "Verschiedenes"]


def test_agenda_add_without_title_is_a_field_error(speaker_client, cast):
    meeting = MeetingFactory(network=cast.network)

    response = speaker_client.post(reverse("meetings:agenda_add", args=[meeting.uid]), {"top-title": ""})

    assert response.status_code == 400
    assert response.context["agenda_form"].errors["title"] == ["Dieses Feld ist zwingend erforderlich."]
    assert AgendaItem.objects.count() == 0


def test_minutes_upload_and_publish(speaker_client, client, cast):
    start = timezone.now() - datetime.timedelta(days=1)
    meeting = MeetingFactory(network=cast.network, start=start, end=start + datetime.timedelta(hours=1))
    upload = SimpleUploadedFile("protokoll.pdf", b"%PDF-1.4 Protokoll", content_type="application/pdf")

    saved = speaker_client.post(
        reverse("meetings:minutes_save", args=[meeting.uid]),
        {"protokoll-text": "Beschlüsse", "protokoll-visibility": "oeffentlich", "protokoll-file": upload},
    )
    published = speaker_client.post(reverse("meetings:minutes_publish", args=[meeting.uid]))
    speaker_client.logout()
    download = client.get(reverse("meetings:minutes_file", args=[meeting.uid]))

    assert (saved.status_code, published.status_code, download.status_code) == (302, 302, 200)
    assert b"".join(download.streaming_content) == b"%PDF-1.4 Protokoll"
    assert Minutes.objects.get().is_published


def test_minutes_without_text_or_file_is_a_form_error(speaker_client, cast):
    meeting = MeetingFactory(network=cast.network)

    response = speaker_client.post(
        reverse("meetings:minutes_save", args=[meeting.uid]),
        {"protokoll-text": "", "protokoll-visibility": "mitglieder"},
    )

    assert response.status_code == 400
    assert "Ein Protokoll braucht einen Text oder eine Datei." in response.content.decode()
    assert Minutes.objects.count() == 0
