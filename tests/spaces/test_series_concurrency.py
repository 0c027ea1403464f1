"""Real concurrent requests: series and draw requests racing over one space's time.

Ten organisations book the same weekly series at once (all or nothing): exactly one gets it,
the others find every time taken (400, nothing saved), and no time is booked twice. Ten residents ask in a draw at
once, each once, and one resident's two requests at once store one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.accounts.services import api_token_create
from gongzhi.spaces import draws
from gongzhi.spaces.models import OCCUPYING, Booking, DrawRequest, Series
from tests.concurrency import race_posts
from tests.factories import member
from tests.spaces.world import at, space_of

pytestmark = pytest.mark.django_db(transaction=True)


def _tokens(community, count):
    return [api_token_create(user=member(community), name="t")[1] for _ in range(count)]


def test_ten_series_for_the_same_times_one_wins_whole(live_server, community):
    space = space_of(community)
    start = at(2, hour=19)
    url = f"{live_server.url}/api/v1/communities/{community.slug}/spaces/{space.pk}/series"
    body = {
        "rrule": "FREQ=WEEKLY;COUNT=4",
        "starts_at": start.isoformat(),
        "minutes": 60,
        "purpose": "合唱团排练",
    }
    statuses = race_posts(url, _tokens(community, 10), [body] * 10)
    # the others find every time taken: series_none_free, nothing saved
    assert statuses == [201] + [400] * 9
    assert Series.objects.count() == 1
    rows = Booking.objects.filter(space=space, status__in=OCCUPYING)
    assert rows.count() == 4
    assert len(set(rows.values_list("starts_at", flat=True))) == 4


def test_ten_requests_in_a_draw_at_once_and_one_persons_twice(live_server, community, worker):
    space = space_of(community)
    draw = draws.draw_open(
        actor=worker,
        space=space,
        starts_at=at(4, hour=19),
        ends_at=at(4, hour=21),
        closes_at=timezone.now() + timedelta(hours=2),
        seed_rule="开奖号码",
    )
    url = f"{live_server.url}/api/v1/communities/{community.slug}/spaces/draws/{draw.pk}/requests"
    statuses = race_posts(url, _tokens(community, 10), [{"purpose": "聚会"}] * 10)
    assert statuses == [201] * 10
    one = _tokens(community, 1)[0]
    twice = race_posts(url, [one, one], [{"purpose": "聚会"}] * 2)
    assert twice == [201, 400]
    assert DrawRequest.objects.filter(draw=draw).count() == 11


def test_two_overlapping_series_at_once_one_books_the_other_gets_its_report(live_server, community):
    space = space_of(community)
    start = at(2, hour=19)
    url = f"{live_server.url}/api/v1/communities/{community.slug}/spaces/{space.pk}/series"

    def body(first):
        return {
            "rrule": "FREQ=WEEKLY;COUNT=4",
            "starts_at": first.isoformat(),
            "minutes": 60,
            "purpose": "排练",
        }

    statuses = race_posts(
        url, _tokens(community, 2), [body(start), body(start + timedelta(weeks=2))]
    )
    assert statuses == [201, 409]
    assert Series.objects.count() == 1
    assert Booking.objects.filter(space=space, status__in=OCCUPYING).count() == 4
