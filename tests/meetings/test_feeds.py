"""The iCal feeds over HTTP: which meetings each feed holds, conditional GETs, tokens, links."""

import datetime
import uuid

import icalendar
import pytest
import recurring_ical_events
from django.urls import reverse
from django.utils import timezone

from contacts.models import Network
from meetings import feeds, services
from meetings.models import Attendance, FeedToken, Meeting, Visibility
from meetings.recurrence import BERLIN
from tests.factories import (
    AreaFactory,
    LivingAreaFactory,
    MembershipFactory,
    NetworkFactory,
    PersonFactory,
    SocialAreaFactory,
    UserFactory,
)
from tests.meetings.factories import AgendaItemFactory, AttendanceFactory, MeetingFactory, in_days

pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    assert response.status_code == 200, response.content if not response.streaming else response.status_code
    return b"".join(response.streaming_content)


def uids(data: bytes) -> set[str]:
    calendar = icalendar.Calendar.from_ical(data)
    return {str(event["UID"]) for event in calendar.walk("VEVENT")}


def uid_of(meeting: Meeting) -> str:
    return feeds.ical_uid(meeting.uid)


def network_feed(network: Network) -> str:
    return reverse("feeds:network", args=[network.slug])


# Content of each feed kind ----------------------------------------------------------


def test_feed_city_holds_public_meetings_only(client):
    public = MeetingFactory()
    internal = MeetingFactory(visibility=Visibility.MEMBERS)

    data = body(client.get("/kalender/stadt.ics"))

    assert uids(data) == {uid_of(public)}
    assert internal.title.encode() not in data


def test_feed_network_holds_only_its_public_meetings(client):
    network = NetworkFactory()
    own = MeetingFactory(network=network)
    MeetingFactory(network=network, visibility=Visibility.MEMBERS)
    MeetingFactory()

    data = body(client.get(network_feed(network)))

    assert uids(data) == {uid_of(own)}
    assert f"X-WR-CALNAME:{network.name}".encode() in data


def test_feed_kind_holds_networks_of_that_kind(client):
    oag = MeetingFactory(network=NetworkFactory(kind=Network.Kind.SENIORS_WORKING_GROUP))
    MeetingFactory(network=NetworkFactory(kind=Network.Kind.NEIGHBOURHOOD_CONFERENCE))

    data = body(client.get("/kalender/art/oag.ics"))

    assert uids(data) == {uid_of(oag)}


def test_feed_area_includes_networks_of_sub_areas(client):
    living_area = LivingAreaFactory()
    social_area = living_area.parent
    district = social_area.parent
    in_living_area = NetworkFactory()
    in_living_area.areas.add(living_area)
    in_district = NetworkFactory()
    in_district.areas.add(district)
    elsewhere = NetworkFactory()
    elsewhere.areas.add(AreaFactory())
    below = MeetingFactory(network=in_living_area)
    above = MeetingFactory(network=in_district)
    MeetingFactory(network=elsewhere)

    district_uids = uids(body(client.get(reverse("feeds:area", args=[district.slug]))))
    social_uids = uids(body(client.get(reverse("feeds:area", args=[social_area.slug]))))

    assert district_uids == {uid_of(below), uid_of(above)}
    assert social_uids == {uid_of(below)}


def test_feed_builder_is_the_union_of_the_choices(client):
    chosen = NetworkFactory()
    oag = NetworkFactory(kind=Network.Kind.SENIORS_WORKING_GROUP)
    area = AreaFactory()
    in_area = NetworkFactory()
    in_area.areas.add(area)
    expected = {uid_of(MeetingFactory(network=network)) for network in (chosen, oag, in_area)}
    MeetingFactory()

    response = client.get(
        "/kalender/auswahl.ics", {"netzwerk": [chosen.slug, chosen.slug], "art": "oag", "gebiet": area.slug}
    )

    assert uids(body(response)) == expected


def test_feed_meeting_serves_one_public_meeting(client):
    meeting = MeetingFactory()
    MeetingFactory(network=meeting.network)

    data = body(client.get(reverse("feeds:meeting", args=[meeting.uid])))

    assert uids(data) == {uid_of(meeting)}


def test_feed_meeting_internal_is_not_found_for_the_public(client):
    meeting = MeetingFactory(visibility=Visibility.MEMBERS)

    response = client.get(reverse("feeds:meeting", args=[meeting.uid]))

    assert response.status_code == 404


def test_feed_window_leaves_out_meetings_older_than_a_year(client):
    recent = MeetingFactory(start=in_days(-300))
    MeetingFactory(start=in_days(-400))

    assert uids(body(client.get("/kalender/stadt.ics"))) == {uid_of(recent)}


def test_feed_event_carries_location_description_url_and_status(client, settings):
    settings.SITE_URL = "https://netzwerk.example.org"
    meeting = MeetingFactory(address="Markt 1, 52062 Aachen", room="Raum 2; hinten, links")
    AgendaItemFactory(meeting=meeting, title="Begrüßung")
    AgendaItemFactory(meeting=meeting, title="Geheimer Punkt", is_public=False)

    event = icalendar.Calendar.from_ical(body(client.get("/kalender/stadt.ics"))).walk("VEVENT")[0]

    assert str(event["LOCATION"]) == "Markt 1, 52062 Aachen, Raum 2; hinten, links"
    assert "1. Begrüßung" in str(event["DESCRIPTION"])
    assert meeting.network.name in str(event["DESCRIPTION"])
    assert "Geheimer Punkt" not in str(event["DESCRIPTION"])
    assert str(event["URL"]) == f"https://netzwerk.example.org/netzwerke/{meeting.network.slug}/"
    assert str(event["STATUS"]) == "TENTATIVE"
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"


# Changes ----------------------------------------------------------------------------


def test_feed_cancelled_meeting_stays_with_status_cancelled(client):
    meeting = services.meeting_cancel(meeting=MeetingFactory())

    event = icalendar.Calendar.from_ical(body(client.get("/kalender/stadt.ics"))).walk("VEVENT")[0]

    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["SUMMARY"]).startswith("Abgesagt: ")
    assert event["SEQUENCE"] == meeting.sequence == 1


def test_feed_cancelled_meeting_leaves_60_days_after_the_cancellation(client):
    gone = MeetingFactory(start=in_days(-20), status=Meeting.Status.CANCELLED)
    kept = MeetingFactory(start=in_days(-20), status=Meeting.Status.CANCELLED)
    ahead = MeetingFactory(start=in_days(20), status=Meeting.Status.CANCELLED)
    # A day's margin either side: the window is counted in Aachen's days, and late in the
    # evening (summer time 60 days back) the moment 61 days ago falls on the 60th day.
    Meeting.objects.filter(pk__in=[gone.pk, ahead.pk]).update(updated_at=timezone.now() - datetime.timedelta(days=62))
    Meeting.objects.filter(pk=kept.pk).update(updated_at=timezone.now() - datetime.timedelta(days=58))

    assert uids(body(client.get("/kalender/stadt.ics"))) == {uid_of(kept), uid_of(ahead)}


def test_feed_deleted_meeting_disappears_and_validators_change(client):
    network = NetworkFactory()
    kept = MeetingFactory(network=network)
    deleted = MeetingFactory(network=network)
    first = client.get(network_feed(network))
    body(first)

    deleted.delete()
    by_etag = client.get(network_feed(network), headers={"If-None-Match": first["ETag"]})
    by_date = client.get(network_feed(network), headers={"If-Modified-Since": first["Last-Modified"]})

    assert by_etag["ETag"] != first["ETag"]
    assert uids(body(by_etag)) == {uid_of(kept)}
    assert by_date.status_code == 200


def test_feed_unpublished_meeting_disappears(client):
    meeting = MeetingFactory()
    services.meeting_update(meeting=meeting, visibility=Visibility.MEMBERS)

    assert uids(body(client.get("/kalender/stadt.ics"))) == set()


def test_feed_moved_meeting_keeps_uid_with_higher_sequence(client):
    meeting = MeetingFactory()
    before = icalendar.Calendar.from_ical(body(client.get("/kalender/stadt.ics"))).walk("VEVENT")[0]
    new_start = in_days(21, hour=17)

    services.meeting_move(meeting=meeting, start=new_start, end=new_start + datetime.timedelta(hours=2))
    after = icalendar.Calendar.from_ical(body(client.get("/kalender/stadt.ics"))).walk("VEVENT")[0]

    assert str(after["UID"]) == str(before["UID"])
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert after["DTSTART"].dt == new_start.astimezone(BERLIN)


def test_feed_agenda_edit_reaches_the_feed(client):
    meeting = MeetingFactory()
    first = client.get("/kalender/stadt.ics")
    body(first)

    services.agenda_item_add(meeting=meeting, title="Neuer Punkt")
    second = client.get("/kalender/stadt.ics")

    assert second["ETag"] != first["ETag"]
    assert b"Neuer Punkt" in body(second)


def test_feed_renamed_network_reaches_the_feed(client):
    meeting = MeetingFactory(title="Sitzung")
    first = client.get("/kalender/stadt.ics")
    body(first)

    Network.objects.filter(pk=meeting.network_id).update(name="Umbenannt", updated_at=timezone.now())
    second = client.get("/kalender/stadt.ics")

    assert second["ETag"] != first["ETag"]
    assert b"Sitzung (Umbenannt)" in body(second)


# HTTP -------------------------------------------------------------------------------


def test_feed_headers_of_a_public_feed(client):
    MeetingFactory()

    response = client.get("/kalender/stadt.ics")

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"]


def test_feed_if_none_match_answers_304_in_two_queries(client, django_assert_max_num_queries):
    network = NetworkFactory()
    MeetingFactory.create_batch(3, network=network)
    etag = client.get(network_feed(network))["ETag"]

    with django_assert_max_num_queries(2):
        response = client.get(network_feed(network), headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response["ETag"] == etag
    assert response["Cache-Control"] == "public, max-age=300"


def test_feed_if_modified_since_answers_304_in_two_queries(client, django_assert_max_num_queries):
    area = AreaFactory()
    network = NetworkFactory()
    network.areas.add(area)
    MeetingFactory.create_batch(3, network=network)
    last_modified = client.get(reverse("feeds:area", args=[area.slug]))["Last-Modified"]

    with django_assert_max_num_queries(2):
        response = client.get(reverse("feeds:area", args=[area.slug]), headers={"If-Modified-Since": last_modified})

    assert response.status_code == 304


def test_feed_builder_304_in_two_queries(client, django_assert_max_num_queries):
    area = AreaFactory()
    network = NetworkFactory()
    MeetingFactory(network=network)
    url = f"/kalender/auswahl.ics?netzwerk={network.slug}&gebiet={area.slug}&art=oag"
    etag = client.get(url)["ETag"]

    with django_assert_max_num_queries(2):
        response = client.get(url, headers={"If-None-Match": etag})

    assert response.status_code == 304


@pytest.mark.parametrize("kind", ["city", "kind", "meeting"])
def test_feed_of_every_kind_answers_304_in_two_queries(client, django_assert_max_num_queries, kind):
    network = NetworkFactory(kind=Network.Kind.SENIORS_WORKING_GROUP)
    meeting = MeetingFactory(network=network)
    url = {
        "city": "/kalender/stadt.ics",
        "kind": "/kalender/art/oag.ics",
        "meeting": reverse("feeds:meeting", args=[meeting.uid]),
    }[kind]
    etag = client.get(url)["ETag"]

    with django_assert_max_num_queries(2):
        response = client.get(url, headers={"If-None-Match": etag})

    assert response.status_code == 304


def etag_of(feed) -> str:
    return feeds.feed_stamp(feed, now=timezone.now()).etag


def test_feed_stamp_moves_with_its_own_networks_only():
    """The stamp query is compiled once per kind of feed: each feed still binds its own
    values, and a change in one network moves the ETags of exactly the feeds that hold it."""
    small, big, third = NetworkFactory(), NetworkFactory(), NetworkFactory()
    MeetingFactory(network=small)
    changing = MeetingFactory.create_batch(3, network=big)[0]
    MeetingFactory.create_batch(2, network=third)
    now = timezone.now()
    choices = [
        {"netzwerk": [small.slug], "art": [], "gebiet": []},
        {"netzwerk": sorted([small.slug, big.slug]), "art": [], "gebiet": []},
        {"netzwerk": sorted([small.slug, third.slug]), "art": [], "gebiet": []},
    ]

    def etags():
        networks = [etag_of(feeds.feed_network(slug=n.slug, now=now)) for n in (small, big, third)]
        builders = [etag_of(feeds.feed_builder(choice=choice, now=now)) for choice in choices]
        return networks + builders + [etag_of(feeds.feed_city(now=now))]

    before = etags()
    services.meeting_update(meeting=changing, title="Neuer Titel")
    after = etags()

    assert len(set(before)) == len(before)  # every feed has an ETag of its own
    changed = [old != new for old, new in zip(before, after, strict=True)]
    # small, big, third | small, small+big, small+third | city
    assert changed == [False, True, False, False, True, False, True]


def test_feed_stamp_sees_bulk_writes_that_bypass_the_services():
    """The calendar stamps are kept by database triggers: a queryset update() or delete()
    and the cascade of a deleted network move the ETag as a service's save does."""
    network, other = NetworkFactory(), NetworkFactory()
    MeetingFactory.create_batch(3, network=network)
    feed = feeds.feed_network(slug=network.slug, now=timezone.now())
    seen = [etag_of(feed)]

    Meeting.objects.filter(network=network).update(title="Umbenannt")
    seen.append(etag_of(feed))
    Meeting.objects.filter(network=network).first().delete()
    seen.append(etag_of(feed))
    MeetingFactory(network=other)
    seen.append(etag_of(feed))  # another network's new meeting changes nothing here

    assert seen[0] != seen[1] != seen[2] == seen[3]
    city_before = etag_of(feeds.feed_city(now=timezone.now()))
    other.delete()
    assert etag_of(feeds.feed_city(now=timezone.now())) != city_before


def test_feed_stamp_follows_the_moving_window():
    """A meeting that leaves the window as time passes changes the ETag without any write."""
    network = NetworkFactory()
    MeetingFactory(network=network, start=in_days(-300))
    MeetingFactory(network=network, start=in_days(30))
    now = timezone.now()
    later = now + datetime.timedelta(days=100)

    feed_today = feeds.feed_network(slug=network.slug, now=now)
    feed_later = feeds.feed_network(slug=network.slug, now=later)

    assert [feed_today.meetings.count(), feed_later.meetings.count()] == [2, 1]
    assert feeds.feed_stamp(feed_later, now=later).etag != feeds.feed_stamp(feed_today, now=now).etag


def test_feed_window_moves_at_midnight_only():
    """The window is counted from the start of the day, so the feed's meetings cannot change
    between two requests of one day without a write (the ETag holds the day, not the hour)."""
    morning = timezone.localtime().replace(hour=7, minute=0, second=0, microsecond=0)
    evening = morning.replace(hour=22)
    network = NetworkFactory()
    MeetingFactory(network=network, start=morning - feeds.WINDOW_BACK + datetime.timedelta(hours=3))

    counts = [feeds.feed_network(slug=network.slug, now=when).meetings.count() for when in (morning, evening)]
    etags = [
        feeds.feed_stamp(feeds.feed_network(slug=network.slug, now=when), now=when).etag for when in (morning, evening)
    ]

    assert counts == [1, 1]
    assert etags[0] == etags[1]


def test_feed_personal_stamp_follows_the_membership_term_and_the_answers():
    """The personal feed binds its day: a membership that has ended drops the network's
    meetings; a Zusage to another network's public meeting adds one, and moves the ETag."""
    membership = MembershipFactory(end=timezone.localdate() + datetime.timedelta(days=10))
    MeetingFactory(network=membership.network, start=in_days(60), visibility=Visibility.MEMBERS)
    elsewhere = MeetingFactory(start=in_days(30))
    token = services.feed_token_issue(person=membership.person)
    now = timezone.now()
    later = now + datetime.timedelta(days=20)

    counts = [feeds.feed_personal(token=token, now=when).meetings.count() for when in (now, later)]
    before = etag_of(feeds.feed_personal(token=token, now=now))
    # (a Zusage given while a member of that network, as AttendanceFactory records it)
    AttendanceFactory(meeting=elsewhere, person=membership.person, answer=Attendance.Answer.YES)
    after = etag_of(feeds.feed_personal(token=token, now=now))

    assert counts == [1, 0]
    assert feeds.feed_personal(token=token, now=now).meetings.count() == 2
    assert before != after


def test_feed_head_answers_headers_without_loading_meetings(client, django_assert_max_num_queries):
    network = NetworkFactory()
    MeetingFactory.create_batch(3, network=network)
    etag = client.get(network_feed(network))["ETag"]

    with django_assert_max_num_queries(2):
        response = client.head(network_feed(network))

    assert response.status_code == 200
    assert response["ETag"] == etag
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.content == b""


def test_feed_body_is_byte_identical_between_requests(client):
    network = NetworkFactory()
    for day in (3, 10, 17):
        AgendaItemFactory(meeting=MeetingFactory(network=network, start=in_days(day)), title="Emoji 🎉; \\ , Text")

    first = body(client.get(network_feed(network)))
    second = body(client.get(network_feed(network)))

    assert first == second


def test_feed_warm_cache_loads_only_meeting_keys(client, django_assert_num_queries):
    """Cached VEVENTs: the network, the aggregate and the key rows; no event is rebuilt."""
    network = NetworkFactory()
    MeetingFactory.create_batch(5, network=network)
    cold = body(client.get(network_feed(network)))

    with django_assert_num_queries(3):
        warm = body(client.get(network_feed(network)))

    assert warm == cold


def test_feed_query_count_does_not_grow_with_meetings(client, django_assert_num_queries):
    network = NetworkFactory()
    MeetingFactory(network=network)
    with django_assert_num_queries(6):  # network, aggregate, keys, agenda, documents, rows (cold)
        body(client.get(network_feed(network)))
    MeetingFactory.create_batch(30, network=network)
    with django_assert_num_queries(6):
        body(client.get(network_feed(network)))


def test_feed_post_is_not_allowed(client):
    assert client.post("/kalender/stadt.ics").status_code == 405


# Bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/kalender/netzwerk/gibt-es-nicht.ics",
        "/kalender/gebiet/gibt-es-nicht.ics",
        "/kalender/art/gibt-es-nicht.ics",
        f"/kalender/termin/{uuid.uuid4()}.ics",
        "/kalender/persoenlich/gibt-es-nicht.ics",
    ],
)
def test_feed_unknown_target_is_not_found(client, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "&".join(f"netzwerk=n{number}" for number in range(300)),
        "netzwerk=%3Cscript%3E",
        "netzwerk=a%0D%0Ab",
        "farbe=rot",
        "art=gibt-es-nicht",
        "netzwerk=gibt-es-nicht",
        "gebiet=gibt-es-nicht",
        "",
    ],
)
def test_feed_builder_absurd_choice_is_bad_request(client, query):
    NetworkFactory()

    response = client.get(f"/kalender/auswahl.ics?{query}")

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode()


def test_feed_no_stored_text_breaks_the_format(client):
    meeting = MeetingFactory(
        title="Zeile 1\nZeile 2; mit, Komma \\ und 🎉",
        address="Straße\r\n5",
        room="A" * 120,
    )
    AgendaItemFactory(meeting=meeting, title="x" * 300)

    data = body(client.get("/kalender/stadt.ics"))

    event = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
    assert str(event["SUMMARY"]).startswith("Zeile 1\nZeile 2; mit, Komma \\ und 🎉")
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))


# Personal feed ----------------------------------------------------------------------


def test_feed_personal_holds_member_networks_and_zusagen(client):
    person = PersonFactory()
    member_network = NetworkFactory()
    MembershipFactory(person=person, network=member_network)
    internal = MeetingFactory(network=member_network, visibility=Visibility.MEMBERS)
    public = MeetingFactory(network=member_network)
    said_yes = MeetingFactory()
    AttendanceFactory(meeting=said_yes, person=person, answer=Attendance.Answer.YES)
    said_no = MeetingFactory()
    AttendanceFactory(meeting=said_no, person=person, answer=Attendance.Answer.NO)
    MeetingFactory(visibility=Visibility.MEMBERS)
    token = services.feed_token_issue(person=person)

    response = client.get(reverse("feeds:personal", args=[token.token]))

    assert uids(body(response)) == {uid_of(internal), uid_of(public), uid_of(said_yes)}
    assert response["Cache-Control"] == "private, max-age=300"


def test_feed_personal_never_shows_a_network_the_person_left(client):
    person = PersonFactory()
    left = NetworkFactory()
    MembershipFactory(
        person=person,
        network=left,
        start=timezone.localdate() - datetime.timedelta(days=300),
        end=timezone.localdate() - datetime.timedelta(days=1),
    )
    said_yes = MeetingFactory(network=left)
    AttendanceFactory(meeting=said_yes, person=person)
    MeetingFactory(network=left, visibility=Visibility.MEMBERS)
    token = services.feed_token_issue(person=person)

    assert uids(body(client.get(reverse("feeds:personal", args=[token.token])))) == set()


def test_feed_personal_rotate_revoke_and_unknown(client):
    person = PersonFactory()
    old = services.feed_token_issue(person=person)

    new = services.feed_token_issue(person=person)
    rotated = client.get(reverse("feeds:personal", args=[old.token]))
    current = client.get(reverse("feeds:personal", args=[new.token]))
    services.feed_token_revoke(token=new)
    revoked = client.get(reverse("feeds:personal", args=[new.token]))

    assert [rotated.status_code, current.status_code, revoked.status_code] == [404, 200, 404]
    assert FeedToken.objects.filter(person=person, revoked_at__isnull=True).count() == 0


def test_feed_personal_records_fetch_once_a_minute(client):
    token = services.feed_token_issue(person=PersonFactory())
    url = reverse("feeds:personal", args=[token.token])

    client.get(url, headers={"User-Agent": "Google-Calendar-Importer"})
    token.refresh_from_db()
    first_fetch = token.last_fetched_at
    client.get(url, headers={"User-Agent": "Google-Calendar-Importer"})
    token.refresh_from_db()

    assert first_fetch is not None
    assert token.last_fetched_at == first_fetch
    assert feeds.feed_client_name(token.last_user_agent) == "Google Kalender"


def test_feed_personal_304_in_two_queries(client, django_assert_max_num_queries):
    token = services.feed_token_issue(person=PersonFactory())
    url = reverse("feeds:personal", args=[token.token])
    etag = client.get(url)["ETag"]

    with django_assert_max_num_queries(2):
        response = client.get(url, headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response["Cache-Control"] == "private, max-age=300"


@pytest.mark.parametrize(
    ("user_agent", "name"),
    [
        ("Google-Calendar-Importer", "Google Kalender"),
        ("Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.1)", "Microsoft Outlook"),
        ("iOS/17.2 (21C62) dataaccessd/1.0", "Apple Kalender"),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Thunderbird/115.6.0", "Thunderbird"),
        ("curl/8.0", "curl/8.0"),
    ],
)
def test_feed_client_name_from_user_agent(user_agent, name):
    assert feeds.feed_client_name(user_agent) == name


def test_my_calendar_page_issues_rotates_and_revokes(client):
    user = UserFactory()
    person = PersonFactory(user=user)
    client.force_login(user)

    client.post(reverse("feeds:my_calendar_issue"))
    token = FeedToken.objects.get(person=person, revoked_at__isnull=True)
    page = client.get(reverse("feeds:my_calendar"))
    client.post(reverse("feeds:my_calendar_issue"))
    rotated = FeedToken.objects.get(person=person, revoked_at__isnull=True)
    client.post(reverse("feeds:my_calendar_revoke"))

    assert f"webcal://testserver/kalender/persoenlich/{token.token}.ics" in page.content.decode()
    assert rotated.token != token.token
    assert not FeedToken.objects.filter(person=person, revoked_at__isnull=True).exists()


def test_my_calendar_page_needs_login(client):
    assert client.get(reverse("feeds:my_calendar")).status_code == 302


# Parse-back and expansion -------------------------------------------------------------


def test_feed_series_expands_to_the_database_occurrences(client):
    network = NetworkFactory()
    today = timezone.localdate()
    series = services.series_create(
        network=network,
        title="Stadtteilkonferenz",
        rule="FREQ=WEEKLY;BYDAY=TU",
        first_date=today,
        start_time=datetime.time(18, 30),
        duration_minutes=90,
        address="Stolberger Straße 10, 52068 Aachen",
        today=today,
    )
    occurrences = list(series.occurrences.order_by("start"))
    moved = occurrences[3]
    new_start = moved.start + datetime.timedelta(days=1, hours=-1)
    services.meeting_move(meeting=moved, start=new_start, end=new_start + datetime.timedelta(minutes=90))
    services.meeting_cancel(meeting=occurrences[5])

    calendar = icalendar.Calendar.from_ical(body(client.get(network_feed(network))))
    events = recurring_ical_events.of(calendar).between(
        today - datetime.timedelta(days=1), today.replace(year=today.year + 2)
    )
    from_feed = sorted((event["DTSTART"].dt, event["DTEND"].dt, str(event["STATUS"])) for event in events)
    expected = {Meeting.Status.PLANNED: "TENTATIVE", Meeting.Status.CANCELLED: "CANCELLED"}
    from_database = sorted(
        (meeting.start.astimezone(BERLIN), meeting.end.astimezone(BERLIN), expected[meeting.status])
        for meeting in Meeting.objects.filter(series=series)
    )

    assert len(from_database) > 40
    assert from_feed == from_database
    assert all(
        start.tzinfo is not None and start.utcoffset() == start.astimezone(BERLIN).utcoffset()
        for start, _e, _s in from_feed
    )
    assert {start.astimezone(BERLIN).strftime("%H:%M") for start, _e, _s in from_feed} == {"18:30", "17:30"}


# Pages and API ----------------------------------------------------------------------


def test_feed_help_page_renders(client):
    response = client.get(reverse("feeds:help"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "8 bis 24 Stunden" in content
    for client_name in ("Google Kalender", "Outlook", "Apple Kalender", "Thunderbird"):
        assert client_name in content


def builder_result(client, query: str):
    response = client.get(reverse("feeds:help") + query)
    html = response.content.decode()
    address = (
        html.split('id="adresse-https" class="feed-address" value="', 1)[1].split('"', 1)[0]
        if ('id="adresse-https"' in html)
        else None
    )
    return response.status_code, address


def test_feed_builder_page_gives_the_address_of_the_chosen_feed(client):
    district = AreaFactory(name="Aachen-Mitte", slug="aachen-mitte", code="1")
    SocialAreaFactory(parent=district, name="Burtscheid", slug="burtscheid", code="5")
    NetworkFactory(name="Stadtteilkonferenz Burtscheid", slug="stk-burtscheid")
    NetworkFactory(name="OAG Brand", slug="oag-brand", kind=Network.Kind.SENIORS_WORKING_GROUP)

    several = builder_result(client, "?netzwerk=stk-burtscheid&gebiet=burtscheid&netzwerk=oag-brand")
    one = builder_result(client, "?netzwerk=oag-brand")
    kind = builder_result(client, "?art=stk")

    assert several == (
        200,
        "http://testserver/kalender/auswahl.ics?netzwerk=oag-brand&amp;netzwerk=stk-burtscheid&amp;gebiet=burtscheid",
    )
    assert (one, kind) == (
        (200, "http://testserver/kalender/netzwerk/oag-brand.ics"),
        (200, "http://testserver/kalender/art/stk.ics"),
    )
    html = client.get(reverse("feeds:help") + "?netzwerk=oag-brand").content.decode()
    assert 'href="webcal://testserver/kalender/netzwerk/oag-brand.ics"' in html
    assert 'type="checkbox" name="netzwerk" value="oag-brand" id="auswahl-netzwerk-oag-brand" checked' in html
    assert "<select" not in html


def test_feed_builder_address_is_a_feed_that_answers(client):
    NetworkFactory(slug="stk-a")
    NetworkFactory(slug="stk-b")
    _status, address = builder_result(client, "?netzwerk=stk-b&netzwerk=stk-a")

    response = client.get(address.replace("&amp;", "&"))

    assert (response.status_code, response["Content-Type"], response["Cache-Control"]) == (
        200,
        "text/calendar; charset=utf-8",
        "public, max-age=300",
    )


@pytest.mark.parametrize("query", ["?netzwerk=gibt-es-nicht", "?art=erfunden", "?netzwerk=a%20b"])
def test_feed_builder_page_with_an_unknown_choice_says_so_in_german(client, query):
    NetworkFactory(slug="stk-a")

    response = client.get(reverse("feeds:help") + query)

    assert response.status_code == 400
    assert 'class="form-errors" role="alert" id="adresse"' in response.content.decode()


def test_network_and_area_pages_link_their_feeds(client):
    area = AreaFactory()
    network = NetworkFactory()
    network.areas.add(area)

    network_page = client.get(reverse("directory:network_detail", args=[network.slug])).content.decode()
    area_page = client.get(reverse("directory:area_detail", args=[area.slug])).content.decode()

    assert f"webcal://testserver/kalender/netzwerk/{network.slug}.ics" in network_page
    assert f"http://testserver/kalender/netzwerk/{network.slug}.ics" in network_page
    assert f"webcal://testserver/kalender/gebiet/{area.slug}.ics" in area_page


def test_api_network_and_area_carry_ical_url(client):
    area = AreaFactory()
    network = NetworkFactory()

    network_data = client.get(f"/api/v1/networks/{network.slug}/").json()
    area_data = client.get(f"/api/v1/areas/{area.pk}/").json()

    assert network_data["ical_url"] == f"http://testserver/kalender/netzwerk/{network.slug}.ics"
    assert area_data["ical_url"] == f"http://testserver/kalender/gebiet/{area.slug}.ics"


@pytest.mark.parametrize("count", [1, 12])
def test_feed_help_page_query_count_is_constant(client, django_assert_num_queries, count):
    district = AreaFactory()
    for n in range(count):
        network = NetworkFactory(slug=f"netz-{n}")
        network.areas.add(SocialAreaFactory(parent=district))

    # Networks and areas, and the two of every page (the demo marker's check).
    with django_assert_num_queries(4):
        client.get(reverse("feeds:help") + "?netzwerk=netz-0")
