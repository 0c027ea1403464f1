"""The demand forecast page (需求预测) under /c/<slug>/spaces/forecast/: for community workers
every open space's bookings and the hotline's tickets by category, for a body's members the
spaces their body manages; the coming four weeks with 80% and 95% prediction intervals beside
the last eight weeks, and the suggestions (``forecast_selectors``'s docstring says how they are
drawn)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongzhi.core.models import Community
from gongzhi.core.selectors import community_get
from gongzhi.evaluation.charts import line_chart
from gongzhi.spaces import forecast, forecast_selectors
from gongzhi.spaces.forecast_selectors import Series


def _community(request: HttpRequest, slug: str) -> Community:
    community = community_get(slug=slug, user=request.user, perm="spaces.view_spaces")
    if not forecast_selectors.may_see(request.user, community):
        raise Http404
    return community


def _chart(series: Series) -> str:
    labels = [f"{d:%m-%d}" for d, _v in series.recent] + [f"{d.day:%m-%d}" for d in series.days]
    past, ahead = len(series.recent), len(series.days)
    actual: list[float | None] = [v for _d, v in series.recent] + [None] * ahead
    point: list[float | None] = [None] * past + [round(d.point, 1) for d in series.days]
    lower: list[float | None] = [None] * past + [round(d.lo80, 1) for d in series.days]
    upper: list[float | None] = [None] * past + [round(d.hi80, 1) for d in series.days]
    if past:  # the forecast line starts from the last actual day
        point[past - 1] = lower[past - 1] = upper[past - 1] = actual[past - 1]
    unit = _("bookings a day") if series.kind == "space" else _("tickets a day")
    markers = [(labels[past], _("forecast"))] if past and ahead else []
    return line_chart(
        months=labels,
        series=[
            (_("actual"), actual),
            (_("forecast"), point),
            (_("80% interval, low"), lower),
            (_("80% interval, high"), upper),
        ],
        markers=markers,
        title=_("%(name)s: %(unit)s, the last eight weeks and the forecast for four")
        % {"name": series.label, "unit": unit},
    )


def _method(series: Series) -> str:
    if series.method == forecast.MODEL:
        if series.yearly:
            return _("model with weekly and yearly patterns and holidays")
        return _("model with a weekly pattern and holidays (less than two years of history)")
    return _("repeats the same weekday of the last week (too little history for the model)")


def _item(series: Series) -> dict[str, Any]:
    return {
        "series": series,
        "anchor": series.key,
        "chart": mark_safe(_chart(series)),  # noqa: S308 (built by line_chart, escaped there)
        "method": _method(series),
        "share": [(d, None if d.share is None else round(d.share * 100)) for d in series.days],
    }


@require_GET
def forecast_page(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    page = forecast_selectors.page_for(community)
    shown = forecast_selectors.visible(page, community, request.user)
    spaces = [_item(s) for s in shown if s.kind == "space"]
    hotline = [_item(s) for s in shown if s.kind == "hotline"]
    return render(
        request,
        "spaces/forecast.html",
        {
            "community": community,
            "page": page,
            "spaces": spaces,
            "hotline": hotline,
            "suggestions": [text for s in shown for text in s.suggestions],
            "uncovered": date_format(page.uncovered, "DATE_FORMAT") if page.uncovered else "",
            "sparse": page.sparse_categories if hotline else [],
        },
    )


urlpatterns: list[URLPattern] = [
    path("forecast/", forecast_page, name="spaces_forecast"),
]
