"""spread.py, the plain part: reach from leaders, new leaders per year, household concentration,
shares by a key, and the command line."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from gongzhi.learning.spread import (
    Edge,
    Share,
    household_concentration,
    main,
    new_leaders_by_year,
    reach,
    shares,
)

#: 1 recruited 2, 2 trained 3, 3 invited 4; 5 recruited 6; 6 trained 1 (back to a leader)
EDGES = [
    Edge(1, 2, "recruited"),
    Edge(2, 3, "trained"),
    Edge(3, 4, "invited"),
    Edge(5, 6, "recruited"),
    Edge(6, 1, "trained"),
]


def test_reach_follows_ties_with_the_shortest_depth():
    assert reach(EDGES, {1}) == {2: 1, 3: 2, 4: 3}
    # A shortcut makes 4 one tie away.
    assert reach([*EDGES, Edge(1, 4, "invited")], {1}) == {2: 1, 3: 2, 4: 1}


def test_reach_never_counts_a_leader_even_one_reached_from_another():
    assert reach(EDGES, {1, 5}) == {2: 1, 3: 2, 4: 3, 6: 1}


def test_reach_goes_one_way_only():
    # 4 was invited by 3: 4 reaches nobody, and nobody reaches "back" up the chain.
    assert reach(EDGES, {4}) == {}


def test_reach_by_kind():
    assert reach(EDGES, {1}, kinds=["recruited"]) == {2: 1}
    assert reach(EDGES, {5}, kinds=["recruited", "trained"]) == {6: 1, 1: 2, 2: 3, 3: 4}
    assert reach(EDGES, {1}, kinds=[]) == {}


def test_reach_with_no_leaders_or_no_ties():
    assert reach(EDGES, set()) == {}
    assert reach([], {1, 2}) == {}


def test_new_leaders_by_year_in_order():
    firsts = {
        1: date(2025, 3, 1),
        2: datetime(2024, 12, 31, 23, 0),  # noqa: DTZ001 - a plain value, the year is the point
        3: date(2025, 1, 1),
    }
    assert new_leaders_by_year(firsts) == {2024: 1, 2025: 2}
    assert list(new_leaders_by_year(firsts)) == [2024, 2025]
    assert new_leaders_by_year({}) == {}


def test_household_concentration():
    # Household "a" has three leaders, "b" two, "c".."f" one each; leader 11's home is unknown.
    homes = {1: "a", 2: "a", 3: "a", 4: "b", 5: "b", 6: "c", 7: "d", 8: "e", 9: "f", 11: None}
    c = household_concentration(homes)
    assert c.leaders == 10
    assert c.without_household == 1
    assert c.households == 6
    assert c.shared_share == pytest.approx(5 / 10)
    # The top five: a (3), b (2), and three of the single ones: 8 of the 10 leaders.
    assert c.top5_share == pytest.approx(8 / 10)
    assert c.top5[:2] == (("a", 3), ("b", 2))
    assert c.top5[2:] == (("c", 1), ("d", 1), ("e", 1))


def test_household_concentration_of_nobody():
    c = household_concentration({})
    assert (c.leaders, c.households, c.shared_share, c.top5_share) == (0, 0, 0.0, 0.0)


def test_everyone_in_their_own_household_shares_with_nobody():
    c = household_concentration({p: p for p in range(10)})
    assert c.shared_share == 0.0
    assert c.top5_share == pytest.approx(0.5)


def test_shares_by_a_key():
    grid = {1: "north", 2: "north", 3: "north", 4: "south", 5: None}
    result = shares({1, 4, 5, 99}, grid, grid.get)
    assert result == {"north": Share(1, 3), "south": Share(1, 1)}
    assert result["north"].share == pytest.approx(1 / 3)
    assert Share(0, 0).share == 0.0


def test_shares_of_a_group_against_everyone_else():
    elderly = {1, 2}
    result = shares({1, 3}, range(1, 6), lambda p: "elderly" if p in elderly else "others")
    assert result == {"elderly": Share(1, 2), "others": Share(1, 3)}


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    edges = tmp_path / "edges.csv"
    edges.write_text(
        "source,target,kind\n1,2,recruited\n2,3,trained\n3,4,invited\n5,6,recruited\n6,1,trained\n"
        "1,2,recruited\n",
        encoding="utf-8",
    )
    leaders = tmp_path / "leaders.txt"
    leaders.write_text("1\n5\n\n", encoding="utf-8")
    homes = tmp_path / "homes.csv"
    homes.write_text("user,household\n1,h1\n5,h1\n", encoding="utf-8")
    return edges, leaders, homes


def test_cli_prints_key_values(files, capsys):
    edges, leaders, homes = files
    assert main([str(edges), "--leaders", str(leaders)]) == 0
    lines = capsys.readouterr().out.split()
    assert lines[:5] == ["people=6", "edges=5", "leaders=2", "reach=4", "max_depth=3"]
    assert "reach_recruited=2" in lines
    assert "reach_trained=0" in lines  # leaders 1 and 5 trained nobody themselves
    assert main([str(edges), "--leaders", str(leaders), "--households", str(homes)]) == 0
    out = capsys.readouterr().out.split()
    assert "households_with_leader=1" in out
    assert "shared_household_share=1.000" in out


def test_cli_refuses_a_bad_file(tmp_path, capsys):
    bad = tmp_path / "edges.csv"
    bad.write_text("1\n", encoding="utf-8")
    leaders = tmp_path / "leaders.txt"
    leaders.write_text("1\n", encoding="utf-8")
    with pytest.raises(SystemExit):
        main([str(bad), "--leaders", str(leaders)])
    assert "source,target" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([str(bad), "--leaders", str(tmp_path / "missing.txt")])


def test_cli_runs_as_a_module(files):
    edges, leaders, _homes = files
    done = subprocess.run(
        [sys.executable, "-m", "gongzhi.learning.spread", str(edges), "--leaders", str(leaders)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "reach=4" in done.stdout.split()
