"""Who sets up votes and who sees them. Who may *cast* a ballot is the vote's electorate
(services.eligible), a rule of data rather than of role."""

from __future__ import annotations

from typing import Any

import rules

from gongzhi.core.models import Role
from gongzhi.core.policies import has_role, is_community_worker, is_platform_admin
from gongzhi.voting.models import Participation, ResultsShown, Vote

#: Community workers and the residents' council set up polls and votes.
manage_votes = is_community_worker | has_role(Role.COUNCIL_MEMBER) | is_platform_admin

rules.add_perm("voting.manage_votes", manage_votes)


@rules.predicate
def sees_results(user: Any, vote: Vote) -> bool:
    """Whether the count of ``vote`` is shown to ``user``: to everyone once it closes; while it is
    open, only on a poll set to show results after voting, and then only to those who have voted.

    The vote page and the results API both ask this (as ``voting.view_results``), so a person
    reads the same on either."""
    if vote.is_closed():
        return True
    if vote.results_shown != ResultsShown.AFTER_VOTING or not getattr(
        user, "is_authenticated", False
    ):
        return False
    return (
        Participation.objects.in_community(vote.community_id).filter(vote=vote, voter=user).exists()
    )


rules.add_perm("voting.view_results", sees_results)
