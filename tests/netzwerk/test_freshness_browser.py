"""Institutions keep their entry, in a real Chromium: from the link in the mail a person
without an account confirms one entry and proposes changes to another (a malformed phone
number first), and the Sozialplanung accepts the proposal from the review queue."""

import datetime
import re
from urllib.parse import urlparse

import pytest
from django.core import mail as django_mail
from django.utils import timezone

from contacts.models import Institution, InstitutionCategory, InstitutionChangeProposal, InstitutionType, User
from notifications.services import delivery_send, notifications_sweep
from tests.conftest import axe_violations
from tests.factories import InstitutionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "ein-langes-Testpasswort"


def mailed_links() -> dict[str, str]:
    """The sweep asks every stale institution; the path of the link in each mail, by address."""
    result = notifications_sweep()
    for pk in result.enqueued:
        delivery_send(delivery_id=pk)
    return {
        message.to[0].split("<")[-1].rstrip(">"): urlparse(
            re.search(r"https?://\S+/eintrag/\S+/", message.body).group(0)
        ).path
        for message in django_mail.outbox
    }


def test_institution_confirms_and_proposes_from_the_mail_and_staff_accepts(page, axe_source):
    old = timezone.now() - datetime.timedelta(days=400)
    # Its own type: the flush after an earlier transactional test removed the migrations' vocabulary.
    category, _ = InstitutionCategory.objects.get_or_create(name="Bürgerschaft")
    kind, _ = InstitutionType.objects.get_or_create(
        slug="bibliothek", defaults={"name": "Bibliothek", "category": category}
    )
    confirming = InstitutionFactory(name="Stadtteilbibliothek Nord", email="bib@example.org", type=kind)
    proposing = InstitutionFactory(
        name="Seniorentreff Am Markt", email="treff@example.org", phone="0241 1111", type=kind
    )
    Institution.objects.update(confirmed_at=old)
    links = mailed_links()

    page.goto(links["bib@example.org"])
    assert "Stadtteilbibliothek Nord" in page.locator("main").inner_text()
    page.get_by_role("button", name="Alles korrekt").click()
    page.wait_for_load_state()
    assert "ist als aktuell bestätigt" in page.locator("main").inner_text()
    page.goto(links["bib@example.org"])
    assert "schon benutzt" in page.locator("main").inner_text()

    page.goto(links["treff@example.org"])
    page.get_by_label("Telefon (zentral)").fill("ruf an")
    page.get_by_label("Öffnungszeiten").fill("Mo–Do 10–16 Uhr")
    page.get_by_label("Zugänglichkeit des Gebäudes").select_option(label="stufenlos zugänglich")
    page.get_by_role("button", name="Änderungen vorschlagen").click()
    page.wait_for_load_state()
    assert "keine Telefonnummer" in page.locator("main").inner_text()
    assert not InstitutionChangeProposal.objects.exists()
    page.get_by_label("Telefon (zentral)").fill("0241 2222-0")
    page.get_by_label("Anmerkung für die Sozialplanung (freiwillig)").fill("Neuer Anschluss seit Oktober.")
    page.get_by_role("button", name="Änderungen vorschlagen").click()
    page.wait_for_load_state()
    assert "bei der Sozialplanung eingegangen" in page.locator("main").inner_text()
    assert Institution.objects.get(pk=proposing.pk).phone == "0241 1111"

    User.objects.create_superuser(email="planung@example.org", password=PASSWORD)
    page.goto("/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill("planung@example.org")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Sozialplanung").first.click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Veraltete Einträge").first.click()
    page.wait_for_load_state()
    stale_list = page.locator("main").inner_text()
    assert "Seniorentreff Am Markt" in stale_list and "Stadtteilbibliothek Nord" not in stale_list
    page.get_by_role("link", name="Änderungsvorschläge von Einrichtungen").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Prüfen und entscheiden").click()
    page.wait_for_load_state()
    table = page.locator("table").inner_text()
    assert "0241 1111" in table and "0241 2222-0" in table and "Mo–Do 10–16 Uhr" in table
    assert axe_violations(page, axe_source) == []
    page.get_by_label("Notiz (freiwillig)").fill("Telefonisch bestätigt.")
    page.get_by_role("button", name="Übernehmen").click()
    page.wait_for_load_state()

    assert "ist übernommen" in page.locator(".messages").inner_text()
    proposing.refresh_from_db()
    assert (proposing.phone, proposing.opening_hours, proposing.accessibility) == (
        "0241 2222-0",
        "Mo–Do 10–16 Uhr",
        "barrierefrei",
    )
    assert proposing.confirmed_at > old
    assert Institution.objects.get(pk=confirming.pk).confirmed_at > old
