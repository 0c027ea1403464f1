"""Assessment and completion (attendance.py): a trainer marks, never their own; completion is
the attendance share and (for an assessed course) a passed assessment, decided once the
sessions are over; completing grants the qualification and ties the trainers to the learner."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from gongzhi.core.models import Activity
from gongzhi.learning import attendance
from gongzhi.learning.models import (
    Assessment,
    Attendance,
    Award,
    Connection,
    CourseStatus,
    Enrolment,
    EnrolmentStatus,
)
from gongzhi.notifications.models import Notification
from tests.learning.world import course_of, enrolment_of, session_of, trainer_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(community, worker):
    """Five past sessions (one cancelled: four count), 80 % needed: 4 of 4."""
    course = course_of(community, worker, min_attendance=75)
    for days in (10, 8, 6, 4):
        session_of(course, starts_in=-timedelta(days=days))
    session_of(course, starts_in=-timedelta(days=2), cancelled_at=timezone.now())
    return course


@pytest.fixture
def trainer(course):
    return trainer_of(course).person


def _attend(course, enrolment, count: int) -> None:
    sessions = course.sessions.filter(cancelled_at__isnull=True).order_by("starts_at")[:count]
    for session in sessions:
        Attendance.objects.in_community(course.community_id).create(
            session=session, enrolment=enrolment, recorded_by=enrolment.person
        )


def _fresh(enrolment: Enrolment) -> Enrolment:
    return Enrolment.objects.in_community(enrolment.community_id).get(pk=enrolment.pk)


def test_enough_attendance_completes_grants_and_ties_the_trainers(course, trainer, worker):
    second = trainer_of(course).person
    learner = enrolment_of(course)
    _attend(course, learner, 3)  # 3 of 4 held: 75 %
    decided = attendance.completion_decide(actor=trainer, enrolment=learner)
    assert decided.status == EnrolmentStatus.COMPLETED
    assert decided.decided_by == trainer
    award = Award.objects.in_community(course.community_id).get(enrolment=learner)
    assert award.qualification == "chairing" and award.person == learner.person
    ties = set(
        Connection.objects.in_community(course.community_id).values_list(
            "source_id", "target_id", "kind"
        )
    )
    assert ties == {
        (trainer.pk, learner.person_id, "trained"),
        (second.pk, learner.person_id, "trained"),
    }
    entry = Activity.objects.in_community(course.community_id).get(verb="course.completed")
    assert entry.data == {
        "course": course.pk,
        "person": learner.person_id,
        "qualification": "chairing",
        "trainers": [trainer.pk, second.pk],
    }
    assert Notification.objects.filter(user=learner.person, kind="course_completed").exists()


def test_too_little_attendance_does_not_complete(course, worker):
    learner = enrolment_of(course)
    _attend(course, learner, 2)
    decided = attendance.completion_decide(actor=worker, enrolment=learner)
    assert decided.status == EnrolmentStatus.NOT_COMPLETED
    assert not Award.objects.in_community(course.community_id).exists()
    assert not Connection.objects.in_community(course.community_id).exists()
    entry = Activity.objects.in_community(course.community_id).get(verb="course.not_completed")
    assert entry.data["trainers"] == [] and entry.data["qualification"] == "chairing"
    assert Notification.objects.filter(user=learner.person, kind="course_not_completed").exists()


def test_a_course_without_qualification_completes_without_award(community, worker):
    course = course_of(community, worker, qualification="", min_attendance=100)
    session_of(course, starts_in=-timedelta(days=1))
    learner = enrolment_of(course)
    _attend(course, learner, 1)
    assert attendance.completion_decide(actor=worker, enrolment=learner).status == "completed"
    assert not Award.objects.in_community(community).exists()


def test_the_assessment_decides_an_assessed_course(community, worker):
    course = course_of(community, worker, assessed=True, min_attendance=100)
    session_of(course, starts_in=-timedelta(days=1))
    trainer = trainer_of(course).person
    passing, failing = enrolment_of(course), enrolment_of(course)
    for learner in (passing, failing):
        _attend(course, learner, 1)
    with pytest.raises(ValidationError) as refused:
        attendance.completion_decide(actor=trainer, enrolment=passing)
    assert refused.value.code == "assessment_missing"
    attendance.assess(actor=trainer, enrolment=passing, passed=False, note="再练练")
    attendance.assess(actor=trainer, enrolment=passing, passed=True, note="主持得很好")
    attendance.assess(actor=worker, enrolment=failing, passed=False)
    assert Assessment.objects.in_community(community).get(enrolment=passing).note == "主持得很好"
    assert attendance.completion_decide(actor=trainer, enrolment=passing).status == "completed"
    assert attendance.completion_decide(actor=trainer, enrolment=failing).status == "not_completed"
    with pytest.raises(ValidationError) as refused:
        attendance.assess(actor=trainer, enrolment=passing, passed=False)
    assert refused.value.code == "already_decided"
    assert Assessment.objects.in_community(community).get(enrolment=passing).passed


def test_nobody_marks_or_decides_their_own(community, worker):
    course = course_of(community, worker, assessed=True, min_attendance=100)
    session_of(course, starts_in=-timedelta(days=1))
    trainer = trainer_of(course).person
    own = enrolment_of(course, trainer)
    worker_enrolled = enrolment_of(course, worker)
    _attend(course, own, 1)
    with translation.override("zh-hans"):
        for actor, enrolment in ((trainer, own), (worker, worker_enrolled)):
            with pytest.raises(ValidationError) as refused:
                attendance.assess(actor=actor, enrolment=enrolment, passed=True)
            assert refused.value.code == "own_assessment"
            with pytest.raises(ValidationError) as refused:
                attendance.completion_decide(actor=actor, enrolment=enrolment)
            assert refused.value.code == "own_completion"
        with pytest.raises(ValidationError) as refused:
            attendance.course_finish(actor=trainer, course=course)
        assert refused.value.code == "own_completion"
    assert not Assessment.objects.in_community(community).exists()
    assert _fresh(own).status == EnrolmentStatus.ENROLLED
    assert course.status == CourseStatus.OPEN


def test_learners_and_outsiders_do_not_mark(course, resident, trainer):
    learner = enrolment_of(course)
    other = enrolment_of(course)
    other_course = course_of(course.community, course.created_by)
    other_trainer = trainer_of(other_course).person
    for actor in (resident, learner.person, other_trainer):
        with pytest.raises(PermissionDenied):
            attendance.completion_decide(actor=actor, enrolment=other)
        with pytest.raises(PermissionDenied):
            attendance.course_finish(actor=actor, course=course)
    assert _fresh(other).status == EnrolmentStatus.ENROLLED


def test_only_an_assessed_course_is_marked(course, trainer):
    learner = enrolment_of(course)
    with pytest.raises(ValidationError) as refused:
        attendance.assess(actor=trainer, enrolment=learner, passed=True)
    assert refused.value.code == "not_assessed"


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("upcoming_session", "course_not_over"),
        ("no_sessions", "no_sessions"),
        ("waiting", "not_enrolled"),
        ("decided", "already_decided"),
        ("cancelled_course", "course_not_open"),
    ],
)
def test_completion_refuses(case, code, community, worker):
    course = course_of(community, worker)
    if case != "no_sessions":
        session_of(course, starts_in=-timedelta(days=1))
    if case == "upcoming_session":
        session_of(course, starts_in=timedelta(days=1))
    status = {"waiting": "waitlisted", "decided": "completed"}.get(case, "enrolled")
    learner = enrolment_of(course, status=status)
    if case == "cancelled_course":
        course.status = CourseStatus.CANCELLED
        course.save()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        attendance.completion_decide(actor=worker, enrolment=learner)
    assert refused.value.code == code
    assert _fresh(learner).status == status
    assert not Activity.objects.in_community(community).filter(verb__startswith="course.").exists()


def test_finishing_decides_everyone_left_and_closes_the_course(course, trainer, worker):
    done = enrolment_of(course)
    _attend(course, done, 4)
    attendance.completion_decide(actor=trainer, enrolment=done)
    present, absent = enrolment_of(course), enrolment_of(course)
    waiting = enrolment_of(course, status=EnrolmentStatus.WAITLISTED)
    _attend(course, present, 4)
    finished = attendance.course_finish(actor=worker, course=course)
    assert (finished.completed, finished.not_completed) == (2, 1)
    assert finished.course.status == CourseStatus.FINISHED and finished.course.finished_at
    assert _fresh(present).status == EnrolmentStatus.COMPLETED
    assert _fresh(absent).status == EnrolmentStatus.NOT_COMPLETED
    assert _fresh(waiting).status == EnrolmentStatus.WAITLISTED
    entry = Activity.objects.in_community(course.community_id).get(verb="course.finished")
    assert entry.data == {"course": course.pk, "decided": 2, "completed": 2, "not_completed": 1}
    with pytest.raises(ValidationError) as refused:
        attendance.course_finish(actor=worker, course=finished.course)
    assert refused.value.code == "course_finished"


def test_finishing_waits_for_missing_assessments(community, worker):
    course = course_of(community, worker, assessed=True, min_attendance=100)
    session_of(course, starts_in=-timedelta(days=1))
    attended, absent = enrolment_of(course), enrolment_of(course)
    _attend(course, attended, 1)
    with pytest.raises(ValidationError) as refused:
        attendance.course_finish(actor=worker, course=course)
    assert refused.value.code == "assessment_missing"
    assert _fresh(attended).status == _fresh(absent).status == EnrolmentStatus.ENROLLED
    attendance.assess(actor=worker, enrolment=attended, passed=True)
    assert attendance.course_finish(actor=worker, course=course).completed == 1
    assert _fresh(absent).status == EnrolmentStatus.NOT_COMPLETED


def test_progress_rounds_the_share_up(community, worker):
    course = course_of(community, worker, min_attendance=80)
    for days in (5, 4, 3):
        session_of(course, starts_in=-timedelta(days=days))
    learner = enrolment_of(course)
    _attend(course, learner, 2)
    progress = attendance.progress_of(course, learner)
    assert (progress.attended, progress.held, progress.needed) == (2, 3, 3)
    assert not progress.enough


@pytest.mark.django_db(transaction=True)
def test_two_trainers_deciding_at_once_decide_once(live_server, community, worker):
    """Real concurrent requests: the enrolment's row lock lets one decision through; the other
    reads it decided (``already_decided``). One journal entry, one award."""
    from gongzhi.accounts.services import api_token_create
    from tests.concurrency import race_posts

    course = course_of(community, worker, min_attendance=100)
    session_of(course, starts_in=-timedelta(days=1))
    trainers = [trainer_of(course).person for _i in range(4)]
    learner = enrolment_of(course)
    _attend(course, learner, 1)
    tokens = [api_token_create(user=person, name="t")[1] for person in trainers]
    url = (
        f"{live_server.url}/api/v1/communities/{community.slug}/learning/enrolments/"
        f"{learner.pk}/completion"
    )

    statuses = race_posts(url, tokens, [{} for _token in tokens])

    assert statuses == [200] + [400] * 3
    assert _fresh(learner).status == EnrolmentStatus.COMPLETED
    assert Activity.objects.in_community(community).filter(verb="course.completed").count() == 1
    assert Award.objects.in_community(community).filter(enrolment=learner).count() == 1
