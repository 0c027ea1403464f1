"""What the votes hold about a person (see ``core.privacy``).

A copy names the votes they took part in and, for open (not secret) votes, what they chose; a
secret ballot's content is never read back, not even for its voter (a copy could be demanded
from them). Erasure keeps every row: who voted is part of the vote's record (one person, one
vote; the turnout), and the ballots are what the result is counted from. They point at the
tombstone account afterwards.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from gongzhi.core.privacy import Section, rows
from gongzhi.voting.models import CountedBallot, OwnerShare, PaperEntry, Participation

#: Every reference to a person in this app's models, each exported, erased, or kept pointing at
#: the tombstone account (a staff act: it is in the journal, which the copy holds).
#: tests/test_privacy.py fails on a reference that no app lists.
COVERS = frozenset(
    {
        "voting.Vote.created_by",
        "voting.OwnerShare.owner",
        "voting.Participation.voter",
        "voting.Participation.recorded_by",
        "voting.PaperEntry.entered_by",
    }
)


def export(user: Any) -> list[Section]:
    participations = list(
        Participation.objects.all_communities()
        .filter(voter=user)
        .select_related("vote", "community")
        .order_by("pk")
    )
    open_votes = [p.vote for p in participations if not p.vote.secret]
    ballots = {
        b.vote_id: b.content
        for b in CountedBallot.objects.all_communities().filter(
            vote__in=open_votes, slot=f"user:{user.pk}"
        )
    }
    shares = (
        OwnerShare.objects.all_communities()
        .filter(owner=user)
        .select_related("vote", "community")
        .order_by("pk")
    )
    typed = (
        PaperEntry.objects.all_communities()
        .filter(entered_by=user)
        .select_related("vote", "community")
        .order_by("pk")
    )
    return [
        Section(
            "participations",
            _("Votes I took part in"),
            rows(
                participations,
                community="community.slug",
                vote="vote.title",
                secret_ballot="vote.secret",  # noqa: S106 - a flag of the vote
                channel="channel",
                receipt="receipt",
                first_at="first_at",
                my_ballot=lambda p: None if p.vote.secret else ballots.get(p.vote_id),
            ),
        ),
        Section(
            "owner_shares",
            _("Owners' rolls I am on"),
            rows(shares, community="community.slug", vote="vote.title", area="area"),
        ),
        Section(
            "paper_entries",
            _("Paper ballots I typed in"),
            rows(typed, community="community.slug", vote="vote.title", serial="serial"),
        ),
    ]


def erase(user: Any) -> dict[str, int]:
    # Before the memberships go (core's eraser): a closed vote's electorate stays what it was.
    from gongzhi.core.models import Membership
    from gongzhi.voting.services import electorates_freeze

    communities = (
        Membership.objects.all_communities()
        .filter(user=user)
        .values_list("community_id", flat=True)
    )
    return {"electorates_frozen": electorates_freeze(community_ids=communities)}
