"""A survey's results (问卷结果): each library scale's score per wave with its reliability
beside it, the reliability of a community's mean where several communities of the street ask
the same questions, and the change between two waves.

The arithmetic is elsewhere and plain: ``scoring`` turns answers into item matrices and scores
(reverse-keyed items turned round), ``gongzhi.evaluation.alpha`` gives Cronbach's α with its
Feldt interval, McDonald's ω, item-total correlations and α-if-deleted, and ICC(1)/ICC(2);
``gongzhi.evaluation.change`` the before/after with its bootstrap interval and effect size.
This room gathers the answers (``selectors``), picks what may be shown, and says why something
is not: a score is shown only over at least ``min_n`` respondents (``EVALUATION_MIN_CELL``,
as the evaluation dashboard hides small groups), and reliability needs a few more.

Only library scales are scored: a question a worker wrote has no validated scoring rule, and its
answers are in the export.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.evaluation import alpha, change
from gongzhi.surveys import scales, scoring
from gongzhi.surveys.definition import Definition, Labels
from gongzhi.surveys.models import Response, Status, Survey, Wave

#: Reliability needs more than a score: below this many complete answers α's interval is too
#: wide to say anything (Feldt's interval with 5 respondents spans most of 0–1).
MIN_RELIABILITY_N = 10
#: Below this α a score's items agree only loosely (0.7 is the usual bar, after Nunnally 1978;
#: the page warns below 0.6 and shows the score with the warning).
ALPHA_LOW = 0.6
#: A community-level reliability needs at least this many communities with answers.
MIN_COMMUNITIES = 3
#: Bootstrap resamples for the before/after (BCa); enough for a 95 % interval's ends.
RESAMPLES = 4999


def min_cell() -> int:
    """Scores over fewer respondents than this are not shown (``EVALUATION_MIN_CELL``)."""
    return int(getattr(settings, "EVALUATION_MIN_CELL", 5))


@dataclass(frozen=True)
class ItemRow:
    key: str
    labels: Labels
    reverse: bool
    item_total: float | None
    alpha_if_deleted: float | None


@dataclass(frozen=True)
class ScoreRow:
    """One score of a scale (its total, or a subscale) in one wave."""

    key: str  # "" for the whole scale
    names: Labels
    n: int  # respondents with a score
    mean: float | None  # None when hidden (n below the minimum)
    sd: float | None
    reliability: alpha.Reliability | None
    #: Why a figure is missing, in plain words ("" when all is shown).
    note: str
    items: tuple[ItemRow, ...] = ()

    @property
    def shown(self) -> bool:
        return self.mean is not None


@dataclass(frozen=True)
class ScaleResult:
    ref: str  # "slug@version"
    scale: Any  # scales.Scale
    rows: tuple[ScoreRow, ...]
    group: alpha.GroupReliability | None = None
    group_note: str = ""


@dataclass(frozen=True)
class WaveResult:
    wave: Wave
    responses: int
    scales: tuple[ScaleResult, ...]
    min_n: int


@dataclass(frozen=True)
class ChangeRow:
    ref: str
    key: str
    names: Labels
    change: change.Change | None
    note: str


@dataclass(frozen=True)
class Comparison:
    first: Wave
    second: Wave
    paired: bool
    pairs: int
    rows: tuple[ChangeRow, ...]
    min_n: int
    notes: list[str] = field(default_factory=list)


# --- plain computations (no database) ----------------------------------------------------


def scale_refs(definition: Definition) -> list[str]:
    """The library scales a survey asks, in the order they appear."""
    refs: list[str] = []
    for question in definition.questions():
        if question.scale and question.scale not in refs:
            refs.append(question.scale)
    return refs


def item_answers(
    definition: Definition, ref: str, answers: Iterable[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each respondent's answers to the scale ``ref`` as {item key: choice name}, gathered from
    every rating grid of the survey that carries the scale (a scale whose subscales use
    different options is asked as several grids)."""
    grids = [q.name for q in definition.questions() if q.scale == ref and q.kind == "matrix"]
    out = []
    for answer in answers:
        merged: dict[str, Any] = {}
        for name in grids:
            value = answer.get(name)
            if isinstance(value, dict):
                merged.update(value)
        out.append(merged)
    return out


def _finite(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=float).ravel()
    return values[~np.isnan(values)]


def _fmt_none(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def score_rows(
    scale: Any, items_answers: list[dict[str, Any]], *, min_n: int
) -> tuple[ScoreRow, ...]:
    """The total and each subscale: mean, SD and n of the scores, and reliability over the
    respondents who answered every item of it (listwise)."""
    matrix = np.asarray(scoring.item_matrix(scale, items_answers), dtype=float)
    result = scoring.scores(scale, items_answers)
    keys = [item.key for item in scale.items]
    parts: list[tuple[str, Labels, list[int], np.ndarray]] = [
        ("", dict(scale.names), list(range(len(keys))), np.asarray(result.total, dtype=float))
    ]
    for sub in scale.subscales:
        columns = [i for i, item in enumerate(scale.items) if item.subscale == sub.key]
        if columns:
            parts.append(
                (
                    sub.key,
                    dict(sub.names),
                    columns,
                    np.asarray(result.subscales[sub.key], dtype=float),
                )
            )
    rows = []
    for key, names, columns, values in parts:
        values = _finite(values)
        n = len(values)
        items = tuple(
            ItemRow(
                key=scale.items[i].key,
                labels=dict(scale.items[i].labels),
                reverse=bool(scale.items[i].reverse),
                item_total=None,
                alpha_if_deleted=None,
            )
            for i in columns
        )
        if n < max(min_n, 1):
            rows.append(
                ScoreRow(
                    key=key,
                    names=names,
                    n=n,
                    mean=None,
                    sd=None,
                    reliability=None,
                    note=_(
                        "Fewer than %(n)s answers: the score is not shown, so that nobody's "
                        "answers can be worked out and no one reads much into a handful."
                    )
                    % {"n": min_n},
                    items=items,
                )
            )
            continue
        mean = float(values.mean())
        sd = float(values.std(ddof=1)) if n > 1 else math.nan
        sub_matrix = matrix[:, columns]
        complete = int((~np.isnan(sub_matrix).any(axis=1)).sum())
        reliability = None
        note = ""
        if len(columns) < 2:
            note = _("A single item has no internal consistency to measure.")
        elif complete < max(MIN_RELIABILITY_N, min_n):
            note = _(
                "Reliability needs at least %(n)s complete answers (%(have)s so far): with fewer, "
                "its interval says little."
            ) % {"n": max(MIN_RELIABILITY_N, min_n), "have": complete}
        else:
            try:
                reliability = alpha.reliability(sub_matrix, missing="listwise")
            except ValueError as exc:
                note = str(exc)
            else:
                if reliability.alpha < 0:
                    note = _(
                        "α is below zero: the items do not measure one thing in these answers, "
                        "or some were understood the other way round. Do not use this score "
                        "before looking at the items below."
                    )
                elif reliability.alpha < ALPHA_LOW:
                    note = _(
                        "α is below %(low)s: the items agree only loosely; read this score "
                        "with care and look at the items below."
                    ) % {"low": ALPHA_LOW}
                items = tuple(
                    ItemRow(
                        key=item.key,
                        labels=item.labels,
                        reverse=item.reverse,
                        item_total=_fmt_none(reliability.item_total[j]),
                        alpha_if_deleted=_fmt_none(reliability.alpha_if_deleted[j]),
                    )
                    for j, item in enumerate(items)
                )
        rows.append(
            ScoreRow(
                key=key,
                names=names,
                n=n,
                mean=mean,
                sd=_fmt_none(sd),
                reliability=reliability,
                note=note,
                items=items,
            )
        )
    return tuple(rows)


def group_reliability(
    scale: Any, by_community: dict[int, list[dict[str, Any]]], *, min_n: int
) -> tuple[alpha.GroupReliability | None, str]:
    """ICC(1) and ICC(2) of the scale's total score across the communities that answered;
    communities with fewer than ``min_n`` scores are left out."""
    scores: list[float] = []
    groups: list[int] = []
    for community_id, items_answers in by_community.items():
        total = _finite(np.asarray(scoring.scores(scale, items_answers).total, dtype=float))
        if len(total) < min_n:
            continue
        scores.extend(float(x) for x in total)
        groups.extend([community_id] * len(total))
    communities = len(set(groups))
    if communities < MIN_COMMUNITIES:
        return None, _(
            "Community-level reliability needs at least %(k)s communities of the street asking "
            "the same survey, each with %(n)s answers or more (%(have)s so far)."
        ) % {"k": MIN_COMMUNITIES, "n": min_n, "have": communities}
    try:
        return alpha.community_reliability(np.asarray(scores), np.asarray(groups)), ""
    except ValueError as exc:
        return None, str(exc)


def change_rows(
    scale: Any,
    ref: str,
    before: list[dict[str, Any]],
    after: list[dict[str, Any]],
    *,
    paired: bool,
    min_n: int,
    seed: int = 0,
) -> tuple[ChangeRow, ...]:
    """Before/after of the total and each subscale. Paired: ``before[i]`` and ``after[i]`` are
    one person's item answers in the two waves."""
    first = scoring.scores(scale, before)
    second = scoring.scores(scale, after)
    parts: list[tuple[str, Labels, Any, Any]] = [("", dict(scale.names), first.total, second.total)]
    for sub in scale.subscales:
        if sub.key in first.subscales:
            parts.append(
                (sub.key, dict(sub.names), first.subscales[sub.key], second.subscales[sub.key])
            )
    rows = []
    for key, names, b, a in parts:
        b_arr, a_arr = np.asarray(b, dtype=float), np.asarray(a, dtype=float)
        if paired:
            n = int((~(np.isnan(b_arr) | np.isnan(a_arr))).sum())
            small = n < min_n
        else:
            n = min(len(_finite(b_arr)), len(_finite(a_arr)))
            small = n < min_n
        if small:
            rows.append(
                ChangeRow(
                    ref=ref,
                    key=key,
                    names=names,
                    change=None,
                    note=(
                        _("Fewer than %(n)s people answered both waves: no comparison is shown.")
                        if paired
                        else _("Fewer than %(n)s answers in a wave: no comparison is shown.")
                    )
                    % {"n": min_n},
                )
            )
            continue
        try:
            result = change.before_after(
                b_arr, a_arr, paired=paired, resamples=RESAMPLES, seed=seed
            )
        except ValueError as exc:
            rows.append(ChangeRow(ref=ref, key=key, names=names, change=None, note=str(exc)))
        else:
            rows.append(ChangeRow(ref=ref, key=key, names=names, change=result, note=""))
    return tuple(rows)


# --- gathering answers -------------------------------------------------------------------


def _definition(survey: Survey) -> Definition:
    return Definition.from_dict(survey.definition)


def _scale(ref: str, survey: Survey) -> Any | None:
    try:
        return scales.get(ref, community=survey.community)
    except LookupError:
        return None


def wave_answers(wave: Wave) -> list[dict[str, Any]]:
    from gongzhi.surveys import selectors

    return list(selectors.wave_answers(wave))


def _street_answers(wave: Wave) -> dict[int, list[dict[str, Any]]]:
    """Answers to the same wave (position) of the same form in every community of the street."""
    survey = wave.survey
    # Cross-tenant on purpose: only scores and their community leave this function, for ICC.
    responses = (
        Response.objects.all_communities()
        .filter(
            community__street_id=survey.community.street_id,
            wave__survey__form_id=survey.form_id,
            wave__survey__version=survey.version,
            wave__position=wave.position,
        )
        # Only rounds that have closed (Wave.closed): an open round's answers are not read.
        .filter(Q(wave__closes_at__lte=timezone.now()) | Q(wave__survey__status=Status.CLOSED))
        .values_list("community_id", "answers")
    )
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for community_id, answers in responses:
        grouped[community_id].append(answers)
    return grouped


def wave_result(
    wave: Wave, *, min_n: int | None = None, answers: list[dict[str, Any]] | None = None
) -> WaveResult:
    """Every library scale's scores in ``wave``, with reliability beside them (``answers``: the
    wave's answers when the caller has read them already)."""
    min_n = min_cell() if min_n is None else min_n
    survey = wave.survey
    definition = _definition(survey)
    answers = wave_answers(wave) if answers is None else answers
    street: dict[int, list[dict[str, Any]]] | None = None
    results = []
    for ref in scale_refs(definition):
        scale = _scale(ref, survey)
        if scale is None:
            continue
        rows = score_rows(scale, item_answers(definition, ref, answers), min_n=min_n)
        if street is None:
            street = _street_answers(wave)
        group, group_note = group_reliability(
            scale,
            {c: item_answers(definition, ref, a) for c, a in street.items()},
            min_n=min_n,
        )
        results.append(
            ScaleResult(ref=ref, scale=scale, rows=rows, group=group, group_note=group_note)
        )
    return WaveResult(wave=wave, responses=len(answers), scales=tuple(results), min_n=min_n)


def compare(
    first: Wave,
    second: Wave,
    *,
    min_n: int | None = None,
    answers: dict[int, list[dict[str, Any]]] | None = None,
) -> Comparison:
    """Before/after between two waves of one survey: paired by person when the survey is
    identified and at least ``min_n`` consenting people answered both; otherwise the waves
    are compared as two samples of the community."""
    from gongzhi.surveys import selectors

    min_n = min_cell() if min_n is None else min_n
    survey = first.survey
    definition = _definition(survey)
    pairs: Sequence[tuple[dict[str, Any], dict[str, Any]]] = []
    if not survey.anonymous:
        pairs = selectors.paired_answers(first, second)
    paired = len(pairs) >= min_n
    notes = []
    if paired:
        before = [b for b, _a in pairs]
        after = [a for _b, a in pairs]
    else:
        known = answers or {}
        before = known[first.pk] if first.pk in known else wave_answers(first)
        after = known[second.pk] if second.pk in known else wave_answers(second)
        if not survey.anonymous:
            notes.append(
                _(
                    "Too few people agreed to link their answers in both waves to compare the "
                    "same people; the waves are compared as two samples."
                )
            )
    rows: list[ChangeRow] = []
    for ref in scale_refs(definition):
        scale = _scale(ref, survey)
        if scale is None:
            continue
        rows.extend(
            change_rows(
                scale,
                ref,
                item_answers(definition, ref, before),
                item_answers(definition, ref, after),
                paired=paired,
                min_n=min_n,
            )
        )
    return Comparison(
        first=first,
        second=second,
        paired=paired,
        pairs=len(pairs),
        rows=tuple(rows),
        min_n=min_n,
        notes=notes,
    )
