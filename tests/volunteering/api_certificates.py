"""The API world and steps of volunteering's certificates part (tests/test_api_routes.py runs them)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from gongzhi.accounts.services import api_token_create
from gongzhi.volunteering import certificates
from gongzhi.volunteering.models import VolunteeringSettings
from tests.factories import member
from tests.volunteering.world import activity_of, entry_of, shift_of, signup_of, volunteer_of

C = "communities/{slug}/volunteering"


def build(world: Any, community: Any) -> None:
    """Add what this part's steps need to ``world`` (users in world.users, ids in world.ids)."""
    worker = world.users["worker"]
    VolunteeringSettings.objects.update_or_create(
        community=community,
        defaults={"issuer_name": "花园社区居民委员会", "responsible_name": "李主任"},
    )
    person = member(community)
    world.users["certificate_holder"] = person
    world.tokens["certificate_holder"] = api_token_create(user=person, name="api world")[1]
    volunteer = volunteer_of(community, person)
    activity = activity_of(community, worker, title="证书测试活动")
    done = shift_of(activity, starts_in=-timedelta(days=3), hours=2)
    entry_of(signup_of(done, volunteer), worker, minutes=120)
    today = timezone.localdate()
    issued = certificates.certificate_issue(
        actor=worker, volunteer=volunteer, period_from=today - timedelta(days=30), period_to=today
    )
    world.ids["certificate_volunteer_id"] = volunteer.pk
    world.ids["certificate_token"] = str(issued.token)
    world.ids["certificate_from"] = (today - timedelta(days=30)).isoformat()
    world.ids["certificate_to"] = today.isoformat()


def steps(Step: Any) -> list[Any]:
    """One ``Step`` per route of this part, in the order they run."""
    return [
        Step(f"GET {C}/volunteers/me/certificates", "certificate_holder", 200),
        Step(
            f"POST {C}/volunteers/{{volunteer_id}}/certificates",
            "worker",
            201,
            lambda ids: {
                "period_from": ids["certificate_from"],
                "period_to": ids["certificate_to"],
            },
            params={"volunteer_id": "certificate_volunteer_id"},
        ),
        Step(f"GET {C}/certificates/{{token}}", None, 200, params={"token": "certificate_token"}),
        Step(f"GET {C}/keys", None, 200),
    ]
