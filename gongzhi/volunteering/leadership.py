"""Volunteering's evidence for the leadership ladder (``core/leadership.py``): confirmed service
hours (rung 2, volunteered), organising a published activity (rung 3) and leading a team, now
or before (rung 5). Each source reads its table through an index, grouped by person."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db.models import Count, Max, Min
from django.db.models.functions import Coalesce

from gongzhi.core.leadership import Fact, merge_facts
from gongzhi.core.models import Activity
from gongzhi.volunteering.models import (
    ActivityStatus,
    HoursEntry,
    HoursEntryKind,
    TeamMember,
    Volunteer,
    VolunteerActivity,
)


def _volunteers(community_id: int, user_ids: Collection[int] | None) -> dict[int, int]:
    """``{volunteer id: user id}`` of the people asked about (everyone when None)."""
    volunteers = Volunteer.objects.in_community(community_id)
    if user_ids is not None:
        volunteers = volunteers.filter(person_id__in=list(user_ids))
    return dict(volunteers.order_by().values_list("pk", "person_id"))


def volunteered(community_id: int, user_ids: Collection[int] | None) -> list[Fact]:
    """Rung 2: services confirmed in the hours ledger and not reversed (the ledger's
    ``hours_by_volunteer`` index; a reversal points at the entry it reverses)."""
    if user_ids is not None and not user_ids:
        return []
    person_of = _volunteers(community_id, user_ids)
    if not person_of:
        return []
    entries = HoursEntry.objects.in_community(community_id).filter(
        kind=HoursEntryKind.SERVICE, reversed_by__isnull=True
    )
    if user_ids is not None:
        entries = entries.filter(volunteer_id__in=list(person_of))
    when = Coalesce("started_at", "created_at")
    rows = (
        entries.order_by()
        .values("volunteer_id")
        .annotate(first=Min(when), last=Max(when), times=Count("id"))
        .values_list("volunteer_id", "first", "last", "times")
    )
    return merge_facts((person_of.get(vid), *rest) for vid, *rest in rows)  # type: ignore[misc]


def organised(community_id: int, user_ids: Collection[int] | None) -> list[Fact]:
    """Rung 3: the organiser of a published volunteer activity (over the organiser's index)."""
    activities = VolunteerActivity.objects.in_community(community_id).filter(
        status=ActivityStatus.PUBLISHED
    )
    if user_ids is not None:
        if not user_ids:
            return []
        activities = activities.filter(organiser_id__in=list(user_ids))
    return merge_facts(
        activities.order_by()
        .values("organiser_id")
        .annotate(first=Min("created_at"), last=Max("created_at"), times=Count("id"))
        .values_list("organiser_id", "first", "last", "times")
    )


def led_team(community_id: int, user_ids: Collection[int] | None) -> list[Fact]:
    """Rung 5: a leader of a volunteer team, now (``TeamMember.leader``) or before (a leader
    removed keeps the journal's ``team.leader_appointed`` entry, which names the volunteer)."""
    if user_ids is not None and not user_ids:
        return []
    person_of = _volunteers(community_id, user_ids)
    if not person_of:
        return []
    rows: list[Any] = []
    leaders = TeamMember.objects.in_community(community_id).filter(leader=True)
    if user_ids is not None:
        leaders = leaders.filter(volunteer_id__in=list(person_of))
    current = dict(
        leaders.order_by()
        .values("volunteer_id")
        .annotate(first=Min("joined_at"))
        .values_list("volunteer_id", "first")
    )
    appointed: dict[int, list[Any]] = {}
    # The appointments of the whole community: a few per team, read over (community, verb, at).
    for at, data in (
        Activity.objects.in_community(community_id)
        .filter(verb="team.leader_appointed")
        .order_by()
        .values_list("at", "data")
    ):
        volunteer_id = data.get("volunteer") if isinstance(data, dict) else None
        if volunteer_id in person_of:
            appointed.setdefault(volunteer_id, []).append(at)
    for volunteer_id in set(current) | set(appointed):
        # A current leader with no appointment on record (made leader before the journal named
        # the volunteer) counts once, from when they joined the team.
        moments = appointed.get(volunteer_id) or [current[volunteer_id]]
        rows.append((person_of[volunteer_id], min(moments), max(moments), len(moments)))
    return merge_facts(rows)
