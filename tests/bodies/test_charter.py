"""charter.py: each reason a decision or an amendment does not stand, and the boundaries."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gongzhi.bodies.charter import (
    MEMBERS,
    Power,
    Rules,
    check_amendment,
    check_decision,
    check_power,
    power_from_dict,
)

RULES = Rules(
    powers=(
        Power("spend", max_amount_fen=500_000),
        Power("answer_proposals", topics=("environment", "parking")),
        Power("appoint_member"),
    ),
    quorum_percent=50,
    threshold_percent=50,
    amendment_percent=67,
)


def codes(refusals) -> list[str]:
    return [r.code for r in refusals]


def decide(rules=RULES, *, kind="appoint_member", amount_fen=None, topic="", **votes):
    numbers = {"seated": 9, "present": 7, "votes_for": 5, "votes_against": 1, "abstentions": 1}
    numbers.update(votes)
    return codes(check_decision(rules, kind=kind, amount_fen=amount_fen, topic=topic, **numbers))


def test_a_decision_within_powers_with_quorum_and_majority_stands():
    assert decide() == []
    assert decide(kind="spend", amount_fen=500_000) == []
    assert decide(kind="answer_proposals", topic="parking") == []


def test_a_kind_the_charter_does_not_grant_is_outside_it():
    assert decide(kind="adopt_covenant") == ["outside_charter"]


def test_an_amount_over_the_ceiling_is_refused():
    assert decide(kind="spend", amount_fen=500_001) == ["over_ceiling"]


def test_a_topic_not_granted_is_refused():
    assert decide(kind="answer_proposals", topic="noise") == ["topic_not_granted"]


def test_without_quorum_nothing_is_decided():
    assert decide(present=4, votes_for=4, votes_against=0, abstentions=0) == ["no_quorum"]
    assert decide(seated=0, present=0, votes_for=0, votes_against=0, abstentions=0) == ["no_quorum"]


def test_threshold_of_present_members_needs_more_than_half():
    # 50 %: a tie does not decide (过半数).
    assert decide(present=6, votes_for=3, votes_against=3, abstentions=0) == ["threshold_not_met"]
    assert decide(present=6, votes_for=4, votes_against=2, abstentions=0) == []


def test_threshold_of_all_members_counts_the_absent():
    rules = Rules(RULES.powers, quorum_percent=50, threshold_percent=50, threshold_base=MEMBERS)
    assert decide(rules, votes_for=4, votes_against=0, abstentions=3) == ["threshold_not_met"]
    assert decide(rules, votes_for=5, votes_against=2, abstentions=0) == []


def test_a_two_thirds_threshold():
    rules = Rules(RULES.powers, quorum_percent=50, threshold_percent=67)
    assert decide(rules, present=6, votes_for=4, votes_against=2, abstentions=0) == [
        "threshold_not_met"
    ]
    assert decide(rules, present=6, votes_for=5, votes_against=1, abstentions=0) == []


def test_impossible_numbers_are_refused():
    assert decide(present=10) == ["present_over_seated"]
    assert decide(votes_for=6, votes_against=1, abstentions=1) == ["votes_over_present"]
    assert decide(votes_against=-1) == ["counts_invalid"]


def test_every_reason_is_given_at_once():
    assert decide(
        kind="spend", amount_fen=600_000, present=3, votes_for=3, votes_against=0, abstentions=0
    ) == ["over_ceiling", "no_quorum"]


def test_an_amendment_needs_the_amendment_share_of_all_seated_members():
    numbers = {"seated": 9, "present": 9, "votes_against": 0}
    assert codes(check_amendment(RULES, votes_for=6, abstentions=3, **numbers)) == [
        "amendment_not_met"
    ]
    assert codes(check_amendment(RULES, votes_for=7, abstentions=2, **numbers)) == []
    assert codes(
        check_amendment(RULES, seated=9, present=4, votes_for=4, votes_against=0, abstentions=0)
    ) == ["no_quorum"]


def test_powers_read_as_stored():
    power = power_from_dict({"kind": "spend", "max_amount_fen": 100, "topics": ["a"]})
    assert power == Power("spend", 100, ("a",))
    assert check_power(Rules((power,), 50, 50), kind="spend", amount_fen=None, topic="a") == []


@given(
    seated=st.integers(1, 40),
    data=st.data(),
    threshold=st.integers(50, 100),
)
def test_a_carried_decision_always_has_a_strict_majority_and_quorum(seated, data, threshold):
    present = data.draw(st.integers(0, seated))
    votes_for = data.draw(st.integers(0, present))
    against = data.draw(st.integers(0, present - votes_for))
    rules = Rules((Power("k"),), quorum_percent=50, threshold_percent=threshold)
    refusals = check_decision(
        rules,
        kind="k",
        amount_fen=None,
        topic="",
        seated=seated,
        present=present,
        votes_for=votes_for,
        votes_against=against,
        abstentions=present - votes_for - against,
    )
    if not refusals:
        assert votes_for * 2 > present and votes_for > against
        assert present * 2 >= seated
        assert votes_for * 100 >= threshold * present


def test_a_term_of_months_ends_the_day_before_the_same_day():
    from datetime import date

    from gongzhi.bodies.services import term_end

    assert term_end(starts_on=date(2026, 3, 1), term_months=36) == date(2029, 2, 28)
    assert term_end(starts_on=date(2026, 11, 15), term_months=2) == date(2027, 1, 14)
    assert term_end(starts_on=date(2026, 1, 31), term_months=1) == date(2026, 2, 28)
