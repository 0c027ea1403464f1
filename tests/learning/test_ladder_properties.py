"""The ladder's invariant (issue 18): a person's rung never exceeds what their recorded acts
support — it is exactly the highest rung of their facts — for any facts; and the pipeline never
lists anyone who opted out, for any people, acts and choices."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.learning import pathway
from gongzhi.learning.ladder import RUNGS, rung_of, rungs_by_person, standing
from gongzhi.learning.models import PipelineOptOut
from gongzhi.meetings.models import MeetingStatus
from tests.bodies.bodies_world import council
from tests.factories import member
from tests.meetings.world import meeting_of
from tests.volunteering.world import activity_of, team_of, volunteer_of

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
