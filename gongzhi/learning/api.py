"""Courses in the API, under /communities/{slug}/learning/: the courses (published ones for
everyone, drafts for those who run them or proposed them), one course with its sessions,
trainers and places, proposing a course, opening it, adding a session or a trainer, enrolling
(a place, or the waiting list when full: 201 with the status), cancelling an enrolment, and my
enrolments. Refusals are 400 with the service's code (``course_not_open``, ``course_finished``,
``enrolment_closed``, ``already_enrolled``, ``qualification_unknown``, ``course_no_session`` …);
a course the caller may not see is 404, as a missing one."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import rules
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.security import SessionAuth

from gongzhi.accounts.api import TokenAuth
from gongzhi.core.http import api_user, api_viewer
from gongzhi.core.policies import require
from gongzhi.core.selectors import community_get, member_by_phone
from gongzhi.learning import selectors, services
from gongzhi.learning.models import Course, Enrolment

router = Router(tags=["learning"])


def _anyone(request: HttpRequest) -> Any:
    """Public reads: no credentials read as a visitor (published courses only)."""
    return AnonymousUser()


PUBLIC = [TokenAuth(), SessionAuth(), _anyone]

C = "/communities/{slug}/learning"
COURSE = C + "/courses/{course_id}"


class LearningCourseOut(Schema):
    id: int
    title: str
    topic: str
    description: str
    qualification: str = Field(..., description="The qualification it grants, or empty.")
    valid_months: int = Field(..., description="How long it holds; 0: no expiry.")
    capacity: int
    min_attendance: int = Field(..., description="Share of sessions needed, in percent.")
    assessed: bool
    enrol_until: date | None
    status: str = Field(..., description="draft | open | finished | cancelled")
    published_at: datetime | None


class LearningSessionOut(Schema):
    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    trainer: int | None
    cancelled: bool


class LearningTrainerOut(Schema):
    id: int
    person: int
    name: str
    kind: str = Field(..., description="resident | worker | partner")
    partner: int | None


class LearningCourseDetailOut(LearningCourseOut):
    sessions: list[LearningSessionOut]
    trainers: list[LearningTrainerOut]
    places_left: int
    mine: str | None = Field(..., description="My enrolment's status, or null.")
    waiting_position: int | None = Field(..., description="1: first on the waiting list.")


class LearningCourseIn(Schema):
    title: str = Field(..., min_length=1, max_length=120)
    topic: str = Field(..., description="leadership | mediation | chairing | first_aid | …")
    description: str = Field("", max_length=5000)
    capacity: int = Field(..., ge=1, le=1000)
    qualification: str = Field("", max_length=40)
    valid_months: int = Field(0, ge=0, le=600)
    min_attendance: int = Field(80, ge=0, le=100)
    assessed: bool = False
    enrol_until: date | None = None


class LearningSessionIn(Schema):
    title: str = Field("", max_length=120)
    starts_at: datetime
    ends_at: datetime
    place: str = Field(..., min_length=1, max_length=120)
    trainer: int | None = Field(None, description="A trainer of the course (user id).")


class LearningTrainerIn(Schema):
    person: int = Field(..., description="A member's user id.")
    kind: str = Field(..., description="resident | worker | partner")
    partner: int | None = Field(None, description="For kind=partner: the street's partner.")


class LearningEnrolIn(Schema):
    phone: str = Field(
        "", description="Staff only: enrol this member (by phone) instead of oneself (代办)."
    )
    recruited_by: int | None = Field(
        None, description="Who told the learner of the course: a member's user id."
    )


class LearningEnrolmentOut(Schema):
    id: int
    course: int
    course_title: str
    status: str = Field(
        ..., description="enrolled | waitlisted | cancelled | completed | not_completed"
    )
    created_at: datetime


def _course_out(course: Course) -> dict[str, Any]:
    fields = (
        "title",
        "topic",
        "description",
        "qualification",
        "valid_months",
        "capacity",
        "min_attendance",
        "assessed",
        "enrol_until",
        "status",
        "published_at",
    )
    return {"id": course.pk, **{name: getattr(course, name) for name in fields}}


def _enrolment_out(enrolment: Enrolment) -> dict[str, Any]:
    return {
        "id": enrolment.pk,
        "course": enrolment.course_id,
        "course_title": enrolment.course.title,
        "status": enrolment.status,
        "created_at": enrolment.created_at,
    }


def _course(request: HttpRequest, slug: str, course_id: int, perm: str = "") -> Course:
    viewer = api_viewer(request)
    community = community_get(slug=slug, user=viewer)
    course = selectors.course_get(community=community, user=viewer, course_id=course_id)
    if perm:
        if not rules.has_perm(perm, viewer, course):
            raise Http404
    return course


def _member(community: Any, user_id: int) -> Any:
    person = get_user_model().objects.filter(pk=user_id).first()
    if person is None or not services.is_member(person, community.pk):
        raise ValidationError(_("No member of this community is that person."), code="not_member")
    return person


@router.get(
    C + "/courses",
    response=list[LearningCourseOut],
    auth=PUBLIC,
    summary="A community's courses (published ones; drafts for those who run them)",
)
def course_list(request: HttpRequest, slug: str, status: str = "") -> list[dict[str, Any]]:
    """``status``: draft, open, finished or cancelled; at most 200, newest first."""
    viewer = api_viewer(request)
    community = community_get(slug=slug, user=viewer)
    return [_course_out(c) for c in selectors.course_list(community, viewer, status=status)[:200]]


@router.get(COURSE, response=LearningCourseDetailOut, auth=PUBLIC, summary="One course")
def course_detail(request: HttpRequest, slug: str, course_id: int) -> dict[str, Any]:
    course = _course(request, slug, course_id)
    enrolment = selectors.enrolment_of(course, api_viewer(request))
    return {
        **_course_out(course),
        "sessions": [
            {
                "id": s.pk,
                "title": s.title,
                "starts_at": s.starts_at,
                "ends_at": s.ends_at,
                "place": s.place,
                "trainer": s.trainer_id,
                "cancelled": s.cancelled_at is not None,
            }
            for s in selectors.sessions_of(course)
        ],
        "trainers": [
            {
                "id": t.pk,
                "person": t.person_id,
                "name": str(t.person),
                "kind": t.kind,
                "partner": t.partner_id,
            }
            for t in selectors.trainers_of(course)
        ],
        "places_left": selectors.places_left(course),
        "mine": enrolment.status if enrolment else None,
        "waiting_position": selectors.waiting_position(enrolment),
    }


@router.post(
    C + "/courses",
    response={201: LearningCourseOut},
    summary="Propose a course (a draft until a worker opens it)",
)
def course_create(
    request: HttpRequest, slug: str, payload: LearningCourseIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    course = services.course_create(actor=user, community=community, **payload.dict())
    return Status(201, _course_out(course))


@router.post(
    COURSE + "/publish",
    response=LearningCourseOut,
    summary="Open a draft for enrolment (workers; it needs a session)",
)
def course_publish(request: HttpRequest, slug: str, course_id: int) -> dict[str, Any]:
    user = api_user(request)
    course = _course(request, slug, course_id)
    return _course_out(services.course_publish(actor=user, course=course))


@router.post(
    COURSE + "/sessions",
    response={201: LearningSessionOut},
    summary="Add a session to a course (those who run it)",
)
def session_add(
    request: HttpRequest, slug: str, course_id: int, payload: LearningSessionIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    course = _course(request, slug, course_id, "learning.run_course")
    data = payload.dict()
    trainer_id = data.pop("trainer")
    trainer = _member(course.community, trainer_id) if trainer_id is not None else None
    session = services.session_add(actor=user, course=course, trainer=trainer, **data)
    return Status(
        201,
        {
            "id": session.pk,
            "title": session.title,
            "starts_at": session.starts_at,
            "ends_at": session.ends_at,
            "place": session.place,
            "trainer": session.trainer_id,
            "cancelled": False,
        },
    )


@router.post(
    COURSE + "/trainers",
    response={201: LearningTrainerOut},
    summary="Add a trainer: a resident, a worker or a partner's person (workers)",
)
def trainer_add(
    request: HttpRequest, slug: str, course_id: int, payload: LearningTrainerIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    course = _course(request, slug, course_id, "learning.manage")
    person = _member(course.community, payload.person)
    trainer = services.trainer_add(
        actor=user, course=course, person=person, kind=payload.kind, partner=payload.partner
    )
    return Status(
        201,
        {
            "id": trainer.pk,
            "person": trainer.person_id,
            "name": str(person),
            "kind": trainer.kind,
            "partner": trainer.partner_id,
        },
    )


@router.post(
    COURSE + "/enrolments",
    response={201: LearningEnrolmentOut},
    summary="Enrol in a course: a place, or the waiting list when it is full",
)
def enrol(
    request: HttpRequest, slug: str, course_id: int, payload: LearningEnrolIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    course = _course(request, slug, course_id)
    community = course.community
    person = None
    if payload.phone:
        # Asked first: whether a phone belongs to a member is not for everyone to learn.
        require("core.act_on_behalf", user, community)
        person = member_by_phone(phone=payload.phone, community=community)
    recruited_by = (
        _member(community, payload.recruited_by) if payload.recruited_by is not None else None
    )
    enrolment = services.enrol(actor=user, course=course, person=person, recruited_by=recruited_by)
    return Status(201, _enrolment_out(enrolment))


@router.post(
    C + "/enrolments/{enrolment_id}/cancel",
    response=LearningEnrolmentOut,
    summary="Give up a place or leave the waiting list (the learner, or staff for them)",
)
def enrolment_cancel(request: HttpRequest, slug: str, enrolment_id: int) -> dict[str, Any]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    enrolment = selectors.enrolment_get(community=community, enrolment_id=enrolment_id)
    if not rules.has_perm("learning.cancel_enrolment", user, enrolment):
        raise Http404
    return _enrolment_out(services.enrolment_cancel(actor=user, enrolment=enrolment))


@router.get(C + "/me/enrolments", response=list[LearningEnrolmentOut], summary="My enrolments")
def my_enrolments(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    return [_enrolment_out(e) for e in selectors.my_enrolments(community, user)]
