"""Small builders the volunteering tests share: a volunteer, a team, an activity with a shift,
a sign-up, made directly (so each part's tests do not depend on another part's services)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from gongzhi.volunteering.models import (
    ActivityStatus,
    HoursEntry,
    HoursEntryKind,
    Shift,
    SignUp,
    SignUpStatus,
    Team,
    TeamKind,
    TeamMember,
    Volunteer,
    VolunteerActivity,
)
from tests.factories import member


def volunteer_of(community: Any, person: Any = None, **fields: Any) -> Volunteer:
    """``person`` (a new verified member if none) registered as a volunteer, with consent."""
    person = person or member(community)
    return Volunteer.objects.create(
        community=community,
        person=person,
        emergency_name=fields.pop("emergency_name", "王芳"),
        emergency_phone=fields.pop("emergency_phone", "+8613900009999"),
        consent_at=fields.pop("consent_at", timezone.now()),
        **fields,
    )


def team_of(
    community: Any, by: Any, *, name: str = "花园养护队", leader: Volunteer | None = None
) -> Team:
    team = Team.objects.create(community=community, name=name, kind=TeamKind.GARDEN, created_by=by)
    if leader is not None:
        TeamMember.objects.create(
            community=community, team=team, volunteer=leader, leader=True, appointed_by=by
        )
    return team


def activity_of(
    community: Any, organiser: Any, *, team: Team | None = None, **fields: Any
) -> VolunteerActivity:
    return VolunteerActivity.objects.create(
        community=community,
        title=fields.pop("title", "周末花园除草"),
        description=fields.pop("description", "为社区花园除草、浇水"),
        team=team,
        place=fields.pop("place", "社区花园"),
        organiser=organiser,
        status=fields.pop("status", ActivityStatus.PUBLISHED),
        created_by=fields.pop("created_by", organiser),
        **fields,
    )


def shift_of(
    activity: VolunteerActivity,
    *,
    starts_in: timedelta = timedelta(days=3),
    hours: float = 2,
    capacity: int = 5,
    **fields: Any,
) -> Shift:
    starts = timezone.now().replace(microsecond=0) + starts_in
    return Shift.objects.create(
        community=activity.community,
        activity=activity,
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
        capacity=capacity,
        **fields,
    )


def signup_of(shift: Shift, volunteer: Volunteer, **fields: Any) -> SignUp:
    return SignUp.objects.create(
        community=shift.community,
        shift=shift,
        volunteer=volunteer,
        status=fields.pop("status", SignUpStatus.REGISTERED),
        **fields,
    )


def entry_of(
    signup: SignUp, confirmed_by: Any, *, minutes: int, credited: int | None = None
) -> HoursEntry:
    """A confirmed service entry written directly (the ledger's own tests use its service)."""
    shift = signup.shift
    return HoursEntry.objects.create(
        community=signup.community,
        kind=HoursEntryKind.SERVICE,
        volunteer=signup.volunteer,
        activity=shift.activity,
        team=shift.activity.team,
        shift=shift,
        signup=signup,
        served_on=timezone.localdate(shift.starts_at),
        started_at=shift.starts_at,
        ended_at=shift.starts_at + timedelta(minutes=minutes),
        served_minutes=minutes,
        credited_minutes=minutes if credited is None else credited,
        confirmed_by=confirmed_by,
    )
