"""Reads of the attendance part that pages and the API share: a session or course as those who
run it see it (anyone else: the same 404 as a missing one), a session's roll, a course's
results (per learner: sessions attended and needed, assessment, decision), each session's
ratings (average and count, never names), and the learning pages' sections: the sessions a
trainer runs soon (home), a learner's coming sessions and the ones left to rate (mine)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import rules
from django.db.models import Avg, Count
from django.http import Http404
from django.utils import timezone

from gongzhi.learning.attendance import (
    DECIDED,
    SCAN_EARLY,
    Progress,
    _attended_counts,
    held_sessions,
    sessions_needed,
)
from gongzhi.learning.models import (
    Assessment,
    Attendance,
    Course,
    CourseSession,
    CourseStatus,
    Enrolment,
    EnrolmentStatus,
    Rating,
    Trainer,
)

#: Learners shown on a roll and on the results: a place, or a decision on one.
ON_ROLL = (EnrolmentStatus.ENROLLED, *DECIDED)
SOON = timedelta(days=7)
MINE_ITEMS = 5


def session_for_roll(community: Any, user: Any, session_id: int) -> CourseSession:
    """The session with its course, for those who may keep its roll (404 for anyone else)."""
    session = (
        CourseSession.objects.in_community(community)
        .select_related("course", "community")
        .filter(pk=session_id)
        .first()
    )
    if session is None or not rules.has_perm("learning.keep_roll", user, session.course):
        raise Http404
    return session


def course_for_results(community: Any, user: Any, course_id: int) -> Course:
    """The course, for those who run it (404 for anyone else)."""
    course = (
        Course.objects.in_community(community)
        .select_related("community")
        .filter(pk=course_id)
        .first()
    )
    if course is None or not rules.has_perm("learning.keep_roll", user, course):
        raise Http404
    return course


def enrolment_for_results(community: Any, user: Any, enrolment_id: int) -> Enrolment:
    """An enrolment with its person and course, for those who run the course (else 404)."""
    enrolment = (
        Enrolment.objects.in_community(community)
        .select_related("person", "course__community")
        .filter(pk=enrolment_id)
        .first()
    )
    if enrolment is None or not rules.has_perm("learning.keep_roll", user, enrolment.course):
        raise Http404
    return enrolment


def session_for_learner(community: Any, session_id: int) -> CourseSession:
    """A session of a published course (a learner rates it; the service checks they attended)."""
    session = (
        CourseSession.objects.in_community(community)
        .select_related("course", "community")
        .filter(pk=session_id)
        .exclude(course__status=CourseStatus.DRAFT)
        .first()
    )
    if session is None:
        raise Http404
    return session


@dataclass
class RollLine:
    enrolment: Enrolment
    attendance: Attendance | None

    @property
    def present(self) -> bool:
        return self.attendance is not None


def roll(session: CourseSession) -> list[RollLine]:
    """Each learner with a place (or a decision) on the session's course, and their presence."""
    enrolments = list(
        Enrolment.objects.in_community(session.community_id)
        .filter(course_id=session.course_id, status__in=ON_ROLL)
        .select_related("person")
        .order_by("created_at", "pk")
    )
    present = {
        row.enrolment_id: row
        for row in Attendance.objects.in_community(session.community_id).filter(
            session_id=session.pk
        )
    }
    return [RollLine(enrolment, present.get(enrolment.pk)) for enrolment in enrolments]


@dataclass(frozen=True)
class RatingSummary:
    count: int
    average: float


def ratings_by_session(course: Course) -> dict[int, RatingSummary]:
    """Session id → its ratings' count and average stars (sessions without ratings left out)."""
    rows = (
        Rating.objects.in_community(course.community_id)
        .filter(session__course_id=course.pk)
        .values("session_id")
        .annotate(count=Count("pk"), average=Avg("stars"))
    )
    return {
        row["session_id"]: RatingSummary(row["count"], round(float(row["average"]), 1))
        for row in rows
    }


@dataclass
class ResultLine:
    enrolment: Enrolment
    progress: Progress
    assessment: Assessment | None

    @property
    def decided(self) -> bool:
        return self.enrolment.status in DECIDED


@dataclass
class Results:
    course: Course
    held: int
    needed: int
    upcoming: int
    lines: list[ResultLine]

    @property
    def over(self) -> bool:
        return self.held > 0 and self.upcoming == 0

    @property
    def undecided(self) -> int:
        return sum(1 for line in self.lines if not line.decided)


def results(course: Course) -> Results:
    """Every learner of the course with attendance against the sessions held, the assessment
    and the decision."""
    now = timezone.now()
    sessions = held_sessions(course, now)
    counts = _attended_counts(course, sessions)
    needed = sessions_needed(course, len(sessions))
    upcoming = (
        CourseSession.objects.in_community(course.community_id)
        .filter(course_id=course.pk, cancelled_at__isnull=True, ends_at__gt=now)
        .count()
    )
    enrolments = list(
        Enrolment.objects.in_community(course.community_id)
        .filter(course_id=course.pk, status__in=ON_ROLL)
        .select_related("person")
        .order_by("created_at", "pk")
    )
    assessments = {
        row.enrolment_id: row
        for row in Assessment.objects.in_community(course.community_id).filter(
            enrolment__course_id=course.pk
        )
    }
    lines = [
        ResultLine(
            enrolment,
            Progress(counts.get(enrolment.pk, 0), len(sessions), needed),
            assessments.get(enrolment.pk),
        )
        for enrolment in enrolments
    ]
    return Results(course, len(sessions), needed, upcoming, lines)


def sessions_of(course: Course) -> list[CourseSession]:
    return list(
        CourseSession.objects.in_community(course.community_id)
        .filter(course_id=course.pk)
        .order_by("starts_at", "pk")
    )


# --- The learning pages' sections -------------------------------------------------------------


def hub(community: Any, viewer: Any) -> dict[str, Any]:
    """The learning home, for those who run courses: the sessions they train at (staff: every
    session) from now to a week ahead, each with its roll; and their open courses whose
    sessions are all over, waiting to be finished (the results page)."""
    if not getattr(viewer, "is_authenticated", False):
        return {}
    now = timezone.now()
    courses = Course.objects.in_community(community).filter(status=CourseStatus.OPEN)
    if not rules.has_perm("learning.manage", viewer, community):
        trained = Trainer.objects.in_community(community).filter(person=viewer).values("course_id")
        courses = courses.filter(pk__in=trained)
    sessions = list(
        CourseSession.objects.in_community(community)
        .filter(
            course__in=courses,
            cancelled_at__isnull=True,
            ends_at__gt=now,
            starts_at__lt=now + SOON,
        )
        .select_related("course")
        .order_by("starts_at", "pk")[:MINE_ITEMS]
    )
    running = CourseSession.objects.in_community(community).filter(
        cancelled_at__isnull=True, ends_at__gt=now
    )
    to_finish = list(
        courses.filter(sessions__cancelled_at__isnull=True, sessions__ends_at__lte=now)
        .exclude(pk__in=running.values("course_id"))
        .distinct()
        .order_by("pk")[:MINE_ITEMS]
    )
    if not sessions and not to_finish:
        return {}
    return {"sessions": sessions, "to_finish": to_finish}


def mine(community: Any, user: Any) -> dict[str, Any]:
    """'My learning': my coming sessions (with when checking in opens) and the sessions I
    attended and have not rated yet."""
    if not getattr(user, "is_authenticated", False):
        return {}
    now = timezone.now()
    enrolled = Enrolment.objects.in_community(community).filter(
        person=user, status=EnrolmentStatus.ENROLLED
    )
    upcoming = list(
        CourseSession.objects.in_community(community)
        .filter(
            course_id__in=enrolled.values("course_id"),
            cancelled_at__isnull=True,
            ends_at__gt=now,
        )
        .select_related("course")
        .order_by("starts_at", "pk")[:MINE_ITEMS]
    )
    for session in upcoming:
        session.scan_open = session.starts_at - SCAN_EARLY <= now  # type: ignore[attr-defined]
    rated = Rating.objects.in_community(community).filter(person=user).values("session_id")
    to_rate = list(
        CourseSession.objects.in_community(community)
        .filter(
            attendances__enrolment__person=user,
            cancelled_at__isnull=True,
            starts_at__lte=now,
        )
        .exclude(pk__in=rated)
        .select_related("course")
        .order_by("-starts_at", "-pk")[:MINE_ITEMS]
    )
    if not upcoming and not to_rate:
        return {}
    return {"upcoming": upcoming, "to_rate": to_rate}
