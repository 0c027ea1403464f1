"""The booking part's API routes: what it adds to the world, and one step per route."""

from __future__ import annotations

from typing import Any


def build(world: Any, community: Any) -> None:
    return None


def steps(Step: Any) -> list[Any]:
    return []
