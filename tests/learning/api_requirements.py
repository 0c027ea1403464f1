"""The API world and steps of learning's requirements part (tests/test_api_routes.py runs them)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from gongzhi.core import requirements

C = "communities/{slug}/learning"


def _next_year() -> str:
    # Far enough ahead that no other part's role grant in the same world meets it.
    return (timezone.localdate() + timedelta(days=365)).isoformat()


def build(world: Any, community: Any) -> None:
    """Add what this part's steps need to ``world`` (users in world.users, ids in world.ids)."""
    on = requirements.turn_on(
        actor=world.users["worker"],
        community=community,
        role="reviewer",
        qualification="first_aid",
        applies_from=timezone.localdate() + timedelta(days=365),
    )
    world.ids["requirement_id"] = on.pk


def steps(Step: Any) -> list[Any]:
    """One ``Step`` per route of this part, in the order they run."""
    return [
        Step(f"GET {C}/requirements", "worker", 200),
        Step(
            f"POST {C}/requirements",
            "worker",
            201,
            lambda ids: {
                "role": "org_leader",
                "qualification": "leadership",
                "applies_from": _next_year(),
            },
        ),
        Step(
            f"POST {C}/requirements/{{requirement_id}}/off",
            "worker",
            200,
            params={"requirement_id": "requirement_id"},
        ),
    ]
