"""Reads of the courses part that pages and the API share: the open courses by topic, a course
as a viewer may see it (a forbidden draft answers the same 404 as a missing course), its places
left and a person's place on the waiting list, a person's enrolments, and the community home's
tile of courses open for enrolment."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import rules
from django.db.models import Count, Min, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gongzhi.core.home import Tile, TileItem
from gongzhi.learning.models import (
    Course,
    CourseSession,
    CourseStatus,
    Enrolment,
    EnrolmentStatus,
    Material,
    Topic,
    Trainer,
)

#: An enrolment in one of these holds a place or a place in the queue.
ACTIVE = (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED)
HOME_TILE_ITEMS = 5


def _cid(community: Any) -> int:
    return int(getattr(community, "pk", community))


def courses_open(community: Any) -> QuerySet[Course]:
    """Courses open for enrolment, with their first session's start and places taken."""
    return (
        Course.objects.in_community(community)
        .filter(status=CourseStatus.OPEN)
        .annotate(
            first_start=Min("sessions__starts_at", filter=Q(sessions__cancelled_at__isnull=True)),
            taken=Count(
                "enrolments", filter=Q(enrolments__status=EnrolmentStatus.ENROLLED), distinct=True
            ),
        )
        .order_by("first_start", "pk")
    )


@dataclass
class TopicGroup:
    topic: str
    label: str
    courses: list[Course] = field(default_factory=list)


def open_by_topic(community: Any) -> list[TopicGroup]:
    """The open courses grouped by topic, in the topics' order (empty topics left out)."""
    groups = {value: TopicGroup(value, str(label)) for value, label in Topic.choices}
    for course in courses_open(community):
        course.places_left = max(course.capacity - course.taken, 0)  # type: ignore[attr-defined]
        groups[course.topic].courses.append(course)
    return [g for g in groups.values() if g.courses]


def courses_for_staff(community: Any, user: Any) -> QuerySet[Course]:
    """Every course a viewer may run or proposed that is not yet open (drafts), newest first."""
    queryset = Course.objects.in_community(community).filter(status=CourseStatus.DRAFT)
    if rules.has_perm("learning.manage", user, community):
        return queryset
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    trained = Trainer.objects.in_community(community).filter(person=user).values("course_id")
    return queryset.filter(Q(created_by=user) | Q(pk__in=trained))


def course_list(community: Any, user: Any, *, status: str = "") -> QuerySet[Course]:
    """The courses a viewer may see (published ones; drafts they run or proposed)."""
    queryset = Course.objects.in_community(community)
    if status:
        queryset = queryset.filter(status=status)
    if rules.has_perm("learning.manage", user, community):
        return queryset
    visible = ~Q(status=CourseStatus.DRAFT)
    if getattr(user, "is_authenticated", False):
        trained = Trainer.objects.in_community(community).filter(person=user).values("course_id")
        visible |= Q(created_by=user) | Q(pk__in=trained)
    return queryset.filter(visible)


def course_get(*, community: Any, user: Any, course_id: int) -> Course:
    """The course, or 404 when missing or not visible to ``user`` (the same answer)."""
    course = (
        Course.objects.in_community(community)
        .select_related("community", "created_by")
        .filter(pk=course_id)
        .first()
    )
    if course is None or not rules.has_perm("learning.view_course", user, course):
        raise Http404
    return course


def sessions_of(course: Course) -> list[CourseSession]:
    return list(
        CourseSession.objects.in_community(course.community_id)
        .filter(course=course)
        .select_related("trainer")
        .order_by("starts_at", "pk")
    )


def trainers_of(course: Course) -> list[Trainer]:
    return list(
        Trainer.objects.in_community(course.community_id)
        .filter(course=course)
        .select_related("person", "partner")
        .order_by("pk")
    )


def materials_of(course: Course) -> list[Material]:
    return list(
        Material.objects.in_community(course.community_id).filter(course=course).order_by("pk")
    )


def enrolled_count(course: Course) -> int:
    return (
        Enrolment.objects.in_community(course.community_id)
        .filter(course=course, status=EnrolmentStatus.ENROLLED)
        .count()
    )


def places_left(course: Course) -> int:
    return max(course.capacity - enrolled_count(course), 0)


def enrolment_of(course: Course, user: Any) -> Enrolment | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Enrolment.objects.in_community(course.community_id)
        .filter(course=course, person=user)
        .first()
    )


def enrolment_get(*, community: Any, enrolment_id: int) -> Enrolment:
    enrolment = (
        Enrolment.objects.in_community(community)
        .select_related("course", "person")
        .filter(pk=enrolment_id)
        .first()
    )
    if enrolment is None:
        raise Http404
    return enrolment


def waiting_position(enrolment: Enrolment | None) -> int | None:
    """1 for the first on the waiting list; None when not waiting."""
    if enrolment is None or enrolment.status != EnrolmentStatus.WAITLISTED:
        return None
    ahead = (
        Enrolment.objects.in_community(enrolment.community_id)
        .filter(course_id=enrolment.course_id, status=EnrolmentStatus.WAITLISTED)
        .filter(
            Q(created_at__lt=enrolment.created_at)
            | Q(created_at=enrolment.created_at, pk__lt=enrolment.pk)
        )
        .count()
    )
    return ahead + 1


def enrolments_of_course(course: Course) -> list[Enrolment]:
    """The course's enrolments (places first, then the waiting list in order, then the rest)."""
    order: dict[str, int] = {
        EnrolmentStatus.ENROLLED: 0,
        EnrolmentStatus.COMPLETED: 1,
        EnrolmentStatus.NOT_COMPLETED: 2,
        EnrolmentStatus.WAITLISTED: 3,
        EnrolmentStatus.CANCELLED: 4,
    }
    rows = list(
        Enrolment.objects.in_community(course.community_id)
        .filter(course=course)
        .select_related("person")
        .order_by("created_at", "pk")
    )
    return sorted(rows, key=lambda e: order.get(e.status, 9))


def my_enrolments(community: Any, user: Any) -> list[Enrolment]:
    """``user``'s enrolments in the community, the active ones first, newest first."""
    if not getattr(user, "is_authenticated", False):
        return []
    rows = list(
        Enrolment.objects.in_community(community)
        .filter(person=user)
        .select_related("course")
        .order_by("-created_at", "-pk")
    )
    return sorted(rows, key=lambda e: e.status not in ACTIVE)


# --- This part's sections on the learning home and "my learning" --------------------------------


def hub(community: Any, viewer: Any) -> dict[str, Any]:
    return {
        "topics": open_by_topic(community),
        "drafts": list(courses_for_staff(community, viewer)[:20]),
        "can_create": rules.has_perm("learning.create_course", viewer, community),
        "can_manage": rules.has_perm("learning.manage", viewer, community),
    }


def mine(community: Any, user: Any) -> dict[str, Any]:
    return {"enrolments": my_enrolments(community, user)}


# --- The community home's tile ----------------------------------------------------------------


def home_open_courses(community: Any, user: Any) -> Tile:
    """Courses open for enrolment, soonest first (one query)."""
    now = timezone.now()
    courses = list(
        Course.objects.in_community(community)
        .filter(status=CourseStatus.OPEN)
        .filter(Q(enrol_until__isnull=True) | Q(enrol_until__gte=timezone.localdate(now)))
        .annotate(
            first_start=Min("sessions__starts_at", filter=Q(sessions__cancelled_at__isnull=True))
        )
        .order_by("first_start", "pk")[:HOME_TILE_ITEMS]
    )
    slug = community.slug
    items = [
        TileItem(
            label=course.title,
            url=reverse("learning_course", kwargs={"slug": slug, "course_id": course.pk}),
            note=(
                _("starts %(when)s")
                % {"when": timezone.localtime(course.first_start).strftime("%Y-%m-%d %H:%M")}
                if course.first_start  # type: ignore[attr-defined]
                else ""
            ),
        )
        for course in courses
    ]
    return Tile(
        key="learning.courses",
        title=_("Training: courses open for enrolment"),
        items=items,
        empty=_("No course is open for enrolment right now."),
        more_url=reverse("learning_home", kwargs={"slug": slug}),
        more_label=pgettext("learning app", "Training"),
    )
