"""Leading a volunteer team as a role a community may make require a qualification
(core/requirements.py): who holds it when the requirement is turned on."""

from __future__ import annotations

from typing import Any

from gongzhi.volunteering.models import TeamMember


def team_leader_holders(community: Any) -> set[int]:
    """The current leaders of the community's open teams."""
    return set(
        TeamMember.objects.in_community(community)
        .filter(leader=True, left_at__isnull=True, team__closed_at__isnull=True)
        .values_list("volunteer__person_id", flat=True)
        .distinct()
    )
