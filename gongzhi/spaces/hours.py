"""Opening hours of a space (开放时间), as plain data: weekly ranges, closures, public holidays.

A space stores its hours as JSON in ``Space.hours`` (``load`` reads it, ``dump`` writes it)::

    {
      "weekly": {"mon": [["08:30", "12:00"], ["14:00", "21:00"]], "sat": [["09:00", "17:00"]]},
      "closures": [{"from": "2026-07-20", "to": "2026-07-31", "reason": "Floor repairs"}],
      "holidays": "closed",
      "makeup_day_as": "mon"
    }

- ``weekly``: for each day of the week (``mon`` … ``sun``) its open ranges in local (Beijing)
  time, several a day, none overlapping; ``24:00`` closes at midnight. A day left out is closed.
- ``closures``: date ranges, both days included, with the reason shown to residents; a closure
  wins over everything else.
- ``holidays``: what a public holiday (``core/holidays``: every day of an official break) does:
  ``closed``; ``weekend``, open with Sunday's hours; or ``usual``, the holiday calendar ignored.
- ``makeup_day_as``: a make-up working day (调休上班日, a Saturday or Sunday worked for a
  holiday) is a working day, so unless the policy is ``usual`` it opens with the hours of this
  weekday (Monday unless the space says otherwise; ``own`` keeps its own Saturday or Sunday). A
  service station that follows office hours opens on it as on a Monday, instead of staying shut
  as on an ordinary Sunday.

Past the last year ``core/holidays`` knows, no day is a holiday or a make-up day, so the weekly
ranges apply as they stand; the app warns with ``holidays.covered(day)``.

A worker may type the same in lines (``parse``; ``to_text`` writes them back), e.g.
``mon-fri 08:30-12:00, 14:00-21:00`` or ``周六 09:00-17:00``; ``describe`` words the hours for the
space's page, including that the holidays of a coming year are not known yet.

An empty ``{}`` means no hours were set (the booking engine then does not check them); a space
with ``weekly`` set to ``{}`` is never open.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gongzhi.core import holidays

DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SUNDAY = 6
MINUTES_A_DAY = 24 * 60

#: minutes after local midnight: (open, close), 0 <= open < close <= 1440
Range = tuple[int, int]


class HolidayPolicy(StrEnum):
    CLOSED = "closed"
    WEEKEND = "weekend"
    USUAL = "usual"


@dataclass(frozen=True)
class Closure:
    first: date
    last: date
    reason: str


@dataclass(frozen=True)
class OpeningHours:
    #: weekday (0 is Monday) to its open ranges in order
    weekly: Mapping[int, tuple[Range, ...]] = field(default_factory=dict)
    closures: tuple[Closure, ...] = ()
    holidays: HolidayPolicy = HolidayPolicy.CLOSED
    #: the weekday whose hours a make-up working day has; None keeps its own
    makeup_day_as: int | None = 0


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


# --- Reading and writing the stored JSON -----------------------------------------------------


def _weekday(key: Any) -> int:
    if isinstance(key, str) and key.strip().lower() in DAY_KEYS:
        return DAY_KEYS.index(key.strip().lower())
    raise ValidationError(
        _("Unknown day of the week: %(day)s. Use mon, tue, wed, thu, fri, sat or sun.")
        % {"day": key},
        code="hours_weekday",
    )


def _minutes(text: Any) -> int:
    if isinstance(text, str):
        hours, sep, minutes = text.strip().partition(":")
        if sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2:
            value = int(hours) * 60 + int(minutes)
            if int(minutes) < 60 and value <= MINUTES_A_DAY:
                return value
    raise ValidationError(
        _("Write a time as hours and minutes, e.g. 08:30 (24:00 for midnight): %(time)s")
        % {"time": text},
        code="hours_time",
    )


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _day_ranges(day: int, items: Any) -> tuple[Range, ...]:
    if not isinstance(items, list | tuple):
        raise ValidationError(
            _("Give each day a list of opening and closing times."), code="hours_format"
        )
    ranges: list[Range] = []
    for item in items:
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise ValidationError(
                _("Give each opening range as an opening and a closing time."), code="hours_format"
            )
        opens, closes = _minutes(item[0]), _minutes(item[1])
        if closes <= opens:
            raise ValidationError(
                _("On %(day)s, %(close)s closes before %(open)s opens.")
                % {"day": WEEKDAYS[day], "open": _clock(opens), "close": _clock(closes)},
                code="hours_order",
            )
        ranges.append((opens, closes))
    ranges.sort()
    for before, after in zip(ranges, ranges[1:], strict=False):
        if after[0] < before[1]:
            raise ValidationError(
                _("On %(day)s, %(first)s overlaps %(second)s.")
                % {
                    "day": WEEKDAYS[day],
                    "first": f"{_clock(before[0])}–{_clock(before[1])}",
                    "second": f"{_clock(after[0])}–{_clock(after[1])}",
                },
                code="hours_overlap",
            )
    return tuple(ranges)


def _date(text: Any) -> date:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError) as error:
        raise ValidationError(
            _("Write a date as year-month-day, e.g. 2026-07-20: %(date)s") % {"date": text},
            code="hours_closure",
        ) from error


def _closure(item: Any) -> Closure:
    if not isinstance(item, Mapping):
        raise ValidationError(
            _("Give each closure its first and last day and a reason."), code="hours_format"
        )
    first = _date(item.get("from"))
    last = _date(item.get("to", item.get("from")))
    reason = str(item.get("reason") or "").strip()
    if last < first:
        raise ValidationError(
            _("A closure cannot end (%(last)s) before it begins (%(first)s).")
            % {"first": first.isoformat(), "last": last.isoformat()},
            code="hours_closure",
        )
    if not reason:
        raise ValidationError(
            _("Say why the space is closed, for the residents."), code="hours_closure"
        )
    return Closure(first=first, last=last, reason=reason)


def load(data: Any) -> OpeningHours:
    """The hours stored as JSON (see the module's docstring); a ``ValidationError`` with a code
    (``hours_format``, ``hours_weekday``, ``hours_time``, ``hours_order``, ``hours_overlap``,
    ``hours_closure``, ``hours_policy``) for anything else."""
    if not isinstance(data, Mapping):
        raise ValidationError(_("Opening hours must be a set of named parts."), code="hours_format")
    unknown = set(data) - {"weekly", "closures", "holidays", "makeup_day_as"}
    if unknown:
        raise ValidationError(
            _("Unknown part of the opening hours: %(part)s") % {"part": ", ".join(sorted(unknown))},
            code="hours_format",
        )
    weekly_data = data.get("weekly", {})
    if not isinstance(weekly_data, Mapping):
        raise ValidationError(_("Give the weekly hours day by day."), code="hours_format")
    weekly: dict[int, tuple[Range, ...]] = {}
    seen: set[int] = set()
    for key, items in weekly_data.items():
        day = _weekday(key)
        if day in seen:
            raise ValidationError(
                _("%(day)s is given twice.") % {"day": WEEKDAYS[day]}, code="hours_weekday"
            )
        seen.add(day)
        ranges = _day_ranges(day, items)
        if ranges:
            weekly[day] = ranges
    closures_data = data.get("closures", [])
    if not isinstance(closures_data, list | tuple):
        raise ValidationError(_("Give the closures as a list."), code="hours_format")
    closures = tuple(sorted((_closure(c) for c in closures_data), key=lambda c: c.first))
    try:
        policy = HolidayPolicy(data.get("holidays", HolidayPolicy.CLOSED))
    except ValueError as error:
        raise ValidationError(
            _("On public holidays a space is closed, open as on a weekend, or open as usual."),
            code="hours_policy",
        ) from error
    makeup = data.get("makeup_day_as", DAY_KEYS[0])
    return OpeningHours(
        weekly=weekly,
        closures=closures,
        holidays=policy,
        makeup_day_as=None if makeup == "own" else _weekday(makeup),
    )


def dump(hours: OpeningHours) -> dict[str, Any]:
    """``hours`` as the JSON that ``load`` reads back to the same value."""
    return {
        "weekly": {
            DAY_KEYS[day]: [[_clock(a), _clock(b)] for a, b in ranges]
            for day, ranges in sorted(hours.weekly.items())
        },
        "closures": [
            {"from": c.first.isoformat(), "to": c.last.isoformat(), "reason": c.reason}
            for c in hours.closures
        ],
        "holidays": hours.holidays.value,
        "makeup_day_as": "own" if hours.makeup_day_as is None else DAY_KEYS[hours.makeup_day_as],
    }


# --- Questions about a day -------------------------------------------------------------------


def closure_on(hours: OpeningHours, day: date) -> Closure | None:
    return next((c for c in hours.closures if c.first <= day <= c.last), None)


def rule_day(hours: OpeningHours, day: date) -> int | None:
    """The weekday whose ranges ``day`` follows, or None when the space is shut that day
    (a closure, or a public holiday under the ``closed`` policy)."""
    if closure_on(hours, day) is not None:
        return None
    if hours.holidays is HolidayPolicy.USUAL:
        return day.weekday()
    if holidays.is_holiday(day):
        return None if hours.holidays is HolidayPolicy.CLOSED else SUNDAY
    if holidays.is_makeup_workday(day) and hours.makeup_day_as is not None:
        return hours.makeup_day_as
    return day.weekday()


def open_ranges(hours: OpeningHours, day: date) -> list[tuple[datetime, datetime]]:
    """The space's open ranges on local ``day``, aware in the platform's zone."""
    weekday = rule_day(hours, day)
    if weekday is None:
        return []
    midnight = datetime.combine(day, time(), _zone())
    return [
        (midnight + timedelta(minutes=a), midnight + timedelta(minutes=b))
        for a, b in hours.weekly.get(weekday, ())
    ]


def is_open_for(hours: OpeningHours, start: datetime, end: datetime) -> bool:
    """Whether ``[start, end)`` (aware) lies wholly inside one open range."""
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValueError("opening hours are checked for timezone-aware times")
    if end <= start:
        return False
    day = timezone.localtime(start, _zone()).date()
    # A range lies within its local day (24:00 at the latest), so only the start's day can hold
    # the whole interval.
    return any(opens <= start and end <= closes for opens, closes in open_ranges(hours, day))


def slots(hours: OpeningHours, day: date, step_minutes: int) -> list[tuple[datetime, datetime]]:
    """Consecutive slots of ``step_minutes`` in each open range of ``day``, from its opening; a
    remainder shorter than a step at the end of a range is no slot."""
    if step_minutes <= 0:
        raise ValueError("a slot lasts at least a minute")
    step = timedelta(minutes=step_minutes)
    made: list[tuple[datetime, datetime]] = []
    for opens, closes in open_ranges(hours, day):
        start = opens
        while start + step <= closes:
            made.append((start, start + step))
            start += step
    return made


# --- The text a worker types -----------------------------------------------------------------

_TEXT_DAYS = {
    **{key: n for n, key in enumerate(DAY_KEYS)},
    **{f"周{c}": n for n, c in enumerate("一二三四五六日")},
    **{f"星期{c}": n for n, c in enumerate("一二三四五六日")},
    "周天": SUNDAY,
    "星期天": SUNDAY,
}
_TEXT_POLICIES = {"closed": "closed", "weekend": "weekend", "usual": "usual"}


def _text_days(spec: str, number: int) -> list[int]:
    days: list[int] = []
    for part in spec.replace("、", ",").replace("，", ",").split(","):
        first, sep, last = part.replace("至", "-").replace("~", "-").partition("-")
        if first.strip().lower() not in _TEXT_DAYS or (
            sep and last.strip().lower() not in _TEXT_DAYS
        ):
            raise ValidationError(
                _("Line %(line)d: unknown day of the week: %(day)s.")
                % {"line": number, "day": part.strip()},
                code="hours_weekday",
            )
        a = _TEXT_DAYS[first.strip().lower()]
        b = _TEXT_DAYS[last.strip().lower()] if sep else a
        days.extend(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    return days


def parse(text: str) -> OpeningHours:
    """Hours from the text a worker types, one line each, checked as ``load`` checks JSON::

        mon-fri 08:30-12:00, 14:00-21:00
        周六 09:00-17:00
        closed 2026-07-20..2026-07-31 Floor repairs
        holidays weekend
        makeup own

    A day line gives days (``mon-fri``, ``sat,sun``, ``周一至周五``) and their ranges, or
    ``closed``; ``closed`` with dates is a closure and its reason; ``holidays`` is the policy
    (``closed``, ``weekend``, ``usual``); ``makeup`` the weekday a make-up working day opens as,
    or ``own``. Lines starting with ``#`` are notes."""
    weekly: dict[str, list[list[str]]] = {}
    data: dict[str, Any] = {"weekly": weekly, "closures": []}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        head, _sep, rest = line.partition(" ")
        rest = rest.strip()
        key = head.lower()
        if key == "closed" and rest and rest[0].isdigit():
            span, _sep, reason = rest.partition(" ")
            first, _sep, last = span.partition("..")
            data["closures"].append({"from": first, "to": last or first, "reason": reason})
        elif key == "holidays":
            data["holidays"] = rest.lower()
        elif key == "makeup":
            data["makeup_day_as"] = rest.lower()
        else:
            days = _text_days(head, number)
            ranges: list[list[str]] = []
            if not rest:
                raise ValidationError(
                    _("Line %(line)d: give the opening times, or closed.") % {"line": number},
                    code="hours_format",
                )
            if rest.lower() not in ("closed", "休息", "闭馆"):
                for item in rest.replace("，", ",").replace("、", ",").replace(",", " ").split():
                    opens, sep, closes = item.replace("–", "-").partition("-")
                    if not sep:
                        raise ValidationError(
                            _("Line %(line)d: write each range as 08:30-12:00: %(range)s")
                            % {"line": number, "range": item},
                            code="hours_time",
                        )
                    ranges.append([opens, closes])
            try:
                _day_ranges(days[0], ranges)
            except ValidationError as error:
                raise ValidationError(
                    _("Line %(line)d: %(error)s") % {"line": number, "error": error.messages[0]},
                    code=error.code or "hours_format",
                ) from error
            for day in days:
                if DAY_KEYS[day] in weekly:
                    raise ValidationError(
                        _("%(day)s is given twice.") % {"day": WEEKDAYS[day]}, code="hours_weekday"
                    )
                weekly[DAY_KEYS[day]] = ranges
    return load(data)


def _day_groups(hours: OpeningHours) -> list[tuple[int, int, tuple[Range, ...]]]:
    """Runs of consecutive weekdays with the same ranges: ``(first, last, ranges)``."""
    groups: list[tuple[int, int, tuple[Range, ...]]] = []
    for day in range(7):
        ranges = tuple(hours.weekly.get(day, ()))
        if groups and groups[-1][2] == ranges and groups[-1][1] == day - 1:
            groups[-1] = (groups[-1][0], day, ranges)
        else:
            groups.append((day, day, ranges))
    return groups


def to_text(hours: OpeningHours) -> str:
    """``hours`` as the text ``parse`` reads back to the same value."""
    lines = []
    for first, last, ranges in _day_groups(hours):
        days = DAY_KEYS[first] if first == last else f"{DAY_KEYS[first]}-{DAY_KEYS[last]}"
        told = ", ".join(f"{_clock(a)}-{_clock(b)}" for a, b in ranges) or "closed"
        lines.append(f"{days} {told}")
    for closure in hours.closures:
        span = closure.first.isoformat()
        if closure.last != closure.first:
            span += f"..{closure.last.isoformat()}"
        lines.append(f"closed {span} {closure.reason}")
    lines.append(f"holidays {hours.holidays.value}")
    makeup = "own" if hours.makeup_day_as is None else DAY_KEYS[hours.makeup_day_as]
    lines.append(f"makeup {makeup}")
    return "\n".join(lines)


# --- In words, for the space's page ----------------------------------------------------------

#: How far ahead the page looks for the next public holiday and for closures.
LOOK_AHEAD = timedelta(days=60)


def _told(ranges: Iterable[Range]) -> str:
    return ", ".join(f"{_clock(a)}–{_clock(b)}" for a, b in ranges)


def describe(hours: OpeningHours, today: date) -> dict[str, Any]:
    """What the space's page says: ``week`` (a line per run of days), ``today``, ``holiday``
    (the next public holiday within 60 days and what the space does, or that the holiday
    calendar of a coming year is not known yet) and ``closures`` (those not yet over)."""
    week = []
    for first, last, ranges in _day_groups(hours):
        days = str(WEEKDAYS[first])
        if last != first:
            days = _("%(first)s to %(last)s") % {"first": WEEKDAYS[first], "last": WEEKDAYS[last]}
        week.append(
            _("%(days)s: %(hours)s")
            % {"days": days, "hours": _told(ranges) or pgettext("opening hours", "closed")}
        )
    closure = closure_on(hours, today)
    today_ranges = open_ranges(hours, today)
    if closure is not None:
        today_words = _("Closed today: %(reason)s") % {"reason": closure.reason}
    elif today_ranges:
        today_words = _("Open today %(hours)s") % {
            "hours": ", ".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in today_ranges)
        }
    else:
        today_words = _("Closed today")
    return {
        "week": week,
        "today": today_words,
        "holiday": _next_holiday(hours, today),
        "closures": [
            _("%(first)s to %(last)s: %(reason)s")
            % {
                "first": date_format(c.first, "SHORT_DATE_FORMAT"),
                "last": date_format(c.last, "SHORT_DATE_FORMAT"),
                "reason": c.reason,
            }
            for c in hours.closures
            if c.last >= today
        ],
    }


def _next_holiday(hours: OpeningHours, today: date) -> str:
    day = today
    while day <= today + LOOK_AHEAD:
        if not holidays.covered(day):
            return _("The public holidays of %(year)d are not known yet.") % {"year": day.year}
        if holidays.is_holiday(day):
            if hours.holidays is HolidayPolicy.CLOSED:
                what = pgettext("opening hours", "closed")
            elif hours.holidays is HolidayPolicy.WEEKEND:
                what = _("open as on Sunday")
            else:
                what = _("open as usual")
            return _("%(holiday)s from %(day)s: %(what)s") % {
                "holiday": holidays.holiday_name(day),
                "day": date_format(day, "SHORT_DATE_FORMAT"),
                "what": what,
            }
        day += timedelta(days=1)
    return ""
