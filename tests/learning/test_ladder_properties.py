"""The ladder's invariant (issue 18): a person's rung never exceeds what their recorded acts
support — it is exactly the highest rung of their facts — for any facts, and for any acts
recorded in the database (acts that count and look-alikes that do not); and the pipeline never
lists anyone who opted out, for any people, acts and choices."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.core import journal
from gongzhi.learning import pathway
from gongzhi.learning.ladder import RUNGS, rung_of, rungs_by_person, standing
from gongzhi.learning.models import CourseStatus, PipelineOptOut
from gongzhi.meetings.models import MeetingStatus
from gongzhi.volunteering.models import ActivityStatus, TeamMember, Volunteer
from tests.bodies.bodies_world import council
from tests.factories import member
from tests.learning.world import attendance_of, course_of, session_of, trainer_of
from tests.meetings.world import meeting_of
from tests.volunteering.world import (
    activity_of,
    entry_of,
    shift_of,
    signup_of,
    team_of,
    volunteer_of,
)

facts_st = st.lists(st.tuples(st.sampled_from(RUNGS), st.integers()), max_size=40)


@given(facts_st)
def test_the_rung_never_exceeds_the_highest_recorded_fact_and_equals_it(facts):
    rung = rung_of(facts)
    assert rung == max((r for r, _ in facts), default=0)
    assert all(rung >= r for r, _ in facts)
    found = standing(facts)
    assert found.rung == rung
    assert sum(len(v) for v in found.by_rung.values()) == len(facts)
    # every rung the standing names is backed by a fact
    assert all(found.by_rung[r] for r in found.by_rung)


@given(facts_st, facts_st)
def test_more_facts_never_lower_a_rung(facts, more):
    assert rung_of(facts + more) >= rung_of(facts)


@given(st.lists(st.tuples(st.integers(0, 20), st.sampled_from(RUNGS)), max_size=60))
def test_each_persons_rung_is_their_highest_fact(rows):
    best = rungs_by_person(rows)
    assert set(best) == {user for user, _ in rows}
    for user, rung in best.items():
        assert rung == max(r for u, r in rows if u == user)


#: what a person did: 0 nothing, 3 organised, 4 chaired, 5 led a team
ACTS = st.sampled_from([0, 3, 4, 5])


@pytest.mark.django_db
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(people=st.lists(st.tuples(ACTS, st.booleans()), min_size=1, max_size=6))
def test_the_pipeline_never_lists_anyone_who_opted_out(community, worker, people):
    PipelineOptOut.objects.in_community(community).delete()
    body = council(community, worker, name=f"议事会{timezone.now().timestamp()}")
    made = []
    for act, opted_out in people:
        person = member(community)
        if act == 3:
            activity_of(community, person)
        elif act == 4:
            meeting_of(
                body,
                worker,
                starts_in=timedelta(days=-1),
                chair=person,
                status=MeetingStatus.CLOSED,
            )
        elif act == 5:
            activity_of(community, person)
            team_of(
                community, worker, name=f"队{person.pk}", leader=volunteer_of(community, person)
            )
        if opted_out:
            PipelineOptOut.objects.in_community(community).create(person=person)
        made.append((person.pk, act, opted_out))
    out = {pk for pk, _act, opted in made if opted}
    listed = {row[0] for row in pathway.pipeline_people(community)}
    for per_page in (1, 25):
        page = pathway.pipeline(community, per_page=per_page)
        assert not out & {c.user.pk for c in page.candidates}
    assert not out & listed
    # and everyone else at rung 3 or 4 is listed
    assert {pk for pk, act, opted in made if act in (3, 4) and not opted} <= listed
    assert not {pk for pk, act, _opted in made if act == 5} & listed


#: One act a person may have on record, and whether it is the kind that counts: took part
#: (a comment; an enrolment is no participation), volunteered (hours confirmed; signed up
#: only), organised (a published activity; a draft), chaired (a meeting held; one to come),
#: led a team (its leader; a member), trained (a session that ended with a learner there, naming
#: them or nobody; one nobody came to, cancelled, to come, of a draft course).
DB_ACTS = st.one_of(
    st.tuples(st.just("took_part"), st.booleans()),
    st.tuples(st.just("hours"), st.booleans()),
    st.tuples(st.just("organised"), st.booleans()),
    st.tuples(st.just("chaired"), st.booleans()),
    st.tuples(st.just("led"), st.booleans()),
    st.tuples(
        st.just("trained"),
        st.sampled_from(["attended", "attended_unnamed", "empty", "cancelled", "coming", "draft"]),
    ),
)
#: the rung each act that counts supports
SUPPORTS = {"took_part": 1, "hours": 2, "organised": 3, "chaired": 4, "led": 5, "trained": 6}


def _supported(kind: str, how: object) -> int:
    counts = how in ("attended", "attended_unnamed") if kind == "trained" else how is True
    return SUPPORTS[kind] if counts else 0


def _volunteer(community, person):
    found = Volunteer.objects.in_community(community).filter(person=person).first()
    return found or volunteer_of(community, person)


def _record(community, worker, person, n: int, kind: str, how: object, body: list) -> None:
    """Put one act of ``person`` on record (``n`` numbers it, for unique names)."""
    ago = timedelta(days=-(n + 2))
    if kind == "took_part":
        verb = "comment.added" if how else "course.enrolled"
        journal.record(community=community, actor=person, verb=verb)
    elif kind == "hours":
        shift = shift_of(activity_of(community, worker, title=f"活动{n}"), starts_in=ago)
        signup = signup_of(
            shift,
            _volunteer(community, person),
            arrived_at=shift.starts_at,
            left_at=shift.ends_at,
        )
        if how:
            entry_of(signup, worker, minutes=120)
    elif kind == "organised":
        status = ActivityStatus.PUBLISHED if how else ActivityStatus.DRAFT
        activity_of(community, person, title=f"组织{n}", status=status)
    elif kind == "chaired":
        if not body:
            body.append(council(community, worker))
        meeting_of(
            body[0],
            worker,
            starts_in=ago if how else -ago,
            chair=person,
            status=MeetingStatus.CLOSED if how else MeetingStatus.SCHEDULED,
        )
    elif kind == "led":
        team = team_of(community, worker, name=f"队{n}")
        TeamMember.objects.in_community(community).create(
            team=team,
            volunteer=_volunteer(community, person),
            leader=bool(how),
            appointed_by=worker,
        )
    else:
        status = CourseStatus.DRAFT if how == "draft" else CourseStatus.OPEN
        course = course_of(community, worker, title=f"课{n}", status=status)
        trainer_of(course, person)
        session = session_of(
            course,
            starts_in=-ago if how == "coming" else ago,
            trainer=None if how == "attended_unnamed" else person,
            cancelled_at=timezone.now() if how == "cancelled" else None,
        )
        if how != "empty":
            attendance_of(session)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(acts=st.lists(DB_ACTS, max_size=8))
def test_the_rung_is_the_highest_rung_the_recorded_acts_support(community, worker, acts):
    """Whatever a person has on record, the pathway's rung is the highest rung their acts that
    count support — never more (an act that does not count lifts nobody) — and each rung shows
    only evidence of that rung."""
    with transaction.atomic():
        person = member(community)
        body: list = []
        for n, (kind, how) in enumerate(acts):
            _record(community, worker, person, n, kind, how, body)
        expected = max((_supported(kind, how) for kind, how in acts), default=0)
        path = pathway.pathway(community, person)
        assert path.rung <= expected
        assert path.rung == expected
        shown = {view.rung for view in path.rungs if view.evidence}
        assert shown == {_supported(kind, how) for kind, how in acts} - {0}
        transaction.set_rollback(True)
