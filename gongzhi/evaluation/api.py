"""Evaluation in the API (staff: community workers, the supervision committee, the officials
overseeing the community): every indicator with its definition and latest figure, one
indicator's monthly series with its group splits, and the interventions a community records.

A hidden cell (fewer people than ``min_cell``, or hidden so that it cannot be recovered from
the totals) answers ``suppressed: true`` with null figures, as on the dashboard."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from gongzhi.core.http import api_user
from gongzhi.core.selectors import community_get
from gongzhi.evaluation import selectors, services
from gongzhi.evaluation.models import Intervention, InterventionKind
from gongzhi.evaluation.selectors import Figure, Series

router = Router(tags=["evaluation"])

VIEW = "evaluation.view"


class FigureOut(Schema):
    month: str = Field(..., description="YYYY-MM, a calendar month in Asia/Shanghai.")
    numerator: float | None = Field(
        ..., description="The count (count), the numerator (rate), the median (median)."
    )
    denominator: float | None = Field(..., description="A rate's denominator; null otherwise.")
    value: float | None = Field(..., description="A rate as a fraction (0–1), or the count/median.")
    people: int | None = Field(..., description="People in the cell (people indicators).")
    suppressed: bool = Field(..., description="Hidden: a small cell, or one hidden with it.")


class IndicatorGroupOut(FigureOut):
    group: str = Field(
        ...,
        description='"grid:<name>", "building:<name>", "elderly:yes"/"elderly:no" (everyone '
        'else), the same for "disabled" and "low_income", or "age:<band>".',
    )


class IndicatorOut(Schema):
    key: str
    name: str
    definition: str
    kind: str = Field(..., description="count, rate or median")
    unit: str
    numerator: str = Field(..., description="A rate: what is counted on top.")
    denominator: str = Field(..., description="A rate: what it is divided by.")
    better: str = Field(..., description="up or down")
    journal_only: bool = Field(..., description="Recomputable from the journal export alone.")
    people: bool = Field(..., description="A rate over people, split by group.")
    complete_from: date | None = Field(
        ..., description="Journal entries before this day lack what the figure needs."
    )
    headline: bool
    latest: FigureOut | None = Field(..., description="The last complete month's figure.")


class IndicatorDetailOut(IndicatorOut):
    series: list[FigureOut]
    groups_month: str | None = Field(..., description="The month the groups are for.")
    groups: list[IndicatorGroupOut]
    min_cell: int = Field(..., description="Cells with fewer people are hidden.")


class InterventionIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    kind: InterventionKind
    started_on: date
    ended_on: date | None = None
    description: str = Field("", max_length=2000)


class InterventionOut(Schema):
    id: int
    name: str
    kind: str
    started_on: date
    ended_on: date | None
    description: str
    recorded_at: datetime


def _figure(figure: Figure) -> dict[str, Any]:
    return {
        "month": figure.month.strftime("%Y-%m"),
        "numerator": figure.numerator,
        "denominator": figure.denominator,
        "value": figure.value,
        "people": figure.people,
        "suppressed": figure.suppressed,
    }


def _indicator(series: Series) -> dict[str, Any]:
    spec = series.spec
    return {
        "key": series.key,
        "name": str(spec.name),
        "definition": str(spec.definition),
        "kind": spec.kind,
        "unit": str(spec.unit),
        "numerator": str(spec.numerator),
        "denominator": str(spec.denominator),
        "better": spec.better,
        "journal_only": spec.journal_only,
        "people": spec.people,
        "complete_from": spec.complete_from,
        "headline": spec.headline,
        "latest": _figure(series.latest) if series.latest else None,
    }


@router.get(
    "/{slug}/indicators",
    response=list[IndicatorOut],
    summary="Every indicator with its definition and last complete month (staff)",
)
def indicator_list(request: HttpRequest, slug: str) -> Any:
    community = community_get(slug=slug, user=api_user(request), perm=VIEW)
    return [_indicator(s) for s in selectors.dashboard(community=community).series]


@router.get(
    "/{slug}/indicators/{key}",
    response=IndicatorDetailOut,
    summary="One indicator: its monthly series and its group splits (staff)",
)
def indicator_detail(
    request: HttpRequest,
    slug: str,
    key: str,
    last_month: str = Query(
        "", alias="to", description="YYYY-MM, the series' last month; default: the last complete"
    ),
    months: int = Query(selectors.MONTHS, ge=1, le=120, description="How many months."),
) -> Any:
    community = community_get(slug=slug, user=api_user(request), perm=VIEW)
    last = None
    if last_month:
        try:
            last = selectors.parse_month(last_month)
        except ValueError:
            raise ValidationError(
                _("Give the month as YYYY-MM, for example 2026-03."), code="invalid_month"
            ) from None
    series = selectors.indicator_series(community=community, key=key, last=last, months=months)
    return {
        **_indicator(series),
        "series": [
            _figure(f) if f is not None else _figure(Figure(m, None, None, None, None, False))
            for m, f in zip(series.months, series.figures, strict=True)
        ],
        "groups_month": series.split_month.strftime("%Y-%m") if series.split_month else None,
        "groups": [
            {**_figure(row.figure), "group": row.group}
            for split in series.splits
            for row in split.rows
        ],
        "min_cell": selectors.min_cell(),
    }


@router.get(
    "/{slug}/interventions",
    response=list[InterventionOut],
    summary="What the community started, and when (staff)",
)
def intervention_list(request: HttpRequest, slug: str) -> list[Intervention]:
    community = community_get(slug=slug, user=api_user(request), perm=VIEW)
    return selectors.intervention_list(community=community)


@router.post(
    "/{slug}/interventions",
    response={201: InterventionOut},
    summary="Record an intervention: a programme, a training, a new body (staff)",
)
def intervention_create(request: HttpRequest, slug: str, payload: InterventionIn) -> Any:
    user = api_user(request)
    community = community_get(slug=slug, user=user, perm=VIEW)
    intervention = services.intervention_record(
        actor=user,
        community=community,
        name=payload.name,
        kind=payload.kind.value,
        started_on=payload.started_on,
        ended_on=payload.ended_on,
        description=payload.description,
    )
    return Status(201, intervention)
