"""Reading a resident roster (花名册) from CSV or XLSX, with a row-by-row error report.

Plain parsing with no database: ``services.roster_import`` applies the rows, all or nothing.
Community offices keep rosters in Excel; a CSV saved by Excel on a Chinese Windows is GB18030,
so both encodings are read.
"""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongzhi.accounts.phones import normalize_phone

#: Accepted header spellings, Chinese and English, for each column.
COLUMNS = {
    "phone": {"手机号", "手机", "电话", "手机号码", "phone", "mobile", "phone number"},
    "name": {"姓名", "名字", "name"},
    "building": {"楼栋", "楼号", "building"},
    "unit": {"单元房号", "房号", "门牌", "unit", "room"},
}


@dataclass
class RosterRow:
    line: int
    phone: str
    name: str
    building: str
    unit: str


@dataclass
class RowError:
    line: int
    message: str


@dataclass
class ParsedRoster:
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def rejected_message(count: int) -> str:
    """What the page says when a file had bad rows and nothing was imported."""
    return ngettext(
        "Nothing was imported: %(count)d row needs correcting. "
        "Fix it and upload the whole file again.",
        "Nothing was imported: %(count)d rows need correcting. "
        "Fix them and upload the whole file again.",
        count,
    ) % {"count": count}


class RosterFileError(Exception):
    """The file as a whole cannot be read (wrong type, too large, no phone column)."""


def read_table(filename: str, content: bytes, max_rows: int = 100_000) -> list[list[str]]:
    name = filename.lower()
    if name.endswith(".xlsx"):
        if not zipfile.is_zipfile(io.BytesIO(content)):
            raise RosterFileError(_("This file is not a valid Excel (.xlsx) workbook."))
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise RosterFileError(_("This Excel workbook could not be opened.")) from exc
        sheet = workbook.worksheets[0]
        rows = []
        # Stop one row past the limit: a huge sheet is refused without being read whole.
        for row in sheet.iter_rows(values_only=True, max_row=max_rows + 2):
            rows.append(["" if cell is None else _cell_text(cell) for cell in row])
        return rows
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise RosterFileError(_("This CSV file is not encoded in UTF-8 or GB18030."))
        if "\x00" in text:
            raise RosterFileError(_("This CSV file is not encoded in UTF-8 or GB18030."))
        try:
            return list(itertools.islice(csv.reader(io.StringIO(text)), max_rows + 2))
        except csv.Error as exc:  # e.g. a cell longer than the csv module's field limit
            raise RosterFileError(
                _("This CSV file could not be read: %(error)s") % {"error": exc}
            ) from exc
    raise RosterFileError(_("Upload a roster as a .csv or .xlsx file."))


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone number typed into Excel becomes 13800138000.0
    return str(value).strip()


def find_columns(header_row: list[str], columns: dict[str, set[str]]) -> dict[str, int]:
    """Where each known column is in a header row, whichever accepted spelling it uses."""
    header = [value.strip().lower() for value in header_row]
    index: dict[str, int] = {}
    for column, spellings in columns.items():
        for position, name in enumerate(header):
            if name in spellings:
                index[column] = position
                break
    return index


def cell_of(row: list[str], index: dict[str, int], column: str) -> str:
    position = index.get(column)
    if position is None or position >= len(row):
        return ""
    return (row[position] or "").strip()


def parse_roster(table: list[list[str]], max_rows: int) -> ParsedRoster:
    if not table:
        raise RosterFileError(_("The roster is empty."))
    index = find_columns(table[0], COLUMNS)
    if "phone" not in index:
        raise RosterFileError(
            _("The first row must name the columns, with one called 手机号 (phone).")
        )
    body = table[1:]
    if len(body) > max_rows:
        raise RosterFileError(
            _("A roster can have at most %(max)d rows; this one has %(count)d.")
            % {"max": max_rows, "count": len(body)}
        )
    result = ParsedRoster()
    seen: dict[str, int] = {}
    for offset, row in enumerate(body):
        line = offset + 2  # 1-based, after the header: the line number a spreadsheet shows

        def cell(column: str, row: list[str] = row) -> str:
            return cell_of(row, index, column)

        if not any((c or "").strip() for c in row):
            continue
        raw_phone = cell("phone")
        try:
            phone = normalize_phone(raw_phone)
        except ValidationError:
            result.errors.append(
                RowError(
                    line, _("“%(value)s” is not a valid mobile number.") % {"value": raw_phone}
                )
            )
            continue
        if phone in seen:
            result.errors.append(
                RowError(
                    line,
                    _("This phone number is already on line %(line)d.") % {"line": seen[phone]},
                )
            )
            continue
        seen[phone] = line
        building, unit = cell("building"), cell("unit")
        if bool(building) != bool(unit):
            result.errors.append(
                RowError(line, _("Give both the building and the unit, or neither."))
            )
            continue
        if len(cell("name")) > 60 or len(building) > 60 or len(unit) > 30:
            result.errors.append(RowError(line, _("A name, building or unit is too long.")))
            continue
        result.rows.append(RosterRow(line, phone, cell("name"), building, unit))
    if not result.rows and not result.errors:
        raise RosterFileError(_("The roster has a header but no residents."))
    return result
