"""API routes of the awards part, under /communities/{slug}/learning/: my qualifications, the
qualifications the platform knows, a worker recording one held from outside training or
revoking one, and the public verification of a certificate by its token. Refusals are 400 with
the service's code (``own_award``, ``qualification_unknown``, ``evidence_required``,
``bad_period``, ``reason_required``, ``already_revoked``); an award or person the caller may not
act on is 404, as a missing one."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import rules
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.security import SessionAuth

from gongzhi.accounts.api import TokenAuth
from gongzhi.core import qualifications as core_qualifications
from gongzhi.core.http import api_user
from gongzhi.core.selectors import community_get
from gongzhi.learning import award_selectors as selectors
from gongzhi.learning import qualifications
from gongzhi.learning.models import Award

router = Router(tags=["learning"])

L = "/communities/{slug}/learning"


def _anyone(request: HttpRequest) -> Any:
    return AnonymousUser()


#: A certificate is checked without an account.
PUBLIC = [TokenAuth(), SessionAuth(), _anyone]


class LearningAwardOut(Schema):
    id: int
    community: str = Field(..., description="The community's slug that granted or recorded it.")
    qualification: str
    label: str
    valid_from: date
    valid_until: date | None = Field(..., description="Inclusive; null: it does not expire.")
    status: str = Field(..., description="valid | expired | revoked | not_yet")
    number: str = Field(..., description="The certificate's number; empty when recorded.")
    course: int | None
    evidence: str
    revoked_at: datetime | None
    revoke_reason: str


class LearningQualificationOut(Schema):
    code: str
    label: str


class LearningAwardRecordIn(Schema):
    qualification: str = Field(..., max_length=40)
    valid_from: date
    valid_until: date | None = None
    evidence: str = Field(..., max_length=200, description="What the worker saw.")


class LearningAwardRevokeIn(Schema):
    reason: str = Field(..., max_length=300)


class LearningAwardVerificationOut(Schema):
    number: str
    holder: str = Field(..., description="The holder's name, masked (王*芳).")
    qualification: str
    label: str
    valid_from: date
    valid_until: date | None
    status: str = Field(..., description="valid | expired | revoked | not_yet")
    course: str
    community: str
    revoked_at: datetime | None


def _out(award: Award) -> dict[str, Any]:
    return {
        "id": award.pk,
        "community": award.community.slug,
        "qualification": award.qualification,
        "label": core_qualifications.label(award.qualification),
        "valid_from": award.valid_from,
        "valid_until": award.valid_until,
        "status": selectors.status_of(award),
        "number": award.number,
        "course": award.enrolment.course_id if award.enrolment_id and award.enrolment else None,
        "evidence": award.evidence,
        "revoked_at": award.revoked_at,
        "revoke_reason": award.revoke_reason,
    }


@router.get(
    L + "/me/qualifications",
    response=list[LearningAwardOut],
    summary="My awards, in every community (a qualification is the person's)",
)
def awards_mine(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    user = api_user(request)
    community_get(slug=slug, user=user)
    return [_out(award) for award in selectors.awards_of(user)]


@router.get(
    L + "/qualifications",
    response=list[LearningQualificationOut],
    auth=PUBLIC,
    summary="The qualifications the platform knows, with their labels",
)
def qualification_list(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    community_get(slug=slug, user=request.user)
    return [
        {"code": code, "label": str(label)} for code, label in core_qualifications.known().items()
    ]


@router.post(
    L + "/people/{user_id}/qualifications",
    response={201: LearningAwardOut},
    summary="Record a qualification a member holds from outside training (a worker)",
)
def award_record(
    request: HttpRequest, slug: str, user_id: int, payload: LearningAwardRecordIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    if not rules.has_perm("learning.record_award", user, community):
        raise Http404
    person = selectors.person_in(community, user_id)
    award = qualifications.record_outside(
        actor=user,
        community=community,
        person=person,
        code=payload.qualification,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
        evidence=payload.evidence,
    )
    return Status(201, _out(award))


@router.post(
    L + "/awards/{award_id}/revoke",
    response=LearningAwardOut,
    summary="Revoke an award, with a reason (a worker; never their own)",
)
def award_revoke(
    request: HttpRequest, slug: str, award_id: int, payload: LearningAwardRevokeIn
) -> dict[str, Any]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    award = selectors.award_get(community=community, user=user, award_id=award_id)
    if not rules.has_perm("learning.revoke_award", user, award):
        raise Http404
    return _out(qualifications.revoke(actor=user, award=award, reason=payload.reason))


@router.get(
    L + "/awards/{token}/verify",
    response=LearningAwardVerificationOut,
    auth=PUBLIC,
    summary="Check a training certificate by its token (public; the holder's name masked)",
)
def award_verify(request: HttpRequest, slug: str, token: str) -> dict[str, Any]:
    community = community_get(slug=slug, user=request.user)
    award = selectors.award_by_token(community=community, token=token)
    return selectors.public_view(award)
