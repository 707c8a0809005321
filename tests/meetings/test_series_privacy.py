"""A members-only series keeps its title, rule and id to its members even where one of its
occurrences was opened to the public: the page, the API, its filter and the feeds."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import Membership
from meetings import services
from meetings.models import Visibility
from tests.factories import NetworkFactory
from tests.meetings.api_support import auth_headers, user_with_role

pytestmark = pytest.mark.django_db

SERIES_TITLE = "Interne Steuerungsrunde"


@pytest.fixture
def opened():
    """The first occurrence of a members-only series, opened to the public as a festival."""
    network = NetworkFactory(slug="stk-forst")
    series = services.series_create(
        network=network,
        title=SERIES_TITLE,
        rule="FREQ=MONTHLY;BYDAY=2TU",
        first_date=timezone.localdate() + datetime.timedelta(days=1),
        start_time=datetime.time(18, 30),
        duration_minutes=90,
        visibility=Visibility.MEMBERS,
        count=2,
    )
    meeting = series.occurrences.order_by("start").first()
    return services.meeting_update(meeting=meeting, title="Offenes Stadtteilfest", visibility=Visibility.PUBLIC)


def test_public_page_of_opened_occurrence_hides_the_members_only_series(client, opened):
    html = client.get(reverse("meetings:meeting_detail", args=[opened.uid])).content.decode()

    assert ("Offenes Stadtteilfest" in html, SERIES_TITLE in html, "2. Dienstag" in html) == (True, False, False)


def test_member_page_of_opened_occurrence_names_the_series(client, opened):
    member = user_with_role(opened.network, Membership.Role.MEMBER)
    client.force_login(member)

    html = client.get(reverse("meetings:meeting_detail", args=[opened.uid])).content.decode()

    assert SERIES_TITLE in html


def test_api_opened_occurrence_names_its_series_to_members_only(client, opened):
    member = user_with_role(opened.network, Membership.Role.MEMBER)
    path = f"/api/v1/meetings/{opened.uid}/"

    series_ids = (client.get(path).json()["series"], client.get(path, headers=auth_headers(member)).json()["series"])

    assert series_ids == (None, opened.series_id)


def test_api_meeting_filter_by_hidden_series_finds_nothing_for_the_public(client, opened):
    member = user_with_role(opened.network, Membership.Role.MEMBER)
    query = {"series": opened.series_id}

    public = client.get("/api/v1/meetings/", query).json()["results"]
    internal = client.get("/api/v1/meetings/", query, headers=auth_headers(member)).json()["results"]

    assert ([row["uid"] for row in public], [row["uid"] for row in internal][:1]) == ([], [str(opened.uid)])


def test_public_feed_of_opened_occurrence_has_no_series_title(client, opened):
    response = client.get(reverse("feeds:network", args=[opened.network.slug]))

    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert ("Offenes Stadtteilfest" in body.decode(), SERIES_TITLE in body.decode()) == (True, False)
