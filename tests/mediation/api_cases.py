"""The API world and steps of mediation's cases part (tests/test_api_routes.py runs them).

The committee (and its head, ``mediation_head``) is built here, first of mediation's parts:
the other parts reuse it (``MediationCommittee.objects.in_community(community).first()``)."""

from __future__ import annotations

from typing import Any

from gongzhi.accounts.services import api_token_create
from gongzhi.feedback import services as hotline
from gongzhi.mediation import services
from gongzhi.mediation.models import (
    Assignment,
    CaseStatus,
    MediationCommittee,
    Party,
    Side,
)
from tests.factories import member
from tests.mediation.world import case_of, committee_of, mediator_of

C = "communities/{slug}/mediation"


def _user(world: Any, name: str, person: Any) -> Any:
    world.users[name] = person
    world.tokens[name] = api_token_create(user=person, name="api world")[1]
    return person


def build(world: Any, community: Any) -> None:
    """Add what this part's steps need to ``world`` (users in world.users, ids in world.ids)."""
    ids = world.ids
    worker = world.users["worker"]
    committee = MediationCommittee.objects.in_community(community).first()
    if committee is None:
        committee = committee_of(community, worker)
    head = _user(world, "mediation_head", committee.head)
    ids["mediation_body"] = committee.body_id
    ids["mediation_head_id"] = head.pk
    applicant = _user(world, "mediation_applicant", member(community))
    respondent = _user(world, "mediation_respondent", member(community))
    first = _user(world, "mediation_mediator", mediator_of(community))
    second = _user(world, "mediation_mediator2", mediator_of(community))
    ids["mediation_mediator2_id"] = second.pk

    case = case_of(community, applicant, respondent, mediator=first)
    ids["mediation_case_id"] = case.pk
    ids["mediation_refused_assignment"] = (
        Assignment.objects.in_community(community).get(case=case, mediator=first).pk
    )
    declining = case_of(community, mediator=second)
    ids["mediation_declined_assignment"] = (
        Assignment.objects.in_community(community).get(case=declining, mediator=second).pk
    )
    ids["mediation_applied_id"] = case_of(community, status=CaseStatus.APPLIED, mediator=False).pk
    for key in ("mediation_consent_id", "mediation_refuse_id"):
        pending = case_of(
            community, applicant, respondent, status=CaseStatus.APPLIED, mediator=False
        )
        Party.objects.in_community(community).filter(case=pending, side=Side.RESPONDENT).update(
            consented_at=None
        )
        ids[key] = pending.pk

    reporter = _user(world, "mediation_reporter", member(community))
    offered = hotline.ticket_file(
        actor=reporter, community=community, text="楼上每晚很吵。", category="neighbour_dispute"
    )
    services.referral_offer(actor=worker, ticket=offered)
    ids["mediation_offered_ticket"] = offered.number
    ids["mediation_dispute_ticket"] = hotline.ticket_file(
        actor=reporter, community=community, text="邻居占用楼道。", category="neighbour_dispute"
    ).number


def steps(Step: Any) -> list[Any]:
    """One ``Step`` per route of this part, in the order they run."""
    case = {"case_id": "mediation_case_id"}
    return [
        Step(
            f"PUT {C}/committee",
            "worker",
            200,
            lambda ids: {"body": ids["mediation_body"], "head": ids["mediation_head_id"]},
        ),
        Step(f"GET {C}/cases", "mediation_applicant", 200),
        Step(
            f"POST {C}/cases",
            "resident",
            201,
            {"kind": "leak", "summary": "楼上漏水到我家。", "respondent_name": "楼上住户"},
        ),
        Step(
            f"POST {C}/cases/walk-in",
            "worker",
            201,
            {
                "kind": "boundary",
                "summary": "院墙占地。",
                "applicant_phone": "13900003333",
                "applicant_name": "李大爷",
                "respondent_name": "隔壁住户",
            },
        ),
        Step(f"GET {C}/cases/{{case_id}}", "mediation_applicant", 200, params=case),
        Step(
            f"POST {C}/cases/{{case_id}}/accept",
            "mediation_head",
            200,
            lambda ids: {"mediators": [ids["mediation_mediator2_id"]]},
            params={"case_id": "mediation_applied_id"},
        ),
        Step(
            f"POST {C}/cases/{{case_id}}/mediators",
            "mediation_head",
            201,
            lambda ids: {"mediator": ids["mediation_mediator2_id"]},
            params=case,
        ),
        Step(
            f"POST {C}/assignments/{{assignment_id}}/refuse",
            "mediation_applicant",
            200,
            params={"assignment_id": "mediation_refused_assignment"},
        ),
        Step(
            f"POST {C}/assignments/{{assignment_id}}/decline",
            "mediation_mediator2",
            200,
            params={"assignment_id": "mediation_declined_assignment"},
        ),
        Step(
            f"POST {C}/cases/{{case_id}}/consent",
            "mediation_respondent",
            200,
            {},
            params={"case_id": "mediation_consent_id"},
        ),
        Step(
            f"POST {C}/cases/{{case_id}}/refuse",
            "mediation_respondent",
            200,
            {},
            params={"case_id": "mediation_refuse_id"},
        ),
        Step(
            f"POST {C}/tickets/{{number}}/mediation-offer",
            "worker",
            200,
            params={"number": "mediation_dispute_ticket"},
        ),
        Step(
            f"POST {C}/tickets/{{number}}/mediation-consent",
            "mediation_reporter",
            201,
            {"kind": "noise", "respondent_name": "楼上住户"},
            params={"number": "mediation_offered_ticket"},
        ),
    ]
