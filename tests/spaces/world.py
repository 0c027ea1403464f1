"""Small builders the spaces tests share: an open space and a time tomorrow, made directly (so
each part's tests do not depend on another part's services)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from gongzhi.core.models import Role
from gongzhi.spaces.models import Booking, BookingStatus, Space, SpaceKind, SpaceStatus
from tests.factories import member


def space_of(community: Any, creator: Any = None, **fields: Any) -> Space:
    """An activity room open for booking by verified residents, with no opening hours set (so
    any time is open), booked whole, 3 hours at most, 30 days ahead."""
    creator = creator or member(community, role=Role.COMMUNITY_WORKER)
    return Space.objects.in_community(community).create(
        name=fields.pop("name", "活动室"),
        kind=fields.pop("kind", SpaceKind.ROOM),
        status=fields.pop("status", SpaceStatus.OPEN),
        capacity=fields.pop("capacity", 30),
        created_by=creator,
        **fields,
    )


def at(days: int = 1, hour: int = 10, minute: int = 0) -> datetime:
    """A whole hour ``days`` from today, in local time."""
    day = timezone.localtime() + timedelta(days=days)
    return day.replace(hour=hour, minute=minute, second=0, microsecond=0)


def booking_of(space: Space, person: Any, starts_at: datetime, hours: int = 1, **fields: Any):
    """A row written straight to the table (no rules checked): for tests of what the database
    itself refuses, and to set up history."""
    ends = starts_at + timedelta(hours=hours)
    return Booking.objects.in_community(space.community_id).create(
        space=space,
        person=person,
        booked_by=fields.pop("booked_by", person),
        starts_at=starts_at,
        ends_at=ends,
        busy_until=fields.pop("busy_until", ends),
        status=fields.pop("status", BookingStatus.CONFIRMED),
        purpose=fields.pop("purpose", "读书会"),
        **fields,
    )
