"""Concurrent confirmations of one sign-up, and concurrent reversals of one entry, through real
requests to the live server: the database lets exactly one through (a lock on the sign-up's or
the entry's row, backed by the partial unique constraint and the one-to-one ``reverses``)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gongzhi.accounts.services import api_token_create
from gongzhi.volunteering.models import HoursEntry, HoursEntryKind
from tests.concurrency import race_posts
from tests.factories import member
from tests.volunteering.world import activity_of, shift_of, signup_of, volunteer_of

CLIENTS = 8


@pytest.mark.django_db(transaction=True)
def test_one_confirmation_and_one_reversal_win(live_server, community, worker):
    organiser = member(community)
    shift = shift_of(activity_of(community, organiser), starts_in=-timedelta(hours=3), hours=2)
    signup = signup_of(
        shift,
        volunteer_of(community),
        arrived_at=shift.starts_at,
        left_at=shift.starts_at + timedelta(minutes=75),
    )
    token = api_token_create(user=organiser, name="race")[1]
    base = f"{live_server.url}/api/v1/communities/{community.slug}/volunteering"
    confirm = f"{base}/shifts/{shift.pk}/roll/{signup.pk}/confirm"
    statuses = race_posts(confirm, token, [{}] * CLIENTS)
    assert statuses == [201] + [400] * (CLIENTS - 1)
    entries = HoursEntry.objects.in_community(community)
    entry = entries.get(kind=HoursEntryKind.SERVICE)
    assert entry.credited_minutes == 90

    reverse = f"{base}/hours/{entry.pk}/reversal"
    statuses = race_posts(reverse, token, [{"reason": "重复录入"}] * CLIENTS)
    assert statuses == [201] + [400] * (CLIENTS - 1)
    assert entries.filter(kind=HoursEntryKind.REVERSAL).count() == 1
    assert sum(entries.values_list("credited_minutes", flat=True)) == 0
