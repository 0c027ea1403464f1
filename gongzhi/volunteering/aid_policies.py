"""Who may use mutual aid and the time bank.

- ``volunteering.view_aid`` (Community): its members and staff see the open requests and offers
  (residents' needs are not shown to visitors).
- ``volunteering.aid_post`` (Community): a verified resident posts a request or an offer, and
  responds to someone else's (``volunteering.aid_respond``, on an AidPost of the community).
- ``volunteering.view_exchange`` (Exchange): its two sides, and the community's staff.
- ``volunteering.manage_timebank`` (Community, or anything in it): a community worker or those
  above the community: grants starting credit, reverses transfers, sees the community account.
- ``volunteering.handle_aid_reports`` (Community, or a report): the same people deal with
  problems reported on exchanges.
"""

from __future__ import annotations

from typing import Any

import rules

from gongzhi.core.policies import (
    is_community_staff,
    is_community_worker,
    is_member,
    is_platform_admin,
    is_verified_resident,
    oversees,
)

from_above = oversees | is_platform_admin


@rules.predicate
def is_exchange_side(user: Any, exchange: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.pk in (getattr(exchange, "helped_id", None), getattr(exchange, "helper_id", None))


view_aid = is_member | is_community_staff
aid_post = is_verified_resident
manage_timebank = is_community_worker | from_above

rules.add_perm("volunteering.view_aid", view_aid)
rules.add_perm("volunteering.aid_post", aid_post)
rules.add_perm("volunteering.aid_respond", aid_post)
rules.add_perm("volunteering.view_exchange", is_exchange_side | manage_timebank)
rules.add_perm("volunteering.manage_timebank", manage_timebank)
rules.add_perm("volunteering.handle_aid_reports", manage_timebank)
