"""The demo street's shared spaces: four spaces with hours and a manager, a revived garden and an
idle shed under consultation, things lent out, two years of past bookings that the database's
no-overlap guard accepted, with weekly and yearly patterns the forecast can find, a live coming
fortnight, and the hotline's two years of tickets."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta
from statistics import mean

import pytest
from django.utils import timezone

from gongzhi.core.demo import DemoContext
from gongzhi.core.models import Role
from gongzhi.deliberation import services as hall_services
from gongzhi.feedback.demo import seed_demo_hotline, seed_history
from gongzhi.feedback.models import Ticket
from gongzhi.spaces import demo
from gongzhi.spaces.models import (
    OCCUPYING,
    Booking,
    BookingStatus,
    IdleSpace,
    IdleStatus,
    Loan,
    Resource,
    Space,
    SpaceKind,
    SpaceStatus,
)
from tests.factories import member
from tests.meetings.world import seated_council


@pytest.fixture
def seeded(community):
    """The spaces' seeder on a street with a body and a proposal (the demo street of 300 and
    more; a small one has no bodies: the hall is then the workers' to manage and no idle space
    opens, which tests/test_seed_demo_sizes.py seeds)."""
    worker = member(community, role=Role.COMMUNITY_WORKER)
    seated_council(community, worker, members=2, name="楼组长议事会")
    crowd = [member(community) for _ in range(12)]
    hall_services.proposal_create(
        actor=crowd[0], community=community, title="旧车棚改工具间", body="大家的工具放一起。"
    )
    context = DemoContext(
        communities=[community], worker=worker, supervisor=worker, residents=crowd,
        crowd=crowd, rng=random.Random(5),  # noqa: S311
    )  # fmt: skip
    demo.seed(context)
    return context


@pytest.mark.django_db
def test_spaces_with_two_years_of_use_and_a_live_fortnight(community, seeded):
    spaces = {s.kind: s for s in Space.objects.in_community(community)}
    assert set(spaces) == {
        SpaceKind.ROOM, SpaceKind.HALL, SpaceKind.READING_ROOM, SpaceKind.COURTYARD,
        SpaceKind.GARDEN,
    }  # fmt: skip
    assert all(s.status == SpaceStatus.OPEN and s.hours for s in spaces.values())
    assert spaces[SpaceKind.READING_ROOM].seats == 20
    hall = spaces[SpaceKind.HALL]
    assert hall.needs_approval and hall.managed_by_body_id

    today = timezone.localdate()
    start_of_today = timezone.make_aware(datetime.combine(today, datetime.min.time()))
    bookings = Booking.objects.in_community(community)
    past = bookings.filter(starts_at__lt=start_of_today)
    assert past.count() > 10_000
    first = timezone.localtime(past.order_by("starts_at").first().starts_at).date()
    assert first <= today - timedelta(days=700)

    # no two occupying bookings of one seat overlap (the database refused none of them)
    last_end: dict[tuple[int, int], object] = {}
    for space_id, seat, starts, busy in (
        bookings.filter(status__in=OCCUPYING)
        .order_by("space_id", "seat", "starts_at")
        .values_list("space_id", "seat", "starts_at", "busy_until")
    ):
        previous = last_end.get((space_id, seat))
        assert previous is None or previous <= starts
        last_end[(space_id, seat)] = busy

    # weekends busier than weekdays in the activity room; the reading room fuller in summer
    per_day: dict[object, int] = defaultdict(int)
    for starts in past.filter(space=spaces[SpaceKind.ROOM]).values_list("starts_at", flat=True):
        per_day[timezone.localtime(starts).date()] += 1
    weekend = [n for d, n in per_day.items() if d.weekday() >= 5]
    weekday = [n for d, n in per_day.items() if d.weekday() < 5]
    assert mean(weekend) > 1.3 * mean(weekday)
    by_month: dict[int, int] = defaultdict(int)
    for starts in past.filter(space=spaces[SpaceKind.READING_ROOM]).values_list(
        "starts_at", flat=True
    ):
        by_month[timezone.localtime(starts).month] += 1
    assert by_month[8] > 1.2 * by_month[10]
    assert past.filter(status=BookingStatus.RELEASED, no_show=True).exists()

    # the coming fortnight through the booking engine
    coming = bookings.filter(starts_at__gte=timezone.now())
    assert coming.filter(space=spaces[SpaceKind.ROOM], status=BookingStatus.CONFIRMED).count() >= 10
    assert coming.filter(space=spaces[SpaceKind.READING_ROOM]).values("seat").distinct().count() > 1
    hall_requests = sorted(coming.filter(space=hall).values_list("status", flat=True))
    assert hall_requests == [BookingStatus.CONFIRMED, BookingStatus.PENDING]

    # lending and revival
    assert set(Resource.objects.in_community(community).values_list("name", flat=True)) == {
        "折叠桌", "轮椅"
    }  # fmt: skip
    assert Loan.objects.in_community(community).filter(returned_at__isnull=True).count() == 1
    idle = dict(IdleSpace.objects.in_community(community).values_list("status", "space_id"))
    assert idle == {IdleStatus.CONSULTING: None, IdleStatus.OPENED: spaces[SpaceKind.GARDEN].pk}
    # each linked to a proposal every member reads; the garden opened after its was accepted
    consulted = IdleSpace.objects.in_community(community).values_list("status", "proposal__status")
    assert dict(consulted) == {IdleStatus.CONSULTING: "gathering", IdleStatus.OPENED: "accepted"}


@pytest.mark.django_db
def test_the_hotline_has_two_years_of_tickets_a_day(community):
    worker = member(community, role=Role.COMMUNITY_WORKER)
    residents = [member(community) for _ in range(4)]
    seed_demo_hotline(community, worker=worker, residents=residents)
    made = seed_history(community, residents=residents, rng=random.Random(1))  # noqa: S311
    tickets = Ticket.objects.in_community(community)
    assert made > 3000 and tickets.count() == made + 8
    oldest = timezone.localtime(tickets.order_by("created_at").first().created_at).date()
    assert oldest == timezone.localdate() - timedelta(days=730)
    numbers = list(tickets.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers) and max(numbers) == len(numbers)
    # fewer on weekends
    by_weekday: dict[int, int] = defaultdict(int)
    for created in tickets.values_list("created_at", flat=True):
        by_weekday[timezone.localtime(created).weekday()] += 1
    assert by_weekday[6] < 0.8 * by_weekday[2]
