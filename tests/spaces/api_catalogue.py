"""The catalogue part's API routes: what it adds to the world, and one step per route."""

from __future__ import annotations

from typing import Any

from gongzhi.spaces.models import SpaceStatus
from tests.spaces.world import at, booking_of, space_of

C = "communities/{slug}/spaces"


def build(world: Any, community: Any) -> None:
    worker = world.users["worker"]
    ids = world.ids
    shown = space_of(community, worker, name="目录·议事厅", step_free=True, lift=True)
    ids["catalogue_space_id"] = shown.pk
    draft = space_of(community, worker, name="目录·屋顶花园", status=SpaceStatus.DRAFT)
    ids["catalogue_draft_id"] = draft.pk
    booking_of(shown, world.users["resident"], at(days=2, hour=9))


def steps(Step: Any) -> list[Any]:
    shown = {"space_id": "catalogue_space_id"}
    draft = {"space_id": "catalogue_draft_id"}
    return [
        Step(f"GET {C}", "resident", 200),
        Step(f"GET {C}/my-bookings", "resident", 200),
        Step(f"GET {C}/feeds", "resident", 200),
        Step(f"GET {C}/{{space_id}}", "resident", 200, params=shown),
        Step(
            f"POST {C}",
            "worker",
            201,
            {
                "name": "目录·阅览室",
                "kind": "reading_room",
                "capacity": 20,
                "seats": 20,
                "step_free": True,
                "max_minutes": 240,
            },
        ),
        Step(
            f"PATCH {C}/{{space_id}}",
            "worker",
            200,
            {"needs_approval": True, "fee": "20.00", "fee_note": "电费"},
            draft,
        ),
        Step(f"POST {C}/{{space_id}}/open", "worker", 200, params=draft),
        Step(f"POST {C}/{{space_id}}/close", "worker", 200, {"reason": "装修"}, draft),
    ]
