"""Mediation cases in the API, under /communities/{slug}/mediation/: the cases the caller may
see (as a party, an open mediator or the committee's head), applying, a worker's walk-in (the
answer says only that it was registered: the worker cannot read the case), one case, the
head's acceptance and assignments, the parties' consent or refusal, refusing or declining a
mediator, the hotline's referral (offer, the reporter's consent) and naming the committee.

A case, or an assignment on one, that the caller may not see is 404, as a missing one, whoever
asks (workers, officials and platform admins included). Refusals are 400 with the service's
code (``mediator_unqualified``, ``mediator_is_party``, ``mediator_refused``,
``already_accepted``, ``case_concluded``, ``no_offer`` …)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import rules
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from gongzhi.bodies.models import Body
from gongzhi.core.http import api_user
from gongzhi.core.selectors import community_get
from gongzhi.mediation import selectors, services
from gongzhi.mediation.models import Assignment, Case, MediationCommittee, Party

router = Router(tags=["mediation"])

C = "/communities/{slug}/mediation"
CASE = C + "/cases/{case_id}"
ASSIGNMENT = C + "/assignments/{assignment_id}"
TICKET = C + "/tickets/{number}"


class MediationCaseOut(Schema):
    id: int
    number: str
    kind: str = Field(..., description="noise | leak | parking | pets | shared_space | …")
    channel: str = Field(..., description="hotline | application | walk_in")
    status: str = Field(
        ..., description="applied | accepted | agreed | not_agreed | withdrawn | declined"
    )
    opened_at: datetime
    accepted_at: datetime | None
    due_on: date | None = Field(..., description="The target: concluded within a month.")
    concluded_at: datetime | None


class MediationPartyOut(Schema):
    id: int
    side: str = Field(..., description="applicant | respondent")
    name: str
    is_me: bool
    consented_at: datetime | None
    refused_at: datetime | None


class MediationAssignmentOut(Schema):
    id: int
    case: int
    mediator: int
    mediator_name: str
    assigned_at: datetime
    ended_at: datetime | None
    end_reason: str = Field(..., description="'' while open | conflict | refused | replaced")


class MediationCaseDetailOut(MediationCaseOut):
    summary: str
    parties: list[MediationPartyOut]
    mediators: list[MediationAssignmentOut] = Field(..., description="Open assignments.")
    my_side: str = Field(..., description="applicant | respondent | '' (not a party)")
    i_mediate: bool
    i_head: bool


class MediationApplyIn(Schema):
    kind: str = Field(..., description="A dispute kind: noise, leak, parking, pets, …")
    summary: str = Field(..., min_length=1, max_length=5000)
    respondent_phone: str = Field("", max_length=30, description="The other side's mobile.")
    respondent_name: str = Field("", max_length=100, description="Or their (company's) name.")


class MediationWalkInIn(MediationApplyIn):
    applicant_phone: str = Field(..., min_length=1, max_length=30)
    applicant_name: str = Field("", max_length=100, description="Needed without an account.")


class MediationRegisteredOut(Schema):
    registered: bool = Field(..., description="Handed to the committee; not readable by you.")


class MediationAcceptIn(Schema):
    mediators: list[int] = Field(..., description="User ids of qualified members.")


class MediationAssignIn(Schema):
    mediator: int = Field(..., description="A qualified member's user id.")


class MediationAnswerIn(Schema):
    party: int | None = Field(
        None,
        description="The head or a mediator: a party without an account they answer for.",
    )


class MediationReferralIn(Schema):
    kind: str = Field("other", description="A dispute kind.")
    respondent_phone: str = Field("", max_length=30)
    respondent_name: str = Field("", max_length=100)


class MediationOfferOut(Schema):
    offered: bool


class MediationCommitteeIn(Schema):
    body: int = Field(..., description="A body of kind mediation_committee.")
    head: int = Field(..., description="The head's user id: a qualified, verified member.")
    retention_days: int | None = Field(None, ge=30, le=36500)


class MediationCommitteeOut(Schema):
    body: int
    body_name: str
    head: int
    head_name: str
    retention_days: int
    appointed_at: datetime


def _case_out(case: Case) -> dict[str, Any]:
    fields = (
        "number",
        "kind",
        "channel",
        "status",
        "opened_at",
        "accepted_at",
        "due_on",
        "concluded_at",
    )
    return {"id": case.pk, **{name: getattr(case, name) for name in fields}}


def _assignment_out(assignment: Assignment) -> dict[str, Any]:
    return {
        "id": assignment.pk,
        "case": assignment.case_id,
        "mediator": assignment.mediator_id,
        "mediator_name": str(assignment.mediator),
        "assigned_at": assignment.assigned_at,
        "ended_at": assignment.ended_at,
        "end_reason": assignment.end_reason,
    }


def _party_out(party: Party, user: Any) -> dict[str, Any]:
    return {
        "id": party.pk,
        "side": party.side,
        "name": party.name,
        "is_me": party.person_id == user.pk,
        "consented_at": party.consented_at,
        "refused_at": party.refused_at,
    }


def _case(request: HttpRequest, slug: str, case_id: int) -> Case:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    return selectors.case_get(community=community, user=user, case_id=case_id)


def _member(community: Any, user_id: int) -> Any:
    person = get_user_model().objects.filter(pk=user_id, memberships__community=community).first()
    if person is None:
        raise ValidationError(_("No member of this community is that person."), code="not_member")
    return person


def _forbidden() -> None:
    from django.core.exceptions import PermissionDenied

    raise PermissionDenied(_("You are not allowed to do this in mediation."))


@router.get(C + "/cases", response=list[MediationCaseOut], summary="My mediation cases")
def case_list(request: HttpRequest, slug: str, status: str = "") -> list[dict[str, Any]]:
    """The cases the caller is a party to or mediates (all of them for the committee's head);
    ``status``: open, concluded or a status; at most 200, newest first."""
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    cases = selectors.case_list(community=community, user=user, status=status)
    return [_case_out(c) for c in cases[:200]]


@router.post(
    C + "/cases",
    response={201: MediationCaseOut},
    summary="Ask for mediation of one's own dispute (verified residents)",
)
def case_apply(
    request: HttpRequest, slug: str, payload: MediationApplyIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    case = services.case_apply(actor=user, community=community, **payload.dict())
    return Status(201, _case_out(case))


@router.post(
    C + "/cases/walk-in",
    response={201: MediationRegisteredOut},
    summary="Register a walk-in for the committee (workers; they cannot read it afterwards)",
)
def case_register(
    request: HttpRequest, slug: str, payload: MediationWalkInIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    services.case_register(actor=user, community=community, **payload.dict())
    return Status(201, {"registered": True})


@router.get(CASE, response=MediationCaseDetailOut, summary="One mediation case")
def case_detail(request: HttpRequest, slug: str, case_id: int) -> dict[str, Any]:
    case = _case(request, slug, case_id)
    user = api_user(request)
    roles = selectors.roles_on(case, user)
    return {
        **_case_out(case),
        "summary": case.summary,
        "parties": [_party_out(p, user) for p in selectors.parties_of(case)],
        "mediators": [_assignment_out(a) for a in selectors.assignments_of(case, open_only=True)],
        "my_side": roles.side,
        "i_mediate": roles.mediator,
        "i_head": roles.head,
    }


@router.post(
    CASE + "/accept",
    response=MediationCaseOut,
    summary="Accept a case and assign its mediators (the committee's head)",
)
def case_accept(
    request: HttpRequest, slug: str, case_id: int, payload: MediationAcceptIn
) -> dict[str, Any]:
    case = _case(request, slug, case_id)
    user = api_user(request)
    if not rules.has_perm("mediation.accept_case", user, case):
        _forbidden()
    mediators = [_member(case.community, pk) for pk in payload.mediators]
    return _case_out(services.case_accept(actor=user, case=case, mediators=mediators))


@router.post(
    CASE + "/mediators",
    response={201: MediationAssignmentOut},
    summary="Add a mediator to an accepted case (the committee's head)",
)
def mediator_assign(
    request: HttpRequest, slug: str, case_id: int, payload: MediationAssignIn
) -> Status[dict[str, Any]]:
    case = _case(request, slug, case_id)
    user = api_user(request)
    if not rules.has_perm("mediation.assign_mediator", user, case):
        _forbidden()
    mediator = _member(case.community, payload.mediator)
    assignment = services.mediator_assign(actor=user, case=case, mediator=mediator)
    return Status(201, _assignment_out(assignment))


def _assignment(request: HttpRequest, slug: str, assignment_id: int) -> Assignment:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    return selectors.assignment_get(community=community, user=user, assignment_id=assignment_id)


@router.post(
    ASSIGNMENT + "/refuse",
    response=MediationAssignmentOut,
    summary="Refuse a mediator of one's case (a party)",
)
def mediator_refuse(request: HttpRequest, slug: str, assignment_id: int) -> dict[str, Any]:
    assignment = _assignment(request, slug, assignment_id)
    done = services.mediator_refuse(actor=api_user(request), assignment=assignment)
    return _assignment_out(done)


@router.post(
    ASSIGNMENT + "/decline",
    response=MediationAssignmentOut,
    summary="Decline a case for a conflict of interest (the mediator)",
)
def mediator_decline(request: HttpRequest, slug: str, assignment_id: int) -> dict[str, Any]:
    assignment = _assignment(request, slug, assignment_id)
    done = services.mediator_decline(actor=api_user(request), assignment=assignment)
    return _assignment_out(done)


def _answering(case: Case, party_id: int | None) -> Party | None:
    if party_id is None:
        return None
    row = Party.objects.in_community(case.community_id).filter(case=case, pk=party_id).first()
    if row is None:
        raise Http404
    return row


@router.post(
    CASE + "/consent",
    response=MediationPartyOut,
    summary="Agree to mediation (a party; the head or a mediator for a party without account)",
)
def party_consent(
    request: HttpRequest, slug: str, case_id: int, payload: MediationAnswerIn
) -> dict[str, Any]:
    case = _case(request, slug, case_id)
    user = api_user(request)
    row = services.party_consent(actor=user, case=case, party=_answering(case, payload.party))
    return _party_out(row, user)


@router.post(
    CASE + "/refuse",
    response=MediationCaseOut,
    summary="Refuse mediation (a party): the case is not taken up",
)
def party_refuse(
    request: HttpRequest, slug: str, case_id: int, payload: MediationAnswerIn
) -> dict[str, Any]:
    case = _case(request, slug, case_id)
    user = api_user(request)
    return _case_out(
        services.party_refuse(actor=user, case=case, party=_answering(case, payload.party))
    )


def _ticket(request: HttpRequest, slug: str, number: int) -> Any:
    from gongzhi.feedback.models import Ticket

    user = api_user(request)
    community = community_get(slug=slug, user=user)
    ticket = (
        Ticket.objects.in_community(community)
        .filter(number=number)
        .select_related("community", "category")
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


@router.post(
    TICKET + "/mediation-offer",
    response=MediationOfferOut,
    summary="Offer the reporter of a neighbour dispute to refer it to mediation (its handlers)",
)
def referral_offer(request: HttpRequest, slug: str, number: int) -> dict[str, Any]:
    ticket = _ticket(request, slug, number)
    user = api_user(request)
    # As the page: only its handlers; anyone else gets the missing ticket's 404 (the reporter
    # and those above the hotline see the ticket, but offering is not theirs).
    if not rules.has_perm("feedback.handle", user, ticket):
        raise Http404
    services.referral_offer(actor=user, ticket=ticket)
    return {"offered": True}


@router.post(
    TICKET + "/mediation-consent",
    response={201: MediationCaseOut},
    summary="Agree to refer one's own ticket to the mediation committee (its reporter)",
)
def referral_consent(
    request: HttpRequest, slug: str, number: int, payload: MediationReferralIn
) -> Status[dict[str, Any]]:
    ticket = _ticket(request, slug, number)
    user = api_user(request)
    if ticket.reporter_id != user.pk:
        raise Http404
    case = services.referral_consent(actor=user, ticket=ticket, **payload.dict())
    return Status(201, _case_out(case))


def _committee_out(committee: MediationCommittee) -> dict[str, Any]:
    return {
        "body": committee.body_id,
        "body_name": committee.body.name,
        "head": committee.head_id,
        "head_name": str(committee.head),
        "retention_days": committee.retention_days,
        "appointed_at": committee.appointed_at,
    }


@router.put(
    C + "/committee",
    response=MediationCommitteeOut,
    summary="Name the mediation committee and its head (workers, or from above)",
)
def committee_set(request: HttpRequest, slug: str, payload: MediationCommitteeIn) -> dict[str, Any]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    if not rules.has_perm("mediation.manage_committee", user, community):
        _forbidden()
    body = Body.objects.in_community(community).filter(pk=payload.body).first()
    if body is None:
        raise ValidationError(
            _("Choose a body of this community that is a people's mediation committee."),
            code="committee_body",
        )
    committee = services.committee_set(
        actor=user,
        community=community,
        body=body,
        head=_member(community, payload.head),
        retention_days=payload.retention_days,
    )
    return _committee_out(committee)
