"""How leadership spreads (R8.2), as plain data (no ORM): who a community's leaders reached along
the ties of who invited, recruited or trained whom, where leaders come from (grids, groups),
how many became leaders each year, and whether they come from the same few households.

- ``reach``: breadth-first search from the leaders (the seeds) along directed ties
  ``source → target``; each person reached gets the length of the shortest chain of ties from
  any leader (depth 1: tied to a leader directly). A leader is never counted as reached: the
  question is whom leaders brought in, not whether leaders know each other. (BFS shortest
  paths: Cormen et al., *Introduction to Algorithms*, 3rd ed., §22.2.)
- ``household_concentration``: the share of leaders who share a household with another leader,
  and the share of all leaders living in the five households with the most leaders — the "same
  few families" question, read the way a concentration ratio (CR5) reads a market's top five.
- ``shares``: the share of a population who lead, by a key (a grid, or a group against everyone
  else), with the counts, so small cells can be suppressed (``gongzhi/evaluation/suppress.py``).

Ties are recorded from the learning app's start (``gongzhi/learning/connections.py``), never
back-filled; the numbers describe what was recorded since.

Command line::

    python -m gongzhi.learning.spread edges.csv --leaders leaders.txt [--households h.csv]

``edges.csv``: ``source,target,kind`` rows (a header row is skipped); ``leaders.txt``: one user
id a line; ``h.csv``: ``user,household`` rows. Prints ``people=``, ``edges=``, ``leaders=``,
``reach=``, ``max_depth=`` lines, a ``reach_<kind>=`` line per kind of tie, and with households
``households_with_leader=``, ``shared_household_share=`` and ``top5_share=``.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple, TypeVar

K = TypeVar("K", bound=Hashable)


class Edge(NamedTuple):
    """``source`` invited, recruited or trained ``target``."""

    source: int
    target: int
    kind: str


def reach(
    edges: Iterable[Edge | tuple[int, int, str]],
    seeds: Iterable[int],
    kinds: Iterable[str] | None = None,
) -> dict[int, int]:
    """``{person: depth}`` of everyone reachable from ``seeds`` along the ties (only ties of
    ``kinds`` when given), depth being the fewest ties from any seed; seeds are never in it."""
    wanted = None if kinds is None else set(kinds)
    following: dict[int, set[int]] = defaultdict(set)
    for source, target, kind in edges:
        if wanted is None or kind in wanted:
            following[source].add(target)
    start = set(seeds)
    depth: dict[int, int] = {}
    queue: deque[tuple[int, int]] = deque((seed, 0) for seed in sorted(start))
    while queue:
        person, d = queue.popleft()
        for target in sorted(following.get(person, ())):
            if target in start or target in depth:
                continue
            depth[target] = d + 1
            queue.append((target, d + 1))
    return depth


def new_leaders_by_year(first_leader_dates: Mapping[int, date]) -> dict[int, int]:
    """``{year: people}`` who first showed leadership that year (years in order; a datetime is
    a date here), from ``{person: first day they led}``."""
    counts = Counter(day.year for day in first_leader_dates.values())
    return dict(sorted(counts.items()))


@dataclass(frozen=True)
class Concentration:
    """Whether leaders come from the same few households."""

    leaders: int
    #: leaders whose household is not known (not counted in the households below)
    without_household: int
    households: int
    #: leaders who live with another leader, as a share of all leaders (0 with no leaders)
    shared_share: float
    #: the leaders of the five households with the most leaders, as a share of all leaders
    top5_share: float
    #: the five households with the most leaders and how many each has
    top5: tuple[tuple[Hashable, int], ...]


def household_concentration(leader_household: Mapping[int, Hashable | None]) -> Concentration:
    """From ``{leader: household or None}``: how concentrated leadership is in households."""
    per_household = Counter(h for h in leader_household.values() if h is not None)
    leaders = len(leader_household)
    shared = sum(n for n in per_household.values() if n >= 2)
    # Ties broken by the household's text so the same data always give the same five.
    top = sorted(per_household.items(), key=lambda kv: (-kv[1], str(kv[0])))[:5]
    return Concentration(
        leaders=leaders,
        without_household=leaders - sum(per_household.values()),
        households=len(per_household),
        shared_share=shared / leaders if leaders else 0.0,
        top5_share=sum(n for _h, n in top) / leaders if leaders else 0.0,
        top5=tuple(top),
    )


@dataclass(frozen=True)
class Share:
    """``leaders`` of the ``people`` in one cell."""

    leaders: int
    people: int

    @property
    def share(self) -> float:
        return self.leaders / self.people if self.people else 0.0


def shares(
    leaders: Iterable[int], people: Iterable[int], key: Callable[[int], K | None]
) -> dict[K, Share]:
    """The share of ``people`` who lead, by ``key(person)`` (None: in no cell). Leaders outside
    ``people`` are not counted: the share is of a population."""
    leading = set(leaders)
    totals: Counter[K] = Counter()
    led: Counter[K] = Counter()
    for person in set(people):
        cell = key(person)
        if cell is None:
            continue
        totals[cell] += 1
        if person in leading:
            led[cell] += 1
    return {cell: Share(led[cell], totals[cell]) for cell in totals}


# --- Command line ------------------------------------------------------------------------------


def _rows(path: str) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        rows = [[cell.strip() for cell in row] for row in csv.reader(handle) if row]
    if rows and not rows[0][0].lstrip("-").isdigit():
        rows = rows[1:]  # a header row
    return rows


def _read_edges(path: str) -> list[Edge]:
    edges = []
    for row in _rows(path):
        if len(row) < 2:
            raise ValueError(f"{path}: an edge needs source,target[,kind]: {row}")
        edges.append(Edge(int(row[0]), int(row[1]), row[2] if len(row) > 2 else ""))
    return edges


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gongzhi.learning.spread",
        description="Whom a community's leaders reached along ties of invited/recruited/trained.",
    )
    parser.add_argument("edges", help="CSV: source,target,kind")
    parser.add_argument("--leaders", required=True, help="one leader's user id a line")
    parser.add_argument("--households", help="CSV: user,household")
    args = parser.parse_args(argv)
    try:
        edges = sorted(set(_read_edges(args.edges)))
        with open(args.leaders, encoding="utf-8") as handle:
            leaders = {int(line) for line in (raw.strip() for raw in handle) if line}
        homes = {int(r[0]): r[1] for r in _rows(args.households)} if args.households else None
    except (OSError, ValueError) as exc:
        parser.error(str(exc))
    people = {e.source for e in edges} | {e.target for e in edges} | leaders
    reached = reach(edges, leaders)
    print(f"people={len(people)}")
    print(f"edges={len(edges)}")
    print(f"leaders={len(leaders)}")
    print(f"reach={len(reached)}")
    print(f"max_depth={max(reached.values(), default=0)}")
    for kind in sorted({e.kind for e in edges}):
        print(f"reach_{kind or 'unknown'}={len(reach(edges, leaders, kinds=[kind]))}")
    if homes is not None:
        concentration = household_concentration({p: homes.get(p) for p in leaders})
        print(f"households_with_leader={concentration.households}")
        print(f"shared_household_share={concentration.shared_share:.3f}")
        print(f"top5_share={concentration.top5_share:.3f}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
