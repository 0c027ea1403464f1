"""The demo street's learning: finished courses with completions, qualifications and ratings, a
full workshop with a waiting list and a class with places, trainers of each kind, ties of who
trained, recruited and invited whom, an accepted invitation to chair — the same on every run."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import transaction

from gongzhi.core.models import Community, RoleRequirement
from gongzhi.learning.models import (
    Award,
    Connection,
    Course,
    CourseStatus,
    Enrolment,
    EnrolmentStatus,
    Invitation,
    InvitationStatus,
    InviteLink,
    Rating,
    Trainer,
)


def _summary(community: Community) -> dict[str, object]:
    courses = Course.objects.in_community(community)
    enrolments = Enrolment.objects.in_community(community)
    return {
        "courses": sorted(courses.values_list("title", "status")),
        "statuses": sorted(
            (title, status, phone)
            for title, status, phone in enrolments.values_list(
                "course__title", "status", "person__phone"
            )
        ),
        "awards": sorted(
            Award.objects.in_community(community).values_list("person__phone", "qualification")
        ),
        "ties": sorted(
            Connection.objects.in_community(community).values_list(
                "source__phone", "target__phone", "kind"
            )
        ),
    }


@pytest.mark.django_db
def test_the_demo_street_learns_and_leads(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", residents=90, quiet=True, seed=7, stdout=io.StringIO())
    community = Community.objects.get(slug="xingfu")
    courses = Course.objects.in_community(community)
    assert courses.filter(status=CourseStatus.FINISHED).count() == 3
    assert courses.filter(status=CourseStatus.OPEN).count() == 2
    enrolments = Enrolment.objects.in_community(community)
    # each finished course: someone came too rarely; the assessed one: someone did not pass
    chairing = courses.get(qualification="chairing")
    assert enrolments.filter(course=chairing, status=EnrolmentStatus.NOT_COMPLETED).count() == 2
    for course in courses.filter(status=CourseStatus.FINISHED):
        assert enrolments.filter(course=course, status=EnrolmentStatus.COMPLETED).exists()
    completed = enrolments.filter(status=EnrolmentStatus.COMPLETED).count()
    awards = Award.objects.in_community(community)
    assert awards.filter(enrolment__isnull=False).count() == completed
    assert awards.filter(enrolment__isnull=True, evidence="红十字会救护员证").count() == 1
    workshop = courses.get(qualification="leadership")
    assert enrolments.filter(course=workshop, status=EnrolmentStatus.ENROLLED).count() == 4
    assert enrolments.filter(course=workshop, status=EnrolmentStatus.WAITLISTED).count() == 2
    digital = courses.get(qualification="digital_helper")
    assert enrolments.filter(course=digital).count() < digital.capacity  # places left
    # up to six learners of each finished course rated its first session
    expected = sum(
        min(6, enrolments.filter(course=c).count())
        for c in courses.filter(status=CourseStatus.FINISHED)
    )
    assert Rating.objects.in_community(community).count() == expected > 0
    kinds = set(Trainer.objects.in_community(community).values_list("kind", flat=True))
    assert {"worker", "resident"} <= kinds
    ties = set(Connection.objects.in_community(community).values_list("kind", flat=True))
    assert ties == {"trained", "recruited", "invited"}
    invitation = Invitation.objects.in_community(community).get()
    assert invitation.status == InvitationStatus.ACCEPTED and invitation.step == "meetings.chair"
    assert InviteLink.objects.in_community(community).count() == 1
    requirement = RoleRequirement.objects.in_community(community).get(role="mediator")
    assert requirement.qualification == "mediation"


@pytest.mark.django_db
def test_the_demo_is_the_same_on_every_run(django_capture_on_commit_callbacks):
    """Seeded twice with the same seed (the second run after the first is undone): the same
    courses, the same learners in the same states, the same awards and ties."""
    summaries = []
    for _run in range(2):
        with transaction.atomic():
            with django_capture_on_commit_callbacks(execute=True):
                call_command("seed_demo", residents=30, quiet=True, seed=3, stdout=io.StringIO())
            summaries.append(_summary(Community.objects.get(slug="xingfu")))
            transaction.set_rollback(True)
    assert summaries[0] == summaries[1]
    assert summaries[0]["awards"]
