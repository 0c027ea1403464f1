"""The agenda: items from proposals, staff, members and carried-over follow-ups; order,
withdrawal, documents, publication with the charter's notice period, versions and history.
Every refusal leaves nothing saved."""

from __future__ import annotations

import pytest

from gongzhi.core.models import Activity
from gongzhi.meetings import agenda
from gongzhi.meetings.models import AgendaItem, ItemSource
from tests.meetings.world import item_of, meeting_of, seated_council

pytestmark = pytest.mark.django_db


def entries(community, verb: str) -> list[Activity]:
    return list(Activity.objects.in_community(community).filter(verb=verb).order_by("pk"))


# --- record_item (no permission check: the minutes' carry-over and second sittings use it)


def test_record_item_appends_at_the_end_and_journals(community, worker):
    body, _people = seated_council(community, worker)
    meeting = meeting_of(body, worker)
    item_of(meeting, "旧议题", position=1)
    item = agenda.record_item(
        meeting=meeting, title="加装电梯", source=ItemSource.STAFF, added_by=worker
    )
    assert item.position == 2 and item.community_id == community.pk
    [entry] = entries(community, "agenda.item_added")
    assert entry.actor == worker
    assert entry.data["meeting"] == meeting.pk and entry.data["item"] == item.pk
    assert entry.data["source"] == "staff" and entry.data["proposal"] is None


def test_record_item_by_the_system_has_no_actor(community, worker):
    body, _people = seated_council(community, worker)
    meeting = meeting_of(body, worker)
    item = agenda.record_item(meeting=meeting, title="逾期事项", source=ItemSource.STAFF)
    [entry] = entries(community, "agenda.item_added")
    assert entry.actor is None and item.added_by is None
    assert AgendaItem.objects.in_community(community).count() == 1
