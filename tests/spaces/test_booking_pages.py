"""The booking part's pages: the week grid, the booking form (for oneself, an organisation, a
resident by phone), waiting, cancelling, the approvals queue, and its sections on the spaces'
home and "my bookings"; bad input shows a clear error and saves nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from gongzhi.notifications.models import Notification
from gongzhi.spaces import booking as engine
from gongzhi.spaces import booking_selectors as selectors
from gongzhi.spaces.models import (
    Booking,
    BookingStatus,
    QuotaPeriod,
    SpaceStatus,
    WaitingRequest,
)
from tests.factories import member
from tests.spaces.world import at, booking_of, space_of

pytestmark = pytest.mark.django_db


def _url(name, community, *args):
    return reverse(name, args=[community.slug, *args])


def _says(response, message, **params):
    """Whether the page shows ``message`` in the language it was served in."""
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        text = gettext(message) % params if params else gettext(message)
    return escape(text) in response.content.decode()


def _form(start, minutes=60, **extra):
    return {
        "starts_at": timezone.localtime(start).strftime("%Y-%m-%dT%H:%M"),
        "minutes": minutes,
        "purpose": extra.pop("purpose", "读书会"),
        "attendees": extra.pop("attendees", 4),
        "action": extra.pop("action", "book"),
        **extra,
    }


# --- the week grid ----------------------------------------------------------------------------


def test_week_grid_shows_free_taken_held_and_mine(client, community, resident, worker):
    space = space_of(community, worker, slot_minutes=60)
    start = at(2, 10)
    booking_of(space, member(community), start)
    booking_of(
        space, member(community), start + timedelta(hours=2), status="pending", hold_until=at(1)
    )
    booking_of(space, resident, start + timedelta(hours=4))
    client.force_login(resident)
    response = client.get(
        _url("spaces_week", community, space.pk), {"week": start.date().isoformat()}
    )
    assert response.status_code == 200
    html = response.content.decode()
    slot = timezone.localtime(start)
    assert re.search(rf'data-slot="{re.escape(slot.isoformat())}"\s+data-state="taken"', html)
    states = {
        s.starts_at: s.state for s in selectors.availability(space, start.date(), resident).slots()
    }
    assert states[slot] == "taken"
    assert states[slot + timedelta(hours=1)] == "free"
    assert states[slot + timedelta(hours=2)] == "held"
    assert states[slot + timedelta(hours=4)] == "mine"
    free = (slot + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    assert f"?start={free}" in html  # a free slot links to the form, no script needed
    assert "day-current" in html


def test_grid_counts_free_seats_and_the_buffer(community, resident, worker):
    space = space_of(community, worker, seats=3, buffer_minutes=30, slot_minutes=30)
    start = at(2, 10)
    for _n in range(2):
        engine.book(
            actor=member(community),
            space=space,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            purpose="自习",
        )
    slots = {s.starts_at: s for s in selectors.availability(space, start.date()).slots()}
    local = timezone.localtime(start)
    assert slots[local].free_seats == 1 and slots[local].state == "free"
    assert slots[local + timedelta(minutes=60)].free_seats == 1  # the cleaning buffer
    assert slots[local + timedelta(minutes=90)].free_seats == 3


def test_grid_marks_past_and_too_far_slots(community, worker):
    space = space_of(community, worker, advance_days=3)
    past = selectors.availability(space, timezone.localdate() - timedelta(days=7))
    assert {slot.state for slot in past.slots()} == {"past"}
    later = selectors.availability(space, timezone.localdate() + timedelta(days=14))
    assert {slot.state for slot in later.slots()} == {"later"}


def test_grid_reads_the_week_in_a_fixed_number_of_queries(client, community, resident, worker):
    space = space_of(community, worker)
    client.force_login(resident)
    url = _url("spaces_week", community, space.pk)
    week = at(2).date().isoformat()
    client.get(url, {"week": week})
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"week": week})
    for day in range(1, 6):
        booking_of(space, member(community), at(day, 9), hours=1)
        booking_of(space, member(community), at(day, 15), hours=1)
    with CaptureQueriesContext(connection) as many:
        client.get(url, {"week": week})
    assert len(many) == len(few)


def test_a_draft_space_is_404_to_residents_and_shown_to_its_managers(
    client, community, resident, worker
):
    space = space_of(community, worker, status=SpaceStatus.DRAFT)
    client.force_login(resident)
    assert client.get(_url("spaces_week", community, space.pk)).status_code == 404
    assert client.get(_url("spaces_book", community, space.pk)).status_code == 404
    client.force_login(worker)
    assert client.get(_url("spaces_week", community, space.pk)).status_code == 200


def test_another_communitys_space_is_404(client, community, other_community, worker):
    space = space_of(other_community)
    client.force_login(worker)
    assert client.get(_url("spaces_week", community, space.pk)).status_code == 404
    response = client.post(_url("spaces_book", community, space.pk), _form(at(2)))
    assert response.status_code == 404
    assert not Booking.objects.exists()


# --- booking ----------------------------------------------------------------------------------


def test_the_form_is_prefilled_from_the_slot_and_books(client, community, resident, worker):
    space = space_of(community, worker)
    start = timezone.localtime(at(2, 10))
    client.force_login(resident)
    url = _url("spaces_book", community, space.pk)
    page = client.get(url, {"start": start.strftime("%Y-%m-%dT%H:%M")})
    assert start.strftime("%Y-%m-%dT%H:%M") in page.content.decode()
    response = client.post(url, _form(start))
    assert response.status_code == 302
    assert response.url == _url("spaces_mine", community)
    made = Booking.objects.get()
    assert (made.person, made.status, made.attendees) == (resident, "confirmed", 4)
    assert made.ends_at == start + timedelta(hours=1)


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ((-1, None), ("This time has already passed.", {})),
        ((40, None), ("This space can be booked at most %(days)d days ahead.", {"days": 30})),
        ((2, 15), ("The space is not open for the whole of this time.", {})),
        (
            (2, 11),  # the week's one booking is at 09:00 that day
            (
                "The quota of %(quota)d bookings %(period)s for this space is used up.",
                {"quota": 1, "period": QuotaPeriod.WEEK.label},
            ),
        ),
    ],
)
def test_bad_input_shows_the_reason_and_saves_nothing(
    client, community, resident, worker, start, message
):
    from gongzhi.spaces import hours

    opening = hours.dump(hours.parse("mon-sun 08:00-13:00\nholidays usual"))
    space = space_of(community, worker, hours=opening, quota=1)
    had = booking_of(space, resident, at(2, 9))
    client.force_login(resident)
    days, hour = start
    if hour is None:
        moment = (timezone.localtime() + timedelta(days=days)).replace(minute=0)
    else:
        moment = at(days, hour)
    url = _url("spaces_book", community, space.pk)
    response = client.post(url, _form(moment))
    assert response.status_code == 200
    assert _says(response, message[0], **message[1])
    response = client.post(url, _form(at(2), minutes=240))  # longer than the form offers
    assert response.context["form"].errors["minutes"]
    assert list(Booking.objects.all()) == [had]


def test_a_taken_slot_is_refused_and_can_be_waited_for(client, community, resident, worker):
    space = space_of(community, worker)
    start = at(2, 10)
    booking_of(space, member(community), start)
    client.force_login(resident)
    url = _url("spaces_book", community, space.pk)
    response = client.post(url, _form(start))
    assert _says(response, "This time is already taken.")
    assert Booking.objects.count() == 1
    page = client.get(url, {"start": start.strftime("%Y-%m-%dT%H:%M"), "taken": "1"})
    assert _says(page, "Wait for this time")
    response = client.post(url, _form(start, action="wait"))
    assert response.status_code == 302
    waiting = WaitingRequest.objects.get()
    assert (waiting.person, waiting.starts_at) == (resident, start)


def test_a_worker_books_for_a_resident_by_phone(client, community, resident, worker):
    space = space_of(community, worker)
    client.force_login(worker)
    url = _url("spaces_book", community, space.pk)
    assert "phone" in client.get(url).context["form"].fields
    response = client.post(url, _form(at(2), phone=resident.phone))
    assert response.status_code == 302
    made = Booking.objects.get()
    assert (made.person, made.booked_by) == (resident, worker)
    response = client.post(url, _form(at(3), phone="13900000000"))
    assert _says(response, "No member of this community has this phone number.")
    assert Booking.objects.count() == 1
    # the time is taken: the resident, not the worker, waits for it
    response = client.post(url, _form(at(2), phone=resident.phone, action="wait"), follow=True)
    assert _says(
        response,
        "%(name)s is waiting for this time; if it frees up, it is booked for them.",
        name=resident,
    )
    waiting = WaitingRequest.objects.get()
    assert (waiting.person, waiting.starts_at) == (resident, at(2))


def test_a_resident_has_no_phone_field_and_cannot_book_for_someone(
    client, community, resident, worker
):
    space = space_of(community, worker)
    client.force_login(resident)
    url = _url("spaces_book", community, space.pk)
    assert "phone" not in client.get(url).context["form"].fields
    client.post(url, _form(at(2), phone=member(community).phone))
    assert Booking.objects.get().person == resident  # the field is ignored, not obeyed


def test_a_request_for_a_space_needing_approval_holds_the_slot(client, community, resident, worker):
    space = space_of(community, worker, needs_approval=True)
    client.force_login(resident)
    response = client.post(_url("spaces_book", community, space.pk), _form(at(2)))
    assert response.status_code == 302
    made = Booking.objects.get()
    assert made.status == BookingStatus.PENDING and made.hold_until
    mine = client.get(_url("spaces_mine", community)).content.decode()
    assert f'data-request="{made.pk}"' in mine


# --- cancelling -------------------------------------------------------------------------------


def test_cancel_is_the_bookers_or_a_managers_and_404_to_others(client, community, resident, worker):
    space = space_of(community, worker)
    made = booking_of(space, resident, at(2))
    url = _url("spaces_cancel", community, made.pk)
    client.force_login(member(community))
    assert client.post(url).status_code == 404
    client.force_login(resident)
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.url == _url("spaces_mine", community)
    made.refresh_from_db()
    assert made.status == BookingStatus.CANCELLED


# --- approvals --------------------------------------------------------------------------------


def test_approvals_queue_approve_and_refuse_with_notices(client, community, resident, worker):
    space = space_of(community, worker, needs_approval=True)
    first = engine.book(
        actor=resident,
        space=space,
        starts_at=at(2),
        ends_at=at(2) + timedelta(hours=1),
        purpose="合唱",
    )
    other = member(community)
    second = engine.book(
        actor=other,
        space=space,
        starts_at=at(3),
        ends_at=at(3) + timedelta(hours=1),
        purpose="舞蹈",
    )
    client.force_login(resident)
    assert client.get(_url("spaces_approvals", community)).status_code == 404
    assert client.post(_url("spaces_decide", community, first.pk)).status_code == 404
    client.force_login(worker)
    page = client.get(_url("spaces_approvals", community)).content.decode()
    assert f'data-request="{first.pk}"' in page and f'data-request="{second.pk}"' in page
    client.post(_url("spaces_decide", community, first.pk), {"decision": "approve"})
    response = client.post(
        _url("spaces_decide", community, second.pk), {"decision": "refuse"}, follow=True
    )
    assert _says(response, "Say why the request is not approved.")
    client.post(
        _url("spaces_decide", community, second.pk), {"decision": "refuse", "reason": "装修"}
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == BookingStatus.CONFIRMED and first.decided_by == worker
    assert second.status == BookingStatus.REJECTED and second.reason == "装修"
    told = {n.user_id: n for n in Notification.objects.filter(kind="space_booking")}
    assert set(told) == {resident.pk, other.pk}
    assert "is approved" in told[resident.pk].title_msgid
    assert "was not approved" in told[other.pk].title_msgid
    assert told[other.pk].params["reason"] == "装修"


def test_an_expired_request_is_told(community, resident, worker):
    space = space_of(community, worker, needs_approval=True)
    request = engine.book(
        actor=resident,
        space=space,
        starts_at=at(2),
        ends_at=at(2) + timedelta(hours=1),
        purpose="合唱",
    )
    Booking.objects.filter(pk=request.pk).update(hold_until=timezone.now() - timedelta(minutes=1))
    engine.book(
        actor=member(community),
        space=space,
        starts_at=at(2),
        ends_at=at(2) + timedelta(hours=1),
        purpose="书法",
    )
    assert Notification.objects.filter(
        kind="space_booking", title_msgid__contains="expired", user=resident
    ).exists()


def test_the_hub_and_mine_sections(client, community, resident, worker):
    space = space_of(community, worker, needs_approval=True)
    engine.book(
        actor=resident,
        space=space,
        starts_at=at(2),
        ends_at=at(2) + timedelta(hours=1),
        purpose="合唱",
    )
    client.force_login(worker)
    home = client.get(_url("spaces_home", community)).content.decode()
    assert 'id="hub-booking"' in home and _url("spaces_approvals", community) in home
    client.force_login(resident)
    home = client.get(_url("spaces_home", community)).content.decode()
    assert 'id="hub-booking"' not in home
    mine = client.get(_url("spaces_mine", community)).content.decode()
    assert 'id="mine-booking"' in mine


def test_grid_follows_the_opening_hours_and_closures(community, worker):
    from gongzhi.spaces import hours

    day = at(2).date()
    text = f"mon-sun 09:00-12:00\nclosed {day}..{day} 维修"
    space = space_of(
        community, worker, slot_minutes=60, hours=hours.dump(hours.parse(text)), name="有时段"
    )
    week = selectors.availability(space, day, day=day)
    by_day = {
        one.day: [timezone.localtime(s.starts_at).hour for s in one.slots] for one in week.days
    }
    assert by_day[day] == []  # the closure
    # the other days: 9, 10 and 11 o'clock (a public holiday that week may close one too)
    assert {tuple(h) for d, h in by_day.items() if d != day} <= {(9, 10, 11), ()}
    assert (9, 10, 11) in {tuple(h) for h in by_day.values()}


def test_a_body_managing_a_space_decides_its_requests_and_books_for_itself(
    client, community, resident, worker
):
    from tests.meetings.world import seated_council

    body, (chair, other) = seated_council(community, worker, members=2)
    space = space_of(community, worker, needs_approval=True, managed_by_body=body)
    request = engine.book(
        actor=resident,
        space=space,
        starts_at=at(2),
        ends_at=at(2) + timedelta(hours=1),
        purpose="合唱",
    )
    outsider = member(community)
    client.force_login(outsider)
    assert client.get(_url("spaces_approvals", community)).status_code == 404
    client.force_login(chair)
    page = client.get(_url("spaces_approvals", community)).content.decode()
    assert f'data-request="{request.pk}"' in page
    client.post(_url("spaces_decide", community, request.pk), {"decision": "approve"})
    request.refresh_from_db()
    assert request.status == BookingStatus.CONFIRMED and request.decided_by == chair
    # a member books for the body: the form offers it, the booking carries it
    url = _url("spaces_book", community, space.pk)
    form = client.get(url).context["form"]
    assert [value for value, _label in form.fields["body"].choices][1:] == [body.pk]
    client.post(url, _form(at(3), body=body.pk))
    made = Booking.objects.get(body=body)
    assert (made.person, made.status) == (chair, BookingStatus.PENDING)  # another member decides
    assert engine.decide(actor=other, booking=made, approve=True).status == BookingStatus.CONFIRMED
    # someone who does not sit in it cannot book for it
    client.force_login(outsider)
    response = client.post(url, _form(at(4), body=body.pk))
    assert response.status_code == 200 and "body" in response.context["form"].errors
    assert not Booking.objects.filter(person=outsider).exists()
