"""Reads for votes. Votes are public once published; ballots never are, only their counts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import rules
from django.db.models import Count, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext, ngettext

from gongzhi.core.models import Community
from gongzhi.voting import tally
from gongzhi.voting.models import CountedBallot, Method, Option, OwnerShare, Participation, Vote


def vote_list(*, community: Community) -> QuerySet[Vote]:
    return Vote.objects.in_community(community).filter(published=True).order_by("-closes_at", "-pk")


def vote_get(*, community: Community, vote_id: int) -> Vote:
    vote = (
        Vote.objects.in_community(community)
        .select_related("community")
        .filter(pk=vote_id, published=True)
        .first()
    )
    if vote is None:
        raise Http404
    return vote


def vote_at(*, slug: str, vote_id: int, user: Any) -> Vote:
    """A published vote by its community's slug, community included: one query where
    ``community_get`` then ``vote_get`` take two (the ballot API's path)."""
    vote = (
        Vote.objects.all_communities()
        .select_related("community")
        .filter(community__slug=slug, pk=vote_id, published=True)
        .first()
    )
    if vote is None or not rules.has_perm("core.view_community", user, vote.community):
        raise Http404
    return vote


def options_of(vote: Vote) -> list[Option]:
    return list(Option.objects.in_community(vote.community_id).filter(vote=vote))


def my_participation(*, vote: Vote, user: Any) -> Participation | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Participation.objects.in_community(vote.community_id).filter(vote=vote, voter=user).first()
    )


@dataclass(frozen=True)
class OwnerRoll:
    owners: int
    area: Decimal
    first: list[OwnerShare]


def owner_roll(*, vote: Vote, shown: int = 200) -> OwnerRoll:
    shares = OwnerShare.objects.in_community(vote.community_id).filter(vote=vote)
    totals = shares.aggregate(owners=Count("pk"), area=Sum("area"))
    first = list(shares.select_related("owner").order_by("pk")[:shown])
    return OwnerRoll(owners=totals["owners"], area=totals["area"] or Decimal(0), first=first)


# --- Words for ballots and results ------------------------------------------------------------


def yes_no_words() -> dict[str, str]:
    """A yes/no ballot's codes (tally.CHOICES) in the reader's language."""
    return {
        tally.YES: gettext("yes (in favour)"),
        tally.NO: gettext("no (against)"),
        tally.ABSTAIN: gettext("abstain"),
    }


def ballot_words(content: Any, labels: Mapping[Any, str]) -> str:
    """A ballot's content in words: a yes/no choice translated, the options' names (in order for
    a ranking), an option's name with its score. Never a raw code."""
    if isinstance(content, str):
        return yes_no_words().get(content, content)
    if isinstance(content, dict):
        return gettext("; ").join(
            gettext("%(option)s: %(score)s") % {"option": labels.get(int(k), k), "score": v}
            for k, v in content.items()
        )
    if not content:
        return gettext("(blank ballot)")
    return " > ".join(str(labels.get(item, item)) for item in content)


def my_choice(*, vote: Vote, user: Any, labels: Mapping[Any, str]) -> str | None:
    """What this person chose, in words, for them alone to see: only on an open (not secret)
    vote. A secret ballot's content is never read back, not even for its voter (privacy.py): its
    slot is a keyed pseudonym, and the page shows only that they voted and their receipt."""
    if vote.secret or not getattr(user, "is_authenticated", False):
        return None
    content = (
        CountedBallot.objects.in_community(vote.community_id)
        .filter(vote=vote, slot=f"user:{user.pk}")
        .values_list("content", flat=True)
        .first()
    )
    return None if content is None else ballot_words(content, labels)


def share_text(share: Fraction) -> str:
    """A rule's share as people say it: halves, thirds and quarters as fractions (2/3 is not
    66.7%), the rest as a percentage."""
    if share.denominator in (2, 3, 4):
        return f"{share.numerator}/{share.denominator}"
    return percent_text(share)


def percent_text(share: Fraction) -> str:
    value = share * 100
    return (
        f"{value.numerator // value.denominator}%"
        if value.denominator == 1
        else f"{float(value):.1f}%"
    )


@dataclass(frozen=True)
class Check:
    """One test a decision had to pass, worded: "赞成 52.0% < 需超过 1/2"."""

    label: str
    part: int | Decimal
    whole: int | Decimal
    counted: str  # the measured share, "52.0%", or "—" over nothing
    sign: str  # how the measured share compares with the rule's share: >, = or <
    needed: str  # "more than 1/2", "at least 30%"
    met: bool


def _check(label: str, measure: tally.Measure) -> Check:
    rule = measure.threshold
    needed = (
        gettext("more than %(share)s") if rule.comparison == ">" else gettext("at least %(share)s")
    ) % {"share": share_text(rule.share)}
    share = measure.share
    if share is None:
        counted, sign = "—", "<"
    else:
        counted = percent_text(share)
        sign = ">" if share > rule.share else "=" if share == rule.share else "<"
    return Check(label, measure.part, measure.whole, counted, sign, needed, measure.met)


@dataclass(frozen=True)
class Explained:
    """What a result page says about the rule and why the vote came out as it did."""

    rule: str  # the rule in plain words
    verdict: str | None  # why it passed, failed or chose nobody; None while a vote is open
    checks: list[Check]
    ballots: int
    #: A decision's outcome once closed (passed or not); None for an election or while open.
    passed: bool | None = None


def result_explained(*, vote: Vote, result: Any, labels: Mapping[Any, str]) -> Explained:
    """The rule of the vote's method in plain words, the numbers against it, and (once closed)
    why it passed, failed or chose nobody. While a vote is open nothing is decided, so there is
    no verdict: the page shows the count so far and never "passed" or "chosen"."""
    closed = vote.is_closed()
    ballots: int = getattr(result, "ballots", 0)
    if isinstance(result, tally.OwnerVoteResult):
        ballots = result.participating
        checks = [
            _check(gettext("Owners taking part (by head)"), result.participation_by_head),
            _check(gettext("Owners taking part (by floor area)"), result.participation_by_area),
            _check(gettext("Consent of those taking part (by head)"), result.consent_by_head),
            _check(gettext("Consent of those taking part (by floor area)"), result.consent_by_area),
        ]
        rule = gettext(
            "Civil Code art. 278: owners holding at least 2/3 of the floor area and at least "
            "2/3 of the owners must take part; of those taking part, %(needed)s by floor area "
            "and by head must consent."
        ) % {"needed": checks[2].needed}
        verdicts = {
            tally.Reason.PASSED: gettext("Enough owners took part, and enough of them consented."),
            tally.Reason.PARTICIPATION_NOT_MET: gettext(
                "Too few owners took part: at least 2/3 by head and by floor area are required."
            ),
            tally.Reason.CONSENT_NOT_MET: gettext(
                "Too few of the owners taking part consented: %(needed)s by head and by floor "
                "area are required."
            )
            % {"needed": checks[2].needed},
        }
        if not closed:
            return Explained(rule, None, checks, ballots)
        return Explained(rule, verdicts[result.reason], checks, ballots, result.passed)
    if isinstance(result, tally.YesNoResult):
        turnout = _check(gettext("Turnout (ballots of the electorate)"), result.participation)
        support = _check(gettext("In favour (yes of yes and no)"), result.support)
        if result.participation.threshold.share:
            rule = gettext(
                "Passes if at least %(quorum)s of the electorate vote (the quorum, abstentions "
                "count) and %(needed)s of the yes and no votes are yes (abstentions count for "
                "neither side)."
            ) % {
                "quorum": share_text(result.participation.threshold.share),
                "needed": support.needed,
            }
            checks = [turnout, support]
        else:
            rule = gettext(
                "No quorum. Passes if %(needed)s of the yes and no votes are yes (abstentions "
                "count for neither side)."
            ) % {"needed": support.needed}
            checks = [support]
        verdicts = {
            tally.Reason.PASSED: gettext("In favour %(share)s %(sign)s needed %(needed)s."),
            tally.Reason.QUORUM_NOT_MET: gettext(
                "Turnout %(turnout)s %(tsign)s quorum %(quorum)s: the vote does not count, "
                "whatever its yes share."
            ),
            tally.Reason.NO_DECISIVE_VOTES: gettext(
                "Every ballot abstained, so there is no yes share."
            ),
            tally.Reason.THRESHOLD_NOT_MET: gettext(
                "In favour %(share)s %(sign)s needed %(needed)s."
            ),
        }
        worded = verdicts[result.reason] % {
            "share": support.counted,
            "sign": support.sign,
            "needed": support.needed,
            "turnout": turnout.counted,
            "tsign": turnout.sign,
            "quorum": turnout.needed,
        }
        if not closed:
            return Explained(rule, None, checks, ballots)
        return Explained(rule, worded, checks, ballots, result.passed)
    if isinstance(result, tally.IrvResult):
        rule = gettext(
            "Instant runoff: an option with more than half of the ballots still in the count "
            "wins; otherwise the option with the fewest votes is eliminated and its ballots go "
            "to their next choice, round after round."
        )
        verdict: str | None = None
        if result.winner is None:
            verdict = gettext("No option is chosen: no ballot ranked any option.")
        return Explained(rule, verdict if closed else None, [], ballots)
    if isinstance(result, tally.ApprovalResult):
        if vote.method == Method.SINGLE:
            rule = gettext("One choice each: the option with the most votes is chosen.")
        else:
            rule = ngettext(
                "Each voter may choose up to %(n)d option: the option chosen by the most voters is chosen.",
                "Each voter may choose up to %(n)d options: the option chosen by the most voters is chosen.",
                vote.max_choices,
            ) % {"n": vote.max_choices}
        none_chosen: str | None = None
        if result.ballots == 0:
            none_chosen = gettext("No option is chosen: no ballots were cast.")
        elif result.tie is not None and not result.winners:
            none_chosen = gettext(
                "No option is chosen: %(options)s are tied with %(votes)d votes each, and the "
                "vote set no way to break a tie."
            ) % {
                "options": gettext(", ").join(str(labels.get(o, o)) for o in result.tie.options),
                "votes": result.tie.votes,
            }
        return Explained(rule, none_chosen if closed else None, [], ballots)
    rule = gettext(
        "Scores: each option's total and average score are shown; a score vote names no "
        "winner by itself, it informs the decision."
    )
    return Explained(rule, None, [], ballots)
