"""Residents joining an organisation at the same moment: real threads against the live server,
each its own database connection (run on PostgreSQL with DATABASE_URL; SQLite serialises
writers by its own lock). The service locks the ``Incubation`` row, so every joiner gets a
seat of their own and one person joining several times at once is a founder once."""

from __future__ import annotations

import threading

import pytest

from gongzhi.accounts.services import api_token_create
from gongzhi.bodies import incubation
from gongzhi.bodies.models import ChosenBy, Mandate
from gongzhi.core.models import Activity
from tests.concurrency import race_posts
from tests.factories import member


def _url(live_server, community, item) -> str:
    return (
        f"{live_server.url}/api/v1/communities/{community.slug}/organisations/"
        f"{item.body_id}/founders"
    )


@pytest.mark.django_db(transaction=True)
def test_one_resident_joining_at_once_is_a_founder_once(live_server, community, resident):
    item = incubation.organisation_propose(
        actor=resident, community=community, kind="organisation", name="读书会", purpose="读书"
    )
    joiner = member(community)
    token = api_token_create(user=joiner, name="t")[1]

    statuses = race_posts(_url(live_server, community, item), token, [{}] * 5)

    assert statuses == [201] + [400] * 4
    founders = Mandate.objects.in_community(community).filter(
        body=item.body, chosen_by=ChosenBy.FOUNDING, membership__user=joiner
    )
    assert founders.count() == 1
    joined = Activity.objects.in_community(community).filter(verb="incubation.founder_joined")
    assert joined.count() == 1


@pytest.mark.django_db(transaction=True)
def test_residents_joining_at_once_each_get_a_seat(live_server, community, resident):
    item = incubation.organisation_propose(
        actor=resident, community=community, kind="organisation", name="护河队", purpose="护河"
    )
    tokens = [api_token_create(user=member(community), name="t")[1] for _i in range(4)]
    url = _url(live_server, community, item)
    results: list[list[int]] = []
    barrier = threading.Barrier(len(tokens))

    def join(token: str) -> None:
        barrier.wait()
        results.append(race_posts(url, token, [{}]))

    threads = [threading.Thread(target=join, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(s for r in results for s in r) == [201] * 4
    seats = sorted(
        Mandate.objects.in_community(community)
        .filter(body=item.body, chosen_by=ChosenBy.FOUNDING)
        .values_list("seat", flat=True)
    )
    assert seats == [1, 2, 3, 4, 5]
    assert incubation.founder_count(item) == 5
