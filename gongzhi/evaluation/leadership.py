"""Evaluation's evidence for the leadership ladder (``core/leadership.py``): "took part" (rung 1)
is any journal entry whose verb has a rung on the participation ladder (``ladder.VERB_RUNGS``),
credited to the resident — the actor, or the resident a worker acted for (代办)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db.models import Count, Max, Min

from gongzhi.core.leadership import Fact, merge_facts
from gongzhi.core.models import Activity
from gongzhi.evaluation.ladder import VERB_RUNGS


def took_part(community_id: int, user_ids: Collection[int] | None) -> list[Fact]:
    """Rung 1: the resident's own acts of taking part, and those a worker did for them. Two
    grouped reads, over the journal's (community, actor, at) and (community, on_behalf_of, at)
    indexes."""
    entries = Activity.objects.in_community(community_id).filter(verb__in=list(VERB_RUNGS))
    own = entries.filter(on_behalf_of__isnull=True, actor__isnull=False)
    for_them = entries.filter(on_behalf_of__isnull=False)
    if user_ids is not None:
        ids = list(user_ids)
        if not ids:
            return []
        own = own.filter(actor_id__in=ids)
        for_them = for_them.filter(on_behalf_of_id__in=ids)
    rows: list[Any] = []
    for queryset, who in ((own, "actor_id"), (for_them, "on_behalf_of_id")):
        rows.extend(
            queryset.order_by()
            .values(who)
            .annotate(first=Min("at"), last=Max("at"), times=Count("id"))
            .values_list(who, "first", "last", "times")
        )
    return merge_facts(rows)
