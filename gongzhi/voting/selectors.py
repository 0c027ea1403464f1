"""Reads for votes. Votes are public once published; ballots never are, only their counts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import rules
from django.db.models import Count, QuerySet, Sum
from django.http import Http404

from gongzhi.core.models import Community
from gongzhi.voting.models import Option, OwnerShare, Participation, Vote


def vote_list(*, community: Community) -> QuerySet[Vote]:
    return Vote.objects.in_community(community).filter(published=True).order_by("-closes_at", "-pk")


def vote_get(*, community: Community, vote_id: int) -> Vote:
    vote = (
        Vote.objects.in_community(community)
        .select_related("community")
        .filter(pk=vote_id, published=True)
        .first()
    )
    if vote is None:
        raise Http404
    return vote


def vote_at(*, slug: str, vote_id: int, user: Any) -> Vote:
    """A published vote by its community's slug, community included: one query where
    ``community_get`` then ``vote_get`` take two (the ballot API's path)."""
    vote = (
        Vote.objects.all_communities()
        .select_related("community")
        .filter(community__slug=slug, pk=vote_id, published=True)
        .first()
    )
    if vote is None or not rules.has_perm("core.view_community", user, vote.community):
        raise Http404
    return vote


def options_of(vote: Vote) -> list[Option]:
    return list(Option.objects.in_community(vote.community_id).filter(vote=vote))


def my_participation(*, vote: Vote, user: Any) -> Participation | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Participation.objects.in_community(vote.community_id).filter(vote=vote, voter=user).first()
    )


@dataclass(frozen=True)
class OwnerRoll:
    owners: int
    area: Decimal
    first: list[OwnerShare]


def owner_roll(*, vote: Vote, shown: int = 200) -> OwnerRoll:
    shares = OwnerShare.objects.in_community(vote.community_id).filter(vote=vote)
    totals = shares.aggregate(owners=Count("pk"), area=Sum("area"))
    first = list(shares.select_related("owner").order_by("pk")[:shown])
    return OwnerRoll(owners=totals["owners"], area=totals["area"] or Decimal(0), first=first)
