"""Incubated organisations in the API: the list with their stages, proposing one, joining as a
founder, and moving a stage (community workers who are none of its founders)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from gongzhi.bodies import incubation
from gongzhi.bodies.models import Incubation
from gongzhi.core.http import api_user
from gongzhi.core.selectors import community_get

router = Router(tags=["bodies"])

ORGS = "/communities/{slug}/organisations"
VIEW = "bodies.view_organisations"


class OrganisationOut(Schema):
    id: int = Field(..., description="The organisation's body id.")
    name: str
    kind: str = Field(..., description="organisation | interest_group")
    purpose: str
    stage: str = Field(..., description="idea | incubating | filed | active | dormant")
    founders: int = Field(..., description="Founders with a term in force.")
    min_founders: int
    has_mentor: bool
    filing_number: str
    started_at: datetime


class OrganisationProposeIn(Schema):
    kind: str = Field(..., description="organisation | interest_group")
    name: str
    purpose: str


class OrganisationStageIn(Schema):
    to: str = Field(..., description="idea | incubating | filed | active | dormant")
    note: str = Field(..., description="Why the stage changes.")
    filing_number: str = Field("", description="备案号: needed to move to filed.")


class FounderOut(Schema):
    organisation_id: int
    seat: int
    starts_on: date


def _out(item: Incubation, founders: int | None = None) -> dict[str, Any]:
    return {
        "id": item.body_id,
        "name": item.body.name,
        "kind": item.body.kind,
        "purpose": item.body.purpose,
        "stage": item.stage,
        "founders": founders if founders is not None else getattr(item, "founders", 0),
        "min_founders": item.min_founders,
        "has_mentor": item.mentor_id is not None,
        "filing_number": item.filing_number,
        "started_at": item.started_at,
    }


def _get(slug: str, organisation_id: int, user: Any) -> Incubation:
    community = community_get(slug=slug, user=user, perm=VIEW)
    return incubation.organisation_get(community=community, body_id=organisation_id)


@router.get(ORGS, response=list[OrganisationOut], summary="The community's incubated organisations")
def organisation_list(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    community = community_get(slug=slug, user=api_user(request), perm=VIEW)
    return [_out(item) for item in incubation.organisations(community)]


@router.post(
    ORGS, response={201: OrganisationOut}, summary="Propose an organisation (verified residents)"
)
def organisation_propose(request: HttpRequest, slug: str, payload: OrganisationProposeIn) -> Any:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    item = incubation.organisation_propose(
        actor=user,
        community=community,
        kind=payload.kind,
        name=payload.name,
        purpose=payload.purpose,
    )
    return Status(201, _out(item, founders=incubation.founder_count(item)))


@router.post(
    ORGS + "/{organisation_id}/founders",
    response={201: FounderOut},
    summary="Join an organisation as a founder (verified residents, once)",
)
def founder_join(request: HttpRequest, slug: str, organisation_id: int) -> Any:
    user = api_user(request)
    mandate = incubation.founder_join(actor=user, incubation=_get(slug, organisation_id, user))
    return Status(
        201,
        {
            "organisation_id": organisation_id,
            "seat": mandate.seat,
            "starts_on": mandate.starts_on,
        },
    )


@router.post(
    ORGS + "/{organisation_id}/stage",
    response=OrganisationOut,
    summary="Move an organisation to another stage (community workers, not its founders)",
)
def stage_move(
    request: HttpRequest, slug: str, organisation_id: int, payload: OrganisationStageIn
) -> dict[str, Any]:
    user = api_user(request)
    item = _get(slug, organisation_id, user)
    incubation.stage_move(
        actor=user,
        incubation=item,
        to=payload.to,
        note=payload.note,
        filing_number=payload.filing_number,
    )
    return _out(_get(slug, organisation_id, user))
