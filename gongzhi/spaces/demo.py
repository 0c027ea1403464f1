"""The demo's shared spaces (registered in ``manifest.DEMO``; ``manage.py seed_demo`` calls
``seed`` after the mediation demo, so the bodies exist that manage a space).

In the first community: an activity room (open on public holidays with Sunday's hours), a hall
that needs approval (managed by the community's first body, closed on holidays), a 20-seat
reading room and a courtyard (open on holidays as usual), each with opening hours; folding tables
and a wheelchair lent out (the wheelchair is out on loan); an idle bicycle shed under
consultation (the hall's proposal on the shed, not answered yet) and an idle rooftop
opened twelve weeks ago as a garden managed by the same body, after the council accepted a
proposal for it (the one proposal this demo adds to the hall, dated back).

Two years of past bookings (twelve weeks for the garden) give the demand forecast something to
forecast: each day's count is drawn around a mean with a weekly pattern (more at weekends), a
yearly one (the reading room fills in the school holidays, the courtyard in spring and autumn,
the hall towards the year's end) and public holidays (the spaces open then are busier), and the
bookings are laid in blocks of the day's opening hours (``hours.open_ranges``, so closed days and
holidays have none) that never overlap, seat by seat, so the database's no-overlap guard accepts
them. They are written in one ``bulk_create`` (the services act now; history cannot be made
through them); a few were no-shows (only before the last 90 days, where no-shows no longer count
against anyone's next booking) or cancelled. The coming two weeks are booked through the booking
engine, so the week grid is alive: residents in the activity room and the reading room, and
requests for the hall, one approved and one waiting.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from gongzhi.bodies.models import Body
from gongzhi.core import holidays
from gongzhi.core.demo import DemoContext
from gongzhi.deliberation import services as hall
from gongzhi.deliberation.models import Proposal, ProposalEvent
from gongzhi.deliberation.models import Status as ProposalStatus
from gongzhi.spaces import booking, catalogue, hours, lending, revival, revival_selectors
from gongzhi.spaces.models import (
    Booking,
    BookingStatus,
    IdleSpace,
    ResourceKind,
    Space,
    SpaceKind,
)

#: Days of past bookings, and the garden's (it opened twelve weeks ago).
HISTORY_DAYS = 730
GARDEN_DAYS = 84


@dataclass(frozen=True)
class Demand:
    """How a space's past bookings are drawn: ``rate`` a day on a weekday of an average month,
    times ``weekend`` on Saturdays and Sundays, times ``1 + swing * cos(2 pi (month - peak) /
    period)``, times ``holiday`` on a public holiday (when open); each booking one ``block`` of
    minutes (the cleaning buffer after it inside the block)."""

    rate: float
    weekend: float
    swing: float
    peak: float
    period: float
    holiday: float
    block: int


def _week(opens: str, closes: str, weekend: tuple[str, str] | None = None) -> dict[str, Any]:
    days: dict[str, Any] = {day: [[opens, closes]] for day in hours.DAY_KEYS[:5]}
    for day in hours.DAY_KEYS[5:]:
        days[day] = [list(weekend or (opens, closes))]
    return days


#: name, fields for the catalogue, demand
SPACES: list[tuple[str, dict[str, Any], Demand]] = [
    (
        "社区活动室",
        {
            "kind": SpaceKind.ROOM,
            "capacity": 30,
            "location": "党群服务中心一楼",
            "equipment": "桌椅30套、投影仪、白板",
            "step_free": True,
            "accessible_toilet": True,
            "hours": {"weekly": _week("08:30", "20:30", ("09:00", "21:00")), "holidays": "weekend"},
            "slot_minutes": 30,
            "max_minutes": 180,
            "advance_days": 14,
            "description": "开会、排练、兴趣小组活动都可以预约。",
        },
        Demand(rate=2.9, weekend=1.9, swing=0.2, peak=11, period=12, holiday=1.3, block=120),
    ),
    (
        "多功能厅",
        {
            "kind": SpaceKind.HALL,
            "capacity": 120,
            "location": "党群服务中心二楼",
            "equipment": "舞台、音响、投影、120把折叠椅",
            "lift": True,
            "step_free": True,
            "hours": {"weekly": _week("09:00", "21:00"), "holidays": "closed"},
            "slot_minutes": 30,
            "max_minutes": 240,
            "buffer_minutes": 30,
            "needs_approval": True,
            "hold_hours": 48,
            "advance_days": 30,
            "description": "演出、讲座、居民大会；预约需管理方审核。",
        },
        Demand(rate=0.9, weekend=1.9, swing=0.35, peak=12, period=12, holiday=1.0, block=180),
    ),
    (
        "阅览室",
        {
            "kind": SpaceKind.READING_ROOM,
            "capacity": 20,
            "seats": 20,
            "location": "党群服务中心三楼",
            "equipment": "20个座位、台灯、无线网络",
            "lift": True,
            "hours": {"weekly": _week("08:30", "20:30"), "holidays": "weekend"},
            "slot_minutes": 60,
            "max_minutes": 240,
            "advance_days": 7,
            "description": "安静自习，每个座位单独预约。",
        },
        # school holidays: peaks in late July and late January (a half-year period)
        Demand(rate=13.0, weekend=1.7, swing=0.3, peak=7.5, period=6, holiday=1.4, block=180),
    ),
    (
        "中心庭院",
        {
            "kind": SpaceKind.COURTYARD,
            "capacity": 60,
            "location": "5号楼与7号楼之间",
            "equipment": "遮阳棚、长椅、户外电源",
            "step_free": True,
            "hours": {"weekly": _week("07:00", "19:00"), "holidays": "usual"},
            "slot_minutes": 60,
            "max_minutes": 180,
            "advance_days": 14,
            "description": "露天活动、义诊、跳蚤市场。",
        },
        Demand(rate=1.1, weekend=1.8, swing=0.5, peak=5, period=6, holiday=1.5, block=180),
    ),
]
GARDEN = (
    "楼顶花园",
    {
        "kind": SpaceKind.GARDEN,
        "capacity": 25,
        "location": "3号楼楼顶",
        "equipment": "种植箱、工具柜、水龙头",
        "lift": True,
        "hours": {"weekly": _week("07:00", "18:00"), "holidays": "usual"},
        "slot_minutes": 60,
        "max_minutes": 120,
        "advance_days": 14,
        "description": "原来堆杂物的楼顶，改造成居民共建的花园。",
    },
    Demand(rate=1.2, weekend=1.6, swing=0.0, peak=1, period=12, holiday=1.0, block=120),
)
PURPOSES = {
    SpaceKind.ROOM: ["合唱团排练", "书法兴趣小组", "楼栋议事", "亲子绘本", "太极拳"],
    SpaceKind.HALL: ["社区文艺演出", "健康讲座", "居民大会", "反诈宣传"],
    SpaceKind.READING_ROOM: ["自习", "备考", "看书"],
    SpaceKind.COURTYARD: ["义诊", "跳蚤市场", "广场舞", "露天电影"],
    SpaceKind.GARDEN: ["种菜", "浇水", "花园课堂"],
}


def _mean(demand: Demand, day: date) -> float:
    month = day.month - 1 + (day.day - 1) / 31
    season = 1 + demand.swing * math.cos(2 * math.pi * (month + 1 - demand.peak) / demand.period)
    weekly = demand.weekend if day.weekday() >= 5 else 1.0
    off = demand.holiday if holidays.is_holiday(day) else 1.0
    return demand.rate * season * weekly * off


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method (the means here are small)."""
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _blocks(space: Space, opening: hours.OpeningHours, day: date, block: int) -> list[Any]:
    """The day's consecutive blocks of ``block`` minutes within its open ranges."""
    made = []
    step = timedelta(minutes=block)
    for opens, closes in hours.open_ranges(opening, day):
        start = opens
        while start + step <= closes:
            made.append(start)
            start += step
    return made


def _history(
    context: DemoContext,
    space: Space,
    demand: Demand,
    people: list[Any],
    rng: random.Random,
    days: int,
) -> list[Booking]:
    opening = hours.load(space.hours)
    today = timezone.localdate()
    purposes = PURPOSES[SpaceKind(space.kind)]
    length = timedelta(minutes=demand.block - space.buffer_minutes)
    buffer = timedelta(minutes=space.buffer_minutes)
    rows: list[Booking] = []
    for back in range(days, 0, -1):
        day = today - timedelta(days=back)
        starts = _blocks(space, opening, day, demand.block)
        places = [(start, seat) for seat in range(1, space.seats + 1) for start in starts]
        wanted = min(_poisson(rng, _mean(demand, day)), len(places))
        chosen = places[:wanted] if space.seats > 1 else rng.sample(places, wanted)
        for start, seat in chosen:
            person = rng.choice(people)
            fate = rng.random()
            released = fate < 0.03 and back > 100
            rows.append(
                Booking(
                    community=space.community, space=space, seat=seat, starts_at=start,
                    ends_at=start + length, busy_until=start + length + buffer,
                    status=(
                        BookingStatus.RELEASED if released
                        else BookingStatus.CANCELLED if fate > 0.97
                        else BookingStatus.CONFIRMED
                    ),
                    no_show=released, person=person, booked_by=person,
                    purpose=rng.choice(purposes),
                    attendees=1 if space.seats > 1 else rng.randint(3, space.capacity),
                    checked_in_at=None if fate < 0.03 or fate > 0.97 else start,
                    decided_by=context.worker if space.needs_approval else None,
                    decided_at=start - timedelta(days=3) if space.needs_approval else None,
                )
            )  # fmt: skip
    return rows


def _insert(rows: list[Booking]) -> None:
    """Latest first: SQLite's no-overlap trigger looks, through the (space, starts_at) index, at
    the space's bookings that start before the new one ends; inserted oldest first, that is
    every booking so far (quadratic: 90 s for the reading room's 12,000), newest first only the
    same day's."""
    rows.sort(key=lambda row: row.starts_at, reverse=True)
    Booking.objects.bulk_create(rows, batch_size=1000)


def _manager(context: DemoContext) -> Body | None:
    return (
        Body.objects.in_community(context.community)
        .filter(dissolved_at__isnull=True)
        .order_by("pk")
        .first()
    )


def _space(context: DemoContext, name: str, fields: dict[str, Any], body: Body | None) -> Space:
    space = catalogue.space_create(
        actor=context.worker,
        community=context.community,
        name=name,
        managed_by_body=body,
        **fields,
    )
    return catalogue.space_open(actor=context.worker, space=space)


def _upcoming(context: DemoContext, spaces: dict[str, Space], people: list[Any]) -> None:
    """The coming two weeks through the booking engine: the week grid is alive."""
    rng = random.Random(len(people))  # noqa: S311 (demo data)
    today = timezone.localdate()
    room, reading, hall = spaces["社区活动室"], spaces["阅览室"], spaces["多功能厅"]
    asks: list[tuple[Space, datetime, int, int]] = []  # space, start, minutes, people
    for ahead in range(1, 14):
        day = today + timedelta(days=ahead)
        for start in rng.sample(_blocks(room, hours.load(room.hours), day, 120), 2):
            asks.append((room, start, 120, 12))
        for start in rng.sample(_blocks(reading, hours.load(reading.hours), day, 180), 2):
            asks += [(reading, start, 180, 1)] * 3  # three seats taken
    for ahead in (5, 9):
        starts = _blocks(hall, hours.load(hall.hours), today + timedelta(days=ahead), 180)
        asks += [(hall, start, 150, 80) for start in starts[-1:]]
    made = []
    for n, (space, start, minutes, attendees) in enumerate(asks):
        try:
            made.append(
                booking.book(
                    actor=people[n % len(people)], space=space, starts_at=start,
                    ends_at=start + timedelta(minutes=minutes), attendees=attendees,
                    purpose=rng.choice(PURPOSES[SpaceKind(space.kind)]),
                )
            )  # fmt: skip
        except ValidationError:  # a quota or a rule: the demo books what it may
            continue
    pending = [b for b in made if b.status == BookingStatus.PENDING]
    if pending:  # the first request for the hall approved, the second left waiting
        booking.decide(actor=context.worker, booking=pending[0], approve=True)


def _lending(context: DemoContext, spaces: dict[str, Space], people: list[Any]) -> None:
    hall = spaces["多功能厅"]
    lending.resource_create(
        actor=context.worker, community=context.community, name="折叠桌",
        kind=ResourceKind.FURNITURE, quantity=10, loan_days=3, kept_at=hall,
        note="1.2米长，两人可搬",
    )  # fmt: skip
    wheelchair = lending.resource_create(
        actor=context.worker, community=context.community, name="轮椅",
        kind=ResourceKind.MOBILITY, quantity=2, loan_days=14, kept_at=spaces["社区活动室"],
        note="可折叠，带刹车",
    )  # fmt: skip
    lending.loan_lend(actor=context.worker, resource=wheelchair, borrower=people[-1])


def _roof_proposal(context: DemoContext, people: list[Any], opened: datetime) -> Proposal:
    """The hall proposal the roof went through, accepted by the council before it opened: a
    space opens only after its consultation is over (``revival.opening_refusal``). Written
    through the hall's services, then dated back (dates are data, as the bookings')."""
    proposal = hall.proposal_create(
        actor=people[0], community=context.community, title="把3号楼楼顶平台改成居民共建花园",
        body="楼顶平台空着，夏天晒、冬天没人去。建议铺上种植箱，由楼里的居民一起种菜种花。",
    )  # fmt: skip
    for person in people[1:7]:
        proposal = hall.proposal_support(actor=person, proposal=proposal)
    proposal = hall.proposal_transition(
        actor=context.worker, proposal=proposal, to=ProposalStatus.ACCEPTED,
        reason="居民议事会同意：物业负责防水和护栏，楼组长组织居民认领种植箱。",
    )  # fmt: skip
    proposed, accepted = opened - timedelta(days=120), opened - timedelta(days=60)
    Proposal.objects.in_community(context.community).filter(pk=proposal.pk).update(
        created_at=proposed, published_at=proposed, updated_at=accepted
    )
    events = ProposalEvent.objects.in_community(context.community).filter(proposal=proposal)
    events.exclude(to_status=ProposalStatus.ACCEPTED).update(at=proposed)
    events.filter(to_status=ProposalStatus.ACCEPTED).update(at=accepted)
    return proposal


def _revival(
    context: DemoContext, body: Body | None, people: list[Any], rng: random.Random
) -> Space | None:
    worker, community = context.worker, context.community
    shed = revival.record(
        actor=worker, community=community, title="2号楼旧自行车棚", location="2号楼北侧",
        area_m2="36", owner="物业公司", proposed_use="改成居民共享的工具间和修车点",
        promised_hours_week=20,
    )  # fmt: skip
    # its consultation: the hall's proposal on the shed if there is one (only one every member
    # reads may be linked), not answered yet, so the shed cannot open yet
    public = revival_selectors.consultable_proposals(community).order_by("pk")
    proposal = public.filter(title__contains="车棚").first() or public.first()
    if proposal is not None:
        revival.consult(actor=worker, idle=shed, proposal=proposal)
    if body is None:
        return None
    roof = revival.record(
        actor=worker, community=community, title="3号楼楼顶", location="3号楼楼顶平台",
        area_m2="80", owner="业主共有", proposed_use="居民共建花园", promised_hours_week=15,
    )  # fmt: skip
    # it opened twelve weeks ago (dates are data): its use since then is shown against the promise
    opened = timezone.now() - timedelta(days=GARDEN_DAYS)
    roof = revival.consult(
        actor=worker, idle=roof, proposal=_roof_proposal(context, people, opened)
    )
    name, fields, demand = GARDEN
    garden = _space(context, name, fields, body)
    roof = revival.open_as(actor=worker, idle=roof, space=garden)
    IdleSpace.objects.in_community(community).filter(pk=roof.pk).update(opened_at=opened)
    _insert(_history(context, garden, demand, people, rng, GARDEN_DAYS))
    return garden


def seed(context: DemoContext) -> None:
    """The first community's spaces (see the module's docstring)."""
    people = [p for p in context.crowd if p.pk != context.worker.pk]
    if len(people) < 3:
        return
    # its own stream, forked from the shared one without drawing from it
    rng = random.Random(hash(context.rng.getstate()))  # noqa: S311 (demo data)
    body = _manager(context)
    spaces: dict[str, Space] = {}
    rows: list[Booking] = []
    for name, fields, demand in SPACES:
        managed = body if fields["kind"] == SpaceKind.HALL else None
        spaces[name] = _space(context, name, fields, managed)
        rows += _history(context, spaces[name], demand, people, rng, HISTORY_DAYS)
    _insert(rows)
    _lending(context, spaces, people)
    _revival(context, body, people, rng)
    _upcoming(context, spaces, people)
