"""Mediation's proceedings in the API, under /communities/{slug}/mediation/: record a session,
confirm its notes (a party, for their own party) or record a paper signature of them with its
scan (a mediator), draft the agreement, record a party's paper signature of it, sign it (a party for
their own party; a mediator on the case as the mediator), seal it (the committee's head), its
PDF, conclude a case without agreement or withdraw it, record a follow-up visit, attach a file.

Everything is about one case the caller may see (a party, an open mediator, the committee's
head); any other case, session or agreement is the same 404 as a missing one. Refusals are 400
with the service's code (``not_your_agreement``, ``signatures_missing``, ``agreement_incomplete``,
``referral_advice_missing``, ``case_not_open`` …). Nothing answered names the other party beyond
what the case's viewers see on its page.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile

from gongzhi.core.http import api_user
from gongzhi.core.pdf import pdf_response
from gongzhi.core.selectors import community_get
from gongzhi.mediation import proceeding_selectors as selectors
from gongzhi.mediation import proceedings
from gongzhi.mediation.models import Agreement, Case, Confirmation
from gongzhi.mediation.policies import is_case_mediator, is_party

router = Router(tags=["mediation"])

C = "/communities/{slug}/mediation"
CASE = C + "/cases/{case_id}"
AGREEMENT = C + "/agreements/{agreement_id}"


class MediationSittingIn(Schema):
    held_at: datetime
    place: str = Field("", max_length=500)
    notes: str = Field(..., max_length=proceedings.MAX_TEXT)


class MediationSittingOut(Schema):
    id: int
    held_at: datetime
    place: str
    notes: str
    has_scan: bool


class MediationConfirmationOut(Schema):
    id: int
    party: int
    via: str = Field(..., description="phone | paper")
    confirmed_at: datetime


class MediationAgreementIn(Schema):
    facts: str = Field(..., max_length=proceedings.MAX_TEXT)
    terms: str = Field(..., max_length=proceedings.MAX_TEXT)
    performance: str = Field(..., max_length=proceedings.MAX_TEXT)
    perform_by: date


class MediationAgreementOut(Schema):
    id: int
    case: int
    facts: str
    terms: str
    performance: str
    perform_by: date
    signed_by_parties: list[int] = Field(..., description="The parties who signed.")
    mediator_signed_at: datetime | None
    sealed_at: datetime | None


class MediationConcludeIn(Schema):
    outcome: str = Field(..., description="not_agreed | withdrawn")
    referral_advice: str = Field("", max_length=proceedings.MAX_TEXT)


class MediationCaseStateOut(Schema):
    id: int
    status: str
    due_on: date | None
    overdue: bool
    concluded_at: datetime | None


class MediationFollowUpIn(Schema):
    visited_on: date
    performance: str = Field(..., description="full | partial | none | not_due")
    notes: str = Field("", max_length=proceedings.MAX_TEXT)


class MediationFollowUpOut(Schema):
    id: int
    visited_on: date
    performance: str
    notes: str


class MediationAttachmentOut(Schema):
    id: int
    name: str
    uploaded_at: datetime


def _case(request: HttpRequest, slug: str, case_id: int) -> tuple[Any, Case]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    return user, selectors.case_get(community=community, user=user, case_id=case_id)


def _agreement(request: HttpRequest, slug: str, agreement_id: int) -> tuple[Any, Agreement]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    return user, selectors.agreement_get(community=community, user=user, agreement_id=agreement_id)


def _confirmation_out(confirmation: Confirmation) -> dict[str, Any]:
    return {
        "id": confirmation.pk,
        "party": confirmation.party_id,
        "via": confirmation.via,
        "confirmed_at": confirmation.confirmed_at,
    }


def _agreement_out(agreement: Agreement) -> dict[str, Any]:
    signed = Confirmation.objects.in_community(agreement.community_id).filter(agreement=agreement)
    return {
        "id": agreement.pk,
        "case": agreement.case_id,
        "facts": agreement.facts,
        "terms": agreement.terms,
        "performance": agreement.performance,
        "perform_by": agreement.perform_by,
        "signed_by_parties": sorted(signed.values_list("party_id", flat=True)),
        "mediator_signed_at": agreement.mediator_signed_at,
        "sealed_at": agreement.sealed_at,
    }


def _state_out(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "status": case.status,
        "due_on": case.due_on,
        "overdue": proceedings.is_overdue(case),
        "concluded_at": case.concluded_at,
    }


@router.post(
    CASE + "/sittings",
    response={201: MediationSittingOut},
    summary="Record a mediation session and its notes (a mediator on the case)",
)
def sitting_record(
    request: HttpRequest, slug: str, case_id: int, payload: MediationSittingIn
) -> Any:
    user, case = _case(request, slug, case_id)
    sitting = proceedings.sitting_record(
        actor=user, case=case, held_at=payload.held_at, place=payload.place, notes=payload.notes
    )
    return Status(
        201,
        {
            "id": sitting.pk,
            "held_at": sitting.held_at,
            "place": sitting.place,
            "notes": sitting.notes,
            "has_scan": bool(sitting.scan),
        },
    )


@router.post(
    C + "/sittings/{sitting_id}/confirm",
    response={201: MediationConfirmationOut},
    summary="Confirm a session's notes (a party, for their own party)",
)
def notes_confirm(request: HttpRequest, slug: str, sitting_id: int) -> Any:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    sitting = selectors.sitting_get(community=community, user=user, sitting_id=sitting_id)
    return Status(201, _confirmation_out(proceedings.notes_confirm(actor=user, sitting=sitting)))


def _paper(confirmation: Confirmation) -> Any:
    return Status(201, _confirmation_out(confirmation))


@router.post(
    C + "/sittings/{sitting_id}/parties/{party_id}/paper",
    response={201: MediationConfirmationOut},
    summary="Record that a party signed a session's notes on paper, with the scan (a mediator)",
)
def notes_paper(
    request: HttpRequest, slug: str, sitting_id: int, party_id: int, scan: File[UploadedFile]
) -> Any:
    """As the page's paper signature: a photo or PDF of the signed notes, kept encrypted."""
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    sitting = selectors.sitting_get(community=community, user=user, sitting_id=sitting_id)
    party = selectors.party_get(sitting.case, party_id)
    return _paper(proceedings.notes_paper(actor=user, sitting=sitting, party=party, scan=scan))


@router.post(
    CASE + "/agreement",
    response=MediationAgreementOut,
    summary="Write or rewrite the agreement's content (a mediator; until the first signature)",
)
def agreement_draft(
    request: HttpRequest, slug: str, case_id: int, payload: MediationAgreementIn
) -> dict[str, Any]:
    user, case = _case(request, slug, case_id)
    agreement = proceedings.agreement_draft(actor=user, case=case, **payload.dict())
    return _agreement_out(agreement)


@router.post(
    AGREEMENT + "/sign",
    response={201: MediationAgreementOut},
    summary="Sign the agreement: a party for their own party, or a mediator on the case",
)
def agreement_sign(request: HttpRequest, slug: str, agreement_id: int) -> Any:
    user, agreement = _agreement(request, slug, agreement_id)
    case = agreement.case
    if is_case_mediator(user, case) and not is_party(user, case):
        proceedings.agreement_mediator_sign(actor=user, agreement=agreement)
    else:
        proceedings.agreement_sign(actor=user, agreement=agreement)
    agreement.refresh_from_db()
    return Status(201, _agreement_out(agreement))


@router.post(
    AGREEMENT + "/parties/{party_id}/paper",
    response={201: MediationConfirmationOut},
    summary="Record that a party signed the agreement on paper, with the scan (a mediator)",
)
def agreement_paper(
    request: HttpRequest, slug: str, agreement_id: int, party_id: int, scan: File[UploadedFile]
) -> Any:
    """As the page's paper signature: a photo or PDF of the signed agreement, kept encrypted."""
    user, agreement = _agreement(request, slug, agreement_id)
    party = selectors.party_get(agreement.case, party_id)
    return _paper(
        proceedings.agreement_paper_sign(actor=user, agreement=agreement, party=party, scan=scan)
    )


@router.post(
    AGREEMENT + "/seal",
    response=MediationAgreementOut,
    summary="Seal the agreement for the committee (its head; once everyone signed)",
)
def agreement_seal(request: HttpRequest, slug: str, agreement_id: int) -> dict[str, Any]:
    user, agreement = _agreement(request, slug, agreement_id)
    return _agreement_out(proceedings.agreement_seal(actor=user, agreement=agreement))


@router.get(
    AGREEMENT + "/pdf",
    response={200: None},
    summary="The agreement as a PDF (人民调解协议书), for the case's parties, mediators and head",
)
def agreement_pdf(request: HttpRequest, slug: str, agreement_id: int) -> HttpResponse:
    _user, agreement = _agreement(request, slug, agreement_id)
    response = pdf_response(
        selectors.agreement_pdf_bytes(agreement),
        filename=_("mediation agreement %(number)s.pdf") % {"number": agreement.case.number},
    )
    response["Cache-Control"] = "private, no-store"
    return response


@router.post(
    CASE + "/conclude",
    response=MediationCaseStateOut,
    summary="Conclude a case without agreement (with referral advice) or as withdrawn",
)
def case_conclude(
    request: HttpRequest, slug: str, case_id: int, payload: MediationConcludeIn
) -> dict[str, Any]:
    user, case = _case(request, slug, case_id)
    case = proceedings.case_conclude(
        actor=user, case=case, outcome=payload.outcome, referral_advice=payload.referral_advice
    )
    return _state_out(case)


@router.post(
    CASE + "/withdraw",
    response=MediationCaseStateOut,
    summary="Withdraw the case (its applicant)",
)
def case_withdraw(request: HttpRequest, slug: str, case_id: int) -> dict[str, Any]:
    user, case = _case(request, slug, case_id)
    return _state_out(proceedings.case_withdraw(actor=user, case=case))


@router.post(
    CASE + "/follow-ups",
    response={201: MediationFollowUpOut},
    summary="Record a follow-up visit on an agreed case (a mediator or the head)",
)
def follow_up_record(
    request: HttpRequest, slug: str, case_id: int, payload: MediationFollowUpIn
) -> Any:
    user, case = _case(request, slug, case_id)
    visit = proceedings.follow_up_record(actor=user, case=case, **payload.dict())
    return Status(
        201,
        {
            "id": visit.pk,
            "visited_on": visit.visited_on,
            "performance": visit.performance,
            "notes": visit.notes,
        },
    )


@router.post(
    CASE + "/attachments",
    response={201: MediationAttachmentOut},
    summary="Attach a photo or PDF to a case (kept encrypted; its viewers only)",
)
def attachment_add(request: HttpRequest, slug: str, case_id: int, file: File[UploadedFile]) -> Any:
    user, case = _case(request, slug, case_id)
    attachment = proceedings.attachment_add(actor=user, case=case, file=file)
    return Status(
        201, {"id": attachment.pk, "name": attachment.name, "uploaded_at": attachment.uploaded_at}
    )
