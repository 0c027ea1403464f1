"""The API world and steps of covenants' adoption part (tests/test_api_routes.py runs them)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

C = "communities/{slug}/covenants"


def build(world: Any, community: Any) -> None:
    """A covenant with a consolidated text (to ratify), a ratified one (to submit), a submitted
    one (for the street official to receive), one in force (to publish and to acknowledge), a
    street official and a resident with a household."""
    from allauth.mfa.totp.internal.auth import TOTP

    from gongzhi.accounts.services import api_token_create
    from gongzhi.covenants import adoption_services as adoption
    from tests.conftest import TOTP_SECRET
    from tests.covenants.adoption_world import (
        consolidated_covenant,
        in_force_round,
        ratified_round,
        resident_of,
    )
    from tests.covenants.world import current_round
    from tests.factories import official_of

    worker, ids = world.users["worker"], world.ids
    official = official_of(community.street)
    TOTP.activate(official, TOTP_SECRET)
    household = resident_of(community)
    for name, user in (("covenant_official", official), ("covenant_household", household)):
        world.users[name] = user
        world.tokens[name] = api_token_create(user=user, name="api world")[1]
    ids["adoption_ratify_round_id"] = current_round(
        consolidated_covenant(community, worker, title="待表决的公约")
    ).pk
    ids["adoption_submit_round_id"] = ratified_round(community, worker, title="待备案的公约").pk
    submitted = ratified_round(community, worker, title="已报备的公约")
    adoption.filing_submit(actor=worker, round=submitted)
    ids["adoption_receive_round_id"] = submitted.pk
    in_force = in_force_round(community, worker, official_of(community.street), title="生效的公约")
    ids["adoption_publish_round_id"] = in_force.pk
    ids["adoption_covenant_id"] = in_force.covenant_id


def steps(Step: Any) -> list[Any]:
    """One ``Step`` per route of this part, in the order they run."""
    R = C + "/rounds/{round_id}"
    acks = {"covenant_id": "adoption_covenant_id"}
    return [
        Step(
            f"POST {R}/ratification",
            "worker",
            201,
            lambda ids: {
                "opens_at": timezone.now().isoformat(),
                "closes_at": (timezone.now() + timedelta(days=7)).isoformat(),
                "electorate": "household",
            },
            params={"round_id": "adoption_ratify_round_id"},
        ),
        Step(f"POST {R}/filing", "worker", 200, params={"round_id": "adoption_submit_round_id"}),
        Step(
            f"POST {R}/filing/receipt",
            "covenant_official",
            200,
            {"reference": "街备〔2026〕7号"},
            params={"round_id": "adoption_receive_round_id"},
        ),
        Step(f"POST {R}/publish", "worker", 200, params={"round_id": "adoption_publish_round_id"}),
        Step(f"POST {C}/{{covenant_id}}/acknowledgements", "covenant_household", 201, {}, acks),
        Step(f"GET {C}/{{covenant_id}}/acknowledgements", "worker", 200, params=acks),
    ]
