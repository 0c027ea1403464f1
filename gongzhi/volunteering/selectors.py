"""Reads of the core part that pages and the API share: a person's registration, the
community's settings, the volunteer list and teams."""

from __future__ import annotations

import json
from typing import Any

import rules
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from gongzhi.volunteering.models import (
    DEFAULT_STAR_HOURS,
    Team,
    TeamMember,
    Volunteer,
    VolunteeringSettings,
)


def volunteer_for(user: Any, community_id: int) -> Volunteer | None:
    """``user``'s active registration in the community (None when not registered, withdrawn,
    or anonymous)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Volunteer.objects.in_community(community_id)
        .filter(person=user, withdrawn_at__isnull=True)
        .first()
    )


def settings_for(community_id: int) -> VolunteeringSettings:
    """The community's saved settings, or an unsaved default (the model's defaults and the
    cities' star levels)."""
    found = VolunteeringSettings.objects.in_community(community_id).first()
    if found is not None:
        if not found.star_hours:
            found.star_hours = list(DEFAULT_STAR_HOURS)
        return found
    return VolunteeringSettings(community_id=community_id, star_hours=list(DEFAULT_STAR_HOURS))


def volunteer_get(*, community: Any, user: Any, volunteer_id: int) -> Volunteer:
    """One volunteer, for those who may see them (``view_volunteer``); else 404, as missing."""
    volunteer = (
        Volunteer.objects.in_community(community)
        .select_related("person", "community")
        .filter(pk=volunteer_id)
        .first()
    )
    if volunteer is None or not rules.has_perm("volunteering.view_volunteer", user, volunteer):
        raise Http404
    return volunteer


def skill_q(skill: str) -> Q:
    """Volunteers naming ``skill`` (a part of one). SQLite stores JSON text with non-ASCII
    escaped (\\u6025), PostgreSQL as it is: both forms are looked for."""
    escaped = json.dumps(skill)[1:-1]
    return Q(skills__icontains=skill) | Q(skills__icontains=escaped)


def volunteer_list(
    *, community: Any, team: Team | None = None, skill: str = "", withdrawn: bool = False
) -> QuerySet[Volunteer]:
    """The community's volunteers (staff's list), by name; filtered by a team and a skill."""
    queryset = Volunteer.objects.in_community(community).select_related("person")
    queryset = queryset.filter(withdrawn_at__isnull=not withdrawn)
    if team is not None:
        in_team = TeamMember.objects.in_community(community).filter(team=team, left_at__isnull=True)
        queryset = queryset.filter(pk__in=in_team.values("volunteer_id"))
    if skill.strip():
        queryset = queryset.filter(skill_q(skill.strip()[:40]))
    return queryset.order_by("person__display_name", "pk")


def teams_of(community: Any, *, closed: bool = False) -> list[Team]:
    """The community's teams (open ones, or the closed ones), with their counts of members and
    leaders now."""
    current = Q(members__left_at__isnull=True)
    return list(
        Team.objects.in_community(community)
        .filter(closed_at__isnull=not closed)
        .select_related("partner")
        .annotate(
            member_count=Count("members", filter=current),
            leader_count=Count("members", filter=current & Q(members__leader=True)),
        )
        .order_by("name", "pk")
    )


def team_get(*, community: Any, team_id: int) -> Team:
    team = (
        Team.objects.in_community(community)
        .select_related("partner", "community")
        .filter(pk=team_id)
        .first()
    )
    if team is None:
        raise Http404
    return team


def team_members(team: Team) -> list[TeamMember]:
    """A team's current members, leaders first."""
    return list(
        TeamMember.objects.in_community(team.community_id)
        .filter(team=team, left_at__isnull=True)
        .select_related("volunteer__person")
        .order_by("-leader", "joined_at", "pk")
    )


def teams_of_volunteer(volunteer: Volunteer) -> list[TeamMember]:
    """The teams a volunteer is in now (with ``leader``)."""
    return list(
        TeamMember.objects.in_community(volunteer.community_id)
        .filter(volunteer=volunteer, left_at__isnull=True)
        .select_related("team")
        .order_by("team__name", "pk")
    )


def volunteer_counts(community: Any) -> dict[str, int]:
    """How many volunteers and open teams the community has (the home page's figures)."""
    return {
        "volunteers": Volunteer.objects.in_community(community)
        .filter(withdrawn_at__isnull=True)
        .count(),
        "teams": Team.objects.in_community(community).filter(closed_at__isnull=True).count(),
    }
