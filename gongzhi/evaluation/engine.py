"""The evaluation engine: journal entries and persons in, indicator cells per month out.

Plain Python, no Django: anyone holding a community's export (``manage.py journal_export``) can
recompute every journal-only indicator with ``python -m gongzhi.evaluation.engine --from-export
DIR --indicators module:function,...`` and compare it with the dashboard. The management command
``manage.py indicators`` prints through :func:`format_lines`, so both print the same lines.

An indicator is a function ``compute(inp: EvalInput) -> dict[month, Cell | PeopleCell]``; the
months are calendar months in the community's time zone (Asia/Shanghai), written "YYYY-MM".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any

GROUPS = ("elderly", "disabled", "low_income")
AGE_BANDS = ("under 30", "30-44", "45-59", "60-74", "75+")


@dataclass(frozen=True)
class Entry:
    """One journal entry, as exported (persons replaced by pseudonyms)."""

    seq: int
    at: datetime  # aware, UTC
    verb: str
    actor: str | None  # the person's pseudonym (pid) or None
    target: str  # "app_label.model:pk" or ""
    data: Mapping[str, Any]
    # The resident a worker acted for (a ticket filed for an elderly neighbour, a paper ballot
    # entered for a voter): the act is theirs, not the worker's.
    on_behalf_of: str | None = None
    target_attrs: Mapping[str, Any] = field(default_factory=dict)

    @property
    def person(self) -> str | None:
        """Whose act this is: the resident acted for, else the actor."""
        return self.on_behalf_of if self.on_behalf_of is not None else self.actor


@dataclass(frozen=True)
class Person:
    """One member of the community, as exported (pseudonymous)."""

    pid: str
    verified_on: date | None  # None: never verified
    left_on: date | None  # membership ended / account erased; None: still a member
    grid: str | None = None
    building: str | None = None
    consented: bool = False  # gave consent to the group questions
    groups: frozenset[str] = frozenset()  # subset of GROUPS; empty unless consented
    age_band: str | None = None  # one of AGE_BANDS, from a declared birth year (consent only)


@dataclass(frozen=True)
class EvalInput:
    """Everything an indicator may read. ``cache`` holds what several indicators share."""

    entries: Sequence[Entry]  # in seq order
    persons: Mapping[str, Person]
    months: Sequence[str]  # "YYYY-MM", ascending, the periods to compute
    tz: tzinfo  # months are calendar months in this zone
    cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)


@dataclass(frozen=True)
class Cell:
    """A count, a rate, or a median.

    count: ``numerator`` is the count, ``denominator`` None. rate: both set. median: ``numerator``
    is the median, ``denominator`` None, ``n`` how many values (0: no values, no median)."""

    numerator: float
    denominator: float | None
    n: int | None = None

    @property
    def value(self) -> float | None:
        if self.n is not None:
            return self.numerator if self.n > 0 else None
        if self.denominator is not None:
            return self.numerator / self.denominator if self.denominator else None
        return self.numerator


@dataclass(frozen=True)
class PeopleCell:
    """A rate over people, which can be split by grid, building, group and age band."""

    numerator: frozenset[str]  # pids
    denominator: frozenset[str]  # pids (numerator ⊆ denominator)

    @property
    def value(self) -> float | None:
        return len(self.numerator) / len(self.denominator) if self.denominator else None

    def restricted(self, pids: frozenset[str]) -> PeopleCell:
        """The same rate among ``pids`` only (one group's cell)."""
        return PeopleCell(self.numerator & pids, self.denominator & pids)


AnyCell = Cell | PeopleCell
Compute = Callable[[EvalInput], dict[str, AnyCell]]
Results = Mapping[str, Mapping[str, AnyCell]]


# --- printing ---------------------------------------------------------------------------------


def _number(x: float) -> str:
    text = f"{x:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def cell_parts(cell: AnyCell) -> tuple[float, float | None, float | None]:
    """(numerator, denominator, value) of a cell as printed and stored; PeopleCells as counts."""
    if isinstance(cell, PeopleCell):
        return float(len(cell.numerator)), float(len(cell.denominator)), cell.value
    return cell.numerator, cell.denominator, cell.value


def format_line(key: str, month: str, cell: AnyCell) -> str:
    numerator, denominator, value = cell_parts(cell)
    return (
        f"key={key} month={month} numerator={_number(numerator)} "
        f"denominator={'-' if denominator is None else _number(denominator)} "
        f"value={'-' if value is None else f'{value:.6f}'}"
    )


def format_lines(results: Results, specs: Iterable[str] | None = None) -> list[str]:
    """One line per indicator and month, sorted by key then month.

    ``specs``, when given, are the keys to print (each must be in ``results``: a missing
    indicator is an error, never a silent gap)."""
    keys = sorted(results) if specs is None else sorted(set(specs))
    lines: list[str] = []
    for key in keys:
        by_month = results[key]
        for month in sorted(by_month):
            lines.append(format_line(key, month, by_month[month]))
    return lines
