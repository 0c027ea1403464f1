"""Learning's evidence for the leadership ladder (``core/leadership.py``): trains others (rung
6) — the trainer of a course session that has ended, was not cancelled and has at least one
learner's attendance on record (a session nobody came to trained nobody). A session that names
its trainer credits them; one that names nobody credits every trainer of its course."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db.models import Count, Exists, Max, Min, OuterRef
from django.utils import timezone

from gongzhi.core.leadership import Fact, merge_facts
from gongzhi.learning.models import Attendance, CourseSession, CourseStatus, Trainer


def trained(community_id: int, user_ids: Collection[int] | None) -> list[Fact]:
    """Rung 6: trained at a session that took place with someone there (over the sessions'
    trainer index, and the trainers' (community, person) index for sessions that name nobody;
    the attendance over its (session, enrolment) key)."""
    if user_ids is not None and not user_ids:
        return []
    attended = Attendance.objects.in_community(community_id).filter(session_id=OuterRef("pk"))
    held = (
        CourseSession.objects.in_community(community_id)
        .filter(ends_at__lte=timezone.now(), cancelled_at__isnull=True)
        .filter(Exists(attended))
        .exclude(course__status=CourseStatus.DRAFT)
    )
    named = held.filter(trainer__isnull=False)
    if user_ids is not None:
        named = named.filter(trainer_id__in=list(user_ids))
    rows: list[Any] = list(
        named.order_by()
        .values("trainer_id")
        .annotate(first=Min("starts_at"), last=Max("starts_at"), times=Count("id"))
        .values_list("trainer_id", "first", "last", "times")
    )
    trainers = Trainer.objects.in_community(community_id)
    if user_ids is not None:
        trainers = trainers.filter(person_id__in=list(user_ids))
    courses: dict[int, list[int]] = {}
    for course_id, person_id in trainers.order_by().values_list("course_id", "person_id"):
        courses.setdefault(course_id, []).append(person_id)
    if courses:
        unnamed = (
            held.filter(trainer__isnull=True, course_id__in=list(courses))
            .order_by()
            .values("course_id")
            .annotate(first=Min("starts_at"), last=Max("starts_at"), times=Count("id"))
            .values_list("course_id", "first", "last", "times")
        )
        for course_id, first, last, times in unnamed:
            rows.extend((person_id, first, last, times) for person_id in courses[course_id])
    return merge_facts(rows)
