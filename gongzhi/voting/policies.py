"""Who sets up votes and who sees them. Who may *cast* a ballot is the vote's electorate
(services.eligible), a rule of data rather than of role."""

from __future__ import annotations

import rules

from gongzhi.core.models import Role
from gongzhi.core.policies import has_role, is_community_worker, is_platform_admin

#: Community workers and the residents' council set up polls and votes.
manage_votes = is_community_worker | has_role(Role.COUNCIL_MEMBER) | is_platform_admin

rules.add_perm("voting.manage_votes", manage_votes)
