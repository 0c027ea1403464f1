"""The series-and-draws API: the conflict report, 409 with the report when nothing is booked,
book_rest, the refusals' codes with nothing saved, what others cannot see, and a draw through
the API."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.spaces import draws
from gongzhi.spaces.models import Booking, DrawRound, Series
from tests.api_world import staff
from tests.factories import member
from tests.spaces.world import at, booking_of, space_of

pytestmark = pytest.mark.django_db


def api(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def _body(start, **extra):
    return {
        "rrule": "FREQ=WEEKLY;COUNT=4",
        "starts_at": start.isoformat(),
        "minutes": 60,
        "purpose": "合唱团排练",
        **extra,
    }


def test_check_then_409_then_book_the_rest(community, resident):
    space = space_of(community)
    start = at(2, hour=19)
    booking_of(space, member(community), start + timedelta(weeks=2))
    base = f"/api/v1/communities/{community.slug}/spaces/{space.pk}/series"
    client = api(resident)
    check = post(client, base + "/check", _body(start))
    assert check.status_code == 200
    report = check.json()
    assert len(report["starts"]) == 4 and len(report["free"]) == 3
    assert [c["code"] for c in report["conflicts"]] == ["booking_taken"]
    refused = post(client, base, _body(start))
    assert refused.status_code == 409
    assert refused.json()["code"] == "series_conflicts"
    assert len(refused.json()["conflicts"]) == 1
    assert Series.objects.count() == 0
    made = post(client, base, _body(start, book_rest=True))
    assert made.status_code == 201
    row = made.json()["series"]
    assert len(row["occurrences"]) == 3 and row["person_id"] == resident.pk
    detail = client.get(f"/api/v1/communities/{community.slug}/spaces/series/{row['id']}")
    assert detail.status_code == 200
    assert (
        api(member(community))
        .get(f"/api/v1/communities/{community.slug}/spaces/series/{row['id']}")
        .status_code
        == 404
    )


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"rrule": "FREQ=WEEKLY"}, "rrule_endless"),
        ({"rrule": "FREQ=WEEKLY;COUNT=80"}, "rrule_too_long"),
        ({"rrule": "FREQ=NEVER"}, "rrule"),
        ({"minutes": 500}, "booking_too_long"),
    ],
)
def test_refusals_are_400_with_their_code_and_nothing_saved(community, resident, extra, code):
    space = space_of(community)
    url = f"/api/v1/communities/{community.slug}/spaces/{space.pk}/series"
    response = post(api(resident), url, _body(at(2), **extra))
    assert response.status_code == 400
    assert response.json()["code"] == code and response.json()["message"]
    assert Series.objects.count() == 0 and Booking.objects.count() == 0


def test_another_communitys_space_is_not_found(community, other_community, resident):
    space = space_of(other_community, name="别处")
    for slug in (community.slug, other_community.slug):
        response = post(
            api(resident), f"/api/v1/communities/{slug}/spaces/{space.pk}/series", _body(at(2))
        )
        assert response.status_code == 404


def test_a_draw_through_the_api(community, worker, resident):
    space = space_of(community)
    base = f"/api/v1/communities/{community.slug}/spaces"
    start = at(4, hour=19)
    opened = post(
        api(worker),
        f"{base}/{space.pk}/draws",
        {
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
            "closes_at": at(2, hour=12).isoformat(),
            "seed_rule": "福彩3D开奖号码",
        },
    )
    assert opened.status_code == 201 and opened.json()["seats"] == 1
    draw_id = opened.json()["id"]
    assert post(api(resident), f"{base}/{draw_id}/draws", {}).status_code in (404, 422)
    asked = post(api(resident), f"{base}/draws/{draw_id}/requests", {"purpose": "生日会"})
    assert asked.status_code == 201
    again = post(api(resident), f"{base}/draws/{draw_id}/requests", {"purpose": "生日会"})
    assert again.status_code == 400 and again.json()["code"] == "draw_twice"
    neighbour = member(community)
    draws.draw_request(actor=neighbour, draw=DrawRound.objects.get(), purpose="聚会")
    hidden = api(resident).get(f"{base}/draws/{draw_id}").json()
    assert hidden["published"] is False and hidden["entries"] == []
    assert hidden["mine"]["outcome"] == "waiting"
    early = post(api(worker), f"{base}/draws/{draw_id}/draw", {"seed": "1"})
    assert early.status_code == 400 and early.json()["code"] == "draw_still_open"
    DrawRound.objects.update(closes_at=timezone.now() - timedelta(minutes=1))
    shown = api(resident).get(f"{base}/draws/{draw_id}").json()
    assert shown["published"] is True and [e["tier"] for e in shown["entries"]] == [0, 0]
    drawn = post(
        api(staff(community, "community_worker")), f"{base}/draws/{draw_id}/draw", {"seed": "1"}
    )
    assert drawn.status_code == 200
    assert len(drawn.json()["winners"]) == 1 and drawn.json()["draw"]["status"] == "drawn"
    result = api(resident).get(f"{base}/draws/{draw_id}").json()
    assert sorted(e["drawn"] for e in result["entries"]) == [1, 2]
