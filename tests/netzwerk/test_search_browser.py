"""Search and street lookup in a real Chromium: keyboard only, and no WCAG 2.1 A/AA
violations on the results page."""

import pytest

from contacts.models import InstitutionCategory, InstitutionType, Street
from tests.conftest import axe_violations
from tests.factories import InstitutionFactory, LivingAreaFactory, NetworkFactory
from tests.meetings.factories import MeetingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def directory():
    rothe_erde = LivingAreaFactory(code="341", name="Rothe Erde", slug="lebensraum-341-rothe-erde")
    network = NetworkFactory(name="Stadtteilkonferenz Aachen-Ost / Rothe Erde", slug="stk-ost")
    network.areas.add(rothe_erde)
    NetworkFactory(name="Sozialraumkonferenz Kornelimünster/Walheim", slug="srk-kornelimuenster")
    # Transactional tests start without the vocabulary the data migration loads.
    category = InstitutionCategory.objects.create(name="Senior*innen und Pflege")
    kind = InstitutionType.objects.create(category=category, name="Seniorenbegegnungsstätte", slug="sbs")
    InstitutionFactory(name="Begegnungsstätte Kornelimünster", type=kind)
    MeetingFactory(network=network, title="Sitzung in Kornelimünster")
    street = Street(name="Reichsweg", area=rothe_erde, postal_code="52068")
    street.full_clean()
    street.save()


def test_search_from_the_start_page_with_the_keyboard_only(page, directory):
    page.goto("/")
    # Tab from the top of the page until the search field has the focus.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "search":
            break
    assert page.evaluate("document.activeElement.name") == "q"

    page.keyboard.type("Kornelimunster")
    page.keyboard.press("Enter")
    page.wait_for_url("**/suche/?q=Kornelimunster")
    headings = page.locator("main h2").all_inner_texts()
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Sozialraumkonferenz Kornelimünster/Walheim":
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**/netzwerke/srk-kornelimuenster/")

    assert headings == ["Netzwerke", "Einrichtungen", "Termine"]
    assert page.locator("h1").inner_text() == "Sozialraumkonferenz Kornelimünster/Walheim"


def test_typing_reichsweg_in_the_street_field_leads_to_its_lebensraum(page, directory):
    page.goto("/")

    page.get_by_label("Oder Ihre Straße eingeben").fill("Reichsweg")
    page.keyboard.press("Enter")
    page.wait_for_url("**/gebiete/lebensraum-341-rothe-erde/")

    assert page.locator("h1").inner_text() == "Rothe Erde"
    assert page.get_by_role("link", name="Stadtteilkonferenz Aachen-Ost / Rothe Erde").count() >= 1


def test_street_field_suggests_streets_while_typing(page, directory):
    page.goto("/")

    page.get_by_label("Oder Ihre Straße eingeben").press_sequentially("reic")
    # A locator, not a wait_for_function expression: Playwright evaluates a string
    # expression with eval(), which the Content-Security-Policy forbids.
    page.locator("#strassen-vorschlaege option").first.wait_for(state="attached")

    assert page.eval_on_selector_all("#strassen-vorschlaege option", "os => os.map(o => o.value)") == ["Reichsweg"]


def test_search_results_page_is_accessible(page, axe_source, directory):
    page.goto("/suche/?q=Kornelimunster")
    results = axe_violations(page, axe_source)
    page.goto("/suche/?q=Quxyzzz")
    empty = axe_violations(page, axe_source)
    page.goto("/strassen/suche/?strasse=Nirgendwo")
    street_page = axe_violations(page, axe_source)
    page.goto("/")

    assert (results, empty, street_page, axe_violations(page, axe_source)) == ([], [], [], [])
