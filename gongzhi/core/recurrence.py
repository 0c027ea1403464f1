"""Repeat rules (重复规则): one RFC 5545 RRULE, its exceptions, and the occurrences they make.

A series (a council's monthly meeting, a choir's weekly booking of the activity room) is written
as one RRULE (``FREQ=WEEKLY;BYDAY=TU;COUNT=20``, RFC 5545 §3.3.10) from a first start, with a list
of exceptions (EXDATE, §3.8.5.1) for the occurrences that will not take place. This module reads
the rule with python-dateutil's ``rrulestr`` and expands it exactly as the calendar feed that
``gongzhi.core.ical`` writes for the same series is expanded by calendar apps, so what is booked
and what a phone shows are the same list:

- the rule is read in the platform's zone (Beijing time): it repeats the first start's wall-clock
  time, and ``BYHOUR`` or ``BYDAY`` mean Beijing hours and days, which is why the feed writes a
  series with its TZID;
- an ``UNTIL`` without a zone is local time, and a date-only ``UNTIL`` means the whole of that
  local day, the way ``ical.recurrence_utc`` rewrites it for the feed;
- a first start that the rule does not give (a Wednesday for "the first Thursday of each month")
  is not an occurrence: the series begins at the rule's first occurrence after it, and that is
  the start a feed must write as DTSTART (``Expansion.first``). RFC 5545 leaves a DTSTART
  outside its rule undefined (§3.8.5.3) and clients disagree (``recurring-ical-events`` shows it
  as an extra occurrence), so the feed never gets one.

Every rule must end (``COUNT`` or ``UNTIL``) and stay within a :class:`Limit`, measured from the
start asked for: bookings may run for one year (:data:`ONE_YEAR`); a caller with another limit
passes its own. Refusals are ``ValidationError``\\ s with stable codes: ``rrule`` (unreadable,
or more than one rule), ``rrule_endless``, ``rrule_too_long`` and ``rrule_empty`` (no occurrence,
or none left after the exceptions).

Exceptions are dates (every occurrence that starts on that local day is skipped) or aware
moments (the occurrence that starts then); :func:`excluded_starts` gives the moments to write as
the feed's EXDATEs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrule as RRule
from dateutil.rrule import rrulestr
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongzhi.core.ical import recurrence_utc

#: The Gregorian calendar repeats itself every 400 years: 146 097 days, a whole number of weeks.
_CYCLE_YEARS = 400
#: dateutil searches for a matching day up to this year, then gives up.
_LAST_YEAR = 9999


@dataclass(frozen=True)
class Limit:
    """How far a series may reach: its last start at most ``years`` after its first, and at
    most ``count`` occurrences (counted before exceptions are taken out)."""

    years: int
    count: int


#: Bookings: a year from the first start, at most one occurrence a day.
ONE_YEAR = Limit(years=1, count=366)


@dataclass(frozen=True)
class Expansion:
    #: the rule's first occurrence, excluded or not: the DTSTART a calendar feed writes
    first: datetime
    #: the starts that take place, in order, aware in the platform's zone
    starts: list[datetime]
    #: the rule's starts that the exceptions took out
    excluded: list[datetime]


def platform_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def rule_text(text: str) -> str:
    """The rule as stored: trimmed, without an ``RRULE:`` prefix."""
    line = text.strip()
    if line.upper().startswith("RRULE:"):
        line = line[len("RRULE:") :]
    return line


def _unreadable() -> ValidationError:
    return ValidationError(
        _("Write one repeat rule (RRULE), e.g. FREQ=WEEKLY;COUNT=10."), code="rrule"
    )


def _local(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        raise ValueError("repeat rules start at a timezone-aware moment")
    return timezone.localtime(moment, platform_zone())


def parse_rule(text: str, start: datetime) -> RRule:
    """``text`` read as one rule that ends, from ``start`` (aware); ``ValidationError`` if not."""
    line = rule_text(text)
    upper = line.upper()
    # BYEASTER is dateutil's own extension, not RFC 5545: no calendar app would read it.
    if not line or "\n" in line or "DTSTART" in upper or "BYEASTER" in upper:
        raise _unreadable()
    try:
        # The feed's reading of UNTIL (local time, a date meaning its whole day), as a UTC
        # moment, which dateutil wants when the start is aware.
        rule = rrulestr(recurrence_utc(line), dtstart=_local(start), forceset=False)
    except (ValueError, TypeError, KeyError, IndexError) as error:
        raise ValidationError(
            _("This repeat rule cannot be read: %(error)s") % {"error": error}, code="rrule"
        ) from error
    if not isinstance(rule, RRule):
        raise _unreadable()
    # dateutil keeps a rule's end private: COUNT and UNTIL as _count and _until.
    if getattr(rule, "_count", None) is None and getattr(rule, "_until", None) is None:
        raise ValidationError(
            _("A repeat rule must end: give COUNT (how many times) or UNTIL (a date)."),
            code="rrule_endless",
        )
    return rule


def _too_long(limit: Limit) -> ValidationError:
    message = ngettext(
        "A repeat rule may run for at most %(years)d year from its first date, with at most "
        "%(count)d occurrences.",
        "A repeat rule may run for at most %(years)d years from its first date, with at most "
        "%(count)d occurrences.",
        limit.years,
    ) % {"years": limit.years, "count": limit.count}
    return ValidationError(message, code="rrule_too_long")


def _shift(moment: datetime, years: int) -> datetime:
    return moment.replace(year=moment.year + years)


def _starts(rule: RRule, start: datetime, limit: Limit) -> list[datetime]:
    """The rule's starts, refused past ``limit``.

    dateutil looks for a matching day up to year 9999, so a rule that never matches
    (``BYMONTH=2;BYMONTHDAY=30``) kept a request busy for seven to fifteen seconds. The rule is
    therefore expanded at the same place of a 400-year cycle that ends just after the limit
    (weekdays and leap years fall the same way) and the starts are moved back: the search for
    nothing then stops within 400 years, a fraction of a second.
    """
    shift = max(0, _CYCLE_YEARS * ((_LAST_YEAR - 1 - limit.years - start.year) // _CYCLE_YEARS))
    until = getattr(rule, "_until", None)
    if until is not None and until.year + shift > _LAST_YEAR - 1:
        # Past the end of the moved calendar, centuries after the limit: the occurrences that
        # a calendar app would show there could not be looked for.
        if getattr(rule, "_count", None) is None:
            raise _too_long(limit)
        until = None
    moved = rule.replace(
        dtstart=_shift(start, shift), until=_shift(until, shift) if until is not None else None
    )
    last = start + relativedelta(years=limit.years)
    made: list[datetime] = []
    for moment in moved:
        back = _shift(moment, -shift)
        if len(made) == limit.count or back > last:
            raise _too_long(limit)
        made.append(back)
    return made


def _excluded(moment: datetime, days: set[date], moments: set[datetime]) -> bool:
    return moment.date() in days or moment in moments


def expand(
    text: str, start: datetime, exdates: Iterable[date | datetime] = (), *, limit: Limit = ONE_YEAR
) -> Expansion:
    """The occurrences of rule ``text`` from ``start``, less ``exdates``; refused if the rule
    cannot be read, never ends, runs past ``limit`` or leaves no occurrence."""
    first = _local(start)
    rule = parse_rule(text, first)
    made = _starts(rule, first, limit)
    days: set[date] = set()
    moments: set[datetime] = set()
    for item in exdates:
        if isinstance(item, datetime):
            moments.add(_local(item))
        else:
            days.add(item)
    starts = [m for m in made if not _excluded(m, days, moments)]
    if not starts:
        raise ValidationError(_("This repeat rule makes no occurrence at all."), code="rrule_empty")
    return Expansion(
        first=made[0], starts=starts, excluded=[m for m in made if _excluded(m, days, moments)]
    )


def occurrences(
    text: str, start: datetime, exdates: Iterable[date | datetime] = (), *, limit: Limit = ONE_YEAR
) -> list[datetime]:
    """The starts of the series (aware, the platform's zone); see :func:`expand`."""
    return expand(text, start, exdates, limit=limit).starts


def excluded_starts(
    text: str, start: datetime, exdates: Iterable[date | datetime] = (), *, limit: Limit = ONE_YEAR
) -> list[datetime]:
    """The rule's starts that ``exdates`` take out: the EXDATEs to write in a calendar feed."""
    return expand(text, start, exdates, limit=limit).excluded
