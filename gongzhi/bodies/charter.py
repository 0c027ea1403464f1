"""A charter's rules as plain data, and whether a decision or an amendment meets them (R5.1).

No ORM here: ``services.py`` reads a ``Charter`` row into ``Rules`` and turns each ``Refusal``
into a translated error. The rules follow how Chinese residents' bodies decide
(城市居民委员会组织法, 业主大会和业主委员会指导规则): a quorum of the seated members must be
present, and a decision needs at least the charter's share of the votes — of those present or of
all seated members — and always more than half of that base (过半数): a tie never decides, so a
charter's "50 %" means a strict majority. An amendment needs the *previous* version's
amendment share of all seated members.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

PRESENT = "present"
MEMBERS = "members"


@dataclass(frozen=True)
class Power:
    """One kind of decision a charter grants, with its ceiling and topics (none = any), and,
    for matters the charter treats apart ("two thirds for some matters"), its own quorum and
    threshold (none: the charter's)."""

    kind: str
    max_amount_fen: int | None = None
    topics: tuple[str, ...] = ()
    quorum_percent: int | None = None
    threshold_percent: int | None = None


@dataclass(frozen=True)
class Rules:
    powers: tuple[Power, ...]
    quorum_percent: int
    threshold_percent: int
    threshold_base: str = PRESENT
    amendment_percent: int = 67


@dataclass(frozen=True)
class Refusal:
    """Why a decision does not stand: a stable ``code`` and the numbers its message needs."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)


def _percent_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def power_from_dict(data: Mapping[str, Any]) -> Power:
    """A power as ``Charter.powers`` stores it: ``{"kind", "max_amount_fen", "topics"}`` and,
    optionally, ``"quorum_percent"`` and ``"threshold_percent"``."""
    ceiling = data.get("max_amount_fen")
    return Power(
        kind=str(data["kind"]),
        max_amount_fen=None if ceiling is None else int(ceiling),
        topics=tuple(str(t) for t in data.get("topics") or ()),
        quorum_percent=_percent_or_none(data.get("quorum_percent")),
        threshold_percent=_percent_or_none(data.get("threshold_percent")),
    )


def powers_from_dicts(items: Iterable[Mapping[str, Any]]) -> tuple[Power, ...]:
    return tuple(power_from_dict(item) for item in items)


def power_for(rules: Rules, kind: str) -> Power | None:
    return next((p for p in rules.powers if p.kind == kind), None)


def rules_for(rules: Rules, kind: str) -> Rules:
    """The rules a decision of ``kind`` is taken under: the charter's, with its power's own
    quorum and threshold where it names them."""
    power = power_for(rules, kind) if kind else None
    if power is None or (power.quorum_percent is None and power.threshold_percent is None):
        return rules
    return replace(
        rules,
        quorum_percent=power.quorum_percent or rules.quorum_percent,
        threshold_percent=power.threshold_percent or rules.threshold_percent,
    )


def check_power(rules: Rules, *, kind: str, amount_fen: int | None, topic: str) -> list[Refusal]:
    """Whether the charter grants this decision at all: its kind, ceiling and topic."""
    power = power_for(rules, kind)
    if power is None:
        return [Refusal("outside_charter", {"kind": kind})]
    refusals = []
    if power.max_amount_fen is not None and (amount_fen or 0) > power.max_amount_fen:
        refusals.append(
            Refusal("over_ceiling", {"amount_fen": amount_fen, "ceiling": power.max_amount_fen})
        )
    if power.topics and topic not in power.topics:
        refusals.append(Refusal("topic_not_granted", {"topic": topic, "topics": power.topics}))
    return refusals


def check_counts(
    *, seated: int, present: int, votes_for: int, votes_against: int, abstentions: int
) -> list[Refusal]:
    """The numbers must be possible: nobody votes twice, nobody present who is not seated."""
    if min(seated, present, votes_for, votes_against, abstentions) < 0:
        return [Refusal("counts_invalid")]
    if present > seated:
        return [Refusal("present_over_seated", {"present": present, "seated": seated})]
    if votes_for + votes_against + abstentions > present:
        return [Refusal("votes_over_present", {"present": present})]
    return []


def has_quorum(rules: Rules, *, seated: int, present: int) -> bool:
    return seated > 0 and present * 100 >= rules.quorum_percent * seated


def _share_met(votes_for: int, base: int, percent: int) -> bool:
    """At least ``percent`` of ``base``, and always more than half of it."""
    return base > 0 and votes_for * 100 >= percent * base and votes_for * 2 > base


def threshold_met(rules: Rules, *, seated: int, present: int, votes_for: int) -> bool:
    """Whether ``votes_for`` meet the threshold of ``rules`` (of those present or of all seated
    members, as the charter counts); ``rules_for`` gives a power's own threshold."""
    base = seated if rules.threshold_base == MEMBERS else present
    return _share_met(votes_for, base, rules.threshold_percent)


def check_decision(
    rules: Rules,
    *,
    kind: str,
    amount_fen: int | None,
    topic: str,
    seated: int,
    present: int,
    votes_for: int,
    votes_against: int,
    abstentions: int,
) -> list[Refusal]:
    """Every reason the decision does not stand under ``rules`` (empty: it stands); a power's
    own quorum and threshold apply to its kind."""
    refusals = check_power(rules, kind=kind, amount_fen=amount_fen, topic=topic)
    rules = rules_for(rules, kind)
    counts = check_counts(
        seated=seated,
        present=present,
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
    )
    if counts:
        return refusals + counts
    if not has_quorum(rules, seated=seated, present=present):
        refusals.append(
            Refusal(
                "no_quorum", {"present": present, "seated": seated, "percent": rules.quorum_percent}
            )
        )
        return refusals
    base = seated if rules.threshold_base == MEMBERS else present
    if not _share_met(votes_for, base, rules.threshold_percent):
        refusals.append(
            Refusal(
                "threshold_not_met",
                {"votes_for": votes_for, "base": base, "percent": rules.threshold_percent},
            )
        )
    return refusals


def check_amendment(
    previous: Rules,
    *,
    seated: int,
    present: int,
    votes_for: int,
    votes_against: int,
    abstentions: int,
) -> list[Refusal]:
    """A new version stands if the one in force's quorum is present and its amendment share
    of all seated members voted for it."""
    counts = check_counts(
        seated=seated,
        present=present,
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
    )
    if counts:
        return counts
    if not has_quorum(previous, seated=seated, present=present):
        return [
            Refusal(
                "no_quorum",
                {"present": present, "seated": seated, "percent": previous.quorum_percent},
            )
        ]
    if not _share_met(votes_for, seated, previous.amendment_percent):
        return [
            Refusal(
                "amendment_not_met",
                {"votes_for": votes_for, "base": seated, "percent": previous.amendment_percent},
            )
        ]
    return []
