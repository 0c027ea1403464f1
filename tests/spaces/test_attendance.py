"""Attendance at a booked space (attendance.py): check-in with the rotating QR, releasing
no-shows (and the command), appeals, and fees recorded through the finance ledger."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone, translation

from gongzhi.core import checkin
from gongzhi.core.models import Activity, CheckIn, Role
from gongzhi.disclosure.models import LedgerEntry
from gongzhi.notifications.models import Notification
from gongzhi.spaces import attendance
from gongzhi.spaces import booking as engine
from gongzhi.spaces.models import (
    AppealStatus,
    Booking,
    BookingStatus,
    NoShowAppeal,
    WaitingRequest,
    WaitingStatus,
)
from tests.factories import member
from tests.spaces.world import booking_of, space_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """These tests read the messages in English."""
    with translation.override("en"):
        yield


def _now():
    return timezone.now().replace(microsecond=0)


def _started(space, person, minutes_ago, hours=2, **fields):
    """A confirmed booking that started ``minutes_ago`` (negative: starts later)."""
    return booking_of(space, person, _now() - timedelta(minutes=minutes_ago), hours=hours, **fields)


def _verbs(community, verb):
    return Activity.objects.in_community(community).filter(verb=verb).count()


# --- Check-in --------------------------------------------------------------------------------


def test_a_scan_checks_in_the_current_booking_once(community, resident):
    space = space_of(community)
    booking = _started(space, resident, 5)
    code = checkin.current_code(space)

    row, created = checkin.checkin_record(actor=resident, target=space, code=code)
    again, created_again = checkin.checkin_record(actor=resident, target=space, code=code)

    assert created and not created_again and again.pk == row.pk
    booking.refresh_from_db()
    assert booking.checked_in_at is not None
    assert _verbs(community, "booking.checked_in") == 1
    assert "checked in since" in checkin.status_of(resident, space)


def test_checking_in_opens_15_minutes_before_the_start(community, resident):
    space = space_of(community)
    soon = _started(space, resident, -10)
    code = checkin.current_code(space)
    checkin.checkin_record(actor=resident, target=space, code=code)
    soon.refresh_from_db()
    assert soon.checked_in_at is not None


@pytest.mark.parametrize(
    ("minutes_ago", "status", "code"),
    [
        (-30, BookingStatus.CONFIRMED, "checkin_too_early"),
        (180, BookingStatus.CONFIRMED, "checkin_no_booking"),  # ended an hour ago
        (20, BookingStatus.RELEASED, "checkin_released"),
        (5, BookingStatus.CANCELLED, "checkin_no_booking"),
    ],
)
def test_a_scan_without_a_current_booking_is_refused_clearly(
    community, resident, minutes_ago, status, code
):
    space = space_of(community)
    _started(space, resident, minutes_ago, status=status)
    with pytest.raises(ValidationError) as caught:
        checkin.checkin_record(actor=resident, target=space, code=checkin.current_code(space))
    assert caught.value.code == code
    assert not CheckIn.objects.in_community(community).exists()
    assert not Booking.objects.in_community(community).filter(checked_in_at__isnull=False).exists()


def test_someone_elses_booking_is_not_checked_in_by_my_scan(community, resident):
    space = space_of(community)
    theirs = _started(space, member(community), 5)
    with pytest.raises(ValidationError, match="no booking"):
        checkin.checkin_record(actor=resident, target=space, code=checkin.current_code(space))
    theirs.refresh_from_db()
    assert theirs.checked_in_at is None


def test_a_member_of_the_organisation_checks_in_its_booking(community, worker, resident):
    from tests.meetings.world import seated_council

    body, people = seated_council(community, worker, members=2)
    space = space_of(community)
    booking = _started(space, people[0], 5, body=body)
    checkin.checkin_record(actor=people[1], target=space, code=checkin.current_code(space))
    booking.refresh_from_db()
    assert booking.checked_in_at is not None
    with pytest.raises(ValidationError):
        checkin.checkin_record(actor=resident, target=space, code=checkin.current_code(space))


def test_an_old_code_and_an_outsider_are_refused(community, resident, outsider):
    space = space_of(community)
    _started(space, resident, 5)
    old = checkin.code_for(space, checkin.time_step() - 5)
    with pytest.raises(ValidationError) as caught:
        checkin.checkin_record(actor=resident, target=space, code=old)
    assert caught.value.code == "checkin_code"
    with pytest.raises(PermissionDenied):
        checkin.checkin_record(actor=outsider, target=space, code=checkin.current_code(space))


def test_the_door_screen_is_for_the_spaces_managers(client, community, resident, worker):
    space = space_of(community)
    url = f"/checkin/spaces.space/{space.pk}/"
    client.force_login(resident)
    assert client.get(url).status_code == 404
    client.force_login(worker)
    assert client.get(url).status_code == 200


def test_the_scan_page_checks_in_and_explains_a_refusal(client, community, resident):
    space = space_of(community)
    code = checkin.current_code(space)
    client.force_login(resident)
    refused = client.post(f"/checkin/spaces.space/{space.pk}/{code}/")
    assert refused.status_code == 400
    assert 'role="alert"' in refused.content.decode()
    booking = _started(space, resident, 1)
    assert client.post(f"/checkin/spaces.space/{space.pk}/{code}/").status_code == 200
    booking.refresh_from_db()
    assert booking.checked_in_at is not None


# --- No-shows ----------------------------------------------------------------------------------


def test_release_frees_bookings_nobody_checked_in_to(community, resident):
    space = space_of(community, no_show_minutes=15, seats=5)
    late = _started(space, resident, 20)
    grace = _started(space, member(community), 10, seat=2)
    came = _started(
        space, member(community), 30, seat=3, checked_in_at=_now() - timedelta(minutes=25)
    )
    old = _started(space, member(community), 60 * 30, hours=1)

    released = attendance.release_no_shows()

    assert [b.pk for b in released] == [late.pk]
    late.refresh_from_db()
    assert late.status == BookingStatus.RELEASED and late.no_show
    for kept in (grace, came, old):
        kept.refresh_from_db()
        assert kept.status == BookingStatus.CONFIRMED and not kept.no_show
    entry = Activity.objects.in_community(community).get(verb="booking.released")
    assert entry.actor_id is None
    assert Notification.objects.filter(user=resident, kind="space_attendance").exists()


def test_a_space_with_no_grace_time_never_releases(community, resident):
    space = space_of(community, no_show_minutes=0)
    _started(space, resident, 30)
    assert attendance.release_no_shows() == []


def test_the_rest_of_a_released_booking_goes_to_those_waiting(community, resident):
    space = space_of(community)
    start = _now() - timedelta(minutes=20)
    booking_of(space, resident, start, hours=3)
    neighbour = member(community)
    later = start + timedelta(hours=2)
    waiting = WaitingRequest.objects.in_community(community).create(
        space=space,
        starts_at=later,
        ends_at=later + timedelta(hours=1),
        person=neighbour,
        purpose="下棋",
    )

    attendance.release_no_shows()

    waiting.refresh_from_db()
    assert waiting.status == WaitingStatus.BOOKED
    assert waiting.booking.person == neighbour
    assert waiting.booking.status == BookingStatus.CONFIRMED


def test_the_command_prints_what_it_released_and_releases_once(community, resident):
    space = space_of(community)
    _started(space, resident, 20)
    out = StringIO()
    call_command("spaces_release", stdout=out)
    call_command("spaces_release", stdout=out)
    assert out.getvalue().split() == ["released=1", "expired=0", "released=0", "expired=0"]


def test_no_shows_pause_booking_until_an_appeal_withdraws_one(community, resident, worker):
    space = space_of(community, no_show_limit=2)
    for minutes in (60 * 5, 60 * 3):
        _started(space, resident, minutes, hours=1)
    assert len(attendance.release_no_shows()) == 2
    assert Booking.objects.in_community(community).filter(no_show=True).count() == 2
    tomorrow = _now() + timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        engine.book(
            actor=resident,
            space=space,
            starts_at=tomorrow,
            ends_at=tomorrow + timedelta(hours=1),
            purpose="读书",
        )
    assert caught.value.code == "booking_no_shows"

    missed = Booking.objects.in_community(community).filter(no_show=True).first()
    appeal = attendance.appeal_submit(actor=resident, booking=missed, reason="我来了，扫码没成功")
    attendance.appeal_decide(actor=worker, appeal=appeal, overturn=True)

    made = engine.book(
        actor=resident,
        space=space,
        starts_at=tomorrow,
        ends_at=tomorrow + timedelta(hours=1),
        purpose="读书",
    )
    assert made.status == BookingStatus.CONFIRMED


# --- Appeals -----------------------------------------------------------------------------------


def _no_show(space, person, **fields):
    return _started(
        space, person, 60 * 3, hours=1, status=BookingStatus.RELEASED, no_show=True, **fields
    )


def test_only_the_person_appeals_once_with_a_reason(community, resident):
    space = space_of(community)
    missed = _no_show(space, resident)
    with pytest.raises(PermissionDenied):
        attendance.appeal_submit(actor=member(community), booking=missed, reason="?")
    with pytest.raises(ValidationError) as caught:
        attendance.appeal_submit(actor=resident, booking=missed, reason="  ")
    assert caught.value.code == "appeal_no_reason"
    attendance.appeal_submit(actor=resident, booking=missed, reason="下雨迟到")
    with pytest.raises(ValidationError) as caught:
        attendance.appeal_submit(actor=resident, booking=missed, reason="再说一次")
    assert caught.value.code == "appeal_twice"
    assert NoShowAppeal.objects.in_community(community).count() == 1
    assert _verbs(community, "booking.no_show_appealed") == 1


def test_a_booking_that_was_used_cannot_be_appealed(community, resident):
    used = _started(space_of(community), resident, 60 * 3, hours=1)
    with pytest.raises(ValidationError) as caught:
        attendance.appeal_submit(actor=resident, booking=used, reason="?")
    assert caught.value.code == "appeal_not_no_show"


def test_managers_decide_appeals_but_never_their_own(community, resident, worker):
    space = space_of(community)
    own = _no_show(space, worker)
    appeal = attendance.appeal_submit(actor=worker, booking=own, reason="我在场")
    with pytest.raises(PermissionDenied):
        attendance.appeal_decide(actor=worker, appeal=appeal, overturn=True)
    with pytest.raises(PermissionDenied):
        attendance.appeal_decide(actor=resident, appeal=appeal, overturn=True)
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.OPEN

    theirs = attendance.appeal_submit(actor=resident, booking=_no_show(space, resident), reason="?")
    with pytest.raises(ValidationError) as caught:
        attendance.appeal_decide(actor=worker, appeal=theirs, overturn=False, answer="")
    assert caught.value.code == "appeal_no_answer"
    decided = attendance.appeal_decide(
        actor=worker, appeal=theirs, overturn=False, answer="门口监控显示无人到场"
    )
    assert decided.status == AppealStatus.UPHELD
    assert Booking.objects.in_community(community).get(pk=theirs.booking_id).no_show
    with pytest.raises(ValidationError) as caught:
        attendance.appeal_decide(actor=worker, appeal=theirs, overturn=True)
    assert caught.value.code == "appeal_decided"
    assert Notification.objects.filter(user=resident, kind="space_attendance").exists()
    assert _verbs(community, "booking.no_show_upheld") == 1


# --- Fees ----------------------------------------------------------------------------------------


def test_a_fee_paid_becomes_a_pending_income_entry(community, resident, worker):
    space = space_of(community, fee=Decimal("30.00"))
    booking = _started(space, resident, 30, fee=Decimal("30.00"))

    paid = attendance.fee_record_paid(actor=worker, booking=booking)

    assert paid.fee_paid_at is not None and paid.fee_received_by == worker
    entry = LedgerEntry.objects.in_community(community).get(pk=paid.fee_entry_id)
    assert entry.kind == "income" and entry.total_fen == 3000
    assert entry.status == "pending" and entry.entered_by == worker
    assert [line.category for line in entry.lines.all()] == ["fees"]
    assert resident.display_name not in entry.counterparty
    assert str(booking.pk) in entry.counterparty
    with pytest.raises(ValidationError) as caught:
        attendance.fee_record_paid(actor=member(community, Role.COMMUNITY_WORKER), booking=paid)
    assert caught.value.code == "fee_paid_twice"
    assert LedgerEntry.objects.in_community(community).count() == 1


def test_the_payer_never_records_their_own_fee(community, worker):
    space = space_of(community, fee=Decimal("10"))
    own = _started(space, worker, 30, fee=Decimal("10"))
    with pytest.raises(PermissionDenied):
        attendance.fee_record_paid(actor=worker, booking=own)
    assert not LedgerEntry.objects.in_community(community).exists()


def test_fees_are_recorded_only_by_a_worker_managing_the_space(community, resident):
    space = space_of(community, fee=Decimal("10"))
    booking = _started(space, resident, 30, fee=Decimal("10"))
    with pytest.raises(PermissionDenied):
        attendance.fee_record_paid(actor=member(community), booking=booking)
    free = _started(space, member(community), 200, hours=1)
    with pytest.raises(ValidationError) as caught:
        attendance.fee_record_paid(actor=member(community, Role.COMMUNITY_WORKER), booking=free)
    assert caught.value.code == "fee_none"
    assert not LedgerEntry.objects.in_community(community).exists()


# --- Pages ---------------------------------------------------------------------------------------


def test_the_desk_shows_the_day_and_records_a_fee(client, community, resident, worker):
    space = space_of(community, fee=Decimal("20"))
    booking = _started(space, resident, 30, fee=Decimal("20"))
    desk = f"/c/{community.slug}/spaces/{space.pk}/desk/"
    client.force_login(resident)
    assert desk not in client.get(f"/c/{community.slug}/spaces/").content.decode()
    client.force_login(worker)
    assert desk in client.get(f"/c/{community.slug}/spaces/").content.decode()
    day = timezone.localdate(booking.starts_at).isoformat()
    url = f"/c/{community.slug}/spaces/{space.pk}/desk/?day={day}"
    client.force_login(resident)
    assert client.get(url).status_code == 404
    client.force_login(worker)
    page = client.get(url)
    assert page.status_code == 200
    assert f'data-booking="{booking.pk}"' in page.content.decode()
    response = client.post(f"/c/{community.slug}/spaces/bookings/{booking.pk}/fee/")
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.fee_paid_at is not None


def test_a_resident_appeals_from_the_page_and_a_worker_decides(client, community, resident, worker):
    space = space_of(community)
    missed = _no_show(space, resident)
    client.force_login(resident)
    mine = client.get(f"/c/{community.slug}/spaces/mine/").content.decode()
    assert f'data-no-show="{missed.pk}"' in mine
    url = f"/c/{community.slug}/spaces/bookings/{missed.pk}/appeal/"
    assert client.post(url, {"reason": "我在场"}).status_code == 302
    assert client.get(f"/c/{community.slug}/spaces/appeals/").status_code == 404

    client.force_login(worker)
    queue = client.get(f"/c/{community.slug}/spaces/appeals/").content.decode()
    appeal = NoShowAppeal.objects.in_community(community).get()
    assert f'data-appeal="{appeal.pk}"' in queue
    decide = f"/c/{community.slug}/spaces/appeals/{appeal.pk}/decide/"
    assert client.post(decide, {"overturn": "yes"}).status_code == 302
    missed.refresh_from_db()
    assert not missed.no_show


def test_another_residents_no_show_is_not_found(client, community, resident):
    missed = _no_show(space_of(community), member(community))
    client.force_login(resident)
    url = f"/c/{community.slug}/spaces/bookings/{missed.pk}/appeal/"
    assert client.get(url).status_code == 404


def test_a_body_managing_the_space_keeps_its_desk_but_not_the_ledger(
    client, community, resident, worker
):
    from tests.meetings.world import seated_council

    body, people = seated_council(community, worker, members=1)
    space = space_of(community, managed_by_body=body, fee=Decimal("20"))
    booking = _started(space, resident, 30, fee=Decimal("20"))
    day = timezone.localdate(booking.starts_at).isoformat()
    client.force_login(people[0])
    page = client.get(f"/c/{community.slug}/spaces/{space.pk}/desk/?day={day}").content.decode()
    assert f'data-booking="{booking.pk}"' in page
    assert f"/spaces/bookings/{booking.pk}/fee/" not in page
    refused = client.post(f"/c/{community.slug}/spaces/bookings/{booking.pk}/fee/")
    assert refused.status_code == 302
    booking.refresh_from_db()
    assert booking.fee_paid_at is None


def test_a_check_in_just_before_the_release_keeps_the_booking(community, resident):
    space = space_of(community)
    booking = _started(space, resident, 20)
    due = attendance.due_for_release(_now())
    assert [b.pk for b in due] == [booking.pk]
    checkin.checkin_record(actor=resident, target=space, code=checkin.current_code(space))

    assert attendance.release(due[0], now=_now()) is None
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and not booking.no_show


def test_a_no_show_is_appealed_within_30_days(community, resident):
    space = space_of(community)
    old = booking_of(
        space,
        resident,
        _now() - timedelta(days=attendance.APPEAL_DAYS + 2),
        status=BookingStatus.RELEASED,
        no_show=True,
    )
    with pytest.raises(ValidationError) as caught:
        attendance.appeal_submit(actor=resident, booking=old, reason="我到了")
    assert caught.value.code == "appeal_too_late"
    assert not NoShowAppeal.objects.in_community(community).exists()


def test_the_desk_reads_a_day_out_of_reach_as_today(client, community, worker):
    space = space_of(community, worker)
    client.force_login(worker)
    for day in ("0001-01-01", "9999-12-31", "nonsense"):
        page = client.get(f"/c/{community.slug}/spaces/{space.pk}/desk/?day={day}")
        assert page.status_code == 200
        assert page.context["day"] == timezone.localdate()


# --- The door screen's number and the scan's queries -------------------------------------------


def test_the_door_screen_counts_todays_check_ins_not_everyone_ever(
    client, community, resident, worker
):
    from django.contrib.contenttypes.models import ContentType

    space = space_of(community)
    yesterday = timezone.now() - timedelta(days=1)
    booking_of(space, resident, yesterday, checked_in_at=yesterday)
    CheckIn.objects.in_community(community).create(
        target_type=ContentType.objects.get_for_model(space),
        target_id=space.pk,
        person=resident,
        at=yesterday,
    )
    other = member(community)
    _started(space, other, 0)  # starts now: today, whatever the hour
    checkin.checkin_record(actor=other, target=space, code=checkin.current_code(space))
    assert checkin.present(space).count() == 2  # core's rows: one per person, ever

    client.force_login(worker)
    response = client.get(f"/checkin/spaces.space/{space.pk}/")
    assert response.status_code == 200
    assert response.context["count"] == 1


def test_a_scan_asks_the_same_queries_however_many_organisations_booked(community, worker):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.bodies.bodies_world import council
    from tests.meetings.world import seated_council

    body, people = seated_council(community, worker, members=1, name="读书会")
    space = space_of(community, seats=20)
    mine = _started(space, member(community), 5, body=body, seat=20)

    def others(count, start):
        for number in range(start, start + count):
            other = council(community, worker, name=f"组织{number}")
            _started(space, member(community), 10, body=other, seat=number)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            found = attendance.current_booking(people[0], space, timezone.now())
        assert found == mine
        return len(captured)

    others(1, 1)
    few = queries()
    others(6, 2)
    assert queries() == few == 1
