"""Site-wide pages: the start page, health check and error pages."""

import logging

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from contacts.forms import AreaChoiceForm
from contacts.selectors import area_tree, network_directory
from netzwerk.setup import broker_check
from notifications.selectors import delivery_health, periodic_run_last

logger = logging.getLogger(__name__)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The start page: "Was ist in meinem Stadtteil los?" and the networks by kind."""
    networks = list(network_directory().filter(parent__isnull=True))
    return render(request, "netzwerk/home.html", {"networks": networks, "form": AreaChoiceForm(tree=area_tree())})


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Database, broker, the age of the last heartbeat and sweep, the oldest due mail not
    yet sent and rows stuck past their lease; 503 when the database or broker is down."""
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
    if checks["database"]["ok"]:
        sweep = periodic_run_last(name="sweep")
        checks["sweep"] = {
            "last_run": sweep.isoformat() if sweep else None,
            "age_seconds": round((timezone.now() - sweep).total_seconds()) if sweep else None,
        }
        checks["deliveries"] = delivery_health()
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
