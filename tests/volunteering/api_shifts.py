"""The API world and steps of volunteering's shifts part (tests/test_api_routes.py runs them)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from gongzhi.accounts.services import api_token_create
from gongzhi.volunteering.models import ActivityStatus
from tests.factories import member
from tests.volunteering.world import activity_of, shift_of, signup_of, volunteer_of

C = "communities/{slug}/volunteering"


def build(world: Any, community: Any) -> None:
    """Add what this part's steps need to ``world`` (users in world.users, ids in world.ids)."""
    worker = world.users["worker"]
    person = member(community)
    world.users["shift_volunteer"] = person
    world.tokens["shift_volunteer"] = api_token_create(user=person, name="api world")[1]
    volunteer = volunteer_of(community, person)
    activity = activity_of(community, worker, title="楼道清扫")
    open_shift = shift_of(activity, starts_in=timedelta(days=4), capacity=3)
    other_shift = shift_of(activity, starts_in=timedelta(days=6), capacity=3)
    draft = activity_of(community, worker, title="旧物回收", status=ActivityStatus.DRAFT)
    ids = world.ids
    ids["shift_activity_id"] = activity.pk
    ids["shift_draft_activity_id"] = draft.pk
    ids["shift_open_id"] = open_shift.pk
    ids["shift_other_id"] = other_shift.pk
    ids["shift_signup_id"] = signup_of(other_shift, volunteer).pk


def _in(days: int, hours: int = 0) -> str:
    return (timezone.now() + timedelta(days=days, hours=hours)).isoformat()


def steps(Step: Any) -> list[Any]:
    """One ``Step`` per route of this part, in the order they run."""
    activity = {"activity_id": "shift_activity_id"}
    draft = {"activity_id": "shift_draft_activity_id"}
    return [
        Step(f"GET {C}/activities", None, 200),
        Step(f"GET {C}/activities/{{activity_id}}", "shift_volunteer", 200, params=activity),
        Step(
            f"POST {C}/activities",
            "worker",
            201,
            {"title": "社区义诊引导", "description": "引导居民排队、测血压", "place": "社区广场"},
        ),
        Step(
            f"POST {C}/activities/{{activity_id}}/shifts",
            "worker",
            201,
            {"starts_at": _in(5), "ends_at": _in(5, 2), "capacity": 4, "min_age": 16},
            params=draft,
        ),
        Step(f"POST {C}/activities/{{activity_id}}/publish", "worker", 200, {}, params=draft),
        Step(
            f"POST {C}/shifts/{{shift_id}}/signups",
            "shift_volunteer",
            201,
            {},
            params={"shift_id": "shift_open_id"},
        ),
        Step(
            f"POST {C}/shifts/{{shift_id}}/signups/{{signup_id}}/cancel",
            "shift_volunteer",
            200,
            {},
            params={"shift_id": "shift_other_id", "signup_id": "shift_signup_id"},
        ),
    ]
