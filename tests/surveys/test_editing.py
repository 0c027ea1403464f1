"""The builder's edits on a definition: plain functions, each returning a new definition."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from hypothesis import given, settings
from hypothesis import strategies as st

from gongzhi.surveys import editing, logic, scales
from gongzhi.surveys.definition import Choice, Definition, Question, Section


def base() -> Definition:
    return Definition(
        form_id="test_form",
        version="1",
        title={"zh-hans": "测试"},
        sections=[Section(name="s1", labels={"zh-hans": "第一部分"}, questions=[])],
    )


def q(name: str, kind: str = "text", **extra) -> Question:
    if kind in editing.CHOICE_KINDS and "choices" not in extra:
        extra["choices"] = [
            Choice(name="1", labels={"zh-hans": "是"}),
            Choice(name="2", labels={"zh-hans": "否"}),
        ]
    if kind == "matrix" and "rows" not in extra:
        extra["rows"] = [Choice(name="r1", labels={"zh-hans": "行"})]
    return Question(name=name, kind=kind, labels={"zh-hans": f"问题 {name}"}, **extra)


def names_in(definition: Definition) -> list[str]:
    return [question.name for question in definition.questions()]


@pytest.mark.parametrize("kind", editing.KINDS)
def test_every_kind_can_be_added_and_the_result_validates(kind):
    definition = editing.add_question(base(), section="s1", question=q("a", kind))
    definition.validate()
    assert names_in(definition) == ["a"]


def test_edits_leave_the_argument_unchanged():
    before = base()
    after = editing.add_question(before, section="s1", question=q("a"))
    assert names_in(before) == [] and names_in(after) == ["a"]


def test_a_name_is_used_once():
    definition = editing.add_question(base(), section="s1", question=q("a"))
    with pytest.raises(ValidationError) as error:
        editing.add_question(definition, section="s1", question=q("a"))
    assert (
        _("The name %(name)s is already used in this survey.") % {"name": "a"}
        in error.value.messages
    )


def test_free_name_skips_used_names():
    definition = editing.add_question(base(), section="s1", question=q("q1"))
    assert editing.free_name(definition, "q") == "q2"
    assert editing.free_name(definition, "留言") not in editing.names(definition)


def test_move_within_and_across_sections():
    definition = base()
    for name in ("a", "b"):
        definition = editing.add_question(definition, section="s1", question=q(name))
    definition = editing.add_section(definition, labels={"zh-hans": "第二部分"})
    second = definition.sections[1].name
    definition = editing.add_question(definition, section=second, question=q("c"))
    moved = editing.move(definition, "b", -1)
    assert names_in(moved) == ["b", "a", "c"]
    across = editing.move(definition, "b", 1)  # last of s1 → first of the next section
    assert [x.name for x in across.sections[1].questions] == ["b", "c"]
    sections = editing.move(definition, second, -1)
    assert [s.name for s in sections.sections] == [second, "s1"]


def test_skip_logic_must_refer_to_an_earlier_question():
    definition = base()
    for name in ("a", "b"):
        definition = editing.add_question(definition, section="s1", question=q(name, "integer"))
    with_logic = editing.set_relevant(definition, "b", "${a} > 3")
    assert with_logic.question("b").relevant == "${a} > 3"
    with pytest.raises(ValidationError):
        editing.set_relevant(definition, "a", "${b} > 3")
    # Moving b above a would make its condition refer to a later question.
    with pytest.raises(ValidationError):
        editing.move(with_logic, "b", -1)
    # Deleting a question that another's skip logic uses is refused, naming it.
    with pytest.raises(ValidationError) as error:
        editing.delete(with_logic, "a")
    assert "b" in error.value.messages[0]
    assert names_in(editing.delete(editing.set_relevant(with_logic, "b", ""), "a")) == ["b"]


def test_unsupported_expression_is_refused_by_the_parser():
    definition = editing.add_question(base(), section="s1", question=q("a", "integer"))
    definition = editing.add_question(definition, section="s1", question=q("b"))
    with pytest.raises(ValidationError):
        editing.set_relevant(definition, "b", "pulldata('x', 'y') = 1")


@pytest.mark.parametrize(
    ("kind", "op", "value", "answers", "shown"),
    [
        ("select_one", "=", "1", {"a": "1"}, True),
        ("select_one", "=", "1", {"a": "2"}, False),
        ("select_one", "!=", "1", {"a": "2"}, True),
        ("select_multiple", "selected", "2", {"a": ["1", "2"]}, True),
        ("select_multiple", "selected", "2", {"a": ["1"]}, False),
        ("select_multiple", "not_selected", "2", {"a": ["1"]}, True),
        ("integer", ">=", "60", {"a": 65}, True),
        ("integer", ">=", "60", {"a": 59}, False),
        ("decimal", "<", "1.5", {"a": 1.2}, True),
        ("text", "=", "it's", {"a": "it's"}, True),
        ("date", ">", "2026-01-01", {"a": "2026-03-01"}, True),
    ],
)
def test_condition_writes_an_expression_the_logic_evaluates(kind, op, value, answers, shown):
    expression = editing.condition(q("a", kind), op, value)
    assert logic.evaluate(logic.parse(expression), answers) is shown


def test_condition_refuses_unknown_choices_and_wrong_comparisons():
    with pytest.raises(ValidationError):
        editing.condition(q("a", "select_one"), "=", "9")
    with pytest.raises(ValidationError):
        editing.condition(q("a", "text"), ">", "x")
    with pytest.raises(ValidationError):
        editing.condition(q("a", "integer"), ">", "many")


def test_parse_choices_numbers_them_and_keeps_both_languages():
    choices = editing.parse_choices("是 | Yes\n\nyes_no = 不知道 | Don't know\n否")
    assert [(c.name, c.labels) for c in choices] == [
        ("1", {"zh-hans": "是", "en": "Yes"}),
        ("yes_no", {"zh-hans": "不知道", "en": "Don't know"}),
        ("3", {"zh-hans": "否"}),
    ]
    assert editing.parse_choices(editing.choices_text(choices)) == choices
    with pytest.raises(ValidationError):
        editing.parse_choices("a = 是\na = 否")


def test_a_library_scale_becomes_its_own_section_of_rating_grids():
    scale = scales.get("collective_efficacy@1")
    definition = editing.add_scale(
        base(), ref=scale.ref, names_=scale.names, questions=scales.matrix_questions(scale)
    )
    definition.validate()
    grids = definition.sections[-1].questions
    assert {g.scale for g in grids} == {scale.ref}
    assert sorted(r.name for g in grids for r in g.rows) == sorted(i.key for i in scale.items)
    assert len(grids) == 2  # cohesion and control are answered with different options
    with pytest.raises(ValidationError):
        editing.add_scale(
            definition, ref=scale.ref, names_=scale.names, questions=scales.matrix_questions(scale)
        )


def test_deleting_the_last_section_is_refused():
    with pytest.raises(ValidationError):
        editing.delete(base(), "s1")


@st.composite
def edit_sequences(draw):
    """Up to 12 moves and deletions of random names in a survey whose questions refer back."""
    steps = draw(
        st.lists(
            st.tuples(st.sampled_from(["up", "down", "delete"]), st.integers(0, 7)), max_size=12
        )
    )
    return steps


@given(edit_sequences())
@settings(max_examples=60, deadline=None)
def test_any_sequence_of_edits_keeps_the_definition_valid(steps):
    """Whatever moves and deletions a worker tries, each edit either gives a definition that
    validates (skip logic still refers only to earlier questions) or is refused, leaving the
    definition as it was."""
    definition = base()
    definition = editing.add_question(definition, section="s1", question=q("a", "integer"))
    definition = editing.add_question(definition, section="s1", question=q("b", "select_one"))
    definition = editing.add_section(definition, labels={"zh-hans": "二"}, question=q("c"))
    definition = editing.add_question(
        definition, section=definition.sections[1].name, question=q("d", "integer")
    )
    definition = editing.set_relevant(definition, "c", "${a} > 1")
    definition = editing.set_relevant(definition, "d", "selected(${b}, '1') or ${a} < 3")
    definition.validate()
    for action, index in steps:
        everything = editing.names(definition)
        name = everything[index % len(everything)]
        snapshot = definition.to_dict()
        try:
            if action == "delete":
                definition = editing.delete(definition, name)
            else:
                definition = editing.move(definition, name, -1 if action == "up" else 1)
        except ValidationError:
            assert definition.to_dict() == snapshot
            continue
        if definition.questions():
            definition.validate()
        editing.check_order(definition)
