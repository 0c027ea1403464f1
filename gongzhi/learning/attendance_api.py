"""API routes of the attendance part, under /communities/{slug}/learning/: a session's roll,
marking a learner present or not, an assessment, a completion decision, finishing a course,
and a learner's rating of a session. Refusals are 400 with the service's code
(``own_assessment``, ``own_completion``, ``own_attendance``, ``not_assessed``,
``course_not_over``, ``assessment_missing``, ``already_rated``, ``stars_invalid`` …); a session,
course or enrolment the caller may not act on is 404, as a missing one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from gongzhi.core.http import api_user
from gongzhi.core.selectors import community_get
from gongzhi.learning import attendance, attendance_selectors
from gongzhi.learning.models import Enrolment

router = Router(tags=["learning"])

C = "/communities/{slug}/learning"
SESSION = C + "/sessions/{session_id}"


class LearningRollLineOut(Schema):
    enrolment: int
    person: int
    name: str
    status: str = Field(..., description="enrolled, completed or not_completed")
    present: bool
    arrived_at: datetime | None
    recorded_by: int | None = Field(..., description="The learner (a scan) or a trainer.")


class LearningRollOut(Schema):
    session: int
    course: int
    starts_at: datetime
    ends_at: datetime
    cancelled: bool
    lines: list[LearningRollLineOut]


class LearningAttendanceIn(Schema):
    enrolment: int
    present: bool = Field(True, description="False takes the learner off the roll.")


class LearningAttendanceOut(Schema):
    session: int
    enrolment: int
    present: bool
    arrived_at: datetime | None


class LearningAssessmentIn(Schema):
    passed: bool
    note: str = ""


class LearningAssessmentOut(Schema):
    enrolment: int
    passed: bool
    note: str
    marked_by: int
    marked_at: datetime


class LearningCompletionOut(Schema):
    enrolment: int
    status: str = Field(..., description="completed or not_completed")
    attended: int
    held: int = Field(..., description="Sessions that took place (not cancelled, ended).")
    needed: int


class LearningCourseFinishedOut(Schema):
    course: int
    status: str
    completed: int
    not_completed: int


class LearningRatingIn(Schema):
    stars: int = Field(..., description="1 to 5.")
    comment: str = ""


class LearningRatingOut(Schema):
    id: int
    session: int
    stars: int
    comment: str


@router.get(
    SESSION + "/roll",
    response=LearningRollOut,
    summary="A course session's roll (those who run the course)",
)
def roll_get(request: HttpRequest, slug: str, session_id: int) -> dict[str, Any]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    session = attendance_selectors.session_for_roll(community, user, session_id)
    return {
        "session": session.pk,
        "course": session.course_id,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "cancelled": session.cancelled_at is not None,
        "lines": [
            {
                "enrolment": line.enrolment.pk,
                "person": line.enrolment.person_id,
                "name": str(line.enrolment.person),
                "status": line.enrolment.status,
                "present": line.present,
                "arrived_at": line.attendance.arrived_at if line.attendance else None,
                "recorded_by": line.attendance.recorded_by_id if line.attendance else None,
            }
            for line in attendance_selectors.roll(session)
        ],
    }


@router.post(
    SESSION + "/attendances",
    response=LearningAttendanceOut,
    summary="Mark a learner present (or not) on a session's roll (never oneself: own_attendance)",
)
def attendance_set(
    request: HttpRequest, slug: str, session_id: int, payload: LearningAttendanceIn
) -> dict[str, Any]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    session = attendance_selectors.session_for_roll(community, user, session_id)
    enrolment = (
        Enrolment.objects.in_community(community)
        .filter(pk=payload.enrolment, course_id=session.course_id)
        .first()
    )
    if enrolment is None:
        raise Http404
    if payload.present:
        row = attendance.attendance_record(actor=user, session=session, enrolment=enrolment)
        arrived: datetime | None = row.arrived_at
    else:
        attendance.attendance_remove(actor=user, session=session, enrolment=enrolment)
        arrived = None
    return {
        "session": session.pk,
        "enrolment": enrolment.pk,
        "present": payload.present,
        "arrived_at": arrived,
    }


@router.post(
    C + "/enrolments/{enrolment_id}/assessment",
    response=LearningAssessmentOut,
    summary="Mark a learner's assessment (never one's own: own_assessment)",
)
def assessment_set(
    request: HttpRequest, slug: str, enrolment_id: int, payload: LearningAssessmentIn
) -> dict[str, Any]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    enrolment = attendance_selectors.enrolment_for_results(community, user, enrolment_id)
    row = attendance.assess(
        actor=user, enrolment=enrolment, passed=payload.passed, note=payload.note
    )
    return {
        "enrolment": enrolment.pk,
        "passed": row.passed,
        "note": row.note,
        "marked_by": row.marked_by_id,
        "marked_at": row.marked_at,
    }


@router.post(
    C + "/enrolments/{enrolment_id}/completion",
    response=LearningCompletionOut,
    summary="Decide whether a learner completed the course (once its sessions are over)",
)
def completion_set(request: HttpRequest, slug: str, enrolment_id: int) -> dict[str, Any]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    enrolment = attendance_selectors.enrolment_for_results(community, user, enrolment_id)
    decided = attendance.completion_decide(actor=user, enrolment=enrolment)
    progress = attendance.progress_of(enrolment.course, decided)
    return {
        "enrolment": decided.pk,
        "status": decided.status,
        "attended": progress.attended,
        "held": progress.held,
        "needed": progress.needed,
    }


@router.post(
    C + "/courses/{course_id}/finish",
    response=LearningCourseFinishedOut,
    summary="Decide every learner left and close the course as finished",
)
def course_finish(request: HttpRequest, slug: str, course_id: int) -> dict[str, Any]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    course = attendance_selectors.course_for_results(community, user, course_id)
    finished = attendance.course_finish(actor=user, course=course)
    return {
        "course": finished.course.pk,
        "status": finished.course.status,
        "completed": finished.completed,
        "not_completed": finished.not_completed,
    }


@router.post(
    SESSION + "/ratings",
    response={201: LearningRatingOut},
    summary="Rate a session I attended, once (1 to 5 stars)",
)
def rating_add(
    request: HttpRequest, slug: str, session_id: int, payload: LearningRatingIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    session = attendance_selectors.session_for_learner(community, session_id)
    rating = attendance.rate(
        actor=user, session=session, stars=payload.stars, comment=payload.comment
    )
    return Status(
        201,
        {
            "id": rating.pk,
            "session": session.pk,
            "stars": rating.stars,
            "comment": rating.comment,
        },
    )
