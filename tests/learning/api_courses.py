"""The API world and steps of learning's courses part (tests/test_api_routes.py runs them)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from gongzhi.accounts.services import api_token_create
from gongzhi.learning.models import CourseStatus
from tests.factories import member
from tests.learning.world import course_of, enrolment_of, session_of

C = "communities/{slug}/learning"


def build(world: Any, community: Any) -> None:
    """Add what this part's steps need to ``world`` (users in world.users, ids in world.ids)."""
    worker = world.users["worker"]
    learner = member(community)
    world.users["course_learner"] = learner
    world.tokens["course_learner"] = api_token_create(user=learner, name="api world")[1]
    ids = world.ids
    open_course = course_of(community, worker, title="社区领导力")
    session_of(open_course, starts_in=timedelta(days=7))
    ids["course_open_id"] = open_course.pk
    draft = course_of(
        community, worker, title="急救入门", status=CourseStatus.DRAFT, published_at=None
    )
    session_of(draft, starts_in=timedelta(days=9))
    ids["course_draft_id"] = draft.pk
    other = course_of(community, worker, title="数字助老")
    session_of(other, starts_in=timedelta(days=8))
    ids["course_enrolment_id"] = enrolment_of(other, learner).pk
    ids["course_trainer_person"] = world.users["neighbour"].pk


def _in(days: int, hours: int = 0) -> str:
    return (timezone.now() + timedelta(days=days, hours=hours)).isoformat()


def steps(Step: Any) -> list[Any]:
    """One ``Step`` per route of this part, in the order they run."""
    open_course = {"course_id": "course_open_id"}
    draft = {"course_id": "course_draft_id"}
    return [
        Step(f"GET {C}/courses", None, 200),
        Step(f"GET {C}/courses/{{course_id}}", "course_learner", 200, params=open_course),
        Step(
            f"POST {C}/courses",
            "resident",
            201,
            {
                "title": "邻里调解",
                "topic": "mediation",
                "capacity": 15,
                "qualification": "mediation",
            },
        ),
        Step(
            f"POST {C}/courses/{{course_id}}/sessions",
            "worker",
            201,
            {"starts_at": _in(10), "ends_at": _in(10, 2), "place": "社区活动室"},
            params=draft,
        ),
        Step(
            f"POST {C}/courses/{{course_id}}/trainers",
            "worker",
            201,
            lambda ids: {"person": ids["course_trainer_person"], "kind": "resident"},
            params=draft,
        ),
        Step(f"POST {C}/courses/{{course_id}}/publish", "worker", 200, {}, params=draft),
        Step(
            f"POST {C}/courses/{{course_id}}/enrolments",
            "course_learner",
            201,
            {},
            params=open_course,
        ),
        Step(
            f"POST {C}/enrolments/{{enrolment_id}}/cancel",
            "course_learner",
            200,
            {},
            params={"enrolment_id": "course_enrolment_id"},
        ),
        Step(f"GET {C}/me/enrolments", "course_learner", 200),
    ]
