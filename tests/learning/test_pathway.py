"""A person's pathway: their rung from every app's evidence, the six rungs, the next steps (the
course a role's qualification needs) and their invitations; the leaders of a community."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from gongzhi.core import journal
from gongzhi.core.models import RoleRequirement
from gongzhi.learning import pathway
from gongzhi.learning.models import CourseStatus, Invitation, PipelineOptOut
from gongzhi.meetings.models import MeetingStatus
from tests.bodies.bodies_world import council, seat, term
from tests.factories import member
from tests.learning.world import attendance_of, award_of, course_of, session_of, trainer_of
from tests.meetings.world import meeting_of
from tests.volunteering.world import activity_of, team_of, volunteer_of

pytestmark = pytest.mark.django_db


def chaired_once(community, worker, person):
    body = council(community, worker, name=f"议事会{person.pk}")
    return meeting_of(
        body, worker, starts_in=timedelta(days=-1), chair=person, status=MeetingStatus.CLOSED
    )


def test_someone_with_no_record_is_not_yet_on_the_ladder(community, resident):
    path = pathway.pathway(community, resident)
    assert path.rung == 0
    assert [r.rung for r in path.rungs] == [1, 2, 3, 4, 5, 6]
    assert not any(r.reached for r in path.rungs)
    assert path.next_rung == 1
    assert {s.rung for s in path.next_steps} <= {1, 2}
    assert path.next_steps, "a first step is always offered"
    assert path.invitations == [] and not path.opted_out


def test_the_rung_is_the_highest_evidence_and_each_rung_shows_its_own(community, worker):
    person = member(community)
    with transaction.atomic():
        journal.record(community=community, actor=person, verb="comment.added")
    activity_of(community, person)
    path = pathway.pathway(community, person)
    assert path.rung == 3
    assert [r.rung for r in path.rungs if r.reached] == [1, 3]
    assert [r.rung for r in path.rungs if r.current] == [3]
    (shown,) = path.rungs[2].evidence
    assert shown.code == "volunteering.organised" and shown.times == 1
    assert {s.rung for s in path.next_steps} == {4, 5}


def test_a_role_step_suggests_the_open_course_for_a_qualification_the_person_lacks(
    community, worker
):
    person = member(community)
    activity_of(community, person)  # rung 3: next, chairing (rung 4)
    chairing = course_of(community, worker, title="会议主持", qualification="chairing")
    course_of(community, worker, title="草稿", qualification="chairing", status=CourseStatus.DRAFT)
    step = next(s for s in pathway.pathway(community, person).next_steps if s.role)
    chair_step = next(
        s for s in pathway.pathway(community, person).next_steps if s.code == "meetings.chair"
    )
    assert step.qualification
    assert chair_step.qualification == "chairing"
    assert not chair_step.required and not chair_step.held
    assert chair_step.courses == [chairing]
    assert chair_step.url.endswith("/meetings/")
    award_of(community, person, "chairing")
    chair_step = next(
        s for s in pathway.pathway(community, person).next_steps if s.code == "meetings.chair"
    )
    assert chair_step.held and chair_step.courses == []


def test_a_requirement_in_force_names_its_own_qualification(community, worker):
    person = member(community)
    activity_of(community, person)
    RoleRequirement.objects.in_community(community).create(
        role="meetings.chair",
        qualification="leadership",
        applies_from=timezone.localdate(),
        turned_on_by=worker,
    )
    course = course_of(community, worker, title="社区领导力", qualification="leadership")
    chair_step = next(
        s for s in pathway.pathway(community, person).next_steps if s.code == "meetings.chair"
    )
    assert chair_step.required and chair_step.qualification == "leadership"
    assert chair_step.courses == [course]


def test_at_the_top_the_steps_of_the_top_rung_are_shown(community, worker):
    person = member(community)
    course = course_of(community, worker)
    trainer_of(course, person)
    attendance_of(session_of(course, starts_in=timedelta(days=-2), trainer=person))
    path = pathway.pathway(community, person)
    assert path.rung == 6 and path.next_rung is None
    assert {s.rung for s in path.next_steps} == {6}


def test_the_pathway_lists_the_persons_invitations_and_their_choice(community, worker):
    person = member(community)
    Invitation.objects.in_community(community).create(
        person=person, step="meetings.chair", invited_by=worker
    )
    PipelineOptOut.objects.in_community(community).create(person=person)
    path = pathway.pathway(community, person)
    assert [i.step for i in path.open_invitations] == ["meetings.chair"]
    assert path.opted_out


def test_leaders_are_everyone_at_rung_five_or_more_with_their_first_day(community, worker):
    team_leader, office_holder, trainer, chair = (member(community) for _ in range(4))
    team_of(community, worker, leader=volunteer_of(community, team_leader))
    body = council(community, worker)
    today = timezone.localdate()
    term(body, seat(body), office_holder, starts=today - timedelta(days=400), ends=today)
    course = course_of(community, worker)
    trainer_of(course, trainer)
    attendance_of(session_of(course, starts_in=timedelta(days=-2), trainer=trainer))
    chaired_once(community, worker, chair)
    found = pathway.leaders(community)
    assert set(found) == {team_leader.pk, office_holder.pk, trainer.pk}
    assert found[office_holder.pk].date() <= today - timedelta(days=399)
