"""The courses' and qualifications' pages read in a fixed number of queries: five times the rows
(courses, sessions, trainers, learners, awards) costs no more queries than one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import member
from tests.learning.world import award_of, course_of, enrolment_of, session_of, trainer_of

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def _grow(community, worker, learner, n: int) -> None:
    """``n`` more open courses, each with two sessions, a trainer and two learners (``learner``
    one of them), and ``n`` more awards of ``learner``'s."""
    for _ in range(n):
        course = course_of(community, worker)
        session_of(course)
        session_of(course, starts_in=timedelta(days=10))
        trainer_of(course)
        enrolment_of(course, learner)
        enrolment_of(course)
        award_of(community, learner, granted_by=worker)


@pytest.mark.parametrize(
    ("name", "who"),
    [
        ("learning_home", "learner"),
        ("learning_me", "learner"),
        ("learning_courses", "learner"),
        ("learning_courses", "worker"),
        ("learning_awards_mine", "learner"),
        ("learning_qualification_holders", "worker"),
    ],
)
def test_a_page_costs_the_same_queries_for_five_times_the_rows(
    client, community, worker, name, who
):
    learner = member(community)
    client.force_login({"learner": learner, "worker": worker}[who])
    url = reverse(name, args=[community.slug])
    _grow(community, worker, learner, 1)
    few = _queries(client, url)
    _grow(community, worker, learner, 4)
    assert _queries(client, url) <= few


@pytest.mark.parametrize("who", ["learner", "worker"])
def test_a_course_page_costs_the_same_queries_for_five_times_the_rows(
    client, community, worker, who
):
    learner = member(community)
    course = course_of(community, worker)
    client.force_login({"learner": learner, "worker": worker}[who])
    url = reverse("learning_course", args=[community.slug, course.pk])

    def grow(n: int) -> None:
        for _ in range(n):
            session_of(course, starts_in=timedelta(days=3 + len(course.sessions.all())))
            trainer_of(course)
            enrolment_of(course)

    enrolment_of(course, learner)
    grow(1)
    few = _queries(client, url)
    grow(4)
    assert _queries(client, url) <= few


def test_the_enrolled_list_costs_the_same_queries_for_five_times_the_learners(
    client, community, worker
):
    course = course_of(community, worker, capacity=20)
    client.force_login(worker)
    url = reverse("learning_course_enrolled", args=[community.slug, course.pk])
    enrolment_of(course)
    few = _queries(client, url)
    for _ in range(4):
        enrolment_of(course)
    assert _queries(client, url) <= few
