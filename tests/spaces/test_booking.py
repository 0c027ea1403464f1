"""The booking engine's rules and the database's refusal of overlaps (booking.py, 0002)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from gongzhi.core.models import Activity
from gongzhi.spaces import booking as engine
from gongzhi.spaces.models import Booking, BookingStatus, ResidentAccess, WaitingRequest
from tests.factories import member
from tests.spaces.world import at, booking_of, space_of

pytestmark = pytest.mark.django_db


def _book(space, who, start, hours=1, **extra):
    return engine.book(
        actor=extra.pop("actor", who),
        person=extra.pop("person", None),
        space=space,
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        purpose=extra.pop("purpose", "合唱排练"),
        **extra,
    )


def _refused(code, call, *args, **kwargs):
    before = Booking.objects.count()
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code
    assert Booking.objects.count() == before


# --- the database's own guarantee -----------------------------------------------------------


@pytest.mark.parametrize("status", ["confirmed", "pending", "draw"])
def test_database_refuses_an_overlapping_occupying_row(community, resident, status):
    space = space_of(community)
    start = at(2)
    hold = {"hold_until": start} if status == "pending" else {}
    person = None if status == "draw" else resident
    booking_of(space, person, start, status=status, booked_by=resident, **hold)
    with pytest.raises(IntegrityError, match="booking_no_overlap"), transaction.atomic():
        booking_of(space, member(community), start + timedelta(minutes=30))


def test_database_allows_touching_ranges_other_seats_and_freed_rows(community, resident):
    space = space_of(community, seats=2)
    start = at(2)
    first = booking_of(space, resident, start)
    booking_of(space, resident, start + timedelta(hours=1))  # [11, 12) touches [10, 11)
    booking_of(space, member(community), start, seat=2)
    first.status = BookingStatus.CANCELLED
    first.save()
    booking_of(space, member(community), start)  # the cancelled row occupies nothing


def test_database_refuses_an_update_into_an_overlap(community, resident):
    space = space_of(community)
    start = at(2)
    booking_of(space, resident, start)
    other = booking_of(space, resident, start, status=BookingStatus.CANCELLED)
    other.status = BookingStatus.CONFIRMED
    with pytest.raises(IntegrityError, match="booking_no_overlap"), transaction.atomic():
        other.save()


def test_cleaning_buffer_is_part_of_what_a_booking_occupies(community, resident):
    space = space_of(community, buffer_minutes=30)
    start = at(2)
    _book(space, resident, start)
    _refused("booking_taken", _book, space, member(community), start + timedelta(minutes=75))
    later = _book(space, member(community), start + timedelta(minutes=90))
    assert later.busy_until == later.ends_at + timedelta(minutes=30)


# --- the rules ------------------------------------------------------------------------------


def test_a_booking_is_confirmed_and_journalled(community, resident):
    space = space_of(community)
    made = _book(space, resident, at(1))
    assert made.status == BookingStatus.CONFIRMED and made.seat == 1
    entry = Activity.objects.in_community(community).get(verb="booking.made")
    assert entry.actor == resident


def test_bad_times_are_refused_with_their_reasons(community, resident):
    space = space_of(community, max_minutes=120, advance_days=14)
    now = timezone.localtime()
    _refused("booking_past", _book, space, resident, now - timedelta(hours=2))
    _refused("booking_too_long", _book, space, resident, at(1), hours=3)
    _refused("booking_too_far", _book, space, resident, at(20))
    _refused(
        "booking_order",
        engine.book,
        actor=resident,
        space=space,
        starts_at=at(1),
        ends_at=at(1),
        purpose="x",
    )
    _refused("booking_no_purpose", _book, space, resident, at(1), purpose="  ")


def test_who_may_book(community, resident, unverified, other_community):
    space = space_of(community)
    _refused("booking_not_resident", _book, space, unverified, at(1))
    outsider = member(other_community)
    _refused("booking_not_resident", _book, space, outsider, at(1))
    space.residents = ResidentAccess.ALL
    space.save()
    assert _book(space, unverified, at(1)).status == BookingStatus.CONFIRMED
    space.residents = ResidentAccess.NONE
    space.save()
    _refused("booking_no_residents", _book, space, resident, at(2))


def test_only_a_worker_books_for_someone_else(community, resident, worker):
    space = space_of(community)
    neighbour = member(community)
    with pytest.raises(PermissionDenied):
        _book(space, neighbour, at(1), actor=resident, person=neighbour)
    made = _book(space, neighbour, at(1), actor=worker, person=neighbour)
    assert made.person == neighbour and made.booked_by == worker
    entry = Activity.objects.in_community(community).get(verb="booking.made")
    assert entry.actor == worker


def test_a_time_outside_the_opening_hours_is_refused(community, resident):
    from gongzhi.spaces import hours

    space = space_of(
        community, hours=hours.dump(hours.parse("mon-sun 09:00-12:00\nholidays usual"))
    )
    _refused("booking_outside_hours", _book, space, resident, at(2, 15))
    _refused("booking_outside_hours", _book, space, resident, at(2, 11), hours=2)  # runs past
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        _book(space, resident, at(2, 15))
    assert caught.value.messages == ["The space is not open for the whole of this time."]


def test_quota_per_household_per_week(community, resident):
    space = space_of(community, quota=2)
    monday = at(7 - timezone.localdate().weekday())  # next Monday, 10:00
    _book(space, resident, monday)
    _book(space, resident, monday + timedelta(days=1))
    _refused("booking_over_quota", _book, space, resident, monday + timedelta(days=2))
    # the next week is a new quota
    _book(space, resident, monday + timedelta(days=7))


def test_no_shows_pause_booking(community, resident):
    space = space_of(community, no_show_limit=2)
    past = timezone.now() - timedelta(days=3)
    for hours in (0, 2):
        booking_of(
            space,
            resident,
            past + timedelta(hours=hours),
            status=BookingStatus.RELEASED,
            no_show=True,
        )
    _refused("booking_no_shows", _book, space, resident, at(1))


def test_seats_are_given_lowest_first_and_never_more_than_there_are(community):
    space = space_of(community, seats=3, name="阅览室")
    start = at(1)
    seats = [_book(space, member(community), start).seat for _ in range(3)]
    assert seats == [1, 2, 3]
    _refused("booking_taken", _book, space, member(community), start)


# --- approvals and holds --------------------------------------------------------------------


def test_a_request_holds_the_slot_until_decided_and_nobody_decides_their_own(
    community, resident, worker
):
    space = space_of(community, needs_approval=True, hold_hours=24)
    request = _book(space, resident, at(3))
    assert request.status == BookingStatus.PENDING
    assert request.hold_until is not None
    _refused("booking_taken", _book, space, member(community), at(3))
    with pytest.raises(PermissionDenied):
        engine.decide(actor=resident, booking=request, approve=True)
    approved = engine.decide(actor=worker, booking=request, approve=True)
    assert approved.status == BookingStatus.CONFIRMED and approved.decided_by == worker


def test_a_managers_own_booking_waits_for_another_manager(community, worker):
    space = space_of(community, needs_approval=True)
    other_worker = member(community, role="community_worker")
    request = _book(space, other_worker, at(3))
    assert request.status == BookingStatus.PENDING
    with pytest.raises(PermissionDenied):
        engine.decide(actor=other_worker, booking=request, approve=True)
    assert engine.decide(actor=worker, booking=request, approve=True).decided_by == worker
    for_a_resident = _book(space, worker, at(5), person=member(community))
    assert for_a_resident.status == BookingStatus.CONFIRMED  # 代办: the resident's request
    resident = member(community)
    space.residents = ResidentAccess.ALL
    space.save()
    mine = engine.book(
        actor=resident,
        space=space,
        starts_at=at(4),
        ends_at=at(4) + timedelta(hours=1),
        purpose="书法",
    )
    with pytest.raises(PermissionDenied):
        engine.decide(actor=resident, booking=mine, approve=True)


def test_an_expired_hold_frees_the_slot_and_cannot_be_approved(community, resident, worker):
    space = space_of(community, needs_approval=True, hold_hours=1)
    request = _book(space, resident, at(3))
    Booking.objects.filter(pk=request.pk).update(hold_until=timezone.now() - timedelta(seconds=1))
    # another request for the same slot expires the first, then holds the slot itself
    second = _book(space, member(community), at(3))
    assert second.status == BookingStatus.PENDING
    request.refresh_from_db()
    assert request.status == BookingStatus.EXPIRED
    with pytest.raises(ValidationError) as caught:
        engine.decide(actor=worker, booking=request, approve=True)
    assert caught.value.code == "booking_not_pending"


def test_refusing_needs_a_reason(community, resident, worker):
    space = space_of(community, needs_approval=True)
    request = _book(space, resident, at(3))
    with pytest.raises(ValidationError):
        engine.decide(actor=worker, booking=request, approve=False, reason=" ")
    refused = engine.decide(actor=worker, booking=request, approve=False, reason="装修")
    assert refused.status == BookingStatus.REJECTED


# --- cancelling and waiting -----------------------------------------------------------------


def test_a_cancelled_slot_goes_to_the_first_waiting(community, resident):
    space = space_of(community)
    start = at(2)
    taken = _book(space, resident, start)
    first, second = member(community), member(community)
    for person in (first, second):
        engine.wait_for(
            actor=person,
            space=space,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            purpose="太极",
        )
    engine.cancel(actor=resident, booking=taken)
    got = Booking.objects.get(space=space, status=BookingStatus.CONFIRMED)
    assert got.person == first
    statuses = dict(WaitingRequest.objects.values_list("person", "status"))
    assert statuses == {first.pk: "booked", second.pk: "waiting"}


def test_waiting_for_a_free_slot_is_refused(community, resident):
    space = space_of(community)
    with pytest.raises(ValidationError) as caught:
        engine.wait_for(
            actor=resident,
            space=space,
            starts_at=at(2),
            ends_at=at(2) + timedelta(hours=1),
            purpose="x",
        )
    assert caught.value.code == "waiting_slot_free"


def _wait(space, actor, start, **extra):
    return engine.wait_for(
        actor=actor,
        space=space,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        purpose="太极",
        **extra,
    )


def test_only_those_who_may_book_wait(community, resident, unverified):
    space = space_of(community, no_show_limit=1)
    start = at(2)
    booking_of(space, resident, start)
    paused = member(community)
    booking_of(space, paused, timezone.now() - timedelta(days=2), no_show=True, status="released")
    for person, code in ((unverified, "booking_not_resident"), (paused, "booking_no_shows")):
        with pytest.raises(ValidationError) as caught:
            _wait(space, person, start)
        assert caught.value.code == code
    assert not WaitingRequest.objects.exists()
    assert _wait(space, member(community), start).status == "waiting"


def test_a_worker_puts_a_resident_on_the_waiting_list(community, resident, worker):
    space = space_of(community)
    start = at(2)
    taken = booking_of(space, member(community), start)
    neighbour = member(community)
    with pytest.raises(PermissionDenied):
        _wait(space, neighbour, start, person=resident)
    waiting = _wait(space, worker, start, person=resident)
    assert waiting.person == resident
    entry = Activity.objects.in_community(community).get(verb="booking.waiting")
    assert (entry.actor, entry.on_behalf_of) == (worker, resident)
    engine.cancel(actor=worker, booking=taken)
    got = Booking.objects.get(space=space, status=BookingStatus.CONFIRMED)
    assert got.person == resident


def test_only_the_booker_or_a_manager_cancels(community, resident, worker):
    space = space_of(community)
    made = _book(space, resident, at(2))
    with pytest.raises(PermissionDenied):
        engine.cancel(actor=member(community), booking=made)
    assert engine.cancel(actor=worker, booking=made).status == BookingStatus.CANCELLED


def test_the_overlap_guard_survives_every_migration():
    """A later migration that rebuilds the bookings table on SQLite (an altered column) would
    drop 0002's triggers silently; on PostgreSQL the constraint must be there."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'spaces_booking'"
            )
            names = {row[0] for row in cursor.fetchall()}
            assert names == {"booking_no_overlap_insert", "booking_no_overlap_update"}
        else:
            cursor.execute(
                "SELECT conname FROM pg_constraint WHERE conname = 'booking_no_overlap' "
                "AND contype = 'x'"
            )
            assert cursor.fetchall() == [("booking_no_overlap",)]


def test_the_release_command_expires_undecided_requests_on_a_quiet_space(community, resident):
    from io import StringIO

    from django.core.management import call_command

    space = space_of(community, needs_approval=True, hold_hours=1)
    request = _book(space, resident, at(3))
    Booking.objects.filter(pk=request.pk).update(hold_until=timezone.now() - timedelta(minutes=1))
    out = StringIO()
    call_command("spaces_release", stdout=out)
    assert out.getvalue().split() == ["released=0", "expired=1"]
    request.refresh_from_db()
    assert request.status == BookingStatus.EXPIRED
    assert Activity.objects.in_community(community).filter(verb="booking.expired").count() == 1
