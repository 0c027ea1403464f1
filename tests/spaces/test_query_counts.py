"""Query counts of the spaces' pages and API lists that had no such test (review 5): each is read
with a few rows and with five times as many, and must take the same number of queries. The
rows differ the ways the page reads them (spaces managed by a body one sits in or not, requests
for oneself or for an organisation, bookings with fees paid or not), so a read per row shows."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.services import api_token_create
from gongzhi.core.models import Role
from gongzhi.spaces import draws
from gongzhi.spaces.models import BookingStatus, SpaceKind
from tests.api_world import staff
from tests.factories import member
from tests.meetings.world import seated_council
from tests.spaces.world import at, booking_of, space_of

pytestmark = pytest.mark.django_db


def _page(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _api(user) -> Client:
    token = api_token_create(user=user, name="t")[1]
    return Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_AUTHORIZATION=f"Bearer {token}")


def _count(client: Client, url: str, rows: int | None = None) -> int:
    """The queries of one GET of ``url`` (read once before, so caches are warm); with ``rows``,
    the API list must hold that many."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    if rows is not None:
        assert len(response.json()) == rows
    return len(captured)


def _counts(readers: list[tuple[Client, str]], grow, few: int, many: int) -> None:
    """Reads every (client, url) at ``few`` rows and at ``many``; the counts must be equal."""
    grow(0, few)
    before = [_count(client, url) for client, url in readers]
    grow(few, many)
    after = [_count(client, url) for client, url in readers]
    assert after == before, list(zip((url for _, url in readers), before, after, strict=True))


# --- the spaces home page with spaces managed by bodies (5.1) ---------------------------------


def test_the_home_page_does_not_grow_with_spaces_managed_by_bodies(community, worker, resident):
    mine, (chair, _other) = seated_council(community, worker, members=2)
    theirs, _people = seated_council(community, worker, members=1, name="业委会")

    def grow(start, stop):
        for n in range(start, stop):
            space = space_of(
                community,
                worker,
                name=f"房间{n}",
                managed_by_body=mine if n % 2 else theirs,
                needs_approval=bool(n % 3),
                series_allowed=True,
                kind=SpaceKind.READING_ROOM if n % 4 == 0 else SpaceKind.ROOM,
            )
            booking_of(space, resident, at(1 + n % 5, hour=8 + n % 10))
            if n % 2 == 0:  # the home page lists the draws open too
                draws.draw_open(
                    actor=worker,
                    space=space,
                    starts_at=at(7, hour=19),
                    ends_at=at(7, hour=21),
                    closes_at=timezone.now() + timedelta(hours=1),
                    seed_rule="开奖号码",
                )

    url = reverse("spaces_home", args=[community.slug])
    _counts([(_page(resident), url), (_page(chair), url)], grow, 2, 10)


# --- the approvals page and the API's requests (5, missing) -----------------------------------


def test_the_approvals_and_the_api_requests_do_not_grow_with_requests(community, worker):
    body, (chair, _other) = seated_council(community, worker, members=2)
    manager = staff(community, Role.COMMUNITY_WORKER)
    spaces = [
        space_of(community, worker, name=f"审批室{n}", needs_approval=True, managed_by_body=body)
        for n in range(3)
    ]
    hold = timezone.now() + timedelta(days=1)

    def grow(start, stop):
        for n in range(start, stop):
            person = member(community)
            booking_of(
                spaces[n % 3],
                person,
                at(2 + n // 3, hour=8 + n % 10),
                status=BookingStatus.PENDING,
                hold_until=hold,
                body=body if n % 2 else None,
                booked_by=worker if n % 4 == 0 else person,
                attendees=1 + n,
            )

    page = reverse("spaces_approvals", args=[community.slug])
    api = f"/api/v1/communities/{community.slug}/spaces/requests"
    readers = [
        (_page(manager), page),
        (_page(chair), page),
        (_api(manager), api),
        (_api(chair), api),
    ]
    _counts(readers, grow, 2, 10)
    assert len(_api(chair).get(api).json()) == 10


# --- the desk (5, missing) ---------------------------------------------------------------------


def test_the_desk_does_not_grow_with_the_days_bookings(community, worker):
    body, (chair, _other) = seated_council(community, worker, members=2)
    manager = staff(community, Role.COMMUNITY_WORKER)
    space = space_of(community, worker, managed_by_body=body, fee=Decimal("20"))
    day = at(1).date()

    def grow(start, stop):
        for n in range(start, stop):
            paid = n % 3 == 0
            booking_of(
                space,
                member(community),
                at(1, hour=8 + n),
                status=BookingStatus.RELEASED if n % 5 == 4 else BookingStatus.CONFIRMED,
                body=body if n % 2 else None,
                fee=Decimal("20"),
                fee_paid_at=timezone.now() if paid else None,
                fee_received_by=manager if paid else None,
                checked_in_at=at(1, hour=8 + n) if n % 4 == 1 else None,
            )

    url = reverse("spaces_desk", args=[community.slug, space.pk]) + f"?day={day.isoformat()}"
    _counts([(_page(manager), url), (_page(chair), url)], grow, 2, 10)


# --- the API's draw list (5.2) -----------------------------------------------------------------


def test_the_api_draw_list_does_not_grow_with_draws(community, worker, resident):
    rooms = [space_of(community, worker, name=f"抽签室{n}", seats=2) for n in range(2)]
    path = f"/api/v1/communities/{community.slug}/spaces/draws"

    def grow(start, stop):
        for n in range(start, stop):
            draw = draws.draw_open(
                actor=worker,
                space=rooms[n % 2],
                starts_at=at(2 + n, hour=19),
                ends_at=at(2 + n, hour=21),
                closes_at=timezone.now() + timedelta(hours=1),
                seed_rule="开奖号码",
            )
            for _ in range(n % 3):
                draws.draw_request(actor=member(community), draw=draw, purpose="聚会")

    client = _api(resident)
    grow(0, 1)
    one = _count(client, path, rows=1)
    grow(1, 7)
    assert _count(client, path, rows=7) == one
    listed = client.get(path).json()
    assert {row["seats"] for row in listed} == {2}  # each draw holds the room's two seats
