"""Volunteering's evidence for the leadership ladder (``core/leadership.py``): confirmed service
hours (rung 2, volunteered), organising a published activity (rung 3) and leading a team, now
or before (rung 5). Each source reads its table through an index, grouped by person."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db.models import Count, F, Max, Min, QuerySet
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


def volunteered(community_id: int, user_ids: Collection[int] | None) -> list[Fact]:
    """Rung 2: services confirmed in the hours ledger and not reversed (a person's volunteer
    row by its (community, person) key, then the ledger's ``hours_by_volunteer`` index; a
    reversal points at the entry it reverses)."""
    entries = HoursEntry.objects.in_community(community_id).filter(
        kind=HoursEntryKind.SERVICE, reversed_by__isnull=True
    )
    if user_ids is not None:
        if not user_ids:
            return []
        entries = entries.filter(volunteer__person_id__in=list(user_ids))
    when = Coalesce("started_at", "created_at")
    return merge_facts(
        entries.order_by()
        .values("volunteer__person_id")
        .annotate(first=Min(when), last=Max(when), times=Count("id"))
        .values_list("volunteer__person_id", "first", "last", "times")
    )


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


def organised_rows(community_id: int) -> list[QuerySet[Any]]:
    """``organised`` for the whole community, as SQL (``Evidence.rows``)."""
    return [
        VolunteerActivity.objects.in_community(community_id)
        .filter(status=ActivityStatus.PUBLISHED)
        .order_by()
        .values(uid=F("organiser_id"))
        .annotate(first_at=Min("created_at"), last_at=Max("created_at"), times=Count("id"))
    ]


def led_team(community_id: int, user_ids: Collection[int] | None) -> list[Fact]:
    """Rung 5: a leader of a volunteer team, now (``TeamMember.leader``) or before (a leader
    removed keeps the journal's ``team.leader_appointed`` entry, which names the volunteer)."""
    leaders = TeamMember.objects.in_community(community_id).filter(leader=True)
    # The appointments: a few per team, read over the journal's (community, verb, at) index.
    appointments = Activity.objects.in_community(community_id).filter(verb="team.leader_appointed")
    person_of: dict[int, int] = {}
    if user_ids is not None:
        if not user_ids:
            return []
        person_of = dict(
            Volunteer.objects.in_community(community_id)
            .filter(person_id__in=list(user_ids))
            .order_by()
            .values_list("pk", "person_id")
        )
        if not person_of:
            return []
        leaders = leaders.filter(volunteer_id__in=list(person_of))
        appointments = appointments.filter(data__volunteer__in=list(person_of))
    current = dict(
        leaders.order_by()
        .values("volunteer_id")
        .annotate(first=Min("joined_at"))
        .values_list("volunteer_id", "first")
    )
    appointed: dict[int, list[Any]] = {}
    for at, data in appointments.order_by().values_list("at", "data"):
        volunteer_id = data.get("volunteer") if isinstance(data, dict) else None
        if isinstance(volunteer_id, int):
            appointed.setdefault(volunteer_id, []).append(at)
    if user_ids is None:
        wanted = list(set(current) | set(appointed))
        person_of = dict(
            Volunteer.objects.in_community(community_id)
            .filter(pk__in=wanted)
            .order_by()
            .values_list("pk", "person_id")
        )
    rows: list[Any] = []
    for volunteer_id in set(current) | set(appointed):
        if volunteer_id not in person_of:
            continue
        # A current leader with no appointment on record (made leader before the journal named
        # the volunteer) counts once, from when they joined the team.
        moments = appointed.get(volunteer_id) or [current[volunteer_id]]
        rows.append((person_of[volunteer_id], min(moments), max(moments), len(moments)))
    return merge_facts(rows)
