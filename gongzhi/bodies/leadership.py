"""Bodies' evidence for the leadership ladder (``core/leadership.py``): founding a resident
organisation the community incubates (rung 3, organised) and a term of office in a body's
position (rung 5, leads a body). A founder's seat is the founding, not a term: it counts at
rung 3 only."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db.models import Count, F, Max, Min, QuerySet
from django.utils import timezone

from gongzhi.bodies.models import ChosenBy, Mandate, Stage
from gongzhi.core.leadership import DayStart, Fact, merge_facts


def _mandates(community_id: int, user_ids: Collection[int] | None) -> QuerySet[Mandate] | None:
    mandates = Mandate.objects.in_community(community_id).filter(
        membership__isnull=False, starts_on__lte=timezone.localdate()
    )
    if user_ids is not None:
        if not user_ids:
            return None
        mandates = mandates.filter(membership__user_id__in=list(user_ids))
    return mandates


def _facts(mandates: QuerySet[Mandate]) -> list[Fact]:
    return merge_facts(
        mandates.order_by()
        .values("membership__user_id")
        .annotate(first=Min("starts_on"), last=Max("starts_on"), times=Count("id"))
        .values_list("membership__user_id", "first", "last", "times")
    )


def _rows(mandates: QuerySet[Mandate]) -> list[QuerySet[Any]]:
    """A source's facts for the whole community as SQL (``Evidence.rows``); a day is the
    moment it starts, as ``merge_facts`` reads it."""
    return [
        mandates.order_by()
        .values(uid=F("membership__user_id"))
        .annotate(
            first_at=Min(DayStart("starts_on")),
            last_at=Max(DayStart("starts_on")),
            times=Count("id"),
        )
    ]


def _founding(mandates: QuerySet[Mandate]) -> QuerySet[Mandate]:
    return mandates.filter(chosen_by=ChosenBy.FOUNDING, body__incubation__isnull=False).exclude(
        body__incubation__stage=Stage.IDEA
    )


def founded(community_id: int, user_ids: Collection[int] | None) -> list[Fact]:
    """Rung 3: a founding member of an organisation past its first idea (incubating, filed,
    active, or dormant after that)."""
    mandates = _mandates(community_id, user_ids)
    if mandates is None:
        return []
    return _facts(_founding(mandates))


def founded_rows(community_id: int) -> list[QuerySet[Any]]:
    mandates = _mandates(community_id, None)
    assert mandates is not None
    return _rows(_founding(mandates))


def held_office(community_id: int, user_ids: Collection[int] | None) -> list[Fact]:
    """Rung 5: a term of office (elected, appointed or drawn by lot) that has begun, current or
    past, in any body's position (over the (community, membership) index)."""
    mandates = _mandates(community_id, user_ids)
    if mandates is None:
        return []
    return _facts(mandates.exclude(chosen_by=ChosenBy.FOUNDING))


def held_office_rows(community_id: int) -> list[QuerySet[Any]]:
    mandates = _mandates(community_id, None)
    assert mandates is not None
    return _rows(mandates.exclude(chosen_by=ChosenBy.FOUNDING))
