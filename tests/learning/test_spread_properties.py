"""spread.py's invariants, for any ties and leaders: reach is monotone in the ties and in the
leaders, never counts a leader, its depths are shortest chains; the year counts and the household
shares add up."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from gongzhi.learning.spread import (
    Edge,
    household_concentration,
    new_leaders_by_year,
    reach,
    shares,
)

PEOPLE = st.integers(0, 12)
KINDS = st.sampled_from(["invited", "recruited", "trained"])
edges_st = st.lists(st.builds(Edge, PEOPLE, PEOPLE, KINDS), max_size=30)
seeds_st = st.sets(PEOPLE, max_size=5)


@given(edges_st, edges_st, seeds_st)
def test_reach_is_monotone_in_ties(edges, more, seeds):
    assert set(reach(edges, seeds)) <= set(reach(edges + more, seeds)) | seeds


@given(edges_st, seeds_st, seeds_st)
def test_more_leaders_reach_no_one_less_except_the_new_leaders(edges, seeds, more):
    before = set(reach(edges, seeds))
    after = set(reach(edges, seeds | more))
    assert before - more <= after


@given(edges_st, seeds_st)
def test_reach_never_counts_a_leader(edges, seeds):
    assert not set(reach(edges, seeds)) & seeds


@given(edges_st, seeds_st)
def test_depths_are_shortest_chains(edges, seeds):
    depth = reach(edges, seeds)
    at = {**{s: 0 for s in seeds}, **depth}
    for source, target, _kind in edges:
        # Every tie out of someone reached or a leader reaches its target, at most one further.
        if source in at and target not in seeds:
            assert target in depth
            assert depth[target] <= at[source] + 1
    for person, d in depth.items():
        # Everyone reached came by a tie from someone one step nearer a leader.
        assert d >= 1
        assert any(t == person and at.get(s) == d - 1 for s, t, _k in edges)


@given(edges_st, seeds_st, st.lists(KINDS, unique=True))
def test_reach_by_kinds_is_reach_over_those_ties(edges, seeds, kinds):
    assert reach(edges, seeds, kinds=kinds) == reach([e for e in edges if e.kind in kinds], seeds)
    assert set(reach(edges, seeds, kinds=kinds)) <= set(reach(edges, seeds))


@given(st.dictionaries(PEOPLE, st.dates(date(2020, 1, 1), date(2030, 12, 31))))
def test_new_leaders_by_year_count_everyone_once(firsts):
    by_year = new_leaders_by_year(firsts)
    assert sum(by_year.values()) == len(firsts)
    assert list(by_year) == sorted(by_year)
    assert all(n >= 1 for n in by_year.values())


@given(st.dictionaries(PEOPLE, st.one_of(st.none(), st.integers(0, 6))))
def test_household_concentration_is_bounded(homes):
    c = household_concentration(homes)
    known = sum(1 for h in homes.values() if h is not None)
    assert c.leaders == len(homes)
    assert c.without_household == len(homes) - known
    assert c.households == len({h for h in homes.values() if h is not None})
    assert 0.0 <= c.shared_share <= 1.0
    assert 0.0 <= c.top5_share <= 1.0
    # The top five hold at least as many leaders as any five households, and all when ≤ 5.
    if c.households <= 5 and c.leaders:
        assert c.top5_share * c.leaders == known
    # Nobody shares a household in a household of one.
    if all(n == 1 for _h, n in c.top5):
        assert c.shared_share == 0.0


@given(st.sets(PEOPLE), st.dictionaries(PEOPLE, st.one_of(st.none(), st.sampled_from("abc"))))
def test_shares_count_each_person_in_their_cell(leaders, cell_of):
    result = shares(leaders, cell_of, cell_of.get)
    in_cells = {p for p, c in cell_of.items() if c is not None}
    assert sum(s.people for s in result.values()) == len(in_cells)
    assert sum(s.leaders for s in result.values()) == len(in_cells & leaders)
    assert all(0 <= s.leaders <= s.people and 0.0 <= s.share <= 1.0 for s in result.values())
