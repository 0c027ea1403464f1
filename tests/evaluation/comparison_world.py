"""A street of five communities with known monthly participation rates, for the comparison
pages, the API and their tests.

``a`` started a programme at ``split`` (recorded through the service); ``b`` and ``c`` had none;
``d`` started a programme of its own two months later (so with ``a``'s record chosen it is left
out); ``e`` ran a training (another kind: a control for a programme). Rates (stored as fractions,
read in percent) follow ``rate(index, k, after)``: a level per community, a shared trend, a
wobble, and +8 percentage points in ``a`` (and ``d``) after their start. The rollups are written
as the refresh stores them: everyone's row (``group=""``) plus a group row, which the
comparison must never read, and one month outside the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from gongzhi.core.models import Community
from gongzhi.evaluation import selectors, services
from gongzhi.evaluation.models import IndicatorValue, Intervention
from tests.factories import CommunityFactory

KEY = "participation.rate"
BEFORE = AFTER = 6
EFFECT = 8.0  # percentage points
LEVELS = (20.0, 25.0, 15.0, 30.0, 22.0)
WOBBLE = (0.0, 1.5, -1.0, 0.5, -0.5, 1.0, -1.5)


def rate(index: int, k: int, after: bool) -> float:
    """Percent: the community's level, a trend of 0.5 a month, a wobble, and the effect."""
    value = LEVELS[index] + 0.5 * k + WOBBLE[(k * (index + 2)) % len(WOBBLE)]
    return value + (EFFECT if after else 0.0)


@dataclass
class Street:
    communities: list[Community]
    split: date
    months: list[date]
    record: Intervention
    late: Intervention

    @property
    def a(self) -> Community:
        return self.communities[0]


def build(community: Community, worker: Any) -> Street:
    """``community`` is ``a``; four more communities join it in its street."""
    last = selectors.last_complete_month()
    split = selectors.add_months(last, -AFTER + 1)
    start = selectors.add_months(split, -BEFORE)
    months = [selectors.add_months(start, k) for k in range(BEFORE + AFTER)]
    communities = [community] + [
        CommunityFactory(street=community.street, name=f"社区{n}") for n in "BCDE"
    ]
    record = services.intervention_record(
        actor=worker, community=community, name="楼栋议事会", kind="programme", started_on=split
    )
    late_start = selectors.add_months(split, 2)
    late = Intervention.objects.create(
        community=communities[3],
        name="居民骨干培训计划",
        kind="programme",
        started_on=late_start,
        recorded_by=worker,
    )
    Intervention.objects.create(
        community=communities[4],
        name="楼长培训",
        kind="training",
        started_on=split,
        recorded_by=worker,
    )
    rows = []
    for index, c in enumerate(communities):
        for k, month in enumerate([selectors.add_months(start, -1), *months]):
            started = {0: split, 3: late_start}.get(index)
            value = rate(index, k, started is not None and month >= started) / 100
            rows.append(
                IndicatorValue(
                    community=c,
                    key=KEY,
                    month=month,
                    group="",
                    numerator=round(value * 200),
                    denominator=200,
                    value=value,
                )
            )
            rows.append(
                IndicatorValue(
                    community=c,
                    key=KEY,
                    month=month,
                    group="elderly:yes",
                    numerator=1,
                    denominator=2,
                    value=0.99,
                )
            )
    IndicatorValue.objects.bulk_create(rows)
    return Street(communities=communities, split=split, months=months, record=record, late=late)
