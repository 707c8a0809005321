"""The site pages: complete default texts, staff edits in sanitised Markdown, footer links."""

import pytest
from django.contrib.auth.models import Group

from netzwerk.models import SitePage

pytestmark = pytest.mark.django_db

SITE_PAGES = ["/impressum/", "/datenschutz/", "/barrierefreiheit/", "/leichte-sprache/"]


def html_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("url", SITE_PAGES)
def test_site_page_default_names_the_city_and_has_breadcrumbs(client, url):
    html = html_of(client, url)

    assert "Stadt Aachen" in html
    assert 'aria-current="page"' in html


def test_footer_links_all_four_site_pages(client):
    html = html_of(client, "/")

    assert [f'href="{url}"' in html for url in SITE_PAGES] == [True] * 4


def test_imprint_default_cites_ddg_and_mstv(client):
    html = html_of(client, "/impressum/")

    assert ("§ 5 Digitale-Dienste-Gesetz" in html, "§ 18 Abs. 2 MStV" in html, "FB 56" in html) == (True, True, True)


def test_privacy_default_explains_consent_withdrawal_and_rights(client):
    html = html_of(client, "/datenschutz/")

    for text in ("Art. 6 Abs. 1 Buchst. a", "Art. 7 DSGVO", "Widerruf", "Art. 15 DSGVO", "Datenschutzbeauftragte"):
        assert text in html


def test_accessibility_statement_has_status_limitations_date_form_and_ombudsstelle(client):
    html = html_of(client, "/barrierefreiheit/")

    for text in (
        "BITV NRW",
        "Nicht barrierefreie Inhalte",
        "21. November 2026",
        'id="kontaktformular"',
        'href="https://www.lbbp.nrw.de/ombudsstelle"',
        "Durchsetzungsverfahren",
    ):
        assert text in html


def test_easy_language_uses_short_sentences(client):
    html = html_of(client, "/leichte-sprache/")
    sentences = [line.strip() for line in html.split("<p>")[1:] if "</p>" in line]

    assert "Netzwerk Aachen ist eine Internet-Seite." in html
    assert max(len(sentence.split("</p>")[0].split()) for sentence in sentences) <= 12


def test_edited_site_page_shows_sanitised_markdown_instead_of_the_default(client):
    SitePage.objects.create(
        slug=SitePage.Slug.IMPRINT,
        title="Impressum der Stadt",
        body="### Anbieterin\n\nStadt Aachen, **FB 56**\n\n<script>alert(1)</script>",
    )

    html = html_of(client, "/impressum/")

    assert "<h1>Impressum der Stadt</h1>" in html
    assert ("<h3>Anbieterin</h3>" in html, "<strong>FB 56</strong>" in html) == (True, True)
    assert ("<script>" in html, "Digitale-Dienste-Gesetz" in html) == (False, False)
    assert "Zuletzt geändert" in html


def test_edited_site_page_with_empty_body_keeps_the_default_text(client):
    SitePage.objects.create(slug=SitePage.Slug.PRIVACY, title="", body="  ")

    html = html_of(client, "/datenschutz/")

    assert ("<h1>Datenschutzerklärung</h1>" in html, "Widerruf" in html) == (True, True)


def test_edited_accessibility_statement_keeps_form_and_ombudsstelle(client):
    SitePage.objects.create(slug=SitePage.Slug.ACCESSIBILITY, body="Geprüft im Dezember.")

    html = html_of(client, "/barrierefreiheit/")

    assert ("Geprüft im Dezember." in html, 'id="kontaktformular"' in html, "lbbp.nrw.de" in html) == (
        True,
        True,
        True,
    )


def test_sozialplanung_may_edit_site_pages_but_not_delete_them():
    codenames = set(Group.objects.get(name="Sozialplanung").permissions.values_list("codename", flat=True))

    assert {"view_sitepage", "add_sitepage", "change_sitepage"} <= codenames
    assert "delete_sitepage" not in codenames


@pytest.mark.parametrize("url", ["/impressum/", "/leichte-sprache/"])
def test_site_pages_refuse_post(client, url):
    assert client.post(url).status_code == 405


@pytest.mark.parametrize("url", SITE_PAGES)
def test_site_page_query_count_is_constant(client, url, django_assert_max_num_queries):
    client.get(url)  # warms the demo-marker cache

    with django_assert_max_num_queries(1):
        client.get(url)
