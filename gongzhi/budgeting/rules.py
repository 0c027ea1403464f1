"""Voting rules for participatory budgeting (参与式预算): who gets funded, and why.

Every rule takes an :class:`Election` (the budget, the projects' costs, the ballots) and returns
an :class:`Outcome` with the funded projects in the order the rule chose them. No Django here.

Rules and their sources
-----------------------
- :func:`greedy` — greedy utilitarian welfare: projects by satisfaction per unit of cost,
  skipping those that no longer fit. With approval ballots and cost utilities this is "most
  votes first", what most cities use. Definition as ``greedy_utilitarian_welfare`` in
  pabutools (Faliszewski et al., pabutools documentation, pabutools.readthedocs.io).
- :func:`greedy_points` — greedy by total points, the rule of Polish cities with ranked or
  cumulative ballots (Kraków, Katowice, Gdańsk, Częstochowa): projects in decreasing order of
  the points the ballots give them (not per unit of cost, not Borda), each funded if it still
  fits. A ranked ballot gives the points of its ranks (e.g. 3/2/1 in Kraków; Pabulib's
  ``points`` column), or, without them, k − i to the project in position i (0-based) of k — the
  Pabulib files' ``score`` column is exactly that sum; approval ballots give one point per
  project. As pabutools' ``greedy_utilitarian_welfare`` with an additive satisfaction of
  points × cost (the density then is the total points).
- :func:`equal_shares` — the Method of Equal Shares (MES): Peters and Skowron, "Proportionality
  and the limits of welfarism" (EC 2020); Peters, Pierczyński and Skowron, "Proportional
  participatory budgeting with additive utilities" (NeurIPS 2021). Each voter gets an equal
  share of the budget; a project is bought by its supporters, each paying at most ρ·u (u the
  voter's utility for it); the project with the smallest ρ is bought first. Utilities are the
  *cost utilities* for approval ballots (u = cost of the project), the points for cumulative and
  scoring ballots, and the Borda score (length − position − 1) for ordinal ballots, exactly as
  ``method_of_equal_shares`` in pabutools with ``Cost_Sat``, ``Additive_Cardinal_Sat`` and
  ``Additive_Borda_Sat``. Completions: ``"none"``, ``"utilitarian"`` (greedy completion, as
  pabutools' ``completion_by_rule_combination`` with the greedy rule), and the Add1 family.
- :func:`equal_shares_add1` — Add1 completion as the equalshares.net compute tool defines it
  (github.com/equalshares/equalshares-compute-tool, ``js/methodOfEqualSharesWorker.js``,
  ``equalSharesAdd1``): raise every voter's budget by one currency unit at a time and keep the
  last outcome that does not overspend the real budget; ``exhaustive`` also stops as soon as
  the outcome is exhaustive (add1e), ``utilitarian`` completes greedily afterwards (add1u,
  add1eu); ``integral`` starts from ⌊B/n⌋ per voter. If every project fits in the budget the
  tool runs plain MES, and so do we.
- :func:`phragmen` — sequential Phragmén for approval ballots: Phragmén (1894); for PB, Los,
  Christoff and Grossi, "Proportional budget allocations" (2022); definition as
  ``sequential_phragmen`` in pabutools: voters earn money continuously, a project is bought as
  soon as its supporters can pay for it, and the rule stops at the first project that does not
  fit in the budget.

Ties are broken by a configurable sequence of criteria (:data:`TieBreaking`), always ending
with the project id in string order, which is pabutools' default (lexicographic) tie-breaking.

Arithmetic
----------
Outcomes are decided with exact rational arithmetic (:class:`~fractions.Fraction`), so a run is
reproducible from the ballots and the parameters and equals pabutools' (which uses exact
``gmpy2`` fractions). The fast path: voters with the same ballot are counted once, voters with
the same remaining budget (or load) form one class, and each round evaluates every project at
once in floating point with NumPy; only the projects that floating point cannot tell apart from
the best one (a rigorous error bound decides) are then evaluated exactly, and budgets are
updated exactly. :func:`equal_shares_reference` is the plain per-voter exact definition that the
tests compare the fast path with. Add1 skips the steps whose outcome provably equals the current
one (a certificate from two runs, proved in :func:`_mes_core`); :func:`equal_shares_add1_reference`
is the plain step-by-step loop the tests compare it with.
"""

from __future__ import annotations

import itertools
import math
import operator
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

__all__ = [
    "COMPLETIONS",
    "RULES",
    "Election",
    "Outcome",
    "TieBreaking",
    "equal_shares",
    "equal_shares_add1",
    "equal_shares_add1_reference",
    "equal_shares_reference",
    "greedy",
    "greedy_points",
    "parse_rank_points",
    "phragmen",
    "run_rule",
]

Number = int | Fraction
TieBreaking = Sequence[str | Sequence[str]]
"""Tie-breaking criteria, applied in order: ``"votes"`` (more supporters first), ``"min-cost"``,
``"max-cost"``, or an explicit sequence of project ids (earlier first, unlisted ones last).
The project id (string order) always decides last."""

Completion = Literal["none", "utilitarian", "add1", "add1e", "add1u", "add1eu"]
COMPLETIONS: tuple[Completion, ...] = ("none", "utilitarian", "add1", "add1e", "add1u", "add1eu")

_EPS = 2.0**-52
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Election:
    """What a rule needs: the budget, each project's cost, and the ballots.

    A ballot is a tuple of project ids; ``scores`` (``None`` for approval ballots) gives, for
    each ballot, one positive score per project (points, or the Borda score of a ranking).
    Use the constructors :meth:`approval`, :meth:`cardinal` and :meth:`ordinal`.
    """

    budget: Fraction
    costs: Mapping[str, Fraction]
    ballots: tuple[tuple[str, ...], ...]
    scores: tuple[tuple[Fraction, ...], ...] | None = None

    @classmethod
    def approval(
        cls, budget: Number, costs: Mapping[str, Number], ballots: Iterable[Iterable[str]]
    ) -> Election:
        """Approval ballots: each ballot is the set of projects the voter approves."""
        costs_ = _costs(costs)
        rows = tuple(map(tuple, ballots))
        index = {p: i for i, p in enumerate(costs_)}
        # Grouping identical ballots is the check for unknown and repeated projects too.
        groups = _approval_groups(rows, index)
        if groups is None:
            _check_known(tuple(set(rows)), costs_)
        if groups is None or groups.repeated:  # a project named twice counts once
            rows = tuple(tuple(dict.fromkeys(r)) for r in rows)
            groups = _approval_groups(rows, index)
        election = cls(Fraction(budget), costs_, rows, None)
        election.__dict__["_groups"] = groups  # what _Tables would compute again
        return election

    @classmethod
    def cardinal(
        cls,
        budget: Number,
        costs: Mapping[str, Number],
        ballots: Iterable[Mapping[str, Number]],
    ) -> Election:
        """Cumulative or scoring ballots: points per project (zero points count as no vote)."""
        costs_ = _costs(costs)
        rows: list[tuple[str, ...]] = []
        scores: list[tuple[Fraction, ...]] = []
        for ballot in ballots:
            kept = [(p, Fraction(v)) for p, v in ballot.items() if v != 0]
            if any(v < 0 for _, v in kept):
                raise ValueError("scores must not be negative")
            rows.append(tuple(p for p, _ in kept))
            scores.append(tuple(v for _, v in kept))
        _check_known(rows, costs_)
        return cls(Fraction(budget), costs_, tuple(rows), tuple(scores))

    @classmethod
    def ordinal(
        cls, budget: Number, costs: Mapping[str, Number], rankings: Iterable[Sequence[str]]
    ) -> Election:
        """Ranked ballots, scored by Borda: the project in position i of k scores k − i − 1."""
        costs_ = _costs(costs)
        ranked = tuple(map(tuple, rankings))
        # Each distinct ranking is scored once; equal rankings share their rows.
        counts = Counter(ranked)
        borda = [Fraction(v) for v in range(max(map(len, counts), default=0))]
        scored: dict[tuple[str, ...], tuple[tuple[str, ...], tuple[Fraction, ...]]] = {}
        for r in counts:
            kept = [(p, v) for p, v in {p: len(r) - i - 1 for i, p in enumerate(r)}.items() if v]
            scored[r] = (tuple(p for p, _ in kept), tuple(borda[v] for _, v in kept))
        _check_known([row for row, _ in scored.values()], costs_)
        pairs = list(map(scored.__getitem__, ranked))
        election = cls(
            Fraction(budget),
            costs_,
            tuple(row for row, _ in pairs),
            tuple(score for _, score in pairs),
        )
        election.__dict__["_distinct"] = [(*scored[r], n) for r, n in counts.items()]
        election.__dict__["_borda"] = True  # greedy_points refuses Borda scores
        return election

    @classmethod
    def ranked_points(
        cls,
        budget: Number,
        costs: Mapping[str, Number],
        rankings: Iterable[Sequence[str]],
        points: Sequence[Number] | None = None,
    ) -> Election:
        """Ranked ballots scored by points per rank: ``points[i]`` to the project in position i
        (ranks beyond the list score nothing), or, if ``points`` is ``None``, k − i where k is
        the longest ranking (with ballots of one length, Kraków's 3/2/1)."""
        ranked = [tuple(r) for r in rankings]
        if points is None:
            k = max(map(len, ranked), default=0)
            points = range(k, 0, -1)
        per_rank = [Fraction(v) for v in points]
        if any(v < 0 for v in per_rank):
            raise ValueError("points per rank must not be negative")
        return cls.cardinal(
            budget,
            costs,
            (dict(zip(r, per_rank, strict=False)) for r in ranked),
        )

    @property
    def is_approval(self) -> bool:
        return self.scores is None

    @property
    def voters(self) -> int:
        return len(self.ballots)

    @cached_property
    def votes(self) -> dict[str, int]:
        """Number of voters who support each project (positive score or approval)."""
        if "_tables" in self.__dict__:  # already counted there
            t = self._tables
            return {p: int(v) for p, v in zip(t.pids, t.votes.tolist(), strict=True)}
        counts = dict.fromkeys(self.costs, 0)
        counts.update(Counter(itertools.chain.from_iterable(self.ballots)))
        return counts

    @cached_property
    def utility_totals(self) -> dict[str, Fraction]:
        """Sum of the voters' scores per project (approval: the number of supporters)."""
        if self.scores is None:
            return {p: Fraction(v) for p, v in self.votes.items()}
        if "_tables" in self.__dict__:  # already summed there, in units of 1/score_scale
            t = self._tables
            return {
                p: Fraction(w) / t.score_scale for p, w in zip(t.pids, t.weight_total, strict=True)
            }
        totals = dict.fromkeys(self.costs, Fraction(0))
        for ballot, scores in zip(self.ballots, self.scores, strict=True):
            for p, s in zip(ballot, scores, strict=True):
                totals[p] += s
        return totals

    def cost_of(self, projects: Iterable[str]) -> Fraction:
        return sum((self.costs[p] for p in projects), Fraction(0))

    @cached_property
    def _tables(self) -> _Tables:
        return _Tables(self)


def _costs(costs: Mapping[str, Number]) -> dict[str, Fraction]:
    out = {str(p): Fraction(c) for p, c in costs.items()}
    if any(c < 0 for c in out.values()):
        raise ValueError("costs must not be negative")
    return out


@dataclass(frozen=True)
class _Groups:
    """Identical approval ballots as one group: ``lengths[g]`` projects, their indices in
    ``cols`` (sorted within each group, groups one after the other), ``mult[g]`` voters.
    ``repeated``: some ballot names a project twice (its index appears twice)."""

    lengths: IntArray
    cols: IntArray
    mult: IntArray
    repeated: bool


def _approval_groups(rows: Sequence[tuple[str, ...]], index: Mapping[str, int]) -> _Groups | None:
    """The ballots grouped, or ``None`` if one names a project not in ``index``."""
    counted = Counter(rows)
    D = len(counted)
    lengths = np.fromiter(map(len, counted), dtype=np.int64, count=D)
    total = int(lengths.sum())
    try:
        flat = np.fromiter(
            map(index.__getitem__, itertools.chain.from_iterable(counted)),
            dtype=np.int64,
            count=total,
        )
    except KeyError:
        return None
    # Sorting (group, project) pairs sorts each group's projects and puts repeats side by side.
    P = max(len(index), 1)
    small: type[np.signedinteger[Any]] = np.int32 if D * P < 2**31 else np.int64  # sorts faster
    groups: np.ndarray[Any, Any] = np.repeat(np.arange(D, dtype=small), lengths)
    pairs = groups * small(P) + flat.astype(small)
    pairs.sort()
    repeated = bool(np.any(pairs[1:] == pairs[:-1]))
    mult = np.fromiter(counted.values(), dtype=np.int64, count=D)
    return _Groups(lengths, (pairs % P).astype(np.int64), mult, repeated)


def _check_known(rows: Sequence[tuple[str, ...]], costs: Mapping[str, Fraction]) -> None:
    if set().union(*rows) <= costs.keys():
        return
    for row in rows:
        for p in row:
            if p not in costs:
                raise ValueError(f"a ballot names unknown project {p!r}")


@dataclass(frozen=True)
class Outcome:
    """The funded projects, in the order the rule chose them.

    ``prices`` (MES only): for each project bought by MES, the price ρ per unit of utility — a
    supporter with utility u paid min(her remaining budget, ρ·u); with cost utilities ρ·cost is
    the largest share any supporter paid. ``budget_per_voter`` is the endowment MES used (after
    Add1, the raised one). ``completed`` lists the projects added by a greedy completion.
    """

    selected: tuple[str, ...]
    prices: Mapping[str, Fraction] = field(default_factory=dict)
    budget_per_voter: Fraction | None = None
    completed: tuple[str, ...] = ()

    def cost(self, election: Election) -> Fraction:
        return election.cost_of(self.selected)


# --------------------------------------------------------------------------- tie-breaking


def _tie_keys(election: Election, tie_breaking: TieBreaking) -> dict[str, tuple[object, ...]]:
    keys: dict[str, list[object]] = {p: [] for p in election.costs}
    for criterion in tie_breaking:
        if criterion == "votes":
            for p in keys:
                keys[p].append(-election.votes[p])
        elif criterion == "min-cost":
            for p in keys:
                keys[p].append(election.costs[p])
        elif criterion == "max-cost":
            for p in keys:
                keys[p].append(-election.costs[p])
        elif isinstance(criterion, str):
            raise ValueError(f"unknown tie-breaking criterion {criterion!r}")
        else:
            order = {p: i for i, p in enumerate(criterion)}
            for p in keys:
                keys[p].append(order.get(p, len(order)))
    return {p: (*k, p) for p, k in keys.items()}


def _sort_key(keys: Mapping[str, tuple[object, ...]]) -> Callable[[str], tuple[object, ...]]:
    return keys.__getitem__


# --------------------------------------------------------------------------- greedy


def greedy(
    election: Election,
    *,
    tie_breaking: TieBreaking = (),
    initial: Iterable[str] = (),
) -> Outcome:
    """Greedy utilitarian welfare (pabutools' ``greedy_utilitarian_welfare``, additive case).

    Projects go in decreasing order of total utility per unit of cost — for approval ballots
    with cost utilities, of their number of votes; a project without cost but with support comes
    first, one without support scores 0 — and each is funded if it still fits. ``initial``
    projects are funded beforehand (that is the utilitarian completion of another rule).
    """
    keys = _tie_keys(election, tie_breaking)
    chosen = list(dict.fromkeys(initial))
    remaining = election.budget - election.cost_of(chosen)
    totals = election.utility_totals

    def density(p: str) -> Fraction | float:
        total, cost = totals[p], election.costs[p]
        if election.scores is None:
            # Cost utilities: votes × cost / cost = votes; a free project gives no utility.
            return total if cost > 0 else Fraction(0)
        if total > 0:
            return math.inf if cost == 0 else total / cost
        return Fraction(0)

    taken = set(chosen)
    order = sorted((p for p in election.costs if p not in taken), key=keys.__getitem__)
    order.sort(key=lambda p: -density(p))  # stable: ties keep the tie-breaking order
    added = []
    for p in order:
        if election.costs[p] <= remaining:
            added.append(p)
            remaining -= election.costs[p]
    return Outcome(tuple(chosen + added), completed=tuple(added) if chosen else ())


def greedy_points(
    election: Election,
    *,
    tie_breaking: TieBreaking = (),
) -> Outcome:
    """Greedy by total points: the projects in decreasing order of the points the ballots give
    them, each funded if it still fits in what is left of the budget (a project that does not
    fit is skipped, and cheaper ones after it may still be funded). Approval ballots give one
    point per project (most votes first); build ranked ballots with
    :meth:`Election.ranked_points` — Borda scores (:meth:`Election.ordinal`) are refused, since
    k − i − 1 is not what any city counts. Ties (equal points) are broken by ``tie_breaking``,
    then by the project id, as in every rule here. Projects without points are not funded.
    """
    if election.__dict__.get("_borda"):
        raise ValueError(
            "greedy-points needs points per rank, not Borda scores (Election.ranked_points)"
        )
    keys = _tie_keys(election, tie_breaking)
    totals = election.utility_totals
    order = sorted((p for p in election.costs if totals[p] > 0), key=keys.__getitem__)
    order.sort(key=lambda p: -totals[p])  # stable: ties keep the tie-breaking order
    remaining = election.budget
    chosen = []
    for p in order:
        if election.costs[p] <= remaining:
            chosen.append(p)
            remaining -= election.costs[p]
    return Outcome(tuple(chosen))


def parse_rank_points(text: str) -> tuple[int, ...]:
    """Points per rank as a community writes them, "3,2,1" (also with "，" or spaces): whole
    numbers, at least one, none negative, the first positive, never more for a lower rank.
    Raises ValueError saying what is wrong."""
    parts = [p for p in text.replace("，", ",").replace(" ", ",").split(",") if p]
    if not parts:
        raise ValueError("no points given")
    try:
        points = tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError(f"not whole numbers: {text!r}") from None
    if any(v < 0 for v in points) or points[0] <= 0:
        raise ValueError("points must not be negative, and the first rank must score")
    if any(b > a for a, b in itertools.pairwise(points)):
        raise ValueError("a lower rank cannot score more than a higher one")
    return points


# --------------------------------------------------------------------------- shared tables


class _Tables:
    """The election in array form, shared by every run of MES and Phragmén on it.

    Scores are scaled to integers (``levels``; 1 for approval), which changes no outcome.
    """

    def __init__(self, election: Election) -> None:
        self.pids = list(election.costs)
        index = {p: i for i, p in enumerate(self.pids)}
        P = len(self.pids)
        self.P = P
        self.cost = [election.costs[p] for p in self.pids]
        self.cost_f = np.array([float(c) for c in self.cost], dtype=np.float64)
        self.money_denominator = math.lcm(*(c.denominator for c in self.cost), 1)
        # Identical ballots are one group with a multiplicity; cols[e] is the column
        # level * P + project of the e-th (group, project) pair, grouped by group.
        if election.scores is None:
            self.score_scale = Fraction(1)
            levels = [1]
            groups = election.__dict__.get("_groups") or _approval_groups(election.ballots, index)
            if groups is None:
                raise ValueError("a ballot names an unknown project")
            lengths, cols = groups.lengths, groups.cols
            multiplicities: Iterable[int] = groups.mult
        else:
            raw: dict[tuple[tuple[int, Fraction], ...], int] = {}
            distinct: Iterable[tuple[tuple[str, ...], tuple[Fraction, ...], int]] = (
                election.__dict__.get("_distinct")
                or zip(election.ballots, election.scores, itertools.repeat(1))
            )
            for ballot, scores, count in distinct:
                k2 = tuple(sorted(zip([index[p] for p in ballot], scores, strict=True)))
                raw[k2] = raw.get(k2, 0) + count
            values = sorted({s for key in raw for _, s in key}) or [Fraction(1)]
            self.score_scale = Fraction(math.lcm(*(v.denominator for v in values)))
            levels = [int(v * self.score_scale) for v in values]
            level_of = {v: i for i, v in enumerate(values)}
            lengths = np.fromiter(map(len, raw), dtype=np.int64, count=len(raw))
            cols = np.fromiter(
                (level_of[s] * P + p for key in raw for p, s in key),
                dtype=np.int64,
                count=int(lengths.sum()),
            )
            multiplicities = raw.values()
        self.levels = levels
        self.levels_f = np.array(levels, dtype=np.float64)
        L = len(levels)
        self.L = L
        D = len(lengths)
        self.D = D
        self.mult = np.fromiter(multiplicities, dtype=np.int64, count=D)
        self.group_start = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        self.cols = cols
        rows = np.repeat(np.arange(D, dtype=np.int64), lengths)
        self.entry_mult = self.mult[rows]
        # supporters[p]: the groups supporting p, and the level of their score.
        projects = cols % P
        # A stable sort of small integers is a radix sort: far faster in 16 bits.
        small = projects.astype(np.uint16) if P <= 1 << 16 else projects
        order = np.argsort(small, kind="stable")
        bounds = np.searchsorted(projects[order], np.arange(P + 1))
        self.supporters = [rows[order[bounds[p] : bounds[p + 1]]] for p in range(P)]
        self.support_level = [cols[order[bounds[p] : bounds[p + 1]]] // P for p in range(P)]
        self.initial_counts = np.bincount(cols, weights=self.entry_mult, minlength=L * P).astype(
            np.int64
        )
        counts = self.initial_counts.reshape(L, P)
        self.weight_total = [
            sum(levels[lv] * int(counts[lv, p]) for lv in range(L)) for p in range(P)
        ]
        self.votes = counts.sum(axis=0)

    def entries(self, groups: IntArray) -> IntArray:
        """Indices of the (group, project) pairs of ``groups``."""
        starts = self.group_start[groups]
        lengths = self.group_start[groups + 1] - starts
        offsets = np.cumsum(lengths) - lengths
        return np.arange(int(lengths.sum()), dtype=np.int64) + np.repeat(starts - offsets, lengths)


class _Classes:
    """Voters with the same remaining money (or load) form a class.

    Its value is an integer over the common denominator ``denom`` (exact, and cheaper than
    fractions): :meth:`numers` gives them. The denominator grows every round, but the classes
    a round does not touch are not rewritten: class c stores ``raw[c]`` for the denominator
    of its epoch (the round that wrote it) and ``scale[epoch]`` brings it to ``denom``.
    ``counts[c, level*P + p]`` voters of class c give project p the
    score ``levels[level]``. ``slope_f[c]`` (MES with ``track``): how fast the class's money
    grows with the starting budget per voter while the run's decisions stay the same (see
    :func:`_mes_core`); the starting class has slope 1.
    """

    def __init__(self, tables: _Tables, value: Fraction) -> None:
        self.t = tables
        self.denom = math.lcm(value.denominator, tables.money_denominator)
        self.raw: list[int] = [value.numerator * (self.denom // value.denominator)]
        self.epoch: list[int] = [0]
        self.scale: list[int] = [1]
        self.value_f = np.zeros(64, dtype=np.float64)
        self.value_f[0] = float(value)
        self.slope_f = np.zeros(64, dtype=np.float64)
        self.slope_f[0] = 1.0
        self.counts = np.zeros((64, tables.L * tables.P), dtype=np.int64)
        self.counts[0] = tables.initial_counts
        self.of_group = np.zeros(tables.D, dtype=np.int64)
        self.zero: int | None = 0 if value == 0 else None
        self.compacted = 1  # the number of classes after the last compaction

    @property
    def K(self) -> int:
        return len(self.raw)

    def numers(self, cs: Iterable[int]) -> list[int]:
        """The numerators over ``denom`` of the classes ``cs``."""
        raw, epoch, scale = self.raw, self.epoch, self.scale
        if len(scale) == 1:
            return [raw[c] for c in cs]
        return [raw[c] * scale[epoch[c]] for c in cs]

    def value(self, c: int) -> Fraction:
        return Fraction(self.numers([c])[0], self.denom)

    def rescale(self, factor: int) -> None:
        """Multiply the common denominator by ``factor`` (the numerators follow)."""
        if factor != 1:
            self.denom *= factor
            self.scale = [s * factor for s in self.scale]
            self.scale.append(1)

    def _store(self, c: int, numer: int) -> None:
        """Set class c's numerator (over the current ``denom``)."""
        if c == len(self.raw):
            self.raw.append(numer)
            self.epoch.append(len(self.scale) - 1)
        else:
            self.raw[c] = numer
            self.epoch[c] = len(self.scale) - 1

    def new_class(self, numer: int) -> int:
        """A class of value numer/denom (all empty classes of value zero are one)."""
        if numer == 0 and self.zero is not None:
            return self.zero
        c = len(self.raw)
        self._store(c, numer)
        if c >= self.counts.shape[0]:
            grown = np.zeros((2 * c, self.counts.shape[1]), dtype=np.int64)
            grown[:c] = self.counts
            self.counts = grown
            grown_f = np.zeros(2 * c, dtype=np.float64)
            grown_f[:c] = self.value_f
            self.value_f = grown_f
            grown_s = np.zeros(2 * c, dtype=np.float64)
            grown_s[:c] = self.slope_f
            self.slope_f = grown_s
        self.value_f[c] = numer / self.denom
        if numer == 0:
            self.zero = c
        return c

    def new_classes(self, numers: Sequence[int]) -> IntArray:
        """Classes of values numers[i]/denom, as :meth:`new_class` one by one would give."""
        out = np.empty(len(numers), dtype=np.int64)
        fresh: list[int] = []
        c = len(self.raw)
        for i, numer in enumerate(numers):
            if numer == 0:
                if self.zero is None:
                    self.zero = c + len(fresh)
                    fresh.append(0)
                out[i] = self.zero
            else:
                out[i] = c + len(fresh)
                fresh.append(numer)
        if fresh:
            need = c + len(fresh)
            if need > self.counts.shape[0]:
                size = max(2 * self.counts.shape[0], need)
                grown = np.zeros((size, self.counts.shape[1]), dtype=np.int64)
                grown[:c] = self.counts[:c]
                self.counts = grown
                grown_f = np.zeros(size, dtype=np.float64)
                grown_f[:c] = self.value_f[:c]
                self.value_f = grown_f
                grown_s = np.zeros(size, dtype=np.float64)
                grown_s[:c] = self.slope_f[:c]
                self.slope_f = grown_s
            denom = self.denom
            self.value_f[c:need] = [n / denom for n in fresh]
            self.raw.extend(fresh)
            self.epoch.extend([len(self.scale) - 1] * len(fresh))
        return out

    def update_or_add(self, pair_class: IntArray, inverse: IntArray, left: list[int]) -> IntArray:
        """The classes the winner's supporters go to: pair i (a class and a score level, its
        groups those with ``inverse`` = i) is left with ``left[i]``. A pair that still has
        money and holds every group of its class keeps that class, with the new value (no
        voter moves); the others go to new classes as :meth:`new_classes` gives."""
        size = np.bincount(self.of_group, minlength=self.K)[pair_class]
        whole = np.bincount(inverse, minlength=len(pair_class)) == size
        keep = [i for i, ok in enumerate(whole.tolist()) if ok and left[i] > 0]
        if not keep:
            return self.new_classes(left)
        targets = np.array(pair_class, dtype=np.int64)
        kept = set(keep)
        fresh = [i for i in range(len(left)) if i not in kept]
        if fresh:
            targets[fresh] = self.new_classes([left[i] for i in fresh])
        denom = self.denom
        for i in keep:
            c = int(pair_class[i])
            self._store(c, left[i])
            self.value_f[c] = left[i] / denom
        return targets

    def compact(self) -> None:
        """Forget the classes no group belongs to any more (renumbering the others), once
        they are most of them: every round empties some and creates others."""
        K = self.K
        if K < 64 or K < 2 * self.compacted:
            return
        live = np.flatnonzero(np.bincount(self.of_group, minlength=K))
        remap = np.full(K, -1, dtype=np.int64)
        remap[live] = np.arange(len(live), dtype=np.int64)
        self.of_group = remap[self.of_group]
        kept = live.tolist()
        self.raw = [self.raw[c] for c in kept]
        self.epoch = [self.epoch[c] for c in kept]
        k = len(live)
        self.counts[:k] = self.counts[live]
        self.counts[k:K] = 0
        self.value_f[:k] = self.value_f[live]
        self.slope_f[:k] = self.slope_f[live]
        self.slope_f[k:K] = 0.0
        if self.zero is not None:
            z = int(remap[self.zero])
            self.zero = z if z >= 0 else None
        self.compacted = k

    def move(self, groups: IntArray, targets: IntArray) -> None:
        """Move ``groups`` to the classes ``targets`` (same length)."""
        sources = self.of_group[groups]
        moving = sources != targets
        groups, sources, targets = groups[moving], sources[moving], targets[moving]
        if len(groups) == 0:
            return
        t = self.t
        lengths = t.group_start[groups + 1] - t.group_start[groups]
        entries = t.entries(groups)
        width = self.counts.shape[1]
        flat = self.counts.reshape(-1)
        cols, mult = t.cols[entries], t.entry_mult[entries]
        np.subtract.at(flat, np.repeat(sources, lengths) * width + cols, mult)
        np.add.at(flat, np.repeat(targets, lengths) * width + cols, mult)
        self.of_group[groups] = targets


# --------------------------------------------------------------------------- MES


@dataclass
class _Column:
    """One project's supporters by class and level, sorted by the float threshold b/s."""

    classes: IntArray
    levels: IntArray
    counts: IntArray
    threshold: FloatArray


@dataclass
class _Tangent:
    """For Add1's prediction, per project: ``fall`` bounds from above how fast λ falls as
    the starting budget per voter s rises (−dλ/ds at the current s, from the right)."""

    fall: FloatArray


def _float_levels(
    classes: _Classes, projects: IntArray, cost_f: FloatArray, track: bool = False
) -> tuple[FloatArray, FloatArray, BoolArray, BoolArray, Callable[[int], _Column], _Tangent | None]:
    """Float λ (payment per unit of score) for each project, its error bound, whether the
    supporters' money covers the cost, the supporters' rows (for the exact step) and, with
    ``track``, the :class:`_Tangent`."""
    t = classes.t
    K, L, P = classes.K, t.L, t.P
    cols = (np.arange(L)[:, None] * P + projects[None, :]).reshape(-1)
    X = classes.counts[:K][:, cols].reshape(K, L, len(projects)).reshape(K * L, len(projects))
    kept = np.flatnonzero(X.any(axis=1))
    X = X[kept]
    if L == 1:
        row_class, row_level = kept, np.zeros(len(kept), dtype=np.int64)
    else:
        row_class, row_level = np.divmod(kept, L)
    money = classes.value_f[row_class]
    score = t.levels_f[row_level]
    threshold = money / score
    order = np.argsort(threshold, kind="stable")
    X, money, score, threshold = X[order], money[order], score[order], threshold[order]
    row_class, row_level = row_class[order], row_level[order]
    Xf = X.astype(np.float64)
    R = X.shape[0]
    cost = cost_f[projects]
    n = len(projects)
    idx = np.arange(n)
    Xm = Xf * money[:, None]
    Xw = Xf * score[:, None]
    cm = np.cumsum(Xm, axis=0)
    cw = np.cumsum(Xw, axis=0)
    total_money = cm[-1] if R else np.zeros(n)
    total_weight = cw[-1] if R else np.zeros(n)
    # Error bound for sums of R nonnegative terms, with a safety factor; the level found at
    # the float-chosen row may be the neighbour of the exact one when a threshold is within
    # rounding of the level, which moves it by at most slack·total_money/rich_weight.
    slack = 32 * (R + 8) * _EPS
    with np.errstate(all="ignore"):
        rich_weight = total_weight[None, :] - (cw - Xw)
        level = (cost[None, :] - (cm - Xm)) / rich_weight
        valid = (level <= threshold[:, None]) & (X > 0)
        k = np.argmax(valid, axis=0) if R else np.zeros(n, dtype=np.int64)
        found = valid[k, idx] if R else np.zeros(n, dtype=bool)
        lam = np.where(found, level[k, idx] if R else 0.0, np.inf)
        err = np.where(found, slack * ((cost + total_money) / rich_weight[k, idx] + lam), np.inf)
    affordable = total_money >= cost * (1 - slack)
    tangent = None
    if track:
        # λ(s) = (cost − money of the strictly poor rows)/(weight of the others): it falls at
        # rate (growth of the strictly poor rows' money)/(weight of the others). Every row
        # whose float threshold is at most an upper bound of λ may be poor (counted in the
        # growth); only rows above it are surely rich (counted in the weight).
        Xc = Xf * classes.slope_f[row_class][:, None]
        cc = np.cumsum(Xc, axis=0)
        with np.errstate(all="ignore"):
            lam_hi = np.where(found, (lam + err) * (1 + 1e-12), np.inf)
            poor = np.searchsorted(threshold, lam_hi, side="right")
            poor_growth = np.where(poor > 0, cc[np.maximum(poor - 1, 0), idx] if R else 0.0, 0.0)
            rich_w = np.where(
                poor < R, rich_weight[np.minimum(poor, R - 1), idx] if R else 0.0, 0.0
            )
            fall = np.where(
                found & (rich_w > 0),
                poor_growth / rich_w,
                np.where(poor_growth > 0, np.inf, 0.0),
            )
            fall = np.where(found, fall, np.inf)
        tangent = _Tangent(fall)

    def column(i: int) -> _Column:
        nz = np.flatnonzero(X[:, i])
        return _Column(row_class[nz], row_level[nz], X[nz, i], threshold[nz])

    return lam, err, affordable, found, column, tangent


def _exact_level(
    classes: _Classes, column: _Column, cost: Fraction, guess: float
) -> tuple[int, int] | None:
    """Exact λ = A / (denom·W) as (A, W) with Σ cnt·min(b, λ·s) = cost, or ``None`` if the
    supporters cannot afford the cost. This is pabutools' affordability (times the unit of
    utility). Rows whose float threshold is far from ``guess`` are classed at once; the few
    near it are ordered exactly; the result is accepted only if it lies within the window that
    justified the classing, else the plain definition decides."""
    t = classes.t
    levels = t.levels
    cost_n = cost.numerator * (classes.denom // cost.denominator)
    cls = column.classes.tolist()
    lvs = column.levels.tolist()
    cnts = column.counts.tolist()
    # The supporters' money, exactly only when floating point cannot tell it from the cost
    # (a sum of nonnegative terms: its relative error is far below 1e-9).
    money_f = float(np.dot(classes.value_f[column.classes], column.counts))
    cost_f = float(cost)
    vals: list[int] | None = None  # row i's money over denom, when all are needed
    if not money_f > cost_f * (1 + 1e-9):
        vals = classes.numers(cls)
        if sum(map(operator.mul, vals, cnts)) < cost_n:
            return None
    tau = 1e-7
    if math.isfinite(guess) and guess > 0:
        low, high = guess * (1 - tau), guess * (1 + tau)
        thr = column.threshold
        poor = np.flatnonzero(thr < low).tolist()
        near = np.flatnonzero((thr >= low) & (thr <= high)).tolist()
        rich = np.flatnonzero(thr > high).tolist()
        poor_vals = classes.numers([cls[i] for i in poor])
        money = sum(map(operator.mul, poor_vals, [cnts[i] for i in poor]))
        weight = sum(levels[lvs[i]] * cnts[i] for i in rich)
        near_vals = dict(zip(near, classes.numers([cls[i] for i in near]), strict=True))
        near.sort(key=lambda i: Fraction(near_vals[i], levels[lvs[i]]))
        weight_near = sum(levels[lvs[i]] * cnts[i] for i in near)
        result: tuple[int, int] | None = None
        for i in near:
            w_all = weight + weight_near
            a = cost_n - money
            # Is the poorest remaining row rich at λ = a / (denom · w_all)?
            if a * levels[lvs[i]] <= near_vals[i] * w_all:
                result = (a, w_all)
                break
            money += near_vals[i] * cnts[i]
            weight_near -= levels[lvs[i]] * cnts[i]
        else:
            if weight > 0:
                result = (cost_n - money, weight)
        if result is not None:
            lam = Fraction(result[0], classes.denom * result[1])
            window_low = Fraction(guess * (1 - tau / 2))
            window_high = Fraction(guess * (1 + tau / 2))
            if window_low <= lam <= window_high:
                return result
    # The plain definition: supporters by b/s, the poorest pay all they have.
    if vals is None:
        vals = classes.numers(cls)
    order = sorted(range(len(cls)), key=lambda i: Fraction(vals[i], levels[lvs[i]]))
    money = 0
    weight = sum(levels[lvs[i]] * cnts[i] for i in order)
    for i in order:
        a = cost_n - money
        if a * levels[lvs[i]] <= vals[i] * weight:
            return (a, weight)
        money += vals[i] * cnts[i]
        weight -= levels[lvs[i]] * cnts[i]
    return None  # pragma: no cover - unreachable when the supporters can afford the cost


@dataclass
class _Run:
    """One MES run: the projects bought in order, their prices, and for Add1 the ``trace``
    (per round: the winner, its exact ρ and tie key), a ``predicted`` rise of the budget per
    voter over which the outcome probably stays the same (a guess, never trusted), and
    whether the run ``certified`` the trace it was asked to check (see :func:`_mes_core`)."""

    chosen: list[str]
    prices: dict[str, Fraction]
    trace: list[tuple[int, Fraction, tuple[object, ...]]] = field(default_factory=list)
    predicted: float = 0.0
    certified: bool = False


def _mes_core(
    election: Election,
    per_voter: Fraction,
    keys: Mapping[str, tuple[object, ...]],
    *,
    track: bool = False,
    certify: Sequence[tuple[int, Fraction, tuple[object, ...]]] | None = None,
) -> _Run:
    """One run of MES with every voter starting at ``per_voter``.

    ``track`` (for Add1) evaluates every project every round and predicts how far the budget
    per voter may rise before the outcome changes, following each class's rate of growth with
    the starting budget (``slope_f``) and each project's tangent; only a guess.

    ``certify`` is the trace of a run at a lower starting budget b₀ < ``per_voter`` = b₁. The
    run is *certified* if it buys the same projects in the same order and, in every round r,
    every other project that is affordable here is dearer here than the winner w_r was in
    the run at b₀ (or as dear, and after w_r in the tie-breaking order). Then MES buys the
    same projects in the same order at every starting budget between b₀ and b₁.

    Proof. Fix the winners w_1, w_2, … and let b^r(s) be the voters' money before round r
    when each starts with s and the first r − 1 rounds bought w_1 … w_{r−1}. (a) ρ_p(b), the
    price per unit of utility at which p's supporters can pay its cost (Σ min(b_i, ρ·u_i) =
    cost), does not rise when any b_i rises. (b) Buying w maps b to b' with b'_i =
    b_i − min(b_i, ρ_w(b)·u_i) for its supporters: this is nondecreasing in each b_j — in b_i
    directly and through ρ_w, which falls, for every j. So, by induction, b^r(s) is
    nondecreasing in s, and for b₀ ≤ s ≤ b₁: b^r(b₀) ≤ b^r(s) ≤ b^r(b₁). Now suppose the
    run at s has bought w_1 … w_{r−1}. w_r is affordable at b^r(b₀), so at b^r(s); and
    ρ_{w_r}(b^r(s)) ≤ ρ_{w_r}(b^r(b₀)). Any other project p affordable at b^r(s) is affordable
    at b^r(b₁) with ρ_p(b^r(s)) ≥ ρ_p(b^r(b₁)), which the certificate puts above (or equal
    with the order after) ρ_{w_r}(b^r(b₀)). So the run at s buys w_r in round r too. After
    the last round nothing is affordable at b₁, so nothing at s: the runs stop together.
    The lower bounds on ρ_p here come from the float error bound of :func:`_float_levels`,
    or are exact when that cannot decide.
    """
    t = election._tables
    P = t.P
    approval = election.scores is None
    run = _Run([], {})
    chosen, prices = run.chosen, run.prices
    if election.voters == 0:
        run.certified = certify is not None and not certify
        return run
    full = track or certify is not None
    predicted = math.inf
    certified = certify is not None
    # Free projects with support are taken at once, unsupported ones never (as pabutools);
    # with cost utilities a free project is worth nothing to anyone, so never taken either.
    active: list[int] = []
    for p in range(P):
        if t.weight_total[p] > 0 and not (approval and t.cost[p] == 0):
            if t.cost[p] == 0:
                chosen.append(t.pids[p])
                prices[t.pids[p]] = Fraction(0)
            else:
                active.append(p)
    classes = _Classes(t, per_voter)
    if track:
        classes.zero = None  # the empty class grows with slope 0, the starting one with 1
    # ρ is compared in units of utility: for cost utilities u = cost, so ρ = λ / cost.
    unit = [t.cost[p] if approval else Fraction(1) for p in range(P)]
    unit_f = t.cost_f if approval else np.ones(P)
    # A lower bound on each project's current ρ: ρ never falls as budgets only shrink.
    low = np.zeros(P, dtype=np.float64)
    while active:
        order = sorted(active, key=lambda p: low[p])
        evaluated: dict[int, tuple[float, float, bool, Callable[[int], _Column], int]] = {}
        tangents: dict[int, tuple[float, float]] = {}
        upper = math.inf
        start = 0
        while start < len(order) and (full or low[order[start]] <= upper):
            # Projects in order of their lower bound, 8 at a time, until no other can beat
            # the best upper bound found so far (all at once for Add1).
            batch: list[int] = order[start:] if full else order[start : start + 8]
            batch = batch if full else [p for p in batch if low[p] <= upper]
            start += len(batch)
            proj = np.array(batch, dtype=np.int64)
            lam, err, affordable, found, column_of, tangent = _float_levels(
                classes, proj, t.cost_f, track
            )
            for i, p in enumerate(batch):
                if not affordable[i]:
                    active.remove(p)  # budgets only shrink: it stays unaffordable
                    continue
                rho = float(lam[i] / unit_f[p])
                rho_err = float(err[i] / unit_f[p])
                evaluated[p] = (rho, rho_err, bool(found[i]), column_of, i)
                if tangent is not None:
                    tangents[p] = (rho, float(tangent.fall[i] / unit_f[p]))
                if found[i]:
                    low[p] = max(low[p], rho - rho_err)
                    upper = min(upper, rho + rho_err)
        best: tuple[Fraction, tuple[object, ...], int, tuple[int, int]] | None = None
        exact_rhos: dict[int, Fraction] = {}
        for p, (rho, rho_err, ok, column_of, i) in evaluated.items():
            if ok and rho - rho_err > upper:
                continue
            exact = _exact_level(classes, column_of(i), t.cost[p], rho * float(unit_f[p]))
            if exact is None:
                active.remove(p)
                continue
            exact_rho = Fraction(exact[0], classes.denom * exact[1]) / unit[p]
            exact_rhos[p] = exact_rho
            if best is None or (exact_rho, keys[t.pids[p]]) < best[:2]:
                best = (exact_rho, keys[t.pids[p]], p, exact)
        if best is None:
            if active:
                continue
            break
        rho_w, key_w, w, (a, weight) = best
        round_ = len(run.trace)
        run.trace.append((w, rho_w, key_w))
        if certified:
            assert certify is not None
            certified = round_ < len(certify) and certify[round_][0] == w
            if certified:
                certified = _dearer_than(
                    classes, certify[round_][1:], evaluated, exact_rhos, active, w, t, unit, keys
                )
        if track:
            predicted = min(predicted, _tangents_reach(rho_w, tangents, w, active))
        chosen.append(t.pids[w])
        prices[t.pids[w]] = rho_w * t.score_scale  # per unit of the original scores
        active.remove(w)
        # λ = a / (denom · weight): pass to the denominator denom · weight / g.
        g = math.gcd(a, weight)
        a, weight = a // g, weight // g
        classes.rescale(weight)
        groups = t.supporters[w]
        if len(groups):
            old = classes.of_group[groups]
            lv = t.support_level[w]
            pair_keys = old * t.L + lv
            pairs, inverse = np.unique(pair_keys, return_inverse=True)
            inverse = inverse.reshape(-1)
            levels = t.levels
            left: list[int] = []
            money = classes.numers((pairs // t.L).tolist())
            for b, level_i in zip(money, (pairs % t.L).tolist(), strict=True):
                pay = a * levels[level_i]
                left.append(b - pay if b > pay else 0)
            targets = classes.update_or_add(pairs // t.L, inverse, left)
            if track:
                _grow_slopes(classes, pairs, inverse, groups, left, targets)
            classes.move(groups, targets[inverse])
            classes.compact()
    if certify is not None:
        run.certified = certified and len(run.trace) == len(certify)
    if track:
        # Mid-run, a project that becomes affordable is rarely bought; at the end it is.
        run.predicted = min(predicted, _first_affordable(classes, chosen))
    return run


def _first_affordable(classes: _Classes, chosen: Sequence[str]) -> float:
    """For the prediction: the rise of the starting budget at which some project not bought
    would become affordable with the money left at the end of the run."""
    t = classes.t
    K = classes.K
    counts = classes.counts[:K].reshape(K, t.L, t.P).sum(axis=1).astype(np.float64)
    money = classes.value_f[:K] @ counts
    growth = classes.slope_f[:K] @ counts
    taken = set(chosen)
    left = np.array(
        [t.pids[p] not in taken and t.weight_total[p] > 0 for p in range(t.P)], dtype=bool
    )
    with np.errstate(all="ignore"):
        at = np.where(growth > 0, (t.cost_f - money) / growth, np.inf)
    at = at[left & (t.cost_f > 0)]
    return float(max(at.min(), 0.0)) if len(at) else math.inf


def _dearer_than(
    classes: _Classes,
    winner: tuple[Fraction, tuple[object, ...]],
    evaluated: Mapping[int, tuple[float, float, bool, Callable[[int], _Column], int]],
    exact_rhos: Mapping[int, Fraction],
    active: Sequence[int],
    w: int,
    t: _Tables,
    unit: Sequence[Fraction],
    keys: Mapping[str, tuple[object, ...]],
) -> bool:
    """The certificate's test for one round (see :func:`_mes_core`): is every affordable
    project other than the winner ``w`` dearer (ρ, then tie key) than ``winner``?"""
    rho_0, key_0 = winner
    top = float(rho_0) * (1 + 4 * _EPS)
    still = set(active)
    for p, (rho, rho_err, ok, column_of, i) in evaluated.items():
        if p == w or p not in still:
            continue
        if ok and (rho - rho_err) * (1 - 1e-12) > top:
            continue
        exact_rho = exact_rhos.get(p)
        if exact_rho is None:
            exact = _exact_level(classes, column_of(i), t.cost[p], rho * float(unit[p]))
            if exact is None:
                continue  # not affordable after all
            exact_rho = Fraction(exact[0], classes.denom * exact[1]) / unit[p]
        if (exact_rho, keys[t.pids[p]]) <= (rho_0, key_0):
            return False
    return True


def _grow_slopes(
    classes: _Classes,
    pairs: IntArray,
    inverse: IntArray,
    groups: IntArray,
    left: list[int],
    targets: IntArray,
) -> None:
    """For the prediction: the slopes of the winner's supporters' new classes. While the
    same supporters pay all they have (slope 0 after), λ_w falls at rate (their slopes) /
    (the others' score), and the others' slope grows by their score times that rate."""
    t = classes.t
    count = np.bincount(inverse, weights=t.mult[groups], minlength=len(pairs))
    level = np.array(t.levels, dtype=np.float64)[pairs % t.L]
    slope = classes.slope_f[pairs // t.L]
    poor = np.array([x == 0 for x in left], dtype=bool)
    rich_weight = float(np.dot(level[~poor], count[~poor]))
    fall = float(np.dot(slope[poor], count[poor])) / rich_weight if rich_weight > 0 else 0.0
    rich = ~poor
    classes.slope_f[targets[rich]] = slope[rich] + level[rich] * fall


def _tangents_reach(
    rho_w: Fraction,
    tangents: Mapping[int, tuple[float, float]],
    w: int,
    active: Sequence[int],
) -> float:
    """For the prediction: the rise of the starting budget at which some other project's
    tangent line ρ_p − fall_p·s would reach the winner's ρ as it is now."""
    reach = math.inf
    top = float(rho_w)
    still = set(active)
    for p, (rho, fall) in tangents.items():
        if p == w or p not in still:
            continue
        gap = rho - top
        if gap <= 0 or not math.isfinite(fall):
            return 0.0
        if fall > 0:
            reach = min(reach, gap / fall)
    return reach


def equal_shares(
    election: Election,
    *,
    completion: Completion = "none",
    tie_breaking: TieBreaking = (),
    budget_per_voter: Number | None = None,
    integral: bool = True,
) -> Outcome:
    """The Method of Equal Shares with a completion (see the module docstring for sources).

    ``budget_per_voter`` overrides the endowment B/n (the number of voters n counts empty
    ballots too). ``completion`` is ``"none"``, ``"utilitarian"`` or one of the Add1 variants
    (see :func:`equal_shares_add1`, with ``integral``).
    """
    if completion in ("add1", "add1e", "add1u", "add1eu"):
        return equal_shares_add1(
            election,
            exhaustive="e" in completion[4:],
            utilitarian=completion.endswith("u"),
            integral=integral,
            tie_breaking=tie_breaking,
        )
    if completion not in ("none", "utilitarian"):
        raise ValueError(f"unknown completion {completion!r}")
    keys = _tie_keys(election, tie_breaking)
    n = election.voters
    per_voter = (
        Fraction(budget_per_voter)
        if budget_per_voter is not None
        else (election.budget / n if n else Fraction(0))
    )
    run = _mes_core(election, per_voter, keys)
    outcome = Outcome(tuple(run.chosen), run.prices, per_voter)
    if completion == "utilitarian":
        return _complete(election, outcome, tie_breaking)
    return outcome


def _complete(election: Election, outcome: Outcome, tie_breaking: TieBreaking) -> Outcome:
    done = greedy(election, tie_breaking=tie_breaking, initial=outcome.selected)
    return Outcome(done.selected, outcome.prices, outcome.budget_per_voter, done.completed)


def _is_exhaustive(election: Election, selected: Sequence[str]) -> bool:
    left = election.budget - election.cost_of(selected)
    taken = set(selected)
    return all(c > left for p, c in election.costs.items() if p not in taken)


def equal_shares_add1(
    election: Election,
    *,
    exhaustive: bool = False,
    utilitarian: bool = False,
    integral: bool = True,
    step: Number = 1,
    tie_breaking: TieBreaking = (),
    progress: Callable[[Fraction], None] | None = None,
) -> Outcome:
    """MES with Add1 completion, as ``equalSharesAdd1`` in the equalshares.net compute tool.

    Start from B/n per voter (``integral``: from ⌊B/n⌋), run MES, and raise every voter's
    budget by ``step`` currency units while the outcome still fits in the real budget B; keep
    the last outcome that fits. ``exhaustive`` (add1e) stops as soon as the current outcome is
    exhaustive (no further project fits). ``utilitarian`` (add1u) completes greedily at the end.
    If all projects together fit in B, plain MES is run (as the tool does). One safeguard the
    tool lacks: once MES funds every project that it can ever fund, raising budgets further
    cannot change anything, so the search stops there. ``progress``, if given, is told after
    each step which share of the budget the current outcome spends (it rises towards 1).

    The result is exactly that of the step-by-step loop (:func:`equal_shares_add1_reference`,
    which the tests compare it with), but steps are skipped. From the current budget b₀ the
    search guesses how many steps j it may skip (``predicted``: where another project's price
    would catch up with a winner's, following how every price moves with the budget) and runs
    MES at b₀ + j·step asking it to *certify* the run at b₀ (see :func:`_mes_core`): if it
    does, MES buys the same projects in the same order at every budget in between, so each of
    those steps has the current outcome, which fits in B and is exhaustive or not as the
    current one is — the loop would accept every one of them and stop at none. The search then
    continues from b₀ + j·step with that run (its prices are that budget's). A try that does
    not certify halves j; a jump of one step is the loop's own step, with its own test.
    Where outcomes change at nearly every step (no jump is predicted), steps run without the
    bookkeeping the guess needs, for 1, 2, 4, … steps before guessing again.
    """
    keys = _tie_keys(election, tie_breaking)
    n = election.voters
    B = election.budget
    if n == 0 or election.cost_of(election.costs) <= B:
        per_voter = B / n if n else Fraction(0)
        run = _mes_core(election, per_voter, keys)
        outcome = Outcome(tuple(run.chosen), run.prices, per_voter)
        return _complete(election, outcome, tie_breaking) if utilitarian else outcome
    increment = Fraction(step)
    if increment <= 0:
        raise ValueError("step must be positive")
    per_voter = Fraction(math.floor(B / n)) if integral else B / n
    fundable = _fundable(election)
    run = _mes_core(election, per_voter, keys, track=True)
    # Tracking costs a little; where outcomes change at almost every step (no jump is
    # predicted), the next steps run untracked, for twice as many steps each time.
    untracked, backoff = 0, 1
    while not (exhaustive and _is_exhaustive(election, run.chosen)):
        if fundable <= set(run.chosen):
            break
        # Try to jump several steps at once to a run that certifies the current one; a
        # failed try halves the jump. A jump of one step is the loop's own step.
        jump = _steps_below(run.predicted, increment)
        while jump > 1:
            ahead = _mes_core(
                election, per_voter + jump * increment, keys, track=True, certify=run.trace
            )
            if ahead.certified:
                break
            jump //= 2
        if jump > 1:
            per_voter += jump * increment
            run = ahead
            backoff = 1
        else:
            if untracked == 0 and not run.predicted >= increment:
                untracked, backoff = backoff, min(2 * backoff, 64)
            else:
                untracked = max(untracked - 1, 0)
            step_run = _mes_core(election, per_voter + increment, keys, track=untracked == 0)
            if election.cost_of(step_run.chosen) > B:
                break
            per_voter += increment
            run = step_run
        if progress is not None:
            progress(min(Fraction(1), election.cost_of(run.chosen) / B))
    outcome = Outcome(tuple(run.chosen), run.prices, per_voter)
    return _complete(election, outcome, tie_breaking) if utilitarian else outcome


OVERSHOOT = 3.0


def _steps_below(reach: float, increment: Fraction) -> int:
    """The largest j ≥ 0 with j·increment < reach (a guess: 0 if there is none)."""
    if not reach > 0 or math.isinf(reach):
        return 0
    j = math.ceil(reach / float(increment) * (1 - 1e-9)) - 1
    while j > 0 and j * increment >= Fraction(reach):
        j -= 1
    return max(j, 0)


def _fundable(election: Election) -> set[str]:
    """The projects MES can ever buy: supported ones, with a cost unless utilities are
    cardinal."""
    return {
        p
        for p, total in election.utility_totals.items()
        if total > 0 and (election.costs[p] > 0 or election.scores is not None)
    }


def equal_shares_add1_reference(
    election: Election,
    *,
    exhaustive: bool = False,
    utilitarian: bool = False,
    integral: bool = True,
    step: Number = 1,
    tie_breaking: TieBreaking = (),
) -> Outcome:
    """Add1 step by step, one MES run per step, exactly as the compute tool loops (for tests:
    :func:`equal_shares_add1` must give the same outcome)."""
    keys = _tie_keys(election, tie_breaking)
    n = election.voters
    B = election.budget
    if n == 0 or election.cost_of(election.costs) <= B:
        per_voter = B / n if n else Fraction(0)
        run = _mes_core(election, per_voter, keys)
        outcome = Outcome(tuple(run.chosen), run.prices, per_voter)
        return _complete(election, outcome, tie_breaking) if utilitarian else outcome
    increment = Fraction(step)
    per_voter = Fraction(math.floor(B / n)) if integral else B / n
    fundable = _fundable(election)
    run = _mes_core(election, per_voter, keys)
    while not (exhaustive and _is_exhaustive(election, run.chosen)):
        if fundable <= set(run.chosen):
            break
        step_run = _mes_core(election, per_voter + increment, keys)
        if election.cost_of(step_run.chosen) > B:
            break
        per_voter += increment
        run = step_run
    outcome = Outcome(tuple(run.chosen), run.prices, per_voter)
    return _complete(election, outcome, tie_breaking) if utilitarian else outcome


def equal_shares_reference(
    election: Election, *, tie_breaking: TieBreaking = (), budget_per_voter: Number | None = None
) -> Outcome:
    """MES by its plain definition, voter by voter in exact arithmetic (slow; for tests)."""
    keys = _tie_keys(election, tie_breaking)
    n = election.voters
    if n == 0:
        return Outcome(())
    b0 = Fraction(budget_per_voter) if budget_per_voter is not None else election.budget / n
    budget = [b0] * n
    utility: list[dict[str, Fraction]] = []
    for i, ballot in enumerate(election.ballots):
        if election.scores is None:
            utility.append({p: election.costs[p] for p in ballot if election.costs[p] > 0})
        else:
            utility.append(dict(zip(ballot, election.scores[i], strict=True)))
    supporters = {p: [i for i in range(n) if p in utility[i]] for p in election.costs}
    chosen = [p for p in election.costs if supporters[p] and election.costs[p] == 0]
    prices: dict[str, Fraction] = dict.fromkeys(chosen, Fraction(0))
    left = [p for p in election.costs if supporters[p] and election.costs[p] > 0]
    while True:
        best: tuple[Fraction, tuple[object, ...], str] | None = None
        for p in left:
            cost = election.costs[p]
            if sum(budget[i] for i in supporters[p]) < cost:
                continue
            order = sorted(supporters[p], key=lambda i: budget[i] / utility[i][p])
            paid = Fraction(0)
            weight = sum(utility[i][p] for i in order)
            for i in order:
                rho = (cost - paid) / weight
                if rho * utility[i][p] <= budget[i]:
                    break
                paid += budget[i]
                weight -= utility[i][p]
            if best is None or (rho, keys[p]) < best[:2]:
                best = (rho, keys[p], p)
        if best is None:
            return Outcome(tuple(chosen), prices, b0)
        rho, _, w = best
        for i in supporters[w]:
            budget[i] -= min(budget[i], rho * utility[i][w])
        chosen.append(w)
        prices[w] = rho
        left.remove(w)


# --------------------------------------------------------------------------- Phragmén


def phragmen(election: Election, *, tie_breaking: TieBreaking = ()) -> Outcome:
    """Sequential Phragmén for approval ballots (pabutools' ``sequential_phragmen``).

    Every project whose cost is within the budget is a candidate. Each round, buying project p
    would bring its supporters to the common load (their loads + cost(p)) / votes(p); the project
    with the smallest such load is bought and its supporters' loads set to it. The rule stops
    as soon as one of the projects tied for the smallest load would exceed the budget. A
    project without votes has an infinite load.
    """
    if election.scores is not None:
        raise ValueError("sequential Phragmén applies to approval ballots only")
    keys = _tie_keys(election, tie_breaking)
    t = election._tables
    votes = [int(v) for v in t.votes]
    remaining = [p for p in range(t.P) if t.cost[p] <= election.budget]
    classes = _Classes(t, Fraction(0))
    spent = Fraction(0)
    chosen: list[str] = []
    # A lower bound on each project's next load: loads only grow.
    low = np.zeros(t.P, dtype=np.float64)
    while remaining:
        order = sorted(remaining, key=lambda p: low[p])
        K = classes.K
        loads_f = classes.value_f[:K]
        evaluated: dict[int, tuple[float, float]] = {}
        upper = math.inf
        start = 0
        while start < len(order) and low[order[start]] <= upper:
            batch = order[start : start + 8]
            start += len(batch)
            proj = np.array(batch, dtype=np.int64)
            counts = classes.counts[:K][:, proj].astype(np.float64)
            votes_f = np.array([votes[p] for p in batch], dtype=np.float64)
            with np.errstate(all="ignore"):
                new = np.where(votes_f > 0, (loads_f @ counts + t.cost_f[proj]) / votes_f, np.inf)
            err = 8 * (K + 8) * _EPS * np.where(np.isfinite(new), new, 0.0)
            for i, p in enumerate(batch):
                evaluated[p] = (float(new[i]), float(err[i]))
                if np.isfinite(new[i]):
                    low[p] = max(low[p], float(new[i] - err[i]))
                upper = min(upper, float(new[i] + err[i]))
        exact: dict[int, Fraction | float] = {}
        for p, (value, error) in evaluated.items():
            if math.isfinite(upper) and value - error > upper:
                continue
            if votes[p] == 0:
                exact[p] = math.inf
                continue
            column = classes.counts[:K, p]
            nz = np.flatnonzero(column).tolist()
            total = sum(map(operator.mul, classes.numers(nz), column[nz].tolist()))
            cost_n = t.cost[p].numerator * (classes.denom // t.cost[p].denominator)
            exact[p] = Fraction(total + cost_n, classes.denom * votes[p])
        best = min(exact.values())
        tied = [p for p, v in exact.items() if v == best]
        if any(spent + t.cost[p] > election.budget for p in tied):
            break
        w = min(tied, key=lambda p: keys[t.pids[p]])
        chosen.append(t.pids[w])
        spent += t.cost[w]
        remaining.remove(w)
        groups = t.supporters[w]
        if len(groups) and isinstance(best, Fraction):
            classes.rescale(best.denominator // math.gcd(best.denominator, classes.denom))
            target = classes.new_class(best.numerator * (classes.denom // best.denominator))
            classes.move(groups, np.full(len(groups), target, dtype=np.int64))
    return Outcome(tuple(chosen))


# --------------------------------------------------------------------------- by name

RULES: dict[str, Callable[..., Outcome]] = {
    "greedy": greedy,
    "greedy-points": greedy_points,
    "mes": lambda e, **kw: equal_shares(e, completion="none", **kw),
    "mes-utilitarian": lambda e, **kw: equal_shares(e, completion="utilitarian", **kw),
    "mes-add1": lambda e, **kw: equal_shares_add1(e, **kw),
    "mes-add1e": lambda e, **kw: equal_shares_add1(e, exhaustive=True, **kw),
    "mes-add1u": lambda e, **kw: equal_shares_add1(e, utilitarian=True, **kw),
    "mes-add1eu": lambda e, **kw: equal_shares_add1(e, exhaustive=True, utilitarian=True, **kw),
    "phragmen": phragmen,
}
"""The rules by the names the tally command line uses."""


def run_rule(
    name: str,
    election: Election,
    *,
    tie_breaking: TieBreaking = (),
    progress: Callable[[Fraction], None] | None = None,
) -> Outcome:
    """Run the rule called ``name`` (a key of :data:`RULES`). ``progress`` reaches the rules
    that take long enough to report it (the Add1 completions)."""
    try:
        rule = RULES[name]
    except KeyError:
        raise ValueError(f"unknown rule {name!r} (choose from {', '.join(RULES)})") from None
    if progress is not None and name.startswith("mes-add1"):
        return rule(election, tie_breaking=tie_breaking, progress=progress)
    return rule(election, tie_breaking=tie_breaking)
