"""Every app that gives a role checks its requirement through core, inside its transaction: a
core role grant, a body's term of office, a meeting's chair, a team's leader; refused with the
translated error and nothing saved. And a shift needing first aid admits a holder."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from gongzhi.bodies.models import Charter, Mandate
from gongzhi.core import requirements
from gongzhi.core.models import Activity, Membership, RequirementExemption, Role, RoleGrant
from gongzhi.core.services import role_grant
from gongzhi.meetings import services as meetings
from gongzhi.meetings.models import Meeting, MeetingKind, MeetingStatus
from gongzhi.volunteering import services as volunteering
from gongzhi.volunteering.models import SignUpStatus, TeamMember
from gongzhi.volunteering.shifts import signup_add
from tests.bodies.bodies_world import seat, term
from tests.factories import member
from tests.learning.world import award_of
from tests.meetings.world import meeting_of, seated_council
from tests.volunteering.world import activity_of, shift_of, team_of, volunteer_of

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 3, 10)
NOON = datetime(2026, 3, 10, 12, 0, tzinfo=SHANGHAI)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def _on(worker, community, role, qualification, applies_from=TODAY):
    return requirements.turn_on(
        actor=worker,
        community=community,
        role=role,
        qualification=qualification,
        applies_from=applies_from,
    )


def _says_role_and_qualification(refused, role: str, qualification: str) -> None:
    assert refused.value.code == "qualification_required"
    message = refused.value.messages[0]
    assert requirements.label_of(role) in message
    assert requirements.qualifications.label(qualification) in message


# --- core: a role granted by hand ---------------------------------------------------------------


def test_core_grant_refused_without_the_qualification_and_nothing_saved(community, worker):
    _on(worker, community, Role.COUNCIL_MEMBER, "chairing")
    person = member(community)
    before = Activity.objects.in_community(community).count()
    with pytest.raises(ValidationError) as refused:
        role_grant(
            actor=worker,
            community=community,
            membership=Membership.objects.in_community(community).get(user=person),
            role=Role.COUNCIL_MEMBER,
        )
    _says_role_and_qualification(refused, "council_member", "chairing")
    assert "议事会成员" in refused.value.messages[0]  # the role's label, in Chinese
    assert not RoleGrant.objects.in_community(community).filter(membership__user=person).exists()
    assert Activity.objects.in_community(community).count() == before


def test_another_role_is_not_gated(community, worker):
    _on(worker, community, Role.COUNCIL_MEMBER, "chairing")
    person = member(community)
    role_grant(
        actor=worker,
        community=community,
        membership=Membership.objects.in_community(community).get(user=person),
        role=Role.REVIEWER,
    )


# --- bodies: a term of office whose position gives a role ---------------------------------------


def _council(community, worker):
    body, _people = seated_council(community, worker, members=2)
    return body, seat(body, title="副主任", seats=3, role=Role.COUNCIL_MEMBER)


def test_a_term_giving_a_required_role_is_refused_and_nothing_saved(community, worker):
    body, position = _council(community, worker)
    _on(worker, community, Role.COUNCIL_MEMBER, "chairing", applies_from=TODAY + timedelta(days=7))
    person = member(community)
    terms = Mandate.objects.in_community(community).count()
    with pytest.raises(ValidationError) as refused:
        term(body, position, person, starts=TODAY + timedelta(days=7), ends=date(2027, 3, 1))
    _says_role_and_qualification(refused, "council_member", "chairing")
    assert Mandate.objects.in_community(community).count() == terms
    assert not RoleGrant.objects.in_community(community).filter(membership__user=person).exists()


def test_a_term_starting_before_the_day_or_by_a_holder_passes(community, worker):
    body, position = _council(community, worker)
    _on(worker, community, Role.COUNCIL_MEMBER, "chairing", applies_from=TODAY + timedelta(days=7))
    early, qualified = member(community), member(community)
    term(body, position, early, seat=1, starts=TODAY, ends=date(2027, 3, 1))
    award_of(community, qualified, "chairing", valid_from=TODAY - timedelta(days=1))
    term(body, position, qualified, seat=2, starts=TODAY + timedelta(days=7), ends=date(2027, 3, 1))
    assert Mandate.objects.in_community(community).filter(position=position).count() == 2


def test_the_seated_council_is_kept_when_the_requirement_is_turned_on(community, worker):
    _body, people = seated_council(community, worker, members=3)
    _on(worker, community, Role.COUNCIL_MEMBER, "chairing")
    kept = set(
        RequirementExemption.objects.in_community(community).values_list("person", flat=True)
    )
    assert kept == {p.pk for p in people}


# --- meetings: the chair of a meeting -----------------------------------------------------------


def _schedule(worker, body, chair, starts_in=timedelta(days=10), rrule=""):
    starts = NOON + starts_in
    return meetings.meeting_create(
        actor=worker,
        body=body,
        kind=MeetingKind.ORDINARY,
        title="三季度议事会",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place="社区活动室",
        chair=chair,
        rrule=rrule,
    )


def test_a_meeting_chaired_without_the_qualification_is_refused_and_nothing_saved(
    community, worker
):
    body, people = seated_council(community, worker, members=3)
    _on(worker, community, "meetings.chair", "chairing")
    before = Meeting.objects.in_community(community).count()
    with pytest.raises(ValidationError) as refused:
        _schedule(worker, body, people[0])
    _says_role_and_qualification(refused, "meetings.chair", "chairing")
    assert Meeting.objects.in_community(community).count() == before
    # Without a chair, or with a qualified one, it is scheduled.
    _schedule(worker, body, None)
    award_of(community, people[1], "chairing", valid_from=TODAY)
    assert _schedule(worker, body, people[1], starts_in=timedelta(days=20)).chair == people[1]


def test_a_meeting_is_checked_on_its_own_day(community, worker):
    """Scheduled today for after the requirement's day, the chair needs it on that day; a
    qualification ending before the meeting does not do."""
    body, people = seated_council(community, worker, members=2)
    _on(worker, community, "meetings.chair", "chairing", applies_from=TODAY + timedelta(days=5))
    _schedule(worker, body, people[0], starts_in=timedelta(days=2))  # before the day: fine
    award_of(
        community,
        people[1],
        "chairing",
        valid_from=date(2024, 1, 1),
        valid_until=TODAY + timedelta(days=9),
    )
    with pytest.raises(ValidationError):
        _schedule(worker, body, people[1], starts_in=timedelta(days=10))


def test_a_series_is_checked_on_its_last_day(community, worker):
    body, people = seated_council(community, worker, members=2)
    award_of(
        community,
        people[0],
        "chairing",
        valid_from=date(2024, 1, 1),
        valid_until=TODAY + timedelta(days=30),
    )
    _on(worker, community, "meetings.chair", "chairing")
    with pytest.raises(ValidationError):
        _schedule(worker, body, people[0], starts_in=timedelta(days=1), rrule="FREQ=WEEKLY;COUNT=8")
    assert not Meeting.objects.in_community(community).exists()


def test_a_chair_from_before_the_requirements_day_is_kept(community, worker):
    """A series that starts before the day the requirement applies gives its chair the role
    then: kept (and told) like a chair at turn-on, on every run (first day checked first)."""
    body, people = seated_council(community, worker, members=2)
    requirement = _on(
        worker, community, "meetings.chair", "chairing", applies_from=TODAY + timedelta(days=5)
    )
    _schedule(worker, body, people[0], starts_in=timedelta(days=1), rrule="FREQ=WEEKLY;COUNT=3")
    assert requirements.is_kept(requirement, people[0])
    assert Meeting.objects.in_community(community).filter(chair=people[0]).count() == 3


def test_a_recent_chair_is_kept(community, worker):
    body, people = seated_council(community, worker, members=3)
    meeting_of(body, worker, starts_in=timedelta(days=-30), chair=people[0])
    meeting_of(body, worker, starts_in=timedelta(days=-400), chair=people[1])
    meeting_of(body, worker, starts_in=timedelta(days=5), chair=people[2], status="cancelled")
    _on(worker, community, "meetings.chair", "chairing")
    kept = set(
        RequirementExemption.objects.in_community(community).values_list("person", flat=True)
    )
    assert kept == {people[0].pk}
    _schedule(worker, body, people[0])  # the kept chair chairs again


def _chairing_until(community, person, last_day):
    award_of(community, person, "chairing", valid_from=date(2024, 1, 1), valid_until=last_day)


def test_a_meeting_moved_past_its_chairs_qualification_is_refused_and_unchanged(community, worker):
    body, people = seated_council(community, worker, members=2)
    _chairing_until(community, people[0], TODAY + timedelta(days=10))
    _on(worker, community, "meetings.chair", "chairing")
    meeting = _schedule(worker, body, people[0], starts_in=timedelta(days=5))
    later = meeting.starts_at + timedelta(days=15)
    with pytest.raises(ValidationError) as refused:
        meetings.meeting_update(
            actor=worker, meeting=meeting, starts_at=later, ends_at=later + timedelta(hours=2)
        )
    _says_role_and_qualification(refused, "meetings.chair", "chairing")
    meeting.refresh_from_db()
    assert meeting.starts_at == NOON + timedelta(days=5) and meeting.sequence == 0
    # Within the qualification, or the same day at another hour, it moves.
    sooner = meeting.starts_at + timedelta(days=4)
    meetings.meeting_update(
        actor=worker, meeting=meeting, starts_at=sooner, ends_at=sooner + timedelta(hours=2)
    )
    meeting.refresh_from_db()
    assert meeting.starts_at == sooner


def test_a_second_sitting_checks_its_chair_on_its_own_day(community, worker):
    body, people = seated_council(community, worker, members=2)
    Charter.objects.in_community(community).filter(body=body).update(
        second_sitting_quorum_percent=30
    )
    _chairing_until(community, people[0], TODAY + timedelta(days=1))
    _on(worker, community, "meetings.chair", "chairing")
    first = meeting_of(
        body, worker, starts_in=timedelta(hours=-3), chair=people[0], status=MeetingStatus.CLOSED
    )
    starts = NOON + timedelta(days=3)
    call = {
        "actor": worker,
        "meeting": first,
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
    }
    with pytest.raises(ValidationError) as refused:
        meetings.second_sitting_call(**call)
    _says_role_and_qualification(refused, "meetings.chair", "chairing")
    assert Meeting.objects.in_community(community).count() == 1
    _chairing_until(community, people[0], TODAY + timedelta(days=400))
    assert meetings.second_sitting_call(**call).chair == people[0]


# --- volunteering: a team's leader -------------------------------------------------------------


def test_a_team_leader_without_the_qualification_is_refused_and_nothing_saved(community, worker):
    _on(worker, community, "volunteering.team_leader", "leadership")
    team = team_of(community, worker)
    volunteer = volunteer_of(community)
    with pytest.raises(ValidationError) as refused:
        volunteering.team_leader_appoint(actor=worker, team=team, volunteer=volunteer)
    _says_role_and_qualification(refused, "volunteering.team_leader", "leadership")
    assert not TeamMember.objects.in_community(community).filter(team=team).exists()
    award_of(community, volunteer.person, "leadership", valid_from=TODAY)
    place = volunteering.team_leader_appoint(actor=worker, team=team, volunteer=volunteer)
    assert place.leader


def test_a_current_team_leader_is_kept_and_may_lead_another_team(community, worker):
    leader = volunteer_of(community)
    team_of(community, worker, leader=leader)
    _on(worker, community, "volunteering.team_leader", "leadership")
    assert RequirementExemption.objects.in_community(community).get().person == leader.person
    other = team_of(community, worker, name="助老服务队")
    assert volunteering.team_leader_appoint(actor=worker, team=other, volunteer=leader).leader


# --- a shift needing first aid now admits a holder (end to end) --------------------------------


def test_a_first_aid_shift_admits_a_holder_and_refuses_others(community, worker):
    activity = activity_of(community, worker)
    shift = shift_of(activity, required_qualifications=["first_aid"])
    holder, other = volunteer_of(community), volunteer_of(community)
    award_of(community, holder.person, "first_aid", valid_from=TODAY - timedelta(days=100))
    with pytest.raises(ValidationError) as refused:
        signup_add(actor=other.person, shift=shift)
    assert refused.value.code == "qualification_missing"
    signup = signup_add(actor=holder.person, shift=shift)
    assert signup.status == SignUpStatus.REGISTERED
