"""Every kind of public page in a real Chromium: German, no WCAG 2.1 A/AA violations
(axe-core), no horizontal scrolling at 320 px width nor at 200 % zoom, a visible focus.

200 % zoom of a 1280-px window lays the page out like a 640-px window, so both widths are
checked; the device pixel ratio of 2 makes Chromium render it as a zoomed page would be.
"""

import re
from types import SimpleNamespace

import pytest

from contacts.models import Consent, InstitutionCategory, InstitutionType, Membership, Network
from tests.conftest import axe_violations
from tests.factories import (
    AreaFactory,
    ChannelFactory,
    ConsentFactory,
    InstitutionFactory,
    LivingAreaFactory,
    MembershipFactory,
    NetworkFactory,
    PersonFactory,
    SocialAreaFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def directory():
    """Areas of every level, a network with a public speaker and a working group, an
    institution with an address for messages."""
    district = AreaFactory(name="Aachen-Mitte", slug="aachen-mitte", code="1")
    social_area = SocialAreaFactory(parent=district, name="Burtscheid", slug="burtscheid", code="5")
    living_area = LivingAreaFactory(parent=social_area, name="Frankenberg", slug="frankenberg", code="362")
    network = NetworkFactory(
        name="Stadtteilkonferenz Burtscheid",
        slug="stk-burtscheid",
        description="Die Stadtteilkonferenz Burtscheid trifft sich sechsmal im Jahr.",
        rhythm="alle zwei Monate, dienstags",
        website="https://stk-burtscheid.example.org/",
    )
    network.areas.add(social_area)
    NetworkFactory(
        name="AK Jugend Burtscheid", slug="ak-jugend-burtscheid", kind=Network.Kind.WORKING_GROUP, parent=network
    )
    # Its own type: the flush after an earlier transactional test removed the migrations' vocabulary.
    category, _ = InstitutionCategory.objects.get_or_create(name="Kinder und Familie")
    institution_type, _ = InstitutionType.objects.get_or_create(
        slug="familienzentrum", defaults={"name": "Familienzentrum", "category": category}
    )
    institution = InstitutionFactory(
        name="Familienzentrum Frankenberg",
        slug="fz-frankenberg",
        type=institution_type,
        area=living_area,
        email="fz@example.org",
    )
    speaker = PersonFactory(given_name="Olga", family_name="Offen")
    ConsentFactory(person=speaker, scope=Consent.Scope.NAME)
    ConsentFactory(person=speaker, scope=Consent.Scope.EMAIL, channel=ChannelFactory(person=speaker))
    MembershipFactory(network=network, person=speaker, role=Membership.Role.SPEAKER)
    MembershipFactory(network=network, institution=institution, person=None)
    return SimpleNamespace(network=network, institution=institution)


PAGES = {
    "start": "/",
    "network_list": "/netzwerke/",
    "network_detail": "/netzwerke/stk-burtscheid/",
    "working_group": "/netzwerke/ak-jugend-burtscheid/",
    "network_contact_sent": "/netzwerke/stk-burtscheid/kontakt/gesendet/",
    "institution_list": "/einrichtungen/",
    "institution_detail": "/einrichtungen/fz-frankenberg/",
    "institution_contact_sent": "/einrichtungen/fz-frankenberg/kontakt/gesendet/",
    "area_list": "/gebiete/",
    "area_district": "/gebiete/aachen-mitte/",
    "area_social_area": "/gebiete/burtscheid/",
    "area_living_area": "/gebiete/frankenberg/",
    "imprint": "/impressum/",
    "privacy": "/datenschutz/",
    "accessibility": "/barrierefreiheit/",
    "accessibility_sent": "/barrierefreiheit/gesendet/",
    "easy_language": "/leichte-sprache/",
    "feed_help": "/kalender/hilfe/",
    "login": "/konto/anmelden/",
    "not_found": "/gibt-es-nicht/",
    "search": "/suche/?q=test",
}


def scroll_width_at(page, width: int) -> int:
    page.set_viewport_size({"width": width, "height": 800})
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.fixture
def zoomed_page(chromium, live_server):
    """A tab as a 1280-px window at 200 % zoom shows it: 640 CSS pixels, twice as dense."""
    context = chromium.new_context(
        locale="de-DE", base_url=live_server.url, viewport={"width": 640, "height": 800}, device_scale_factor=2
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("kind", list(PAGES))
def test_public_page_is_german_accessible_and_fits_320_px(page, axe_source, directory, kind):
    url = PAGES[kind]

    response = page.goto(url)

    assert response.status == (404 if kind == "not_found" else 200)
    assert page.locator("html").get_attribute("lang") == "de"
    assert axe_violations(page, axe_source) == []
    assert scroll_width_at(page, 320) <= 320
    assert axe_violations(page, axe_source) == []


@pytest.mark.parametrize("kind", ["start", "network_detail", "area_living_area", "accessibility"])
def test_public_page_at_200_percent_zoom_needs_no_horizontal_scrolling(zoomed_page, axe_source, directory, kind):
    zoomed_page.goto(PAGES[kind])

    assert zoomed_page.evaluate("[document.documentElement.scrollWidth, window.devicePixelRatio]") == [640, 2]
    assert axe_violations(zoomed_page, axe_source) == []


def test_network_page_with_contact_form_errors_is_accessible(page, axe_source, directory):
    page.goto(PAGES["network_detail"])
    page.get_by_label("Ihr Name").fill("Anna Beispiel")
    page.get_by_label("Ihre E-Mail-Adresse").fill("keine-adresse")

    page.get_by_role("button", name="Nachricht senden").click()

    assert page.locator("#id_email").get_attribute("aria-invalid") == "true"
    assert page.locator("#id_email").get_attribute("aria-describedby") == "id_email_helptext id_email_error"
    assert page.locator("#id_email_error").inner_text().startswith("Bitte geben Sie eine gültige E-Mail-Adresse")
    assert axe_violations(page, axe_source) == []
    assert scroll_width_at(page, 320) <= 320


def test_contact_form_sent_by_keyboard_only_reaches_the_confirmation(page, directory):
    page.goto(PAGES["network_detail"])
    page.locator("#id_name").focus()

    page.keyboard.type("Anna Beispiel")
    page.keyboard.press("Tab")
    page.keyboard.type("anna@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("Frage")
    page.keyboard.press("Tab")
    page.keyboard.type("Wann ist das nächste Treffen?")
    page.keyboard.press("Tab")  # "Kopie an mich"
    page.keyboard.press("Tab")  # the link to the privacy statement; the honeypot is skipped
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    page.keyboard.press("Enter")
    # The browser keeps the form's "#kontaktformular" across the redirect.
    page.wait_for_url(re.compile(r"/kontakt/gesendet/(#.*)?$"))

    assert focused == "Nachricht senden"
    assert page.locator("h1").inner_text() == "Vielen Dank – Ihre Nachricht ist angekommen"


def test_skip_link_and_focus_are_visible(page, directory):
    page.goto(PAGES["network_detail"])

    page.keyboard.press("Tab")
    skip = page.evaluate(
        """() => { const element = document.activeElement, style = getComputedStyle(element),
                   box = element.getBoundingClientRect();
                   return [element.textContent, style.outlineStyle, box.left >= 0 && box.top >= 0]; }"""
    )
    page.locator("#id_betreff").focus()
    field_outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")

    assert skip == ["Zum Inhalt springen", "solid", True]
    assert field_outline == "solid"


@pytest.mark.parametrize("kind", ["network_detail", "institution_detail", "area_living_area", "imprint"])
def test_detail_pages_have_breadcrumbs(page, directory, kind):
    page.goto(PAGES[kind])

    crumbs = page.get_by_role("navigation", name="Sie sind hier")

    assert crumbs.get_by_role("link").first.inner_text() == "Start"
    assert crumbs.locator("[aria-current=page]").count() == 1


@pytest.fixture
def import_pages():
    """The import pages of Sozialplanung: the list, a run's columns and preview (with an
    error and a possible duplicate), and a finished run's report."""
    from django.contrib.auth.models import Group

    from contacts.services import imports
    from tests.contacts.import_files import csv_bytes
    from tests.factories import UserFactory

    category, _ = InstitutionCategory.objects.get_or_create(name="Kinder und Familie")
    kita, _ = InstitutionType.objects.get_or_create(slug="kita", defaults={"name": "Kita", "category": category})
    staff = UserFactory(email="fb56@example.org")
    staff.groups.add(Group.objects.get_or_create(name="Sozialplanung")[0])
    InstitutionFactory(name="Kita Sonnenschein", type=kita, street="Lindenstraße 5", postal_code="52070")
    data = csv_bytes(
        [
            ["Kita Sonnenschein e.V.", "Anna Adler", "anna@example.org", "", "Lindenstraße 7", "52070"],
            ["Kita Mond", "Bernd Berg", "kaputt", "", "Weg 1", "52070"],
            ["Kita Stern", "Cleo Clean", "cleo@example.org", "0241 1", "Weg 2", "52070"],
        ]
    )
    network = NetworkFactory(name="Stadtteilkonferenz Testviertel", slug="stk-testviertel")
    previewed = imports.import_upload(file_name="liste.csv", data=data, network=network, created_by=staff)
    previewed = imports.import_mapping_set(run=previewed, mapping=previewed.mapping, default_type=kita)
    done = imports.import_upload(file_name="liste.csv", data=data, network=network, created_by=staff)
    done = imports.import_mapping_set(run=done, mapping=done.mapping, default_type=kita)
    imports.import_start(run=done, mode="gueltige")
    imports.import_execute(run_id=done.pk)
    pages = {
        "list": "/import/",
        "mapping": f"/import/{previewed.pk}/spalten/",
        "preview": f"/import/{previewed.pk}/vorschau/",
        "report": f"/import/{done.pk}/",
    }
    return staff, pages


@pytest.mark.parametrize("kind", ["list", "mapping", "preview", "report"])
def test_import_page_for_staff_is_accessible_and_fits_320_px(page, live_server, axe_source, import_pages, kind):
    from tests.netzwerk.page_kinds import log_in_as

    staff, pages = import_pages
    log_in_as(page, live_server, staff)

    response = page.goto(pages[kind])

    assert response.status == 200
    assert axe_violations(page, axe_source) == []
    assert scroll_width_at(page, 320) <= 320
    assert axe_violations(page, axe_source) == []


def test_entry_check_pages_are_accessible_and_fit_320_px(page, axe_source, directory, live_server):
    """Issue 14: the page behind „Eintrag prüfen“ (also with errors), and the Sozialplanung's
    stale list and review queue."""
    import datetime

    from django.utils import timezone

    from contacts.entry_links import entry_link_path, entry_link_read, entry_token_make
    from contacts.models import Institution, User
    from contacts.services.freshness import institution_change_propose

    institution = directory.institution
    Institution.objects.filter(pk=institution.pk).update(confirmed_at=timezone.now() - datetime.timedelta(days=400))
    institution.refresh_from_db()
    proposal = institution_change_propose(
        link=entry_link_read(entry_token_make(institution)), changes={"phone": "0241 12 34 56"}
    )
    page.goto(entry_link_path(institution))
    assert axe_violations(page, axe_source) == []
    assert scroll_width_at(page, 320) <= 320
    page.get_by_label("Telefon (zentral)").fill("keine Nummer")
    page.get_by_role("button", name="Änderungen vorschlagen").click()
    page.wait_for_load_state()
    assert "keine Telefonnummer" in page.content()
    assert axe_violations(page, axe_source) == []

    User.objects.create_superuser(email="planung@example.org", password="ein-langes-Testpasswort")
    page.goto("/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill("planung@example.org")
    page.get_by_label("Passwort").fill("ein-langes-Testpasswort")
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_load_state()
    for url in (
        "/konto/eintraege/veraltet/",
        "/konto/eintraege/vorschlaege/",
        f"/konto/eintraege/vorschlaege/{proposal.pk}/",
    ):
        page.set_viewport_size({"width": 1280, "height": 800})
        assert page.goto(url).status == 200
        assert axe_violations(page, axe_source) == []
        assert scroll_width_at(page, 320) <= 320


# --- the figures of the areas -------------------------------------------------------------

FIGURE_PAGES = {
    "figures_area": "/gebiete/sozialraum-5/",
    "figures_comparison": "/gebiete/kennzahlen/?kennzahl=kinderarmut",
    "figures_coverage": "/gebiete/abdeckung/",
    "figures_map": "/gebiete/karte/?kennzahl=arbeitslosenquote",
}


@pytest.fixture
def figures():
    from tests.indicators.factories import small_city_create

    city = small_city_create()
    NetworkFactory(name="Stadtteilkonferenz Burtscheid", slug="stk-burtscheid").areas.add(city.burtscheid)
    return city


@pytest.mark.parametrize("kind", list(FIGURE_PAGES))
def test_figure_page_is_german_accessible_and_fits_320_px(page, axe_source, figures, kind):
    response = page.goto(FIGURE_PAGES[kind])

    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == "de"
    assert axe_violations(page, axe_source) == []
    assert scroll_width_at(page, 320) <= 320
    assert axe_violations(page, axe_source) == []
