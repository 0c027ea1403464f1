"""The booking part's API: availability, book, wait, cancel, the approvals queue and decisions;
refusals are 400 with the engine's code and save nothing; others' objects are 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from gongzhi.accounts.services import api_token_create
from gongzhi.core.models import Activity
from gongzhi.spaces.models import Booking, BookingStatus, SpaceStatus, WaitingRequest
from tests.factories import member
from tests.spaces.world import at, booking_of, space_of

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, user):
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user, name='t')[1]}"}

    def get(self, path, **query):
        return self.client.get(f"/api/v1{path}", query, **self.headers)

    def post(self, path, body=None):
        return self.client.post(
            f"/api/v1{path}", body or {}, content_type="application/json", **self.headers
        )


def _c(community):
    return f"/communities/{community.slug}/spaces"


def _body(start, minutes=60, **extra):
    return {"starts_at": start.isoformat(), "minutes": minutes, "purpose": "读书会", **extra}


def test_availability_of_a_week(community, resident, worker):
    space = space_of(community, worker, slot_minutes=60)
    start = at(2, 10)
    booking_of(space, member(community), start)
    response = Api(resident).get(
        f"{_c(community)}/{space.pk}/availability", week=start.date().isoformat()
    )
    assert response.status_code == 200
    week = response.json()
    assert len(week["days"]) == 7 and week["seats"] == 1
    slots = {s["starts_at"][:16]: s["state"] for d in week["days"] for s in d["slots"]}
    assert slots[start.isoformat()[:16]] == "taken"
    assert slots[(start + timedelta(hours=1)).isoformat()[:16]] == "free"


def test_book_confirmed_and_journalled(community, resident, worker):
    space = space_of(community, worker)
    response = Api(resident).post(f"{_c(community)}/{space.pk}/bookings", _body(at(2)))
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["status"] == "confirmed" and made["person"] == resident.pk
    assert Activity.objects.in_community(community).filter(verb="booking.made").count() == 1


@pytest.mark.parametrize(
    ("days", "hour", "minutes", "code", "message"),
    [
        (-1, 10, 60, "booking_past", "This time has already passed."),
        (2, 10, 240, "booking_too_long", None),
        (45, 10, 60, "booking_too_far", None),
        (2, 15, 60, "booking_outside_hours", "The space is not open for the whole of this time."),
    ],
)
def test_bad_input_is_400_with_its_code_and_nothing_saved(
    community, resident, worker, days, hour, minutes, code, message
):
    from gongzhi.spaces import hours

    space = space_of(
        community, worker, hours=hours.dump(hours.parse("mon-sun 08:00-13:00\nholidays usual"))
    )
    response = Api(resident).post(
        f"{_c(community)}/{space.pk}/bookings", _body(at(days, hour), minutes=minutes)
    )
    assert response.status_code == 400
    assert response.json()["code"] == code
    if message:
        with translation.override(response.wsgi_request.LANGUAGE_CODE):
            assert response.json()["message"] == gettext(message)
    assert not Booking.objects.exists()


def test_over_quota_and_taken_are_refused(community, resident, worker):
    space = space_of(community, worker, quota=1)
    api = Api(resident)
    assert api.post(f"{_c(community)}/{space.pk}/bookings", _body(at(2))).status_code == 201
    response = api.post(f"{_c(community)}/{space.pk}/bookings", _body(at(2, 14)))
    assert response.json()["code"] == "booking_over_quota"
    response = Api(member(community)).post(f"{_c(community)}/{space.pk}/bookings", _body(at(2)))
    assert response.json()["code"] == "booking_taken"
    assert Booking.objects.count() == 1


def test_another_communitys_space_is_404(community, other_community, resident):
    space = space_of(other_community)
    response = Api(resident).post(f"{_c(community)}/{space.pk}/bookings", _body(at(2)))
    assert response.status_code == 404
    response = Api(resident).post(f"{_c(other_community)}/{space.pk}/bookings", _body(at(2)))
    assert response.status_code == 404
    assert not Booking.objects.exists()


def test_a_closed_space_is_404_to_residents(community, resident, worker):
    space = space_of(community, worker, status=SpaceStatus.CLOSED)
    response = Api(resident).get(f"{_c(community)}/{space.pk}/availability")
    assert response.status_code == 404


def test_book_for_a_resident_by_phone_is_for_workers(community, resident, worker):
    space = space_of(community, worker)
    neighbour = member(community)
    url = f"{_c(community)}/{space.pk}/bookings"
    response = Api(resident).post(url, _body(at(2), phone=neighbour.phone))
    assert response.status_code in (403, 404)
    response = Api(worker).post(url, _body(at(2), phone=neighbour.phone))
    assert response.status_code == 201
    assert response.json()["person"] == neighbour.pk
    assert response.json()["booked_by"] == worker.pk


def test_an_organisation_i_do_not_sit_in_or_of_another_community_is_404(
    community, other_community, resident, worker
):
    from gongzhi.bodies.models import Body

    body = Body.objects.in_community(community).create(
        kind="council", name="居委会", created_by=worker
    )
    elsewhere = Body.objects.in_community(other_community).create(
        kind="council", name="居委会", created_by=worker
    )
    space = space_of(community, worker)
    booking_of(space, member(community), at(3))
    api = Api(resident)
    for body_id in (body.pk, elsewhere.pk):
        response = api.post(f"{_c(community)}/{space.pk}/bookings", _body(at(2), body=body_id))
        assert response.status_code == 404 and response.json()["code"] == "not_found"
        wait = {**_body(at(3), body=body_id), "ends_at": (at(3) + timedelta(hours=1)).isoformat()}
        assert api.post(f"{_c(community)}/{space.pk}/waiting", wait).status_code == 404
    assert Booking.objects.count() == 1 and not WaitingRequest.objects.exists()


def test_someone_who_may_not_book_cannot_wait(community, unverified, worker):
    space = space_of(community, worker)
    booking_of(space, member(community), at(2))
    body = {
        "starts_at": at(2).isoformat(),
        "ends_at": (at(2) + timedelta(hours=1)).isoformat(),
        "purpose": "书法",
    }
    response = Api(unverified).post(f"{_c(community)}/{space.pk}/waiting", body)
    assert response.status_code == 400
    assert response.json()["code"] == "booking_not_resident"
    assert not WaitingRequest.objects.exists()


def test_wait_then_get_the_slot_when_it_is_cancelled(community, resident, worker):
    space = space_of(community, worker)
    holder = member(community)
    taken = booking_of(space, holder, at(2))
    api = Api(resident)
    body = {
        "starts_at": at(2).isoformat(),
        "ends_at": (at(2) + timedelta(hours=1)).isoformat(),
        "purpose": "书法",
    }
    response = api.post(f"{_c(community)}/{space.pk}/waiting", body)
    assert response.status_code == 201
    response = api.post(f"{_c(community)}/{space.pk}/waiting", body)
    assert response.json()["code"] == "waiting_twice"
    response = Api(holder).post(f"{_c(community)}/bookings/{taken.pk}/cancel", {"reason": "x"})
    assert response.json()["status"] == "cancelled"
    got = Booking.objects.get(status=BookingStatus.CONFIRMED)
    assert got.person == resident
    assert WaitingRequest.objects.get().status == "booked"


def test_cancel_by_someone_else_is_404(community, resident, worker):
    made = booking_of(space_of(community, worker), resident, at(2))
    response = Api(member(community)).post(f"{_c(community)}/bookings/{made.pk}/cancel")
    assert response.status_code == 404
    made.refresh_from_db()
    assert made.status == BookingStatus.CONFIRMED


def test_requests_and_decisions(community, resident, worker):
    space = space_of(community, worker, needs_approval=True)
    api = Api(resident)
    request = api.post(f"{_c(community)}/{space.pk}/bookings", _body(at(2))).json()
    assert request["status"] == "pending" and request["hold_until"]
    assert Api(resident).get(f"{_c(community)}/requests").json() == []
    queue = Api(worker).get(f"{_c(community)}/requests").json()
    assert [r["id"] for r in queue] == [request["id"]]
    decision = f"{_c(community)}/bookings/{request['id']}/decision"
    assert api.post(decision, {"approve": True}).status_code == 404
    response = Api(worker).post(decision, {"approve": False})
    assert response.json()["code"] == "booking_reason"
    response = Api(worker).post(decision, {"approve": True})
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
    response = Api(worker).post(decision, {"approve": True})
    assert response.json()["code"] == "booking_not_pending"


def test_a_manager_cannot_decide_a_request_they_made_for_someone(community, resident, worker):
    space = space_of(community, worker, needs_approval=True)
    request = booking_of(
        space, resident, at(2), booked_by=worker, status="pending", hold_until=at(1)
    )
    response = Api(worker).post(
        f"{_c(community)}/bookings/{request.pk}/decision", {"approve": True}
    )
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == BookingStatus.PENDING


def test_a_week_out_of_reach_is_refused_and_a_bad_one_on_the_page_is_today(
    client, community, resident, worker
):
    space = space_of(community, worker)
    response = Api(resident).get(f"{_c(community)}/{space.pk}/availability", week="9999-12-31")
    assert response.status_code == 400 and response.json()["code"] == "week_out_of_reach"
    client.force_login(resident)
    for week in ("9999-12-31", "0001-01-01", "soon"):
        page = client.get(f"/c/{community.slug}/spaces/{space.pk}/week/", {"week": week})
        assert page.status_code == 200


def test_a_length_out_of_bounds_is_refused_before_the_engine(community, resident, worker):
    space = space_of(community, worker)
    for minutes in (0, 10**12):
        response = Api(resident).post(
            f"{_c(community)}/{space.pk}/bookings", _body(at(2), minutes=minutes)
        )
        assert response.status_code in (400, 422)
    assert not Booking.objects.exists()


def test_a_time_at_the_calendars_end_is_refused(client, community, resident, worker):
    space = space_of(community, worker)
    far = {"starts_at": "9999-12-31T23:30:00+08:00", "minutes": 60, "purpose": "x"}
    response = Api(resident).post(f"{_c(community)}/{space.pk}/bookings", far)
    assert response.json()["code"] == "time_out_of_reach"
    client.force_login(resident)
    page = client.post(
        f"/c/{community.slug}/spaces/{space.pk}/book/",
        {"starts_at": "9999-12-31T23:30", "minutes": 30, "purpose": "x", "attendees": 1},
    )
    assert page.status_code == 200 and page.context["form"].errors["starts_at"]
    assert not Booking.objects.exists()
