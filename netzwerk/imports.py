"""The import pages for Sozialplanung staff: upload → columns → preview → import → report.

Assembled here because the report also shows and plans mail (the consent request goes
through the delivery log of ``notifications``). Every write goes through
``contacts.services.imports`` and ``notifications.services.consent``.

A file larger than the limit is refused while it arrives: the upload handler stops reading
after ``UPLOAD_LIMIT`` bytes, so a 50 MB file is neither kept in memory nor on disk, and the
page answers 413 with a German message instead of a 500.
"""

from __future__ import annotations

import functools

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from contacts.models import ImportRun, InstitutionType, Network
from contacts.selectors.imports import (
    PREVIEW_PAGE_SIZE,
    import_people_without_consent,
    import_run_get,
    import_run_list,
)
from contacts.services import imports as services
from contacts.services.tables import TABLE_MAX_BYTES
from contacts.tasks import import_execute_task
from notifications.models import Delivery, Kind, Subject
from notifications.services.consent import consent_requests_plan

# Room for the form's other fields and the multipart framing around the file.
UPLOAD_LIMIT = TABLE_MAX_BYTES + 64 * 1024
TOO_LARGE = gettext_lazy(
    "Die Datei ist größer als 10 MB. Bitte eine kleinere Datei wählen (eine Mitgliederliste hat selten mehr als 1 MB)."
)


def staff_only(view):
    """Sozialplanung only (``contacts.manage_directory``); anonymous visitors log in first."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm("contacts.manage_directory"):
            raise PermissionDenied(_("Importe sind der Sozialplanung vorbehalten."))
        return view(request, *args, **kwargs)

    return wrapper


def _run_or_404(pk: int) -> ImportRun:
    run = import_run_get(pk)
    if run is None:
        raise Http404(_("Diesen Import gibt es nicht."))
    return run


# --- upload ---------------------------------------------------------------------------------


class _SizeLimit(FileUploadHandler):
    """Stops reading an upload after ``UPLOAD_LIMIT`` bytes (Django sets no file limit)."""

    too_large = False
    received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # Only noted here (the parser does not catch a StopUpload at this point); the first
        # chunk of the file then stops the upload.
        self.too_large = content_length is not None and content_length > UPLOAD_LIMIT

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.too_large or self.received > UPLOAD_LIMIT:
            self.too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Datei (CSV oder Excel .xlsx)"),
        help_text=gettext_lazy(
            "Eine Zeile je Einrichtung oder Person, mit Spaltenköpfen wie „Einrichtung“, „Ansprechpartner*in“, "
            "„E-Mail“, „Telefon“, „Straße“, „PLZ“. Höchstens 10 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    network = forms.ModelChoiceField(
        label=gettext_lazy("Mitglieder des Netzwerks"),
        queryset=Network.objects.filter(is_active=True).order_by("name"),
        required=False,
        empty_label=gettext_lazy("– kein Netzwerk: nur Einrichtungen und Personen –"),
        help_text=gettext_lazy("Die Einrichtungen und Personen der Liste werden Mitglieder dieses Netzwerks."),
    )


@csrf_exempt
def import_list(request: HttpRequest) -> HttpResponse:
    """The list of imports and the upload form. The size limit must be in place before the
    body is read, so the CSRF check runs inside (Django's documented pattern)."""
    handler = _SizeLimit(request)
    request.upload_handlers.insert(0, handler)
    return _import_list(request, handler=handler)


@csrf_protect
@staff_only
def _import_list(request: HttpRequest, *, handler: _SizeLimit) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if getattr(handler, "too_large", False):
            form = UploadForm(request.POST)
            form.is_valid()
            form.add_error("file", TOO_LARGE)
            status = 413
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                run = services.import_upload(
                    file_name=upload.name,
                    data=upload.read(),
                    network=form.cleaned_data["network"],
                    created_by=request.user,
                )
            except ValidationError as error:
                form.add_error("file", error)
                status = 400
            else:
                return redirect("imports:mapping", pk=run.pk)
        else:
            status = 400
    else:
        form = UploadForm()
    return render(request, "netzwerk/imports/list.html", {"form": form, "runs": import_run_list()}, status=status)


# --- columns --------------------------------------------------------------------------------


class MappingForm(forms.Form):
    """One choice per column of the file, and the type for institutions without one."""

    default_type = forms.ModelChoiceField(
        label=gettext_lazy("Einrichtungsart, wo die Datei keine angibt"),
        queryset=InstitutionType.objects.select_related("category").order_by("category__position", "name"),
        required=False,
        empty_label=gettext_lazy("– keine: Zeilen ohne Art sind Fehler –"),
    )

    def __init__(self, *args, run: ImportRun, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.run = run
        choices = [("", _("– nicht importieren –"))] + [
            (key, label) for key, (label, _spellings) in services.FIELDS.items()
        ]
        for index, header in enumerate(run.headers):
            letter = services.column_letter(index)
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=_("Spalte %(letter)s „%(header)s“") % {"letter": letter, "header": header}
                if header
                else _("Spalte %(letter)s (ohne Kopf)") % {"letter": letter},
                choices=choices,
                required=False,
                initial=run.mapping[index] if index < len(run.mapping) else "",
            )
        self.fields["default_type"].initial = run.default_type_id

    def mapping(self) -> list[str]:
        return [self.cleaned_data.get(f"column_{index}", "") for index in range(len(self.run.headers))]

    def columns(self):
        samples = self.samples()
        return [(self[f"column_{index}"], samples[index]) for index in range(len(self.run.headers))]

    def samples(self) -> list[list[str]]:
        """The first three values of each column, so staff see what a column holds."""
        rows, _merged = services._data_rows(self.run)
        columns: list[list[str]] = [[] for _header in self.run.headers]
        for _line, cells in rows[:3]:
            for index in range(len(self.run.headers)):
                columns[index].append(cells[index] if index < len(cells) else "")
        return columns


@staff_only
def import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_or_404(pk)
    if run.state not in (ImportRun.State.MAPPING, ImportRun.State.PREVIEW):
        return redirect("imports:detail", pk=run.pk)
    status = 200
    if request.method == "POST":
        form = MappingForm(request.POST, run=run)
        if form.is_valid():
            try:
                services.import_mapping_set(
                    run=run, mapping=form.mapping(), default_type=form.cleaned_data["default_type"]
                )
            except ValidationError as error:
                form.add_error(None, error)
                status = 400
            else:
                return redirect("imports:preview", pk=run.pk)
        else:
            status = 400
    else:
        form = MappingForm(run=run)
    return render(request, "netzwerk/imports/mapping.html", {"run": run, "form": form}, status=status)


# --- preview --------------------------------------------------------------------------------


@staff_only
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_or_404(pk)
    if run.state == ImportRun.State.MAPPING:
        return redirect("imports:mapping", pk=run.pk)
    if run.state != ImportRun.State.PREVIEW:
        return redirect("imports:detail", pk=run.pk)
    status = 200
    if request.method == "POST":
        decisions = {
            key.removeprefix("decision_"): value for key, value in request.POST.items() if key.startswith("decision_")
        }
        action = request.POST.get("action", "")
        try:
            with transaction.atomic():
                if decisions:
                    services.import_decide(run=run, decisions={**run.decisions, **decisions})
                if action == "decide":
                    services.import_mapping_set(run=run, mapping=run.mapping, default_type=run.default_type)
                    return redirect(request.get_full_path())
                mode = {"import_all": ImportRun.Mode.ALL, "import_valid": ImportRun.Mode.VALID}.get(action)
                if mode is None:
                    raise ValidationError(_("Bitte eine der Schaltflächen wählen."))
                run = services.import_start(run=run, mode=mode, actor=request.user)
                if services.import_is_large(run):
                    transaction.on_commit(lambda: import_execute_task.delay(run_id=run.pk))
            if not services.import_is_large(run):
                services.import_execute(run_id=run.pk)
            return redirect("imports:detail", pk=run.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            status = 400
            run = _run_or_404(pk)
    shown = request.GET.get("zeige", "")
    rows = [row for row in run.preview if not shown or row["status"] == shown]
    page = Paginator(rows, PREVIEW_PAGE_SIZE).get_page(request.GET.get("seite"))
    context = {
        "run": run,
        "page": page,
        "shown": shown,
        "statuses": [(key, label, run.counts.get(key, 0)) for key, label in services.STATUS_LABELS.items()],
        "decisions": list(services.DECISIONS.items()),
        "may_import_all": not run.counts.get("error"),
        "mapping": [
            (services.column_letter(index), header, services.FIELDS[name][0] if name else "")
            for index, (header, name) in enumerate(zip(run.headers, run.mapping, strict=False))
        ],
    }
    return render(request, "netzwerk/imports/preview.html", context, status=status)


# --- progress and report --------------------------------------------------------------------


def _consent_requests(run: ImportRun) -> dict[str, int]:
    people = run.result.get("people", [])
    counts: dict[str, int] = {}
    rows = Delivery.objects.filter(subject_type=Subject.PERSON, subject_id__in=people, kind=Kind.CONSENT_REQUEST)
    for state in rows.values_list("state", flat=True):
        label = str(Delivery.State(state).label)
        counts[label] = counts.get(label, 0) + 1
    return counts


@staff_only
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_or_404(pk)
    if run.state in (ImportRun.State.MAPPING, ImportRun.State.PREVIEW):
        return redirect("imports:preview" if run.state == ImportRun.State.PREVIEW else "imports:mapping", pk=run.pk)
    if request.method == "POST" and run.state == ImportRun.State.DONE:
        planned = consent_requests_plan(run=run, actor=request.user)
        messages.success(
            request,
            _("Bitte um Einwilligung geplant für %(count)s Personen; sie geht in den nächsten Minuten hinaus.")
            % {"count": planned},
        )
        return redirect("imports:detail", pk=run.pk)
    finished = run.state == ImportRun.State.DONE
    context = {
        "run": run,
        "running": run.state in (ImportRun.State.QUEUED, ImportRun.State.RUNNING),
        "skipped": [row for row in run.preview if row["status"] in ("error", "duplicate")][:500],
        "entries": run.result.get("entries", {}),
        "rows": run.result.get("rows", {}),
        "askable": import_people_without_consent(run).count() if finished else 0,
        "requests": _consent_requests(run) if finished else {},
        "status_url": reverse("imports:status", kwargs={"pk": run.pk}),
    }
    return render(request, "netzwerk/imports/detail.html", context)


@staff_only
def import_status(request: HttpRequest, pk: int) -> JsonResponse:
    """Progress for the page's script: rows done of all, and the state."""
    run = _run_or_404(pk)
    return JsonResponse(
        {"state": run.state, "done": run.rows_done, "total": run.rows_total, "percent": run.percent},
        headers={"Cache-Control": "no-store"},
    )
