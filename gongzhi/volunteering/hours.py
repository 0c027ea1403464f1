"""How served minutes become credited hours: the community's rounding rule (no database).

Cities that count volunteer hours (志愿服务时长) round the time between check-in and check-out
to half hours: under 15 minutes counts nothing, 15–44 minutes half an hour, 45–74 minutes one
hour, and each further started half hour the same way. In general, with a unit of ``unit``
minutes and a ``threshold``: a started unit counts once ``threshold`` minutes of it were served,
so

    units = (served + unit - threshold) // unit,   credited = units * unit.

The community chooses ``unit`` and ``threshold`` (``VolunteeringSettings``); ``0 <= threshold
<= unit``. A threshold equal to the unit rounds down to whole units; a threshold of 0 counts
any started unit (minutes are whole, so it is taken as 1: the formula with 0 would credit a
second unit for exactly one served).

Command line::

    python -m gongzhi.volunteering.hours 75 [--unit 30 --threshold 15]
    served_minutes=75 credited_minutes=90 hours=1.5
"""

from __future__ import annotations

import argparse
import sys
from decimal import ROUND_HALF_UP, Decimal

DEFAULT_UNIT = 30
DEFAULT_THRESHOLD = 15


def credited_minutes(
    served: int, unit: int = DEFAULT_UNIT, threshold: int = DEFAULT_THRESHOLD
) -> int:
    """The minutes credited for ``served`` minutes under the rule (``unit``, ``threshold``).

    Negative ``served`` (a reversal) is credited as the negation of its absolute value, so a
    reversing entry cancels its entry exactly.
    """
    if unit <= 0:
        raise ValueError("unit must be positive")
    if not 0 <= threshold <= unit:
        raise ValueError("threshold must be between 0 and the unit")
    threshold = max(threshold, 1)
    if served < 0:
        return -credited_minutes(-served, unit, threshold)
    units = (served + unit - threshold) // unit
    return units * unit


def hours_text(minutes: int) -> Decimal:
    """``minutes`` as hours with one decimal (90 → 1.5; 20 → 0.3)."""
    return (Decimal(minutes) / Decimal(60)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gongzhi.volunteering.hours",
        description="Credited volunteer hours for minutes served, by a rounding rule.",
    )
    parser.add_argument("served", type=int, help="minutes served (check-in to check-out)")
    parser.add_argument("--unit", type=int, default=DEFAULT_UNIT, help="unit in minutes (30)")
    parser.add_argument(
        "--threshold", type=int, default=DEFAULT_THRESHOLD, help="a started unit counts from (15)"
    )
    args = parser.parse_args(argv)
    if args.served < 0:
        parser.error("served minutes cannot be negative")
    try:
        credited = credited_minutes(args.served, args.unit, args.threshold)
    except ValueError as error:
        parser.error(str(error))
    print(f"served_minutes={args.served} credited_minutes={credited} hours={hours_text(credited)}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
