"""Documents in a real Chromium: the speaker uploads a Vorlage for an agenda item and sees
it listed under the item; a refused file comes back with its reason; a member opens the
file; axe finds no WCAG 2.1 A/AA violation on the page with the upload form."""

import pytest

from meetings.models import MeetingDocument
from tests.conftest import axe_violations
from tests.meetings.documents_support import EXE, PDF
from tests.meetings.factories import AgendaItemFactory, MeetingFactory
from tests.meetings.web_cast import cast_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "ein-langes-Testpasswort"


def log_in(page, email: str) -> None:
    page.goto("/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_load_state()


def test_speaker_uploads_a_vorlage_and_a_member_downloads_it(page, axe_source, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cast = cast_create(password=PASSWORD)
    meeting = MeetingFactory(network=cast.network, title="Stadtteilkonferenz im Frühjahr")
    item = AgendaItemFactory(meeting=meeting, position=1, title="Stadtteilfonds: Anträge")
    log_in(page, "sprecherin@example.org")
    page.goto(f"/termine/{meeting.uid}/")
    form = page.locator("form", has=page.get_by_role("button", name="Hochladen"))
    assert axe_violations(page, axe_source) == []

    # A program renamed .pdf: refused with the reason, nothing stored.
    form.get_by_label("Datei").set_input_files({"name": "Vorlage.pdf", "mimeType": "application/pdf", "buffer": EXE})
    form.get_by_role("button", name="Hochladen").click()
    page.wait_for_load_state()
    assert "Diese Art von Datei nimmt Netzwerk nicht an." in page.locator(".errorlist").first.inner_text()
    assert MeetingDocument.objects.count() == 0

    form = page.locator("form", has=page.get_by_role("button", name="Hochladen"))
    form.get_by_label("Datei").set_input_files(
        {"name": "Antraege_Stadtteilfonds.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    form.get_by_label("Titel der Unterlage").fill("Vorlage Stadtteilfonds")
    form.get_by_label("gehört zu").select_option(label="TOP 1: Stadtteilfonds: Anträge")
    form.get_by_role("button", name="Hochladen").click()
    page.wait_for_load_state()

    assert "Die Unterlage „Vorlage Stadtteilfonds“ ist hochgeladen." in page.locator(".messages").inner_text()
    listed = page.locator(f"#top-{item.pk} .documents li")
    assert listed.count() == 1
    assert "Vorlage Stadtteilfonds (Vorlage, PDF," in listed.inner_text()
    assert "nur Mitglieder" in listed.inner_text()
    assert axe_violations(page, axe_source) == []
    page.get_by_role("button", name="Abmelden").click()
    page.wait_for_load_state()

    # Anonymous visitors do not see the members-only Vorlage.
    page.goto(f"/termine/{meeting.uid}/")
    assert "Vorlage Stadtteilfonds" not in page.locator("main").inner_text()

    log_in(page, "mitglied@example.org")
    page.goto(f"/termine/{meeting.uid}/")
    link = page.get_by_role("link", name="Vorlage Stadtteilfonds")
    response = page.request.get(link.get_attribute("href"))
    assert (response.status, response.headers["content-type"], response.body()) == (200, "application/pdf", PDF)
    assert response.headers["x-content-type-options"] == "nosniff"
