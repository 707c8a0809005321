"""What must hold on every kind of page (``tests/netzwerk/page_kinds.py``), the admin aside."""

import re

import pytest

from tests.meetings.web_cast import client_for
from tests.netzwerk.page_kinds import ERROR_STATUS, site_create

pytestmark = pytest.mark.django_db

# Django's template syntax: a comment written over several lines with {# #} is not a comment
# (only {% comment %} spans lines) and reaches the visitor as text.
TEMPLATE_SYNTAX = re.compile(r"\{#|#\}|\{%|%\}|\{\{|\}\}")


@pytest.fixture
def site(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the minutes' file
    return site_create()


def test_no_page_shows_template_syntax(client, site):
    leaks = {}
    for kind, (who, url) in site.pages.items():
        client.logout()
        response = client_for(client, site.cast.user(who)).get(url, follow=True)
        assert response.status_code == ERROR_STATUS.get(kind, 200), kind
        found = TEMPLATE_SYNTAX.findall(response.content.decode())
        if found:
            leaks[kind] = found

    assert leaks == {}
