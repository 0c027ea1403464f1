"""Registrations and scheduling under real concurrent requests: threads against the live
server, each its own database connection (run on PostgreSQL with DATABASE_URL; SQLite
serialises writers by its own lock). Registration locks the meeting's row before it counts, so
never more are registered than its places; scheduling locks the body's row before it looks for
an overlap, so two overlapping meetings are never both saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.accounts.services import api_token_create
from gongzhi.core.models import Activity
from gongzhi.meetings.models import Meeting, Registration
from tests.concurrency import race_posts
from tests.factories import member
from tests.meetings.world import meeting_of, seated_council


@pytest.mark.django_db(transaction=True)
def test_simultaneous_registrations_never_exceed_the_places(live_server, community, worker):
    body, _people = seated_council(community, worker, members=3)
    meeting = meeting_of(body, worker, capacity=3)
    tokens = [api_token_create(user=member(community), name="t")[1] for _i in range(8)]
    url = (
        f"{live_server.url}/api/v1/communities/{community.slug}/meetings/{meeting.pk}/registrations"
    )

    statuses = race_posts(url, tokens, [{} for _token in tokens])

    assert statuses == [201] * 8
    rows = Registration.objects.in_community(community).filter(meeting=meeting)
    assert rows.filter(status="registered").count() == 3
    assert rows.filter(status="waitlisted").count() == 5
    journalled = Activity.objects.in_community(community).filter(verb="meeting.registered")
    assert sorted(e.data["status"] for e in journalled) == ["registered"] * 3 + ["waitlisted"] * 5


@pytest.mark.django_db(transaction=True)
def test_simultaneous_overlapping_meetings_store_exactly_one(live_server, community, worker):
    body, _people = seated_council(community, worker, members=3)
    _t, token = api_token_create(user=worker, name="t")
    start = timezone.now().replace(microsecond=0) + timedelta(days=7)
    bodies = [
        {
            "body": body.pk,
            "title": f"议事会 {number}",
            "starts_at": (start + timedelta(minutes=10 * number)).isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
        }
        for number in range(5)
    ]
    url = f"{live_server.url}/api/v1/communities/{community.slug}/meetings"

    statuses = race_posts(url, token, bodies)

    assert statuses == [201] + [400] * 4
    assert Meeting.objects.in_community(community).filter(body=body).count() == 1
    assert Activity.objects.in_community(community).filter(verb="meeting.created").count() == 1
