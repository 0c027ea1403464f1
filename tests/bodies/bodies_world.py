"""Small builders the bodies-core tests share: a council with a charter and seats."""

from __future__ import annotations

from datetime import date

from gongzhi.bodies import services
from gongzhi.bodies.models import Body, BodyKind, ChosenBy, Mandate, Position
from gongzhi.core.models import Membership, Role

SPEND = {"kind": "appoint_member", "max_amount_fen": None, "topics": []}


def charter_in(**overrides) -> services.CharterIn:
    values = {
        "powers": [SPEND, {"kind": "answer_review", "max_amount_fen": None, "topics": []}],
        "quorum_percent": 50,
        "threshold_percent": 50,
        "amendment_percent": 67,
        "term_months": 36,
    }
    values.update(overrides)
    return services.CharterIn(**values)


def council(community, worker, *, kind=BodyKind.COUNCIL, name="议事会", **charter) -> Body:
    return services.record_body(
        community=community,
        kind=kind,
        name=name,
        purpose="商量小区公共事务",
        charter=charter_in(**charter),
        created_by=worker,
    )


def seat(body, *, title="委员", seats=5, role=Role.COUNCIL_MEMBER) -> Position:
    return Position.objects.create(
        community=body.community, body=body, title=title, seats=seats, role=role
    )


def membership(user, community) -> Membership:
    return Membership.objects.in_community(community).get(user=user)


def term(
    body, position, user, *, seat=1, starts=date(2026, 1, 1), ends=date(2026, 12, 31), by=None
):
    return services.record_mandate(
        body=body,
        position=position,
        membership=membership(user, body.community),
        seat=seat,
        chosen_by=ChosenBy.APPOINTMENT,
        starts_on=starts,
        ends_on=ends,
        recorded_by=by or body.created_by,
    )


def mandates(body) -> int:
    return Mandate.objects.in_community(body.community).filter(body=body).count()
