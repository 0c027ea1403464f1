"""The cross-app indicators: who takes part, how deeply, and whether they come back.

Plain functions ``compute(inp) -> {month: cell}`` over the journal (see ``engine``). The people
rates are PeopleCells, so the rollups can split them by grid, building, group and age band.
Definitions (the registry's texts say the same in plain words):

- participation rate: verified residents at the month's end with at least one act of taking part
  (a rung on the ladder) in the month ÷ verified residents at the month's end;
- ladder: the same, counting only residents whose highest rung in the month reaches the rung;
- retention: of the month before's participants, those who took part again this month;
- new participants: verified residents taking part for the first time (counted as the
  participation rate counts them: verified at the end of the month they took part in).
"""

from __future__ import annotations

from gongzhi.evaluation import ladder
from gongzhi.evaluation.engine import (
    AnyCell,
    EvalInput,
    PeopleCell,
    count,
    participants,
    participation,
    previous_month,
    verified_at_month_end,
)


def participation_rate(inp: EvalInput) -> dict[str, AnyCell]:
    return {m: PeopleCell(participants(inp, m), verified_at_month_end(inp, m)) for m in inp.months}


def _ladder(inp: EvalInput, rung: str) -> dict[str, AnyCell]:
    level = ladder.RUNGS.index(rung)
    return {
        m: PeopleCell(participants(inp, m, at_least=level), verified_at_month_end(inp, m))
        for m in inp.months
    }


def ladder_informed(inp: EvalInput) -> dict[str, AnyCell]:
    return _ladder(inp, ladder.INFORMED)


def ladder_consulted(inp: EvalInput) -> dict[str, AnyCell]:
    return _ladder(inp, ladder.CONSULTED)


def ladder_deciding(inp: EvalInput) -> dict[str, AnyCell]:
    return _ladder(inp, ladder.DECIDING)


def retention(inp: EvalInput) -> dict[str, AnyCell]:
    cells: dict[str, AnyCell] = {}
    for m in inp.months:
        before = participants(inp, previous_month(m))
        cells[m] = PeopleCell(participants(inp, m) & before, before)
    return cells


def new_participants(inp: EvalInput) -> dict[str, AnyCell]:
    firsts: dict[str, int] = {}
    for month in participation(inp).first_month.values():
        firsts[month] = firsts.get(month, 0) + 1
    return {m: count(firsts.get(m, 0)) for m in inp.months}
