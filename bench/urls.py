"""The real URLs and, beside them, a bare Django view: the baseline of ``bench.public``."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from netzwerk.urls import handler400, handler403, handler404, handler500
from netzwerk.urls import urlpatterns as site_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def bare(request: HttpRequest) -> HttpResponse:
    """What every request costs anyway: WSGI, middleware, routing, no query, no template."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *site_urlpatterns]
