"""Attendance and lending through the API: refusals answer with the service's code and nothing
is saved; what the caller may not act on, or another community's, is 404; the lists keep their
query count as rows grow."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.accounts.services import api_token_create
from gongzhi.core import checkin
from gongzhi.disclosure.models import LedgerEntry
from gongzhi.spaces import attendance, lending
from gongzhi.spaces.models import Booking, BookingStatus, Loan, NoShowAppeal
from tests.factories import member
from tests.spaces.world import booking_of, space_of

pytestmark = pytest.mark.django_db


def api(user, method, path, body=None):
    extra = {}
    if user is not None:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {api_token_create(user=user, name='t')[1]}"
    return Client().generic(
        method,
        f"/api/v1/communities/{path}",
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
        **extra,
    )


def _now():
    return timezone.now().replace(microsecond=0)


# --- Check-in ----------------------------------------------------------------------------------


def test_checking_in_through_the_api(community, resident, worker):
    space = space_of(community)
    path = f"{community.slug}/spaces/{space.pk}/checkin"
    code = api(worker, "GET", f"{path}-code").json()["code"]
    assert api(resident, "GET", f"{path}-code").status_code == 404

    nothing = api(resident, "POST", path, {"code": code})
    assert nothing.status_code == 400 and nothing.json()["code"] == "checkin_no_booking"
    booking = booking_of(space, resident, _now() - timedelta(minutes=3))
    stale = api(resident, "POST", path, {"code": checkin.code_for(space, checkin.time_step() - 9)})
    assert stale.status_code == 400 and stale.json()["code"] == "checkin_code"
    done = api(resident, "POST", path, {"code": code})
    assert done.status_code == 200 and done.json()["booking"] == booking.pk
    booking.refresh_from_db()
    assert booking.checked_in_at is not None


def test_another_communitys_space_is_not_found(community, other_community, resident):
    space = space_of(other_community)
    code = checkin.current_code(space)
    response = api(resident, "POST", f"{community.slug}/spaces/{space.pk}/checkin", {"code": code})
    assert response.status_code == 404


# --- Appeals and fees --------------------------------------------------------------------------


def test_appeals_through_the_api_are_decided_by_another_manager(community, resident, worker):
    space = space_of(community)
    gone = _now() - timedelta(days=1)
    missed = booking_of(space, resident, gone, status=BookingStatus.RELEASED, no_show=True)
    path = f"{community.slug}/spaces/bookings/{missed.pk}/appeal"
    assert api(member(community), "POST", path, {"reason": "?"}).status_code == 404
    made = api(resident, "POST", path, {"reason": "我到了"})
    assert made.status_code == 201
    again = api(resident, "POST", path, {"reason": "我到了"})
    assert again.status_code == 400 and again.json()["code"] == "appeal_twice"
    appeal_id = made.json()["id"]
    decide = f"{community.slug}/spaces/appeals/{appeal_id}/decide"
    assert api(resident, "POST", decide, {"overturn": True}).status_code == 404
    bare = api(worker, "POST", decide, {"overturn": False})
    assert bare.status_code == 400 and bare.json()["code"] == "appeal_no_answer"
    assert [a["id"] for a in api(worker, "GET", f"{community.slug}/spaces/appeals").json()] == [
        appeal_id
    ]
    assert api(worker, "POST", decide, {"overturn": True}).json()["status"] == "overturned"
    assert NoShowAppeal.objects.in_community(community).get().decided_by == worker


def test_a_fee_through_the_api_is_refused_to_residents_and_to_the_payer(community, worker):
    space = space_of(community, fee=Decimal("8"))
    own = booking_of(space, worker, _now() - timedelta(hours=3), fee=Decimal("8"))
    path = f"{community.slug}/spaces/bookings/{own.pk}/fee-paid"
    assert api(member(community), "POST", path).status_code == 404
    assert api(worker, "POST", path).status_code == 403
    assert not LedgerEntry.objects.in_community(community).exists()
    assert Booking.objects.in_community(community).get(pk=own.pk).fee_paid_at is None


# --- Lending -----------------------------------------------------------------------------------


def test_lending_refusals_through_the_api(community, other_community, worker, resident):
    chair = lending.resource_create(
        actor=worker, community=community, name="助行器", kind="mobility", quantity=1
    )
    path = f"{community.slug}/spaces/resources/{chair.pk}/loans"
    own = api(worker, "POST", path, {"phone": worker.phone})
    assert own.status_code == 400 and own.json()["code"] == "loan_to_oneself"
    stranger = api(worker, "POST", path, {"phone": member(other_community).phone})
    assert stranger.status_code == 400 and stranger.json()["code"] == "not_member"
    assert api(resident, "POST", path, {"phone": member(community).phone}).status_code == 404
    assert api(worker, "POST", path, {"phone": resident.phone}).status_code == 201
    none_left = api(worker, "POST", path, {"phone": member(community).phone})
    assert none_left.status_code == 400 and none_left.json()["code"] == "loan_none_left"
    assert Loan.objects.in_community(community).count() == 1

    elsewhere = f"{other_community.slug}/spaces/resources/{chair.pk}"
    assert api(member(other_community), "GET", elsewhere).status_code == 404
    bad = api(worker, "POST", f"{community.slug}/spaces/resources", {"name": "x", "kind": "car"})
    assert bad.status_code == 400 and bad.json()["code"] == "resource_kind"
    assert (
        api(
            resident, "POST", f"{community.slug}/spaces/resources", {"name": "x", "kind": "tools"}
        ).status_code
        == 403
    )


def test_my_loans_and_the_lists_keep_their_query_count(
    community, worker, resident, django_assert_max_num_queries
):
    space = space_of(community)

    def grow(number):
        for index in range(number):
            item = lending.resource_create(
                actor=worker,
                community=community,
                name=f"工具{number}-{index}",
                kind="tools",
                quantity=2,
                kept_at=space,
            )
            lending.loan_lend(actor=worker, resource=item, borrower=resident)
            missed = booking_of(
                space,
                resident,
                _now() - timedelta(days=2, hours=number * 10 + index),
                status=BookingStatus.RELEASED,
                no_show=True,
            )
            attendance.appeal_submit(actor=resident, booking=missed, reason="到了")

    client = Client()
    client.force_login(resident)
    token = api_token_create(user=worker, name="t")[1]
    worker_client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    pages = [
        (client, f"/c/{community.slug}/spaces/mine/"),
        (client, f"/c/{community.slug}/spaces/resources/"),
        (client, f"/api/v1/communities/{community.slug}/spaces/my-loans"),
        (worker_client, f"/api/v1/communities/{community.slug}/spaces/resources"),
        (worker_client, f"/api/v1/communities/{community.slug}/spaces/appeals"),
    ]
    grow(2)
    counts = []
    for who, url in pages:
        with CaptureQueriesContext(connection) as captured:
            assert who.get(url).status_code == 200
        counts.append(len(captured))
    grow(8)
    for (who, url), before in zip(pages, counts, strict=True):
        with django_assert_max_num_queries(before):
            assert who.get(url).status_code == 200
