from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef

from gongzhi.core.models import STAFF_ROLES, Oversight, RoleGrant
from gongzhi.core.policies import access_of

HOLDS_STAFF_ATTR = "_gongzhi_holds_staff"
HAS_TOTP_ATTR = "_gongzhi_has_totp"


def mfa_facts(user_ref: OuterRef) -> dict[str, Any]:
    """Annotations for a query that has the user at ``user_ref``: whether they hold a staff role
    and whether they have a TOTP authenticator. Token authentication reads both with the token,
    so an API request by a resident pays no extra query for the staff two-factor check."""
    return {
        "holds_staff_role": Exists(
            RoleGrant.objects.all_communities().filter(
                membership__user=user_ref, role__in=[r.value for r in STAFF_ROLES]
            )
        )
        | Exists(Oversight.objects.filter(user=user_ref)),
        "has_totp": Exists(
            Authenticator.objects.filter(user=user_ref, type=Authenticator.Type.TOTP)
        ),
    }


def remember_mfa_facts(user: Any, row: Any) -> None:
    setattr(user, HOLDS_STAFF_ATTR, bool(row.holds_staff_role) or bool(user.is_superuser))
    setattr(user, HAS_TOTP_ATTR, bool(row.has_totp))


def holds_staff_role(user: Any) -> bool:
    cached = getattr(user, HOLDS_STAFF_ATTR, None)
    if cached is not None:
        return bool(cached)
    access = access_of(user)
    if access.is_admin or access.overseen:
        return True
    return any(roles & {r.value for r in STAFF_ROLES} for roles in access.roles.values())


def has_totp(user: Any) -> bool:
    cached = getattr(user, HAS_TOTP_ATTR, None)
    if cached is None:
        cached = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        setattr(user, HAS_TOTP_ATTR, cached)
    return bool(cached)


def needs_mfa_setup(user: Any) -> bool:
    return holds_staff_role(user) and not has_totp(user)
