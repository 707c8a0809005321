"""Reading the tables people keep: CSV as Excel writes it, and XLSX.

Shared by the street-index import and the import of member lists. Excel's CSV comes as
„CSV UTF-8“ (with a byte order mark) or, from an older Excel on Windows, as Windows-1252;
the delimiter is ";" in a German Excel and "," elsewhere. An XLSX has merged cells, title
rows above the header and empty rows between blocks. Everything here is pure: bytes in,
rows of text out, and every problem as a :class:`TableError` with its line.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import re
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from contacts.textsearch import fold

# A member list of 5,000 rows is far below 1 MB as CSV and about 300 kB as XLSX.
TABLE_MAX_BYTES = 10 * 1024 * 1024
# An XLSX is a zip: its sheets may unpack to many times the file's size (a "zip bomb").
XLSX_MAX_UNPACKED_BYTES = 200 * 1024 * 1024
TABLE_MAX_ROWS = 20_000
TABLE_MAX_COLUMNS = 60


class TableError(Exception):
    """The file cannot be read as a table: the message says why, at ``line`` (1-based)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def header_key(cell: str) -> str:
    """A header cell as it is compared: folded (case, umlauts, ß), letters and digits only.

    „E-Mail“, „e-mail“ and „EMAIL“ all become "email"; „Straße“ and „Strasse“ "strase".
    """
    return "".join(ch for ch in (fold(str(cell).strip()) or "") if ch.isalnum())


def text_decode(data: bytes, *, legacy: bool) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was read in.

    UTF-8, with or without a byte order mark, always. With ``legacy`` a file that is not
    UTF-8 is read as Windows-1252 (what Excel on Windows writes as „CSV“; a superset of
    Latin-1 for letters); without it, that is a ``TableError`` at the first broken line.
    """
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as error:
        if not legacy:
            line = data[: error.start].count(b"\n") + 1
            raise TableError(
                line,
                _(
                    "Die Datei ist nicht UTF-8-kodiert. Bitte in Excel „Speichern unter“ → "
                    "„CSV UTF-8 (durch Trennzeichen getrennt)“ wählen."
                ),
            ) from None
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def delimiter_guess(header_line: str, candidates: tuple[str, ...] = (";", ",")) -> str | None:
    """ ";" (German Excel) if the header has one, else the next of ``candidates``, else ``None``."""
    for delimiter in candidates:
        if delimiter in header_line:
            return delimiter
    return None


@dataclass
class Table:
    """The rows of a file as text, each with the line (CSV) or row number (XLSX) people see."""

    rows: list[tuple[int, list[str]]]
    file_format: str
    encoding: str = ""
    delimiter: str = ""
    # Merged ranges in the data, as Excel names them ("A5:A6"), and where each was resolved.
    merged: list[str] = field(default_factory=list)
    # Rows (line numbers) whose cells were merged across columns: their values are unclear.
    merged_across: dict[int, str] = field(default_factory=dict)


def looks_like_xlsx(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def table_read(data: bytes) -> Table:
    """Read a CSV or XLSX file (by its content, not its name) into rows of text.

    Raises ``TableError`` with a German message for anything that is no such table: an
    empty file, a binary file of another kind (a PDF, a Word document, an old .xls), a
    broken XLSX, more than ``TABLE_MAX_ROWS`` rows.
    """
    if not data.strip():
        raise TableError(1, _("Die Datei ist leer."))
    if looks_like_xlsx(data):
        return _xlsx_read(data)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise TableError(
            1,
            _(
                "Das ist eine Excel-Datei im alten Format (.xls). Bitte in Excel „Speichern unter“ → "
                "„Excel-Arbeitsmappe (.xlsx)“ oder „CSV UTF-8“ wählen."
            ),
        )
    if b"\x00" in data[:4096] or data[:5] == b"%PDF-":
        raise TableError(
            1, _("Die Datei ist weder eine CSV- noch eine Excel-Datei (.xlsx). Bitte eine dieser Dateien wählen.")
        )
    return _csv_read(data)


def _csv_read(data: bytes) -> Table:
    text, encoding = text_decode(data, legacy=True)
    lines = text.splitlines()
    header_line = next((line for line in lines if line.strip()), "")
    delimiter = delimiter_guess(header_line, (";", ",", "\t")) or ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            if len(rows) >= TABLE_MAX_ROWS:
                raise TableError(
                    reader.line_num, _("Die Datei hat mehr als %(count)s Zeilen.") % {"count": TABLE_MAX_ROWS}
                )
            rows.append((reader.line_num, [cell.strip() for cell in cells[:TABLE_MAX_COLUMNS]]))
    except csv.Error as error:
        raise TableError(
            reader.line_num, _("Die Zeile ist kein gültiges CSV (%(error)s).") % {"error": error}
        ) from None
    return Table(rows=rows, file_format="csv", encoding=encoding, delimiter=delimiter)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if isinstance(value, float) and value.is_integer():
        # A postal code or house number typed as a number: 52062.0 is "52062".
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return " ".join(str(value).split()) if "\n" not in str(value) else str(value).strip()


MERGE_CELL = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')


def _xlsx_read(data: bytes) -> Table:
    import openpyxl
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > XLSX_MAX_UNPACKED_BYTES:
                raise TableError(1, _("Die Excel-Datei ist entpackt zu groß."))
            # Read-only mode reads twice as fast but knows no merged cells: those come from
            # the sheet's XML (<mergeCells>), which is all there is to know about them.
            workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=True)
            sheet = workbook.worksheets[0]
            merged_refs = MERGE_CELL.findall(archive.read(sheet._worksheet_path.lstrip("/")))
            grid = [
                [_cell_text(value) for value in row[:TABLE_MAX_COLUMNS]]
                for row in itertools.islice(sheet.iter_rows(values_only=True), TABLE_MAX_ROWS + 1)
            ]
            workbook.close()
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        raise TableError(
            1,
            _(
                "Die Datei ist keine lesbare Excel-Datei (.xlsx). Bitte in Excel neu speichern "
                "oder als CSV UTF-8 exportieren."
            ),
        ) from None
    if len(grid) > TABLE_MAX_ROWS:
        raise TableError(TABLE_MAX_ROWS + 1, _("Die Datei hat mehr als %(count)s Zeilen.") % {"count": TABLE_MAX_ROWS})
    width = max((len(row) for row in grid), default=0)
    grid = [row + [""] * (width - len(row)) for row in grid]
    table = Table(rows=[], file_format="xlsx")
    # A merged range shows its value once, in its top-left cell. Merged down a column (one
    # institution over the rows of its two contacts) the value holds for every row; merged
    # across columns it is unclear which field it belongs to, and the row says so.
    for ref in merged_refs:
        coord = ref.decode()
        left, top, right, bottom = range_boundaries(coord)
        if left > width or top > len(grid):
            continue
        bottom = min(bottom, len(grid))
        value = grid[top - 1][left - 1]
        if right > left:
            for row in range(top, bottom + 1):
                table.merged_across[row] = coord
        else:
            for row in range(top + 1, bottom + 1):
                grid[row - 1][left - 1] = value
        table.merged.append(coord)
    table.rows = [(number, cells) for number, cells in enumerate(grid, start=1)]
    return table
