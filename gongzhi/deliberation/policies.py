"""Who may do what in the deliberation hall (predicates paired with SQL filters, as in core).

Who moderates (R1.1): the community's workers (社区工作者) and its council members (议事会成员),
and platform admins. Not mediators — they mediate disputes between neighbours and must stay
neutral towards both sides, which judging their words would compromise — and not street
officials, who oversee communities but do not run their daily discussion. Any moderator may
decide an appeal (the queue shows who hid the item, so another one can take it), except on
their own item: nobody decides their own appeal.
"""

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
from gongzhi.deliberation.models import OPEN_STATES, Comment, Proposal, Status

is_council_member = has_role(Role.COUNCIL_MEMBER)
is_moderator = is_community_worker | is_council_member | is_platform_admin
MODERATOR_ROLES = {Role.COMMUNITY_WORKER, Role.COUNCIL_MEMBER}


def subject_of(item: Proposal | Comment) -> Any:
    """What the item is discussed under: a proposal is its own subject; a comment's subject is
    a proposal or another app's ``DiscussionSubject``."""
    return item if isinstance(item, Proposal) else item.subject


@rules.predicate
def is_author(user: Any, proposal: Any) -> bool:
    return bool(user.is_authenticated) and proposal.author_id == user.pk


@rules.predicate
def is_published(user: Any, proposal: Any) -> bool:
    return proposal.status != Status.DRAFT


@rules.predicate
def is_hidden(user: Any, item: Any) -> bool:
    """The item itself (a proposal, or a comment) is hidden by the moderators."""
    return item.hidden_at is not None


@rules.predicate
def in_hidden_proposal(user: Any, item: Any) -> bool:
    """The item is hidden, or belongs to a hidden subject (its discussion goes with it)."""
    return item.hidden_at is not None or getattr(subject_of(item), "hidden_at", None) is not None


@rules.predicate
def can_view_item(user: Any, item: Any) -> bool:
    subject = subject_of(item)
    return rules.has_perm(subject.VIEW_PERMISSION, user, subject)


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


def moderated_communities(user: Any) -> set[int]:
    access = access_of(user)
    return {cid for cid, roles in access.roles.items() if roles & MODERATOR_ROLES}


def _moderator_q(user: Any) -> Q:
    if not user.is_authenticated:
        return Q(pk__in=[])
    if access_of(user).is_admin:
        return ~Q(pk=None)
    return Q(community__in=moderated_communities(user))


def _own_or_moderated_q(user: Any) -> Q:
    if not user.is_authenticated:
        return Q(pk__in=[])
    return Q(author=user) | _moderator_q(user)


#: Who reads a hidden item's text, and its moderation history: its author and the moderators.
#: Works for proposals, comments and appeals (each has an author and a community).
see_hidden = ObjectRule(is_author | is_moderator, _own_or_moderated_q)

rules.add_perm("deliberation.view_proposal", view_proposal.predicate)
rules.add_perm("deliberation.create_proposal", is_member)
rules.add_perm("deliberation.edit_proposal", is_author & is_editable)
rules.add_perm(
    "deliberation.support_proposal", is_verified_resident & is_open_for_support & ~is_hidden
)
rules.add_perm("deliberation.comment", is_member & is_published & ~is_hidden)
rules.add_perm("deliberation.answer_proposal", can_answer & is_published)
# Moderation: on a community (the queue) or on an item (a proposal or a comment).
rules.add_perm("deliberation.moderate", is_moderator)
rules.add_perm("deliberation.see_hidden", see_hidden.predicate)
rules.add_perm(
    "deliberation.flag", rules.is_authenticated & can_view_item & ~is_author & ~in_hidden_proposal
)
rules.add_perm("deliberation.appeal", is_author & is_hidden)
rules.add_perm("deliberation.react", is_member & can_view_item & ~in_hidden_proposal)
