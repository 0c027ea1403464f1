"""The demand forecast in the API, under /communities/{slug}/spaces/forecast: the same series
as the page (``forecast_selectors``), for the same people (community workers every series, a
managing body's members their spaces); 404 for anyone else."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from gongzhi.core.http import api_user
from gongzhi.core.selectors import community_get
from gongzhi.spaces import forecast_selectors
from gongzhi.spaces.forecast_selectors import Series

router = Router(tags=["spaces"])

C = "/communities/{slug}/spaces/forecast"


class SpacesForecastDayOut(Schema):
    day: date
    point: float
    lo80: float | None = Field(..., description="null where the interval is unbounded.")
    hi80: float | None = Field(..., description="null where the interval is unbounded.")
    lo95: float | None = Field(..., description="null where the interval is unbounded.")
    hi95: float | None = Field(..., description="null where the interval is unbounded.")
    holiday: str
    supply_minutes: int | None = Field(..., description="Open minutes times seats; spaces only.")
    demand_minutes: float | None


class SpacesForecastActualOut(Schema):
    day: date
    count: float


class SpacesForecastSeriesOut(Schema):
    key: str
    kind: str = Field(..., description="space | hotline")
    label: str
    space: int | None
    method: str = Field(..., description="structural | seasonal_naive | naive")
    note: str
    yearly: bool
    history_days: int
    recent: list[SpacesForecastActualOut]
    days: list[SpacesForecastDayOut]
    suggestions: list[str]


class SpacesForecastOut(Schema):
    today: date
    holidays_unknown_from: date | None = Field(
        ..., description="The first forecast day whose public holidays are not published yet."
    )
    series: list[SpacesForecastSeriesOut]
    sparse_categories: list[str]


def _day_out(day: Any) -> dict[str, Any]:
    """A forecast day; a bound that is not a finite number (an unbounded interval) as null,
    which JSON can carry where NaN and infinity are not JSON at all."""
    out = dict(vars(day), holiday=day.holiday)
    for key in ("point", "lo80", "hi80", "lo95", "hi95", "demand_minutes", "expected"):
        value = out.get(key)
        if isinstance(value, float) and not math.isfinite(value):
            out[key] = 0.0 if key == "point" else None
    return out


def _series(series: Series) -> dict[str, Any]:
    return {
        "key": series.key,
        "kind": series.kind,
        "label": series.label,
        "space": series.space_id,
        "method": series.method,
        "note": str(series.note or ""),
        "yearly": series.yearly,
        "history_days": series.history_days,
        "recent": [{"day": d, "count": v} for d, v in series.recent],
        "days": [_day_out(d) for d in series.days],
        "suggestions": [str(text) for text in series.suggestions],
    }


@router.get(C, response=SpacesForecastOut, summary="Demand forecast for the coming four weeks")
def forecast_read(request: HttpRequest, slug: str) -> dict[str, Any]:
    user = api_user(request)
    community = community_get(slug=slug, user=user, perm="spaces.view_spaces")
    if not forecast_selectors.may_see(user, community):
        raise Http404
    page = forecast_selectors.page_for(community)
    shown = forecast_selectors.visible(page, community, user)
    hotline = any(s.kind == "hotline" for s in shown)
    return {
        "today": page.today,
        "holidays_unknown_from": page.uncovered,
        "series": [_series(s) for s in shown],
        "sparse_categories": page.sparse_categories if hotline else [],
    }
