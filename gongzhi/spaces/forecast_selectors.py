"""Reads for the demand forecast page (需求预测, issue 20 R11.1): each space's bookings a day and
the hotline's tickets a day in each category, forecast for the coming four weeks with
``gongzhi.spaces.forecast`` beside the recent actuals, and the suggestions drawn from them.

What is counted. A space's demand on a day is the bookings that started that day and were not
withdrawn: confirmed, pending, held for a draw, and released ones (a no-show still asked for the
time); cancelled, refused and expired requests are not counted. A category's demand is the
tickets filed that day. Days from the first booking (or ticket) to yesterday with none are
zeros, not missing days; today is left out (it is not over).

Holidays. The model is given ``core.holidays``' public holidays and make-up working days; past
the last year that calendar covers, no day is known as either, so a forecast for such a day
treats it as an ordinary day, and the page says so (``Page.uncovered``).

Supply and suggestions. A space's supply on a day is its open minutes (``hours.open_ranges``)
times its seats; the forecast demand in minutes is the forecast bookings times the mean length
of its bookings over the last eight weeks. A day is *busy* when the forecast demand fills at
least ``BUSY_SHARE`` of the supply, or when a space closed that day (a holiday) is forecast at
least one booking. Busy days are grouped by weekday: two or more busy days on one weekday in the
four weeks give a suggestion to open longer that weekday (in the evening, after the present
closing time), and a busy closed day a suggestion to open that day. The hotline has no staffing
figure to compare with, so its supply is the usual load: a week whose forecast tickets in a
category exceed the mean of the last eight weeks by ``SURGE_SHARE`` and at least
``SURGE_MIN`` tickets gives a suggestion to staff that category that week.

Computing. Each series is one model fit (about 3 s for two years of history on a loaded
two-core machine, see docs/performance.md), so a community's forecasts are computed once a day
and kept in the cache (``CACHE_SECONDS``) under a key with the date; ``compute`` runs on a miss.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_noop

from gongzhi.core import holidays
from gongzhi.core.models import Community
from gongzhi.core.policies import is_community_worker
from gongzhi.core.wording import Wording
from gongzhi.spaces import forecast, hours
from gongzhi.spaces.models import Booking, BookingStatus, Space, SpaceStatus

HORIZON = forecast.HORIZON
#: Recent actual days shown beside the forecast.
RECENT_DAYS = 56
#: History read for a series (the yearly component needs two years; more is slower).
HISTORY_DAYS = 3 * 365
CACHE_SECONDS = 36 * 3600
CACHE_VERSION = 2
BUSY_SHARE = 0.8
SURGE_SHARE = 0.25
SURGE_MIN = 3
#: Categories with fewer tickets than this in the history are not forecast.
MIN_TICKETS = 56
#: the statuses counted as demand
DEMAND = (
    BookingStatus.CONFIRMED,
    BookingStatus.PENDING,
    BookingStatus.DRAW,
    BookingStatus.RELEASED,
)


@dataclass
class Day:
    day: date
    point: float
    lo80: float
    hi80: float
    lo95: float
    hi95: float
    #: a public holiday (its name is worded when shown: the page is cached for every language)
    is_holiday: bool = False
    #: the predictive mean (``point`` is the median): what totals over weeks add up
    expected: float | None = None
    #: a space's open minutes times its seats; None for the hotline
    supply_minutes: int | None = None
    demand_minutes: float | None = None

    @property
    def holiday(self) -> str:
        return holidays.holiday_name(self.day) if self.is_holiday else ""

    @property
    def share(self) -> float | None:
        if not self.supply_minutes or self.demand_minutes is None:
            return None
        return self.demand_minutes / self.supply_minutes


@dataclass
class Series:
    key: str
    kind: str  # "space" or "hotline"
    label: str
    space_id: int | None
    recent: list[tuple[date, float]]
    days: list[Day]
    method: str
    note: Wording | None
    yearly: bool
    history_days: int
    #: worded when shown, in the reader's language (the page is cached for every language)
    suggestions: list[Wording] = field(default_factory=list)

    @property
    def recent_total(self) -> float:
        return sum(v for _d, v in self.recent[-HORIZON:])

    @property
    def forecast_total(self) -> float:
        """The coming weeks' expected count: a sum of means (a sum of daily medians falls
        short of it when counts are low and skewed)."""
        return sum(d.point if d.expected is None else d.expected for d in self.days)


@dataclass
class Page:
    today: date
    series: list[Series]
    #: the first forecast day whose holidays are not known (None: all covered)
    uncovered: date | None
    computed_seconds: float
    #: categories left out for too few tickets
    sparse_categories: list[str] = field(default_factory=list)


def may_see(user: Any, community: Community) -> bool:
    """Community workers, and members of a body that manages one of the community's spaces."""
    return bool(is_community_worker(user, community)) or bool(_managed(user, community))


def _managed(user: Any, community: Community) -> list[int]:
    """The spaces a body ``user`` sits in manages (a worker's standing is asked apart)."""
    from gongzhi.spaces.booking_selectors import bodies_i_sit_in

    if not getattr(user, "is_authenticated", False):
        return []
    bodies = bodies_i_sit_in(community, user).values("pk")
    spaces = Space.objects.in_community(community).filter(managed_by_body__in=bodies)
    return list(spaces.values_list("pk", flat=True))


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _counts(start: date, end: date, days: list[date]) -> tuple[list[date], list[float]]:
    """Daily counts from ``start`` to ``end`` (excluded) of the dates in ``days``."""
    counted = Counter(days)
    span = [start + timedelta(days=i) for i in range((end - start).days)]
    return span, [float(counted.get(d, 0)) for d in span]


def _fit(dates: list[date], values: list[float]) -> forecast.Forecast:
    return forecast.forecast(
        dates,
        values,
        horizon=HORIZON,
        holidays=holidays.is_holiday,
        workdays=holidays.is_makeup_workday,
    )


def _days(result: forecast.Forecast) -> list[Day]:
    i80, i95 = result.interval(0.8), result.interval(0.95)
    return [
        Day(
            day=d,
            point=float(result.point[i]),
            lo80=float(i80.lower[i]),
            hi80=float(i80.upper[i]),
            lo95=float(i95.lower[i]),
            hi95=float(i95.upper[i]),
            is_holiday=holidays.is_holiday(d),
            expected=float(result.mean[i]),
        )
        for i, d in enumerate(result.dates)
    ]


def _space_counts(
    space: Space, rows: list[tuple[datetime, datetime]], today: date
) -> tuple[list[date], list[float]]:
    days = [_local_day(start) for start, _end in rows]
    first = min(days) if days else today - timedelta(days=1)
    return _counts(first, today, days)


def _space_series(space: Space, rows: list[tuple[datetime, datetime]], today: date) -> Series:
    dates, values = _space_counts(space, rows, today)
    result = _fit(dates, values)
    recent_rows = [(s, e) for s, e in rows if _local_day(s) >= today - timedelta(days=RECENT_DAYS)]
    minutes = (
        sum((e - s).total_seconds() / 60 for s, e in recent_rows) / len(recent_rows)
        if recent_rows
        else float(space.slot_minutes)
    )
    opening = hours.load(space.hours)
    out = _days(result)
    for day in out:
        open_minutes = sum(
            (closes - opens).total_seconds() / 60
            for opens, closes in hours.open_ranges(opening, day.day)
        )
        day.supply_minutes = round(open_minutes * space.seats) if space.hours else None
        day.demand_minutes = day.point * minutes
    series = Series(
        key=f"space-{space.pk}",
        kind="space",
        label=space.name,
        space_id=space.pk,
        recent=list(zip(dates[-RECENT_DAYS:], values[-RECENT_DAYS:], strict=True)),
        days=out,
        method=result.method,
        note=result.note,
        yearly=result.yearly,
        history_days=len(dates),
    )
    series.suggestions = _space_suggestions(space, series, opening)
    return series


def _space_suggestions(space: Space, series: Series, opening: hours.OpeningHours) -> list[Wording]:
    busy: dict[int, list[Day]] = defaultdict(list)
    said: list[Wording] = []
    for day in series.days:
        if day.supply_minutes == 0 and day.point >= 1:
            said.append(
                Wording.of(
                    gettext_noop(
                        "Consider opening %(space)s on %(date)s%(holiday)s: it is closed, and "
                        "about %(count).0f bookings are forecast."
                    ),
                    space=space.name,
                    date=day.day,
                    holiday=Wording.of(gettext_noop(" (%(name)s)"), name=HolidayName(day.day))
                    if day.is_holiday
                    else "",
                    count=day.point,
                )
            )
        elif day.share is not None and day.share >= BUSY_SHARE:
            busy[day.day.weekday()].append(day)
    for weekday, days in sorted(busy.items()):
        if len(days) < 2:
            continue
        share = sum(d.share or 0 for d in days) / len(days)
        ranges = opening.weekly.get(weekday, ())
        closing = hours._clock(ranges[-1][1]) if ranges else ""  # noqa: SLF001
        said.append(
            Wording.of(
                gettext_noop(
                    "Consider opening %(space)s longer on %(weekday)s evenings (it closes at "
                    "%(closing)s): on %(count)d such days of the coming four weeks the forecast "
                    "books %(share).0f%% of its open hours."
                ),
                space=space.name,
                weekday=WEEKDAYS[weekday],
                closing=closing,
                share=share * 100,
                count=len(days),
            )
        )
    return said


@dataclass(frozen=True)
class HolidayName:
    """A holiday's name, in the language of whoever reads it."""

    day: date

    def __str__(self) -> str:
        return holidays.holiday_name(self.day)


def _hotline_series(label: str, stamps: list[date], first: date, today: date, code: str) -> Series:
    dates, values = _counts(first, today, stamps)
    result = _fit(dates, values)
    series = Series(
        key=f"category-{code}",
        kind="hotline",
        label=label,
        space_id=None,
        recent=list(zip(dates[-RECENT_DAYS:], values[-RECENT_DAYS:], strict=True)),
        days=_days(result),
        method=result.method,
        note=result.note,
        yearly=result.yearly,
        history_days=len(dates),
    )
    usual = sum(values[-RECENT_DAYS:]) / (RECENT_DAYS / 7)
    for week in range(HORIZON // 7):
        days = series.days[week * 7 : week * 7 + 7]
        expected = sum(d.point for d in days)
        if expected >= usual * (1 + SURGE_SHARE) and expected - usual >= SURGE_MIN:
            series.suggestions.append(
                Wording.of(
                    gettext_noop(
                        "Consider staffing the hotline for %(category)s in the week of %(date)s: "
                        "about %(expected).0f tickets are forecast, against %(usual).0f in a "
                        "usual week of the last eight."
                    ),
                    category=label,
                    date=days[0].day,
                    expected=expected,
                    usual=usual,
                )
            )
    return series


def _hotline_rows(community: Community, today: date) -> tuple[dict[int, list[date]], dict]:
    from gongzhi.feedback.models import Category, Ticket

    since, until = _window(today)
    rows = (
        Ticket.objects.in_community(community)
        .filter(created_at__gte=since, created_at__lt=until, category__isnull=False)
        .values_list("category_id", "created_at")
    )
    by_category: dict[int, list[date]] = defaultdict(list)
    for category_id, created in rows:
        by_category[category_id].append(_local_day(created))
    names = {c.pk: (c.name, c.code) for c in Category.objects.in_community(community)}
    return by_category, names


def _hotline(community: Community, today: date) -> tuple[list[Series], list[str]]:
    by_category, names = _hotline_rows(community, today)
    if not by_category:
        return [], []
    first = min(min(days) for days in by_category.values())
    series, sparse = [], []
    for category_id, stamps in sorted(by_category.items(), key=lambda kv: -len(kv[1])):
        name, code = names.get(category_id, (str(category_id), str(category_id)))
        if len(stamps) < MIN_TICKETS:
            sparse.append(name)
            continue
        series.append(_hotline_series(name, stamps, first, today, code))
    return series, sparse


def _window(today: date) -> tuple[datetime, datetime]:
    midnight = datetime.min.time()
    since = timezone.make_aware(datetime.combine(today - timedelta(days=HISTORY_DAYS), midnight))
    return since, timezone.make_aware(datetime.combine(today, midnight))


def _space_rows(
    community: Community, today: date
) -> tuple[list[Space], dict[int, list[tuple[datetime, datetime]]]]:
    since, until = _window(today)
    spaces = list(
        Space.objects.in_community(community).filter(status=SpaceStatus.OPEN).order_by("name", "pk")
    )
    rows: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for space_id, starts, ends in (
        Booking.objects.in_community(community)
        .filter(starts_at__gte=since, starts_at__lt=until, status__in=DEMAND)
        .values_list("space_id", "starts_at", "ends_at")
    ):
        rows[space_id].append((starts, ends))
    return spaces, rows


def daily_series(
    community: Community, today: date
) -> list[tuple[str, str, list[date], list[float]]]:
    """Every series the page forecasts, as counted (kind, label, dates, values): for the bench's
    backtest on the same counts."""
    spaces, rows = _space_rows(community, today)
    out = [("space", s.name, *_space_counts(s, rows[s.pk], today)) for s in spaces]
    by_category, names = _hotline_rows(community, today)
    if by_category:
        first = min(min(days) for days in by_category.values())
        for category_id, stamps in sorted(by_category.items(), key=lambda kv: -len(kv[1])):
            if len(stamps) >= MIN_TICKETS:
                label = names.get(category_id, (str(category_id), ""))[0]
                out.append(("hotline", label, *_counts(first, today, stamps)))
    return out


def compute(community: Community, today: date) -> Page:
    """Every series of the community (all its open spaces, the hotline's categories)."""
    began = time.perf_counter()
    spaces, rows = _space_rows(community, today)
    series = [_space_series(space, rows[space.pk], today) for space in spaces]
    hotline, sparse = _hotline(community, today)
    ahead = [today + timedelta(days=i) for i in range(HORIZON)]
    uncovered = next((d for d in ahead if not holidays.covered(d)), None)
    return Page(
        today=today,
        series=series + hotline,
        uncovered=uncovered,
        computed_seconds=time.perf_counter() - began,
        sparse_categories=sparse,
    )


def _key(community: Community, today: date) -> str:
    return f"spaces-forecast:{CACHE_VERSION}:{community.pk}:{today.isoformat()}"


def page_for(community: Community, *, today: date | None = None, fresh: bool = False) -> Page:
    """The community's forecasts for ``today``, from the cache when computed already today."""
    today = today or timezone.localdate()
    key = _key(community, today)
    page = None if fresh else cache.get(key)
    if not isinstance(page, Page):
        page = compute(community, today)
        cache.set(key, page, CACHE_SECONDS)
    return page


def visible(page: Page, community: Community, user: Any) -> list[Series]:
    """What ``user`` may see of ``page``: everything for a community worker; a body's member the
    spaces their body manages (not the hotline)."""
    if is_community_worker(user, community):
        return page.series
    managed = set(_managed(user, community))
    return [s for s in page.series if s.space_id in managed]


def hub(community: Community, viewer: Any) -> dict[str, Any]:
    """The spaces home's link, for those who may see the forecast."""
    return {"may_see": may_see(viewer, community)}


def finite(value: float) -> float | None:
    return value if math.isfinite(value) else None
