"""Attendance, assessment, completion and ratings of a course (签到、考核、结业、评价).

- A learner is present at a session by scanning its rotating QR code (core ``checkin``) from
  ``SCAN_EARLY`` before it starts until it ends, or because those who run the course mark them
  on the roll (``attendance_record``; ``attendance_remove`` undoes a mistake). Nobody marks
  themself present on the roll: a trainer enrolled in the course scans like everyone else.
- A trainer marks the assessment of an assessed course (``assess``), never their own, and may
  change it until the learner's completion is decided.
- Completion (``completion_decide`` for one learner, ``course_finish`` for all and the course)
  is decided once every session that was not cancelled has ended: completed when the learner
  attended at least ``min_attendance`` % of those sessions and, for an assessed course, passed
  the assessment; otherwise not completed. A learner with enough attendance but no assessment
  yet is not decided (``assessment_missing``): a trainer marks them first. Nobody decides their
  own completion. Completing grants the course's qualification (the awards part's
  ``grant_for_completion``) and records that each trainer trained the learner (``connections``),
  in the same transaction.
- A learner who attended a session rates it once, 1 to 5 stars, from its start
  (``rate``); those who run the course read the average and count, never names.

Every decision runs under a lock on the enrolment's (or the course's) row, so two trainers
pressing "decide" together decide once.
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import journal
from gongzhi.core.policies import require
from gongzhi.learning import connections
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

if TYPE_CHECKING:
    from gongzhi.accounts.models import User

#: A scan (and the roll) opens this long before a session starts.
SCAN_EARLY = timedelta(minutes=30)
NOTE_MAX = 2000
COMMENT_MAX = 500
DECIDED = (EnrolmentStatus.COMPLETED, EnrolmentStatus.NOT_COMPLETED)


def _require_run(actor: Any, course: Course) -> None:
    require(
        "learning.keep_roll",
        actor,
        course,
        _("Only the course's trainers and community workers do this."),
    )


def _course_of(obj: Enrolment | CourseSession) -> Course:
    return Course.objects.in_community(obj.community_id).get(pk=obj.course_id)


def _lock_enrolment(enrolment: Enrolment) -> Enrolment:
    return (
        Enrolment.objects.in_community(enrolment.community_id)
        .select_for_update()
        .get(pk=enrolment.pk)
    )


def _refuse_unless_enrolled(enrolment: Enrolment) -> None:
    if enrolment.status in DECIDED:
        raise ValidationError(
            _("This learner's completion is already decided; it no longer changes."),
            code="already_decided",
        )
    if enrolment.status != EnrolmentStatus.ENROLLED:
        raise ValidationError(
            _("This person has no place on the course (waiting list or cancelled)."),
            code="not_enrolled",
        )


def course_url(course: Course) -> str:
    """The course's page (the courses part's), or learning's home while it has none."""
    try:
        return reverse("learning_course", args=[course.community.slug, course.pk])
    except NoReverseMatch:
        return reverse("learning_home", args=[course.community.slug])


# --- Attendance ------------------------------------------------------------------------------


def enrolment_of_person(person: Any, session: CourseSession) -> Enrolment | None:
    """``person``'s place (status enrolled) on ``session``'s course, if any."""
    if not getattr(person, "is_authenticated", False):
        return None
    return (
        Enrolment.objects.in_community(session.community_id)
        .filter(course_id=session.course_id, person_id=person.pk, status=EnrolmentStatus.ENROLLED)
        .first()
    )


def _refuse_closed_session(session: CourseSession, now: datetime) -> None:
    if session.cancelled_at is not None:
        raise ValidationError(_("This session was cancelled."), code="session_cancelled")
    if now < session.starts_at - SCAN_EARLY:
        raise ValidationError(
            _("The roll opens 30 minutes before the session starts."), code="session_not_started"
        )


def _journal_attendance(
    session: CourseSession, enrolment: Enrolment, actor: Any, verb: str, **data: Any
) -> None:
    journal.record(
        community=session.community,
        actor=actor,
        verb=verb,
        target=session,
        data={
            "course": session.course_id,
            "session": session.pk,
            "person": enrolment.person_id,
            **data,
        },
    )


def _check_roll(actor: Any, session: CourseSession, enrolment: Enrolment) -> None:
    _require_run(actor, _course_of(session))
    if enrolment.course_id != session.course_id or enrolment.community_id != session.community_id:
        raise ValidationError(
            _("This learner is not on this session's course."), code="wrong_course"
        )
    if enrolment.person_id == actor.pk:
        raise ValidationError(
            _("Nobody marks themself present: scan the session's code instead."),
            code="own_attendance",
        )


def attendance_record(
    *, actor: User, session: CourseSession, enrolment: Enrolment, now: datetime | None = None
) -> Attendance:
    """Mark ``enrolment``'s learner present at ``session`` on the roll (once; a second mark
    returns the first)."""
    _check_roll(actor, session, enrolment)
    now = now or timezone.now()
    _refuse_closed_session(session, now)
    with transaction.atomic():
        locked = _lock_enrolment(enrolment)
        _refuse_unless_enrolled(locked)
        rows = Attendance.objects.in_community(session.community_id)
        found = rows.filter(session_id=session.pk, enrolment_id=locked.pk).first()
        if found is not None:
            return found
        row = rows.create(session=session, enrolment=locked, arrived_at=now, recorded_by=actor)
        _journal_attendance(session, locked, actor, "course.attendance_recorded", via="roll")
    return row


def attendance_remove(*, actor: User, session: CourseSession, enrolment: Enrolment) -> bool:
    """Take ``enrolment``'s learner off ``session``'s roll (a mistake); False when they were
    not on it."""
    _check_roll(actor, session, enrolment)
    if session.cancelled_at is not None:
        raise ValidationError(_("This session was cancelled."), code="session_cancelled")
    with transaction.atomic():
        locked = _lock_enrolment(enrolment)
        _refuse_unless_enrolled(locked)
        deleted, _rows = (
            Attendance.objects.in_community(session.community_id)
            .filter(session_id=session.pk, enrolment_id=locked.pk)
            .delete()
        )
        if deleted:
            _journal_attendance(session, locked, actor, "course.attendance_removed")
    return bool(deleted)


def scanned(person: Any, session: CourseSession, checkin: Any, now: datetime | None = None) -> None:
    """core checkin's ``on_recorded``: the learner's scan is their presence (recorded by
    themself). Open from ``SCAN_EARLY`` before the session until its end; a later scan changes
    nothing."""
    now = now or timezone.now()
    if not session.starts_at - SCAN_EARLY <= now <= session.ends_at:
        raise ValidationError(
            _("Checking in is open from 30 minutes before the session until it ends."),
            code="scan_outside_session",
        )
    found = enrolment_of_person(person, session)
    if found is None:
        return
    locked = _lock_enrolment(found)
    if locked.status != EnrolmentStatus.ENROLLED:
        return
    rows = Attendance.objects.in_community(session.community_id)
    if rows.filter(session_id=session.pk, enrolment_id=locked.pk).exists():
        return
    rows.create(session=session, enrolment=locked, arrived_at=now, recorded_by=person)
    _journal_attendance(session, locked, person, "course.attendance_recorded", via="qr")


def scan_status(person: Any, session: CourseSession) -> str:
    """What the learner reads after a scan."""
    found = (
        Attendance.objects.in_community(session.community_id)
        .filter(session_id=session.pk, enrolment__person_id=getattr(person, "pk", None))
        .first()
    )
    if found is None:
        return ""
    return _("You are on the roll of this session since %(arrived)s.") % {
        "arrived": timezone.localtime(found.arrived_at).strftime("%H:%M")
    }


# --- Assessment ------------------------------------------------------------------------------


def assess(*, actor: User, enrolment: Enrolment, passed: bool, note: str = "") -> Assessment:
    """Mark ``enrolment``'s assessment (passed or not, with a note); changeable until the
    learner's completion is decided. Never one's own."""
    course = _course_of(enrolment)
    _require_run(actor, course)
    if enrolment.person_id == actor.pk:
        raise ValidationError(
            _("Nobody marks their own assessment: another trainer or a worker does."),
            code="own_assessment",
        )
    if not course.assessed:
        raise ValidationError(_("This course has no assessment."), code="not_assessed")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(
            _("The note is too long (at most %(max)s characters).") % {"max": NOTE_MAX},
            code="note_too_long",
        )
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_enrolment(enrolment)
        _refuse_unless_enrolled(locked)
        assessment, _created = Assessment.objects.in_community(
            course.community_id
        ).update_or_create(
            enrolment=locked,
            defaults={"passed": bool(passed), "note": note, "marked_by": actor, "marked_at": now},
        )
        journal.record(
            community=course.community,
            actor=actor,
            verb="course.assessed",
            target=locked,
            data={"course": course.pk, "person": locked.person_id, "passed": bool(passed)},
        )
    return assessment


# --- Completion ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """A learner's attendance against the course's sessions that took place."""

    attended: int
    held: int
    needed: int

    @property
    def enough(self) -> bool:
        return self.held > 0 and self.attended >= self.needed


def sessions_needed(course: Course, held: int) -> int:
    """How many of ``held`` sessions a learner must attend: ``min_attendance`` % rounded up."""
    return math.ceil(course.min_attendance * held / 100)


def held_sessions(course: Course, now: datetime | None = None) -> list[int]:
    """The ids of the course's sessions that were not cancelled and have ended."""
    return list(
        CourseSession.objects.in_community(course.community_id)
        .filter(course_id=course.pk, cancelled_at__isnull=True, ends_at__lte=now or timezone.now())
        .values_list("pk", flat=True)
    )


def _attended_counts(course: Course, sessions: list[int]) -> dict[int, int]:
    """Enrolment id → sessions attended among ``sessions``."""
    from django.db.models import Count

    rows = (
        Attendance.objects.in_community(course.community_id)
        .filter(session_id__in=sessions, enrolment__course_id=course.pk)
        .values("enrolment_id")
        .annotate(n=Count("pk"))
    )
    return {row["enrolment_id"]: row["n"] for row in rows}


def progress_of(course: Course, enrolment: Enrolment, now: datetime | None = None) -> Progress:
    sessions = held_sessions(course, now)
    attended = _attended_counts(course, sessions).get(enrolment.pk, 0)
    return Progress(attended, len(sessions), sessions_needed(course, len(sessions)))


def _refuse_unless_over(course: Course, now: datetime) -> None:
    sessions = CourseSession.objects.in_community(course.community_id).filter(
        course_id=course.pk, cancelled_at__isnull=True
    )
    if not sessions.exists():
        raise ValidationError(_("This course has no sessions to attend."), code="no_sessions")
    if sessions.filter(ends_at__gt=now).exists():
        raise ValidationError(
            _("Completion is decided once the course's last session has ended."),
            code="course_not_over",
        )


def _refuse_unless_open(course: Course) -> None:
    if course.status == CourseStatus.FINISHED:
        raise ValidationError(_("This course is finished."), code="course_finished")
    if course.status != CourseStatus.OPEN:
        raise ValidationError(
            _("This course is not running (a draft or cancelled)."), code="course_not_open"
        )


def _assessment_missing(course: Course, enrolment: Enrolment, progress: Progress) -> bool:
    if not course.assessed or not progress.enough:
        return False
    return (
        not Assessment.objects.in_community(course.community_id)
        .filter(enrolment_id=enrolment.pk)
        .exists()
    )


def _passed(course: Course, enrolment: Enrolment, progress: Progress) -> bool:
    if not progress.enough:
        return False
    if not course.assessed:
        return True
    return bool(
        Assessment.objects.in_community(course.community_id)
        .filter(enrolment_id=enrolment.pk, passed=True)
        .exists()
    )


def _notify(enrolment: Enrolment, course: Course, completed: bool) -> None:
    from gongzhi.core.notify import send

    kind = "course_completed" if completed else "course_not_completed"
    send(
        users=[enrolment.person],
        community=course.community,
        kind=kind,
        message="completed" if completed else "not_completed",
        params={"title": course.title},
        url=course_url(course),
    )


def _decide(
    *,
    actor: Any,
    course: Course,
    enrolment: Enrolment,
    progress: Progress,
    trainers: list[Any],
    now: datetime,
) -> Enrolment:
    """Record the decision on a locked ``enrolment`` (inside the caller's transaction)."""
    completed = _passed(course, enrolment, progress)
    enrolment.status = EnrolmentStatus.COMPLETED if completed else EnrolmentStatus.NOT_COMPLETED
    enrolment.decided_at = now
    enrolment.decided_by = actor
    enrolment.updated_at = now
    enrolment.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
    journal.record(
        community=course.community,
        actor=actor,
        verb="course.completed" if completed else "course.not_completed",
        target=enrolment,
        data={
            "course": course.pk,
            "person": enrolment.person_id,
            "qualification": course.qualification or "",
            "trainers": [trainer.pk for trainer in trainers],
        },
    )
    if completed:
        grant = getattr(
            importlib.import_module("gongzhi.learning.qualifications"),
            "grant_for_completion",
            None,
        )
        if grant is not None:
            grant(actor=actor, enrolment=enrolment)
        for trainer in trainers:
            connections.record(
                community=course.community, source=trainer, target=enrolment.person, kind="trained"
            )
    _notify(enrolment, course, completed)
    return enrolment


def _trainers(course: Course) -> list[Any]:
    return [
        row.person
        for row in Trainer.objects.in_community(course.community_id)
        .filter(course_id=course.pk)
        .select_related("person")
        .order_by("pk")
    ]


def completion_decide(
    *, actor: User, enrolment: Enrolment, now: datetime | None = None
) -> Enrolment:
    """Decide whether ``enrolment``'s learner completed the course (once its sessions are
    over); never one's own."""
    course = _course_of(enrolment)
    _require_run(actor, course)
    if enrolment.person_id == actor.pk:
        raise ValidationError(
            _("Nobody decides their own completion: another trainer or a worker does."),
            code="own_completion",
        )
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_enrolment(enrolment)
        _refuse_unless_enrolled(locked)
        _refuse_unless_open(course)
        _refuse_unless_over(course, now)
        progress = progress_of(course, locked, now)
        if _assessment_missing(course, locked, progress):
            raise ValidationError(
                _("Mark this learner's assessment first."),
                code="assessment_missing",
            )
        return _decide(
            actor=actor,
            course=course,
            enrolment=locked,
            progress=progress,
            trainers=_trainers(course),
            now=now,
        )


@dataclass(frozen=True)
class Finished:
    course: Course
    completed: int
    not_completed: int


def course_finish(*, actor: User, course: Course, now: datetime | None = None) -> Finished:
    """Decide every enrolled learner still undecided and close the course as finished."""
    _require_run(actor, course)
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Course.objects.in_community(course.community_id).select_for_update().get(pk=course.pk)
        )
        _refuse_unless_open(locked)
        _refuse_unless_over(locked, now)
        undecided = list(
            Enrolment.objects.in_community(locked.community_id)
            .select_for_update()
            .filter(course_id=locked.pk, status=EnrolmentStatus.ENROLLED)
            .order_by("pk")
        )
        if any(enrolment.person_id == actor.pk for enrolment in undecided):
            raise ValidationError(
                _(
                    "You are a learner on this course: someone else decides your completion "
                    "before you finish it."
                ),
                code="own_completion",
            )
        sessions = held_sessions(locked, now)
        counts = _attended_counts(locked, sessions)
        needed = sessions_needed(locked, len(sessions))
        progress = {e.pk: Progress(counts.get(e.pk, 0), len(sessions), needed) for e in undecided}
        missing = [e for e in undecided if _assessment_missing(locked, e, progress[e.pk])]
        if missing:
            raise ValidationError(
                _("Mark the assessment of %(count)s learners first.") % {"count": len(missing)},
                code="assessment_missing",
            )
        trainers = _trainers(locked)
        decided = [
            _decide(
                actor=actor,
                course=locked,
                enrolment=enrolment,
                progress=progress[enrolment.pk],
                trainers=trainers,
                now=now,
            )
            for enrolment in undecided
        ]
        locked.status = CourseStatus.FINISHED
        locked.finished_at = now
        locked.updated_at = now
        locked.save(update_fields=["status", "finished_at", "updated_at"])
        totals = Enrolment.objects.in_community(locked.community_id).filter(course_id=locked.pk)
        completed = totals.filter(status=EnrolmentStatus.COMPLETED).count()
        not_completed = totals.filter(status=EnrolmentStatus.NOT_COMPLETED).count()
        journal.record(
            community=locked.community,
            actor=actor,
            verb="course.finished",
            target=locked,
            data={
                "course": locked.pk,
                "decided": len(decided),
                "completed": completed,
                "not_completed": not_completed,
            },
        )
    return Finished(locked, completed, not_completed)


# --- Ratings ---------------------------------------------------------------------------------


def rate(
    *,
    actor: User,
    session: CourseSession,
    stars: Any,
    comment: str = "",
    now: datetime | None = None,
) -> Rating:
    """A learner who attended ``session`` rates it, once, from its start: 1 to 5 stars."""
    if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
        raise ValidationError(_("Give between 1 and 5 stars."), code="stars_invalid")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError(
            _("The comment is too long (at most %(max)s characters).") % {"max": COMMENT_MAX},
            code="comment_too_long",
        )
    now = now or timezone.now()
    if session.cancelled_at is not None:
        raise ValidationError(_("This session was cancelled."), code="session_cancelled")
    if now < session.starts_at:
        raise ValidationError(
            _("A session is rated once it has started."), code="session_not_started"
        )
    attended = (
        Attendance.objects.in_community(session.community_id)
        .filter(session_id=session.pk, enrolment__person_id=actor.pk)
        .exists()
    )
    if not attended:
        raise ValidationError(
            _("Only learners who attended a session rate it."), code="not_attended"
        )
    rows = Rating.objects.in_community(session.community_id)
    already = ValidationError(_("You have rated this session already."), code="already_rated")
    if rows.filter(session_id=session.pk, person_id=actor.pk).exists():
        raise already
    try:
        with transaction.atomic():
            rating = rows.create(
                session=session, person=actor, stars=stars, comment=comment, created_at=now
            )
            journal.record(
                community=session.community,
                actor=actor,
                verb="course.session_rated",
                target=session,
                data={"course": session.course_id, "session": session.pk, "stars": stars},
            )
    except IntegrityError:
        raise already from None
    return rating
