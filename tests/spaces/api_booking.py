"""The booking part's API routes: what it adds to the world, and one step per route."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from gongzhi.spaces.models import BookingStatus
from tests.spaces.world import at, booking_of, space_of

C = "communities/{slug}/spaces"


def build(world: Any, community: Any) -> None:
    """A room booked whole (a free time, a taken one to wait for, a booking of the resident's
    to cancel) and a hall that needs approval with a resident's request pending."""
    users, ids = world.users, world.ids
    worker, resident = users["worker"], users["resident"]
    room = space_of(community, worker, name="预约活动室")
    ids["booking_space_id"] = room.pk
    ids["booking_free_start"] = at(3, 10).isoformat()
    taken = at(3, 14)
    booking_of(room, users["neighbour"], taken)
    ids["booking_taken_start"] = taken.isoformat()
    ids["booking_taken_end"] = (taken + timedelta(hours=1)).isoformat()
    ids["booking_mine_id"] = booking_of(room, resident, at(4, 9)).pk
    hall = space_of(community, worker, name="审批礼堂", needs_approval=True)
    ids["booking_request_id"] = booking_of(
        hall,
        resident,
        at(5, 15),
        status=BookingStatus.PENDING,
        hold_until=at(2, 15),
    ).pk


def steps(Step: Any) -> list[Any]:
    """One ``Step`` per route of this part, in the order they run."""
    space = {"space_id": "booking_space_id"}
    return [
        Step(f"GET {C}/{{space_id}}/availability", "resident", 200, params=space),
        Step(
            f"POST {C}/{{space_id}}/bookings",
            "resident",
            201,
            lambda ids: {
                "starts_at": ids["booking_free_start"],
                "minutes": 60,
                "purpose": "读书会",
                "attendees": 6,
            },
            params=space,
        ),
        Step(
            f"POST {C}/{{space_id}}/waiting",
            "writer",
            201,
            lambda ids: {
                "starts_at": ids["booking_taken_start"],
                "ends_at": ids["booking_taken_end"],
                "purpose": "书法",
            },
            params=space,
        ),
        Step(
            f"POST {C}/bookings/{{booking_id}}/cancel",
            "resident",
            200,
            {"reason": "改期"},
            params={"booking_id": "booking_mine_id"},
        ),
        Step(f"GET {C}/requests", "worker", 200),
        Step(
            f"POST {C}/bookings/{{booking_id}}/decision",
            "worker",
            200,
            {"approve": True},
            params={"booking_id": "booking_request_id"},
        ),
    ]
