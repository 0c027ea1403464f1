"""Skip logic: the parser reads exactly the XLSForm subset, refuses the rest by name, and the
evaluation follows ODK's XPath semantics."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.surveys.logic import (
    And,
    Compare,
    Expr,
    Not,
    Or,
    Selected,
    evaluate,
    is_relevant,
    parse,
    references,
)


def test_parse_builds_the_tree():
    expr = parse("${a} = 'x' and (selected(${b}, 'y') or not(count-selected(${c}) > 2))")
    assert expr == And(
        (
            Compare("a", "=", "x"),
            Or((Selected("b", "y"), Not(Compare("c", ">", 2.0, count=True)))),
        )
    )
    assert references(expr) == {"a", "b", "c"}


def test_and_binds_tighter_than_or():
    assert parse("${a} = 1 or ${b} = 2 and ${c} = 3") == Or(
        (Compare("a", "=", 1.0), And((Compare("b", "=", 2.0), Compare("c", "=", 3.0))))
    )


def test_a_literal_on_the_left_is_turned_round():
    assert parse("18 <= ${age}") == Compare("age", ">=", 18.0)
    assert parse("-1.5 > ${t}") == Compare("t", "<", -1.5)
    assert parse('"yes" = ${ok}') == Compare("ok", "=", "yes")


@pytest.mark.parametrize(
    ("expression", "answers", "expected"),
    [
        ("${a} = 'x'", {"a": "x"}, True),
        ("${a} = 'x'", {"a": "y"}, False),
        ("${a} != 'x'", {}, True),
        ("${a} = ''", {}, True),
        ("${a} != ''", {"a": "x"}, True),
        ("${age} >= 60", {"age": 60}, True),
        ("${age} >= 60", {"age": 59}, False),
        ("${age} > 60", {"age": "61"}, True),
        # Unanswered is NaN against a number: ordering is false, != is true (XPath 1.0).
        ("${age} > 60", {}, False),
        ("${age} < 60", {}, False),
        ("${age} != 60", {}, True),
        ("${age} = 60", {}, False),
        ("${score} >= 4", {"score": "5"}, True),
        ("${x} = 2.5", {"x": 2.5}, True),
        ("${x} = '2'", {"x": 2}, True),
        ("${x} = '2'", {"x": 2.0}, True),
        ("${d} > '2024-01-31'", {"d": "2024-02-01"}, True),
        ("${d} > '2024-01-31'", {"d": "2023-12-31"}, False),
        ("${t} > 'abc'", {"t": "abd"}, False),
        ("selected(${m}, 'b')", {"m": ["a", "b"]}, True),
        ("selected(${m}, 'c')", {"m": ["a", "b"]}, False),
        ("selected(${m}, 'a')", {"m": "a"}, True),
        ("selected(${m}, 'a')", {}, False),
        ("${m} = 'a b'", {"m": ["a", "b"]}, True),
        ("count-selected(${m}) > 1", {"m": ["a", "b"]}, True),
        ("count-selected(${m}) > 1", {"m": ["a"]}, False),
        ("count-selected(${m}) = 0", {}, True),
        ("not(${a} = 'x')", {"a": "x"}, False),
        ("${a} = 'x' and ${b} = 'y'", {"a": "x", "b": "z"}, False),
        ("${a} = 'x' or ${b} = 'y'", {"a": "w", "b": "y"}, True),
        ("(${a} = 'x' or ${b} = 'y') and ${c} = 1", {"a": "x", "c": 1}, True),
    ],
)
def test_evaluate(expression, answers, expected):
    assert evaluate(parse(expression), answers) is expected


def test_blank_relevant_is_always_shown():
    assert is_relevant("", {}) is True
    assert is_relevant("  ", {}) is True
    assert is_relevant("${a} = 'x'", {}) is False


def _problem(expression: str, problem: str) -> str:
    return _("Skip logic “%(expression)s”: %(problem)s") % {
        "expression": expression,
        "problem": problem,
    }


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ("${a} + 1 = 2", lambda: _("“%(part)s” is not supported.") % {"part": "+"}),
        ("${a} * 2 > 1", lambda: _("“%(part)s” is not supported.") % {"part": "*"}),
        (". > 3", lambda: _("“%(part)s” is not supported.") % {"part": "."}),
        (
            "today() > '2020-01-01'",
            lambda: _("the function %(name)s() is not supported.") % {"name": "today"},
        ),
        (
            "string-length(${a}) > 3",
            lambda: _("the function %(name)s() is not supported.") % {"name": "string-length"},
        ),
        (
            "${a} div 2 = 1",
            lambda: _("arithmetic (“%(part)s”) is not supported.") % {"part": "div"},
        ),
        ("${a}", lambda: _("compare the answer with a value, as in ${name} = 'yes'.")),
        (
            "${a} = ${b}",
            lambda: _(
                "a comparison needs one question on one side and a number or a quoted text on "
                "the other."
            ),
        ),
        (
            "count-selected(${a}) > 'x'",
            lambda: _("count-selected() is compared with a number."),
        ),
        ("${a} = 'x' or", lambda: _("it ends too early.")),
        ("", lambda: _("it is empty.")),
        ("${a} = 'x')", lambda: _("“%(part)s” is not expected here.") % {"part": ")"}),
        ("${a-b} = 1", lambda: _("“%(part)s” does not name a question.") % {"part": "${a-b}"}),
        ("${a} = 'x", lambda: _("“%(part)s” is not supported.") % {"part": "'x"}),
    ],
)
def test_unsupported_parts_are_named(expression, problem):
    with pytest.raises(ValidationError) as caught:
        parse(expression)
    assert caught.value.messages == [_problem(expression, problem())]


# --- property: what the builder writes, the parser reads back ---------------------------------

names = st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True)
strings = st.text(alphabet="abcxyz 是否123-_", max_size=6)
numbers = st.integers(-1000, 1000).map(float) | st.floats(-1000, 1000).map(lambda x: round(x, 3))


def _compare_strategy() -> st.SearchStrategy[Expr]:
    return st.one_of(
        st.builds(Compare, names, st.sampled_from(["=", "!=", ">", ">=", "<", "<="]), strings),
        st.builds(Compare, names, st.sampled_from(["=", "!=", ">", ">=", "<", "<="]), numbers),
        st.builds(
            lambda n, op, v: Compare(n, op, v, count=True),
            names,
            st.sampled_from(["=", ">", "<="]),
            st.integers(0, 5).map(float),
        ),
        st.builds(Selected, names, strings),
    )


expressions = st.recursive(
    _compare_strategy(),
    lambda inner: st.one_of(
        st.builds(Not, inner),
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: And(tuple(xs))),
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: Or(tuple(xs))),
    ),
    max_leaves=8,
)


def _write(expr: Expr) -> str:
    if isinstance(expr, Compare):
        value = f"'{expr.value}'" if isinstance(expr.value, str) else repr(expr.value)
        subject = f"count-selected(${{{expr.name}}})" if expr.count else f"${{{expr.name}}}"
        return f"{subject} {expr.op} {value}"
    if isinstance(expr, Selected):
        return f"selected(${{{expr.name}}}, '{expr.value}')"
    if isinstance(expr, Not):
        return f"not({_write(expr.operand)})"
    joiner = " and " if isinstance(expr, And) else " or "
    return joiner.join(f"({_write(operand)})" for operand in expr.operands)


@given(expressions)
def test_written_expressions_parse_back(expr):
    assert parse(_write(expr)) == expr


OPERATORS = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}


@given(st.sampled_from(sorted(OPERATORS)), st.integers(-50, 50), st.integers(-50, 50))
def test_numbers_compare_as_numbers_whatever_their_form(op, answer, literal):
    expected = OPERATORS[op](answer, literal)
    for stored in (answer, float(answer), str(answer)):
        assert evaluate(parse(f"${{n}} {op} {literal}"), {"n": stored}) is expected
        # The same comparison written the other way round.
        assert evaluate(parse(f"{literal} {op} ${{n}}"), {"n": stored}) is OPERATORS[op](
            literal, answer
        )
