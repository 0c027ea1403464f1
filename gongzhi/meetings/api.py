"""Meetings in the API: a community's meetings (public ones for everyone, closed ones for the
body's members and staff), one meeting with its places, scheduling a meeting or a series
(refused overlaps: 400 ``meeting_overlaps``), and registering for a public meeting (a place, or
the waiting list when full)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.security import SessionAuth

from gongzhi.accounts.api import TokenAuth
from gongzhi.bodies.models import Body
from gongzhi.bodies.selectors import body_get
from gongzhi.core.http import api_user, api_viewer
from gongzhi.core.policies import require
from gongzhi.core.selectors import community_get, member_by_phone
from gongzhi.meetings import selectors, services
from gongzhi.meetings.models import Meeting, Registration

router = Router(tags=["meetings"])


def _anyone(request: HttpRequest) -> Any:
    """Public reads: no credentials read as a visitor (public meetings only)."""
    return AnonymousUser()


#: Public reads answer everyone, and still recognise members (closed meetings of their body).
PUBLIC = [TokenAuth(), SessionAuth(), _anyone]

MEETINGS = "/communities/{slug}/meetings"


class MeetingOut(Schema):
    id: int
    body: int
    body_name: str
    kind: str = Field(
        ..., description="ordinary | extraordinary | hearing | round_table | consultation"
    )
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    place: str
    online_url: str
    public: bool
    status: str = Field(..., description="scheduled | in_session | closed | cancelled")
    cancel_reason: str
    sitting: int = Field(..., description="1, or 2 for a second sitting")
    series: int | None
    capacity: int | None = Field(..., description="Places for the public; null: no registration.")
    sequence: int


class SeatsOut(Schema):
    capacity: int | None
    registered: int
    waiting: int
    mine: str | None = Field(..., description="registered | waitlisted, or null")


class MeetingDetailOut(MeetingOut):
    seats: SeatsOut


class MeetingIn(Schema):
    body: int
    kind: str = "ordinary"
    title: str = Field(..., min_length=1, max_length=200)
    starts_at: datetime
    ends_at: datetime
    place: str = Field("", max_length=200)
    online_url: str = Field("", max_length=300)
    public: bool = True
    description: str = Field("", max_length=5000)
    capacity: int | None = Field(None, ge=1)
    rrule: str = Field(
        "", max_length=200, description="An RFC 5545 RRULE that ends (COUNT or UNTIL)."
    )


class RegisterIn(Schema):
    phone: str = Field(
        "", description="Staff only: register this member (by phone) instead of oneself."
    )


class RegistrationOut(Schema):
    id: int
    meeting: int
    status: str = Field(..., description="registered | waitlisted")


def _out(meeting: Meeting) -> dict[str, Any]:
    fields = (
        "kind",
        "title",
        "description",
        "starts_at",
        "ends_at",
        "place",
        "online_url",
        "public",
        "status",
        "cancel_reason",
        "sitting",
        "capacity",
        "sequence",
    )
    return {
        "id": meeting.pk,
        "body": meeting.body_id,
        "body_name": meeting.body.name,
        "series": meeting.series_id,
        **{name: getattr(meeting, name) for name in fields},
    }


def _registration_out(registration: Registration) -> dict[str, Any]:
    return {
        "id": registration.pk,
        "meeting": registration.meeting_id,
        "status": registration.status,
    }


@router.get(MEETINGS, response=list[MeetingOut], auth=PUBLIC, summary="A community's meetings")
def meeting_list(
    request: HttpRequest, slug: str, body: int | None = None, kind: str = "", when: str = "upcoming"
) -> list[dict[str, Any]]:
    """``when``: upcoming (soonest first) or past (latest first); at most 50."""
    viewer = api_viewer(request)
    community = community_get(slug=slug, user=viewer)
    upcoming, past = selectors.meeting_lists(
        community=community,
        user=viewer,
        filters=selectors.MeetingFilter(body=body, kind=kind),
    )
    return [_out(m) for m in (past if when == "past" else upcoming)]


@router.get(
    MEETINGS + "/{meeting_id}", response=MeetingDetailOut, auth=PUBLIC, summary="One meeting"
)
def meeting_detail(request: HttpRequest, slug: str, meeting_id: int) -> dict[str, Any]:
    viewer = api_viewer(request)
    community = community_get(slug=slug, user=viewer)
    meeting = selectors.meeting_get(community=community, user=viewer, meeting_id=meeting_id)
    seats = selectors.seats_of(meeting, viewer)
    return {
        **_out(meeting),
        "seats": {
            "capacity": seats.capacity,
            "registered": seats.registered,
            "waiting": seats.waiting,
            "mine": seats.mine.status if seats.mine else None,
        },
    }


@router.post(
    MEETINGS,
    response={201: MeetingOut},
    summary="Schedule a meeting, or a series with rrule (overlaps: 400 meeting_overlaps)",
)
def meeting_create(request: HttpRequest, slug: str, payload: MeetingIn) -> Status[dict[str, Any]]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    data = payload.dict()
    body: Body = body_get(community=community, body_id=data.pop("body"))
    meeting = services.meeting_create(actor=user, body=body, **data)
    return Status(201, _out(meeting))


@router.post(
    MEETINGS + "/{meeting_id}/registrations",
    response={201: RegistrationOut},
    summary="Register for a public meeting: a place, or the waiting list when it is full",
)
def meeting_register(
    request: HttpRequest, slug: str, meeting_id: int, payload: RegisterIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    meeting = selectors.meeting_get(community=community, user=user, meeting_id=meeting_id)
    person = None
    if payload.phone:
        # Asked first: whether a phone belongs to a member is not for everyone to learn.
        require("meetings.register_others", user, meeting)
        person = member_by_phone(phone=payload.phone, community=community)
    registration = services.registration_add(actor=user, meeting=meeting, person=person)
    return Status(201, _registration_out(registration))
