"""Site-wide pages: the start page, search and street lookup, the site pages (Impressum,
Datenschutz, Barrierefreiheit, Leichte Sprache), the health check and the error pages."""

import logging
import secrets

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe
from django.views.i18n import set_language

from contacts.forms import AreaChoiceForm, ContactMessageForm
from contacts.models import ContactMessage
from contacts.selectors import (
    DIRECTORY_FRAGMENT_SECONDS,
    area_tree,
    audience_for,
    directory_version,
    network_groups_by_kind,
)
from contacts.views import contact_form_submit
from meetings.markdown import render_markdown
from meetings.selectors import meetings_next_public
from meetings.views.access import meeting_or_404
from meetings.views.pages import meeting_context
from netzwerk import search as site_search
from netzwerk.forms import SearchForm, StreetLookupForm
from netzwerk.models import SitePage
from netzwerk.selectors import site_page_get
from netzwerk.setup import broker_check
from notifications.selectors import delivery_health, invitation_status, periodic_run_last

logger = logging.getLogger(__name__)


@require_safe
def meeting_page(request: HttpRequest, uid) -> HttpResponse:
    """One meeting (``meetings.views.pages.meeting_context``); for its speakers also whether
    and when the invitation goes out (``notifications.selectors.invitation_status``)."""
    meeting = meeting_or_404(request, uid)
    context = meeting_context(request, meeting)
    if context["manages"]:
        context["invitation"] = invitation_status(meeting=meeting)
        context["invitation_send_url"] = reverse("notifications:invitation_send", args=[meeting.uid])
    return render(request, "meetings/meeting_detail.html", context)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The start page: "Was ist in meinem Stadtteil los?" and the networks by kind.

    The area select and the networks are fragments rendered once per directory version
    (``{% cache %}`` keyed by it): they are read only when their fragment is rendered.
    """
    version = directory_version()
    context = {
        "directory_version": version,
        "fragment_seconds": DIRECTORY_FRAGMENT_SECONDS,
        "network_groups": SimpleLazyObject(lambda: network_groups_by_kind(top_level_only=True)),
        "form": SimpleLazyObject(lambda: AreaChoiceForm(tree=area_tree(version=version))),
        "search_form": SearchForm(),
        "street_form": StreetLookupForm(),
        "next_meetings": meetings_next_public(),
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


# What the page reads from its address; the public cache answers any other parameter with a
# 400 (netzwerk.public_cache), so a made-up one cannot make a new cache entry.
search_page.query_parameters = frozenset(SearchForm.base_fields)


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
        message = _("Bitte geben Sie höchstens %(limit)d Zeichen ohne Steuerzeichen ein.")
        return JsonResponse({"detail": message % {"limit": site_search.QUERY_MAX_LENGTH}}, status=400)
    return JsonResponse({"results": site_search.street_suggestions(text=text)})


def _site_page_response(
    request: HttpRequest, slug: str, *, template: str = "netzwerk/site_page.html", status: int = 200, **context
) -> HttpResponse:
    """A site page: the text staff edited (Markdown, sanitised) or the template's default."""
    edited = site_page_get(slug=slug)
    context.update(
        {
            "title": (edited.title if edited else "") or SitePage.Slug(slug).label,
            "body_html": render_markdown(edited.body) if edited and edited.body.strip() else "",
            "default_template": f"netzwerk/site_pages/{slug}.html",
            "updated_at": edited.updated_at if edited else None,
            # Text staff edited is German, and so is Leichte Sprache: the page marks it as
            # such (WCAG 3.1.2) when the interface around it speaks another language.
            "content_language": "de" if slug == SitePage.Slug.EASY_LANGUAGE or (edited and edited.body.strip()) else "",
        }
    )
    return render(request, template, context, status=status)


@require_safe
def imprint(request: HttpRequest) -> HttpResponse:
    """Impressum (§ 5 DDG, § 18 MStV)."""
    return _site_page_response(request, SitePage.Slug.IMPRINT)


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    """Datenschutzerklärung, with the retention times as configured."""
    return _site_page_response(
        request,
        SitePage.Slug.PRIVACY,
        contact_retention_days=settings.CONTACT_MESSAGES_RETENTION_DAYS,
        delivery_retention_days=settings.DELIVERY_ADDRESS_RETENTION_DAYS["default"],
        link_valid_days=max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        guest_retention_days=settings.GUEST_DATA_RETENTION_DAYS,
    )


@require_safe
def easy_language(request: HttpRequest) -> HttpResponse:
    """What Netzwerk is, in Leichter Sprache."""
    return _site_page_response(request, SitePage.Slug.EASY_LANGUAGE)


@csrf_exempt  # as the contact form, whose origin check it shares: see contacts.views
@require_http_methods(["GET", "HEAD", "POST"])
def accessibility(request: HttpRequest) -> HttpResponse:
    """Erklärung zur Barrierefreiheit (BITV NRW) with its feedback form (POST-redirect-GET)."""
    if request.method == "POST":
        form, status = contact_form_submit(request, kind=ContactMessage.Kind.ACCESSIBILITY_FEEDBACK)
        if status == 200:
            return redirect("barrierefreiheit_sent")
    else:
        form, status = ContactMessageForm(), 200
    return _site_page_response(
        request,
        SitePage.Slug.ACCESSIBILITY,
        template="netzwerk/site_pages/barrierefreiheit_page.html",
        status=status,
        form=form,
    )


# The language switch in every page's header. Public pages are cached whole for all
# anonymous visitors and so carry no CSRF token; a forged switch only changes the language
# of the visitor's next page (a cookie), which is harmless.
language_set = csrf_exempt(set_language)


@require_safe
def accessibility_sent(request: HttpRequest) -> HttpResponse:
    """The confirmation after the accessibility feedback form."""
    return render(request, "netzwerk/site_pages/feedback_sent.html")


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Up or down for anyone (200, or 503 when the database or broker is down); the details
    (errors, the age of the last heartbeat and sweep, the oldest due mail not yet sent,
    rows stuck past their lease) only for staff or a monitor that sends
    ``settings.HEALTHZ_TOKEN`` in the ``X-Healthz-Token`` header: they tell an outsider
    when the scheduler stalled and how much mail is waiting."""
    checks = _health_checks()
    healthy = checks["database"]["ok"] and checks["broker"]["ok"]
    body: dict = {"ok": healthy}
    if _health_details_allowed(request):
        body["checks"] = checks
    return JsonResponse(body, status=200 if healthy else 503)


def _health_details_allowed(request: HttpRequest) -> bool:
    token = settings.HEALTHZ_TOKEN
    sent = request.headers.get("X-Healthz-Token", "")
    if token and sent and secrets.compare_digest(sent.encode(), token.encode()):
        return True
    try:
        return request.user.is_authenticated and request.user.is_staff
    except DatabaseError:
        # The session is read from the database, which may be what is down.
        return False


def _health_checks() -> dict[str, dict]:
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
    return checks


# Under /api/ every answer is JSON with a German ``detail``, also where Django, not DRF,
# answers: an address no route matches, a CSRF failure of a session-authenticated write,
# a server error. A client that parses JSON must never get an HTML page.
API_PREFIX = "/api/"
API_ERRORS = {
    400: gettext_lazy("Die Anfrage ist nicht verständlich; bitte prüfen Sie Adresse und Angaben."),
    403: gettext_lazy("Keine Berechtigung für diese Aktion."),
    404: gettext_lazy("Nicht gefunden."),
    500: gettext_lazy("Interner Fehler. Bitte versuchen Sie es später noch einmal."),
}


def _api_error(request: HttpRequest, status: int, detail=None) -> JsonResponse | None:
    if not request.path.startswith(API_PREFIX):
        return None
    return JsonResponse({"detail": str(detail or API_ERRORS[status])}, status=status)


def bad_request(request, exception=None):
    return _api_error(request, 400) or render(
        request, "netzwerk/error.html", {"status": 400, "exception": exception}, status=400
    )


def permission_denied(request, exception=None):
    # The views raise PermissionDenied with a German sentence that says why.
    message = str(exception) if exception is not None and exception.args else ""
    return _api_error(request, 403, message) or render(
        request, "netzwerk/error.html", {"status": 403, "message": message}, status=403
    )


def page_not_found(request, exception=None):
    return _api_error(request, 404) or render(request, "netzwerk/error.html", {"status": 404}, status=404)


def csrf_failure(request, reason=""):
    """A form posted without a valid CSRF token (``CSRF_FAILURE_VIEW``): German, and JSON under
    /api/ (a session-authenticated write without the ``X-CSRFToken`` header)."""
    message = _(
        "Das Formular ist abgelaufen oder kam nicht von dieser Seite (CSRF-Prüfung). "
        "Bitte laden Sie die Seite neu und senden Sie es noch einmal."
    )
    return _api_error(request, 403, message) or render(
        request, "netzwerk/error.html", {"status": 403, "csrf_message": message}, status=403
    )


def server_error(request):
    api_error = _api_error(request, 500)
    if api_error is not None:
        return api_error
    # No context processors that touch the database: it may be what failed.
    from django.template import loader

    template = loader.get_template("netzwerk/500.html")
    # Django mails the report to ADMINS; with none configured no one hears of it.
    return HttpResponse(template.render({"admins_notified": bool(settings.ADMINS)}), status=500)
