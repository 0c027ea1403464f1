"""The attendance part's pages: the roll, a course's results, the assessment and rating forms,
and its sections on the learning home and "my learning"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from gongzhi.learning.models import Assessment, Attendance, CourseStatus, Enrolment, Rating
from tests.learning.world import course_of, enrolment_of, session_of, trainer_of

pytestmark = pytest.mark.django_db

#: Queries a roll or a results page may take, whatever the number of learners.
QUERY_BUDGET = 15


@pytest.fixture
def course(community, worker):
    return course_of(community, worker, assessed=True, min_attendance=100)


@pytest.fixture
def trainer(course):
    return trainer_of(course).person


@pytest.fixture
def session(course):
    return session_of(course, starts_in=-timedelta(hours=1), hours=2)


def _url(name: str, community, *args) -> str:
    return reverse(name, args=[community.slug, *args])


def test_the_trainer_keeps_the_roll_on_a_phone(client, community, course, session, trainer):
    learner = enrolment_of(course)
    client.force_login(trainer)
    page = client.get(_url("learning_session_roll", community, session.pk))
    assert page.status_code == 200
    text = page.content.decode()
    assert str(learner.person) in text
    assert reverse("checkin_screen", args=["learning.coursesession", session.pk]) in text
    mark = _url("learning_roll_mark", community, session.pk, learner.pk, "present")
    assert mark in text
    response = client.post(mark, follow=True)
    assert response.status_code == 200
    assert Attendance.objects.in_community(community).filter(enrolment=learner).exists()
    client.post(_url("learning_roll_mark", community, session.pk, learner.pk, "absent"))
    assert not Attendance.objects.in_community(community).filter(enrolment=learner).exists()


def test_the_roll_is_not_found_for_others(client, community, course, session, resident):
    learner = enrolment_of(course)
    for person in (resident, learner.person):
        client.force_login(person)
        assert client.get(_url("learning_session_roll", community, session.pk)).status_code == 404
        response = client.post(
            _url("learning_roll_mark", community, session.pk, learner.pk, "present")
        )
        assert response.status_code == 404
        assert client.get(_url("learning_course_results", community, course.pk)).status_code == 404
    assert not Attendance.objects.in_community(community).exists()


def test_a_refusal_is_shown_in_the_readers_language(client, community, course, trainer):
    coming = session_of(course, starts_in=timedelta(days=2))
    learner = enrolment_of(course)
    client.force_login(trainer)
    response = client.post(
        _url("learning_roll_mark", community, coming.pk, learner.pk, "present"),
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "30 minutes before" in response.content.decode()
    assert not Attendance.objects.in_community(community).exists()


def test_results_assessment_decision_and_finish(client, community, worker):
    course = course_of(community, worker, assessed=True, min_attendance=100)
    trainer = trainer_of(course).person
    past = session_of(course, starts_in=-timedelta(days=1))
    passing, absent = enrolment_of(course), enrolment_of(course)
    Attendance.objects.in_community(community).create(
        session=past, enrolment=passing, recorded_by=passing.person
    )
    client.force_login(trainer)
    page = client.get(_url("learning_course_results", community, course.pk))
    assert page.status_code == 200
    assert _url("learning_assessment", community, passing.pk) in page.content.decode()
    form = client.get(_url("learning_assessment", community, passing.pk))
    assert form.status_code == 200
    response = client.post(
        _url("learning_assessment", community, passing.pk), {"passed": "yes", "note": "很好"}
    )
    assert response.status_code == 302
    assert Assessment.objects.in_community(community).get(enrolment=passing).passed
    client.post(_url("learning_completion_decide", community, course.pk, passing.pk))
    assert Enrolment.objects.in_community(community).get(pk=passing.pk).status == "completed"
    client.post(_url("learning_course_finish", community, course.pk))
    course.refresh_from_db()
    assert course.status == CourseStatus.FINISHED
    assert Enrolment.objects.in_community(community).get(pk=absent.pk).status == "not_completed"


def test_an_own_assessment_shows_no_form_and_is_refused(client, community, course, trainer):
    own = enrolment_of(course, trainer)
    client.force_login(trainer)
    page = client.get(_url("learning_assessment", community, own.pk))
    assert page.status_code == 200
    assert "<form" not in page.content.decode().split("<main", 1)[-1]
    response = client.post(_url("learning_assessment", community, own.pk), {"passed": "yes"})
    assert response.status_code == 200
    assert not Assessment.objects.in_community(community).exists()


def test_a_learner_who_attended_rates_from_my_learning(client, community, course, session):
    learner = enrolment_of(course)
    Attendance.objects.in_community(community).create(
        session=session, enrolment=learner, recorded_by=learner.person
    )
    client.force_login(learner.person)
    mine = client.get(_url("learning_me", community))
    rate = _url("learning_session_rate", community, session.pk)
    assert rate in mine.content.decode()
    assert client.get(rate).status_code == 200
    response = client.post(rate, {"stars": "4", "comment": "很好"})
    assert response.status_code == 302
    assert Rating.objects.in_community(community).get(person=learner.person).stars == 4
    again = client.post(rate, {"stars": "5"})
    assert again.status_code == 200
    assert Rating.objects.in_community(community).count() == 1
    bad = client.post(rate, {"stars": "9"})
    assert bad.status_code == 200


def test_someone_who_did_not_attend_finds_no_rating_form(client, community, course, session):
    learner = enrolment_of(course)
    client.force_login(learner.person)
    assert client.get(_url("learning_session_rate", community, session.pk)).status_code == 404


def test_my_coming_sessions_and_the_trainers_week(client, community, course, trainer):
    coming = session_of(course, starts_in=timedelta(days=2), title="第二讲")
    learner = enrolment_of(course)
    client.force_login(learner.person)
    mine = client.get(_url("learning_me", community)).content.decode()
    assert 'id="mine-attendance"' in mine
    assert course.title in mine
    client.force_login(trainer)
    home = client.get(_url("learning_home", community)).content.decode()
    assert _url("learning_session_roll", community, coming.pk) in home


def test_a_cancelled_session_shows_no_code(client, community, course, trainer):
    gone = session_of(course, starts_in=-timedelta(hours=1), cancelled_at=timezone.now())
    client.force_login(trainer)
    page = client.get(_url("learning_session_roll", community, gone.pk)).content.decode()
    assert reverse("checkin_screen", args=["learning.coursesession", gone.pk]) not in page


def test_a_course_whose_sessions_are_over_waits_on_the_home(client, community, worker):
    over = course_of(community, worker, title="急救培训")
    session_of(over, starts_in=-timedelta(days=2))
    running = course_of(community, worker, title="数字助老")
    session_of(running, starts_in=-timedelta(days=2))
    session_of(running, starts_in=timedelta(days=20))
    client.force_login(worker)
    home = client.get(_url("learning_home", community)).content.decode()
    assert _url("learning_course_results", community, over.pk) in home
    assert _url("learning_course_results", community, running.pk) not in home


def test_the_scan_page_records_the_learner(client, community, course, session):
    from gongzhi.core import checkin

    learner = enrolment_of(course)
    client.force_login(learner.person)
    url = checkin.scan_url(session, checkin.current_code(session))
    assert client.get(url).status_code == 200
    response = client.post(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "on the roll" in response.content.decode()
    assert Attendance.objects.in_community(community).filter(enrolment=learner).exists()
    other = session_of(course, starts_in=-timedelta(hours=1), place="会议室")
    wrong = checkin.scan_url(session, checkin.current_code(other))
    assert client.post(wrong).status_code == 400


@pytest.mark.parametrize("learners", [2, 12])
def test_the_roll_and_results_read_in_a_fixed_number_of_queries(
    client, community, course, session, trainer, learners, django_assert_max_num_queries
):
    """Phone pages at the door: the count of queries does not grow with the learners."""
    for _i in range(learners):
        learner = enrolment_of(course)
        Attendance.objects.in_community(community).create(
            session=session, enrolment=learner, recorded_by=learner.person
        )
    client.force_login(trainer)
    client.get(_url("learning_session_roll", community, session.pk))  # warm the session
    with django_assert_max_num_queries(QUERY_BUDGET):
        assert client.get(_url("learning_session_roll", community, session.pk)).status_code == 200
    with django_assert_max_num_queries(QUERY_BUDGET):
        assert client.get(_url("learning_course_results", community, course.pk)).status_code == 200


def test_once_everyone_is_decided_the_results_say_so(client, community, worker):
    course = course_of(community, worker, min_attendance=100)
    trainer = trainer_of(course).person
    session_of(course, starts_in=-timedelta(days=1))
    learners = [enrolment_of(course), enrolment_of(course)]
    client.force_login(trainer)
    for learner in learners:
        client.post(_url("learning_completion_decide", community, course.pk, learner.pk))
    text = client.get(_url("learning_course_results", community, course.pk)).content.decode()
    with translation.override("zh-hans"):
        said = ngettext(
            "The learner is decided: finishing closes the course.",
            "All %(decided)s learners are decided: finishing closes the course.",
            2,
        ) % {"decided": 2}
        left = ngettext(
            "Finishing decides the %(undecided)s learner left and closes the course.",
            "Finishing decides the %(undecided)s learners left and closes the course.",
            0,
        ) % {"undecided": 0}
    assert said in text and left not in text
