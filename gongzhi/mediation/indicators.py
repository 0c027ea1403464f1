"""Mediation for evaluation, from the journal alone (issue 19, "Evaluation").

Mediation's entries have no target and name no one (the journal conventions of the covenants
spec): ``mediation.case_opened`` with ``data {"channel"}``; ``mediation.case_concluded`` with
``data {"outcome", "days"}`` (outcome: a case status; days from acceptance, or opening, to
conclusion; older entries may also carry the kind, which nothing reads); ``mediation.follow_up_recorded`` with ``data {"performance"}``.

- cases opened in the month;
- the agreement rate: of the cases concluded in the month after mediation (agreed, not agreed,
  withdrawn; not those the committee did not take up), the share agreed;
- the median days to agreement of the cases agreed in the month;
- follow-ups performed in full: of the follow-up visits in the month that found the agreement
  due (full, partial or none; not "not yet due"), the share performed in full.

Months are calendar months in the community's time zone. No Django here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from gongzhi.evaluation.engine import AnyCell, Entry, EvalInput, count, entry_months, median, rate

OPENED = "mediation.case_opened"
CONCLUDED = "mediation.case_concluded"
FOLLOW_UP = "mediation.follow_up_recorded"
MEDIATED = frozenset({"agreed", "not_agreed", "withdrawn"})
DUE = frozenset({"full", "partial", "none"})


def _entries(inp: EvalInput, verb: str) -> Iterator[tuple[Entry, str]]:
    for entry, month in zip(inp.entries, entry_months(inp), strict=True):
        if entry.verb == verb:
            yield entry, month


def cases_opened(inp: EvalInput) -> dict[str, AnyCell]:
    per = Counter(month for _e, month in _entries(inp, OPENED))
    return {m: count(per.get(m, 0)) for m in inp.months}


def agreement_rate(inp: EvalInput) -> dict[str, AnyCell]:
    mediated: Counter[str] = Counter()
    agreed: Counter[str] = Counter()
    for entry, month in _entries(inp, CONCLUDED):
        outcome = entry.data.get("outcome")
        if outcome in MEDIATED:
            mediated[month] += 1
            agreed[month] += outcome == "agreed"
    return {m: rate(agreed.get(m, 0), mediated.get(m, 0)) for m in inp.months}


def days_to_agreement(inp: EvalInput) -> dict[str, AnyCell]:
    days: dict[str, list[float]] = {}
    for entry, month in _entries(inp, CONCLUDED):
        value = entry.data.get("days")
        if entry.data.get("outcome") == "agreed" and isinstance(value, int | float):
            if not isinstance(value, bool):
                days.setdefault(month, []).append(float(value))
    return {m: median(days.get(m, [])) for m in inp.months}


def performed_in_full(inp: EvalInput) -> dict[str, AnyCell]:
    due: Counter[str] = Counter()
    full: Counter[str] = Counter()
    for entry, month in _entries(inp, FOLLOW_UP):
        performance = entry.data.get("performance")
        if performance in DUE:
            due[month] += 1
            full[month] += performance == "full"
    return {m: rate(full.get(m, 0), due.get(m, 0)) for m in inp.months}
