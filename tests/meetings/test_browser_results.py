"""After a meeting, in a real Chromium: the speaker records a result under each TOP, builds
the minutes from the agenda (asked before a text of their own is replaced), publishes them
— the members are told through the delivery log — and prints them (print media: no
navigation; the PDF download is a PDF). Screenshots go to ``NETZWERK_SCREENSHOTS``."""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from contacts import services as contact_services
from contacts.models import Membership
from meetings import services
from meetings.models import Attendance
from notifications.models import Delivery, Kind
from notifications.services import notifications_sweep
from tests.conftest import axe_violations
from tests.factories import ChannelFactory, InstitutionFactory, PersonFactory
from tests.meetings.factories import MeetingFactory, in_days
from tests.meetings.test_browser_speaker import PASSWORD, log_in
from tests.meetings.web_cast import cast_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shoot(page, name: str) -> None:
    folder = os.environ.get("NETZWERK_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def _held_meeting():
    cast = cast_create(password=PASSWORD)
    meeting = MeetingFactory(network=cast.network, title="Herbstkonferenz", start=in_days(-1), end=in_days(-1, hour=20))
    services.agenda_item_add(meeting=meeting, title="Spielplatz Kurpark")
    services.agenda_item_add(meeting=meeting, title="Personalien", is_public=False)
    institution = InstitutionFactory(name="Familienzentrum Kurpark")
    for given in ("Ute", "Jonas"):
        person = PersonFactory(given_name=given, family_name="Privat")
        ChannelFactory(person=person)
        contact_services.membership_start(network=cast.network, person=person, institution=institution)
        services.attendance_record_presence(meeting=meeting, person=person, presence=Attendance.Presence.PRESENT)
    return cast, meeting


def test_speaker_records_results_builds_and_publishes_the_minutes(page, axe_source):
    cast, meeting = _held_meeting()
    log_in(page, "sprecherin@example.org")
    page.goto(reverse("meetings:meeting_detail", args=[meeting.uid]))

    # A result under each TOP.
    for number, result in ((1, "Die Stadt prüft den **Zaun** bis März."), (2, "Vertraulich beraten.")):
        page.get_by_role("link", name=f"Ergebnis zu TOP {number} eintragen").click()
        assert axe_violations(page, axe_source) == []
        page.get_by_label("Ergebnis").fill(result)
        page.get_by_role("button", name="Ergebnis speichern").click()
        assert page.get_by_text(f"Das Ergebnis zu TOP {number} ist gespeichert.").is_visible()
    assert page.locator(".result strong", has_text="Zaun").is_visible()

    # A text of the speaker's own first: the draft asks before replacing it.
    page.get_by_label("Protokoll (Text)").fill("Notizen während der Sitzung")
    page.get_by_role("button", name="Protokoll speichern").click()
    page.get_by_role("button", name="Protokoll aus Tagesordnung erstellen").click()
    assert page.get_by_text("Das Protokoll hat schon einen Text.").is_visible()
    assert axe_violations(page, axe_source) == []
    _shoot(page, "minutes-replace-1280")
    page.get_by_role("button", name="Text ersetzen").click()

    draft = page.get_by_label("Protokoll (Text)").input_value()
    assert "### Anwesend\n\n- Familienzentrum Kurpark (2 Personen)" in draft
    assert "Privat" not in draft
    assert "### TOP 1: Spielplatz Kurpark\n\nDie Stadt prüft den **Zaun** bis März." in draft
    page.get_by_role("button", name="Protokoll veröffentlichen").click()
    assert page.get_by_text("Das Protokoll ist veröffentlicht; die Mitglieder werden benachrichtigt.").is_visible()
    assert page.get_by_role("button", name="Mitglieder erneut benachrichtigen").is_visible()
    assert axe_violations(page, axe_source) == []
    _shoot(page, "meeting-minutes-published-1280")

    # The members are told, once each, through the delivery log.
    notifications_sweep(limit=0)
    told = sorted(Delivery.objects.filter(kind=Kind.MINUTES).values_list("person_id", flat=True))
    members = Membership.objects.filter(network=cast.network).values_list("person_id", flat=True)
    assert told == sorted(set(members)) and len(told) == 4

    # The clean print page: no navigation on paper, and its PDF.
    page.get_by_role("link", name="Protokoll drucken").click()
    assert page.get_by_role("heading", name="Protokoll: Herbstkonferenz").is_visible()
    assert axe_violations(page, axe_source) == []
    page.emulate_media(media="print")
    assert page.locator(".site-header nav").first.is_hidden()
    assert page.get_by_role("button", name="Drucken").is_hidden()
    _shoot(page, "minutes-print")
    page.emulate_media(media="screen")
    with page.expect_download() as download:
        page.get_by_role("link", name="Als PDF herunterladen").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _shoot(page, "minutes-print-375")
