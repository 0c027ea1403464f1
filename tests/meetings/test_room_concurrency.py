"""A departure and a decision at the same moment never produce a decision without quorum: real
concurrent requests against the live server, each its own database connection (PostgreSQL
with DATABASE_URL: both lock the meeting's row first; SQLite serialises writers)."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import pytest

from gongzhi.accounts.services import api_token_create
from gongzhi.meetings import room
from gongzhi.meetings.models import ItemDecision, Presence
from tests.meetings.test_room import arrive, in_session
from tests.meetings.world import item_of


def race(token: str, requests: list[tuple[str, dict]]) -> list[int]:
    """POST each (url, body) at once, released together by a barrier; the status codes in
    the order given."""
    barrier = threading.Barrier(len(requests))
    statuses: list[int] = [0] * len(requests)

    def post(index: int, url: str, body: dict) -> None:
        request = urllib.request.Request(
            url,
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - the live server
                statuses[index] = response.status
        except urllib.error.HTTPError as error:
            statuses[index] = error.code

    threads = [
        threading.Thread(target=post, args=(i, url, body)) for i, (url, body) in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.mark.django_db(transaction=True)
def test_a_departure_racing_a_decision_never_leaves_a_decision_without_quorum(
    live_server, community, worker
):
    _body, people, meeting = in_session(community, worker, members=5)
    _t, token = api_token_create(user=worker, name="t")
    base = f"{live_server.url}/api/v1/communities/{community.slug}/meetings/{meeting.pk}"
    arrive(meeting, worker, *people[:3])  # exactly the quorum: 3 of 5
    outcomes = set()
    for round_ in range(6):
        item = item_of(meeting, f"议题{round_}")
        leaving = people[round_ % 3]
        statuses = race(
            token,
            [
                (f"{base}/departures", {"person": leaving.pk}),
                (f"{base}/items/{item.pk}/decision", {"method": "hands", "votes_for": 3}),
            ],
        )
        assert statuses[0] == 200
        assert statuses[1] in (201, 400)
        decided = ItemDecision.objects.in_community(community).filter(item=item).first()
        assert (decided is not None) == (statuses[1] == 201)
        left = Presence.objects.in_community(community).filter(person=leaving).latest("pk")
        if decided is not None:
            # decided first: the member was still there when the vote was recorded
            assert left.left_at >= decided.recorded_at
            assert decided.present == 3
            assert room.quorum_state(meeting=meeting, item=item, at=decided.recorded_at).met
            outcomes.add("decided")
        else:
            outcomes.add("refused")
        room.presence_arrive(actor=worker, meeting=meeting, person=leaving)
    # every decision stood on a quorum present at its moment
    for decision in ItemDecision.objects.in_community(community):
        state = room.quorum_state(meeting=meeting, item=decision.item, at=decision.recorded_at)
        assert state.met and state.present == decision.present
    assert outcomes
