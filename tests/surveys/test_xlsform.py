"""XLSForm: what we write, ODK's pyxform converts and we read back unchanged; a KoboToolbox-style
file reads; everything outside the subset is refused by name and row."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from hypothesis import HealthCheck, given, settings
from pyxform.xls2xform import convert

from gongzhi.surveys.definition import Choice, Question
from gongzhi.surveys.xlsform import MAX_CELLS, read_xlsform, write_xlsform
from tests.surveys.test_definition import definitions, sample


def _xform(data: bytes) -> str:
    """The XForm ODK's own converter makes of the workbook (it raises on what it rejects)."""
    return convert(data).xform


def test_the_sample_converts_and_reads_back():
    definition = sample()
    data = write_xlsform(definition)
    xform = _xform(data)
    assert read_xlsform(data) == definition
    # The parts a phone honours: ranges, skip logic, randomised choices, likert, rank.
    assert 'constraint=". &gt;= 16 and . &lt;= 120"' in xform
    assert "relevant=\" /data/about/owner  = 'no'\"" in xform
    assert "randomize(instance('problems')/root/item)" in xform
    assert 'appearance="likert"' in xform
    assert 'type="odk:rank"' in xform
    assert "/data/views/cohesion/cohesion_sc1" in xform
    assert "<h:title>社区生活调查</h:title>" in xform


def _sheets(data: bytes) -> dict[str, list[list[Any]]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in workbook}


def test_the_written_workbook_is_plain_xlsform():
    sheets = _sheets(write_xlsform(sample()))
    assert set(sheets) == {"survey", "choices", "settings"}
    header = sheets["survey"][0]
    assert header[:4] == ["type", "name", "label::Chinese (zh-Hans)", "label::English (en)"]
    types = [row[0] for row in sheets["survey"][1:]]
    assert types[:5] == ["begin_group", "integer", "date", "select_one owner", "decimal"]
    assert "select_multiple problems" in types
    assert "rank order" in types
    settings_header, settings_row = sheets["settings"]
    settings = dict(zip(settings_header, settings_row, strict=True))
    assert settings["form_id"] == "neighbourhood_2026"
    assert settings["default_language"] == "Chinese (zh-Hans)"
    assert settings["anonymous"] == "yes"


def test_write_refuses_an_invalid_definition():
    definition = sample()
    definition.sections[0].questions[0].minimum = 500
    with pytest.raises(ValidationError):
        write_xlsform(definition)


# --- property: read(write(d)) == d, and pyxform accepts write(d) ------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(definitions())
def test_write_then_read_is_the_same_definition_and_pyxform_accepts_it(definition):
    data = write_xlsform(definition)
    assert read_xlsform(data) == definition
    xform = _xform(data)
    for question in definition.questions():
        assert f"/{question.name}" in xform


# --- reading other people's files --------------------------------------------------------------


def _workbook(
    survey: list[dict[str, Any]],
    choices: list[dict[str, Any]],
    settings: list[dict[str, Any]] | None = None,
) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in (("survey", survey), ("choices", choices), ("settings", settings)):
        if rows is None:
            continue
        sheet = workbook.create_sheet(title)
        columns: list[str] = []
        for row in rows:
            columns.extend(column for column in row if column not in columns)
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(column) for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _kobo() -> bytes:
    """As KoboToolbox's form builder exports: metadata rows, $kuid/$autoname columns, spaced
    group types, true/false in required, plain label in the default language beside English,
    a matrix with the old table-list header row, a likert list shared by two questions."""
    zh, en = "label", "label::English (en)"
    survey = [
        {"type": "start", "name": "start", "$kuid": "k1"},
        {"type": "end", "name": "end", "$kuid": "k2"},
        {"type": "today", "name": "today"},
        {"type": "deviceid", "name": "deviceid"},
        {
            "type": "select_one yn",
            "name": "resident",
            zh: "您住在本小区吗？",
            en: "Do you live here?",
            "required": "true",
            "$kuid": "k3",
            "$autoname": "resident",
        },
        {
            "type": "integer",
            "name": "years",
            zh: "住了几年？",
            en: "Years lived here",
            "relevant": "${resident} = 'yes'",
            "constraint": ". >= 0 and . <= 100",
            "constraint_message": "0–100",
            "required": "false",
        },
        {
            "type": "begin group",
            "name": "trust_block",
            zh: "信任",
            en: "Trust",
            "appearance": "field-list",
        },
        {
            "type": "select_one agree5",
            "name": "trust_neigh",
            zh: "邻居可以信任",
            en: "Neighbours can be trusted",
            "appearance": "likert",
            "required": "true",
        },
        {
            "type": "select_one agree5",
            "name": "trust_staff",
            zh: "居委会可以信任",
            "appearance": "likert horizontal",
        },
        {
            "type": "begin group",
            "name": "sc",
            zh: "社会凝聚力",
            en: "Social cohesion",
            "appearance": "table-list",
        },
        {"type": "select_one agree5", "name": "sc_header", zh: "", "appearance": "label"},
        {
            "type": "select_one agree5",
            "name": "help",
            zh: "人们愿意互相帮助",
            en: "People help",
            "appearance": "list-nolabel",
            "required": "true",
        },
        {
            "type": "select_one agree5",
            "name": "close",
            zh: "关系紧密",
            en: "Close-knit",
            "appearance": "list-nolabel",
            "required": "true",
        },
        {"type": "end group"},
        {"type": "end group"},
        {
            "type": "select_multiple issues",
            "name": "issues",
            zh: "问题",
            en: "Issues",
            "parameters": "randomize=true",
        },
        {
            "type": "rank issues",
            "name": "issue_rank",
            zh: "排序",
            "relevant": "count-selected(${issues}) > 1",
        },
        {"type": "date", "name": "when", zh: "日期"},
        {
            "type": "text",
            "name": "note_text",
            zh: "意见",
            "hint": "可不填",
            "hint::English (en)": "optional",
        },
    ]
    choices = [
        {"list_name": "yn", "name": "yes", "label": "是", en: "Yes"},
        {"list_name": "yn", "name": "no", "label": "否", en: "No"},
        *({"list_name": "agree5", "name": i, "label": f"{i}分"} for i in range(1, 6)),
        {"list_name": "issues", "name": "parking", "label": "停车"},
        {"list_name": "issues", "name": "noise", "label": "噪音"},
    ]
    settings = [
        {
            "form_title": "居民调查",
            "id_string": "aBcD3xYz",
            "version": "vX1",
            "default_language": "中文 (zh)",
            "style": "pages",
        }
    ]
    return _workbook(survey, choices, settings)


def test_a_kobotoolbox_file_reads():
    definition = read_xlsform(_kobo())
    assert (definition.form_id, definition.version) == ("aBcD3xYz", "vX1")
    assert definition.title == {"zh-hans": "居民调查"}
    assert definition.anonymous is True
    assert [s.name for s in definition.sections] == ["section_1", "trust_block", "section_2"]
    # Loose questions go into sections of their own, labelled with the survey's title.
    assert definition.sections[0].labels == {"zh-hans": "居民调查"}
    names = [q.name for q in definition.questions()]
    assert names == [
        "resident",
        "years",
        "trust_neigh",
        "trust_staff",
        "sc",
        "issues",
        "issue_rank",
        "when",
        "note_text",
    ]
    resident, years, trust, trust_staff, matrix, issues, rank, when, text = definition.questions()
    assert resident.labels == {"zh-hans": "您住在本小区吗？", "en": "Do you live here?"}
    assert resident.required and resident.kind == "select_one"
    assert resident.choices == [
        Choice("yes", {"zh-hans": "是", "en": "Yes"}),
        Choice("no", {"zh-hans": "否", "en": "No"}),
    ]
    assert (years.kind, years.minimum, years.maximum, years.required) == (
        "integer",
        0.0,
        100.0,
        False,
    )
    assert years.relevant == "${resident} = 'yes'"
    assert trust.kind == trust_staff.kind == "likert"
    assert [c.name for c in trust.choices] == ["1", "2", "3", "4", "5"]
    assert matrix.kind == "matrix" and matrix.required
    assert [(r.name, r.labels) for r in matrix.rows] == [
        ("help", {"zh-hans": "人们愿意互相帮助", "en": "People help"}),
        ("close", {"zh-hans": "关系紧密", "en": "Close-knit"}),
    ]
    assert issues.kind == "select_multiple" and issues.randomise
    assert rank.kind == "rank" and [c.name for c in rank.choices] == ["parking", "noise"]
    assert when.kind == "date"
    assert text.hints == {"zh-hans": "可不填", "en": "optional"}
    # And what we read, we can write for ODK again.
    _xform(write_xlsform(definition))


def test_column_names_are_read_whatever_their_case():
    data = _workbook(
        [
            {
                "Type": "integer",
                "Name": "age",
                "Label::English (en)": "Age",
                "Constraint": ". <= 120",
            }
        ],
        [],
        [{"Form_Title": "Ages", "Default_Language": "English (en)"}],
    )
    definition = read_xlsform(data)
    assert definition.questions()[0] == Question(
        name="age", kind="integer", labels={"en": "Age"}, maximum=120.0
    )
    assert definition.title == {"en": "Ages"}
    assert definition.default_language == "en"


def test_a_likert_appearance_on_named_choices_stays_a_single_choice():
    data = _workbook(
        [{"type": "select_one agree", "name": "q", "label": "同意吗", "appearance": "likert"}],
        [
            {"list_name": "agree", "name": "agree", "label": "同意"},
            {"list_name": "agree", "name": "disagree", "label": "不同意"},
        ],
    )
    assert read_xlsform(data).questions()[0].kind == "select_one"


def _refusal(row: int, problem: str, sheet: str = "survey") -> str:
    return _("XLSForm, sheet %(sheet)s, row %(row)s: %(problem)s") % {
        "sheet": sheet,
        "row": row,
        "problem": problem,
    }


OK_ROW = {"type": "text", "name": "name", "label": "姓名"}
YN = [
    {"list_name": "yn", "name": "yes", "label": "是"},
    {"list_name": "yn", "name": "no", "label": "否"},
]


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (
            {"type": "geopoint", "name": "where", "label": "位置"},
            lambda: _("the type “%(type)s” is not supported.") % {"type": "geopoint"},
        ),
        (
            {"type": "begin_repeat", "name": "kids", "label": "子女"},
            lambda: _("the type “%(type)s” is not supported.") % {"type": "begin_repeat"},
        ),
        (
            {"type": "begin repeat", "name": "kids", "label": "子女"},
            lambda: _("the type “%(type)s” is not supported.") % {"type": "begin repeat"},
        ),
        (
            {"type": "calculate", "name": "c", "calculation": "1 + 1"},
            lambda: _("the column “%(column)s” is not supported.") % {"column": "calculation"},
        ),
        (
            {"type": "calculate", "name": "c"},
            lambda: _("the type “%(type)s” is not supported.") % {"type": "calculate"},
        ),
        (
            {"type": "note", "name": "n", "label": "说明"},
            lambda: _("the type “%(type)s” is not supported.") % {"type": "note"},
        ),
        (
            {"type": "image", "name": "photo", "label": "照片"},
            lambda: _("the type “%(type)s” is not supported.") % {"type": "image"},
        ),
        (
            {"type": "select_one_from_file streets.csv", "name": "s", "label": "街道"},
            lambda: (
                _("the type “%(type)s” is not supported.")
                % {"type": "select_one_from_file streets.csv"}
            ),
        ),
        (
            {"type": "select_one yn or_other", "name": "s", "label": "是否"},
            lambda: _("the type “%(type)s” is not supported.") % {"type": "select_one yn or_other"},
        ),
        (
            {
                "type": "text",
                "name": "phone",
                "label": "电话",
                "constraint": "regex(., '^[0-9]{11}$')",
            },
            lambda: (
                _(
                    "the constraint “%(constraint)s” is not supported; only a number's range, such as . >= 0 and . <= 120."
                )
                % {"constraint": "regex(., '^[0-9]{11}$')"}
            ),
        ),
        (
            {"type": "integer", "name": "age", "label": "年龄", "constraint": ". > 0"},
            lambda: (
                _(
                    "the constraint “%(constraint)s” is not supported; only a number's range, such as . >= 0 and . <= 120."
                )
                % {"constraint": ". > 0"}
            ),
        ),
        (
            {"type": "select_one streets", "name": "s", "label": "街道"},
            lambda: _("the list “%(list)s” is not in the choices sheet.") % {"list": "streets"},
        ),
        (
            {"type": "select_one yn", "name": "s", "label": "是否", "choice_filter": "x = 1"},
            lambda: _("the column “%(column)s” is not supported.") % {"column": "choice_filter"},
        ),
        (
            {"type": "text", "name": "t", "label": "文本", "default": "无"},
            lambda: _("the column “%(column)s” is not supported.") % {"column": "default"},
        ),
        (
            {"type": "text", "name": "t", "label": "文本", "required": "${name} != ''"},
            lambda: _("required is yes or no, not “%(value)s”.") % {"value": "${name} != ''"},
        ),
        (
            {"type": "select_one yn", "name": "s", "label": "是否", "parameters": "seed=${name}"},
            lambda: (
                _("the parameter “%(parameter)s” is not supported (only randomize=true).")
                % {"parameter": "seed=${name}"}
            ),
        ),
        (
            {"type": "text", "name": "t", "label::Français (fr)": "Texte"},
            lambda: (
                _(
                    "the column “%(column)s” is in a language we do not support; labels are in Chinese (zh-Hans) or English (en)."
                )
                % {"column": "label::Français (fr)"}
            ),
        ),
        ({"type": "end_group"}, lambda: _("end_group without a begin_group.")),
        ({"name": "orphan", "label": "无类型"}, lambda: _("the row has no type.")),
    ],
)
def test_unsupported_rows_are_refused_by_type_and_row(row, problem):
    data = _workbook([OK_ROW, row], YN)
    with pytest.raises(ValidationError) as caught:
        read_xlsform(data)
    assert caught.value.messages == [_refusal(3, problem())]


def test_groups_inside_sections_are_refused():
    survey = [
        {"type": "begin_group", "name": "a", "label": "甲"},
        {"type": "begin_group", "name": "b", "label": "乙"},
        OK_ROW,
        {"type": "end_group"},
        {"type": "end_group"},
    ]
    with pytest.raises(ValidationError) as caught:
        read_xlsform(_workbook(survey, YN))
    assert caught.value.messages == [_refusal(3, _("groups inside groups are not supported."))]


def test_a_matrix_of_other_questions_is_refused():
    survey = [
        {"type": "begin_group", "name": "m", "label": "矩阵", "appearance": "table-list"},
        {"type": "select_one yn", "name": "r1", "label": "行一"},
        {"type": "integer", "name": "r2", "label": "行二"},
        {"type": "end_group"},
    ]
    with pytest.raises(ValidationError) as caught:
        read_xlsform(_workbook(survey, YN))
    assert caught.value.messages == [
        _refusal(
            4,
            _("a table-list group (a matrix) holds only select_one questions of one choice list."),
        )
    ]


def test_an_unclosed_group_is_refused():
    survey = [OK_ROW, {"type": "begin_group", "name": "a", "label": "甲"}, OK_ROW]
    with pytest.raises(ValidationError) as caught:
        read_xlsform(_workbook(survey, YN))
    assert caught.value.messages == [_refusal(3, _("a group is not closed by end_group."))]
    survey = [OK_ROW, {"type": "begin_group", "name": "m", "appearance": "table-list"}]
    with pytest.raises(ValidationError) as caught:
        read_xlsform(_workbook(survey, YN))
    assert caught.value.messages == [_refusal(3, _("a group is not closed by end_group."))]


def test_a_bad_default_language_is_refused():
    data = _workbook([OK_ROW], YN, [{"form_title": "T", "default_language": "Français (fr)"}])
    with pytest.raises(ValidationError) as caught:
        read_xlsform(data)
    assert caught.value.messages == [
        _refusal(
            2,
            _("the default language “%(language)s” is not Chinese (zh-Hans) or English (en).")
            % {"language": "Français (fr)"},
            sheet="settings",
        )
    ]


def test_an_imported_definition_is_validated():
    survey = [
        OK_ROW,
        {"type": "integer", "name": "age", "label": "年龄", "relevant": "${later} > 1"},
        {"type": "text", "name": "later", "label": "后"},
    ]
    with pytest.raises(ValidationError) as caught:
        read_xlsform(_workbook(survey, YN))
    assert (
        _("%(where)s: the skip logic refers to %(other)s, which is not an earlier question.")
        % {"where": _("Question %(name)s") % {"name": "age"}, "other": "later"}
    ) in caught.value.messages


@pytest.mark.parametrize("data", [b"", b"not a workbook", b"PK\x03\x04broken"])
def test_not_a_workbook(data):
    with pytest.raises(ValidationError) as caught:
        read_xlsform(data)
    assert caught.value.messages == [_("This file is not an XLSForm workbook (.xlsx).")]


def test_a_workbook_without_a_survey_sheet():
    workbook = openpyxl.Workbook()
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ValidationError) as caught:
        read_xlsform(buffer.getvalue())
    assert caught.value.messages == [_("The workbook has no sheet named survey.")]


def test_a_cell_bomb_is_refused_before_openpyxl_reads_it():
    """A small workbook that unpacks to 600,000 cells is counted, not parsed (core.roster's
    budget): the message names the limit."""
    from tests.test_roster import _cell_bomb

    bomb = _cell_bomb(["type", "name", "label"])
    assert len(bomb) < 100_000
    with pytest.raises(ValidationError) as caught:
        read_xlsform(bomb)
    assert str(MAX_CELLS) in caught.value.messages[0]
