"""core/recurrence.py: repeat rules with exceptions, within a year, as calendar apps expand them."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gongzhi.core import ical, recurrence
from gongzhi.core.recurrence import Limit

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 5, 19, 30, tzinfo=SHANGHAI)  # a Thursday evening


def code_of(text: str, start: datetime = START, **kwargs: object) -> str | None:
    with pytest.raises(ValidationError) as error:
        recurrence.occurrences(text, start, **kwargs)  # type: ignore[arg-type]
    return error.value.code


def test_a_weekly_rule_repeats_the_local_evening_and_accepts_the_rrule_prefix():
    starts = recurrence.occurrences("RRULE:FREQ=WEEKLY;COUNT=3", START)
    assert starts == [START, START + timedelta(days=7), START + timedelta(days=14)]
    assert all(s.tzinfo is not None and s.utcoffset() == timedelta(hours=8) for s in starts)


def test_a_start_in_another_zone_is_read_as_the_same_moment_in_beijing_time():
    in_utc = START.astimezone(UTC)
    assert recurrence.occurrences("FREQ=DAILY;COUNT=2", in_utc)[0] == START
    assert recurrence.occurrences("FREQ=DAILY;COUNT=2", in_utc)[0].tzinfo == SHANGHAI


def test_a_date_only_until_includes_that_days_evening():
    assert len(recurrence.occurrences("FREQ=WEEKLY;UNTIL=20260319", START)) == 3
    assert len(recurrence.occurrences("FREQ=WEEKLY;UNTIL=20260319T193000", START)) == 3
    assert len(recurrence.occurrences("FREQ=WEEKLY;UNTIL=20260319T192959", START)) == 2
    # 11:30 UTC is 19:30 in Beijing.
    assert len(recurrence.occurrences("FREQ=WEEKLY;UNTIL=20260319T113000Z", START)) == 3


def test_exceptions_by_date_skip_the_whole_day_and_by_moment_only_that_start():
    twice_a_day = "FREQ=DAILY;BYHOUR=9,19;BYMINUTE=30;COUNT=6"
    start = datetime(2026, 3, 5, 9, 30, tzinfo=SHANGHAI)
    kept = recurrence.expand(twice_a_day, start, [date(2026, 3, 6)])
    assert [s.day for s in kept.starts] == [5, 5, 7, 7]
    assert kept.excluded == [
        datetime(2026, 3, 6, 9, 30, tzinfo=SHANGHAI),
        datetime(2026, 3, 6, 19, 30, tzinfo=SHANGHAI),
    ]
    one = recurrence.occurrences(twice_a_day, start, [datetime(2026, 3, 6, 11, 30, tzinfo=UTC)])
    assert datetime(2026, 3, 6, 19, 30, tzinfo=SHANGHAI) not in one and len(one) == 5
    # an exception the rule never gives changes nothing
    assert len(recurrence.occurrences(twice_a_day, start, [date(2027, 1, 1)])) == 6


def test_a_start_the_rule_does_not_give_begins_the_series_at_its_first_occurrence():
    wednesday = datetime(2026, 3, 4, 19, 30, tzinfo=SHANGHAI)  # the day before
    made = recurrence.expand("FREQ=MONTHLY;BYDAY=1TH;COUNT=3", wednesday)
    assert made.first == made.starts[0] == datetime(2026, 3, 5, 19, 30, tzinfo=SHANGHAI)
    assert len(made.starts) == 3


def test_one_year_from_the_start_is_the_limit_for_bookings():
    new_year = datetime(2025, 1, 1, 9, 0, tzinfo=SHANGHAI)
    assert len(recurrence.occurrences("FREQ=DAILY;COUNT=366", new_year)) == 366  # to 2026-01-01
    assert code_of("FREQ=DAILY;COUNT=367", new_year) == "rrule_too_long"
    assert len(recurrence.occurrences("FREQ=YEARLY;COUNT=2", START)) == 2  # a year to the day
    assert code_of("FREQ=WEEKLY;UNTIL=20270401") == "rrule_too_long"
    assert code_of("FREQ=YEARLY;COUNT=3") == "rrule_too_long"
    # at most 366 occurrences, however close together
    assert code_of("FREQ=HOURLY;COUNT=400") == "rrule_too_long"
    # the exceptions do not make room: the rule itself must fit
    assert code_of("FREQ=WEEKLY;COUNT=60", exdates=[START + timedelta(days=7 * 59)]) == (
        "rrule_too_long"
    )


def test_an_until_far_in_the_future_is_simply_too_long():
    assert code_of("FREQ=WEEKLY;UNTIL=40000101") == "rrule_too_long"
    assert code_of("FREQ=YEARLY;UNTIL=99991231") == "rrule_too_long"
    assert code_of("FREQ=YEARLY;INTERVAL=900;UNTIL=90000101") == "rrule_too_long"


def test_another_limit_is_passed_by_the_caller():
    five_years = Limit(years=5, count=260)
    assert len(recurrence.occurrences("FREQ=YEARLY;COUNT=6", START, limit=five_years)) == 6
    assert code_of("FREQ=YEARLY;COUNT=7", limit=five_years) == "rrule_too_long"
    assert code_of("FREQ=WEEKLY;COUNT=261", limit=five_years) == "rrule_too_long"


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        ("FREQ=WEEKLY", "rrule_endless"),
        ("FREQ=MONTHLY;BYDAY=1TH", "rrule_endless"),
        ("", "rrule"),
        ("   ", "rrule"),
        ("FREQ=FORTNIGHTLY;COUNT=3", "rrule"),
        ("FREQ=WEEKLY;COUNT=many", "rrule"),
        ("every tuesday", "rrule"),
        ("FREQ=DAILY;COUNT=3\nRRULE:FREQ=WEEKLY;COUNT=2", "rrule"),
        ("DTSTART:20260101T000000\nRRULE:FREQ=DAILY;COUNT=2", "rrule"),
        ("FREQ=YEARLY;BYEASTER=0;COUNT=2", "rrule"),
        ("FREQ=WEEKLY;UNTIL=20260101", "rrule_empty"),  # ends before it starts
    ],
)
def test_bad_rules_are_refused_with_a_stable_code(rule, code):
    assert code_of(rule) == code


def test_a_rule_left_with_no_occurrence_by_its_exceptions_is_refused():
    every = [START + timedelta(days=7 * n) for n in range(3)]
    assert code_of("FREQ=WEEKLY;COUNT=3", exdates=every) == "rrule_empty"


@pytest.mark.parametrize(
    "rule",
    ["FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=1", "FREQ=SECONDLY;BYMONTH=4;BYMONTHDAY=31;COUNT=1"],
)
def test_a_rule_that_can_never_match_is_refused_at_once(rule):
    # dateutil alone searches up to the year 9999: 7 to 15 seconds for these.
    began = time.monotonic()
    assert code_of(rule) == "rrule_empty"
    assert time.monotonic() - began < 3


def test_refusals_are_translated_and_say_what_to_do():
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            recurrence.occurrences("FREQ=WEEKLY", START)
        assert "COUNT" in error.value.messages[0] and "UNTIL" in error.value.messages[0]
        with pytest.raises(ValidationError) as error:
            recurrence.occurrences("FREQ=WEEKLY;COUNT=60", START)
        assert "1 year" in error.value.messages[0] and "366" in error.value.messages[0]


def test_naive_times_are_a_programming_error():
    with pytest.raises(ValueError, match="timezone-aware"):
        recurrence.occurrences("FREQ=DAILY;COUNT=2", datetime(2026, 3, 5, 9, 0))  # noqa: DTZ001


def test_a_leap_day_survives_the_expansion():
    leap = datetime(2028, 2, 29, 8, 0, tzinfo=SHANGHAI)
    assert recurrence.occurrences("FREQ=MONTHLY;BYMONTHDAY=29;COUNT=2", leap) == [
        leap,
        datetime(2028, 3, 29, 8, 0, tzinfo=SHANGHAI),
    ]


# --- The same list as a calendar app reading the feed ---------------------------------------

WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@st.composite
def rules(draw: st.DrawFn) -> str:
    freq = draw(st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]))
    parts = [f"FREQ={freq}"]
    interval = draw(st.integers(1, 3))
    if interval > 1:
        parts.append(f"INTERVAL={interval}")
    if freq in ("DAILY", "WEEKLY") and draw(st.booleans()):
        days = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=3, unique=True))
        parts.append("BYDAY=" + ",".join(days))
    if freq == "MONTHLY":
        choice = draw(st.sampled_from(["none", "monthday", "nth"]))
        if choice == "monthday":
            parts.append(f"BYMONTHDAY={draw(st.sampled_from([1, 15, 28, 29, 31, -1]))}")
        elif choice == "nth":
            parts.append(
                f"BYDAY={draw(st.sampled_from([1, 2, -1]))}{draw(st.sampled_from(WEEKDAYS))}"
            )
    if freq == "DAILY" and draw(st.booleans()):
        parts.append(
            "BYHOUR="
            + ",".join(map(str, sorted(draw(st.sets(st.integers(7, 21), min_size=1, max_size=2)))))
        )
    end = draw(st.sampled_from(["count", "until_date", "until_local", "until_utc"]))
    if end == "count":
        parts.append(f"COUNT={draw(st.integers(1, 40))}")
    else:
        until = draw(st.datetimes(datetime(2026, 1, 1), datetime(2027, 6, 30)))  # noqa: DTZ001
        if end == "until_date":
            parts.append(f"UNTIL={until:%Y%m%d}")
        elif end == "until_local":
            parts.append(f"UNTIL={until:%Y%m%dT%H%M%S}")
        else:
            parts.append(f"UNTIL={until:%Y%m%dT%H%M%S}Z")
    return ";".join(parts)


starts = st.builds(
    lambda day, minutes: (
        datetime.combine(day, datetime.min.time(), SHANGHAI) + timedelta(minutes=minutes)
    ),
    st.dates(date(2026, 1, 1), date(2026, 12, 31)),
    st.integers(0, 24 * 4 - 1).map(lambda quarter: quarter * 15),
)


def feed_of(expansion: recurrence.Expansion, rule: str) -> bytes:
    """The feed gongzhi writes for the series: its first start, its rule, its exceptions."""
    event = ical.CalendarEvent(
        uid="booking-1",
        start=expansion.first,
        end=expansion.first + timedelta(hours=1),
        summary="合唱团排练",
        updated=datetime(2026, 1, 1, tzinfo=UTC),
        rrule=rule,
        exdates=tuple(expansion.excluded),
    )
    return ical.calendar([event], name="x").to_ical()


def as_calendar_app_sees_it(expansion: recurrence.Expansion, rule: str) -> list[datetime]:
    feed = icalendar.Calendar.from_ical(feed_of(expansion, rule))
    window = (expansion.first - timedelta(days=1), expansion.first + timedelta(days=800))
    return sorted(
        e.decoded("dtstart").astimezone(SHANGHAI)
        for e in recurring_ical_events.of(feed).between(*window)
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rule=rules(),
    start=starts,
    skip_days=st.lists(st.integers(0, 120), max_size=4),
    skip_picks=st.lists(st.integers(0, 50), max_size=3),
)
def test_the_occurrences_are_what_a_calendar_app_shows_for_the_feed(
    rule, start, skip_days, skip_picks
):
    try:
        plain = recurrence.occurrences(rule, start)
    except ValidationError as error:
        assume(error.code != "rrule_too_long" and error.code != "rrule_empty")
        raise
    # exceptions: some whole days, and some single starts the rule gives
    exdates: list[date | datetime] = [start.date() + timedelta(days=n) for n in skip_days]
    exdates += [plain[n] for n in skip_picks if n < len(plain)]
    try:
        expansion = recurrence.expand(rule, start, exdates)
    except ValidationError as error:
        assert error.code == "rrule_empty"
        return
    # recurring-ical-events matches an EXDATE by its UTC and its wall-clock reading both, so an
    # exception also removes an occurrence exactly the zone's offset (8 hours) from it
    # (``BYHOUR=7,15`` skipping 07:00 loses 15:00 too); no calendar app does that.
    offset = start.utcoffset()
    assume(not any(abs(s - x) == offset for s in expansion.starts for x in expansion.excluded))
    assert expansion.starts == as_calendar_app_sees_it(expansion, rule)
    assert sorted(expansion.starts + expansion.excluded) == plain
    assert expansion.starts[-1] <= start.replace(year=start.year + 1)


def test_a_series_with_two_starts_a_day_is_written_in_beijing_time():
    """Found by the property above on a fresh clone: ``BYHOUR`` is read in DTSTART's zone, so a
    series is written with its TZID, not in UTC (where 7 and 15 o'clock are 15:00 and 23:00 in
    Beijing). Skipping the first start keeps the second of that day."""
    start = datetime(2026, 7, 4, tzinfo=SHANGHAI)
    rule = "FREQ=DAILY;BYHOUR=7,15;UNTIL=20270101"
    first = datetime(2026, 7, 4, 7, tzinfo=SHANGHAI)
    expansion = recurrence.expand(rule, start, [first])
    assert expansion.first == first
    assert expansion.starts[:2] == [first.replace(hour=15), first.replace(day=5)]
    feed = feed_of(expansion, rule).decode()
    assert "DTSTART;TZID=Asia/Shanghai:20260704T070000" in feed
    assert "EXDATE;TZID=Asia/Shanghai:20260704T070000" in feed
    assert "BEGIN:VTIMEZONE" in feed and "TZID:Asia/Shanghai" in feed
    assert "UNTIL=20270101T155959Z" in feed


def test_an_early_morning_weekly_series_stays_on_its_weekday():
    """07:00 on Tuesdays in Beijing is 23:00 on Mondays in UTC: written in UTC, ``BYDAY=TU``
    would put it on Wednesday mornings."""
    start = datetime(2026, 3, 3, 7, tzinfo=SHANGHAI)  # a Tuesday
    expansion = recurrence.expand("FREQ=WEEKLY;BYDAY=TU;COUNT=4", start, [])
    assert {moment.weekday() for moment in expansion.starts} == {1}
    assert as_calendar_app_sees_it(expansion, "FREQ=WEEKLY;BYDAY=TU;COUNT=4") == expansion.starts
