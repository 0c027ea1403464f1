"""The command-line tally, run as researchers and auditors run it: in a subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.budgeting.data import PABULIB, needs_data, ours

ROOT = Path(__file__).resolve().parents[2]


def tally(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gongzhi.budgeting.tally", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


@needs_data
def test_prints_the_official_wieliczka_projects_one_per_line() -> None:
    path = PABULIB / "poland_wieliczka_2023.pb"
    result = tally(path, "--rule", "mes-add1")
    assert result.returncode == 0, result.stderr
    instance, _ = ours(path)
    assert sorted(result.stdout.splitlines()) == sorted(instance.selected_ids() or [])
    assert "30 of 64 projects funded" in result.stderr
    assert "budget per voter 315" in result.stderr


def test_every_rule_runs_on_a_small_file(tmp_path: Path) -> None:
    path = tmp_path / "tiny.pb"
    path.write_text(
        "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\n"
        "a;6\nb;5\nc;4\nVOTES\nvoter_id;vote\n1;a\n2;a,c\n3;b\n"
    )
    expected = {
        "greedy": ["a", "c"],
        "mes": ["a"],  # 10/3 each: after "a", voter 2 has 1/3 for "c", voter 3 too little for "b"
        "mes-utilitarian": ["a", "c"],
        "mes-add1": ["a"],  # at 5 each voter 3 buys "b" as well: 11 > 10
        "mes-add1e": ["a"],
        "mes-add1u": ["a", "c"],
        "phragmen": ["a"],  # "b" comes next (load 5 < 7) and does not fit: Phragmén stops
    }
    for rule, winners in expected.items():
        result = tally(path, "--rule", rule)
        assert result.returncode == 0, (rule, result.stderr)
        assert result.stdout.splitlines() == winners, rule
        assert f"rule {rule}: {len(winners)} of 3 projects funded" in result.stderr


def test_tie_breaking_option(tmp_path: Path) -> None:
    path = tmp_path / "tie.pb"
    path.write_text(
        "META\nkey;value\nbudget;5\nvote_type;approval\nPROJECTS\nproject_id;cost\n"
        "b;5\nc;4\nVOTES\nvoter_id;vote\n1;b\n2;c\n"
    )
    assert tally(path, "--rule", "greedy").stdout.splitlines() == ["b"]
    flipped = tally(path, "--rule", "greedy", "--tie-breaking", "order:c/b")
    assert flipped.returncode == 0, flipped.stderr
    assert flipped.stdout.splitlines() == ["c"]
    cheaper = tally(path, "--rule", "greedy", "--tie-breaking", "votes,min-cost")
    assert cheaper.stdout.splitlines() == ["c"]


def test_a_malformed_file_names_the_line_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.pb"
    path.write_text(
        "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\n"
        "a;6\nVOTES\nvoter_id;vote\n1;a,zz\n"
    )
    result = tally(path, "--rule", "mes")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "line 10: voter '1' votes for unknown project 'zz'" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--rule", "borda"), "invalid choice: 'borda'"),
        (("--rule", "mes", "--tie-breaking", "coin"), "unknown tie-breaking 'coin'"),
    ],
)
def test_bad_arguments_exit_2(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    path = tmp_path / "any.pb"
    path.write_text("META\n")
    result = tally(path, *args)
    assert result.returncode == 2
    assert message in result.stderr


def test_a_missing_file_and_a_rule_that_does_not_apply_exit_2(tmp_path: Path) -> None:
    missing = tally(tmp_path / "nowhere.pb", "--rule", "mes")
    assert missing.returncode == 2
    assert "cannot read" in missing.stderr
    path = tmp_path / "points.pb"
    path.write_text(
        "META\nkey;value\nbudget;10\nvote_type;cumulative\nPROJECTS\nproject_id;cost\n"
        "a;6\nVOTES\nvoter_id;vote;points\n1;a;3\n"
    )
    result = tally(path, "--rule", "phragmen")
    assert result.returncode == 2
    assert "approval ballots only" in result.stderr
