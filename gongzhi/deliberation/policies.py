"""Who may do what in the deliberation hall (predicates paired with SQL filters, as in core)."""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q

from gongzhi.core.models import Role
from gongzhi.core.policies import (
    ObjectRule,
    access_of,
    has_role,
    is_community_staff,
    is_community_worker,
    is_member,
    is_platform_admin,
    is_verified_resident,
)
from gongzhi.deliberation.models import OPEN_STATES, Status

is_council_member = has_role(Role.COUNCIL_MEMBER)


@rules.predicate
def is_author(user: Any, proposal: Any) -> bool:
    return bool(user.is_authenticated) and proposal.author_id == user.pk


@rules.predicate
def is_published(user: Any, proposal: Any) -> bool:
    return proposal.status != Status.DRAFT


@rules.predicate
def is_open_for_support(user: Any, proposal: Any) -> bool:
    return proposal.status in OPEN_STATES


@rules.predicate
def is_editable(user: Any, proposal: Any) -> bool:
    # Once people support a text, changing it is only fair while support is still gathered,
    # and every edit is kept (ProposalRevision) so supporters can see what changed.
    return proposal.status in {Status.DRAFT, Status.GATHERING}


def _proposal_q(user: Any) -> Q:
    visible = ~Q(status=Status.DRAFT)
    if not user.is_authenticated:
        return visible
    access = access_of(user)
    if access.is_admin:
        return ~Q(pk=None)
    return visible | Q(author=user) | Q(community__in=access.staff_communities())


view_proposal = ObjectRule(is_published | is_author | is_community_staff, _proposal_q)

can_answer = is_council_member | is_community_worker | is_platform_admin

rules.add_perm("deliberation.view_proposal", view_proposal.predicate)
rules.add_perm("deliberation.create_proposal", is_member)
rules.add_perm("deliberation.edit_proposal", is_author & is_editable)
rules.add_perm("deliberation.support_proposal", is_verified_resident & is_open_for_support)
rules.add_perm("deliberation.comment", is_member & is_published)
rules.add_perm("deliberation.answer_proposal", can_answer & is_published)
