"""Who may see and run self-governing bodies (bodies core).

- Seeing bodies, their members, charters and decisions: every member of the community and its
  staff (the pages are the community's own record, R5.1).
- Setting up a body, adding positions, recording terms: community workers and those above the
  community. A supervision committee, and any position that gives a supervisor's or a
  community worker's role, only from above (a street official overseeing the community or a
  platform admin): workers never make their own supervisors (separation of duties, R5.3).
- Recording a decision or an amendment: a community worker, or a member of the body sitting now
  (the numbers entered record the body's vote; nobody decides alone).
"""

from __future__ import annotations

from typing import Any

import rules
from django.utils import timezone

from gongzhi.core.policies import (
    access_of,
    is_community_staff,
    is_community_worker,
    is_member,
    is_platform_admin,
    oversees,
)

view_bodies = is_member | is_community_staff
manage_bodies = is_community_staff
manage_from_above = oversees | is_platform_admin


@rules.predicate
def sits_in_body(user: Any, body: Any) -> bool:
    """A member of ``body`` whose term runs today."""
    from gongzhi.bodies.models import Body
    from gongzhi.bodies.selectors import sits_in

    if not getattr(user, "is_authenticated", False) or not isinstance(body, Body):
        return False
    membership = access_of(user).member_of.get(body.community_id)
    return membership is not None and sits_in(
        body=body, membership=membership, on=timezone.localdate()
    )


record_decision = is_community_worker | manage_from_above | sits_in_body

rules.add_perm("bodies.view_bodies", view_bodies)
rules.add_perm("bodies.manage_bodies", manage_bodies)
rules.add_perm("bodies.manage_from_above", manage_from_above)
rules.add_perm("bodies.record_decision", record_decision)


def can_manage(user: Any, community: Any) -> bool:
    return bool(rules.has_perm("bodies.manage_bodies", user, community))


def can_record_decision(user: Any, body: Any) -> bool:
    return bool(rules.has_perm("bodies.record_decision", user, body))
