"""The ladder's evidence sources, app by app: what counts, what does not, one fact per person,
for the people asked about and for the whole community."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from gongzhi.bodies.leadership import founded, held_office
from gongzhi.bodies.models import BodyKind, ChosenBy, Incubation, Mandate, Stage
from gongzhi.core import journal
from gongzhi.core.leadership import evidence_registry, step_registry
from gongzhi.evaluation.leadership import took_part
from gongzhi.learning.leadership import trained
from gongzhi.learning.models import CourseStatus
from gongzhi.meetings.leadership import chaired, kept_minutes
from gongzhi.meetings.models import MeetingStatus, Minutes, MinutesStatus
from gongzhi.volunteering.leadership import led_team, organised, volunteered
from gongzhi.volunteering.models import ActivityStatus, HoursEntry, HoursEntryKind
from tests.bodies.bodies_world import council, membership, seat, term
from tests.factories import member
from tests.learning.world import (
    attendance_of,
    course_of,
    enrolment_of,
    session_of,
    trainer_of,
)
from tests.meetings.world import meeting_of
from tests.volunteering.world import (
    activity_of,
    entry_of,
    shift_of,
    signup_of,
    team_of,
    volunteer_of,
)

pytestmark = pytest.mark.django_db


def by_user(facts):
    found = {f.user_id: f for f in facts}
    assert len(found) == len(list(facts)), "one fact per person"
    return found


def test_every_source_and_step_is_declared_on_a_rung_and_imports():
    from django.utils.module_loading import import_string

    evidence = evidence_registry()
    assert {e.rung for e in evidence.values()} == {1, 2, 3, 4, 5, 6}
    for ev in evidence.values():
        assert callable(import_string(ev.source))
    steps = step_registry()
    assert {"meetings.chair", "volunteering.lead_team", "learning.train"} <= set(steps)


def test_took_part_counts_verbs_with_a_participation_rung_for_the_resident(community, worker):
    resident, neighbour = member(community), member(community)
    with transaction.atomic():
        journal.record(community=community, actor=resident, verb="comment.added")
        journal.record(community=community, actor=resident, verb="proposal.supported")
        # a worker's ticket for an elderly neighbour is the neighbour's act, not the worker's
        journal.record(
            community=community, actor=worker, on_behalf_of=neighbour, verb="hotline.filed"
        )
        # housekeeping has no rung
        journal.record(community=community, actor=resident, verb="membership.joined")
    facts = by_user(took_part(community.pk, [resident.pk, neighbour.pk, worker.pk]))
    assert facts[resident.pk].times == 2
    assert facts[neighbour.pk].times == 1
    assert worker.pk not in facts
    assert set(by_user(took_part(community.pk, None))) == {resident.pk, neighbour.pk}
    assert took_part(community.pk, []) == []


def test_volunteered_counts_confirmed_hours_never_a_reversed_entry(community, worker):
    kept, reversed_ = volunteer_of(community), volunteer_of(community)
    activity = activity_of(community, worker)
    shift = shift_of(activity, starts_in=timedelta(days=-3))
    entry_of(signup_of(shift, kept), worker, minutes=120)
    entry = entry_of(signup_of(shift, reversed_), worker, minutes=60)
    HoursEntry.objects.create(
        community=community,
        kind=HoursEntryKind.REVERSAL,
        volunteer=reversed_,
        activity=activity,
        shift=shift,
        served_on=entry.served_on,
        served_minutes=-60,
        credited_minutes=-60,
        reverses=entry,
        reason="记错了人",
        confirmed_by=worker,
    )
    facts = by_user(volunteered(community.pk, [kept.person_id, reversed_.person_id]))
    assert set(facts) == {kept.person_id}
    assert facts[kept.person_id].first_at == shift.starts_at
    assert set(by_user(volunteered(community.pk, None))) == {kept.person_id}


def test_organised_counts_published_activities_of_the_organiser(community, worker):
    organiser, drafter = member(community), member(community)
    activity_of(community, organiser)
    activity_of(community, organiser, title="第二次")
    activity_of(community, drafter, status=ActivityStatus.DRAFT)
    facts = by_user(organised(community.pk, None))
    assert set(facts) == {organiser.pk}
    assert facts[organiser.pk].times == 2


def test_led_team_counts_current_leaders_and_past_ones_from_the_journal(community, worker):
    current, past, plain = (volunteer_of(community) for _ in range(3))
    team = team_of(community, worker, leader=current)
    with transaction.atomic():
        journal.record(
            community=community,
            actor=worker,
            verb="team.leader_appointed",
            target=team,
            data={"team": team.pk, "volunteer": past.pk},
        )
    facts = by_user(led_team(community.pk, None))
    assert set(facts) == {current.person_id, past.person_id}
    assert plain.person_id not in by_user(led_team(community.pk, [plain.person_id]))
    asked = by_user(led_team(community.pk, [past.person_id, plain.person_id]))
    assert set(asked) == {past.person_id}
    assert asked[past.person_id].times == 1


def test_chaired_counts_meetings_held_and_kept_minutes_only_when_sent(community, worker):
    body = council(community, worker)
    chair, secretary, scheduled_chair = member(community), member(community), member(community)
    held = meeting_of(
        body,
        worker,
        starts_in=timedelta(days=-2),
        chair=chair,
        secretary=secretary,
        status=MeetingStatus.CLOSED,
    )
    meeting_of(body, worker, chair=scheduled_chair)
    Minutes.objects.create(
        community=community,
        meeting=held,
        text="会议纪要",
        drafted_by=secretary,
        status=MinutesStatus.CIRCULATED,
    )
    assert set(by_user(chaired(community.pk, None))) == {chair.pk}
    assert set(by_user(kept_minutes(community.pk, [secretary.pk]))) == {secretary.pk}
    Minutes.objects.in_community(community).update(status=MinutesStatus.DRAFT)
    assert kept_minutes(community.pk, None) == []


def test_a_term_of_office_is_rung_five_and_a_founder_rung_three(community, worker):
    body = council(community, worker)
    office_holder, founder, future = member(community), member(community), member(community)
    today = timezone.localdate()
    term(body, seat(body), office_holder, starts=today - timedelta(days=30), ends=today)
    term(
        body,
        seat(body, title="秘书", seats=1),
        future,
        starts=today + timedelta(days=10),
        ends=today + timedelta(days=400),
    )
    organisation = council(community, worker, kind=BodyKind.ORGANISATION, name="读书会")
    Incubation.objects.create(community=community, body=organisation, stage=Stage.INCUBATING)
    Mandate.objects.create(
        community=community,
        body=organisation,
        position=seat(organisation, title="发起人", seats=3, role=""),
        seat=1,
        membership=membership(founder, community),
        chosen_by=ChosenBy.FOUNDING,
        recorded_by=worker,
        starts_on=today,
        ends_on=today + timedelta(days=365),
    )
    assert set(by_user(held_office(community.pk, None))) == {office_holder.pk}
    assert set(by_user(founded(community.pk, None))) == {founder.pk}
    Incubation.objects.in_community(community).update(stage=Stage.IDEA)
    assert founded(community.pk, [founder.pk]) == []


def test_trained_counts_sessions_that_took_place(community, worker):
    named, course_trainer, other = member(community), member(community), member(community)
    course = course_of(community, worker)
    trainer_of(course, named)
    trainer_of(course, course_trainer)
    attendance_of(session_of(course, starts_in=timedelta(days=-7), trainer=named))
    attendance_of(session_of(course, starts_in=timedelta(days=-3)))  # names nobody: everyone
    attendance_of(session_of(course, starts_in=timedelta(days=3), trainer=other))  # not yet held
    cancelled = session_of(
        course, starts_in=timedelta(days=-5), trainer=other, cancelled_at=timezone.now()
    )
    attendance_of(cancelled)
    facts = by_user(trained(community.pk, None))
    assert set(facts) == {named.pk, course_trainer.pk}
    assert facts[named.pk].times == 2
    assert facts[course_trainer.pk].times == 1
    draft = course_of(community, worker, status=CourseStatus.DRAFT, title="草稿")
    attendance_of(session_of(draft, starts_in=timedelta(days=-2), trainer=other))
    assert trained(community.pk, [other.pk]) == []


def test_a_session_nobody_came_to_trained_nobody(community, worker):
    """A trainer cannot reach rung 6 with a session on paper: it needs a learner on the roll."""
    trainer, learner = member(community), member(community)
    course = course_of(community, worker)
    trainer_of(course, trainer)
    empty = session_of(course, starts_in=timedelta(days=-4), trainer=trainer)
    session_of(course, starts_in=timedelta(days=-3))  # names nobody, nobody came either
    assert trained(community.pk, None) == []
    assert trained(community.pk, [trainer.pk]) == []
    attendance_of(empty, enrolment_of(course, learner))
    facts = by_user(trained(community.pk, [trainer.pk]))
    assert set(facts) == {trainer.pk} and facts[trainer.pk].times == 1


def test_sources_never_read_another_community(community, other_community, worker):
    organiser = member(community)
    activity_of(community, organiser)
    assert organised(other_community.pk, None) == []
    assert organised(other_community.pk, [organiser.pk]) == []
