"""Review panels drawn by lot (抽签产生的评议小组): maximin selection under quotas, and the draw.

The method is Flanigan, Gölz, Gupta, Hennig and Procaccia, "Fair algorithms for selecting
citizens' assemblies", *Nature* 596, 548–552 (2021): among all lotteries over panels that meet
the quotas, take one that maximises the smallest selection probability of anyone in the pool.
It is computed by column generation over feasible panels:

- the master LP (``scipy.optimize.linprog``, HiGHS) finds the distribution over the panels found
  so far that maximises the minimum probability ``t``; its dual gives a weight ``y_i`` to each
  person (the weights sum to 1);
- the pricing problem (``scipy.optimize.milp``, HiGHS) finds the feasible panel of largest total
  weight; if that weight exceeds ``t`` (plus a tolerance) the panel is added and the LP solved
  again. Otherwise no lottery does better than ``t`` + tolerance (weak duality: for every
  lottery, min_i π_i ≤ Σ y_i π_i = E[y(panel)] ≤ max weight), and the current one is published.

People who are in no feasible panel at all (their group's quota maximum is 0, or quotas fill
every seat with other groups) cannot be drawn under any lottery; they are published with
probability 0 and ``min_probability`` is then 0 — the true minimum over the pool.

Quotas constrain only the values they name: a person whose value of a feature is named by no
quota is unconstrained on that feature. When the quotas of that feature already take every
seat (their minimums sum to the seats), such a person is in no feasible panel and gets
probability 0, as above.

What is published (``portfolio_json``) is the list of panels, each with its probability as a
decimal with ``DECIMALS`` places, summing to exactly 1; the SHA-256 of those bytes is published
before the seed is known. ``pick`` then maps the public seed onto the published decimals with
integer arithmetic (``core.lottery.position_key(seed, 0)`` read as a 256-bit number), so anyone
can repeat the draw from the published file and the seed.

Command line (the same inputs and seed always print the same bytes)::

    python -m gongzhi.bodies.sortition POOL.csv --quotas QUOTAS.csv --seats N --seed S

POOL has an ``id`` column and one column per feature; QUOTAS has ``feature,value,min,max``; both
UTF-8 (with or without BOM) or GB18030. It prints the drawn ids, one a line in pool order, then
``min_probability=``; timings go to standard error; bad input or quotas that cannot be met print
a message on standard error and exit with code 2. ``--portfolio FILE`` also writes the published
portfolio (the bytes whose SHA-256 is printed on standard error).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.utils.translation import gettext
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from gongzhi.core.lottery import position_key

#: Decimal places of the published probabilities (they sum to exactly 1 at this precision).
DECIMALS = 9
UNIT = 10**DECIMALS
#: Column generation stops when no panel's dual weight exceeds the LP value by more than this.
TOLERANCE = 1e-7
#: Safety bound on column-generation rounds (each adds at least one new panel).
MAX_ROUNDS = 5000
#: Extra columns tried per LP solve (weights of the panel just found scaled down).
EXTRA_PANELS = 9
FORMAT = "gongzhi-sortition-maximin-1"
BAD_INPUT = 2


@dataclass(frozen=True)
class Person:
    id: str
    features: dict[str, str]


@dataclass(frozen=True)
class QuotaRule:
    """At least ``minimum`` and at most ``maximum`` seats go to people with ``feature=value``."""

    feature: str
    value: str
    minimum: int
    maximum: int

    def __str__(self) -> str:
        return f"{self.feature}={self.value} [{self.minimum}, {self.maximum}]"


@dataclass(frozen=True)
class Portfolio:
    """Panels (ids in pool order) with their published probabilities (multiples of 10^-DECIMALS
    summing to 1); ``people`` is the whole pool, so those in no panel show probability 0."""

    panels: tuple[tuple[str, ...], ...]
    probabilities: tuple[float, ...]
    people: tuple[str, ...] = field(default=())

    def units(self) -> list[int]:
        """The published probabilities as integers in units of 10^-DECIMALS."""
        units = [round(probability * UNIT) for probability in self.probabilities]
        if len(units) != len(self.panels) or sum(units) != UNIT or min(units, default=0) < 0:
            raise ValueError(gettext("The panels' probabilities do not sum to 1."))
        return units

    def person_units(self) -> dict[str, int]:
        totals = dict.fromkeys(self.people, 0)
        for panel, units in zip(self.panels, self.units(), strict=True):
            for person in panel:
                totals[person] = totals.get(person, 0) + units
        return totals

    def person_probabilities(self) -> dict[str, float]:
        return {person: units / UNIT for person, units in self.person_units().items()}

    @property
    def min_probability(self) -> float:
        return min(self.person_units().values(), default=0) / UNIT


class QuotaConflict(ValueError):
    """The quotas cannot all be met; ``quotas`` is a small set of them that conflict."""

    def __init__(self, quotas: Sequence[QuotaRule], seats: int, people: int) -> None:
        self.quotas = tuple(quotas)
        if self.quotas:
            message = gettext(
                "These quotas cannot all be met when %(seats)d seats are drawn from "
                "%(people)d people: %(quotas)s"
            ) % {"seats": seats, "people": people, "quotas": "; ".join(map(str, self.quotas))}
        else:
            message = gettext("%(seats)d seats cannot be drawn from %(people)d people.") % {
                "seats": seats,
                "people": people,
            }
        super().__init__(message)


# --- the problem as matrices -------------------------------------------------------------


@dataclass(frozen=True)
class _Problem:
    ids: tuple[str, ...]
    seats: int
    quotas: tuple[QuotaRule, ...]
    #: quotas × people, 1 where the person has the quota's value
    incidence: sparse.csr_matrix
    #: people with the same quota memberships are interchangeable: each one's kind, and the
    #: memberships of each kind (kinds × quotas)
    kind: np.ndarray
    kinds: np.ndarray

    @property
    def size(self) -> int:
        return len(self.ids)


def _problem(people: Sequence[Person], quotas: Sequence[QuotaRule], seats: int) -> _Problem:
    ids = tuple(person.id for person in people)
    if len(set(ids)) != len(ids):
        raise ValueError(gettext("Two people in the pool have the same id."))
    features = {name for person in people for name in person.features}
    for quota in quotas:
        if quota.feature not in features:
            raise ValueError(
                gettext("The quota %(quota)s names a feature that is not a column of the pool.")
                % {"quota": quota}
            )
    rows = [
        [1.0 if person.features.get(quota.feature) == quota.value else 0.0 for person in people]
        for quota in quotas
    ]
    dense = np.array(rows, dtype=float).reshape(len(quotas), len(ids))
    kinds, kind = np.unique(dense.T, axis=0, return_inverse=True)
    return _Problem(ids, seats, tuple(quotas), sparse.csr_matrix(dense), kind.ravel(), kinds)


def _best_panel(
    problem: _Problem,
    weights: np.ndarray,
    rules: Sequence[int] | None = None,
    forced: int | None = None,
) -> np.ndarray | None:
    """Indices of the feasible panel of largest total weight (HiGHS MILP), or None when no
    panel meets the quotas ``rules`` (all by default) with person ``forced`` on it."""
    size = problem.size
    chosen = range(len(problem.quotas)) if rules is None else rules
    constraints = [LinearConstraint(np.ones((1, size)), problem.seats, problem.seats)]
    if len(chosen):
        picked = list(chosen)
        constraints.append(
            LinearConstraint(
                problem.incidence[picked],
                [problem.quotas[index].minimum for index in picked],
                [problem.quotas[index].maximum for index in picked],
            )
        )
    lower = np.zeros(size)
    if forced is not None:
        lower[forced] = 1.0
    result = milp(
        -np.asarray(weights, dtype=float),
        integrality=np.ones(size),
        bounds=Bounds(lower, np.ones(size)),
        constraints=constraints,
        options={"mip_rel_gap": 1e-9, "presolve": False},
    )
    if result.x is None or result.status not in (0, 1):
        return None
    return np.flatnonzero(result.x > 0.5)


# --- feasibility ---------------------------------------------------------------------------


def _simple_conflict(problem: _Problem) -> list[QuotaRule] | None:
    """A conflict visible from counts alone, or None."""
    seats = problem.seats
    counts = np.asarray(problem.incidence.sum(axis=1)).ravel()
    for quota, count in zip(problem.quotas, counts, strict=True):
        if quota.minimum > quota.maximum or quota.minimum > min(count, seats):
            return [quota]
    by_feature: dict[str, list[int]] = {}
    for index, quota in enumerate(problem.quotas):
        by_feature.setdefault(quota.feature, []).append(index)
    for indices in by_feature.values():
        rules = [problem.quotas[index] for index in indices]
        if sum(rule.minimum for rule in rules) > seats:
            return [rule for rule in rules if rule.minimum > 0]
        named = np.asarray(problem.incidence[indices].sum(axis=0)).ravel() > 0
        room = sum(
            min(rule.maximum, counts[index]) for rule, index in zip(rules, indices, strict=True)
        )
        if room + int((~named).sum()) < seats:
            return rules
    return None


def _feasible(problem: _Problem, rules: Sequence[int]) -> bool:
    return _best_panel(problem, np.zeros(problem.size), rules) is not None


def _minimal_conflict(problem: _Problem) -> list[QuotaRule]:
    """A conflicting set of quotas none of which can be left out (deletion filter)."""
    keep = list(range(len(problem.quotas)))
    for index in list(keep):
        trial = [other for other in keep if other != index]
        if not _feasible(problem, trial):
            keep = trial
    return [problem.quotas[index] for index in keep]


def check_feasible(people: Sequence[Person], quotas: Sequence[QuotaRule], seats: int) -> None:
    """Raise ``QuotaConflict`` naming conflicting quotas when no panel can meet them all."""
    _check(_problem(people, quotas, seats))


def _check(problem: _Problem) -> None:
    if not 1 <= problem.seats <= problem.size:
        raise QuotaConflict((), problem.seats, problem.size)
    conflict = _simple_conflict(problem)
    if conflict is None and not _feasible(problem, range(len(problem.quotas))):
        conflict = _minimal_conflict(problem)
    if conflict is not None:
        raise QuotaConflict(conflict, problem.seats, problem.size)


# --- column generation ------------------------------------------------------------------


def _jitter(size: int) -> np.ndarray:
    """Small fixed weights that break ties between people without any random state."""
    return (np.arange(size, dtype=np.int64) * 2654435761 % 1000003) / 1000003.0


def _initial_panels(problem: _Problem) -> tuple[list[tuple[int, ...]], np.ndarray]:
    """Feasible panels that together include everyone who is in any feasible panel, and the
    mask of those people (the rest are in none)."""
    size = problem.size
    covered = np.zeros(size, dtype=bool)
    excluded = np.zeros(size, dtype=bool)
    panels: list[tuple[int, ...]] = []
    jitter = _jitter(size) * 1e-3
    while not (covered | excluded).all():
        open_people = ~(covered | excluded)
        panel = _best_panel(problem, open_people + jitter)
        if panel is None or not open_people[panel].any():
            panel = _best_panel(problem, jitter, forced=int(np.flatnonzero(open_people)[0]))
            if panel is None:
                excluded[np.flatnonzero(open_people)[0]] = True
                continue
        panels.append(tuple(int(index) for index in panel))
        covered[panel] = True
    return panels, covered


def _master(
    panels: Sequence[tuple[int, ...]], covered: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray]:
    """The maximin lottery over ``panels`` for the ``covered`` people: (value, panel
    probabilities, the dual weight of every person)."""
    people = np.flatnonzero(covered)
    row_of = np.full(covered.size, -1)
    row_of[people] = np.arange(people.size)
    rows, columns = [], []
    for column, panel in enumerate(panels):
        for person in panel:
            rows.append(row_of[person])
            columns.append(column)
    count = len(panels)
    membership = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, columns)), shape=(people.size, count)
    )
    # maximise t subject to t - Σ_B [i ∈ B] p_B ≤ 0 for each person, Σ p_B = 1, p ≥ 0
    result = linprog(
        np.concatenate([np.zeros(count), [-1.0]]),
        A_ub=sparse.hstack([-membership, np.ones((people.size, 1))]).tocsr(),
        b_ub=np.zeros(people.size),
        A_eq=np.concatenate([np.ones(count), [0.0]]).reshape(1, -1),
        b_eq=[1.0],
        bounds=[(0, None)] * count + [(0, 1)],
        method="highs",
    )
    if result.status != 0:
        raise RuntimeError(f"the maximin LP failed: {result.message}")
    weights = np.zeros(covered.size)
    weights[people] = -result.ineqlin.marginals
    return float(-result.fun), np.maximum(result.x[:count], 0.0), weights


def _swap_search(problem: _Problem, weights: np.ndarray, start: Sequence[int]) -> np.ndarray:
    """A panel of locally largest weight, from ``start`` by best one-for-one swaps that keep the
    quotas: a cheap way to find new columns; the MILP is asked only when this finds none."""
    chosen = np.zeros(problem.size, dtype=bool)
    chosen[list(start)] = True
    lows = np.array([quota.minimum for quota in problem.quotas], dtype=float)
    highs = np.array([quota.maximum for quota in problem.quotas], dtype=float)
    counts = problem.kinds.T @ np.bincount(problem.kind[chosen], minlength=len(problem.kinds))
    # moving one person of kind a out and one of kind b in changes the counts by kinds[b] - kinds[a]
    change = problem.kinds[None, :, :] - problem.kinds[:, None, :]
    for _swap in range(4 * problem.seats):
        allowed = ((counts + change >= lows) & (counts + change <= highs)).all(axis=2)
        inside = np.where(chosen, weights, np.inf)
        outside = np.where(chosen, -np.inf, weights)
        worst_in = np.full(len(problem.kinds), np.inf)
        best_out = np.full(len(problem.kinds), -np.inf)
        np.minimum.at(worst_in, problem.kind, inside)
        np.maximum.at(best_out, problem.kind, outside)
        gain = np.where(allowed, best_out[None, :] - worst_in[:, None], -np.inf)
        out_kind, in_kind = np.unravel_index(int(np.argmax(gain)), gain.shape)
        if not gain[out_kind, in_kind] > 1e-12:
            break
        leaving = np.flatnonzero(
            chosen & (problem.kind == out_kind) & (weights == worst_in[out_kind])
        )[0]
        joining = np.flatnonzero(
            ~chosen & (problem.kind == in_kind) & (weights == best_out[in_kind])
        )[0]
        chosen[leaving], chosen[joining] = False, True
        counts = counts + change[out_kind, in_kind]
    return np.flatnonzero(chosen)


def _violating_panels(
    problem: _Problem,
    weights: np.ndarray,
    value: float,
    known: set[tuple[int, ...]],
) -> list[tuple[int, ...]]:
    """Panels whose dual weight exceeds the LP value: the heaviest (the MILP, exact: when even
    it does not exceed the value, the lottery is optimal), then, as in Flanigan et al.'s code,
    up to ``EXTRA_PANELS`` more after scaling down the weights of the people just added — found
    by the cheap swap search — so that one LP solve yields several columns."""
    found: list[tuple[int, ...]] = []
    weights = weights.copy()
    exact = _best_panel(problem, weights)
    key = tuple(int(index) for index in exact) if exact is not None else ()
    for _attempt in range(1 + EXTRA_PANELS):
        if not key or weights[list(key)].sum() <= value + TOLERANCE or key in known:
            break
        found.append(key)
        known.add(key)
        weight = float(weights[list(key)].sum())
        weights[list(key)] *= value / weight
        total = float(weights.sum())
        weights /= total
        value /= total
        key = tuple(int(index) for index in _swap_search(problem, weights, key))
    return found


def _column_generation(
    problem: _Problem, panels: list[tuple[int, ...]], covered: np.ndarray
) -> np.ndarray:
    known = set(panels)
    for _round in range(MAX_ROUNDS):
        value, probabilities, weights = _master(panels, covered)
        # everyone at seats / people is the best possible (probabilities sum to the seats)
        if value >= problem.seats / covered.sum() - TOLERANCE:
            return probabilities
        found = _violating_panels(problem, weights, value, known)
        if not found:
            return probabilities
        panels.extend(found)
    raise RuntimeError("maximin column generation did not converge")


def _round_units(probabilities: np.ndarray) -> list[int]:
    """Largest-remainder rounding to units of 10^-DECIMALS summing to exactly UNIT; ties
    between remainders go to the earlier panel."""
    scaled = probabilities / probabilities.sum() * UNIT
    units = [int(value) for value in np.floor(scaled)]
    remainders = scaled - np.floor(scaled)
    order = sorted(range(len(units)), key=lambda index: (-remainders[index], index))
    for index in order[: UNIT - sum(units)]:
        units[index] += 1
    return units


def maximin(people: Sequence[Person], quotas: Sequence[QuotaRule], seats: int) -> Portfolio:
    """The maximin lottery over panels of ``seats`` people meeting ``quotas`` (module doc).

    Raises ``QuotaConflict`` when the quotas cannot be met, ``ValueError`` for a quota on a
    feature nobody has or duplicate ids. The same inputs always give the same portfolio."""
    problem = _problem(people, quotas, seats)
    _check(problem)
    panels, covered = _initial_panels(problem)
    probabilities = _column_generation(problem, panels, covered)
    units = _round_units(probabilities)
    kept = sorted(
        (tuple(sorted(panel)), unit) for panel, unit in zip(panels, units, strict=True) if unit
    )
    return Portfolio(
        panels=tuple(tuple(problem.ids[index] for index in panel) for panel, _unit in kept),
        probabilities=tuple(unit / UNIT for _panel, unit in kept),
        people=problem.ids,
    )


# --- publishing and the draw ---------------------------------------------------------------


def _decimal(units: int) -> str:
    return f"{units // UNIT}.{units % UNIT:0{DECIMALS}d}"


def portfolio_json(portfolio: Portfolio) -> bytes:
    """The canonical bytes that are published (and hashed) before the seed is known."""
    units = portfolio.units()
    document = {
        "format": FORMAT,
        "decimals": DECIMALS,
        "people": list(portfolio.people),
        "panels": [
            {"members": list(panel), "probability": _decimal(unit)}
            for panel, unit in zip(portfolio.panels, units, strict=True)
        ],
        "min_probability": _decimal(min(portfolio.person_units().values(), default=0)),
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def portfolio_sha256(portfolio: Portfolio) -> str:
    return hashlib.sha256(portfolio_json(portfolio)).hexdigest()


def portfolio_from_json(data: bytes) -> Portfolio:
    """The portfolio back from its published bytes (``portfolio_json`` of it gives them again)."""
    document = json.loads(data)
    if document.get("format") != FORMAT or document.get("decimals") != DECIMALS:
        raise ValueError(gettext("This is not a published portfolio of panels."))
    panels = document["panels"]
    return Portfolio(
        panels=tuple(tuple(str(member) for member in panel["members"]) for panel in panels),
        probabilities=tuple(int(panel["probability"].replace(".", "")) / UNIT for panel in panels),
        people=tuple(str(person) for person in document["people"]),
    )


def pick(portfolio: Portfolio, seed: str) -> int:
    """The index of the panel the public ``seed`` draws from the published portfolio.

    ``u`` = SHA-256(seed || 0x00 || "0") as an unsigned 256-bit number (``core.lottery``'s key of
    position 0); ``r = u × 10^DECIMALS ÷ 2^256`` (integer division) is uniform on
    0 … 10^DECIMALS − 1; the panel drawn is the first whose cumulative published probability, in
    units of 10^-DECIMALS, exceeds ``r``."""
    units = portfolio.units()
    target = int(position_key(seed, 0), 16) * UNIT >> 256
    total = 0
    for index, unit in enumerate(units):
        total += unit
        if target < total:
            return index
    raise AssertionError("unreachable: the units sum to UNIT")


# --- reading the files ---------------------------------------------------------------------


def _table(data: bytes) -> list[list[str]]:
    from gongzhi.core.roster import RosterFileError, read_table

    try:
        rows = read_table("table.csv", data, max_rows=100_000, max_cells=2_000_000)
    except RosterFileError as error:
        raise ValueError(str(error)) from error
    return [[cell.strip() for cell in row] for row in rows if any(cell.strip() for cell in row)]


def _header(rows: list[list[str]], needed: Iterable[str]) -> dict[str, int]:
    if not rows:
        raise ValueError(gettext("The file is empty."))
    header = [cell.lower() for cell in rows[0]]
    if len(set(header)) != len(header):
        raise ValueError(gettext("Two columns of the header have the same name."))
    missing = [column for column in needed if column not in header]
    if missing:
        raise ValueError(
            gettext("The header lacks the column(s): %(columns)s") % {"columns": ", ".join(missing)}
        )
    return {name: index for index, name in enumerate(header)}


def _cells(row: list[str], width: int, line: int) -> list[str]:
    if len(row) > width and any(row[width:]):
        raise ValueError(gettext("Line %(line)d has more cells than the header.") % {"line": line})
    return (row + [""] * width)[:width]


def read_pool(data: bytes) -> list[Person]:
    """The pool from CSV bytes: an ``id`` column and one column per feature."""
    rows = _table(data)
    columns = _header(rows, ["id"])
    names = rows[0]
    people: list[Person] = []
    seen: set[str] = set()
    for line, row in enumerate(rows[1:], start=2):
        cells = _cells(row, len(names), line)
        person_id = cells[columns["id"]]
        if not person_id:
            raise ValueError(gettext("Line %(line)d has no id.") % {"line": line})
        if person_id in seen:
            raise ValueError(
                gettext("The id %(id)s appears twice (again on line %(line)d).")
                % {"id": person_id, "line": line}
            )
        seen.add(person_id)
        features = {
            name: cell
            for index, (name, cell) in enumerate(zip(names, cells, strict=True))
            if index != columns["id"]
        }
        people.append(Person(person_id, features))
    return people


def _count(text: str, line: int, column: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = -1
    if number < 0:
        raise ValueError(
            gettext("Line %(line)d: %(column)s must be a whole number of seats, not %(text)r.")
            % {"line": line, "column": column, "text": text}
        )
    return number


def read_quotas(data: bytes) -> list[QuotaRule]:
    """Quotas from CSV bytes with the columns ``feature,value,min,max``."""
    rows = _table(data)
    columns = _header(rows, ["feature", "value", "min", "max"])
    quotas: list[QuotaRule] = []
    seen: set[tuple[str, str]] = set()
    for line, row in enumerate(rows[1:], start=2):
        cells = _cells(row, len(rows[0]), line)
        feature, value = cells[columns["feature"]], cells[columns["value"]]
        if not feature:
            raise ValueError(gettext("Line %(line)d names no feature.") % {"line": line})
        minimum = _count(cells[columns["min"]], line, "min")
        maximum = _count(cells[columns["max"]], line, "max")
        if minimum > maximum:
            raise ValueError(
                gettext("Line %(line)d: the minimum %(min)d is above the maximum %(max)d.")
                % {"line": line, "min": minimum, "max": maximum}
            )
        if (feature, value) in seen:
            raise ValueError(
                gettext("Line %(line)d repeats the quota for %(feature)s=%(value)s.")
                % {"line": line, "feature": feature, "value": value}
            )
        seen.add((feature, value))
        quotas.append(QuotaRule(feature, value, minimum, maximum))
    return quotas


# --- command line --------------------------------------------------------------------------


def _run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    people = read_pool(Path(args.pool).read_bytes())
    quotas = read_quotas(Path(args.quotas).read_bytes())
    portfolio = maximin(people, quotas, args.seats)
    published = portfolio_json(portfolio)
    if args.portfolio:
        Path(args.portfolio).write_bytes(published)
    drawn = set(portfolio.panels[pick(portfolio, args.seed)])
    for person in people:
        if person.id in drawn:
            print(person.id)
    print(f"min_probability={_decimal(min(portfolio.person_units().values()))}")
    print(
        f"panels={len(portfolio.panels)} sha256={hashlib.sha256(published).hexdigest()} "
        f"seconds={time.perf_counter() - started:.3f}",
        file=sys.stderr,
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    from gongzhi.evaluation.cli import setup_translation

    parser = argparse.ArgumentParser(
        prog="python -m gongzhi.bodies.sortition", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("pool", help="CSV: an id column and one column per feature")
    parser.add_argument("--quotas", required=True, help="CSV: feature,value,min,max")
    parser.add_argument("--seats", type=int, required=True, help="how many seats to draw")
    parser.add_argument("--seed", required=True, help="the public seed, exactly as announced")
    parser.add_argument("--portfolio", help="also write the published portfolio (JSON) here")
    args = parser.parse_args(argv)
    setup_translation()
    try:
        return _run(args)
    except OSError as error:
        print(f"{error.filename}: {error.strerror}", file=sys.stderr)
    except ValueError as error:  # QuotaConflict and every bad-input error
        print(str(error), file=sys.stderr)
    return BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
