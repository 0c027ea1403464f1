"""Learning's pages of the courses part: the home page (open courses by topic, the parts'
sections), "my learning", a course's page (places left, waiting position, the enrol and cancel
buttons), proposing and changing a course, sessions, trainers, materials, the enrolled list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from gongzhi.learning.models import Course, CourseStatus, EnrolmentStatus, Topic
from tests.learning.world import course_of, enrolment_of, session_of, trainer_of

pytestmark = pytest.mark.django_db


def _url(name, community, **kwargs):
    return reverse(name, kwargs={"slug": community.slug, **kwargs})


def test_home_lists_open_courses_by_topic_and_not_drafts(client, community, worker):
    course_of(community, worker, title="急救入门", topic=Topic.FIRST_AID)
    course_of(community, worker, title="草稿课程", status=CourseStatus.DRAFT, published_at=None)
    response = client.get(_url("learning_home", community))
    assert response.status_code == 200
    text = response.content.decode()
    assert "急救入门" in text
    assert "草稿课程" not in text


def test_home_shows_drafts_to_workers(client, community, worker):
    course_of(community, worker, title="草稿课程", status=CourseStatus.DRAFT, published_at=None)
    client.force_login(worker)
    assert "草稿课程" in client.get(_url("learning_home", community)).content.decode()


def test_mine_lists_my_enrolments(client, community, worker, resident):
    course = course_of(community, worker, title="调解技巧")
    enrolment_of(course, resident, status=EnrolmentStatus.WAITLISTED)
    client.force_login(resident)
    response = client.get(_url("learning_me", community))
    assert response.status_code == 200
    assert "调解技巧" in response.content.decode()
    assert 'data-status="waitlisted"' in response.content.decode()


def test_mine_needs_a_login(client, community):
    response = client.get(_url("learning_me", community))
    assert response.status_code == 302


def test_a_draft_is_hidden_from_others_as_if_missing(client, community, worker, resident):
    draft = course_of(community, worker, status=CourseStatus.DRAFT, published_at=None)
    client.force_login(resident)
    response = client.get(_url("learning_course", community, course_id=draft.pk))
    assert response.status_code == 404
    missing = client.get(_url("learning_course", community, course_id=draft.pk + 1000))
    assert missing.status_code == 404


def test_course_page_shows_sessions_trainers_and_places(client, community, worker):
    course = course_of(community, worker, capacity=3)
    session_of(course, starts_in=timedelta(days=2), place="二楼会议室")
    trainer_of(course, worker)
    enrolment_of(course)
    response = client.get(_url("learning_course", community, course_id=course.pk))
    text = response.content.decode()
    assert "二楼会议室" in text
    assert "<strong>2</strong>" in text
    assert Course.objects.in_community(community).count() == 1
