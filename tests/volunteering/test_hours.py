"""The rounding rule that turns served minutes into credited hours (hours.py), and its CLI."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.volunteering.hours import credited_minutes, hours_text, main


@pytest.mark.parametrize(
    ("served", "credited"),
    [
        (0, 0),
        (10, 0),
        (14, 0),
        (15, 30),
        (44, 30),
        (45, 60),
        (60, 60),
        (74, 60),
        (75, 90),
        (100, 90),
        (104, 90),
        (105, 120),
    ],
)
def test_the_default_rule_is_the_cities_half_hours(served: int, credited: int) -> None:
    assert credited_minutes(served) == credited


def test_other_rules() -> None:
    # Whole hours from 30 minutes on.
    assert credited_minutes(29, unit=60, threshold=30) == 0
    assert credited_minutes(30, unit=60, threshold=30) == 60
    assert credited_minutes(89, unit=60, threshold=30) == 60
    # A threshold equal to the unit rounds down to whole units.
    assert credited_minutes(59, unit=60, threshold=60) == 0
    assert credited_minutes(119, unit=60, threshold=60) == 60
    # A threshold of 0: any started unit counts, a whole unit is one unit.
    assert credited_minutes(0, unit=30, threshold=0) == 0
    assert credited_minutes(1, unit=30, threshold=0) == 30
    assert credited_minutes(30, unit=30, threshold=0) == 30


def test_a_reversal_cancels_exactly() -> None:
    assert credited_minutes(-75) == -90


@pytest.mark.parametrize(("unit", "threshold"), [(0, 0), (-30, 15), (30, 31), (30, -1)])
def test_a_rule_that_makes_no_sense_is_refused(unit: int, threshold: int) -> None:
    with pytest.raises(ValueError):
        credited_minutes(60, unit=unit, threshold=threshold)


def test_hours_text() -> None:
    assert hours_text(90) == Decimal("1.5")
    assert hours_text(0) == Decimal("0.0")
    assert hours_text(20) == Decimal("0.3")
    assert hours_text(-30) == Decimal("-0.5")


rules = st.integers(min_value=1, max_value=240).flatmap(
    lambda unit: st.tuples(st.just(unit), st.integers(min_value=0, max_value=unit))
)


@given(served=st.integers(min_value=0, max_value=24 * 60), rule=rules)
def test_credited_is_whole_units_close_to_served(served: int, rule: tuple[int, int]) -> None:
    unit, threshold = rule
    credited = credited_minutes(served, unit, threshold)
    assert credited % unit == 0
    assert 0 <= credited <= served + unit - max(threshold, 1)
    # never less than the whole units served
    assert credited >= (served // unit) * unit
    # nothing for less than the threshold
    if served < max(threshold, 1):
        assert credited == 0


@given(
    a=st.integers(min_value=0, max_value=24 * 60),
    b=st.integers(min_value=0, max_value=24 * 60),
    rule=rules,
)
def test_credited_is_monotone(a: int, b: int, rule: tuple[int, int]) -> None:
    low, high = sorted((a, b))
    assert credited_minutes(low, *rule) <= credited_minutes(high, *rule)


@given(served=st.integers(min_value=0, max_value=24 * 60), rule=rules)
def test_credited_matches_counting_started_units(served: int, rule: tuple[int, int]) -> None:
    # An independent statement of the rule: full units, plus the last started one if at least
    # ``threshold`` minutes of it were served.
    unit, threshold = rule
    full, rest = divmod(served, unit)
    expected = (full + (1 if rest and rest >= max(threshold, 1) else 0)) * unit
    assert credited_minutes(served, unit, threshold) == expected


def test_cli_prints_key_values(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["75"]) == 0
    assert capsys.readouterr().out.strip() == "served_minutes=75 credited_minutes=90 hours=1.5"
    assert main(["45", "--unit", "60", "--threshold", "30"]) == 0
    assert capsys.readouterr().out.strip() == "served_minutes=45 credited_minutes=60 hours=1.0"


def test_cli_refuses_a_bad_rule(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["75", "--threshold", "40"])
    assert stopped.value.code == 2
    assert "threshold" in capsys.readouterr().err


def test_cli_runs_as_a_module() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gongzhi.volunteering.hours", "14"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "served_minutes=14 credited_minutes=0 hours=0.0"
