"""Who may do what in how leadership spreads (R8.2).

- ``learning.make_invite_link`` (a Community): a member makes (and stops) their own link.
- ``learning.name_recruiter`` (a Community): a member says who brought them in (the service
  keeps it to newcomers without a recruiter, once).
- ``learning.view_spread`` (a Community): the stats page — the community's workers and those
  above it (the street officials overseeing it, platform admins), as ``learning.manage``.
"""

from __future__ import annotations

import rules

from gongzhi.core.policies import is_community_worker, is_member, is_platform_admin, oversees

make_invite_link = is_member
name_recruiter = is_member
view_spread = is_community_worker | oversees | is_platform_admin

rules.add_perm("learning.make_invite_link", make_invite_link)
rules.add_perm("learning.name_recruiter", name_recruiter)
rules.add_perm("learning.view_spread", view_spread)
