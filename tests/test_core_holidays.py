"""core/holidays.py: the State Council's holidays and make-up working days, and what is not known."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from chinese_calendar import constants
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.core import holidays


def test_national_day_2025_and_its_make_up_working_days():
    # 国务院办公厅关于2025年部分节假日安排的通知: 10月1日至8日放假调休，共8天。
    # 9月28日（周日）、10月11日（周六）上班。
    for day in range(1, 9):
        assert holidays.is_holiday(date(2025, 10, day))
        assert not holidays.is_working_day(date(2025, 10, day))
    assert not holidays.is_holiday(date(2025, 10, 9))
    for makeup in (date(2025, 9, 28), date(2025, 10, 11)):
        assert makeup.weekday() >= 5
        assert holidays.is_makeup_workday(makeup)
        assert holidays.is_working_day(makeup)
        assert not holidays.is_holiday(makeup)
    # an ordinary weekend and an ordinary weekday around it
    assert not holidays.is_working_day(date(2025, 9, 27))
    assert holidays.is_working_day(date(2025, 9, 29))
    assert not holidays.is_makeup_workday(date(2025, 9, 29))


def test_the_spring_festival_2026_and_a_weekday_moved_into_it():
    # 2026: 2月15日至23日放假调休，共9天；2月14日（周六）、2月28日（周六）上班。
    assert holidays.is_holiday(date(2026, 2, 16)) and date(2026, 2, 16).weekday() == 0
    assert holidays.is_makeup_workday(date(2026, 2, 14))
    assert holidays.is_makeup_workday(date(2026, 2, 28))


def test_names_in_english_and_in_chinese():
    with translation.override("en"):
        assert holidays.holiday_name(date(2025, 10, 1)) == "National Day"
        assert holidays.holiday_name(date(2025, 10, 6)) == "Mid-autumn Festival"
        # a make-up working day is worked for a holiday, and says which
        assert holidays.holiday_name(date(2025, 9, 28)) == "National Day"
        assert holidays.holiday_name(date(2025, 9, 29)) == ""
    with translation.override("zh-hans"):
        assert holidays.holiday_name(date(2025, 10, 1)) == "国庆节"
        assert holidays.holiday_name(date(2025, 1, 29)) == "春节"


def test_every_name_the_package_uses_is_marked_for_translation():
    used = set(constants.holidays.values()) | set(constants.workdays.values())
    assert used <= set(holidays.NAMES)


def test_the_covered_years_are_the_packages():
    last = holidays.covered_until()
    assert last.month == 12 and last.day == 31 and last.year >= 2026
    assert holidays.covered(last) and not holidays.covered(last + timedelta(days=1))
    assert holidays.covered(date(2004, 1, 1)) and not holidays.covered(date(2003, 12, 31))
    # the package itself refuses the years it does not know
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(last + timedelta(days=1))


@given(st.dates(min_value=date(2060, 1, 1), max_value=date(2100, 12, 31)))
def test_past_the_known_years_every_day_is_an_ordinary_weekday_or_weekend(day):
    assert not holidays.covered(day)
    assert not holidays.is_holiday(day) and not holidays.is_makeup_workday(day)
    assert holidays.is_working_day(day) == (day.weekday() < 5)
    assert holidays.holiday_name(day) == ""


def test_national_day_past_the_known_years_is_not_guessed():
    after = holidays.covered_until().year + 1
    assert not holidays.is_holiday(date(after, 10, 1))
    assert holidays.is_working_day(date(after, 10, 1)) == (date(after, 10, 1).weekday() < 5)


@given(st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 12, 31)))
def test_within_the_known_years_working_days_are_the_packages(day):
    assert holidays.is_working_day(day) == chinese_calendar.is_workday(day)
    assert not (holidays.is_holiday(day) and holidays.is_makeup_workday(day))
    if holidays.is_makeup_workday(day):
        assert day.weekday() >= 5
