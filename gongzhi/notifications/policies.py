"""Who sees the delivery log and may send a message again.

The staff of a community (its community workers, the street and district officials above it)
see the deliveries of notifications about that community; platform admins see every delivery,
including those that belong to no community (login codes). Whoever sees a delivery may send it
again. Residents never see the log: it is about other people's phones.
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q

from gongzhi.core.policies import ObjectRule, access_of, is_community_staff


@rules.predicate
def is_staff_anywhere(user: Any, obj: Any = None) -> bool:
    access = access_of(user)
    return access.is_admin or bool(access.staff_communities())


def _delivery_q(user: Any) -> Q:
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    access = access_of(user)
    if access.is_admin:
        return ~Q(pk=None)
    return Q(community__in=access.staff_communities())


#: A delivery of a notification about a community: that community's staff, and admins.
view_delivery = ObjectRule(is_community_staff, _delivery_q)

#: The log page: of one community (obj is the community), or all a person may see (obj None).
rules.add_perm("notifications.view_deliveries", is_community_staff)
rules.add_perm("notifications.view_all_deliveries", is_staff_anywhere)
rules.add_perm("notifications.retry_delivery", view_delivery.predicate)
