"""The leadership ladder as plain arithmetic (R8.2): a person's rung from the facts that show it.

The rungs, lowest first (``gongzhi/core/leadership.py`` names them): 1 took part → 2 volunteered
→ 3 organised an activity → 4 facilitated or chaired → 5 leads a team or body → 6 trains others.
After the "ladder of engagement" community organisers use (M. Ganz, *Why David Sometimes Wins*,
2009; Han, *How Organizations Develop Activists*, 2014): a person is where their highest
recorded act puts them, never higher. Nothing is inferred: no fact, no rung (0).

No database here: ``pathway.py`` reads every app's evidence and hands the facts in; the command
line reads them from a CSV file::

    python -m gongzhi.learning.ladder facts.csv      # columns: user,rung,first_at

and prints one ``user=<id> rung=<n>`` line per person, then ``people=N`` and ``rung_<k>=count``.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

#: the rungs, lowest first (1–6); 0 is "not yet on the ladder"
RUNGS = (1, 2, 3, 4, 5, 6)
TOP = RUNGS[-1]


def _checked(rung: int) -> int:
    if rung not in RUNGS:
        raise ValueError(f"rung {rung!r} is not 1–6")
    return rung


def rung_of(facts: Iterable[tuple[int, Any]]) -> int:
    """The highest rung with a fact among ``(rung, fact)`` pairs; 0 when there is none."""
    return max((_checked(rung) for rung, _fact in facts), default=0)


def next_rung(rung: int) -> int | None:
    """The rung above ``rung`` (1 for someone not yet on the ladder), None at the top."""
    if rung < 0 or rung > TOP:
        raise ValueError(f"rung {rung!r} is not 0–6")
    return rung + 1 if rung < TOP else None


@dataclass(frozen=True)
class Standing:
    """Where a person is: their rung and, per rung, the facts recorded for it."""

    rung: int
    by_rung: dict[int, list[Any]] = field(default_factory=dict)

    @property
    def next(self) -> int | None:
        return next_rung(self.rung)

    def reached(self, rung: int) -> bool:
        return bool(self.by_rung.get(rung))


def standing(facts: Iterable[tuple[int, Any]]) -> Standing:
    """The ``Standing`` of one person from their ``(rung, fact)`` pairs."""
    by_rung: dict[int, list[Any]] = defaultdict(list)
    for rung, fact in facts:
        by_rung[_checked(rung)].append(fact)
    return Standing(rung=max(by_rung, default=0), by_rung=dict(by_rung))


def rungs_by_person(rows: Iterable[tuple[int, int]]) -> dict[int, int]:
    """``{user: rung}`` from ``(user, rung)`` rows: each person's highest rung."""
    best: dict[int, int] = {}
    for user, rung in rows:
        _checked(rung)
        if rung > best.get(user, 0):
            best[user] = rung
    return best


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gongzhi.learning.ladder",
        description="Each person's rung on the leadership ladder from a CSV of facts "
        "(columns user,rung,first_at).",
    )
    parser.add_argument("facts", help="CSV file with a header: user,rung,first_at")
    args = parser.parse_args(argv)
    rows: list[tuple[int, int]] = []
    try:
        with open(args.facts, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = {"user", "rung"} - set(reader.fieldnames or ())
            if missing:
                print(f"error: missing columns: {', '.join(sorted(missing))}", file=sys.stderr)
                return 2
            for line, row in enumerate(reader, start=2):
                try:
                    rows.append((int(row["user"]), _checked(int(row["rung"]))))
                except (TypeError, ValueError) as error:
                    print(f"error: line {line}: {error}", file=sys.stderr)
                    return 2
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    people = rungs_by_person(rows)
    for user in sorted(people):
        print(f"user={user} rung={people[user]}")
    print(f"people={len(people)}")
    for rung in RUNGS:
        print(f"rung_{rung}={sum(1 for value in people.values() if value == rung)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
