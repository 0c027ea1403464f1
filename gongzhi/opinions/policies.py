"""Who opens conversations, who takes part, who moderates, who sees which statement.

- Opening a conversation, importing a Polis export and downloading the exports: the
  community's workers (社区工作者) and platform admins, as the issue asks. Exports hold every
  participant's votes under their number; only staff hand them on (as open data, say).
- Taking part (adding statements, voting): verified residents; residents of the community who
  are not verified too, where the organiser allows it (their share is marked in the results).
  Only while the conversation is open.
- Moderating statements: the moderators of the deliberation hall (workers, council members,
  platform admins).
- A statement waiting for a moderator, or taken out, is seen by its author and the moderators
  only.
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
    is_community_worker,
    is_member,
    is_platform_admin,
    is_verified_resident,
)
from gongzhi.opinions.models import Moderation, StatementStatus

MODERATOR_ROLES = {Role.COMMUNITY_WORKER, Role.COUNCIL_MEMBER}

is_council_member = has_role(Role.COUNCIL_MEMBER)
manage_conversations = is_community_worker | is_platform_admin
is_moderator = is_community_worker | is_council_member | is_platform_admin


@rules.predicate
def is_open(user: Any, conversation: Any) -> bool:
    return conversation.is_open()


@rules.predicate
def admits_visitors(user: Any, conversation: Any) -> bool:
    return bool(conversation.visitors_allowed)


#: Eligible, whatever the dates: a verified resident, or a member where visitors may join.
is_eligible = is_verified_resident | (admits_visitors & is_member)


@rules.predicate
def is_shown(user: Any, statement: Any) -> bool:
    return statement.is_shown()


@rules.predicate
def is_statement_author(user: Any, statement: Any) -> bool:
    if not user.is_authenticated or statement.author_id is None:
        return False
    return statement.author.user_id == user.pk


def _shown_q() -> Q:
    return Q(status=StatementStatus.ACCEPTED) | Q(
        status=StatementStatus.PENDING, conversation__moderation=Moderation.AFTER
    )


def _statement_q(user: Any) -> Q:
    if not user.is_authenticated:
        return _shown_q()
    access = access_of(user)
    if access.is_admin:
        return ~Q(pk=None)
    moderated = {cid for cid, roles in access.roles.items() if roles & MODERATOR_ROLES}
    return _shown_q() | Q(author__user=user) | Q(community__in=moderated)


see_statement = ObjectRule(is_shown | is_statement_author | is_moderator, _statement_q)

rules.add_perm("opinions.view_conversation", rules.always_allow)
rules.add_perm("opinions.manage_conversations", manage_conversations)
rules.add_perm("opinions.export", manage_conversations)
rules.add_perm("opinions.moderate", is_moderator)
rules.add_perm("opinions.take_part", is_eligible)
rules.add_perm("opinions.vote", is_open & is_eligible)
rules.add_perm("opinions.add_statement", is_open & is_eligible)
rules.add_perm("opinions.see_statement", see_statement.predicate)
