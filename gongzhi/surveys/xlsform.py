"""XLSForm import and export (问卷导入导出) for the subset of the standard the builder supports.

XLSForm (https://xlsform.org) is the spreadsheet form standard of ODK and KoboToolbox: a
``survey`` sheet (one row per question or group), a ``choices`` sheet (``list_name``, ``name``,
labels) and a ``settings`` sheet. The subset read and written here:

- types ``select_one LIST``, ``select_multiple LIST``, ``rank LIST``, ``integer``, ``decimal``,
  ``text``, ``date``; ``begin_group``/``end_group`` is a section (written with
  ``appearance=field-list``); a group with ``appearance=table-list`` whose questions are all
  ``select_one`` of one list is a matrix (its questions are the rows, written ``<matrix>_<row>``);
  ``select_one`` with ``appearance=likert`` and choices named by numbers is a Likert question;
- columns ``name``, ``label`` and ``hint`` (plain = the default language, or
  ``::Chinese (zh-Hans)`` / ``::English (en)``), ``required`` (yes/no), ``relevant`` (the skip
  logic of :mod:`gongzhi.surveys.logic`), ``parameters`` ``randomize=true`` (on a question: its
  choices or rows; on a section: its questions), ``constraint`` only as a number's range
  (``. >= 0 and . <= 120``: the question's minimum and maximum), ``appearance`` (other values are
  display hints and are ignored), ``scale`` (ours: the library scale a matrix asks);
- settings ``form_title``, ``form_id`` (or KoboToolbox's ``id_string``), ``version``,
  ``default_language`` and our own ``anonymous`` (yes/no), ``title_zh-hans`` and ``title_en``.

Everything else is refused with a translated message naming the type or column and the sheet
row: note, calculate, geopoint and the other media and location types, repeats, groups inside
sections, ``select_one_from_file``, ``or_other``, other constraints, ``choice_filter``,
``calculation``, ``default``, dynamic ``required``, labels in other languages. ODK's metadata rows
(``start``, ``end``, ``today``, ``deviceid``, ``username`` …) are skipped: we do not collect what
they record. ``constraint_message`` and ``required_message`` are dropped (the answering page
says it in its own words), as are KoboToolbox's own ``$``-columns and other settings.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import openpyxl
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl.utils.exceptions import InvalidFileException

from gongzhi.core.roster import RosterFileError, check_workbook_size
from gongzhi.surveys.definition import (
    LANGUAGES,
    SCORE_RE,
    Choice,
    Definition,
    Labels,
    Question,
    Section,
    clean_labels,
    label,
    row_key,
)

#: An XLSForm of a few hundred questions holds a few thousand cells; the workbook's cells are
#: counted before openpyxl parses it (core.roster's budgets), so a zip bomb costs nothing.
MAX_CELLS = 50_000
LANGUAGE_NAMES = {"zh-hans": "Chinese (zh-Hans)", "en": "English (en)"}
SELECT_TYPES = {"select_one": "select_one", "select_multiple": "select_multiple", "rank": "rank"}
SIMPLE_TYPES = {
    "integer": "integer",
    "int": "integer",
    "decimal": "decimal",
    "text": "text",
    "string": "text",
    "date": "date",
}
# ODK's metadata: recorded by the device, not asked; we skip them (and collect none of it).
METADATA_TYPES = {
    "start",
    "end",
    "today",
    "deviceid",
    "subscriberid",
    "simserial",
    "phonenumber",
    "username",
    "email",
    "audit",
}
SURVEY_COLUMNS = {
    "type",
    "name",
    "required",
    "relevant",
    "appearance",
    "constraint",
    "parameters",
    "scale",
}
IGNORED_COLUMN_PREFIXES = ("constraint_message", "required_message", "$")
RANGE_PART_RE = re.compile(r"\.\s*(>=|<=)\s*(-?\d+(?:\.\d+)?)\Z")


def _refuse(row: int, sheet: str, message: str) -> ValidationError:
    return ValidationError(
        _("XLSForm, sheet %(sheet)s, row %(row)s: %(problem)s")
        % {"sheet": sheet, "row": row, "problem": message},
        code="xlsform",
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _language(suffix: str) -> str | None:
    """The language code of a ``label::…`` column: ``Chinese (zh-Hans)``, ``English (en)``,
    or the bare code or name."""
    match = re.search(r"\(([^)]*)\)\s*\Z", suffix)
    code = (match.group(1) if match else suffix).strip().lower().replace("_", "-")
    if code in ("zh-hant", "zh-tw", "zh-hk"):
        return None
    if code.startswith("zh") or code in ("chinese", "中文", "简体中文", "汉语"):
        return "zh-hans"
    if code == "en" or code.startswith("en-") or code == "english":
        return "en"
    return None


def _column(header: str) -> str:
    """A column's name as we look it up: ``Label::English (en)`` is ``label::English (en)``."""
    base, separator, suffix = header.partition("::")
    return base.strip().lower() + (f"::{suffix.strip()}" if separator else "")


@dataclass
class _Sheet:
    name: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (sheet row number, column -> text)


def _read_sheet(workbook: Any, name: str) -> _Sheet | None:
    sheet = next((ws for ws in workbook.worksheets if ws.title.strip().lower() == name), None)
    if sheet is None:
        return None
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        return _Sheet(name, [], [])
    header = [_column(_text(value)) for value in rows[0]]
    data = []
    for number, values in enumerate(rows[1:], start=2):
        cells = {
            header[i]: _text(value)
            for i, value in enumerate(values)
            if i < len(header) and header[i] and _text(value)
        }
        if cells:
            data.append((number, cells))
    return _Sheet(name, header, data)


class _Columns:
    """A sheet's columns: which hold labels or hints in which language, which are ignored."""

    def __init__(self, sheet: _Sheet, known: set[str], default_language: str) -> None:
        self.sheet = sheet
        self.texts: dict[str, tuple[str, str]] = {}  # column -> ("label"|"hint", language)
        self.unknown: list[str] = []
        self.unsupported_language: dict[str, str] = {}
        for column in sheet.header:
            if not column:
                continue
            base, _sep, suffix = column.partition("::")
            base = base.strip().lower()
            if column.lower() in known:
                continue
            if base in ("label", "hint"):
                language = _language(suffix) if suffix else default_language
                if language is None:
                    self.unsupported_language[column] = suffix
                else:
                    self.texts[column] = (base, language)
            elif not column.lower().startswith(IGNORED_COLUMN_PREFIXES):
                self.unknown.append(column)

    def check(self, number: int, cells: dict[str, str]) -> None:
        for column in self.unknown:
            if column in cells:
                raise _refuse(
                    number,
                    self.sheet.name,
                    _("the column “%(column)s” is not supported.") % {"column": column},
                )
        for column in self.unsupported_language:
            if column in cells:
                raise _refuse(
                    number,
                    self.sheet.name,
                    _(
                        "the column “%(column)s” is in a language we do not support; labels are "
                        "in Chinese (zh-Hans) or English (en)."
                    )
                    % {"column": column},
                )

    def texts_of(self, cells: dict[str, str], kind: str) -> Labels:
        # A column naming its language wins over the plain column of the default language.
        labels: Labels = {}
        for column, (base, language) in sorted(self.texts.items(), key=lambda i: "::" in i[0]):
            if base == kind and cells.get(column):
                labels[language] = cells[column]
        return clean_labels(labels)


def _flag(value: str) -> bool | None:
    lowered = value.strip().lower()
    if lowered in ("", "no", "false", "false()", "0"):
        return False
    if lowered in ("yes", "true", "true()", "1"):
        return True
    return None


def _parameters(number: int, sheet: str, text: str) -> bool:
    """``randomize=true`` or nothing: whether the order is randomised."""
    randomise = False
    for part in re.split(r"[\s,;]+", text.strip()):
        if not part:
            continue
        key, _sep, value = part.partition("=")
        flag = _flag(value)
        if key.strip().lower() != "randomize" or flag is None:
            raise _refuse(
                number,
                sheet,
                _("the parameter “%(parameter)s” is not supported (only randomize=true).")
                % {"parameter": part},
            )
        randomise = flag
    return randomise


def _range(number: int, sheet: str, constraint: str) -> tuple[float | None, float | None]:
    minimum: float | None = None
    maximum: float | None = None
    for part in re.split(r"\s+and\s+", constraint.strip()):
        match = RANGE_PART_RE.match(part.strip())
        if match is None:
            raise _refuse(
                number,
                sheet,
                _(
                    "the constraint “%(constraint)s” is not supported; only a number's range, "
                    "such as . >= 0 and . <= 120."
                )
                % {"constraint": constraint},
            )
        if match.group(1) == ">=":
            minimum = float(match.group(2))
        else:
            maximum = float(match.group(2))
    return minimum, maximum


@dataclass
class _Matrix:
    number: int
    name: str
    labels: Labels
    hints: Labels
    relevant: str
    randomise: bool
    scale: str
    list_name: str = ""
    rows: list[tuple[str, Labels, bool]] = field(default_factory=list)


def _choice_lists(sheet: _Sheet | None, default_language: str) -> dict[str, list[Choice]]:
    lists: dict[str, list[Choice]] = {}
    if sheet is None:
        return lists
    columns = _Columns(sheet, {"list_name", "list name", "name"}, default_language)
    list_column = next((c for c in sheet.header if c.lower() in ("list_name", "list name")), "")
    for number, cells in sheet.rows:
        columns.check(number, cells)
        list_name = cells.get(list_column, "")
        name = cells.get("name", "")
        if not list_name or not name:
            raise _refuse(number, sheet.name, _("a choice needs a list_name and a name."))
        lists.setdefault(list_name, []).append(Choice(name, columns.texts_of(cells, "label")))
    return lists


def read_xlsform(data: bytes) -> Definition:
    """The definition in an XLSForm workbook (.xlsx); ValidationError, translated, naming the
    sheet row of anything outside the subset, and the definition's own validation."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ValidationError(_("This file is not an XLSForm workbook (.xlsx)."), code="xlsform")
    try:
        check_workbook_size(data, MAX_CELLS)
    except RosterFileError as error:
        raise ValidationError(str(error), code="xlsform") from error
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        raise ValidationError(
            _("This file is not an XLSForm workbook (.xlsx)."), code="xlsform"
        ) from error
    survey = _read_sheet(workbook, "survey")
    if survey is None:
        raise ValidationError(_("The workbook has no sheet named survey."), code="xlsform")
    settings_sheet = _read_sheet(workbook, "settings")
    settings = settings_sheet.rows[0][1] if settings_sheet and settings_sheet.rows else {}
    settings = {key.strip().lower(): value for key, value in settings.items()}

    default_language = "zh-hans"
    if settings.get("default_language"):
        language = _language(settings["default_language"])
        if language is None:
            raise _refuse(
                2,
                "settings",
                _("the default language “%(language)s” is not Chinese (zh-Hans) or English (en).")
                % {"language": settings["default_language"]},
            )
        default_language = language
    anonymous = _flag(settings.get("anonymous", "yes"))
    if anonymous is None:
        raise _refuse(2, "settings", _("anonymous is yes or no."))

    lists = _choice_lists(_read_sheet(workbook, "choices"), default_language)
    sections = _SurveyReader(survey, lists, default_language).read()

    title = clean_labels(
        {code: settings.get(f"title_{code}", "") for code in LANGUAGES}
    ) or clean_labels({default_language: settings.get("form_title", "")})
    form_id = settings.get("form_id") or settings.get("id_string") or "survey"
    definition = Definition(
        form_id=form_id,
        version=settings.get("version", ""),
        title=title or {default_language: form_id},
        sections=sections,
        anonymous=anonymous,
        default_language=default_language,
    )
    for section in definition.sections:
        if not section.labels:
            section.labels = dict(definition.title)
    definition.validate()
    return definition


class _SurveyReader:
    def __init__(
        self, sheet: _Sheet, lists: dict[str, list[Choice]], default_language: str
    ) -> None:
        self.sheet = sheet
        self.lists = lists
        self.columns = _Columns(sheet, SURVEY_COLUMNS, default_language)
        self.sections: list[Section] = []
        self.section: Section | None = None  # the open begin_group section
        self.loose: Section | None = None  # questions outside any group
        self.matrix: _Matrix | None = None
        self.section_row = 0  # the sheet row of the open section's begin_group

    def refuse(self, number: int, message: str) -> ValidationError:
        return _refuse(number, self.sheet.name, message)

    def choices(self, number: int, list_name: str) -> list[Choice]:
        if list_name not in self.lists:
            raise self.refuse(
                number,
                _("the list “%(list)s” is not in the choices sheet.") % {"list": list_name},
            )
        return [Choice(c.name, dict(c.labels)) for c in self.lists[list_name]]

    def add(self, question: Question) -> None:
        if self.section is not None:
            self.section.questions.append(question)
            return
        if self.loose is None:
            self.loose = Section(name="", labels={}, questions=[])
            self.sections.append(self.loose)
        self.loose.questions.append(question)

    def read(self) -> list[Section]:
        for number, cells in self.sheet.rows:
            self.columns.check(number, cells)
            self.row(number, cells)
        if self.matrix is not None:
            raise self.refuse(self.matrix.number, _("a group is not closed by end_group."))
        if self.section is not None:
            raise self.refuse(self.section_row, _("a group is not closed by end_group."))
        used = {s.name for s in self.sections} | {
            q.name for s in self.sections for q in s.questions
        }
        counter = 0
        for section in self.sections:
            if not section.name:
                counter += 1
                while f"section_{counter}" in used:
                    counter += 1
                section.name = f"section_{counter}"
        return self.sections

    def row(self, number: int, cells: dict[str, str]) -> None:
        raw_type = " ".join(cells.get("type", "").split())
        if not raw_type:
            raise self.refuse(number, _("the row has no type."))
        words = raw_type.split(" ")
        keyword = words[0].lower()
        if len(words) >= 2 and f"{keyword} {words[1].lower()}" in (
            "begin group",
            "end group",
            "begin repeat",
            "end repeat",
            "select one",
            "select multiple",
        ):
            keyword = f"{keyword}_{words[1].lower()}"
            words = [keyword, *words[2:]]
        if keyword in METADATA_TYPES and len(words) == 1:
            return
        if keyword == "begin_group":
            self.begin_group(number, cells)
        elif keyword == "end_group":
            self.end_group(number)
        elif keyword in SELECT_TYPES and len(words) == 2:
            self.question(number, cells, SELECT_TYPES[keyword], words[1])
        elif keyword in SIMPLE_TYPES and len(words) == 1:
            self.question(number, cells, SIMPLE_TYPES[keyword], "")
        else:
            raise self.refuse(
                number, _("the type “%(type)s” is not supported.") % {"type": raw_type}
            )

    def common(self, number: int, cells: dict[str, str]) -> dict[str, Any]:
        required = _flag(cells.get("required", ""))
        if required is None:
            raise self.refuse(
                number,
                _("required is yes or no, not “%(value)s”.") % {"value": cells["required"]},
            )
        return {
            "name": cells.get("name", ""),
            "labels": self.columns.texts_of(cells, "label"),
            "hints": self.columns.texts_of(cells, "hint"),
            "required": required,
            "relevant": cells.get("relevant", ""),
            "randomise": _parameters(number, self.sheet.name, cells.get("parameters", "")),
            "scale": cells.get("scale", ""),
        }

    def begin_group(self, number: int, cells: dict[str, str]) -> None:
        appearance = cells.get("appearance", "").lower().split()
        common = self.common(number, cells)
        if self.matrix is not None or ("table-list" not in appearance and self.section is not None):
            raise self.refuse(number, _("groups inside groups are not supported."))
        if "constraint" in cells:
            raise self.refuse(number, _("a group cannot have a constraint."))
        if "table-list" in appearance:
            self.matrix = _Matrix(
                number=number,
                name=common["name"],
                labels=common["labels"],
                hints=common["hints"],
                relevant=common["relevant"],
                randomise=common["randomise"],
                scale=common["scale"],
            )
            return
        self.section = Section(
            name=common["name"],
            labels=common["labels"],
            questions=[],
            randomise=common["randomise"],
            relevant=common["relevant"],
        )
        self.sections.append(self.section)
        self.section_row = number
        self.loose = None

    def end_group(self, number: int) -> None:
        if self.matrix is not None:
            self.add(self.end_matrix(number, self.matrix))
            self.matrix = None
        elif self.section is not None:
            self.section = None
        else:
            raise self.refuse(number, _("end_group without a begin_group."))

    def end_matrix(self, number: int, matrix: _Matrix) -> Question:
        if not matrix.rows:
            raise self.refuse(matrix.number, _("the table-list group (a matrix) has no questions."))
        required = {row_required for _name, _labels, row_required in matrix.rows}
        if len(required) > 1:
            raise self.refuse(
                number,
                _("in a table-list group (a matrix) every row is required, or none is."),
            )
        prefix = f"{matrix.name}_"
        names = [name for name, _labels, _required in matrix.rows]
        if all(name.startswith(prefix) and len(name) > len(prefix) for name in names):
            names = [name[len(prefix) :] for name in names]
        return Question(
            name=matrix.name,
            kind="matrix",
            labels=matrix.labels,
            hints=matrix.hints,
            required=required.pop(),
            relevant=matrix.relevant,
            choices=self.choices(matrix.number, matrix.list_name),
            rows=[
                Choice(name, labels)
                for name, (_n, labels, _r) in zip(names, matrix.rows, strict=True)
            ],
            randomise=matrix.randomise,
            scale=matrix.scale,
        )

    def matrix_row(self, number: int, cells: dict[str, str], kind: str, list_name: str) -> None:
        assert self.matrix is not None
        matrix = self.matrix
        if kind != "select_one" or (matrix.list_name and list_name != matrix.list_name):
            raise self.refuse(
                number,
                _(
                    "a table-list group (a matrix) holds only select_one questions of one "
                    "choice list."
                ),
            )
        matrix.list_name = list_name
        if "label" in cells.get("appearance", "").lower().split():
            return  # the old table-list header row: it shows the choices, it asks nothing
        for column in ("relevant", "constraint", "parameters"):
            if column in cells:
                raise self.refuse(
                    number,
                    _("a row of a table-list group (a matrix) cannot have its own %(column)s.")
                    % {"column": column},
                )
        common = self.common(number, cells)
        matrix.rows.append((common["name"], common["labels"], common["required"]))

    def question(self, number: int, cells: dict[str, str], kind: str, list_name: str) -> None:
        if self.matrix is not None:
            self.matrix_row(number, cells, kind, list_name)
            return
        common = self.common(number, cells)
        minimum = maximum = None
        if "constraint" in cells:
            if kind not in ("integer", "decimal"):
                raise self.refuse(
                    number,
                    _(
                        "the constraint “%(constraint)s” is not supported; only a number's "
                        "range, such as . >= 0 and . <= 120."
                    )
                    % {"constraint": cells["constraint"]},
                )
            minimum, maximum = _range(number, self.sheet.name, cells["constraint"])
        choices = self.choices(number, list_name) if list_name else []
        appearance = cells.get("appearance", "").lower().split()
        if (
            kind == "select_one"
            and "likert" in appearance
            and all(SCORE_RE.match(c.name) for c in choices)
        ):
            kind = "likert"
        self.add(
            Question(
                kind=kind,
                choices=choices,
                minimum=minimum,
                maximum=maximum,
                **common,
            )
        )


# --- writing --------------------------------------------------------------------------------

LABEL_COLUMNS = [f"label::{LANGUAGE_NAMES[code]}" for code in LANGUAGES]
HINT_COLUMNS = [f"hint::{LANGUAGE_NAMES[code]}" for code in LANGUAGES]
SURVEY_HEADER = [
    "type",
    "name",
    *LABEL_COLUMNS,
    *HINT_COLUMNS,
    "required",
    "relevant",
    "appearance",
    "constraint",
    "parameters",
    "scale",
]
CHOICES_HEADER = ["list_name", "name", *LABEL_COLUMNS]
SETTINGS_HEADER = [
    "form_title",
    "form_id",
    "version",
    "default_language",
    "anonymous",
    *(f"title_{code}" for code in LANGUAGES),
]


def _number(value: float) -> str:
    # XPath has no exponent notation: 1e-05 is written 0.00001.
    text = format(Decimal(repr(value)), "f")
    return text[:-2] if text.endswith(".0") else text


def _texts(labels: Labels, hints: Labels | None = None) -> dict[str, str]:
    cells = {f"label::{LANGUAGE_NAMES[code]}": labels.get(code, "") for code in LANGUAGES}
    for code in LANGUAGES:
        cells[f"hint::{LANGUAGE_NAMES[code]}"] = (hints or {}).get(code, "")
    return cells


def _survey_rows(definition: Definition) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for section in definition.sections:
        rows.append(
            {
                "type": "begin_group",
                "name": section.name,
                **_texts(section.labels),
                "relevant": section.relevant,
                "appearance": "field-list",
                "parameters": "randomize=true" if section.randomise else "",
            }
        )
        for question in section.questions:
            common = {
                "name": question.name,
                **_texts(question.labels, question.hints),
                "relevant": question.relevant,
                "parameters": "randomize=true" if question.randomise else "",
                "scale": question.scale,
            }
            required = "yes" if question.required else ""
            if question.kind == "matrix":
                rows.append({"type": "begin_group", "appearance": "table-list", **common})
                for row in question.rows:
                    rows.append(
                        {
                            "type": f"select_one {question.name}",
                            "name": row_key(question.name, row.name),
                            **_texts(row.labels),
                            "required": required,
                        }
                    )
                rows.append({"type": "end_group"})
                continue
            if question.kind == "likert":
                kind, appearance = f"select_one {question.name}", "likert"
            elif question.choices:
                kind, appearance = f"{question.kind} {question.name}", ""
            else:
                kind, appearance = question.kind, ""
            bounds = []
            if question.minimum is not None:
                bounds.append(f". >= {_number(question.minimum)}")
            if question.maximum is not None:
                bounds.append(f". <= {_number(question.maximum)}")
            rows.append(
                {
                    "type": kind,
                    **common,
                    "required": required,
                    "appearance": appearance,
                    "constraint": " and ".join(bounds),
                }
            )
        rows.append({"type": "end_group"})
    return rows


def _sheet(workbook: Any, title: str, header: Sequence[str], rows: list[dict[str, str]]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(list(header))
    for row in rows:
        sheet.append([row.get(column) or None for column in header])


def write_xlsform(definition: Definition) -> bytes:
    """The definition as an XLSForm workbook (.xlsx) that ODK's pyxform and KoboToolbox accept
    and :func:`read_xlsform` reads back to an equal definition."""
    definition.validate()
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    _sheet(workbook, "survey", SURVEY_HEADER, _survey_rows(definition))
    choices = [
        {"list_name": question.name, "name": choice.name, **_texts(choice.labels)}
        for question in definition.questions()
        for choice in question.choices
    ]
    _sheet(workbook, "choices", CHOICES_HEADER, choices)
    settings = {
        "form_title": label(definition.title, definition.default_language),
        "form_id": definition.form_id,
        "version": definition.version,
        "default_language": LANGUAGE_NAMES[definition.default_language],
        "anonymous": "yes" if definition.anonymous else "no",
        **{f"title_{code}": definition.title.get(code, "") for code in LANGUAGES},
    }
    _sheet(workbook, "settings", SETTINGS_HEADER, [settings])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
