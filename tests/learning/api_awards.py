"""The API world and steps of learning's awards part (tests/test_api_routes.py runs them)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from gongzhi.learning.models import EnrolmentStatus
from gongzhi.learning.qualifications import grant_for_completion
from tests.factories import member
from tests.learning.world import award_of, course_of, enrolment_of

C = "communities/{slug}/learning"


def build(world: Any, community: Any) -> None:
    """Add what this part's steps need to ``world`` (users in world.users, ids in world.ids)."""
    worker = world.users["worker"]
    resident = world.users["resident"]
    course = course_of(community, worker, title="急救培训", qualification="first_aid")
    granted = grant_for_completion(
        actor=worker,
        enrolment=enrolment_of(course, member(community), status=EnrolmentStatus.COMPLETED),
    )
    assert granted is not None
    world.ids["award_token"] = granted.token
    award_of(community, resident, code="chairing", granted_by=worker)
    to_revoke = award_of(
        community,
        member(community),
        code="mediation",
        valid_until=timezone.localdate() + timedelta(days=300),
        granted_by=worker,
    )
    world.ids["revocable_award_id"] = to_revoke.pk
    world.ids["award_person_id"] = world.users["neighbour"].pk


def steps(Step: Any) -> list[Any]:
    """One ``Step`` per route of this part, in the order they run."""
    return [
        Step(f"GET {C}/me/qualifications", "resident", 200),
        Step(f"GET {C}/qualifications", None, 200),
        Step(
            f"POST {C}/people/{{user_id}}/qualifications",
            "worker",
            201,
            {
                "qualification": "first_aid",
                "valid_from": timezone.localdate().isoformat(),
                "valid_until": None,
                "evidence": "红十字会急救员证 No. 2026-001",
            },
            params={"user_id": "award_person_id"},
        ),
        Step(
            f"POST {C}/awards/{{award_id}}/revoke",
            "worker",
            200,
            {"reason": "证书信息有误"},
            params={"award_id": "revocable_award_id"},
        ),
        Step(f"GET {C}/awards/{{token}}/verify", None, 200, params={"token": "award_token"}),
    ]
