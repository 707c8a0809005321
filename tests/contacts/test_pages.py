"""The public directory pages: content in German, filters, bad input, privacy, and a
constant number of queries however much the pages show."""

import datetime
import re
from collections import deque
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import urljoin, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts.contentlines import LINE_OCTETS, line_fold
from contacts.models import (
    Area,
    Consent,
    ContactChannel,
    Institution,
    InstitutionType,
    Membership,
    Network,
    Topic,
    Visibility,
)
from meetings import services as meeting_services
from meetings.models import Visibility as MeetingVisibility
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
    UserFactory,
)
from tests.meetings.documents_support import upload
from tests.meetings.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def page(client, url, data=None, *, status=200) -> str:
    response = client.get(url, data)
    assert response.status_code == status, response.content.decode()[:2000]
    return response.content.decode()


@pytest.fixture
def geography():
    """Stadtbezirk → Sozialraum → two Lebensräume, and an unrelated Stadtbezirk."""
    district = AreaFactory(name="Aachen-Mitte", slug="aachen-mitte", code="1")
    social_area = SocialAreaFactory(parent=district, name="Burtscheid", slug="burtscheid", code="5")
    living_area = LivingAreaFactory(parent=social_area, name="Frankenberg", slug="frankenberg", code="362")
    sibling = LivingAreaFactory(parent=social_area, name="Kurgarten", slug="kurgarten", code="363")
    elsewhere = AreaFactory(name="Richterich", slug="richterich", code="6")
    return SimpleNamespace(
        district=district, social_area=social_area, living_area=living_area, sibling=sibling, elsewhere=elsewhere
    )


# --- Networks --------------------------------------------------------------------------


def test_network_list_sorted_by_kind_then_name(client):
    NetworkFactory(name="OAG Brand", kind=Network.Kind.SENIORS_WORKING_GROUP)
    NetworkFactory(name="Stadtteilkonferenz Rothe Erde")
    NetworkFactory(name="Stadtteilkonferenz Burtscheid")
    NetworkFactory(name="Nicht mehr aktiv", is_active=False)

    html = page(client, "/netzwerke/")

    positions = [
        html.index(name)
        for name in (">Stadtteilkonferenz Burtscheid<", ">Stadtteilkonferenz Rothe Erde<", ">OAG Brand<")
    ]
    assert positions == sorted(positions)
    assert "Nicht mehr aktiv" not in html
    assert "3 Netzwerke" in html
    assert '<button type="submit">Filtern</button>' in html
    assert '<label for="id_art">Art</label>' in html
    assert '<label for="id_gebiet">Gebiet</label>' in html


def test_network_list_filter_by_kind(client):
    NetworkFactory(name="STK Nord")
    NetworkFactory(name="OAG Brand", kind=Network.Kind.SENIORS_WORKING_GROUP)

    html = page(client, "/netzwerke/", {"art": "oag"})

    assert "OAG Brand" in html
    assert "STK Nord" not in html
    assert "Filter zurücksetzen" in html


def test_network_list_filter_by_area_includes_the_areas_below(client, geography):
    NetworkFactory(name="STK Frankenberg").areas.add(geography.living_area)
    NetworkFactory(name="Sozialraumkonferenz Burtscheid").areas.add(geography.social_area)
    NetworkFactory(name="STK Richterich").areas.add(geography.elsewhere)

    html = page(client, "/netzwerke/", {"gebiet": geography.district.pk})

    assert "STK Frankenberg" in html
    assert "Sozialraumkonferenz Burtscheid" in html
    assert "STK Richterich" not in html
    assert "2 Netzwerke" in html


def test_network_list_area_select_groups_areas_by_level_escaped_with_the_choice_kept(client, geography):
    AreaFactory(name="Süd & <West>", slug="sued-west", code="7")

    html = page(client, "/netzwerke/", {"gebiet": geography.social_area.pk})

    options = [line.strip() for line in html.splitlines() if line.strip().startswith(("<optgroup", "<option"))]
    area_options = options[options.index('<optgroup label="Stadtbezirke">') :]
    assert area_options == [
        '<optgroup label="Stadtbezirke">',
        f'<option value="{geography.district.pk}">1 Aachen-Mitte</option>',
        f'<option value="{geography.elsewhere.pk}">6 Richterich</option>',
        f'<option value="{Area.objects.get(slug="sued-west").pk}">7 Süd &amp; &lt;West&gt;</option>',
        '<optgroup label="Sozialräume">',
        f'<option value="{geography.social_area.pk}" selected>5 Burtscheid</option>',
        '<optgroup label="Lebensräume">',
        f'<option value="{geography.living_area.pk}">362 Frankenberg</option>',
        f'<option value="{geography.sibling.pk}">363 Kurgarten</option>',
    ]


@pytest.mark.parametrize(
    "query",
    [{"art": "kegelclub"}, {"gebiet": "abc"}, {"gebiet": "999999"}, {"gebiet": "-1"}, {"art": "x" * 5000}],
)
def test_network_list_invalid_filter_is_a_400_with_a_german_message(client, geography, query):
    NetworkFactory(name="STK Frankenberg").areas.add(geography.living_area)

    html = page(client, "/netzwerke/", query, status=400)

    assert "Der Filter enthält eine ungültige Angabe." in html
    assert "Bitte wählen Sie einen Eintrag aus der Liste." in html
    assert 'aria-invalid="true"' in html
    assert "STK Frankenberg" not in html


def test_network_detail_shows_what_the_network_is(client, geography):
    network = NetworkFactory(
        name="Stadtteilkonferenz Burtscheid",
        slug="stk-burtscheid",
        short_name="STK Burtscheid",
        description="Die Fachleute aus Burtscheid treffen sich.",
        founded_year=1998,
        rhythm="etwa alle zwei Monate",
        website="https://stk-burtscheid.example.org/",
    )
    network.areas.add(geography.social_area)
    network.topics.add(Topic.objects.create(name="Wohnen im Alter", slug="wohnen-im-alter"))
    NetworkFactory(name="AK Spielplätze", slug="ak-spielplaetze", kind=Network.Kind.WORKING_GROUP, parent=network)
    institution = InstitutionFactory(name="Familienzentrum Kurpark", slug="fz-kurpark")
    MembershipFactory(network=network, institution=institution, person=None)

    html = page(client, "/netzwerke/stk-burtscheid/")

    assert "<h1>Stadtteilkonferenz Burtscheid</h1>" in html
    assert "Die Fachleute aus Burtscheid treffen sich." in html
    assert "Stadtteilkonferenz" in html
    assert f'href="/gebiete/{geography.social_area.slug}/"' in html
    assert "1998" in html
    assert "etwa alle zwei Monate" in html
    assert 'href="https://stk-burtscheid.example.org/"' in html
    assert "Wohnen im Alter" in html
    assert 'href="/netzwerke/ak-spielplaetze/">AK Spielplätze</a>' in html
    assert 'href="/einrichtungen/fz-kurpark/">Familienzentrum Kurpark</a>' in html
    assert institution.type.name in html
    assert 'href="/netzwerke/stk-burtscheid/kontakt.vcf"' in html
    assert '<nav class="breadcrumbs" aria-label="Sie sind hier">' in html


def test_network_detail_of_a_working_group_links_its_network(client):
    network = NetworkFactory(name="Stadtteilkonferenz Ost", slug="stk-ost")
    NetworkFactory(name="AK Jugend", slug="ak-jugend", kind=Network.Kind.WORKING_GROUP, parent=network)

    html = page(client, "/netzwerke/ak-jugend/")

    assert 'Arbeitskreis von</dt><dd><a href="/netzwerke/stk-ost/">Stadtteilkonferenz Ost</a>' in html


def test_network_detail_without_a_visible_contact_points_to_the_contact_form(client):
    network = NetworkFactory(slug="stk-still")
    MembershipFactory(network=network, role=Membership.Role.SPEAKER)

    html = page(client, "/netzwerke/stk-still/")

    assert "Sprecher*in" in html
    assert "Name nicht veröffentlicht" in html
    assert 'class="contact-fallback"' in html
    assert 'action="/netzwerke/stk-still/kontakt/#kontaktformular"' in html


def test_network_detail_with_a_public_contact_shows_it_and_no_fallback(client):
    network = NetworkFactory(slug="stk-offen")
    speaker = PersonFactory(given_name="Olga", family_name="Offen")
    ChannelFactory(person=speaker, value="olga.offen@example.org")
    ConsentFactory(person=speaker, scope=Consent.Scope.NAME)
    ConsentFactory(person=speaker, scope=Consent.Scope.EMAIL)
    MembershipFactory(network=network, person=speaker, role=Membership.Role.SPEAKER)

    html = page(client, "/netzwerke/stk-offen/")

    assert "<strong>Olga Offen</strong>" in html
    assert 'href="mailto:olga.offen@example.org"' in html
    assert 'class="contact-fallback"' not in html


@pytest.mark.parametrize(
    ("kind", "name", "heading"),
    [
        ("stk", "Eilendorf", "Ihre Nachricht an die Stadtteilkonferenz Eilendorf"),
        ("stk", "Stadtteilkonferenz Eilendorf", "Ihre Nachricht an die Stadtteilkonferenz Eilendorf"),
        ("oag", "OAG Brand", "Ihre Nachricht an die OAG Brand"),
        ("sonstiges", "Runder Tisch Rothe Erde", "Ihre Nachricht an das Netzwerk Runder Tisch Rothe Erde"),
    ],
)
def test_network_contact_form_heading_names_the_network_with_its_kind(client, kind, name, heading):
    NetworkFactory(kind=kind, name=name, slug="netz")

    html = page(client, "/netzwerke/netz/")

    assert f'<h2 id="nachricht">{heading}</h2>' in html


@pytest.mark.parametrize(
    ("name", "heading"),
    [
        ("Stadtteilkonferenz Aachen-Nord", "Your message to the Stadtteilkonferenz Aachen-Nord"),
        ("Eilendorf", "Your message to the Neighbourhood conference Eilendorf"),
    ],
)
def test_network_contact_form_heading_in_english_names_the_kind_once(client, name, heading):
    """The names are German: one that starts with its kind keeps it on an English page."""
    NetworkFactory(kind="stk", name=name, slug="netz")

    html = client.get("/netzwerke/netz/", headers={"accept-language": "en"}).content.decode()

    assert f'<h2 id="nachricht">{heading}</h2>' in html


def test_working_group_contact_form_heading_takes_its_article(client):
    parent = NetworkFactory()
    NetworkFactory(kind=Network.Kind.WORKING_GROUP, parent=parent, name="Jugend Burtscheid", slug="ak")

    html = page(client, "/netzwerke/ak/")

    assert '<h2 id="nachricht">Ihre Nachricht an den Arbeitskreis Jugend Burtscheid</h2>' in html


def test_speaker_role_follows_the_form_of_address(client):
    network = NetworkFactory(slug="stk-rollen")
    for given, address, role in [
        ("Hans", "Herr", Membership.Role.SPEAKER),
        ("Frieda", "Frau", Membership.Role.SPEAKER),
        ("Kim", "", Membership.Role.DEPUTY_SPEAKER),
        ("Greta", "Frau", Membership.Role.DEPUTY_SPEAKER),
    ]:
        speaker = PersonFactory(given_name=given, family_name="Rolle", form_of_address=address)
        ConsentFactory(person=speaker, scope=Consent.Scope.NAME)
        MembershipFactory(network=network, person=speaker, role=role)

    html = page(client, "/netzwerke/stk-rollen/")

    roles = dict(re.findall(r"<strong>(\w+ Rolle)</strong>.*? – ([^\n<]+)", html))
    assert roles == {
        "Hans Rolle": "Sprecher",
        "Frieda Rolle": "Sprecherin",
        "Kim Rolle": "stellvertretende*r Sprecher*in",
        "Greta Rolle": "stellvertretende Sprecherin",
    }


@pytest.mark.parametrize(
    "url", ["/netzwerke/gibt-es-nicht/", "/netzwerke/gibt-es-nicht/kontakt.vcf", "/einrichtungen/gibt-es-nicht/"]
)
def test_unknown_slug_is_a_404_in_german(client, url):
    html = page(client, url, status=404)

    assert "Seite nicht gefunden" in html


def test_pages_refuse_post(client):
    NetworkFactory(slug="stk-post")

    assert client.post("/netzwerke/").status_code == 405
    assert client.post("/netzwerke/stk-post/").status_code == 405


# --- vCard -----------------------------------------------------------------------------


def test_network_vcard_carries_the_network_and_its_public_speakers(client):
    network = NetworkFactory(name="OAG Brand; Eilendorf", slug="oag-brand", website="https://oag.example.org/")
    speaker = PersonFactory(given_name="Olga", family_name="Offen")
    ChannelFactory(person=speaker, value="olga.offen@example.org")
    ChannelFactory(person=speaker, kind=ContactChannel.Kind.PHONE, value="0241 4321")
    ConsentFactory(person=speaker, scope=Consent.Scope.NAME)
    ConsentFactory(person=speaker, scope=Consent.Scope.EMAIL)
    MembershipFactory(network=network, person=speaker, role=Membership.Role.SPEAKER)

    response = client.get("/netzwerke/oag-brand/kontakt.vcf")

    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    text = response.content.decode()
    cards = text.split("END:VCARD\r\n")[:-1]
    assert len(cards) == 2
    assert cards[0].startswith("BEGIN:VCARD\r\nVERSION:4.0\r\nKIND:org\r\n")
    assert "ORG:OAG Brand\\; Eilendorf\r\n" in cards[0]
    assert "URL;TYPE=work:https://oag.example.org/\r\n" in cards[0]
    assert "FN:Olga Offen\r\n" in cards[1]
    assert "ROLE:Sprecher*in\r\n" in cards[1]
    assert "EMAIL;TYPE=work:olga.offen@example.org\r\n" in cards[1]
    assert "0241 4321" not in text
    assert all(line.endswith("\r") or not line for line in text.split("\n"))


def test_network_vcard_without_public_speakers_is_the_network_alone(client):
    network = NetworkFactory(name="Stadtteilkonferenz Still", slug="stk-still")
    MembershipFactory(network=network, role=Membership.Role.SPEAKER)

    text = client.get("/netzwerke/stk-still/kontakt.vcf").content.decode()

    assert text.count("BEGIN:VCARD") == 1
    assert "FN:Stadtteilkonferenz Still\r\n" in text


def test_vcard_fold_keeps_lines_short_and_characters_whole():
    line = "NOTE:" + "Örtliche Arbeitsgemeinschaft der Altenarbeit " * 5

    folded = line_fold(line).decode("utf-8").removesuffix("\r\n")

    parts = folded.split("\r\n")
    assert all(len(part.encode("utf-8")) <= LINE_OCTETS for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert "".join(part.removeprefix(" ") if i else part for i, part in enumerate(parts)) == line


# --- Institutions ----------------------------------------------------------------------


def test_institution_list_filter_by_type_and_area(client, geography):
    kita, school = InstitutionType.objects.order_by("pk")[:2]
    InstitutionFactory(name="Kita Frankenberg", type=kita, area=geography.living_area)
    InstitutionFactory(name="Schule Frankenberg", type=school, area=geography.living_area)
    InstitutionFactory(name="Kita Richterich", type=kita, area=geography.elsewhere)
    InstitutionFactory(name="Geschlossene Kita", type=kita, area=geography.living_area, is_active=False)

    by_area = page(client, "/einrichtungen/", {"gebiet": geography.social_area.pk})
    by_both = page(client, "/einrichtungen/", {"gebiet": geography.district.pk, "art": kita.pk})

    assert ("Kita Frankenberg" in by_area, "Schule Frankenberg" in by_area, "Kita Richterich" in by_area) == (
        True,
        True,
        False,
    )
    assert "Geschlossene Kita" not in by_area
    assert ("Kita Frankenberg" in by_both, "Schule Frankenberg" in by_both) == (True, False)
    assert "<optgroup" in by_area


@pytest.mark.parametrize("query", [{"art": "abc"}, {"art": "999999"}, {"gebiet": "x"}])
def test_institution_list_invalid_filter_is_a_400_with_a_german_message(client, query):
    html = page(client, "/einrichtungen/", query, status=400)

    assert "Der Filter enthält eine ungültige Angabe." in html


def test_institution_list_has_fifty_to_a_page(client):
    for number in range(51):
        InstitutionFactory(name=f"Einrichtung {number:03d}")

    first = page(client, "/einrichtungen/")
    second = page(client, "/einrichtungen/", {"seite": 2})

    assert "51 Einrichtungen" in first
    assert ("Einrichtung 049" in first, "Einrichtung 050" in first) == (True, False)
    assert "Einrichtung 050" in second
    assert 'href="?seite=2"' in first
    assert "Seite 2 von 2" in second


def test_institution_list_counts_once_per_directory_version_and_follows_every_change(client):
    InstitutionFactory.create_batch(2)
    first = page(client, "/einrichtungen/")
    with CaptureQueriesContext(connection) as again:
        page(client, "/einrichtungen/")
    # Read now: the next request empties the connection's log.
    counted_again = [query["sql"] for query in again.captured_queries if "COUNT(" in query["sql"].upper()]
    closing = InstitutionFactory()
    after_new = page(client, "/einrichtungen/")
    closing.is_active = False
    closing.save()
    after_closed = page(client, "/einrichtungen/")

    assert counted_again == []
    assert ("2 Einrichtungen" in first, "3 Einrichtungen" in after_new, "2 Einrichtungen" in after_closed) == (
        True,
        True,
        True,
    )


def test_institution_list_pagination_keeps_the_filter(client, geography):
    for _ in range(51):
        InstitutionFactory(area=geography.living_area)

    html = page(client, "/einrichtungen/", {"gebiet": geography.living_area.pk})

    assert f'href="?gebiet={geography.living_area.pk}&amp;seite=2"' in html


@pytest.mark.parametrize("number", ["0", "-1", "abc", "99", "1.5"])
def test_institution_list_bad_page_is_a_404_in_german(client, number):
    InstitutionFactory()

    html = page(client, "/einrichtungen/", {"seite": number}, status=404)

    assert "Seite nicht gefunden" in html


def test_institution_detail_shows_address_access_contacts_and_networks(client, geography):
    from contacts.models import Umbrella

    umbrella = Umbrella.objects.create(name="Caritasverband für die Region Aachen", short_name="Caritas")
    institution = InstitutionFactory(
        name="Begegnungsstätte Kurpark",
        slug="bgs-kurpark",
        street="Kurparkstraße 3",
        postal_code="52066",
        area=geography.living_area,
        email="kurpark@example.org",
        phone="0241 123456",
        website="https://kurpark.example.org/",
        umbrella=umbrella,
        accessibility=Institution.Accessibility.STEP_FREE,
        accessibility_notes="Eingang über den Hof, Aufzug vorhanden.",
    )
    current = NetworkFactory(name="OAG Burtscheid", slug="oag-burtscheid")
    MembershipFactory(network=current, institution=institution, person=None)
    past = NetworkFactory(name="Früheres Netzwerk")
    MembershipFactory(
        network=past,
        institution=institution,
        person=None,
        start=datetime.date(2020, 1, 1),
        end=datetime.date(2021, 1, 1),
    )
    dormant = NetworkFactory(name="Ruhendes Netzwerk", is_active=False)
    MembershipFactory(network=dormant, institution=institution, person=None)

    html = page(client, "/einrichtungen/bgs-kurpark/")

    assert "<h1>Begegnungsstätte Kurpark</h1>" in html
    assert "Kurparkstraße 3, 52066 Aachen" in html
    assert "stufenlos zugänglich" in html
    assert "Eingang über den Hof, Aufzug vorhanden." in html
    assert 'href="mailto:kurpark@example.org"' in html
    assert "0241 123456" in html
    assert "Caritasverband für die Region Aachen" in html
    assert 'href="/netzwerke/oag-burtscheid/">OAG Burtscheid</a>' in html
    assert "Früheres Netzwerk" not in html
    assert "Ruhendes Netzwerk" not in html


def test_institution_detail_shows_a_change_at_once_and_the_edit_link_only_to_its_people(client):
    """The page's parts are cached per directory version for everybody; the edit link is
    decided per visitor: its own people see it, whoever rendered the page first."""
    institution = InstitutionFactory(slug="stz-nord", phone="0241 111111", email="stz@example.org")
    staff = PersonFactory(user=UserFactory())
    staff.affiliations.create(institution=institution, function="Leitung")
    colleague = Client()
    colleague.force_login(staff.user)
    url = "/einrichtungen/stz-nord/"
    link = 'href="/einrichtungen/stz-nord/eintrag/"'

    seen_by_staff_first = page(colleague, url)
    seen_anonymously = page(client, url)
    Institution.objects.filter(pk=institution.pk).update(phone="0241 222222")
    seen_anonymously_after_the_change = page(client, url)
    seen_by_staff_after = page(colleague, url)

    assert (link in seen_by_staff_first, link in seen_anonymously) == (True, False)
    assert ("0241 111111" in seen_anonymously, "0241 222222" in seen_anonymously_after_the_change) == (True, True)
    assert (link in seen_anonymously_after_the_change, link in seen_by_staff_after) == (False, True)


def test_institution_detail_form_errors_stay_with_the_visitor_who_made_them(client):
    InstitutionFactory(slug="stz-sued", email="sued@example.org")
    page(client, "/einrichtungen/stz-sued/")  # the parts are in the cache

    error = client.post("/einrichtungen/stz-sued/kontakt/", {**CONTACT, "betreff": "", "name": "Berta Tippfehler"})
    again = page(client, "/einrichtungen/stz-sued/")

    assert error.status_code == 400
    assert (
        "Berta Tippfehler" in error.content.decode(),
        "Bitte füllen Sie dieses Feld aus." in error.content.decode(),
    ) == (
        True,
        True,
    )
    assert ("Berta Tippfehler" in again, "Bitte füllen Sie dieses Feld aus." in again) == (False, False)


# --- Areas -----------------------------------------------------------------------------


def test_area_list_nests_districts_social_and_living_areas(client, geography):
    html = page(client, "/gebiete/")

    district = html.index('href="/gebiete/aachen-mitte/"')
    social = html.index('href="/gebiete/burtscheid/"')
    living = html.index('href="/gebiete/frankenberg/"')
    assert district < social < living
    assert html[district:living].count('<ul class="area-tree">') == 2


def test_area_detail_lists_networks_above_at_and_below_the_area(client, geography):
    NetworkFactory(name="OAG Mitte", kind=Network.Kind.SENIORS_WORKING_GROUP).areas.add(geography.district)
    NetworkFactory(name="Stadtteilkonferenz Burtscheid").areas.add(geography.social_area)
    NetworkFactory(name="AK Frankenberg").areas.add(geography.living_area)
    NetworkFactory(name="STK Kurgarten").areas.add(geography.sibling)
    NetworkFactory(name="STK Richterich").areas.add(geography.elsewhere)
    InstitutionFactory(name="Kita Frankenberg", area=geography.living_area)
    InstitutionFactory(name="Kita Kurgarten", area=geography.sibling)

    social = page(client, "/gebiete/burtscheid/")
    living = page(client, "/gebiete/frankenberg/")

    for name in ("OAG Mitte", "Stadtteilkonferenz Burtscheid", "AK Frankenberg", "STK Kurgarten"):
        assert name in social
    assert "STK Richterich" not in social
    assert ("Kita Frankenberg" in social, "Kita Kurgarten" in social) == (True, True)
    for name in ("OAG Mitte", "Stadtteilkonferenz Burtscheid", "AK Frankenberg"):
        assert name in living
    assert "STK Kurgarten" not in living
    assert ("Kita Frankenberg" in living, "Kita Kurgarten" in living) == (True, False)


def test_area_detail_breadcrumbs_parent_and_children(client, geography):
    html = page(client, "/gebiete/burtscheid/")
    breadcrumbs = html[html.index('<nav class="breadcrumbs"') : html.index("</nav>", html.index('class="breadcrumbs"'))]

    assert [part for part in ("Start", "Gebiete", "Aachen-Mitte", "Burtscheid") if part in breadcrumbs] == [
        "Start",
        "Gebiete",
        "Aachen-Mitte",
        "Burtscheid",
    ]
    assert breadcrumbs.index("Aachen-Mitte") < breadcrumbs.index('aria-current="page">Burtscheid')
    assert 'href="/gebiete/frankenberg/"' in html
    assert 'href="/gebiete/kurgarten/"' in html


def test_area_detail_links_to_all_institutions_when_there_are_many(client, geography):
    for _ in range(51):
        InstitutionFactory(area=geography.living_area)

    html = page(client, "/gebiete/burtscheid/")

    assert f'href="/einrichtungen/?gebiet={geography.social_area.pk}"' in html
    assert "Alle 51 Einrichtungen in diesem Gebiet anzeigen" in html


def test_area_unknown_slug_is_a_404(client):
    assert "Seite nicht gefunden" in page(client, "/gebiete/atlantis/", status=404)


def test_area_choice_redirects_to_the_area_page(client, geography):
    response = client.get("/gebiete/auswahl/", {"gebiet": geography.living_area.pk})

    assert response.status_code == 302
    assert response["Location"] == "/gebiete/frankenberg/"


@pytest.mark.parametrize("query", [{}, {"gebiet": ""}, {"gebiet": "abc"}, {"gebiet": "999999"}])
def test_area_choice_invalid_is_a_400_with_a_german_message(client, geography, query):
    html = page(client, "/gebiete/auswahl/", query, status=400)

    assert "Bitte wählen Sie ein Gebiet aus der Liste." in html


# --- Start page ------------------------------------------------------------------------


def test_home_links_networks_and_offers_the_area_choice(client, geography):
    NetworkFactory(name="Stadtteilkonferenz Burtscheid", slug="stk-burtscheid").areas.add(geography.social_area)

    html = page(client, "/")

    assert '<html lang="de">' in html
    assert 'href="/netzwerke/stk-burtscheid/">Stadtteilkonferenz Burtscheid</a>' in html
    assert "Was ist in meinem Stadtteil los?" in html
    assert 'action="/gebiete/auswahl/"' in html
    assert '<optgroup label="Stadtbezirke">' in html
    assert '<optgroup label="Sozialräume">' in html
    assert '<optgroup label="Lebensräume">' in html
    for link in ('href="/netzwerke/"', 'href="/einrichtungen/"', 'href="/gebiete/"'):
        assert link in html
    assert 'href="webcal://testserver/kalender/stadt.ics"' in html


# --- API -------------------------------------------------------------------------------


def test_api_network_and_area_carry_their_absolute_page_address(client, geography):
    NetworkFactory(slug="stk-burtscheid")

    network = client.get("/api/v1/networks/stk-burtscheid/").json()
    area = client.get(f"/api/v1/areas/{geography.living_area.pk}/").json()

    assert network["html_url"] == "http://testserver/netzwerke/stk-burtscheid/"
    assert area["html_url"] == "http://testserver/gebiete/frankenberg/"


def test_api_schema_documents_html_url_as_a_uri(client):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()

    assert schema["components"]["schemas"]["Network"]["properties"]["html_url"]["format"] == "uri"
    assert schema["components"]["schemas"]["Area"]["properties"]["html_url"]["format"] == "uri"


# --- Privacy ---------------------------------------------------------------------------


@pytest.fixture
def seeded_people(geography, settings, tmp_path):
    """A network whose people hold every kind of private value beside consented public ones,
    and a public meeting with a public and a members-only document.

    ``private`` must never leave the system on a public surface; ``members_only`` only for
    members of the same network; ``public`` must show.
    """
    settings.MEDIA_ROOT = tmp_path / "media"
    network = NetworkFactory(name="Stadtteilkonferenz Frankenberg", slug="stk-frankenberg")
    network.areas.add(geography.living_area)
    institution = InstitutionFactory(name="Familienzentrum Frankenberg", area=geography.living_area)

    # Public name and one consented e-mail; a second e-mail and the phone have no consent.
    olaf = PersonFactory(given_name="Olafur", family_name="Offenbar")
    public_mail = ChannelFactory(person=olaf, value="olafur.offenbar@example.org")
    ChannelFactory(person=olaf, value="olafur.heimlich@example.org", is_primary=False)
    ChannelFactory(person=olaf, kind=ContactChannel.Kind.PHONE, value="0241 5550101")
    ConsentFactory(person=olaf, scope=Consent.Scope.NAME)
    ConsentFactory(person=olaf, scope=Consent.Scope.EMAIL, channel=public_mail)
    MembershipFactory(network=network, person=olaf, role=Membership.Role.SPEAKER)

    # No consent at all: a deputy speaker representing the institution, with an affiliation.
    paula = PersonFactory(given_name="Paulette", family_name="Verborgenholz", notes="Geheimnotiz-4711")
    ChannelFactory(person=paula, value="paulette.verborgenholz@example.org")
    ChannelFactory(person=paula, kind=ContactChannel.Kind.PHONE, value="0241 5550202")
    paula.affiliations.create(institution=institution, function="Leitung Geheimabteilung")
    MembershipFactory(network=network, person=paula, institution=institution, role=Membership.Role.DEPUTY_SPEAKER)

    # Consent for members of the network only.
    mia = PersonFactory(given_name="Mialene", family_name="Mitgliedsweit")
    ChannelFactory(person=mia, value="mialene.mitgliedsweit@example.org")
    ConsentFactory(person=mia, scope=Consent.Scope.NAME, audience=Visibility.NETWORK_MEMBERS)
    ConsentFactory(person=mia, scope=Consent.Scope.EMAIL, audience=Visibility.NETWORK_MEMBERS)
    MembershipFactory(network=network, person=mia)

    # A public consent that was withdrawn.
    wanda = PersonFactory(given_name="Wandelind", family_name="Widerrufmann")
    ConsentFactory(
        person=wanda,
        scope=Consent.Scope.NAME,
        given_at=timezone.now() - datetime.timedelta(days=10),
        withdrawn_at=timezone.now(),
    )
    MembershipFactory(network=network, person=wanda, role=Membership.Role.MANAGEMENT)

    # An individual member and an institution's representative without consent.
    ingo = PersonFactory(given_name="Ingolf", family_name="Unsichtbarski")
    MembershipFactory(network=network, person=ingo)
    rolf = PersonFactory(given_name="Rolfhard", family_name="Vertreterhaus")
    MembershipFactory(network=network, person=rolf, institution=institution)

    # The Sozialplanung contact has given no consent either.
    sina = PersonFactory(given_name="Sinaida", family_name="Sozialinterna")
    ChannelFactory(person=sina, value="sinaida.sozialinterna@stadt.example.org")
    network.sozialplanung_contact = sina
    network.save()

    # A public individual member.
    pia = PersonFactory(given_name="Pialotta", family_name="Publik")
    ConsentFactory(person=pia, scope=Consent.Scope.NAME)
    MembershipFactory(network=network, person=pia)

    # Someone who is a member of another network only, with an account.
    other = NetworkFactory(name="OAG Anderswo", slug="oag-anderswo", kind=Network.Kind.SENIORS_WORKING_GROUP)
    other.areas.add(geography.elsewhere)
    outsider = PersonFactory(user=UserFactory(email="aussen@example.org"))
    MembershipFactory(network=other, person=outsider)
    insider = PersonFactory(user=UserFactory(email="innen@example.org"))
    MembershipFactory(network=network, person=insider)

    meeting = MeetingFactory(network=network, title="Frühjahrssitzung Frankenberg")
    for title, visibility in (
        ("Einladung Frühjahrssitzung", MeetingVisibility.PUBLIC),
        ("Interne Haushaltsvorlage Frankenberg", MeetingVisibility.MEMBERS),
    ):
        meeting_services.document_add(meeting=meeting, file=upload(), title=title, visibility=visibility)

    return SimpleNamespace(
        network=network,
        institution=institution,
        meeting=meeting,
        outsider=outsider.user,
        insider=insider.user,
        private=[
            "olafur.heimlich@example.org",
            "0241 5550101",
            "Paulette",
            "Verborgenholz",
            "paulette.verborgenholz@example.org",
            "0241 5550202",
            "Geheimnotiz-4711",
            "Leitung Geheimabteilung",
            "Wandelind",
            "Widerrufmann",
            "Ingolf",
            "Unsichtbarski",
            "Rolfhard",
            "Vertreterhaus",
            "Sinaida",
            "Sozialinterna",
        ],
        members_only=[
            "Mialene",
            "Mitgliedsweit",
            "mialene.mitgliedsweit@example.org",
            "Interne Haushaltsvorlage Frankenberg",
        ],
        public=["Olafur Offenbar", "olafur.offenbar@example.org", "Pialotta Publik"],
    )


class LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


# Not part of the public directory: the account pages, the admin, the API's docs and schema.
NOT_CRAWLED = ("/konto/", "/verwaltung/", "/api/docs/", "/api/schema/", "/static/")


def crawl(client, start: list[str]) -> dict[str, str]:
    """Every page reachable from ``start`` by following links on this site: {url: body}."""
    seen: dict[str, str] = {}
    queue = deque(start)
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url, follow=True)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        if response.streaming:  # a document's download (read to the end, which closes it)
            body = b"".join(response.streaming_content).decode("latin-1")
        else:
            body = response.content.decode()
        seen[url] = body
        if not response["Content-Type"].startswith("text/html"):
            continue
        parser = LinkParser()
        parser.feed(body)
        for href in parser.links:
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or target.startswith(NOT_CRAWLED):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


def public_surfaces(seeded, geography) -> list[str]:
    """The start page, the filtered lists (forms are not links), the confirmations after
    the contact forms (reached by a POST) and the API; the site pages are linked from
    every page's footer."""
    network = seeded.network
    return [
        "/",
        f"/netzwerke/{network.slug}/kontakt/gesendet/",
        f"/einrichtungen/{seeded.institution.slug}/kontakt/gesendet/",
        "/barrierefreiheit/gesendet/",
        f"/netzwerke/?gebiet={geography.living_area.pk}",
        "/netzwerke/?art=stk",
        f"/einrichtungen/?gebiet={geography.district.pk}",
        f"/gebiete/auswahl/?gebiet={geography.living_area.pk}",
        "/api/v1/",
        "/api/v1/networks/",
        f"/api/v1/networks/{network.slug}/",
        "/api/v1/areas/",
        f"/api/v1/areas/{geography.living_area.pk}/",
    ]


def assert_crawled_every_kind_of_page(pages: dict[str, str], seeded) -> None:
    slug = seeded.network.slug
    for url in (
        "/impressum/",
        "/datenschutz/",
        "/barrierefreiheit/",
        "/leichte-sprache/",
        f"/netzwerke/{slug}/kontakt/gesendet/",
        f"/einrichtungen/{seeded.institution.slug}/kontakt/gesendet/",
        "/barrierefreiheit/gesendet/",
        "/netzwerke/",
        f"/netzwerke/{slug}/",
        f"/netzwerke/{slug}/kontakt.vcf",
        "/einrichtungen/",
        "/gebiete/",
        "/gebiete/frankenberg/",
        "/gebiete/burtscheid/",
        "/gebiete/aachen-mitte/",
    ):
        assert url in pages
    assert any(url.startswith("/einrichtungen/") and url.count("/") == 3 for url in pages)
    # The meeting page and its public document (a PDF, read like any page).
    meeting_page = pages[f"/termine/{seeded.meeting.uid}/"]
    assert "Einladung Frühjahrssitzung" in meeting_page
    assert any("/unterlagen/" in url and pages[url].startswith("%PDF") for url in pages)


def leaks(pages: dict[str, str], values: list[str]) -> list[tuple[str, str]]:
    return [(url, value) for url, body in pages.items() for value in values if value in body]


def test_privacy_anonymous_crawl_shows_no_private_value(client, seeded_people, geography):
    pages = crawl(client, public_surfaces(seeded_people, geography))

    assert_crawled_every_kind_of_page(pages, seeded_people)
    assert leaks(pages, seeded_people.private + seeded_people.members_only) == []
    network_page = pages[f"/netzwerke/{seeded_people.network.slug}/"]
    assert [value for value in seeded_people.public if value in network_page] == seeded_people.public
    vcard = pages[f"/netzwerke/{seeded_people.network.slug}/kontakt.vcf"]
    assert ("FN:Olafur Offenbar" in vcard, "EMAIL;TYPE=work:olafur.offenbar@example.org" in vcard) == (True, True)


def test_privacy_member_of_another_network_sees_no_private_value(client, seeded_people, geography):
    client.force_login(seeded_people.outsider)

    pages = crawl(client, public_surfaces(seeded_people, geography))

    assert_crawled_every_kind_of_page(pages, seeded_people)
    assert leaks(pages, seeded_people.private + seeded_people.members_only) == []
    network_page = pages[f"/netzwerke/{seeded_people.network.slug}/"]
    assert [value for value in seeded_people.public if value in network_page] == seeded_people.public


def test_privacy_anonymous_pages_after_a_members_render_show_no_members_only_value(client, seeded_people, geography):
    """The lists' fragments are cached per directory version for everybody: a member of the
    network renders every page first (and sees what members may see), then an anonymous
    visitor gets the same pages without any of it."""
    member = Client()
    member.force_login(seeded_people.insider)
    member_pages = crawl(member, public_surfaces(seeded_people, geography))
    network_page = member_pages[f"/netzwerke/{seeded_people.network.slug}/"]
    assert "Mialene Mitgliedsweit" in network_page

    pages = crawl(client, public_surfaces(seeded_people, geography))

    assert_crawled_every_kind_of_page(pages, seeded_people)
    assert leaks(pages, seeded_people.private + seeded_people.members_only) == []


CONTACT = {
    "name": "Anna Beispiel",
    "email": "anna@example.org",
    "betreff": "Frage",
    "nachricht": "Hallo",
    "kopie": "on",
}


def error_and_form_surfaces(client, seeded, settings) -> dict[str, str]:
    """What the contact forms answer (errors, confirmation after the redirect, the rate
    limit) and the error pages: {what: body}, each with the status it must have."""
    network, institution = seeded.network.slug, seeded.institution.slug
    answers = {
        "network form error": (client.post(f"/netzwerke/{network}/kontakt/", {**CONTACT, "email": "x"}), 400),
        "institution form error": (
            client.post(f"/einrichtungen/{institution}/kontakt/", {**CONTACT, "betreff": ""}),
            400,
        ),
        "feedback form error": (client.post("/barrierefreiheit/", {**CONTACT, "nachricht": ""}), 400),
        "network form sent": (client.post(f"/netzwerke/{network}/kontakt/", CONTACT, follow=True), 200),
        "institution form sent": (client.post(f"/einrichtungen/{institution}/kontakt/", CONTACT, follow=True), 200),
        "feedback sent": (client.post("/barrierefreiheit/", CONTACT, follow=True), 200),
        "unknown network": (client.get("/netzwerke/gibt-es-nicht/"), 404),
        "unknown page": (client.get("/gibt-es-nicht/"), 404),
        "bad filter": (client.get("/netzwerke/?art=unbekannt"), 400),
        "bad page number": (client.get("/einrichtungen/?seite=-1"), 404),
    }
    settings.CONTACT_MESSAGES_LIMIT = 0
    answers["rate limit"] = (client.post(f"/netzwerke/{network}/kontakt/", CONTACT), 429)
    assert {what: response.status_code for what, (response, _status) in answers.items()} == {
        what: status for what, (_response, status) in answers.items()
    }
    return {what: response.content.decode() for what, (response, _status) in answers.items()}


@pytest.mark.parametrize("anonymous", [True, False], ids=["anonymous", "member-of-another-network"])
def test_privacy_contact_forms_and_error_pages_show_no_private_value(client, seeded_people, settings, anonymous):
    if not anonymous:
        client.force_login(seeded_people.outsider)

    pages = error_and_form_surfaces(client, seeded_people, settings)

    assert leaks(pages, seeded_people.private + seeded_people.members_only) == []
    assert "Stadtteilkonferenz Frankenberg" in pages["network form sent"]


def test_privacy_anonymous_crawl_after_a_member_with_the_public_cache_on(client, seeded_people, geography, settings):
    """The whole-answer cache never hands a member's page to an anonymous visitor."""
    settings.PUBLIC_CACHE_SECONDS = 60
    client.force_login(seeded_people.insider)
    member_pages = crawl(client, public_surfaces(seeded_people, geography))
    client.logout()
    client.cookies.clear()

    pages = crawl(client, public_surfaces(seeded_people, geography))
    again = crawl(client, public_surfaces(seeded_people, geography))

    assert "Mialene Mitgliedsweit" in member_pages[f"/netzwerke/{seeded_people.network.slug}/"]
    assert leaks(pages, seeded_people.private + seeded_people.members_only) == []
    assert leaks(again, seeded_people.private + seeded_people.members_only) == []


def test_privacy_member_of_the_network_sees_members_only_values_but_no_private_one(client, seeded_people):
    client.force_login(seeded_people.insider)

    html = page(client, f"/netzwerke/{seeded_people.network.slug}/")
    vcard = page(client, f"/netzwerke/{seeded_people.network.slug}/kontakt.vcf")

    assert "Mialene Mitgliedsweit" in html
    assert [value for value in seeded_people.private if value in html] == []
    # A vCard is passed on: it is always the public one.
    assert [value for value in seeded_people.members_only if value in vcard] == []


# --- Query counts ----------------------------------------------------------------------


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context)


def add_network(area, topic, institution_type) -> Network:
    """A network in ``area`` and a new Lebensraum, with a topic, a Sozialplanung contact, two
    speakers with consents, channels and affiliations, an institution member and an
    individual member."""
    network = NetworkFactory(sozialplanung_contact=PersonFactory())
    ConsentFactory(person=network.sozialplanung_contact)
    network.areas.add(area, LivingAreaFactory())
    network.topics.add(topic)
    NetworkFactory(kind=Network.Kind.WORKING_GROUP, parent=network)
    for role in (Membership.Role.SPEAKER, Membership.Role.DEPUTY_SPEAKER):
        person = PersonFactory()
        ChannelFactory(person=person)
        ConsentFactory(person=person)
        MembershipFactory(network=network, person=person, role=role)
        person.affiliations.create(institution=InstitutionFactory(type=institution_type))
    institution = InstitutionFactory(type=institution_type, area=area)
    MembershipFactory(network=network, institution=institution, person=None)
    MembershipFactory(network=network)
    return network


def add_rich_network_members(network, count: int, institution_type) -> None:
    for _ in range(count):
        person = PersonFactory()
        ChannelFactory(person=person)
        ChannelFactory(person=person, kind=ContactChannel.Kind.PHONE, value=f"0241 {person.pk:06d}")
        ConsentFactory(person=person)
        ConsentFactory(person=person, scope=Consent.Scope.EMAIL)
        person.affiliations.create(institution=InstitutionFactory(type=institution_type))
        MembershipFactory(network=network, person=person)
        MembershipFactory(network=network, person=PersonFactory(), role=Membership.Role.GUEST)
        MembershipFactory(network=network, institution=InstitutionFactory(type=institution_type), person=None)
    speaker = PersonFactory()
    ConsentFactory(person=speaker)
    MembershipFactory(network=network, person=speaker, role=Membership.Role.MANAGEMENT)


@pytest.mark.parametrize("anonymous", [True, False], ids=["anonymous", "logged-in"])
@pytest.mark.parametrize(
    "kind", ["home", "network_list", "network_detail", "institution_list", "institution_detail", "area_detail"]
)
def test_page_query_count_does_not_grow(client, geography, kind, anonymous):
    """One item or many: the same number of queries."""
    topic = Topic.objects.create(name="Jugend", slug="jugend")
    institution_type = InstitutionType.objects.order_by("pk").first()
    first = add_network(geography.living_area, topic, institution_type)
    member_institution = Institution.objects.filter(memberships__network=first).first()
    if not anonymous:
        member = PersonFactory(user=UserFactory())
        MembershipFactory(network=first, person=member)
        client.force_login(member.user)
    url = {
        "home": "/",
        "network_list": f"/netzwerke/?gebiet={geography.district.pk}",
        "network_detail": f"/netzwerke/{first.slug}/",
        "institution_list": f"/einrichtungen/?gebiet={geography.district.pk}",
        "institution_detail": f"/einrichtungen/{member_institution.slug}/",
        "area_detail": "/gebiete/burtscheid/",
    }[kind]
    client.get(url)  # warms the per-site cache (the demo-data marker)

    # Touched, so that the first request renders every fragment of the directory anew
    # (cold) and the second serves them from the cache (warm).
    Topic.objects.filter(pk=topic.pk).update(name=topic.name)
    few = (count_queries(client, url), count_queries(client, url))
    for _ in range(12):
        more = add_network(geography.social_area, topic, institution_type)
        MembershipFactory(network=more, institution=member_institution, person=None)
    add_rich_network_members(first, 12, institution_type)
    many = (count_queries(client, url), count_queries(client, url))

    assert many == few
    assert few[1] <= few[0]
