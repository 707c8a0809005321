"""The start page in a real Chromium: German, and no WCAG 2.1 A/AA violations."""

import pytest

from tests.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_start_page_is_german_and_accessible(page, axe_source):
    page.goto("/")

    assert page.locator("html").get_attribute("lang") == "de"
    assert axe_violations(page, axe_source) == []
