"""Volunteer activities and shifts in the API: the activities with coming shifts (public), one
activity with its shifts and the caller's places, creating and publishing an activity, adding a
shift, signing up (a place, or the waiting list when full: 201 with the status; refusals are 400
with a stable code: ``shift_past``, ``not_volunteer``, ``too_young``, ``shift_overlaps`` …) and
cancelling a sign-up (the first waiting takes the freed place)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.security import SessionAuth

from gongzhi.accounts.api import TokenAuth
from gongzhi.core.http import api_user, api_viewer
from gongzhi.core.policies import require
from gongzhi.core.selectors import community_get, member_by_phone
from gongzhi.volunteering import shift_selectors as selectors
from gongzhi.volunteering import shifts
from gongzhi.volunteering.models import Shift, SignUp, Team, VolunteerActivity
from gongzhi.volunteering.selectors import volunteer_for
from gongzhi.volunteering.shift_policies import can_view

router = Router(tags=["volunteering"])


def _anyone(request: HttpRequest) -> Any:
    """Public reads: no credentials read as a visitor."""
    return AnonymousUser()


PUBLIC = [TokenAuth(), SessionAuth(), _anyone]

V = "/communities/{slug}/volunteering"


class VolunteerShiftOut(Schema):
    id: int
    activity: int
    starts_at: datetime
    ends_at: datetime
    place: str
    capacity: int
    taken: int = Field(..., description="Places taken.")
    waiting: int = Field(..., description="How many are on the waiting list.")
    min_age: int | None
    required_qualifications: list[str]
    cancelled: bool
    mine: str | None = Field(
        None, description="The caller's sign-up: registered | waitlisted | cancelled | no_show"
    )
    mine_id: int | None = Field(None, description="The caller's sign-up's id.")
    waiting_position: int | None = Field(None, description="1: first on the waiting list.")


class VolunteerActivityOut(Schema):
    id: int
    title: str
    description: str
    place: str
    team: int | None
    team_name: str
    organiser: str
    status: str = Field(..., description="draft | published | cancelled")


class VolunteerActivityDetailOut(VolunteerActivityOut):
    shifts: list[VolunteerShiftOut]


class VolunteerActivityIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field(..., min_length=1, max_length=5000)
    place: str = Field(..., min_length=1, max_length=200)
    team: int | None = None
    organiser_phone: str = Field(
        "", max_length=30, description="The organiser, by phone; empty: the caller."
    )


class VolunteerShiftIn(Schema):
    starts_at: datetime
    ends_at: datetime
    capacity: int = Field(..., ge=1, le=10000)
    place: str = Field("", max_length=200, description="Empty: the activity's place.")
    min_age: int | None = Field(None, ge=0, le=100)
    required_qualifications: list[str] = Field(default_factory=list)


class ShiftSignUpIn(Schema):
    phone: str = Field(
        "", max_length=30, description="Staff only (代办): sign up this member, by phone."
    )


class ShiftSignUpOut(Schema):
    id: int
    shift: int
    status: str = Field(..., description="registered | waitlisted | cancelled")
    waiting_position: int | None


def _activity_out(activity: VolunteerActivity) -> dict[str, Any]:
    return {
        "id": activity.pk,
        "title": activity.title,
        "description": activity.description,
        "place": activity.place,
        "team": activity.team_id,
        "team_name": activity.team.name if activity.team else "",
        "organiser": str(activity.organiser),
        "status": activity.status,
    }


def _shift_out(view: selectors.ShiftView) -> dict[str, Any]:
    shift = view.shift
    return {
        "id": shift.pk,
        "activity": shift.activity_id,
        "starts_at": shift.starts_at,
        "ends_at": shift.ends_at,
        "place": shift.place or shift.activity.place,
        "capacity": shift.capacity,
        "taken": getattr(shift, "taken", 0),
        "waiting": getattr(shift, "waiting", 0),
        "min_age": shift.min_age,
        "required_qualifications": list(shift.required_qualifications),
        "cancelled": shift.cancelled_at is not None,
        "mine": view.signup.status if view.signup else None,
        "mine_id": view.signup.pk if view.signup else None,
        "waiting_position": view.position,
    }


def _signup_out(signup: SignUp) -> dict[str, Any]:
    return {
        "id": signup.pk,
        "shift": signup.shift_id,
        "status": signup.status,
        "waiting_position": selectors.waiting_position(signup),
    }


def _activity_get(community: Any, user: Any, activity_id: int) -> VolunteerActivity:
    activity = (
        VolunteerActivity.objects.in_community(community)
        .select_related("team", "organiser")
        .filter(pk=activity_id)
        .first()
    )
    if activity is None or not can_view(user, activity):
        raise Http404
    activity.community = community
    return activity


def _shift_get(community: Any, user: Any, shift_id: int) -> Shift:
    shift = (
        Shift.objects.in_community(community)
        .select_related("activity__team", "activity__organiser")
        .filter(pk=shift_id)
        .first()
    )
    if shift is None or not can_view(user, shift.activity):
        raise Http404
    shift.activity.community = community
    return shift


@router.get(
    V + "/activities",
    response=list[VolunteerActivityOut],
    auth=PUBLIC,
    summary="Volunteer activities with shifts to come, the soonest first",
)
def activity_list(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    viewer = api_viewer(request)
    community = community_get(slug=slug, user=viewer)
    return [_activity_out(a) for a in selectors.activities_open(community)]


@router.get(
    V + "/activities/{activity_id}",
    response=VolunteerActivityDetailOut,
    auth=PUBLIC,
    summary="One volunteer activity with its shifts (and the caller's places)",
)
def activity_detail(request: HttpRequest, slug: str, activity_id: int) -> dict[str, Any]:
    viewer = api_viewer(request)
    community = community_get(slug=slug, user=viewer)
    activity = _activity_get(community, viewer, activity_id)
    volunteer = volunteer_for(viewer, community.pk)
    return {
        **_activity_out(activity),
        "shifts": [_shift_out(view) for view in selectors.shift_views(activity, volunteer)],
    }


@router.post(
    V + "/activities",
    response={201: VolunteerActivityOut},
    summary="Create a volunteer activity (a draft: add shifts, then publish it)",
)
def activity_create(
    request: HttpRequest, slug: str, payload: VolunteerActivityIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    require("volunteering.organise", user, community)
    team = None
    if payload.team is not None:
        team = Team.objects.in_community(community).filter(pk=payload.team).first()
        if team is None:
            raise Http404
    organiser = (
        member_by_phone(phone=payload.organiser_phone, community=community)
        if payload.organiser_phone
        else None
    )
    activity = shifts.activity_create(
        actor=user,
        community=community,
        title=payload.title,
        description=payload.description,
        place=payload.place,
        team=team,
        organiser=organiser,
    )
    return Status(201, _activity_out(activity))


@router.post(
    V + "/activities/{activity_id}/publish",
    response=VolunteerActivityOut,
    summary="Publish a draft activity (it needs a shift): volunteers can sign up",
)
def activity_publish(request: HttpRequest, slug: str, activity_id: int) -> dict[str, Any]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    activity = _activity_get(community, user, activity_id)
    published = shifts.activity_publish(actor=user, activity=activity)
    published.team, published.organiser = activity.team, activity.organiser
    return _activity_out(published)


@router.post(
    V + "/activities/{activity_id}/shifts",
    response={201: VolunteerShiftOut},
    summary="Add a shift to a volunteer activity",
)
def shift_create(
    request: HttpRequest, slug: str, activity_id: int, payload: VolunteerShiftIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    activity = _activity_get(community, user, activity_id)
    shift = shifts.shift_create(actor=user, activity=activity, **payload.dict())
    shift.taken = 0  # type: ignore[attr-defined]
    shift.waiting = 0  # type: ignore[attr-defined]
    return Status(201, _shift_out(selectors.ShiftView(shift=shift, signup=None, position=None)))


@router.post(
    V + "/shifts/{shift_id}/signups",
    response={201: ShiftSignUpOut},
    summary="Sign up for a shift: a place, or the waiting list when it is full",
)
def shift_signup(
    request: HttpRequest, slug: str, shift_id: int, payload: ShiftSignUpIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    shift = _shift_get(community, user, shift_id)
    person = None
    if payload.phone:
        # Asked first: whether a phone belongs to a member is not for everyone to learn.
        require("volunteering.register_others", user, community)
        person = member_by_phone(phone=payload.phone, community=community)
    signup = shifts.signup_add(actor=user, shift=shift, person=person)
    return Status(201, _signup_out(signup))


@router.post(
    V + "/shifts/{shift_id}/signups/{signup_id}/cancel",
    response=ShiftSignUpOut,
    summary="Cancel a sign-up (one's own; staff and organisers for anyone)",
)
def signup_cancel(request: HttpRequest, slug: str, shift_id: int, signup_id: int) -> dict[str, Any]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    shift = _shift_get(community, user, shift_id)
    signup = (
        SignUp.objects.in_community(community)
        .select_related("volunteer")
        .filter(pk=signup_id, shift=shift)
        .first()
    )
    if signup is None:
        raise Http404
    signup.shift = shift
    from gongzhi.volunteering.shift_policies import cancel_signup

    if not cancel_signup(user, signup):
        raise Http404
    cancelled = shifts.signup_cancel(actor=user, signup=signup)
    return _signup_out(cancelled)
