"""Survey scale scores as outcomes for evaluation's comparisons (``OUTCOMES`` in the manifest;
``gongzhi.core.outcomes``): for each library scale a survey asks, the mean scale score of each
community's respondents in each round, dated by the month the round opened.

Anonymous answers are read only as numbers into a mean; a mean over fewer respondents than
``EVALUATION_MIN_CELL`` is left out, as the results page hides it. Only library scales are
scored (a question a worker wrote has no validated scoring rule).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language

from gongzhi.core.models import Community
from gongzhi.core.outcomes import OutcomePoint, OutcomeSeries
from gongzhi.surveys import results, scales, scoring
from gongzhi.surveys.definition import Definition, label
from gongzhi.surveys.models import Response, Wave


def _month(moment: Any) -> date:
    return timezone.localtime(moment).date().replace(day=1)


def scale_means(
    *, communities: Sequence[Community], start: date, end: date
) -> dict[str, OutcomeSeries]:
    """``{scale ref: OutcomeSeries}`` over the rounds that opened in ``start``..``end`` in
    ``communities``: two queries, then scoring in memory."""
    waves = [
        wave
        for wave in Wave.objects.in_communities(communities)
        .select_related("survey")
        .order_by("opens_at", "pk")
        if start <= _month(wave.opens_at) <= end and wave.closed  # an open round is not read
    ]
    answers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for wave_id, given in (
        Response.objects.in_communities(communities)
        .filter(wave__in=[w.pk for w in waves])
        .order_by("pk")
        .values_list("wave_id", "answers")
    ):
        answers[wave_id].append(given)
    language = (get_language() or "zh-hans").lower()
    least = results.min_cell()
    series: dict[str, OutcomeSeries] = {}
    # Rounds of one community opening in the same month pool their respondents.
    pooled: dict[tuple[str, int, date], list[float]] = defaultdict(list)
    for wave in waves:
        if not answers[wave.pk]:
            continue
        definition = Definition.from_dict(wave.survey.definition)
        for ref in results.scale_refs(definition):
            try:
                scale = scales.get(ref, community=wave.community_id)
                scores = scoring.scores(
                    scale, results.item_answers(definition, ref, answers[wave.pk])
                )
            except ValidationError:  # a licensed scale without its items yet
                continue
            total = np.asarray(scores.total, dtype=float)
            pooled[(ref, wave.community_id, _month(wave.opens_at))].extend(
                total[~np.isnan(total)].tolist()
            )
            if ref not in series:
                low = min((o.score for o in scale.options), default=None)
                high = max((o.score for o in scale.options), default=None)
                series[ref] = OutcomeSeries(
                    label=label(scale.names, language),
                    unit=f"({low}–{high})" if low is not None else "",
                )
    for (ref, community_id, month), values in pooled.items():
        if len(values) >= least:
            series[ref].points.append(
                OutcomePoint(
                    community_id=community_id,
                    month=month,
                    mean=float(np.mean(values)),
                    n=len(values),
                )
            )
    return series
