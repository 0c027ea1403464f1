"""Meetings' evidence for the leadership ladder (``core/leadership.py``): facilitated or chaired
(rung 4) — the chair of a meeting that was held (closed), and the secretary who kept its minutes
(sent to the members or approved). A hearing is a meeting: its facilitator is its chair."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db.models import Count, F, Max, Min, QuerySet

from gongzhi.core.leadership import Fact, merge_facts
from gongzhi.meetings.models import Meeting, MeetingStatus, Minutes, MinutesStatus


def chaired(community_id: int, user_ids: Collection[int] | None) -> list[Fact]:
    """Rung 4: chaired a meeting that was held (over the chair's index)."""
    meetings = Meeting.objects.in_community(community_id).filter(
        status=MeetingStatus.CLOSED, chair__isnull=False
    )
    if user_ids is not None:
        if not user_ids:
            return []
        meetings = meetings.filter(chair_id__in=list(user_ids))
    return merge_facts(
        meetings.order_by()
        .values("chair_id")
        .annotate(first=Min("starts_at"), last=Max("starts_at"), times=Count("id"))
        .values_list("chair_id", "first", "last", "times")
    )


def kept_minutes(community_id: int, user_ids: Collection[int] | None) -> list[Fact]:
    """Rung 4: drafted the minutes of a meeting and sent them to the members (or had them
    approved): a draft nobody saw is not yet the record."""
    minutes = Minutes.objects.in_community(community_id).filter(
        status__in=[MinutesStatus.CIRCULATED, MinutesStatus.APPROVED]
    )
    if user_ids is not None:
        if not user_ids:
            return []
        minutes = minutes.filter(drafted_by_id__in=list(user_ids))
    return merge_facts(
        minutes.order_by()
        .values("drafted_by_id")
        .annotate(first=Min("drafted_at"), last=Max("drafted_at"), times=Count("id"))
        .values_list("drafted_by_id", "first", "last", "times")
    )


def chaired_rows(community_id: int) -> list[QuerySet[Any]]:
    """``chaired`` for the whole community, as SQL (``Evidence.rows``)."""
    return [
        Meeting.objects.in_community(community_id)
        .filter(status=MeetingStatus.CLOSED, chair__isnull=False)
        .order_by()
        .values(uid=F("chair_id"))
        .annotate(first_at=Min("starts_at"), last_at=Max("starts_at"), times=Count("id"))
    ]


def kept_minutes_rows(community_id: int) -> list[QuerySet[Any]]:
    """``kept_minutes`` for the whole community, as SQL (``Evidence.rows``)."""
    return [
        Minutes.objects.in_community(community_id)
        .filter(status__in=[MinutesStatus.CIRCULATED, MinutesStatus.APPROVED])
        .order_by()
        .values(uid=F("drafted_by_id"))
        .annotate(first_at=Min("drafted_at"), last_at=Max("drafted_at"), times=Count("id"))
    ]
