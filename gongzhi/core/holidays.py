"""Public holidays and make-up working days in China (法定节假日与调休上班日).

Each year the General Office of the State Council publishes the next year's holiday arrangement
(国务院办公厅关于某年部分节假日安排的通知): the days off, including weekdays moved into a
holiday, and the weekend days worked instead (调休上班). No rule predicts it, so the days come
from ``chinesecalendar`` (MIT, https://github.com/LKI/chinese-calendar), which transcribes each
notice and is released when one appears; a new year arrives by upgrading the package.

A holiday is every day of an official break, weekends inside it included (2025-10-01 to 10-08); a
make-up working day is a Saturday or Sunday worked instead (2025-09-28, 2025-10-11). Working days
are Monday to Friday, less holidays, plus make-up working days.

Past the last year the package covers (and before its first, 2004) nothing is known: every day is
an ordinary weekday or weekend, with no holiday and no make-up day, and ``covered(day)`` is False
so that a page can say that the holiday calendar for that year is not known yet. Guessing would be
worse: the breaks move with the lunar calendar and the make-up days with each year's notice, and a
room shown open on a guessed working day, or shut on a guessed holiday, misleads residents.
"""

from __future__ import annotations

from datetime import date
from functools import cache

from chinese_calendar import constants
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop


@cache
def _years() -> tuple[int, int]:
    return min(constants.holidays).year, max(constants.holidays).year


def covered(day: date) -> bool:
    """Whether the holiday calendar knows ``day``'s year."""
    first, last = _years()
    return first <= day.year <= last


def covered_until() -> date:
    """The last day whose holidays and make-up working days are known."""
    return date(_years()[1], 12, 31)


def is_holiday(day: date) -> bool:
    """A day of an official holiday break (weekends inside the break included)."""
    return covered(day) and day in constants.holidays


def is_makeup_workday(day: date) -> bool:
    """A weekend day worked in exchange for a holiday (调休上班日)."""
    return covered(day) and day in constants.workdays


def is_working_day(day: date) -> bool:
    """Monday to Friday that is no holiday, or a make-up working day; past the calendar's years,
    Monday to Friday."""
    if is_makeup_workday(day):
        return True
    return day.weekday() < 5 and not is_holiday(day)


#: The package's English names, marked for the catalogue. Until the catalogue translates one,
#: Chinese pages get the package's own Chinese name.
NAMES = (
    gettext_noop("New Year's Day"),
    gettext_noop("Spring Festival"),
    gettext_noop("Tomb-sweeping Day"),
    gettext_noop("Labour Day"),
    gettext_noop("Dragon Boat Festival"),
    gettext_noop("National Day"),
    gettext_noop("Mid-autumn Festival"),
    gettext_noop("Anti-Fascist 70th Day"),
)
_CHINESE = {holiday.value: holiday.chinese for holiday in constants.Holiday}


def holiday_name(day: date) -> str:
    """The holiday ``day`` belongs to, in the active language: a day of its break, or a make-up
    working day worked for it; blank for any other day."""
    if not covered(day):
        return ""
    english = constants.holidays.get(day) or constants.workdays.get(day)
    if not english:
        return ""
    name = _(english)
    if name == english and (translation.get_language() or "").startswith("zh"):
        return _CHINESE.get(english, english)
    return name
