from __future__ import annotations

import functools
from typing import Any

from allauth.mfa.models import Authenticator
from django.db import connections, router
from django.utils import timezone

from gongzhi.core.models import STAFF_ROLES, Membership, Oversight, RoleGrant
from gongzhi.core.policies import access_of

HOLDS_STAFF_ATTR = "_gongzhi_holds_staff"
HAS_TOTP_ATTR = "_gongzhi_has_totp"


def load_mfa_facts(user: Any) -> None:
    """Read, in one small statement, whether the user holds a staff role and whether they have a
    TOTP authenticator, and keep both on the user for this request (the API's staff check).

    Written in SQL: the same three EXISTS through the ORM cost about 2 ms of Python per API
    request, a fifth of a ballot's (docs/performance.md, "Casting votes")."""
    connection = connections[router.db_for_read(RoleGrant)]
    staff_roles = sorted(r.value for r in STAFF_ROLES)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _facts_sql(connection.alias, len(staff_roles)),
            [user.pk, *staff_roles, now, now, user.pk, user.pk, Authenticator.Type.TOTP.value],
        )
        holds_staff, has_totp_ = cursor.fetchone()
    setattr(user, HOLDS_STAFF_ATTR, bool(holds_staff) or bool(user.is_superuser))
    setattr(user, HAS_TOTP_ATTR, bool(has_totp_))


@functools.cache
def _facts_sql(alias: str, roles: int) -> str:
    quote = connections[alias].ops.quote_name

    def table(model: Any) -> str:
        return quote(model._meta.db_table)

    return (
        f"SELECT EXISTS (SELECT 1 FROM {table(RoleGrant)} g JOIN {table(Membership)} m "  # noqa: S608
        f"ON m.id = g.membership_id WHERE m.user_id = %s AND g.role IN "
        f"({', '.join(['%s'] * roles)}) "
        f"AND (g.valid_from IS NULL OR g.valid_from <= %s) "
        f"AND (g.valid_until IS NULL OR g.valid_until > %s)) "
        f"OR EXISTS (SELECT 1 FROM {table(Oversight)} o WHERE o.user_id = %s), "
        f"EXISTS (SELECT 1 FROM {table(Authenticator)} a WHERE a.user_id = %s AND a.type = %s)"
    )


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


def personal_data(*, user: Any) -> dict[str, Any]:
    """Everything the platform holds about ``user``, app by app, with labels for the page
    (PIPL art. 45; each app's exporter is registered in its manifest, see ``core.privacy``)."""
    from gongzhi.core.privacy import person_export

    return person_export(user)


def personal_data_download(*, user: Any) -> dict[str, Any]:
    """The same as a plain JSON document: {app: {section: [rows]}}."""
    from gongzhi.core.privacy import person_export_json

    return {
        "format": "gongzhi-personal-data/1",
        "user": user.pk,
        "data": person_export_json(user),
    }
