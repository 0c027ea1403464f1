"""The demo's learning (registered in ``manifest.DEMO``; ``manage.py seed_demo`` calls ``seed``
after the volunteering demo).

In the first community: three courses that took place and are finished — chairing and
deliberation (assessed, trained by the worker and a resident), neighbour mediation (trained by a
partner's person when the street has a partner, else by a resident) and first aid — with the
learners' attendance, assessments, completions (one learner came to too few sessions, one did
not pass), the qualifications they granted and the learners' ratings of the sessions; a
leadership workshop open for enrolment, full, with a waiting list (the resident who trained the
chairing course trains it too); a digital-skills class for elderly residents with places left;
a first-aid certificate from outside training recorded by the worker; a resident's invitation
link; learners who say who told them of a course; the worker's invitation to chair a meeting,
accepted; and, once the requirements part is there, mediation required of mediators from today
(the sitting mediators keep the role and are told).

Everything goes through the services, so permissions, the journal and the checks are as in real
use. Dates are data: a past course's sessions are created ahead (nobody enrols in a course whose
sessions began), enrolled in, then moved back to when they happened, before the roll is kept and
completion decided. People are picked by their place in the crowd (never by a row id), so the
demo repeats itself on SQLite and PostgreSQL; a small demo street gets fewer learners.
"""

from __future__ import annotations

import importlib
from datetime import datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from gongzhi.bodies.models import Partner
from gongzhi.core.demo import DemoContext
from gongzhi.core.models import Role, RoleGrant
from gongzhi.learning import attendance, qualifications, services
from gongzhi.learning.models import (
    Course,
    CourseSession,
    Enrolment,
    EnrolmentStatus,
    Topic,
    TrainerKind,
)

#: (title, topic, qualification, months valid, assessed, description, sessions: days ago)
PAST = [
    (
        "会议主持与协商议事",
        Topic.CHAIRING,
        "chairing",
        24,
        True,
        "怎样主持居民议事会：议程、发言规则、表决与纪要。",
        (75, 68, 61),
    ),
    (
        "邻里纠纷调解入门",
        Topic.MEDIATION,
        "mediation",
        36,
        False,
        "倾听、复述、找共同点：楼上楼下噪音、漏水、停车纠纷的调解方法。",
        (50, 43),
    ),
    (
        "社区急救培训",
        Topic.FIRST_AID,
        "first_aid",
        24,
        False,
        "心肺复苏、AED 使用、常见意外的现场处理。",
        (30, 29),
    ),
]
#: Learners per past course, and where they start in the crowd.
LEARNERS = 8


def _at(days: int, hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _sessions(context: DemoContext, course: Course, days: list[int], trainer: Any) -> None:
    for n, ahead in enumerate(days, start=1):
        services.session_add(
            actor=context.worker,
            course=course,
            title=f"第{n}讲",
            starts_at=_at(ahead, 19),
            ends_at=_at(ahead, 21),
            place="社区活动室",
            trainer=trainer,
        )


def _course(
    context: DemoContext, title: str, topic: str, code: str, months: int, **more: Any
) -> Course:
    return services.course_create(
        actor=context.worker,
        community=context.community,
        title=title,
        topic=topic,
        qualification=code,
        valid_months=months,
        **more,
    )


def _worker_trains(context: DemoContext, course: Course) -> None:
    """The worker trains too, added by a colleague (nobody appoints themself a trainer): the
    first other community worker here by phone number; none, no worker trains."""
    grant = (
        RoleGrant.objects.in_community(context.community)
        .filter(role=Role.COMMUNITY_WORKER, membership__user__is_active=True)
        .exclude(membership__user=context.worker)
        .select_related("membership__user")
        .order_by("membership__user__phone")
        .first()
    )
    if grant is not None:
        services.trainer_add(
            actor=grant.membership.user,
            course=course,
            person=context.worker,
            kind=TrainerKind.WORKER,
        )


def _partner_trainer(context: DemoContext, course: Course, person: Any) -> None:
    """A partner's person trains when the street has a partner (共建单位), else a resident."""
    partner = Partner.objects.filter(street_id=context.community.street_id).order_by("pk").first()
    services.trainer_add(
        actor=context.worker,
        course=course,
        person=person,
        kind=TrainerKind.PARTNER if partner is not None else TrainerKind.RESIDENT,
        partner=partner,
    )


def _past(context: DemoContext, index: int, learners: list[Any], trainer: Any) -> list[Enrolment]:
    """One finished course: made ahead, enrolled in, moved back, the roll kept, marked, decided,
    rated."""
    title, topic, code, months, assessed, description, days_ago = PAST[index]
    worker = context.worker
    course = _course(
        context, title, topic, code, months, assessed=assessed, description=description,
        capacity=max(10, len(learners)), min_attendance=60,
    )  # fmt: skip
    if index == 0:
        _worker_trains(context, course)
        services.trainer_add(actor=worker, course=course, person=trainer, kind=TrainerKind.RESIDENT)
    elif index == 1:
        _partner_trainer(context, course, trainer)
    else:
        services.trainer_add(actor=worker, course=course, person=trainer, kind=TrainerKind.RESIDENT)
    _sessions(context, course, [7 + n for n in range(len(days_ago))], trainer)
    services.course_publish(actor=worker, course=course)
    enrolments = [
        services.enrol(actor=person, course=course)
        if n % 3
        else services.enrol(actor=worker, course=course, person=person)  # 代办, by phone
        for n, person in enumerate(learners)
    ]
    sessions = list(
        CourseSession.objects.in_community(course.community_id)
        .filter(course=course)
        .order_by("starts_at", "pk")
    )
    for session, ago in zip(sessions, days_ago, strict=True):
        CourseSession.objects.in_community(course.community_id).filter(pk=session.pk).update(
            starts_at=_at(-ago, 19), ends_at=_at(-ago, 21)
        )
    sessions = list(
        CourseSession.objects.in_community(course.community_id)
        .filter(course=course)
        .order_by("starts_at", "pk")
    )
    for n, enrolment in enumerate(enrolments):
        # the last learner came to the first session only: too few to complete
        came = sessions[:1] if n == len(enrolments) - 1 else sessions
        for session in came:
            attendance.attendance_record(
                actor=worker,
                session=session,
                enrolment=enrolment,
                now=session.starts_at + timedelta(minutes=5 + n),
            )
    if assessed:
        for n, enrolment in enumerate(enrolments):
            attendance.assess(
                actor=trainer,
                enrolment=enrolment,
                passed=n != len(enrolments) - 2,  # one learner did not pass
                note="" if n != len(enrolments) - 2 else "还需多练习控制发言时间",
            )
    over = sessions[-1].ends_at + timedelta(days=1)
    attendance.course_finish(actor=worker, course=course, now=over)
    stars = (5, 4, 5, 3, 5, 4)
    for n, enrolment in enumerate(enrolments[: len(stars)]):
        attendance.rate(
            actor=enrolment.person,
            session=sessions[0],
            stars=stars[n],
            comment=("讲得很实用，案例很贴近我们小区" if n == 0 else ""),
            now=sessions[0].ends_at,
        )
    return enrolments


def _open(context: DemoContext, crowd: list[Any], trainer: Any) -> None:
    """A leadership workshop, full with a waiting list, and a digital class with places."""
    worker = context.worker
    workshop = _course(
        context, "社区领导力工作坊", Topic.LEADERSHIP, "leadership", 36,
        capacity=4, description="从参与者到组织者：怎样发起一个社区项目、带好一支队伍。",
    )  # fmt: skip
    _worker_trains(context, workshop)
    services.trainer_add(actor=worker, course=workshop, person=trainer, kind=TrainerKind.RESIDENT)
    _sessions(context, workshop, [9, 16, 23], trainer)
    services.course_publish(actor=worker, course=workshop)
    for n, person in enumerate(crowd[:6]):  # four places, two on the waiting list
        recruiter = trainer if n == 1 and person.pk != trainer.pk else None
        services.enrol(actor=person, course=workshop, recruited_by=recruiter)
    digital = _course(
        context, "长者智能手机课堂", Topic.DIGITAL, "digital_helper", 0,
        capacity=15, description="教老人用手机挂号、付款、视频通话；也欢迎来当小助手。",
    )  # fmt: skip
    _worker_trains(context, digital)
    _sessions(context, digital, [5, 12], None)
    services.course_publish(actor=worker, course=digital)
    for person in crowd[6:9]:
        services.enrol(actor=person, course=digital)


def _leadership(context: DemoContext, chaired: list[Enrolment], linker: Any) -> None:
    """An invitation to chair, accepted; a resident's invitation link."""
    worker = context.worker
    ladder = importlib.import_module("gongzhi.learning.ladder_services")
    completed = [e for e in chaired if e.person_id != worker.pk]
    statuses = dict(
        Enrolment.objects.in_community(context.community)
        .filter(pk__in=[e.pk for e in completed])
        .values_list("pk", "status")
    )
    invited = next(
        (e.person for e in completed if statuses.get(e.pk) == EnrolmentStatus.COMPLETED), None
    )
    if invited is not None:
        invitation = ladder.invitation_send(
            actor=worker,
            community=context.community,
            person=invited,
            step="meetings.chair",
            message="你在主持课上表现很好，下次居民议事会请你来主持，好吗？",
        )
        ladder.invitation_answer(actor=invited, invitation=invitation, accept=True)
    spread = importlib.import_module("gongzhi.learning.spread_services")
    spread.invite_link_make(actor=linker, community=context.community)


def _requirement(context: DemoContext) -> None:
    """Mediators need the mediation qualification from today (their holders now keep it)."""
    requirements = importlib.import_module("gongzhi.core.requirements")
    turn_on = getattr(requirements, "turn_on", None)
    if turn_on is None:
        return
    try:
        turn_on(
            actor=context.worker,
            community=context.community,
            role="mediator",
            qualification="mediation",
            applies_from=timezone.localdate(),
        )
    except ValidationError:  # no app declares the role in this checkout
        return


def seed(context: DemoContext) -> None:
    """The first community's learning (see the module's docstring)."""
    crowd = [p for p in context.crowd if p.pk != context.worker.pk]
    if len(crowd) < 3:
        return
    trainer, pool = crowd[0], crowd[1:]  # a resident who trains; the learners
    learners = min(LEARNERS, len(pool))
    enrolments: list[list[Enrolment]] = []
    for index in range(len(PAST)):
        # each course its own slice of the crowd (on a small street, the same people again)
        start = index * learners % len(pool)
        group = (pool[start:] + pool[:start])[:learners]
        enrolments.append(_past(context, index, group, trainer))
    _open(context, pool, trainer)
    qualifications.record_outside(
        actor=context.worker,
        community=context.community,
        person=pool[-1],
        code="first_aid",
        valid_from=timezone.localdate() - timedelta(days=200),
        valid_until=timezone.localdate() + timedelta(days=530),
        evidence="红十字会救护员证",
    )
    _leadership(context, enrolments[0], pool[0])
    _requirement(context)
