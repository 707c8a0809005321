"""A resident registers for an open meeting in a real Chromium, a second finds it full and
lands on the waiting list, and the speaker sees both on the meeting page and the printout;
axe finds no WCAG 2.1 A/AA violation on the form, its errors and the guest list."""

import pytest

from meetings import services
from meetings.models import GuestRegistration
from tests.conftest import axe_violations
from tests.meetings.factories import MeetingFactory
from tests.meetings.test_browser_speaker import PASSWORD, log_in
from tests.meetings.web_cast import cast_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill(page, *, name: str, email: str, institution: str = "", needs: str = "") -> None:
    page.get_by_label("Ihr Name").fill(name)
    page.get_by_label("Ihre E-Mail-Adresse").fill(email)
    page.get_by_label("Einrichtung (freiwillig)").fill(institution)
    page.get_by_label("Was brauchen Sie, um teilnehmen zu können? (freiwillig)").fill(needs)


def test_resident_registers_and_the_speaker_sees_the_guest_list(page, chromium, live_server, axe_source):
    cast = cast_create(password=PASSWORD)
    meeting = MeetingFactory(network=cast.network, title="Offenes Treffen Burtscheid")
    services.guest_settings_set(meeting=meeting, guests_open=True, capacity=1)

    page.goto(f"/termine/{meeting.uid}/")
    assert "Noch 1 Platz frei." in page.locator("#anmeldung").locator("..").inner_text()
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.wait_for_load_state()
    errors = page.get_by_role("alert")
    assert "Die Anmeldung wurde nicht gespeichert." in errors.inner_text()
    assert axe_violations(page, axe_source) == []
    fill(
        page,
        name="Rosa Resident",
        email="rosa@example.org",
        institution="Mieterinitiative (fiktiv)",
        needs="Rollstuhlplatz",
    )
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.wait_for_load_state()
    assert "Sie sind für „Offenes Treffen Burtscheid“ angemeldet." in page.inner_text("main")
    assert "rosa@example.org" not in page.content()

    # A second resident, in a browser of their own, finds every seat taken.
    other = chromium.new_context(locale="de-DE", timezone_id="Europe/Berlin", base_url=live_server.url).new_page()
    other.goto(f"/termine/{meeting.uid}/")
    assert "Alle Plätze sind vergeben." in other.inner_text("main")
    assert "rosa@example.org" not in other.content() and "Rosa Resident" not in other.content()
    fill(other, name="Willi Warte", email="willi@example.org")
    other.get_by_role("button", name="Anmelden", exact=True).click()
    other.wait_for_load_state()
    assert "Sie stehen auf der Warteliste" in other.inner_text("main")
    other.context.close()

    log_in(page, "sprecherin@example.org")
    page.goto(f"/termine/{meeting.uid}/")
    table = page.locator("table.guest-list")
    rows = [table.locator("tbody tr").nth(index).inner_text() for index in range(table.locator("tbody tr").count())]
    assert axe_violations(page, axe_source) == []
    page.get_by_role("link", name="Gästeliste drucken").click()
    page.wait_for_load_state()
    printout = page.inner_text("main")

    assert len(rows) == 2
    assert "Rosa Resident" in rows[0] and "rosa@example.org" in rows[0] and "Rollstuhlplatz" in rows[0]
    assert "Willi Warte" in rows[1] and "Warteliste" in rows[1]
    assert "Mieterinitiative (fiktiv)" in printout and "1 Person auf der Warteliste" in printout
    assert axe_violations(page, axe_source) == []
    assert sorted(GuestRegistration.objects.values_list("status", flat=True)) == ["angemeldet", "warteliste"]
