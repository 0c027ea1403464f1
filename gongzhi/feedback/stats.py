"""The hotline's statistics (R3.2): per category, per handler and per month, the figures city
hotlines report, and tickets per building and category (the heat view).

Definitions (every ticket is counted in the month it was filed, in the server's time zone):

- *tickets*: tickets filed (merged duplicates included: they were reports).
- *response time*: from filing to acceptance (受理), mean over the accepted tickets.
- *resolution time*: from filing to the (last) resolution (办结), mean over the resolved tickets;
  a reopened ticket counts once it is resolved again.
- *resolved on time* (按期办结率): of the resolved tickets that had a resolve-by deadline, the share
  resolved by it. Open tickets already past their deadline are shown beside it as a live count
  (*open past deadline*), since "now" decides them.
- *解决率* (resolution rate): of the rated tickets, the share whose reporter said the problem was
  solved.
- *满意率* (satisfaction rate): of the rated tickets, the share rated 4 or 5; and the mean
  satisfaction (1–5).
- *handler*: the ticket's assignee (unassigned tickets form their own row).

A month's figures are sums and counts, so any grouping adds them up. With a million tickets a
GROUP BY over all of them is too slow for a page, so they are kept in rollups
(``TicketMonthStat`` per month, category and handler; ``TicketBuildingStat`` per month, building
and category) holding every ticket filed before the last refresh; a page adds the tickets filed
since, counted live (a few minutes' worth), and the open tickets past their deadline (a live
count: "now" decides them). ``stats_refresh`` recomputes a month when one of its tickets changed
since the last refresh (every service that moves a ticket sets its ``updated_at``), and always
the months from the last refresh to now (the current month grows). Pages ask for a refresh in
the background once the rollups are older than ``REFRESH_SECONDS`` (``manage.py hotline_stats``
does it from cron too), so a change to an existing ticket shows within a few minutes, a new
ticket at once, and the page says as of when.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import rules
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from gongzhi.core.models import Building, Community
from gongzhi.core.natural import natural_key
from gongzhi.core.soon import run_soon
from gongzhi.feedback import policies
from gongzhi.feedback.models import (
    OPEN_STATUSES,
    Category,
    Rating,
    Ticket,
    TicketBuildingStat,
    TicketMonthStat,
    TicketStatsState,
)

rules.add_perm("feedback.view_stats", policies.oversee_hotline)

#: Past months' figures are refreshed in the background once older than this.
REFRESH_SECONDS = 300
#: A refresh also rereads tickets changed this long before the previous one (a transaction that
#: set ``updated_at`` just before the previous refresh may have committed just after it).
SAFETY = timedelta(minutes=10)
#: The longest period a report covers.
MAX_MONTHS = 120

COUNTS = (
    "tickets",
    "responded",
    "response_seconds",
    "resolved",
    "resolution_seconds",
    "resolved_with_deadline",
    "resolved_on_time",
    "rated",
    "solved",
    "satisfied",
    "satisfaction_sum",
)


def _share(part: int, whole: int) -> float | None:
    return None if not whole else round(100 * part / whole, 1)


def _mean_hours(seconds: int, n: int) -> float | None:
    return None if not n else round(seconds / n / 3600, 1)


@dataclass
class Figures:
    """Sums and counts for a set of tickets; the rates are computed from them."""

    tickets: int = 0
    responded: int = 0
    response_seconds: int = 0
    resolved: int = 0
    resolution_seconds: int = 0
    resolved_with_deadline: int = 0
    resolved_on_time: int = 0
    rated: int = 0
    solved: int = 0
    satisfied: int = 0
    satisfaction_sum: int = 0
    #: Live: open tickets already past their resolve-by deadline.
    open_overdue: int = 0

    def add(self, other: Figures) -> None:
        # Spelled out: called for every row of a report, and a loop of getattr/setattr is 3x
        # slower.
        self.tickets += other.tickets
        self.responded += other.responded
        self.response_seconds += other.response_seconds
        self.resolved += other.resolved
        self.resolution_seconds += other.resolution_seconds
        self.resolved_with_deadline += other.resolved_with_deadline
        self.resolved_on_time += other.resolved_on_time
        self.rated += other.rated
        self.solved += other.solved
        self.satisfied += other.satisfied
        self.satisfaction_sum += other.satisfaction_sum
        self.open_overdue += other.open_overdue

    @property
    def response_hours(self) -> float | None:
        return _mean_hours(self.response_seconds, self.responded)

    @property
    def resolution_hours(self) -> float | None:
        return _mean_hours(self.resolution_seconds, self.resolved)

    @property
    def on_time_rate(self) -> float | None:
        return _share(self.resolved_on_time, self.resolved_with_deadline)

    @property
    def resolution_rate(self) -> float | None:
        """解决率: % of rated tickets rated solved."""
        return _share(self.solved, self.rated)

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率: % of rated tickets rated 4 or 5."""
        return _share(self.satisfied, self.rated)

    @property
    def satisfaction_mean(self) -> float | None:
        return None if not self.rated else round(self.satisfaction_sum / self.rated, 2)

    def as_dict(self) -> dict[str, Any]:
        return {
            "tickets": self.tickets,
            "responded": self.responded,
            "response_hours": self.response_hours,
            "resolved": self.resolved,
            "resolution_hours": self.resolution_hours,
            "resolved_with_deadline": self.resolved_with_deadline,
            "resolved_on_time": self.resolved_on_time,
            "on_time_rate": self.on_time_rate,
            "open_overdue": self.open_overdue,
            "rated": self.rated,
            "solved": self.solved,
            "resolution_rate": self.resolution_rate,
            "satisfied": self.satisfied,
            "satisfaction_rate": self.satisfaction_rate,
            "satisfaction_mean": self.satisfaction_mean,
        }


# --- Months -------------------------------------------------------------------------------------


def month_of(moment: datetime) -> date:
    return timezone.localtime(moment).date().replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def months_between(first: date, last: date) -> list[date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def month_start(month: date) -> datetime:
    """The first instant of ``month`` in the server's time zone."""
    return datetime(month.year, month.month, 1, tzinfo=timezone.get_default_timezone())


def _as_month(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return month_of(value)
    return value.replace(day=1)


# --- Counting live -----------------------------------------------------------------------------


def _seconds(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, timedelta):
        return round(value.total_seconds())
    return round(value / 1_000_000)  # a backend that sums durations as microseconds


def _filed(community_id: int, start: datetime | None, end: datetime | None) -> Any:
    tickets = Ticket.objects.in_community(community_id)
    if start is not None:
        tickets = tickets.filter(created_at__gte=start)
    if end is not None:
        tickets = tickets.filter(created_at__lt=end)
    return tickets.annotate(
        month=TruncMonth("created_at", tzinfo=timezone.get_default_timezone())
    ).order_by()


def live_rows(
    community_id: int, start: datetime | None, end: datetime | None
) -> list[tuple[date, int | None, int | None, Figures]]:
    """Figures per (month, category, assignee) of the tickets filed in [start, end), counted
    from the tickets themselves."""
    rows = (
        _filed(community_id, start, end)
        .values("month", "category_id", "assignee_id")
        .annotate(
            tickets=Count("pk"),
            responded=Count("accepted_at"),
            response=Sum(F("accepted_at") - F("created_at")),
            resolved=Count("resolved_at"),
            resolution=Sum(F("resolved_at") - F("created_at")),
            resolved_with_deadline=Count(
                "pk", filter=Q(resolved_at__isnull=False, resolve_by__isnull=False)
            ),
            resolved_on_time=Count("pk", filter=Q(resolved_at__lte=F("resolve_by"))),
        )
    )
    # Ratings in a query of their own: joined to a month of tickets, the planner hashes the
    # whole rating table; a ticket filed at ``start`` is rated after it, so the ratings' own
    # (community, created_at) index bounds this one.
    ratings = Rating.objects.in_community(community_id)
    if start is not None:
        ratings = ratings.filter(created_at__gte=start, ticket__created_at__gte=start)
    if end is not None:
        ratings = ratings.filter(ticket__created_at__lt=end)
    rated: dict[tuple[Any, Any, Any], dict[str, Any]] = {
        (_as_month(r["month"]), r["ticket__category_id"], r["ticket__assignee_id"]): r
        for r in ratings.annotate(
            month=TruncMonth("ticket__created_at", tzinfo=timezone.get_default_timezone())
        )
        .values("month", "ticket__category_id", "ticket__assignee_id")
        .annotate(
            rated=Count("pk"),
            solved=Count("pk", filter=Q(solved=True)),
            satisfied=Count("pk", filter=Q(satisfaction__gte=4)),
            satisfaction_sum=Sum("satisfaction"),
        )
        .order_by()
    }
    out = []
    for row in rows:
        key = (_as_month(row["month"]), row["category_id"], row["assignee_id"])
        rating = rated.get(key, {})
        figures = Figures(
            tickets=row["tickets"],
            responded=row["responded"],
            response_seconds=_seconds(row["response"]),
            resolved=row["resolved"],
            resolution_seconds=_seconds(row["resolution"]),
            resolved_with_deadline=row["resolved_with_deadline"],
            resolved_on_time=row["resolved_on_time"],
            rated=rating.get("rated", 0),
            solved=rating.get("solved", 0),
            satisfied=rating.get("satisfied", 0),
            satisfaction_sum=rating.get("satisfaction_sum") or 0,
        )
        out.append((*key, figures))
    return out


def live_building_rows(
    community_id: int, start: datetime | None, end: datetime | None
) -> list[tuple[date, int | None, int | None, int]]:
    rows = (
        _filed(community_id, start, end)
        .values("month", "building_id", "category_id")
        .annotate(tickets=Count("pk"))
    )
    return [(_as_month(r["month"]), r["building_id"], r["category_id"], r["tickets"]) for r in rows]


def _overdue_rows(
    community_id: int, start: datetime, end: datetime, now: datetime
) -> list[tuple[date, int | None, int | None, int]]:
    """Open tickets past their resolve-by deadline now (few, and read from a partial index)."""
    rows = (
        _filed(community_id, start, end)
        # A deadline falls after its ticket's filing, so after ``start``: this bound lets the
        # partial index of open tickets by deadline answer, not a scan of the period's tickets.
        .filter(status__in=OPEN_STATUSES, resolve_by__gte=start, resolve_by__lt=now)
        .values("month", "category_id", "assignee_id")
        .annotate(n=Count("pk"))
    )
    return [(_as_month(r["month"]), r["category_id"], r["assignee_id"], r["n"]) for r in rows]


# --- Rollups -----------------------------------------------------------------------------------


def _recompute(community_id: int, month: date, cutoff: datetime) -> None:
    start, end = month_start(month), min(month_start(next_month(month)), cutoff)
    TicketMonthStat.objects.in_community(community_id).filter(month=month).delete()
    TicketBuildingStat.objects.in_community(community_id).filter(month=month).delete()
    TicketMonthStat.objects.in_community(community_id).bulk_create(
        [
            TicketMonthStat(
                community_id=community_id,
                month=month,
                category_id=category_id,
                assignee_id=assignee_id,
                **{name: getattr(figures, name) for name in COUNTS},
            )
            for _m, category_id, assignee_id, figures in live_rows(community_id, start, end)
        ]
    )
    TicketBuildingStat.objects.in_community(community_id).bulk_create(
        [
            TicketBuildingStat(
                community_id=community_id,
                month=month,
                building_id=building_id,
                category_id=category_id,
                tickets=n,
            )
            for _m, building_id, category_id, n in live_building_rows(community_id, start, end)
        ]
    )


def stats_refresh(*, community_id: int, full: bool = False) -> int:
    """Bring the rollups up to date with every ticket filed before now; returns how many months
    were recomputed. A month is recomputed when one of its tickets changed since the last
    refresh; the months from the last refresh's to now's always are (the current month grows).
    ``full`` recomputes all of them. Two refreshes at once queue on the state row."""
    now = timezone.now()
    tz = timezone.get_default_timezone()
    with transaction.atomic():
        state, _created = (
            TicketStatsState.objects.in_community(community_id).select_for_update().get_or_create()
        )
        before = Ticket.objects.in_community(community_id).filter(created_at__lt=now)
        if full or state.refreshed_at is None:
            months = {_as_month(m) for m in before.datetimes("created_at", "month", tzinfo=tz)}
            TicketMonthStat.objects.in_community(community_id).exclude(month__in=months).delete()
            TicketBuildingStat.objects.in_community(community_id).exclude(month__in=months).delete()
        else:
            changed = before.filter(updated_at__gte=state.refreshed_at - SAFETY)
            months = {_as_month(m) for m in changed.datetimes("created_at", "month", tzinfo=tz)}
            months |= set(months_between(month_of(state.refreshed_at), month_of(now)))
        for month in sorted(months):
            _recompute(community_id, month, now)
        state.through = month_of(now)
        state.refreshed_at = now
        state.save()
    return len(months)


@task()
def refresh_stats(community_id: int) -> int:
    return stats_refresh(community_id=community_id)


def request_refresh(community_id: int, state: TicketStatsState | None) -> None:
    """Refresh in the background when the rollups are older than ``REFRESH_SECONDS``."""
    now = timezone.now()
    if (
        state is not None
        and state.refreshed_at is not None
        and now - state.refreshed_at < timedelta(seconds=REFRESH_SECONDS)
    ):
        return
    run_soon(
        refresh_stats,
        community_id,
        key=community_id,
        delay=5,
        now=lambda: stats_refresh(community_id=community_id),
    )


# --- Reports -----------------------------------------------------------------------------------


@dataclass
class Line:
    """One row of a table: what it is about and its figures."""

    key: Any
    label: str
    figures: Figures = field(default_factory=Figures)


@dataclass
class Heat:
    """Tickets per building (rows) and category (columns), for the heat view."""

    categories: list[Line]
    buildings: list[Line]
    cells: dict[tuple[Any, Any], int]
    largest: int

    def row(self, building: Line) -> list[int]:
        return [self.cells.get((building.key, c.key), 0) for c in self.categories]


@dataclass
class Report:
    first: date
    last: date
    total: Figures
    by_category: list[Line]
    by_handler: list[Line]
    by_month: list[Line]
    heat: Heat
    #: Past months are as of this time (None: everything was counted live).
    as_of: datetime | None


def default_period(now: datetime | None = None) -> tuple[date, date]:
    """The last twelve months, the current one included."""
    last = month_of(now or timezone.now())
    first = last
    for _step in range(11):
        first = (first - timedelta(days=1)).replace(day=1)
    return first, last


def parse_month(value: str) -> date:
    """``2025-03`` → 1 March 2025."""
    try:
        year, month = (int(part) for part in value.strip().split("-"))
        if not 2000 <= year <= 2100:
            raise ValueError(year)
        return date(year, month, 1)
    except (TypeError, ValueError) as exc:
        from django.core.exceptions import ValidationError

        raise ValidationError(
            _("Give months as year-month, for example 2025-03."), code="month"
        ) from exc


def parse_period(first: str | None, last: str | None) -> tuple[date, date]:
    from django.core.exceptions import ValidationError

    default_first, default_last = default_period()
    start = parse_month(first) if first else default_first
    end = parse_month(last) if last else default_last
    if start > end:
        raise ValidationError(_("The first month must not be after the last."), code="period")
    if len(months_between(start, end)) > MAX_MONTHS:
        raise ValidationError(
            _("A report covers at most %(n)d months.") % {"n": MAX_MONTHS}, code="period"
        )
    return start, end


def _label(mapping: dict[Any, str], key: Any, missing: str) -> str:
    return missing if key is None else mapping.get(key, missing)


def report(
    *,
    community: Community,
    first: date,
    last: date,
    live: bool = False,
    now: datetime | None = None,
) -> Report:
    """The figures of the tickets filed from ``first`` to ``last`` (months, both included):
    closed months from the rollups (unless ``live``), later ones counted now."""
    now = now or timezone.now()
    state = TicketStatsState.objects.in_community(community).first()
    cutoff = None if live or state is None else state.refreshed_at
    end = month_start(next_month(last))
    # Rollup rows are summed in SQL (tens of thousands of rows over years would cost more to
    # load than to add up): per (category, handler) and per month; heat per (building, category).
    pairs: list[tuple[int | None, int | None, Figures]] = []
    months: list[tuple[date, Figures]] = []
    heat: list[tuple[int | None, int | None, int]] = []
    live_from = month_start(first)
    sums = {name: Sum(name) for name in COUNTS}
    if cutoff is not None:
        rolled = TicketMonthStat.objects.in_community(community).filter(
            month__gte=first, month__lte=last
        )
        for row in rolled.values("category_id", "assignee_id").annotate(**sums).order_by():
            pairs.append((row["category_id"], row["assignee_id"], _summed(row)))
        for row in rolled.values("month").annotate(**sums).order_by():
            months.append((row["month"], _summed(row)))
        heat += (
            TicketBuildingStat.objects.in_community(community)
            .filter(month__gte=first, month__lte=last)
            .values_list("building_id", "category_id")
            .annotate(n=Sum("tickets"))
            .order_by()
        )
        live_from = max(live_from, cutoff)
    counted_live = live_rows(community.pk, live_from, end) if live_from < end else []
    if live_from < end:
        heat += [(b, c, n) for _m, b, c, n in live_building_rows(community.pk, live_from, end)]
    overdue = [
        (month, category_id, assignee_id, Figures(open_overdue=n))
        for month, category_id, assignee_id, n in _overdue_rows(
            community.pk, month_start(first), end, now
        )
    ]
    for month, category_id, assignee_id, figures in [*counted_live, *overdue]:
        pairs.append((category_id, assignee_id, figures))
        months.append((month, figures))
    if not live:
        request_refresh(community.pk, state)
    as_of = cutoff
    return _assemble(community, first, last, pairs, months, heat, as_of)


def _summed(row: dict[str, Any]) -> Figures:
    return Figures(**{name: row[name] or 0 for name in COUNTS})


def _assemble(
    community: Community,
    first: date,
    last: date,
    pairs: Iterable[tuple[int | None, int | None, Figures]],
    months: Iterable[tuple[date, Figures]],
    heat_rows: Iterable[tuple[int | None, int | None, int]],
    as_of: datetime | None,
) -> Report:
    from gongzhi.accounts.models import User

    total = Figures()
    by_category: dict[Any, Figures] = defaultdict(Figures)
    by_handler: dict[Any, Figures] = defaultdict(Figures)
    by_month: dict[date, Figures] = {m: Figures() for m in months_between(first, last)}
    for category_id, assignee_id, figures in pairs:
        total.add(figures)
        by_category[category_id].add(figures)
        by_handler[assignee_id].add(figures)
    for month, figures in months:
        by_month.setdefault(month, Figures()).add(figures)

    categories = list(Category.objects.in_community(community).order_by("position", "pk"))
    no_category = _("Not yet categorised")
    category_lines = [
        Line(c.pk, c.name, by_category[c.pk]) for c in categories if c.pk in by_category
    ]
    if None in by_category:
        category_lines.append(Line(None, no_category, by_category[None]))

    users = {u.pk: str(u) for u in User.objects.filter(pk__in=[k for k in by_handler if k])}
    handler_lines = sorted(
        (Line(k, _label(users, k, _("Unassigned")), f) for k, f in by_handler.items()),
        key=lambda line: (line.key is None, -line.figures.tickets, line.label),
    )
    month_lines = [Line(m, m.strftime("%Y-%m"), f) for m, f in sorted(by_month.items())]

    cells: dict[tuple[Any, Any], int] = defaultdict(int)
    per_building: dict[Any, int] = defaultdict(int)
    heat_categories: set[Any] = set()
    for building_id, category_id, n in heat_rows:
        cells[(building_id, category_id)] += n
        per_building[building_id] += n
        heat_categories.add(category_id)
    buildings = {
        b.pk: b.name
        for b in Building.objects.in_community(community).filter(
            pk__in=[k for k in per_building if k]
        )
    }
    building_lines = sorted(
        (
            Line(k, _label(buildings, k, _("No building given")), Figures(tickets=n))
            for k, n in per_building.items()
        ),
        key=lambda line: (line.key is None, -line.figures.tickets, natural_key(line.label)),
    )
    heat_columns = [
        Line(c.pk, c.name, Figures(tickets=sum(cells[(b, c.pk)] for b in per_building)))
        for c in categories
        if c.pk in heat_categories
    ]
    if None in heat_categories:
        heat_columns.append(
            Line(None, no_category, Figures(tickets=sum(cells[(b, None)] for b in per_building)))
        )
    heat = Heat(
        categories=heat_columns,
        buildings=building_lines,
        cells=dict(cells),
        largest=max(cells.values(), default=0),
    )
    return Report(
        first=first,
        last=last,
        total=total,
        by_category=category_lines,
        by_handler=handler_lines,
        by_month=month_lines,
        heat=heat,
        as_of=as_of,
    )


def as_dict(report_: Report) -> dict[str, Any]:
    """A report as plain data (the API and the exports)."""

    def lines(items: list[Line], key_name: str) -> list[dict[str, Any]]:
        return [{key_name: line.label, **line.figures.as_dict()} for line in items]

    return {
        "first_month": report_.first.strftime("%Y-%m"),
        "last_month": report_.last.strftime("%Y-%m"),
        "as_of": report_.as_of,
        "total": report_.total.as_dict(),
        "by_category": lines(report_.by_category, "category"),
        "by_handler": lines(report_.by_handler, "handler"),
        "by_month": lines(report_.by_month, "month"),
        "buildings": [
            {
                "building": b.label,
                "tickets": b.figures.tickets,
                "by_category": {
                    c.label: report_.heat.cells.get((b.key, c.key), 0)
                    for c in report_.heat.categories
                    if report_.heat.cells.get((b.key, c.key), 0)
                },
            }
            for b in report_.heat.buildings
        ],
    }
