"""What the statistics' command lines share (``did``, ``alpha``): reading a CSV the way people's
spreadsheets write it, and speaking the reader's language.

A CSV is UTF-8 (with or without the BOM Excel adds) or else GB18030, what Excel on a Chinese
Windows writes. Blank lines are skipped; a missing value is an empty cell or one of the usual
spellings (NA, N/A, NaN, null, None, ".": what R, pandas, SPSS and Stata write). Errors are
``InputError`` with a translated message naming the line and the column; a front end prints it
on standard error and exits with 2, printing nothing on standard output.
"""

from __future__ import annotations

import csv
import io
import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext

#: Cells read as missing, compared in lower case after trimming.
MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "."})
#: A front end's exit code on bad input.
BAD_INPUT = 2


class InputError(ValueError):
    """Bad input to a command-line front end; its message is translated."""


@dataclass(frozen=True)
class Table:
    """A CSV read as text: the header, and each row's cells with its line in the file."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    lines: tuple[int, ...]

    def index(self, name: str) -> int:
        try:
            return self.header.index(name)
        except ValueError:
            raise InputError(
                gettext("The file has no column named %(column)s.") % {"column": name}
            ) from None

    def cell(self, row: int, column: int) -> str:
        cells = self.rows[row]
        return cells[column].strip() if column < len(cells) else ""

    def missing(self, row: int, column: int) -> bool:
        return self.cell(row, column).lower() in MISSING

    def number(self, row: int, column: int) -> float:
        """The cell as a finite number; anything else is refused, naming line and column."""
        text = self.cell(row, column)
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise InputError(
                gettext("Line %(line)d, column %(column)s: %(value)s is not a number.")
                % {"line": self.lines[row], "column": self.header[column], "value": text}
            )
        return value


def read_csv(path: str | os.PathLike[str]) -> Table:
    """The file as a ``Table``; a short row's missing cells are empty."""
    raw = Path(path).read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError(gettext("The file is neither UTF-8 nor GB18030 text."))
    reader = csv.reader(io.StringIO(text, newline=""))
    header: tuple[str, ...] | None = None
    rows: list[tuple[str, ...]] = []
    lines: list[int] = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = tuple(cell.strip() for cell in row)
                continue
            rows.append(tuple(row))
            lines.append(reader.line_num)
    except csv.Error:
        raise InputError(
            gettext("Line %(line)d is not valid CSV.") % {"line": reader.line_num}
        ) from None
    if header is None:
        raise InputError(gettext("The file is empty."))
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            raise InputError(
                gettext("The header names the column %(column)s twice.") % {"column": name}
            )
        seen.add(name)
    return Table(header=header, rows=tuple(rows), lines=tuple(lines))


def _language() -> str:
    """The messages' language: the locale's when it is one we have, else Chinese."""
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "").lower()
        if value.startswith("en"):
            return "en"
        if value.startswith("zh"):
            return "zh-hans"
    return "zh-hans"


def setup_translation() -> None:
    """gettext from a command line: the project's settings when DJANGO_SETTINGS_MODULE names
    them, else just enough to read the catalogues. Inside a running Django (tests calling a
    front end's ``main``) the active language is left alone."""
    import django
    from django.conf import settings
    from django.utils import translation

    if settings.configured:
        return
    if not os.environ.get("DJANGO_SETTINGS_MODULE"):
        settings.configure(
            USE_I18N=True,
            LANGUAGE_CODE="zh-hans",
            LANGUAGES=[("zh-hans", "简体中文"), ("en", "English")],
            LOCALE_PATHS=[
                Path(
                    os.environ.get(
                        "GONGZHI_LOCALE_DIR", Path(__file__).resolve().parent.parent / "locale"
                    )
                )
            ],
            INSTALLED_APPS=[],
        )
    django.setup()
    translation.activate(_language())


def refuse(message: str) -> int:
    """Say why the input was refused, on standard error, and give the exit code."""
    print(message, file=sys.stderr)
    return BAD_INPUT


def cannot_read(path: str, error: OSError) -> int:
    return refuse(
        gettext("Cannot read %(file)s: %(reason)s")
        % {"file": path, "reason": error.strerror or error}
    )
