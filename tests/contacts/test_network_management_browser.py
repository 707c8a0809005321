"""The speaker persona in a real Chromium: from the dashboard to the management page, elect
a new speaker team, add a member institution found in the directory; the network page
shows the new team. axe finds no WCAG 2.1 A/AA violation on the management pages, and they
fit 320 px without horizontal scrolling."""

import datetime

import pytest
from django.utils import timezone

from contacts import services
from contacts.models import Consent, InstitutionCategory, InstitutionType, Membership
from tests.conftest import axe_violations
from tests.factories import (
    ChannelFactory,
    ConsentFactory,
    InstitutionFactory,
    LivingAreaFactory,
    MembershipFactory,
    PersonFactory,
)
from tests.meetings.web_cast import cast_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "ein-langes-Testpasswort"


@pytest.fixture(autouse=True)
def _institution_type():
    """An institution type: the flush after an earlier transactional test removed the migrations' vocabulary."""
    category, _ = InstitutionCategory.objects.get_or_create(name="Kinder und Familie")
    InstitutionType.objects.get_or_create(
        slug="familienzentrum", defaults={"name": "Familienzentrum", "category": category}
    )


def log_in(page, email: str) -> None:
    page.goto("/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_load_state()


def test_speaker_elects_a_new_team_and_adds_a_member_institution(page, axe_source):
    cast = cast_create(password=PASSWORD)
    successor = PersonFactory(given_name="Nora", family_name="Neuwahl")
    ConsentFactory(person=successor, scope=Consent.Scope.NAME)
    MembershipFactory(network=cast.network, person=successor, start=timezone.localdate() - datetime.timedelta(days=90))
    InstitutionFactory(name="Familienzentrum Kurpark", street="Kurbrunnenstraße 5")
    log_in(page, "sprecherin@example.org")

    page.goto("/termine/uebersicht/")
    page.get_by_role("link", name="Mitglieder und Team verwalten").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Netzwerk verwalten"
    assert axe_violations(page, axe_source) == []

    page.get_by_role("link", name="Mitglied hinzufügen").click()
    page.get_by_label("Name oder Straße der Einrichtung").fill("kurpark")
    page.get_by_label("Name oder Straße der Einrichtung").press("Enter")
    page.get_by_role("link", name="Familienzentrum Kurpark").click()
    # Nora is a member in her own right (a person is a member once): the institution's
    # representative follows later.
    page.get_by_label("vertreten durch").select_option(label="– niemand (später eintragen) –")
    assert axe_violations(page, axe_source) == []
    page.get_by_role("button", name="Als Mitglied eintragen").click()
    page.wait_for_load_state()
    assert "Familienzentrum Kurpark ist als Mitglied eingetragen." in page.get_by_role("status").inner_text()

    page.get_by_role("link", name="Sprecher*innenteam wählen").click()
    page.get_by_label("Amtszeit ab").fill(timezone.localdate().isoformat())
    first = page.get_by_role("group", name="Mitglied 1 des Teams")
    first.get_by_label("Person").select_option(label="Nora Neuwahl")
    first.get_by_label("Rolle").select_option(label="Sprecher*in")
    assert axe_violations(page, axe_source) == []
    page.get_by_role("button", name="Neues Team eintragen").click()
    page.wait_for_load_state()
    # Her own term ended yesterday: she is led to the network's page, which shows the new team.
    assert "Das neue Team ist eingetragen" in page.get_by_role("status").inner_text()
    assert page.url.endswith(f"/netzwerke/{cast.network.slug}/")

    contact = page.locator("#kontakt").locator("xpath=..")
    assert "Nora Neuwahl" in contact.inner_text()
    # The old speaker (her name not released) is no longer listed.
    assert "Name nicht veröffentlicht" not in contact.inner_text()
    assert page.get_by_role("link", name="Familienzentrum Kurpark").count() == 1
    assert list(
        Membership.objects.filter(network=cast.network, role="sprecherin")
        .order_by("start")
        .values_list("end", flat=True)
    ) == [timezone.localdate() - datetime.timedelta(days=1), None]


@pytest.mark.parametrize(
    "path",
    [
        "/netzwerke/stk-burtscheid/verwalten/",
        "/netzwerke/stk-burtscheid/verwalten/angaben/",
        "/netzwerke/stk-burtscheid/verwalten/gebiete/",
        "/netzwerke/stk-burtscheid/verwalten/mitglied-hinzufuegen/?einrichtung_suche=kita",
        "/netzwerke/stk-burtscheid/verwalten/einrichtung-vorschlagen/",
        "/netzwerke/stk-burtscheid/verwalten/team/",
        "/netzwerke/stk-burtscheid/verwalten/einladen/",
        "/konto/vorschlaege/",
    ],
)
def test_management_pages_are_accessible_and_fit_320_px(page, axe_source, path):
    cast = cast_create(password=PASSWORD)
    InstitutionFactory(name="Kita Kurpark")
    invited = PersonFactory()
    ChannelFactory(person=invited, value="eingeladen@example.org")
    MembershipFactory(network=cast.network, person=invited)
    services.account_invitation_create(person=invited, actor=None, network=cast.network)
    services.network_areas_propose(network=cast.network, areas=[LivingAreaFactory()], actor=None)
    log_in(page, "planung@example.org" if path.startswith("/konto/") else "sprecherin@example.org")

    response = page.goto(path)

    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == "de"
    assert axe_violations(page, axe_source) == []
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
