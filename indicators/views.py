"""The import of the SEP tables: Sozialplanung only, checked and previewed before it writes."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from indicators import selectors, services
from indicators.forms import ImportForm


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def indicator_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV or XLSX file: „Prüfen“ shows what would change, „Importieren“ writes it.
    With any problem nothing is written and every problem is listed by line and column
    (a 400); the same file imported twice changes nothing the second time."""
    if not request.user.has_perm("indicators.import_values"):
        raise PermissionDenied(_("Kennzahlen importieren darf nur die Sozialplanung."))
    report, status = None, 200
    form = ImportForm()
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["datei"]
            report = services.indicator_values_import(
                data=upload.read(), filename=upload.name, preview="importieren" not in request.POST
            )
            if not report.ok:
                status = 400
        else:
            status = 400
    context = {"form": form, "report": report, "indicators": selectors.indicator_list()}
    return render(request, "indicators/import.html", context, status=status)
