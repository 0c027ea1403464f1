"""Reading an owners' roll (业主名册) for an owners' vote, from CSV or XLSX, row by row.

Plain parsing with no database; ``services.owner_roll_import`` applies it, all or nothing. The
file is the one a property office keeps: one row per exclusive unit (专有部分) with the owner's
mobile number and the unit's floor area in m². Under the Supreme People's Court's interpretation
of article 278 of the Civil Code (法释〔2009〕7号, art. 8 and 9), owners are counted one per unit,
but one owner of several units counts once, with their areas added up: so rows with the same
number are one owner.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gongzhi.core.phones import normalize_phone
from gongzhi.core.roster import RosterFileError, RowError, cell_of, find_columns

COLUMNS = {
    "phone": {"手机号", "手机", "电话", "手机号码", "phone", "mobile", "phone number"},
    "area": {"面积", "专有面积", "专有部分面积", "建筑面积", "面积（㎡）", "面积(㎡)", "area"},
    "name": {"姓名", "业主", "业主姓名", "name", "owner"},
    "building": {"楼栋", "楼号", "building"},
    "unit": {"单元房号", "房号", "门牌", "unit", "room"},
}
MAX_AREA = Decimal("100000")


@dataclass
class OwnerRow:
    line: int
    phone: str
    name: str
    area: Decimal


@dataclass
class ParsedRoll:
    owners: dict[str, OwnerRow] = field(default_factory=dict)  # by phone, areas added up
    units: int = 0
    errors: list[RowError] = field(default_factory=list)


def parse_area(raw: str) -> Decimal | None:
    """ "85.5", "85.50㎡", "85.5 m²" → Decimal("85.50"); None if it is not a positive area."""
    text = raw.replace("㎡", "").replace("m²", "").replace("平方米", "").replace(",", "").strip()
    try:
        area = Decimal(text)
    except InvalidOperation:
        return None
    if not area.is_finite() or area <= 0 or area >= MAX_AREA or area != round(area, 2):
        return None
    return area.quantize(Decimal("0.01"))


def owner_roll_header(header_row: list[str]) -> dict[str, int]:
    """Where the roll's columns are; ``RosterFileError`` without a phone and an area column.
    Given to ``read_table`` so that a file without them is refused before it is read on."""
    index = find_columns(header_row, COLUMNS)
    if "phone" not in index or "area" not in index:
        raise RosterFileError(
            _(
                "The first row must name the columns, with ones called 手机号 (phone) and 面积 (area)."
            )
        )
    return index


def parse_owner_roll(table: list[list[str]], max_rows: int) -> ParsedRoll:
    if not table:
        raise RosterFileError(_("The owners' roll is empty."))
    index = owner_roll_header(table[0])
    body = table[1:]
    if len(body) > max_rows:
        raise RosterFileError(
            _("An owners' roll can have at most %(max)d rows; this one has %(count)d.")
            % {"max": max_rows, "count": len(body)}
        )
    roll = ParsedRoll()
    units: dict[tuple[str, str], int] = {}
    for offset, row in enumerate(body):
        line = offset + 2  # the line number a spreadsheet shows
        if not any((c or "").strip() for c in row):
            continue
        raw_phone, raw_area = cell_of(row, index, "phone"), cell_of(row, index, "area")
        try:
            phone = normalize_phone(raw_phone)
        except ValidationError:
            message = _("“%(value)s” is not a valid mobile number.") % {"value": raw_phone}
            roll.errors.append(RowError(line, message))
            continue
        area = parse_area(raw_area)
        if area is None:
            message = _("“%(value)s” is not a floor area in m² (for example 85.50).") % {
                "value": raw_area
            }
            roll.errors.append(RowError(line, message))
            continue
        name = cell_of(row, index, "name")
        unit = (cell_of(row, index, "building"), cell_of(row, index, "unit"))
        if len(name) > 60 or len(unit[0]) > 60 or len(unit[1]) > 30:
            roll.errors.append(RowError(line, _("A name, building or unit is too long.")))
            continue
        if all(unit):
            if unit in units:
                message = _("This unit is already on line %(line)d.") % {"line": units[unit]}
                roll.errors.append(RowError(line, message))
                continue
            units[unit] = line
        roll.units += 1
        owner = roll.owners.get(phone)
        if owner is None:
            roll.owners[phone] = OwnerRow(line, phone, name, area)
        else:
            owner.area += area
    if not roll.owners and not roll.errors:
        raise RosterFileError(_("The owners' roll has a header but no owners."))
    return roll
