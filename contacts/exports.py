"""Tables for spreadsheets: CSV and XLSX from rows of plain values, safe to open in Excel.

Pure: the caller passes headers and rows it has already read (and projected, where people
are concerned); this module only writes bytes. Every text cell that a spreadsheet would
read as a formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage return first) gets a
leading apostrophe, so a name like ``=HYPERLINK(…)`` typed into a form stays text
(OWASP „CSV Injection“). XLSX is written with tablib (openpyxl underneath).
"""

import csv
import datetime
import io
from collections.abc import Iterable, Sequence

import tablib
from django.http import HttpResponse
from django.utils import timezone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def neutralise(value):
    """A cell value as a spreadsheet may hold it: text never starts a formula; dates local."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, int | float | datetime.date):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _dataset(headers: Sequence[str], rows: Iterable[Sequence], title: str) -> tablib.Dataset:
    data = tablib.Dataset(headers=[str(header) for header in headers], title=title[:31])
    for row in rows:
        data.append([neutralise(value) for value in row])
    return data


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """CSV as German Excel opens it by double-click: UTF-8 with BOM, ``;`` between cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(header) for header in headers])
    for row in rows:
        writer.writerow([_csv_cell(neutralise(value)) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_cell(value) -> str:
    if isinstance(value, datetime.datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def xlsx_bytes(headers: Sequence[str], rows: Iterable[Sequence], *, title: str) -> bytes:
    return _dataset(headers, rows, title).export("xlsx")


def spreadsheet_response(fmt: str, *, headers: Sequence[str], rows: Iterable[Sequence], filename: str) -> HttpResponse:
    """A download of the table as ``fmt`` (``csv`` or ``xlsx``); the caller checked ``fmt``."""
    body = csv_bytes(headers, rows) if fmt == "csv" else xlsx_bytes(headers, rows, title=filename)
    response = HttpResponse(body, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
