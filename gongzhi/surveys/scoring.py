"""Scale scores (量表计分): from residents' answers to item scores, then to scale and subscale
scores, one row per respondent.

Plain NumPy, no ORM. The input is a list of submissions, each the answers JSON of one response
(question name -> answer); a scale's rating grids (matrix questions) answer ``{item key: choice
name}``. An item's score is its option's ``score`` (usually the choice name "1".."k" itself;
the SCI-2 counts 0..3). A reverse-keyed item is scored ``(lowest + highest) - score``, so that a
high score always means more of what the scale measures.

A scale or subscale score is the mean of the items the respondent answered (the ``mean``
method of the library files), and NaN when fewer than its ``min_items`` were answered: a mean
of the answered items is the usual "prorated" score of questionnaire manuals, and the minimum
keeps it from resting on one or two items. Reliability (Cronbach's α with its Feldt interval,
McDonald's ω) is computed from :func:`item_matrix` by ``gongzhi.evaluation.alpha``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gongzhi.surveys import scales
from gongzhi.surveys.scales import Scale


@dataclass(frozen=True, eq=False)
class ScaleScores:
    """Scores of one scale for each respondent, in the order of the submissions."""

    scale: str  # "slug@version"
    item_keys: tuple[str, ...]
    answered: np.ndarray  # number of items answered, per respondent
    total: np.ndarray  # the scale score, NaN below the scale's min_items
    subscales: Mapping[str, np.ndarray]  # subscale key -> scores, NaN below its min_items

    @property
    def n(self) -> int:
        """Respondents with a scale score."""
        return int(np.count_nonzero(~np.isnan(self.total)))


def reverse_key(scores: np.ndarray, lowest: float, highest: float) -> np.ndarray:
    """``(lowest + highest) - score``: 1..5 becomes 5..1, 0..3 becomes 3..0; NaN stays NaN."""
    return (lowest + highest) - np.asarray(scores, dtype=float)


def _scale(scale: Scale | str) -> Scale:
    instrument = scales.get(scale) if isinstance(scale, str) else scale
    if not instrument.items:
        raise ValidationError(
            _("This scale's items have not been added yet, so it cannot be scored.")
        )
    return instrument


def _rows(submission: Mapping[str, Any], questions: Sequence[str] | None) -> dict[str, Any]:
    """One respondent's item answers, {item key: choice name}. A submission is either already
    that (the rows gathered from the scale's grids) or a whole answers JSON, whose rating-grid
    answers ({row: choice}) are merged; ``questions`` names the grids to read."""
    if questions is not None:
        rows: dict[str, Any] = {}
        for name in questions:
            answer = submission.get(name)
            if isinstance(answer, Mapping):
                rows.update(answer)
        return rows
    rows = {key: value for key, value in submission.items() if not isinstance(value, Mapping)}
    for value in submission.values():
        if isinstance(value, Mapping):
            rows.update(value)
    return rows


def item_matrix(
    scale: Scale | str,
    answers_list: Sequence[Mapping[str, Any]],
    *,
    questions: Iterable[str] | None = None,
    reverse: bool = True,
) -> np.ndarray:
    """Respondents × items (in the scale's item order) of item scores, NaN where unanswered,
    reverse-keyed items already reversed (unless ``reverse=False``).

    Each element of ``answers_list`` is one respondent's {item key: choice name}, or a whole
    answers JSON (question name -> answer) whose rating grids hold the rows; ``questions``
    limits the search to the named grids (those whose ``scale`` is this scale), which matters
    only if a survey holds another grid with rows of the same names.
    """
    instrument = _scale(scale)
    names = list(questions) if questions is not None else None
    items = instrument.items
    lookup = [
        {option.name: float(option.score) for option in instrument.options_for(item)}
        for item in items
    ]
    matrix = np.full((len(answers_list), len(items)), np.nan)
    for row, submission in enumerate(answers_list):
        answers = _rows(submission, names)
        for column, item in enumerate(items):
            choice = answers.get(item.key)
            if choice is None or choice == "":
                continue
            score = lookup[column].get(str(choice))
            if score is None:
                raise ValidationError(
                    _("%(answer)s is not an answer option of item %(item)s.")
                    % {"answer": choice, "item": item.key}
                )
            matrix[row, column] = score
    if reverse:
        for column, item in enumerate(items):
            if item.reverse:
                options = instrument.options_for(item)
                matrix[:, column] = reverse_key(
                    matrix[:, column], options[0].score, options[-1].score
                )
    return matrix


def mean_scores(matrix: np.ndarray, min_items: int) -> np.ndarray:
    """Per row, the mean of the non-missing values; NaN where fewer than ``min_items``."""
    values = np.asarray(matrix, dtype=float)
    present = ~np.isnan(values)
    count = present.sum(axis=1)
    total = np.where(present, values, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = total / count
    return np.where((count >= max(min_items, 1)), means, np.nan)


def scores(
    scale: Scale | str,
    answers_list: Sequence[Mapping[str, Any]],
    *,
    questions: Iterable[str] | None = None,
) -> ScaleScores:
    """Scale and subscale scores of every submission (see the module docstring)."""
    instrument = _scale(scale)
    matrix = item_matrix(instrument, answers_list, questions=questions)
    subscales = {}
    for subscale in instrument.subscales:
        columns = [i for i, item in enumerate(instrument.items) if item.subscale == subscale.key]
        subscales[subscale.key] = mean_scores(
            matrix[:, columns], instrument.min_items[subscale.key]
        )
    return ScaleScores(
        scale=instrument.ref,
        item_keys=tuple(item.key for item in instrument.items),
        answered=(~np.isnan(matrix)).sum(axis=1),
        total=mean_scores(matrix, instrument.min_items["total"]),
        subscales=subscales,
    )
