"""A survey's definition (问卷结构): the one shape the builder, the XLSForm reader and writer, the
database (as JSON on the Survey) and the answering page share.

Plain dataclasses, no ORM. A definition is a list of sections, each a list of questions; its
JSON is :meth:`Definition.to_dict` and is read back by :meth:`Definition.from_dict`.
:meth:`Definition.validate` says, in the worker's language, everything that is wrong with a
definition at once; :func:`check_answers` checks one respondent's answers against it (skip logic
from :mod:`gongzhi.surveys.logic` included); :func:`display_order` is the order one respondent
sees when a section or a question asks for randomised order, fixed by the respondent's seed so
that a reload shows the same order.

Answers (JSON, keyed by question name): select_one and likert: a choice name; select_multiple: a
list of choice names; matrix: {row name: choice name}; integer: int; decimal: float; text: str;
date: "YYYY-MM-DD"; rank: every choice name, most preferred first. Likert and scale choices are
named "1".."k", their score.
"""

from __future__ import annotations

import datetime
import math
import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from gongzhi.surveys import logic

Labels = dict[str, str]  # language code ("zh-hans", "en") -> text; at least one present
LANGUAGES = ("zh-hans", "en")
KINDS = (
    "select_one",
    "select_multiple",
    "likert",
    "matrix",
    "integer",
    "decimal",
    "text",
    "date",
    "rank",
)
CHOICE_KINDS = ("select_one", "select_multiple", "likert", "matrix", "rank")
RANDOMISABLE_KINDS = ("select_one", "select_multiple", "rank", "matrix")
NUMBER_KINDS = ("integer", "decimal")
NAME_RE = logic.NAME_RE
CHOICE_NAME_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,39}\Z")
FORM_ID_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,63}\Z")
VERSION_RE = re.compile(r"[A-Za-z0-9_.:+-]{0,40}\Z")
SCALE_RE = re.compile(r"[a-z0-9][a-z0-9_-]*@[A-Za-z0-9_.-]+\Z")
SCORE_RE = re.compile(r"\d{1,3}\Z")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
# Characters a spreadsheet cannot hold (XML 1.0 forbids them), so no label may contain them.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
TEXT_ANSWER_MAX = 2000


@dataclass
class Choice:
    """A choice of a choice question, or a row of a matrix."""

    name: str
    labels: Labels


@dataclass
class Question:
    name: str
    kind: str
    labels: Labels
    hints: Labels = field(default_factory=dict)
    required: bool = False
    relevant: str = ""
    choices: list[Choice] = field(default_factory=list)
    rows: list[Choice] = field(default_factory=list)
    randomise: bool = False
    minimum: float | None = None
    maximum: float | None = None
    scale: str = ""


@dataclass
class Section:
    name: str
    labels: Labels
    questions: list[Question]
    randomise: bool = False  # randomise the order of the section's questions
    relevant: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "labels": dict(self.labels),
            "randomise": self.randomise,
            "relevant": self.relevant,
            "questions": [_question_to_dict(question) for question in self.questions],
        }


def row_key(question: str, row: str) -> str:
    """A matrix row's own name where each row is a column or a question of its own (the XLSForm
    row question, an answers export): the matrix's name and the row's, joined by ``_``."""
    return f"{question}_{row}"


@dataclass
class Definition:
    form_id: str
    version: str
    title: Labels
    sections: list[Section]
    anonymous: bool = True
    default_language: str = "zh-hans"

    def questions(self) -> list[Question]:
        return [question for section in self.sections for question in section.questions]

    def question(self, name: str) -> Question | None:
        return next((q for q in self.questions() if q.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "form_id": self.form_id,
            "version": self.version,
            "title": dict(self.title),
            "anonymous": self.anonymous,
            "default_language": self.default_language,
            "sections": [section.to_dict() for section in self.sections],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Definition:
        """Read the JSON of :meth:`to_dict`; labels are stripped and blank ones dropped.

        A wrong shape raises ValidationError; a well-formed but wrong definition is for
        :meth:`validate` to explain.
        """
        reader = _Reader()
        return reader.definition(data)

    def validate(self) -> None:
        """Raise ValidationError with every problem, translated, each naming its question."""
        errors = _validate(self)
        if errors:
            raise ValidationError(errors)


def label(labels: Mapping[str, str], language: str) -> str:
    """The text in the reader's language (``zh-hans``, ``en``, or a variant such as ``en-gb``),
    falling back to the other language."""
    wanted = "en" if language.lower().startswith("en") else "zh-hans"
    for code in (wanted, *LANGUAGES, *labels):
        text = labels.get(code, "")
        if text:
            return text
    return ""


def clean_labels(raw: Mapping[str, Any]) -> Labels:
    """Labels with their text stripped and blank ones left out."""
    labels: Labels = {}
    for code, text in raw.items():
        if isinstance(text, str) and text.strip():
            labels[str(code)] = text.strip()
    return labels


# --- JSON -----------------------------------------------------------------------------------


def _question_to_dict(question: Question) -> dict[str, Any]:
    return {
        "name": question.name,
        "kind": question.kind,
        "labels": dict(question.labels),
        "hints": dict(question.hints),
        "required": question.required,
        "relevant": question.relevant,
        "choices": [{"name": c.name, "labels": dict(c.labels)} for c in question.choices],
        "rows": [{"name": r.name, "labels": dict(r.labels)} for r in question.rows],
        "randomise": question.randomise,
        "minimum": question.minimum,
        "maximum": question.maximum,
        "scale": question.scale,
    }


class _Reader:
    """Typed access to untrusted JSON: a wrong type is a ValidationError naming the field."""

    def malformed(self, where: str) -> ValidationError:
        return ValidationError(
            _("The survey definition is malformed (%(field)s).") % {"field": where},
            code="malformed",
        )

    def mapping(self, value: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.malformed(where)
        return value

    def items(self, value: Any, where: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.malformed(where)
        return value

    def text(self, data: Mapping[str, Any], key: str, where: str, default: str = "") -> str:
        value = data.get(key, default)
        if value is None:
            return default
        if not isinstance(value, str):
            raise self.malformed(f"{where}.{key}")
        return value.strip()

    def flag(self, data: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            raise self.malformed(f"{where}.{key}")
        return value

    def number(self, data: Mapping[str, Any], key: str, where: str) -> float | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.malformed(f"{where}.{key}")
        return float(value)

    def labels(self, data: Mapping[str, Any], key: str, where: str) -> Labels:
        value = data.get(key) or {}
        mapping = self.mapping(value, f"{where}.{key}")
        if not all(isinstance(text, str) for text in mapping.values()):
            raise self.malformed(f"{where}.{key}")
        return clean_labels(mapping)

    def choices(self, data: Mapping[str, Any], key: str, where: str) -> list[Choice]:
        result = []
        for index, raw in enumerate(self.items(data.get(key), f"{where}.{key}")):
            here = f"{where}.{key}[{index}]"
            item = self.mapping(raw, here)
            result.append(Choice(self.text(item, "name", here), self.labels(item, "labels", here)))
        return result

    def question(self, raw: Any, where: str) -> Question:
        data = self.mapping(raw, where)
        name = self.text(data, "name", where)
        here = name or where
        return Question(
            name=name,
            kind=self.text(data, "kind", here),
            labels=self.labels(data, "labels", here),
            hints=self.labels(data, "hints", here),
            required=self.flag(data, "required", here, False),
            relevant=self.text(data, "relevant", here),
            choices=self.choices(data, "choices", here),
            rows=self.choices(data, "rows", here),
            randomise=self.flag(data, "randomise", here, False),
            minimum=self.number(data, "minimum", here),
            maximum=self.number(data, "maximum", here),
            scale=self.text(data, "scale", here),
        )

    def section(self, raw: Any, where: str) -> Section:
        data = self.mapping(raw, where)
        name = self.text(data, "name", where)
        here = name or where
        questions = [
            self.question(item, f"{here}.questions[{index}]")
            for index, item in enumerate(self.items(data.get("questions"), f"{here}.questions"))
        ]
        return Section(
            name=name,
            labels=self.labels(data, "labels", here),
            questions=questions,
            randomise=self.flag(data, "randomise", here, False),
            relevant=self.text(data, "relevant", here),
        )

    def definition(self, raw: Any) -> Definition:
        data = self.mapping(raw, "definition")
        sections = [
            self.section(item, f"sections[{index}]")
            for index, item in enumerate(self.items(data.get("sections"), "sections"))
        ]
        return Definition(
            form_id=self.text(data, "form_id", "definition"),
            version=self.text(data, "version", "definition"),
            title=self.labels(data, "title", "definition"),
            sections=sections,
            anonymous=self.flag(data, "anonymous", "definition", True),
            default_language=self.text(data, "default_language", "definition", "zh-hans"),
        )


# --- validation -----------------------------------------------------------------------------


def _check_labels(
    labels: Mapping[str, str], where: str, errors: list[str], *, needed: bool
) -> None:
    for code in labels:
        if code not in LANGUAGES:
            errors.append(
                _("%(where)s: texts are in Chinese (zh-hans) or English (en), not “%(language)s”.")
                % {"where": where, "language": code}
            )
    if any(CONTROL_RE.search(text) for text in labels.values()):
        errors.append(_("%(where)s: a text contains a control character.") % {"where": where})
    if needed and not any(labels.get(code, "").strip() for code in LANGUAGES):
        errors.append(_("%(where)s needs a text in Chinese or English.") % {"where": where})


def _check_choices(question: Question, errors: list[str]) -> None:
    name = question.name
    fewest = 1 if question.kind == "select_multiple" else 2
    if len(question.choices) < fewest:
        errors.append(
            _("Question %(name)s needs at least %(count)s choices.")
            % {"name": name, "count": fewest}
        )
    seen: set[str] = set()
    for choice in question.choices:
        if not CHOICE_NAME_RE.match(choice.name):
            errors.append(
                _(
                    "Question %(name)s: “%(choice)s” is not a valid choice name (letters, digits, _ . -)."
                )
                % {"name": name, "choice": choice.name}
            )
        elif choice.name in seen:
            errors.append(
                _("Question %(name)s: the choice “%(choice)s” is there twice.")
                % {"name": name, "choice": choice.name}
            )
        seen.add(choice.name)
        _check_labels(
            choice.labels,
            _("Question %(name)s, choice %(choice)s") % {"name": name, "choice": choice.name},
            errors,
            needed=True,
        )
    if question.kind == "likert" and not all(SCORE_RE.match(c.name) for c in question.choices):
        errors.append(
            _("Likert question %(name)s: its choices are named by their score (1, 2, 3 …).")
            % {"name": name}
        )


def _check_rows(question: Question, errors: list[str]) -> None:
    name = question.name
    if question.kind != "matrix":
        if question.rows:
            errors.append(_("Question %(name)s has rows but is not a matrix.") % {"name": name})
        return
    if not question.rows:
        errors.append(_("Matrix question %(name)s needs at least one row.") % {"name": name})
    seen: set[str] = set()
    for row in question.rows:
        if not CHOICE_NAME_RE.match(row.name):
            errors.append(
                _(
                    "Matrix question %(name)s: “%(row)s” is not a valid row name (letters, digits, _ . -)."
                )
                % {"name": name, "row": row.name}
            )
        elif row.name in seen:
            errors.append(
                _("Matrix question %(name)s: the row “%(row)s” is there twice.")
                % {"name": name, "row": row.name}
            )
        seen.add(row.name)
        _check_labels(
            row.labels,
            _("Matrix question %(name)s, row %(row)s") % {"name": name, "row": row.name},
            errors,
            needed=True,
        )


def _check_question(question: Question, errors: list[str]) -> None:
    name = question.name
    if question.kind not in KINDS:
        errors.append(
            _("Question %(name)s: “%(kind)s” is not a question type.")
            % {"name": name, "kind": question.kind}
        )
        return
    _check_labels(question.labels, _("Question %(name)s") % {"name": name}, errors, needed=True)
    _check_labels(
        question.hints, _("The hint of question %(name)s") % {"name": name}, errors, needed=False
    )
    if question.kind in CHOICE_KINDS:
        _check_choices(question, errors)
    elif question.choices:
        errors.append(
            _("Question %(name)s has choices but is not a choice question.") % {"name": name}
        )
    _check_rows(question, errors)
    if question.randomise and question.kind not in RANDOMISABLE_KINDS:
        errors.append(
            _(
                "Question %(name)s: only choices, rankings and matrix rows can be shown in random order."
            )
            % {"name": name}
        )
    bounds = [b for b in (question.minimum, question.maximum) if b is not None]
    if bounds and question.kind not in NUMBER_KINDS:
        errors.append(
            _("Question %(name)s: only number questions have a minimum and a maximum.")
            % {"name": name}
        )
    elif not all(math.isfinite(b) for b in bounds):
        errors.append(_("Question %(name)s: the minimum and maximum are numbers.") % {"name": name})
    elif (
        question.minimum is not None
        and question.maximum is not None
        and question.minimum > question.maximum
    ):
        errors.append(
            _("Question %(name)s: the minimum is larger than the maximum.") % {"name": name}
        )
    if question.scale and not SCALE_RE.match(question.scale):
        errors.append(
            _("Question %(name)s: “%(scale)s” does not name a scale as slug@version.")
            % {"name": name, "scale": question.scale}
        )
    elif question.scale and not (
        question.choices and all(SCORE_RE.match(c.name) for c in question.choices)
    ):
        # A scale is scored from its answers: each choice is named by its score.
        errors.append(
            _(
                "Question %(name)s asks the scale %(scale)s: its choices are named by their score (1, 2, 3 …)."
            )
            % {"name": name, "scale": question.scale}
        )


def _check_relevant(
    expression: str,
    where: str,
    earlier: Mapping[str, Question],
    forbidden: Iterable[str],
    errors: list[str],
) -> None:
    if not expression:
        return
    try:
        expr = logic.parse(expression)
    except ValidationError as error:
        errors.append(f"{where}: {' '.join(error.messages)}")
        return
    forbidden = set(forbidden)
    for name in sorted(logic.references(expr)):
        question = earlier.get(name)
        if name in forbidden:
            errors.append(
                _(
                    "%(where)s: the skip logic refers to %(other)s, which is shown in random order "
                    "in the same section, so it may come later."
                )
                % {"where": where, "other": name}
            )
        elif question is None:
            errors.append(
                _(
                    "%(where)s: the skip logic refers to %(other)s, which is not an earlier question."
                )
                % {"where": where, "other": name}
            )
        elif question.kind == "matrix":
            errors.append(
                _("%(where)s: the skip logic cannot refer to the matrix %(other)s as a whole.")
                % {"where": where, "other": name}
            )


def _validate(definition: Definition) -> list[str]:
    errors: list[str] = []
    if not FORM_ID_RE.match(definition.form_id):
        errors.append(
            _(
                "The form ID “%(form_id)s” must start with a letter and use letters, digits and _ . -."
            )
            % {"form_id": definition.form_id}
        )
    if not VERSION_RE.match(definition.version):
        errors.append(
            _("The version “%(version)s” uses letters, digits and . _ - (at most 40).")
            % {"version": definition.version}
        )
    if definition.default_language not in LANGUAGES:
        errors.append(
            _("The default language is zh-hans or en, not “%(language)s”.")
            % {"language": definition.default_language}
        )
    _check_labels(definition.title, _("The survey's title"), errors, needed=True)
    if not definition.questions():
        errors.append(_("The survey needs at least one question."))

    # Sections, questions and matrix rows (as exported) share one namespace: each names a group,
    # a question or a column in XLSForm and in the answers' export.
    names: dict[str, int] = {}
    for section in definition.sections:
        names[section.name] = names.get(section.name, 0) + 1
        for question in section.questions:
            names[question.name] = names.get(question.name, 0) + 1
            if question.kind == "matrix":
                for row in question.rows:
                    key = row_key(question.name, row.name)
                    names[key] = names.get(key, 0) + 1
    for section in definition.sections:
        for name in (section.name, *(q.name for q in section.questions)):
            if not NAME_RE.match(name) or name.lower() == "meta" or name.lower().startswith("xml"):
                # "meta" holds XForms' metadata and names starting "xml" are reserved by XML.
                errors.append(
                    _(
                        "“%(name)s” is not a valid name: up to 40 letters, digits and _, starting "
                        "with a letter or _ (not meta, nor xml…)."
                    )
                    % {"name": name}
                )
    for name, count in names.items():
        if count > 1:
            errors.append(_("The name %(name)s is used more than once.") % {"name": name})

    earlier: dict[str, Question] = {}
    for section in definition.sections:
        where = _("Section %(name)s") % {"name": section.name}
        _check_labels(section.labels, where, errors, needed=True)
        if not section.questions:
            errors.append(_("Section %(name)s has no questions.") % {"name": section.name})
        _check_relevant(section.relevant, where, earlier, (), errors)
        shuffled = {q.name for q in section.questions} if section.randomise else set()
        for question in section.questions:
            _check_question(question, errors)
            _check_relevant(
                question.relevant,
                _("Question %(name)s") % {"name": question.name},
                earlier,
                shuffled - {question.name},
                errors,
            )
            earlier[question.name] = question
    return errors


# --- answers --------------------------------------------------------------------------------


def _is_blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


class _AnswerError(Exception):
    pass


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise _AnswerError(_("Enter a whole number."))
    if isinstance(value, int) and abs(value) < 10**15:  # as many digits as a typed one
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d{1,15}\s*", value):
        return int(value)
    raise _AnswerError(_("Enter a whole number."))


def _decimal(value: Any) -> float:
    if isinstance(value, bool):
        raise _AnswerError(_("Enter a number."))
    try:
        if isinstance(value, int | float):
            number = float(value)
        elif isinstance(value, str) and re.fullmatch(r"\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*", value):
            number = float(value)
        else:
            raise _AnswerError(_("Enter a number."))
    except OverflowError:  # an integer past float's range (10**400)
        raise _AnswerError(_("Enter a number.")) from None
    if not math.isfinite(number):
        raise _AnswerError(_("Enter a number."))
    return number


def _date(value: Any) -> str:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, str) and DATE_RE.match(value.strip()):
        try:
            return datetime.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise _AnswerError(_("Enter a date as YYYY-MM-DD."))


def _one_choice(question: Question, value: Any) -> str:
    if not isinstance(value, str) or value not in {c.name for c in question.choices}:
        raise _AnswerError(_("Choose one of the choices given."))
    return value


def _choice_list(question: Question, value: Any) -> list[str]:
    names = [c.name for c in question.choices]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise _AnswerError(_("Choose from the choices given."))
    if len(set(value)) != len(value) or not set(value) <= set(names):
        raise _AnswerError(_("Choose from the choices given, each at most once."))
    if question.kind == "rank":
        if set(value) != set(names):
            raise _AnswerError(_("Put every choice in order."))
        return list(value)
    return [name for name in names if name in value]


def _matrix(question: Question, value: Any, label_language: str) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise _AnswerError(_("Choose one answer in each row."))
    rows = {row.name: row for row in question.rows}
    choices = {c.name for c in question.choices}
    answer: dict[str, str] = {}
    for row_name, choice in value.items():
        row = rows.get(row_name)
        if row is None:
            raise _AnswerError(_("There is no row %(row)s.") % {"row": row_name})
        if _is_blank(choice):
            continue
        if not isinstance(choice, str) or choice not in choices:
            raise _AnswerError(
                _("Row “%(row)s”: choose one of the choices given.")
                % {"row": label(row.labels, label_language)}
            )
        answer[row_name] = choice
    if question.required:
        missing = [row for row in question.rows if row.name not in answer]
        if missing:
            raise _AnswerError(
                _("Row “%(row)s”: this row needs an answer.")
                % {"row": label(missing[0].labels, label_language)}
            )
    return {row.name: answer[row.name] for row in question.rows if row.name in answer}


def _answer(question: Question, value: Any, language: str) -> Any:
    kind = question.kind
    if kind in ("select_one", "likert"):
        return _one_choice(question, value)
    if kind in ("select_multiple", "rank"):
        return _choice_list(question, value)
    if kind == "matrix":
        return _matrix(question, value, language)
    if kind == "date":
        return _date(value)
    if kind == "text":
        if not isinstance(value, str):
            raise _AnswerError(_("Enter text."))
        if len(value) > TEXT_ANSWER_MAX:
            raise _AnswerError(
                _("Keep the answer under %(count)s characters.") % {"count": TEXT_ANSWER_MAX}
            )
        return value.strip()
    number: float = _integer(value) if kind == "integer" else _decimal(value)
    if question.minimum is not None and number < question.minimum:
        raise _AnswerError(
            _("The answer is at least %(minimum)s.") % {"minimum": _plain(question.minimum)}
        )
    if question.maximum is not None and number > question.maximum:
        raise _AnswerError(
            _("The answer is at most %(maximum)s.") % {"maximum": _plain(question.maximum)}
        )
    return number


def _plain(number: float) -> str:
    number = float(number)
    return str(int(number)) if number.is_integer() else str(number)


def check_answers(
    definition: Definition, answers: Mapping[str, Any], language: str
) -> dict[str, Any]:
    """One submission, checked and cleaned: the answers to keep, typed as the module docstring
    says. Unknown keys are refused; a required question must be answered unless the skip logic
    hides it; answers to hidden questions are dropped (and count as unanswered for later skip
    logic, as in ODK). Errors: ValidationError keyed by question name, in ``language``."""
    with translation.override(language):
        errors: dict[str, list[str]] = {}
        questions = {q.name: q for q in definition.questions()}
        for key in answers:
            if key not in questions:
                errors[str(key)] = [
                    _("There is no question %(name)s in this survey.") % {"name": key}
                ]
        cleaned: dict[str, Any] = {}
        for section in definition.sections:
            shown = logic.is_relevant(section.relevant, cleaned)
            for question in section.questions:
                if not (shown and logic.is_relevant(question.relevant, cleaned)):
                    continue
                value = answers.get(question.name)
                if _is_blank(value):
                    if question.required:
                        errors[question.name] = [
                            _("Please answer “%(question)s”.")
                            % {"question": label(question.labels, language)}
                        ]
                    continue
                try:
                    answer = _answer(question, value, language)
                except _AnswerError as error:
                    errors[question.name] = [
                        _("“%(question)s”: %(problem)s")
                        % {"question": label(question.labels, language), "problem": error.args[0]}
                    ]
                    continue
                if not _is_blank(answer):
                    cleaned[question.name] = answer
        if errors:
            raise ValidationError(errors)
    return cleaned


# --- randomised order -----------------------------------------------------------------------


@dataclass(frozen=True)
class DisplayOrder:
    """What one respondent sees, in order: each section's question names, and each choice
    question's choice names (a matrix: its row names; a likert scale keeps its order)."""

    questions: dict[str, tuple[str, ...]]
    choices: dict[str, tuple[str, ...]]


def _shuffled(names: list[str], seed: int | str, scope: str) -> tuple[str, ...]:
    # One generator per section or question, seeded by the respondent's seed and the name: the
    # order survives a reload, and adding a question does not reshuffle the others.
    rng = random.Random(f"{seed}/{scope}")  # noqa: S311 - presentation order, not a secret
    names = list(names)
    rng.shuffle(names)
    return tuple(names)


def display_order(definition: Definition, seed: int | str) -> DisplayOrder:
    questions: dict[str, tuple[str, ...]] = {}
    choices: dict[str, tuple[str, ...]] = {}
    for section in definition.sections:
        names = [q.name for q in section.questions]
        questions[section.name] = (
            _shuffled(names, seed, f"section:{section.name}") if section.randomise else tuple(names)
        )
        for question in section.questions:
            items = question.rows if question.kind == "matrix" else question.choices
            if not items:
                continue
            item_names = [item.name for item in items]
            choices[question.name] = (
                _shuffled(item_names, seed, f"question:{question.name}")
                if question.randomise and question.kind in RANDOMISABLE_KINDS
                else tuple(item_names)
            )
    return DisplayOrder(questions=questions, choices=choices)
