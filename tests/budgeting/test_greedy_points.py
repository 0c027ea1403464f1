"""Greedy by total points (``greedy-points``): the rule of Kraków, Katowice and the other Polish
cities with ranked or cumulative ballots — hand-made instances, properties, the tally command
line, the cities' official outcomes, and pabutools' greedy with a points × cost satisfaction.
"""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongzhi.budgeting import pabulib, rules
from gongzhi.budgeting.rules import Election
from gongzhi.budgeting.tally import election_of
from tests.budgeting.data import ALL_FILES, file_id, needs_data, ours

ROOT = Path(__file__).resolve().parents[2]


def test_ranks_by_points_not_by_points_per_cost() -> None:
    # a: 3+3 = 6 points for 8; b: 2+2 = 4 points for 2 (2 per unit, the denser); c: 1+1 for 1.
    election = Election.ranked_points(10, {"a": 8, "b": 2, "c": 1}, [["a", "b", "c"]] * 2)
    assert rules.greedy_points(election).selected == ("a", "b")
    assert rules.greedy(election).selected == ("b", "c")  # per unit of cost it differs


def test_a_project_that_no_longer_fits_is_skipped_and_cheaper_ones_still_come() -> None:
    election = Election.cardinal(
        10, {"a": 6, "b": 5, "c": 4, "d": 1}, [{"a": 3, "b": 2, "c": 1}, {"a": 2, "d": 1}]
    )
    # a (5 points) funded, b (2) does not fit in 4, c (1) does, d (1) after c by id: 10 spent.
    assert rules.greedy_points(election).selected == ("a", "c")
    # With "d" cheaper first among the tie, it comes before "c" and both fit.
    outcome = rules.greedy_points(election, tie_breaking=["min-cost"])
    assert outcome.selected == ("a", "d")


def test_ties_are_broken_like_every_other_rule() -> None:
    election = Election.cardinal(5, {"b": 5, "c": 4}, [{"b": 2}, {"c": 2}])
    assert rules.greedy_points(election).selected == ("b",)  # the project id decides last
    assert rules.greedy_points(election, tie_breaking=["min-cost"]).selected == ("c",)
    assert rules.greedy_points(election, tie_breaking=[["c", "b"]]).selected == ("c",)
    supported = Election.cardinal(5, {"b": 5, "c": 4}, [{"b": 2}, {"c": 1}, {"c": 1}])
    assert rules.greedy_points(supported, tie_breaking=["votes"]).selected == ("c",)


def test_points_per_rank_and_the_default_k_minus_i() -> None:
    costs = {"a": 1, "b": 1, "c": 1}
    ranked = [["a", "b", "c"], ["c", "b"]]
    default = Election.ranked_points(3, costs, ranked)  # k = 3: 3,2,1 and 3,2
    assert default.utility_totals == {"a": 3, "b": 4, "c": 4}
    custom = Election.ranked_points(3, costs, ranked, [5, 1])  # the third rank scores nothing
    assert custom.utility_totals == {"a": 5, "b": 2, "c": 5}
    assert custom.votes == {"a": 1, "b": 2, "c": 1}


def test_borda_scores_are_refused_and_approval_counts_votes() -> None:
    with pytest.raises(ValueError, match="points per rank"):
        rules.greedy_points(Election.ordinal(3, {"a": 1, "b": 1}, [["a", "b"]]))
    approval = Election.approval(6, {"a": 5, "b": 3, "c": 3}, [["a"], ["b", "c"], ["b"]])
    assert rules.greedy_points(approval).selected == ("b", "c")
    nobody = Election.approval(10, {"a": 1, "b": 1}, [["a"]])
    assert rules.greedy_points(nobody).selected == ("a",)  # a project without points is not funded


def test_parse_rank_points() -> None:
    assert rules.parse_rank_points("3,2,1") == (3, 2, 1)
    assert rules.parse_rank_points(" 5，3 , 0") == (5, 3, 0)
    for bad in ("", "3,x", "1,2", "0,0", "-1"):
        with pytest.raises(ValueError):
            rules.parse_rank_points(bad)


# --------------------------------------------------------------------------- properties

names = [f"p{i}" for i in range(6)]


@st.composite
def point_elections(draw):
    k = draw(st.integers(1, 6))
    projects = names[:k]
    costs = dict(
        zip(projects, draw(st.lists(st.integers(0, 15), min_size=k, max_size=k)), strict=True)
    )
    budget = draw(st.integers(0, 40))
    if draw(st.booleans()):
        rankings = draw(st.lists(st.permutations(projects).map(lambda r: r[:3]), max_size=9))
        per_rank = draw(st.none() | st.lists(st.integers(0, 5), min_size=1, max_size=4))
        return Election.ranked_points(budget, costs, rankings, per_rank)
    values = st.sampled_from([1, 2, 3, Fraction(1, 2)])
    return Election.cardinal(
        budget,
        costs,
        draw(st.lists(st.dictionaries(st.sampled_from(projects), values), max_size=9)),
    )


@settings(max_examples=200, deadline=None)
@given(point_elections())
def test_the_outcome_is_the_points_order_with_skips(election: Election) -> None:
    outcome = rules.greedy_points(election)
    totals = election.utility_totals
    chosen = outcome.selected
    assert election.cost_of(chosen) <= election.budget
    assert len(set(chosen)) == len(chosen)
    assert all(totals[p] > 0 for p in chosen)
    # Funded projects come in non-increasing points; every unfunded project with points did
    # not fit when its turn came (after the funded ones with at least as many points).
    assert [totals[p] for p in chosen] == sorted((totals[p] for p in chosen), reverse=True)
    for p in election.costs:
        if p in chosen or totals[p] == 0:
            continue
        before = [q for q in chosen if (-totals[q], q) < (-totals[p], p)]
        assert election.cost_of(before) + election.costs[p] > election.budget, p


@settings(max_examples=100, deadline=None)
@given(point_elections(), st.integers(1, 5))
def test_scaling_every_points_value_changes_nothing(election: Election, factor: int) -> None:
    assert election.scores is not None
    scaled = Election.cardinal(
        election.budget,
        election.costs,
        (
            {p: s * factor for p, s in zip(b, scores, strict=True)}
            for b, scores in zip(election.ballots, election.scores, strict=True)
        ),
    )
    assert rules.greedy_points(scaled).selected == rules.greedy_points(election).selected


@settings(max_examples=100, deadline=None)
@given(point_elections(), st.integers(0, 40))
def test_more_budget_never_drops_the_first_funded_projects(election: Election, extra) -> None:
    # Greedy is not monotone in general, but the funded prefix before the first skip is.
    assert election.scores is not None
    richer = Election.cardinal(
        election.budget + extra,
        election.costs,
        (
            dict(zip(b, s, strict=True))
            for b, s in zip(election.ballots, election.scores, strict=True)
        ),
    )
    poor = rules.greedy_points(election).selected
    rich = rules.greedy_points(richer).selected
    totals = election.utility_totals
    order = sorted((p for p in election.costs if totals[p] > 0), key=lambda p: (-totals[p], p))
    prefix = []
    for p in order:
        if p not in poor:
            break
        prefix.append(p)
    assert rich[: len(prefix)] == tuple(prefix)


# --------------------------------------------------------------------------- the command line


def tally(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gongzhi.budgeting.tally", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_tally_greedy_points_on_ranked_files_with_and_without_points(tmp_path: Path) -> None:
    head = (
        "META\nkey;value\nbudget;10\nvote_type;ordinal\nmax_length;3\n"
        "PROJECTS\nproject_id;cost\na;8\nb;2\nc;1\n"
    )
    plain = tmp_path / "plain.pb"
    # k − i with k = max_length = 3: a 3+3 = 6, b 2+1+2 = 5... a short ballot's first is worth 3.
    plain.write_text(head + "VOTES\nvoter_id;vote\n1;a,b,c\n2;a,c\n3;b\n")
    result = tally(plain, "--rule", "greedy-points")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["a", "b"]  # a 6, b 5, c 3: c no longer fits
    assert "rule greedy-points: 2 of 3 projects funded" in result.stderr
    pointed = tmp_path / "pointed.pb"
    pointed.write_text(head + "VOTES\nvoter_id;vote;points\n1;c,a;9,1\n2;b;5\n")
    result = tally(pointed, "--rule", "greedy-points")
    assert result.stdout.splitlines() == ["c", "b"]  # the file's points: c 9, b 5, a 1


# --------------------------------------------------------------------------- real elections


def official_greedy_points_files() -> list[Path]:
    files = []
    for path in ALL_FILES:
        instance = ours(path)[0]
        if instance.vote_type not in ("ordinal", "cumulative") or instance.selected_ids() is None:
            continue
        if instance.meta.get("rule", "").strip() == "greedy":
            files.append(path)
    return files


POINTS_FILES = [p for p in ALL_FILES if ours(p)[0].vote_type in ("ordinal", "cumulative")]
#: The one official outcome greedy-points does not reproduce (docs/performance.md): project 6
#: (19,000 zł, 455 points) fits after the first four and outranks two funded projects, yet was
#: not funded; the file gives no reason.
UNEXPLAINED = {"small/poland_krakow_2019_bienczyce.pb": ({"6"}, set())}


@needs_data
def test_the_cities_official_outcomes() -> None:
    files = official_greedy_points_files()
    assert len(files) == 15
    for path in files:
        instance = pabulib.read(path)
        ours = set(rules.greedy_points(election_of(instance, "greedy-points")).selected)
        official = set(instance.selected_ids() or ())
        expected = UNEXPLAINED.get(file_id(path), (set(), set()))
        assert (ours - official, official - ours) == expected, file_id(path)


@needs_data
def test_the_files_score_column_is_our_points_total() -> None:
    for path in POINTS_FILES:
        instance = pabulib.read(path)
        if any("score" not in p.fields for p in instance.projects.values()):
            continue
        totals = election_of(instance, "greedy-points").utility_totals
        for pid, project in instance.projects.items():
            assert totals[pid] == Fraction(project.fields["score"]), (file_id(path), pid)


@needs_data
@pytest.mark.parametrize("path", POINTS_FILES, ids=file_id)
def test_equals_pabutools_greedy_with_points_times_cost_satisfaction(path: Path) -> None:
    """pabutools' ``greedy_utilitarian_welfare`` orders by total satisfaction per unit of cost;
    with a satisfaction of points × cost that is the total points — the same rule, except that
    pabutools funds projects without points last if they fit and we fund none: those are
    dropped from its outcome (they come after every other project, so this is exact)."""
    pytest.importorskip("pabutools")
    from pabutools.election import AdditiveSatisfaction, OrdinalProfile, parse_pabulib
    from pabutools.rules import greedy_utilitarian_welfare

    instance, profile = parse_pabulib(str(path))
    ours_instance = pabulib.read(path)
    max_length = ours_instance.constraint("max_length")
    k = int(max_length) if max_length else max(len(b.vote) for b in ours_instance.ballots)
    ordinal = isinstance(profile, OrdinalProfile)

    def points_times_cost(_instance, _profile, ballot, project, _pre):
        if ordinal:
            points = k - ballot.index(project) if project in ballot else 0
        else:
            points = ballot.get(project, 0)
        return points * project.cost

    class PointsTimesCost(AdditiveSatisfaction):
        def __init__(self, instance, profile, ballot):
            super().__init__(instance, profile, ballot, points_times_cost)

    theirs = greedy_utilitarian_welfare(
        instance, profile, sat_class=PointsTimesCost, is_sat_additive=True
    )
    election = election_of(ours_instance, "greedy-points")
    totals = election.utility_totals
    their_selected = sorted(p.name for p in theirs if totals[p.name] > 0)
    assert sorted(rules.greedy_points(election).selected) == their_selected
