"""The hotline's indicators (解决率, 满意率, time to resolve), from the journal alone.

A ticket is its journal target ("feedback.ticket:<pk>"). A ticket merged into another as a
duplicate is not a problem of its own: it leaves the resolution rate's denominator (the ticket it
joined carries the problem). Reopened tickets count once, at their first resolution.
No Django here (see gongzhi.evaluation.engine).
"""

from __future__ import annotations

from datetime import timedelta

from gongzhi.evaluation.engine import (
    AnyCell,
    EvalInput,
    count,
    entry_months,
    first_by_target,
    median,
    rate,
)

FILED, RESOLVED, RATED, MERGED = (
    "hotline.filed",
    "hotline.resolved",
    "hotline.rated",
    "hotline.merged",
)
#: A rating of 4 or 5 of 5 is "satisfied" (满意), as city hotlines count 满意率.
SATISFIED_FROM = 4


def solved(inp: EvalInput) -> dict[str, AnyCell]:
    """Tickets resolved for the first time in the month."""
    per_month: dict[str, int] = {}
    for _entry, month in first_by_target(inp, [RESOLVED]).values():
        per_month[month] = per_month.get(month, 0) + 1
    return {m: count(per_month.get(m, 0)) for m in inp.months}


def resolution_rate(inp: EvalInput) -> dict[str, AnyCell]:
    """Of the tickets filed in the month (duplicates merged away left out), the share resolved
    by the end of the journal."""
    resolved = first_by_target(inp, [RESOLVED])
    merged = first_by_target(inp, [MERGED])
    filed: dict[str, list[str]] = {}
    for target, (_entry, month) in first_by_target(inp, [FILED]).items():
        if target not in merged:
            filed.setdefault(month, []).append(target)
    cells: dict[str, AnyCell] = {}
    for m in inp.months:
        tickets = filed.get(m, [])
        cells[m] = rate(sum(1 for t in tickets if t in resolved), len(tickets))
    return cells


def satisfaction_rate(inp: EvalInput) -> dict[str, AnyCell]:
    """Ratings given in the month with satisfaction 4 or 5 (of 5) ÷ ratings given in the month."""
    satisfied: dict[str, int] = {}
    rated: dict[str, int] = {}
    for entry, month in zip(inp.entries, entry_months(inp), strict=True):
        if entry.verb != RATED:
            continue
        score = entry.data.get("satisfaction")
        if not isinstance(score, int | float) or isinstance(score, bool):
            continue
        rated[month] = rated.get(month, 0) + 1
        if score >= SATISFIED_FROM:
            satisfied[month] = satisfied.get(month, 0) + 1
    return {m: rate(satisfied.get(m, 0), rated.get(m, 0)) for m in inp.months}


def days_to_resolve(inp: EvalInput) -> dict[str, AnyCell]:
    """Median days from filing to the first resolution, over the tickets first resolved in the
    month (a ticket whose filing the journal lacks is left out)."""
    filed = first_by_target(inp, [FILED])
    days: dict[str, list[float]] = {}
    for target, (entry, month) in first_by_target(inp, [RESOLVED]).items():
        if target in filed:
            waited = entry.at - filed[target][0].at
            days.setdefault(month, []).append(waited / timedelta(days=1))
    return {m: median(days.get(m, [])) for m in inp.months}
