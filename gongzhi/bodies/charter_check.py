"""``core.decisions.require_power``'s answer for bodies (filled in by this issue's work)."""

from __future__ import annotations


def check(
    *, community_id: int, body_id: int, kind: str, amount_fen: int | None, topic: str
) -> None:
    raise NotImplementedError
