"""A result page says why: the rule of the vote's method and the numbers against it, the reason
a decision failed, and while a vote is open neither "passed" nor "chosen", only the count so far
and (on an open ballot, never a secret one) what I chose."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.voting import selectors, services, tally
from gongzhi.voting.models import Kind, Method, ResultsShown, Vote
from tests.factories import member
from tests.voting.test_votes import close, make_vote, option_ids


def closed_vote(method: str = Method.YES_NO, **fields) -> Vote:
    """An unsaved vote that closed yesterday: enough for result_explained, which reads only the
    method, the close and the choice limit."""
    now = timezone.now()
    return Vote(
        method=method, opens_at=now - timedelta(days=3), closes_at=now - timedelta(days=1), **fields
    )


def open_vote(method: str = Method.YES_NO) -> Vote:
    now = timezone.now()
    return Vote(method=method, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=1))


def yes_no(ballots, *, electorate, quorum, threshold, comparison=">"):
    return tally.tally_yes_no(
        ballots,
        electorate_size=electorate,
        quorum=quorum,
        threshold=threshold,
        threshold_comparison=comparison,
    )


def test_threshold_not_met_gives_the_share_against_the_rule():
    # 13 yes, 12 no of 100: turnout 25% ≥ 20%, yes 52% < at least 2/3.
    result = yes_no(
        ["yes"] * 13 + ["no"] * 12,
        electorate=100,
        quorum=Fraction(1, 5),
        threshold=Fraction(2, 3),
        comparison=">=",
    )
    assert result.reason == tally.Reason.THRESHOLD_NOT_MET
    explained = selectors.result_explained(vote=closed_vote(), result=result, labels={})
    assert explained.passed is False
    needed = gettext("at least %(share)s") % {"share": "2/3"}
    assert explained.verdict == gettext("In favour %(share)s %(sign)s needed %(needed)s.") % {
        "share": "52%",
        "sign": "<",
        "needed": needed,
    }
    turnout, support = explained.checks
    assert (turnout.counted, turnout.sign, turnout.met) == ("25%", ">", True)
    assert turnout.needed == gettext("at least %(share)s") % {"share": "20%"}
    assert (support.counted, support.sign, support.needed, support.met) == (
        "52%",
        "<",
        needed,
        False,
    )
    assert (support.part, support.whole) == (13, 25)


def test_quorum_not_met_names_turnout_and_quorum():
    result = yes_no(["yes"] * 38, electorate=100, quorum=Fraction(2, 5), threshold=Fraction(1, 2))
    assert result.reason == tally.Reason.QUORUM_NOT_MET
    explained = selectors.result_explained(vote=closed_vote(), result=result, labels={})
    assert explained.passed is False
    assert "38%" in explained.verdict and "40%" in explained.verdict and "<" in explained.verdict
    assert [c.met for c in explained.checks] == [False, True]


def test_every_ballot_abstaining_is_its_own_reason():
    result = yes_no(["abstain"] * 5, electorate=10, quorum=Fraction(0), threshold=Fraction(1, 2))
    assert result.reason == tally.Reason.NO_DECISIVE_VOTES
    explained = selectors.result_explained(vote=closed_vote(), result=result, labels={})
    assert explained.verdict == gettext("Every ballot abstained, so there is no yes share.")
    # No quorum: the rule says so and the page measures only the yes share.
    assert len(explained.checks) == 1 and explained.checks[0].counted == "—"
    rule = "No quorum. Passes if %(needed)s of the yes and no votes are yes (abstentions count for neither side)."
    assert explained.rule.startswith(gettext(rule).split("%(needed)s")[0])


def test_exactly_on_the_threshold_is_decided_by_the_rule_not_by_rounding():
    at_least = yes_no(
        ["yes"] * 2 + ["no"], electorate=3, quorum=0, threshold=Fraction(2, 3), comparison=">="
    )
    more_than = yes_no(["yes"] * 2 + ["no"], electorate=3, quorum=0, threshold=Fraction(2, 3))
    passed = selectors.result_explained(vote=closed_vote(), result=at_least, labels={})
    failed = selectors.result_explained(vote=closed_vote(), result=more_than, labels={})
    assert passed.passed is True and failed.passed is False
    assert passed.checks[0].sign == failed.checks[0].sign == "="
    assert passed.checks[0].counted == "66.7%"


def owners(ballots: dict[int, str], *, weighty: bool = False):
    areas = {1: Decimal(100), 2: Decimal(100), 3: Decimal(100), 4: Decimal(100)}
    return tally.tally_owner_vote(ballots, owners=list(areas), areas=areas, weighty=weighty)


def test_owners_vote_with_too_few_taking_part():
    result = owners({1: "yes", 2: "yes"})  # 2 of 4 owners, half the area: below 2/3
    assert result.reason == tally.Reason.PARTICIPATION_NOT_MET
    explained = selectors.result_explained(
        vote=closed_vote(electorate="owners"), result=result, labels={}
    )
    assert explained.passed is False
    assert explained.verdict == gettext(
        "Too few owners took part: at least 2/3 by head and by floor area are required."
    )
    assert [(c.counted, c.sign, c.met) for c in explained.checks[:2]] == [("50%", "<", False)] * 2
    assert explained.ballots == 2


def test_owners_vote_with_too_little_consent():
    result = owners({1: "yes", 2: "yes", 3: "no", 4: "abstain"}, weighty=True)
    assert result.reason == tally.Reason.CONSENT_NOT_MET
    explained = selectors.result_explained(
        vote=closed_vote(electorate="owners"), result=result, labels={}
    )
    needed = gettext("at least %(share)s") % {"share": "3/4"}
    assert needed in explained.verdict and needed in explained.rule
    assert [c.met for c in explained.checks] == [True, True, False, False]


def test_approval_tie_and_no_ballots_say_why_nobody_is_chosen():
    tie = tally.tally_approval([{1}, {2}], [1, 2], max_choices=1)
    explained = selectors.result_explained(
        vote=closed_vote(Method.SINGLE), result=tie, labels={1: "路灯", 2: "长椅"}
    )
    assert "路灯" in explained.verdict and "长椅" in explained.verdict
    assert explained.rule == gettext("One choice each: the option with the most votes is chosen.")
    empty = tally.tally_approval([], [1, 2], max_choices=2)
    explained = selectors.result_explained(
        vote=closed_vote(Method.APPROVAL, max_choices=2), result=empty, labels={}
    )
    assert explained.verdict == gettext("No option is chosen: no ballots were cast.")
    won = tally.tally_approval([{1}, {1, 2}], [1, 2], max_choices=2)
    assert (
        selectors.result_explained(
            vote=closed_vote(Method.APPROVAL, max_choices=2), result=won, labels={}
        ).verdict
        is None
    )


def test_ranked_and_score_votes_state_their_rule():
    irv = tally.tally_irv([()], [1, 2])
    explained = selectors.result_explained(vote=closed_vote(Method.RANKED), result=irv, labels={})
    assert explained.verdict == gettext("No option is chosen: no ballot ranked any option.")
    assert explained.rule
    score = tally.tally_score([{1: 3}], [1, 2], min_score=0, max_score=5)
    explained = selectors.result_explained(vote=closed_vote(Method.SCORE), result=score, labels={})
    assert explained.verdict is None and explained.rule


def test_an_open_vote_has_no_verdict():
    result = yes_no(["no"] * 3, electorate=10, quorum=0, threshold=Fraction(1, 2))
    explained = selectors.result_explained(vote=open_vote(), result=result, labels={})
    assert explained.verdict is None and explained.passed is None
    assert explained.checks  # the numbers so far are still shown


@pytest.mark.django_db
def test_a_failed_binding_vote_page_says_why(client, community, worker):
    vote = make_vote(
        community, worker, method=Method.YES_NO, options=(), kind=Kind.BINDING, quorum="0.8"
    )
    voters = [member(community) for _ in range(3)]
    for voter in voters:
        services.ballot_cast(actor=voter, vote=vote, content="yes")
    close(vote)
    assert services.electorate_size(vote) == 4  # the worker and the voters: 75% < 80%
    client.force_login(voters[0])
    page = client.get(reverse("vote_detail", args=[community.slug, vote.pk])).content.decode()
    assert gettext("Not passed") in page
    result = services.results(vote)
    why = selectors.result_explained(vote=vote, result=result, labels={}).verdict
    assert why and why in page.replace("&lt;", "<")
    assert gettext("at least %(share)s") % {"share": "80%"} in page


@pytest.fixture
def people(community):
    return [member(community) for _ in range(3)]


@pytest.mark.parametrize("secret", [False, True])
@pytest.mark.django_db
def test_open_poll_shows_my_choice_and_no_verdict(client, community, worker, people, secret):
    """Open × public/secret: a poll that shows results after voting."""
    vote = make_vote(community, worker, secret=secret, results_shown=ResultsShown.AFTER_VOTING)
    a, b, _c = option_ids(vote)
    me, other, _third = people
    client.force_login(me)
    before = client.get(reverse("vote_detail", args=[community.slug, vote.pk])).content.decode()
    # Before voting, the page promises what this poll does: results once I have voted.
    assert gettext("The results are shown when the vote closes.") not in before
    services.ballot_cast(actor=me, vote=vote, content=[b])
    services.ballot_cast(actor=other, vote=vote, content=[a])
    services.ballot_cast(actor=_third, vote=vote, content=[a])
    page = client.get(reverse("vote_detail", args=[community.slug, vote.pk])).content.decode()
    assert gettext("Results so far") in page
    assert gettext("chosen") not in page and gettext("Passed") not in page
    assert gettext("leading so far") in page
    if secret:
        assert 'id="my-vote"' in page and "乙方案</strong>" not in page
        assert gettext("Your choice is secret: not even this page can show it.") in page
    else:
        assert "乙方案</strong>" in page  # what I chose, not the leader
        assert "甲方案</strong>" not in page


@pytest.mark.parametrize("secret", [False, True])
@pytest.mark.django_db
def test_closed_vote_shows_the_result(client, community, worker, people, secret):
    vote = make_vote(community, worker, secret=secret)
    a, _b, _c = option_ids(vote)
    for person in people:
        services.ballot_cast(actor=person, vote=vote, content=[a])
    client.force_login(people[0])
    during = client.get(reverse("vote_detail", args=[community.slug, vote.pk])).content.decode()
    assert 'id="results-heading"' not in during  # results only after the close
    assert gettext("The results are shown when the vote closes.") in during
    close(vote)
    page = client.get(reverse("vote_detail", args=[community.slug, vote.pk])).content.decode()
    assert gettext("chosen") in page and gettext("Result") in page
    assert gettext("The rule") in page


@pytest.mark.django_db
def test_published_ballots_are_words_not_codes(client, community, worker, people):
    vote = make_vote(community, worker, method=Method.YES_NO, options=(), secret=True)
    for person, choice in zip(people, ["yes", "no", "abstain"], strict=True):
        services.ballot_cast(actor=person, vote=vote, content=choice)
    close(vote)
    page = client.get(reverse("vote_published", args=[community.slug, vote.pk])).content.decode()
    items = page.split("<ol>")[1].split("</ol>")[0]
    for word in ("yes (in favour)", "no (against)", "abstain"):
        assert f"<li>{gettext(word)}</li>" in items
    for code in ("yes", "no", "abstain"):
        assert f"<li>{code}</li>" not in items
