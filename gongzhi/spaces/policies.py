"""Who may do what with shared spaces: the catalogue is read by the community's members and
staff; spaces are set up by community workers; requests are decided by a space's managers
(``booking.may_decide``), never by the person who asked.

- ``spaces.view_spaces`` (a Community or a Space): a member of the community or its staff.
- ``spaces.manage_spaces`` (a Community or a Space): a community worker sets a space up,
  changes its rules and hours, opens and closes it.
- ``spaces.view_space`` (a Space): one open for booking or closed for now, for those who see
  the catalogue (a resident holding a booking of a closed space still reads where it is and its
  rules; the catalogue lists only open ones); one being prepared, for those who manage spaces
  and the space's managers (the body that manages it).
"""

from __future__ import annotations

from typing import Any

import rules

from gongzhi.core.policies import is_community_staff, is_community_worker, is_member

view_spaces = is_member | is_community_staff
manage_spaces = is_community_worker


@rules.predicate
def is_published_space(user: Any, space: Any) -> bool:
    """Open for booking, or closed for now: not a draft."""
    from gongzhi.spaces.models import SpaceStatus

    return getattr(space, "status", None) in (SpaceStatus.OPEN, SpaceStatus.CLOSED)


@rules.predicate
def manages_space(user: Any, space: Any) -> bool:
    """A member of the body that manages the space, seated today."""
    if not getattr(space, "managed_by_body_id", None):
        return False
    from gongzhi.bodies.policies import sits_in_body

    return bool(sits_in_body(user, space.managed_by_body))


view_space = (view_spaces & is_published_space) | manage_spaces | manages_space

rules.add_perm("spaces.view_spaces", view_spaces)
rules.add_perm("spaces.manage_spaces", manage_spaces)
rules.add_perm("spaces.view_space", view_space)
