"""Reads of covenants that pages and the API share: where a round stands, the list, a covenant's
page, its versions as ``text.Text`` values, an article with its paragraphs, and diffs."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from gongzhi.covenants.models import Round, RoundStatus

#: Every answer of ``current_phase``, in the order a round runs through them.
PHASES = (
    "drafting",
    "consultation",
    "revision",
    "ratification",
    "filing",
    "in_force",
    "not_adopted",
    "abandoned",
)

_BY_STATUS = {
    RoundStatus.RATIFYING: "ratification",
    RoundStatus.RATIFIED: "filing",
    RoundStatus.IN_FORCE: "in_force",
    RoundStatus.NOT_ADOPTED: "not_adopted",
    RoundStatus.ABANDONED: "abandoned",
}


def current_phase(round: Round, now: datetime | None = None) -> str:
    """Where ``round`` stands at ``now``: while it is open, its dates say (before drafting
    begins it counts as drafting; once revision has ended it waits for ratification); after
    that its status does."""
    if round.status != RoundStatus.OPEN:
        return _BY_STATUS[RoundStatus(round.status)]
    now = now or timezone.now()
    schedule = round.schedule()
    if schedule.is_over(now):
        return "ratification"
    return schedule.current_key(now, default="drafting")


def feature_open(round: Round, feature: str, now: datetime | None = None) -> bool:
    """Whether the round is open and its current dated phase opens ``feature`` ("comment",
    "amend", "support", "decide": ``models.ROUND_FEATURES``)."""
    return round.status == RoundStatus.OPEN and round.schedule().is_open(feature, now)
