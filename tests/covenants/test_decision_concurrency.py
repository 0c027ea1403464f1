"""Acceptances under real concurrent requests: threads against the live server, each its own
database connection (run on PostgreSQL with DATABASE_URL; SQLite serialises writers by its own
lock). A decision locks the round's row and re-reads the amendment under it, so one amendment
is accepted once — one sequence number, one decision of the body — and two amendments accepted
at once take the sequences 1 and 2."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import pytest

from gongzhi.accounts.services import api_token_create
from gongzhi.bodies.models import Decision
from gongzhi.core.models import Activity
from gongzhi.covenants.models import Amendment, AmendmentStatus
from tests.concurrency import race_posts
from tests.covenants.revision_world import UNANIMOUS, covenant_in
from tests.covenants.world import amendment_of, current_round

ACCEPT = {"accept": True, "reason": "理由充分。", **UNANIMOUS}


def _url(live_server, community, amendment) -> str:
    return (
        f"{live_server.url}/api/v1/communities/{community.slug}/covenants/"
        f"amendments/{amendment.pk}/decision"
    )


def _race(urls: list[str], token: str, body: dict) -> list[int]:
    """POST ``body`` to each of ``urls`` at once; the sorted status codes."""
    barrier = threading.Barrier(len(urls))
    statuses: list[int] = []
    lock = threading.Lock()

    def post(url: str) -> None:
        request = urllib.request.Request(
            url,
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - live server
                code = response.status
        except urllib.error.HTTPError as error:
            code = error.code
        with lock:
            statuses.append(code)

    threads = [threading.Thread(target=post, args=(url,)) for url in urls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses)


@pytest.mark.django_db(transaction=True)
def test_ten_clients_accepting_one_amendment_accept_it_once(live_server, community, worker):
    covenant, _people = covenant_in(community, worker)
    amendment = amendment_of(current_round(covenant), article_key=1, paragraph_key=2, text="甲")
    _t, token = api_token_create(user=worker, name="t")

    statuses = race_posts(_url(live_server, community, amendment), token, [ACCEPT] * 10)

    assert statuses == [200] + [400] * 9
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.ACCEPTED
    assert amendment.sequence == 1
    assert Decision.objects.in_community(community).count() == 1
    assert amendment.decision_id == Decision.objects.in_community(community).get().pk
    accepted = Activity.objects.in_community(community).filter(verb="covenant.amendment_accepted")
    assert accepted.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_amendments_accepted_at_once_take_sequences_one_and_two(live_server, community, worker):
    covenant, _people = covenant_in(community, worker)
    round_ = current_round(covenant)
    first = amendment_of(round_, article_key=1, paragraph_key=2, text="甲")
    second = amendment_of(round_, article_key=6, paragraph_key=7, text="乙")
    _t, token = api_token_create(user=worker, name="t")

    statuses = _race(
        [_url(live_server, community, first), _url(live_server, community, second)],
        token,
        ACCEPT,
    )

    assert statuses == [200, 200]
    rows = Amendment.objects.in_community(community).filter(round=round_)
    assert sorted(a.sequence for a in rows) == [1, 2]
    assert {a.status for a in rows} == {AmendmentStatus.ACCEPTED}
    assert Decision.objects.in_community(community).count() == 2
