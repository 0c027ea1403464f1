"""Idle-space revival in the API, under /communities/{slug}/spaces/idle: the list and one idle
space (members), recording one and each step (community workers): its consultation, its
renovation project, the space it opens as, dropping it. Refusals are 400 with the service's code
(``idle_step``, ``idle_area``, ``idle_manager``, ``idle_consultation``,
``idle_proposal_not_public``, ``idle_not_consulted`` …); one idle space says why it cannot open
yet (``opening_refusal``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from gongzhi.budgeting.models import Idea
from gongzhi.core.apidoc import ErrorOut
from gongzhi.core.http import api_user, error_text
from gongzhi.core.models import Building
from gongzhi.core.selectors import community_get
from gongzhi.deliberation.models import Proposal
from gongzhi.opinions.models import Conversation
from gongzhi.spaces import revival, revival_selectors
from gongzhi.spaces.models import IdleSpace, Space

router = Router(tags=["spaces"])

C = "/communities/{slug}/spaces/idle"
IDLE = C + "/{idle_id}"


class SpacesIdleOut(Schema):
    id: int
    title: str
    location: str
    building: int | None
    area_m2: Decimal
    owner: str
    status: str = Field(..., description="recorded | consulting | renovating | opened | dropped")
    proposed_use: str
    promised_hours_week: int | None
    proposal: int | None
    conversation: int | None
    project: int | None
    space: int | None
    opened_at: datetime | None
    drop_reason: str


class SpacesIdleWeekOut(Schema):
    starts: date
    hours: float


class SpacesIdleDetailOut(SpacesIdleOut):
    weeks: list[SpacesIdleWeekOut] = Field(..., description="Hours booked a week since it opened.")
    average_hours_week: float | None
    opening_refusal: ErrorOut | None = Field(
        None,
        description="Why it cannot open yet, as `POST …/open` would refuse it (`idle_step`, "
        "`idle_not_consulted`, `idle_consultation_under_way`, "
        "`idle_consultation_turned_down`), or null when it may open.",
    )


class SpacesIdleIn(Schema):
    title: str = Field(..., min_length=1, max_length=80)
    location: str = Field(..., min_length=1, max_length=200)
    building: int | None = None
    area_m2: Decimal = Field(..., gt=0, le=100000)
    owner: str = Field(..., min_length=1, max_length=120)
    proposed_use: str = Field("", max_length=5000)
    promised_hours_week: int | None = Field(None, ge=1, le=168)


class SpacesIdleConsultIn(Schema):
    proposal: int | None = Field(
        None,
        description="A hall proposal of the community that every member reads: published, "
        "not withdrawn, not hidden (else 400 `idle_proposal_not_public`). The space opens once "
        "it is accepted.",
    )
    conversation: int | None = Field(
        None, description="An opinion-map conversation. The space opens once it has closed."
    )


class SpacesIdleProjectIn(Schema):
    project: int = Field(..., description="The budgeting project (idea) of the renovation.")


class SpacesIdleOpenIn(Schema):
    space: int = Field(..., description="The space in the catalogue it opens as.")


class SpacesIdleDropIn(Schema):
    reason: str = Field(..., min_length=1, max_length=300)


def _out(idle: IdleSpace) -> dict[str, Any]:
    return {
        "id": idle.pk,
        "title": idle.title,
        "location": idle.location,
        "building": idle.building_id,
        "area_m2": idle.area_m2,
        "owner": idle.owner,
        "status": idle.status,
        "proposed_use": idle.proposed_use,
        "promised_hours_week": idle.promised_hours_week,
        "proposal": idle.proposal_id,
        "conversation": idle.conversation_id,
        "project": idle.project_id,
        "space": idle.space_id,
        "opened_at": idle.opened_at,
        "drop_reason": idle.drop_reason,
    }


def _idle(request: HttpRequest, slug: str, idle_id: int) -> IdleSpace:
    community = community_get(slug=slug, user=api_user(request), perm="spaces.view_spaces")
    return revival_selectors.idle_get(community, idle_id)


def _of(model: Any, community_id: int, pk: int | None) -> Any:
    if pk is None:
        return None
    found = model.objects.in_community(community_id).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@router.get(C, response=list[SpacesIdleOut], summary="Idle spaces and their revival")
def idle_list(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    community = community_get(slug=slug, user=api_user(request), perm="spaces.view_spaces")
    return [_out(idle) for idle in revival_selectors.idle_spaces(community)[:500]]


@router.get(IDLE, response=SpacesIdleDetailOut, summary="One idle space, with its use")
def idle_detail(request: HttpRequest, slug: str, idle_id: int) -> dict[str, Any]:
    idle = _idle(request, slug, idle_id)
    use = revival_selectors.use_against_promise(idle)
    refusal = revival.opening_refusal(idle)
    return {
        **_out(idle),
        "weeks": [{"starts": w.starts, "hours": w.hours} for w in use.weeks] if use else [],
        "average_hours_week": use.average if use else None,
        "opening_refusal": {"code": refusal.code, "message": error_text(refusal)}
        if refusal is not None
        else None,
    }


@router.post(C, response={201: SpacesIdleOut}, summary="Record an idle space (workers)")
def idle_record(request: HttpRequest, slug: str, payload: SpacesIdleIn) -> Status[dict[str, Any]]:
    user = api_user(request)
    community = community_get(slug=slug, user=user, perm="spaces.view_spaces")
    data = payload.dict()
    data["building"] = _of(Building, community.pk, data.pop("building"))
    return Status(201, _out(revival.record(actor=user, community=community, **data)))


@router.post(IDLE + "/consult", response=SpacesIdleOut, summary="Link its consultation")
def idle_consult(
    request: HttpRequest, slug: str, idle_id: int, payload: SpacesIdleConsultIn
) -> dict[str, Any]:
    idle = _idle(request, slug, idle_id)
    return _out(
        revival.consult(
            actor=api_user(request),
            idle=idle,
            proposal=_of(Proposal, idle.community_id, payload.proposal),
            conversation=_of(Conversation, idle.community_id, payload.conversation),
        )
    )


@router.post(IDLE + "/renovate", response=SpacesIdleOut, summary="Link its renovation project")
def idle_renovate(
    request: HttpRequest, slug: str, idle_id: int, payload: SpacesIdleProjectIn
) -> dict[str, Any]:
    idle = _idle(request, slug, idle_id)
    project = _of(Idea, idle.community_id, payload.project)
    return _out(revival.renovate(actor=api_user(request), idle=idle, project=project))


@router.post(IDLE + "/open", response=SpacesIdleOut, summary="Open it as a shared space")
def idle_open(
    request: HttpRequest, slug: str, idle_id: int, payload: SpacesIdleOpenIn
) -> dict[str, Any]:
    idle = _idle(request, slug, idle_id)
    space = _of(Space, idle.community_id, payload.space)
    return _out(revival.open_as(actor=api_user(request), idle=idle, space=space))


@router.post(IDLE + "/drop", response=SpacesIdleOut, summary="Drop it, with a reason")
def idle_drop(
    request: HttpRequest, slug: str, idle_id: int, payload: SpacesIdleDropIn
) -> dict[str, Any]:
    idle = _idle(request, slug, idle_id)
    return _out(revival.drop(actor=api_user(request), idle=idle, reason=payload.reason))
