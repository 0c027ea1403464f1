"""Small builders the learning tests share: a course with sessions, an enrolment, attendance, an
award, made directly (so each part's tests do not depend on another part's services)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from gongzhi.learning.models import (
    Attendance,
    Award,
    Course,
    CourseSession,
    CourseStatus,
    Enrolment,
    EnrolmentStatus,
    Topic,
    Trainer,
    TrainerKind,
)
from tests.factories import member


def course_of(community: Any, creator: Any, **fields: Any) -> Course:
    """A course open for enrolment (10 places, the chairing qualification, valid 24 months)."""
    return Course.objects.in_community(community).create(
        title=fields.pop("title", "会议主持与协商议事"),
        topic=fields.pop("topic", Topic.CHAIRING),
        qualification=fields.pop("qualification", "chairing"),
        valid_months=fields.pop("valid_months", 24),
        capacity=fields.pop("capacity", 10),
        status=fields.pop("status", CourseStatus.OPEN),
        published_at=fields.pop("published_at", timezone.now()),
        created_by=creator,
        **fields,
    )


def trainer_of(course: Course, person: Any = None, kind: str = TrainerKind.RESIDENT) -> Trainer:
    person = person or member(course.community)
    return Trainer.objects.in_community(course.community_id).create(
        course=course, person=person, kind=kind, added_by=course.created_by
    )


def session_of(
    course: Course, starts_in: timedelta = timedelta(days=3), hours: int = 2, **fields: Any
) -> CourseSession:
    starts = timezone.now() + starts_in
    return CourseSession.objects.in_community(course.community_id).create(
        course=course,
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
        place=fields.pop("place", "社区活动室"),
        **fields,
    )


def enrolment_of(
    course: Course, person: Any = None, status: str = EnrolmentStatus.ENROLLED, **fields: Any
) -> Enrolment:
    person = person or member(course.community)
    return Enrolment.objects.in_community(course.community_id).create(
        course=course, person=person, status=status, **fields
    )


def attendance_of(
    session: CourseSession, enrolment: Enrolment | None = None, **fields: Any
) -> Attendance:
    """``enrolment`` (a new learner's if none) came to ``session``, on the roll."""
    enrolment = enrolment or enrolment_of(session.course)
    return Attendance.objects.in_community(session.community_id).create(
        session=session,
        enrolment=enrolment,
        arrived_at=fields.pop("arrived_at", session.starts_at),
        recorded_by=fields.pop("recorded_by", session.course.created_by),
        **fields,
    )


def award_of(
    community: Any,
    person: Any,
    code: str = "chairing",
    valid_from: date | None = None,
    valid_until: date | None = None,
    granted_by: Any = None,
    **fields: Any,
) -> Award:
    return Award.objects.in_community(community).create(
        person=person,
        qualification=code,
        valid_from=valid_from or timezone.localdate(),
        valid_until=valid_until,
        granted_by=granted_by or person,
        **fields,
    )
