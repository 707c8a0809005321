"""A speaker and a member in a real Chromium: plan a series with the rule builder, add an
agenda item, answer, run a date poll into a meeting; axe finds no WCAG 2.1 A/AA violation
on the planning form, the meeting page and the overview."""

import datetime

import holidays
import pytest
from django.utils import timezone

from meetings.models import DatePoll, Meeting, MeetingSeries
from meetings.recurrence import weekday_names
from tests.conftest import axe_violations
from tests.meetings.factories import MeetingFactory, in_days
from tests.meetings.web_cast import cast_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "ein-langes-Testpasswort"


def log_in(page, email: str) -> None:
    page.goto("/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_load_state()


def log_out(page) -> None:
    page.get_by_role("button", name="Abmelden").click()
    page.wait_for_load_state()


def next_holiday() -> datetime.date:
    today = timezone.localdate()
    calendar = holidays.country_holidays("DE", subdiv="NW", years=[today.year, today.year + 1], language="de")
    return min(day for day in calendar if day > today + datetime.timedelta(days=1))


def test_speaker_plans_series_adds_agenda_and_member_answers(page, axe_source):
    cast = cast_create(password=PASSWORD)
    holiday = next_holiday()
    weekday = weekday_names()[holiday.weekday()]
    log_in(page, "sprecherin@example.org")

    page.goto(f"/termine/netzwerk/{cast.network.slug}/serie-planen/")
    page.get_by_label("Titel").fill("Stadtteilkonferenz")
    page.get_by_label("Rhythmus").select_option(label="jede Woche am gewählten Wochentag")
    page.get_by_label("Wochentag", exact=True).select_option(label=weekday)
    page.get_by_label("erster möglicher Termin").fill(timezone.localdate().isoformat())
    page.get_by_label("Beginn (Uhrzeit)").fill("18:30")
    page.get_by_label("Dauer in Minuten").fill("90")
    page.get_by_label("oder Adresse").fill("Kurbrunnenstraße 1, 52066 Aachen")
    page.get_by_label("oder Adresse").blur()
    # The script's live preview, before any button is pressed; only the rhythm's fields show.
    live = page.locator("#vorschau-ort .rule-description")
    live.wait_for()
    assert live.inner_text() == f"jeden {weekday}, 18:30 bis 20:00 Uhr"
    assert page.get_by_label("Welcher Wochentag im Monat").is_hidden()
    page.get_by_role("button", name="Vorschau").click()
    page.wait_for_load_state()

    preview = page.locator(".preview")
    assert f"jeden {weekday}, 18:30 bis 20:00 Uhr" in preview.inner_text()
    assert preview.locator(".next-dates li").count() == 8
    assert f"{holiday:%d.%m.%Y} ist ein Feiertag in NRW" in preview.inner_text()
    assert MeetingSeries.objects.count() == 0
    assert axe_violations(page, axe_source) == []

    page.get_by_role("button", name="Serie anlegen").click()
    page.wait_for_load_state()
    assert "ist angelegt" in page.locator(".messages").inner_text()
    meeting = Meeting.objects.filter(series__isnull=False, start__gt=timezone.now()).order_by("start").first()

    page.goto(f"/termine/{meeting.uid}/")
    # The TOP's title, not the document upload's („Titel der Unterlage“) further down.
    page.get_by_label("Titel (Pflichtfeld)").fill("Begrüßung und Protokoll")
    page.get_by_label("Beschreibung").fill("Das Protokoll der **letzten** Sitzung")
    page.get_by_role("button", name="TOP hinzufügen").click()
    page.wait_for_load_state()
    assert "TOP 1: Begrüßung und Protokoll" in page.locator(".agenda").inner_text()
    assert page.locator(".agenda strong", has_text="letzten").count() == 1
    assert axe_violations(page, axe_source) == []
    log_out(page)

    log_in(page, "mitglied@example.org")
    page.goto(f"/termine/{meeting.uid}/")
    page.get_by_label("Zusage").check()
    page.get_by_label("Bemerkung (freiwillig)").fill("komme mit Kollegin")
    page.get_by_role("button", name="Antwort speichern").click()
    page.wait_for_load_state()
    assert "Ihre Antwort ist gespeichert." in page.locator(".messages").inner_text()
    assert meeting.attendances.get().answer == "zusage"
    assert axe_violations(page, axe_source) == []

    page.goto("/termine/uebersicht/")
    assert "Stadtteilkonferenz" in page.locator("main").inner_text()
    assert axe_violations(page, axe_source) == []


def test_poll_created_voted_and_closed_into_a_meeting(page, axe_source):
    cast = cast_create(password=PASSWORD)
    first = timezone.localdate() + datetime.timedelta(days=10)
    second = first + datetime.timedelta(days=1)
    log_in(page, "sprecherin@example.org")

    page.goto(f"/termine/netzwerk/{cast.network.slug}/terminumfrage/")
    page.get_by_label("Titel").fill("Frühjahrstreffen")
    page.get_by_label("Abstimmen bis (Tag)").fill((timezone.localdate() + datetime.timedelta(days=5)).isoformat())
    page.get_by_label("Abstimmen bis (Uhrzeit)").fill("12:00")
    rows = page.locator(".option-row")
    rows.nth(0).get_by_label("Tag").fill(first.isoformat())
    rows.nth(0).get_by_label("von").fill("18:00")
    rows.nth(0).get_by_label("bis").fill("20:00")
    rows.nth(1).get_by_label("Tag").fill(second.isoformat())
    assert axe_violations(page, axe_source) == []
    page.get_by_role("button", name="Umfrage anlegen").click()
    page.wait_for_load_state()
    poll = DatePoll.objects.get()
    log_out(page)

    log_in(page, "mitglied@example.org")
    page.goto(f"/termine/umfragen/{poll.pk}/")
    page.locator(f"#option-{poll.options.get(day=second).pk}-ja").check()
    # No answer is preselected: every option is answered.
    page.locator(f"#option-{poll.options.get(day__isnull=True).pk}-nein").check()
    page.get_by_role("button", name="Stimmen speichern").click()
    page.wait_for_load_state()
    assert "Ihre Stimmen sind gespeichert." in page.locator(".messages").inner_text()
    assert axe_violations(page, axe_source) == []
    log_out(page)

    log_in(page, "sprecherin@example.org")
    page.goto(f"/termine/umfragen/{poll.pk}/")
    page.get_by_label(f"{weekday_names()[second.weekday()]}, {second:%d.%m.%Y}", exact=True).check()
    page.get_by_label("Beginn (Uhrzeit)").fill("17:00")
    page.get_by_label("Ende (Uhrzeit)").fill("19:00")
    page.get_by_role("button", name="Abschließen und Sitzung anlegen").click()
    page.wait_for_load_state()

    meeting = Meeting.objects.get()
    assert page.url.endswith(f"/termine/{meeting.uid}/")
    assert (meeting.local_start.date(), meeting.local_start.hour) == (second, 17)
    assert "Frühjahrstreffen" in page.locator("h1").inner_text()


def test_speaker_sends_the_invitation_now_and_cancels_with_a_reason(page, axe_source):
    cast = cast_create(password=PASSWORD)
    meeting = MeetingFactory(network=cast.network, title="Vollversammlung", start=in_days(30))
    log_in(page, "sprecherin@example.org")

    page.goto(f"/termine/{meeting.uid}/")
    assert "Noch nicht bestätigt" in page.locator("#einladung + p").inner_text()
    page.get_by_role("link", name="Einladung jetzt verschicken …").click()
    page.wait_for_load_state()
    assert "Einladung: Vollversammlung" in page.locator("main").inner_text()
    assert axe_violations(page, axe_source) == []
    page.get_by_role("button", name="Ja, Einladung jetzt verschicken").click()
    page.wait_for_load_state()
    assert "Die Einladung geht jetzt an" in page.locator(".messages").inner_text()
    assert "wird gerade verschickt" in page.locator("#einladung + p").inner_text()

    page.get_by_role("link", name="Sitzung absagen …").click()
    page.wait_for_load_state()
    assert axe_violations(page, axe_source) == []
    page.get_by_label("Grund der Absage (freiwillig)").fill("Der Saal ist gesperrt.")
    page.get_by_role("button", name="Ja, Sitzung absagen").click()
    page.wait_for_load_state()
    assert "Grund: Der Saal ist gesperrt." in page.locator(".status-cancelled").inner_text()
    assert axe_violations(page, axe_source) == []
