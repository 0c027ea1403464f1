"""The lending part's API routes (attendance and lending): what it adds to the world, and one
step per route."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from gongzhi.spaces import attendance, lending
from gongzhi.spaces.models import BookingStatus
from tests.spaces.world import booking_of, space_of

C = "communities/{slug}/spaces"


def build(world: Any, community: Any) -> None:
    users, ids = world.users, world.ids
    worker = users["worker"]
    space = space_of(community, worker, name="棋牌室", fee=Decimal("15.00"), seats=4)
    ids["lending_space_id"] = space.pk
    now = timezone.now().replace(microsecond=0)
    # The resident's booking now (checked in with the door's code).
    booking_of(space, users["resident"], now - timedelta(minutes=5), hours=2)
    # The resident's no-show (appealed), the neighbour's (appealed already: decided).
    gone = now - timedelta(days=2)
    missed = booking_of(space, users["resident"], gone, status=BookingStatus.RELEASED, no_show=True)
    ids["lending_no_show_id"] = missed.pk
    theirs = booking_of(
        space, users["neighbour"], gone, status=BookingStatus.RELEASED, no_show=True, seat=2
    )
    ids["lending_appeal_id"] = attendance.appeal_submit(
        actor=users["neighbour"], booking=theirs, reason="我在场，手机没电"
    ).pk
    # The writer's booking with its fee to collect.
    ids["lending_fee_booking_id"] = booking_of(
        space, users["writer"], gone, seat=3, fee=Decimal("15.00")
    ).pk
    # A wheelchair lent to the neighbour (taken back by the approver).
    chair = lending.resource_create(
        actor=worker, community=community, name="轮椅", kind="mobility", quantity=3, kept_at=space
    )
    ids["lending_resource_id"] = chair.pk
    ids["lending_loan_id"] = lending.loan_lend(
        actor=worker, resource=chair, borrower=users["neighbour"]
    ).pk
    ids["lending_resident_phone"] = users["resident"].phone


def _code(ids: dict[str, Any]) -> dict[str, str]:
    from gongzhi.core import checkin
    from gongzhi.spaces.models import Space

    space = Space.objects.all_communities().get(pk=ids["lending_space_id"])
    return {"code": checkin.current_code(space)}


def steps(Step: Any) -> list[Any]:
    space = {"space_id": "lending_space_id"}
    resource = {"resource_id": "lending_resource_id"}
    return [
        Step(f"GET {C}/{{space_id}}/checkin-code", "worker", 200, params=space),
        Step(f"POST {C}/{{space_id}}/checkin", "resident", 200, _code, params=space),
        Step(
            f"POST {C}/bookings/{{booking_id}}/appeal",
            "resident",
            201,
            {"reason": "我来了，扫码没成功"},
            params={"booking_id": "lending_no_show_id"},
        ),
        Step(f"GET {C}/appeals", "worker", 200),
        Step(
            f"POST {C}/appeals/{{appeal_id}}/decide",
            "worker",
            200,
            {"overturn": True},
            params={"appeal_id": "lending_appeal_id"},
        ),
        Step(
            f"POST {C}/bookings/{{booking_id}}/fee-paid",
            "worker",
            200,
            params={"booking_id": "lending_fee_booking_id"},
        ),
        Step(f"GET {C}/resources", "resident", 200),
        Step(
            f"POST {C}/resources",
            "worker",
            201,
            {"name": "折叠桌", "kind": "furniture", "quantity": 10, "loan_days": 3},
        ),
        Step(f"GET {C}/resources/{{resource_id}}", "worker", 200, params=resource),
        Step(
            f"PUT {C}/resources/{{resource_id}}",
            "worker",
            200,
            {"name": "轮椅", "kind": "mobility", "quantity": 4, "loan_days": 14},
            params=resource,
        ),
        Step(
            f"POST {C}/resources/{{resource_id}}/loans",
            "worker",
            201,
            lambda ids: {"phone": ids["lending_resident_phone"], "count": 1},
            params=resource,
        ),
        Step(
            f"POST {C}/loans/{{loan_id}}/return",
            "approver",
            200,
            params={"loan_id": "lending_loan_id"},
        ),
        Step(f"GET {C}/my-loans", "resident", 200),
    ]
