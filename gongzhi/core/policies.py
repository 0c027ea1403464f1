"""Who may do what: `rules` predicates that combine a role with state, each paired with the
same rule written as a SQL filter, so that a list shows exactly the rows a detail page allows.

Views never test roles directly: they ask ``rules.has_perm(name, user, obj)`` or filter with
``<policy>.filter(user, queryset)``. ``tests/test_permissions.py`` checks, for every role and
object, that the predicate and the filter agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import rules
from django.db.models import Q, QuerySet

from gongzhi.core.models import (
    GRANTABLE_ROLES,
    ROLES_GRANTED_FROM_ABOVE,
    Community,
    Membership,
    Oversight,
    Role,
    RoleGrant,
)

CACHE_ATTR = "_gongzhi_access"


@dataclass
class Access:
    """What one user holds, read once per request and kept on the user object."""

    member_of: dict[int, Membership]
    roles: dict[int, set[str]]
    overseen: set[int]
    is_admin: bool

    def staff_communities(self) -> set[int]:
        worker_in = {cid for cid, rs in self.roles.items() if Role.COMMUNITY_WORKER in rs}
        return worker_in | self.overseen


def access_of(user: Any) -> Access:
    if not getattr(user, "is_authenticated", False):
        return Access({}, {}, set(), False)
    cached = getattr(user, CACHE_ATTR, None)
    if cached is not None:
        return cached
    memberships = list(
        Membership.objects.all_communities().filter(user=user).prefetch_related("role_grants")
    )
    remits = list(Oversight.objects.filter(user=user).values_list("street", "district"))
    streets = {street for street, _district in remits if street is not None}
    districts = {district for _street, district in remits if district is not None}
    overseen: set[int] = set()
    if streets or districts:
        overseen = set(
            Community.objects.filter(
                Q(street__in=streets) | Q(street__district__in=districts)
            ).values_list("pk", flat=True)
        )
    access = Access(
        member_of={m.community_id: m for m in memberships},
        roles={m.community_id: m.role_set() for m in memberships},
        overseen=overseen,
        is_admin=bool(user.is_superuser),
    )
    setattr(user, CACHE_ATTR, access)
    return access


MEMBERSHIPS_ATTR = "_gongzhi_memberships"


def membership_in(user: Any, community_id: int) -> Membership | None:
    """The user's membership of one community, without their roles: from ``access_of``'s
    cache when the request has read it, else one query (all a resident's ballot needs)."""
    access = getattr(user, CACHE_ATTR, None)
    if access is not None:
        return access.member_of.get(community_id)
    memberships = getattr(user, MEMBERSHIPS_ATTR, None)
    if memberships is None:
        memberships = {}
        setattr(user, MEMBERSHIPS_ATTR, memberships)
    if community_id not in memberships:
        memberships[community_id] = (
            Membership.objects.in_community(community_id).filter(user=user).first()
        )
    return memberships[community_id]


def verified_membership(user: Any, community_id: int) -> Membership | None:
    """The user's membership of the community if it is verified, else None."""
    membership = membership_in(user, community_id)
    return membership if membership is not None and membership.verified_at is not None else None


def forget_access(user: Any) -> None:
    """Call after changing a user's memberships or roles within one request."""
    for attr in (CACHE_ATTR, MEMBERSHIPS_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)


def _community_id(obj: Any) -> int | None:
    if obj is None:
        return None
    if isinstance(obj, Community):
        return obj.pk
    return getattr(obj, "community_id", None)


# --- Predicates on a community (or anything that belongs to one) ----------------------------


@rules.predicate
def is_member(user: Any, obj: Any) -> bool:
    return _community_id(obj) in access_of(user).member_of


@rules.predicate
def is_verified_resident(user: Any, obj: Any) -> bool:
    return Role.VERIFIED_RESIDENT in access_of(user).roles.get(_community_id(obj) or 0, set())


def has_role(role: Role) -> rules.Predicate:
    @rules.predicate(name=f"has_role:{role.value}")
    def predicate(user: Any, obj: Any) -> bool:
        return role in access_of(user).roles.get(_community_id(obj) or 0, set())

    return predicate


@rules.predicate
def oversees(user: Any, obj: Any) -> bool:
    return _community_id(obj) in access_of(user).overseen


@rules.predicate
def is_platform_admin(user: Any, obj: Any = None) -> bool:
    return access_of(user).is_admin


is_community_worker = has_role(Role.COMMUNITY_WORKER)
is_supervisor = has_role(Role.SUPERVISOR)
#: Staff of a community: its community workers, the officials above it, platform admins.
is_community_staff = is_community_worker | oversees | is_platform_admin


# --- Object rules: a predicate and the same rule as a queryset filter ------------------------


@dataclass(frozen=True)
class ObjectRule:
    predicate: rules.Predicate
    q: Callable[[Any], Q]

    def filter(self, user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(self.q(user))


def _nothing() -> Q:
    return Q(pk__in=[])


def _staff_q(user: Any, field: str = "community") -> Q:
    access = access_of(user)
    if access.is_admin:
        return ~Q(pk=None)
    return Q(**{f"{field}__in": access.staff_communities()})


@rules.predicate
def _is_own_membership(user: Any, membership: Membership) -> bool:
    return bool(user.is_authenticated) and membership.user_id == user.pk


def _membership_q(user: Any) -> Q:
    if not user.is_authenticated:
        return _nothing()
    return Q(user=user) | _staff_q(user)


view_membership = ObjectRule(_is_own_membership | is_community_staff, _membership_q)


@rules.predicate
def _is_own_activity(user: Any, activity: Any) -> bool:
    return bool(user.is_authenticated) and user.pk in (activity.actor_id, activity.on_behalf_of_id)


def _activity_q(user: Any) -> Q:
    if not user.is_authenticated:
        return _nothing()
    access = access_of(user)
    supervised = {cid for cid, rs in access.roles.items() if Role.SUPERVISOR in rs}
    return Q(actor=user) | Q(on_behalf_of=user) | _staff_q(user) | Q(community__in=supervised)


#: The supervision committee (监督委员会, R5.3) reads the audit trail of its community.
view_activity = ObjectRule(_is_own_activity | is_community_staff | is_supervisor, _activity_q)


def _community_q(user: Any) -> Q:
    access = access_of(user)
    if access.is_admin:
        return ~Q(pk=None)
    return Q(pk__in=access.staff_communities())


#: Which communities a user may run (staff console, member lists, exports).
manage_community = ObjectRule(is_community_staff, _community_q)


def role_grants_visible(user: Any, queryset: QuerySet[RoleGrant]) -> QuerySet[RoleGrant]:
    return (
        queryset.filter(Q(membership__user=user) | _staff_q(user))
        if user.is_authenticated
        else queryset.none()
    )


rules.add_perm("core.view_community", rules.always_allow)
rules.add_perm("core.join_community", rules.is_authenticated & ~is_member)
rules.add_perm("core.manage_community", is_community_staff)
rules.add_perm("core.view_members", is_community_staff)
rules.add_perm("core.verify_member", is_community_worker | is_platform_admin)
rules.add_perm("core.import_roster", is_community_worker | is_platform_admin)
#: Granting and revoking roles, separated by duty: a community worker grants the community's
#: own roles; only those above the community (its street officials, platform admins) grant
#: supervisors and community workers. ``core.grant_role`` is either (reaching the role forms);
#: ``roles_grantable`` says which roles, and nobody's own membership (services.role_grant).
rules.add_perm("core.grant_role_in_community", is_community_worker | is_platform_admin)
rules.add_perm("core.grant_role_from_above", oversees | is_platform_admin)
rules.add_perm("core.grant_role", is_community_worker | oversees | is_platform_admin)
rules.add_perm("core.act_on_behalf", is_community_worker | is_platform_admin)
rules.add_perm("core.manage_requirements", is_community_staff)
rules.add_perm("core.view_audit_trail", is_community_staff | is_supervisor)
rules.add_perm("core.view_membership", view_membership.predicate)
rules.add_perm("core.view_activity", view_activity.predicate)


def role_grant_perm(role: str) -> str:
    """The permission that granting or revoking ``role`` needs."""
    if role in ROLES_GRANTED_FROM_ABOVE:
        return "core.grant_role_from_above"
    return "core.grant_role_in_community"


def roles_grantable(user: Any, community: Community, membership: Membership) -> list[Role]:
    """The roles ``user`` may grant or revoke on ``membership``: none on their own."""
    if not getattr(user, "is_authenticated", False) or membership.user_id == user.pk:
        return []
    return [r for r in GRANTABLE_ROLES if rules.has_perm(role_grant_perm(r), user, community)]


def require(perm: str, user: Any, obj: Any, message: str | None = None) -> None:
    """Raise PermissionDenied, with a message the user reads, unless ``user`` has ``perm``."""
    if not rules.has_perm(perm, user, obj):
        from django.core.exceptions import PermissionDenied
        from django.utils.translation import gettext as _

        raise PermissionDenied(message or _("You are not allowed to do this."))
