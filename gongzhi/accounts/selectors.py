from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator

from gongzhi.core.models import STAFF_ROLES
from gongzhi.core.policies import access_of


def holds_staff_role(user: Any) -> bool:
    access = access_of(user)
    if access.is_admin or access.overseen:
        return True
    return any(roles & {r.value for r in STAFF_ROLES} for roles in access.roles.values())


def has_totp(user: Any) -> bool:
    cached = getattr(user, "_gongzhi_has_totp", None)
    if cached is None:
        cached = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        user._gongzhi_has_totp = cached
    return bool(cached)


def needs_mfa_setup(user: Any) -> bool:
    return holds_staff_role(user) and not has_totp(user)
