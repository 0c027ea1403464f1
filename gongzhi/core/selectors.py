"""Reads that pages and the API share, already limited to what the viewer may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import rules
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.manifests import verb_areas
from gongzhi.core.models import (
    Activity,
    Community,
    Membership,
    Oversight,
    RoleGrant,
    active_grant_q,
)
from gongzhi.core.phones import normalize_phone
from gongzhi.core.policies import access_of, manage_community, view_activity, view_membership

if TYPE_CHECKING:
    from gongzhi.accounts.models import User


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


def member_by_phone(*, phone: str, community: Community) -> User:
    """The member of ``community`` with this phone number, as a community worker types it (代办,
    a hotline handler, a budget's reviewer, a paper ballot); ValidationError if there is none.

    A number no one registered and a number of someone who is not a member here get the same
    answer: otherwise a community worker could learn whether any phone is registered."""
    person = (
        get_user_model()
        .objects.filter(phone=normalize_phone(phone), memberships__community=community)
        .first()
    )
    if person is None:
        raise ValidationError(
            _("No member of this community has this phone number."), code="not_member"
        )
    return person


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
        queryset = queryset.filter(
            pk__in=RoleGrant.objects.all_communities()
            .filter(active_grant_q(), role=role)
            .values("membership")
        )
    return (
        queryset.select_related("user", "household__building")
        .prefetch_related(
            Prefetch(
                "role_grants",
                queryset=RoleGrant.objects.all_communities().only(
                    "membership_id", "role", "valid_from", "valid_until"
                ),
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
PERSON_KEYS = ("user", "handler", "reviewer", "person")


@dataclass(frozen=True)
class JournalFilter:
    """What the journal page (and the supervision committee's dashboard) narrows to."""

    #: The actor, by name or at least four digits of their phone number.
    who: str = ""
    verb: str = ""
    #: An area (the label of the app that declares the verbs): any of its acts.
    area: str = ""
    since: date | None = None
    until: date | None = None
    #: The kind of thing acted on, ``app_label.model``, and optionally its id.
    target: str = ""
    target_id: str = ""
    #: A member: only acts by them, done for them, or done to them (their membership, or an
    #: entry whose data names them).
    person: Membership | None = None


def acts_concerning(membership: Membership) -> Q:
    """The acts by or on one member, as a filter on their community's journal."""
    user_id = membership.user_id
    condition = Q(actor_id=user_id) | Q(on_behalf_of_id=user_id)
    condition |= Q(
        target_type=ContentType.objects.get_for_model(Membership), target_id=str(membership.pk)
    )
    for key in PERSON_KEYS:
        condition |= Q(**{f"data__{key}": user_id})
    return condition


def journal(
    *, community: Community, viewer: Any, filters: JournalFilter | None = None
) -> QuerySet[Activity]:
    """The community's journal as ``viewer`` may see it, narrowed by ``filters``."""
    queryset = audit_trail(community=community, viewer=viewer)
    if filters is None:
        return queryset
    if filters.person is not None:
        queryset = queryset.filter(acts_concerning(filters.person))
    if filters.who:
        who = filters.who.strip()[:60]
        digits = "".join(ch for ch in who if ch.isdigit())
        condition = Q(actor__display_name__icontains=who)
        if len(digits) >= 4:
            condition |= Q(actor__phone__contains=digits)
        queryset = queryset.filter(condition)
    if filters.verb:
        queryset = queryset.filter(verb=filters.verb)
    if filters.area:
        queryset = queryset.filter(verb__in=list(verb_areas().get(filters.area, {})))
    zone = timezone.get_current_timezone()
    if filters.since:
        queryset = queryset.filter(at__gte=datetime.combine(filters.since, time.min, zone))
    if filters.until:
        end = datetime.combine(filters.until + timedelta(days=1), time.min, zone)
        queryset = queryset.filter(at__lt=end)
    if filters.target:
        app_label, _dot, model = filters.target.partition(".")
        queryset = queryset.filter(target_type__app_label=app_label, target_type__model=model)
        if filters.target_id:
            queryset = queryset.filter(target_id=filters.target_id.strip())
    return queryset


def journal_target_kinds(community: Community) -> list[tuple[str, str]]:
    """``(app_label.model, name)`` of every kind of thing acted on in the community's journal."""
    type_ids = (
        Activity.objects.in_community(community)
        .exclude(target_type=None)
        .values_list("target_type", flat=True)
        .distinct()
    )
    kinds = []
    for content_type in ContentType.objects.filter(pk__in=type_ids):
        model = content_type.model_class()
        if model is not None:
            kinds.append(
                (f"{content_type.app_label}.{content_type.model}", str(model._meta.verbose_name))
            )
    return sorted(kinds, key=lambda kind: kind[1])


#: Related rows a target's name needs (so naming a page of targets stays one query per kind).
TARGET_RELATED = {"core.household": ("building",)}


def _name_targets(entries: list[Activity]) -> None:
    """Each entry's ``target_name``: what it was done to, by name (a vote's question, a
    ticket's number), fetched once per kind of target on the page."""
    wanted: dict[int, set[str]] = {}
    communities = {e.community_id for e in entries}
    for e in entries:
        if e.target_type_id is not None and e.target_id:
            wanted.setdefault(e.target_type_id, set()).add(e.target_id)
    names: dict[tuple[int | None, str], str] = {}
    for type_id, ids in wanted.items():
        content_type = ContentType.objects.get_for_id(type_id)
        model = content_type.model_class()
        if model is None or model is Membership:  # a membership is named by its person
            continue
        manager: Any = model._default_manager
        if hasattr(manager, "in_communities"):
            rows = manager.in_communities(communities)
        else:
            rows = manager.all()
        related = TARGET_RELATED.get(f"{content_type.app_label}.{content_type.model}")
        if related:
            rows = rows.select_related(*related)
        # Journal targets are rows with integer keys; anything else is left unnamed.
        keys = [int(i) for i in ids if i.isdigit()]
        for row in rows.filter(pk__in=keys):
            names[(type_id, str(row.pk))] = str(row)
    for e in entries:
        e.target_name = names.get((e.target_type_id, e.target_id), "")  # type: ignore[attr-defined]


def describe_entries(entries: list[Activity]) -> list[Activity]:
    """What each entry concerns, for the journal page: ``role`` (its label), ``person`` (the
    member it names, or whose membership it is about) and ``target_label`` (what kind of thing
    it was done to). Two queries for a page, however many entries."""
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
    people = get_user_model().objects.in_bulk({pk for pk in person_of.values() if pk is not None})
    for e in entries:
        role = e.data.get("role")
        e.role_label = str(Role(role).label) if role in Role.values else ""  # type: ignore[attr-defined]
        e.person = people.get(person_of[e.pk])  # type: ignore[attr-defined]
        model = e.target_type.model_class() if e.target_type is not None else None
        e.target_label = str(model._meta.verbose_name) if model is not None else ""  # type: ignore[attr-defined]
    _name_targets(entries)
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
