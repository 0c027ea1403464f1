"""Learning's pages of the courses part: the home page (open courses by topic, the parts'
sections), "my learning", a course's page (places left, waiting position, the enrol and cancel
buttons), proposing and changing a course, sessions, trainers, materials, the enrolled list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.learning.models import (
    Connection,
    Course,
    CourseStatus,
    Enrolment,
    EnrolmentStatus,
    Topic,
    Trainer,
)
from tests.factories import member
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


def test_a_worker_sets_up_a_course_through_the_pages(client, community, worker):
    client.force_login(worker)
    response = client.post(
        _url("learning_course_create", community),
        {
            "title": "急救入门",
            "topic": "first_aid",
            "capacity": "2",
            "qualification": "first_aid",
            "valid_months": "24",
            "min_attendance": "80",
        },
    )
    course = Course.objects.in_community(community).get()
    assert response.status_code == 302 and course.status == CourseStatus.DRAFT
    starts = timezone.localtime(timezone.now() + timedelta(days=3)).replace(second=0)
    response = client.post(
        _url("learning_session_add", community, course_id=course.pk),
        {
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "place": "社区卫生站",
        },
    )
    assert response.status_code == 302
    client.post(_url("learning_course_publish", community, course_id=course.pk))
    course.refresh_from_db()
    assert course.status == CourseStatus.OPEN


def test_bad_course_form_input_answers_400_and_saves_nothing(client, community, worker):
    client.force_login(worker)
    response = client.post(
        _url("learning_course_create", community),
        {
            "title": "",
            "topic": "first_aid",
            "capacity": "0",
            "valid_months": "0",
            "min_attendance": "80",
        },
    )
    assert response.status_code == 400
    assert not Course.objects.in_community(community).exists()


def test_a_resident_enrols_names_who_told_them_and_gives_up_the_place(client, community, worker):
    course = course_of(community, worker, capacity=1)
    session_of(course)
    learner, friend, late = member(community), member(community), member(community)
    client.force_login(learner)
    response = client.post(
        _url("learning_enrol", community, course_id=course.pk),
        {"recruited_by": friend.phone},
        follow=True,
    )
    assert gettext("You are enrolled.") in response.content.decode()
    enrolment = Enrolment.objects.in_community(community).get(person=learner)
    assert enrolment.recruited_by == friend
    assert (
        Connection.objects.in_community(community)
        .filter(source=friend, target=learner, kind="recruited")
        .exists()
    )
    # The next finds it full and sees their place on the waiting list.
    client.force_login(late)
    client.post(_url("learning_enrol", community, course_id=course.pk))
    page = client.get(_url("learning_course", community, course_id=course.pk)).content.decode()
    assert gettext("You are number %(n)s on the waiting list.") % {"n": 1} in page
    # The first gives up: the one waiting takes the place.
    client.force_login(learner)
    client.post(
        _url("learning_enrolment_cancel", community, course_id=course.pk, enrolment_id=enrolment.pk)
    )
    statuses = dict(Enrolment.objects.in_community(community).values_list("person_id", "status"))
    assert statuses == {learner.pk: "cancelled", late.pk: "enrolled"}


def test_a_worker_enrols_a_resident_by_phone(client, community, worker, resident):
    course = course_of(community, worker)
    session_of(course)
    client.force_login(worker)
    response = client.post(
        _url("learning_enrol", community, course_id=course.pk),
        {"phone": resident.phone},
        follow=True,
    )
    assert gettext("The resident is enrolled.") in response.content.decode()
    enrolment = Enrolment.objects.in_community(community).get()
    assert (enrolment.person, enrolment.enrolled_by) == (resident, worker)


def test_a_full_or_finished_course_is_refused_with_a_message(client, community, worker):
    course = course_of(community, worker, status=CourseStatus.FINISHED)
    client.force_login(member(community))
    response = client.post(_url("learning_enrol", community, course_id=course.pk), follow=True)
    assert gettext("This course is finished or cancelled: enrol in a coming one.") in (
        response.content.decode()
    )
    assert not Enrolment.objects.in_community(community).exists()


def test_the_enrolled_list_is_for_those_who_run_the_course(client, community, worker, resident):
    course = course_of(community, worker)
    enrolment_of(course, resident)
    trainer = trainer_of(course).person
    url = _url("learning_course_enrolled", community, course_id=course.pk)
    client.force_login(resident)
    assert client.get(url).status_code == 404
    client.force_login(trainer)
    response = client.get(url)
    assert response.status_code == 200 and str(resident) in response.content.decode()


def test_a_material_file_is_for_learners_trainers_and_staff(client, community, worker, resident):
    from gongzhi.core.uploads import DOCUMENTS, check_upload
    from gongzhi.learning import services

    course = course_of(community, worker)
    pdf = SimpleUploadedFile("讲义.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
    upload = check_upload(pdf, kinds=DOCUMENTS, max_bytes=100_000)
    material = services.material_add(actor=worker, course=course, title="讲义", upload=upload)
    url = _url("learning_material_file", community, course_id=course.pk, material_id=material.pk)
    client.force_login(resident)
    assert client.get(url).status_code == 404
    enrolment_of(course, resident)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_the_community_home_shows_the_open_courses_tile(client, community, worker):
    course_of(community, worker, title="数字助老")
    page = client.get(reverse("community_home", kwargs={"slug": community.slug}))
    assert 'data-tile="learning.courses"' in page.content.decode()
    assert "数字助老" in page.content.decode()


def test_the_parts_registry_skips_a_part_that_has_not_landed(monkeypatch, community, resident):
    from gongzhi.learning import views

    monkeypatch.setattr(views, "PARTS", ("attendance", "nosuchpart"))
    context, templates = views.parts_context("hub", community, resident)
    assert "hub_nosuchpart" not in context
    assert all("nosuchpart" not in t for t in templates)


@pytest.mark.parametrize("who", ["visitor", "resident", "worker"])
def test_home_and_mine_include_every_landed_parts_section(client, community, worker, who):
    from gongzhi.learning import views

    viewer = {"visitor": None, "resident": member(community), "worker": worker}[who]
    if viewer is not None:
        client.force_login(viewer)
    _context, hubs = views.parts_context("hub", community, viewer or AnonymousUser())
    response = client.get(_url("learning_home", community))
    assert response.status_code == 200
    used = {t.name for t in response.templates}
    assert set(hubs) <= used
    if viewer is not None:
        _context, mines = views.parts_context("mine", community, viewer)
        response = client.get(_url("learning_me", community))
        assert response.status_code == 200
        assert set(mines) <= {t.name for t in response.templates}


def test_a_worker_adds_and_removes_a_trainer_by_phone(client, community, worker):
    course = course_of(community, worker)
    person = member(community)
    client.force_login(worker)
    url = _url("learning_course_trainers", community, course_id=course.pk)
    response = client.post(url, {"phone": person.phone, "kind": "resident"})
    assert response.status_code == 302
    trainer = Trainer.objects.in_community(community).get(course=course)
    assert trainer.person == person
    response = client.post(url, {"phone": "13900000000", "kind": "resident"})
    assert response.status_code == 400
    client.post(
        _url("learning_trainer_remove", community, course_id=course.pk, trainer_id=trainer.pk)
    )
    assert not Trainer.objects.in_community(community).exists()
    client.force_login(person)
    assert client.get(url).status_code == 404


def test_the_proposer_changes_their_draft_until_it_opens(client, community, worker, resident):
    draft = course_of(
        community, resident, status=CourseStatus.DRAFT, published_at=None, title="旧标题"
    )
    url = _url("learning_course_edit", community, course_id=draft.pk)
    client.force_login(resident)
    form = {
        "title": "新标题",
        "topic": "leadership",
        "capacity": "12",
        "valid_months": "0",
        "min_attendance": "80",
    }
    assert client.post(url, form).status_code == 302
    draft.refresh_from_db()
    assert draft.title == "新标题"
    draft.status = CourseStatus.OPEN
    draft.save(update_fields=["status"])
    assert client.get(url).status_code == 404


def test_the_course_page_links_those_who_run_it_to_the_results_and_each_roll(
    client, community, worker, resident
):
    course = course_of(community, worker)
    session = session_of(course)
    results = _url("learning_course_results", community, course_id=course.pk)
    roll = _url("learning_session_roll", community, session_id=session.pk)
    page = _url("learning_course", community, course_id=course.pk)
    client.force_login(worker)
    text = client.get(page).content.decode()
    assert results in text and roll in text
    client.force_login(resident)
    text = client.get(page).content.decode()
    assert results not in text and roll not in text
