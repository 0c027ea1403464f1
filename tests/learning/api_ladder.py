"""The API world and steps of learning's ladder part (tests/test_api_routes.py runs them)."""

from __future__ import annotations

from typing import Any

from gongzhi.accounts.services import api_token_create
from gongzhi.learning.models import Invitation
from tests.factories import member

C = "communities/{slug}/learning"


def _user(world: Any, name: str, user: Any) -> None:
    world.users[name] = user
    world.tokens[name] = api_token_create(user=user, name="api world")[1]


def build(world: Any, community: Any) -> None:
    """Add what this part's steps need to ``world`` (users in world.users, ids in world.ids)."""
    worker = world.users["worker"]
    # Someone the worker invites through the API, someone who answers an invitation, and an
    # invitation the worker withdraws (made directly: each step stands on its own).
    invitee = member(community)
    world.ids["ladder_invitee"] = invitee.pk
    _user(world, "ladder_invited", member(community))
    invited = world.users["ladder_invited"]
    world.ids["ladder_to_answer"] = (
        Invitation.objects.in_community(community)
        .create(person=invited, step="meetings.chair", invited_by=worker)
        .pk
    )
    world.ids["ladder_to_withdraw"] = (
        Invitation.objects.in_community(community)
        .create(person=invited, step="volunteering.lead_team", invited_by=worker)
        .pk
    )


def steps(Step: Any) -> list[Any]:
    """One ``Step`` per route of this part, in the order they run."""
    return [
        Step(f"GET {C}/me/pathway", "resident", 200),
        Step(f"POST {C}/me/pipeline-choice", "neighbour", 200, {"listed": False}),
        Step(f"GET {C}/pipeline", "worker", 200, query="page=1"),
        Step(
            f"POST {C}/invitations",
            "worker",
            201,
            lambda ids: {"person": ids["ladder_invitee"], "step": "meetings.chair"},
        ),
        Step(
            f"POST {C}/invitations/{{invitation_id}}/answer",
            "ladder_invited",
            200,
            {"accept": True},
            params={"invitation_id": "ladder_to_answer"},
        ),
        Step(
            f"POST {C}/invitations/{{invitation_id}}/withdraw",
            "worker",
            200,
            params={"invitation_id": "ladder_to_withdraw"},
        ),
    ]
