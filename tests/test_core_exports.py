"""core/exports.table_export: the one CSV/XLSX download every page uses."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.http import Http404
from openpyxl import load_workbook

from gongzhi.core.exports import Sheet, safe_cell, table_export

ROWS = [
    ["名称", "金额"],
    ['=HYPERLINK("http://evil")', Decimal("12.50")],
    ["-3", -3],
    ["@SUM(A1)", 2.5],
    [None, 7],
]


def test_safe_cell_keeps_numbers_and_neutralises_formulas():
    assert safe_cell(Decimal("1.10")) == Decimal("1.10")
    assert safe_cell(-3) == -3 and safe_cell(2.5) == 2.5
    assert safe_cell(True) == "True"  # a truth value is not an amount
    assert safe_cell(None) is None
    assert safe_cell("=1+1") == "'=1+1" and safe_cell("+1") == "'+1"
    assert safe_cell("'=1") == "'=1"  # already safe stays as it was
    assert safe_cell("居民") == "居民"


def test_csv_has_the_bom_safe_text_and_plain_numbers():
    response = table_export(fmt="csv", name="t-1", sheets=[Sheet("一", ROWS), Sheet("二", [])])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="t-1.csv"'
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff名称")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows == [
        ["名称", "金额"],
        ['\'=HYPERLINK("http://evil")', "12.50"],
        ["'-3", "-3"],
        ["'@SUM(A1)", "2.5"],
        ["", "7"],
    ]


def test_xlsx_has_every_sheet_numbers_as_numbers_and_the_format():
    response = table_export(
        fmt="xlsx",
        name="t",
        sheets=[Sheet("第一张表" * 10, ROWS, "0.00"), Sheet("按月", [["月", "件"], ["1月", 3]])],
    )
    assert response["Content-Disposition"] == 'attachment; filename="t.xlsx"'
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    first, second = book.worksheets
    assert first.title == ("第一张表" * 10)[:31]
    assert second.title == "按月"
    assert first["A2"].value == '\'=HYPERLINK("http://evil")'
    assert first["B2"].value == 12.5 and first["B2"].number_format == "0.00"
    assert first["B3"].value == -3 and first["A3"].value == "'-3"
    assert first["A5"].value is None and first["A1"].number_format == "General"
    assert second["B2"].value == 3 and second["B2"].number_format == "General"


def test_other_formats_are_not_found():
    with pytest.raises(Http404):
        table_export(fmt="pdf", name="t", sheets=[Sheet("一", ROWS)])
