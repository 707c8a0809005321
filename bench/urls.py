"""The real URLs and, beside them, the two baselines of ``bench.public``, ``bench.pages`` and ``bench.speaker``:
a bare Django view and a minimal realistic page."""

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from contacts.models import Institution
from netzwerk.urls import handler400, handler403, handler404, handler500
from netzwerk.urls import urlpatterns as site_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def bare(request: HttpRequest) -> HttpResponse:
    """What every request costs anyway: WSGI, middleware, routing, no query, no template."""
    return HttpResponse("ok", content_type="text/plain")


# The site's layout around one table of 20 rows, each with a link: the least a real page of
# the site does. Compiled once, as the template loaders cache the site's own templates.
MINIMAL_TEMPLATE = engines["django"].from_string(
    """{% extends "netzwerk/base.html" %}{% load i18n %}
{% block title %}Einrichtungen{% endblock %}
{% block content %}
<h1>Einrichtungen</h1>
<table><thead><tr><th scope="col">Name</th><th scope="col">Ort</th></tr></thead><tbody>
{% for institution in institutions %}
<tr><th scope="row"><a href="{% url 'directory:institution_detail' institution.slug %}">{{ institution.name }}</a></th>
<td>{{ institution.postal_code }} {{ institution.city }}</td></tr>
{% endfor %}
</tbody></table>
{% endblock %}"""
)


def minimal(request: HttpRequest) -> HttpResponse:
    """One query of 20 rows through one template in the site's layout: what a page of the
    site costs at the least."""
    institutions = list(Institution.objects.order_by("pk")[:20])
    return HttpResponse(MINIMAL_TEMPLATE.render({"institutions": institutions}, request))


urlpatterns = [path("bench/bare/", bare), path("bench/minimal/", minimal), *site_urlpatterns]
