"""Courses, their trainers, sessions and materials (the services): who may propose, publish,
run and see a course; bad input refused with a clear, translated error and nothing saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.core.models import Activity
from gongzhi.learning import services
from gongzhi.learning.models import (
    Course,
    CourseSession,
    CourseStatus,
    EnrolmentStatus,
    Material,
    Topic,
    Trainer,
)
from gongzhi.notifications.models import Notification
from tests.factories import member
from tests.learning.world import course_of, enrolment_of, session_of, trainer_of

pytestmark = pytest.mark.django_db


def _fields(**extra):
    return {"title": "社区调解入门", "topic": Topic.MEDIATION, "capacity": 12, **extra}


def _draft(community, actor, **extra):
    return services.course_create(actor=actor, community=community, **_fields(**extra))


def _codes(error: ValidationError) -> list[str]:
    return [e.code for e in error.error_list]


def test_a_worker_creates_a_draft_and_publishes_it_after_adding_a_session(community, worker):
    course = _draft(community, worker, qualification="mediation", valid_months=24)
    assert course.status == CourseStatus.DRAFT
    with pytest.raises(ValidationError) as error:
        services.course_publish(actor=worker, course=course)
    assert _codes(error.value) == ["course_no_session"]
    starts = timezone.now() + timedelta(days=5)
    services.session_add(
        actor=worker,
        course=course,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place="社区活动室",
    )
    services.course_publish(actor=worker, course=course)
    course.refresh_from_db()
    assert course.status == CourseStatus.OPEN and course.published_at is not None
    verbs = list(
        Activity.objects.in_community(community).order_by("seq").values_list("verb", flat=True)
    )
    assert verbs[-3:] == ["course.created", "course.session_added", "course.published"]


def test_a_resident_proposes_a_course_but_never_publishes_it(community, resident, worker):
    course = _draft(community, resident)
    assert course.created_by == resident
    session_of(course)
    with pytest.raises(PermissionDenied):
        services.course_publish(actor=resident, course=course)
    assert rules.has_perm("learning.view_course", resident, course)
    assert not rules.has_perm("learning.view_course", member(community), course)
    services.course_publish(actor=worker, course=course)


def test_unverified_and_outsiders_cannot_propose(community, unverified, outsider):
    for person in (unverified, outsider):
        with pytest.raises(PermissionDenied):
            _draft(community, person)
    assert not Course.objects.in_community(community).exists()


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"qualification": "juggling"}, "qualification_unknown"),
        ({"capacity": 0}, "capacity_invalid"),
        ({"title": "  "}, "title_missing"),
        ({"topic": "cooking"}, "topic_unknown"),
        ({"min_attendance": 120}, "attendance_invalid"),
    ],
)
def test_bad_course_input_is_refused_and_nothing_saved(community, worker, extra, code):
    with pytest.raises(ValidationError) as error:
        _draft(community, worker, **extra)
    assert _codes(error.value) == [code]
    assert str(error.value.messages[0])
    assert not Course.objects.in_community(community).exists()


def test_publishing_refuses_a_qualification_no_longer_known(community, worker):
    course = course_of(community, worker, status=CourseStatus.DRAFT, qualification="gone")
    session_of(course)
    with pytest.raises(ValidationError) as error:
        services.course_publish(actor=worker, course=course)
    assert _codes(error.value) == ["qualification_unknown"]
    course.refresh_from_db()
    assert course.status == CourseStatus.DRAFT


def test_cancelling_tells_those_enrolled_and_waiting(community, worker):
    course = course_of(community, worker, capacity=1)
    enrolled = enrolment_of(course).person
    waiting = enrolment_of(course, status=EnrolmentStatus.WAITLISTED).person
    gone = enrolment_of(course, status=EnrolmentStatus.CANCELLED).person
    services.course_cancel(actor=worker, course=course)
    told = set(Notification.objects.filter(kind="course_changed").values_list("user", flat=True))
    assert told == {enrolled.pk, waiting.pk}
    assert gone.pk not in told
    with pytest.raises(ValidationError) as error:
        services.course_cancel(actor=worker, course=course)
    assert _codes(error.value) == ["course_finished"]


def test_trainers_must_be_members_and_partners_of_the_street(
    community, other_community, worker, official
):
    course = course_of(community, worker)
    stranger = member(other_community)
    with pytest.raises(ValidationError) as error:
        services.trainer_add(actor=worker, course=course, person=stranger, kind="resident")
    assert _codes(error.value) == ["trainer_not_member"]
    person = member(community)
    with pytest.raises(ValidationError) as error:
        services.trainer_add(actor=worker, course=course, person=person, kind="partner")
    assert _codes(error.value) == ["partner_missing"]
    with pytest.raises(ValidationError) as error:
        services.trainer_add(actor=worker, course=course, person=person, kind="worker")
    assert _codes(error.value) == ["trainer_not_worker"]
    services.trainer_add(actor=worker, course=course, person=person, kind="resident")
    with pytest.raises(ValidationError) as error:
        services.trainer_add(actor=worker, course=course, person=person, kind="resident")
    assert _codes(error.value) == ["already_trainer"]
    services.trainer_add(actor=official, course=course, person=worker, kind="worker")
    assert Trainer.objects.in_community(community).filter(course=course).count() == 2


def test_nobody_appoints_themself_a_trainer(community, worker, official):
    course = course_of(community, worker)
    with pytest.raises(ValidationError) as error:
        services.trainer_add(actor=worker, course=course, person=worker, kind="worker")
    assert _codes(error.value) == ["own_appointment"]
    assert str(error.value.messages[0])
    assert not Trainer.objects.in_community(community).filter(course=course).exists()
    colleague = member(community, role="community_worker")
    services.trainer_add(actor=colleague, course=course, person=worker, kind="worker")
    assert Trainer.objects.in_community(community).get(course=course).person == worker


@pytest.mark.parametrize("status", [EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED])
def test_a_learner_of_the_course_cannot_train_it(community, worker, status):
    course = course_of(community, worker)
    learner = enrolment_of(course, status=status).person
    with pytest.raises(ValidationError) as error:
        services.trainer_add(actor=worker, course=course, person=learner, kind="resident")
    assert _codes(error.value) == ["trainer_is_learner"]
    assert not Trainer.objects.in_community(community).filter(course=course).exists()
    # having given the place up, they may train it
    gone = enrolment_of(course, status=EnrolmentStatus.CANCELLED).person
    services.trainer_add(actor=worker, course=course, person=gone, kind="resident")


def _as_is(course, **changes):
    fields = {name: getattr(course, name) for name in services.COURSE_FIELDS}
    return {**fields, **changes}


@pytest.mark.parametrize(
    "change", [{"min_attendance": 0}, {"assessed": True}, {"valid_months": 600}]
)
def test_once_someone_is_enrolled_the_rules_of_completion_are_locked(community, worker, change):
    free = course_of(community, worker, title="无人报名")
    trainer = trainer_of(free).person
    # before anyone enrols, a trainer may still change them
    services.course_update(actor=trainer, course=free, **_as_is(free, **change))
    free.refresh_from_db()
    assert all(getattr(free, name) == value for name, value in change.items())
    course = course_of(community, worker)
    trainer_of(course, trainer)
    enrolment_of(course, status=EnrolmentStatus.WAITLISTED)
    before = {name: getattr(course, name) for name in services.RULES}
    for actor in (trainer, worker):
        with pytest.raises(ValidationError) as error:
            services.course_update(actor=actor, course=course, **_as_is(course, **change))
        assert _codes(error.value) == ["rules_locked"]
        assert str(error.value.messages[0])
    course.refresh_from_db()
    assert {name: getattr(course, name) for name in services.RULES} == before
    # the rest may still change
    services.course_update(actor=trainer, course=course, **_as_is(course, title="新标题"))
    course.refresh_from_db()
    assert course.title == "新标题"


def test_a_partners_person_trains(community, worker):
    from gongzhi.bodies.models import Partner

    partner = Partner.objects.create(
        street=community.street, kind="social_organisation", name="红十字会", created_by=worker
    )
    person = member(community)
    course = course_of(community, worker)
    trainer = services.trainer_add(
        actor=worker, course=course, person=person, kind="partner", partner=partner
    )
    assert trainer.partner == partner


def test_a_trainer_runs_sessions_but_a_learner_does_not(community, worker):
    course = course_of(community, worker)
    trainer = trainer_of(course).person
    learner = enrolment_of(course).person
    starts = timezone.now() + timedelta(days=2)
    session = services.session_add(
        actor=trainer,
        course=course,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        place="活动室",
        trainer=trainer,
    )
    with pytest.raises(PermissionDenied):
        services.session_add(
            actor=learner,
            course=course,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            place="活动室",
        )
    with pytest.raises(ValidationError) as error:
        services.session_add(
            actor=trainer, course=course, starts_at=starts, ends_at=starts, place="活动室"
        )
    assert _codes(error.value) == ["session_times"]
    with pytest.raises(ValidationError) as error:
        services.session_add(
            actor=trainer,
            course=course,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            place="活动室",
            trainer=learner,
        )
    assert _codes(error.value) == ["trainer_not_of_course"]
    assert CourseSession.objects.in_community(community).filter(course=course).count() == 1
    # Moving it tells the learner; cancelling it too.
    services.session_update(
        actor=trainer,
        session=session,
        starts_at=starts + timedelta(days=1),
        ends_at=starts + timedelta(days=1, hours=1),
        place="活动室",
    )
    services.session_cancel(actor=trainer, session=session)
    told = Notification.objects.filter(kind="course_changed", user=learner)
    assert told.count() == 2


def test_no_session_is_set_to_start_in_the_past(community, worker):
    """A trainer cannot record a session that 'took place' (rung 6, trains others) after the
    fact: new sessions and moved ones start from now on."""
    course = course_of(community, worker)
    trainer = trainer_of(course).person
    past = timezone.now() - timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.session_add(
            actor=trainer,
            course=course,
            starts_at=past,
            ends_at=past + timedelta(hours=2),
            place="活动室",
            trainer=trainer,
        )
    assert _codes(error.value) == ["session_in_past"]
    assert str(error.value.messages[0])
    assert not CourseSession.objects.in_community(community).filter(course=course).exists()
    coming = session_of(course, starts_in=timedelta(days=2), trainer=trainer)
    with pytest.raises(ValidationError) as error:
        services.session_update(
            actor=trainer,
            session=coming,
            starts_at=past,
            ends_at=past + timedelta(hours=2),
            place="活动室",
            trainer=trainer,
        )
    assert _codes(error.value) == ["session_in_past"]
    coming.refresh_from_db()
    assert coming.starts_at > timezone.now()
    # a session that has begun keeps its start: its other details may still be corrected
    begun = session_of(course, starts_in=-timedelta(hours=1), trainer=trainer)
    services.session_update(
        actor=trainer,
        session=begun,
        starts_at=begun.starts_at,
        ends_at=begun.ends_at,
        place="二楼会议室",
        trainer=trainer,
    )
    begun.refresh_from_db()
    assert begun.place == "二楼会议室"


def test_materials_are_a_link_or_a_file(community, worker):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gongzhi.core.uploads import DOCUMENTS, check_upload

    course = course_of(community, worker)
    with pytest.raises(ValidationError) as error:
        services.material_add(actor=worker, course=course, title="讲义")
    assert _codes(error.value) == ["material_empty"]
    services.material_add(actor=worker, course=course, title="视频", link="https://example.org/v")
    pdf = SimpleUploadedFile("讲义.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
    checked = check_upload(pdf, kinds=DOCUMENTS, max_bytes=1_000_000)
    material = services.material_add(actor=worker, course=course, title="讲义", upload=checked)
    assert material.file.name.endswith(".pdf")
    assert Material.objects.in_community(community).filter(course=course).count() == 2
    services.material_remove(actor=worker, material=material)
    assert Material.objects.in_community(community).filter(course=course).count() == 1


def test_view_course_permission_matrix(community, worker, resident, official):
    draft = course_of(community, worker, status=CourseStatus.DRAFT)
    trainer = trainer_of(draft).person
    for user, may in ((worker, True), (official, True), (trainer, True), (resident, False)):
        assert rules.has_perm("learning.view_course", user, draft) is may
        assert rules.has_perm("learning.run_course", user, draft) is may
    for status in (CourseStatus.OPEN, CourseStatus.FINISHED, CourseStatus.CANCELLED):
        draft.status = status
        assert rules.has_perm("learning.view_course", resident, draft)
        assert not rules.has_perm("learning.run_course", resident, draft)
