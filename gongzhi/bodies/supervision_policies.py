"""Who may do what with the supervision committee's work (R5.3).

- The dashboard: supervisors of the community (a role held now, by hand or by a term in the
  supervision committee), the street officials above it and platform admins; never residents,
  nor the community's workers, whom it watches.
- Raising an opinion: a supervisor (the service refuses one on a body they sit in).
- Answering: a community worker or a sitting member of the responsible body, once, never the
  supervisor who raised it.
- Reading an opinion (``view_opinion``, a predicate and the same rule in SQL): anyone reads a
  published one; a private one (it involves private data) only the community's supervisors, the
  sitting members of the responsible body, the staff above it and whoever raised it.
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q

from gongzhi.bodies.supervision import member_bodies
from gongzhi.core.models import Role
from gongzhi.core.policies import (
    ObjectRule,
    access_of,
    is_community_staff,
    is_community_worker,
    is_platform_admin,
    is_supervisor,
    oversees,
)


@rules.predicate
def sits_in_opinion_body(user: Any, opinion: Any) -> bool:
    return opinion.body_id in member_bodies(user, opinion.community_id)


@rules.predicate
def raised_it(user: Any, opinion: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and opinion.raised_by_id == user.pk


@rules.predicate
def is_published(user: Any, opinion: Any) -> bool:
    return not opinion.private


def _view_opinion_q(user: Any) -> Q:
    q = Q(private=False)
    if not getattr(user, "is_authenticated", False):
        return q
    access = access_of(user)
    if access.is_admin:
        return ~Q(pk=None)
    supervised = {cid for cid, roles in access.roles.items() if Role.SUPERVISOR in roles}
    return (
        q
        | Q(community__in=access.staff_communities() | supervised)
        | Q(body__in=member_bodies(user))
        | Q(raised_by=user)
    )


view_opinion = ObjectRule(
    is_published | is_supervisor | is_community_staff | sits_in_opinion_body | raised_it,
    _view_opinion_q,
)

rules.add_perm("bodies.view_supervision", is_supervisor | oversees | is_platform_admin)
rules.add_perm("bodies.raise_opinion", is_supervisor)
rules.add_perm("bodies.view_opinion", view_opinion.predicate)
#: Who answers for the body; the service refuses the supervisor who raised it
#: (``own_opinion``) and a second answer (``already_answered``), with their codes.
rules.add_perm("bodies.answer_opinion", is_community_worker | sits_in_opinion_body)
