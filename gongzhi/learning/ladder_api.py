"""API routes of the leadership ladder, under /communities/{slug}/learning/: my pathway, my choice
to stay off the pipeline, the workers' pipeline, and invitations to try a role (send, answer,
withdraw). Refusals are 400 with the service's code (``step_unknown``, ``own_invitation``,
``not_member``, ``opted_out``, ``already_invited``, ``not_open``); the pipeline and an invitation
someone may not see are 404, an answer by anyone but the person invited 403."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from gongzhi.core.http import api_user
from gongzhi.core.selectors import community_get
from gongzhi.learning import ladder_selectors as selectors
from gongzhi.learning import ladder_services as services
from gongzhi.learning import pathway as pathways
from gongzhi.learning.models import Invitation

router = Router(tags=["learning"])

L = "/communities/{slug}/learning"


class LearningEvidenceOut(Schema):
    code: str = Field(..., description="The evidence's code, e.g. meetings.chaired")
    label: str
    rung: int
    first_at: datetime
    last_at: datetime
    times: int


class LearningRungOut(Schema):
    rung: int
    label: str
    reached: bool
    current: bool
    evidence: list[LearningEvidenceOut]


class LearningStepCourseOut(Schema):
    id: int
    title: str
    enrol_until: date | None


class LearningNextStepOut(Schema):
    code: str
    rung: int
    label: str
    url: str = Field(..., description="The page where to act; empty when it has none")
    role: str
    qualification: str = Field(..., description="Needed (required) or suggested; empty: none")
    required: bool
    required_from: date | None
    held: bool
    courses: list[LearningStepCourseOut]


class LearningInvitationOut(Schema):
    id: int
    person: int
    step: str
    step_label: str
    message: str
    invited_by: int
    status: str = Field(..., description="sent | accepted | declined | withdrawn")
    created_at: datetime
    answered_at: datetime | None


class LearningPathwayOut(Schema):
    rung: int = Field(..., description="0 (nothing recorded yet) to 6")
    label: str
    next_rung: int | None
    rungs: list[LearningRungOut]
    next_steps: list[LearningNextStepOut]
    invitations: list[LearningInvitationOut]
    listed: bool = Field(..., description="False: I asked workers not to list me as ready to lead")


class LearningPipelineChoiceIn(Schema):
    listed: bool = Field(..., description="False to stay off the workers' pipeline, True to return")


class LearningPipelineChoiceOut(Schema):
    listed: bool
    changed: bool


class LearningCandidateOut(Schema):
    person: int
    name: str
    rung: int
    label: str
    last_at: datetime
    evidence: list[LearningEvidenceOut]
    qualifications: list[str]
    open_invitations: list[LearningInvitationOut]


class LearningPipelineOut(Schema):
    total: int
    page: int
    pages: int
    per_page: int
    candidates: list[LearningCandidateOut]


class LearningPipelineQuery(Schema):
    rung: int | None = Field(None, ge=3, le=4)
    grid: int | None = None
    page: int = Field(1, ge=1, le=100_000)


class LearningInvitationIn(Schema):
    person: int = Field(..., description="The user id of a member")
    step: str = Field(..., min_length=1, max_length=60, description="A ladder step's code")
    message: str = Field("", max_length=2000)


class LearningInvitationAnswerIn(Schema):
    accept: bool


def _evidence(shown: pathways.Shown) -> dict[str, Any]:
    return {
        "code": shown.code,
        "label": str(shown.label),
        "rung": shown.rung,
        "first_at": shown.first_at,
        "last_at": shown.last_at,
        "times": shown.times,
    }


def _invitation(invitation: Invitation) -> dict[str, Any]:
    return {
        "id": invitation.pk,
        "person": invitation.person_id,
        "step": invitation.step,
        "step_label": str(services.step_label(invitation.step)),
        "message": invitation.message,
        "invited_by": invitation.invited_by_id,
        "status": invitation.status,
        "created_at": invitation.created_at,
        "answered_at": invitation.answered_at,
    }


@router.get(
    L + "/me/pathway",
    response=LearningPathwayOut,
    summary="My pathway: my rung, the six rungs with my evidence, next steps, invitations",
)
def my_pathway(request: HttpRequest, slug: str) -> dict[str, Any]:
    user = api_user(request)
    community = community_get(slug=slug, user=user, perm="learning.view_pathway")
    path = pathways.pathway(community, user)
    return {
        "rung": path.rung,
        "label": str(path.label),
        "next_rung": path.next_rung,
        "rungs": [
            {
                "rung": r.rung,
                "label": str(r.label),
                "reached": r.reached,
                "current": r.current,
                "evidence": [_evidence(s) for s in r.evidence],
            }
            for r in path.rungs
        ],
        "next_steps": [
            {
                "code": s.code,
                "rung": s.rung,
                "label": str(s.label),
                "url": s.url,
                "role": s.role,
                "qualification": s.qualification,
                "required": s.required,
                "required_from": s.required_from,
                "held": s.held,
                "courses": [
                    {"id": c.pk, "title": c.title, "enrol_until": c.enrol_until} for c in s.courses
                ],
            }
            for s in path.next_steps
        ],
        "invitations": [_invitation(i) for i in path.invitations],
        "listed": not path.opted_out,
    }


@router.post(
    L + "/me/pipeline-choice",
    response=LearningPipelineChoiceOut,
    summary="Stay off the workers' pipeline of people ready to lead (listed false), or return",
)
def pipeline_choice(
    request: HttpRequest, slug: str, payload: LearningPipelineChoiceIn
) -> dict[str, Any]:
    user = api_user(request)
    community = community_get(slug=slug, user=user, perm="learning.pipeline_choice")
    changed = services.pipeline_choice(actor=user, community=community, listed=payload.listed)
    return {"listed": payload.listed, "changed": changed}


@router.get(
    L + "/pipeline",
    response=LearningPipelineOut,
    summary="People ready to lead (rung 3–4, not yet 5+, never those who opted out), paged",
)
def pipeline(
    request: HttpRequest, slug: str, filters: Query[LearningPipelineQuery]
) -> dict[str, Any]:
    user = api_user(request)
    community = community_get(slug=slug, user=user, perm="learning.view_pipeline")
    page = pathways.pipeline(community, rung=filters.rung, grid=filters.grid, page=filters.page)
    return {
        "total": page.total,
        "page": page.number,
        "pages": page.pages,
        "per_page": page.per_page,
        "candidates": [
            {
                "person": c.user.pk,
                "name": str(c.user),
                "rung": c.rung,
                "label": str(c.label),
                "last_at": c.last_at,
                "evidence": [_evidence(s) for s in c.evidence],
                "qualifications": c.qualifications,
                "open_invitations": [_invitation(i) for i in c.open_invitations],
            }
            for c in page.candidates
        ],
    }


@router.post(
    L + "/invitations",
    response={201: LearningInvitationOut},
    summary="Invite a member to try a role (a ladder step)",
)
def invitation_send(
    request: HttpRequest, slug: str, payload: LearningInvitationIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    community = community_get(slug=slug, user=user, perm="learning.invite")
    person = selectors.member_get(community=community, user_id=payload.person)
    invitation = services.invitation_send(
        actor=user, community=community, person=person, step=payload.step, message=payload.message
    )
    return Status(201, _invitation(invitation))


@router.post(
    L + "/invitations/{invitation_id}/answer",
    response=LearningInvitationOut,
    summary="Accept or decline an invitation sent to me",
)
def invitation_answer(
    request: HttpRequest, slug: str, invitation_id: int, payload: LearningInvitationAnswerIn
) -> dict[str, Any]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    invitation = selectors.invitation_get(
        community=community, user=user, invitation_id=invitation_id
    )
    answered = services.invitation_answer(actor=user, invitation=invitation, accept=payload.accept)
    return _invitation(answered)


@router.post(
    L + "/invitations/{invitation_id}/withdraw",
    response=LearningInvitationOut,
    summary="Withdraw an invitation not yet answered (staff)",
)
def invitation_withdraw(request: HttpRequest, slug: str, invitation_id: int) -> dict[str, Any]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    invitation = selectors.invitation_get(
        community=community, user=user, invitation_id=invitation_id
    )
    return _invitation(services.invitation_withdraw(actor=user, invitation=invitation))
