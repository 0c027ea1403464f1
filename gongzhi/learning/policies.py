"""Who may run learning's courses (the courses part); the other parts import the predicates.

- ``learning.manage`` (a Community, or anything in one): a community worker or those above the
  community (officials overseeing it, platform admins): publish and cancel courses, every
  course's trainers, sessions and materials, enrol a resident by phone (代办).
- ``learning.create_course`` (a Community): ``manage``, or any verified member — a resident may
  propose a course; it stays a draft until a worker publishes it. A resident who proposed a
  course never publishes it themself: publishing needs ``manage``, so a worker who created a
  course may publish their own (workers create courses as part of their office).
- ``learning.run_course`` (a Course): ``manage``, or a trainer of that course
  (``trains(user, course)``): its sessions, materials, the enrolled list.
- ``learning.edit_course`` (a Course): ``run_course``, or the resident who proposed it while it is
  a draft.
- ``learning.view_course`` (a Course): anyone once published (open, finished, cancelled); a draft
  to those who may run it and its creator.
- ``learning.enrol`` (a Community): a member.
- ``learning.cancel_enrolment`` (an Enrolment): the learner, or ``manage`` on its community.
- ``learning.view_material_file`` (a Material): a learner enrolled (or waiting, or done) in its
  course, its trainers and the staff.
"""

from __future__ import annotations

from typing import Any

import rules

from gongzhi.core.policies import (
    is_community_worker,
    is_member,
    is_platform_admin,
    is_verified_resident,
    oversees,
)

from_above = oversees | is_platform_admin
#: A community worker of the object's community, or those above it.
is_learning_staff = is_community_worker | from_above


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


@rules.predicate
def trains(user: Any, course: Any) -> bool:
    """``user`` is a trainer of ``course`` (a Course, or None: nobody trains no course)."""
    if course is None or not _authenticated(user):
        return False
    from gongzhi.learning.models import Trainer

    return bool(
        Trainer.objects.in_community(course.community_id)
        .filter(course_id=course.pk, person=user)
        .exists()
    )


@rules.predicate
def created_course(user: Any, course: Any) -> bool:
    return _authenticated(user) and getattr(course, "created_by_id", None) == user.pk


@rules.predicate
def is_draft(user: Any, course: Any) -> bool:
    return getattr(course, "status", None) == "draft"


@rules.predicate
def is_published(user: Any, course: Any) -> bool:
    return getattr(course, "status", None) in ("open", "finished", "cancelled")


@rules.predicate
def is_the_learner(user: Any, enrolment: Any) -> bool:
    return _authenticated(user) and getattr(enrolment, "person_id", None) == user.pk


@rules.predicate
def enrolled_in_material_course(user: Any, material: Any) -> bool:
    if material is None or not _authenticated(user):
        return False
    from gongzhi.learning.models import Enrolment, EnrolmentStatus

    return bool(
        Enrolment.objects.in_community(material.community_id)
        .filter(course_id=material.course_id, person=user)
        .exclude(status=EnrolmentStatus.CANCELLED)
        .exists()
    )


@rules.predicate
def trains_material_course(user: Any, material: Any) -> bool:
    return material is not None and bool(trains(user, material.course))


run_course = is_learning_staff | trains

rules.add_perm("learning.manage", is_learning_staff)
rules.add_perm("learning.create_course", is_learning_staff | is_verified_resident)
rules.add_perm("learning.run_course", run_course)
rules.add_perm("learning.edit_course", run_course | (created_course & is_draft))
rules.add_perm("learning.view_course", is_published | run_course | created_course)
rules.add_perm("learning.enrol", is_member)
rules.add_perm("learning.cancel_enrolment", is_the_learner | is_learning_staff)
rules.add_perm(
    "learning.view_material_file",
    is_learning_staff | trains_material_course | enrolled_in_material_course,
)
