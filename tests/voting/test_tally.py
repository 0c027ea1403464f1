"""The vote counts of gongzhi.voting.tally: worked examples, thresholds at their exact boundaries,
ballot validation, and hypothesis properties that recompute each count another way.

Plain Python: no database.
"""

from __future__ import annotations

from collections import UserDict, UserList
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongzhi.voting.tally import (
    ABSTAIN,
    CHOICES,
    NO,
    YES,
    Article278Matter,
    BallotError,
    BallotErrorCode,
    Reason,
    RoundOutcome,
    Threshold,
    TieBrokenBy,
    tally_approval,
    tally_irv,
    tally_owner_vote,
    tally_score,
    tally_yes_no,
    validate_approval_ballot,
    validate_irv_ballot,
    validate_owner_vote_ballot,
    validate_score_ballot,
    validate_yes_no_ballot,
)

HALF = Fraction(1, 2)
TWO_THIRDS = Fraction(2, 3)
OPTIONS = ("a", "b", "c", "d", "e")
# Counting is exact but hypothesis's default deadline is wall-clock; CI runs two workers at once.
props = settings(deadline=None, max_examples=150)


# --- Thresholds --------------------------------------------------------------------------------


def test_threshold_compares_exactly_at_the_boundary():
    more_than_half = Threshold(HALF, ">")
    at_least_half = Threshold(HALF, ">=")
    assert not more_than_half.is_met(2, 4)
    assert more_than_half.is_met(3, 5)
    assert at_least_half.is_met(2, 4)
    assert not at_least_half.is_met(0, 0)  # nothing is not a majority of nothing
    assert str(more_than_half) == "more than 1/2"
    assert str(Threshold(TWO_THIRDS, ">=")) == "at least 2/3"


def test_threshold_refuses_floats_and_unknown_comparisons():
    with pytest.raises(TypeError, match="Fraction"):
        Threshold(2 / 3, ">=")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="comparison"):
        Threshold(HALF, "=>")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="between 0 and 1"):
        Threshold(Fraction(3, 2), ">")


# --- Yes / no ----------------------------------------------------------------------------------


def test_yes_no_worked_example():
    ballots = [YES] * 4 + [NO] * 2 + [ABSTAIN]
    result = tally_yes_no(ballots, electorate_size=10, quorum=HALF, threshold=HALF)
    assert (result.yes, result.no, result.abstain, result.ballots) == (4, 2, 1, 7)
    assert result.turnout == Fraction(7, 10)
    assert result.participation.share == Fraction(7, 10)
    assert result.quorum_met
    assert result.support.part == 4 and result.support.whole == 6  # abstentions in neither
    assert result.support.share == TWO_THIRDS
    assert result.passed and result.reason is Reason.PASSED


def test_yes_no_exactly_half_fails_more_than_half_but_passes_at_least_half():
    ballots = [YES, YES, NO, NO, ABSTAIN]
    strict = tally_yes_no(ballots, electorate_size=5, quorum=0, threshold=HALF)
    assert not strict.passed and strict.reason is Reason.THRESHOLD_NOT_MET
    inclusive = tally_yes_no(
        ballots, electorate_size=5, quorum=0, threshold=HALF, threshold_comparison=">="
    )
    assert inclusive.passed


def test_yes_no_quorum_reached_exactly_is_met_unless_asked_for_more_than():
    ballots = [YES, YES]
    at_least = tally_yes_no(ballots, electorate_size=3, quorum=TWO_THIRDS, threshold=HALF)
    assert at_least.quorum_met and at_least.passed
    more_than = tally_yes_no(
        ballots, electorate_size=3, quorum=TWO_THIRDS, threshold=HALF, quorum_comparison=">"
    )
    assert not more_than.quorum_met
    assert not more_than.passed and more_than.reason is Reason.QUORUM_NOT_MET


def test_yes_no_everyone_abstaining_does_not_pass():
    result = tally_yes_no([ABSTAIN] * 3, electorate_size=3, quorum=HALF, threshold=0)
    assert result.quorum_met
    assert result.support.share is None
    assert not result.passed and result.reason is Reason.NO_DECISIVE_VOTES


def test_yes_no_rejects_bad_ballots_and_parameters():
    with pytest.raises(BallotError) as caught:
        tally_yes_no([YES, "maybe", NO, "nah"], electorate_size=9, quorum=0, threshold=HALF)
    assert caught.value.code is BallotErrorCode.UNKNOWN_OPTION
    assert caught.value.index == 1
    assert isinstance(caught.value, ValueError)
    with pytest.raises(BallotError) as caught:
        tally_yes_no([YES, ["yes"]], electorate_size=9, quorum=0, threshold=HALF)  # type: ignore[list-item]
    assert caught.value.index == 1
    with pytest.raises(ValueError, match="electorate"):
        tally_yes_no([YES, YES], electorate_size=1, quorum=0, threshold=HALF)
    with pytest.raises(TypeError):
        tally_yes_no([YES], electorate_size=1, quorum=0.5, threshold=HALF)  # type: ignore[arg-type]
    assert validate_yes_no_ballot(NO) == NO
    with pytest.raises(BallotError) as caught:
        validate_yes_no_ballot("YES")
    assert caught.value.index is None


fractions_01 = st.fractions(min_value=0, max_value=1, max_denominator=12)
comparisons = st.sampled_from([">", ">="])


@props
@given(
    ballots=st.lists(st.sampled_from(CHOICES), max_size=40),
    extra=st.integers(0, 20),
    quorum=fractions_01,
    threshold=fractions_01,
    quorum_cmp=comparisons,
    threshold_cmp=comparisons,
)
def test_yes_no_counts_add_up_and_the_outcome_follows_the_rules(
    ballots, extra, quorum, threshold, quorum_cmp, threshold_cmp
):
    electorate = len(ballots) + extra or 1
    result = tally_yes_no(
        ballots,
        electorate_size=electorate,
        quorum=quorum,
        threshold=threshold,
        quorum_comparison=quorum_cmp,
        threshold_comparison=threshold_cmp,
    )
    assert result.yes + result.no + result.abstain == result.ballots == len(ballots)
    assert result.yes == ballots.count(YES) and result.no == ballots.count(NO)

    # Recomputed by cross-multiplying integers instead of dividing fractions.
    def passes(part, whole, share, cmp):
        left, right = part * share.denominator, whole * share.numerator
        return left > right if cmp == ">" else left >= right

    quorum_met = passes(len(ballots), electorate, quorum, quorum_cmp)
    decisive = result.yes + result.no
    support_met = decisive > 0 and passes(result.yes, decisive, threshold, threshold_cmp)
    assert result.quorum_met == quorum_met
    assert result.passed == (quorum_met and support_met)
    assert (result.reason is Reason.PASSED) == result.passed


# --- Approval ----------------------------------------------------------------------------------

APPROVAL_BALLOTS = [
    ["a", "b"],
    ["a", "c"],
    ["b", "c"],
    ["a"],
    ["d", "b"],
    [],
]


def test_approval_worked_example():
    result = tally_approval(APPROVAL_BALLOTS, ["a", "b", "c", "d"], max_choices=2)
    assert result.counts == {"a": 3, "b": 3, "c": 2, "d": 1}
    assert result.ballots == 6 and result.blank == 1
    assert [(r.option, r.votes, r.rank) for r in result.ranking] == [
        ("a", 3, 1),
        ("b", 3, 1),
        ("c", 2, 3),
        ("d", 1, 4),
    ]
    assert result.ranking[0].share == HALF
    # One seat, a and b level on 3: reported, not settled.
    assert result.winners == ()
    assert not result.decided
    assert result.tie is not None
    assert result.tie.options == ("a", "b") and result.tie.votes == 3 and result.tie.seats == 1
    assert result.tie.broken_by is None and result.tie.chosen == ()


def test_approval_tie_broken_by_the_agreed_order():
    result = tally_approval(
        APPROVAL_BALLOTS, ["a", "b", "c", "d"], max_choices=2, tie_break=["d", "b", "c", "a"]
    )
    assert result.winners == ("b",)
    assert result.decided
    assert result.tie is not None and result.tie.broken_by is TieBrokenBy.TIE_BREAK_ORDER
    assert result.tie.chosen == ("b",)
    assert [r.option for r in result.ranking] == ["b", "a", "c", "d"]


def test_approval_two_seats_taken_by_the_tied_pair_is_no_tie():
    result = tally_approval(APPROVAL_BALLOTS, ["a", "b", "c", "d"], max_choices=2, winners=2)
    assert result.winners == ("a", "b")
    assert result.tie is None


def test_approval_tie_for_the_second_of_two_seats():
    ballots = [["a"], ["a", "b"], ["c"], ["a", "d"]]
    result = tally_approval(ballots, ["a", "b", "c", "d"], max_choices=2, winners=2)
    assert result.winners == ("a",)
    assert result.tie is not None
    assert result.tie.options == ("b", "c", "d") and result.tie.seats == 1


@pytest.mark.parametrize(
    ("ballot", "code"),
    [
        (["a", "z"], BallotErrorCode.UNKNOWN_OPTION),
        (["a", "a"], BallotErrorCode.REPEATED_OPTION),
        (["a", "b", "c"], BallotErrorCode.TOO_MANY_CHOICES),
        ([], BallotErrorCode.TOO_FEW_CHOICES),
        ("ab", BallotErrorCode.MALFORMED),  # letters are not options
        ({"a": 1}, BallotErrorCode.MALFORMED),
        (None, BallotErrorCode.MALFORMED),
        ([["a"]], BallotErrorCode.UNKNOWN_OPTION),  # unhashable, so not an option
    ],
)
def test_approval_rejects_a_malformed_ballot_with_its_index(ballot, code):
    ballots = [["a"], ["b", "c"], ballot, ["a", "b"]]
    with pytest.raises(BallotError) as caught:
        tally_approval(ballots, ["a", "b", "c"], max_choices=2, min_choices=1)
    assert caught.value.code is code
    assert caught.value.index == 2
    with pytest.raises(BallotError) as caught:
        validate_approval_ballot(ballot, ["a", "b", "c"], max_choices=2, min_choices=1)
    assert caught.value.code is code and caught.value.index is None


def test_approval_reports_the_first_bad_ballot():
    ballots = [["a"]] * 1000 + [["a", "z"]] + [["a"]] * 10 + [["q"]]
    ballots[500] = ["b", "b"]
    with pytest.raises(BallotError) as caught:
        tally_approval(ballots, ["a", "b"], max_choices=2)
    assert caught.value.index == 500 and caught.value.code is BallotErrorCode.REPEATED_OPTION


def test_approval_validates_one_ballot():
    assert validate_approval_ballot({"a", "c"}, ["a", "b", "c"], max_choices=2) == {"a", "c"}


def test_approval_rejects_bad_parameters():
    with pytest.raises(ValueError, match="twice"):
        tally_approval([], ["a", "a"], max_choices=1)
    with pytest.raises(ValueError, match="every option"):
        tally_approval([], ["a", "b"], max_choices=1, tie_break=["a"])
    with pytest.raises(ValueError, match="winners"):
        tally_approval([], ["a", "b"], max_choices=1, winners=3)
    with pytest.raises(ValueError, match="min_choices"):
        tally_approval([], ["a", "b"], max_choices=1, min_choices=2)


@st.composite
def approval_cases(draw):
    options = OPTIONS[: draw(st.integers(1, len(OPTIONS)))]
    max_choices = draw(st.integers(1, len(options)))
    ballot = st.lists(st.sampled_from(options), unique=True, max_size=max_choices)
    ballots = draw(st.lists(ballot, max_size=30))
    winners = draw(st.integers(1, len(options)))
    tie_break = draw(st.none() | st.permutations(options))
    return options, max_choices, ballots, winners, tie_break


@props
@given(case=approval_cases(), data=st.data())
def test_approval_counts_match_a_direct_recount(case, data):
    options, max_choices, ballots, winners, tie_break = case
    result = tally_approval(
        ballots, options, max_choices=max_choices, winners=winners, tie_break=tie_break
    )
    assert result.counts == {o: sum(o in b for b in ballots) for o in options}
    assert sum(result.counts.values()) == sum(map(len, ballots))
    assert result.blank == sum(not b for b in ballots)
    # Every winner has at least as many approvals as every loser, and a tie is the only way to
    # leave a seat open.
    losers = [o for o in options if o not in result.winners]
    for winner in result.winners:
        assert all(result.counts[winner] >= result.counts[o] for o in losers)
    assert result.decided == (result.tie is None or tie_break is not None)
    assert len(result.winners) <= winners
    if result.tie is not None:
        assert len(result.tie.options) > result.tie.seats
        assert all(result.counts[o] == result.tie.votes for o in result.tie.options)
    ranks = [r.rank for r in result.ranking]
    assert ranks == sorted(ranks) and ranks[0] == 1
    # The order of the ballots, sets instead of lists, and ballots of other types (checked one
    # by one rather than all at once) change nothing.
    shuffled = data.draw(st.permutations(ballots))
    for same in ([set(b) for b in shuffled], [UserList(b) for b in ballots]):
        again = tally_approval(
            same, options, max_choices=max_choices, winners=winners, tie_break=tie_break
        )
        assert again == result


# --- Instant-runoff ----------------------------------------------------------------------------

# The textbook example (Tennessee choosing a capital; Wikipedia, "Instant-runoff voting"):
# voters in each city rank the cities by distance. Memphis leads on first choices but loses.
TENNESSEE = (
    [("Memphis", "Nashville", "Chattanooga", "Knoxville")] * 42
    + [("Nashville", "Chattanooga", "Knoxville", "Memphis")] * 26
    + [("Chattanooga", "Knoxville", "Nashville", "Memphis")] * 15
    + [("Knoxville", "Chattanooga", "Nashville", "Memphis")] * 17
)
CITIES = ["Memphis", "Nashville", "Chattanooga", "Knoxville"]


def test_irv_tennessee_round_by_round():
    result = tally_irv(TENNESSEE, CITIES)
    first, second, third = result.rounds
    assert first.counts == {"Memphis": 42, "Nashville": 26, "Chattanooga": 15, "Knoxville": 17}
    assert first.majority == 51
    assert first.outcome is RoundOutcome.ELIMINATED and first.eliminated == "Chattanooga"
    assert first.transfers == {"Memphis": 0, "Nashville": 0, "Knoxville": 15}
    assert second.counts == {"Memphis": 42, "Nashville": 26, "Knoxville": 32}
    assert second.eliminated == "Nashville"
    assert second.transfers == {"Memphis": 0, "Knoxville": 26}
    assert third.counts == {"Memphis": 42, "Knoxville": 58}
    assert third.outcome is RoundOutcome.MAJORITY and third.winner == "Knoxville"
    assert result.winner == "Knoxville"
    assert result.eliminated == ("Chattanooga", "Nashville")
    assert all(r.exhausted == 0 and r.tie is None for r in result.rounds)


def test_irv_partial_ballots_exhaust_and_a_tie_goes_to_the_previous_round():
    ballots = [["A"]] * 6 + [["B"]] * 4 + [["C", "B"]] * 3 + [["D", "C"]]
    result = tally_irv(ballots, ["A", "B", "C", "D"])
    first, second, third = result.rounds
    assert first.counts == {"A": 6, "B": 4, "C": 3, "D": 1} and first.eliminated == "D"
    assert first.transfers == {"A": 0, "B": 0, "C": 1}
    # B and C are level on 4; C had fewer in round 1, so C goes.
    assert second.counts == {"A": 6, "B": 4, "C": 4}
    assert second.eliminated == "C"
    assert second.tie is not None
    assert second.tie.options == ("B", "C")
    assert second.tie.broken_by is TieBrokenBy.ROUND_COUNTS and second.tie.round == 1
    assert second.transferred_to_exhausted == 1  # D, C and nothing more
    # 7 of 13 continuing ballots is a majority, though 7 of 14 cast would not be.
    assert third.counts == {"A": 6, "B": 7}
    assert (third.continuing_ballots, third.exhausted, third.majority) == (13, 1, 7)
    assert result.winner == "B"


# Round 3 ties X and Y on 12. Looking back one round (X 10, Y 11) eliminates X; looking from the
# first round (X 10, Y 9) eliminates Y; and the winner changes with it.
TIE_RULE_BALLOTS = (
    [["A"]] * 20
    + [["X", "Y"]] * 10
    + [["Y", "X"]] * 9
    + [["Q", "Y"]] * 2
    + [["P", "X"]] * 2
    + [["P", "Y"]]
    + [["P"]] * 4
)


def test_irv_backward_and_forward_tie_rules():
    options = ["A", "X", "Y", "P", "Q"]
    backward = tally_irv(TIE_RULE_BALLOTS, options)
    assert [r.counts for r in backward.rounds[:3]] == [
        {"A": 20, "X": 10, "Y": 9, "P": 7, "Q": 2},
        {"A": 20, "X": 10, "Y": 11, "P": 7},
        {"A": 20, "X": 12, "Y": 12},
    ]
    assert backward.rounds[2].exhausted == 4
    assert backward.rounds[2].tie.round == 2 and backward.rounds[2].eliminated == "X"
    assert backward.rounds[3].counts == {"A": 20, "Y": 22}
    assert backward.rounds[3].majority == 22 and backward.winner == "Y"

    forward = tally_irv(TIE_RULE_BALLOTS, options, tie_rule="forward")
    assert forward.rounds[2].tie.round == 1 and forward.rounds[2].eliminated == "Y"
    assert forward.rounds[3].counts == {"A": 20, "X": 21}
    assert forward.rounds[3].exhausted == 7 and forward.winner == "X"


def test_irv_tie_without_history_uses_tie_break_then_options_order():
    ballots = [["A"], ["A"], ["B", "A"], ["C", "B"]]
    plain = tally_irv(ballots, ["A", "B", "C"])
    assert plain.rounds[0].eliminated == "C"
    assert plain.rounds[0].tie.broken_by is TieBrokenBy.OPTIONS_ORDER
    assert plain.rounds[0].tie.round is None
    drawn = tally_irv(ballots, ["A", "B", "C"], tie_break=["C", "A", "B"])
    assert drawn.rounds[0].eliminated == "B"
    assert drawn.rounds[0].tie.broken_by is TieBrokenBy.TIE_BREAK_ORDER
    assert drawn.winner == "A"


def test_irv_final_pair_level_all_the_way_is_settled_and_reported():
    ballots = [["A"]] * 5 + [["B"]] * 5
    result = tally_irv(ballots, ["A", "B"])
    assert result.rounds[0].eliminated == "B"
    assert result.rounds[0].tie.options == ("A", "B")
    assert result.winner == "A"
    assert result.ties == (result.rounds[0].tie,)


def test_irv_blank_ballots_and_no_ballots():
    result = tally_irv([[], ["A"], []], ["A", "B"])
    assert result.blank == 2
    assert result.rounds[0].exhausted == 2 and result.rounds[0].continuing_ballots == 1
    assert result.winner == "A"
    empty = tally_irv([], ["A", "B"])
    assert empty.winner is None
    assert empty.rounds[0].outcome is RoundOutcome.NO_CONTINUING_BALLOTS
    all_blank = tally_irv([[], []], ["A"])
    assert all_blank.winner is None and all_blank.rounds[0].exhausted == 2


@pytest.mark.parametrize(
    ("ballot", "code"),
    [
        (["A", "Z"], BallotErrorCode.UNKNOWN_OPTION),
        (["A", "B", "A"], BallotErrorCode.REPEATED_OPTION),
        ({"A", "B"}, BallotErrorCode.MALFORMED),  # a set has no order to rank by
        ("AB", BallotErrorCode.MALFORMED),
        (7, BallotErrorCode.MALFORMED),
    ],
)
def test_irv_rejects_a_malformed_ranking_with_its_index(ballot, code):
    ballots = [["A"], ["B", "A"], ["A", "B"], ballot]
    with pytest.raises(BallotError) as caught:
        tally_irv(ballots, ["A", "B"])
    assert caught.value.code is code and caught.value.index == 3
    with pytest.raises(BallotError) as caught:
        validate_irv_ballot(ballot, ["A", "B"])
    assert caught.value.code is code


def test_irv_validates_one_ranking():
    assert validate_irv_ballot(["B", "A"], ["A", "B"]) == ("B", "A")
    assert validate_irv_ballot([], ["A", "B"]) == ()


def reference_irv(ballots, options, tie_break, tie_rule):
    """A plain IRV count that rescans every ballot each round: what the pointers must match."""
    continuing = list(options)
    history = []
    while True:
        counts = dict.fromkeys(continuing, 0)
        exhausted = 0
        for ballot in ballots:
            top = next((o for o in ballot if o in counts), None)
            if top is None:
                exhausted += 1
            else:
                counts[top] += 1
        active = len(ballots) - exhausted
        best = max(continuing, key=counts.get)
        if active == 0:
            history.append((counts, exhausted, None, None))
            return history
        if 2 * counts[best] > active:
            history.append((counts, exhausted, None, best))
            return history
        fewest = min(counts.values())
        candidates = [o for o in continuing if counts[o] == fewest]
        earlier = [h[0] for h in history]
        for past in earlier if tie_rule == "forward" else earlier[::-1]:
            if len(candidates) == 1:
                break
            low = min(past[o] for o in candidates)
            candidates = [o for o in candidates if past[o] == low]
        if len(candidates) == 1:
            loser = candidates[0]
        elif tie_break is not None:
            loser = max(candidates, key=list(tie_break).index)
        else:
            loser = candidates[-1]
        history.append((counts, exhausted, loser, None))
        continuing.remove(loser)


@st.composite
def irv_cases(draw):
    options = OPTIONS[: draw(st.integers(1, len(OPTIONS)))]
    ranking = st.lists(st.sampled_from(options), unique=True, max_size=len(options))
    ballots = draw(st.lists(ranking, max_size=30))
    tie_break = draw(st.none() | st.permutations(options))
    tie_rule = draw(st.sampled_from(["backward", "forward"]))
    return options, ballots, tie_break, tie_rule


@props
@given(case=irv_cases(), data=st.data())
def test_irv_rounds_account_for_every_ballot_and_match_a_full_recount(case, data):
    options, ballots, tie_break, tie_rule = case
    result = tally_irv(ballots, options, tie_break=tie_break, tie_rule=tie_rule)
    assert result.ballots == len(ballots)
    previous_exhausted = 0
    for number, round_ in enumerate(result.rounds, start=1):
        assert round_.number == number
        assert sum(round_.counts.values()) + round_.exhausted == len(ballots)
        assert round_.continuing_ballots == sum(round_.counts.values())
        assert round_.exhausted >= previous_exhausted
        previous_exhausted = round_.exhausted
        if round_.eliminated is not None:
            moved = sum(round_.transfers.values()) + round_.transferred_to_exhausted
            assert moved == round_.counts[round_.eliminated]
    # The winner is never eliminated, and wins with more than half of the continuing ballots.
    assert result.winner not in result.eliminated
    assert len(set(result.eliminated)) == len(result.eliminated)
    last = result.rounds[-1]
    if result.winner is not None:
        assert 2 * last.counts[result.winner] > last.continuing_ballots
    else:
        assert last.continuing_ballots == 0
    # Same rounds as a count that rescans every ballot in every round.
    reference = reference_irv(ballots, options, tie_break, tie_rule)
    assert [(r.counts, r.exhausted, r.eliminated, r.winner) for r in result.rounds] == reference
    # The order of the ballots, and the slow path for ballots of other types, change nothing.
    shuffled = data.draw(st.permutations(ballots))
    assert tally_irv(shuffled, options, tie_break=tie_break, tie_rule=tie_rule) == result
    wrapped = [UserList(b) for b in ballots]
    assert tally_irv(wrapped, options, tie_break=tie_break, tie_rule=tie_rule) == result


# --- Score -------------------------------------------------------------------------------------


def test_score_worked_example():
    ballots = [
        {"park": 5, "parking": 1},
        {"park": 4, "parking": 2, "library": 5},
        {"park": 3},
        {},
    ]
    result = tally_score(ballots, ["park", "parking", "library"], min_score=0, max_score=5)
    assert result.totals == {"park": 12, "parking": 3, "library": 5}
    assert result.counts == {"park": 3, "parking": 2, "library": 1}
    assert result.means == {"park": 4, "parking": Fraction(3, 2), "library": 5}
    assert result.ballots == 4 and result.blank == 1
    unscored = tally_score([{"park": 1}], ["park", "pool"], min_score=1, max_score=3)
    assert unscored.means["pool"] is None


@pytest.mark.parametrize(
    ("ballot", "code"),
    [
        ({"a": 6}, BallotErrorCode.SCORE_OUT_OF_RANGE),
        ({"a": -1}, BallotErrorCode.SCORE_OUT_OF_RANGE),
        ({"a": 2.5}, BallotErrorCode.SCORE_NOT_INTEGER),
        ({"a": True}, BallotErrorCode.SCORE_NOT_INTEGER),  # equal to the 1 before it
        ({"a": 1.0}, BallotErrorCode.SCORE_NOT_INTEGER),  # likewise
        ({"a": [1]}, BallotErrorCode.SCORE_NOT_INTEGER),
        ({"z": 1}, BallotErrorCode.UNKNOWN_OPTION),
        ([("a", 1)], BallotErrorCode.MALFORMED),
    ],
)
def test_score_rejects_a_malformed_ballot_with_its_index(ballot, code):
    ballots = [{"a": 1}, ballot, {"b": 5}]
    with pytest.raises(BallotError) as caught:
        tally_score(ballots, ["a", "b"], min_score=0, max_score=5)
    assert caught.value.code is code and caught.value.index == 1
    with pytest.raises(BallotError) as caught:
        validate_score_ballot(ballot, ["a", "b"], min_score=0, max_score=5)
    assert caught.value.code is code and caught.value.index is None


def test_score_validates_one_ballot():
    assert validate_score_ballot({"b": 0}, ["a", "b"], min_score=0, max_score=5) == {"b": 0}
    with pytest.raises(ValueError, match="less than"):
        tally_score([], ["a"], min_score=3, max_score=3)


@props
@given(
    data=st.data(),
    n_options=st.integers(1, len(OPTIONS)),
    bounds=st.tuples(st.integers(-3, 3), st.integers(1, 6)),
)
def test_score_totals_counts_and_means_match_a_direct_recount(data, n_options, bounds):
    options = OPTIONS[:n_options]
    low, high = bounds[0], bounds[0] + bounds[1]
    ballot = st.dictionaries(st.sampled_from(options), st.integers(low, high))
    ballots = data.draw(st.lists(ballot, max_size=30))
    result = tally_score(ballots, options, min_score=low, max_score=high)
    for option in options:
        scores = [b[option] for b in ballots if option in b]
        assert result.totals[option] == sum(scores)
        assert result.counts[option] == len(scores)
        assert result.means[option] == (Fraction(sum(scores), len(scores)) if scores else None)
    assert sum(result.counts.values()) == sum(map(len, ballots))
    assert result.blank == sum(not b for b in ballots)
    # The order of the ballots, and ballots of another mapping type (checked one by one rather
    # than all at once), change nothing.
    shuffled = data.draw(st.permutations(ballots))
    for same in (shuffled, [UserDict(b) for b in ballots]):
        assert tally_score(same, options, min_score=low, max_score=high) == result


# --- Owners' vote, Civil Code art. 278 ---------------------------------------------------------

SIX = [f"3-{unit}" for unit in ("101", "102", "201", "202", "301", "302")]
EQUAL_AREAS = {owner: Decimal("89.50") for owner in SIX}


def owner_vote(choices, *, weighty=False, areas=EQUAL_AREAS, owners=SIX):
    return tally_owner_vote(
        dict(zip(owners, choices, strict=False)), owners=owners, areas=areas, weighty=weighty
    )


def test_owner_vote_exactly_two_thirds_taking_part_meets_participation():
    result = owner_vote([YES, YES, YES, NO])  # 4 of 6 owners, 4 of 6 equal areas
    assert result.participation_by_head.share == TWO_THIRDS
    assert result.participation_by_area.share == TWO_THIRDS
    assert result.participation_by_head.met and result.participation_by_area.met
    assert result.participation_met
    assert result.passed and result.reason is Reason.PASSED


def test_owner_vote_just_under_two_thirds_fails_participation():
    result = owner_vote([YES, YES, YES])  # 3 of 6
    assert not result.participation_by_head.met and not result.participation_by_area.met
    assert not result.passed and result.reason is Reason.PARTICIPATION_NOT_MET
    # Consent is still measured and shown, though the vote failed before it.
    assert result.consent_by_head.share == 1


def test_owner_vote_participation_needs_both_heads_and_area():
    areas = dict(EQUAL_AREAS, **{"3-101": Decimal("300"), "3-102": Decimal("300")})
    # Two big flats take part: 600 of 958 m² (less than 2/3 by head: 2 of 6)…
    by_area_only = owner_vote([YES, YES], areas=areas)
    assert by_area_only.participation_by_area.share == Fraction(600, 958)
    assert not by_area_only.participation_by_area.met  # 600/958 < 2/3
    areas["3-101"] = Decimal("1000")
    by_area_only = owner_vote([YES, YES], areas=areas)
    assert by_area_only.participation_by_area.met and not by_area_only.participation_by_head.met
    assert not by_area_only.passed
    # …and four small flats: 4 of 6 heads but only 358 of 1658 m².
    owners = [*SIX[2:], *SIX[:2]]
    by_head_only = owner_vote([YES] * 4, areas=areas, owners=owners)
    assert by_head_only.participation_by_head.met and not by_head_only.participation_by_area.met
    assert by_head_only.reason is Reason.PARTICIPATION_NOT_MET


def test_owner_vote_exactly_half_consenting_fails_more_than_half():
    result = owner_vote([YES, YES, NO, ABSTAIN])  # abstaining takes part but does not consent
    assert result.participating == 4 and result.yes == 2
    assert result.consent_by_head.share == HALF and result.consent_by_area.share == HALF
    assert not result.consent_by_head.met and not result.consent_by_area.met
    assert result.consent_by_head.threshold == Threshold(HALF, ">")
    assert not result.passed and result.reason is Reason.CONSENT_NOT_MET
    assert owner_vote([YES, YES, YES, NO, ABSTAIN]).passed  # 3 of 5


def test_owner_vote_consent_by_area_and_by_head_are_separate():
    areas = dict(EQUAL_AREAS, **{"3-101": Decimal("200.00")})
    # The 200 m² flat alone says yes: 1 of 4 by head, and 200 of 468.50 m² is not half either.
    result = owner_vote([YES, NO, NO, NO], areas=areas)
    assert not result.consent_by_head.met and not result.consent_by_area.met
    # Three small flats say yes against it: 3 of 4 by head, 268.50 of 468.50 m² by area…
    result = owner_vote([NO, YES, YES, YES], areas=areas)
    assert result.consent_by_head.share == Fraction(3, 4)
    assert result.consent_by_area.share == Fraction(26850, 46850)
    assert result.consent_by_head.met and result.consent_by_area.met
    # …but against a 400 m² flat they are a majority by head only.
    areas["3-101"] = Decimal("400")
    result = owner_vote([NO, YES, YES, YES], areas=areas)
    assert result.consent_by_head.met and not result.consent_by_area.met
    assert result.reason is Reason.CONSENT_NOT_MET


def test_owner_vote_weighty_matter_exactly_three_quarters_passes():
    result = owner_vote([YES, YES, YES, NO], weighty=True)
    assert result.consent_by_head.share == Fraction(3, 4)
    assert result.consent_by_area.share == Fraction(3, 4)
    assert result.consent_by_head.threshold == Threshold(Fraction(3, 4), ">=")
    assert result.passed
    # 4 of 6 consenting is two thirds: enough for an ordinary matter, not a weighty one.
    weighty = owner_vote([YES, YES, YES, YES, NO, NO], weighty=True)
    assert not weighty.passed and weighty.reason is Reason.CONSENT_NOT_MET
    assert owner_vote([YES, YES, YES, YES, NO, NO], weighty=False).passed


def test_owner_vote_areas_are_exact_decimals():
    # 200.02 of 300.03 m² is exactly two thirds.
    areas = {"a": Decimal("120.02"), "b": Decimal("80.00"), "c": Decimal("100.01")}
    result = tally_owner_vote(
        {"a": YES, "b": YES}, owners=["a", "b", "c"], areas=areas, weighty=False
    )
    assert result.total_area == Decimal("300.03")
    assert result.participating_area == Decimal("200.02")
    assert result.participation_by_area.share == TWO_THIRDS and result.participation_by_area.met
    assert result.measures == (
        result.participation_by_head,
        result.participation_by_area,
        result.consent_by_head,
        result.consent_by_area,
    )


def test_owner_vote_takes_whole_number_areas_and_ignores_other_flats():
    areas = {"a": 90, "b": Decimal("45.5"), "shop": Decimal("300")}
    result = tally_owner_vote({"a": YES, "b": NO}, owners=["a", "b"], areas=areas, weighty=False)
    assert result.total_area == Decimal("135.5") and result.yes_area == Decimal(90)
    # 90 of 135.5 m² consent, but 1 of 2 owners is not more than half by head.
    assert result.consent_by_area.met and not result.consent_by_head.met
    assert not result.passed


def test_owner_vote_matters_of_article_278():
    weighty = {matter.value for matter in Article278Matter if matter.weighty}
    assert weighty == {6, 7, 8}
    assert not Article278Matter.USE_MAINTENANCE_FUND.weighty
    assert Article278Matter.RAISE_MAINTENANCE_FUND.weighty


def test_owner_vote_rejects_bad_ballots_and_electorates():
    with pytest.raises(BallotError) as caught:
        tally_owner_vote(
            {"3-101": YES, "9-999": YES, "3-102": "maybe"},
            owners=SIX,
            areas=EQUAL_AREAS,
            weighty=False,
        )
    assert caught.value.code is BallotErrorCode.NOT_IN_ELECTORATE
    assert caught.value.index == 1 and caught.value.voter == "9-999"
    with pytest.raises(BallotError) as caught:
        tally_owner_vote({"3-101": "maybe"}, owners=SIX, areas=EQUAL_AREAS, weighty=False)
    assert caught.value.code is BallotErrorCode.UNKNOWN_OPTION and caught.value.voter == "3-101"
    with pytest.raises(ValueError, match="twice"):
        tally_owner_vote({}, owners=[*SIX, "3-101"], areas=EQUAL_AREAS, weighty=False)
    with pytest.raises(ValueError, match="no floor area"):
        tally_owner_vote({}, owners=[*SIX, "4-101"], areas=EQUAL_AREAS, weighty=False)
    with pytest.raises(TypeError, match="Decimal"):
        tally_owner_vote({}, owners=["a"], areas={"a": 90.5}, weighty=False)
    with pytest.raises(ValueError, match="positive"):
        tally_owner_vote({}, owners=["a"], areas={"a": Decimal(0)}, weighty=False)
    assert validate_owner_vote_ballot("3-101", ABSTAIN, owners=SIX) == ABSTAIN
    with pytest.raises(BallotError) as caught:
        validate_owner_vote_ballot("9-999", YES, owners=SIX)
    assert caught.value.code is BallotErrorCode.NOT_IN_ELECTORATE and caught.value.index is None


@st.composite
def owner_cases(draw):
    n = draw(st.integers(1, 12))
    owners = [f"owner-{i}" for i in range(n)]
    # Equal areas make the exact boundaries (2/3, 1/2, 3/4) likely; free areas test the sums.
    area = st.decimals(min_value=Decimal("10"), max_value=Decimal("400"), places=2)
    if draw(st.booleans()):
        areas = dict.fromkeys(owners, draw(area))
    else:
        areas = {owner: draw(area) for owner in owners}
    voters = draw(st.lists(st.sampled_from(owners), unique=True))
    ballots = {owner: draw(st.sampled_from(CHOICES)) for owner in voters}
    return owners, areas, ballots, draw(st.booleans())


@props
@given(case=owner_cases())
def test_owner_vote_measures_match_a_direct_recount(case):
    owners, areas, ballots, weighty = case
    result = tally_owner_vote(ballots, owners=owners, areas=areas, weighty=weighty)
    yes = [o for o, c in ballots.items() if c == YES]
    total_area = sum(areas.values())
    taking_part_area = sum(areas[o] for o in ballots)
    yes_area = sum((areas[o] for o in yes), Decimal(0))
    assert result.participating == len(ballots) == result.yes + result.no + result.abstain
    assert result.total_area == total_area and result.participating_area == taking_part_area
    assert result.yes_area + result.no_area + result.abstain_area == taking_part_area
    # The article's words as integer/Decimal inequalities, without fractions:
    # 三分之二以上 participating, by head and by area…
    assert result.participation_by_head.met == (3 * len(ballots) >= 2 * len(owners))
    assert result.participation_by_area.met == (3 * taking_part_area >= 2 * total_area)
    # …then 过半数 (ordinary) or 四分之三以上 (weighty) of those participating consenting.
    if weighty:
        head_ok = 4 * len(yes) >= 3 * len(ballots) and len(ballots) > 0
        area_ok = 4 * yes_area >= 3 * taking_part_area and len(ballots) > 0
    else:
        head_ok = 2 * len(yes) > len(ballots)
        area_ok = 2 * yes_area > taking_part_area
    assert result.consent_by_head.met == head_ok
    assert result.consent_by_area.met == area_ok
    participation = result.participation_by_head.met and result.participation_by_area.met
    assert result.passed == (participation and head_ok and area_ok)
