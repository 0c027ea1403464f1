"""The revival part's API routes: idle spaces at each step, and one step per route."""

from __future__ import annotations

from typing import Any

from gongzhi.deliberation.models import Proposal, Status
from gongzhi.spaces.models import IdleSpace, IdleStatus
from tests.bodies.bodies_world import council
from tests.spaces.world import space_of

C = "communities/{slug}/spaces/idle"
IDLE = C + "/{idle_id}"


def _idle(
    community: Any, worker: Any, title: str, status: str = IdleStatus.RECORDED, **extra: Any
) -> int:
    return (
        IdleSpace.objects.in_community(community)
        .create(
            title=title,
            location="3号楼底层",
            area_m2=40,
            owner="幸福物业",
            status=status,
            recorded_by=worker,
            **extra,
        )
        .pk
    )


def build(world: Any, community: Any) -> None:
    worker = world.users["worker"]
    ids = world.ids
    ids["idle_recorded_id"] = _idle(community, worker, "闲置自行车棚")
    ids["idle_consulting_id"] = _idle(community, worker, "闲置锅炉房", IdleStatus.CONSULTING)
    # it opens: its consultation, a proposal the council accepted, is over
    accepted = Proposal.objects.in_community(community).create(
        author=world.users["resident"],
        title="门卫室改成共享书房",
        body="门卫室空了两年。",
        status=Status.ACCEPTED,
    )
    ids["idle_renovating_id"] = _idle(
        community, worker, "闲置门卫室", IdleStatus.RENOVATING, proposal=accepted
    )
    ids["idle_dropped_id"] = _idle(community, worker, "闲置地下室")
    body = council(community, worker, name="共享空间管理小组")
    ids["idle_space_id"] = space_of(community, worker, name="共享书房", managed_by_body=body).pk


def steps(Step: Any) -> list[Any]:
    def at(key: str) -> dict[str, str]:
        return {"idle_id": key}

    return [
        Step(f"GET {C}", "resident", 200),
        Step(
            f"POST {C}",
            "worker",
            201,
            {
                "title": "闲置车库",
                "location": "5号楼北侧",
                "area_m2": "32.5",
                "owner": "街道房管所",
            },
        ),
        Step(f"GET {IDLE}", "resident", 200, params=at("idle_recorded_id")),
        Step(
            f"POST {IDLE}/consult",
            "worker",
            200,
            lambda ids: {"proposal": ids["proposal_id"]},
            params=at("idle_recorded_id"),
        ),
        Step(
            f"POST {IDLE}/renovate",
            "worker",
            200,
            lambda ids: {"project": ids["funded_idea_id"]},
            params=at("idle_consulting_id"),
        ),
        Step(
            f"POST {IDLE}/open",
            "worker",
            200,
            lambda ids: {"space": ids["idle_space_id"]},
            params=at("idle_renovating_id"),
        ),
        Step(
            f"POST {IDLE}/drop", "worker", 200, {"reason": "业主收回"}, params=at("idle_dropped_id")
        ),
    ]
