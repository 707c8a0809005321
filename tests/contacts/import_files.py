"""Member lists as networks keep them, built in memory: CSV bytes and XLSX workbooks."""

import io

import openpyxl

HEADER = ["Einrichtung", "Ansprechpartner*in", "E-Mail", "Telefon", "Straße", "PLZ"]


def csv_bytes(rows, *, header=HEADER, delimiter=";", encoding="utf-8-sig") -> bytes:
    lines = [delimiter.join(header)] + [delimiter.join(row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows, *, header=HEADER, title: str | None = None, merge: list[str] = ()) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    for cells in merge:
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def member_rows(count: int, *, offset: int = 0) -> list[list[str]]:
    """``count`` distinct rows: an institution with its contact each, two per institution."""
    rows = []
    for number in range(offset, offset + count):
        place = number // 2
        rows.append(
            [
                f"Testeinrichtung Nummer {place}",
                f"Vorname{number} Nachname{number}",
                f"person{number}@example.org",
                f"0241 {100000 + number}",
                f"Musterweg {place % 200 + 1}",
                f"520{62 + place % 30:02d}",
            ]
        )
    return rows
