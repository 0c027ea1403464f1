"""Permissions of the awards part (registered from apps.ready): staff of a community record,
revoke and list qualifications; a holder sees their own awards and certificates."""

from __future__ import annotations

from typing import Any

import rules

from gongzhi.core.policies import is_community_staff


@rules.predicate
def is_holder(user: Any, award: Any) -> bool:
    return bool(getattr(user, "pk", None)) and getattr(award, "person_id", None) == user.pk


# A community's staff (its workers, the officials above it, platform admins).
rules.add_perm("learning.record_award", is_community_staff)
rules.add_perm("learning.revoke_award", is_community_staff)
rules.add_perm("learning.view_qualifications", is_community_staff)
# An award's certificate and page: the holder, and the staff of the awarding community.
rules.add_perm("learning.view_award", is_holder | is_community_staff)
