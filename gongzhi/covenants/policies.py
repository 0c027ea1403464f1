"""Who may read and draft covenants (the drafting part); the other parts add their own perms.

- ``covenants.view_covenant`` (a covenant, round or version): every member of the community
  (a building covenant too: it is public in the community) and the staff above it.
- ``covenants.manage`` (a community): its community workers and those above it (the street's
  officials, platform admins): the staff console's link, and drafting for any body.
- ``covenants.act_for_body`` (a covenant, round or body): whoever records the drafting body's
  decisions (``bodies.record_decision``: a sitting member, a worker, those above).
- ``covenants.draft`` (the same): acts for the body, or manages — creates a covenant, edits
  the draft, moves the dates, abandons a round, starts a review.
"""

from __future__ import annotations

from typing import Any

import rules

from gongzhi.core.policies import is_community_staff, is_member


def body_of(obj: Any) -> Any:
    """The drafting body of a covenant, round or version (a body is its own)."""
    from gongzhi.bodies.models import Body

    if isinstance(obj, Body):
        return obj
    covenant = getattr(obj, "covenant", obj)
    return covenant.drafting_body


@rules.predicate
def acts_for_body(user: Any, obj: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(rules.has_perm("bodies.record_decision", user, body_of(obj)))


view_covenant = is_member | is_community_staff
manage = is_community_staff
draft = acts_for_body | is_community_staff

rules.add_perm("covenants.view_covenant", view_covenant)
rules.add_perm("covenants.manage", manage)
rules.add_perm("covenants.act_for_body", acts_for_body)
rules.add_perm("covenants.draft", draft)


def can_view(user: Any, obj: Any) -> bool:
    return bool(rules.has_perm("covenants.view_covenant", user, obj))


def can_draft(user: Any, obj: Any) -> bool:
    return bool(rules.has_perm("covenants.draft", user, obj))
