"""Concurrent transfers from one account never cross its floor, and starting credit is granted
once however many requests ask at once: threads, each with its own database connection
(PostgreSQL row locks; SQLite's serialised IMMEDIATE transactions), and real requests against
the live server."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gongzhi.accounts.services import api_token_create
from gongzhi.volunteering import timebank
from gongzhi.volunteering.models import TimeMovement, Transfer, TransferKind
from tests.concurrency import race_posts
from tests.factories import member


def _at_once(work: list) -> list[str]:
    """Run each callable in its own thread, released together; what each ended with."""
    barrier = threading.Barrier(len(work))
    results: list[str] = []
    lock = threading.Lock()

    def run(job) -> None:
        barrier.wait()
        try:
            job()
            outcome = "ok"
        except ValidationError as refused:
            outcome = str(refused.code)
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(results)


@pytest.mark.django_db(transaction=True)
def test_concurrent_transfers_from_one_account_never_cross_the_floor(community, transactional_db):
    """The floor is -600: of ten transfers of 100 minutes at once, exactly six pass."""
    payer = member(community)
    source = timebank.account_of(community, payer)
    targets = [timebank.account_of(community, member(community)) for _ in range(10)]

    def pay(target):
        return lambda: timebank.transfer(
            actor=payer, from_account=source, to_account=target, minutes=100, kind="exchange"
        )

    results = _at_once([pay(target) for target in targets])
    assert results == ["ok"] * 6 + ["over_limit"] * 4
    assert timebank.balance(source) == -600
    movements = TimeMovement.objects.in_community(community)
    assert movements.count() == 12
    assert sum(movements.values_list("minutes", flat=True)) == 0


@pytest.mark.django_db(transaction=True)
def test_simultaneous_grants_give_the_starting_credit_once(
    live_server, community, worker, transactional_db
):
    person = member(community)
    token = api_token_create(user=worker, name="race")[1]
    url = f"{live_server.url}/api/v1/communities/{community.slug}/volunteering/timebank/grants"
    statuses = race_posts(url, token, [{"phone": person.phone} for _ in range(6)])
    assert statuses == [201] + [400] * 5
    grants = Transfer.objects.in_community(community).filter(kind=TransferKind.GRANT)
    assert grants.count() == 1
    assert timebank.balance(timebank.account_of(community, person)) == 120
