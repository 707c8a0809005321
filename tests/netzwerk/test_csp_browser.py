"""Every kind of page in a real Chromium under the Content-Security-Policy: the header is
there and the browser reports no violation — neither on the site's pages nor on the admin
and the API docs, which get their narrow allowances (``netzwerk/csp.py``)."""

import pytest

from tests.netzwerk.page_kinds import ERROR_STATUS, log_in_as, site_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Registered before any page script runs (Playwright's init scripts are not subject to
# the page's policy); it records every violation the document reports.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


def visit(page, url: str) -> tuple[int, str, list[str]]:
    """Status, policy header and the violations reported (events and console) on ``url``."""
    console = []
    listener = lambda message: console.append(message.text)  # noqa: E731
    page.on("console", listener)
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    page.remove_listener("console", listener)
    violations = page.evaluate("window.__cspViolations")
    violations += [text for text in console if "Content Security Policy" in text]
    return response.status, response.headers.get("content-security-policy", ""), violations


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the minutes' file


@pytest.fixture
def strict_page(page):
    page.context.add_init_script(RECORD_VIOLATIONS)
    return page


def test_every_page_kind_keeps_to_the_content_security_policy(strict_page, live_server):
    site = site_create()
    found = {}
    for kind, (who, url) in site.pages.items():
        log_in_as(strict_page, live_server, site.cast.user(who))

        status, policy, violations = visit(strict_page, url)

        found[kind] = (status, "script-src 'self'" in policy, violations)
    assert found == {kind: (ERROR_STATUS.get(kind, 200), True, []) for kind in site.pages}


def test_admin_and_api_docs_work_under_the_policy(strict_page, live_server):
    site = site_create()
    log_in_as(strict_page, live_server, site.cast.staff)
    site.cast.staff.is_staff = True
    site.cast.staff.is_superuser = True
    site.cast.staff.save()
    results = {}

    for url in [
        "/verwaltung/",
        "/verwaltung/contacts/network/",
        f"/verwaltung/contacts/network/{site.cast.network.pk}/change/",
    ]:
        status, _policy, violations = visit(strict_page, url)
        results[url] = (status, violations)
    status, _policy, violations = visit(strict_page, "/api/docs/")
    strict_page.locator(".swagger-ui .info .title").wait_for()
    results["/api/docs/"] = (status, violations)

    assert results == {url: (200, []) for url in results}
    assert strict_page.locator(".swagger-ui .opblock").count() > 0
