"""The engine's helpers, its printing, and the ladder: plain Python, no database."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime

import pytest

from gongzhi.evaluation import ladder
from gongzhi.evaluation.engine import (
    Cell,
    Entry,
    EvalInput,
    PeopleCell,
    Person,
    evaluate,
    format_line,
    format_lines,
    member_on,
    month_last_day,
    month_of,
    months_between,
    next_month,
    previous_month,
    resolve,
    verified_at_month_end,
)
from tests.evaluation.fixture import SHANGHAI

PLAIN_MODULES = [
    "gongzhi.evaluation.engine",
    "gongzhi.evaluation.ladder",
    "gongzhi.evaluation.measures",
    "gongzhi.evaluation.suppress",
    "gongzhi.evaluation.charts",
    "gongzhi.feedback.indicators",
    "gongzhi.deliberation.indicators",
    "gongzhi.budgeting.indicators",
    "gongzhi.disclosure.indicators",
]


def test_plain_modules_import_no_django() -> None:
    code = (
        f"import sys; import {', '.join(PLAIN_MODULES)}; "
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_months_are_local_calendar_months() -> None:
    assert month_of(datetime(2025, 12, 31, 15, 59, tzinfo=UTC), SHANGHAI) == "2025-12"
    assert month_of(datetime(2025, 12, 31, 16, 0, tzinfo=UTC), SHANGHAI) == "2026-01"
    assert next_month("2025-12") == "2026-01" and next_month("2026-01") == "2026-02"
    assert previous_month("2026-01") == "2025-12" and previous_month("2026-03") == "2026-02"
    assert month_last_day("2024-02") == date(2024, 2, 29)
    assert month_last_day("2025-12") == date(2025, 12, 31)
    assert months_between("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert months_between("2026-02", "2026-01") == []


def test_verified_at_month_end() -> None:
    persons = {
        "left_on_last_day": Person("left_on_last_day", date(2025, 1, 1), date(2026, 1, 31)),
        "left_next_day": Person("left_next_day", date(2025, 1, 1), date(2026, 2, 1)),
        "verified_last_day": Person("verified_last_day", date(2026, 1, 31), None),
        "verified_after": Person("verified_after", date(2026, 2, 1), None),
        "never": Person("never", None, None),
    }
    inp = EvalInput(entries=[], persons=persons, months=["2026-01"], tz=SHANGHAI)
    assert verified_at_month_end(inp, "2026-01") == {"left_next_day", "verified_last_day"}
    assert not member_on(persons["never"], date(2030, 1, 1))


def test_format_lines_sorted_and_formatted() -> None:
    results = {
        "b.rate": {
            "2026-02": Cell(1, 3),
            "2026-01": Cell(0, 0),
        },
        "a.people": {"2026-01": PeopleCell(frozenset({"x"}), frozenset({"x", "y", "z"}))},
        "c.median": {"2026-01": Cell(2.5, None, n=4), "2026-02": Cell(0, None, n=0)},
        "d.money": {"2026-01": Cell(12345.5, None)},
    }
    assert format_lines(results) == [
        "key=a.people month=2026-01 numerator=1 denominator=3 value=0.333333",
        "key=b.rate month=2026-01 numerator=0 denominator=0 value=-",
        "key=b.rate month=2026-02 numerator=1 denominator=3 value=0.333333",
        "key=c.median month=2026-01 numerator=2.5 denominator=- value=2.500000",
        "key=c.median month=2026-02 numerator=0 denominator=- value=-",
        "key=d.money month=2026-01 numerator=12345.5 denominator=- value=12345.500000",
    ]
    assert format_lines(results, ["d.money"]) == [
        format_line("d.money", "2026-01", Cell(12345.5, None))
    ]
    with pytest.raises(KeyError):
        format_lines(results, ["e.missing"])


def test_evaluate_needs_a_cell_for_every_month() -> None:
    inp = EvalInput(entries=[], persons={}, months=["2026-01", "2026-02"], tz=SHANGHAI)
    assert evaluate(inp, {"x": lambda i: {m: Cell(1, None) for m in i.months}})["x"][
        "2026-02"
    ] == Cell(1, None)
    with pytest.raises(ValueError, match="2026-02"):
        evaluate(inp, {"x": lambda i: {"2026-01": Cell(1, None)}})


def test_resolve_both_spellings() -> None:
    from gongzhi.evaluation import measures

    assert resolve("gongzhi.evaluation.measures:retention") is measures.retention
    assert resolve("gongzhi.evaluation.measures.retention") is measures.retention
    with pytest.raises(AttributeError):
        resolve("gongzhi.evaluation.measures:nothing")


def _entry(verb: str, data: dict[str, object] | None = None) -> Entry:
    return Entry(1, datetime(2026, 1, 1, tzinfo=UTC), verb, "p", "", data or {})


def test_ladder_binding_votes_decide() -> None:
    assert ladder.rung(_entry("vote.cast", {"binding": True})) == "deciding"
    assert ladder.rung(_entry("vote.changed", {"binding": True})) == "deciding"
    assert ladder.rung(_entry("vote.cast", {"binding": False})) == "consulted"
    assert ladder.rung(_entry("vote.cast")) == "consulted"  # older entries do not say
    assert ladder.rung(_entry("vote.cast", {"binding": "yes"})) == "consulted"
    assert ladder.rung(_entry("budget.voted")) == "deciding"
    assert ladder.rung(_entry("notice.read_confirmed")) == "informed"
    assert ladder.rung(_entry("hotline.resolved")) is None
    assert ladder.rung(_entry("budget.counted", {"binding": True})) is None


def test_ladder_rows_ordered_by_rung() -> None:
    rows = ladder.rows()
    assert [r[1] for r in rows] == sorted((r[1] for r in rows), key=ladder.RUNGS.index)
    assert ("vote.cast", "consulted", True) in rows
    assert len(rows) == len(ladder.VERB_RUNGS)


def test_every_journal_verb_has_a_rung_or_a_reason() -> None:
    """A new app's verbs must be placed on the ladder (or given a reason for no rung)."""
    from gongzhi.core.manifests import verb_labels

    verbs = set(verb_labels())
    placed = set(ladder.VERB_RUNGS)
    excused = set(ladder.NO_RUNG)
    assert not placed & excused
    assert verbs - placed - excused == set(), "add these verbs to gongzhi/evaluation/ladder.py"
    assert (placed | excused) - verbs == set(), "these verbs are no longer in any manifest"
