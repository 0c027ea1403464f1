"""Bodies in the API: a community's bodies with their members and charter in force, one body,
its decisions; recording a decision (refused outside the charter's powers: 400 with the
reason's code) and a term of office."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from gongzhi.bodies import selectors, services
from gongzhi.bodies.models import Body, Charter, Decision, Mandate
from gongzhi.core.http import api_user
from gongzhi.core.models import Community
from gongzhi.core.selectors import community_get

router = Router(tags=["bodies"])

BODIES = "/communities/{slug}/bodies"


class BodyMemberOut(Schema):
    id: int
    position: str
    seat: int
    name: str
    chosen_by: str = Field(..., description="election | appointment | lot | founding")
    starts_on: date
    ends_on: date
    ended_early: bool


class BodyPowerOut(Schema):
    kind: str
    max_amount_fen: int | None
    topics: list[str]
    quorum_percent: int | None = Field(None, description="This decision's own quorum, if any.")
    threshold_percent: int | None = Field(
        None, description="This decision's own threshold, if any."
    )


class BodyCharterOut(Schema):
    version: int
    powers: list[BodyPowerOut]
    quorum_percent: int
    threshold_percent: int
    threshold_base: str = Field(..., description="present | members")
    amendment_percent: int
    meeting_every_days: int
    term_months: int
    vacancy_rule: str
    text: str
    proxies_allowed: bool
    max_proxies: int
    second_sitting_quorum_percent: int | None = Field(
        ..., description="The quorum of a second sitting; null: none."
    )
    notice_days: int
    extraordinary_notice_days: int
    minutes_objection_days: int


class BodyOut(Schema):
    id: int
    kind: str
    name: str
    purpose: str
    members: list[BodyMemberOut] = Field(..., description="Who sits today.")


class BodyDetailOut(BodyOut):
    past_members: list[BodyMemberOut]
    charter: BodyCharterOut | None = Field(..., description="The charter in force.")
    charter_versions: list[int]


class BodyDecisionOut(Schema):
    id: int
    kind: str
    title: str
    text: str
    amount_fen: int | None
    topic: str
    decided_on: date
    seated: int
    present: int
    votes_for: int
    votes_against: int
    abstentions: int
    charter_version: int


class BodyDecisionIn(Schema):
    kind: str = Field(..., description="A decision kind the body's charter grants.")
    title: str
    text: str = ""
    decided_on: date
    present: int = Field(..., ge=0)
    votes_for: int = Field(..., ge=0)
    votes_against: int = Field(..., ge=0)
    abstentions: int = Field(..., ge=0)
    amount_fen: int | None = Field(None, ge=0)
    topic: str = ""


class BodyMandateIn(Schema):
    position: int
    membership: int
    seat: int = Field(1, ge=1)
    chosen_by: str = Field(..., description="election | appointment | lot | founding")
    starts_on: date
    ends_on: date | None = Field(None, description="Default: the charter's term length.")
    vote: int | None = Field(None, description="The closed vote that elected them.")


def _member_out(mandate: Mandate) -> dict[str, Any]:
    return {
        "id": mandate.pk,
        "position": mandate.position.title,
        "seat": mandate.seat,
        "name": str(selectors.holder(mandate)),
        "chosen_by": mandate.chosen_by,
        "starts_on": mandate.starts_on,
        "ends_on": mandate.ends_on,
        "ended_early": mandate.ended_at is not None,
    }


def _charter_out(charter: Charter | None) -> dict[str, Any] | None:
    if charter is None:
        return None
    return {
        "version": charter.version,
        "powers": charter.powers,
        **{
            name: getattr(charter, name)
            for name in (
                "quorum_percent",
                "threshold_percent",
                "threshold_base",
                "amendment_percent",
                "meeting_every_days",
                "term_months",
                "vacancy_rule",
                "text",
                "proxies_allowed",
                "max_proxies",
                "second_sitting_quorum_percent",
                "notice_days",
                "extraordinary_notice_days",
                "minutes_objection_days",
            )
        },
    }


def _decision_out(decision: Decision) -> dict[str, Any]:
    fields = ("kind", "title", "text", "amount_fen", "topic", "decided_on", "seated", "present")
    return {
        "id": decision.pk,
        **{name: getattr(decision, name) for name in fields},
        "votes_for": decision.votes_for,
        "votes_against": decision.votes_against,
        "abstentions": decision.abstentions,
        "charter_version": decision.charter.version,
    }


def _community(request: HttpRequest, slug: str) -> Community:
    return community_get(slug=slug, user=api_user(request), perm="bodies.view_bodies")


def _body(request: HttpRequest, slug: str, body_id: int) -> Body:
    return selectors.body_get(community=_community(request, slug), body_id=body_id)


@router.get(BODIES, response=list[BodyOut], summary="A community's bodies and who sits today")
def body_list(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    bodies = selectors.bodies_of(_community(request, slug))
    return [
        {
            "id": body.pk,
            "kind": body.kind,
            "name": body.name,
            "purpose": body.purpose,
            "members": [_member_out(m) for m in getattr(body, "sitting", [])],
        }
        for body in bodies
    ]


@router.get(
    BODIES + "/{body_id}", response=BodyDetailOut, summary="A body, its members and charter"
)
def body_detail(request: HttpRequest, slug: str, body_id: int) -> dict[str, Any]:
    body = _body(request, slug, body_id)
    members = selectors.members_of(body)
    versions = selectors.charter_versions(body)
    return {
        "id": body.pk,
        "kind": body.kind,
        "name": body.name,
        "purpose": body.purpose,
        "members": [_member_out(m) for m in members.current],
        "past_members": [_member_out(m) for m in members.past],
        "charter": _charter_out(selectors.charter_in_force(body=body)),
        "charter_versions": [v.charter.version for v in versions],
    }


@router.get(
    BODIES + "/{body_id}/decisions", response=list[BodyDecisionOut], summary="A body's decisions"
)
def decision_list(request: HttpRequest, slug: str, body_id: int) -> list[dict[str, Any]]:
    body = _body(request, slug, body_id)
    return [_decision_out(d) for d in selectors.decisions_of(body).select_related("charter")]


@router.post(
    BODIES + "/{body_id}/decisions",
    response={201: BodyDecisionOut},
    summary="Record a decision (refused outside the charter: 400 with its code)",
)
def decision_record(
    request: HttpRequest, slug: str, body_id: int, payload: BodyDecisionIn
) -> Status[dict[str, Any]]:
    body = _body(request, slug, body_id)
    decision = services.decision_record(actor=api_user(request), body=body, **payload.dict())
    return Status(201, _decision_out(decision))


@router.post(
    BODIES + "/{body_id}/mandates",
    response={201: BodyMemberOut},
    summary="Record a term of office (overlapping terms of a seat: 400 term_overlaps)",
)
def mandate_start(
    request: HttpRequest, slug: str, body_id: int, payload: BodyMandateIn
) -> Status[dict[str, Any]]:
    body = _body(request, slug, body_id)
    position = selectors.position_get(body=body, position_id=payload.position)
    membership = selectors.membership_get(
        community=body.community, membership_id=payload.membership
    )
    vote = (
        selectors.vote_get(community=body.community, vote_id=payload.vote) if payload.vote else None
    )
    mandate = services.mandate_start(
        actor=api_user(request),
        position=position,
        membership=membership,
        seat=payload.seat,
        chosen_by=payload.chosen_by,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        vote=vote,
    )
    return Status(201, _member_out(mandate))
