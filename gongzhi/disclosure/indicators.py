"""Disclosure timeliness (公开及时率), from the journal alone.

A financial period published within 30 days of its end is timely (the rule of thumb of the village
and community affairs disclosure regulations: monthly accounts out within the following month).
Each period counts once, at its first publication; publications recorded before
``finance.period_published`` carried ``period_end`` (issue 13) are left out. No Django here.
"""

from __future__ import annotations

from datetime import date

from gongzhi.evaluation.engine import AnyCell, EvalInput, first_by_target, local_date, rate

PUBLISHED = "finance.period_published"
TIMELY_DAYS = 30


def disclosure_timeliness(inp: EvalInput) -> dict[str, AnyCell]:
    """Periods first published in the month at most 30 days after they ended ÷ periods first
    published in the month."""
    timely: dict[str, int] = {}
    published: dict[str, int] = {}
    for entry, month in first_by_target(inp, [PUBLISHED]).values():
        try:
            period_end = date.fromisoformat(str(entry.data["period_end"]))
        except (KeyError, ValueError):
            continue
        published[month] = published.get(month, 0) + 1
        if (local_date(entry.at, inp.tz) - period_end).days <= TIMELY_DAYS:
            timely[month] = timely.get(month, 0) + 1
    return {m: rate(timely.get(m, 0), published.get(m, 0)) for m in inp.months}
