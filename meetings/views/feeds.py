"""Web views of the iCal feeds, their help page, the personal calendar page.

Feed URLs never ask for a login: calendar servers (Google, Microsoft) fetch them without
a session. Public feeds are public data; the personal feed is protected by its secret token.
"""

import datetime
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from contacts.models import Area, Network, Person
from meetings import feeds, ical
from meetings.models import FeedToken, Meeting, Visibility
from meetings.selectors import user_sees_internals
from meetings.services import feed_token_issue, feed_token_revoke, feed_token_touch

# Public feeds may be cached by browsers and proxies for five minutes: calendar clients
# poll often, and a meeting change that shows up five minutes later harms no one.
# Personal feeds hold internal meetings: never in a shared cache.
PUBLIC_CACHE = "public, max-age=300"
PRIVATE_CACHE = "private, max-age=300"
# ?sprache=en: the feed's own words (names, "Tagesordnung:", "Abgesagt: ") in English. The
# address decides, not Accept-Language: calendar servers send none that means anything.
LANGUAGE_PARAM = "sprache"


def _feed_language(request) -> str:
    language = request.GET.get(LANGUAGE_PARAM, "de")
    return language if language in dict(settings.LANGUAGES) else "de"


def _feed_path(path: str, language: str) -> str:
    if language == "de":
        return path
    return f"{path}{'&' if '?' in path else '?'}{LANGUAGE_PARAM}={language}"


def _serve(request, feed: feeds.Feed, *, now: datetime.datetime, filename: str) -> HttpResponse:
    """Answer a feed request: 304 from the calendar stamps alone, otherwise the streamed body."""
    stamp = feeds.feed_stamp(feed, now=now)
    response = get_conditional_response(request, etag=stamp.etag, last_modified=stamp.last_modified.timestamp())
    if response is None:
        if request.method == "HEAD":
            # HEAD answers with the headers of a GET and loads no meeting.
            response = HttpResponse(content_type=ical.CONTENT_TYPE)
        else:
            response = StreamingHttpResponse(feeds.feed_chunks(feed), content_type=ical.CONTENT_TYPE)
        # inline: a browser shows or offers the file, a calendar client just reads it.
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["ETag"] = stamp.etag
    response["Last-Modified"] = http_date(stamp.last_modified.timestamp())
    response["Cache-Control"] = PRIVATE_CACHE if feed.private else PUBLIC_CACHE
    return response


def _not_found() -> Http404:
    return Http404(_("Diesen Kalender gibt es nicht."))


@require_safe
def feed_city(request):
    now = timezone.now()
    return _serve(request, feeds.feed_city(now=now, language=_feed_language(request)), now=now, filename="stadt.ics")


def _serve_found(request, build, *, filename: str, **lookup) -> HttpResponse:
    """Serve the feed ``build(**lookup)`` names; 404 when its network, kind or area is unknown."""
    now = timezone.now()
    try:
        feed = build(now=now, language=_feed_language(request), **lookup)
    except feeds.FeedNotFound:
        raise _not_found() from None
    return _serve(request, feed, now=now, filename=filename)


@require_safe
def feed_network(request, slug: str):
    return _serve_found(request, feeds.feed_network, slug=slug, filename=f"{slug}.ics")


@require_safe
def feed_kind(request, kind: str):
    return _serve_found(request, feeds.feed_kind, kind=kind, filename=f"{kind}.ics")


@require_safe
def feed_area(request, slug: str):
    return _serve_found(request, feeds.feed_area, slug=slug, filename=f"{slug}.ics")


@require_safe
def feed_builder(request):
    """The feed of a choice: ``?netzwerk=…&art=…&gebiet=…``, each repeatable.

    A bad choice answers 400 with a plain German sentence: the reader is a person who
    pasted the address into a calendar and sees the text when testing it in a browser.
    """
    now = timezone.now()
    try:
        query = {name: values for name, values in request.GET.lists() if name != LANGUAGE_PARAM}
        choice = feeds.builder_choice(query)
        feed = feeds.feed_builder(choice=choice, now=now, language=_feed_language(request))
    except feeds.FeedBadRequest as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    return _serve(request, feed, now=now, filename="auswahl.ics")


@require_safe
def feed_meeting(request, uid: uuid.UUID):
    """One meeting as a file ("add to calendar"). Internal meetings only for those who may see them."""
    now = timezone.now()
    row = Meeting.objects.filter(uid=uid).values("pk", "visibility").first()
    if row is None:
        raise _not_found()
    private = row["visibility"] != Visibility.PUBLIC
    if private:
        meeting = Meeting.objects.prefetch_related("partner_networks").get(pk=row["pk"])
        if not user_sees_internals(request.user, meeting):
            raise _not_found()
    # A download from a page: in the language of the page.
    feed = feeds.feed_meeting(meeting_id=row["pk"], uid=uid, private=private, language=translation.get_language())
    return _serve(request, feed, now=now, filename=f"sitzung-{uid}.ics")


@require_safe
def feed_personal(request, token: str):
    """The personal feed; an unknown or revoked token answers 404 (nothing to tell apart)."""
    now = timezone.now()
    try:
        found = feeds.feed_token_lookup(token)
    except feeds.FeedNotFound:
        raise _not_found() from None
    feed_token_touch(token=found, user_agent=request.headers.get("User-Agent", ""), now=now)
    return _serve(request, feeds.feed_personal(token=found, now=now), now=now, filename="mein-kalender.ics")


def _feed_urls(request, path: str) -> dict[str, str]:
    # The host the visitor is using, like the feed links on the directory pages.
    https = request.build_absolute_uri(path)
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


def _builder_groups() -> dict:
    """The builder's checkboxes: active networks by kind, the kinds, and each Stadtbezirk
    with its Sozialräume (two queries)."""
    networks = list(Network.objects.filter(is_active=True).order_by("name").values("slug", "name", "kind"))
    by_kind = [
        (label, [network for network in networks if network["kind"] == kind]) for kind, label in Network.Kind.choices
    ]
    areas = list(
        Area.objects.filter(level__in=[Area.Level.DISTRICT, Area.Level.SOCIAL_AREA])
        .order_by("code", "name")
        .values("pk", "slug", "name", "level", "parent_id")
    )
    districts = [
        (district, [area for area in areas if area["parent_id"] == district["pk"]])
        for district in areas
        if district["level"] == Area.Level.DISTRICT
    ]
    return {
        "network_groups": [(label, members) for label, members in by_kind if members],
        "kinds": Network.Kind.choices,
        "district_groups": districts,
        "known": {
            "netzwerk": {network["slug"] for network in networks},
            "art": set(Network.Kind.values),
            "gebiet": {area["slug"] for area in areas},
        },
    }


@require_safe
def help_page(request):
    """How to subscribe, per calendar client; and the builder: the ticked networks, kinds
    and areas give the address of their feed to copy, and a webcal:// link."""
    language = translation.get_language()
    context = {"city_urls": _feed_urls(request, _feed_path(reverse("feeds:city"), language)), **_builder_groups()}
    status = 200
    if any(name in request.GET for name in feeds.BUILDER_PARAMS):
        try:
            choice = feeds.builder_choice(dict(request.GET.lists()))
        except feeds.FeedBadRequest as error:
            context["builder_error"], status = str(error), 400
        else:
            unknown = [
                value for name, values in choice.items() for value in values if value not in context["known"][name]
            ]
            if unknown:
                context["builder_error"] = _("Diese Auswahl gibt es nicht: %(value)s.") % {"value": unknown[0]}
                status = 400
            else:
                context["chosen"] = choice
                context["builder_urls"] = _feed_urls(request, _feed_path(feeds.builder_path(choice), language))
    return render(request, "meetings/feed_help.html", context, status=status)


# What the page reads from its address; the public cache answers any other parameter with a
# 400 (netzwerk.public_cache), so a made-up one cannot make a new cache entry.
help_page.query_parameters = frozenset(feeds.BUILDER_PARAMS)


def _personal_urls(request, token: FeedToken) -> dict[str, str]:
    return _feed_urls(request, reverse("feeds:personal", args=[token.token]))


@login_required
def my_calendar(request):
    """The member's personal feed: its address, rotate, revoke, last fetch and client."""
    person = Person.objects.filter(user=request.user).first()
    token = None
    if person is not None:
        token = FeedToken.objects.filter(person=person, revoked_at__isnull=True).first()
    context = {"person": person, "token": token}
    if token is not None:
        context["urls"] = _personal_urls(request, token)
        context["client"] = feeds.feed_client_name(token.last_user_agent) if token.last_user_agent else ""
    return render(request, "meetings/my_calendar.html", context)


@login_required
@require_POST
def my_calendar_issue(request):
    person = Person.objects.filter(user=request.user).first()
    if person is None:
        raise Http404
    feed_token_issue(person=person)
    messages.success(
        request, _("Eine neue Kalenderadresse ist angelegt. Eine frühere Adresse funktioniert nicht mehr.")
    )
    return redirect("feeds:my_calendar")


@login_required
@require_POST
def my_calendar_revoke(request):
    person = Person.objects.filter(user=request.user).first()
    if person is None:
        raise Http404
    for token in FeedToken.objects.filter(person=person, revoked_at__isnull=True):
        feed_token_revoke(token=token)
    messages.success(request, _("Ihr persönlicher Kalender ist abgeschaltet. Die Adresse funktioniert nicht mehr."))
    return redirect("feeds:my_calendar")
