"""Attendance and lending in the API, under /communities/{slug}/spaces/: checking in at a space
with the code its door shows (and the code itself, for the managers' screen), appealing a
no-show and deciding appeals, recording a fee paid, the things lent out, lending, taking back,
and my loans. Refusals are 400 with the service's code (``checkin_no_booking``,
``checkin_too_early``, ``checkin_released``, ``checkin_code``, ``appeal_twice``,
``appeal_no_answer``, ``fee_paid_twice``, ``loan_none_left``, ``loan_to_oneself``,
``loan_return_own``, ``not_member`` …); what the caller may not act on is 404, as a missing
one."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from gongzhi.core import checkin
from gongzhi.core.http import api_user
from gongzhi.core.models import Community
from gongzhi.core.selectors import community_get, member_by_phone
from gongzhi.spaces import attendance, lending
from gongzhi.spaces import lending_selectors as selectors
from gongzhi.spaces.models import Booking, Loan, NoShowAppeal, Resource, Space

router = Router(tags=["spaces"])

C = "/communities/{slug}/spaces"


def _community(slug: str, user: Any) -> Community:
    return community_get(slug=slug, user=user, perm="spaces.view_spaces")


# --- Schemas ---------------------------------------------------------------------------------


class SpaceCheckinIn(Schema):
    code: str = Field(..., description="The code in the QR the space's door shows.")


class SpaceCheckinOut(Schema):
    booking: int
    space: int
    starts_at: datetime
    ends_at: datetime
    checked_in_at: datetime


class SpaceCheckinCodeOut(Schema):
    code: str
    scan_url: str = Field(..., description="The path the QR code opens.")
    seconds_left: int = Field(..., description="Until the code changes.")


class SpaceAppealIn(Schema):
    reason: str


class SpaceAppealDecideIn(Schema):
    overturn: bool = Field(..., description="True withdraws the no-show; False upholds it.")
    answer: str = Field("", description="Needed when the no-show stands.")


class SpaceAppealOut(Schema):
    id: int
    booking: int
    space: int
    starts_at: datetime
    person: int
    reason: str
    status: str = Field(..., description="open | upheld | overturned")
    answer: str
    decided_by: int | None
    decided_at: datetime | None


class SpaceFeeOut(Schema):
    booking: int
    fee: Decimal
    fee_paid_at: datetime
    ledger_entry: int = Field(..., description="The income entry, awaiting approval.")


class SpaceResourceIn(Schema):
    name: str
    kind: str = Field(..., description="furniture | equipment | tools | mobility | other")
    quantity: int = 1
    loan_days: int = 7
    note: str = ""
    kept_at: int | None = Field(None, description="The space it is kept at.")
    active: bool = True


class SpaceResourceOut(Schema):
    id: int
    name: str
    kind: str
    quantity: int
    lent: int
    left: int
    loan_days: int
    note: str
    kept_at: int | None
    active: bool


class SpaceLoanIn(Schema):
    phone: str = Field(..., description="The borrower's mobile number (a member).")
    count: int = 1
    due_on: date | None = Field(None, description="Default: today plus the loan length.")
    note: str = ""


class SpaceLoanOut(Schema):
    id: int
    resource: int
    resource_name: str
    borrower: int
    count: int
    lent_at: datetime
    due_on: date
    overdue: bool
    returned_at: datetime | None


class SpaceResourceDetailOut(SpaceResourceOut):
    loans: list[SpaceLoanOut] = Field(
        ..., description="Loans not yet returned (for those who lend it; else empty)."
    )


# --- Shapes ------------------------------------------------------------------------------------


def _appeal_out(appeal: NoShowAppeal) -> dict[str, Any]:
    booking = appeal.booking
    return {
        "id": appeal.pk,
        "booking": booking.pk,
        "space": booking.space_id,
        "starts_at": booking.starts_at,
        "person": booking.person_id,
        "reason": appeal.reason,
        "status": appeal.status,
        "answer": appeal.answer,
        "decided_by": appeal.decided_by_id,
        "decided_at": appeal.decided_at,
    }


def _resource_out(resource: Resource) -> dict[str, Any]:
    lent = int(getattr(resource, "lent", 0) or 0)
    return {
        "id": resource.pk,
        "name": resource.name,
        "kind": resource.kind,
        "quantity": resource.quantity,
        "lent": lent,
        "left": max(resource.quantity - lent, 0),
        "loan_days": resource.loan_days,
        "note": resource.note,
        "kept_at": resource.kept_at_id,
        "active": resource.active,
    }


def _loan_out(loan: Loan) -> dict[str, Any]:
    return {
        "id": loan.pk,
        "resource": loan.resource_id,
        "resource_name": loan.resource.name,
        "borrower": loan.borrower_id,
        "count": loan.count,
        "lent_at": loan.lent_at,
        "due_on": loan.due_on,
        "overdue": loan.returned_at is None and loan.due_on < timezone.localdate(),
        "returned_at": loan.returned_at,
    }


def _space(community: Community, space_id: int) -> Space:
    space = Space.objects.in_community(community).filter(pk=space_id).first()
    if space is None:
        raise Http404
    return space


# --- Check-in ----------------------------------------------------------------------------------


@router.post(
    C + "/{space_id}/checkin",
    response=SpaceCheckinOut,
    summary="Check in my current booking with the code the door shows",
)
def checkin_post(
    request: HttpRequest, slug: str, space_id: int, payload: SpaceCheckinIn
) -> dict[str, Any]:
    user = api_user(request)
    community = _community(slug, user)
    space = _space(community, space_id)
    checkin.checkin_record(actor=user, target=space, code=payload.code)
    found = attendance.current_booking(user, space, timezone.now())
    if found is None or found.checked_in_at is None:  # checkin_record raised already
        raise Http404
    return {
        "booking": found.pk,
        "space": space.pk,
        "starts_at": found.starts_at,
        "ends_at": found.ends_at,
        "checked_in_at": found.checked_in_at,
    }


@router.get(
    C + "/{space_id}/checkin-code",
    response=SpaceCheckinCodeOut,
    summary="The door's current check-in code (the space's managers)",
)
def checkin_code(request: HttpRequest, slug: str, space_id: int) -> dict[str, Any]:
    user = api_user(request)
    community = _community(slug, user)
    space = selectors.space_for_desk(community, user, space_id)
    code = checkin.current_code(space)
    return {
        "code": code,
        "scan_url": checkin.scan_url(space, code),
        "seconds_left": checkin.seconds_left(),
    }


# --- Appeals and fees --------------------------------------------------------------------------


@router.post(
    C + "/bookings/{booking_id}/appeal",
    response={201: SpaceAppealOut},
    summary="Appeal my no-show",
)
def appeal_post(
    request: HttpRequest, slug: str, booking_id: int, payload: SpaceAppealIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    community = _community(slug, user)
    booking = selectors.booking_for_appeal(community, user, booking_id)
    appeal = attendance.appeal_submit(actor=user, booking=booking, reason=payload.reason)
    return Status(201, _appeal_out(appeal))


@router.get(
    C + "/appeals",
    response=list[SpaceAppealOut],
    summary="Open appeals against no-shows at the spaces I manage",
)
def appeals_get(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    user = api_user(request)
    community = _community(slug, user)
    return [_appeal_out(appeal) for appeal in selectors.appeals_for(community, user)]


@router.post(
    C + "/appeals/{appeal_id}/decide",
    response=SpaceAppealOut,
    summary="Uphold a no-show or withdraw it (the space's managers, not the appellant)",
)
def appeal_decide(
    request: HttpRequest, slug: str, appeal_id: int, payload: SpaceAppealDecideIn
) -> dict[str, Any]:
    user = api_user(request)
    community = _community(slug, user)
    appeal = selectors.appeal_for_manager(community, user, appeal_id)
    decided = attendance.appeal_decide(
        actor=user, appeal=appeal, overturn=payload.overturn, answer=payload.answer
    )
    return _appeal_out(decided)


@router.post(
    C + "/bookings/{booking_id}/fee-paid",
    response=SpaceFeeOut,
    summary="Record a booking's fee paid in person (an income entry in the finance ledger)",
)
def fee_paid(request: HttpRequest, slug: str, booking_id: int) -> dict[str, Any]:
    user = api_user(request)
    community = _community(slug, user)
    booking: Booking = selectors.booking_for_manager(community, user, booking_id)
    paid = attendance.fee_record_paid(actor=user, booking=booking)
    assert paid.fee_paid_at is not None and paid.fee_entry_id is not None  # noqa: S101
    return {
        "booking": paid.pk,
        "fee": paid.fee,
        "fee_paid_at": paid.fee_paid_at,
        "ledger_entry": paid.fee_entry_id,
    }


# --- Things lent out ---------------------------------------------------------------------------


@router.get(C + "/resources", response=list[SpaceResourceOut], summary="Things to borrow")
def resources_get(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    user = api_user(request)
    community = _community(slug, user)
    active_only = not lending.may_manage_resources(user, community)
    return [_resource_out(r) for r in selectors.resources(community, active_only=active_only)]


def _kept_at(community: Community, space_id: int | None) -> Space | None:
    return None if space_id is None else _space(community, space_id)


@router.post(
    C + "/resources",
    response={201: SpaceResourceOut},
    summary="Add a thing the community lends out (community workers)",
)
def resource_post(
    request: HttpRequest, slug: str, payload: SpaceResourceIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    community = _community(slug, user)
    if not lending.may_manage_resources(user, community):
        raise PermissionDenied
    resource = lending.resource_create(
        actor=user,
        community=community,
        name=payload.name,
        kind=payload.kind,
        quantity=payload.quantity,
        loan_days=payload.loan_days,
        note=payload.note,
        kept_at=_kept_at(community, payload.kept_at),
    )
    return Status(201, _resource_out(selectors.resource_get(community, resource.pk, user)))


@router.get(
    C + "/resources/{resource_id}",
    response=SpaceResourceDetailOut,
    summary="A thing lent out, with its loans for those who lend it",
)
def resource_get(request: HttpRequest, slug: str, resource_id: int) -> dict[str, Any]:
    user = api_user(request)
    community = _community(slug, user)
    resource = selectors.resource_get(community, resource_id, user)
    loans = selectors.loans_of(resource) if lending.may_lend(user, resource) else []
    return {**_resource_out(resource), "loans": [_loan_out(loan) for loan in loans]}


@router.put(
    C + "/resources/{resource_id}",
    response=SpaceResourceOut,
    summary="Change a thing lent out (community workers)",
)
def resource_put(
    request: HttpRequest, slug: str, resource_id: int, payload: SpaceResourceIn
) -> dict[str, Any]:
    user = api_user(request)
    community = _community(slug, user)
    if not lending.may_manage_resources(user, community):
        raise Http404
    resource = selectors.resource_get(community, resource_id, user)
    lending.resource_update(
        actor=user,
        resource=resource,
        name=payload.name,
        kind=payload.kind,
        quantity=payload.quantity,
        loan_days=payload.loan_days,
        note=payload.note,
        kept_at=_kept_at(community, payload.kept_at),
        active=payload.active,
    )
    return _resource_out(selectors.resource_get(community, resource_id, user))


@router.post(
    C + "/resources/{resource_id}/loans",
    response={201: SpaceLoanOut},
    summary="Lend a thing to a member found by phone number",
)
def loan_post(
    request: HttpRequest, slug: str, resource_id: int, payload: SpaceLoanIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    community = _community(slug, user)
    resource = selectors.resource_get(community, resource_id, user)
    if not lending.may_lend(user, resource):
        raise Http404
    borrower = member_by_phone(phone=payload.phone, community=community)
    loan = lending.loan_lend(
        actor=user,
        resource=resource,
        borrower=borrower,
        count=payload.count,
        due_on=payload.due_on,
        note=payload.note,
    )
    return Status(201, _loan_out(loan))


@router.post(
    C + "/loans/{loan_id}/return",
    response=SpaceLoanOut,
    summary="Take back a loan (not the borrower)",
)
def loan_return(request: HttpRequest, slug: str, loan_id: int) -> dict[str, Any]:
    user = api_user(request)
    community = _community(slug, user)
    loan = selectors.loan_for_lender(community, user, loan_id)
    return _loan_out(lending.loan_return(actor=user, loan=loan))


@router.get(C + "/my-loans", response=list[SpaceLoanOut], summary="What I borrowed")
def my_loans(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    user = api_user(request)
    community = _community(slug, user)
    return [_loan_out(loan) for loan in selectors.my_loans(community, user)]
