"""ladder.py, the plain part: a person's rung from their facts, their standing, the next rung,
and the command line over a CSV of facts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from gongzhi.learning.ladder import (
    TOP,
    main,
    next_rung,
    rung_of,
    rungs_by_person,
    standing,
)

FACT = object()


def test_no_fact_no_rung():
    assert rung_of([]) == 0
    assert standing([]).rung == 0 and standing([]).next == 1


def test_the_rung_is_the_highest_rung_with_a_fact_not_a_count():
    assert rung_of([(1, FACT), (1, FACT), (1, FACT), (3, FACT)]) == 3
    # many acts on a low rung never lift a person higher
    assert rung_of([(2, FACT)] * 100) == 2
    assert rung_of([(6, FACT), (1, FACT)]) == 6


def test_standing_keeps_the_facts_under_their_rung():
    first, second = object(), object()
    found = standing([(4, first), (1, second), (4, second)])
    assert found.rung == 4
    assert found.by_rung == {4: [first, second], 1: [second]}
    assert found.reached(1) and not found.reached(2)
    assert found.next == 5


def test_next_rung_stops_at_the_top():
    assert [next_rung(r) for r in range(7)] == [1, 2, 3, 4, 5, 6, None]
    assert TOP == 6
    with pytest.raises(ValueError):
        next_rung(7)


@pytest.mark.parametrize("rung", [0, 7, -1])
def test_a_rung_outside_one_to_six_is_refused(rung):
    with pytest.raises(ValueError):
        rung_of([(rung, FACT)])
    with pytest.raises(ValueError):
        standing([(rung, FACT)])


def test_rungs_by_person_keeps_each_persons_highest():
    assert rungs_by_person([(7, 1), (7, 4), (8, 2), (7, 3)]) == {7: 4, 8: 2}


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "facts.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_command_line_prints_each_person_then_the_counts(tmp_path, capsys):
    at = "2026-05-01T09:00:00+08:00"
    path = _csv(
        tmp_path,
        f"user,rung,first_at\n3,1,{at}\n3,4,{at}\n1,2,{at}\n2,6,{at}\n1,1,{at}\n",
    )
    assert main([str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == ["user=1 rung=2", "user=2 rung=6", "user=3 rung=4"]
    assert lines[3] == "people=3"
    assert lines[4:] == [
        "rung_1=0",
        "rung_2=1",
        "rung_3=0",
        "rung_4=1",
        "rung_5=0",
        "rung_6=1",
    ]


def test_the_command_line_refuses_bad_input(tmp_path, capsys):
    assert main([str(_csv(tmp_path, "user,first_at\n1,2026-01-01\n"))]) == 2
    assert "missing columns: rung" in capsys.readouterr().err
    assert main([str(_csv(tmp_path, "user,rung\n1,9\n"))]) == 2
    assert "line 2" in capsys.readouterr().err
    assert main([str(tmp_path / "none.csv")]) == 2


def test_python_dash_m_runs_it(tmp_path):
    path = _csv(tmp_path, "user,rung,first_at\n5,3,2026-01-01\n")
    done = subprocess.run(
        [sys.executable, "-m", "gongzhi.learning.ladder", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.splitlines()[:2] == ["user=5 rung=3", "people=1"]
