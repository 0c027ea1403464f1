"""Presence at a course session (attendance.py): the learner scans the session's rotating QR
code (core checkin), or those who run the course keep the roll."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from gongzhi.core import checkin
from gongzhi.core.models import Activity, CheckIn
from gongzhi.learning import attendance
from gongzhi.learning.models import Attendance, EnrolmentStatus
from tests.factories import member
from tests.learning.world import course_of, enrolment_of, session_of, trainer_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(community, worker):
    return course_of(community, worker)


@pytest.fixture
def trainer(course):
    return trainer_of(course).person


@pytest.fixture
def session(course):
    """A two-hour session that started an hour ago."""
    return session_of(course, starts_in=-timedelta(hours=1), hours=2)


@pytest.fixture
def enrolment(course):
    return enrolment_of(course)


def _present(session, enrolment) -> bool:
    return (
        Attendance.objects.in_community(session.community_id)
        .filter(session=session, enrolment=enrolment)
        .exists()
    )


def test_a_scan_records_the_learner_once(session, enrolment):
    person = enrolment.person
    code = checkin.current_code(session)
    checkin.checkin_record(actor=person, target=session, code=code)
    checkin.checkin_record(actor=person, target=session, code=code)
    rows = Attendance.objects.in_community(session.community_id).filter(session=session)
    assert [(row.enrolment_id, row.recorded_by_id) for row in rows] == [(enrolment.pk, person.pk)]
    verbs = list(
        Activity.objects.in_community(session.community_id)
        .filter(verb="course.attendance_recorded")
        .values_list("data", flat=True)
    )
    assert verbs == [
        {"course": session.course_id, "session": session.pk, "person": person.pk, "via": "qr"}
    ]
    with translation.override("en"):
        assert "roll" in checkin.status_of(person, session)


def test_a_code_from_another_session_or_an_old_one_is_refused(course, session, enrolment):
    other = session_of(course, starts_in=-timedelta(hours=1), hours=2, place="会议室")
    old = checkin.code_for(session, checkin.time_step() - 5)
    with translation.override("zh-hans"):
        for code in (checkin.current_code(other), old):
            with pytest.raises(ValidationError) as refused:
                checkin.checkin_record(actor=enrolment.person, target=session, code=code)
            assert refused.value.code == "checkin_code"
            assert "过期" in refused.value.messages[0] or "另一" in refused.value.messages[0]
    assert not _present(session, enrolment)
    assert not CheckIn.objects.in_community(session.community_id).exists()


def test_only_learners_with_a_place_scan(course, session, resident):
    waiting = enrolment_of(course, status=EnrolmentStatus.WAITLISTED)
    for person in (resident, waiting.person):
        with pytest.raises(PermissionDenied):
            checkin.checkin_record(actor=person, target=session, code=checkin.current_code(session))
    assert not Attendance.objects.in_community(session.community_id).exists()


def test_scanning_opens_half_an_hour_before_and_closes_at_the_end(course, enrolment):
    coming = session_of(course, starts_in=timedelta(minutes=40), hours=2)
    over = session_of(course, starts_in=-timedelta(hours=3), hours=2)
    for target in (coming, over):
        with pytest.raises(ValidationError) as refused:
            checkin.checkin_record(
                actor=enrolment.person, target=target, code=checkin.current_code(target)
            )
        assert refused.value.code == "scan_outside_session"
    assert not Attendance.objects.in_community(course.community_id).exists()
    assert not CheckIn.objects.in_community(course.community_id).exists()
    with time_machine.travel(coming.starts_at - timedelta(minutes=29)):
        checkin.checkin_record(
            actor=enrolment.person, target=coming, code=checkin.current_code(coming)
        )
    assert _present(coming, enrolment)


def test_a_cancelled_session_takes_no_scan(session, enrolment):
    session.cancelled_at = timezone.now()
    session.save()
    with pytest.raises(PermissionDenied):
        checkin.checkin_record(
            actor=enrolment.person, target=session, code=checkin.current_code(session)
        )


def test_who_shows_the_code(session, trainer, worker, resident, enrolment):
    target = checkin.target_for("learning.coursesession")
    assert target is not None
    assert target.may_display(trainer, session)
    assert target.may_display(worker, session)
    assert not target.may_display(resident, session)
    assert not target.may_display(enrolment.person, session)


def test_the_trainer_and_a_worker_keep_the_roll(session, enrolment, trainer, worker, course):
    second = enrolment_of(course)
    attendance.attendance_record(actor=trainer, session=session, enrolment=enrolment)
    attendance.attendance_record(actor=worker, session=session, enrolment=second)
    again = attendance.attendance_record(actor=worker, session=session, enrolment=enrolment)
    assert again.recorded_by == trainer
    assert _present(session, enrolment) and _present(session, second)
    assert attendance.attendance_remove(actor=worker, session=session, enrolment=second)
    assert not _present(session, second)
    assert not attendance.attendance_remove(actor=worker, session=session, enrolment=second)
    verbs = list(
        Activity.objects.in_community(session.community_id)
        .filter(verb__startswith="course.attendance")
        .values_list("verb", flat=True)
        .order_by("pk")
    )
    assert verbs == [
        "course.attendance_recorded",
        "course.attendance_recorded",
        "course.attendance_removed",
    ]


def test_others_do_not_keep_the_roll(course, session, enrolment, resident):
    other_trainer = trainer_of(course_of(course.community, course.created_by)).person
    for outsider in (resident, other_trainer, enrolment.person):
        with pytest.raises(PermissionDenied):
            attendance.attendance_record(actor=outsider, session=session, enrolment=enrolment)
    assert not _present(session, enrolment)


def test_a_trainer_enrolled_in_the_course_does_not_mark_themself(course, session, worker):
    trainer = trainer_of(course).person
    own = enrolment_of(course, trainer)
    with pytest.raises(ValidationError) as refused:
        attendance.attendance_record(actor=trainer, session=session, enrolment=own)
    assert refused.value.code == "own_attendance"
    assert not _present(session, own)
    attendance.attendance_record(actor=worker, session=session, enrolment=own)
    assert _present(session, own)


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("cancelled", "session_cancelled"),
        ("not_started", "session_not_started"),
        ("waiting", "not_enrolled"),
        ("decided", "already_decided"),
        ("other_course", "wrong_course"),
    ],
)
def test_the_roll_refuses(case, code, course, session, worker):
    target = session
    enrolment = enrolment_of(course)
    if case == "cancelled":
        session.cancelled_at = timezone.now()
        session.save()
    elif case == "not_started":
        target = session_of(course, starts_in=timedelta(minutes=31))
    elif case == "waiting":
        enrolment = enrolment_of(course, status=EnrolmentStatus.WAITLISTED)
    elif case == "decided":
        enrolment = enrolment_of(course, status=EnrolmentStatus.COMPLETED)
    elif case == "other_course":
        enrolment = enrolment_of(course_of(course.community, worker), member(course.community))
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        attendance.attendance_record(actor=worker, session=target, enrolment=enrolment)
    assert refused.value.code == code
    assert not Attendance.objects.in_community(course.community_id).exists()


def test_a_session_of_another_community_is_not_a_target_of_this_one(
    other_community, session, enrolment
):
    """The check-in row and the attendance belong to the session's community."""
    checkin.checkin_record(
        actor=enrolment.person, target=session, code=checkin.current_code(session)
    )
    assert not Attendance.objects.in_community(other_community).exists()
    assert Attendance.objects.in_community(session.community_id).count() == 1
