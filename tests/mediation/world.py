"""Small builders the mediation tests share, made directly (so each part's tests do not depend
on another part's services): the committee and its head, a mediator holding the qualification,
a case between two residents with a mediator assigned."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from gongzhi.bodies.models import Body, BodyKind
from gongzhi.core.models import Role
from gongzhi.learning.models import Award
from gongzhi.mediation.models import (
    Assignment,
    Case,
    CaseStatus,
    Channel,
    DisputeKind,
    MediationCommittee,
    Party,
    Side,
)
from tests.factories import member


def qualified(person: Any, community: Any) -> Any:
    """``person`` holds the mediation qualification from today (a learning award)."""
    Award.objects.in_community(community).create(
        person=person,
        qualification="mediation",
        valid_from=timezone.localdate() - timedelta(days=1),
        granted_by=person,
    )
    return person


def mediator_of(community: Any) -> Any:
    """A member with the mediator role who holds the mediation qualification."""
    return qualified(member(community, Role.MEDIATOR), community)


def committee_of(community: Any, worker: Any, head: Any = None) -> MediationCommittee:
    body = Body.objects.in_community(community).create(
        kind=BodyKind.MEDIATION_COMMITTEE, name="人民调解委员会", created_by=worker
    )
    return MediationCommittee.objects.in_community(community).create(
        body=body, head=head or mediator_of(community), appointed_by=worker
    )


def case_of(
    community: Any,
    applicant: Any = None,
    respondent: Any = None,
    *,
    mediator: Any = None,
    status: str = CaseStatus.ACCEPTED,
    **fields: Any,
) -> Case:
    """A noise case between two residents, accepted, with ``mediator`` (a new qualified one if
    None; pass ``mediator=False`` for none) assigned by the committee's head."""
    count = Case.objects.in_community(community).count() + 1
    now = timezone.now()
    case = Case.objects.in_community(community).create(
        number=fields.pop("number", f"{community.slug.upper()}-M{now.year}-{count:06d}"),
        kind=fields.pop("kind", DisputeKind.NOISE),
        channel=fields.pop("channel", Channel.APPLICATION),
        status=status,
        summary=fields.pop("summary", "楼上深夜装修噪音。"),
        accepted_at=now if status != CaseStatus.APPLIED else None,
        due_on=(timezone.localdate() + timedelta(days=30))
        if status != CaseStatus.APPLIED
        else None,
        **fields,
    )
    applicant = applicant or member(community)
    respondent = respondent or member(community)
    for side, person in ((Side.APPLICANT, applicant), (Side.RESPONDENT, respondent)):
        Party.objects.in_community(community).create(
            case=case,
            side=side,
            person=person,
            name=person.display_name or str(person),
            consented_at=now,
        )
    if mediator is not False:
        committee = MediationCommittee.objects.in_community(community).first()
        Assignment.objects.in_community(community).create(
            case=case,
            mediator=mediator or mediator_of(community),
            assigned_by=committee.head if committee else applicant,
        )
    return case


def party(case: Case, side: str = Side.APPLICANT) -> Party:
    return case.parties.get(side=side)
