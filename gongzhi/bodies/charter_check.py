"""``core.decisions.require_power``'s answer for bodies: does the charter in force today let
this body take this decision (its kind, ceiling and topic)? Raises ``ValidationError`` with code
``outside_charter`` if not."""

from __future__ import annotations


def check(
    *, community_id: int, body_id: int, kind: str, amount_fen: int | None, topic: str
) -> None:
    from gongzhi.bodies.services import power_check

    power_check(
        community_id=community_id, body_id=body_id, kind=kind, amount_fen=amount_fen, topic=topic
    )
