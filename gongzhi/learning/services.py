"""Courses, their trainers, sessions and materials, and enrolment (keyword-only, atomic,
journalled).

A resident may propose a course (a draft); a community worker publishes it once it has a
session. Enrolling locks the course's row before it counts the places taken, so the places
taken never exceed the course's capacity whatever the number of concurrent requests; the rest
wait in order (``enrolment_once`` keeps one row per person and course) and the first waiting
takes a place that frees (``core.places.promote_waiting``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import journal
from gongzhi.core import qualifications as core_qualifications
from gongzhi.core.models import Community, Membership
from gongzhi.core.places import promote_waiting
from gongzhi.core.policies import is_community_worker, require
from gongzhi.learning import connections
from gongzhi.learning.models import (
    Course,
    CourseSession,
    CourseStatus,
    Enrolment,
    EnrolmentStatus,
    Material,
    Topic,
    Trainer,
    TrainerKind,
)

if TYPE_CHECKING:
    from gongzhi.accounts.models import User
    from gongzhi.core.uploads import CheckedUpload

#: An enrolment in one of these holds a place or a place in the queue.
ACTIVE = (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED)
#: What a course's fields may be set to by ``course_create`` / ``course_update``.
COURSE_FIELDS = (
    "title",
    "topic",
    "description",
    "qualification",
    "valid_months",
    "capacity",
    "min_attendance",
    "assessed",
    "enrol_until",
)
#: What completing a course takes and grants: fixed once anyone is enrolled or waiting.
RULES = ("min_attendance", "assessed", "valid_months")


def _require(perm: str, user: Any, obj: object) -> None:
    require(perm, user, obj, _("You are not allowed to do this for this course."))


def course_url(course: Course) -> str:
    return reverse(
        "learning_course", kwargs={"slug": course.community.slug, "course_id": course.pk}
    )


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _notify(users: Iterable[Any], course: Course, kind: str, message: str, **params: Any) -> None:
    from gongzhi.core.notify import send

    people = [person for person in users if person.is_active]
    if not people:
        return
    send(
        users=people,
        community=course.community,
        kind=kind,
        message=message,
        params={"title": course.title, **params},
        url=course_url(course),
    )


def is_member(person: Any, community_id: int) -> bool:
    return bool(
        Membership.objects.in_community(community_id)
        .filter(user=person, user__is_active=True)
        .exists()
    )


def _lock_course(course: Course) -> Course:
    return (
        Course.objects.in_community(course.community_id)
        .select_for_update(of=("self",))
        .select_related("community")
        .get(pk=course.pk)
    )


def _check_fields(data: dict[str, Any]) -> None:
    title = (data.get("title") or "").strip()
    if not title:
        raise ValidationError(_("Give the course a title."), code="title_missing")
    data["title"] = title
    if data.get("topic") not in Topic.values:
        raise ValidationError(_("Choose one of the topics."), code="topic_unknown")
    code = data.get("qualification") or ""
    data["qualification"] = code
    if code and code not in core_qualifications.registry():
        raise ValidationError(
            _("“%(code)s” is not a qualification this platform knows.") % {"code": code},
            code="qualification_unknown",
        )
    capacity = data.get("capacity")
    if not isinstance(capacity, int) or capacity < 1:
        raise ValidationError(_("A course needs at least one place."), code="capacity_invalid")
    share = data.get("min_attendance", 80)
    if not isinstance(share, int) or not 0 <= share <= 100:
        raise ValidationError(
            _("The attendance needed is a share of the sessions, from 0 to 100 %."),
            code="attendance_invalid",
        )
    months = data.get("valid_months", 0)
    if not isinstance(months, int) or not 0 <= months <= 600:
        raise ValidationError(
            _("A qualification holds from 0 to 600 months."), code="valid_months_invalid"
        )


def _fields(
    *,
    title: str,
    topic: str,
    capacity: int,
    description: str = "",
    qualification: str = "",
    valid_months: int = 0,
    min_attendance: int = 80,
    assessed: bool = False,
    enrol_until: date | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": title,
        "topic": topic,
        "description": (description or "").strip(),
        "qualification": (qualification or "").strip(),
        "valid_months": valid_months,
        "capacity": capacity,
        "min_attendance": min_attendance,
        "assessed": bool(assessed),
        "enrol_until": enrol_until,
    }
    _check_fields(data)
    return data


def course_create(*, actor: User, community: Community, **fields: Any) -> Course:
    """A new course, as a draft: by a worker, or proposed by a verified resident."""
    require(
        "learning.create_course",
        actor,
        community,
        _("Only verified residents and community workers may propose a course."),
    )
    data = _fields(**fields)
    with transaction.atomic():
        now = timezone.now()
        course = Course.objects.create(
            community=community,
            created_by=actor,
            created_at=now,
            updated_at=now,
            status=CourseStatus.DRAFT,
            **data,
        )
        journal.record(
            community=community,
            actor=actor,
            verb="course.created",
            target=course,
            data={
                "course": course.pk,
                "topic": course.topic,
                "qualification": course.qualification,
            },
        )
    return course


def course_update(*, actor: User, course: Course, **fields: Any) -> Course:
    """Change a draft or an open course; raising the places moves the first waiting in."""
    _require("learning.edit_course", actor, course)
    data = _fields(**fields)
    with transaction.atomic():
        current = _lock_course(course)
        _open_for_change(current)
        if (
            current.status == CourseStatus.OPEN
            and current.qualification != data["qualification"]
            and _taken(current) > 0
        ):
            raise ValidationError(
                _("People are enrolled: the qualification this course grants cannot change."),
                code="qualification_locked",
            )
        if any(getattr(current, name) != data[name] for name in RULES) and _active(current):
            raise ValidationError(
                _(
                    "People are enrolled: the attendance needed, the assessment and how long "
                    "the qualification holds cannot change."
                ),
                code="rules_locked",
            )
        if data["capacity"] < _taken(current):
            raise ValidationError(
                _("More people are enrolled than that: give at least %(n)s places.")
                % {"n": _taken(current)},
                code="capacity_below_enrolled",
            )
        changed = [name for name in COURSE_FIELDS if getattr(current, name) != data[name]]
        for name in COURSE_FIELDS:
            setattr(current, name, data[name])
        current.updated_at = timezone.now()
        current.save()
        journal.record(
            community=current.community,
            actor=actor,
            verb="course.updated",
            target=current,
            data={"course": current.pk, "changed": changed},
        )
        if current.status == CourseStatus.OPEN:
            _promote(current, actor=actor)
    return current


def _live_sessions(course: Course) -> Any:
    return CourseSession.objects.in_community(course.community_id).filter(
        course=course, cancelled_at__isnull=True
    )


def course_publish(*, actor: User, course: Course) -> Course:
    """Open a draft for enrolment (a worker; it needs a session and a known qualification)."""
    _require("learning.manage", actor, course)
    with transaction.atomic():
        current = _lock_course(course)
        if current.status != CourseStatus.DRAFT:
            raise ValidationError(
                _("This course is not a draft: it was already opened."), code="not_draft"
            )
        if current.qualification and current.qualification not in core_qualifications.registry():
            raise ValidationError(
                _("“%(code)s” is not a qualification this platform knows.")
                % {"code": current.qualification},
                code="qualification_unknown",
            )
        if not _live_sessions(current).exists():
            raise ValidationError(
                _("Add at least one session before opening the course."), code="course_no_session"
            )
        now = timezone.now()
        current.status = CourseStatus.OPEN
        current.published_at = now
        current.updated_at = now
        current.save(update_fields=["status", "published_at", "updated_at"])
        journal.record(
            community=current.community,
            actor=actor,
            verb="course.published",
            target=current,
            data={"course": current.pk},
        )
    return current


def course_cancel(*, actor: User, course: Course, reason: str = "") -> Course:
    """Cancel a draft or an open course; those enrolled or waiting are told."""
    _require("learning.manage", actor, course)
    with transaction.atomic():
        current = _lock_course(course)
        if current.status not in (CourseStatus.DRAFT, CourseStatus.OPEN):
            raise ValidationError(
                _("This course is over: it cannot be cancelled."), code="course_finished"
            )
        now = timezone.now()
        current.status = CourseStatus.CANCELLED
        current.cancelled_at = now
        current.updated_at = now
        current.save(update_fields=["status", "cancelled_at", "updated_at"])
        people = [
            e.person
            for e in Enrolment.objects.in_community(current.community_id)
            .filter(course=current, status__in=ACTIVE)
            .select_related("person")
        ]
        journal.record(
            community=current.community,
            actor=actor,
            verb="course.cancelled",
            target=current,
            data={"course": current.pk, "reason": reason.strip()[:300], "told": len(people)},
        )
        _notify(people, current, "course_changed", "cancelled")
    return current


# --- Trainers ---------------------------------------------------------------------------------


def _street_partner(community: Community, partner: Any) -> Any:
    from gongzhi.bodies.models import Partner

    if partner is None:
        raise ValidationError(
            _("Name the partner this trainer comes from."), code="partner_missing"
        )
    found = Partner.objects.filter(
        pk=getattr(partner, "pk", partner), street_id=community.street_id
    )
    row = found.first()
    if row is None:
        raise ValidationError(
            _("This partner does not work with this community's street."), code="partner_unknown"
        )
    return row


def trainer_add(
    *, actor: User, course: Course, person: User, kind: str, partner: Any = None
) -> Trainer:
    """Add a trainer (a resident, a worker or a partner's person who is a member here)."""
    _require("learning.manage", actor, course)
    if person.pk == actor.pk:
        raise ValidationError(
            _("Nobody appoints themself a trainer: another worker adds you."),
            code="own_appointment",
        )
    if kind not in TrainerKind.values:
        raise ValidationError(_("Choose who the trainer is."), code="trainer_kind_unknown")
    community = course.community
    if not is_member(person, community.pk):
        raise ValidationError(
            _("A trainer must be a member of this community."), code="trainer_not_member"
        )
    if kind == TrainerKind.WORKER and not is_community_worker(person, community):
        raise ValidationError(
            _("This person is not a community worker here: add them as a resident."),
            code="trainer_not_worker",
        )
    partner_row = _street_partner(community, partner) if kind == TrainerKind.PARTNER else None
    with transaction.atomic():
        current = _lock_course(course)
        _open_for_change(current)
        if (
            Trainer.objects.in_community(current.community_id)
            .filter(course=current, person=person)
            .exists()
        ):
            raise ValidationError(
                _("This person already trains on this course."), code="already_trainer"
            )
        if _active(current, person):
            raise ValidationError(
                _("This person is enrolled in this course: a learner cannot also train it."),
                code="trainer_is_learner",
            )
        trainer = Trainer.objects.create(
            community_id=current.community_id,
            course=current,
            person=person,
            kind=kind,
            partner=partner_row,
            added_by=actor,
        )
        journal.record(
            community=current.community,
            actor=actor,
            verb="course.trainer_added",
            target=trainer,
            data={"course": current.pk, "person": person.pk, "kind": kind},
        )
    return trainer


def trainer_remove(*, actor: User, trainer: Trainer) -> None:
    """Remove a trainer; the sessions they were to train keep no trainer."""
    course = trainer.course
    _require("learning.manage", actor, course)
    with transaction.atomic():
        current = _lock_course(course)
        CourseSession.objects.in_community(current.community_id).filter(
            course=current, trainer_id=trainer.person_id
        ).update(trainer=None)
        journal.record(
            community=current.community,
            actor=actor,
            verb="course.trainer_removed",
            target=current,
            data={"course": current.pk, "person": trainer.person_id},
        )
        Trainer.objects.in_community(current.community_id).filter(pk=trainer.pk).delete()


# --- Sessions ---------------------------------------------------------------------------------


def _check_session(
    course: Course,
    starts_at: datetime,
    ends_at: datetime,
    place: str,
    trainer: Any,
    was: datetime | None = None,
) -> str:
    """``was``: the session's start until now (a past session keeps its start; nothing is
    set to start in the past)."""
    if ends_at <= starts_at:
        raise ValidationError(_("A session must end after it starts."), code="session_times")
    if starts_at < timezone.now() and starts_at != was:
        raise ValidationError(
            _("A session cannot be set to start in the past."), code="session_in_past"
        )
    place = (place or "").strip()
    if not place:
        raise ValidationError(_("Say where the session takes place."), code="place_missing")
    if trainer is not None and not (
        Trainer.objects.in_community(course.community_id)
        .filter(course=course, person=trainer)
        .exists()
    ):
        raise ValidationError(
            _("The session's trainer must be one of the course's trainers."),
            code="trainer_not_of_course",
        )
    return place


def _open_for_change(course: Course) -> None:
    if course.status not in (CourseStatus.DRAFT, CourseStatus.OPEN):
        raise ValidationError(
            _("This course is over: it can no longer be changed."), code="course_finished"
        )


def session_add(
    *,
    actor: User,
    course: Course,
    starts_at: datetime,
    ends_at: datetime,
    place: str,
    title: str = "",
    trainer: User | None = None,
) -> CourseSession:
    _require("learning.run_course", actor, course)
    with transaction.atomic():
        current = _lock_course(course)
        _open_for_change(current)
        place = _check_session(current, starts_at, ends_at, place, trainer)
        session = CourseSession.objects.create(
            community_id=current.community_id,
            course=current,
            title=(title or "").strip(),
            starts_at=starts_at,
            ends_at=ends_at,
            place=place,
            trainer=trainer,
        )
        journal.record(
            community=current.community,
            actor=actor,
            verb="course.session_added",
            target=session,
            data={"course": current.pk, "session": session.pk},
        )
    return session


def _learners(course: Course) -> list[Any]:
    return [
        e.person
        for e in Enrolment.objects.in_community(course.community_id)
        .filter(course=course, status__in=ACTIVE)
        .select_related("person")
    ]


def session_update(
    *,
    actor: User,
    session: CourseSession,
    starts_at: datetime,
    ends_at: datetime,
    place: str,
    title: str = "",
    trainer: User | None = None,
) -> CourseSession:
    """Change a session; learners are told when its time or place moved."""
    _require("learning.run_course", actor, session.course)
    with transaction.atomic():
        course = _lock_course(session.course)
        _open_for_change(course)
        current = CourseSession.objects.in_community(course.community_id).get(pk=session.pk)
        if current.cancelled_at is not None:
            raise ValidationError(_("This session was cancelled."), code="session_cancelled")
        place = _check_session(course, starts_at, ends_at, place, trainer, current.starts_at)
        moved = (current.starts_at, current.ends_at, current.place) != (starts_at, ends_at, place)
        current.starts_at, current.ends_at, current.place = starts_at, ends_at, place
        current.title = (title or "").strip()
        current.trainer = trainer
        current.save()
        journal.record(
            community=course.community,
            actor=actor,
            verb="course.session_changed",
            target=current,
            data={"course": course.pk, "session": current.pk, "moved": moved},
        )
        if moved and course.status == CourseStatus.OPEN:
            _notify(
                _learners(course),
                course,
                "course_changed",
                "session_changed",
                starts=_local(starts_at),
                place=place,
            )
    return current


def session_cancel(*, actor: User, session: CourseSession) -> CourseSession:
    _require("learning.run_course", actor, session.course)
    with transaction.atomic():
        course = _lock_course(session.course)
        current = CourseSession.objects.in_community(course.community_id).get(pk=session.pk)
        if current.cancelled_at is not None:
            raise ValidationError(
                _("This session was already cancelled."), code="session_cancelled"
            )
        if current.ends_at <= timezone.now():
            raise ValidationError(
                _("This session is over: it cannot be cancelled."), code="session_past"
            )
        current.cancelled_at = timezone.now()
        current.save(update_fields=["cancelled_at"])
        journal.record(
            community=course.community,
            actor=actor,
            verb="course.session_cancelled",
            target=current,
            data={"course": course.pk, "session": current.pk},
        )
        if course.status == CourseStatus.OPEN:
            _notify(
                _learners(course),
                course,
                "course_changed",
                "session_cancelled",
                starts=_local(current.starts_at),
            )
    return current


# --- Materials --------------------------------------------------------------------------------


def material_add(
    *,
    actor: User,
    course: Course,
    title: str,
    link: str = "",
    upload: CheckedUpload | None = None,
) -> Material:
    """A link or a checked file (``core.uploads.check_upload``) for the course's learners."""
    _require("learning.run_course", actor, course)
    title = (title or "").strip()
    link = (link or "").strip()
    if not title:
        raise ValidationError(_("Give the material a title."), code="title_missing")
    if bool(link) == (upload is not None):
        raise ValidationError(_("Give either a link or a file."), code="material_empty")
    if link and not link.startswith(("https://", "http://")):
        raise ValidationError(_("A link starts with https:// or http://."), code="link_invalid")
    with transaction.atomic():
        current = _lock_course(course)
        _open_for_change(current)
        material = Material(
            community_id=current.community_id,
            course=current,
            title=title,
            link=link,
            added_by=actor,
        )
        if upload is not None:
            material.file.save(upload.name, ContentFile(upload.content), save=False)
        material.save()
        journal.record(
            community=current.community,
            actor=actor,
            verb="course.material_added",
            target=material,
            data={"course": current.pk, "material": material.pk},
        )
    return material


def material_remove(*, actor: User, material: Material) -> None:
    _require("learning.run_course", actor, material.course)
    with transaction.atomic():
        journal.record(
            community=material.course.community,
            actor=actor,
            verb="course.material_removed",
            target=material.course,
            data={"course": material.course_id, "material": material.pk, "title": material.title},
        )
        Material.objects.in_community(material.community_id).filter(pk=material.pk).delete()
    if material.file:
        material.file.delete(save=False)


# --- Enrolment --------------------------------------------------------------------------------


def _active(course: Course, person: Any = None) -> bool:
    """Someone (``person``, when given) is enrolled in ``course`` or waiting for a place."""
    found = Enrolment.objects.in_community(course.community_id).filter(
        course=course, status__in=ACTIVE
    )
    if person is not None:
        found = found.filter(person=person)
    return bool(found.exists())


def _taken(course: Course) -> int:
    return (
        Enrolment.objects.in_community(course.community_id)
        .filter(course=course, status=EnrolmentStatus.ENROLLED)
        .count()
    )


def _last_start(course: Course) -> datetime | None:
    last = _live_sessions(course).order_by("-starts_at").values_list("starts_at", flat=True)
    return last.first()


def enrolment_closed(course: Course, now: datetime | None = None) -> bool:
    """Enrolment has closed: the day it closes is past, or the last session has started."""
    now = now or timezone.now()
    if course.enrol_until is not None and course.enrol_until < timezone.localdate(now):
        return True
    last = _last_start(course)
    return last is not None and last <= now


def _check_open(course: Course) -> None:
    if course.status in (CourseStatus.FINISHED, CourseStatus.CANCELLED):
        raise ValidationError(
            _("This course is finished or cancelled: enrol in a coming one."),
            code="course_finished",
        )
    if course.status != CourseStatus.OPEN:
        raise ValidationError(
            _("This course is not open for enrolment yet."), code="course_not_open"
        )
    if enrolment_closed(course):
        raise ValidationError(_("Enrolment in this course has closed."), code="enrolment_closed")


def enrol(
    *,
    actor: User,
    course: Course,
    person: User | None = None,
    recruited_by: User | None = None,
) -> Enrolment:
    """Enrol ``person`` (oneself; someone else only by staff, 代办) in ``course``: a place while
    there are some, else the waiting list. ``recruited_by`` is who told them of it."""
    person = person or actor
    community = course.community
    if person.pk != actor.pk:
        require(
            "core.act_on_behalf",
            actor,
            community,
            _("Only the community's staff enrol someone else."),
        )
    else:
        require("learning.enrol", actor, community, _("Join the community to enrol."))
    if not is_member(person, community.pk):
        raise ValidationError(_("Only members of this community can enrol."), code="not_member")
    if recruited_by is not None:
        if recruited_by.pk == person.pk:
            raise ValidationError(
                _("Who told you about this course must be someone else."), code="recruited_by_self"
            )
        if person.pk != actor.pk and recruited_by.pk == actor.pk:
            raise ValidationError(
                _(
                    "You are enrolling them yourself: who told them about this course is "
                    "someone else."
                ),
                code="own_recruitment",
            )
        if not is_member(recruited_by, community.pk):
            raise ValidationError(
                _("Who told you about this course must be a member of this community."),
                code="recruited_by_not_member",
            )
    with transaction.atomic():
        current = _lock_course(course)
        _check_open(current)
        if (
            Trainer.objects.in_community(current.community_id)
            .filter(course=current, person=person)
            .exists()
        ):
            raise ValidationError(
                _("This person trains this course: a trainer cannot also enrol in it."),
                code="trainer_is_learner",
            )
        existing = (
            Enrolment.objects.in_community(current.community_id)
            .filter(course=current, person=person)
            .first()
        )
        if existing is not None and existing.status != EnrolmentStatus.CANCELLED:
            raise ValidationError(_("Already enrolled in this course."), code="already_enrolled")
        status = (
            EnrolmentStatus.WAITLISTED
            if _taken(current) >= current.capacity
            else EnrolmentStatus.ENROLLED
        )
        now = timezone.now()
        by = actor if person.pk != actor.pk else None
        if existing is None:
            enrolment = Enrolment.objects.create(
                community_id=current.community_id,
                course=current,
                person=person,
                status=status,
                enrolled_by=by,
                recruited_by=recruited_by,
                created_at=now,
                updated_at=now,
            )
        else:
            # Back in the queue from now: cancelling and returning does not keep one's place.
            enrolment = existing
            enrolment.status = status
            enrolment.enrolled_by = by
            enrolment.recruited_by = recruited_by
            enrolment.created_at = now
            enrolment.updated_at = now
            enrolment.decided_at = None
            enrolment.decided_by = None
            enrolment.save()
        enrolment.course = current
        if recruited_by is not None:
            connections.record(
                community=current.community,
                source=recruited_by,
                target=person,
                kind="recruited",
                at=now,
            )
        journal.record(
            community=current.community,
            actor=actor,
            on_behalf_of=person,
            verb="course.enrolled",
            target=enrolment,
            data={
                "course": current.pk,
                "person": person.pk,
                "status": str(status),
                "recruited_by": recruited_by.pk if recruited_by is not None else None,
            },
        )
    return enrolment


def _promote(course: Course, *, actor: User | None) -> list[Enrolment]:
    """Give the free places of ``course`` (locked) to the first waiting, and tell them."""
    if course.status != CourseStatus.OPEN:
        return []
    promoted = promote_waiting(
        Enrolment.objects.in_community(course.community_id).filter(
            course=course, status=EnrolmentStatus.WAITLISTED
        ),
        free=course.capacity - _taken(course),
        status=EnrolmentStatus.ENROLLED,
        related=("person",),
    )
    for enrolment in promoted:
        # The system moves them in: whoever freed the place did not act for them.
        journal.record(
            community=course.community,
            actor=None,
            verb="course.promoted",
            target=enrolment,
            data={
                "person": enrolment.person_id,
                "course": course.pk,
                "freed_by": actor.pk if actor is not None else None,
            },
        )
    _notify([e.person for e in promoted], course, "course_place", "promoted")
    return promoted


def enrolment_cancel(*, actor: User, enrolment: Enrolment) -> Enrolment:
    """Give up a place or leave the waiting list (the learner, or staff for them); the first
    waiting takes a freed place."""
    require(
        "learning.cancel_enrolment",
        actor,
        enrolment,
        _("You are not allowed to cancel this enrolment."),
    )
    with transaction.atomic():
        course = _lock_course(enrolment.course)
        current = (
            Enrolment.objects.in_community(course.community_id)
            .select_for_update(of=("self",))
            .select_related("person")
            .get(pk=enrolment.pk)
        )
        if current.status not in ACTIVE:
            raise ValidationError(
                _("This enrolment is no longer active: nothing to cancel."),
                code="enrolment_inactive",
            )
        was = current.status
        current.status = EnrolmentStatus.CANCELLED
        current.updated_at = timezone.now()
        current.save(update_fields=["status", "updated_at"])
        journal.record(
            community=course.community,
            actor=actor,
            on_behalf_of=current.person,
            verb="course.enrolment_cancelled",
            target=current,
            data={"course": course.pk, "person": current.person_id, "was": str(was)},
        )
        if was == EnrolmentStatus.ENROLLED:
            _promote(course, actor=actor)
    current.course = course
    return current
