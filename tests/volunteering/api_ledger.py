"""The API world and steps of volunteering's ledger part (tests/test_api_routes.py runs them)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from gongzhi.accounts.services import api_token_create
from tests.factories import member
from tests.volunteering.world import (
    activity_of,
    entry_of,
    shift_of,
    signup_of,
    team_of,
    volunteer_of,
)

C = "communities/{slug}/volunteering"


def build(world: Any, community: Any) -> None:
    """Add what this part's steps need to ``world`` (users in world.users, ids in world.ids)."""
    worker = world.users["worker"]
    person = member(community)
    world.users["ledger_volunteer"] = person
    world.tokens["ledger_volunteer"] = api_token_create(user=person, name="api world")[1]
    team = team_of(community, worker, name="账本测试队")
    activity = activity_of(community, worker, team=team, title="社区花园浇水")
    shift = shift_of(activity, starts_in=-timedelta(hours=1), hours=2)
    done = shift_of(activity, starts_in=-timedelta(days=2), hours=2)
    ids = world.ids
    ids["ledger_team_id"] = team.pk
    ids["ledger_shift_id"] = shift.pk
    ids["ledger_shift_start"] = shift.starts_at.isoformat()
    ids["ledger_arriving_id"] = signup_of(shift, volunteer_of(community)).pk
    ids["ledger_absent_id"] = signup_of(shift, volunteer_of(community)).pk
    ids["ledger_served_id"] = signup_of(
        shift,
        volunteer_of(community),
        arrived_at=shift.starts_at,
        left_at=shift.starts_at + timedelta(minutes=45),
    ).pk
    mine = signup_of(done, volunteer_of(community, person))
    ids["ledger_entry_id"] = entry_of(mine, worker, minutes=120).pk


def steps(Step: Any) -> list[Any]:
    """One ``Step`` per route of this part, in the order they run."""
    roll = C + "/shifts/{shift_id}/roll"
    shift = {"shift_id": "ledger_shift_id"}
    arriving = {**shift, "signup_id": "ledger_arriving_id"}
    return [
        Step(f"GET {roll}", "worker", 200, params=shift),
        Step(
            f"POST {roll}/{{signup_id}}/arrival",
            "worker",
            200,
            lambda ids: {"at": ids["ledger_shift_start"]},
            params=arriving,
        ),
        Step(f"POST {roll}/{{signup_id}}/departure", "worker", 200, {}, params=arriving),
        Step(
            f"POST {roll}/{{signup_id}}/no-show",
            "worker",
            200,
            params={**shift, "signup_id": "ledger_absent_id"},
        ),
        Step(
            f"POST {roll}/{{signup_id}}/confirm",
            "worker",
            201,
            params={**shift, "signup_id": "ledger_served_id"},
        ),
        Step(f"GET {C}/volunteers/me/hours", "ledger_volunteer", 200),
        Step(
            f"GET {C}/teams/{{team_id}}/hours",
            "worker",
            200,
            params={"team_id": "ledger_team_id"},
        ),
        Step(
            f"POST {C}/hours/{{entry_id}}/reversal",
            "worker",
            201,
            {"reason": "签到时间录错了"},
            params={"entry_id": "ledger_entry_id"},
        ),
    ]
