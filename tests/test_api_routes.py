"""Every API route, called once with a valid object by a user who may use it, answers its
success code with a body that matches the served OpenAPI document.

A response schema that does not fit what a view returns is a 500 for everyone (a budget's
page was one: its schema lacked ``grid`` and ``phase``); no other test would notice a route
nobody calls. The routes are read from django-ninja, so a new route without a step here fails
``test_every_route_has_a_step`` by name."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jsonschema
import pytest
from django.test import Client
from django.utils import timezone

from tests.api_world import build_world, png
from tests.disclosure.helpers import pdf
from tests.test_openapi import operations


@dataclass(frozen=True)
class Step:
    route: str  # "METHOD path" as ninja registers it
    who: str | None  # a World user, or None for no credentials
    status: int
    body: Any = None  # JSON, or a callable of the world's ids giving it
    params: dict[str, str] | None = None  # path parameter -> the world's id of that name
    query: str = ""
    files: dict[str, Any] | None = None


def _in(days: int) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


C = "communities/{slug}"
P = C + "/proposals/{proposal_id}"
V = C + "/votes/{vote_id}"
CV = C + "/conversations/{conversation_id}"
B = C + "/budgets/{process_id}"
IDEA = B + "/ideas/{idea_id}"
T = C + "/hotline/tickets/{number}"
E = C + "/ledger/entries/{entry_id}"
S = C + "/surveys/{survey_id}"

PN = C + "/panels/{panel_id}"
AG = C + "/meetings/{meeting_id}/agenda"
RM = C + "/meetings/{meeting_id}"
ROOM = {"meeting_id": "room_meeting_id"}
ROOM_ITEM = {"meeting_id": "room_meeting_id", "item_id": "room_item_id"}
MINUTES = {"meeting_id": "minutes_meeting_id"}
HR = C + "/meetings/{meeting_id}/hearing"
HEARING = {"meeting_id": "hearing_meeting_id"}
AGENDA_OF = {"meeting_id": "agenda_meeting_id", "item_id": "agenda_item_id"}
DRAWN = {"panel_id": "drawn_panel_id"}
IDEAS = {"process_id": "ideas_process_id"}
IDEA_COMMENT = {**IDEAS, "comment_id": "idea_comment_id"}
ENTRY = {
    "kind": "expenditure",
    "occurred_on": (timezone.localdate().replace(day=1) - timedelta(days=20)).isoformat(),
    "counterparty": "园林公司",
    "description": "补种草皮",
    "total": "250.00",
    "lines": [{"category": "greening", "amount": "250.00"}],
}


def volunteering_steps(step: type) -> list[Step]:
    from tests.volunteering import api_parts

    return api_parts.steps(step)


def learning_steps(step: type) -> list[Step]:
    from tests.learning import api_parts

    return api_parts.steps(step)


def covenants_steps(step: type) -> list[Step]:
    from tests.covenants import api_parts

    return api_parts.steps(step)


def mediation_steps(step: type) -> list[Step]:
    from tests.mediation import api_parts

    return api_parts.steps(step)


def spaces_steps(step: type) -> list[Step]:
    from tests.spaces import api_parts

    return api_parts.steps(step)


#: In order: a step may rely on an earlier one (a vote's results after the ballot).
STEPS: list[Step] = [
    # --- me and communities
    Step("GET me", "resident", 200),
    Step("PATCH me", "resident", 200, {"display_name": "王阿姨", "age_friendly": True}),
    Step("GET communities", None, 200),
    Step(f"GET {C}", None, 200),
    Step(f"POST {C}/join", "newcomer", 201),
    Step(f"POST {C}/verify", "unverified", 200, lambda ids: {"code": ids["letter_code"]}),
    Step(f"GET {C}/memberships", "worker", 200),
    Step(f"GET {C}/memberships/{{membership_id}}", "worker", 200),
    Step(
        f"POST {C}/memberships/{{membership_id}}/verify",
        "worker",
        200,
        params={"membership_id": "walkin_membership_id"},
    ),
    Step(f"POST {C}/memberships/{{membership_id}}/roles", "worker", 200, {"role": "volunteer"}),
    Step(f"DELETE {C}/memberships/{{membership_id}}/roles/{{role}}", "worker", 200),
    Step(f"GET {C}/my-activity", "resident", 200),
    # --- the deliberation hall
    Step(f"GET {C}/proposals", None, 200),
    Step(f"POST {C}/proposals", "writer", 201, {"title": "修自行车棚", "body": "棚顶漏雨。"}),
    Step(f"GET {P}", None, 200),
    Step(f"POST {P}/support", "writer", 200),
    Step(f"DELETE {P}/support", "writer", 200),
    Step(f"GET {P}/comments", None, 200),
    Step(f"POST {P}/comments", "writer", 201, {"body": "我也支持。"}),
    Step(f"POST {P}/flags", "neighbour", 201, {"reason": "off_topic", "note": "不是本小区的事"}),
    Step(f"POST {P}/comments/{{comment_id}}/flags", "neighbour", 201, {"reason": "spam"}),
    Step(f"POST {P}/comments/{{comment_id}}/reactions", "resident", 200, {"kind": "agree"}),
    Step(f"POST {P}/dismiss-flags", "council", 200, {"reason": "没有问题"}),
    Step(f"POST {P}/comments/{{comment_id}}/dismiss-flags", "council", 200, {"reason": ""}),
    Step(
        f"POST {P}/appeal",
        "resident",
        201,
        {"text": "这不是重复的"},
        {"proposal_id": "hidden_proposal_id"},
    ),
    Step(
        f"POST {P}/comments/{{comment_id}}/appeal",
        "resident",
        201,
        {"text": "我只是提问"},
        {"comment_id": "hidden_comment_id"},
    ),
    Step(f"GET {P}/moderation", "resident", 200, params={"proposal_id": "hidden_proposal_id"}),
    Step(
        f"GET {P}/comments/{{comment_id}}/moderation",
        "resident",
        200,
        params={"comment_id": "hidden_comment_id"},
    ),
    Step(f"GET {C}/moderation/queue", "council", 200),
    Step(
        f"POST {C}/moderation/appeals/{{appeal_id}}/decide",
        "worker",
        200,
        {"restore": True, "reason": "措辞尖锐但不是攻击"},
    ),
    Step(f"POST {P}/answer", "worker", 200, {"to": "review", "reason": "下次议事会讨论"}),
    Step(
        f"POST {P}/hide", "council", 200, {"reason": "广告"}, {"proposal_id": "spare_proposal_id"}
    ),
    Step(f"POST {P}/comments/{{comment_id}}/hide", "council", 200, {"reason": "广告"}),
    # --- votes
    Step(f"GET {C}/votes", None, 200),
    Step(
        f"POST {C}/votes",
        "worker",
        201,
        lambda ids: {
            "title": "楼道刷什么颜色？",
            "options": ["白色", "米色"],
            "opens_at": _in(1),
            "closes_at": _in(8),
        },
    ),
    Step(f"GET {V}", None, 200),
    Step(f"POST {V}/ballot", "resident", 200, lambda ids: {"content": [ids["option_id"]]}),
    Step(f"GET {V}/results", None, 200, params={"vote_id": "closed_vote_id"}),
    Step(f"GET {V}/published", None, 200, params={"vote_id": "closed_vote_id"}),
    Step(
        f"POST {V}/paper",
        "worker",
        200,
        lambda ids: {"serial": "P-0001", "content": [ids["option_id"]]},
    ),
    Step(
        f"PUT {V}/owners",
        "worker",
        200,
        {"owners": [{"phone": "+8615800000001", "area": "85.50", "name": "李业主"}]},
        {"vote_id": "owners_vote_id"},
    ),
    # --- conversations (the opinion map)
    Step(f"GET {C}/conversations", None, 200),
    Step(f"GET {CV}", None, 200),
    Step(f"GET {CV}/statements", None, 200),
    Step(f"POST {CV}/statements", "resident", 201, {"text": "广场要多种树"}),
    Step(f"GET {CV}/next", "resident", 200),
    Step(
        f"POST {CV}/statements/{{number}}/vote",
        "resident",
        200,
        {"vote": "agree"},
        {"number": "statement_number"},
    ),
    Step(f"GET {CV}/map", None, 200),
    # --- participatory budgets
    Step(f"GET {C}/budgets", None, 200),
    Step(f"GET {B}", None, 200, params=IDEAS),
    Step(
        f"POST {B}/ideas",
        "resident",
        201,
        {"title": "装路灯", "description": "小路太黑", "estimated_cost": 8000, "location": "北门"},
        IDEAS,
    ),
    Step(
        f"PUT {B}/ballot",
        "resident",
        200,
        lambda ids: {"projects": ids["projects"][:1]},
        {"process_id": "voting_process_id"},
    ),
    Step(f"GET {B}/results", None, 200, params={"process_id": "funded_process_id"}),
    Step(f"GET {B}/funded", None, 200, params={"process_id": "funded_process_id"}),
    Step(
        f"GET {B}/funded/{{idea_id}}",
        None,
        200,
        params={"process_id": "funded_process_id", "idea_id": "funded_idea_id"},
    ),
    Step(f"GET {IDEA}/comments", None, 200, params=IDEAS),
    Step(f"POST {IDEA}/comments", "resident", 201, {"body": "长椅放树荫下"}, IDEAS),
    Step(
        f"POST {IDEA}/comments/{{comment_id}}/flags",
        "neighbour",
        201,
        {"reason": "spam"},
        IDEA_COMMENT,
    ),
    Step(
        f"POST {IDEA}/comments/{{comment_id}}/reactions",
        "resident",
        200,
        {"kind": "thanks"},
        IDEA_COMMENT,
    ),
    Step(f"POST {IDEA}/comments/{{comment_id}}/dismiss-flags", "council", 200, {}, IDEA_COMMENT),
    Step(
        f"POST {IDEA}/comments/{{comment_id}}/appeal",
        "resident",
        201,
        {"text": "我是认真的"},
        {**IDEAS, "comment_id": "hidden_idea_comment_id"},
    ),
    Step(
        f"GET {IDEA}/comments/{{comment_id}}/moderation",
        "resident",
        200,
        params={**IDEAS, "comment_id": "hidden_idea_comment_id"},
    ),
    Step(
        f"POST {IDEA}/comments/{{comment_id}}/hide",
        "council",
        200,
        {"reason": "广告"},
        IDEA_COMMENT,
    ),
    # --- the hotline
    Step(f"GET {C}/hotline/categories", None, 200),
    Step(
        f"POST {C}/hotline/tickets",
        "resident",
        201,
        lambda ids: {"text": "小区北门的路灯不亮", "building": ids["building"], "is_public": True},
    ),
    Step(f"GET {C}/hotline/tickets", None, 200),
    Step(f"GET {C}/hotline/tickets/similar", "resident", 200, query="text=电梯坏了"),
    Step(f"GET {T}", "resident", 200, params={"number": "ticket"}),
    Step(f"POST {T}/photos", "resident", 201, params={"number": "ticket"}, files={"files": png}),
    Step(f"POST {T}/follow", "writer", 200, params={"number": "ticket"}),
    Step(f"POST {T}/category", "worker", 200, {"category": "elevator"}, {"number": "ticket"}),
    Step(
        f"POST {T}/assign",
        "worker",
        200,
        lambda ids: {"department": ids["department"], "assignee": ids["handler_phone"]},
        {"number": "ticket"},
    ),
    Step(f"POST {T}/accept", "handler", 200, {"note": ""}, {"number": "assigned_ticket"}),
    Step(f"POST {T}/start", "handler", 200, {}, {"number": "assigned_ticket"}),
    Step(f"POST {T}/notes", "handler", 200, {"note": "零件已订"}, {"number": "assigned_ticket"}),
    Step(f"POST {T}/resolve", "handler", 200, {"note": "换了灯泡"}, {"number": "assigned_ticket"}),
    Step(
        f"POST {T}/rating",
        "resident",
        201,
        {"solved": True, "satisfaction": 5},
        {"number": "rated_ticket"},
    ),
    Step(f"POST {T}/reopen", "resident", 200, {"reason": "又满了"}, {"number": "reopened_ticket"}),
    Step(f"POST {T}/close", "worker", 200, {"note": ""}, {"number": "closed_ticket"}),
    Step(
        f"POST {T}/merge",
        "worker",
        200,
        lambda ids: {"into": ids["ticket"]},
        {"number": "merged_ticket"},
    ),
    Step(f"GET {C}/hotline/stats", "worker", 200),
    # --- disclosure: announcements, the ledger, documents
    Step(f"GET {C}/announcements", None, 200),
    Step(
        f"POST {C}/announcements",
        "worker",
        201,
        {"title": "电梯维保", "body": "周四。", "category": "service"},
    ),
    Step(f"GET {C}/announcements/{{announcement_id}}", None, 200),
    Step(
        f"POST {C}/announcements/{{announcement_id}}/publish",
        "worker",
        200,
        params={"announcement_id": "draft_announcement_id"},
    ),
    Step(f"POST {C}/announcements/{{announcement_id}}/confirm", "resident", 200),
    Step(f"GET {C}/announcements/{{announcement_id}}/unread", "worker", 200),
    Step(f"GET {C}/ledger/entries", "worker", 200),
    Step(f"POST {C}/ledger/entries", "worker", 201, ENTRY),
    Step(f"GET {E}", "worker", 200, params={"entry_id": "pending_entry_id"}),
    Step(
        f"POST {E}/voucher",
        "worker",
        201,
        params={"entry_id": "entry_without_voucher_id"},
        files={"file": pdf},
    ),
    Step(f"POST {E}/approve", "approver", 200, params={"entry_id": "pending_entry_id"}),
    Step(
        f"POST {E}/reject",
        "approver",
        200,
        {"reason": "金额不对"},
        {"entry_id": "rejected_entry_id"},
    ),
    Step(
        f"POST {E}/correct",
        "worker",
        201,
        {"reason": "记错了对方"},
        {"entry_id": "approved_entry_id"},
    ),
    Step(f"GET {C}/ledger/periods", "worker", 200),
    Step(
        f"POST {C}/ledger/periods",
        "worker",
        201,
        lambda ids: {"kind": "month", "starts_on": ids["period_start"]},
    ),
    Step(f"GET {C}/ledger/periods/{{period_id}}", "worker", 200),
    Step(f"POST {C}/ledger/periods/{{period_id}}/publish", "worker", 200),
    Step(f"GET {C}/documents", None, 200),
    Step(
        f"POST {C}/documents",
        "worker",
        201,
        {"kind": "minutes", "title": "三月议事会纪要", "body": "一、电梯。"},
    ),
    Step(f"GET {C}/documents/{{document_id}}", "worker", 200),
    Step(
        f"POST {C}/documents/{{document_id}}/versions",
        "worker",
        201,
        {"title": "年度计划", "body": "一、绿化。二、路灯。", "change_note": "加了路灯"},
    ),
    Step(f"POST {C}/documents/{{document_id}}/publish", "worker", 200),
    # --- evaluation
    Step(f"GET {C}/indicators", "worker", 200),
    Step(f"GET {C}/indicators/{{key}}", "worker", 200, params={"key": "indicator_key"}),
    Step(f"GET {C}/interventions", "worker", 200),
    Step(
        f"POST {C}/interventions",
        "worker",
        201,
        {"name": "老年议事会", "kind": "body", "started_on": "2026-03-01"},
    ),
    Step(f"GET {C}/comparisons/did", "worker", 200, query="before=6&after=6"),
    # --- surveys
    Step(f"GET {C}/surveys", None, 200),
    Step(f"GET {S}", None, 200),
    Step(f"GET {S}/waves", None, 200),
    Step(
        f"POST {S}/answers",
        "writer",
        201,
        {
            "answers": {
                "years": 3,
                "owner": "no",
                "landlord_ok": "4",
                "trust": {"help": "3", "trust": "4"},
            }
        },
    ),
    Step(f"GET {S}/waves/{{wave_id}}/receipt", "resident", 200),
    Step(
        f"POST {S}/waves",
        "worker",
        201,
        {"label": "第三轮", "opens_at": _in(100), "closes_at": _in(110)},
    ),
    Step(
        f"POST {S}/waves/{{wave_id}}/draw",
        "worker",
        200,
        {"seed": "2026-12-04 福彩 123"},
        params={"wave_id": "draw_wave_id"},
    ),
    Step(
        f"GET {S}/waves/{{wave_id}}/answers.{{fmt}}",
        "worker",
        200,
        params={"fmt": "export_fmt", "wave_id": "closed_wave_id"},
    ),
    # --- incubated organisations
    Step(f"GET {C}/organisations", "resident", 200),
    Step(
        f"POST {C}/organisations",
        "writer",
        201,
        {"kind": "organisation", "name": "读书会", "purpose": "每月读一本书"},
    ),
    Step(f"POST {C}/organisations/{{organisation_id}}/founders", "neighbour", 201),
    Step(
        f"POST {C}/organisations/{{organisation_id}}/stage",
        "worker",
        200,
        {"to": "dormant", "note": "冬季暂停"},
    ),
    # --- self-governing bodies
    Step(f"GET {C}/bodies", "resident", 200),
    Step(f"GET {C}/bodies/{{body_id}}", "resident", 200),
    Step(f"GET {C}/bodies/{{body_id}}/decisions", "resident", 200),
    Step(
        f"POST {C}/bodies/{{body_id}}/decisions",
        "worker",
        201,
        lambda ids: {
            "kind": "appoint_member",
            "title": "增补议事员",
            "decided_on": timezone.localdate().isoformat(),
            "present": 3,
            "votes_for": 2,
            "votes_against": 1,
            "abstentions": 0,
        },
    ),
    Step(
        f"POST {C}/bodies/{{body_id}}/mandates",
        "worker",
        201,
        lambda ids: {
            "position": ids["body_position_id"],
            "membership": ids["membership_id"],
            "seat": 4,
            "chosen_by": "appointment",
            "starts_on": timezone.localdate().isoformat(),
        },
    ),
    # --- meetings (core)
    Step(f"GET {C}/meetings", None, 200),
    Step(f"GET {C}/meetings/{{meeting_id}}", None, 200),
    Step(
        f"POST {C}/meetings",
        "worker",
        201,
        lambda ids: {
            "body": ids["body_id"],
            "title": "业主听证会",
            "kind": "hearing",
            "starts_at": _in(50),
            "ends_at": _in(51),
            "rrule": "FREQ=MONTHLY;COUNT=2",
        },
    ),
    Step(f"POST {C}/meetings/{{meeting_id}}/registrations", "resident", 201, {}),
    # --- the room: roll call, recusal, the vote on an item
    Step(f"GET {RM}/quorum", None, 200, params=ROOM),
    Step(
        f"POST {RM}/presences", "worker", 201, lambda ids: {"person": ids["room_person_id"]}, ROOM
    ),
    Step(
        f"POST {RM}/items/{{item_id}}/recusals", "handler", 201, {"reason": "我家堆的"}, ROOM_ITEM
    ),
    Step(
        f"POST {RM}/departures", "worker", 200, lambda ids: {"person": ids["room_person_id"]}, ROOM
    ),
    Step(
        f"POST {RM}/items/{{item_id}}/decision",
        "worker",
        201,
        {"method": "hands", "votes_for": 2},
        ROOM_ITEM,
    ),
    # --- minutes and follow-ups (meetings: minutes)
    Step(f"GET {C}/meetings/{{meeting_id}}/minutes", None, 200, params=MINUTES),
    Step(
        f"POST {C}/meetings/{{meeting_id}}/minutes/responses",
        "writer",
        200,
        {"kind": "correction", "text": "路面是4号楼"},
        MINUTES,
    ),
    Step(f"GET {C}/actions", None, 200, query="status=open"),
    Step(f"POST {C}/actions/{{action_id}}", "neighbour", 200, {"status": "done", "note": "已联系"}),
    # --- hearings and round tables (meetings: hearings)
    Step(f"GET {HR}", None, 200, params=HEARING),
    Step(f"POST {HR}/speakers", "resident", 201, {"position_summary": "支持加装"}, HEARING),
    Step(f"POST {HR}/submissions", "resident", 201, {"text": "费用按楼层分摊"}, HEARING),
    Step(
        f"POST {HR}/draw",
        "supervisor",
        200,
        {"seed": "2026-12-04 开奖 07"},
        {"meeting_id": "draw_hearing_meeting_id"},
    ),
    Step(
        f"GET {C}/meetings/{{meeting_id}}/round-table",
        None,
        200,
        params={"meeting_id": "round_table_meeting_id"},
    ),
    # --- the decision register (public; the bodies' decision recorded above is its row)
    Step(f"GET {C}/decisions", None, 200, query="kind=appoint_member&from=2020-01-01&limit=5"),
    # --- review panels drawn by lot
    Step(f"GET {C}/panels", None, 200),
    Step(
        f"POST {C}/panels",
        "worker",
        201,
        lambda ids: {
            "title": "楼道照明改造",
            "reviewed_body_id": ids["body_id"],
            "seats": 3,
            "features": ["gender", "age_band"],
            "quotas": [{"feature": "gender", "value": "female", "min": 1, "max": 2}],
            "pool_closes_at": _in(7),
            "ends_on": (timezone.localdate() + timedelta(days=60)).isoformat(),
        },
    ),
    Step(f"GET {PN}", None, 200),
    Step(f"GET {PN}/portfolio.json", None, 200, params={"panel_id": "seed_panel_id"}),
    Step(f"POST {PN}/pool", "resident", 201, {"features": {"gender": "male"}, "consent": True}),
    Step(f"DELETE {PN}/pool", "resident", 200),
    Step(f"POST {PN}/close", "worker", 200, params={"panel_id": "close_panel_id"}),
    Step(
        f"POST {PN}/seed",
        "supervisor",
        200,
        {"seed": "2026-12-04 开奖 01 02 03"},
        {"panel_id": "seed_panel_id"},
    ),
    Step(
        f"POST {PN}/members",
        "worker",
        201,
        {"kind": "expert", "name": "李工", "affiliation": "市政设计院"},
        {"panel_id": "drawn_panel_id"},
    ),
    Step(f"POST {PN}/documents", "writer", 201, params=DRAWN, files={"file": pdf}),
    Step(f"GET {PN}/documents", "writer", 200, params=DRAWN),
    Step(f"POST {PN}/assessment", "writer", 200, {"text": "方案可行。"}, DRAWN),
    Step(f"POST {PN}/answer", "worker", 200, {"text": "采纳。"}, DRAWN),
    # --- supervision opinions
    Step(f"GET {C}/opinions", None, 200, query="status=open"),
    Step(f"GET {C}/opinions/{{opinion_id}}", None, 200),
    Step(
        f"POST {C}/opinions",
        "supervisor",
        201,
        lambda ids: {
            "body": ids["opinion_body_id"],
            "subject": "公共收益公开",
            "text": "请公开上季度停车费收入。",
            "due_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
        },
    ),
    Step(f"POST {C}/opinions/{{opinion_id}}/answer", "council", 200, {"answer": "下周公示。"}),
    # --- partners
    Step(f"GET {C}/partners", "resident", 200),
    Step(
        f"POST {C}/partners/services/{{service_id}}/rating",
        "resident",
        200,
        {"stars": 4, "comment": "很耐心"},
        params={"service_id": "partner_service_id"},
    ),
    Step(
        f"POST {C}/partners/contributions",
        "worker",
        201,
        lambda ids: {
            "agreement": ids["partner_agreement_id"],
            "kind": "money",
            "description": "重阳节活动经费",
            "given_on": timezone.localdate().isoformat(),
            "value": "500.00",
        },
    ),
    # --- meetings: the agenda
    Step(f"GET {AG}", None, 200, params=AGENDA_OF),
    Step(f"POST {AG}/items", "worker", 201, {"title": "路灯维修"}, params=AGENDA_OF),
    Step(
        f"POST {AG}/proposals",
        "worker",
        201,
        lambda ids: {"proposal": ids["agenda_proposal_id"], "minutes_allotted": 15},
        params=AGENDA_OF,
    ),
    Step(f"POST {AG}/items/{{item_id}}/move", "worker", 200, {"position": 2}, params=AGENDA_OF),
    Step(f"POST {AG}/publish", "worker", 201, {"note": ""}, params=AGENDA_OF),
    Step(f"POST {AG}/items/{{item_id}}/withdraw", "worker", 200, {"reason": ""}, params=AGENDA_OF),
    Step(f"GET {AG}/versions", None, 200, params=AGENDA_OF),
    # --- volunteering: one module per part (tests/volunteering/api_*.py)
    *volunteering_steps(Step),
    # --- learning: one module per part (tests/learning/api_*.py)
    *learning_steps(Step),
    # --- covenants and mediation: one module per part (tests/<app>/api_*.py)
    *covenants_steps(Step),
    *mediation_steps(Step),
    # --- spaces: one module per part (tests/spaces/api_*.py)
    *spaces_steps(Step),
    # --- notifications, in the caller's language
    Step("GET me/notifications", "resident", 200, query="unread=true"),
    Step("POST me/notifications/read", "resident", 200, {"ids": None}),
    # --- a person's data (last: erasure ends the leaver's account)
    Step("GET me/data", "resident", 200),
    Step("POST me/erasure", "leaver", 200, {"confirm": True, "password": "correct horse battery"}),
]


def registered_routes() -> set[str]:
    return {f"{method} {path}" for path, op in operations() for method in op.methods}


def test_every_route_has_a_step():
    stepped = [step.route for step in STEPS]
    assert len(stepped) == len(set(stepped)), "a route has two steps"
    missing = registered_routes() - set(stepped)
    assert not missing, f"API routes without a step in tests/test_api_routes.py: {sorted(missing)}"
    assert not set(stepped) - registered_routes(), "steps for routes that no longer exist"


def _url(step: Step, ids: dict[str, Any]) -> str:
    path = step.route.split(" ", 1)[1]
    names = step.params or {}
    url = "/api/v1/" + re.sub(r"\{(\w+)\}", lambda m: str(ids[names.get(m[1], m[1])]), path)
    return url + ("?" + step.query if step.query else "")


class Document:
    """The served OpenAPI document, to check a response against what it promises."""

    def __init__(self, document: dict[str, Any]):
        self.document = document

    def problems(self, step: Step, status: int, body: Any) -> list[str]:
        method, path = step.route.split(" ", 1)
        operation = self.document["paths"]["/api/v1/" + path][method.lower()]
        declared = operation["responses"].get(str(status))
        if declared is None:
            return [f"status {status} is not in the document"]
        schema = declared.get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            return []
        # The schema's $refs point into the document's components: give them a root to find.
        rooted = {**schema, "components": self.document["components"]}
        validator = jsonschema.Draft202012Validator(rooted)
        return [
            f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(body)
        ]


@pytest.mark.django_db
def test_every_route_answers_a_valid_request(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    document = Document(client.get("/api/v1/openapi.json").json())
    world = build_world()
    failures = []
    for step in STEPS:
        url = _url(step, world.ids)
        method = step.route.split(" ", 1)[0]
        headers = world.auth(step.who)
        if step.files is not None:
            files = {name: make() for name, make in step.files.items()}
            response = client.post(url, files, **headers)
        else:
            body = step.body(world.ids) if callable(step.body) else step.body
            response = client.generic(
                method,
                url,
                data=json.dumps(body) if body is not None else "",
                content_type="application/json",
                **headers,
            )
        is_json = response.get("Content-Type", "").startswith("application/json")
        content = response.json() if response.content and is_json else None
        if response.status_code != step.status:
            failures.append(f"{step.route} ({url}): {response.status_code} {content}")
            continue
        problems = document.problems(step, response.status_code, content)
        if problems:
            failures.append(f"{step.route}: the body does not match the document: {problems}")
    assert not failures, "\n".join(failures)
