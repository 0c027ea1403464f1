"""Reads of the cases part that pages and the API share. Every read of a case goes through
``visible_cases`` (its filter) or ``case_get`` (404 for a case the reader may not see, as for a
missing one): never a list of all cases. Sealed texts are read only once a case is in hand,
never filtered or ordered on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from gongzhi.mediation.models import (
    CONCLUDED,
    Assignment,
    Case,
    MediationCommittee,
    Party,
    Side,
)
from gongzhi.mediation.policies import (
    can_view,
    head_id,
    is_case_mediator,
    is_party,
    visible_cases,
)

__all__ = [
    "CaseRoles",
    "assignment_get",
    "assignments_of",
    "case_get",
    "case_list",
    "committee_of",
    "head_id",
    "mediators_available",
    "parties_of",
    "party_of",
    "roles_on",
    "visible_cases",
]


def committee_of(community: Any) -> MediationCommittee | None:
    return (
        MediationCommittee.objects.in_community(community)
        .select_related("body", "head", "appointed_by")
        .first()
    )


def case_list(*, community: Any, user: Any, status: str = "") -> QuerySet[Case]:
    """The cases of ``community`` that ``user`` may see, newest first; ``status``: "open"
    (applied or accepted), "concluded", or one CaseStatus value."""
    cases = Case.objects.in_community(community).filter(visible_cases(user, community))
    if status == "open":
        cases = cases.exclude(status__in=[s.value for s in CONCLUDED])
    elif status == "concluded":
        cases = cases.filter(status__in=[s.value for s in CONCLUDED])
    elif status:
        cases = cases.filter(status=status)
    return cases.order_by("-opened_at", "-pk")


def case_get(*, community: Any, user: Any, case_id: int) -> Case:
    """One case ``user`` may see; 404 otherwise (a forbidden case looks missing)."""
    case = (
        Case.objects.in_community(community)
        .filter(visible_cases(user, community), pk=case_id)
        .select_related("community")
        .first()
    )
    if case is None:
        raise Http404
    return case


def parties_of(case: Case) -> list[Party]:
    return list(
        Party.objects.in_community(case.community_id)
        .filter(case=case)
        .select_related("person")
        .order_by("side", "pk")
    )


def party_of(case: Case, user: Any) -> Party | None:
    """``user``'s own party row on ``case``, if they are a party."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Party.objects.in_community(case.community_id).filter(case=case, person=user).first()


def assignments_of(case: Case, *, open_only: bool = False) -> list[Assignment]:
    rows = Assignment.objects.in_community(case.community_id).filter(case=case)
    if open_only:
        rows = rows.filter(ended_at__isnull=True)
    return list(rows.select_related("mediator").order_by("assigned_at", "pk"))


def assignment_get(*, community: Any, user: Any, assignment_id: int) -> Assignment:
    """An assignment on a case ``user`` may see; 404 otherwise."""
    assignment = (
        Assignment.objects.in_community(community)
        .filter(pk=assignment_id)
        .select_related("case", "mediator")
        .first()
    )
    if assignment is None or not can_view(user, assignment.case):
        raise Http404
    return assignment


@dataclass(frozen=True)
class CaseRoles:
    """What ``user`` is on a case: the side of their party (or ""), an open mediator, the head."""

    side: str
    mediator: bool
    head: bool

    @property
    def any(self) -> bool:
        return bool(self.side) or self.mediator or self.head


def roles_on(case: Case, user: Any) -> CaseRoles:
    own = party_of(case, user) if is_party(user, case) else None
    return CaseRoles(
        side=own.side if own is not None else "",
        mediator=bool(is_case_mediator(user, case)),
        head=getattr(user, "pk", None) is not None and head_id(case.community_id) == user.pk,
    )


def applicant_of(case: Case) -> Party | None:
    return (
        Party.objects.in_community(case.community_id).filter(case=case, side=Side.APPLICANT).first()
    )


def mediators_available(community: Any) -> list[Any]:
    """The community's mediators (the mediator role, in force) and the committee's head who
    hold the mediation qualification today: the head's choice when assigning a case."""
    from django.contrib.auth import get_user_model

    from gongzhi.core import qualifications
    from gongzhi.core.models import Membership, Role, RoleGrant, active_grant_q

    grants = RoleGrant.objects.in_community(community).filter(active_grant_q(), role=Role.MEDIATOR)
    members = Membership.objects.in_community(community).filter(
        pk__in=grants.values("membership_id")
    )
    ids = set(members.values_list("user_id", flat=True))
    head = head_id(community if isinstance(community, int) else community.pk)
    if head is not None:
        ids.add(head)
    people = (
        get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("display_name", "pk")
    )
    today = timezone.localdate()
    return [p for p in people if not qualifications.missing(p, ["mediation"], today)]
