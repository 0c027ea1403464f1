"""Proposals raised, answered and adopted, from the journal alone.

A proposal is its journal target ("deliberation.proposal:<pk>"); each is counted once, in the
month of its first publication, its first answer, its first adoption. No Django here.
"""

from __future__ import annotations

from gongzhi.evaluation.engine import AnyCell, Entry, EvalInput, count, first_by_target

PUBLISHED, STATUS_CHANGED = "proposal.published", "proposal.status_changed"
#: The answers the council or staff give (merged: answered by joining another proposal).
ANSWERS = frozenset({"accepted", "rejected", "implemented", "merged"})
ADOPTED = frozenset({"accepted", "implemented"})


def _monthly(inp: EvalInput, found: dict[str, tuple[Entry, str]]) -> dict[str, AnyCell]:
    per_month: dict[str, int] = {}
    for _entry, month in found.values():
        per_month[month] = per_month.get(month, 0) + 1
    return {m: count(per_month.get(m, 0)) for m in inp.months}


def proposals_raised(inp: EvalInput) -> dict[str, AnyCell]:
    """Proposals published (open for support) for the first time in the month."""
    return _monthly(inp, first_by_target(inp, [PUBLISHED]))


def proposals_answered(inp: EvalInput) -> dict[str, AnyCell]:
    """Proposals given their first answer (accepted, rejected, implemented, merged) in the month."""
    return _monthly(
        inp, first_by_target(inp, [STATUS_CHANGED], lambda e: e.data.get("to") in ANSWERS)
    )


def proposals_adopted(inp: EvalInput) -> dict[str, AnyCell]:
    """Proposals accepted or implemented for the first time in the month."""
    return _monthly(
        inp, first_by_target(inp, [STATUS_CHANGED], lambda e: e.data.get("to") in ADOPTED)
    )
