"""API routes of the requirements part, under /communities/{slug}/learning/: every role a
community may make require a qualification and whether it does; turning a requirement on and
off (a community worker, or from above). Refusals are 400 with the service's code
(``role_unknown``, ``qualification_unknown``, ``applies_in_past``, ``requirement_exists``,
``requirement_off``); a requirement or community the caller may not manage is 404."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from gongzhi.core import qualifications, requirements
from gongzhi.core.http import api_user
from gongzhi.core.models import RoleRequirement
from gongzhi.core.selectors import community_get
from gongzhi.learning import requirement_selectors as selectors

router = Router(tags=["learning"])

L = "/communities/{slug}/learning"


class LearningRequirementOut(Schema):
    id: int
    role: str
    qualification: str
    qualification_label: str
    applies_from: date
    in_force: bool = Field(..., description="Turned on and its day has come.")
    turned_off: bool
    kept: list[int] = Field(..., description="User ids of the holders kept without it.")


class LearningRequirableRoleOut(Schema):
    role: str
    label: str
    suggested: str = Field(..., description="The qualification usually asked for, or empty.")
    requirement: LearningRequirementOut | None = Field(
        ..., description="The requirement turned on (and not off), if any."
    )


class LearningRequirementIn(Schema):
    role: str = Field(..., max_length=40)
    qualification: str = Field(..., max_length=40)
    applies_from: date


def _out(requirement: RoleRequirement, kept: list[int]) -> dict[str, Any]:
    return {
        "id": requirement.pk,
        "role": requirement.role,
        "qualification": requirement.qualification,
        "qualification_label": qualifications.label(requirement.qualification),
        "applies_from": requirement.applies_from,
        "in_force": requirement.turned_off_at is None
        and requirements.in_force(requirement.community_id, requirement.role) == requirement,
        "turned_off": requirement.turned_off_at is not None,
        "kept": kept,
    }


def _staff(request: HttpRequest, slug: str) -> Any:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    if not selectors.can_manage(user, community):
        raise Http404
    return user, community


@router.get(
    L + "/requirements",
    response=list[LearningRequirableRoleOut],
    summary="Every role that may require a qualification here, and whether it does (staff)",
)
def requirement_list(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    _user, community = _staff(request, slug)
    return [
        {
            "role": row.role,
            "label": row.label,
            "suggested": row.suggested,
            "requirement": _out(row.requirement, [k.person.pk for k in row.kept])
            if row.requirement
            else None,
        }
        for row in selectors.rows(community)
    ]


@router.post(
    L + "/requirements",
    response={201: LearningRequirementOut},
    summary="Turn on a role's requirement from a day (holders then are kept and told)",
)
def requirement_on(
    request: HttpRequest, slug: str, payload: LearningRequirementIn
) -> Status[dict[str, Any]]:
    user, community = _staff(request, slug)
    requirement = requirements.turn_on(
        actor=user,
        community=community,
        role=payload.role,
        qualification=payload.qualification,
        applies_from=payload.applies_from,
    )
    return Status(201, _out(requirement, selectors.kept_ids(requirement)))


@router.post(
    L + "/requirements/{requirement_id}/off",
    response=LearningRequirementOut,
    summary="Turn a role's requirement off (the record stays)",
)
def requirement_off(request: HttpRequest, slug: str, requirement_id: int) -> dict[str, Any]:
    user, community = _staff(request, slug)
    requirement = selectors.requirement_get(
        community=community, user=user, requirement_id=requirement_id
    )
    off = requirements.turn_off(actor=user, requirement=requirement)
    return _out(off, selectors.kept_ids(off))
