"""Who may register, manage and see volunteers (the core part); the other parts import the
predicates below.

- ``volunteering.register`` (a Community): a member registers themself.
- ``volunteering.register_others`` (a Community): the community's staff register a resident on
  their behalf (代办) and sign them up for shifts.
- ``volunteering.manage`` (a Community): a community worker or those above the community (the
  officials overseeing it, platform admins): teams, leaders, the settings, the volunteer list.
- ``volunteering.view_volunteer`` (a Volunteer): the person themself, the community's staff, and
  the leaders of a team the volunteer is in.

``leads_team(user, team)`` and ``leads_any_team(user, community)`` are plain predicates on the
``TeamMember`` rows: a leader is a current member (not left) with ``leader`` set, whose own
registration is not withdrawn. Closing a team ends its members' places, so a closed team has
no leaders (its activities' records stay with the workers and organisers).
"""

from __future__ import annotations

from typing import Any

import rules

from gongzhi.core.policies import (
    _community_id,
    is_community_staff,
    is_community_worker,
    is_member,
    is_platform_admin,
    oversees,
)

from_above = oversees | is_platform_admin


def _leader_rows(user: Any, community_id: int) -> Any:
    from gongzhi.volunteering.models import TeamMember

    return TeamMember.objects.in_community(community_id).filter(
        leader=True,
        left_at__isnull=True,
        volunteer__person=user,
        volunteer__withdrawn_at__isnull=True,
    )


@rules.predicate
def leads_team(user: Any, team: Any) -> bool:
    """``user`` is a current leader of ``team`` (a Team, or None: nobody leads no team)."""
    if team is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(_leader_rows(user, team.community_id).filter(team_id=team.pk).exists())


@rules.predicate
def leads_any_team(user: Any, community: Any) -> bool:
    """``user`` leads an open team of the community (``community`` a Community, or anything
    that belongs to one)."""
    community_id = _community_id(community)
    if community_id is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(_leader_rows(user, community_id).filter(team__closed_at__isnull=True).exists())


@rules.predicate
def is_the_volunteer(user: Any, volunteer: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        getattr(volunteer, "person_id", None) == user.pk
    )


@rules.predicate
def leads_volunteers_team(user: Any, volunteer: Any) -> bool:
    """``user`` leads a team in which ``volunteer`` is a current member."""
    if volunteer is None or not getattr(user, "is_authenticated", False):
        return False
    from gongzhi.volunteering.models import TeamMember

    teams = _leader_rows(user, volunteer.community_id).values("team_id")
    return bool(
        TeamMember.objects.in_community(volunteer.community_id)
        .filter(volunteer=volunteer, left_at__isnull=True, team_id__in=teams)
        .exists()
    )


register = is_member
register_others = is_community_staff
manage = is_community_worker | from_above
view_volunteer = is_the_volunteer | is_community_staff | leads_volunteers_team

rules.add_perm("volunteering.register", register)
rules.add_perm("volunteering.register_others", register_others)
rules.add_perm("volunteering.manage", manage)
rules.add_perm("volunteering.view_volunteer", view_volunteer)


def can_manage(user: Any, community: Any) -> bool:
    return bool(rules.has_perm("volunteering.manage", user, community))
