"""Who may take part in a covenant's public consultation (征求意见).

Every member of the community reads every covenant's consultation (a building covenant too: it
is public in the community), and so do the staff above it. Taking part — commenting, proposing
an amendment, supporting one — is for verified residents; for a building covenant (楼栋公约)
only those whose household is in that building: the services refuse the others with the code
``not_in_building`` (a verified resident of another building is told why, not just refused).

- ``covenants.read_consultation`` (a covenant, round or amendment): members and staff.
- ``covenants.take_part`` (the same): verified residents of the community.
- ``covenants.withdraw_amendment`` (an amendment): its author alone.
- A worker writes a comment or an amendment down for a resident (代办) with
  ``core.act_on_behalf``; the resident must be one who may take part.
"""

from __future__ import annotations

from typing import Any

import rules

from gongzhi.core.models import Household
from gongzhi.core.policies import (
    is_community_staff,
    is_member,
    is_verified_resident,
    membership_in,
)

BUILDING_ATTR = "_gongzhi_covenant_buildings"


def covenant_of(obj: Any) -> Any:
    """The covenant a covenant, round, amendment or comment belongs to."""
    for attr in ("covenant", "round"):
        if hasattr(obj, f"{attr}_id"):
            return covenant_of(getattr(obj, attr))
    return obj


def building_of(user: Any, community_id: int) -> int | None:
    """The building of the user's household in the community (None without one), read once per
    user object."""
    if not getattr(user, "is_authenticated", False):
        return None
    cache: dict[int, int | None] = getattr(user, BUILDING_ATTR, None) or {}
    if community_id not in cache:
        membership = membership_in(user, community_id)
        building = None
        if membership is not None and membership.household_id is not None:
            building = (
                Household.objects.in_community(community_id)
                .filter(pk=membership.household_id)
                .values_list("building_id", flat=True)
                .first()
            )
        cache[community_id] = building
        setattr(user, BUILDING_ATTR, cache)
    return cache[community_id]


def in_scope(user: Any, obj: Any) -> bool:
    """Whether the covenant applies to the user: the whole community, or their building."""
    covenant = covenant_of(obj)
    if covenant.building_id is None:
        return True
    return building_of(user, covenant.community_id) == covenant.building_id


@rules.predicate
def is_amendment_author(user: Any, amendment: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and amendment.author_id == user.pk


rules.add_perm("covenants.read_consultation", is_member | is_community_staff)
rules.add_perm("covenants.take_part", is_verified_resident)
rules.add_perm("covenants.withdraw_amendment", is_amendment_author)
