"""For any sequence of book, cancel, approve, reject and expire (a hold's time moved into the
past) on a space with 1 or 3 seats and a cleaning buffer, read from the table after every step:
no two occupying bookings of one seat overlap, no booking has a seat the space lacks, and never
more than ``seats`` bookings occupy the space at any instant."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.core.models import Role
from gongzhi.spaces import booking as engine
from gongzhi.spaces.models import OCCUPYING, Booking, BookingStatus, ResidentAccess
from tests.factories import member
from tests.spaces.world import at, space_of

pytestmark = pytest.mark.django_db

STEP = timedelta(minutes=30)

book_st = st.tuples(st.just("book"), st.integers(0, 3), st.integers(0, 12), st.integers(1, 4))
other_st = st.tuples(
    st.sampled_from(["cancel", "approve", "reject", "expire"]),
    st.integers(0, 20),
    st.just(0),
    st.just(0),
)
steps_st = st.lists(st.one_of(book_st, book_st, other_st), min_size=1, max_size=25)


class Rollback(Exception):
    pass


def _check(space):
    rows = list(
        Booking.objects.in_community(space.community_id)
        .filter(space=space, status__in=OCCUPYING)
        .values_list("seat", "starts_at", "busy_until")
    )
    by_seat: dict[int, list] = {}
    for seat, start, end in rows:
        assert 1 <= seat <= space.seats
        by_seat.setdefault(seat, []).append((start, end))
    for ranges in by_seat.values():
        ranges.sort()
        for (_s1, e1), (s2, _e2) in zip(ranges, ranges[1:], strict=False):
            assert e1 <= s2, "two occupying bookings of one seat overlap"
    events = sorted([(s, 1) for _seat, s, _e in rows] + [(e, -1) for _seat, _s, e in rows])
    running = 0
    for _moment, change in events:  # an end sorts before a start at the same instant
        running += change
        assert running <= space.seats, "more bookings at once than seats"


@pytest.fixture
def people(community):
    return (
        [member(community) for _n in range(4)],
        member(community, Role.COMMUNITY_WORKER),
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    seats=st.sampled_from([1, 3]),
    buffer=st.sampled_from([0, 15, 30]),
    approval=st.booleans(),
    steps=steps_st,
)
def test_no_overlap_and_never_more_than_the_seats(
    community, people, seats, buffer, approval, steps
):
    residents, manager = people
    base = at(2, 8)
    try:
        with transaction.atomic():
            space = space_of(
                community,
                manager,
                name="性质测试室",
                seats=seats,
                buffer_minutes=buffer,
                needs_approval=approval,
                residents=ResidentAccess.ALL,
            )
            for action, a, b, c in steps:
                made = list(
                    Booking.objects.in_community(community).filter(space=space).order_by("pk")
                )
                try:
                    if action == "book":
                        start = base + STEP * b
                        engine.book(
                            actor=residents[a],
                            space=space,
                            starts_at=start,
                            ends_at=start + STEP * c,
                            purpose="活动",
                        )
                    elif made:
                        target = made[a % len(made)]
                        if action == "cancel":
                            engine.cancel(actor=target.person, booking=target)
                        elif action in ("approve", "reject"):
                            engine.decide(
                                actor=manager,
                                booking=target,
                                approve=action == "approve",
                                reason="不合适",
                            )
                        elif target.status == BookingStatus.PENDING:
                            Booking.objects.in_community(community).filter(pk=target.pk).update(
                                hold_until=timezone.now() - timedelta(seconds=1)
                            )
                except (ValidationError, PermissionDenied):
                    pass
                _check(space)
            raise Rollback
    except Rollback:
        pass
