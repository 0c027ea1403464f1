"""The survey definition: its JSON, its validation (every message translated and naming the
question), answer checking with skip logic, and the per-respondent random order."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from gongzhi.surveys.definition import (
    Choice,
    Definition,
    Question,
    Section,
    check_answers,
    display_order,
    label,
)
from gongzhi.surveys.logic import is_relevant


def _choices(*names: str) -> list[Choice]:
    return [Choice(name, {"zh-hans": f"选项{name}", "en": f"Option {name}"}) for name in names]


def sample() -> Definition:
    """A survey using every kind, skip logic and randomised order."""
    likert = [Choice(str(i), {"zh-hans": f"{i}分", "en": f"{i} points"}) for i in range(1, 6)]
    return Definition(
        form_id="neighbourhood_2026",
        version="1",
        title={"zh-hans": "社区生活调查", "en": "Neighbourhood life survey"},
        anonymous=True,
        sections=[
            Section(
                name="about",
                labels={"zh-hans": "关于您", "en": "About you"},
                questions=[
                    Question(
                        name="age",
                        kind="integer",
                        labels={"zh-hans": "您的年龄", "en": "Your age"},
                        hints={"zh-hans": "周岁"},
                        required=True,
                        minimum=16,
                        maximum=120,
                    ),
                    Question(
                        name="moved_in",
                        kind="date",
                        labels={"zh-hans": "入住日期", "en": "Moved in on"},
                    ),
                    Question(
                        name="owner",
                        kind="select_one",
                        labels={"zh-hans": "您是业主吗", "en": "Do you own your home?"},
                        choices=_choices("yes", "no"),
                        required=True,
                    ),
                    Question(
                        name="rent",
                        kind="decimal",
                        labels={"zh-hans": "月租金（元）", "en": "Monthly rent (yuan)"},
                        relevant="${owner} = 'no'",
                        required=True,
                        minimum=0,
                    ),
                ],
            ),
            Section(
                name="views",
                labels={"zh-hans": "您的看法", "en": "Your views"},
                randomise=True,
                questions=[
                    Question(
                        name="problems",
                        kind="select_multiple",
                        labels={"zh-hans": "小区的问题", "en": "Problems in the estate"},
                        choices=_choices("parking", "noise", "lifts", "rubbish"),
                        randomise=True,
                    ),
                    Question(
                        name="trust",
                        kind="likert",
                        labels={"zh-hans": "邻居值得信任", "en": "Neighbours can be trusted"},
                        choices=likert,
                        required=True,
                    ),
                    Question(
                        name="cohesion",
                        kind="matrix",
                        labels={"zh-hans": "社会凝聚力", "en": "Social cohesion"},
                        choices=copy.deepcopy(likert),
                        rows=[
                            Choice("sc1", {"zh-hans": "这里的人愿意互相帮助", "en": "People help"}),
                            Choice("sc2", {"zh-hans": "这里的人关系紧密", "en": "Close-knit"}),
                            Choice("sc3", {"en": "People can be trusted"}),
                        ],
                        required=True,
                        randomise=True,
                        scale="collective-efficacy@1",
                    ),
                ],
            ),
            Section(
                name="priorities",
                labels={"zh-hans": "优先事项", "en": "Priorities"},
                relevant="count-selected(${problems}) >= 2",
                questions=[
                    Question(
                        name="order",
                        kind="rank",
                        labels={"zh-hans": "请排序", "en": "Put in order"},
                        choices=_choices("parking", "noise", "lifts"),
                        relevant="selected(${problems}, 'parking')",
                    ),
                    Question(
                        name="comment",
                        kind="text",
                        labels={"zh-hans": "其他意见", "en": "Anything else"},
                    ),
                ],
            ),
        ],
    )


def test_the_sample_is_valid():
    sample().validate()


def test_json_round_trip():
    definition = sample()
    data = definition.to_dict()
    assert Definition.from_dict(json.loads(json.dumps(data))) == definition


def test_from_dict_strips_labels_and_fills_defaults():
    definition = Definition.from_dict(
        {
            "form_id": "f",
            "title": {"zh-hans": "  标题 ", "en": "  "},
            "sections": [
                {
                    "name": "s",
                    "labels": {"zh-hans": "部分"},
                    "questions": [{"name": "q", "kind": "text", "labels": {"en": " Q "}}],
                }
            ],
        }
    )
    assert definition.title == {"zh-hans": "标题"}
    assert definition.anonymous is True
    assert definition.default_language == "zh-hans"
    question = definition.questions()[0]
    assert question.labels == {"en": "Q"}
    assert (question.required, question.relevant, question.choices) == (False, "", [])


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ([], "definition"),
        ({"form_id": 3, "sections": []}, "definition.form_id"),
        ({"form_id": "f", "sections": {}}, "sections"),
        ({"form_id": "f", "sections": [{"name": "s", "questions": [7]}]}, "s.questions[0]"),
        (
            {"sections": [{"name": "s", "questions": [{"name": "q", "required": "yes"}]}]},
            "q.required",
        ),
        (
            {"sections": [{"name": "s", "questions": [{"name": "q", "minimum": "1"}]}]},
            "q.minimum",
        ),
    ],
)
def test_from_dict_refuses_a_wrong_shape(data, where):
    with pytest.raises(ValidationError) as caught:
        Definition.from_dict(data)
    assert caught.value.messages == [
        _("The survey definition is malformed (%(field)s).") % {"field": where}
    ]


def _question(definition: Definition, name: str) -> Question:
    question = definition.question(name)
    assert question is not None
    return question


def _set(question_name: str, /, **changes) -> Callable[[Definition], None]:
    def change(definition: Definition) -> None:
        question = _question(definition, question_name)
        for key, value in changes.items():
            setattr(question, key, value)

    return change


def _rename(old: str, new: str) -> Callable[[Definition], None]:
    return _set(old, name=new)


def _section(index: int, **changes) -> Callable[[Definition], None]:
    def change(definition: Definition) -> None:
        for key, value in changes.items():
            setattr(definition.sections[index], key, value)

    return change


INVALID = [
    (
        _rename("moved_in", "age"),
        lambda: _("The name %(name)s is used more than once.") % {"name": "age"},
    ),
    (
        _rename("comment", "about"),
        lambda: _("The name %(name)s is used more than once.") % {"name": "about"},
    ),
    (
        # A matrix row's exported name (cohesion_sc1) clashes with a question's.
        _rename("comment", "cohesion_sc1"),
        lambda: _("The name %(name)s is used more than once.") % {"name": "cohesion_sc1"},
    ),
    (
        _rename("comment", "2nd"),
        lambda: (
            _(
                "“%(name)s” is not a valid name: up to 40 letters, digits and _, starting "
                "with a letter or _ (not meta, nor xml…)."
            )
            % {"name": "2nd"}
        ),
    ),
    (
        _rename("comment", "meta"),
        lambda: (
            _(
                "“%(name)s” is not a valid name: up to 40 letters, digits and _, starting "
                "with a letter or _ (not meta, nor xml…)."
            )
            % {"name": "meta"}
        ),
    ),
    (
        _set("comment", kind="geopoint"),
        lambda: (
            _("Question %(name)s: “%(kind)s” is not a question type.")
            % {"name": "comment", "kind": "geopoint"}
        ),
    ),
    (
        _set("owner", choices=_choices("yes")),
        lambda: (
            _("Question %(name)s needs at least %(count)s choices.") % {"name": "owner", "count": 2}
        ),
    ),
    (
        _set("problems", choices=[]),
        lambda: (
            _("Question %(name)s needs at least %(count)s choices.")
            % {"name": "problems", "count": 1}
        ),
    ),
    (
        _set("owner", choices=_choices("yes", "yes")),
        lambda: (
            _("Question %(name)s: the choice “%(choice)s” is there twice.")
            % {"name": "owner", "choice": "yes"}
        ),
    ),
    (
        _set("owner", choices=_choices("yes", "no way")),
        lambda: (
            _(
                "Question %(name)s: “%(choice)s” is not a valid choice name (letters, digits, _ . -)."
            )
            % {"name": "owner", "choice": "no way"}
        ),
    ),
    (
        _set("owner", choices=[*_choices("yes"), Choice("no", {})]),
        lambda: (
            _("%(where)s needs a text in Chinese or English.")
            % {
                "where": _("Question %(name)s, choice %(choice)s")
                % {"name": "owner", "choice": "no"}
            }
        ),
    ),
    (
        _set("comment", choices=_choices("a", "b")),
        lambda: (
            _("Question %(name)s has choices but is not a choice question.") % {"name": "comment"}
        ),
    ),
    (
        _set("cohesion", rows=[]),
        lambda: _("Matrix question %(name)s needs at least one row.") % {"name": "cohesion"},
    ),
    (
        _set("owner", rows=_choices("r1")),
        lambda: _("Question %(name)s has rows but is not a matrix.") % {"name": "owner"},
    ),
    (
        _set("trust", choices=_choices("agree", "disagree")),
        lambda: (
            _("Likert question %(name)s: its choices are named by their score (1, 2, 3 …).")
            % {"name": "trust"}
        ),
    ),
    (
        _set("age", minimum=50, maximum=20),
        lambda: _("Question %(name)s: the minimum is larger than the maximum.") % {"name": "age"},
    ),
    (
        _set("age", maximum=float("inf")),
        lambda: _("Question %(name)s: the minimum and maximum are numbers.") % {"name": "age"},
    ),
    (
        _set("comment", minimum=1),
        lambda: (
            _("Question %(name)s: only number questions have a minimum and a maximum.")
            % {"name": "comment"}
        ),
    ),
    (
        _set("age", randomise=True),
        lambda: (
            _(
                "Question %(name)s: only choices, rankings and matrix rows can be shown in random order."
            )
            % {"name": "age"}
        ),
    ),
    (
        _set("age", labels={"fr": "Âge"}),
        lambda: (
            _("%(where)s: texts are in Chinese (zh-hans) or English (en), not “%(language)s”.")
            % {"where": _("Question %(name)s") % {"name": "age"}, "language": "fr"}
        ),
    ),
    (
        _set("age", labels={"en": "Age\x07"}),
        lambda: (
            _("%(where)s: a text contains a control character.")
            % {"where": _("Question %(name)s") % {"name": "age"}}
        ),
    ),
    (
        _set("cohesion", scale="collective efficacy"),
        lambda: (
            _("Question %(name)s: “%(scale)s” does not name a scale as slug@version.")
            % {"name": "cohesion", "scale": "collective efficacy"}
        ),
    ),
    (
        _set("owner", scale="collective-efficacy@1"),
        lambda: (
            _(
                "Question %(name)s asks the scale %(scale)s: its choices are named by their score "
                "(1, 2, 3 …)."
            )
            % {"name": "owner", "scale": "collective-efficacy@1"}
        ),
    ),
    (
        # Skip logic may only look back.
        _set("age", relevant="${owner} = 'yes'"),
        lambda: (
            _("%(where)s: the skip logic refers to %(other)s, which is not an earlier question.")
            % {"where": _("Question %(name)s") % {"name": "age"}, "other": "owner"}
        ),
    ),
    (
        _set("age", relevant="${age} > 3"),
        lambda: (
            _("%(where)s: the skip logic refers to %(other)s, which is not an earlier question.")
            % {"where": _("Question %(name)s") % {"name": "age"}, "other": "age"}
        ),
    ),
    (
        _section(2, relevant="${comment} = 'x'"),
        lambda: (
            _("%(where)s: the skip logic refers to %(other)s, which is not an earlier question.")
            % {"where": _("Section %(name)s") % {"name": "priorities"}, "other": "comment"}
        ),
    ),
    (
        # In a randomised section, a neighbour may be shown after the question that reads it.
        _set("trust", relevant="count-selected(${problems}) > 0"),
        lambda: (
            _(
                "%(where)s: the skip logic refers to %(other)s, which is shown in random order "
                "in the same section, so it may come later."
            )
            % {"where": _("Question %(name)s") % {"name": "trust"}, "other": "problems"}
        ),
    ),
    (
        _set("comment", relevant="${cohesion} = '1'"),
        lambda: (
            _("%(where)s: the skip logic cannot refer to the matrix %(other)s as a whole.")
            % {"where": _("Question %(name)s") % {"name": "comment"}, "other": "cohesion"}
        ),
    ),
    (
        _set("comment", relevant="${age} + 1 > 3"),
        lambda: (
            _("Question %(name)s") % {"name": "comment"}
            + ": "
            + _("Skip logic “%(expression)s”: %(problem)s")
            % {
                "expression": "${age} + 1 > 3",
                "problem": _("“%(part)s” is not supported.") % {"part": "+"},
            }
        ),
    ),
    (
        _section(1, questions=[]),
        lambda: _("Section %(name)s has no questions.") % {"name": "views"},
    ),
]


@pytest.mark.parametrize(("change", "message"), INVALID)
def test_validate_names_each_problem(change, message):
    definition = sample()
    change(definition)
    with pytest.raises(ValidationError) as caught:
        definition.validate()
    assert message() in caught.value.messages


def test_validate_reports_every_problem_at_once():
    definition = sample()
    _set("age", minimum=5, maximum=1)(definition)
    _set("owner", choices=[])(definition)
    with pytest.raises(ValidationError) as caught:
        definition.validate()
    assert len(caught.value.messages) == 2


def test_validate_survey_level():
    definition = sample()
    definition.form_id = "1 bad"
    definition.title = {}
    definition.default_language = "fr"
    with pytest.raises(ValidationError) as caught:
        definition.validate()
    assert set(caught.value.messages) == {
        _("The form ID “%(form_id)s” must start with a letter and use letters, digits and _ . -.")
        % {"form_id": "1 bad"},
        _("%(where)s needs a text in Chinese or English.") % {"where": _("The survey's title")},
        _("The default language is zh-hans or en, not “%(language)s”.") % {"language": "fr"},
    }


def test_label_falls_back_to_the_other_language():
    assert label({"zh-hans": "年龄", "en": "Age"}, "en") == "Age"
    assert label({"zh-hans": "年龄", "en": "Age"}, "en-gb") == "Age"
    assert label({"zh-hans": "年龄", "en": "Age"}, "zh-hans") == "年龄"
    assert label({"zh-hans": "年龄"}, "en") == "年龄"
    assert label({"en": "Age"}, "zh-hans") == "Age"
    assert label({}, "en") == ""


# --- answers --------------------------------------------------------------------------------

GOOD = {
    "age": "67",
    "moved_in": "2019-05-01",
    "owner": "yes",
    "problems": ["noise", "parking"],
    "trust": "4",
    "cohesion": {"sc1": "5", "sc2": "4", "sc3": "4"},
    "order": ["lifts", "parking", "noise"],
    "comment": "  电梯太旧  ",
}


def test_good_answers_are_cleaned_and_typed():
    assert check_answers(sample(), GOOD, "zh-hans") == {
        "age": 67,
        "moved_in": "2019-05-01",
        "owner": "yes",
        # In the choices' own order, whatever order they were ticked in.
        "problems": ["parking", "noise"],
        "trust": "4",
        "cohesion": {"sc1": "5", "sc2": "4", "sc3": "4"},
        "order": ["lifts", "parking", "noise"],
        "comment": "电梯太旧",
    }


def test_hidden_questions_are_not_required_and_their_answers_are_dropped():
    answers = {**GOOD, "rent": 1500, "problems": ["noise"]}
    cleaned = check_answers(sample(), answers, "zh-hans")
    # rent is shown only to tenants; the priorities section only with two problems or more.
    assert "rent" not in cleaned
    assert "order" not in cleaned
    assert "comment" not in cleaned


def test_a_shown_required_question_must_be_answered():
    answers = {**GOOD, "owner": "no"}
    with pytest.raises(ValidationError) as caught:
        check_answers(sample(), answers, "zh-hans")
    assert caught.value.message_dict == {
        "rent": [_("Please answer “%(question)s”.") % {"question": "月租金（元）"}]
    }
    assert check_answers(sample(), {**answers, "rent": "1500.5"}, "zh-hans")["rent"] == 1500.5


def test_an_answer_that_fails_makes_later_skip_logic_see_nothing():
    answers = {**GOOD, "problems": ["noise", "smell"]}
    with pytest.raises(ValidationError) as caught:
        check_answers(sample(), answers, "zh-hans")
    assert set(caught.value.message_dict) == {"problems"}


def _error(language: str, question: str, problem: str) -> str:
    return _("“%(question)s”: %(problem)s") % {"question": question, "problem": problem}


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("age", 12, lambda: _("The answer is at least %(minimum)s.") % {"minimum": "16"}),
        ("age", "200", lambda: _("The answer is at most %(maximum)s.") % {"maximum": "120"}),
        ("age", "6.5", lambda: _("Enter a whole number.")),
        ("age", True, lambda: _("Enter a whole number.")),
        ("moved_in", "2019-02-30", lambda: _("Enter a date as YYYY-MM-DD.")),
        ("moved_in", "1/5/2019", lambda: _("Enter a date as YYYY-MM-DD.")),
        ("owner", "maybe", lambda: _("Choose one of the choices given.")),
        ("owner", ["yes"], lambda: _("Choose one of the choices given.")),
        ("trust", "6", lambda: _("Choose one of the choices given.")),
        ("problems", "noise", lambda: _("Choose from the choices given.")),
        (
            "problems",
            ["noise", "noise"],
            lambda: _("Choose from the choices given, each at most once."),
        ),
        ("order", ["lifts", "parking"], lambda: _("Put every choice in order.")),
        (
            "cohesion",
            {"sc1": "5", "sc2": "4"},
            lambda: (
                _("Row “%(row)s”: this row needs an answer.") % {"row": "People can be trusted"}
            ),
        ),
        (
            "cohesion",
            {"sc1": "9", "sc2": "4", "sc3": "4"},
            lambda: (
                _("Row “%(row)s”: choose one of the choices given.")
                % {"row": "这里的人愿意互相帮助"}
            ),
        ),
        ("cohesion", {"sc9": "1"}, lambda: _("There is no row %(row)s.") % {"row": "sc9"}),
        ("comment", 5, lambda: _("Enter text.")),
    ],
)
def test_wrong_answers_are_refused_by_name(name, value, problem):
    with pytest.raises(ValidationError) as caught:
        check_answers(sample(), {**GOOD, name: value}, "zh-hans")
    question = label(_question(sample(), name).labels, "zh-hans")
    assert caught.value.message_dict == {
        name: [_("“%(question)s”: %(problem)s") % {"question": question, "problem": problem()}]
    }


def test_unknown_questions_are_refused():
    with pytest.raises(ValidationError) as caught:
        check_answers(sample(), {**GOOD, "salary": 3}, "zh-hans")
    assert caught.value.message_dict == {
        "salary": [_("There is no question %(name)s in this survey.") % {"name": "salary"}]
    }


def test_messages_come_in_the_respondents_language():
    with pytest.raises(ValidationError) as caught:
        check_answers(sample(), {**GOOD, "owner": None}, "en")
    with translation.override("en"):
        expected = _("Please answer “%(question)s”.") % {"question": "Do you own your home?"}
    assert caught.value.message_dict == {"owner": [expected]}


def test_an_optional_matrix_may_be_answered_in_part():
    definition = sample()
    _set("cohesion", required=False)(definition)
    cleaned = check_answers(definition, {**GOOD, "cohesion": {"sc2": "3", "sc3": ""}}, "en")
    assert cleaned["cohesion"] == {"sc2": "3"}


# --- randomised order -----------------------------------------------------------------------


def test_display_order_is_fixed_per_respondent_and_only_where_asked():
    definition = sample()
    first = display_order(definition, "receipt-A1")
    assert display_order(definition, "receipt-A1") == first
    # Not randomised: as written.
    assert first.questions["about"] == ("age", "moved_in", "owner", "rent")
    assert first.choices["owner"] == ("yes", "no")
    assert first.choices["trust"] == ("1", "2", "3", "4", "5")
    assert first.choices["order"] == ("parking", "noise", "lifts")
    assert "age" not in first.choices
    # Randomised: the same members, in an order that differs between respondents.
    assert sorted(first.questions["views"]) == ["cohesion", "problems", "trust"]
    assert sorted(first.choices["cohesion"]) == ["sc1", "sc2", "sc3"]
    orders = {display_order(definition, seed).choices["problems"] for seed in range(60)}
    assert len(orders) > 10
    assert all(sorted(order) == ["lifts", "noise", "parking", "rubbish"] for order in orders)
    sections = {display_order(definition, seed).questions["views"] for seed in range(60)}
    assert len(sections) == 6


def test_adding_a_question_does_not_reshuffle_the_others():
    definition = sample()
    before = display_order(definition, 7).choices["problems"]
    definition.sections[0].questions.append(
        Question(
            name="extra",
            kind="select_one",
            labels={"en": "x"},
            choices=_choices("a", "b"),
            randomise=True,
        )
    )
    assert display_order(definition, 7).choices["problems"] == before


@given(st.integers() | st.text(max_size=10))
def test_display_order_is_a_permutation(seed):
    order = display_order(sample(), seed)
    assert sorted(order.choices["problems"]) == ["lifts", "noise", "parking", "rubbish"]
    assert sorted(order.questions["views"]) == ["cohesion", "problems", "trust"]


# --- hypothesis: random valid definitions (also used by test_xlsform.py) ----------------------

texts = (
    st.text(alphabet="abcdefghij klmn问卷社区居民邻里满意度XYZ0123?（）", min_size=1, max_size=12)
    .map(str.strip)
    .filter(bool)
)
languages = st.sampled_from([("zh-hans",), ("en",), ("zh-hans", "en")])


@st.composite
def labels(draw: st.DrawFn) -> dict[str, str]:
    return {code: draw(texts) for code in draw(languages)}


@st.composite
def optional_labels(draw: st.DrawFn) -> dict[str, str]:
    return draw(labels()) if draw(st.booleans()) else {}


choice_names = st.from_regex(r"[a-z0-9][a-z0-9_]{0,5}", fullmatch=True)


@st.composite
def choice_list(draw: st.DrawFn, fewest: int) -> list[Choice]:
    names = draw(st.lists(choice_names, min_size=fewest, max_size=5, unique=True))
    return [Choice(name, draw(labels())) for name in names]


bounds = st.none() | st.integers(-500, 500).map(float) | st.floats(-1e4, 1e4, allow_nan=False)


@st.composite
def questions(draw: st.DrawFn, name: str, earlier: list[Question]) -> Question:
    kind = draw(
        st.sampled_from(
            [
                "select_one",
                "select_multiple",
                "likert",
                "matrix",
                "integer",
                "decimal",
                "text",
                "date",
                "rank",
            ]
        )
    )
    question = Question(
        name=name,
        kind=kind,
        labels=draw(labels()),
        hints=draw(optional_labels()),
        required=draw(st.booleans()),
    )
    if kind in ("select_one", "select_multiple", "rank", "matrix"):
        question.choices = draw(choice_list(1 if kind == "select_multiple" else 2))
        question.randomise = draw(st.booleans())
    if kind == "likert":
        question.choices = [
            Choice(str(i), draw(labels())) for i in range(1, draw(st.integers(2, 7)) + 1)
        ]
    if kind == "matrix":
        rows = draw(st.lists(choice_names, min_size=1, max_size=4, unique=True))
        question.rows = [Choice(row, draw(labels())) for row in rows]
        if draw(st.booleans()):
            question.scale = "collective-efficacy@1"
            question.choices = [Choice(str(i), draw(labels())) for i in range(1, 6)]
    if kind in ("integer", "decimal"):
        low, high = draw(bounds), draw(bounds)
        if low is not None and high is not None and low > high:
            low, high = high, low
        question.minimum, question.maximum = low, high
    question.relevant = draw(relevant(earlier))
    return question


@st.composite
def relevant(draw: st.DrawFn, earlier: list[Question]) -> str:
    candidates = [q for q in earlier if q.kind != "matrix"]
    if not candidates or draw(st.booleans()):
        return ""
    other = draw(st.sampled_from(candidates))
    if other.choices:
        choice = draw(st.sampled_from(other.choices)).name
        return draw(
            st.sampled_from(
                [
                    f"${{{other.name}}} = '{choice}'",
                    f"selected(${{{other.name}}}, '{choice}')",
                    f"count-selected(${{{other.name}}}) > 0 or ${{{other.name}}} != '{choice}'",
                ]
            )
        )
    if other.kind in ("integer", "decimal"):
        return f"${{{other.name}}} >= 3"
    return f"not(${{{other.name}}} = '')"


question_names = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).filter(
    lambda name: not name.startswith("xml") and name != "meta"
)


@st.composite
def definitions(draw: st.DrawFn) -> Definition:
    names = draw(st.lists(question_names, min_size=2, max_size=12, unique=True))
    section_count = draw(st.integers(1, min(3, len(names) - 1)))
    section_names = names[:section_count]
    question_pool = names[section_count:]
    sizes = sorted(
        draw(
            st.lists(
                st.integers(0, len(question_pool)),
                min_size=section_count - 1,
                max_size=section_count - 1,
            )
        )
    )
    cuts = [0, *sizes, len(question_pool)]
    sections: list[Section] = []
    earlier: list[Question] = []
    for index, section_name in enumerate(section_names):
        members = question_pool[cuts[index] : cuts[index + 1]] or []
        assume(members)
        section_questions = []
        for name in members:
            # Skip logic looks only at earlier sections, so a section may be randomised.
            section_questions.append(draw(questions(name, earlier)))
        sections.append(
            Section(
                name=section_name,
                labels=draw(labels()),
                questions=section_questions,
                randomise=draw(st.booleans()),
                relevant=draw(relevant(earlier)),
            )
        )
        earlier.extend(section_questions)
    definition = Definition(
        form_id=draw(st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)),
        version=draw(st.from_regex(r"[0-9a-z.]{0,8}", fullmatch=True)),
        title=draw(labels()),
        sections=sections,
        anonymous=draw(st.booleans()),
        default_language=draw(st.sampled_from(["zh-hans", "en"])),
    )
    try:
        definition.validate()
    except ValidationError:
        # A matrix row's exported name can clash with another name (q_a + row b = q_a_b).
        assume(False)
    return definition


@st.composite
def answers_for(draw: st.DrawFn, definition: Definition) -> dict[str, Any]:
    """Answers of the right shape, some of them wrong (an unknown choice, out of range)."""
    answers: dict[str, Any] = {}
    for question in definition.questions():
        if draw(st.integers(0, 3)) == 0:
            continue
        names = [c.name for c in question.choices] + ["nope"]
        kind = question.kind
        if kind in ("select_one", "likert"):
            answers[question.name] = draw(st.sampled_from(names))
        elif kind == "select_multiple":
            answers[question.name] = draw(st.lists(st.sampled_from(names), unique=True))
        elif kind == "rank":
            answers[question.name] = draw(st.permutations(names[:-1]))
        elif kind == "matrix":
            rows = [r.name for r in question.rows]
            answers[question.name] = draw(
                st.dictionaries(st.sampled_from(rows), st.sampled_from(names))
            )
        elif kind == "integer":
            answers[question.name] = draw(st.integers(-600, 600) | st.integers(-600, 600).map(str))
        elif kind == "decimal":
            answers[question.name] = draw(st.floats(-2e4, 2e4) | st.just("1.5"))
        elif kind == "date":
            answers[question.name] = draw(
                st.dates().map(lambda d: d.isoformat()) | st.just("2020-13-01")
            )
        else:
            answers[question.name] = draw(texts)
    return answers


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_checked_answers_check_again_unchanged(data):
    """What check_answers keeps is valid, typed, shown, and passes again unchanged; what it
    refuses is refused by question name."""
    definition = data.draw(definitions())
    answers = data.draw(answers_for(definition))
    names = {q.name for q in definition.questions()}
    try:
        cleaned = check_answers(definition, answers, "zh-hans")
    except ValidationError as error:
        event("refused")
        assert set(error.message_dict) <= names
        return
    event("accepted")
    assert set(cleaned) <= set(answers)
    assert check_answers(definition, cleaned, "zh-hans") == cleaned
    for section in definition.sections:
        for question in section.questions:
            shown = is_relevant(section.relevant, cleaned) and is_relevant(
                question.relevant, cleaned
            )
            if question.name in cleaned:
                assert shown
            elif shown and question.required:
                raise AssertionError(f"{question.name} is required and shown but unanswered")


@pytest.mark.parametrize("value", [10**400, -(10**400), 10**15, 1e300])
def test_numbers_past_any_sensible_range_are_refused_not_a_server_error(value):
    """A JSON body may carry 10**400: float() of it raised OverflowError (a 500 in the API)."""
    d = Definition(
        form_id="numbers",
        version="1",
        title={"zh-hans": "数字"},
        sections=[
            Section(
                name="s",
                labels={"zh-hans": "一"},
                questions=[
                    Question(name="whole", kind="integer", labels={"zh-hans": "整数"}),
                    Question(name="real", kind="decimal", labels={"zh-hans": "小数"}),
                ],
            )
        ],
    )
    too_big_for_a_float = isinstance(value, int) and abs(value) > 10**308
    for name in ("whole", "real") if too_big_for_a_float else ("whole",):
        with pytest.raises(ValidationError) as caught:
            check_answers(d, {name: value}, "zh-hans")
        assert name in caught.value.message_dict
