"""Opening hours (gongzhi.spaces.hours): weekly ranges, closures, public holidays and make-up
working days, the JSON a space stores, and the questions the booking engine asks."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.core import holidays
from gongzhi.spaces import hours as h

SHANGHAI = ZoneInfo("Asia/Shanghai")
STATION = {
    "weekly": {
        "mon": [["08:30", "12:00"], ["14:00", "21:00"]],
        "tue": [["08:30", "12:00"], ["14:00", "21:00"]],
        "wed": [["08:30", "12:00"], ["14:00", "21:00"]],
        "thu": [["08:30", "12:00"], ["14:00", "21:00"]],
        "fri": [["08:30", "12:00"], ["14:00", "21:00"]],
        "sat": [["09:00", "17:00"]],
    },
    "closures": [{"from": "2026-07-20", "to": "2026-07-31", "reason": "地面翻修"}],
    "holidays": "closed",
    "makeup_day_as": "mon",
}


def at(day: date, clock: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), SHANGHAI)


def code_of(data: object) -> str | None:
    with pytest.raises(ValidationError) as error:
        h.load(data)
    return error.value.code


def test_a_day_with_two_ranges_in_beijing_time():
    monday = date(2026, 3, 2)
    ranges = h.open_ranges(h.load(STATION), monday)
    assert ranges == [
        (at(monday, "08:30"), at(monday, "12:00")),
        (at(monday, "14:00"), at(monday, "21:00")),
    ]
    assert all(r[0].utcoffset() == timedelta(hours=8) for r in ranges)
    assert h.open_ranges(h.load(STATION), date(2026, 3, 8)) == []  # a Sunday


def test_a_booking_must_lie_within_one_range():
    hours, monday = h.load(STATION), date(2026, 3, 2)
    assert h.is_open_for(hours, at(monday, "08:30"), at(monday, "12:00"))
    assert h.is_open_for(hours, at(monday, "19:00"), at(monday, "21:00"))
    assert not h.is_open_for(hours, at(monday, "08:00"), at(monday, "09:00"))  # before opening
    assert not h.is_open_for(hours, at(monday, "11:00"), at(monday, "15:00"))  # over the lunch
    assert not h.is_open_for(hours, at(monday, "20:30"), at(monday, "21:30"))  # past closing
    assert not h.is_open_for(hours, at(monday, "10:00"), at(monday, "10:00"))  # empty
    # the same moment written in UTC
    utc = ZoneInfo("UTC")
    assert h.is_open_for(hours, at(monday, "09:00").astimezone(utc), at(monday, "10:00"))
    with pytest.raises(ValueError, match="timezone-aware"):
        h.is_open_for(hours, datetime(2026, 3, 2, 9), datetime(2026, 3, 2, 10))  # noqa: DTZ001


def test_a_range_to_midnight():
    hours = h.load({"weekly": {"fri": [["18:00", "24:00"]]}})
    friday = date(2026, 3, 6)
    assert h.is_open_for(hours, at(friday, "22:00"), at(friday + timedelta(days=1), "00:00"))
    assert not h.is_open_for(hours, at(friday, "23:00"), at(friday + timedelta(days=1), "00:30"))


def test_slots_fill_each_range_from_its_opening():
    monday = date(2026, 3, 2)
    made = h.slots(h.load(STATION), monday, 90)
    assert [(s.strftime("%H:%M"), e.strftime("%H:%M")) for s, e in made] == [
        ("08:30", "10:00"),
        ("10:00", "11:30"),
        ("14:00", "15:30"),
        ("15:30", "17:00"),
        ("17:00", "18:30"),
        ("18:30", "20:00"),
    ]
    with pytest.raises(ValueError):
        h.slots(h.load(STATION), monday, 0)


def test_a_closure_shuts_every_day_it_covers():
    hours = h.load(STATION)
    assert h.open_ranges(hours, date(2026, 7, 20)) == []
    assert h.open_ranges(hours, date(2026, 7, 31)) == []
    assert h.open_ranges(hours, date(2026, 8, 3)) != []
    assert h.closure_on(hours, date(2026, 7, 25)).reason == "地面翻修"


def test_public_holidays_closed_as_on_a_weekend_or_as_usual():
    national_day = date(2025, 10, 1)  # a Wednesday
    assert holidays.is_holiday(national_day)
    closed = h.load(STATION)
    assert h.open_ranges(closed, national_day) == []
    weekend = h.load(
        {
            **STATION,
            "holidays": "weekend",
            "weekly": {**STATION["weekly"], "sun": [["10:00", "16:00"]]},
        }
    )
    assert h.open_ranges(weekend, national_day) == [
        (at(national_day, "10:00"), at(national_day, "16:00"))
    ]
    usual = h.load({**STATION, "holidays": "usual"})
    assert len(h.open_ranges(usual, national_day)) == 2


def test_a_make_up_working_day_opens_as_the_chosen_weekday():
    sunday = date(2025, 9, 28)  # worked for National Day
    assert holidays.is_makeup_workday(sunday)
    as_monday = h.open_ranges(h.load(STATION), sunday)
    assert as_monday == [
        (at(sunday, "08:30"), at(sunday, "12:00")),
        (at(sunday, "14:00"), at(sunday, "21:00")),
    ]
    assert h.open_ranges(h.load({**STATION, "makeup_day_as": "own"}), sunday) == []
    saturday = date(2025, 10, 11)
    assert len(h.open_ranges(h.load({**STATION, "makeup_day_as": "own"}), saturday)) == 1
    # under "usual" the holiday calendar is ignored altogether
    assert h.open_ranges(h.load({**STATION, "holidays": "usual"}), sunday) == []


def test_past_the_known_holiday_years_the_weekly_hours_apply():
    after = holidays.covered_until().year + 1
    day = date(after, 10, 1)
    assert not holidays.covered(day)
    expected = 2 if day.weekday() < 5 else (1 if day.weekday() == 5 else 0)
    assert len(h.open_ranges(h.load(STATION), day)) == expected


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"weekly": {"mon": [["12:00", "08:00"]]}}, "hours_order"),
        ({"weekly": {"mon": [["08:00", "08:00"]]}}, "hours_order"),
        ({"weekly": {"mon": [["08:00", "12:00"], ["11:30", "14:00"]]}}, "hours_overlap"),
        ({"weekly": {"mon": [["14:00", "18:00"], ["08:00", "14:30"]]}}, "hours_overlap"),
        ({"weekly": {"monday2": [["08:00", "12:00"]]}}, "hours_weekday"),
        ({"weekly": {"mon": [], "MON": []}}, "hours_weekday"),
        ({"weekly": {"mon": [["8", "12:00"]]}}, "hours_time"),
        ({"weekly": {"mon": [["08:60", "12:00"]]}}, "hours_time"),
        ({"weekly": {"mon": [["08:00", "24:01"]]}}, "hours_time"),
        ({"weekly": {"mon": [["08:00"]]}}, "hours_format"),
        ({"weekly": {"mon": "08:00-12:00"}}, "hours_format"),
        ({"weekly": []}, "hours_format"),
        ({"opening": {}}, "hours_format"),
        ([], "hours_format"),
        (
            {"closures": [{"from": "2026-07-31", "to": "2026-07-20", "reason": "x"}]},
            "hours_closure",
        ),
        ({"closures": [{"from": "2026-07-20", "to": "2026-07-31"}]}, "hours_closure"),
        ({"closures": [{"from": "20 July", "reason": "x"}]}, "hours_closure"),
        ({"holidays": "sometimes"}, "hours_policy"),
        ({"makeup_day_as": "someday"}, "hours_weekday"),
    ],
)
def test_bad_hours_are_refused_with_a_stable_code(data, code):
    assert code_of(data) == code


def test_the_refusal_says_which_day_and_times_in_the_residents_language():
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            h.load({"weekly": {"tue": [["08:00", "12:00"], ["11:30", "14:00"]]}})
    assert error.value.messages == ["On Tuesday, 08:00–12:00 overlaps 11:30–14:00."]
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            h.load({"weekly": {"fri": [["21:00", "14:00"]]}})
    assert error.value.messages == ["On Friday, 14:00 closes before 21:00 opens."]


def test_empty_hours_are_never_open_and_stored_hours_read_back_the_same():
    assert h.open_ranges(h.load({"weekly": {}}), date(2026, 3, 2)) == []
    assert h.load(h.dump(h.load(STATION))) == h.load(STATION)
    assert h.dump(h.load(STATION)) == STATION


# --- Properties ------------------------------------------------------------------------------


@st.composite
def opening_hours(draw: st.DrawFn) -> h.OpeningHours:
    weekly = {}
    for day in range(7):
        cuts = sorted(draw(st.sets(st.integers(0, 96).map(lambda q: q * 15), max_size=6)))
        ranges = tuple((a, b) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if a < b)
        if ranges:
            weekly[day] = ranges
    closures = tuple(
        h.Closure(first=d, last=d + timedelta(days=n), reason="维修")
        for d, n in draw(
            st.lists(
                st.tuples(st.dates(date(2025, 1, 1), date(2026, 12, 31)), st.integers(0, 5)),
                max_size=2,
            )
        )
    )
    return h.OpeningHours(
        weekly=weekly,
        closures=tuple(sorted(closures, key=lambda c: c.first)),
        holidays=draw(st.sampled_from(list(h.HolidayPolicy))),
        makeup_day_as=draw(st.sampled_from([None, 0, 2, 4])),
    )


days = st.dates(date(2025, 1, 1), date(2027, 12, 31))


@given(opening_hours())
def test_what_is_stored_reads_back_the_same(hours):
    assert h.load(h.dump(hours)) == hours


@given(opening_hours(), days, st.integers(0, 96 * 15), st.integers(1, 12 * 60))
def test_open_for_means_inside_one_range_of_the_day(hours, day, offset, minutes):
    start = at(day, "00:00") + timedelta(minutes=offset)
    end = start + timedelta(minutes=minutes)
    inside = any(a <= start and end <= b for a, b in h.open_ranges(hours, start.date()))
    assert h.is_open_for(hours, start, end) == inside
    if h.closure_on(hours, day) is not None:
        assert h.open_ranges(hours, day) == []


@given(opening_hours(), days, st.sampled_from([15, 30, 45, 60, 90, 120]))
def test_every_slot_is_bookable_and_slots_never_overlap(hours, day, step):
    made = h.slots(hours, day, step)
    assert all(h.is_open_for(hours, s, e) for s, e in made)
    assert all(e - s == timedelta(minutes=step) for s, e in made)
    assert all(a[1] <= b[0] for a, b in zip(made, made[1:], strict=False))
    ranges = h.open_ranges(hours, day)
    assert all(a[1] <= b[0] for a, b in zip(ranges, ranges[1:], strict=False))


# --- The text a worker types, and the words on the space's page ------------------------------

TYPED = """# 社区服务站
mon-fri 08:30-12:00, 14:00-21:00
周六 09:00-17:00
closed 2026-07-20..2026-07-31 地面翻修
holidays closed
makeup mon
"""


def test_the_typed_text_reads_as_the_stored_json():
    assert h.dump(h.parse(TYPED)) == STATION
    assert (
        h.parse("周一至周五 08:30-12:00 14:00-21:00\nsat 09:00-17:00").weekly
        == h.load(STATION).weekly
    )
    weekend = h.parse("fri-mon 10:00-12:00")  # across the week's end
    assert sorted(weekend.weekly) == [0, 4, 5, 6]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("mon-fry 08:30-12:00", "hours_weekday"),
        ("mon 08:30", "hours_time"),
        ("mon 08:30-12:00, 11:00-13:00", "hours_overlap"),
        ("mon 12:00-08:30", "hours_order"),
        ("mon", "hours_format"),
        ("mon-fri 08:30-12:00\nwed 14:00-15:00", "hours_weekday"),
        ("closed 2026-07-20", "hours_closure"),  # no reason
        ("holidays sometimes", "hours_policy"),
    ],
)
def test_bad_typed_hours_are_refused_with_a_stable_code(text, code):
    with pytest.raises(ValidationError) as error:
        h.parse(text)
    assert error.value.code == code


def test_a_typed_line_that_is_wrong_is_named():
    with translation.override("en"), pytest.raises(ValidationError) as error:
        h.parse("mon 08:30-12:00\nsun 9-12")
    assert error.value.messages == [
        "Line 2: Write a time as hours and minutes, e.g. 08:30 (24:00 for midnight): 9"
    ]
    assert error.value.code == "hours_time"


@given(opening_hours())
def test_the_text_form_reads_back_the_same(hours):
    assert h.parse(h.to_text(hours)) == hours


def test_the_page_words_the_week_today_the_next_holiday_and_the_closures():
    hours = h.load(STATION)
    with translation.override("en"):
        words = h.describe(hours, date(2026, 7, 1))  # a Wednesday
        assert words["week"] == [
            "Monday to Friday: 08:30–12:00, 14:00–21:00",
            "Saturday: 09:00–17:00",
            "Sunday: closed",
        ]
        assert words["today"] == "Open today 08:30–12:00, 14:00–21:00"
        assert words["closures"] and "地面翻修" in words["closures"][0]
        assert h.describe(hours, date(2026, 7, 22))["today"] == "Closed today: 地面翻修"
        assert h.describe(hours, date(2026, 8, 1))["closures"] == []
        national = h.describe(hours, date(2026, 9, 20))["holiday"]
        assert national.startswith("Mid-autumn Festival") and national.endswith("closed")
        # near the end of the known years the page says the next year is not known
        last = holidays.covered_until()
        assert h.describe(hours, last - timedelta(days=20))["holiday"] == (
            f"The public holidays of {last.year + 1} are not known yet."
        )
