"""The language switch in a real Chromium: a browser that prefers English gets English
with lang="en"; the switch in the header leads to German with lang="de", and back; the
switch is there and usable at 1280 and at 375 pixels."""

import pytest

from tests.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def english_page(chromium, live_server):
    """A tab of a browser set to English (Accept-Language: en-GB)."""
    context = chromium.new_context(locale="en-GB", timezone_id="Europe/Berlin", base_url=live_server.url)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


def state_of(page) -> tuple[str, str]:
    return page.locator("html").get_attribute("lang"), page.locator(".skip-link").text_content()


def test_english_browser_gets_english_and_the_switch_leads_to_german_and_back(english_page):
    english_page.goto("/")
    first = state_of(english_page)

    english_page.get_by_role("button", name="Deutsch").click()
    english_page.wait_for_load_state()
    german = state_of(english_page)
    german_path = english_page.evaluate("location.pathname")
    english_page.get_by_role("button", name="English").click()
    english_page.wait_for_load_state()

    assert first == ("en", "Skip to content")
    assert (german, german_path) == (("de", "Zum Inhalt springen"), "/")
    assert state_of(english_page) == ("en", "Skip to content")


def test_switch_stays_on_the_page_it_was_used_on(english_page):
    english_page.goto("/impressum/")

    english_page.get_by_role("button", name="Deutsch").click()
    english_page.wait_for_load_state()

    assert (english_page.evaluate("location.pathname"), english_page.locator("h1").text_content()) == (
        "/impressum/",
        "Impressum",
    )


@pytest.mark.parametrize("width", [1280, 375])
def test_switch_is_visible_in_the_header_at_every_width(english_page, width):
    english_page.set_viewport_size({"width": width, "height": 800})
    english_page.goto("/")

    button = english_page.locator("header").get_by_role("button", name="Deutsch")
    box = button.bounding_box()

    assert button.is_visible()
    assert (box["x"] >= 0, box["x"] + box["width"] <= width, box["height"] >= 24) == (True, True, True)
    assert english_page.evaluate("document.documentElement.scrollWidth") <= width


def test_english_start_page_is_accessible(english_page, axe_source):
    english_page.goto("/")

    assert axe_violations(english_page, axe_source) == []
