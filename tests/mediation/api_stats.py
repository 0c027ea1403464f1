"""The API world and steps of mediation's stats part (tests/test_api_routes.py runs them)."""

from __future__ import annotations

from typing import Any

C = "communities/{slug}/mediation"


def build(world: Any, community: Any) -> None:
    """Add what this part's steps need to ``world`` (users in world.users, ids in world.ids)."""


def steps(Step: Any) -> list[Any]:
    """One ``Step`` per route of this part, in the order they run."""
    return [Step(f"GET {C}/statistics", "worker", 200)]
