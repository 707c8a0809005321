"""The whole-answer cache of the anonymous public pages and API: served from the cache
until the directory changes, never to or from members, never with a cookie."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from contacts.models import Consent, Membership, Visibility
from tests.factories import (
    AreaFactory,
    ChannelFactory,
    ConsentFactory,
    MembershipFactory,
    NetworkFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _public_cache_on(settings):
    settings.PUBLIC_CACHE_SECONDS = 60


@pytest.fixture
def network():
    """A network whose speaker shows her name to members only."""
    network = NetworkFactory(name="Stadtteilkonferenz Haaren", slug="stk-haaren")
    speaker = PersonFactory(given_name="Mialene", family_name="Mitgliedsweit")
    ConsentFactory(person=speaker, scope=Consent.Scope.NAME, audience=Visibility.NETWORK_MEMBERS)
    MembershipFactory(network=network, person=speaker, role=Membership.Role.SPEAKER)
    member = PersonFactory(user=UserFactory(email="mitglied@example.org"))
    MembershipFactory(network=network, person=member)
    network.member_user = member.user
    return network


def queries_of(client, url: str, **headers) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(context), response.content.decode()


@pytest.mark.parametrize("url", ["/", "/netzwerke/stk-haaren/", "/gebiete/", "/impressum/", "/api/v1/networks/"])
def test_second_anonymous_request_is_served_without_a_query(client, network, url):
    first, first_body = queries_of(client, url)
    second, second_body = queries_of(client, url)

    assert (first > 0, second, second_body) == (True, 0, first_body)


def test_a_change_to_the_directory_shows_at_once(client, network, django_capture_on_commit_callbacks):
    client.get("/netzwerke/stk-haaren/")
    with django_capture_on_commit_callbacks(execute=True):
        network.name = "Stadtteilkonferenz Haaren-Verlautenheide"
        network.save()

    _queries, html = queries_of(client, "/netzwerke/stk-haaren/")

    assert "Stadtteilkonferenz Haaren-Verlautenheide" in html


def test_an_added_area_shows_at_once(client, network, django_capture_on_commit_callbacks):
    client.get("/netzwerke/stk-haaren/")

    with django_capture_on_commit_callbacks(execute=True):
        network.areas.add(AreaFactory(name="Verlautenheide"))

    _queries, html = queries_of(client, "/netzwerke/stk-haaren/")

    assert "Verlautenheide" in html


def test_member_page_is_never_stored_for_anonymous_visitors(client, network):
    client.force_login(network.member_user)
    member_html = client.get("/netzwerke/stk-haaren/").content.decode()
    client.logout()
    client.cookies.clear()

    anonymous_queries, anonymous_html = queries_of(client, "/netzwerke/stk-haaren/")

    assert "Mialene Mitgliedsweit" in member_html
    assert anonymous_queries > 0
    assert "Mialene" not in anonymous_html


def test_member_never_gets_the_cached_anonymous_page(client, network):
    client.get("/netzwerke/stk-haaren/")
    client.force_login(network.member_user)

    member_queries, member_html = queries_of(client, "/netzwerke/stk-haaren/")

    assert member_queries > 0
    assert "Mialene Mitgliedsweit" in member_html


def test_token_authorised_api_request_bypasses_the_cache(client, network):
    client.get("/api/v1/networks/")

    response = client.get("/api/v1/networks/", HTTP_AUTHORIZATION="Token ungueltig")

    # From the cache it would have been the anonymous 200; the API checked the token instead.
    assert response.status_code in (401, 403)


def test_languages_and_formats_are_cached_apart(client, network):
    german = client.get("/impressum/", HTTP_ACCEPT_LANGUAGE="de").content
    english_queries, _body = queries_of(client, "/impressum/", HTTP_ACCEPT_LANGUAGE="en")
    browsable_queries, _body = queries_of(client, "/api/v1/networks/", HTTP_ACCEPT="text/html")
    json_queries, _body = queries_of(client, "/api/v1/networks/", HTTP_ACCEPT="application/json")

    assert german
    assert (english_queries > 0, browsable_queries > 0, json_queries > 0) == (True, True, True)


def test_login_page_with_its_csrf_token_is_not_cached(client, network):
    first = client.get("/konto/anmelden/").content
    second = client.get("/konto/anmelden/").content

    # Each rendering masks the CSRF token anew; a cached page would repeat it.
    assert first != second


def test_error_answers_are_not_cached(client, network):
    client.get("/netzwerke/?art=unbekannt")

    with CaptureQueriesContext(connection) as context:
        response = client.get("/netzwerke/?art=unbekannt")

    assert (response.status_code, len(context) > 0) == (400, True)


def test_public_pages_set_no_cookie(client, network):
    assert dict(client.get("/netzwerke/stk-haaren/").cookies) == {}


def test_contact_form_posts_without_a_csrf_token(network):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    ChannelFactory(person=Membership.objects.get(network=network, role=Membership.Role.SPEAKER).person)

    response = client.post(
        "/netzwerke/stk-haaren/kontakt/",
        {"name": "Anna", "email": "anna@example.org", "betreff": "Frage", "nachricht": "Hallo"},
    )

    assert response.status_code == 302


def test_an_attendance_answer_keeps_the_public_pages_cached(client, network, django_capture_on_commit_callbacks):
    from meetings.services import attendance_answer
    from tests.meetings.factories import MeetingFactory

    meeting = MeetingFactory(network=network)
    member = Membership.objects.get(network=network, role=Membership.Role.MEMBER).person
    client.get("/netzwerke/stk-haaren/")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        attendance_answer(meeting=meeting, person=member, answer="zusage")
    queries, _html = queries_of(client, "/netzwerke/stk-haaren/")

    assert (len(callbacks), queries) == (0, 0)


def test_a_change_rolled_back_keeps_the_public_pages_cached(client, network):
    client.get("/netzwerke/stk-haaren/")

    with pytest.raises(RuntimeError), transaction.atomic():
        network.name = "Nie gespeichert"
        network.save()
        raise RuntimeError
    queries, _html = queries_of(client, "/netzwerke/stk-haaren/")

    assert queries == 0


def test_the_cache_version_rises_only_when_the_change_commits(client, network, django_capture_on_commit_callbacks):
    """A request served while a change is saved but not yet committed reads the old rows
    (from another connection); the version it files its page under must still be the old
    one, so that the page is not served once the change is committed. Invalidating in
    post_save, inside the transaction, filed it under the new version."""
    from netzwerk.public_cache import public_cache_version

    before = public_cache_version()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        network.name = "Stadtteilkonferenz Haaren-Verlautenheide"
        network.save()
        during = public_cache_version()
    after = public_cache_version()

    assert (during == before, after == before) == (True, False)


def test_an_unknown_query_parameter_is_a_400_in_german(client, network):
    response = client.get("/netzwerke/stk-haaren/?utm_source=1")

    assert response.status_code == 400
    assert "Unbekannter Parameter in der Adresse: utm_source." in response.content.decode()


def test_a_known_query_parameter_is_cached_whatever_its_order(client, network):
    client.get("/netzwerke/?art=stk&gebiet=")

    queries, _html = queries_of(client, "/netzwerke/?gebiet=&art=stk")

    assert queries == 0


def test_the_api_search_is_cached(client, network):
    client.get("/api/v1/search/?q=haaren")

    queries, _body = queries_of(client, "/api/v1/search/?q=haaren")

    assert queries == 0


def test_varied_accept_headers_share_one_entry_per_representation(client, network):
    client.get("/netzwerke/stk-haaren/", HTTP_ACCEPT="text/html")
    client.get("/api/v1/networks/", HTTP_ACCEPT="application/json")

    page_queries = [
        queries_of(client, "/netzwerke/stk-haaren/", HTTP_ACCEPT=f"text/html;q=0.{number}, x/y{number}")[0]
        for number in range(1, 10)
    ]
    api_queries = [
        queries_of(client, "/api/v1/networks/", HTTP_ACCEPT=accept)[0] for accept in ("*/*", "application/*")
    ]

    assert (page_queries, api_queries) == ([0] * 9, [0, 0])


def test_the_public_cache_holds_a_bounded_number_of_pages(client, network, settings):
    settings.CACHES = {
        **settings.CACHES,
        "public": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "bounded",
            "OPTIONS": {"MAX_ENTRIES": 10},
        },
    }
    urls = [f"/suche/?q=haaren{number}" for number in range(40)]
    for url in urls:
        client.get(url)

    hits = sum(queries_of(client, url)[0] == 0 for url in urls)

    assert hits <= 10


def test_page_from_the_cache_carries_the_security_policies(client, network):
    client.get("/netzwerke/")

    cached = client.get("/netzwerke/")

    policy = dict(directive.split(" ", 1) for directive in cached["Content-Security-Policy"].split("; "))
    assert queries_of(client, "/netzwerke/")[0] == 0
    assert (policy["script-src"], policy["style-src"], policy["default-src"]) == ("'self'", "'self'", "'none'")
    assert "camera=()" in cached["Permissions-Policy"].split(", ")


def test_a_plain_http_request_is_redirected_though_the_https_page_is_cached(client, network, settings):
    """The cache answers before the security middleware: a page cached for HTTPS must not
    answer a request over plain HTTP, which is sent on to HTTPS (with HSTS only there)."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = settings.SECURE_HSTS_PRELOAD = False
    client.get("/netzwerke/", secure=True)

    cached_queries, _html = queries_of(client, "/netzwerke/", secure=True)
    cached = client.get("/netzwerke/", secure=True)
    plain = client.get("/netzwerke/")

    assert (cached_queries, cached["Strict-Transport-Security"]) == (0, "max-age=3600")
    assert (plain.status_code, plain["Location"], plain.has_header("Strict-Transport-Security")) == (
        301,
        "https://testserver/netzwerke/",
        False,
    )


@pytest.fixture
def other_network():
    return NetworkFactory(name="Stadtteilkonferenz Brand", slug="stk-brand")


def test_a_meeting_change_makes_only_its_network_and_the_calendar_pages_stale(
    client, network, other_network, django_capture_on_commit_callbacks
):
    """A speaker renaming a meeting of Haaren: Haaren's page and the pages that show every
    network's meetings (start page, search, the calendar's API) are rendered afresh; Brand's
    page, the lists of networks, areas and institutions and the directory's API, which
    show no meeting, stay cached."""
    from meetings.services import meeting_update
    from tests.meetings.factories import MeetingFactory

    meeting = MeetingFactory(network=network, title="Herbstsitzung")
    urls = [
        "/netzwerke/stk-haaren/",
        "/netzwerke/stk-brand/",
        "/netzwerke/",
        "/gebiete/",
        "/einrichtungen/",
        "/",
        "/suche/?q=herbstsitzung",
        "/api/v1/networks/",
        "/api/v1/areas/",
        "/api/v1/meetings/",
    ]
    for url in urls:
        client.get(url)

    with django_capture_on_commit_callbacks(execute=True):
        meeting_update(meeting=meeting, title="Herbstsitzung mit Wahl")
    rendered = {url: queries_of(client, url)[0] > 0 for url in urls}
    _queries, haaren = queries_of(client, "/netzwerke/stk-haaren/")

    assert rendered == {
        "/netzwerke/stk-haaren/": True,
        "/netzwerke/stk-brand/": False,
        "/netzwerke/": False,
        "/gebiete/": False,
        "/einrichtungen/": False,
        "/": True,
        "/suche/?q=herbstsitzung": True,
        "/api/v1/networks/": False,
        "/api/v1/areas/": False,
        "/api/v1/meetings/": True,
    }
    assert "Herbstsitzung mit Wahl" in haaren


def test_a_joint_meeting_change_makes_the_partner_networks_page_stale_too(
    client, network, other_network, django_capture_on_commit_callbacks
):
    """A meeting Haaren holds together with Brand shows on both pages: renaming it renders
    both afresh, and Brand's page names the new title."""
    from meetings.models import MeetingPartner
    from meetings.services import meeting_update
    from tests.meetings.factories import MeetingFactory

    meeting = MeetingFactory(network=network, title="Gemeinsame Herbstsitzung")
    MeetingPartner.objects.create(meeting=meeting, network=other_network)
    for url in ("/netzwerke/stk-haaren/", "/netzwerke/stk-brand/"):
        client.get(url)

    with django_capture_on_commit_callbacks(execute=True):
        meeting_update(meeting=meeting, title="Gemeinsame Herbstsitzung mit Wahl")
    queries, brand = queries_of(client, "/netzwerke/stk-brand/")

    assert queries > 0
    assert "Gemeinsame Herbstsitzung mit Wahl" in brand


def test_occurrences_written_in_bulk_make_their_network_page_stale(
    client, network, other_network, django_capture_on_commit_callbacks
):
    """The daily horizon task creates occurrences with ``bulk_create`` and moves the
    series with ``update()`` — no ``post_save``; the network's page still goes stale."""
    import datetime

    from django.utils import timezone

    from meetings.services import series_create, series_extend_horizon

    series_create(
        network=network,
        title="Monatstreffen",
        rule="FREQ=MONTHLY;BYDAY=2TU",
        first_date=timezone.localdate(),
        start_time=datetime.time(18, 30),
        duration_minutes=90,
        address="Rathaus, Markt, 52062 Aachen",
    )
    client.get("/netzwerke/stk-haaren/")
    client.get("/netzwerke/stk-brand/")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        created = series_extend_horizon(today=timezone.localdate() + datetime.timedelta(days=62))
    haaren, _html = queries_of(client, "/netzwerke/stk-haaren/")
    brand, _html = queries_of(client, "/netzwerke/stk-brand/")

    assert (created > 0, len(callbacks) > 0, haaren > 0, brand) == (True, True, True, 0)


def test_an_agenda_item_makes_its_network_page_stale(
    client, network, other_network, django_capture_on_commit_callbacks
):
    from meetings.services import agenda_item_add
    from tests.meetings.factories import MeetingFactory

    meeting = MeetingFactory(network=network)
    client.get("/netzwerke/stk-haaren/")
    client.get("/netzwerke/stk-brand/")

    with django_capture_on_commit_callbacks(execute=True):
        agenda_item_add(meeting=meeting, title="Bericht aus dem Quartier")
    haaren, _html = queries_of(client, "/netzwerke/stk-haaren/")
    brand, _html = queries_of(client, "/netzwerke/stk-brand/")

    assert (haaren > 0, brand) == (True, 0)


def test_a_directory_change_makes_every_page_stale(client, network, other_network, django_capture_on_commit_callbacks):
    urls = ["/netzwerke/stk-brand/", "/einrichtungen/", "/impressum/", "/"]
    for url in urls:
        client.get(url)

    with django_capture_on_commit_callbacks(execute=True):
        network.name = "Stadtteilkonferenz Haaren-Verlautenheide"
        network.save()
    rendered = [queries_of(client, url)[0] > 0 for url in urls]

    assert rendered == [True, True, True, True]


def test_a_members_only_meeting_never_reaches_the_cached_anonymous_page(
    client, network, django_capture_on_commit_callbacks
):
    """A member looks at the page (fresh, with the members-only meeting); then anonymous
    visitors, before and after a change of that meeting, get a page without it."""
    from meetings.models import Visibility
    from meetings.services import meeting_update
    from tests.meetings.factories import MeetingFactory

    MeetingFactory(network=network, title="Öffentliche Sitzung")
    internal = MeetingFactory(network=network, title="Interne Klausur", visibility=Visibility.MEMBERS)
    client.force_login(network.member_user)
    member_html = client.get("/netzwerke/stk-haaren/").content.decode()
    client.logout()

    _queries, first = queries_of(client, "/netzwerke/stk-haaren/")
    with django_capture_on_commit_callbacks(execute=True):
        meeting_update(meeting=internal, title="Interne Klausur zum Haushalt")
    _queries, second = queries_of(client, "/netzwerke/stk-haaren/")
    _queries, third = queries_of(client, "/netzwerke/stk-haaren/")

    assert "Interne Klausur" in member_html
    assert [("Öffentliche Sitzung" in page, "Interne Klausur" in page) for page in (first, second, third)] == [
        (True, False),
        (True, False),
        (True, False),
    ]


def test_a_page_stored_with_a_version_no_longer_current_is_not_served(client, network):
    """The cache entry carries the versions it was rendered under: once one of them has
    risen (a write elsewhere committed while the page was cached), the entry is not served
    even though it is still in the cache."""
    from netzwerk.public_cache import public_cache_invalidate

    client.get("/netzwerke/stk-haaren/")
    public_cache_invalidate(["network:stk-haaren"])
    again, _html = queries_of(client, "/netzwerke/stk-haaren/")
    cached, _html = queries_of(client, "/netzwerke/stk-haaren/")

    assert (again > 0, cached) == (True, 0)


def test_an_aged_page_is_rendered_by_one_request_while_the_others_get_it_as_it_was(client, network, settings):
    """Past PUBLIC_CACHE_SECONDS with nothing written: while one request renders the page
    anew (holding its render lock), the others are served the aged page; with no render
    underway, the next request renders it."""
    import time

    from django.core.cache import caches

    from netzwerk.public_cache import _key, _render_lock_key

    settings.PUBLIC_CACHE_SECONDS = 1
    response = client.get("/netzwerke/stk-haaren/")
    time.sleep(1.1)
    lock = _render_lock_key(_key(response.wsgi_request))
    caches["public"].add(lock, True, timeout=30)
    while_rendering, _html = queries_of(client, "/netzwerke/stk-haaren/")
    caches["public"].delete(lock)
    afterwards, _html = queries_of(client, "/netzwerke/stk-haaren/")
    fresh_again, _html = queries_of(client, "/netzwerke/stk-haaren/")

    assert (while_rendering, afterwards > 0, fresh_again) == (0, True, 0)


def test_a_changed_page_is_never_served_while_another_request_renders_it(
    client, network, django_capture_on_commit_callbacks
):
    """The render lock only covers pages that aged: a page whose data changed is rendered
    for every request until the new one is stored (a withdrawn name must not show again)."""
    from django.core.cache import caches

    from netzwerk.public_cache import _key, _render_lock_key

    response = client.get("/netzwerke/stk-haaren/")
    caches["public"].add(_render_lock_key(_key(response.wsgi_request)), True, timeout=30)
    with django_capture_on_commit_callbacks(execute=True):
        network.name = "Stadtteilkonferenz Haaren-Verlautenheide"
        network.save()
    _queries, html = queries_of(client, "/netzwerke/stk-haaren/")

    assert "Haaren-Verlautenheide" in html
