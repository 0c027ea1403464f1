"""Money decided by residents in participatory budgeting, from the journal alone.

A process may be counted more than once (a recount after paper ballots were corrected): only its
latest count stands, in the month it was made. Counts recorded before ``budget.counted`` carried
``funded_fen`` (issue 13) are left out. No Django here.
"""

from __future__ import annotations

from gongzhi.evaluation.engine import AnyCell, EvalInput, count, entry_months

COUNTED = "budget.counted"


def money_decided(inp: EvalInput) -> dict[str, AnyCell]:
    """Yuan of the projects funded by the residents' ballots, by the month of the count."""
    latest: dict[str, tuple[str, int]] = {}
    for entry, month in zip(inp.entries, entry_months(inp), strict=True):
        if entry.verb != COUNTED:
            continue
        fen = entry.data.get("funded_fen")
        if isinstance(fen, int) and not isinstance(fen, bool):
            latest[entry.target] = (month, fen)
    fen_by_month: dict[str, int] = {}
    for month, fen in latest.values():
        fen_by_month[month] = fen_by_month.get(month, 0) + fen
    return {m: count(fen_by_month.get(m, 0) / 100) for m in inp.months}
