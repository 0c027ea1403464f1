"""The API world and steps of learning's spread part (tests/test_api_routes.py runs them)."""

from __future__ import annotations

from typing import Any

from gongzhi.accounts.services import api_token_create
from gongzhi.learning.spread_services import invite_link_make
from tests.factories import UserFactory, member

C = "communities/{slug}/learning"


def _user(world: Any, name: str, user: Any) -> None:
    world.users[name] = user
    world.tokens[name] = api_token_create(user=user, name="api world")[1]


def build(world: Any, community: Any) -> None:
    """Add what this part's steps need to ``world`` (users in world.users, ids in world.ids)."""
    # A neighbour's live link, and someone with an account but no membership here to use it.
    link, _made = invite_link_make(actor=world.users["neighbour"], community=community)
    world.ids["spread_token"] = link.token
    _user(world, "spread_joiner", UserFactory())
    # A newcomer who names who brought them in (the writer, by phone).
    _user(world, "spread_newcomer", member(community))
    world.ids["spread_recruiter_phone"] = world.users["writer"].phone


def steps(Step: Any) -> list[Any]:
    """One ``Step`` per route of this part, in the order they run."""
    return [
        Step(f"POST {C}/me/invite-link", "resident", 201),
        Step(f"POST {C}/me/invite-link/revoke", "resident", 200),
        Step(f"POST {C}/join/{{token}}", "spread_joiner", 201, params={"token": "spread_token"}),
        Step(
            f"POST {C}/me/recruited-by",
            "spread_newcomer",
            201,
            lambda ids: {"phone": ids["spread_recruiter_phone"]},
        ),
        Step(f"GET {C}/spread", "worker", 200),
    ]
