"""The privacy crawl of results and minutes: the result of a TOP that is not public, minutes
for members only and drafts never reach an anonymous visitor or a speaker of another
network — on any page, print page, PDF, feed or API answer — while members read them."""

import pytest
from django.urls import reverse

from meetings import services
from meetings.models import Visibility
from tests.meetings.api_support import auth_headers
from tests.meetings.factories import MeetingFactory, in_days
from tests.meetings.web_cast import cast_create, client_for

pytestmark = pytest.mark.django_db

SECRETS = ["Vertrauliches Ergebnis", "Protokoll nur für Mitglieder", "Unfertiger Entwurfstext"]


@pytest.fixture
def world():
    cast = cast_create()
    held = MeetingFactory(network=cast.network, title="Plenum Herbst", start=in_days(-3), end=in_days(-3, hour=20))
    public_item = services.agenda_item_add(meeting=held, title="Spielplatz")
    internal_item = services.agenda_item_add(meeting=held, title="Personalien", is_public=False)
    services.agenda_item_update(item=public_item, result="Öffentliches Ergebnis zum Spielplatz")
    services.agenda_item_update(item=internal_item, result="Vertrauliches Ergebnis zur Nachfolge")
    services.minutes_publish(
        minutes=services.minutes_save(meeting=held, text="Protokoll nur für Mitglieder", visibility=Visibility.MEMBERS)
    )
    drafted = MeetingFactory(network=cast.network, title="Plenum Winter", start=in_days(-1), end=in_days(-1, hour=20))
    services.minutes_save(meeting=drafted, text="Unfertiger Entwurfstext", visibility=Visibility.PUBLIC)
    return cast, held, drafted


def crawl(client, headers) -> dict[str, bytes]:
    bodies = {}

    def get(url):
        response = client.get(url, headers=headers)
        assert response.status_code < 500, url
        bodies[url] = b"".join(response.streaming_content) if response.streaming else response.content
        return response

    return bodies, get


def _visit(client, cast, held, drafted, headers):
    bodies, get = crawl(client, headers)
    for meeting in (held, drafted):
        for name in ("meetings:meeting_detail", "meetings:invitation_print", "meetings:minutes_print"):
            get(reverse(name, args=[meeting.uid]))
        get(reverse("feeds:meeting", args=[meeting.uid]))
        get(f"/api/v1/meetings/{meeting.uid}/")
        get(f"/api/v1/meetings/{meeting.uid}/minutes/")
    get(reverse("directory:network_detail", args=[cast.network.slug]))
    get(reverse("feeds:network", args=[cast.network.slug]))
    get(reverse("feeds:city"))
    get(f"{reverse('meetings:network_calendar', args=[cast.network.slug])}?monat={held.local_start:%Y-%m}")
    get("/")
    for name in ("meetings", "agenda-items"):
        rows = get(f"/api/v1/{name}/?page_size=200").json()["results"]
        for row in rows:
            get(f"/api/v1/{name}/{row.get('uid') or row['id']}/")
    return bodies


@pytest.mark.parametrize("role", ["anonymous", "other_speaker"])
def test_private_results_and_minutes_never_reach_outsiders(client, world, role):
    cast, held, drafted = world
    user = cast.user(role)
    client_for(client, user)

    bodies = _visit(client, cast, held, drafted, auth_headers(user))

    leaks = {url: secret for url, body in bodies.items() for secret in SECRETS if secret.encode() in body}
    assert leaks == {}
    # The crawl saw the public result: it would have found the others.
    assert any(b"\xc3\x96ffentliches Ergebnis zum Spielplatz" in body for body in bodies.values())


@pytest.mark.parametrize("page", ["meetings:minutes_pdf", "meetings:minutes_print"])
@pytest.mark.parametrize("role", ["anonymous", "other_speaker"])
def test_members_only_minutes_and_drafts_print_and_pdf_are_404_for_outsiders(client, world, role, page):
    cast, held, drafted = world
    client_for(client, cast.user(role))

    codes = [client.get(reverse(page, args=[meeting.uid])).status_code for meeting in (held, drafted)]

    assert codes == [404, 404]


def test_members_read_what_outsiders_may_not(client, world):
    cast, held, drafted = world
    client_for(client, cast.member)

    bodies = _visit(client, cast, held, drafted, auth_headers(cast.member))

    found = {secret for body in bodies.values() for secret in SECRETS if secret.encode() in body}
    # A member reads the internal result and the members' minutes, but never a draft.
    assert found == {"Vertrauliches Ergebnis", "Protokoll nur für Mitglieder"}
