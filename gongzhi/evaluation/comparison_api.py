"""Difference-in-differences in the API (staff, as the evaluation pages): the page's comparison
as data: the 2×2 means, the estimate with its default cluster-corrected interval, the HC1 and
classical ones and the wild cluster bootstrap, and the event study. Refused comparisons (too few
communities, no controls) answer 200 with ``refusal`` set and no estimate: the means are still
worth reading."""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from gongzhi.core.http import api_user
from gongzhi.core.selectors import community_get
from gongzhi.evaluation.comparison_views import run_did
from gongzhi.evaluation.did import DidResult

router = Router(tags=["evaluation"])

VIEW = "evaluation.view"


class DidQuery(Schema):
    outcome: str = Field(
        "",
        description='"indicator:<key>" or "<source>:<key>" (a survey scale); default: the '
        "participation rate.",
    )
    treatment: str = Field(
        "",
        description='"record:<intervention id>" or "kind:<programme|training|body|other>"; '
        "default: the community's latest intervention.",
    )
    split: str = Field(
        "", description="YYYY-MM, the first month counted as after; default: the start."
    )
    before: int | None = Field(None, description="Months before the split: 3, 6, 9, 12, 18, 24.")
    after: int | None = Field(None, description="Months after the split: 3, 6, 9, 12, 18, 24.")


class DidMeanOut(Schema):
    treated: bool
    post: bool
    mean: float | None = Field(..., description="Mean over community-months; null if none.")
    months: int
    communities: int


class DidEstimateOut(Schema):
    se_kind: str = Field(..., description="cluster (CR3, t with G−1 df), hc1 or classical")
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    df: float | None
    clusters: int | None
    method_note: str


class DidWildOut(Schema):
    p_value: float
    ci_low: float | None = Field(..., description="null when the test inversion has no bound")
    ci_high: float | None
    reps: int
    seed: int
    weights: str


class DidEventOut(Schema):
    period: int = Field(..., description="Months from the start; −1 is the reference.")
    estimate: float
    ci_low: float
    ci_high: float


class DidCommunityOut(Schema):
    slug: str
    name: str


class DidExcludedOut(DidCommunityOut):
    reason: str


class DidOut(Schema):
    outcome: str
    outcome_label: str
    unit: str = Field(..., description='"%" for a rate: differences are percentage points.')
    treatment: str
    split: str = Field(..., description="YYYY-MM")
    window_start: str
    window_end: str
    treated: list[DidCommunityOut]
    controls: list[DidCommunityOut]
    excluded: list[DidExcludedOut]
    n: int = Field(..., description="Community-months in the panel.")
    communities: int
    periods: int
    means: list[DidMeanOut]
    refusal: str = Field(..., description="Why no estimate is given; empty when one is.")
    cautions: list[str]
    estimate: DidEstimateOut | None
    hc1: DidEstimateOut | None
    classical: DidEstimateOut | None
    wild_bootstrap: DidWildOut | None
    event_study: list[DidEventOut]


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _estimate(result: DidResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {
        "se_kind": result.se_kind,
        "estimate": result.estimate,
        "se": result.se,
        "ci_low": result.ci_low,
        "ci_high": result.ci_high,
        "p_value": result.p_value,
        "df": result.df,
        "clusters": result.clusters,
        "method_note": result.method_note,
    }


@router.get(
    "/{slug}/comparisons/did",
    response=DidOut,
    summary="Difference-in-differences of an outcome across the street's communities (staff)",
)
def did_result(request: HttpRequest, slug: str, query: Query[DidQuery]) -> Any:
    community = community_get(slug=slug, user=api_user(request), perm=VIEW)
    params = {k: str(v) for k, v in query.dict().items() if v not in (None, "")}
    form, result, _size = run_did(community, params)
    if result is None:
        errors = form.errors.as_data() if form.is_bound else {}
        messages = [str(m) for field in errors.values() for e in field for m in e.messages]
        raise ValidationError(
            " ".join(messages) or _("This outcome is not one the street's data holds."),
            code="invalid_comparison",
        )
    panel = result.panel
    wild = result.wild
    return {
        "outcome": result.outcome.key,
        "outcome_label": result.outcome.label,
        "unit": result.outcome.unit,
        "treatment": result.design.treatment,
        "split": f"{result.design.split:%Y-%m}",
        "window_start": f"{result.design.start:%Y-%m}",
        "window_end": f"{result.design.end:%Y-%m}",
        "treated": [{"slug": c.slug, "name": c.name} for c in panel.treated],
        "controls": [{"slug": c.slug, "name": c.name} for c in panel.controls],
        "excluded": [{"slug": c.slug, "name": c.name, "reason": why} for c, why in panel.excluded],
        "n": len(panel.rows),
        "communities": result.communities,
        "periods": result.periods,
        "means": [
            {
                "treated": treated,
                "post": post,
                "mean": cell.mean,
                "months": cell.months,
                "communities": cell.communities,
            }
            for (treated, post), cell in result.means.items()
        ],
        "refusal": result.refusal,
        "cautions": result.cautions,
        "estimate": _estimate(result.result),
        "hc1": _estimate(result.hc1),
        "classical": _estimate(result.classical),
        "wild_bootstrap": None
        if wild is None
        else {
            "p_value": wild.p_value,
            "ci_low": _finite(wild.ci_low),
            "ci_high": _finite(wild.ci_high),
            "reps": wild.reps,
            "seed": wild.seed,
            "weights": wild.weights,
        },
        "event_study": []
        if result.event is None
        else [
            {"period": p, "estimate": e, "ci_low": lo, "ci_high": hi}
            for p, e, lo, hi in zip(
                result.event.periods,
                result.event.estimates,
                result.event.ci_low,
                result.event.ci_high,
                strict=True,
            )
        ],
    }
