"""Counting the ballots of a vote (计票): yes/no, approval, instant-runoff, score, and the owners'
vote of Civil Code art. 278 (业主共同决定).

Plain data in, frozen result dataclasses out; no database and nothing from Django. The service
layer checks each ballot as it is cast with a ``validate_<method>_ballot`` function, stores it,
and calls ``tally_<method>`` when the vote closes; the results page renders the result in full,
so every measure a decision rests on is in it together with its threshold. Outcomes are machine
codes (:class:`Reason`, :class:`RoundOutcome`): the page words them in the resident's language.

Shares are exact. Thresholds are :class:`~fractions.Fraction` (a float cannot say "two thirds"),
floor areas are :class:`~decimal.Decimal` summed without rounding, and each comparison is
spelled out as ``">"`` (more than, 过半数 / 超过) or ``">="`` (at least, 以上): a vote that lands
exactly on its threshold is decided by the rule, never by rounding.

A count makes its pass over the ballots in C where it can, with ``collections.Counter``: over
the ballots themselves (yes/no; instant-runoff, whose identical rankings then move together),
or over all the options approved (approval) or (option, score) pairs given (score). Each rule a
ballot must obey is then checked once per distinct value. Only if a check fails are the ballots
checked one by one, in the order cast, so that :class:`BallotError` names the first bad ballot.
"""

from __future__ import annotations

import decimal
from collections import Counter
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum, StrEnum
from fractions import Fraction
from itertools import chain
from typing import Any, Literal, NoReturn, TypeAlias, TypeVar, cast

#: An option on a ballot paper: any hashable id (a primary key, a slug). Ties never fall back on
#: sorting ids, so ids of mixed types are fine.
OptionId: TypeAlias = Hashable
#: An owner (业主) in an owners' vote: any hashable id.
OwnerId: TypeAlias = Hashable
#: How a share is compared with its threshold: ``">"`` more than, ``">="`` at least.
Comparison: TypeAlias = Literal[">", ">="]
#: Which earlier rounds break a tie for elimination in instant-runoff (see :func:`tally_irv`).
TieRule: TypeAlias = Literal["backward", "forward"]

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")

YES = "yes"
NO = "no"
ABSTAIN = "abstain"
#: The choices on a yes/no ballot and on an owners' vote: 赞成, 反对, 弃权.
CHOICES = (YES, NO, ABSTAIN)


# --- Errors ------------------------------------------------------------------------------------


class BallotErrorCode(StrEnum):
    """Why a ballot cannot be counted; the service layer maps each to a resident's message."""

    MALFORMED = "malformed"  # not a list, set or mapping as the method needs
    UNKNOWN_OPTION = "unknown_option"
    REPEATED_OPTION = "repeated_option"
    TOO_MANY_CHOICES = "too_many_choices"
    TOO_FEW_CHOICES = "too_few_choices"
    SCORE_NOT_INTEGER = "score_not_integer"
    SCORE_OUT_OF_RANGE = "score_out_of_range"
    NOT_IN_ELECTORATE = "not_in_electorate"


class BallotError(ValueError):
    """A ballot that cannot be counted.

    ``code`` is for machines. ``index`` is the ballot's position in the ballots that were tallied
    (for an owners' vote, its position in the mapping's order, and ``voter`` is the owner id);
    both are ``None`` when one ballot is validated as it is cast. ``option`` is the offending
    option or score where there is one.
    """

    def __init__(
        self,
        code: BallotErrorCode,
        detail: str,
        *,
        index: int | None = None,
        voter: OwnerId | None = None,
        option: object = None,
    ) -> None:
        self.code = code
        self.detail = detail
        self.index = index
        self.voter = voter
        self.option = option
        where = "" if index is None else f"ballot {index}: "
        super().__init__(where + detail)

    def at(self, index: int, *, voter: OwnerId | None = None) -> BallotError:
        """The same error, placed at ``index`` in the list being tallied."""
        return BallotError(
            self.code,
            self.detail,
            index=index,
            voter=self.voter if voter is None else voter,
            option=self.option,
        )


# --- Thresholds and measures -------------------------------------------------------------------


def _share(value: object, name: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, Fraction | int | Decimal):
        raise TypeError(
            f"{name} must be a Fraction such as Fraction(2, 3), not {value!r}: "
            "a float cannot state a share like two thirds exactly"
        )
    share = Fraction(value)
    if not 0 <= share <= 1:
        raise ValueError(f"{name} must be between 0 and 1, not {share}")
    return share


@dataclass(frozen=True)
class Threshold:
    """A share that a measure must exceed (``">"``) or reach (``">="``).

    ``"more than half"`` is ``Threshold(Fraction(1, 2), ">")``; ``"at least two thirds"`` is
    ``Threshold(Fraction(2, 3), ">=")``.
    """

    share: Fraction
    comparison: Comparison

    def __post_init__(self) -> None:
        if self.comparison not in (">", ">="):
            raise ValueError(f'comparison must be ">" or ">=", not {self.comparison!r}')
        object.__setattr__(self, "share", _share(self.share, "share"))

    def is_met(self, part: int | Decimal, whole: int | Decimal) -> bool:
        """Whether ``part / whole`` passes; a measure over nothing (``whole == 0``) never does."""
        if whole == 0:
            return False
        ratio = Fraction(part) / Fraction(whole)
        return ratio > self.share if self.comparison == ">" else ratio >= self.share

    def __str__(self) -> str:
        words = "more than" if self.comparison == ">" else "at least"
        return f"{words} {self.share}"


@dataclass(frozen=True)
class Measure:
    """One test a decision must pass, with everything a results page shows for it.

    ``share`` is ``part / whole`` exactly, ``None`` when ``whole`` is zero (such a measure is
    not met: nothing cannot be "more than half" of nothing).
    """

    name: str
    part: int | Decimal
    whole: int | Decimal
    share: Fraction | None
    threshold: Threshold
    met: bool

    @classmethod
    def of(
        cls, name: str, part: int | Decimal, whole: int | Decimal, threshold: Threshold
    ) -> Measure:
        share = None if whole == 0 else Fraction(part) / Fraction(whole)
        return cls(name, part, whole, share, threshold, threshold.is_met(part, whole))


class Reason(StrEnum):
    """Why a yes/no vote or an owners' vote passed or failed (the first rule it failed)."""

    PASSED = "passed"
    QUORUM_NOT_MET = "quorum_not_met"
    NO_DECISIVE_VOTES = "no_decisive_votes"  # every ballot abstained
    THRESHOLD_NOT_MET = "threshold_not_met"
    PARTICIPATION_NOT_MET = "participation_not_met"
    CONSENT_NOT_MET = "consent_not_met"


class TieBrokenBy(StrEnum):
    """What settled a tie: the counts of other rounds, the agreed order, or the options' order."""

    ROUND_COUNTS = "round_counts"
    TIE_BREAK_ORDER = "tie_break_order"
    OPTIONS_ORDER = "options_order"


# --- 1. Yes / no / abstain ---------------------------------------------------------------------


@dataclass(frozen=True)
class YesNoResult:
    """The count of a yes/no vote (表决: 赞成 / 反对 / 弃权)."""

    yes: int
    no: int
    abstain: int
    ballots: int
    electorate_size: int
    #: Ballots cast (abstentions included) over the electorate, against the quorum.
    participation: Measure
    #: Yes over yes + no, against the threshold; abstentions are in neither.
    support: Measure
    quorum_met: bool
    passed: bool
    reason: Reason

    @property
    def turnout(self) -> Fraction:
        return Fraction(self.ballots, self.electorate_size)


def validate_yes_no_ballot(ballot: object) -> str:
    """Check one yes/no ballot as it is cast; returns the choice."""
    if not isinstance(ballot, str) or ballot not in CHOICES:
        raise BallotError(
            BallotErrorCode.UNKNOWN_OPTION,
            f"a yes/no ballot is one of {', '.join(CHOICES)}, not {ballot!r}",
            option=ballot,
        )
    return ballot


def tally_yes_no(
    ballots: Sequence[str],
    *,
    electorate_size: int,
    quorum: Fraction | int,
    threshold: Fraction | int,
    threshold_comparison: Comparison = ">",
    quorum_comparison: Comparison = ">=",
) -> YesNoResult:
    """Count a yes/no/abstain vote with a quorum and a threshold.

    The quorum is the share of the electorate that must take part, abstentions included
    (by default *at least* that share). The threshold is the share of yes among yes + no, so
    abstentions count towards the quorum but neither for nor against; by default the yes share
    must be *more than* the threshold. These are the bases of Robert's Rules of Order Newly
    Revised (12th ed., 2020), §44: a majority vote is more than half of the votes cast,
    excluding blanks and abstentions, and a two-thirds vote is *at least* two thirds of them
    (pass ``threshold=Fraction(2, 3), threshold_comparison=">="`` for the latter).

    A vote where everyone abstained has no yes share and does not pass.
    """
    quorum_rule = Threshold(_share(quorum, "quorum"), quorum_comparison)
    support_rule = Threshold(_share(threshold, "threshold"), threshold_comparison)
    if isinstance(electorate_size, bool) or not isinstance(electorate_size, int):
        raise TypeError("electorate_size must be an int")
    if electorate_size < 1:
        raise ValueError("electorate_size must be at least 1")
    ballots = _as_sequence(ballots)
    if len(ballots) > electorate_size:
        raise ValueError(f"{len(ballots)} ballots were cast by an electorate of {electorate_size}")

    def check(choice: str) -> None:
        validate_yes_no_ballot(choice)

    # Strings are their own grouping key, so Counter takes the ballots as they are.
    counts = _group(ballots, fast=True, key=None, check=check, slow=validate_yes_no_ballot)
    yes, no, abstain = counts[YES], counts[NO], counts[ABSTAIN]
    participation = Measure.of("participation", len(ballots), electorate_size, quorum_rule)
    support = Measure.of("support", yes, yes + no, support_rule)
    passed = participation.met and support.met
    if not participation.met:
        reason = Reason.QUORUM_NOT_MET
    elif yes + no == 0:
        reason = Reason.NO_DECISIVE_VOTES
    elif not support.met:
        reason = Reason.THRESHOLD_NOT_MET
    else:
        reason = Reason.PASSED
    return YesNoResult(
        yes=yes,
        no=no,
        abstain=abstain,
        ballots=len(ballots),
        electorate_size=electorate_size,
        participation=participation,
        support=support,
        quorum_met=participation.met,
        passed=passed,
        reason=reason,
    )


# --- 2. Approval -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankedOption:
    """An option's place in a ranking; equal counts share a rank (1, 2, 2, 4)."""

    option: OptionId
    votes: int
    rank: int
    #: votes / ballots cast, ``None`` when there were no ballots.
    share: Fraction | None


@dataclass(frozen=True)
class SeatTie:
    """Options tied on the count where the last seat or seats fall (并列).

    ``seats`` of the ``options`` (listed in options order) can win. With a tie-break order the
    seats go to the earliest of them in that order (``chosen``); without one the tie is left for
    the community to settle (by lot, or a second round) and ``chosen`` is empty.
    """

    options: tuple[OptionId, ...]
    votes: int
    seats: int
    broken_by: TieBrokenBy | None
    chosen: tuple[OptionId, ...]


@dataclass(frozen=True)
class ApprovalResult:
    """The count of an approval vote (认可投票): every option a ballot approves gets one vote."""

    options: tuple[OptionId, ...]
    ballots: int
    blank: int
    #: Approvals per option, in options order.
    counts: dict[OptionId, int]
    #: Most approvals first; equal counts in tie-break order if one was given, else options order.
    ranking: tuple[RankedOption, ...]
    seats: int
    #: The options that won, in ranking order; fewer than ``seats`` while a tie is unresolved.
    winners: tuple[OptionId, ...]
    tie: SeatTie | None

    @property
    def decided(self) -> bool:
        return len(self.winners) == self.seats


def validate_approval_ballot(
    ballot: object, options: Collection[OptionId], *, max_choices: int, min_choices: int = 0
) -> frozenset[OptionId]:
    """Check one approval ballot as it is cast; returns the approved options.

    Checks, in this order: the ballot is a list/tuple/set of options, every option is on the
    ballot paper, none is repeated, and it approves between ``min_choices`` and ``max_choices``.
    """
    _check_choice_limits(len(options), min_choices=min_choices, max_choices=max_choices)
    choices = _as_choices(ballot, allow_sets=True)
    _check_approval(choices, options, min_choices=min_choices, max_choices=max_choices)
    return frozenset(choices)


def tally_approval(
    ballots: Sequence[Collection[OptionId]],
    options: Sequence[OptionId],
    *,
    max_choices: int,
    min_choices: int = 0,
    winners: int = 1,
    tie_break: Sequence[OptionId] | None = None,
) -> ApprovalResult:
    """Count an approval vote for ``winners`` seats.

    Approval voting as defined by Brams & Fishburn, "Approval Voting", *American Political Science
    Review* 72(3), 1978, pp. 831-847: each voter approves any number of options (here between
    ``min_choices`` and ``max_choices``) and the options with the most approvals win. With several
    seats this is the block rule ("multi-winner approval voting", Kilgour, "Approval Balloting for
    Multi-winner Elections", in *Handbook on Approval Voting*, Springer 2010): the ``winners``
    options with most approvals.

    A tie on the count where the last seat falls is reported in ``tie`` and never broken silently:
    with ``tie_break`` (every option once, most favoured first, e.g. drawn by lot in public before
    the count) the earliest tied options in that order take the seats; without it those seats stay
    open and ``winners`` holds only the options that won outright.
    """
    choices = _options(options)
    known = frozenset(choices)
    preference = _tie_break_positions(choices, tie_break)
    _check_choice_limits(len(choices), min_choices=min_choices, max_choices=max_choices)
    if isinstance(winners, bool) or not isinstance(winners, int):
        raise TypeError("winners must be an int")
    if not 1 <= winners <= len(choices):
        raise ValueError(f"winners must be between 1 and the {len(choices)} options")
    ballots = _as_sequence(ballots)

    def slow(ballot: object) -> tuple[OptionId, ...]:
        approved = _as_choices(ballot, allow_sets=True)
        _check_approval(approved, known, min_choices=min_choices, max_choices=max_choices)
        return approved

    # An approval count needs no ballot as a whole, only how often each option is approved, so
    # Counter counts the options of all ballots in one pass in C; each rule a ballot must obey
    # is then checked over all ballots at once, also in C.
    approvals: Counter[OptionId] = Counter()
    valid = False
    if _only_types(ballots, (list, tuple, set, frozenset)):
        try:
            approvals.update(chain.from_iterable(ballots))
            lengths = set(map(len, ballots))
            valid = (
                approvals.keys() <= known
                # No ballot repeats an option iff no ballot is longer than its set of options.
                and sum(map(len, map(set, ballots))) == sum(map(len, ballots))
                and min(lengths, default=min_choices) >= min_choices
                and max(lengths, default=0) <= max_choices
            )
        except TypeError:  # an unhashable "option"
            valid = False
    if not valid:
        approvals = Counter()
        for index, ballot in enumerate(ballots):
            try:
                approvals.update(slow(ballot))
            except BallotError as error:
                raise error.at(index) from None
    counts = {option: approvals[option] for option in choices}
    blank = len(ballots) - sum(map(bool, ballots))

    order = preference if preference is not None else {o: i for i, o in enumerate(choices)}
    ranked = sorted(choices, key=lambda option: (-counts[option], order[option]))
    ranking = _rank(ranked, counts, len(ballots))
    cut = counts[ranked[winners - 1]]
    above = tuple(option for option in ranked if counts[option] > cut)
    at_cut = tuple(option for option in ranked if counts[option] == cut)
    open_seats = winners - len(above)
    tie: SeatTie | None = None
    if len(at_cut) == open_seats:
        elected = above + at_cut
    else:
        tied = tuple(option for option in choices if counts[option] == cut)
        if preference is not None:
            chosen = at_cut[:open_seats]  # at_cut is already in tie-break order
            tie = SeatTie(tied, cut, open_seats, TieBrokenBy.TIE_BREAK_ORDER, chosen)
            elected = above + chosen
        else:
            tie = SeatTie(tied, cut, open_seats, None, ())
            elected = above
    return ApprovalResult(
        options=choices,
        ballots=len(ballots),
        blank=blank,
        counts=counts,
        ranking=ranking,
        seats=winners,
        winners=elected,
        tie=tie,
    )


# --- 3. Instant-runoff -------------------------------------------------------------------------


class RoundOutcome(StrEnum):
    """How an instant-runoff round ended."""

    MAJORITY = "majority"  # an option has more than half of the continuing ballots: it wins
    ELIMINATED = "eliminated"  # no majority: the option with fewest votes is eliminated
    NO_CONTINUING_BALLOTS = "no_continuing_ballots"  # every ballot is blank or exhausted


@dataclass(frozen=True)
class EliminationTie:
    """Options tied on fewest votes in a round, and what decided which one was eliminated.

    ``round`` is the round whose counts settled it (``broken_by == ROUND_COUNTS``), else None.
    """

    options: tuple[OptionId, ...]
    broken_by: TieBrokenBy
    round: int | None


@dataclass(frozen=True)
class IrvRound:
    """One round of an instant-runoff count (一轮计票).

    ``counts`` holds the continuing options (options order); ``continuing_ballots`` is their sum
    and ``exhausted`` the ballots (blank ones included) with no continuing option left, so
    ``continuing_ballots + exhausted`` is every ballot cast. ``majority`` is the fewest votes
    that are more than half of the continuing ballots. For an elimination, ``transfers`` says
    where the eliminated option's ballots go for the next round (every continuing option, in
    options order) and ``transferred_to_exhausted`` how many had no further choice.
    """

    number: int
    counts: dict[OptionId, int]
    continuing_ballots: int
    exhausted: int
    majority: int
    outcome: RoundOutcome
    winner: OptionId | None
    eliminated: OptionId | None
    tie: EliminationTie | None
    transfers: dict[OptionId, int]
    transferred_to_exhausted: int


@dataclass(frozen=True)
class IrvResult:
    """An instant-runoff count, round by round (即时决选 / 排序复选制)."""

    options: tuple[OptionId, ...]
    ballots: int
    #: Ballots that ranked no option; exhausted from the first round.
    blank: int
    rounds: tuple[IrvRound, ...]
    winner: OptionId | None

    @property
    def eliminated(self) -> tuple[OptionId, ...]:
        """Options in the order they were eliminated."""
        return tuple(r.eliminated for r in self.rounds if r.eliminated is not None)

    @property
    def ties(self) -> tuple[EliminationTie, ...]:
        return tuple(r.tie for r in self.rounds if r.tie is not None)


def validate_irv_ballot(ballot: object, options: Collection[OptionId]) -> tuple[OptionId, ...]:
    """Check one ranking as it is cast; returns it as a tuple, first choice first.

    A ranking is a list or tuple of options on the ballot paper, none repeated. It may rank
    only some options, or none (a blank ballot, which is counted as exhausted).
    """
    ranking = _as_choices(ballot, allow_sets=False)
    _check_ranking(ranking, options)
    return ranking


def tally_irv(
    ballots: Sequence[Sequence[OptionId]],
    options: Sequence[OptionId],
    *,
    tie_break: Sequence[OptionId] | None = None,
    tie_rule: TieRule = "backward",
) -> IrvResult:
    """Count an instant-runoff vote for one seat, returning every round.

    The alternative vote (W. R. Ware's instant runoff, 1871; the count that Burlington, Vermont
    used for its mayor in 2006-2010, and that the UK Parliamentary Voting System and
    Constituencies Act 2011, Sched. 10, wrote for a Commons the 2011 referendum rejected): each
    ballot counts for its highest-ranked continuing option. An option with more than half of the
    continuing ballots wins. Otherwise the option with fewest votes is eliminated (one per round)
    and each of its ballots moves to its next continuing choice, or is exhausted when it has none.
    Exhausted ballots leave the count, so the majority is of the ballots still continuing. If no
    ballot is continuing (all blank or exhausted) there is no winner.

    Ties for fewest votes are broken deterministically and reported in the round's ``tie``:

    1. By the counts of earlier rounds. ``tie_rule="backward"`` (the default) eliminates the tied
       option with fewer votes in the previous round, and if they were level there too, the round
       before, and so on. ``tie_rule="forward"`` looks first at the first round, then the second,
       and so on: the rule of ERS97 (Electoral Reform Society, *How to conduct an election by the
       Single Transferable Vote*, 3rd ed. 1997, §5.2.5) and of the 2011 Act (Sched. 10 para. 7,
       rule 49). Either way, when several tied options share the fewest votes in the round
       consulted, only they go on to the next round consulted.
    2. Still tied after every earlier round: the tied option latest in ``tie_break`` (every option
       once, most favoured first, e.g. drawn by lot in public before the count); both rule books
       above decide this case by lot.
    3. No ``tie_break``: the tied option latest in ``options`` order.

    Each ballot keeps a pointer to its current choice and only the ballots of the eliminated
    option are moved, so a round costs what it transfers, not a rescan of every ballot;
    identical rankings are moved together.
    """
    if tie_rule not in ("backward", "forward"):
        raise ValueError(f'tie_rule must be "backward" or "forward", not {tie_rule!r}')
    choices = _options(options)
    known = frozenset(choices)
    preference = _tie_break_positions(choices, tie_break)
    ballots = _as_sequence(ballots)

    def check(ranking: tuple[OptionId, ...]) -> None:
        _check_ranking(ranking, known)

    def slow(ballot: object) -> tuple[OptionId, ...]:
        ranking = _as_choices(ballot, allow_sets=False)
        check(ranking)
        return ranking

    groups = _group(
        ballots, fast=_only_types(ballots, (list, tuple)), key=tuple, check=check, slow=slow
    )

    # piles[o]: the distinct rankings now counting for o, each with the position of o in it and
    # how many ballots carry it.
    piles: dict[OptionId, list[tuple[tuple[OptionId, ...], int, int]]] = {o: [] for o in choices}
    counts = dict.fromkeys(choices, 0)
    blank = 0
    for ranking, weight in groups.items():
        if ranking:
            piles[ranking[0]].append((ranking, 0, weight))
            counts[ranking[0]] += weight
        else:
            blank += weight
    exhausted = blank
    continuing = list(choices)
    rounds: list[IrvRound] = []
    winner: OptionId | None = None
    while True:
        round_counts = {option: counts[option] for option in continuing}
        active = sum(round_counts.values())
        majority = active // 2 + 1  # the fewest votes that are more than half
        leader = max(continuing, key=round_counts.__getitem__)
        eliminated: OptionId | None = None
        tie: EliminationTie | None = None
        transfers: dict[OptionId, int] = {}
        to_exhausted = 0
        if active == 0:
            outcome = RoundOutcome.NO_CONTINUING_BALLOTS
        elif round_counts[leader] >= majority:
            outcome = RoundOutcome.MAJORITY
            winner = leader
        else:
            outcome = RoundOutcome.ELIMINATED
            eliminated, tie = _elimination(continuing, round_counts, rounds, preference, tie_rule)
            continuing.remove(eliminated)
            still = frozenset(continuing)
            transfers = dict.fromkeys(continuing, 0)
            for ranking, position, weight in piles.pop(eliminated):
                position += 1
                while position < len(ranking) and ranking[position] not in still:
                    position += 1
                if position < len(ranking):
                    target = ranking[position]
                    piles[target].append((ranking, position, weight))
                    counts[target] += weight
                    transfers[target] += weight
                else:
                    to_exhausted += weight
            del counts[eliminated]
        rounds.append(
            IrvRound(
                number=len(rounds) + 1,
                counts=round_counts,
                continuing_ballots=active,
                exhausted=exhausted,
                majority=majority,
                outcome=outcome,
                winner=winner,
                eliminated=eliminated,
                tie=tie,
                transfers=transfers,
                transferred_to_exhausted=to_exhausted,
            )
        )
        if outcome is not RoundOutcome.ELIMINATED:
            break
        exhausted += to_exhausted
    return IrvResult(
        options=choices, ballots=len(ballots), blank=blank, rounds=tuple(rounds), winner=winner
    )


def _elimination(
    continuing: list[OptionId],
    counts: dict[OptionId, int],
    earlier: list[IrvRound],
    preference: dict[OptionId, int] | None,
    tie_rule: TieRule,
) -> tuple[OptionId, EliminationTie | None]:
    fewest = min(counts[option] for option in continuing)
    tied = [option for option in continuing if counts[option] == fewest]
    if len(tied) == 1:
        return tied[0], None
    candidates = tied
    consulted = earlier if tie_rule == "forward" else reversed(earlier)
    for past in consulted:
        # Every tied option is continuing now, so it was continuing (and counted) then.
        low = min(past.counts[option] for option in candidates)
        candidates = [option for option in candidates if past.counts[option] == low]
        if len(candidates) == 1:
            return candidates[0], EliminationTie(tuple(tied), TieBrokenBy.ROUND_COUNTS, past.number)
    if preference is not None:
        loser = max(candidates, key=preference.__getitem__)
        return loser, EliminationTie(tuple(tied), TieBrokenBy.TIE_BREAK_ORDER, None)
    return candidates[-1], EliminationTie(tuple(tied), TieBrokenBy.OPTIONS_ORDER, None)


# --- 4. Score ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreResult:
    """The count of a score vote (评分投票).

    An option a ballot leaves unscored is not counted for it ("no opinion"), neither as zero nor
    as the minimum, so ``means`` are over ``counts`` (``None`` where nobody scored the option).
    """

    options: tuple[OptionId, ...]
    ballots: int
    blank: int
    min_score: int
    max_score: int
    totals: dict[OptionId, int]
    counts: dict[OptionId, int]
    means: dict[OptionId, Fraction | None]


def validate_score_ballot(
    ballot: object, options: Collection[OptionId], *, min_score: int, max_score: int
) -> dict[OptionId, int]:
    """Check one score ballot as it is cast; returns it as a dict option -> score.

    A score ballot maps options on the ballot paper to whole-number scores from ``min_score``
    to ``max_score``; it may leave options unscored.
    """
    if not isinstance(ballot, Mapping):
        raise BallotError(
            BallotErrorCode.MALFORMED, f"a score ballot maps options to scores, not {ballot!r}"
        )
    _check_score_range(min_score, max_score)
    items = tuple(ballot.items())
    _check_scores(items, options, min_score=min_score, max_score=max_score)
    return dict(items)


def tally_score(
    ballots: Sequence[Mapping[OptionId, int]],
    options: Sequence[OptionId],
    *,
    min_score: int,
    max_score: int,
) -> ScoreResult:
    """Count a score vote: total, number of scores and mean score per option.

    Score (range) voting as described by W. D. Smith, "Range Voting" (2000), and discussed among
    the grading methods by Balinski & Laraki, *Majority Judgment* (MIT Press, 2011): each voter
    gives options a score on a fixed scale; the result shows every option's total, count and
    exact mean, and leaves the choice of a winner rule (highest mean, highest total, a minimum
    number of scores) to the vote's own rules.
    """
    choices = _options(options)
    known = frozenset(choices)
    _check_score_range(min_score, max_score)
    ballots = _as_sequence(ballots)

    def check(pairs: Iterable[tuple[OptionId, int]]) -> None:
        _check_scores(pairs, known, min_score=min_score, max_score=max_score)

    def slow(ballot: object) -> tuple[tuple[OptionId, int], ...]:
        if not isinstance(ballot, Mapping):
            raise BallotError(
                BallotErrorCode.MALFORMED, f"a score ballot maps options to scores, not {ballot!r}"
            )
        pairs = tuple(ballot.items())
        check(pairs)
        return pairs

    # A score count needs only how often each (option, score) pair was given: at most options x
    # scale distinct pairs, counted in one pass in C and checked once each. That needs every score
    # to be exactly an int, since True == 1 and 2.0 == 2 hash alike: a bad score merged with a
    # good one would never be checked.
    given: Counter[tuple[OptionId, int]] = Counter()
    valid = False
    dicts = cast("Sequence[dict[OptionId, int]]", ballots)  # if the first test below holds
    if _only_types(dicts, (dict,)) and _only_types(
        chain.from_iterable(map(dict.values, dicts)), (int,)
    ):
        given.update(chain.from_iterable(map(dict.items, dicts)))
        try:
            check(given)
            valid = True
        except BallotError:
            valid = False
    if not valid:
        given = Counter()
        for index, ballot in enumerate(ballots):
            try:
                given.update(slow(ballot))
            except BallotError as error:
                raise error.at(index) from None
    totals = dict.fromkeys(choices, 0)
    counts = dict.fromkeys(choices, 0)
    for (option, score), weight in given.items():
        totals[option] += score * weight
        counts[option] += weight
    blank = len(ballots) - sum(map(bool, ballots))
    means = {
        option: Fraction(totals[option], counts[option]) if counts[option] else None
        for option in choices
    }
    return ScoreResult(
        options=choices,
        ballots=len(ballots),
        blank=blank,
        min_score=min_score,
        max_score=max_score,
        totals=totals,
        counts=counts,
        means=means,
    )


# --- 5. Owners' vote, Civil Code art. 278 ------------------------------------------------------


class Article278Matter(IntEnum):
    """The matters art. 278 para. 1 reserves to the owners (业主共同决定事项), numbered as there.

    Items 6 to 8 are the weighty ones (three quarters must consent). *Using* the maintenance fund
    (item 5) is an ordinary matter under the Civil Code (more than half); only *raising* it (item
    6) is weighty. The Property Law before it (art. 76) put raising and using alike.
    """

    PROCEDURAL_RULES = 1  # 制定和修改业主大会议事规则
    MANAGEMENT_COVENANT = 2  # 制定和修改管理规约
    OWNERS_COMMITTEE = 3  # 选举业主委员会或者更换业主委员会成员
    PROPERTY_MANAGER = 4  # 选聘和解聘物业服务企业或者其他管理人
    USE_MAINTENANCE_FUND = 5  # 使用建筑物及其附属设施的维修资金
    RAISE_MAINTENANCE_FUND = 6  # 筹集建筑物及其附属设施的维修资金
    REBUILD = 7  # 改建、重建建筑物及其附属设施
    COMMON_PARTS_USE = 8  # 改变共有部分的用途或者利用共有部分从事经营活动
    OTHER_MAJOR_MATTER = 9  # 有关共有和共同管理权利的其他重大事项

    @property
    def weighty(self) -> bool:
        return 6 <= self.value <= 8


#: 三分之二以上 — "以上" includes the number itself (Civil Code art. 1259).
PARTICIPATION_THRESHOLD = Threshold(Fraction(2, 3), ">=")
#: 过半数 — more than half, so exactly half fails.
ORDINARY_CONSENT_THRESHOLD = Threshold(Fraction(1, 2), ">")
#: 四分之三以上 — at least three quarters (art. 1259 again).
WEIGHTY_CONSENT_THRESHOLD = Threshold(Fraction(3, 4), ">=")


@dataclass(frozen=True)
class OwnerVoteResult:
    """The count of an owners' vote under art. 278, every measure with its threshold.

    Heads and areas are given per choice; ``participating`` = yes + no + abstain (an owner who
    abstains took part in the vote, 参与表决, but did not consent, 同意).
    """

    weighty: bool
    owners: int
    total_area: Decimal
    participating: int
    participating_area: Decimal
    yes: int
    no: int
    abstain: int
    yes_area: Decimal
    no_area: Decimal
    abstain_area: Decimal
    #: Participating owners over all owners, at least 2/3 (人数占比三分之二以上).
    participation_by_head: Measure
    #: Their exclusive area over the total, at least 2/3 (专有部分面积占比三分之二以上).
    participation_by_area: Measure
    #: Consenting owners over participating owners (参与表决人数 过半数 / 四分之三以上).
    consent_by_head: Measure
    #: Their area over the participating area (参与表决专有部分面积 过半数 / 四分之三以上).
    consent_by_area: Measure
    participation_met: bool
    consent_met: bool
    passed: bool
    reason: Reason

    @property
    def measures(self) -> tuple[Measure, Measure, Measure, Measure]:
        return (
            self.participation_by_head,
            self.participation_by_area,
            self.consent_by_head,
            self.consent_by_area,
        )


def validate_owner_vote_ballot(
    owner: OwnerId, choice: object, *, owners: Collection[OwnerId]
) -> str:
    """Check one owner's ballot as it is cast; returns the choice (yes, no or abstain)."""
    if not _contains(owners, owner):
        raise BallotError(
            BallotErrorCode.NOT_IN_ELECTORATE,
            f"{owner!r} is not an owner in this vote",
            voter=owner,
        )
    try:
        return validate_yes_no_ballot(choice)
    except BallotError as error:
        raise BallotError(error.code, error.detail, voter=owner, option=choice) from None


def tally_owner_vote(
    ballots: Mapping[OwnerId, str],
    *,
    owners: Collection[OwnerId],
    areas: Mapping[OwnerId, Decimal | int],
    weighty: bool,
) -> OwnerVoteResult:
    """Count a decision of the property owners (业主共同决定) under Civil Code art. 278.

    《中华人民共和国民法典》(2020, in force 1 January 2021) 第二百七十八条 第二款:
    "业主共同决定事项，应当由专有部分面积占比三分之二以上的业主且人数占比三分之二以上的业主参与
    表决。决定前款第六项至第八项规定的事项，应当经参与表决专有部分面积四分之三以上的业主且参与
    表决人数四分之三以上的业主同意。决定前款其他事项，应当经参与表决专有部分面积过半数的业主且
    参与表决人数过半数的业主同意。"

    So four measures, each encoded exactly as worded, with 以上 including the number itself and
    过半数 meaning more than half (art. 1259: "民法所称的'以上'、'以下'、'以内'、'届满'，包括
    本数；所称的'不满'、'超过'、'以外'，不包括本数"):

    * participation by area: participating owners' exclusive area / total exclusive area ≥ 2/3;
    * participation by head: participating owners / all owners ≥ 2/3;
    * consent by area: consenting owners' area / *participating* owners' area, > 1/2 for an
      ordinary matter, ≥ 3/4 for a weighty one (items 6-8: raising the maintenance fund,
      rebuilding, changing the use of common parts; see :class:`Article278Matter`);
    * consent by head: consenting owners / participating owners, > 1/2 or ≥ 3/4 likewise.

    Both participation measures must be met and then both consent measures.

    Who counts as an owner and what counts as area is the caller's: the Supreme People's Court's
    interpretation on building division ownership disputes (法释〔2009〕7号, amended 2020), arts.
    8-9, counts area as registered (else as surveyed, else as in the sale contract), the total as
    the sum of the exclusive parts, and heads one per exclusive part, except that one buyer of
    several parts, and the developer's unsold or undelivered parts, count as one. ``owners`` is
    that list of heads and ``areas`` each one's total exclusive area.
    """
    electorate = _electorate(owners)
    if not isinstance(weighty, bool):
        raise TypeError("weighty must be True or False")
    consent_rule = WEIGHTY_CONSENT_THRESHOLD if weighty else ORDINARY_CONSENT_THRESHOLD
    owner_area = _areas(areas, electorate)
    _check_owner_ballots(ballots, electorate)

    heads = dict.fromkeys(CHOICES, 0)
    try:
        with decimal.localcontext(_EXACT):
            total_area = sum(owner_area.values(), Decimal(0))
            area = dict.fromkeys(CHOICES, Decimal(0))
            for owner, choice in ballots.items():
                heads[choice] += 1
                area[choice] += owner_area[owner]
            participating_area = area[YES] + area[NO] + area[ABSTAIN]
    except decimal.Inexact as error:
        raise ValueError("the floor areas have too many digits to add up exactly") from error
    participating = heads[YES] + heads[NO] + heads[ABSTAIN]

    by_head = Measure.of(
        "participation_by_head", participating, len(electorate), PARTICIPATION_THRESHOLD
    )
    by_area = Measure.of(
        "participation_by_area", participating_area, total_area, PARTICIPATION_THRESHOLD
    )
    consent_head = Measure.of("consent_by_head", heads[YES], participating, consent_rule)
    consent_area = Measure.of("consent_by_area", area[YES], participating_area, consent_rule)
    participation_met = by_head.met and by_area.met
    consent_met = consent_head.met and consent_area.met
    if not participation_met:
        reason = Reason.PARTICIPATION_NOT_MET
    elif not consent_met:
        reason = Reason.CONSENT_NOT_MET
    else:
        reason = Reason.PASSED
    return OwnerVoteResult(
        weighty=weighty,
        owners=len(electorate),
        total_area=total_area,
        participating=participating,
        participating_area=participating_area,
        yes=heads[YES],
        no=heads[NO],
        abstain=heads[ABSTAIN],
        yes_area=area[YES],
        no_area=area[NO],
        abstain_area=area[ABSTAIN],
        participation_by_head=by_head,
        participation_by_area=by_area,
        consent_by_head=consent_head,
        consent_by_area=consent_area,
        participation_met=participation_met,
        consent_met=consent_met,
        passed=participation_met and consent_met,
        reason=reason,
    )


# Sums of areas must be exact: a Decimal context rounds at 28 digits by default, and a rounded
# sum could move a vote across its threshold. Trapping Inexact turns any rounding into an error.
_EXACT = decimal.Context(prec=100, traps=[decimal.Inexact, decimal.InvalidOperation])


def _electorate(owners: Collection[OwnerId]) -> frozenset[OwnerId]:
    if isinstance(owners, str | bytes):
        raise TypeError("owners must be a collection of owner ids, not a string")
    electorate = frozenset(owners)
    if not isinstance(owners, set | frozenset) and len(electorate) != len(owners):
        raise ValueError("an owner is listed twice: each owner counts once by head")
    if not electorate:
        raise ValueError("an owners' vote needs at least one owner")
    return electorate


def _areas(
    areas: Mapping[OwnerId, Decimal | int], electorate: frozenset[OwnerId]
) -> Mapping[OwnerId, Decimal]:
    """Each owner's area, checked: all at once in C when all are positive Decimals, else one by
    one so that the error names the owner."""
    try:
        if len(areas) == len(electorate) and areas.keys() == electorate:
            chosen = cast("Mapping[OwnerId, Decimal]", areas)  # the usual case: use it as it is
        else:
            chosen = cast("dict[OwnerId, Decimal]", {owner: areas[owner] for owner in electorate})
        values = chosen.values()
        if (
            _only_types(values, (Decimal,))
            and all(map(Decimal.is_finite, values))
            and min(values, default=1) > 0
        ):
            return chosen
    except KeyError:
        pass
    return {owner: _area(areas, owner) for owner in electorate}


def _area(areas: Mapping[OwnerId, Decimal | int], owner: OwnerId) -> Decimal:
    try:
        value = areas[owner]
    except KeyError:
        raise ValueError(f"no floor area is given for owner {owner!r}") from None
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"the area of {owner!r} must be a Decimal (a float is not exact)")
    value = Decimal(value)
    if not value.is_finite() or value <= 0:
        raise ValueError(f"the area of {owner!r} must be positive, not {value}")
    return value


def _check_owner_ballots(ballots: Mapping[OwnerId, str], electorate: frozenset[OwnerId]) -> None:
    if not isinstance(ballots, Mapping):
        raise TypeError("an owners' vote takes a mapping owner id -> choice")
    try:
        # Set operations in C; only on a failure is each ballot checked, to name the first.
        if not ballots.keys() - electorate and set(ballots.values()) <= set(CHOICES):
            return
    except TypeError:  # an unhashable choice
        pass
    for index, (owner, choice) in enumerate(ballots.items()):
        try:
            validate_owner_vote_ballot(owner, choice, owners=electorate)
        except BallotError as error:
            raise error.at(index, voter=owner) from None
    raise AssertionError("owner ballots failed the fast check but pass one by one")


# --- Shared checks -----------------------------------------------------------------------------


def _options(options: Sequence[OptionId]) -> tuple[OptionId, ...]:
    if isinstance(options, str | bytes):
        raise TypeError("options must be a sequence of option ids, not a string")
    choices = tuple(options)
    if not choices:
        raise ValueError("a ballot paper needs at least one option")
    if len(set(choices)) != len(choices):
        raise ValueError("an option is listed twice")
    return choices


def _tie_break_positions(
    options: tuple[OptionId, ...], tie_break: Sequence[OptionId] | None
) -> dict[OptionId, int] | None:
    if tie_break is None:
        return None
    order = tuple(tie_break)
    if len(order) != len(options) or set(order) != set(options):
        raise ValueError("tie_break must list every option exactly once")
    return {option: position for position, option in enumerate(order)}


def _check_choice_limits(n_options: int, *, min_choices: int, max_choices: int) -> None:
    for name, value in (("min_choices", min_choices), ("max_choices", max_choices)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int")
    if max_choices < 1 or min_choices < 0 or min_choices > max_choices:
        raise ValueError("need 0 <= min_choices <= max_choices and max_choices >= 1")
    if min_choices > n_options:
        raise ValueError(f"min_choices {min_choices} is more than the {n_options} options")


def _check_score_range(min_score: int, max_score: int) -> None:
    for name, value in (("min_score", min_score), ("max_score", max_score)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int")
    if min_score >= max_score:
        raise ValueError("min_score must be less than max_score")


def _contains(options: Collection[OptionId], option: object) -> bool:
    try:
        return option in options
    except TypeError:  # an unhashable "option" is not on any ballot paper
        return False


def _unknown(option: object) -> BallotError:
    return BallotError(
        BallotErrorCode.UNKNOWN_OPTION, f"{option!r} is not on the ballot paper", option=option
    )


def _check_ranking(ranking: tuple[OptionId, ...], known: Collection[OptionId]) -> None:
    for option in ranking:
        if not _contains(known, option):
            raise _unknown(option)
    if len(set(ranking)) != len(ranking):
        raise _repeated(ranking)


def _check_approval(
    choices: tuple[OptionId, ...],
    known: Collection[OptionId],
    *,
    min_choices: int,
    max_choices: int,
) -> None:
    _check_ranking(choices, known)
    if len(choices) > max_choices:
        raise BallotError(
            BallotErrorCode.TOO_MANY_CHOICES,
            f"approves {len(choices)} options; at most {max_choices} may be approved",
        )
    if len(choices) < min_choices:
        raise BallotError(
            BallotErrorCode.TOO_FEW_CHOICES,
            f"approves {len(choices)} options; at least {min_choices} must be approved",
        )


def _check_scores(
    items: Iterable[tuple[OptionId, int]],
    known: Collection[OptionId],
    *,
    min_score: int,
    max_score: int,
) -> None:
    for option, score in items:
        if not _contains(known, option):
            raise _unknown(option)
        if isinstance(score, bool) or not isinstance(score, int):
            raise BallotError(
                BallotErrorCode.SCORE_NOT_INTEGER,
                f"the score for {option!r} must be a whole number, not {score!r}",
                option=option,
            )
        if not min_score <= score <= max_score:
            raise BallotError(
                BallotErrorCode.SCORE_OUT_OF_RANGE,
                f"the score {score} for {option!r} is outside {min_score}..{max_score}",
                option=option,
            )


def _repeated(choices: tuple[OptionId, ...]) -> BallotError:
    seen: set[OptionId] = set()
    for option in choices:
        if option in seen:
            break
        seen.add(option)
    return BallotError(
        BallotErrorCode.REPEATED_OPTION, f"{option!r} appears twice on the ballot", option=option
    )


def _as_choices(ballot: object, *, allow_sets: bool) -> tuple[OptionId, ...]:
    # A string is a sequence of characters, not of options: reject it rather than count letters.
    if isinstance(ballot, Sequence) and not isinstance(ballot, str | bytes):
        return tuple(ballot)
    if allow_sets and isinstance(ballot, set | frozenset):
        return tuple(ballot)
    kind = "a list or set of options" if allow_sets else "a list of options, first choice first"
    raise BallotError(BallotErrorCode.MALFORMED, f"a ballot is {kind}, not {ballot!r}")


def _as_sequence(ballots: Iterable[T]) -> Sequence[T]:
    # Counting passes over the ballots more than once; a generator would be empty the second time.
    if isinstance(ballots, str | bytes | Mapping):
        raise TypeError("ballots must be a list of ballots")
    return ballots if isinstance(ballots, Sequence) else list(ballots)


def _only_types(values: Iterable[object], types: tuple[type, ...]) -> bool:
    """Whether every value is exactly one of ``types`` (checked in C, not one by one in Python)."""
    return set(map(type, values)) <= set(types)


def _group(
    ballots: Sequence[Any],
    *,
    fast: bool,
    key: Callable[[Any], K] | None,
    check: Callable[[K], None],
    slow: Callable[[object], K],
) -> Counter[K]:
    """Count identical ballots together, validating each distinct ballot once.

    On the fast path (every ballot of a plain type) Counter makes the pass over the ballots in C
    and only the distinct ballots are checked. If one fails, or a ballot is of another type, the
    ballots are checked one by one in the order cast, so the error names the first bad one.
    """
    if fast:
        try:
            groups: Counter[K] = Counter(ballots if key is None else map(key, ballots))
            for group in groups:
                check(group)
        except (BallotError, TypeError):  # TypeError: an unhashable ballot or option
            _raise_first(ballots, slow)
        else:
            return groups
    groups = Counter()
    for index, ballot in enumerate(ballots):
        try:
            groups[slow(ballot)] += 1
        except BallotError as error:
            raise error.at(index) from None
    return groups


def _rank(
    ranked: list[OptionId], counts: dict[OptionId, int], n_ballots: int
) -> tuple[RankedOption, ...]:
    ranking: list[RankedOption] = []
    for position, option in enumerate(ranked):
        votes = counts[option]
        tied_above = ranking and ranking[-1].votes == votes
        rank = ranking[-1].rank if tied_above else position + 1
        share = Fraction(votes, n_ballots) if n_ballots else None
        ranking.append(RankedOption(option, votes, rank, share))
    return tuple(ranking)


def _raise_first(ballots: Sequence[object], slow: Callable[[object], object]) -> NoReturn:
    for index, ballot in enumerate(ballots):
        try:
            slow(ballot)
        except BallotError as error:
            raise error.at(index) from None
    raise AssertionError("ballots failed the grouped check but pass one by one")
