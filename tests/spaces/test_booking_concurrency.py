"""Booking under real concurrent requests: threads against the live server, each with its own
database connection (PostgreSQL with DATABASE_URL; SQLite serialises writers by its own lock).
The engine locks the space's row, expires holds, picks the lowest free seat and inserts; the
database's exclusion constraint (a trigger on SQLite) refuses any overlap that slipped by."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import TOTP

from gongzhi.accounts.services import api_token_create
from gongzhi.core.models import Activity, Role
from gongzhi.spaces.models import OCCUPYING, Booking, BookingStatus
from tests.concurrency import race_posts
from tests.conftest import TOTP_SECRET
from tests.factories import member
from tests.spaces.world import at, space_of


def _tokens(community, count, role=None):
    """API tokens of ``count`` new members (staff with their second factor, as the API asks)."""
    people = [member(community, role) for _n in range(count)]
    if role:
        for person in people:
            TOTP.activate(person, TOTP_SECRET)
    return [api_token_create(user=person, name="t")[1] for person in people]


def _overlaps(space):
    """Pairs of occupying bookings of one seat whose ranges overlap, read from the table."""
    rows = list(
        Booking.objects.in_community(space.community_id)
        .filter(space=space, status__in=OCCUPYING)
        .values_list("seat", "starts_at", "busy_until")
    )
    return [
        (a, b)
        for i, a in enumerate(rows)
        for b in rows[i + 1 :]
        if a[0] == b[0] and a[1] < b[2] and b[1] < a[2]
    ]


def _race(calls: list[tuple[str, str, dict]]) -> list[int]:
    """POST each (url, token, body) at once; the status codes in the calls' order."""
    barrier = threading.Barrier(len(calls))
    statuses: list[int] = [0] * len(calls)

    def post(index: int, url: str, token: str, body: dict) -> None:
        request = urllib.request.Request(
            url,
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - live server
                statuses[index] = response.status
        except urllib.error.HTTPError as error:
            statuses[index] = error.code

    threads = [
        threading.Thread(target=post, args=(index, *call)) for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.mark.django_db(transaction=True)
def test_twenty_clients_booking_one_slot_get_exactly_one(live_server, community):
    space = space_of(community)
    start = at(2, 10)
    body = {"starts_at": start.isoformat(), "minutes": 60, "purpose": "合唱排练"}
    url = f"{live_server.url}/api/v1/communities/{community.slug}/spaces/{space.pk}/bookings"

    statuses = race_posts(url, _tokens(community, 20), [body] * 20)

    assert statuses == [201] + [400] * 19
    rows = Booking.objects.in_community(community).filter(space=space)
    assert rows.count() == 1 and rows.get().status == BookingStatus.CONFIRMED
    assert Activity.objects.in_community(community).filter(verb="booking.made").count() == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_five_readers_for_twenty_seats(live_server, community):
    space = space_of(community, name="阅览室", seats=20, capacity=20)
    start = at(2, 9)
    url = f"{live_server.url}/api/v1/communities/{community.slug}/spaces/{space.pk}/bookings"
    bodies = [
        # overlapping, not identical: each starts a few minutes after the previous
        {
            "starts_at": (start + timedelta(minutes=n % 5)).isoformat(),
            "minutes": 120,
            "purpose": "自习",
        }
        for n in range(25)
    ]

    statuses = race_posts(url, _tokens(community, 25), bodies)

    assert statuses == [201] * 20 + [400] * 5
    seats = list(
        Booking.objects.in_community(community)
        .filter(space=space, status=BookingStatus.CONFIRMED)
        .values_list("seat", flat=True)
    )
    assert sorted(seats) == list(range(1, 21))
    assert _overlaps(space) == []


@pytest.mark.django_db(transaction=True)
def test_one_slot_needing_approval_is_never_approved_twice(live_server, community):
    """Ten residents ask for one slot of a space needing approval at once: the first request
    holds it, so a second pending request for it cannot exist; two managers approving at once:
    one approval, the other refused (booking_not_pending)."""
    space = space_of(community, needs_approval=True)
    start = at(2, 18)
    base = f"{live_server.url}/api/v1/communities/{community.slug}/spaces"
    body = {"starts_at": start.isoformat(), "minutes": 90, "purpose": "排练"}

    statuses = race_posts(f"{base}/{space.pk}/bookings", _tokens(community, 10), [body] * 10)

    assert statuses == [201] + [400] * 9
    request = Booking.objects.in_community(community).get(space=space)
    assert request.status == BookingStatus.PENDING
    managers = _tokens(community, 2, Role.COMMUNITY_WORKER)
    decision = f"{base}/bookings/{request.pk}/decision"

    statuses = _race([(decision, token, {"approve": True}) for token in managers])

    assert sorted(statuses) == [200, 400]
    request.refresh_from_db()
    assert request.status == BookingStatus.CONFIRMED
    assert Activity.objects.in_community(community).filter(verb="booking.approved").count() == 1


@pytest.mark.django_db(transaction=True)
def test_approve_and_refuse_at_once_decide_once(live_server, community):
    """One request, approved by one manager and refused by another at the same moment:
    exactly one decision stands, and it is the one that answered 200."""
    space = space_of(community, needs_approval=True)
    start = at(3, 18)
    base = f"{live_server.url}/api/v1/communities/{community.slug}/spaces"
    resident = _tokens(community, 1)
    body = {"starts_at": start.isoformat(), "minutes": 60, "purpose": "排练"}
    assert race_posts(f"{base}/{space.pk}/bookings", resident, [body]) == [201]
    request = Booking.objects.in_community(community).get(space=space)
    managers = _tokens(community, 2, Role.COMMUNITY_WORKER)
    decision = f"{base}/bookings/{request.pk}/decision"

    statuses = _race(
        [
            (decision, managers[0], {"approve": True}),
            (decision, managers[1], {"approve": False, "reason": "场地维修"}),
        ]
    )

    assert sorted(statuses) == [200, 400]
    request.refresh_from_db()
    decided = Activity.objects.in_community(community).filter(
        verb__in=("booking.approved", "booking.rejected")
    )
    assert decided.count() == 1
    assert request.status == (
        BookingStatus.CONFIRMED if statuses[0] == 200 else BookingStatus.REJECTED
    )
