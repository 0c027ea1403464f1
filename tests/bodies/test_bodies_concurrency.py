"""Two (or more) simultaneous terms for one seat with overlapping dates store exactly one: real
threads against the live server, each its own database connection (PostgreSQL with
DATABASE_URL: the service locks the position's row before it checks; SQLite serialises
writers)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from gongzhi.accounts.services import api_token_create
from gongzhi.bodies.models import Mandate
from gongzhi.core.models import Activity, Membership, RoleGrant
from tests.bodies.bodies_world import council, seat
from tests.concurrency import race_posts
from tests.factories import member


@pytest.mark.django_db(transaction=True)
def test_simultaneous_terms_for_one_seat_store_exactly_one(live_server, community, worker):
    body = council(community, worker)
    position = seat(body, seats=3)
    _t, token = api_token_create(user=worker, name="t")
    people = [member(community) for _ in range(5)]
    start = timezone.localdate()
    bodies = [
        {
            "position": position.pk,
            "membership": Membership.objects.in_community(community).get(user=person).pk,
            "seat": 2,
            "chosen_by": "appointment",
            "starts_on": (start.replace(day=1)).isoformat(),
        }
        for person in people
    ]
    url = f"{live_server.url}/api/v1/communities/{community.slug}/bodies/{body.pk}/mandates"

    statuses = race_posts(url, token, bodies)

    assert statuses == [201] + [400] * (len(bodies) - 1)
    assert Mandate.objects.in_community(community).filter(position=position, seat=2).count() == 1
    assert RoleGrant.objects.in_community(community).filter(source_id__isnull=False).count() == 1
    started = Activity.objects.in_community(community).filter(verb="body.mandate_started")
    assert started.count() == 1
