"""Concurrent steps on one ticket apply once: real threads against the live server (run on
PostgreSQL with DATABASE_URL; SQLite serialises writers by its own lock)."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import pytest

from gongzhi.accounts.services import api_token_create
from gongzhi.core.models import Activity
from gongzhi.feedback import services
from gongzhi.feedback.models import EventKind, Rating, Status, Ticket, TicketEvent
from tests.concurrency import race_posts
from tests.factories import member


@pytest.mark.django_db(transaction=True)
def test_concurrent_accepts_and_ratings_apply_once(live_server, community):
    services.categories_install_defaults(community=community)
    department = services.department_create(actor=None, community=community, name="物业")
    worker = member(community, "community_worker")
    services.category_update(
        actor=worker, category=community_category(community, "elevator"), department=department
    )
    handler, reporter = member(community), member(community)
    services.handler_add(actor=None, department=department, user=handler)
    ticket = services.ticket_file(
        actor=reporter, community=community, text="3号楼电梯坏了，卡在五楼不动"
    )
    assert ticket.department == department
    _t, handler_token = api_token_create(user=handler, name="t")
    base = f"{live_server.url}/api/v1/communities/{community.slug}/hotline/tickets/{ticket.number}"

    statuses = race_posts(base + "/accept", handler_token, [{}] * 6)
    assert statuses == [200] + [400] * 5
    accepted = TicketEvent.objects.in_community(community).filter(kind=EventKind.ACCEPTED)
    assert accepted.count() == 1
    assert Activity.objects.in_community(community).filter(verb="hotline.accepted").count() == 1

    statuses = race_posts(
        base + "/resolve", handler_token, [{"note": f"修好了{i}"} for i in range(4)]
    )
    assert statuses == [200] + [400] * 3

    _t, reporter_token = api_token_create(user=reporter, name="t")
    bodies = [{"solved": True, "satisfaction": 1 + i} for i in range(5)]
    statuses = race_posts(base + "/rating", reporter_token, bodies)
    assert statuses == [201] + [400] * 4
    assert Rating.objects.in_community(community).count() == 1
    assert Ticket.objects.in_community(community).get().status == Status.CLOSED


@pytest.mark.django_db(transaction=True)
def test_concurrent_filings_get_distinct_numbers(live_server, community):
    services.categories_install_defaults(community=community)
    people = [member(community) for _ in range(6)]
    url = f"{live_server.url}/api/v1/communities/{community.slug}/hotline/tickets"
    barrier = threading.Barrier(len(people))
    codes: list[int] = []

    def file(person) -> None:
        _t, token = api_token_create(user=person, name="t")
        request = urllib.request.Request(
            url,
            data=json.dumps({"text": "楼下路灯不亮了"}).encode(),
            method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                codes.append(response.status)
        except urllib.error.HTTPError as error:
            codes.append(error.code)

    threads = [threading.Thread(target=file, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [201] * 6
    numbers = sorted(Ticket.objects.in_community(community).values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4, 5, 6]


def community_category(community, code):
    from gongzhi.feedback.models import Category

    return Category.objects.in_community(community).get(code=code)
