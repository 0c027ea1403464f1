"""Who may do what in a budgeting process, by role and phase.

- Creating and configuring processes, assigning the review panel, publishing decisions,
  counting and exporting: the community's workers (社区工作者) and platform admins.
- Submitting ideas: verified residents of the process's scope, during idea collection.
- Commenting on ideas: verified residents of the community, from idea collection until voting
  closes. The comments are the deliberation hall's, so flagging, hiding, appeals and reactions
  follow the hall's rules, by the hall's moderators (its workers and council members).
- Reviewing: the residents on the process's panel, during the feasibility review.
- Voting: verified residents of the process's scope (the community, or the grid for a grid's
  budget), while voting is open.
- Paper ballots: staff hand them out (marking the resident) while voting is open, and type
  them in (twice, by two people) while voting is open and after it closes, until
  implementation begins.
- Implementation tracking (funded projects only, from implementation on): staff post progress,
  milestones, photos and spending; verified residents of the community comment. Everyone reads.
"""

from __future__ import annotations

from typing import Any

import rules

from gongzhi.budgeting.models import Phase
from gongzhi.core.policies import (
    access_of,
    is_community_worker,
    is_platform_admin,
    is_verified_resident,
)

manage_budgets = is_community_worker | is_platform_admin


def _process(obj: Any) -> Any:
    return getattr(obj, "process", obj)


def in_phase(*phases: Phase) -> rules.Predicate:
    @rules.predicate(name="in_phase:" + ",".join(phases))
    def predicate(user: Any, obj: Any) -> bool:
        return _process(obj).phase() in phases

    return predicate


@rules.predicate
def in_scope(user: Any, obj: Any) -> bool:
    """A verified resident of the process's community who lives in its grid, if it has one."""
    process = _process(obj)
    membership = access_of(user).member_of.get(process.community_id)
    if membership is None or membership.verified_at is None:
        return False
    if process.grid_id is None:
        return True
    from gongzhi.core.models import Household

    if membership.household_id is None:
        return False
    return (
        Household.objects.in_community(process.community_id)
        .filter(pk=membership.household_id, building__grid_id=process.grid_id)
        .exists()
    )


@rules.predicate
def is_reviewer(user: Any, obj: Any) -> bool:
    if not user.is_authenticated:
        return False
    from gongzhi.budgeting.models import Reviewer

    process = _process(obj)
    return (
        Reviewer.objects.in_community(process.community_id)
        .filter(process=process, user=user)
        .exists()
    )


rules.add_perm("budgeting.view", rules.always_allow)
rules.add_perm("budgeting.manage", manage_budgets)
rules.add_perm("budgeting.submit_idea", in_phase(Phase.IDEAS) & in_scope)
rules.add_perm(
    "budgeting.comment",
    in_phase(Phase.IDEAS, Phase.REVIEW, Phase.VOTING) & is_verified_resident,
)
rules.add_perm("budgeting.review", in_phase(Phase.REVIEW) & is_reviewer)
rules.add_perm("budgeting.decide", in_phase(Phase.REVIEW) & manage_budgets)
rules.add_perm("budgeting.vote", in_phase(Phase.VOTING) & in_scope)
rules.add_perm(
    "budgeting.count",
    in_phase(Phase.RESULTS, Phase.IMPLEMENTATION, Phase.EVALUATION) & manage_budgets,
)


@rules.predicate
def is_funded(user: Any, obj: Any) -> bool:
    """``obj`` is an idea funded by the latest finished count of its process."""
    from gongzhi.budgeting.selectors import funded_ids

    process = getattr(obj, "process", None)
    return process is not None and obj.pk in funded_ids(process=process)


rules.add_perm("budgeting.paper_issue", in_phase(Phase.VOTING) & manage_budgets)
rules.add_perm("budgeting.paper_enter", in_phase(Phase.VOTING, Phase.RESULTS) & manage_budgets)
tracking = in_phase(Phase.IMPLEMENTATION, Phase.EVALUATION)
rules.add_perm("budgeting.track", tracking & manage_budgets & is_funded)
rules.add_perm("budgeting.comment_progress", tracking & is_verified_resident & is_funded)
