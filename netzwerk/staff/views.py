"""Sozialplanung's pages: the network overview, the city-wide calendar, the delivery-log
dashboard and the yearly report (page, print, PDF, CSV and XLSX). Thin: each reads one
selector of this package and renders it."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from contacts.selectors import area_tree
from meetings.recurrence import month_names
from netzwerk import charts
from netzwerk.staff.access import sozialplanung_only
from netzwerk.staff.calendar import city_month
from netzwerk.staff.deliveries import delivery_dashboard
from netzwerk.staff.forms import CalendarFilterForm, OverviewFilterForm
from netzwerk.staff.overview import SORT_KEYS, area_choices, areas_around, network_overview
from netzwerk.staff.report import report_charts, report_years, yearly_report
from netzwerk.staff.tables import Table, overview_table, report_tables, tables_csv, tables_xlsx

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def _download(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _bad_request(request: HttpRequest, form) -> HttpResponse:
    message = " ".join(str(error) for errors in form.errors.values() for error in errors)
    return render(request, "netzwerk/error.html", {"status": 400, "message": message}, status=400)


@require_safe
@sozialplanung_only
def overview(request: HttpRequest) -> HttpResponse:
    """„Netzwerke im Überblick“; ``?format=csv`` or ``xlsx`` downloads the table."""
    tree = area_tree()
    form = OverviewFilterForm(request.GET, area_choices=area_choices(tree))
    download = request.GET.get("format", "")
    if not form.is_valid() or download not in ("", "csv", "xlsx"):
        if download not in ("", "csv", "xlsx"):
            form.add_error(None, _("Bitte wählen Sie als Format csv oder xlsx."))
        return _bad_request(request, form)
    values = form.cleaned_data
    area_id = values["gebiet"]
    if area_id is not None and area_id not in tree.by_id:
        form.add_error("gebiet", _("Dieses Gebiet gibt es nicht."))
        return _bad_request(request, form)
    sort = values["sortierung"] or "art"
    rows = network_overview(
        kind=values["art"] or None, area_ids=areas_around(tree, area_id) if area_id else None, sort=sort
    )
    table = overview_table(rows)
    if download == "csv":
        return _download(tables_csv(table), content_type=CSV_TYPE, filename="netzwerke-ueberblick.csv")
    if download == "xlsx":
        return _download(tables_xlsx([table]), content_type=XLSX_TYPE, filename="netzwerke-ueberblick.xlsx")
    filters = {key: value for key, value in request.GET.items() if key in ("art", "gebiet") and value}
    sort_links = {}
    for key in SORT_KEYS:
        following = f"-{key}" if sort == key else key
        sort_links[key] = "?" + urlencode({**filters, "sortierung": following})
    context = {
        "form": form,
        "rows": rows,
        "sort": sort,
        "sort_links": sort_links,
        "download_query": urlencode({**filters, "sortierung": sort}),
        "today": timezone.localdate(),
    }
    return render(request, "netzwerk/staff/overview.html", context)


CALENDAR_LINK_MONTHS = 24


@require_safe
@sozialplanung_only
def calendar(request: HttpRequest) -> HttpResponse:
    """Every network's meetings in a month (grid or list) with the conflict hints."""
    form = CalendarFilterForm(request.GET)
    if not form.is_valid():
        return _bad_request(request, form)
    year, number = form.cleaned_data["monat"]
    view = form.cleaned_data["ansicht"] or "monat"
    kind = form.cleaned_data["art"]
    month = city_month(year=year, month=number, kind=kind or None)
    previous = datetime.date(year, number, 1) - datetime.timedelta(days=1)
    following = datetime.date(year, number, 28) + datetime.timedelta(days=7)
    today = timezone.localdate()
    offset = (year - today.year) * 12 + number - today.month
    keep = {"ansicht": view, **({"art": kind} if kind else {})}

    def link(day: datetime.date) -> str:
        return "?" + urlencode({"monat": f"{day.year:04d}-{day.month:02d}", **keep})

    context = {
        "form": form,
        "month": month,
        "view": view,
        "kind": kind,
        "month_label": f"{month_names()[number - 1]} {year}",
        "month_value": f"{year:04d}-{number:02d}",
        "previous": link(previous) if offset > -CALENDAR_LINK_MONTHS else None,
        "following": link(following) if offset < CALENDAR_LINK_MONTHS else None,
        "today": today,
        "other_view": "?"
        + urlencode(
            {
                "monat": f"{year:04d}-{number:02d}",
                "ansicht": "liste" if view == "monat" else "monat",
                **({"art": kind} if kind else {}),
            }
        ),
    }
    return render(request, "netzwerk/staff/calendar.html", context)


@require_safe
@sozialplanung_only
def deliveries(request: HttpRequest) -> HttpResponse:
    """What the delivery log sent per kind and week, what failed and why, what is due."""
    if request.GET:
        return render(
            request,
            "netzwerk/error.html",
            {"status": 400, "message": _("Diese Seite kennt keine Parameter.")},
            status=400,
        )
    dashboard = delivery_dashboard()
    week_labels = [monday.strftime("%d.%m.") for monday in dashboard.weeks]
    chart = charts.line_chart(
        title=_("Gesendete und fehlgeschlagene Mails je Woche"),
        description=_("Anzahl der Mails je Kalenderwoche (ab Montag) in den letzten %(weeks)s Wochen.")
        % {"weeks": len(dashboard.weeks)},
        category_label=_("Woche ab"),
        categories=week_labels,
        series=[(_("gesendet"), dashboard.sent_per_week), (_("fehlgeschlagen"), dashboard.failed_per_week)],
        width=560,
    )
    context = {"dashboard": dashboard, "week_labels": week_labels, "chart": chart}
    return render(request, "netzwerk/staff/deliveries.html", context)


def _year_or_404(year: int) -> int:
    if not 2000 <= year <= timezone.localdate().year:
        raise Http404(_("Für dieses Jahr gibt es keinen Jahresbericht."))
    return year


@require_safe
@sozialplanung_only
def report_latest(request: HttpRequest) -> HttpResponse:
    """The report of the current year (the page offers the earlier ones)."""
    return redirect("staff:report", year=timezone.localdate().year)


def _report_context(year: int) -> dict:
    report = yearly_report(year=year)
    tables = report_tables(report)
    return {
        "report": report,
        "charts": report_charts(report),
        "tables": {table.key.replace("-", "_"): table for table in tables},
        "years": report_years(),
    }


@require_safe
@sozialplanung_only
def report(request: HttpRequest, year: int) -> HttpResponse:
    """„Jahresbericht Netzwerke <Jahr>“: charts and tables, printable (``staff.css``)."""
    if request.GET:
        return render(
            request,
            "netzwerk/error.html",
            {"status": 400, "message": _("Diese Seite kennt keine Parameter.")},
            status=400,
        )
    return render(request, "netzwerk/staff/report.html", _report_context(_year_or_404(year)))


def _table_or_404(tables: list[Table], key: str) -> Table:
    for table in tables:
        if table.key == key:
            return table
    raise Http404(_("Diese Tabelle gibt es im Jahresbericht nicht."))


@require_safe
@sozialplanung_only
def report_csv(request: HttpRequest, year: int, table: str) -> HttpResponse:
    """One table of the report as CSV."""
    found = _table_or_404(report_tables(yearly_report(year=_year_or_404(year))), table)
    return _download(tables_csv(found), content_type=CSV_TYPE, filename=f"jahresbericht-{year}-{found.key}.csv")


@require_safe
@sozialplanung_only
def report_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    """Every table of the report as one XLSX workbook, a sheet per table."""
    tables = report_tables(yearly_report(year=_year_or_404(year)))
    return _download(tables_xlsx(tables), content_type=XLSX_TYPE, filename=f"jahresbericht-{year}.xlsx")


@require_safe
@sozialplanung_only
def report_pdf(request: HttpRequest, year: int) -> HttpResponse:
    """The report as PDF (WeasyPrint), from the same body as the page, with its print styles."""
    from weasyprint import CSS, HTML

    html = render_to_string("netzwerk/staff/report_document.html", _report_context(_year_or_404(year)), request)
    stylesheets = [CSS(filename=finders.find(name)) for name in ("netzwerk/site.css", "netzwerk/staff.css")]
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(stylesheets=stylesheets)
    return _download(pdf, content_type="application/pdf", filename=f"jahresbericht-netzwerke-{year}.pdf")
