"""The hotline's statistics in the API (staff): the figures per category, handler and month
and the tickets per building, for a period of months (``stats.py`` defines each figure)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from gongzhi.core.http import api_user
from gongzhi.core.selectors import community_get
from gongzhi.feedback import stats

router = Router(tags=["hotline"])


class FiguresOut(Schema):
    tickets: int
    responded: int = Field(..., description="Tickets accepted.")
    response_hours: float | None = Field(..., description="Mean hours from filing to acceptance.")
    resolved: int
    resolution_hours: float | None = Field(
        ..., description="Mean hours from filing to the last resolution."
    )
    resolved_with_deadline: int
    resolved_on_time: int
    on_time_rate: float | None = Field(
        ..., description="% of resolved tickets with a deadline resolved by it."
    )
    open_overdue: int = Field(..., description="Open tickets past their deadline, now.")
    rated: int
    solved: int
    resolution_rate: float | None = Field(..., description="解决率: % of rated tickets solved.")
    satisfied: int
    satisfaction_rate: float | None = Field(..., description="满意率: % of ratings 4 or 5.")
    satisfaction_mean: float | None


class CategoryLine(FiguresOut):
    category: str


class HandlerLine(FiguresOut):
    handler: str


class MonthLine(FiguresOut):
    month: str


class BuildingOut(Schema):
    building: str
    tickets: int
    by_category: dict[str, int]


class HotlineStatsOut(Schema):
    first_month: str
    last_month: str
    as_of: datetime | None = Field(..., description="Past months as of this time; null: live.")
    total: FiguresOut
    by_category: list[CategoryLine]
    by_handler: list[HandlerLine]
    by_month: list[MonthLine]
    buildings: list[BuildingOut]


@router.get(
    "/{slug}/hotline/stats",
    response=HotlineStatsOut,
    summary="Hotline statistics per category, handler, month and building (staff)",
)
def hotline_stats(
    request: HttpRequest,
    slug: str,
    first_month: str = Query("", alias="from", description="YYYY-MM; default: 11 months ago"),
    last_month: str = Query("", alias="to", description="YYYY-MM; default: this month"),
) -> Any:
    community = community_get(slug=slug, user=api_user(request), perm="feedback.view_stats")
    first, last = stats.parse_period(first_month or None, last_month or None)
    return stats.as_dict(stats.report(community=community, first=first, last=last))
