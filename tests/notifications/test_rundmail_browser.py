"""A speaker writes a Rundmail in a real Chromium: compose → preview as a named member gets
it → send; a member then reads it in the archive on the network page. axe finds no WCAG 2.1
A/AA violation on the compose page, the preview and the archive."""

import pytest

from notifications.models import Delivery, Kind, Rundmail
from tests.conftest import axe_violations
from tests.factories import ChannelFactory
from tests.meetings.web_cast import cast_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "ein-langes-Testpasswort"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def log_in(page, email: str) -> None:
    page.goto("/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_load_state()


def test_speaker_composes_previews_and_sends_member_reads_it(page, axe_source, tmp_path):
    cast = cast_create(password=PASSWORD)
    member = cast.member_person
    member.form_of_address, member.family_name = "Frau", "Weber"
    member.save()
    for person in (cast.speaker_person, member):
        ChannelFactory(person=person)
    programme = tmp_path / "programm.pdf"
    programme.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    log_in(page, "sprecherin@example.org")

    page.goto(f"/netzwerke/{cast.network.slug}/")
    page.get_by_role("link", name="Rundmail schreiben").click()
    page.wait_for_load_state()
    assert axe_violations(page, axe_source) == []
    page.get_by_label("Betreff").fill("Markt der Möglichkeiten")
    page.get_by_label("Text", exact=True).fill("{anrede},\n\nwir laden alle Mitglieder von {netzwerk} ein.")
    page.get_by_label("Anhänge").set_input_files(str(programme))
    page.get_by_role("button", name="Weiter zur Vorschau").click()
    page.wait_for_load_state()

    page.get_by_label("So sieht es diese Person").select_option(label=member.full_name)
    page.get_by_role("button", name="Vorschau zeigen").click()
    page.wait_for_load_state()
    preview = page.locator("#vorschau-text").inner_text()
    assert preview.startswith(f"Sehr geehrte Frau Weber,\n\nwir laden alle Mitglieder von {cast.network.name} ein.")
    assert page.locator("#vorschau-betreff").inner_text() == f"{cast.network.name}: Markt der Möglichkeiten"
    assert "programm.pdf" in page.content()
    assert not Delivery.objects.exists()
    assert axe_violations(page, axe_source) == []

    page.get_by_role("button", name="Senden").click()
    page.wait_for_load_state()
    assert "geht jetzt an 2 Empfänger*innen hinaus" in page.locator(".messages").inner_text()
    assert Rundmail.objects.get().state == Rundmail.State.SENT
    assert Delivery.objects.filter(kind=Kind.RUNDMAIL).count() == 2

    page.get_by_role("button", name="Abmelden").click()
    page.wait_for_load_state()
    log_in(page, "mitglied@example.org")
    page.goto(f"/netzwerke/{cast.network.slug}/")
    page.locator("section[aria-labelledby=rundmails]").get_by_role("link", name="Markt der Möglichkeiten").click()
    page.wait_for_load_state()
    assert page.locator(".mail-text").inner_text().startswith("Sehr geehrte Frau Weber,")
    assert axe_violations(page, axe_source) == []
    page.goto(f"/netzwerke/{cast.network.slug}/rundmails/")
    assert axe_violations(page, axe_source) == []
