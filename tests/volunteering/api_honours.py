"""The API world and steps of volunteering's honours part (tests/test_api_routes.py runs them)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from gongzhi.accounts.services import api_token_create
from gongzhi.volunteering import honours
from tests.factories import member
from tests.meetings.world import seated_council
from tests.volunteering.world import activity_of, entry_of, shift_of, signup_of, volunteer_of

C = "communities/{slug}/volunteering"
POWER = {"kind": honours.RECOGNITION_KIND, "max_amount_fen": None, "topics": []}


def build(world: Any, community: Any) -> None:
    """A council that approves recognition lists, a list waiting for it, and a volunteer on
    public lists who served a confirmed shift (thanked, and reading their own honours)."""
    worker = world.users["worker"]
    body, _people = seated_council(community, worker, name="表彰评议会", powers=[POWER])
    person = member(community, display_name="李志愿")
    world.users["honour_volunteer"] = person
    world.tokens["honour_volunteer"] = api_token_create(user=person, name="api world")[1]
    volunteer = volunteer_of(community, person, on_public_lists=True)
    activity = activity_of(community, worker, title="楼道清洁")
    shift = shift_of(activity, starts_in=timedelta(days=-3))
    entry_of(signup_of(shift, volunteer), worker, minutes=120)
    other = volunteer_of(community, on_public_lists=True)
    waiting = honours.recognition_propose(
        actor=worker,
        community=community,
        body=body,
        year=timezone.localdate().year,
        title="年度优秀志愿者",
        entries=[(other, "常年照顾独居老人")],
    )
    world.ids.update(
        {
            "honour_body_id": body.pk,
            "honour_volunteer_id": volunteer.pk,
            "honour_recognition_id": waiting.pk,
        }
    )


def steps(Step: Any) -> list[Any]:
    """One ``Step`` per route of this part, in the order they run."""
    return [
        Step(
            f"POST {C}/recognition-lists",
            "worker",
            201,
            lambda ids: {
                "body": ids["honour_body_id"],
                "year": timezone.localdate().year,
                "title": "楼道清洁之星",
                "entries": [{"volunteer": ids["honour_volunteer_id"], "citation": "每周打扫楼道"}],
            },
        ),
        Step(
            f"POST {C}/recognition-lists/{{recognition_id}}/decision",
            "approver",
            200,
            {"approve": True, "present": 5, "votes_for": 5},
            params={"recognition_id": "honour_recognition_id"},
        ),
        Step(f"GET {C}/honours", None, 200),
        Step(
            f"POST {C}/volunteers/{{volunteer_id}}/thanks",
            "resident",
            201,
            {"text": "谢谢你把楼道打扫得这么干净！"},
            params={"volunteer_id": "honour_volunteer_id"},
        ),
        Step(f"GET {C}/volunteers/me/honours", "honour_volunteer", 200),
    ]
