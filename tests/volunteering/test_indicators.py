"""Volunteering's indicators: each compute function on hand-built journal entries (no database),
and the registry: every indicator is declared, journal-only, and computed by the plain CLI."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from gongzhi.core.manifests import indicator_registry
from gongzhi.evaluation.engine import (
    JOURNAL_INDICATORS,
    AnyCell,
    Cell,
    Entry,
    EvalInput,
    PeopleCell,
    Person,
    evaluate,
)
from gongzhi.volunteering import indicators

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]
PEOPLE = {
    pid: Person(pid, date(2025, 1, 1), None, groups=frozenset(groups), consented=True)
    for pid, groups in (("p", {"elderly"}), ("q", set()), ("r", set()), ("s", set()))
}
KEYS = {
    "volunteering.volunteers",
    "volunteering.active",
    "volunteering.hours",
    "volunteering.residents_serving",
    "volunteering.retention",
    "volunteering.exchanges",
}


def _input(*rows: tuple[Any, ...]) -> EvalInput:
    """``rows``: (day "MM-DD" of 2026, verb, actor, target, data[, on_behalf_of])."""
    entries = [
        Entry(
            seq=seq,
            at=datetime.fromisoformat(f"2026-{row[0]}T02:00").replace(tzinfo=UTC),
            verb=row[1],
            actor=row[2],
            target=row[3],
            data=row[4],
            on_behalf_of=row[5] if len(row) > 5 else None,
        )
        for seq, row in enumerate(rows, start=1)
    ]
    return EvalInput(entries=entries, persons=PEOPLE, months=MONTHS, tz=SHANGHAI)


def _numbers(cells: dict[str, AnyCell]) -> list[float]:
    out = []
    for month in MONTHS:
        cell = cells[month]
        assert isinstance(cell, Cell) and cell.denominator is None
        out.append(cell.numerator)
    return out


def _people(cells: dict[str, AnyCell]) -> list[tuple[set[str], set[str]]]:
    out = []
    for month in MONTHS:
        cell = cells[month]
        assert isinstance(cell, PeopleCell)
        out.append((set(cell.numerator), set(cell.denominator)))
    return out


def _registered(day: str, volunteer: int, person: str, *, by: str | None = None) -> tuple:
    """``person`` registers, or a worker ``by`` registers them (代办: on their behalf)."""
    data = {"volunteer": volunteer, "again": False}
    target = f"volunteering.volunteer:{volunteer}"
    if by is None:
        return (day, "volunteer.registered", person, target, data)
    return (day, "volunteer.registered", by, target, data, person)


def _withdrawn(day: str, volunteer: int, person: str) -> tuple:
    target = f"volunteering.volunteer:{volunteer}"
    return (day, "volunteer.withdrawn", person, target, {"volunteer": volunteer}, person)


def _confirmed(
    day: str, entry: int, volunteer: int, minutes: int, served_on: str = "", **data: Any
) -> tuple:
    """As the ledger journals a confirmation (the entry is the target); ``served_on`` is read
    when an entry carries it."""
    data |= {"signup": entry, "volunteer": volunteer, "credited_minutes": minutes}
    if served_on:
        data["served_on"] = served_on
    return (day, "hours.confirmed", "organiser", f"volunteering.hoursentry:{entry}", data)


def _reversed(day: str, entry: int, reversal: int, minutes: int) -> tuple:
    """As the ledger journals a reversal: the reversal is the target, ``entry`` the reversed."""
    data = {"entry": entry, "credited_minutes": -minutes, "reason": "记错了"}
    return (day, "hours.reversed", "worker", f"volunteering.hoursentry:{reversal}", data)


def _exchange(day: str, exchange: int, person: str, **data: Any) -> tuple:
    target = f"volunteering.exchange:{exchange}"
    return (day, "exchange.confirmed", person, target, {"exchange": exchange, **data})


def test_volunteers_in_force_at_the_end_of_each_month():
    inp = _input(
        _registered("01-05", 1, "p"),
        _registered("01-20", 2, "q", by="worker"),
        _registered("02-03", 3, "r"),
        _withdrawn("03-10", 2, "q"),
        _registered("05-02", 2, "q"),  # back again: the same registration
    )
    assert _numbers(indicators.volunteers(inp)) == [2, 3, 2, 2, 3]


def test_active_volunteers_and_hours_count_confirmed_services_less_reversals():
    inp = _input(
        _registered("01-05", 1, "p"),
        _registered("01-06", 2, "q", by="worker"),
        _confirmed("01-10", 10, 1, 90),
        _confirmed("01-11", 11, 2, 30),
        # confirmed in February, served on the last day of January (Shanghai's day)
        _confirmed("02-02", 12, 1, 60, served_on="2026-01-31"),
        _confirmed("02-15", 13, 2, 120),
        # q's January service reversed in full in March: its hours and q's activity go
        _reversed("03-01", 11, 20, 30),
        # q's February service corrected in March: reversed, and a new amount in February
        _reversed("03-02", 13, 21, 120),
        _confirmed("03-02", 14, 2, 90, corrects=13),
        _confirmed("04-08", 15, 1, 45),
        _confirmed("04-08", 15, 1, 45),  # the same entry twice in the journal counts once
    )
    assert _numbers(indicators.active_volunteers(inp)) == [1, 1, 0, 1, 0]
    assert _numbers(indicators.confirmed_hours(inp)) == [2.5, 1.5, 0, 0.75, 0]


def test_a_reversal_of_an_unknown_service_comes_off_its_own_month():
    inp = _input(_reversed("02-01", 99, 100, 30))
    assert _numbers(indicators.confirmed_hours(inp)) == [0, -0.5, 0, 0, 0]


def test_residents_serving_is_a_rate_over_verified_residents_split_by_group():
    inp = _input(
        _registered("01-05", 1, "p"),
        _registered("01-06", 2, "q"),
        _confirmed("01-10", 10, 1, 60),
        _confirmed("01-11", 11, 2, 60),
        _confirmed("02-10", 12, 1, 30),
        # a volunteer whose registration the journal does not show is nobody's service
        _confirmed("02-11", 13, 9, 30),
    )
    cells = indicators.residents_serving(inp)
    everyone = set(PEOPLE)
    assert _people(cells) == [
        ({"p", "q"}, everyone),
        ({"p"}, everyone),
        (set(), everyone),
        (set(), everyone),
        (set(), everyone),
    ]
    january = cells["2026-01"]
    assert isinstance(january, PeopleCell)
    assert january.restricted(frozenset({"p"})).value == 1.0  # the elderly resident served
    assert january.value == 0.5


def test_retention_follows_who_served_three_months_earlier():
    inp = _input(
        _registered("01-02", 1, "p"),
        _registered("01-02", 2, "q"),
        _registered("01-02", 3, "r"),
        _confirmed("01-10", 10, 1, 60),
        _confirmed("01-10", 11, 2, 60),
        _confirmed("02-10", 12, 3, 60),
        _confirmed("03-10", 13, 1, 60),  # p comes back within three months
        _confirmed("05-10", 14, 3, 60),  # r too, in the third month after February
        _confirmed("05-10", 15, 2, 60),  # q after four months: too late for January's cohort
    )
    cells = _people(indicators.retention(inp))
    assert cells[3] == ({"p"}, {"p", "q"})  # April: January's volunteers
    assert cells[4] == ({"r"}, {"r"})  # May: February's
    assert cells[0] == (set(), set())  # January: nobody served in October


def test_an_exchange_is_done_once_both_sides_confirmed_it():
    inp = _input(
        _exchange("01-10", 1, "p"),
        _exchange("02-01", 1, "q"),  # done in February
        _exchange("02-03", 1, "q"),  # a repeat changes nothing
        _exchange("02-05", 2, "r"),
        _exchange("02-05", 2, "r"),  # one person twice is not both sides
        _exchange("03-05", 3, "s", done=True),  # an entry that says it is done
        _exchange("04-05", 4, "s", status="done"),
    )
    assert _numbers(indicators.exchanges_done(inp)) == [0, 1, 1, 1, 0]


def test_every_indicator_is_registered_journal_only_and_in_the_plain_cli():
    registry = indicator_registry()
    assert {k for k in registry if k.startswith("volunteering.")} == KEYS
    for key in KEYS:
        assert registry[key].journal_only
        assert key in JOURNAL_INDICATORS
    results = evaluate(_input(), {key: registry[key].compute for key in KEYS})
    assert set(results) == KEYS
    for cells in results.values():
        assert list(cells) == MONTHS
