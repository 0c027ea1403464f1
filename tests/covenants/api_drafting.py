"""The API world and steps of covenants' drafting part (tests/test_api_routes.py runs them)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from gongzhi.covenants.models import Round, Version
from tests.covenants.world import covenant_of, current_round, drafting_body

C = "communities/{slug}/covenants"


def build(world: Any, community: Any) -> None:
    """Add what this part's steps need to ``world`` (users in world.users, ids in world.ids)."""
    worker = world.users["worker"]
    ids = world.ids
    body = drafting_body(community, worker, name="公约起草小组")
    ids["covenant_body_id"] = body.pk
    drafting = covenant_of(community, worker, body=body, title="楼道公约", phase="drafting")
    ids["covenant_drafting_id"] = drafting.pk
    ids["covenant_round_drafting_id"] = current_round(drafting).pk
    in_force = covenant_of(community, worker, body=body, title="停车公约", phase="ratification")
    round_ = current_round(in_force)
    Version.objects.in_community(community).filter(pk=round_.draft_id).update(kind="adopted")
    Round.objects.in_community(community).filter(pk=round_.pk).update(status="in_force")
    in_force.in_force = round_.draft
    in_force.save(update_fields=["in_force"])
    ids["covenant_in_force_id"] = in_force.pk
    ids["covenant_version_number"] = round_.draft.number


def _in(days: int) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


def _dates(start: int = 3) -> dict[str, str]:
    return {
        "consultation_starts": _in(start),
        "revision_starts": _in(start + 10),
        "revision_ends": _in(start + 15),
    }


def steps(Step: Any) -> list[Any]:
    """One ``Step`` per route of this part, in the order they run."""
    drafting = {"covenant_id": "covenant_drafting_id"}
    in_force = {"covenant_id": "covenant_in_force_id"}
    round_ = {"round_id": "covenant_round_drafting_id"}
    return [
        Step(f"GET {C}", "resident", 200),
        Step(
            f"POST {C}",
            "worker",
            201,
            lambda ids: {
                "title": "养犬公约",
                "drafting_body": ids["covenant_body_id"],
                "plain_text": "第一条 牵绳\n遛狗须牵绳。\n第二条 清理\n及时清理粪便。",
                **_dates(),
            },
        ),
        Step(f"GET {C}/{{covenant_id}}", "resident", 200, params=drafting),
        Step(
            f"GET {C}/{{covenant_id}}/versions/{{number}}",
            "resident",
            200,
            params={**in_force, "number": "covenant_version_number"},
        ),
        Step(f"GET {C}/{{covenant_id}}/diff", "resident", 200, params=in_force),
        Step(f"POST {C}/{{covenant_id}}/rounds", "worker", 201, _dates(), params=in_force),
        Step(
            f"POST {C}/rounds/{{round_id}}/draft",
            "worker",
            200,
            {"plain_text": "第一条 楼道\n楼道内不得堆放杂物。"},
            params=round_,
        ),
        Step(f"POST {C}/rounds/{{round_id}}/schedule", "worker", 200, _dates(4), params=round_),
        Step(
            f"POST {C}/rounds/{{round_id}}/abandon",
            "worker",
            200,
            {"reason": "并入居民公约"},
            params=round_,
        ),
    ]
