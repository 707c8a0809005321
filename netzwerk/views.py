"""Site-wide pages: the start page, search, street lookup, health check and error pages."""

import logging

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from contacts.forms import AreaChoiceForm
from contacts.selectors import area_tree, audience_for, network_directory
from netzwerk import search as site_search
from netzwerk.forms import SearchForm, StreetLookupForm
from netzwerk.setup import broker_check
from notifications.selectors import periodic_run_last

logger = logging.getLogger(__name__)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The start page: "Was ist in meinem Stadtteil los?" and the networks by kind."""
    networks = list(network_directory().filter(parent__isnull=True))
    context = {
        "networks": networks,
        "form": AreaChoiceForm(tree=area_tree()),
        "search_form": SearchForm(),
        "street_form": StreetLookupForm(),
    }
    return render(request, "netzwerk/home.html", context)


@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    """/suche/?q=: networks, institutions, people, meetings, areas and streets, grouped."""
    form = SearchForm(request.GET)
    if not form.is_valid():
        return render(request, "netzwerk/search.html", {"search_form": form, "results": None}, status=400)
    query = form.cleaned_data["q"]
    results = None
    if query:
        results = site_search.search(query=query, user=request.user, audience=audience_for(request.user))
    return render(request, "netzwerk/search.html", {"search_form": form, "results": results, "query": query})


@require_safe
def street_lookup(request: HttpRequest) -> HttpResponse:
    """The street field of the start page without JavaScript: one Lebensraum found → its page;
    several → a list to choose from; none → a hint."""
    form = StreetLookupForm(request.GET)
    if not form.is_valid():
        return render(request, "netzwerk/street_lookup.html", {"street_form": form, "lookup": None}, status=400)
    lookup = site_search.street_lookup(text=form.cleaned_data["strasse"])
    area = lookup.single_area
    if area is not None and not lookup.number_unmatched:
        return redirect("directory:area_detail", slug=area.slug)
    return render(request, "netzwerk/street_lookup.html", {"street_form": form, "lookup": lookup})


@require_safe
def street_suggestions(request: HttpRequest) -> JsonResponse:
    """/strassen/?q=reichs: street names for the typeahead, with their Lebensräume."""
    text = request.GET.get("q", "")
    if len(text) > site_search.QUERY_MAX_LENGTH or "\x00" in text:
        message = _("Bitte höchstens %(limit)d Zeichen ohne Steuerzeichen eingeben.")
        return JsonResponse({"detail": message % {"limit": site_search.QUERY_MAX_LENGTH}}, status=400)
    return JsonResponse({"results": site_search.street_suggestions(text=text)})


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Database, broker and the age of the last periodic run; 503 when a part is down."""
    checks: dict[str, dict] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = {"ok": True}
    except Exception as error:  # noqa: BLE001
        checks["database"] = {"ok": False, "error": str(error)}
    broker_error = broker_check(timeout=2)
    broker_ok = broker_error is None
    checks["broker"] = {"ok": True} if broker_ok else {"ok": False, "error": broker_error}
    last = periodic_run_last(name="heartbeat") if checks["database"]["ok"] else None
    checks["beat"] = {
        "last_run": last.isoformat() if last else None,
        "age_seconds": round((timezone.now() - last).total_seconds()) if last else None,
    }
    healthy = checks["database"]["ok"] and broker_ok
    return JsonResponse({"ok": healthy, "checks": checks}, status=200 if healthy else 503)


def bad_request(request, exception=None):
    return render(request, "netzwerk/error.html", {"status": 400, "exception": exception}, status=400)


def permission_denied(request, exception=None):
    return render(request, "netzwerk/error.html", {"status": 403}, status=403)


def page_not_found(request, exception=None):
    return render(request, "netzwerk/error.html", {"status": 404}, status=404)


def server_error(request):
    # No context processors that touch the database: it may be what failed.
    from django.template import loader

    template = loader.get_template("netzwerk/500.html")
    return HttpResponse(template.render({}), status=500)
