"""The API world and steps of learning's attendance part (tests/test_api_routes.py runs them)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from gongzhi.accounts.services import api_token_create
from gongzhi.learning.models import Attendance
from tests.factories import member
from tests.learning.world import course_of, enrolment_of, session_of, trainer_of

C = "communities/{slug}/learning"


def build(world: Any, community: Any) -> None:
    """Add what this part's steps need to ``world`` (users in world.users, ids in world.ids)."""
    worker = world.users["worker"]
    rater = member(community)
    world.users["attendance_learner"] = rater
    world.tokens["attendance_learner"] = api_token_create(user=rater, name="api world")[1]
    ids = world.ids
    # A course with a session that started an hour ago: its roll, a mark, a rating.
    running = course_of(community, worker, title="调解入门")
    trainer_of(running)
    session = session_of(running, starts_in=-timedelta(hours=1), hours=2)
    ids["attendance_session_id"] = session.pk
    ids["attendance_enrolment_id"] = enrolment_of(running).pk
    rating = enrolment_of(running, rater)
    Attendance.objects.in_community(community).create(
        session=session, enrolment=rating, recorded_by=rater
    )
    # An assessed course whose one session is over: an assessment, a decision, the finish.
    over = course_of(community, worker, title="会议主持", assessed=True, min_attendance=100)
    trainer_of(over)
    past = session_of(over, starts_in=-timedelta(days=2))
    learner = enrolment_of(over)
    Attendance.objects.in_community(community).create(
        session=past, enrolment=learner, recorded_by=learner.person
    )
    ids["attendance_assessed_id"] = learner.pk
    ids["attendance_course_id"] = over.pk


def steps(Step: Any) -> list[Any]:
    """One ``Step`` per route of this part, in the order they run."""
    session = {"session_id": "attendance_session_id"}
    assessed = {"enrolment_id": "attendance_assessed_id"}
    return [
        Step(f"GET {C}/sessions/{{session_id}}/roll", "worker", 200, params=session),
        Step(
            f"POST {C}/sessions/{{session_id}}/attendances",
            "worker",
            200,
            lambda ids: {"enrolment": ids["attendance_enrolment_id"], "present": True},
            params=session,
        ),
        Step(
            f"POST {C}/enrolments/{{enrolment_id}}/assessment",
            "worker",
            200,
            {"passed": True, "note": "主持有条理"},
            params=assessed,
        ),
        Step(f"POST {C}/enrolments/{{enrolment_id}}/completion", "worker", 200, params=assessed),
        Step(
            f"POST {C}/courses/{{course_id}}/finish",
            "worker",
            200,
            params={"course_id": "attendance_course_id"},
        ),
        Step(
            f"POST {C}/sessions/{{session_id}}/ratings",
            "attendance_learner",
            201,
            {"stars": 5, "comment": "讲得很清楚"},
            params=session,
        ),
    ]
