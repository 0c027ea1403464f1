"""Who may see and act on mediation cases (the cases part; every part builds on these).

A case is confidential (人民调解法 art. 15, 23): ONLY its parties' persons, its mediators whose
assignment is open (not refused by a party, not declined for a conflict, not replaced) and the
committee's head see it. Community workers, supervisors, street officials and platform admins
do not, unless they are one of those: for everyone else a case answers the same 404 as a
missing one, in the pages and the API. ``visible_cases`` is the same rule as a filter; lists
never read cases any other way.

- ``mediation.view_case`` (a Case): a party, an open mediator, the head.
- ``mediation.accept_case`` / ``mediation.assign_mediator`` (a Case): the committee's head.
- ``mediation.apply`` (a Community): a verified resident applies for themself.
- ``mediation.register_case`` (a Community): a community worker registers a walk-in (and then
  cannot read it: registering gives no right to see).
- ``mediation.manage_committee`` (a Community): a community worker, or those above the
  community, name the committee and its head.
- ``mediation.view_committee`` (a Community): members and staff read who the committee and its
  head are (a people's mediation committee is public; its cases are not).
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q

from gongzhi.core.policies import (
    is_community_worker,
    is_member,
    is_platform_admin,
    is_verified_resident,
    oversees,
)


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "pk", None) is not None


def _community_id(obj: Any) -> int | None:
    from gongzhi.core.models import Community

    if obj is None:
        return None
    if isinstance(obj, Community):
        return int(obj.pk)
    return getattr(obj, "community_id", None)


def head_id(community_id: int) -> int | None:
    """The user id of the committee's head in this community, or None without a committee."""
    from gongzhi.mediation.models import MediationCommittee

    return (
        MediationCommittee.objects.in_community(community_id)
        .values_list("head_id", flat=True)
        .first()
    )


@rules.predicate
def is_committee_head(user: Any, obj: Any) -> bool:
    """The head of the mediation committee of ``obj``'s community (a case, the community)."""
    cid = _community_id(obj)
    return _signed_in(user) and cid is not None and head_id(cid) == user.pk


@rules.predicate
def is_party(user: Any, case: Any) -> bool:
    """A party's person on ``case`` (applicant or respondent)."""
    from gongzhi.mediation.models import Party

    if not _signed_in(user) or getattr(case, "pk", None) is None:
        return False
    return (
        Party.objects.in_community(case.community_id).filter(case_id=case.pk, person=user).exists()
    )


@rules.predicate
def is_case_mediator(user: Any, case: Any) -> bool:
    """A mediator on ``case`` whose assignment is open (a refused, declined or replaced one is
    not)."""
    from gongzhi.mediation.models import Assignment

    if not _signed_in(user) or getattr(case, "pk", None) is None:
        return False
    return (
        Assignment.objects.in_community(case.community_id)
        .filter(case_id=case.pk, mediator=user, ended_at__isnull=True)
        .exists()
    )


view_case = is_party | is_case_mediator | is_committee_head
manage_committee = is_community_worker | oversees | is_platform_admin

rules.add_perm("mediation.view_case", view_case)
rules.add_perm("mediation.accept_case", is_committee_head)
rules.add_perm("mediation.assign_mediator", is_committee_head)
rules.add_perm("mediation.apply", is_verified_resident)
rules.add_perm("mediation.register_case", is_community_worker)
rules.add_perm("mediation.manage_committee", manage_committee)
rules.add_perm("mediation.view_committee", is_member | manage_committee)


def visible_cases(user: Any, community: Any) -> Q:
    """``mediation.view_case`` as a filter on the cases of ``community`` (a Community or its
    id): the head sees all of them, anyone else the cases they are a party to or mediate."""
    from gongzhi.mediation.models import Assignment, Party

    cid = community if isinstance(community, int) else _community_id(community)
    if not _signed_in(user) or cid is None:
        return Q(pk__in=[])
    if head_id(cid) == user.pk:
        return Q(community_id=cid)
    parties = Party.objects.in_community(cid).filter(person=user).values("case_id")
    mediating = (
        Assignment.objects.in_community(cid)
        .filter(mediator=user, ended_at__isnull=True)
        .values("case_id")
    )
    return Q(pk__in=parties) | Q(pk__in=mediating)


def can_view(user: Any, case: Any) -> bool:
    return bool(rules.has_perm("mediation.view_case", user, case))


def is_head(user: Any, community: Any) -> bool:
    return bool(is_committee_head(user, community))
