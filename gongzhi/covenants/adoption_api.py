"""Adoption in the API, under /communities/{slug}/covenants/: opening the ratification vote of a
round's consolidated text (a worker), submitting the filing (a worker) and receiving it (a street
official who did not submit it), publishing the covenant in force, and the households'
acknowledgements (confirming for one's household — or, for a worker, a resident's paper
confirmation by phone — and the counts).

Refusals are 400 with the service's code (``not_consolidated``, ``ratification_opened``,
``electorate_invalid``, ``window_invalid``, ``not_ratified``, ``already_submitted``,
``filing_not_submitted``, ``own_filing``, ``already_received``, ``not_in_force``,
``already_published``, ``no_household``, ``not_in_building``, ``already_acknowledged``); a
covenant or round the caller may not read is 404, as a missing one."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

import rules
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from gongzhi.core.http import api_user
from gongzhi.core.policies import require
from gongzhi.core.selectors import community_get, member_by_phone
from gongzhi.covenants import adoption_selectors as selectors
from gongzhi.covenants import adoption_services as services
from gongzhi.covenants.models import Acknowledgement, Round
from gongzhi.covenants.selectors import covenant_get, round_get

router = Router(tags=["covenants"])

C = "/communities/{slug}/covenants"
ROUND = C + "/rounds/{round_id}"
ACKS = C + "/{covenant_id}/acknowledgements"


class CovenantRatificationIn(Schema):
    opens_at: datetime
    closes_at: datetime
    electorate: Literal["verified", "household"] = Field(
        "verified",
        description=(
            "For a community covenant not about owners' common parts: verified residents or one "
            "vote per household. A building covenant's building, or the owners, otherwise."
        ),
    )


class CovenantRoundAdoptionOut(Schema):
    id: int
    covenant: int
    status: str = Field(
        ..., description="open | ratifying | ratified | in_force | not_adopted | abandoned"
    )
    ratification_vote: int | None
    ratified_at: datetime | None
    filing_submitted_at: datetime | None
    filing_received_at: datetime | None
    filing_reference: str
    in_force_from: date | None
    published_at: datetime | None
    note: str


class CovenantFilingReceiptIn(Schema):
    reference: str = Field("", max_length=60, description="The street office's filing number.")


class CovenantAcknowledgeIn(Schema):
    phone: str = Field(
        "",
        max_length=20,
        description="A worker recording a resident's paper confirmation: the resident's phone.",
    )


class CovenantAcknowledgementOut(Schema):
    id: int
    version: int
    household: int
    created_at: datetime
    recorded_on_paper: bool


class CovenantHouseholdAckOut(Schema):
    household: int
    unit: str
    building: str
    person: str
    created_at: datetime
    recorded_on_paper: bool


class CovenantAcknowledgementsOut(Schema):
    version: int | None = Field(..., description="The version in force, if any.")
    acknowledged: int = Field(..., description="Households that confirmed it.")
    households: int = Field(..., description="Households it applies to.")
    mine: bool = Field(..., description="The caller's household confirmed it.")
    items: list[CovenantHouseholdAckOut] = Field(
        ..., description="Which households confirmed (for the community's staff; else empty)."
    )


def _round_out(round_: Round) -> dict[str, Any]:
    return {
        "id": round_.pk,
        "covenant": round_.covenant_id,
        "status": round_.status,
        "ratification_vote": round_.ratification_vote_id,
        "ratified_at": round_.ratified_at,
        "filing_submitted_at": round_.filing_submitted_at,
        "filing_received_at": round_.filing_received_at,
        "filing_reference": round_.filing_reference,
        "in_force_from": round_.in_force_from,
        "published_at": round_.published_at,
        "note": round_.closing_note,
    }


def _round(request: HttpRequest, slug: str, round_id: int) -> tuple[Any, Round]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    return user, round_get(community=community, user=user, round_id=round_id)


@router.post(
    ROUND + "/ratification",
    response={201: CovenantRoundAdoptionOut},
    summary="Put a consolidated covenant to its ratification vote (community workers)",
)
def ratification_open(
    request: HttpRequest, slug: str, round_id: int, payload: CovenantRatificationIn
) -> Status[dict[str, Any]]:
    user, round_ = _round(request, slug, round_id)
    round_ = services.ratification_open(
        actor=user,
        round=round_,
        opens_at=payload.opens_at,
        closes_at=payload.closes_at,
        electorate=payload.electorate,
    )
    return Status(201, _round_out(round_))


@router.post(
    ROUND + "/filing",
    response=CovenantRoundAdoptionOut,
    summary="Submit a ratified covenant for filing with the street office (community workers)",
)
def filing_submit(request: HttpRequest, slug: str, round_id: int) -> dict[str, Any]:
    user, round_ = _round(request, slug, round_id)
    services.ratification_settle(round_)
    return _round_out(services.filing_submit(actor=user, round=round_))


@router.post(
    ROUND + "/filing/receipt",
    response=CovenantRoundAdoptionOut,
    summary="Receive a covenant's filing for the street office (not who submitted it)",
)
def filing_receive(
    request: HttpRequest, slug: str, round_id: int, payload: CovenantFilingReceiptIn
) -> dict[str, Any]:
    user, round_ = _round(request, slug, round_id)
    round_ = services.filing_receive(actor=user, round=round_, reference=payload.reference)
    return _round_out(round_)


@router.post(
    ROUND + "/publish",
    response=CovenantRoundAdoptionOut,
    summary="Publish a covenant in force: disclosure, notice board, households told",
)
def publish(request: HttpRequest, slug: str, round_id: int) -> dict[str, Any]:
    user, round_ = _round(request, slug, round_id)
    return _round_out(services.covenant_publish(actor=user, round=round_))


@router.post(
    ACKS,
    response={201: CovenantAcknowledgementOut},
    summary="Confirm for one's household that it read the covenant in force",
)
def acknowledge(
    request: HttpRequest, slug: str, covenant_id: int, payload: CovenantAcknowledgeIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    covenant = covenant_get(community=community, user=user, covenant_id=covenant_id)
    on_behalf_of = None
    if payload.phone.strip():
        # Who may not write for others is refused before the number is looked up: otherwise
        # the two answers would tell anyone whether a phone number is a member's.
        require("core.act_on_behalf", user, community)
        on_behalf_of = member_by_phone(phone=payload.phone, community=community)
    row: Acknowledgement = services.acknowledge(
        actor=user, covenant=covenant, on_behalf_of=on_behalf_of
    )
    return Status(
        201,
        {
            "id": row.pk,
            "version": row.version_id,
            "household": row.household_id,
            "created_at": row.created_at,
            "recorded_on_paper": row.recorded_by_id is not None,
        },
    )


@router.get(
    ACKS,
    response=CovenantAcknowledgementsOut,
    summary="How many households confirmed the covenant in force (which ones, for the staff)",
)
def acknowledgements(request: HttpRequest, slug: str, covenant_id: int) -> dict[str, Any]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    covenant = covenant_get(community=community, user=user, covenant_id=covenant_id)
    state = selectors.adoption_of(covenant, user)
    items = []
    if rules.has_perm("covenants.view_acknowledgements", user, community):
        items = [
            {
                "household": row.household_id,
                "unit": row.household.unit,
                "building": row.household.building.name,
                "person": getattr(row.person, "display_name", "") or "",
                "created_at": row.created_at,
                "recorded_on_paper": row.recorded_by_id is not None,
            }
            for row in selectors.acknowledgements(covenant)
        ]
    return {
        "version": covenant.in_force_id,
        "acknowledged": state.counts.acknowledged,
        "households": state.counts.households,
        "mine": state.mine is not None,
        "items": items,
    }
