"""Reading a resident roster (花名册) from CSV or XLSX, with a row-by-row error report.

Plain parsing with no database: ``services.roster_import`` applies the rows, all or nothing.
Community offices keep rosters in Excel; a CSV saved by Excel on a Chinese Windows is GB18030,
so both encodings are read.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongzhi.core.phones import normalize_phone

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


#: Every CSV or XLSX import reads its file through ``read_table``, within these budgets: a
#: 70 KB workbook can unpack to 600,000 cells, which cost 11.6 s of CPU to read whole. The cells
#: of a file (filled or only formatted) are counted before a spreadsheet library parses one.
MAX_CELLS = 200_000
#: What a workbook's parts may declare they unpack to, all together.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024

_SHEET_PART = re.compile(r"xl/(?:worksheets/[^/]+|sharedStrings)\.xml", re.IGNORECASE)
#: A namespace prefix a part may give SpreadsheetML's elements (``<x:c>`` for ``<c>``).
_PREFIX = re.compile(rb'xmlns:([A-Za-z_][\w.-]*)="[^"]*spreadsheetml[^"]*"')

HeaderCheck = Callable[[list[str]], object]


def _too_many_cells(max_cells: int) -> RosterFileError:
    return RosterFileError(
        _(
            "This file has more than %(max)d cells. Keep only the columns the import needs, "
            "on the first sheet, and upload it again."
        )
        % {"max": max_cells}
    )


def _count_xlsx_cells(archive: zipfile.ZipFile, max_cells: int) -> None:
    """Refuse a workbook whose parts unpack too large or hold more than ``max_cells`` cells.

    Counted in the unpacked stream, which stops at the budget: cells (``<c``) and shared strings
    (``<si``), a few other tags with those first letters included, which only errs on the safe
    side; and every tag, at most ten per cell, so no other element can stand in for them."""
    if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
        raise RosterFileError(
            _("This Excel workbook is too large once unpacked. Keep only the roster, on one sheet.")
        )
    cells = tags = 0
    for info in archive.infolist():
        if not _SHEET_PART.fullmatch(info.filename):
            continue
        with archive.open(info) as part:
            starts = [b"<c", b"<si"]
            carry, first = b"", True
            while chunk := part.read(1 << 20):
                data = carry + chunk
                if first:
                    first = False
                    starts += [
                        b"<%s:%s" % (p, t) for p in _PREFIX.findall(data) for t in (b"c", b"si")
                    ]
                # Every pattern starts with "<": cut before the last one, so none spans two reads.
                cut = data.rfind(b"<", 1)
                cut = len(data) if cut < 0 else cut
                head, carry = data[:cut], data[cut:]
                cells += sum(head.count(start) for start in starts)
                tags += head.count(b"<")
                if cells > max_cells or tags > 10 * max_cells:
                    raise _too_many_cells(max_cells)
            cells += sum(carry.count(start) for start in starts)
            if cells > max_cells:
                raise _too_many_cells(max_cells)


def check_workbook_size(content: bytes, max_cells: int = MAX_CELLS) -> None:
    """Refuse (``RosterFileError``) a .xlsx that is not a zip or would unpack beyond the budgets,
    before any spreadsheet library parses it: every workbook import calls this first."""
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise RosterFileError(_("This file is not a valid Excel (.xlsx) workbook."))
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            _count_xlsx_cells(archive, max_cells)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise RosterFileError(_("This Excel workbook could not be opened.")) from exc


def _xlsx_rows(content: bytes, max_cells: int) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    check_workbook_size(content, max_cells)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        # The declared dimensions are not trusted: "A1:XFD1048576" would pad every row.
        sheet.reset_dimensions()  # type: ignore[union-attr]
        rows = sheet.iter_rows(values_only=True)
    except RosterFileError:
        raise
    except Exception as exc:  # zipfile and openpyxl raise many kinds for a damaged file
        raise RosterFileError(_("This Excel workbook could not be opened.")) from exc
    try:
        for row in rows:
            yield ["" if cell is None else _cell_text(cell) for cell in row]
    except RosterFileError:
        raise
    except Exception as exc:
        raise RosterFileError(_("This Excel workbook could not be opened.")) from exc
    finally:
        workbook.close()


def _csv_rows(content: bytes) -> Iterator[list[str]]:
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
        yield from csv.reader(io.StringIO(text))
    except csv.Error as exc:  # e.g. a cell longer than the csv module's field limit
        raise RosterFileError(
            _("This CSV file could not be read: %(error)s") % {"error": exc}
        ) from exc


def read_table(
    filename: str,
    content: bytes,
    max_rows: int = 100_000,
    *,
    max_cells: int = MAX_CELLS,
    header: HeaderCheck | None = None,
) -> list[list[str]]:
    """The rows of a CSV or XLSX file (the first sheet), as text, for every import.

    Rows are streamed within a budget: at most ``max_rows`` + 2 rows are read (one past the
    header and the limit, so the caller can tell a file that is too long) and at most
    ``max_cells`` cells, else ``RosterFileError``. ``header``, given the first row, raises
    ``RosterFileError`` when it does not name the columns needed: then nothing else is read."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        rows = _xlsx_rows(content, max_cells)
    elif name.endswith(".csv"):
        rows = _csv_rows(content)
    else:
        raise RosterFileError(_("Upload a roster as a .csv or .xlsx file."))
    table: list[list[str]] = []
    cells = 0
    try:
        for row in rows:
            if not table and header is not None:
                header(row)
            cells += len(row)
            if cells > max_cells:
                raise _too_many_cells(max_cells)
            table.append(row)
            if len(table) >= max_rows + 2:
                break
    finally:
        if isinstance(rows, Generator):
            rows.close()
    return table


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


def roster_header(header_row: list[str]) -> dict[str, int]:
    """Where the roster's columns are; ``RosterFileError`` without a phone column."""
    index = find_columns(header_row, COLUMNS)
    if "phone" not in index:
        raise RosterFileError(
            _("The first row must name the columns, with one called 手机号 (phone).")
        )
    return index


def parse_roster(table: list[list[str]], max_rows: int) -> ParsedRoster:
    if not table:
        raise RosterFileError(_("The roster is empty."))
    index = roster_header(table[0])
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
