"""Small builders the meetings tests share: a council whose members sit today, and a meeting
of it made directly (so each part's tests do not depend on another part's services)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from gongzhi.bodies.models import Body, Charter
from gongzhi.core.models import Role
from gongzhi.meetings.models import AgendaItem, ItemSource, Meeting, MeetingKind
from tests.bodies.bodies_world import council, seat, term
from tests.factories import member


def seated_council(
    community: Any, worker: Any, *, members: int = 5, name: str = "议事会", **charter: Any
) -> tuple[Body, list[Any]]:
    """A council with ``members`` people seated, and its charter in force, from a year ago to
    a year ahead (a meeting that began before midnight is still under it)."""
    body = council(community, worker, name=name, **charter)
    Charter.objects.in_community(community).filter(body=body).update(
        adopted_at=timezone.now() - timedelta(days=365)
    )
    position = seat(body, seats=members)
    today = timezone.localdate()
    people = [member(community) for _ in range(members)]
    for number, person in enumerate(people, start=1):
        term(
            body,
            position,
            person,
            seat=number,
            starts=today - timedelta(days=365),
            ends=today + timedelta(days=365),
            by=worker,
        )
    return body, people


def meeting_of(
    body: Body,
    by: Any,
    *,
    starts_in: timedelta = timedelta(days=10),
    hours: int = 2,
    kind: str = MeetingKind.ORDINARY,
    secretary: Any = None,
    **fields: Any,
) -> Meeting:
    starts = timezone.now().replace(microsecond=0) + starts_in
    return Meeting.objects.create(
        community=body.community,
        body=body,
        kind=kind,
        title=fields.pop("title", "三季度议事会"),
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
        place=fields.pop("place", "社区活动室"),
        secretary=secretary,
        created_by=by,
        **fields,
    )


def item_of(meeting: Meeting, title: str = "更换路灯", **fields: Any) -> AgendaItem:
    position = fields.pop("position", meeting.items.count() + 1)
    return AgendaItem.objects.create(
        community=meeting.community,
        meeting=meeting,
        position=position,
        title=title,
        source=fields.pop("source", ItemSource.STAFF),
        **fields,
    )


__all__ = ["Role", "item_of", "meeting_of", "seated_council"]
