"""Spreadsheets that community workers open in Excel or WPS."""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(row: Iterable[object]) -> list[str]:
    """Neutralise cells a spreadsheet would run as formulas (CSV injection, OWASP): a resident
    who names themselves ``=HYPERLINK(…)`` must not get code run on the worker's computer."""
    cells = []
    for value in row:
        text = "" if value is None else str(value)
        cells.append("'" + text if text.startswith(FORMULA_STARTS) else text)
    return cells
