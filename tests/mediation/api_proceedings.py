"""The API world and steps of mediation's proceedings part (tests/test_api_routes.py runs them)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from gongzhi.accounts.services import api_token_create
from gongzhi.mediation import proceedings
from gongzhi.mediation.models import CaseStatus, MediationCommittee, Side
from tests.factories import member
from tests.mediation.world import case_of, committee_of, mediator_of, party

C = "communities/{slug}/mediation"
CASE = C + "/cases/{case_id}"
AGREEMENT = C + "/agreements/{agreement_id}"

AGREEMENT_BODY = {
    "facts": "楼上夜间装修。",
    "terms": "晚十点后停工。",
    "performance": "即日起履行。",
    "perform_by": (timezone.localdate() + timedelta(days=10)).isoformat(),
}


def build(world: Any, community: Any) -> None:
    """Cases in the states the steps need, between ``med_applicant`` and ``med_respondent``,
    mediated by ``med_mediator``; ``med_head`` heads the committee."""
    users, ids = world.users, world.ids
    committee = MediationCommittee.objects.in_community(community).first()
    if committee is None:
        committee = committee_of(community, users["worker"])
    mediator = mediator_of(community)
    applicant, respondent = member(community), member(community)
    users.update(
        med_head=committee.head,
        med_mediator=mediator,
        med_applicant=applicant,
        med_respondent=respondent,
    )
    for name in ("med_head", "med_mediator", "med_applicant", "med_respondent"):
        world.tokens[name] = api_token_create(user=users[name], name="api world")[1]
    year = timezone.now().year

    def new_case(n: int, **fields: Any) -> Any:
        return case_of(
            community,
            applicant,
            respondent,
            mediator=mediator,
            number=f"{community.slug.upper()}-P{year}-{n:06d}",
            **fields,
        )

    def agreement(case: Any) -> Any:
        values = {**AGREEMENT_BODY, "perform_by": timezone.localdate() + timedelta(days=10)}
        return proceedings.agreement_draft(actor=mediator, case=case, **values)

    main = new_case(1)
    ids["med_case_id"] = main.pk
    ids["med_sitting_id"] = proceedings.sitting_record(
        actor=mediator,
        case=main,
        held_at=timezone.now() - timedelta(hours=2),
        place="调解室",
        notes="第一次调解。",
    ).pk
    ids["med_paper_party_id"] = party(main, Side.RESPONDENT).pk
    to_sign = agreement(new_case(2))
    ids["med_sign_agreement_id"] = to_sign.pk
    ids["med_sign_paper_party_id"] = party(to_sign.case, Side.APPLICANT).pk
    sealable = agreement(new_case(3))
    for side in (Side.APPLICANT, Side.RESPONDENT):
        proceedings.agreement_sign(actor=party(sealable.case, side).person, agreement=sealable)
    proceedings.agreement_mediator_sign(actor=mediator, agreement=sealable)
    ids["med_seal_agreement_id"] = sealable.pk
    ids["med_conclude_case_id"] = new_case(4).pk
    ids["med_withdraw_case_id"] = new_case(5).pk
    ids["med_agreed_case_id"] = new_case(
        6, status=CaseStatus.AGREED, concluded_at=timezone.now()
    ).pk


def _pdf() -> Any:
    from tests.disclosure.helpers import pdf

    return pdf("证据.pdf")


def steps(Step: Any) -> list[Any]:
    """One ``Step`` per route of this part, in the order they run."""
    main = {"case_id": "med_case_id"}
    return [
        Step(
            f"POST {CASE}/sittings",
            "med_mediator",
            201,
            lambda ids: {
                "held_at": (timezone.now() - timedelta(hours=1)).isoformat(),
                "place": "调解室",
                "notes": "双方陈述。",
            },
            params=main,
        ),
        Step(
            f"POST {C}/sittings/{{sitting_id}}/confirm",
            "med_applicant",
            201,
            params={"sitting_id": "med_sitting_id"},
        ),
        Step(
            f"POST {C}/sittings/{{sitting_id}}/parties/{{party_id}}/paper",
            "med_mediator",
            201,
            params={"sitting_id": "med_sitting_id", "party_id": "med_paper_party_id"},
            files={"scan": _pdf},
        ),
        Step(f"POST {CASE}/agreement", "med_mediator", 200, AGREEMENT_BODY, params=main),
        Step(
            f"POST {AGREEMENT}/sign",
            "med_respondent",
            201,
            params={"agreement_id": "med_sign_agreement_id"},
        ),
        Step(
            f"POST {AGREEMENT}/parties/{{party_id}}/paper",
            "med_mediator",
            201,
            params={
                "agreement_id": "med_sign_agreement_id",
                "party_id": "med_sign_paper_party_id",
            },
            files={"scan": _pdf},
        ),
        Step(
            f"POST {AGREEMENT}/seal",
            "med_head",
            200,
            params={"agreement_id": "med_seal_agreement_id"},
        ),
        Step(
            f"GET {AGREEMENT}/pdf",
            "med_applicant",
            200,
            params={"agreement_id": "med_seal_agreement_id"},
        ),
        Step(
            f"POST {CASE}/conclude",
            "med_mediator",
            200,
            {"outcome": "not_agreed", "referral_advice": "可向人民法院起诉。"},
            params={"case_id": "med_conclude_case_id"},
        ),
        Step(
            f"POST {CASE}/withdraw",
            "med_applicant",
            200,
            params={"case_id": "med_withdraw_case_id"},
        ),
        Step(
            f"POST {CASE}/follow-ups",
            "med_mediator",
            201,
            lambda ids: {"visited_on": timezone.localdate().isoformat(), "performance": "full"},
            params={"case_id": "med_agreed_case_id"},
        ),
        Step(f"POST {CASE}/attachments", "med_applicant", 201, params=main, files={"file": _pdf}),
    ]
