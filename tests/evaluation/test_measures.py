"""Every indicator equals the hand count of tests/evaluation/fixture.py."""

from __future__ import annotations

import pytest

from gongzhi.evaluation.engine import JOURNAL_INDICATORS, Cell, PeopleCell, evaluate
from tests.evaluation import fixture


@pytest.fixture(scope="module")
def results() -> dict[str, dict[str, Cell | PeopleCell]]:
    return evaluate(fixture.make_input(), JOURNAL_INDICATORS)


def test_every_journal_indicator_is_hand_counted() -> None:
    assert set(fixture.PEOPLE) | set(fixture.CELLS) == set(JOURNAL_INDICATORS)


@pytest.mark.parametrize("key", sorted(fixture.PEOPLE))
def test_people_rates(results, key: str) -> None:
    for month, (numerator, denominator) in fixture.PEOPLE[key].items():
        cell = results[key][month]
        assert isinstance(cell, PeopleCell), (key, month)
        assert (set(cell.numerator), set(cell.denominator)) == (numerator, denominator), (
            key,
            month,
        )


@pytest.mark.parametrize("key", sorted(fixture.CELLS))
def test_cells(results, key: str) -> None:
    for month, (numerator, denominator, n) in fixture.CELLS[key].items():
        cell = results[key][month]
        assert isinstance(cell, Cell), (key, month)
        assert cell.numerator == pytest.approx(numerator), (key, month)
        assert cell.denominator == denominator, (key, month)
        assert cell.n == n, (key, month)


def test_staff_and_unverified_never_take_part(results) -> None:
    for key in fixture.PEOPLE:
        for cell in results[key].values():
            assert isinstance(cell, PeopleCell)
            assert "w" not in cell.numerator and "d" not in cell.numerator | cell.denominator


def test_values(results) -> None:
    assert results["participation.rate"]["2026-02"].value == pytest.approx(4 / 5)
    assert results["hotline.resolution_rate"]["2025-12"].value is None  # nothing filed: no rate
    assert results["hotline.days_to_resolve"]["2025-12"].value is None  # nothing resolved
    assert results["hotline.days_to_resolve"]["2026-02"].value == 3


def test_a_group_cell_is_the_rate_among_the_group(results) -> None:
    cell = results["participation.rate"]["2026-02"]
    assert isinstance(cell, PeopleCell)
    elderly = cell.restricted(frozenset({"e"}))
    assert elderly.value == 1.0
    assert cell.restricted(frozenset({"w", "b"})).value == 0.5
