"""The forecast part's API route: one step (a worker reads the forecast of the world's spaces)."""

from __future__ import annotations

from typing import Any

C = "communities/{slug}/spaces/forecast"


def build(world: Any, community: Any) -> None:
    """Nothing of its own: the other parts' spaces (open, with no history) are forecast."""


def steps(Step: Any) -> list[Any]:
    return [Step(f"GET {C}", "worker", 200)]
