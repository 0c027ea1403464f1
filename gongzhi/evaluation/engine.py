"""The evaluation engine: journal entries and persons in, indicator cells per month out.

Plain Python, no Django: anyone holding a community's export (``manage.py journal_export``) can
recompute every journal-only indicator with ``python -m gongzhi.evaluation.engine --from-export
DIR --indicators module:function,...`` and compare it with the dashboard. The management command
``manage.py indicators`` prints through :func:`format_lines`, so both print the same lines.

An indicator is a function ``compute(inp: EvalInput) -> dict[month, Cell | PeopleCell]``; the
months are calendar months in the community's time zone (Asia/Shanghai), written "YYYY-MM".
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from gongzhi.evaluation import ladder

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


# --- months -----------------------------------------------------------------------------------


def month_of(at: datetime, tz: tzinfo) -> str:
    """The calendar month ("YYYY-MM") of an aware time, in ``tz``."""
    local = at.astimezone(tz)
    return f"{local.year:04d}-{local.month:02d}"


def _ym(month: str) -> tuple[int, int]:
    year, _, mon = month.partition("-")
    return int(year), int(mon)


def shift_month(month: str, n: int) -> str:
    """The month ``n`` months after ``month`` (before it when ``n`` is negative)."""
    year, mon = _ym(month)
    index = year * 12 + mon - 1 + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def next_month(month: str) -> str:
    return shift_month(month, 1)


def previous_month(month: str) -> str:
    return shift_month(month, -1)


def month_first_day(month: str) -> date:
    year, mon = _ym(month)
    return date(year, mon, 1)


def month_last_day(month: str) -> date:
    return month_first_day(next_month(month)) - timedelta(days=1)


def months_between(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last``, both included."""
    months: list[str] = []
    month = first
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def entry_months(inp: EvalInput) -> list[str]:
    """The month of every entry, in entry order (computed once per input)."""
    cached = inp.cache.get("entry_months")
    if cached is None:
        tz = inp.tz
        cached = [month_of(e.at, tz) for e in inp.entries]
        inp.cache["entry_months"] = cached
    result: list[str] = cached
    return result


def local_date(at: datetime, tz: tzinfo) -> date:
    return at.astimezone(tz).date()


# --- people -----------------------------------------------------------------------------------


def member_on(person: Person, day: date) -> bool:
    """Verified on or before ``day`` and not gone by then."""
    return (
        person.verified_on is not None
        and person.verified_on <= day
        and (person.left_on is None or person.left_on > day)
    )


def verified_at_month_end(inp: EvalInput, month: str) -> frozenset[str]:
    """The verified residents at the end of ``month``: the denominator of the people rates."""
    key = f"verified:{month}"
    cached = inp.cache.get(key)
    if cached is None:
        day = month_last_day(month)
        cached = frozenset(pid for pid, p in inp.persons.items() if member_on(p, day))
        inp.cache[key] = cached
    result: frozenset[str] = cached
    return result


@dataclass(frozen=True)
class Participation:
    """Who took part when: per month, each person's highest rung (an index into RUNGS)."""

    highest: Mapping[str, Mapping[str, int]]  # month -> pid -> highest rung index
    # pid -> the first month they took part as a verified resident (the people the participation
    # rate counts): an act before one's verification makes nobody a new participant yet.
    first_month: Mapping[str, str]


def participation(inp: EvalInput) -> Participation:
    """Participation acts (a rung, and a person of the community as the one acting) by month."""
    cached = inp.cache.get("participation")
    if cached is None:
        highest: dict[str, dict[str, int]] = {}
        first: dict[str, str] = {}
        persons = inp.persons
        for entry, month in zip(inp.entries, entry_months(inp), strict=True):
            rung = ladder.rung(entry)
            if rung is None:
                continue
            pid = entry.person
            if pid is None or pid not in persons:
                continue
            level = ladder.RUNGS.index(rung)
            in_month = highest.setdefault(month, {})
            if in_month.get(pid, -1) < level:
                in_month[pid] = level
        verified = {m: verified_at_month_end(inp, m) for m in highest}
        for month in sorted(highest):
            for pid in highest[month]:
                if pid in verified[month] and pid not in first:
                    first[pid] = month
        cached = Participation(highest, first)
        inp.cache["participation"] = cached
    result: Participation = cached
    return result


def participants(inp: EvalInput, month: str, *, at_least: int = 0) -> frozenset[str]:
    """Verified residents at the end of ``month`` whose highest rung that month is ≥ ``at_least``."""
    acted = participation(inp).highest.get(month, {})
    verified = verified_at_month_end(inp, month)
    return frozenset(pid for pid, level in acted.items() if level >= at_least and pid in verified)


# --- arithmetic -------------------------------------------------------------------------------


def median(values: Sequence[float]) -> Cell:
    """A median cell: the median of ``values`` and how many there are (n=0: no median)."""
    if not values:
        return Cell(0.0, None, n=0)
    return Cell(float(statistics.median(values)), None, n=len(values))


def rate(numerator: float, denominator: float) -> Cell:
    return Cell(float(numerator), float(denominator))


def count(value: float) -> Cell:
    return Cell(float(value), None)


def first_by_target(
    inp: EvalInput, verbs: Iterable[str], when: Callable[[Entry], bool] | None = None
) -> dict[str, tuple[Entry, str]]:
    """For each target, its first entry with one of ``verbs`` (passing ``when``), and its month.
    Shared between indicators (cached on ``inp`` when there is no ``when``): do not change it."""
    wanted = frozenset(verbs)
    key = f"first:{','.join(sorted(wanted))}" if when is None else None
    if key is not None and key in inp.cache:
        cached: dict[str, tuple[Entry, str]] = inp.cache[key]
        return cached
    found: dict[str, tuple[Entry, str]] = {}
    for entry, month in zip(inp.entries, entry_months(inp), strict=True):
        if entry.verb in wanted and entry.target not in found:
            if when is None or when(entry):
                found[entry.target] = (entry, month)
    if key is not None:
        inp.cache[key] = found
    return found


def by_month(inp: EvalInput, values: Mapping[str, Cell | PeopleCell]) -> dict[str, AnyCell]:
    return {month: values[month] for month in inp.months}


# --- evaluating -------------------------------------------------------------------------------


def resolve(path: str) -> Compute:
    """The compute function at "package.module:function" or "package.module.function"."""
    module_name, sep, name = path.partition(":")
    if not sep:
        module_name, _, name = path.rpartition(".")
    if not module_name or not name:
        raise ValueError(f"not a function path: {path!r}")
    function = getattr(importlib.import_module(module_name), name)
    if not callable(function):
        raise ValueError(f"not a function: {path!r}")
    compute: Compute = function
    return compute


def evaluate(inp: EvalInput, specs: Mapping[str, str | Compute]) -> dict[str, dict[str, AnyCell]]:
    """Every indicator of ``specs`` (key → compute function or its dotted path), for every month
    of ``inp.months``."""
    results: dict[str, dict[str, AnyCell]] = {}
    for key, spec in specs.items():
        compute = resolve(spec) if isinstance(spec, str) else spec
        cells = compute(inp)
        missing = [m for m in inp.months if m not in cells]
        if missing:
            raise ValueError(f"{key}: no cell for {', '.join(missing)}")
        results[key] = {month: cells[month] for month in inp.months}
    return results


#: The journal-only indicators of today's apps (key → compute function): the CLI's default,
#: the same as the registry's (tests/evaluation/test_cli.py checks they agree).
JOURNAL_INDICATORS: dict[str, str] = {
    "participation.rate": "gongzhi.evaluation.measures:participation_rate",
    "participation.ladder_informed": "gongzhi.evaluation.measures:ladder_informed",
    "participation.ladder_consulted": "gongzhi.evaluation.measures:ladder_consulted",
    "participation.ladder_deciding": "gongzhi.evaluation.measures:ladder_deciding",
    "participation.retention": "gongzhi.evaluation.measures:retention",
    "participation.new": "gongzhi.evaluation.measures:new_participants",
    "hotline.solved": "gongzhi.feedback.indicators:solved",
    "hotline.resolution_rate": "gongzhi.feedback.indicators:resolution_rate",
    "hotline.satisfaction_rate": "gongzhi.feedback.indicators:satisfaction_rate",
    "hotline.days_to_resolve": "gongzhi.feedback.indicators:days_to_resolve",
    "proposals.raised": "gongzhi.deliberation.indicators:proposals_raised",
    "proposals.answered": "gongzhi.deliberation.indicators:proposals_answered",
    "proposals.adopted": "gongzhi.deliberation.indicators:proposals_adopted",
    "budget.money_decided": "gongzhi.budgeting.indicators:money_decided",
    "disclosure.timeliness": "gongzhi.disclosure.indicators:disclosure_timeliness",
    "bodies.existing": "gongzhi.bodies.indicators:bodies_existing",
    "bodies.deciding": "gongzhi.bodies.indicators:bodies_deciding",
    "bodies.elected_share": "gongzhi.bodies.indicators:elected_share",
    "bodies.turnover": "gongzhi.bodies.indicators:turnover",
    "bodies.organisations_active": "gongzhi.bodies.indicators:organisations_active",
    "panels.drawn": "gongzhi.bodies.indicators:panels_drawn",
    "panels.answered_on_time": "gongzhi.bodies.indicators:panels_answered_on_time",
    "opinions.answered_on_time": "gongzhi.bodies.indicators:opinions_answered_on_time",
    "partners.contributions": "gongzhi.bodies.indicators:partner_contributions",
    "partners.contributed_yuan": "gongzhi.bodies.indicators:partner_money",
    "meetings.held": "gongzhi.meetings.indicators:meetings_held",
    "meetings.quorum": "gongzhi.meetings.indicators:quorum_share",
    "meetings.attendance": "gongzhi.meetings.indicators:attendance",
    "meetings.members_attending": "gongzhi.meetings.indicators:members_attending",
    "meetings.items_from_proposals": "gongzhi.meetings.indicators:items_from_proposals",
    "meetings.actions_on_time": "gongzhi.meetings.indicators:actions_on_time",
    "volunteering.volunteers": "gongzhi.volunteering.indicators:volunteers",
    "volunteering.active": "gongzhi.volunteering.indicators:active_volunteers",
    "volunteering.hours": "gongzhi.volunteering.indicators:confirmed_hours",
    "volunteering.residents_serving": "gongzhi.volunteering.indicators:residents_serving",
    "volunteering.retention": "gongzhi.volunteering.indicators:retention",
    "volunteering.exchanges": "gongzhi.volunteering.indicators:exchanges_done",
    "learning.enrolments": "gongzhi.learning.indicators:enrolments",
    "learning.completions": "gongzhi.learning.indicators:completions",
    "learning.completion_rate": "gongzhi.learning.indicators:completion_rate",
    "learning.qualified_leadership": "gongzhi.learning.indicators:qualified_leadership",
    "learning.qualified_mediation": "gongzhi.learning.indicators:qualified_mediation",
    "learning.qualified_chairing": "gongzhi.learning.indicators:qualified_chairing",
    "learning.qualified_first_aid": "gongzhi.learning.indicators:qualified_first_aid",
    "learning.qualified_digital_helper": "gongzhi.learning.indicators:qualified_digital_helper",
    "learning.new_leaders": "gongzhi.learning.indicators:new_leaders",
    "learning.leadership_share": "gongzhi.learning.indicators:leadership_share",
    "learning.network_reach": "gongzhi.learning.indicators:network_reach",
    "covenants.commenters": "gongzhi.covenants.indicators:commenters",
    "covenants.amendment_authors": "gongzhi.covenants.indicators:amendment_authors",
    "covenants.amendments_accepted": "gongzhi.covenants.indicators:amendments_accepted",
    "covenants.acknowledging_households": "gongzhi.covenants.indicators:acknowledging_households",
    "covenants.participation": "gongzhi.covenants.indicators:participation",
    "mediation.cases_opened": "gongzhi.mediation.indicators:cases_opened",
    "mediation.agreement_rate": "gongzhi.mediation.indicators:agreement_rate",
    "mediation.days_to_agreement": "gongzhi.mediation.indicators:days_to_agreement",
    "mediation.performed_in_full": "gongzhi.mediation.indicators:performed_in_full",
    "spaces.bookers": "gongzhi.spaces.indicators:bookers",
    "spaces.no_shows": "gongzhi.spaces.indicators:no_shows",
    "spaces.idle_area_opened": "gongzhi.spaces.indicators:idle_area_opened",
    "spaces.things_lent": "gongzhi.spaces.indicators:things_lent",
}


# --- the export -------------------------------------------------------------------------------


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def _time(value: str) -> datetime:
    at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if at.tzinfo is None:
        raise ValueError(f"journal time without a zone: {value!r}")
    return at.astimezone(UTC)


def entry_from_json(row: Mapping[str, Any]) -> Entry:
    return Entry(
        seq=int(row["seq"]),
        at=_time(row["at"]),
        verb=str(row["verb"]),
        actor=row.get("actor"),
        target=row.get("target") or "",
        data=row.get("data") or {},
        on_behalf_of=row.get("on_behalf_of"),
        target_attrs=row.get("target_attrs") or {},
    )


def person_from_json(row: Mapping[str, Any]) -> Person:
    return Person(
        pid=str(row["pid"]),
        verified_on=_date(row.get("verified_on")),
        left_on=_date(row.get("left_on")),
        grid=row.get("grid"),
        building=row.get("building"),
        consented=bool(row.get("consented")),
        groups=frozenset(row.get("groups") or ()),
        age_band=row.get("age_band"),
    )


def _jsonl(path: Path) -> Iterable[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path.name}, line {number}: {exc.msg}") from exc


def load_export(directory: str | Path) -> EvalInput:
    """Read an export (journal.jsonl, persons.jsonl, meta.json) into an EvalInput."""
    root = Path(directory)
    meta = json.loads((root / "meta.json").read_text(encoding="utf-8"))
    if meta.get("format") != 1:
        raise ValueError(f"unknown export format {meta.get('format')!r}")
    entries = [entry_from_json(row) for row in _jsonl(root / "journal.jsonl")]
    entries.sort(key=lambda e: e.seq)
    persons = {p.pid: p for p in map(person_from_json, _jsonl(root / "persons.jsonl"))}
    tz = ZoneInfo(meta.get("timezone") or "Asia/Shanghai")
    months = list(meta.get("months") or ())
    if not months and entries:
        months = months_between(month_of(entries[0].at, tz), month_of(entries[-1].at, tz))
    return EvalInput(entries=entries, persons=persons, months=sorted(months), tz=tz)


def _specs(argument: str | None) -> dict[str, str]:
    if not argument:
        return dict(JOURNAL_INDICATORS)
    specs: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in argument.split(","))):
        key, sep, path = item.partition("=")
        specs[key if sep else item] = path if sep else item
    return specs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gongzhi.evaluation.engine",
        description="Recompute journal-only indicators from a community's export.",
    )
    parser.add_argument("--from-export", required=True, metavar="DIR")
    parser.add_argument(
        "--indicators",
        metavar="SPECS",
        help="comma-separated key=module:function (or module:function, printed as its own key); "
        "default: every journal-only indicator of today's apps",
    )
    args = parser.parse_args(argv)
    try:
        inp = load_export(args.from_export)
        results = evaluate(inp, _specs(args.indicators))
    except (OSError, ValueError, KeyError, ImportError, AttributeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for line in format_lines(results):
        print(line)
    return 0


if __name__ == "__main__":
    # Run as the module's importable self, so the cells the indicators return are of the same
    # classes format_lines knows (``python -m`` would otherwise load this file twice).
    from gongzhi.evaluation.engine import main as _main

    sys.exit(_main())
