"""The resident's answering form and the workers' forms for a survey's life (rounds, drawing a
sample, paper entry).

A survey's questions are not a Django form: they come from the definition, so the answering page
is built here as plain view-models (``sheet``) that the templates render, and posted answers are
read back with ``answers_from_post`` into the JSON shape ``definition.check_answers`` checks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from gongzhi.surveys import logic
from gongzhi.surveys.definition import Definition, DisplayOrder, Question, label
from gongzhi.surveys.models import SampleKind

SEPARATOR = "__"  # a matrix row's field is "<question>__<row>", a rank's "<question>__<place>"


def answers_from_post(definition: Definition, data: QueryDict) -> dict[str, Any]:
    """The posted fields as answers keyed by question name (blank ones left out)."""
    answers: dict[str, Any] = {}
    for question in definition.questions():
        name = question.name
        value: Any
        if question.kind == "select_multiple":
            value = [v for v in data.getlist(name) if v]
        elif question.kind == "matrix":
            value = {
                row.name: data.get(f"{name}{SEPARATOR}{row.name}", "")
                for row in question.rows
                if data.get(f"{name}{SEPARATOR}{row.name}")
            }
        elif question.kind == "rank":
            places = [
                data.get(f"{name}{SEPARATOR}{place}", "")
                for place in range(1, len(question.choices) + 1)
            ]
            value = [p for p in places if p]
        else:
            value = (data.get(name) or "").strip()
        if value not in ("", [], {}):
            answers[name] = value
    return answers


def _expr_json(expr: logic.Expr) -> Any:
    """A parsed skip-logic expression as JSON for the page's script (surveys/answer.js), which
    evaluates the same tree as ``logic.evaluate``; the server stays the judge."""
    if isinstance(expr, logic.And):
        return {"and": [_expr_json(operand) for operand in expr.operands]}
    if isinstance(expr, logic.Or):
        return {"or": [_expr_json(operand) for operand in expr.operands]}
    if isinstance(expr, logic.Not):
        return {"not": _expr_json(expr.operand)}
    if isinstance(expr, logic.Selected):
        return {"selected": expr.name, "value": expr.value}
    return {"compare": expr.name, "op": expr.op, "value": expr.value, "count": expr.count}


def relevant_json(expression: str) -> str:
    return json.dumps(_expr_json(logic.parse(expression))) if expression.strip() else ""


@dataclass
class ChoiceView:
    name: str
    text: str
    checked: bool = False


@dataclass
class RowView:
    name: str
    text: str
    field: str
    value: str


@dataclass
class QuestionView:
    name: str
    kind: str
    text: str
    hint: str
    required: bool
    relevant: str  # JSON for the script, "" when always shown
    shown: bool
    errors: list[str]
    choices: list[ChoiceView] = field(default_factory=list)
    rows: list[RowView] = field(default_factory=list)
    places: list[tuple[int, str, str]] = field(default_factory=list)  # (place, field, chosen)
    value: Any = ""
    minimum: float | None = None
    maximum: float | None = None

    @property
    def input_type(self) -> str:
        return {"integer": "number", "decimal": "number", "date": "date"}.get(self.kind, "text")

    @property
    def step(self) -> str:
        return "1" if self.kind == "integer" else "any"


@dataclass
class SectionView:
    name: str
    text: str
    relevant: str
    shown: bool
    questions: list[QuestionView]


def sheet(
    *,
    definition: Definition,
    order: DisplayOrder,
    answers: Mapping[str, Any],
    errors: Mapping[str, list[str]],
    language: str,
) -> list[SectionView]:
    """The answering page: sections and questions in this respondent's order, each with what
    was answered, its errors, and whether the skip logic shows it for these answers."""
    questions = {q.name: q for q in definition.questions()}
    shown_so_far: dict[str, Any] = {}
    sections = []
    # Relevance follows the definition's order, as check_answers does; display may differ.
    relevance: dict[str, bool] = {}
    section_shown: dict[str, bool] = {}
    for section in definition.sections:
        visible = logic.is_relevant(section.relevant, shown_so_far)
        section_shown[section.name] = visible
        for question in section.questions:
            relevance[question.name] = visible and logic.is_relevant(
                question.relevant, shown_so_far
            )
            if relevance[question.name] and question.name in answers:
                shown_so_far[question.name] = answers[question.name]
    for section in definition.sections:
        views = [
            _question_view(questions[name], order, answers, errors, language, relevance[name])
            for name in order.questions.get(section.name, ())
        ]
        sections.append(
            SectionView(
                name=section.name,
                text=label(section.labels, language),
                relevant=relevant_json(section.relevant),
                shown=section_shown[section.name],
                questions=views,
            )
        )
    return sections


def _question_view(
    question: Question,
    order: DisplayOrder,
    answers: Mapping[str, Any],
    errors: Mapping[str, list[str]],
    language: str,
    shown: bool,
) -> QuestionView:
    value = answers.get(question.name, "")
    view = QuestionView(
        name=question.name,
        kind=question.kind,
        text=label(question.labels, language),
        hint=label(question.hints, language),
        required=question.required,
        relevant=relevant_json(question.relevant),
        shown=shown,
        errors=[str(e) for e in errors.get(question.name, [])],
        minimum=question.minimum,
        maximum=question.maximum,
    )
    names = order.choices.get(question.name, ())
    if question.kind == "matrix":
        rows = {row.name: row for row in question.rows}
        chosen = value if isinstance(value, Mapping) else {}
        view.rows = [
            RowView(
                name=name,
                text=label(rows[name].labels, language),
                field=f"{question.name}{SEPARATOR}{name}",
                value=str(chosen.get(name, "")),
            )
            for name in names
        ]
        view.choices = [ChoiceView(c.name, label(c.labels, language)) for c in question.choices]
        return view
    choices = {c.name: c for c in question.choices}
    picked = value if isinstance(value, list) else [value]
    view.choices = [
        ChoiceView(name, label(choices[name].labels, language), name in picked) for name in names
    ]
    if question.kind == "rank":
        ranked = value if isinstance(value, list) else []
        view.places = [
            (
                place,
                f"{question.name}{SEPARATOR}{place}",
                ranked[place - 1] if place <= len(ranked) else "",
            )
            for place in range(1, len(names) + 1)
        ]
    else:
        view.value = "" if isinstance(value, list | dict) else value
    return view


def error_lists(error: Any) -> dict[str, list[str]]:
    """A ValidationError's messages by question name ("__all__" for the rest)."""
    if hasattr(error, "message_dict"):
        return {key: [str(m) for m in messages] for key, messages in error.message_dict.items()}
    return {"__all__": [str(m) for m in getattr(error, "messages", [str(error)])]}


class WaveForm(forms.Form):
    label = forms.CharField(label=_("Name of the round"), max_length=60)
    opens_at = forms.DateTimeField(
        label=_("Opens at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    closes_at = forms.DateTimeField(
        label=_("Closes at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    sample = forms.ChoiceField(
        label=_("Who is asked"), choices=SampleKind.choices, initial=SampleKind.EVERYONE
    )
    sample_size = forms.IntegerField(
        label=_("Sample size"),
        min_value=1,
        required=False,
        help_text=_("For a sample: how many residents to draw by lot."),
    )


class DrawForm(forms.Form):
    seed = forms.CharField(
        label=_("Public seed"),
        max_length=200,
        strip=False,
        help_text=_(
            "Announce beforehand where the seed will come from (for example the next lottery "
            "draw's winning numbers) and type it exactly as it was published."
        ),
    )


class PaperSerialForm(forms.Form):
    serial = forms.CharField(label=_("Serial number printed on the questionnaire"), max_length=30)
