"""Spreadsheets that community workers open in Excel or WPS.

``table_export`` is the one way a page offers a table for download: CSV (UTF-8 with the byte
order mark, without which Excel and WPS read Chinese as mojibake) or XLSX (openpyxl, one sheet
per table). Text is made formula-safe on the way out; numbers stay numbers, so a worker can sum
a column without converting it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.http import Http404, HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_TITLE_MAX = 31  # Excel's limit on a sheet's name


def spreadsheet_safe(row: Iterable[object]) -> list[str]:
    """Neutralise cells a spreadsheet would run as formulas (CSV injection, OWASP): a resident
    who names themselves ``=HYPERLINK(…)`` must not get code run on the worker's computer."""
    cells = []
    for value in row:
        text = "" if value is None else str(value)
        cells.append("'" + text if text.startswith(FORMULA_STARTS) else text)
    return cells


def safe_cell(value: object) -> object:
    """A number (not a truth value) stays a number, an empty cell stays empty, anything else
    becomes formula-safe text."""
    if value is None:
        return None
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    return spreadsheet_safe([value])[0]


@dataclass(frozen=True)
class Sheet:
    """One table: its title (the XLSX sheet's name), its rows, and how numbers are shown
    (an Excel number format such as ``"0.00"`` for yuan to the fen; None: as they come)."""

    title: str
    rows: Sequence[Sequence[object]]
    number_format: str | None = None


def table_export(*, fmt: str, name: str, sheets: Sequence[Sheet]) -> HttpResponse:
    """The download of ``sheets`` as ``name.csv`` (the first sheet: CSV holds one table) or
    ``name.xlsx`` (every sheet). Any other format is not found."""
    if fmt == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")  # Excel and WPS read UTF-8 Chinese only with the BOM
        writer = csv.writer(buffer)
        for row in sheets[0].rows:
            writer.writerow(["" if cell is None else cell for cell in map(safe_cell, row)])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(_workbook(sheets), content_type=XLSX_TYPE)
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _workbook(sheets: Sequence[Sheet]) -> bytes:
    from openpyxl import Workbook  # loaded only when someone downloads a workbook

    workbook = Workbook()
    for index, table in enumerate(sheets):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        assert sheet is not None
        sheet.title = str(table.title)[:SHEET_TITLE_MAX]
        for row in table.rows:
            sheet.append([safe_cell(cell) for cell in row])
            if table.number_format:
                for cell in sheet[sheet.max_row]:
                    if isinstance(cell.value, int | float | Decimal):
                        cell.number_format = table.number_format
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
