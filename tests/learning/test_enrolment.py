"""Enrolling in a course (the service): a place while there are some, then the waiting list in
order; refusals (not open, finished or cancelled, closed, already enrolled, who told you being
oneself or a stranger) with a clear, translated error and nothing saved; 代办; giving up a
place moves the first waiting in, who is told."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.core.models import Activity
from gongzhi.learning import services
from gongzhi.learning.models import Connection, CourseStatus, Enrolment, EnrolmentStatus
from gongzhi.learning.selectors import waiting_position
from gongzhi.notifications.models import Notification
from tests.factories import member
from tests.learning.world import course_of, enrolment_of, session_of, trainer_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(community, worker):
    course = course_of(community, worker, capacity=2)
    session_of(course, starts_in=timedelta(days=3))
    return course


def _code(call) -> str:
    with pytest.raises(ValidationError) as error:
        call()
    assert error.value.messages[0]
    return error.value.error_list[0].code


def _rows(course):
    return Enrolment.objects.in_community(course.community_id).filter(course=course)


def test_places_then_the_waiting_list_in_order(community, course):
    people = [member(community) for _i in range(4)]
    statuses = [services.enrol(actor=p, course=course).status for p in people]
    assert statuses == ["enrolled", "enrolled", "waitlisted", "waitlisted"]
    third, fourth = (_rows(course).get(person=p) for p in people[2:])
    assert (waiting_position(third), waiting_position(fourth)) == (1, 2)


def test_the_journal_entry_keeps_the_agreed_shape(community, course, worker):
    learner, friend = member(community), member(community)
    enrolment = services.enrol(actor=learner, course=course, recruited_by=friend)
    entry = Activity.objects.in_community(community).get(verb="course.enrolled")
    assert entry.data == {
        "course": course.pk,
        "person": learner.pk,
        "status": "enrolled",
        "recruited_by": friend.pk,
    }
    assert entry.on_behalf_of_id is None and enrolment.recruited_by == friend
    assert Connection.objects.in_community(community).get(kind="recruited").source == friend


def test_already_enrolled_is_refused(community, course):
    learner = member(community)
    services.enrol(actor=learner, course=course)
    assert _code(lambda: services.enrol(actor=learner, course=course)) == "already_enrolled"
    assert _rows(course).count() == 1


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (CourseStatus.DRAFT, "course_not_open"),
        (CourseStatus.FINISHED, "course_finished"),
        (CourseStatus.CANCELLED, "course_finished"),
    ],
)
def test_a_course_not_open_is_refused(community, worker, status, code):
    course = course_of(community, worker, status=status)
    session_of(course)
    assert _code(lambda: services.enrol(actor=member(community), course=course)) == code
    assert not _rows(course).exists()


def test_a_full_course_puts_one_on_the_waiting_list_not_in_a_place(community, worker):
    course = course_of(community, worker, capacity=1)
    session_of(course)
    services.enrol(actor=member(community), course=course)
    assert services.enrol(actor=member(community), course=course).status == "waitlisted"
    assert _rows(course).filter(status="enrolled").count() == 1


def test_enrolment_closes_on_its_day_and_when_the_last_session_starts(community, worker):
    course = course_of(community, worker, enrol_until=timezone.localdate() + timedelta(days=1))
    session_of(course, starts_in=timedelta(days=5))
    services.enrol(actor=member(community), course=course)
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert _code(lambda: services.enrol(actor=member(community), course=course)) == (
            "enrolment_closed"
        )
    started = course_of(community, worker)
    session_of(started, starts_in=-timedelta(hours=1))
    assert _code(lambda: services.enrol(actor=member(community), course=started)) == (
        "enrolment_closed"
    )
    assert not _rows(started).exists()


def test_who_told_you_must_be_another_member(community, other_community, course):
    learner = member(community)
    own = _code(lambda: services.enrol(actor=learner, course=course, recruited_by=learner))
    stranger = member(other_community)
    outside = _code(lambda: services.enrol(actor=learner, course=course, recruited_by=stranger))
    assert (own, outside) == ("recruited_by_self", "recruited_by_not_member")
    assert not _rows(course).exists()
    assert not Connection.objects.in_community(community).exists()


def test_a_trainer_of_the_course_cannot_enrol_in_it(community, worker, course):
    trainer = trainer_of(course).person
    assert _code(lambda: services.enrol(actor=trainer, course=course)) == "trainer_is_learner"
    by_phone = _code(lambda: services.enrol(actor=worker, course=course, person=trainer))
    assert by_phone == "trainer_is_learner"
    assert not _rows(course).exists()
    other = course_of(community, worker, title="另一门课")
    session_of(other)
    assert services.enrol(actor=trainer, course=other).status == "enrolled"


def test_a_worker_enrolling_someone_is_not_who_told_them(community, worker, course):
    resident, friend = member(community), member(community)
    own = _code(
        lambda: services.enrol(actor=worker, course=course, person=resident, recruited_by=worker)
    )
    assert own == "own_recruitment"
    assert not _rows(course).exists()
    assert not Connection.objects.in_community(community).exists()
    enrolment = services.enrol(actor=worker, course=course, person=resident, recruited_by=friend)
    assert enrolment.recruited_by == friend


def test_outsiders_cannot_enrol(community, outsider, course):
    with pytest.raises(PermissionDenied):
        services.enrol(actor=outsider, course=course)
    assert not _rows(course).exists()


def test_a_worker_enrols_a_resident_and_a_resident_cannot_enrol_another(community, worker, course):
    resident, other = member(community), member(community)
    with pytest.raises(PermissionDenied):
        services.enrol(actor=resident, course=course, person=other)
    enrolment = services.enrol(actor=worker, course=course, person=resident)
    assert enrolment.enrolled_by == worker
    entry = Activity.objects.in_community(community).get(verb="course.enrolled")
    assert (entry.actor_id, entry.on_behalf_of_id) == (worker.pk, resident.pk)


def test_giving_up_a_place_moves_the_first_waiting_in(community, worker):
    course = course_of(community, worker, capacity=1)
    session_of(course)
    first, second, third = (member(community) for _i in range(3))
    place = services.enrol(actor=first, course=course)
    services.enrol(actor=second, course=course)
    services.enrol(actor=third, course=course)
    services.enrolment_cancel(actor=first, enrolment=place)
    statuses = dict(_rows(course).values_list("person_id", "status"))
    assert statuses == {first.pk: "cancelled", second.pk: "enrolled", third.pk: "waitlisted"}
    told = Notification.objects.get(kind="course_place")
    assert told.user == second
    promoted = Activity.objects.in_community(community).get(verb="course.promoted")
    # the system moved them in: whoever freed the place did not act for them (no 代办)
    assert (promoted.actor_id, promoted.on_behalf_of_id) == (None, None)
    assert promoted.data == {"person": second.pk, "course": course.pk, "freed_by": first.pk}


def test_leaving_the_waiting_list_promotes_no_one(community, worker):
    course = course_of(community, worker, capacity=1)
    session_of(course)
    services.enrol(actor=member(community), course=course)
    waiting = services.enrol(actor=member(community), course=course)
    last = services.enrol(actor=member(community), course=course)
    services.enrolment_cancel(actor=waiting.person, enrolment=waiting)
    last.refresh_from_db()
    assert last.status == "waitlisted" and waiting_position(last) == 1
    assert not Notification.objects.filter(kind="course_place").exists()


def test_a_cancelled_enrolment_re_enrols_in_the_same_row_at_the_back(community, worker):
    course = course_of(community, worker, capacity=1)
    session_of(course)
    learner = member(community)
    first = services.enrol(actor=learner, course=course)
    created = first.created_at
    services.enrolment_cancel(actor=learner, enrolment=first)
    services.enrol(actor=member(community), course=course)
    again = services.enrol(actor=learner, course=course)
    assert again.pk == first.pk
    assert again.status == EnrolmentStatus.WAITLISTED
    assert again.created_at > created


def test_no_one_cancels_another_learners_enrolment(community, course, worker):
    enrolment = enrolment_of(course)
    with pytest.raises(PermissionDenied):
        services.enrolment_cancel(actor=member(community), enrolment=enrolment)
    services.enrolment_cancel(actor=worker, enrolment=enrolment)
    enrolment.refresh_from_db()
    assert enrolment.status == "cancelled"
    assert _code(lambda: services.enrolment_cancel(actor=worker, enrolment=enrolment)) == (
        "enrolment_inactive"
    )


def test_raising_the_places_moves_the_waiting_in(community, worker, course):
    people = [member(community) for _i in range(3)]
    for person in people:
        services.enrol(actor=person, course=course)
    services.course_update(
        actor=worker,
        course=course,
        title=course.title,
        topic=course.topic,
        capacity=3,
        qualification=course.qualification,
        valid_months=course.valid_months,
    )
    assert _rows(course).filter(status="enrolled").count() == 3
    lower = lambda: services.course_update(  # noqa: E731
        actor=worker,
        course=course,
        title=course.title,
        topic=course.topic,
        capacity=1,
        qualification=course.qualification,
        valid_months=course.valid_months,
    )
    assert _code(lower) == "capacity_below_enrolled"
