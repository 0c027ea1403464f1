"""Simultaneous agenda writes: real threads against the live server, each its own database
connection (PostgreSQL with DATABASE_URL: the services lock the meeting's row, and the
proposal's, before they count or check; SQLite serialises writers)."""

from __future__ import annotations

import pytest

from gongzhi.accounts.services import api_token_create
from gongzhi.meetings.models import AgendaItem
from tests.concurrency import race_posts
from tests.meetings.test_agenda import answering, under_review
from tests.meetings.world import meeting_of, seated_council


def agenda_url(live_server, meeting, tail: str) -> str:
    slug = meeting.community.slug
    return f"{live_server.url}/api/v1/communities/{slug}/meetings/{meeting.pk}/agenda{tail}"


@pytest.mark.django_db(transaction=True)
def test_items_added_at_once_get_distinct_places(live_server, community, worker):
    body, people = seated_council(community, worker)
    meeting = meeting_of(body, worker)
    tokens = [api_token_create(user=user, name="t")[1] for user in [worker, *people]]
    bodies = [{"title": f"议题{n}"} for n in range(len(tokens))]

    statuses = race_posts(agenda_url(live_server, meeting, "/items"), tokens, bodies)

    assert statuses == [201] * len(bodies)
    positions = sorted(
        AgendaItem.objects.in_community(community)
        .filter(meeting=meeting)
        .values_list("position", flat=True)
    )
    assert positions == list(range(1, len(bodies) + 1))


@pytest.mark.django_db(transaction=True)
def test_one_proposal_put_on_the_agenda_at_once_is_there_once(
    live_server, community, worker, resident
):
    body, _people = seated_council(community, worker, powers=answering())
    meeting = meeting_of(body, worker)
    proposal = under_review(community, resident)
    _t, token = api_token_create(user=worker, name="t")

    statuses = race_posts(
        agenda_url(live_server, meeting, "/proposals"), token, [{"proposal": proposal.pk}] * 4
    )

    assert statuses == [201, 400, 400, 400]
    assert AgendaItem.objects.in_community(community).filter(proposal=proposal).count() == 1
