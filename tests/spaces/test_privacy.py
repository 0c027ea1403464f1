"""What spaces hold about a person: the copy has their bookings, repeating bookings, waiting and
draw requests, appeals and loans, and nothing of a neighbour's; an erasure cancels their coming
bookings (the time goes to the first waiting), withdraws their requests in open draws, deletes
their waiting, empties what they wrote, and keeps what the counts, a published draw and the
community's things rest on."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.accounts import services as account_services
from gongzhi.bodies.models import Body
from gongzhi.core.models import Activity, Role
from gongzhi.core.privacy import person_export_json
from gongzhi.spaces.models import (
    Booking,
    BookingStatus,
    DrawRequest,
    DrawRequestOutcome,
    DrawRound,
    DrawStatus,
    Loan,
    NoShowAppeal,
    Resource,
    ResourceKind,
    Series,
    WaitingRequest,
    WaitingStatus,
)
from tests.factories import member
from tests.spaces.world import at, booking_of, space_of


@pytest.fixture
def held(community):
    worker = member(community, role=Role.COMMUNITY_WORKER)
    me, neighbour = member(community), member(community)
    room = space_of(community, worker, name="活动室")
    hall = space_of(community, worker, name="礼堂")
    choir = Body.objects.in_community(community).create(
        kind="interest_group", name="合唱团", created_by=worker
    )
    past = booking_of(room, me, at(-7), purpose="MINE 生日聚会")
    released = booking_of(
        room, me, at(-5), purpose="MINE 读书会", status=BookingStatus.RELEASED, no_show=True
    )
    appeal = NoShowAppeal.objects.in_community(community).create(
        booking=released, reason="MINE 我去了，扫码坏了"
    )
    coming = booking_of(room, me, at(2), purpose="MINE 练琴")
    pending = booking_of(
        hall, me, at(3), purpose="MINE 申请", status=BookingStatus.PENDING, hold_until=at(2)
    )
    for_choir = booking_of(hall, me, at(4), purpose="合唱排练", body=choir)
    # The neighbour waits for my coming time; I wait for another.
    theirs_waiting = WaitingRequest.objects.in_community(community).create(
        space=room,
        starts_at=coming.starts_at,
        ends_at=coming.ends_at,
        person=neighbour,
        purpose="THEIRS 等位",
    )
    WaitingRequest.objects.in_community(community).create(
        space=hall, starts_at=at(5), ends_at=at(5, 11), person=me, purpose="MINE 等位"
    )
    series = Series.objects.in_community(community).create(
        space=room,
        rrule="FREQ=WEEKLY;COUNT=4",
        starts_at=at(-14),
        minutes=60,
        person=me,
        booked_by=me,
        purpose="MINE 每周",
    )
    open_draw = DrawRound.objects.in_community(community).create(
        space=hall,
        starts_at=at(10),
        ends_at=at(10, 12),
        closes_at=timezone.now() + timedelta(days=5),
        seed_rule="上证指数",
        status=DrawStatus.OPEN,
        created_by=worker,
    )
    closed_draw = DrawRound.objects.in_community(community).create(
        space=hall,
        starts_at=at(8),
        ends_at=at(8, 12),
        closes_at=timezone.now() - timedelta(hours=1),
        seed_rule="上证指数",
        status=DrawStatus.OPEN,
        created_by=worker,
    )
    open_request = DrawRequest.objects.in_community(community).create(
        draw=open_draw, person=me, purpose="MINE 抽签一"
    )
    closed_request = DrawRequest.objects.in_community(community).create(
        draw=closed_draw, person=me, purpose="MINE 抽签二"
    )
    DrawRequest.objects.in_community(community).create(
        draw=closed_draw, person=neighbour, purpose="THEIRS 抽签"
    )
    wheelchair = Resource.objects.in_community(community).create(
        name="轮椅", kind=ResourceKind.MOBILITY, quantity=2
    )
    loan = Loan.objects.in_community(community).create(
        resource=wheelchair,
        borrower=me,
        count=1,
        lent_by=worker,
        lent_at=timezone.now() - timedelta(days=1),
        due_on=timezone.localdate() + timedelta(days=6),
        note="MINE 腿伤",
    )
    booking_of(hall, neighbour, at(-3), purpose="THEIRS 排练")
    return {
        "me": me,
        "neighbour": neighbour,
        "past": past,
        "released": released,
        "appeal": appeal,
        "coming": coming,
        "pending": pending,
        "for_choir": for_choir,
        "theirs_waiting": theirs_waiting,
        "series": series,
        "open_request": open_request,
        "closed_request": closed_request,
        "loan": loan,
    }


@pytest.mark.django_db
def test_the_copy_holds_my_spaces_data_and_nothing_of_my_neighbours(held):
    data = person_export_json(held["me"])["spaces"]
    text = json.dumps(data, ensure_ascii=False)
    assert {b["purpose"] for b in data["bookings"]} == {
        "MINE 生日聚会",
        "MINE 读书会",
        "MINE 练琴",
        "MINE 申请",
        "合唱排练",
    }
    choir = next(b for b in data["bookings"] if b["purpose"] == "合唱排练")
    assert choir["for_organisation"] == "合唱团"
    assert any(b["no_show"] for b in data["bookings"])
    assert data["series"][0]["rule"] == "FREQ=WEEKLY;COUNT=4"
    assert data["waiting"][0]["purpose"] == "MINE 等位"
    assert {r["purpose"] for r in data["draw_requests"]} == {"MINE 抽签一", "MINE 抽签二"}
    assert data["no_show_appeals"][0]["reason"] == "MINE 我去了，扫码坏了"
    assert data["loans"][0]["thing"] == "轮椅" and data["loans"][0]["returned_at"] is None
    assert "THEIRS" not in text and held["neighbour"].phone not in text


@pytest.mark.django_db
def test_erasure_cancels_what_is_to_come_empties_what_i_wrote_and_keeps_the_record(held, community):
    me = held["me"]
    done = account_services.account_erase(actor=me, user=me)["spaces"]
    assert done["bookings_cancelled"] == 2 and done["draw_requests_withdrawn"] == 1

    def fresh(row):
        return type(row).objects.in_community(community).get(pk=row.pk)

    # Coming bookings of my own are cancelled through the engine (journalled); the time I held
    # goes to the neighbour waiting for it.
    assert fresh(held["coming"]).status == BookingStatus.CANCELLED
    assert fresh(held["pending"]).status == BookingStatus.CANCELLED
    assert Activity.objects.in_community(community).filter(verb="booking.cancelled").count() == 2
    theirs = fresh(held["theirs_waiting"])
    assert theirs.status == WaitingStatus.BOOKED
    assert theirs.booking.person_id == held["neighbour"].pk
    # The choir's booking stays booked, with its purpose: it is the organisation's.
    choir = fresh(held["for_choir"])
    assert (choir.status, choir.purpose, choir.person_id) == (
        BookingStatus.CONFIRMED,
        "合唱排练",
        me.pk,
    )
    # Past bookings and the no-show stay for the counts, without what I wrote.
    past, released = fresh(held["past"]), fresh(held["released"])
    assert (past.status, past.purpose) == (BookingStatus.CONFIRMED, "")
    assert (released.status, released.no_show, released.purpose) == (
        BookingStatus.RELEASED,
        True,
        "",
    )
    assert fresh(held["appeal"]).reason == ""
    assert fresh(held["series"]).purpose == ""
    # My waiting is gone; the neighbour's was served.
    assert not WaitingRequest.objects.in_community(community).filter(person=me).exists()
    # The open draw's request is withdrawn; the closed draw's, on its published list, stays.
    assert fresh(held["open_request"]).outcome == DrawRequestOutcome.WITHDRAWN
    closed = fresh(held["closed_request"])
    assert (closed.outcome, closed.purpose) == (DrawRequestOutcome.WAITING, "")
    # The wheelchair is still out with the (erased) borrower: the community must get it back.
    loan = fresh(held["loan"])
    assert (loan.borrower_id, loan.count, loan.note, loan.returned_at) == (me.pk, 1, "", None)
    # Nothing of the neighbour touched.
    their_rows = Booking.objects.in_community(community).filter(person=held["neighbour"])
    assert "THEIRS 排练" in set(their_rows.values_list("purpose", flat=True))
    assert DrawRequest.objects.in_community(community).get(purpose="THEIRS 抽签")
