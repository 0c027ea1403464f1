"""The API world and steps of volunteering's aid part (tests/test_api_routes.py runs them)."""

from __future__ import annotations

from typing import Any

from gongzhi.accounts.services import api_token_create
from gongzhi.volunteering import aid
from tests.factories import member

C = "communities/{slug}/volunteering"


def _user(world: Any, community: Any, name: str) -> Any:
    user = member(community)
    world.users[name] = user
    world.tokens[name] = api_token_create(user=user, name="api world")[1]
    return user


def build(world: Any, community: Any) -> None:
    """Add what this part's steps need to ``world`` (users in world.users, ids in world.ids)."""
    author = _user(world, community, "aid_author")
    helper = _user(world, community, "aid_helper")
    grantee = _user(world, community, "aid_grantee")
    ids = world.ids
    ids["aid_grantee_phone"] = grantee.phone

    def request(title: str) -> Any:
        return aid.post_create(actor=author, community=community, kind="request", title=title)

    ids["aid_post_id"] = request("修自行车").pk
    ids["aid_proposed_id"] = aid.exchange_propose(actor=helper, post=request("陪老人去医院")).pk
    for name in ("aid_confirm_id", "aid_cancel_id", "aid_report_id"):
        exchange = aid.exchange_propose(actor=helper, post=request(name))
        ids[name] = aid.exchange_agree(actor=author, exchange=exchange).pk


def steps(Step: Any) -> list[Any]:
    """One ``Step`` per route of this part, in the order they run."""
    X = C + "/aid/exchanges/{exchange_id}"
    return [
        Step(f"GET {C}/aid/posts", "resident", 200, query="kind=request"),
        Step(f"POST {C}/aid/posts", "resident", 201, {"kind": "offer", "title": "教用智能手机"}),
        Step(
            f"POST {C}/aid/posts/{{post_id}}/exchanges",
            "aid_helper",
            201,
            {"minutes": 45},
            params={"post_id": "aid_post_id"},
        ),
        Step(f"POST {X}/agree", "aid_author", 200, params={"exchange_id": "aid_proposed_id"}),
        Step(f"POST {X}/confirm", "aid_helper", 200, params={"exchange_id": "aid_confirm_id"}),
        Step(
            f"POST {X}/cancel",
            "aid_author",
            200,
            {"reason": "改天"},
            params={"exchange_id": "aid_cancel_id"},
        ),
        Step(
            f"POST {X}/reports",
            "aid_author",
            201,
            {"text": "没有按约定时间来"},
            params={"exchange_id": "aid_report_id"},
        ),
        Step(f"GET {C}/timebank/me", "aid_helper", 200),
        Step(
            f"POST {C}/timebank/grants",
            "worker",
            201,
            lambda ids: {"phone": ids["aid_grantee_phone"]},
        ),
    ]
