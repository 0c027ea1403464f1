"""Spaces' share of the API world and the route steps, one module per part (``api_catalogue``,
``api_booking``, …), so that each part's author edits only their own file."""

from __future__ import annotations

import importlib
from typing import Any

PARTS = ("catalogue", "booking", "series", "lending", "revival", "forecast")


def _modules() -> list[Any]:
    return [importlib.import_module(f"tests.spaces.api_{part}") for part in PARTS]


def build(world: Any, community: Any) -> None:
    for module in _modules():
        module.build(world, community)


def steps(Step: Any) -> list[Any]:
    return [step for module in _modules() for step in module.steps(Step)]
