"""Editing a survey's questions (问卷编辑): plain functions on a ``Definition``, no database.

The builder pages call one of these, then ``services.survey_save_definition`` with what it
returns. Each function takes a definition and returns a new one (the argument is left as it
was), or raises ``ValidationError`` with a message a community worker understands: a name
already used, skip logic that refers to a later question, deleting a question that another
one's skip logic depends on.

Skip logic is kept in XLSForm's own syntax (``relevant``), so that a survey exported and read
back by KoboToolbox or ODK behaves the same. ``condition`` writes it from the builder's simple
form ("show only if <earlier question> <op> <value>"); ``set_relevant`` also takes a raw
expression, which ``logic.parse`` checks.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gongzhi.surveys import logic
from gongzhi.surveys.definition import (
    KINDS,
    Choice,
    Definition,
    Labels,
    Question,
    Section,
)

NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,39}$")

#: Kinds answered by picking from ``choices``.
CHOICE_KINDS = ("select_one", "select_multiple", "likert", "matrix", "rank")
#: Kinds with a minimum and a maximum.
NUMBER_KINDS = ("integer", "decimal")

#: The simple skip-logic form's comparisons, by kind of the earlier question.
OPERATORS = {
    "=": ("select_one", "likert", "integer", "decimal", "text", "date"),
    "!=": ("select_one", "likert", "integer", "decimal", "text", "date"),
    ">": ("integer", "decimal", "date", "likert"),
    ">=": ("integer", "decimal", "date", "likert"),
    "<": ("integer", "decimal", "date", "likert"),
    "<=": ("integer", "decimal", "date", "likert"),
    "selected": ("select_multiple",),
    "not_selected": ("select_multiple",),
    "answered": KINDS,
}


# --- small helpers -------------------------------------------------------------------------


def clean_labels(labels: Labels) -> Labels:
    """The labels with blank languages left out."""
    return {code: text.strip() for code, text in labels.items() if text and text.strip()}


def names(definition: Definition) -> list[str]:
    """Every name in use, sections and questions, in order."""
    out: list[str] = []
    for section in definition.sections:
        out.append(section.name)
        out.extend(q.name for q in section.questions)
    return out


def free_name(definition: Definition, base: str) -> str:
    """``base`` made into a valid name with the first number no section or question uses yet
    (q1, q2, …)."""
    stem = re.sub(r"[^A-Za-z0-9_]", "_", base)[:34] or "q"
    if not re.match(r"[A-Za-z_]", stem):
        stem = "q" + stem
    used = set(names(definition))
    number = 1
    while f"{stem}{number}" in used:
        number += 1
    return f"{stem}{number}"


def find_question(definition: Definition, name: str) -> tuple[int, int]:
    """(section index, question index) of the question called ``name``."""
    for s, section in enumerate(definition.sections):
        for q, question in enumerate(section.questions):
            if question.name == name:
                return s, q
    raise ValidationError(_("There is no question called %(name)s.") % {"name": name})


def find_section(definition: Definition, name: str) -> int:
    for s, section in enumerate(definition.sections):
        if section.name == name:
            return s
    raise ValidationError(_("There is no section called %(name)s.") % {"name": name})


def question(definition: Definition, name: str) -> Question:
    s, q = find_question(definition, name)
    return definition.sections[s].questions[q]


def earlier_questions(definition: Definition, name: str) -> list[Question]:
    """The questions before ``name`` (a question or a section): those its skip logic may use."""
    out: list[Question] = []
    for section in definition.sections:
        if section.name == name:
            return out
        for q in section.questions:
            if q.name == name:
                return out
            out.append(q)
    return out


def parse_choices(text: str) -> list[Choice]:
    """Choices typed one per line: ``中文`` or ``中文 | English``, optionally ``name = …`` in
    front to give the stored value; otherwise they are numbered 1, 2, 3 (a Likert's score)."""
    choices: list[Choice] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        name = str(len(choices) + 1)
        if "=" in line:
            given, line = (part.strip() for part in line.split("=", 1))
            if not NAME_RE.match(given) and not given.isdigit():
                raise ValidationError(
                    _("“%(name)s” cannot be a choice's value: use letters, digits and _.")
                    % {"name": given}
                )
            name = given
        zh, _sep, en = (part.strip() for part in line.partition("|"))
        labels = clean_labels({"zh-hans": zh, "en": en})
        if not labels:
            raise ValidationError(_("A choice needs a label."))
        choices.append(Choice(name=name, labels=labels))
    seen = [c.name for c in choices]
    if len(set(seen)) != len(seen):
        raise ValidationError(_("Two choices have the same value."))
    return choices


def choices_text(choices: Iterable[Choice]) -> str:
    """The inverse of ``parse_choices``, to show a question's choices in its form again."""
    lines = []
    for number, choice in enumerate(choices, start=1):
        prefix = "" if choice.name == str(number) else f"{choice.name} = "
        zh, en = choice.labels.get("zh-hans", ""), choice.labels.get("en", "")
        lines.append(prefix + zh + (f" | {en}" if en else ""))
    return "\n".join(lines)


def likert_choices() -> list[Choice]:
    """A five-point agreement scale, scored 1 to 5."""
    pairs = [
        ("非常不同意", "Strongly disagree"),
        ("不同意", "Disagree"),
        ("说不清", "Neither agree nor disagree"),
        ("同意", "Agree"),
        ("非常同意", "Strongly agree"),
    ]
    return [
        Choice(name=str(n), labels={"zh-hans": zh, "en": en})
        for n, (zh, en) in enumerate(pairs, start=1)
    ]


# --- checks --------------------------------------------------------------------------------


def check_question(question: Question) -> None:
    """What the builder refuses in one question, before the whole definition is validated."""
    if not NAME_RE.match(question.name):
        raise ValidationError(
            _(
                "“%(name)s” cannot be a question's name: start with a letter, then letters, "
                "digits or _ (at most 40)."
            )
            % {"name": question.name}
        )
    if question.kind not in KINDS:
        raise ValidationError(_("Unknown kind of question: %(kind)s.") % {"kind": question.kind})
    if not question.labels:
        raise ValidationError(_("A question needs its text, in Chinese or in English."))
    if question.kind in CHOICE_KINDS and len(question.choices) < 2:
        raise ValidationError(_("This kind of question needs at least two choices."))
    if question.kind == "matrix" and not question.rows:
        raise ValidationError(_("A matrix question needs at least one row."))
    if (
        question.minimum is not None
        and question.maximum is not None
        and question.minimum > question.maximum
    ):
        raise ValidationError(_("The minimum is larger than the maximum."))


def check_order(definition: Definition) -> None:
    """Skip logic may refer only to questions asked before it."""
    before: set[str] = set()
    for section in definition.sections:
        _check_refs(section.relevant, before, section.name)
        for q in section.questions:
            _check_refs(q.relevant, before, q.name)
            before.add(q.name)


def _check_refs(expression: str, before: set[str], name: str) -> None:
    if not expression:
        return
    later = sorted(logic.references(logic.parse(expression)) - before)
    if later:
        raise ValidationError(
            _("The skip logic of %(name)s refers to %(others)s, which is not asked before it.")
            % {"name": name, "others": ", ".join(later)}
        )


def _copy(definition: Definition) -> Definition:
    return copy.deepcopy(definition)


# --- edits ---------------------------------------------------------------------------------


def add_section(
    definition: Definition, *, labels: Labels, question: Question | None = None
) -> Definition:
    """A new section at the end, with its first question (a saved section is never empty)."""
    result = _copy(definition)
    section = Section(name=free_name(result, "s"), labels=clean_labels(labels), questions=[])
    result.sections.append(section)
    if question is not None:
        result = add_question(result, section=section.name, question=question)
    return result


def rename_section(definition: Definition, name: str, *, labels: Labels) -> Definition:
    result = _copy(definition)
    s = find_section(result, name)
    result.sections[s] = replace(result.sections[s], labels=clean_labels(labels))
    return result


def add_question(definition: Definition, *, section: str, question: Question) -> Definition:
    """``question`` appended to ``section``; its name must be new."""
    check_question(question)
    if question.name in names(definition):
        raise ValidationError(
            _("The name %(name)s is already used in this survey.") % {"name": question.name}
        )
    result = _copy(definition)
    result.sections[find_section(result, section)].questions.append(copy.deepcopy(question))
    check_order(result)
    return result


def replace_question(definition: Definition, name: str, question: Question) -> Definition:
    """The question called ``name`` changed to ``question`` (its name may change too, unless
    other questions' skip logic refers to it)."""
    check_question(question)
    s, q = find_question(definition, name)
    if question.name != name:
        if question.name in names(definition):
            raise ValidationError(
                _("The name %(name)s is already used in this survey.") % {"name": question.name}
            )
        _refuse_if_referenced(definition, name)
    result = _copy(definition)
    result.sections[s].questions[q] = copy.deepcopy(question)
    check_order(result)
    return result


def _referrers(definition: Definition, name: str) -> list[str]:
    out = []
    for section in definition.sections:
        if section.relevant and name in logic.references(logic.parse(section.relevant)):
            out.append(section.name)
        for q in section.questions:
            if q.relevant and name in logic.references(logic.parse(q.relevant)):
                out.append(q.name)
    return out


def _refuse_if_referenced(definition: Definition, name: str) -> None:
    others = _referrers(definition, name)
    if others:
        raise ValidationError(
            _("The skip logic of %(others)s depends on %(name)s: change it first.")
            % {"others": ", ".join(others), "name": name}
        )


def delete(definition: Definition, name: str) -> Definition:
    """Delete a question, or a section with its questions (not the last section)."""
    result = _copy(definition)
    if any(section.name == name for section in result.sections):
        s = find_section(result, name)
        if len(result.sections) == 1:
            raise ValidationError(_("A survey keeps at least one section."))
        inside = {q.name for q in result.sections[s].questions}
        for inner in inside:
            others = set(_referrers(result, inner)) - inside
            if others:
                raise ValidationError(
                    _("The skip logic of %(others)s depends on %(name)s: change it first.")
                    % {"others": ", ".join(sorted(others)), "name": inner}
                )
        del result.sections[s]
        return result
    _refuse_if_referenced(result, name)
    s, q = find_question(result, name)
    del result.sections[s].questions[q]
    if not result.sections[s].questions and len(result.sections) > 1:
        # A section holds at least one question (Definition.validate): it goes with its last.
        del result.sections[s]
    return result


def move(definition: Definition, name: str, step: int) -> Definition:
    """Move a question (or a section) one place up (``step=-1``) or down (``+1``). A question
    at the edge of its section moves into the neighbouring section. Refused when skip logic
    would then refer to a question asked after it."""
    if step not in (-1, 1):
        raise ValueError(step)
    result = _copy(definition)
    sections = result.sections
    if any(section.name == name for section in sections):
        s = find_section(result, name)
        t = s + step
        if 0 <= t < len(sections):
            sections[s], sections[t] = sections[t], sections[s]
    else:
        s, q = find_question(result, name)
        questions = sections[s].questions
        t = q + step
        if 0 <= t < len(questions):
            questions[q], questions[t] = questions[t], questions[q]
        elif 0 <= s + step < len(sections):
            if len(questions) == 1:
                raise ValidationError(
                    _(
                        "This is the only question of its section: a section keeps at least one "
                        "question. Move the section instead, or delete it."
                    )
                )
            moving = questions.pop(q)
            target = sections[s + step].questions
            if step < 0:
                target.append(moving)
            else:
                target.insert(0, moving)
    check_order(result)
    return result


def set_relevant(definition: Definition, name: str, expression: str) -> Definition:
    """Set the skip logic (XLSForm ``relevant``) of a question or section; blank removes it.
    ``logic.parse`` refuses what it does not support, naming it."""
    expression = expression.strip()
    if expression:
        logic.parse(expression)
    result = _copy(definition)
    if any(section.name == name for section in result.sections):
        s = find_section(result, name)
        result.sections[s] = replace(result.sections[s], relevant=expression)
    else:
        s, q = find_question(result, name)
        result.sections[s].questions[q] = replace(
            result.sections[s].questions[q], relevant=expression
        )
    check_order(result)
    return result


def _quoted(value: str) -> str:
    if "'" in value:
        if '"' in value:
            raise ValidationError(_("A value cannot contain both kinds of quotation mark."))
        return f'"{value}"'
    return f"'{value}'"


def condition(earlier: Question, op: str, value: str) -> str:
    """The XLSForm expression for "show only if <earlier> <op> <value>"."""
    if op not in OPERATORS or earlier.kind not in OPERATORS[op]:
        raise ValidationError(
            _("This comparison does not suit the question %(name)s.") % {"name": earlier.name}
        )
    ref = "${" + earlier.name + "}"
    value = value.strip()
    if op == "answered":
        if earlier.kind in ("select_multiple", "rank"):
            return f"count-selected({ref}) > 0"
        return f"{ref} != ''"
    if not value:
        raise ValidationError(_("Give the value to compare with."))
    if earlier.kind in CHOICE_KINDS:
        allowed = {c.name for c in earlier.choices}
        if value not in allowed:
            raise ValidationError(
                _("%(value)s is not one of the choices of %(name)s (%(choices)s).")
                % {"value": value, "name": earlier.name, "choices": ", ".join(sorted(allowed))}
            )
    if op == "selected":
        return f"selected({ref}, {_quoted(value)})"
    if op == "not_selected":
        return f"not(selected({ref}, {_quoted(value)}))"
    if earlier.kind in NUMBER_KINDS or (earlier.kind == "likert" and op not in ("=", "!=")):
        try:
            number = float(value)
        except ValueError:
            raise ValidationError(_("Give a number to compare with.")) from None
        literal = str(int(number)) if number.is_integer() else repr(number)
        # A Likert answer is stored as its choice name ("1".."5"), compared here as a number.
        return f"{ref} {op} {literal}"
    if earlier.kind == "date" and not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        raise ValidationError(_("Give the date as YYYY-MM-DD."))
    return f"{ref} {op} {_quoted(value)}"


def add_scale(
    definition: Definition, *, ref: str, names_: Labels, questions: Sequence[Question]
) -> Definition:
    """A library scale added as its own section, titled with the scale's name, holding the
    rating grids that ask it (``scales.matrix_questions``: one grid per set of items answered
    with the same options, rows named by item key, ``scale`` = "slug@version", which is how
    scoring finds the items again). Grid names already used get a number."""
    if sum(len(q.rows) for q in questions) < 2:
        raise ValidationError(_("A scale needs at least two items."))
    if any(q.scale == ref for q in definition.questions()):
        raise ValidationError(_("This scale is already in the survey."))
    result = _copy(definition)
    # A new survey's empty first section would stay empty: the scale takes its place.
    result.sections = [s for s in result.sections if s.questions]
    slug = ref.split("@", 1)[0]
    section = Section(name=free_name(result, f"{slug}_section"), labels=dict(names_), questions=[])
    result.sections.append(section)
    for question in questions:
        grid = copy.deepcopy(question)
        if grid.name in names(result):
            grid.name = free_name(result, grid.name)
        section.questions.append(grid)
    return result
