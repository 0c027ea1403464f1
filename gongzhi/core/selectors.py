"""Reads that pages and the API share, already limited to what the viewer may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import rules
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from gongzhi.core.models import Activity, Community, Membership, Oversight, RoleGrant
from gongzhi.core.policies import access_of, manage_community, view_activity, view_membership


def community_get(*, slug: str, user: Any, perm: str = "core.view_community") -> Community:
    """Fetch a community and check ``perm``; a forbidden one is as missing as a missing one."""
    community = Community.objects.select_related("street__district").filter(slug=slug).first()
    if community is None or not rules.has_perm(perm, user, community):
        raise Http404
    return community


def membership_get(*, community: Community, user: Any, membership_id: int) -> Membership:
    queryset = view_membership.filter(user, Membership.objects.in_community(community))
    membership = (
        queryset.select_related("user", "household__building")
        .prefetch_related("role_grants")
        .filter(pk=membership_id)
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def membership_of(*, user: Any, community: Community) -> Membership | None:
    return access_of(user).member_of.get(community.pk)


def member_list(
    *, community: Community, viewer: Any, query: str = "", status: str = "", role: str = ""
) -> QuerySet[Membership]:
    queryset = view_membership.filter(viewer, Membership.objects.in_community(community))
    if query:
        query = query.strip()[:60]
        digits = "".join(ch for ch in query if ch.isdigit())
        condition = Q(user__display_name__icontains=query)
        if len(digits) >= 4:
            condition |= Q(user__phone__contains=digits)
        queryset = queryset.filter(condition)
    if status == "verified":
        queryset = queryset.filter(verified_at__isnull=False)
    elif status == "unverified":
        queryset = queryset.filter(verified_at__isnull=True)
    if role:
        queryset = queryset.filter(role_grants__role=role)
    return (
        queryset.select_related("user", "household__building")
        .prefetch_related(
            Prefetch(
                "role_grants",
                queryset=RoleGrant.objects.all_communities().only("membership_id", "role"),
            )
        )
        .order_by("-joined_at", "-pk")
    )


@dataclass(frozen=True)
class CommunityStats:
    members: int
    verified: int
    active_30d: int

    @property
    def verified_share(self) -> float:
        return self.verified / self.members if self.members else 0.0


def community_stats(community: Community) -> CommunityStats:
    counts = Membership.objects.in_community(community).aggregate(
        members=Count("pk"), verified=Count("pk", filter=Q(verified_at__isnull=False))
    )
    since = timezone.now() - timedelta(days=30)
    active = (
        Activity.objects.in_community(community)
        .filter(at__gte=since)
        .aggregate(n=Count("actor", distinct=True))["n"]
    )
    return CommunityStats(counts["members"], counts["verified"], active)


def participation_record(*, user: Any, community: Community) -> QuerySet[Activity]:
    """A resident's own record: what they did, and what was done for them (代办)."""
    return (
        Activity.objects.in_community(community)
        .filter(Q(actor=user) | Q(on_behalf_of=user))
        .select_related("actor", "on_behalf_of")
        .order_by("-at", "-pk")
    )


def audit_trail(*, community: Community, viewer: Any) -> QuerySet[Activity]:
    return (
        view_activity.filter(viewer, Activity.objects.in_community(community))
        .select_related("actor", "on_behalf_of", "target_type")
        .order_by("-at", "-pk")
    )


#: Keys of an entry's data that name a person (by user id), across the apps' journal entries.
PERSON_KEYS = ("user", "handler", "reviewer")


def describe_entries(entries: list[Activity]) -> list[Activity]:
    """What each entry concerns, for the journal page: ``role`` (its label), ``person`` (the
    member it names, or whose membership it is about) and ``target_label`` (what kind of thing
    it was done to). Two queries for a page, however many entries."""
    from gongzhi.accounts.models import User
    from gongzhi.core.models import Role

    membership_type = ContentType.objects.get_for_model(Membership)
    membership_ids = {
        int(e.target_id)
        for e in entries
        if e.target_type_id == membership_type.pk and e.target_id.isdigit()
    }
    member_of = dict(
        Membership.objects.all_communities()
        .filter(pk__in=membership_ids)
        .values_list("pk", "user_id")
    )
    person_of: dict[int, int | None] = {}
    for e in entries:
        named = next((e.data.get(k) for k in PERSON_KEYS if isinstance(e.data.get(k), int)), None)
        if named is None and e.target_type_id == membership_type.pk and e.target_id.isdigit():
            named = member_of.get(int(e.target_id))
        person_of[e.pk] = named
    people = User.objects.in_bulk({pk for pk in person_of.values() if pk is not None})
    for e in entries:
        role = e.data.get("role")
        e.role_label = str(Role(role).label) if role in Role.values else ""  # type: ignore[attr-defined]
        e.person = people.get(person_of[e.pk])  # type: ignore[attr-defined]
        model = e.target_type.model_class() if e.target_type is not None else None
        e.target_label = str(model._meta.verbose_name) if model is not None else ""  # type: ignore[attr-defined]
    return entries


def communities_managed_by(user: Any) -> QuerySet[Community]:
    return manage_community.filter(user, Community.objects.select_related("street__district"))


def communities_overview(user: Any) -> list[dict[str, Any]]:
    """Street and district officials see their communities side by side."""
    access = access_of(user)
    if not (access.overseen or access.is_admin):
        return []
    queryset = Community.objects.select_related("street").order_by("street__name", "name")
    if not access.is_admin:
        queryset = queryset.filter(pk__in=access.overseen)
    since = timezone.now() - timedelta(days=30)
    communities = list(queryset)
    ids = [c.pk for c in communities]
    members = {
        row["community"]: row
        for row in Membership.objects.in_communities(ids)
        .values("community")
        .annotate(total=Count("pk"), verified=Count("pk", filter=Q(verified_at__isnull=False)))
    }
    active = {
        row["community"]: row["n"]
        for row in Activity.objects.in_communities(ids)
        .filter(at__gte=since)
        .values("community")
        .annotate(n=Count("actor", distinct=True))
    }
    rows = []
    for community in communities:
        m = members.get(community.pk, {"total": 0, "verified": 0})
        rows.append(
            {
                "community": community,
                "members": m["total"],
                "verified": m["verified"],
                "verified_share": (m["verified"] / m["total"]) if m["total"] else 0.0,
                "active_30d": active.get(community.pk, 0),
            }
        )
    return rows


def oversight_of(user: Any) -> QuerySet[Oversight]:
    return Oversight.objects.filter(user=user).select_related("street", "district")
