"""Mediation's statistics in the API: counts only, suppressed (``stats.py``)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

import rules
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from gongzhi.core.http import api_user
from gongzhi.core.selectors import community_get
from gongzhi.mediation import stats

router = Router(tags=["mediation"])


class MediationStatLine(Schema):
    key: str
    label: str
    count: int | None = Field(..., description="null: hidden, too few cases to show.")


class MediationStatRate(Schema):
    numerator: int | None
    denominator: int | None
    value: float | None = Field(..., description="0..1; null: hidden or nothing to divide.")


class MediationStatisticsOut(Schema):
    scope: str
    threshold: int = Field(..., description="Figures over fewer cases than this are hidden.")
    as_of: date | None = Field(
        ...,
        description="The figures stand as at the start of this day, the first of the current "
        "month: they change once a month, so no single case shows by difference.",
    )
    cases: int
    by_kind: list[MediationStatLine]
    by_channel: list[MediationStatLine]
    agreement: MediationStatRate = Field(
        ..., description="Of the cases mediated to an end, the share agreed."
    )
    median_days_to_agreement: float | None
    within_month: MediationStatRate = Field(
        ..., description="Of the cases mediated to an end, the share concluded within 30 days."
    )
    performance: list[MediationStatLine] = Field(
        ..., description="Agreed cases with a follow-up visit, by the latest visit's finding."
    )
    performed_in_full: MediationStatRate
    by_community: list[MediationStatLine] = Field(
        ..., description="The street's scope only: cases per community."
    )


@router.get(
    "/communities/{slug}/mediation/statistics",
    response=MediationStatisticsOut,
    summary="Mediation statistics, aggregate and suppressed (workers, the committee's head, "
    "officials)",
)
def mediation_statistics(
    request: HttpRequest, slug: str, scope: Literal["community", "street"] = "community"
) -> Any:
    user = api_user(request)
    community = community_get(slug=slug, user=user, perm="mediation.view_statistics")
    if scope == "street":
        if not rules.has_perm("mediation.view_street_statistics", user, community):
            raise Http404
        result = stats.street_statistics(community.street)
    else:
        result = stats.community_statistics(community)
    return {"scope": scope, **stats.as_dict(result)}
