"""Spaces' booking part in the API, under /communities/{slug}/spaces/: a space's week of slots,
booking (for oneself, an organisation one sits in, or a resident by phone: 代办), waiting for a
taken time, cancelling, and the managers' approvals queue and decisions.

Refusals are 400 with the engine's code (``booking_taken``, ``booking_past``,
``booking_outside_hours``, ``booking_too_long``, ``booking_over_quota``, ``booking_not_pending``,
``booking_reason``, ``waiting_slot_free`` …); deciding one's own request is 403; a space,
booking or request the caller may not see or act on is 404, as a missing one, and so is an
organisation the caller does not sit in."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from gongzhi.core.http import api_user
from gongzhi.core.policies import require
from gongzhi.core.selectors import community_get, member_by_phone
from gongzhi.spaces import booking as engine
from gongzhi.spaces import booking_selectors as selectors
from gongzhi.spaces import selectors as catalogue_selectors
from gongzhi.spaces.models import Booking, WaitingRequest

router = Router(tags=["spaces"])

C = "/communities/{slug}/spaces"


class SpaceSlotOut(Schema):
    starts_at: datetime
    ends_at: datetime
    state: str = Field(
        ..., description="free, taken, held (a request or a draw), mine, past or later"
    )
    free_seats: int
    mine: int | None = Field(None, description="My booking over this slot.")


class SpaceDayOut(Schema):
    day: date
    slots: list[SpaceSlotOut]


class SpaceWeekOut(Schema):
    space: int
    week: date = Field(..., description="The Monday the week starts on.")
    seats: int
    slot_minutes: int
    days: list[SpaceDayOut]


class SpaceBookIn(Schema):
    starts_at: datetime
    ends_at: datetime | None = Field(None, description="Or give minutes.")
    minutes: int | None = Field(None, ge=1, le=1440)
    purpose: str = Field(..., max_length=200)
    attendees: int = Field(1, ge=1, le=100_000)
    body: int | None = Field(None, description="An organisation of the community I sit in.")
    phone: str = Field(
        "", max_length=30, description="Community workers: book for this resident (代办)."
    )
    meeting: int | None = Field(
        None, description="A coming meeting of a body I sit in: this booking is its room."
    )


class SpaceBookingOut(Schema):
    id: int
    space: int
    seat: int
    starts_at: datetime
    ends_at: datetime
    busy_until: datetime
    status: str
    hold_until: datetime | None
    person: int | None
    booked_by: int
    body: int | None
    meeting: int | None
    purpose: str
    attendees: int
    reason: str


class SpaceWaitIn(Schema):
    starts_at: datetime
    ends_at: datetime
    purpose: str = Field(..., max_length=200)
    body: int | None = None
    phone: str = Field(
        "", max_length=30, description="Community workers: wait for this resident (代办)."
    )


class SpaceWaitingOut(Schema):
    id: int
    space: int
    starts_at: datetime
    ends_at: datetime
    status: str


class SpaceCancelIn(Schema):
    reason: str = ""


class SpaceDecisionIn(Schema):
    approve: bool
    reason: str = Field("", description="Needed to refuse.")


def booking_out(booking: Booking) -> dict[str, Any]:
    return {
        "id": booking.pk,
        "space": booking.space_id,
        "seat": booking.seat,
        "starts_at": booking.starts_at,
        "ends_at": booking.ends_at,
        "busy_until": booking.busy_until,
        "status": booking.status,
        "hold_until": booking.hold_until,
        "person": booking.person_id,
        "booked_by": booking.booked_by_id,
        "body": booking.body_id,
        "meeting": booking.meeting_id,
        "purpose": booking.purpose,
        "attendees": booking.attendees,
        "reason": booking.reason,
    }


def _waiting_out(waiting: WaitingRequest) -> dict[str, Any]:
    return {
        "id": waiting.pk,
        "space": waiting.space_id,
        "starts_at": waiting.starts_at,
        "ends_at": waiting.ends_at,
        "status": waiting.status,
    }


def _body(community: Any, user: Any, body_id: int | None) -> Any:
    """An organisation of the community ``user`` sits in, or 404 as for a missing one."""
    if body_id is None:
        return None
    body = selectors.bodies_i_sit_in(community, user).filter(pk=body_id).first()
    if body is None:
        raise Http404
    return body


def _in_reach(moment: datetime) -> None:
    if not selectors.day_in_reach(moment.date()):
        raise ValidationError(
            _("Choose a time within ten years of today."), code="time_out_of_reach"
        )


@router.get(
    C + "/{space_id}/availability",
    response=SpaceWeekOut,
    summary="A space's week in slots: free, taken, held or mine",
)
def availability(
    request: HttpRequest, slug: str, space_id: int, week: date | None = None
) -> dict[str, Any]:
    viewer = api_user(request)
    community = community_get(slug=slug, user=viewer, perm="spaces.view_spaces")
    space = selectors.space_get(community, viewer, space_id)
    if week is not None and not selectors.day_in_reach(week):
        raise ValidationError(
            _("Choose a week within ten years of today."), code="week_out_of_reach"
        )
    grid = selectors.availability(space, week or timezone.localdate(), viewer)
    return {
        "space": space.pk,
        "week": grid.start,
        "seats": space.seats,
        "slot_minutes": space.slot_minutes,
        "days": [
            {
                "day": day.day,
                "slots": [
                    {
                        "starts_at": slot.starts_at,
                        "ends_at": slot.ends_at,
                        "state": slot.state,
                        "free_seats": slot.free_seats,
                        "mine": slot.mine,
                    }
                    for slot in day.slots
                ],
            }
            for day in grid.days
        ],
    }


@router.post(
    C + "/{space_id}/bookings",
    response={201: SpaceBookingOut},
    summary="Book a space: confirmed, or a request holding the time until decided",
)
def book(
    request: HttpRequest, slug: str, space_id: int, payload: SpaceBookIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    community = community_get(slug=slug, user=user, perm="spaces.view_spaces")
    space = selectors.space_get(community, user, space_id)
    _in_reach(payload.starts_at)
    person = _on_behalf_of(community, user, payload.phone)
    ends_at = payload.ends_at
    if ends_at is None:
        ends_at = payload.starts_at + timedelta(minutes=payload.minutes or space.slot_minutes)
    made = engine.book(
        actor=user,
        space=space,
        starts_at=payload.starts_at,
        ends_at=ends_at,
        purpose=payload.purpose,
        person=person,
        body=_body(community, user, payload.body),
        attendees=payload.attendees,
        meeting=_meeting(community, user, payload.meeting),
    )
    return Status(201, booking_out(made))


def _on_behalf_of(community: Any, user: Any, phone: str) -> Any:
    """The resident a community worker acts for (代办), by phone; None without one."""
    if not phone:
        return None
    require("core.act_on_behalf", user, community)
    return member_by_phone(phone=phone, community=community)


def _meeting(community: Any, user: Any, meeting_id: int | None) -> Any:
    """A coming meeting of a body ``user`` sits in, or 404 as for a missing one."""
    if meeting_id is None:
        return None
    for meeting in catalogue_selectors.meetings_to_book_for(community, user):
        if meeting.pk == meeting_id:
            return meeting
    raise Http404


@router.post(
    C + "/{space_id}/waiting",
    response={201: SpaceWaitingOut},
    summary="Wait for a taken time: booked for me, and I am told, if it frees up",
)
def wait(
    request: HttpRequest, slug: str, space_id: int, payload: SpaceWaitIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    community = community_get(slug=slug, user=user, perm="spaces.view_spaces")
    space = selectors.space_get(community, user, space_id)
    _in_reach(payload.starts_at)
    waiting = engine.wait_for(
        actor=user,
        space=space,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        purpose=payload.purpose,
        person=_on_behalf_of(community, user, payload.phone),
        body=_body(community, user, payload.body),
    )
    return Status(201, _waiting_out(waiting))


@router.post(
    C + "/bookings/{booking_id}/cancel",
    response=SpaceBookingOut,
    summary="Cancel a booking or a request that has not started (the booker or a manager)",
)
def cancel(
    request: HttpRequest, slug: str, booking_id: int, payload: SpaceCancelIn | None = None
) -> dict[str, Any]:
    user = api_user(request)
    community = community_get(slug=slug, user=user, perm="spaces.view_spaces")
    booking = selectors.booking_for_cancel(community, user, booking_id)
    reason = payload.reason if payload else ""
    return booking_out(engine.cancel(actor=user, booking=booking, reason=reason))


@router.post(
    C + "/bookings/{booking_id}/decision",
    response=SpaceBookingOut,
    summary="Approve or refuse a request (the space's managers; never one's own)",
)
def decide(
    request: HttpRequest, slug: str, booking_id: int, payload: SpaceDecisionIn
) -> dict[str, Any]:
    user = api_user(request)
    community = community_get(slug=slug, user=user, perm="spaces.view_spaces")
    booking = selectors.booking_for_decision(community, user, booking_id)
    decided = engine.decide(
        actor=user, booking=booking, approve=payload.approve, reason=payload.reason
    )
    return booking_out(decided)


@router.get(
    C + "/requests",
    response=list[SpaceBookingOut],
    summary="The requests waiting for my decision (a space's managers)",
)
def requests(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    user = api_user(request)
    community = community_get(slug=slug, user=user, perm="spaces.view_spaces")
    return [booking_out(booking) for booking in selectors.approvals(community, user)]
