"""Reads for the deliberation hall, limited to what the viewer may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from gongzhi.core.models import Community
from gongzhi.deliberation.models import Comment, Proposal, Status, Support
from gongzhi.deliberation.policies import view_proposal

LIST_ORDERS = {
    "new": ("-published_at", "-pk"),
    "support": ("-support_count", "-pk"),
}


def proposal_list(
    *, community: Community, viewer: Any, status: str = "", order: str = "new", mine: bool = False
) -> QuerySet[Proposal]:
    queryset = view_proposal.filter(viewer, Proposal.objects.in_community(community))
    if status in Status.values:
        queryset = queryset.filter(status=status)
    else:
        queryset = queryset.exclude(status__in=[Status.DRAFT, Status.WITHDRAWN])
    if mine and viewer.is_authenticated:
        queryset = queryset.filter(author=viewer)
    return queryset.select_related("author", "category").order_by(
        *LIST_ORDERS.get(order, LIST_ORDERS["new"])
    )


def proposal_get(*, community: Community, viewer: Any, proposal_id: int) -> Proposal:
    proposal = (
        view_proposal.filter(viewer, Proposal.objects.in_community(community))
        .select_related("author", "category", "grid", "building", "merged_into", "community")
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None:
        raise Http404
    return proposal


def comment_threads(proposal: Proposal) -> list[Comment]:
    """Top-level comments in order, each with its replies prefetched."""
    replies = (
        Comment.objects.in_community(proposal.community_id)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    return list(
        Comment.objects.in_community(proposal.community_id)
        .filter(proposal=proposal, parent__isnull=True)
        .select_related("author")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("created_at", "pk")
    )


def supports(*, viewer: Any, proposal: Proposal) -> bool:
    if not viewer.is_authenticated:
        return False
    return (
        Support.objects.in_community(proposal.community_id)
        .filter(proposal=proposal, user=viewer)
        .exists()
    )
