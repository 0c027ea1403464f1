"""Reads of evaluation: the dashboard, one indicator's series with its group splits, the
interventions, and the rows every export is made of.

They read the rollups (``IndicatorValue``) that ``services.refresh`` rebuilds from the journal,
and the interventions: never the journal itself, so the dashboard costs a handful of queries
however long a community's history is. A month is a calendar month in the site's time zone
(Asia/Shanghai); "complete" months are those before the current one, which is still running.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from django.conf import settings
from django.http import Http404
from django.utils import timezone

from gongzhi.core.manifests import indicator_registry
from gongzhi.core.models import Community
from gongzhi.core.natural import Part, natural_key
from gongzhi.evaluation import engine
from gongzhi.evaluation.models import IndicatorValue, Intervention, Refresh

if TYPE_CHECKING:
    from gongzhi.core.indicators import Indicator

#: How many complete months a trend shows (two years: a before and an after for most changes).
MONTHS = 24

#: The splits of a people indicator, in the order the page shows them. A yes/no group is shown
#: against everyone else (those who consented and are not in it, and those who did not say).
GROUP_DIMENSIONS = ("elderly", "disabled", "low_income")
PLACE_DIMENSIONS = ("grid", "building")
DIMENSIONS = (*GROUP_DIMENSIONS, *PLACE_DIMENSIONS, "age")

#: Age bands in their natural order (declared birth years, with consent only).
AGE_BANDS = ("under 30", "30-44", "45-59", "60-74", "75+")


def min_cell() -> int:
    """Cells with fewer people than this are hidden (``settings.EVALUATION_MIN_CELL``)."""
    return int(getattr(settings, "EVALUATION_MIN_CELL", 5))


def add_months(month: date, n: int) -> date:
    return engine.month_first_day(engine.shift_month(f"{month:%Y-%m}", n))


def current_month() -> date:
    return timezone.localdate().replace(day=1)


def last_complete_month() -> date:
    return add_months(current_month(), -1)


def trend_months(*, last: date | None = None, count: int = MONTHS) -> list[date]:
    """The ``count`` months ending with ``last`` (default: the last complete month), ascending."""
    end = last or last_complete_month()
    return [add_months(end, -i) for i in range(count - 1, -1, -1)]


def parse_month(text: str) -> date:
    """ "2026-03" → date(2026, 3, 1); ValueError for anything else, and for a year outside
    2000–2100 (a window of months around year 9999 would overflow the calendar)."""
    year, month = text.split("-")
    if len(year) != 4 or len(month) != 2 or not 2000 <= int(year) <= 2100:
        raise ValueError(text)
    return date(int(year), int(month), 1)


class Row(NamedTuple):
    """One stored rollup row, read as a tuple (no model instances: the dashboard reads a few
    hundred of them per request)."""

    key: str
    month: date
    group: str
    numerator: float
    denominator: float | None
    value: float | None
    people: int | None
    suppressed: bool


ROW_FIELDS = Row._fields


def _rows(queryset: Any) -> Iterator[Row]:
    return (Row(*values) for values in queryset.values_list(*ROW_FIELDS))


@dataclass(frozen=True)
class Figure:
    """One cell of the rollup: an indicator's figure for a month and a group of people. A
    suppressed cell carries no numbers (its stored zeros are not shown as such)."""

    month: date
    numerator: float | None
    denominator: float | None
    value: float | None
    people: int | None
    suppressed: bool

    @classmethod
    def of(cls, row: Row) -> Figure:
        if row.suppressed:
            return cls(row.month, None, None, None, None, True)
        return cls(row.month, row.numerator, row.denominator, row.value, row.people, False)


@dataclass(frozen=True)
class GroupFigure:
    """One group's cell in a split: its stored name ("grid:东区"), the dimension and the part
    after the colon."""

    group: str
    dimension: str
    name: str
    figure: Figure


@dataclass(frozen=True)
class Split:
    """One dimension's cells for one month: a yes/no group (against everyone else), or the
    grids, buildings or age bands side by side."""

    dimension: str
    rows: list[GroupFigure]

    @property
    def is_group(self) -> bool:
        return self.dimension in GROUP_DIMENSIONS

    @property
    def any_suppressed(self) -> bool:
        return any(row.figure.suppressed for row in self.rows)

    @property
    def gap(self) -> float | None:
        """A yes/no group's value minus everyone else's, where both are shown."""
        if not self.is_group:
            return None
        cells = {row.name: row.figure for row in self.rows}
        yes, no = cells.get("yes"), cells.get("no")
        if yes is None or no is None or yes.value is None or no.value is None:
            return None
        return yes.value - no.value


@dataclass(frozen=True)
class Series:
    """One indicator on the page: its registry entry, its figures over the trend's months
    (None where the refresh stored nothing), the latest complete month's figure, the running
    month's so far, and its group splits for the latest complete month."""

    key: str
    spec: Indicator
    months: list[date]
    figures: list[Figure | None]
    latest: Figure | None
    this_month: Figure | None
    splits: list[Split] = field(default_factory=list)
    split_month: date | None = None

    @property
    def values(self) -> list[float | None]:
        return [f.value if f is not None else None for f in self.figures]

    @property
    def incomplete_before(self) -> date | None:
        """The day the figure is complete from, when that falls inside the trend's months."""
        complete_from = self.spec.complete_from
        if complete_from is None or not self.months:
            return None
        return complete_from if complete_from > self.months[0] else None


@dataclass(frozen=True)
class Dashboard:
    community: Community
    months: list[date]
    headline: list[Series]
    others: list[Series]
    interventions: list[Intervention]
    refresh: Refresh | None

    @property
    def series(self) -> list[Series]:
        return [*self.headline, *self.others]


def registry() -> dict[str, Indicator]:
    """The registered indicators in the order the page shows them: headline figures first."""
    items = sorted(indicator_registry().items(), key=lambda kv: (not kv[1].headline, kv[1].order))
    return dict(items)


def indicator_spec(key: str) -> Indicator:
    spec = indicator_registry().get(key)
    if spec is None:
        raise Http404
    return spec


def _group_key(row: Row) -> tuple[int, int, tuple[Part, ...]]:
    """Groups in the page's order: the yes/no groups' "yes" first, age bands youngest first,
    grids and buildings naturally (2号楼 before 10号楼), and the people with nothing recorded
    (an empty name) last."""
    dimension, _, name = row.group.partition(":")
    order = DIMENSIONS.index(dimension) if dimension in DIMENSIONS else len(DIMENSIONS)
    if not name:
        rank = len(AGE_BANDS) + 1
    elif dimension in GROUP_DIMENSIONS:
        rank = 0 if name == "yes" else 1
    elif dimension == "age" and name in AGE_BANDS:
        rank = AGE_BANDS.index(name)
    elif dimension == "age":
        rank = len(AGE_BANDS)
    else:
        rank = 0
    return order, rank, natural_key(name)


def _splits(rows: Sequence[Row]) -> list[Split]:
    by_dimension: dict[str, list[GroupFigure]] = defaultdict(list)
    for row in sorted(rows, key=_group_key):
        dimension, _, name = row.group.partition(":")
        by_dimension[dimension].append(GroupFigure(row.group, dimension, name, Figure.of(row)))
    return [Split(dimension, cells) for dimension, cells in by_dimension.items()]


def _series(
    key: str,
    spec: Indicator,
    months: list[date],
    rows: dict[date, Row],
    group_rows: Sequence[Row] = (),
    split_month: date | None = None,
) -> Series:
    figures = [Figure.of(rows[m]) if m in rows else None for m in months]
    this_month = rows.get(add_months(months[-1], 1)) if months else None
    return Series(
        key=key,
        spec=spec,
        months=months,
        figures=figures,
        latest=figures[-1] if figures else None,
        this_month=Figure.of(this_month) if this_month is not None else None,
        splits=_splits(group_rows) if spec.people else [],
        split_month=split_month if spec.people else None,
    )


def dashboard(*, community: Community) -> Dashboard:
    """Every registered indicator over the last ``MONTHS`` complete months, with the people
    indicators' splits for the last complete month: four queries."""
    specs = registry()
    months = trend_months()
    latest = months[-1]
    by_key: dict[str, dict[date, Row]] = defaultdict(dict)
    for row in _rows(
        IndicatorValue.objects.in_community(community).filter(
            key__in=list(specs), group="", month__gte=months[0], month__lte=add_months(latest, 1)
        )
    ):
        by_key[row.key][row.month] = row
    people = [key for key, spec in specs.items() if spec.people]
    groups: dict[str, list[Row]] = defaultdict(list)
    for row in _rows(
        IndicatorValue.objects.in_community(community)
        .filter(key__in=people, month=latest)
        .exclude(group="")
    ):
        groups[row.key].append(row)
    series = [
        _series(key, spec, months, by_key[key], groups[key], latest) for key, spec in specs.items()
    ]
    return Dashboard(
        community=community,
        months=months,
        headline=[s for s in series if s.spec.headline],
        others=[s for s in series if not s.spec.headline],
        interventions=intervention_list(community=community),
        refresh=Refresh.objects.in_community(community).first(),
    )


def indicator_series(
    *, community: Community, key: str, last: date | None = None, months: int = MONTHS
) -> Series:
    """One indicator over ``months`` months ending with ``last`` (default: the last complete
    month), with its splits for ``last``. An unknown key is not found."""
    spec = indicator_spec(key)
    window = trend_months(last=last, count=months)
    rows = _rows(
        IndicatorValue.objects.in_community(community).filter(
            key=key, month__gte=window[0], month__lte=add_months(window[-1], 1)
        )
    )
    everyone: dict[date, Row] = {}
    group_rows: list[Row] = []
    for row in rows:
        if row.group == "":
            everyone[row.month] = row
        elif row.month == window[-1]:
            group_rows.append(row)
    return _series(key, spec, window, everyone, group_rows, window[-1])


def intervention_list(*, community: Community) -> list[Intervention]:
    return list(Intervention.objects.in_community(community).order_by("started_on", "pk"))


def intervention_get(*, community: Community, intervention_id: int) -> Intervention:
    found = Intervention.objects.in_community(community).filter(pk=intervention_id).first()
    if found is None:
        raise Http404
    return found


def refresh_of(*, community: Community) -> Refresh | None:
    return Refresh.objects.in_community(community).first()


def export_values(*, community: Community) -> Iterator[Row]:
    """Every stored figure of the community's registered indicators, by indicator (in the
    page's order), month and group: what the CSV, XLSX and JSON exports are made of."""
    order = {key: i for i, key in enumerate(registry())}
    rows = list(
        _rows(
            IndicatorValue.objects.in_community(community)
            .filter(key__in=list(order))
            .order_by("month", "group")
        )
    )
    rows.sort(key=lambda row: order[row.key])  # stable: month and group order kept
    yield from rows


def overview_participation(communities: Sequence[Community]) -> dict[int, dict[str, Any]]:
    """``{community id: {"value", "numerator", "denominator", "suppressed"}}``: the participation
    rate of the last complete month of each community, in one query."""
    rows = IndicatorValue.objects.in_communities(communities).filter(
        key="participation.rate", group="", month=last_complete_month()
    )
    return {
        row.community_id: {
            "value": row.value,
            "numerator": row.numerator,
            "denominator": row.denominator,
            "suppressed": row.suppressed,
        }
        for row in rows
    }
