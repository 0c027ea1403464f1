"""Mediation's indicators from hand-built journal entries (no database), and the registry."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from gongzhi.core.manifests import indicator_registry
from gongzhi.evaluation.engine import JOURNAL_INDICATORS, Cell, Entry, EvalInput, evaluate
from gongzhi.mediation import indicators

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTHS = ["2026-01", "2026-02", "2026-03"]
KEYS = {
    "mediation.cases_opened",
    "mediation.agreement_rate",
    "mediation.days_to_agreement",
    "mediation.performed_in_full",
}


def _input(*rows: tuple[str, str, dict[str, Any]]) -> EvalInput:
    """``rows``: (day "MM-DD" of 2026, verb, data); mediation entries have no target."""
    entries = [
        Entry(
            seq=seq,
            at=datetime.fromisoformat(f"2026-{day}T02:00").replace(tzinfo=UTC),
            verb=verb,
            actor="m",
            target="",
            data=data,
        )
        for seq, (day, verb, data) in enumerate(rows, start=1)
    ]
    return EvalInput(entries=entries, persons={}, months=MONTHS, tz=SHANGHAI)


def concluded(day: str, outcome: str, days: int = 10) -> tuple[str, str, dict[str, Any]]:
    return (day, "mediation.case_concluded", {"kind": "noise", "outcome": outcome, "days": days})


def test_cases_opened_per_month():
    data = {"kind": "noise", "channel": "walk_in"}
    inp = _input(
        ("01-05", "mediation.case_opened", data),
        ("01-31", "mediation.case_opened", data),
        ("03-02", "mediation.case_opened", data),
        ("01-06", "mediation.case_accepted", {}),
    )
    cells = indicators.cases_opened(inp)
    assert [cells[m].numerator for m in MONTHS] == [2, 0, 1]


def test_agreement_rate_leaves_out_cases_not_taken_up():
    inp = _input(
        concluded("01-03", "agreed"),
        concluded("01-04", "not_agreed"),
        concluded("01-05", "withdrawn"),
        concluded("01-06", "declined"),
        concluded("02-01", "agreed"),
    )
    cells = indicators.agreement_rate(inp)
    assert cells["2026-01"] == Cell(1.0, 3.0)
    assert cells["2026-02"] == Cell(1.0, 1.0)
    assert cells["2026-03"] == Cell(0.0, 0.0)


def test_median_days_to_agreement_of_agreed_cases_only():
    inp = _input(
        concluded("01-03", "agreed", 10),
        concluded("01-04", "agreed", 30),
        concluded("01-05", "agreed", 14),
        concluded("01-06", "not_agreed", 90),
        ("01-07", "mediation.case_concluded", {"outcome": "agreed", "days": True}),
    )
    cells = indicators.days_to_agreement(inp)
    assert cells["2026-01"].value == 14 and cells["2026-01"].n == 3
    assert cells["2026-02"].n == 0


def test_follow_ups_performed_in_full_of_those_due():
    def visit(day: str, performance: str) -> tuple[str, str, dict[str, Any]]:
        return (day, "mediation.follow_up_recorded", {"performance": performance})

    inp = _input(
        visit("02-01", "full"),
        visit("02-02", "partial"),
        visit("02-03", "none"),
        visit("02-04", "not_due"),
        visit("02-05", "full"),
    )
    assert indicators.performed_in_full(inp)["2026-02"] == Cell(2.0, 4.0)


def test_every_indicator_is_registered_journal_only_and_in_the_plain_cli():
    registry = indicator_registry()
    assert {k for k in registry if k.startswith("mediation.")} == KEYS
    for key in KEYS:
        assert registry[key].journal_only and not registry[key].people
        assert key in JOURNAL_INDICATORS
    results = evaluate(_input(), {key: registry[key].compute for key in KEYS})
    assert set(results) == KEYS
