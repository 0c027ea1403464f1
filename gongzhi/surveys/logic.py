"""Skip logic (跳题逻辑): the subset of XLSForm's ``relevant`` expressions a survey may use.

A question (or a section) is shown only when its ``relevant`` expression is true for the answers
given so far. The grammar is the part of ODK XPath that survey builders actually write
(https://docs.getodk.org/form-logic/, https://xlsform.org/#relevant)::

    expression := disjunct ("or" disjunct)*
    disjunct   := term ("and" term)*
    term       := "not" "(" expression ")" | "(" expression ")"
                | "selected" "(" ${name} "," string ")"
                | operand comparison operand      (one side a question, the other a literal)
    operand    := ${name} | "count-selected" "(" ${name} ")" | number | "-" number | string
    comparison := "=" | "!=" | ">" | ">=" | "<" | "<="

It is read by a small hand-written tokenizer and recursive-descent parser (never ``eval``);
anything else (arithmetic, other functions such as ``today()``, ``.`` for the current answer,
comparing two questions) is refused with a translated message naming the unsupported part.

Evaluation follows ODK's XPath 1.0 semantics where a resident could tell the difference: an
unanswered question is the empty string; a comparison with a number converts the answer to a
number, and an answer that is not one (unanswered included) is NaN, so ``>``/``<`` are false and
``!=`` is true; comparing with a string compares text, except that ``<``/``>`` convert both
sides to numbers, or compare ISO dates as JavaRosa does; a multiple-choice answer is its choice
names joined by spaces.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}\Z")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
COMPARISONS = ("=", "!=", ">", ">=", "<", "<=")
# The operator that means the same with its sides swapped ('3 < ${a}' is '${a} > 3').
_SWAPPED = {"=": "=", "!=": "!=", ">": "<", ">=": "<=", "<": ">", "<=": ">="}


@dataclass(frozen=True)
class Compare:
    """``${name} op value``, or ``count-selected(${name}) op value`` when ``count`` is set."""

    name: str
    op: str
    value: str | float
    count: bool = False


@dataclass(frozen=True)
class Selected:
    """``selected(${name}, 'value')``."""

    name: str
    value: str


@dataclass(frozen=True)
class Not:
    operand: Expr


@dataclass(frozen=True)
class And:
    operands: tuple[Expr, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Expr, ...]


Expr = Compare | Selected | Not | And | Or


@dataclass(frozen=True)
class _Token:
    kind: str  # "ref" | "string" | "number" | "op" | "word" | "(" | ")" | "," | "-" | "end"
    text: str
    position: int


_TOKEN_RE = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<ref>\$\{[^}]*\})
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<number>\d+(?:\.\d+)?|\.\d+)
  | (?P<op>!=|>=|<=|=|>|<)
  | (?P<punct>[(),-])
  | (?P<word>[A-Za-z_][A-Za-z0-9_.:-]*)
    """,
    re.VERBOSE,
)


def _error(expression: str, problem: str) -> ValidationError:
    return ValidationError(
        _("Skip logic “%(expression)s”: %(problem)s")
        % {"expression": expression, "problem": problem},
        code="relevant",
    )


def _tokenize(expression: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(expression):
        match = _TOKEN_RE.match(expression, position)
        if match is None:
            raise _error(
                expression,
                _("“%(part)s” is not supported.") % {"part": expression[position:].split()[0][:20]},
            )
        kind = match.lastgroup or ""
        text = match.group()
        if kind == "punct":
            kind = text
        if kind != "space":
            tokens.append(_Token(kind, text, position))
        position = match.end()
    tokens.append(_Token("end", "", len(expression)))
    return tokens


class _Parser:
    def __init__(self, expression: str) -> None:
        self.expression = expression
        self.tokens = _tokenize(expression)
        self.index = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def peek(self) -> _Token:
        """The token after the current one (the end token when there is none)."""
        return self.tokens[min(self.index + 1, len(self.tokens) - 1)]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def fail(self, problem: str) -> ValidationError:
        return _error(self.expression, problem)

    def unexpected(self) -> ValidationError:
        token = self.token
        if token.kind == "end":
            return self.fail(_("it ends too early."))
        if token.kind == "word" and token.text in ("div", "mod"):
            return self.fail(_("arithmetic (“%(part)s”) is not supported.") % {"part": token.text})
        return self.fail(_("“%(part)s” is not expected here.") % {"part": token.text})

    def expect(self, kind: str) -> _Token:
        if self.token.kind != kind:
            raise self.unexpected()
        return self.advance()

    def parse(self) -> Expr:
        if self.token.kind == "end":
            raise self.fail(_("it is empty."))
        expr = self.disjunction()
        if self.token.kind != "end":
            raise self.unexpected()
        return expr

    def disjunction(self) -> Expr:
        operands = [self.conjunction()]
        while self.token.kind == "word" and self.token.text == "or":
            self.advance()
            operands.append(self.conjunction())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def conjunction(self) -> Expr:
        operands = [self.term()]
        while self.token.kind == "word" and self.token.text == "and":
            self.advance()
            operands.append(self.term())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def is_call(self, name: str) -> bool:
        following = self.peek()
        return self.token.kind == "word" and self.token.text == name and following.kind == "("

    def term(self) -> Expr:
        token = self.token
        if token.kind == "(":
            self.advance()
            inner = self.disjunction()
            self.expect(")")
            return inner
        if self.is_call("not"):
            self.advance()
            self.expect("(")
            inner = self.disjunction()
            self.expect(")")
            return Not(inner)
        if self.is_call("selected"):
            self.advance()
            self.expect("(")
            name = self.reference()
            self.expect(",")
            value = self.expect("string").text[1:-1]
            self.expect(")")
            return Selected(name, value)
        return self.comparison()

    def reference(self) -> str:
        token = self.expect("ref")
        name = token.text[2:-1].strip()
        if not NAME_RE.match(name):
            raise self.fail(_("“%(part)s” does not name a question.") % {"part": token.text})
        return name

    def operand(self) -> tuple[str, str | float]:
        """One side of a comparison: ("ref" | "count", name) or ("literal", value)."""
        token = self.token
        if token.kind == "ref":
            return "ref", self.reference()
        if self.is_call("count-selected"):
            self.advance()
            self.expect("(")
            name = self.reference()
            self.expect(")")
            return "count", name
        if token.kind == "string":
            self.advance()
            return "literal", token.text[1:-1]
        if token.kind == "-" and self.peek().kind == "number":
            self.advance()
            return "literal", -float(self.advance().text)
        if token.kind == "number":
            self.advance()
            return "literal", float(token.text)
        if token.kind == "word" and self.peek().kind == "(":
            raise self.fail(_("the function %(name)s() is not supported.") % {"name": token.text})
        raise self.unexpected()

    def comparison(self) -> Expr:
        left_kind, left = self.operand()
        if self.token.kind != "op":
            if self.token.kind in ("-", "word") and self.token.text not in ("and", "or"):
                raise self.unexpected()
            raise self.fail(
                _("compare the answer with a value, as in ${name} = 'yes'.")
                if left_kind != "literal"
                else _("a value on its own is not a condition.")
            )
        op = self.advance().text
        right_kind, right = self.operand()
        if left_kind == "literal" and right_kind != "literal":
            left_kind, left, right_kind, right = right_kind, right, left_kind, left
            op = _SWAPPED[op]
        if left_kind == "literal" or right_kind != "literal":
            raise self.fail(
                _(
                    "a comparison needs one question on one side and a number or a quoted text on the other."
                )
            )
        if left_kind == "count" and not isinstance(right, float):
            raise self.fail(_("count-selected() is compared with a number."))
        return Compare(str(left), op, right, count=left_kind == "count")


def parse(expression: str) -> Expr:
    """The expression's tree; ValidationError (translated) naming what is not supported."""
    return _Parser(expression).parse()


def references(expr: Expr) -> set[str]:
    """The names of the questions the expression reads."""
    if isinstance(expr, Compare | Selected):
        return {expr.name}
    if isinstance(expr, Not):
        return references(expr.operand)
    names: set[str] = set()
    for operand in expr.operands:
        names |= references(operand)
    return names


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, list | tuple):
        return " ".join(_as_text(item) for item in value)
    return str(value)


def _as_number(value: Any) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(_as_text(value).strip())
    except ValueError:
        return math.nan


def _choices(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [_as_text(item) for item in value]
    return _as_text(value).split()


def _compare(left: Any, op: str, right: Any) -> bool:
    if op == "=":
        return bool(left == right)
    if op == "!=":
        return not left == right
    if op == ">":
        return bool(left > right)
    if op == ">=":
        return bool(left >= right)
    if op == "<":
        return bool(left < right)
    return bool(left <= right)


def evaluate(expr: Expr, answers: Mapping[str, Any]) -> bool:
    """Whether the expression holds for these answers (keyed by question name)."""
    if isinstance(expr, And):
        return all(evaluate(operand, answers) for operand in expr.operands)
    if isinstance(expr, Or):
        return any(evaluate(operand, answers) for operand in expr.operands)
    if isinstance(expr, Not):
        return not evaluate(expr.operand, answers)
    answer = answers.get(expr.name)
    if isinstance(expr, Selected):
        return expr.value in _choices(answer)
    if expr.count:
        return _compare(float(len(_choices(answer))), expr.op, expr.value)
    if isinstance(expr.value, float):
        return _compare(_as_number(answer), expr.op, expr.value)
    text = _as_text(answer)
    if expr.op in ("=", "!="):
        return _compare(text, expr.op, expr.value)
    if DATE_RE.match(text) and DATE_RE.match(expr.value):
        return _compare(text, expr.op, expr.value)
    try:
        return _compare(float(text), expr.op, float(expr.value))
    except ValueError:
        return False


def is_relevant(expression: str, answers: Mapping[str, Any]) -> bool:
    """A ``relevant`` column's value: blank means always shown."""
    if not expression.strip():
        return True
    return evaluate(parse(expression), answers)
