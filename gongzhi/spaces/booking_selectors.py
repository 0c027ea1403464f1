"""Reads the booking part's pages and the API share: a space's week of slots, the approvals
queue of a space's managers, and the booking sections of the spaces' home and "my bookings".

``availability`` is the week grid. It reads the week's occupying bookings in ONE query that the
``booking_space_start`` index (space, starts_at) bounds on both sides: a booking overlapping the
week starts before the week's end and no earlier than the week's start minus the longest a
booking may last (the space's longest booking plus its buffer, at least a week), so a space with
years of bookings reads only the few around the week. Seats and "mine" are counted in Python
over the week's slots (each booking visits only the slots it covers)."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from gongzhi.bodies.models import Body
from gongzhi.bodies.selectors import sitting_q
from gongzhi.core.models import Community
from gongzhi.core.policies import is_community_worker
from gongzhi.spaces import booking as engine
from gongzhi.spaces.models import (
    OCCUPYING,
    Booking,
    BookingStatus,
    Space,
    SpaceStatus,
    WaitingRequest,
    WaitingStatus,
)

#: the day a space with no opening hours set shows in its grid (any time is bookable)
DEFAULT_DAY = (time(8, 0), time(22, 0))
#: the shortest reach back from a week's start to find the bookings overlapping it
MIN_REACH = timedelta(days=7)

FREE, TAKEN, MINE, HELD, PAST, LATER = "free", "taken", "mine", "held", "past", "later"


@dataclass
class Slot:
    starts_at: datetime
    ends_at: datetime
    state: str = FREE
    free_seats: int = 0
    seats: set[int] = field(default_factory=set)
    held: bool = False
    mine: int | None = None  # my booking over this slot

    @property
    def bookable(self) -> bool:
        return self.state == FREE


@dataclass
class Day:
    day: date
    slots: list[Slot]
    current: bool = False


@dataclass
class Week:
    space: Space
    start: date
    days: list[Day]

    @property
    def previous(self) -> date:
        return self.start - timedelta(days=7)

    @property
    def following(self) -> date:
        return self.start + timedelta(days=7)

    def slots(self) -> list[Slot]:
        return [slot for day in self.days for slot in day.slots]


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


#: how far from today a week may be asked for (the calendar's ends are never reached)
WEEKS_REACH = timedelta(days=3660)


def day_in_reach(day: date) -> bool:
    return abs(day - timezone.localdate()) <= WEEKS_REACH


def parse_day(text: str | None) -> date | None:
    """A day from the address (``2026-12-07``), None for none, a bad one or one out of reach."""
    try:
        day = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return day if day is not None and day_in_reach(day) else None


def _opening(space: Space) -> Any:
    """``(hours module, loaded hours)`` when the space has opening hours and ``hours.py`` can read
    them, else None (the default day)."""
    if not space.hours:
        return None
    try:
        from gongzhi.spaces import hours
    except ImportError:
        return None
    return hours, hours.load(space.hours)


def _day_slots(space: Space, day: date, opening: Any) -> list[Slot]:
    """The day's slots: the opening hours' own (``hours.slots``: from each range's opening), or
    the default day's when the space has none."""
    if opening is not None:
        module, loaded = opening
        return [Slot(start, end) for start, end in module.slots(loaded, day, space.slot_minutes)]
    tz = timezone.get_current_timezone()
    step = timedelta(minutes=space.slot_minutes)
    moment = datetime.combine(day, DEFAULT_DAY[0], tz)
    end = datetime.combine(day, DEFAULT_DAY[1], tz)
    slots: list[Slot] = []
    while moment + step <= end:
        slots.append(Slot(moment, moment + step))
        moment += step
    return slots


def week_bookings(space: Space, start: datetime, end: datetime) -> QuerySet[Booking]:
    """The occupying bookings of ``space`` overlapping ``[start, end)``: one indexed query."""
    reach = max(timedelta(minutes=space.max_minutes + space.buffer_minutes), MIN_REACH)
    return Booking.objects.in_community(space.community_id).filter(
        space=space,
        status__in=OCCUPYING,
        starts_at__gte=start - reach,
        starts_at__lt=end,
        busy_until__gt=start,
    )


def availability(
    space: Space,
    week_start: date,
    viewer: Any = None,
    *,
    now: datetime | None = None,
    day: date | None = None,
) -> Week:
    """The week from ``week_start`` (moved back to its Monday) in slots of the space's grid step
    within opening hours, each free (a seat is free), taken, held (by a request waiting for
    approval or a draw), mine, past, or later (beyond how far ahead it can be booked)."""
    now = now or timezone.now()
    week_start = monday_of(week_start)
    opening = _opening(space)
    days = [
        Day(
            week_start + timedelta(days=n),
            _day_slots(space, week_start + timedelta(days=n), opening),
        )
        for n in range(7)
    ]
    current = day if day and week_start <= day < week_start + timedelta(days=7) else None
    if current is None:
        today = timezone.localdate(now)
        current = today if week_start <= today < week_start + timedelta(days=7) else week_start
    for one in days:
        one.current = one.day == current
    slots = [slot for one in days for slot in one.slots]
    tz = timezone.get_current_timezone()
    start = datetime.combine(week_start, time(0, 0), tz)
    end = start + timedelta(days=7)
    viewer_id = getattr(viewer, "pk", None)
    starts = [slot.starts_at for slot in slots]
    rows = week_bookings(space, start, end).values_list(
        "pk", "seat", "starts_at", "busy_until", "status", "person_id", "booked_by_id"
    )
    for pk, seat, starts_at, busy_until, status, person_id, booked_by_id in rows:
        index = max(bisect_right(starts, starts_at) - 1, 0)
        while index < len(slots) and slots[index].starts_at < busy_until:
            slot = slots[index]
            if slot.ends_at > starts_at:
                slot.seats.add(seat)
                if status != BookingStatus.CONFIRMED:
                    slot.held = True
                if viewer_id is not None and viewer_id in (person_id, booked_by_id):
                    slot.mine = pk
            index += 1
    horizon = now + timedelta(days=space.advance_days)
    for slot in slots:
        slot.free_seats = max(space.seats - len(slot.seats), 0)
        if slot.mine:
            slot.state = MINE
        elif slot.starts_at < now:
            slot.state = PAST
        elif slot.free_seats == 0:
            slot.state = HELD if slot.held else TAKEN
        elif slot.starts_at > horizon:
            slot.state = LATER
        else:
            slot.state = FREE
    return Week(space=space, start=week_start, days=days)


# --- objects for pages and the API ------------------------------------------------------------


def may_manage(user: Any, space: Space) -> bool:
    return bool(engine.may_decide(user, space))


def space_get(community: Community, viewer: Any, space_id: int) -> Space:
    """A space of the community open for booking; one being prepared or closed only for its
    managers. Another is as missing as a missing one."""
    space = (
        Space.objects.in_community(community)
        .select_related("community", "managed_by_body")
        .filter(pk=space_id)
        .first()
    )
    if space is None or (space.status != SpaceStatus.OPEN and not may_manage(viewer, space)):
        raise Http404
    return space


def booking_get(community: Community, booking_id: int) -> Booking:
    booking = (
        Booking.objects.in_community(community)
        .select_related("space__community", "space__managed_by_body", "person", "booked_by")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None:
        raise Http404
    return booking


def booking_for_cancel(community: Community, user: Any, booking_id: int) -> Booking:
    booking = booking_get(community, booking_id)
    if not engine.may_cancel(user, booking):
        raise Http404
    return booking


def booking_for_decision(community: Community, user: Any, booking_id: int) -> Booking:
    booking = booking_get(community, booking_id)
    if not may_manage(user, booking.space):
        raise Http404
    return booking


def bodies_i_sit_in(community: Community | int, user: Any) -> QuerySet[Body]:
    """The organisations of the community ``user`` sits in today (they may book for them)."""
    if not getattr(user, "is_authenticated", False):
        return Body.objects.in_community(community).none()
    today = timezone.localdate()
    return (
        Body.objects.in_community(community)
        .filter(sitting_q(today, "mandates__"), mandates__membership__user=user)
        .distinct()
        .order_by("name", "pk")
    )


def managed_spaces(community: Community, user: Any) -> QuerySet[Space]:
    """The spaces ``user`` manages (``booking.may_decide`` for all of them in two queries): every
    space for a community worker, else those managed by a body they sit in today."""
    spaces = Space.objects.in_community(community)
    if not getattr(user, "is_authenticated", False):
        return spaces.none()
    if is_community_worker(user, community):
        return spaces
    return spaces.filter(managed_by_body__in=bodies_i_sit_in(community, user).values("pk"))


def managed_spaces_q(community: Community, user: Any) -> Q | None:
    """Which spaces' requests ``user`` decides: all for a community worker, those managed by a
    body they sit in otherwise; None for none."""
    if is_community_worker(user, community):
        return Q()
    bodies = list(bodies_i_sit_in(community, user).values_list("pk", flat=True))
    if not bodies:
        return None
    return Q(space__managed_by_body__in=bodies)


def approvals(community: Community, user: Any) -> list[Booking]:
    """The requests waiting for a decision on the spaces ``user`` manages, soonest first. Holds
    that have run out are left out (the next booking transaction expires them)."""
    scope = managed_spaces_q(community, user)
    if scope is None:
        return []
    return list(
        Booking.objects.in_community(community)
        .filter(scope, status=BookingStatus.PENDING, hold_until__gt=timezone.now())
        .select_related("space", "person", "booked_by", "body")
        .order_by("starts_at", "pk")
    )


def hub(community: Community, user: Any) -> dict[str, Any]:
    """The home page's booking section: how many requests wait for my decision."""
    scope = managed_spaces_q(community, user) if getattr(user, "is_authenticated", False) else None
    if scope is None:
        return {"manages": False, "pending": 0}
    pending = (
        Booking.objects.in_community(community)
        .filter(scope, status=BookingStatus.PENDING, hold_until__gt=timezone.now())
        .count()
    )
    return {"manages": True, "pending": pending}


def mine(community: Community, user: Any) -> dict[str, Any]:
    """ "My bookings"' booking section: my requests waiting for approval, the times I wait
    for, and what I booked for others (代办)."""
    now = timezone.now()
    bookings = Booking.objects.in_community(community).select_related("space", "person")
    return {
        "requests": list(
            bookings.filter(person=user, status=BookingStatus.PENDING, starts_at__gte=now)
        ),
        "waiting": list(
            WaitingRequest.objects.in_community(community)
            .filter(person=user, status=WaitingStatus.WAITING, starts_at__gte=now)
            .select_related("space")
            .order_by("starts_at", "pk")
        ),
        "for_others": list(
            bookings.filter(booked_by=user, status__in=OCCUPYING, starts_at__gte=now)
            .exclude(person=user)
            .order_by("starts_at", "pk")[:20]
        ),
    }
