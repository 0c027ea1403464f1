"""The API world and steps of volunteering's core part (tests/test_api_routes.py runs them)."""

from __future__ import annotations

from typing import Any

from gongzhi.accounts.services import api_token_create
from gongzhi.volunteering.models import Team, TeamKind
from tests.factories import member
from tests.volunteering.world import volunteer_of

C = "communities/{slug}/volunteering"


def _user(world: Any, community: Any, name: str, **fields: Any) -> Any:
    user = member(community, **fields)
    world.users[name] = user
    world.tokens[name] = api_token_create(user=user, name="api world")[1]
    return user


def build(world: Any, community: Any) -> None:
    """Add what this part's steps need to ``world`` (users in world.users, ids in world.ids)."""
    # Own people, so that other parts' volunteers never collide with a registration here.
    _user(world, community, "core_joiner")
    known = volunteer_of(community, _user(world, community, "core_volunteer"))
    team = Team.objects.create(
        community=community,
        name="核心测试队",
        kind=TeamKind.GARDEN,
        created_by=world.users["worker"],
    )
    world.ids["core_team_id"] = team.pk
    world.ids["core_volunteer_id"] = known.pk


REGISTER = {
    "consent": True,
    "emergency_name": "王芳",
    "emergency_phone": "13900009999",
    "skills": ["急救"],
}


def steps(Step: Any) -> list[Any]:
    """One ``Step`` per route of this part, in the order they run."""
    team = {"team_id": "core_team_id"}
    return [
        Step(f"POST {C}/volunteers", "core_joiner", 201, REGISTER),
        Step(f"GET {C}/volunteers", "worker", 200, query="skill=急救"),
        Step(f"GET {C}/volunteers/me", "core_joiner", 200),
        Step(f"PATCH {C}/volunteers/me", "core_joiner", 200, {"availability": "周末"}),
        Step(f"GET {C}/teams", None, 200),
        Step(f"POST {C}/teams", "worker", 201, {"name": "巡逻队", "kind": "patrol"}),
        Step(
            f"POST {C}/teams/{{team_id}}/members",
            "core_volunteer",
            201,
            {"volunteer": None},
            params=team,
        ),
        Step(
            f"POST {C}/teams/{{team_id}}/leaders",
            "worker",
            201,
            lambda ids: {"volunteer": ids["core_volunteer_id"]},
            params=team,
        ),
    ]
