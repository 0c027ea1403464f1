"""The series part's API routes: what it adds to the world, and one step per route."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from gongzhi.spaces import draws, series
from gongzhi.spaces.models import DrawRound
from tests.spaces.world import at, space_of

C = "communities/{slug}/spaces"
SPACE = {"space_id": "series_space_id"}
SERIES = {"series_id": "series_id"}
OCCURRENCE = {"series_id": "series_id", "booking_id": "series_booking_id"}
OPEN = {"draw_id": "open_draw_id"}
WITHDRAW = {"draw_id": "open_draw_id", "request_id": "draw_request_id"}
CLOSED = {"draw_id": "closed_draw_id"}
SPARE = {"draw_id": "spare_draw_id"}


def build(world: Any, community: Any) -> None:
    users, ids = world.users, world.ids
    space = space_of(community, creator=users["worker"], name="合唱室", seats=2)
    ids["series_space_id"] = space.pk
    made = series.series_book(
        actor=users["resident"],
        space=space,
        rrule="FREQ=WEEKLY;COUNT=4",
        starts_at=at(3, hour=8),
        minutes=60,
        purpose="合唱团排练",
    )
    assert made.series is not None
    ids["series_id"] = made.series.pk
    ids["series_booking_id"] = made.booked[0].pk
    hall = space_of(community, creator=users["worker"], name="议事厅", needs_approval=True)
    asked = series.series_book(
        actor=users["resident"],
        space=hall,
        rrule="FREQ=WEEKLY;COUNT=3",
        starts_at=at(3, hour=9),
        minutes=60,
        purpose="楼组长例会",
    )
    assert asked.series is not None
    ids["pending_series_id"] = asked.series.pk
    close = timezone.now() + timedelta(days=1)
    opened = draws.draw_open(
        actor=users["worker"],
        space=space,
        starts_at=at(6, hour=19),
        ends_at=at(6, hour=21),
        closes_at=close,
        seed_rule="开奖号码",
    )
    ids["open_draw_id"] = opened.pk
    spare = draws.draw_open(
        actor=users["worker"],
        space=space,
        starts_at=at(9, hour=19),
        ends_at=at(9, hour=21),
        closes_at=close,
        seed_rule="开奖号码",
    )
    ids["spare_draw_id"] = spare.pk
    request = draws.draw_request(actor=users["neighbour"], draw=opened, purpose="生日会")
    ids["draw_request_id"] = request.pk
    closed = draws.draw_open(
        actor=users["worker"],
        space=space,
        starts_at=at(7, hour=19),
        ends_at=at(7, hour=21),
        closes_at=close,
        seed_rule="开奖号码",
    )
    draws.draw_request(actor=users["resident"], draw=closed, purpose="聚会")
    draws.draw_request(actor=users["writer"], draw=closed, purpose="舞蹈")
    draws.draw_request(actor=users["neighbour"], draw=closed, purpose="读书会")
    DrawRound.objects.in_community(community).filter(pk=closed.pk).update(
        closes_at=timezone.now() - timedelta(minutes=5)
    )
    ids["closed_draw_id"] = closed.pk


def _series_in(**extra: Any) -> dict[str, Any]:
    return {
        "rrule": "FREQ=WEEKLY;COUNT=3",
        "starts_at": at(4, hour=10).isoformat(),
        "minutes": 90,
        "purpose": "书法班",
        **extra,
    }


def steps(Step: Any) -> list[Any]:
    return [
        Step(f"POST {C}/{{space_id}}/series/check", "writer", 200, _series_in(), SPACE),
        Step(f"POST {C}/{{space_id}}/series", "writer", 201, _series_in(), SPACE),
        Step(f"GET {C}/series/{{series_id}}", "resident", 200, params=SERIES),
        Step(
            f"POST {C}/series/{{series_id}}/occurrences/{{booking_id}}/cancel",
            "resident",
            200,
            {"reason": "放假"},
            OCCURRENCE,
        ),
        Step(f"POST {C}/series/{{series_id}}/cancel", "resident", 200, {"reason": ""}, SERIES),
        Step(
            f"POST {C}/series/{{series_id}}/decide",
            "approver",
            200,
            {"approve": True},
            {"series_id": "pending_series_id"},
        ),
        Step(f"GET {C}/draws", "resident", 200),
        Step(
            f"POST {C}/{{space_id}}/draws",
            "worker",
            201,
            {
                "starts_at": at(8, hour=19).isoformat(),
                "ends_at": at(8, hour=21).isoformat(),
                "closes_at": at(2, hour=12).isoformat(),
                "seed_rule": "12月福彩开奖号码",
            },
            SPACE,
        ),
        Step(f"GET {C}/draws/{{draw_id}}", "resident", 200, params=CLOSED),
        Step(f"POST {C}/draws/{{draw_id}}/requests", "writer", 201, {"purpose": "舞蹈"}, OPEN),
        Step(
            f"POST {C}/draws/{{draw_id}}/requests/{{request_id}}/withdraw",
            "neighbour",
            200,
            params=WITHDRAW,
        ),
        Step(f"POST {C}/draws/{{draw_id}}/draw", "approver", 200, {"seed": "2026 123"}, CLOSED),
        Step(f"POST {C}/draws/{{draw_id}}/cancel", "worker", 200, {"reason": "场地维修"}, SPARE),
    ]
