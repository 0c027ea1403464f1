"""Partners in the API: a community's partners with their services and rating summaries (its
members), rating a service (verified residents), recording a contribution (community
workers). Money is a decimal string in yuan; a money contribution answers with the ledger
entry it created, whose receipt is attached at ``/ledger/entries/{id}/voucher``. Errors are the
API's ``{code, message}``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from gongzhi.bodies import partners
from gongzhi.bodies.models import Contribution, ServiceRating
from gongzhi.core.http import api_user
from gongzhi.core.selectors import community_get
from gongzhi.disclosure.money import as_decimal

router = Router(tags=["bodies"])

C = "/communities/{slug}/partners"


class PartnerRatingSummaryOut(Schema):
    count: int
    average: float | None


class PartnerServiceOut(Schema):
    id: int
    title: str
    description: str
    rating: PartnerRatingSummaryOut


class PartnerAgreementOut(Schema):
    id: int
    partner: str
    partner_kind: str
    scope: str
    starts_on: date
    ends_on: date
    status: str
    services: list[PartnerServiceOut]


class PartnerRatingIn(Schema):
    stars: int
    comment: str = ""


class PartnerRatingOut(Schema):
    service: int
    stars: int
    comment: str
    rated_at: datetime


class PartnerContributionIn(Schema):
    agreement: int
    kind: str
    description: str
    given_on: date
    value: Decimal | None = None


class PartnerContributionOut(Schema):
    id: int
    agreement: int
    kind: str
    description: str
    value: Decimal | None
    given_on: date
    ledger_entry: int | None


def _agreement_out(row: partners.AgreementRow) -> dict[str, object]:
    agreement = row.agreement
    return {
        "id": agreement.pk,
        "partner": agreement.partner.name,
        "partner_kind": agreement.partner.kind,
        "scope": agreement.scope,
        "starts_on": agreement.starts_on,
        "ends_on": agreement.ends_on,
        "status": row.status,
        "services": [
            {
                "id": s.pk,
                "title": s.title,
                "description": s.description,
                "rating": {"count": r.count, "average": r.average},
            }
            for s, r in row.services
        ],
    }


@router.get(
    C,
    response=list[PartnerAgreementOut],
    summary="The community's partners under agreements in force, their services and ratings",
)
def partner_list(request: HttpRequest, slug: str) -> list[dict[str, object]]:
    user = api_user(request)
    community = community_get(slug=slug, user=user, perm="bodies.view_partners")
    rows = partners.community_agreements(community=community, in_force_only=True)
    return [_agreement_out(row) for row in rows]


def _rating_out(rating: ServiceRating) -> dict[str, object]:
    return {
        "service": rating.service_id,
        "stars": rating.stars,
        "comment": rating.comment,
        "rated_at": rating.rated_at,
    }


@router.post(
    C + "/services/{service_id}/rating",
    response=PartnerRatingOut,
    summary="Rate a partner's service from 1 to 5 stars, or change your rating",
)
def service_rate(
    request: HttpRequest, slug: str, service_id: int, payload: PartnerRatingIn
) -> dict[str, object]:
    user = api_user(request)
    community = community_get(slug=slug, user=user, perm="bodies.view_partners")
    service = partners.service_get(community=community, service_id=service_id)
    rating = partners.service_rate(
        actor=user, service=service, stars=payload.stars, comment=payload.comment
    )
    return _rating_out(rating)


def _contribution_out(contribution: Contribution) -> dict[str, object]:
    return {
        "id": contribution.pk,
        "agreement": contribution.agreement_id,
        "kind": contribution.kind,
        "description": contribution.description,
        "value": as_decimal(contribution.value_fen) if contribution.value_fen else None,
        "given_on": contribution.given_on,
        "ledger_entry": contribution.ledger_entry_id,
    }


@router.post(
    C + "/contributions",
    response={201: PartnerContributionOut},
    summary="Record a partner's contribution (staff); money becomes a ledger entry to approve",
)
def contribution_record(
    request: HttpRequest, slug: str, payload: PartnerContributionIn
) -> Status[dict[str, object]]:
    user = api_user(request)
    community = community_get(slug=slug, user=user, perm="bodies.view_partners")
    try:
        agreement = partners.agreement_get(community=community, agreement_id=payload.agreement)
    except Http404 as exc:  # a missing agreement and another community's look the same
        raise ValidationError(
            _("This community has no such agreement."), code="other_community"
        ) from exc
    contribution = partners.contribution_record(
        actor=user,
        community=community,
        agreement=agreement,
        kind=payload.kind,
        description=payload.description,
        given_on=payload.given_on,
        value=payload.value,
    )
    return Status(201, _contribution_out(contribution))
