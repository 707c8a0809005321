"""Anonymous answers of the public pages and the read API, cached whole.

Every anonymous visitor gets the same page (persons are projected for the public audience,
and the pages carry no per-visitor token: the contact forms need none), so a page is
rendered once and then served from the cache until the directory changes. A committed save
or delete of a model that public pages show raises one version number, which is part of
every key; ``PUBLIC_CACHE_SECONDS`` bounds how long a page may show what time alone
changes (the next meetings) or what a bulk ``update()`` wrote without signals.

The version rises when the transaction commits, not at the save: a request served in
between reads the old rows, and would otherwise store the old page under the new version.

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
import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.settings import api_settings

from netzwerk.api.filters import GENERAL_PARAMETERS

VERSION_KEY = "public-cache:version"
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


def _cache():
    return caches["public"]


def public_cache_version() -> int:
    """The current version of the public data; starts from the clock so that a restarted
    cache never reuses the numbers of an older one."""
    cache = _cache()
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def public_cache_invalidate() -> None:
    """Make every cached public answer stale (they expire unused)."""
    cache = _cache()
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def public_cache_model_changed(sender, *, using: str | None = None, **kwargs) -> None:
    """Signal receiver (post_save, post_delete, m2m_changed): a public row changed; the
    pages go stale once its transaction commits (at once outside a transaction), never
    if it rolls back."""
    meta = sender._meta
    if meta.app_label in WATCHED_APPS and meta.label_lower not in PRIVATE_MODELS:
        transaction.on_commit(public_cache_invalidate, using=using)


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
    return f"public-cache:{public_cache_version()}:{digest}"


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


class PublicCacheMiddleware:
    """Serve anonymous public GETs from the cache; store what is safe to share.

    Sits right after WhiteNoise: a hit skips sessions, locale, CSRF and authentication,
    which only matter to the first, rendered answer, whose headers are kept.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = _key(request) if _cacheable_request(request) else None
        cache = _cache()
        if key is not None:
            cached = cache.get(key)
            if cached is not None:
                status, headers, content = cached
                response = HttpResponse(content, status=status)
                for name, value in headers:
                    response[name] = value
                return response
        request.public_cache_key = key
        response = self.get_response(request)
        key = getattr(request, "public_cache_key", None)
        if key is not None and _cacheable_response(response):
            cache.set(
                key, (response.status_code, list(response.items()), response.content), settings.PUBLIC_CACHE_SECONDS
            )
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
