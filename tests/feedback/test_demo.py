"""The hotline's demo content is made through the services and covers every state."""

from __future__ import annotations

import pytest

from gongzhi.core.models import Role
from gongzhi.feedback.demo import seed_demo_hotline
from gongzhi.feedback.models import Rating, Routing, Status, Ticket
from tests.factories import BuildingFactory, member


@pytest.mark.django_db
def test_demo_hotline_has_tickets_in_every_state(community):
    worker = member(community, Role.COMMUNITY_WORKER)
    residents = [member(community) for _ in range(5)]
    for name in ("3号楼", "5号楼", "7号楼"):
        BuildingFactory(community=community, name=name)
    handler = member(community, display_name="王师傅")
    made = seed_demo_hotline(community, worker=worker, residents=residents, handlers=[handler])
    tickets = Ticket.objects.in_community(community)
    assert made["tickets"] == tickets.count() == 8
    statuses = set(tickets.values_list("status", flat=True))
    assert statuses == {s.value for s in Status}
    assert tickets.filter(routing=Routing.TRIAGE).exists()
    assert tickets.filter(duplicate_of__isnull=False).count() == 1
    assert tickets.filter(filed_by=worker, reporter=residents[-1]).exists()
    assert Rating.objects.in_community(community).count() == 1
    assert tickets.filter(assignee=handler).exists()
    # Seeding twice adds nothing.
    assert seed_demo_hotline(community, worker=worker, residents=residents)["tickets"] == 0
