"""Reading the SEP tables: CSV or XLSX rows into checked values, with every problem named
by its line and column. Nothing here writes; ``services.indicator_values_import`` does.

The expected columns (the header names are matched loosely: case, spaces, umlauts and
punctuation do not matter):

``Gebiet`` (or ``Lebensraum``) — the code of the area (362); ``Kennzahl`` — the indicator's
short name or name; ``Jahr``; ``Wert`` (4,3 or 4.3); optionally ``Bezugsgröße`` (or
``Einwohner``), ``Ebene`` (Lebensraum by default; Sozialraum, Stadtbezirk, or Stadt for the
whole city), ``Kennzeichnung`` (belegt, geschätzt, fiktiv; belegt by default) and ``Hinweis``.
"""

from __future__ import annotations

import csv
import decimal
import io
from dataclasses import dataclass, field

import tablib
from django.utils.translation import gettext as _

from contacts.models import Area
from contacts.textsearch import fold
from indicators.models import YEAR_MAX, YEAR_MIN, Indicator, IndicatorValue

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
EXPECTED_HEADER = "Gebiet;Kennzahl;Jahr;Wert;Bezugsgröße"

COLUMNS = {
    "area": {"gebiet", "lebensraum", "code", "gebietsnummer", "lebensraumnummer", "lr", "nummer"},
    "indicator": {"kennzahl", "indikator", "merkmal"},
    "year": {"jahr", "stichjahr"},
    "value": {"wert", "value"},
    "population": {"bezugsgrosse", "einwohner", "einwohnerinnen", "bevolkerung", "population", "basis"},
    "level": {"ebene"},
    "status": {"kennzeichnung", "status"},
    "note": {"hinweis", "bemerkung", "quelle"},
}
REQUIRED = {"area": "Gebiet", "indicator": "Kennzahl", "year": "Jahr", "value": "Wert"}
LEVELS = {
    "": "lebensraum",
    "lebensraum": "lebensraum",
    "sozialraum": "sozialraum",
    "stadtbezirk": "stadtbezirk",
    "bezirk": "stadtbezirk",
    "stadt": "stadt",
    "gesamtstadt": "stadt",
}
STATUSES = {
    "": IndicatorValue.Status.OFFICIAL,
    "belegt": IndicatorValue.Status.OFFICIAL,
    "geschatzt": IndicatorValue.Status.ESTIMATED,
    "fiktiv": IndicatorValue.Status.INVENTED,
}


def header_key(text: str) -> str:
    """A header cell folded to letters and digits: „Bezugsgröße“ → „bezugsgrosse“."""
    return "".join(character for character in fold(str(text).replace("ß", "ss")) if character.isalnum())


# The spellings above as the header cells are compared (fold also merges doubled letters).
COLUMNS = {column: {header_key(spelling) for spelling in spellings} for column, spellings in COLUMNS.items()}
LEVELS = {header_key(spelling): level for spelling, level in LEVELS.items()}
STATUSES = {header_key(spelling): status for spelling, status in STATUSES.items()}


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.column:
            return _("Zeile %(line)s, Spalte „%(column)s“: %(message)s") % {
                "line": self.line,
                "column": self.column,
                "message": self.message,
            }
        return _("Zeile %(line)s: %(message)s") % {"line": self.line, "message": self.message}


@dataclass(frozen=True)
class Row:
    """One checked row: what to store."""

    line: int
    indicator: Indicator
    area: Area | None
    year: int
    value: decimal.Decimal
    population: int | None
    status: str
    note: str

    @property
    def key(self) -> tuple:
        return (self.indicator.pk, self.area.pk if self.area else None, self.year)


@dataclass
class Table:
    """What a file held: its checked rows and its problems."""

    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows_read: int = 0


def _cells_read(data: bytes, filename: str, table: Table) -> tuple[list[str], list[tuple[int, list[str]]]] | None:
    """The header and the non-empty rows (with their line numbers) of a CSV or XLSX file."""
    if filename.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        try:
            book = tablib.Dataset().load(io.BytesIO(data), format="xlsx", headers=False)
        except Exception:  # noqa: BLE001 - openpyxl raises many kinds on a broken file
            table.problems.append(Problem(1, "", _("Die Datei ist keine lesbare Excel-Datei (XLSX).")))
            return None
        lines = [
            (number, ["" if cell is None else _cell_text(cell) for cell in row])
            for number, row in enumerate(book, start=1)
        ]
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            message = _(
                "Die Datei ist nicht UTF-8-kodiert. Bitte in Excel „Speichern unter“ → "
                "„CSV UTF-8 (durch Trennzeichen getrennt)“ wählen."
            )
            table.problems.append(Problem(line, "", message))
            return None
        first = next((line for line in text.splitlines() if line.strip()), "")
        delimiter = ";" if ";" in first else ("\t" if "\t" in first else ",")
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        lines = []
        try:
            for cells in reader:
                lines.append((reader.line_num, cells))
        except csv.Error as error:
            table.problems.append(
                Problem(reader.line_num, "", _("Die Zeile ist kein gültiges CSV (%(error)s).") % {"error": error})
            )
            return None
    lines = [(number, cells) for number, cells in lines if any(str(cell).strip() for cell in cells)]
    if not lines:
        table.problems.append(Problem(1, "", _("Die Datei ist leer.")))
        return None
    (_number, header), *rows = lines
    return header, rows


def _cell_text(cell) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def _decimal(text: str) -> decimal.Decimal | None:
    text = text.strip().replace("\u00a0", "").replace(" ", "").removesuffix("%")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        number = decimal.Decimal(text)
    except decimal.InvalidOperation:
        return None
    return number if number.is_finite() else None


def table_read(*, data: bytes, filename: str = "") -> Table:
    """Read and check a file of indicator values. Every problem is collected (not only the
    first), each with its line and column, so one round of corrections suffices."""
    table = Table()
    if len(data) > MAX_BYTES:
        table.problems.append(Problem(1, "", _("Die Datei ist größer als 5 MB.")))
        return table
    read = _cells_read(data, filename, table)
    if read is None:
        return table
    header, rows = read
    columns: dict[str, int] = {}
    for position, cell in enumerate(header):
        key = header_key(cell)
        for column, spellings in COLUMNS.items():
            if key in spellings and column not in columns:
                columns[column] = position
    missing = [label for column, label in REQUIRED.items() if column not in columns]
    if missing:
        table.problems.append(
            Problem(
                1,
                "",
                _(
                    "In der Kopfzeile fehlt die Spalte %(missing)s (gefunden: %(found)s). "
                    "Erwartet wird zum Beispiel: %(header)s"
                )
                % {
                    "missing": " und ".join(f"„{label}“" for label in missing),
                    "found": ", ".join(f"„{str(cell).strip()}“" for cell in header) or "–",
                    "header": EXPECTED_HEADER,
                },
            )
        )
        return table
    if len(rows) > MAX_ROWS:
        table.problems.append(Problem(1, "", _("Die Datei hat mehr als %(max)s Zeilen.") % {"max": MAX_ROWS}))
        return table
    names = {column: str(header[position]).strip() for column, position in columns.items()}
    indicators = {}
    for indicator in Indicator.objects.all():
        indicators[fold(indicator.slug)] = indicator
        indicators[fold(indicator.name)] = indicator
    areas: dict[tuple[str, str], Area] = {}
    for area in Area.objects.all():
        if area.code:
            areas[(area.level, area.code.strip())] = area
        areas.setdefault((area.level, fold(area.name)), area)
    seen: dict[tuple, int] = {}
    for line, cells in rows:
        table.rows_read += 1

        def cell(column: str, cells=cells) -> str:
            position = columns.get(column)
            return str(cells[position]).strip() if position is not None and position < len(cells) else ""

        problems: list[Problem] = []

        def problem(column: str, message: str, line=line, problems=problems) -> None:
            problems.append(Problem(line, names.get(column, ""), message))

        indicator = indicators.get(fold(cell("indicator")))
        if indicator is None:
            problem("indicator", _("Unbekannte Kennzahl „%(name)s“.") % {"name": cell("indicator")[:60]})
        level = LEVELS.get(header_key(cell("level")))
        area = None
        if level is None:
            problem("level", _("Unbekannte Ebene; möglich: Lebensraum, Sozialraum, Stadtbezirk, Stadt."))
        elif level != "stadt":
            code = cell("area")
            area = areas.get((level, code)) or areas.get((level, fold(code)))
            if area is None:
                problem(
                    "area",
                    _("Kein %(level)s „%(code)s“ bekannt.") % {"level": Area.Level(level).label, "code": code[:40]},
                )
        year_text = cell("year")
        year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else None
        if year is None or not YEAR_MIN <= year <= YEAR_MAX:
            problem(
                "year", _("Das Jahr muss zwischen %(min)s und %(max)s liegen.") % {"min": YEAR_MIN, "max": YEAR_MAX}
            )
            year = None
        value = _decimal(cell("value"))
        if value is None:
            problem("value", _("„%(text)s“ ist keine Zahl.") % {"text": cell("value")[:40]})
        elif abs(value) >= 10**9:
            problem("value", _("Die Zahl ist zu groß."))
            value = None
        population_text = cell("population")
        population = None
        if population_text:
            population_number = _decimal(population_text)
            if population_number is None or population_number < 0 or population_number != int(population_number):
                problem("population", _("Die Bezugsgröße muss eine ganze Zahl ab 0 sein."))
            elif population_number > 2**31 - 1:
                problem("population", _("Die Zahl ist zu groß."))
            else:
                population = int(population_number)
        status = STATUSES.get(header_key(cell("status")))
        if status is None:
            problem("status", _("Unbekannte Kennzeichnung; möglich: belegt, geschätzt, fiktiv."))
        note = cell("note")
        if len(note) > 300:
            problem("note", _("Der Hinweis ist länger als 300 Zeichen."))
        if not problems:
            row = Row(line, indicator, area, year, value.quantize(decimal.Decimal("0.001")), population, status, note)
            if row.key in seen:
                problem(
                    "",
                    _("Derselbe Wert (Gebiet, Kennzahl, Jahr) steht schon in Zeile %(line)s.")
                    % {"line": seen[row.key]},
                )
            else:
                seen[row.key] = line
                table.rows.append(row)
        table.problems.extend(problems)
    if table.rows_read == 0 and not table.problems:
        table.problems.append(Problem(2, "", _("Die Datei enthält keine Werte, nur die Kopfzeile.")))
    return table
