"""„Veraltete Einträge“: the Sozialplanung's list of networks, institutions and people not
confirmed for a year, with what was mailed to their owners (notifications) beside the
entry (contacts), and the button that sends an institution „Eintrag prüfen“ now."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from contacts import selectors
from contacts.forms import DirectoryFilterForm
from contacts.models import Institution, Network
from contacts.selectors.freshness import AGE_CHOICES, ORDERINGS, stale_entries
from notifications.models import Subject
from notifications.selectors import entry_checks_sent
from notifications.services import entry_review_request

PAGE_SIZE = 50
SUBJECT_OF_KIND = {"network": Subject.NETWORK, "institution": Subject.INSTITUTION, "person": Subject.PERSON}
ADMIN_URL_OF_KIND = {
    "network": "admin:contacts_network_change",
    "institution": "admin:contacts_institution_change",
    "person": "admin:contacts_person_change",
}


class StaleFilterForm(DirectoryFilterForm):
    art = forms.ChoiceField(
        label=gettext_lazy("Art des Eintrags"),
        required=False,
        choices=[
            ("", gettext_lazy("alle Arten")),
            ("network", gettext_lazy("Netzwerke")),
            ("institution", gettext_lazy("Einrichtungen")),
            ("person", gettext_lazy("Personen")),
        ],
    )
    netzwerk = forms.TypedChoiceField(
        label=gettext_lazy("Netzwerk (mit Mitgliedern)"), required=False, coerce=int, empty_value=None
    )
    alter = forms.TypedChoiceField(
        label=gettext_lazy("nicht bestätigt seit"), required=False, coerce=int, empty_value=None
    )
    field_order = ["art", "netzwerk", "gebiet", "alter"]

    def __init__(self, data, *, tree, networks) -> None:
        super().__init__(data, tree=tree)
        self.fields["netzwerk"].choices = [("", _("alle Netzwerke")), *[(n.pk, n.name) for n in networks]]
        self.fields["alter"].choices = [
            (months, _("mehr als %(months)s Monaten") % {"months": months}) for months in AGE_CHOICES
        ]


def _require_reviewer(request: HttpRequest) -> None:
    if not request.user.has_perm("contacts.review_entries"):
        raise PermissionDenied(_("Diese Seite ist der Sozialplanung vorbehalten."))


@login_required
@require_http_methods(["GET", "HEAD"])
def stale_entries_page(request: HttpRequest) -> HttpResponse:
    """Entries whose Stand is older than the chosen age, filterable and sortable."""
    _require_reviewer(request)
    tree = selectors.area_tree()
    networks = list(Network.objects.filter(is_active=True).order_by("name"))
    form = StaleFilterForm(request.GET, tree=tree, networks=networks)
    if not form.is_valid():
        return render(request, "netzwerk/stale_entries.html", {"form": form, "page_obj": None}, status=400)
    data = form.cleaned_data
    # The column headers sort (links, not a field of the filter form); kept across filtering.
    ordering = request.GET.get("ordnung") or "stand"
    if ordering not in ORDERINGS:
        return render(request, "netzwerk/stale_entries.html", {"form": form, "page_obj": None}, status=400)
    entries = stale_entries(
        kind=data["art"] or None,
        network_id=data["netzwerk"],
        area_ids=tree.descendant_ids(data["gebiet"]) if data["gebiet"] else None,
        months=data["alter"],
        ordering=ordering,
    )
    paginator = Paginator(entries, PAGE_SIZE)
    try:
        page_obj = paginator.page(request.GET.get("seite") or 1)
    except InvalidPage:
        raise Http404(_("Diese Seite der Liste gibt es nicht.")) from None
    sent = entry_checks_sent(page_obj.object_list)
    rows = [
        {
            "item": item,
            "sent": sent.get((SUBJECT_OF_KIND[item.kind], item.entry.pk), {}),
            "admin_url": reverse(ADMIN_URL_OF_KIND[item.kind], args=[item.entry.pk]),
            "may_request": item.kind == "institution" and bool(item.entry.email),
        }
        for item in page_obj.object_list
    ]
    query = request.GET.copy()
    query.pop("seite", None)
    query.pop("ordnung", None)
    sort_links = {
        field: f"?{query.urlencode()}{'&' if query else ''}ordnung={'-' if ordering == field else ''}{field}"
        for field in ("kind", "name", "stand")
    }
    query_with_order = request.GET.copy()
    query_with_order.pop("seite", None)
    context = {
        "form": form,
        "page_obj": page_obj,
        "rows": rows,
        "total": paginator.count,
        "ordering": ordering,
        "sort_links": sort_links,
        "query": query_with_order.urlencode(),
        "is_filtered": any(data[name] for name in ("art", "netzwerk", "gebiet", "alter")),
    }
    return render(request, "netzwerk/stale_entries.html", context)


@login_required
@require_POST
def entry_review_request_view(request: HttpRequest, pk: int) -> HttpResponse:
    """„Eintrag prüfen lassen“: the institution's functional address gets the link now."""
    _require_reviewer(request)
    institution = Institution.objects.filter(pk=pk, is_active=True).first()
    if institution is None:
        raise Http404(_("Diese Einrichtung gibt es nicht."))
    try:
        entry_review_request(institution=institution, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Die Bitte, den Eintrag zu prüfen, geht an %(address)s.") % {"address": institution.email},
        )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("contacts:stale_entries")
    return redirect(back)
