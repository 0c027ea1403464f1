"""Ratings (attendance.py): a learner who attended rates a session once, 1 to 5 stars, from its
start; those who run the course read the average and count, without names."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from gongzhi.core.models import Activity
from gongzhi.learning import attendance, attendance_selectors
from gongzhi.learning.models import Attendance, Rating
from tests.learning.world import course_of, enrolment_of, session_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(community, worker):
    return course_of(community, worker)


@pytest.fixture
def session(course):
    return session_of(course, starts_in=-timedelta(hours=1), hours=2)


def _attended(session, course):
    learner = enrolment_of(course)
    Attendance.objects.in_community(course.community_id).create(
        session=session, enrolment=learner, recorded_by=learner.person
    )
    return learner.person


def test_a_learner_who_attended_rates_once(session, course):
    person = _attended(session, course)
    rating = attendance.rate(actor=person, session=session, stars=4, comment=" 很实用 ")
    assert (rating.stars, rating.comment) == (4, "很实用")
    with pytest.raises(ValidationError) as refused:
        attendance.rate(actor=person, session=session, stars=5)
    assert refused.value.code == "already_rated"
    assert Rating.objects.in_community(course.community_id).count() == 1
    entry = Activity.objects.in_community(course.community_id).get(verb="course.session_rated")
    assert entry.data == {"course": course.pk, "session": session.pk, "stars": 4}


@pytest.mark.parametrize("stars", [0, 6, -1, "5", None, True, 2.5])
def test_stars_are_one_to_five(session, course, stars):
    person = _attended(session, course)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        attendance.rate(actor=person, session=session, stars=stars)
    assert refused.value.code == "stars_invalid"
    assert not Rating.objects.in_community(course.community_id).exists()


def test_only_those_who_attended_rate_after_the_start(session, course, resident):
    enrolled = enrolment_of(course).person  # enrolled, not present
    for person in (resident, enrolled):
        with pytest.raises(ValidationError) as refused:
            attendance.rate(actor=person, session=session, stars=5)
        assert refused.value.code == "not_attended"
    later = session_of(course, starts_in=timedelta(hours=2))
    person = _attended(later, course)
    with pytest.raises(ValidationError) as refused:
        attendance.rate(actor=person, session=later, stars=5)
    assert refused.value.code == "session_not_started"
    assert not Rating.objects.in_community(course.community_id).exists()


def test_a_long_comment_is_refused(session, course):
    person = _attended(session, course)
    with pytest.raises(ValidationError) as refused:
        attendance.rate(actor=person, session=session, stars=3, comment="好" * 501)
    assert refused.value.code == "comment_too_long"


def test_trainers_read_average_and_count_without_names(session, course):
    for stars in (5, 4, 3):
        attendance.rate(actor=_attended(session, course), session=session, stars=stars)
    other = session_of(course, starts_in=-timedelta(days=1))
    summary = attendance_selectors.ratings_by_session(course)
    assert summary[session.pk].count == 3
    assert summary[session.pk].average == pytest.approx(4.0)
    assert other.pk not in summary
    assert not hasattr(summary[session.pk], "people")


def test_a_cancelled_session_is_not_rated(session, course):
    person = _attended(session, course)
    session.cancelled_at = timezone.now()
    session.save()
    with pytest.raises(ValidationError) as refused:
        attendance.rate(actor=person, session=session, stars=5)
    assert refused.value.code == "session_cancelled"


@pytest.mark.django_db(transaction=True)
def test_simultaneous_ratings_of_one_learner_store_one(live_server, community, worker):
    """Real concurrent requests: the unique constraint keeps one rating; the others answer
    ``already_rated`` (400), never a 500."""
    from gongzhi.accounts.services import api_token_create
    from tests.concurrency import race_posts

    course = course_of(community, worker)
    session = session_of(course, starts_in=-timedelta(hours=1), hours=2)
    person = _attended(session, course)
    token = api_token_create(user=person, name="t")[1]
    url = (
        f"{live_server.url}/api/v1/communities/{community.slug}/learning/sessions/"
        f"{session.pk}/ratings"
    )

    statuses = race_posts(url, token, [{"stars": stars} for stars in (1, 2, 3, 4, 5)])

    assert statuses == [201] + [400] * 4
    assert Rating.objects.in_community(community).filter(session=session).count() == 1
    rated = Activity.objects.in_community(community).filter(verb="course.session_rated")
    assert rated.count() == 1
