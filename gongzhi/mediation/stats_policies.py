"""Who reads mediation's statistics (counts only, suppressed; never a case).

- ``mediation.view_statistics`` (a Community): its community workers, the mediation committee's
  head, and the street officials who oversee it.
- ``mediation.view_street_statistics`` (a Community): the officials overseeing its street see
  every community of the street together.
"""

from __future__ import annotations

from typing import Any

import rules

from gongzhi.core.models import Community
from gongzhi.core.policies import is_community_worker, oversees


@rules.predicate
def heads_committee(user: Any, community: Any) -> bool:
    from gongzhi.mediation.models import MediationCommittee

    if not getattr(user, "is_authenticated", False) or not isinstance(community, Community):
        return False
    return MediationCommittee.objects.in_community(community).filter(head=user).exists()


rules.add_perm("mediation.view_statistics", is_community_worker | heads_committee | oversees)
rules.add_perm("mediation.view_street_statistics", oversees)
