"""Anonymous answers of the public pages and the read API, cached whole.

Every anonymous visitor gets the same page (persons are projected for the public audience,
and the pages carry no per-visitor token: the contact forms need none), so a page is
rendered once and then served from the cache until what it shows changes.

What a page shows is named by the version numbers it depends on (``page_scopes``):

- ``site``: the directory — networks, institutions, people, memberships, areas, figures,
  the site's own texts. Every page depends on it, and every committed save or delete of
  such a row raises it.
- ``network:<slug>``: the calendar of one network. Its pages (``/netzwerke/<slug>/…``)
  show its own meetings and nobody else's, so a meeting, series, agenda item or minutes
  of that network raises this one and ``calendar``, and leaves every other network's
  pages cached.
- ``calendar``: the calendar of all networks, which the start page, an area's page, the
  search and the calendar's API show (not the lists of networks, institutions and areas,
  nor the directory's API).

Answers, votes, polls, accounts, feed tokens, contact messages and the history tables
appear on no public page: writing them raises nothing. The calendar's bulk writes
(``bulk_create``, ``update()``), which send no ``post_save``, send
``meetings.signals.meetings_written``; ``PUBLIC_CACHE_SECONDS`` bounds how long a page
may show what time alone changes (the next meetings) or what any other bulk write wrote.
A page past that age whose versions are still current is rendered again by one request
while the others get it as it was (a few seconds at most), so that not every worker
renders the same page at once; a page whose versions changed is never served again.

A version rises when the transaction commits, not at the save: a request served in
between reads the old rows, and would otherwise store the old page under the new version.
A page is stored with the versions read *before* it was rendered, beside them in one entry
under a key of its own; a hit is one round trip to the cache (the page and the versions it
depends on in one ``get_many``, an ``MGET`` with Redis), served only while every version
it was stored with is still the current one. The middleware is the first of all: a hit
costs the cache's round trip and nothing else (no security headers, policies or static
files to work out: the entry holds the headers the other middleware gave the page when it
was rendered, the same for every request under its key).

What a client can vary at will does not make new entries: a page's query parameters are
the ones it knows (any other is a 400 for the site's pages, and not stored for the API),
``Accept`` counts only as the representation it selects (the API's JSON or browsable
HTML; the site's pages have one), and the cache itself (``CACHES["public"]``) is bounded.

Only what is safe to share is cached: GET requests under the public prefixes, from clients
without a session, message or authorisation (members and staff always get a fresh page,
projected for them), answered with 200, no cookie and no ``Cache-Control`` that forbids it.
The cache is ``CACHES["public"]``: shared by all workers with Redis in production; the
embedded per-process cache keeps each worker's own copy of at most
``PUBLIC_CACHE_ENTRIES`` answers, apart from the default cache, so a flood of pages
cannot evict the login and contact-form counters.
"""

import hashlib
import re
import time
from functools import partial
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.settings import api_settings

from netzwerk.api.filters import GENERAL_PARAMETERS

SITE = "site"
CALENDAR = "calendar"
# Pages of one network, and only of that one network's calendar (its slug; the list of all
# networks, /netzwerke/, shows no meetings).
NETWORK_PATH = re.compile(r"^/netzwerke/(?P<slug>[-\w]+)/")
# Pages that show no meeting at all: the directory's lists, the institutions, the texts,
# and the directory's resources of the API (served by contacts, which cannot read the
# calendar; netzwerk adds no more than the address of the feed to areas and networks).
DIRECTORY_ONLY_PATHS = {"/netzwerke/", "/gebiete/"}
DIRECTORY_ONLY_PREFIXES = (
    "/einrichtungen/",
    "/impressum/",
    "/datenschutz/",
    "/barrierefreiheit/",
    "/leichte-sprache/",
    "/kalender/hilfe/",
    "/api/v1/areas/",
    "/api/v1/networks/",
    "/api/v1/institutions/",
    "/api/v1/people/",
    "/api/v1/memberships/",
)
# Paths whose anonymous answers are the same for everybody. Not the account pages, the
# admin, answer and poll links (they carry a personal token), feeds (their own ETag cache)
# or the health check.
PREFIXES = (
    "/netzwerke/",
    "/einrichtungen/",
    "/gebiete/",
    "/suche/",
    "/api/v1/",
    "/impressum/",
    "/datenschutz/",
    "/barrierefreiheit/",
    "/leichte-sprache/",
    "/kalender/hilfe/",
)
# Apps whose rows the public pages show; of them, models that never appear on a public
# page or in the anonymous API: answers, votes and polls are for members, and a member
# answering must not empty the whole site's cache.
WATCHED_APPS = {"contacts", "indicators", "meetings", "netzwerk"}
PRIVATE_MODELS = {
    "contacts.contactmessage",
    "contacts.accountinvitation",
    "contacts.networkproposal",
    "contacts.networkproposal_areas",
    "contacts.user",
    "contacts.user_groups",
    "contacts.user_user_permissions",
    "meetings.attendance",
    "meetings.datepoll",
    "meetings.datepolloption",
    "meetings.datepollvote",
    "meetings.feedtoken",
    # Guests registering must not empty the site's cache (the meeting page is not cached).
    "meetings.guestregistration",
}
PERSONAL_COOKIES = ("messages",)
# A page is fresh for PUBLIC_CACHE_SECONDS; it stays in the cache this many times as long,
# to be served while one request renders its successor (at most RENDER_LOCK_SECONDS).
STALE_FACTOR = 2
RENDER_LOCK_SECONDS = 30


def _cache():
    return caches["public"]


def _version_key(scope: str) -> str:
    return f"public-cache:version:{scope}"


def _network_scope(slug: str) -> str:
    return f"network:{slug}"


def page_scopes(path: str) -> tuple[str, ...]:
    """The versions the page at ``path`` depends on (see the module's docstring)."""
    match = NETWORK_PATH.match(path)
    if match is not None:
        return (SITE, _network_scope(match["slug"]))
    if path in DIRECTORY_ONLY_PATHS or path.startswith(DIRECTORY_ONLY_PREFIXES):
        return (SITE,)
    return (SITE, CALENDAR)


def _version_start(cache, scope: str) -> int:
    """A version that was missing (never set, evicted, a restarted cache) starts from the
    clock, so that it never takes up a number an older page was stored with."""
    cache.add(_version_key(scope), time.time_ns(), timeout=None)
    return cache.get(_version_key(scope))


def public_cache_version(scope: str = SITE) -> int:
    """The current version of ``scope`` (``site``, ``calendar`` or ``network:<slug>``)."""
    cache = _cache()
    version = cache.get(_version_key(scope))
    return _version_start(cache, scope) if version is None else version


def public_cache_invalidate(scopes=(SITE,)) -> None:
    """Make every cached public answer that depends on one of ``scopes`` stale (they are
    replaced when next asked for, or expire unused)."""
    cache = _cache()
    for scope in scopes:
        try:
            cache.incr(_version_key(scope))
        except ValueError:
            cache.set(_version_key(scope), time.time_ns(), timeout=None)


def public_cache_calendar_invalidate(*, network_ids=(), meeting_ids=()) -> None:
    """The calendar changed, in the networks ``network_ids`` and those of the meetings
    ``meeting_ids``: their pages and the pages of all networks' meetings go stale."""
    from contacts.models import Network

    # A joint meeting shows on the pages of its partner networks too.
    slugs = Network.objects.filter(
        Q(pk__in=network_ids) | Q(meetings__pk__in=meeting_ids) | Q(meeting_partnerships__meeting_id__in=meeting_ids)
    ).values_list("slug", flat=True)
    public_cache_invalidate([CALENDAR, *(_network_scope(slug) for slug in set(slugs))])


def _changed_invalidation(sender, instance):
    """What a saved or deleted row of ``sender`` makes stale, as a callable; ``None`` for
    rows no public page shows."""
    meta = sender._meta
    if meta.app_label not in WATCHED_APPS or meta.label_lower in PRIVATE_MODELS:
        return None
    if meta.model_name.startswith("historical"):
        # The history appears on no public page; each version comes with a save of its row.
        return None
    if meta.app_label == "meetings" and instance is not None and instance._meta.app_label == "meetings":
        network_id = getattr(instance, "network_id", None)
        if meta.model_name in {"meeting", "meetingpartner"}:
            # A meeting (or a partner joining or leaving it) may be on several networks'
            # pages: those are read once the write commits.
            meeting_id = instance.pk if meta.model_name == "meeting" else instance.meeting_id
            return partial(public_cache_calendar_invalidate, network_ids={network_id}, meeting_ids={meeting_id})
        if network_id is not None:
            network_field = instance._meta.get_field("network")
            if network_field.is_cached(instance):
                # The network at hand (a series or meeting saved by a service): no query.
                return partial(public_cache_invalidate, [CALENDAR, _network_scope(instance.network.slug)])
            return partial(public_cache_calendar_invalidate, network_ids={network_id})
        meeting_id = getattr(instance, "meeting_id", None)
        if meeting_id is not None:
            return partial(public_cache_calendar_invalidate, meeting_ids={meeting_id})
    return public_cache_invalidate


def public_cache_model_changed(sender, *, instance=None, using: str | None = None, action: str = "", **kwargs):
    """Signal receiver (post_save, post_delete, m2m_changed): a public row changed; the
    pages that show it go stale once its transaction commits (at once outside a
    transaction), never if it rolls back."""
    if action.startswith("pre_"):
        return
    invalidation = _changed_invalidation(sender, instance)
    if invalidation is not None:
        transaction.on_commit(invalidation, using=using)


def public_cache_meetings_written(sender, *, network_ids=(), meeting_ids=(), networks=(), **kwargs) -> None:
    """Receiver of ``meetings.signals.meetings_written`` (the calendar's bulk writes)."""
    slugs = {network.pk: network.slug for network in networks}
    if not meeting_ids and set(network_ids) <= slugs.keys():
        # New rows of networks at hand (a series just created): no partners yet, and no
        # query to name the pages (one per series when 500 are planned at once).
        scopes = [CALENDAR, *(_network_scope(slugs[network_id]) for network_id in set(network_ids))]
        transaction.on_commit(partial(public_cache_invalidate, scopes))
        return
    transaction.on_commit(
        partial(public_cache_calendar_invalidate, network_ids=set(network_ids), meeting_ids=set(meeting_ids))
    )


def _public_path(path: str) -> bool:
    return path == "/" or path.startswith(PREFIXES)


def _cacheable_request(request: HttpRequest) -> bool:
    if request.method != "GET" or settings.PUBLIC_CACHE_SECONDS <= 0:
        return False
    if not _public_path(request.path_info):
        return False
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and not any(name in cookies for name in PERSONAL_COOKIES)


def _cacheable_response(response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    cache_control = response.get("Cache-Control", "")
    return not any(word in cache_control for word in ("private", "no-store", "no-cache"))


def _representation(request: HttpRequest) -> str | None:
    """What ``Accept`` (and ``?format=``) select: the renderer the API would choose, or
    nothing for the site's pages, which have one representation. ``None``: not cacheable
    (nothing acceptable, or media type parameters such as ``indent`` a client can vary)."""
    if not request.path_info.startswith("/api/"):
        return ""
    renderers = [renderer() for renderer in api_settings.DEFAULT_RENDERER_CLASSES]
    try:
        renderer, media_type = DefaultContentNegotiation().select_renderer(Request(request), renderers)
    except NotAcceptable:
        return None
    if ";" in media_type:
        return None
    return renderer.format


def _key(request: HttpRequest) -> str | None:
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    representation = _representation(request)
    if representation is None:
        return None
    language = translation.get_language_from_request(request)
    # Parameters in a fixed order: ?a=1&b=2 and ?b=2&a=1 are one page.
    query = urlencode(sorted(request.GET.lists()), doseq=True)
    parts = [request.scheme, host, request.path, query, representation, language]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    # "response": entries with the headers of all middleware; the entries of the earlier
    # "page" layout lack the security policies and are never read.
    return f"public-cache:response:{digest}"


def _known_parameters(view_func) -> set[str]:
    view_class = getattr(view_func, "cls", None)
    if view_class is None:
        # A page of the site names what it reads beside its definition (from its form).
        return set(getattr(view_func, "query_parameters", ()))
    known = set(GENERAL_PARAMETERS) | set(getattr(view_class, "query_parameters", ()))
    filterset_class = getattr(view_class, "filterset_class", None)
    if filterset_class is not None:
        known |= set(filterset_class.base_filters)
    return known


def _render_lock_key(key: str) -> str:
    return f"{key}:rendering"


def _from_entry(entry) -> HttpResponse:
    _versions, _fresh_until, status, headers, content = entry
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    return response


class PublicCacheMiddleware:
    """Serve anonymous public GETs from the cache; store what is safe to share.

    The first middleware: a hit skips every other one (the security headers and policies,
    static files, sessions, locale, CSRF, authentication), which only matter to the
    first, rendered answer, whose headers (theirs included) are kept.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = _key(request) if _cacheable_request(request) else None
        if key is None:
            return self.get_response(request)
        cache = _cache()
        scopes = page_scopes(request.path_info)
        version_keys = [_version_key(scope) for scope in scopes]
        # One round trip: the page and the versions it depends on.
        found = cache.get_many([key, *version_keys])
        versions = tuple(
            found[version_key] if version_key in found else _version_start(cache, scope)
            for scope, version_key in zip(scopes, version_keys, strict=True)
        )
        cached = found.get(key)
        lock = None
        if cached is not None and cached[0] == versions:
            if cached[1] > time.time():
                return _from_entry(cached)
            # Older than PUBLIC_CACHE_SECONDS, but nothing it shows was written since: one
            # request renders its successor, the others meanwhile get it as it is (rather
            # than every worker rendering the same page at once). A page whose data
            # changed is never served again (above): a withdrawn consent shows at once.
            lock = _render_lock_key(key)
            if not cache.add(lock, True, timeout=RENDER_LOCK_SECONDS):
                return _from_entry(cached)
        request.public_cache_key = key
        try:
            response = self.get_response(request)
            key = getattr(request, "public_cache_key", None)
            if key is not None and _cacheable_response(response):
                seconds = settings.PUBLIC_CACHE_SECONDS
                entry = (
                    versions,
                    time.time() + seconds,
                    response.status_code,
                    list(response.items()),
                    response.content,
                )
                cache.set(key, entry, seconds * STALE_FACTOR)
        finally:
            if lock is not None:
                cache.delete(lock)
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        """A page asked for with a query parameter it does not read: a 400 (a client could
        otherwise make a new cache entry with every made-up parameter). The API answers
        its own 400 for unknown filters; such an answer is not stored either."""
        if request.method != "GET" or not request.GET or not _public_path(request.path_info):
            return None
        unknown = sorted(set(request.GET) - _known_parameters(view_func))
        if not unknown:
            return None
        request.public_cache_key = None
        # The API answers for itself, in JSON: its views with their own 400 for unknown
        # filters, any other address below it with its 404. Neither is stored.
        if getattr(view_func, "cls", None) is not None or request.path_info.startswith("/api/"):
            return None
        message = _("Unbekannter Parameter in der Adresse: %(names)s.") % {"names": ", ".join(unknown)}
        return render(request, "netzwerk/error.html", {"status": 400, "message": message}, status=400)
