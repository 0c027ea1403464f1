"""Who may do what with partners (共建单位, R2.3).

- A partner lives at street level: the street's officials (an oversight of the street or of its
  district) and platform admins register partners and see the street's view across its
  communities.
- An agreement, and the services under it, are recorded for one community by its community
  workers or by an official overseeing it (or a platform admin). The agreement's document is
  for them only.
- A contribution is recorded by a community worker (or a platform admin): money goes into the
  community's ledger, which only they write; a second person approves the entry there.
- The community's members read its partners and services (the page "共建单位与服务"); verified
  residents rate a service.
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q

from gongzhi.core.models import Oversight, Street
from gongzhi.core.policies import (
    is_community_staff,
    is_community_worker,
    is_member,
    is_platform_admin,
    is_verified_resident,
    oversees,
)


@rules.predicate
def oversees_street(user: Any, street: Street | None) -> bool:
    """An official over this street, or over the district it belongs to."""
    if street is None or not getattr(user, "is_authenticated", False):
        return False
    remit = Q(street_id=street.pk) | Q(district_id=street.district_id)
    return Oversight.objects.filter(user=user).filter(remit).exists()


street_staff = oversees_street | is_platform_admin

rules.add_perm("bodies.register_partner", street_staff)
rules.add_perm("bodies.view_street_partners", street_staff)
rules.add_perm("bodies.view_partners", is_member | is_community_staff)
rules.add_perm("bodies.manage_partners", is_community_worker | oversees | is_platform_admin)
rules.add_perm("bodies.view_partner_document", is_community_staff)
rules.add_perm("bodies.record_contribution", is_community_worker | is_platform_admin)
rules.add_perm("bodies.rate_partner_service", is_verified_resident)
