"""The Polis method of gongzhi.opinions.polis: worked examples with known camps, Polis's statistics,
the stability rule, and hypothesis properties (order invariance, identical voters, consensus).

Plain NumPy: no database.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.opinions.polis import (
    KSmoother,
    PolisParams,
    Votes,
    in_conv_over_time,
    opinion_map,
    prop_test,
    two_prop_test,
)


def camps(
    sizes: list[int],
    stances: list[list[int]],
    *,
    seed: int = 0,
    noise: float = 0.1,
    seen: float = 1.0,
    first_id: int = 0,
) -> tuple[list[tuple[int, int, int]], dict[int, int]]:
    """Votes of camps of residents: camp c votes ``stances[c][j]`` on statement j, except for a
    ``noise`` share of random votes; each statement is seen with probability ``seen``."""
    rng = np.random.default_rng(seed)
    triples: list[tuple[int, int, int]] = []
    camp_of: dict[int, int] = {}
    pid = first_id
    for c, size in enumerate(sizes):
        for _ in range(size):
            camp_of[pid] = c
            for j, stance in enumerate(stances[c]):
                if rng.random() >= seen:
                    continue
                vote = int(rng.choice([-1, 0, 1])) if rng.random() < noise else stance
                triples.append((pid, j, vote))
            pid += 1
    return triples, camp_of


# Two camps that disagree on statements 0-9 and both agree with statement 10.
TWO_CAMPS = [[1] * 5 + [-1] * 5 + [1], [-1] * 5 + [1] * 5 + [1]]
THREE_CAMPS = [
    [1] * 4 + [-1] * 4 + [0] * 4,
    [-1] * 4 + [1] * 4 + [-1] * 4,
    [0] * 4 + [-1] * 4 + [1] * 4,
]


def test_two_camps_become_two_groups_with_their_statements():
    triples, camp_of = camps([40, 25], TWO_CAMPS, seed=1)
    result = opinion_map(Votes.from_triples(triples))
    groups = result.assignments()
    assert result.n_groups == 2
    # Same camp, same group; different camps, different groups.
    by_camp = {c: {groups[p] for p, cc in camp_of.items() if cc == c} for c in (0, 1)}
    assert all(len(g) == 1 for g in by_camp.values()) and by_camp[0] != by_camp[1]
    # Fresh groups are numbered by size: the larger camp is group 0.
    assert by_camp[0] == {0}
    # Each group's representative statements are the ones its camp agrees with, or the other
    # camp's it disagrees with.
    for camp, (group,) in by_camp.items():
        reps = result.repness[group]
        assert reps, "every group has at least one representative statement"
        for r in reps:
            stance = TWO_CAMPS[camp][r.statement]
            assert r.statement != 10
            assert (r.repful_for == "agree") == (stance == 1)
    # The one statement everyone agrees with is the consensus, and it does not divide.
    assert [c.statement for c in result.consensus] == [10]
    assert result.divisive and 10 not in {d.statement for d in result.divisive}
    assert {d.statement for d in result.divisive} <= set(range(10))
    assert np.argmax(result.group_consensus) == list(result.statements).index(10)


def test_positions_separate_the_camps_along_the_first_component():
    triples, camp_of = camps([30, 30], TWO_CAMPS, seed=2, noise=0.0)
    result = opinion_map(Votes.from_triples(triples))
    x = dict(zip(result.participants.tolist(), result.coords[:, 0].tolist(), strict=True))
    camp0 = [x[p] for p, c in camp_of.items() if c == 0]
    camp1 = [x[p] for p, c in camp_of.items() if c == 1]
    assert max(camp0) < min(camp1) or max(camp1) < min(camp0)


def test_sparse_voters_are_pushed_out_by_the_polis_scaling():
    # Participant 999 votes like camp 0 on 3 of the 11 statements only: scaled by sqrt(11/3), it
    # lands more than half as far out as the camp, not near the middle of the map.
    triples, _ = camps([30, 30], TWO_CAMPS, seed=3, noise=0.0)
    mine = {0: 1, 5: -1, 1: 1}
    triples += [(999, j, v) for j, v in mine.items()]
    result = opinion_map(Votes.from_triples(triples))
    i = list(result.participants).index(999)
    full = list(result.participants).index(0)
    assert abs(result.coords[i, 0]) > 0.5 * abs(result.coords[full, 0])
    cols = [list(result.statements).index(j) for j in mine]
    centred = np.array(list(mine.values())) - result.center[cols]
    unscaled = centred @ result.components[:, cols].T
    np.testing.assert_allclose(result.coords[i], np.sqrt(11 / 3) * unscaled)
    # It has 3 votes (fewer than 7), so it is placed but not clustered.
    assert not result.in_conv[i] and result.group[i] == -1


def test_moderated_out_statements_are_never_representative_or_consensus():
    triples, _ = camps([30, 20], TWO_CAMPS, seed=4)
    result = opinion_map(Votes.from_triples(triples), moderated_out={10, 0})
    chosen = {r.statement for reps in result.repness.values() for r in reps}
    chosen |= {c.statement for c in result.consensus} | {d.statement for d in result.divisive}
    assert chosen and not chosen & {0, 10}
    assert result.moderated_out.tolist() == [s in (0, 10) for s in result.statements]


def test_who_is_clustered():
    triples, _ = camps([20, 20], TWO_CAMPS, seed=5, noise=0.0)
    triples += [(500, j, 1) for j in range(6)]  # 6 votes: not enough
    triples += [(501, j, 1) for j in range(7)]  # 7 votes: in
    result = opinion_map(Votes.from_triples(triples))
    clustered = set(result.participants[result.in_conv].tolist())
    assert 500 not in clustered and 501 in clustered
    # Kept in when an earlier update took them in.
    again = opinion_map(Votes.from_triples(triples), in_conv={500})
    assert 500 in again.assignments()


def test_fewer_than_fifteen_qualified_takes_the_most_active():
    triples = [(p, j, 1 if p % 2 else -1) for p in range(20) for j in range(p % 5 + 1)]
    result = opinion_map(Votes.from_triples(triples))
    assert int(result.in_conv.sum()) == 15
    clustered = result.n_votes[result.in_conv]
    assert clustered.min() >= result.n_votes[~result.in_conv].max()


def test_in_conv_over_time_replays_the_early_low_threshold():
    # Participant 1 voted on the only statement there was: Polis took them in then.
    participants = [1] + [p for p in range(2, 30) for _ in range(10)]
    statements = [0] + [j for _ in range(2, 30) for j in range(10)]
    taken = in_conv_over_time(participants, statements, PolisParams(greedy_n=0))
    assert 1 in taken and set(range(2, 30)) <= taken
    now = opinion_map(Votes.from_arrays(participants, statements, [1] * len(participants)))
    assert 1 not in now.assignments()


def test_votes_keep_the_last_vote_and_reject_bad_values():
    v = Votes.from_triples([(1, 1, 1), (2, 1, -1), (1, 1, -1)])
    assert list(zip(v.participant, v.statement, v.vote, strict=True)) == [(1, 1, -1), (2, 1, -1)]
    with pytest.raises(ValueError, match="vote must be"):
        Votes.from_triples([(1, 1, 2)])
    with pytest.raises(ValueError, match="integers"):
        Votes.from_arrays([1.5], [1], [1])


def test_polis_statistics():
    # prop-test: 2 * sqrt(n + 1) * ((s + 1) / (n + 1) - 0.5)
    assert float(prop_test(9, 10)) == pytest.approx(2 * np.sqrt(11) * (10 / 11 - 0.5))
    assert float(prop_test(0, 0)) == pytest.approx(1.0)
    # two-prop-test with pseudo-counts: (9+1)/(10+1) vs (2+1)/(10+1), pooled 13/22.
    p1, p2, p = 10 / 11, 3 / 11, 13 / 22
    z = (p1 - p2) / np.sqrt(p * (1 - p) * (2 / 11))
    assert float(two_prop_test(9, 2, 10, 10)) == pytest.approx(z)
    assert float(two_prop_test(5, 5, 5, 5)) == 0.0  # pooled proportion 1


def test_empty_and_tiny_conversations():
    empty = opinion_map(Votes.from_triples([]))
    assert empty.n_groups == 0 and empty.assignments() == {}
    one = opinion_map(Votes.from_triples([(1, 1, 1), (1, 2, -1)]))
    assert one.assignments() == {1: 0} and one.n_groups == 1


def test_deterministic_given_a_seed():
    triples, _ = camps([35, 30, 25], THREE_CAMPS, seed=6, noise=0.3, seen=0.7)
    a = opinion_map(Votes.from_triples(triples), seed=3)
    b = opinion_map(Votes.from_triples(triples), seed=3)
    assert a.assignments() == b.assignments()
    np.testing.assert_array_equal(a.coords, b.coords)


# --- The stability rule ------------------------------------------------------------------------


def test_a_new_group_count_is_shown_only_after_winning_four_updates_running():
    three, _ = camps([40, 40, 40], THREE_CAMPS, seed=7, noise=0.05)
    first = opinion_map(Votes.from_triples(three))
    assert first.n_groups == 3 and first.k_smoother == KSmoother(3, 1, 3)
    # The third camp comes round to the second camp's view: two camps now.
    merged = [(p, j, THREE_CAMPS[1][j] if p >= 80 else v) for p, j, v in three]
    shown, previous = [], first
    for _ in range(5):
        previous = opinion_map(Votes.from_triples(merged), previous=previous)
        shown.append(previous.n_groups)
        assert max(previous.silhouettes, key=lambda k: previous.silhouettes[k]) == 2
    assert shown == [3, 3, 3, 2, 2]
    # Without the history, the two camps show at once.
    assert opinion_map(Votes.from_triples(merged)).n_groups == 2


def test_a_warm_start_keeps_the_group_numbers():
    triples, camp_of = camps([45, 30], TWO_CAMPS, seed=8)
    first = opinion_map(Votes.from_triples(triples))
    # Camp 1 grows past camp 0: a fresh run would number it 0, an update keeps it 1.
    more, more_camp = camps([0, 40], TWO_CAMPS, seed=9, first_id=1000)
    fresh = opinion_map(Votes.from_triples(triples + more))
    update = opinion_map(Votes.from_triples(triples + more), previous=first)
    g_first = {camp_of[p]: g for p, g in first.assignments().items()}
    g_update = {camp_of.get(p, more_camp.get(p)): g for p, g in update.assignments().items()}
    g_fresh = {camp_of.get(p, more_camp.get(p)): g for p, g in fresh.assignments().items()}
    assert g_update == g_first
    assert g_fresh != g_first


# --- Properties --------------------------------------------------------------------------------


@st.composite
def conversations(draw: st.DrawFn) -> list[tuple[int, int, int]]:
    n_camps = draw(st.integers(1, 3))
    n_statements = draw(st.integers(3, 12))
    stances = [
        draw(st.lists(st.sampled_from([-1, 0, 1]), min_size=n_statements, max_size=n_statements))
        for _ in range(n_camps)
    ]
    sizes = draw(st.lists(st.integers(3, 25), min_size=n_camps, max_size=n_camps))
    triples, _ = camps(
        sizes,
        stances,
        seed=draw(st.integers(0, 2**16)),
        noise=draw(st.floats(0, 0.5)),
        seen=draw(st.floats(0.4, 1.0)),
    )
    return triples or [(0, 0, 1)]


PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(conversations(), st.randoms(use_true_random=False))
def test_invariant_to_the_order_of_votes_and_participants(triples, random):
    shuffled = list(triples)
    random.shuffle(shuffled)
    a = opinion_map(Votes.from_triples(triples))
    b = opinion_map(Votes.from_triples(shuffled))
    assert a.assignments() == b.assignments()
    np.testing.assert_allclose(a.coords, b.coords, atol=1e-9)
    assert a.consensus == b.consensus and a.repness == b.repness


@PROPERTY
@given(conversations(), st.data())
def test_identical_voters_land_in_the_same_group(triples, data):
    participants = sorted({p for p, _, _ in triples})
    model = data.draw(st.sampled_from(participants))
    twin = max(participants) + 1
    votes = triples + [(twin, s, v) for p, s, v in triples if p == model]
    result = opinion_map(Votes.from_triples(votes), in_conv={model, twin})
    groups = result.assignments()
    assert groups[twin] == groups[model]
    i, j = (list(result.participants).index(p) for p in (model, twin))
    np.testing.assert_array_equal(result.coords[i], result.coords[j])


@PROPERTY
@given(conversations())
def test_consensus_statements_are_agreed_in_every_group(triples):
    result = opinion_map(Votes.from_triples(triples))
    groups = result.assignments()
    for c in result.consensus:
        for g in range(result.n_groups):
            votes = [v for p, s, v in triples if s == c.statement and groups.get(p) == g]
            assert sum(1 for v in votes if v == 1) > len(votes) / 2
    # And the ranking is the group-informed consensus, a product over groups.
    ranks = [c.group_consensus for c in result.consensus]
    assert ranks == sorted(ranks, reverse=True)
    for c in result.consensus:
        assert c.group_consensus == pytest.approx(float(np.prod(c.p_agree)))


@PROPERTY
@given(
    st.lists(st.integers(2, 5), min_size=1, max_size=30),
)
def test_the_k_smoother_switches_only_after_four_wins_running(best_ks):
    from gongzhi.opinions.polis import _smooth_k

    state = None
    shown = []
    for k in best_ks:
        state = _smooth_k(k, state, 4)
        shown.append(state.smoothed_k)
    assert shown[0] == best_ks[0]
    for i in range(1, len(best_ks)):
        if shown[i] != shown[i - 1]:
            assert best_ks[i - 3 : i + 1] == [shown[i]] * 4


def test_the_number_of_groups_is_chosen_over_all_starts_not_by_one_lucky_start():
    # Four starts prefer two groups; one start happens to score three groups a little higher
    # than anyone scores two. Its silhouette alone would decide k; the average over starts does not.
    from gongzhi.opinions.polis import _Clustering, _most_agreed

    def start(sil2: float, sil3: float) -> _Clustering:
        empty = np.zeros(0, dtype=np.int64)
        return _Clustering(
            np.zeros((0, 2)), empty, empty, empty, {2: empty, 3: empty}, {}, {2: sil2, 3: sil3},
            2 if sil2 >= sil3 else 3,
        )  # fmt: skip

    lucky = start(0.50, 0.70)
    starts = [start(0.60, 0.40), start(0.62, 0.41), lucky, start(0.61, 0.45), start(0.59, 0.42)]
    chosen, k = _most_agreed(starts)
    assert k == 2
    assert chosen is starts[1]  # the best clustering into two groups
    assert max(starts, key=lambda c: c.score) is lucky  # what one best start would have kept


def test_several_starts_make_the_groups_independent_of_most_seeds():
    triples, _ = camps([60, 50, 40], THREE_CAMPS, seed=4, noise=0.3, seen=0.6)
    votes = Votes.from_triples(triples)
    ks = {opinion_map(votes, seed=seed).n_groups for seed in range(5)}
    assert len(ks) == 1
