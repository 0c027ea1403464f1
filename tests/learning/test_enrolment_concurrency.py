"""Enrolments under real concurrent requests: threads against the live server, each its own
database connection (PostgreSQL with DATABASE_URL; SQLite serialises writers by its own lock).
Enrolling locks the course's row before it counts the places, so never more are enrolled than
its places, the rest wait, and every request answered 2xx is stored."""

from __future__ import annotations

import pytest

from gongzhi.accounts.services import api_token_create
from gongzhi.core.models import Activity
from gongzhi.learning.models import Enrolment
from tests.concurrency import race_posts
from tests.factories import member
from tests.learning.world import course_of, session_of


def _url(live_server, community, course) -> str:
    return (
        f"{live_server.url}/api/v1/communities/{community.slug}/learning/"
        f"courses/{course.pk}/enrolments"
    )


@pytest.mark.django_db(transaction=True)
def test_thirty_enrolments_for_ten_places_never_overbook(live_server, community, worker):
    course = course_of(community, worker, capacity=10)
    session_of(course)
    people = [member(community) for _i in range(30)]
    tokens = [api_token_create(user=p, name="t")[1] for p in people]

    statuses = race_posts(_url(live_server, community, course), tokens, [{} for _t in tokens])

    assert statuses == [201] * 30  # every answer a success …
    rows = Enrolment.objects.in_community(community).filter(course=course)
    assert rows.count() == 30  # … and every success stored
    assert rows.filter(status="enrolled").count() == 10
    assert rows.filter(status="waitlisted").count() == 20
    journalled = Activity.objects.in_community(community).filter(verb="course.enrolled")
    assert sorted(e.data["status"] for e in journalled) == ["enrolled"] * 10 + ["waitlisted"] * 20


@pytest.mark.django_db(transaction=True)
def test_one_person_enrolling_twice_at_once_is_stored_once(live_server, community, worker):
    course = course_of(community, worker, capacity=5)
    session_of(course)
    _t, token = api_token_create(user=member(community), name="t")

    statuses = race_posts(_url(live_server, community, course), token, [{} for _i in range(4)])

    assert statuses == [201] + [400] * 3
    assert Enrolment.objects.in_community(community).filter(course=course).count() == 1
