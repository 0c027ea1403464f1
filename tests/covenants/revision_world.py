"""Builders the revision part's tests share: a drafting body seated and chartered to decide on
covenant amendments, and a covenant in revision drafted by it."""

from __future__ import annotations

from typing import Any

from gongzhi.bodies.models import Body
from gongzhi.covenants.models import Covenant
from tests.covenants.world import covenant_of
from tests.meetings.world import seated_council

DECIDE = {"kind": "decide_covenant_amendment", "max_amount_fen": None, "topics": []}


def deciding_body(community: Any, worker: Any, *, members: int = 3) -> tuple[Body, list[Any]]:
    """A council of ``members`` seated people whose charter grants deciding on amendments."""
    return seated_council(community, worker, members=members, powers=[DECIDE])


def covenant_in(
    community: Any, worker: Any, *, phase: str = "revision", body: Body | None = None, **fields: Any
) -> tuple[Covenant, list[Any]]:
    """A covenant in ``phase`` drafted by a chartered council; with the council's members."""
    people: list[Any] = []
    if body is None:
        body, people = deciding_body(community, worker)
    return covenant_of(community, worker, body=body, phase=phase, **fields), people


#: a decision of a three-member body: all present, unanimous
UNANIMOUS = {"present": 3, "votes_for": 3, "votes_against": 0, "abstentions": 0}
