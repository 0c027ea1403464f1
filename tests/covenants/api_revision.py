"""The API world and steps of covenants' revision part (tests/test_api_routes.py runs them)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from tests.covenants.revision_world import UNANIMOUS, deciding_body
from tests.covenants.world import amendment_of, covenant_of, current_round

C = "communities/{slug}/covenants"


def build(world: Any, community: Any) -> None:
    """A covenant in revision with two amendments (one to decide, one to send to a vote), and
    another with none left undecided (to consolidate)."""
    worker, writer = world.users["worker"], world.users["writer"]
    body, _people = deciding_body(community, worker)
    ids = world.ids
    round_ = current_round(
        covenant_of(community, worker, body=body, phase="revision", title="修订中的公约")
    )
    ids["revision_round_id"] = round_.pk
    ids["revision_decide_id"] = amendment_of(
        round_, writer, article_key=1, paragraph_key=2, text="遛狗必须牵绳。"
    ).pk
    ids["revision_vote_id"] = amendment_of(
        round_, writer, article_key=4, paragraph_key=5, text="晚十时后保持安静。"
    ).pk
    ids["revision_done_round_id"] = current_round(
        covenant_of(community, worker, body=body, phase="revision", title="待汇总的公约")
    ).pk


def steps(Step: Any) -> list[Any]:
    """One ``Step`` per route of this part, in the order they run."""
    round_ = {"round_id": "revision_round_id"}
    return [
        Step(f"GET {C}/rounds/{{round_id}}/revision", "resident", 200, params=round_),
        Step(
            f"POST {C}/amendments/{{amendment_id}}/decision",
            "worker",
            200,
            {"accept": True, "reason": "表述更清楚。", **UNANIMOUS},
            params={"amendment_id": "revision_decide_id"},
        ),
        Step(
            f"POST {C}/rounds/{{round_id}}/votes",
            "worker",
            201,
            lambda ids: {
                "amendments": [ids["revision_vote_id"]],
                "opens_at": timezone.now().isoformat(),
                "closes_at": (timezone.now() + timedelta(days=3)).isoformat(),
            },
            params=round_,
        ),
        Step(
            f"POST {C}/rounds/{{round_id}}/consolidate",
            "worker",
            201,
            params={"round_id": "revision_done_round_id"},
        ),
    ]
