"""Anonymous answers of the public pages and the read API, cached whole.

Every anonymous visitor gets the same page (persons are projected for the public audience,
and the pages carry no per-visitor token: the contact forms need none), so a page is
rendered once and then served from the cache until the directory changes. Any save or
delete of a model of the directory or the calendar raises one version number, which is
part of every key; ``PUBLIC_CACHE_SECONDS`` bounds how long a page may show what time alone
changes (the next meetings) or what a bulk ``update()`` wrote without signals.

Only what is safe to share is cached: GET requests under the public prefixes, from clients
without a session, message or authorisation (members and staff always get a fresh page,
projected for them), answered with 200, no cookie and no ``Cache-Control`` that forbids it.
The cache is ``CACHES["default"]``: shared by all workers with Redis in production; the
embedded per-process cache keeps each worker's own copy.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.utils import translation

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
# Apps whose rows the public pages show; of them, models that never appear on a page.
WATCHED_APPS = {"contacts", "meetings", "netzwerk"}
IGNORED_MODELS = {"contacts.contactmessage", "contacts.user"}
PERSONAL_COOKIES = ("messages",)


def public_cache_version() -> int:
    """The current version of the public data; starts from the clock so that a restarted
    cache never reuses the numbers of an older one."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def public_cache_invalidate() -> None:
    """Make every cached public answer stale (they expire unused)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def public_cache_model_changed(sender, **kwargs) -> None:
    """Signal receiver (post_save, post_delete, m2m_changed): a public row changed."""
    meta = sender._meta
    if meta.app_label in WATCHED_APPS and meta.label_lower not in IGNORED_MODELS:
        public_cache_invalidate()


def _cacheable_request(request: HttpRequest) -> bool:
    if request.method != "GET" or settings.PUBLIC_CACHE_SECONDS <= 0:
        return False
    path = request.path_info
    if path != "/" and not path.startswith(PREFIXES):
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


def _key(request: HttpRequest) -> str | None:
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    language = translation.get_language_from_request(request)
    parts = [request.scheme, host, request.get_full_path(), request.META.get("HTTP_ACCEPT", ""), language]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"public-cache:{public_cache_version()}:{digest}"


class PublicCacheMiddleware:
    """Serve anonymous public GETs from the cache; store what is safe to share.

    Sits right after WhiteNoise: a hit skips sessions, locale, CSRF and authentication,
    which only matter to the first, rendered answer, whose headers are kept.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = _key(request) if _cacheable_request(request) else None
        if key is not None:
            cached = cache.get(key)
            if cached is not None:
                status, headers, content = cached
                response = HttpResponse(content, status=status)
                for name, value in headers:
                    response[name] = value
                return response
        response = self.get_response(request)
        if key is not None and _cacheable_response(response):
            cache.set(
                key, (response.status_code, list(response.items()), response.content), settings.PUBLIC_CACHE_SECONDS
            )
        return response
