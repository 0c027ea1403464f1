"""Repeating bookings (series.py): the whole series checked under the space's lock, the conflict
report, booking the rest or nothing, cancelling one or the rest, and the refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.core.models import Activity
from gongzhi.spaces import series as services
from gongzhi.spaces import series_selectors as selectors
from gongzhi.spaces.models import Booking, BookingStatus, Series
from tests.factories import member
from tests.spaces.world import at, booking_of, space_of

pytestmark = pytest.mark.django_db

WEEKLY = "FREQ=WEEKLY;COUNT=6"


def _series(space, who, start, rule=WEEKLY, **extra):
    return services.series_book(
        actor=extra.pop("actor", who),
        space=space,
        rrule=rule,
        starts_at=start,
        minutes=extra.pop("minutes", 90),
        purpose=extra.pop("purpose", "合唱团排练"),
        **extra,
    )


def _refused(code, call, *args, **kwargs):
    before = (Booking.objects.count(), Series.objects.count())
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code
    assert (Booking.objects.count(), Series.objects.count()) == before
    return caught.value


def test_a_weekly_series_books_every_occurrence_as_a_booking(community, resident):
    space = space_of(community)
    start = at(2, hour=19)
    outcome = _series(space, resident, start)
    assert outcome.conflicts == []
    assert outcome.series is not None
    rows = list(selectors.occurrences(outcome.series))
    assert [b.starts_at for b in rows] == [start + timedelta(weeks=n) for n in range(6)]
    assert {b.status for b in rows} == {BookingStatus.CONFIRMED}
    assert all(b.ends_at - b.starts_at == timedelta(minutes=90) for b in rows)
    assert all(b.person_id == resident.pk and b.booked_by_id == resident.pk for b in rows)
    entry = Activity.objects.in_community(community).get(verb="series.booked")
    assert entry.actor_id == resident.pk and entry.data["booked"] == 6


def test_past_the_booking_horizon_a_series_still_books_within_a_year(community, resident):
    space = space_of(community, advance_days=7)
    outcome = _series(space, resident, at(2), "FREQ=MONTHLY;COUNT=6")
    assert len(outcome.booked) == 6


def test_the_conflict_report_lists_each_occurrence_that_cannot_be_had(community, resident):
    space = space_of(community, quota=1)
    start = at(2, hour=19)
    other = member(community)
    booking_of(space, other, start + timedelta(weeks=1))
    # the resident's own booking in week 4 uses that week's quota
    booking_of(space, resident, start + timedelta(weeks=3, hours=-5))
    report = _series(space, resident, start, dry_run=True)
    assert report.series is None and report.booked == []
    assert [(c.starts_at, c.code) for c in report.conflicts] == [
        (start + timedelta(weeks=1), "booking_taken"),
        (start + timedelta(weeks=3), "booking_over_quota"),
    ]
    assert all(c.reason for c in report.conflicts)
    assert report.free == [start + timedelta(weeks=n) for n in (0, 2, 4, 5)]
    assert Series.objects.count() == 0
    assert Booking.objects.filter(series__isnull=False).count() == 0


def test_with_conflicts_nothing_is_booked_unless_the_rest_is_asked_for(community, resident):
    space = space_of(community)
    start = at(2, hour=19)
    booking_of(space, member(community), start + timedelta(weeks=2))
    nothing = _series(space, resident, start)
    assert nothing.series is None and nothing.booked == []
    assert [c.starts_at for c in nothing.conflicts] == [start + timedelta(weeks=2)]
    assert Series.objects.count() == 0
    rest = _series(space, resident, start, book_rest=True)
    assert rest.series is not None
    assert len(rest.booked) == 5
    # the occurrence not had is kept as an exception: rule, exceptions and bookings agree
    assert rest.series.exdates == [(start + timedelta(weeks=2)).isoformat()]
    from gongzhi.core import recurrence

    expected = recurrence.occurrences(
        rest.series.rrule, rest.series.starts_at, services.exdates_of(rest.series.exdates)
    )
    assert expected == [b.starts_at for b in selectors.occurrences(rest.series)]


def test_a_space_needing_approval_holds_every_occurrence_pending(community, resident):
    space = space_of(community, needs_approval=True)
    outcome = _series(space, resident, at(2))
    assert {b.status for b in outcome.booked} == {BookingStatus.PENDING}
    assert all(b.hold_until is not None for b in outcome.booked)


def test_exceptions_skip_days(community, resident):
    space = space_of(community)
    start = at(2)
    outcome = _series(space, resident, start, exdates=[(start + timedelta(weeks=1)).date()])
    assert [b.starts_at for b in outcome.booked] == [
        start + timedelta(weeks=n) for n in (0, 2, 3, 4, 5)
    ]
    assert outcome.series.exdates == [(start + timedelta(weeks=1)).date().isoformat()]


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        ("FREQ=WEEKLY", "rrule_endless"),
        ("FREQ=WEEKLY;COUNT=60", "rrule_too_long"),
        ("FREQ=DAILY;UNTIL=20991231", "rrule_too_long"),
        ("FREQ=SOMETIMES", "rrule"),
    ],
)
def test_a_rule_that_never_ends_or_runs_past_a_year_is_refused(community, resident, rule, code):
    space = space_of(community)
    error = _refused(code, _series, space, resident, at(2), rule)
    assert str(error.messages[0])


def test_refusals_of_the_whole_series_save_nothing(community, other_community, resident):
    _refused(
        "series_not_allowed", _series, space_of(community, series_allowed=False), resident, at(2)
    )
    space = space_of(community, name="大厅")
    _refused("series_past", _series, space, resident, at(-1))
    _refused("series_too_far", _series, space, resident, at(40))
    _refused("booking_too_long", _series, space, resident, at(2), minutes=600)
    _refused("booking_no_purpose", _series, space, resident, at(2), purpose=" ")
    naive = at(9).replace(tzinfo=None)
    _refused("booking_naive", _series, space, resident, at(2), exdates=[naive])
    # another community's space: its rules are for its own residents
    elsewhere = space_of(other_community, name="别处")
    _refused("booking_not_resident", _series, elsewhere, resident, at(2))


def test_when_nothing_can_be_had_nothing_is_booked(community, resident):
    space = space_of(community)
    start = at(2)
    for week in range(2):
        booking_of(space, member(community), start + timedelta(weeks=week))
    _refused(
        "series_none_free", _series, space, resident, start, "FREQ=WEEKLY;COUNT=2", book_rest=True
    )


def test_only_a_worker_books_a_series_for_someone_else(community, resident, worker):
    space = space_of(community)
    with pytest.raises(PermissionDenied):
        _series(space, resident, at(2), person=member(community))
    outcome = _series(space, worker, at(2), person=resident)
    assert outcome.series.person_id == resident.pk and outcome.series.booked_by_id == worker.pk
    assert {b.person_id for b in outcome.booked} == {resident.pk}


def test_cancel_the_rest_of_a_series(community, resident):
    space = space_of(community)
    start = at(2)
    outcome = _series(space, resident, start)
    with pytest.raises(PermissionDenied):
        services.series_cancel(actor=member(community), series=outcome.series)
    cancelled = services.series_cancel(
        actor=resident, series=outcome.series, since=start + timedelta(weeks=2, hours=-1)
    )
    assert [b.starts_at for b in cancelled] == [start + timedelta(weeks=n) for n in (2, 3, 4, 5)]
    statuses = [b.status for b in selectors.occurrences(outcome.series)]
    assert statuses == ["confirmed"] * 2 + ["cancelled"] * 4
    assert Activity.objects.in_community(community).filter(verb="series.cancelled").count() == 1
    _refused(
        "series_nothing_to_cancel",
        services.series_cancel,
        actor=resident,
        series=outcome.series,
        since=start + timedelta(weeks=3),
    )


def test_cancel_one_occurrence_keeps_it_as_an_exception(community, resident):
    space = space_of(community)
    start = at(2)
    outcome = _series(space, resident, start)
    third = outcome.booked[2]
    services.occurrence_cancel(actor=resident, booking=third)
    third.refresh_from_db()
    outcome.series.refresh_from_db()
    assert third.status == BookingStatus.CANCELLED
    assert outcome.series.exdates == [third.starts_at.isoformat()]
    event = selectors.calendar_event(outcome.series)
    assert event is not None and list(event.exdates) == [third.starts_at]
    # a stranger cannot
    with pytest.raises(PermissionDenied):
        services.occurrence_cancel(actor=member(community), booking=outcome.booked[3])


def test_the_freed_occurrence_goes_to_the_first_waiting(community, resident):
    from gongzhi.spaces import booking as engine

    space = space_of(community)
    start = at(2)
    outcome = _series(space, resident, start, "FREQ=WEEKLY;COUNT=2")
    neighbour = member(community)
    engine.wait_for(
        actor=neighbour,
        space=space,
        starts_at=start + timedelta(weeks=1),
        ends_at=start + timedelta(weeks=1, minutes=60),
        purpose="打太极",
    )
    services.series_cancel(actor=resident, series=outcome.series)
    assert Booking.objects.filter(person=neighbour, status="confirmed").count() == 1


def test_closed_days_and_holidays_are_reported_with_their_reason(community, resident, monkeypatch):
    from gongzhi.core import holidays

    start = at(2, hour=10)
    closed_on = (start + timedelta(weeks=1)).date()
    holiday = (start + timedelta(weeks=2)).date()
    # the holiday calendar may not reach next year yet: make one of the days a holiday
    monkeypatch.setattr(holidays, "is_holiday", lambda day: day == holiday)
    monkeypatch.setattr(holidays, "holiday_name", lambda day: "国庆节" if day == holiday else "")
    every_day = {
        key: [["08:00", "22:00"]] for key in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    }
    space = space_of(
        community,
        hours={
            "weekly": every_day,
            "closures": [
                {"from": closed_on.isoformat(), "to": closed_on.isoformat(), "reason": "修地板"}
            ],
            "holidays": "closed",
        },
    )
    report = _series(space, resident, start, "FREQ=WEEKLY;COUNT=4", dry_run=True)
    reasons = {c.starts_at.date(): c.reason for c in report.conflicts}
    assert set(reasons) == {closed_on, holiday}
    assert "修地板" in reasons[closed_on]
    assert "国庆节" in reasons[holiday]
    assert all(c.code == "booking_outside_hours" for c in report.conflicts)


def test_a_manager_decides_a_whole_series_never_their_own(community, resident, worker):
    space = space_of(community, needs_approval=True)
    outcome = _series(space, resident, at(2))
    with pytest.raises(PermissionDenied):
        services.series_decide(actor=resident, series=outcome.series, approve=True)
    _refused(
        "booking_reason",
        services.series_decide,
        actor=worker,
        series=outcome.series,
        approve=False,
    )
    decided = services.series_decide(actor=worker, series=outcome.series, approve=True)
    assert len(decided) == 6
    assert {b.status for b in selectors.occurrences(outcome.series)} == {BookingStatus.CONFIRMED}
    assert Activity.objects.in_community(community).filter(verb="booking.approved").count() == 6
    _refused(
        "series_nothing_pending",
        services.series_decide,
        actor=worker,
        series=outcome.series,
        approve=True,
    )
    own = _series(space, worker, at(3), person=resident)
    # a worker's own booking for a resident is confirmed outright (a manager books it)
    assert {b.status for b in own.booked} == {BookingStatus.CONFIRMED}


def _body_with(community, worker, *people):
    from tests.bodies.bodies_world import council, seat, term

    body = council(community, worker, name="合唱团")
    position = seat(body)
    today = timezone.localdate()
    for index, person in enumerate(people, start=1):
        term(
            body,
            position,
            person,
            seat=index,
            starts=today - timedelta(days=5),
            ends=today + timedelta(days=300),
        )
    return body


def test_an_organisation_books_a_series_and_its_quota_counts_together(community, worker):
    chair, deputy = member(community), member(community)
    body = _body_with(community, worker, chair, deputy)
    space = space_of(community, quota=1)
    start = at(2, hour=19)
    first = _series(space, chair, start, "FREQ=WEEKLY;COUNT=3", body=body)
    assert {b.body_id for b in first.booked} == {body.pk}
    assert first.series.body_id == body.pk
    # the deputy's series for the same organisation, a day later in the same weeks
    later = start + timedelta(days=1)
    report = _series(space, deputy, later, "FREQ=WEEKLY;COUNT=3", body=body, dry_run=True)
    assert [c.code for c in report.conflicts] == ["booking_over_quota"] * 3
    _refused("series_none_free", _series, space, deputy, later, "FREQ=WEEKLY;COUNT=3", body=body)
    with pytest.raises(PermissionDenied):
        _series(space, member(community), start + timedelta(hours=3), body=body)
