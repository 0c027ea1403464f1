"""Shared spaces for evaluation (issue 20, "Evaluation"): who books, how much the spaces are used,
no-shows, idle space brought back into use, things lent.

Two kinds of figure:

From the journal alone (plain functions, no Django: ``python -m gongzhi.evaluation.engine``
recomputes them from an export):

- ``booking.made`` / ``booking.requested`` (a booking, or a request for one, through the booking
  engine), ``series.booked`` (a repeating booking) and ``draw.requested`` (a request in a draw
  for a popular time): the booker is the entry's person (the resident a worker booked for, else
  the actor). These make :func:`bookers`.
- ``booking.released`` (a booking nobody checked in to, released by the system; the target is
  the booking) and ``booking.no_show_withdrawn`` (the no-show withdrawn on appeal, same target):
  :func:`no_shows`.
- ``idle.opened`` (an idle space opened as a shared space; ``data["area_m2"]`` its size):
  :func:`idle_area_opened`.
- ``loan.lent`` (``data["count"]`` things lent at once): :func:`things_lent`.

From the booking rows (``Booking``, ``Space``), so not in the export: the journal names a
booking's start but neither its end nor whether an organisation or a partner booked it, and a
repeating booking or a draw's winners are one entry for many bookings. These read the rows of the
community the input is of (``inp.cache["community_id"]``, set by
``gongzhi.evaluation.services.eval_input``) and the open/closed history of each space from the
journal (``space.opened``, ``space.closed``); Django is imported inside them only.

- A booking "that stood" is one confirmed (held, checked in or not) or released as a no-show:
  it was given to someone. Cancelled, refused, expired, pending and draw-held rows are not.
- A booking belongs to the month (Asia/Shanghai) its start falls in.
- Open hours are the space's weekly hours on each day it was open for booking, by the same
  rules as ``hours.open_ranges`` (closures, public holidays, make-up working days), times its
  seats (a reading room of 20 seats open 10 hours offers 200 seat-hours; each booking holds one
  seat). A space without opening hours set is open at any time and has no occupancy.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from gongzhi.evaluation.engine import (
    AnyCell,
    Entry,
    EvalInput,
    PeopleCell,
    count,
    entry_months,
    local_date,
    month_first_day,
    month_last_day,
    month_of,
    rate,
    verified_at_month_end,
)

MADE, REQUESTED = "booking.made", "booking.requested"
SERIES_BOOKED, DRAW_REQUESTED = "series.booked", "draw.requested"
#: A resident's (or an organisation member's) own act of booking a space.
BOOKING_ACTS = (MADE, REQUESTED, SERIES_BOOKED, DRAW_REQUESTED)
RELEASED, NO_SHOW_WITHDRAWN = "booking.released", "booking.no_show_withdrawn"
IDLE_OPENED = "idle.opened"
LENT = "loan.lent"
SPACE_OPENED, SPACE_CLOSED = "space.opened", "space.closed"
SPACE_TARGET = "spaces.space"
#: Booking rows that stood: given to someone (a released one was, and nobody came).
STOOD = ("confirmed", "released")


def _of(inp: EvalInput, *verbs: str) -> Iterator[tuple[Entry, str]]:
    wanted = frozenset(verbs)
    for entry, month in zip(inp.entries, entry_months(inp), strict=True):
        if entry.verb in wanted:
            yield entry, month


def _number(value: Any) -> Decimal:
    if value is None or isinstance(value, bool | dict | list):
        return Decimal(0)
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)


# --- from the journal -------------------------------------------------------------------------


def bookers(inp: EvalInput) -> dict[str, AnyCell]:
    """Of the verified residents at the end of the month, the share who booked a shared space in
    the month (a booking or a request for approval, a repeating booking, a request in a draw;
    a worker's booking for a resident is the resident's); split by grid, building and group
    (elderly, disabled …) it shows who uses the community's spaces."""
    people: dict[str, set[str]] = {}
    for entry, month in _of(inp, *BOOKING_ACTS):
        if entry.person is not None:
            people.setdefault(month, set()).add(entry.person)
    cells: dict[str, AnyCell] = {}
    for m in inp.months:
        verified = verified_at_month_end(inp, m)
        cells[m] = PeopleCell(frozenset(people.get(m, ())) & verified, verified)
    return cells


def no_shows(inp: EvalInput) -> dict[str, AnyCell]:
    """Bookings released in the month because nobody checked in (each booking once, in the
    month of its release); a no-show withdrawn on appeal, then or later, is not counted."""
    withdrawn = {entry.target for entry, _m in _of(inp, NO_SHOW_WITHDRAWN) if entry.target}
    released: dict[str, str] = {}
    for entry, month in _of(inp, RELEASED):
        key = entry.target or f"seq:{entry.seq}"
        if key not in withdrawn:
            released.setdefault(key, month)
    per_month: dict[str, int] = {}
    for month in released.values():
        per_month[month] = per_month.get(month, 0) + 1
    return {m: count(per_month.get(m, 0)) for m in inp.months}


def idle_area_opened(inp: EvalInput) -> dict[str, AnyCell]:
    """Square metres of idle space opened as shared spaces in the month (each idle space once,
    at the size recorded when it opened)."""
    opened: dict[str, tuple[str, Decimal]] = {}
    for entry, month in _of(inp, IDLE_OPENED):
        key = entry.target or f"seq:{entry.seq}"
        opened.setdefault(key, (month, _number(entry.data.get("area_m2"))))
    per_month: dict[str, Decimal] = {}
    for month, area in opened.values():
        per_month[month] = per_month.get(month, Decimal(0)) + area
    return {m: count(float(per_month.get(m, 0))) for m in inp.months}


def things_lent(inp: EvalInput) -> dict[str, AnyCell]:
    """Things lent out to residents in the month (a loan of three folding tables counts three)."""
    per_month: dict[str, Decimal] = {}
    for entry, month in _of(inp, LENT):
        lent = _number(entry.data.get("count", 1))
        per_month[month] = per_month.get(month, Decimal(0)) + lent
    return {m: count(float(per_month.get(m, 0))) for m in inp.months}


# --- from the booking rows --------------------------------------------------------------------


def _community_id(inp: EvalInput) -> int:
    community_id = inp.cache.get("community_id")
    if community_id is None:
        raise ValueError(
            "the spaces' use is counted from the booking rows, not from the journal alone: "
            "compute it on the platform (manage.py indicators), not from an export"
        )
    return int(community_id)


def _space_pk(target: str) -> int | None:
    label, _sep, pk = target.partition(":")
    return int(pk) if label == SPACE_TARGET and pk.isdigit() else None


def _transitions(inp: EvalInput) -> dict[int, list[tuple[datetime, bool]]]:
    """Per space, when the journal says it was opened (True) or closed (False) for booking."""
    found: dict[int, list[tuple[datetime, bool]]] = {}
    for entry in inp.entries:
        if entry.verb in (SPACE_OPENED, SPACE_CLOSED):
            pk = _space_pk(entry.target)
            if pk is not None:
                found.setdefault(pk, []).append((entry.at, entry.verb == SPACE_OPENED))
    return found


def open_days(
    transitions: list[tuple[datetime, bool]], days: Iterable[date], inp: EvalInput
) -> list[date]:
    """The days (local) on which a space was open for booking at some moment, from its opened
    and closed entries in time order."""
    ordered = sorted(transitions)
    result = []
    for day in days:
        is_open, during = False, False
        for at, opened in ordered:
            when = local_date(at, inp.tz)
            if when < day:
                is_open = opened
            elif when == day and opened:
                during = True
        if is_open or during:
            result.append(day)
    return result


def _month_days(month: str) -> list[date]:
    first, last = month_first_day(month), month_last_day(month)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def open_minutes(hours: Any, day: date) -> int:
    """Minutes a space is open on ``day``: the lengths of ``hours.open_ranges`` that day (its
    rule day's weekly ranges; none when closed, a holiday under ``closed`` …), without the
    time zone, so this runs outside Django too."""
    from gongzhi.spaces import hours as opening

    weekday = opening.rule_day(hours, day)
    if weekday is None:
        return 0
    return sum(closes - opens for opens, closes in hours.weekly.get(weekday, ()))


def _rows(inp: EvalInput) -> dict[str, Any]:
    """The rows the row-based figures share (read once per input)."""
    cached = inp.cache.get("spaces.rows")
    if cached is not None:
        result: dict[str, Any] = cached
        return result
    from gongzhi.spaces import hours as opening
    from gongzhi.spaces.models import Booking, Space, SpaceStatus

    cid = _community_id(inp)
    months = list(inp.months)
    bookings: list[tuple[int, datetime, datetime, str, bool, bool, str]] = []
    spaces: dict[int, dict[str, Any]] = {}
    if months:
        start = datetime.combine(month_first_day(months[0]), datetime.min.time(), inp.tz)
        end = datetime.combine(
            month_last_day(months[-1]) + timedelta(days=1), datetime.min.time(), inp.tz
        )
        for space_id, starts, ends, status, body, partner in (
            Booking.objects.in_community(cid)
            .filter(status__in=STOOD, starts_at__gte=start, starts_at__lt=end)
            .values_list("space_id", "starts_at", "ends_at", "status", "body_id", "partner_id")
            .iterator()
        ):
            month = month_of(starts, inp.tz)
            bookings.append(
                (space_id, starts, ends, status, body is not None, partner is not None, month)
            )
        transitions = _transitions(inp)
        for pk, status, hours_json, seats, created in Space.objects.in_community(cid).values_list(
            "pk", "status", "hours", "seats", "created_at"
        ):
            changes = transitions.get(pk)
            if not changes:
                # Not opened through the catalogue's services (set up directly): open since it
                # was created while it is open now.
                changes = [(created, status == SpaceStatus.OPEN)]
            try:
                hours = opening.load(hours_json) if hours_json else None
            except Exception:  # noqa: BLE001 - stored hours that no longer load have no occupancy
                hours = None
            spaces[pk] = {"changes": changes, "hours": hours, "seats": max(1, seats or 1)}
    cached = {"bookings": bookings, "spaces": spaces}
    inp.cache["spaces.rows"] = cached
    return cached


def _open_spaces(inp: EvalInput, month: str) -> dict[int, list[date]]:
    """The spaces open for booking at some time in ``month``, with their open days."""
    spaces = _rows(inp)["spaces"]
    days = _month_days(month)
    found: dict[int, list[date]] = {}
    for pk, space in spaces.items():
        opened = open_days(space["changes"], days, inp)
        if opened:
            found[pk] = opened
    return found


def _spaces_in_use(inp: EvalInput, month: str) -> int:
    """How many spaces were open for booking at some time in ``month``, or had a booking given
    starting in it (a space closed with its bookings kept is still used)."""
    booked = {b[0] for b in _rows(inp)["bookings"] if b[6] == month}
    return len(booked | set(_open_spaces(inp, month)))


def _hours(starts: datetime, ends: datetime) -> float:
    return (ends - starts).total_seconds() / 3600


def bookings_per_space(inp: EvalInput) -> dict[str, AnyCell]:
    """Bookings that stood (confirmed, or released as a no-show) starting in the month, per
    space in use (open for booking at some time in the month, or booked then)."""
    rows = _rows(inp)
    cells: dict[str, AnyCell] = {}
    for m in inp.months:
        booked = sum(1 for b in rows["bookings"] if b[6] == m)
        cells[m] = rate(booked, _spaces_in_use(inp, m))
    return cells


def hours_per_space(inp: EvalInput) -> dict[str, AnyCell]:
    """Hours of use: the booked hours of the confirmed bookings starting in the month (no-shows
    released are not use), per space in use (open for booking at some time in the month, or
    booked then)."""
    rows = _rows(inp)
    cells: dict[str, AnyCell] = {}
    for m in inp.months:
        used = sum(_hours(b[1], b[2]) for b in rows["bookings"] if b[6] == m and b[3] == STOOD[0])
        cells[m] = rate(round(used, 6), _spaces_in_use(inp, m))
    return cells


def occupancy(inp: EvalInput) -> dict[str, AnyCell]:
    """Booked seat-hours over open seat-hours in the month, over the spaces with opening hours:
    the hours of the bookings that stood starting in the month, over each space's open hours on
    the days it was open for booking, times its seats."""
    rows = _rows(inp)
    spaces = rows["spaces"]
    cells: dict[str, AnyCell] = {}
    for m in inp.months:
        offered = 0.0
        counted: set[int] = set()
        for pk, days in _open_spaces(inp, m).items():
            hours, seats = spaces[pk]["hours"], spaces[pk]["seats"]
            if hours is None:
                continue
            counted.add(pk)
            offered += seats * sum(open_minutes(hours, day) for day in days) / 60
        booked = sum(_hours(b[1], b[2]) for b in rows["bookings"] if b[6] == m and b[0] in counted)
        cells[m] = rate(round(booked, 6), round(offered, 6))
    return cells


def _by_booker(inp: EvalInput, which: str) -> dict[str, AnyCell]:
    rows = _rows(inp)
    per_month: dict[str, int] = {}
    for _space, _s, _e, _status, body, partner, month in rows["bookings"]:
        kind = "organisation" if body else "partner" if partner else "resident"
        if kind == which:
            per_month[month] = per_month.get(month, 0) + 1
    return {m: count(per_month.get(m, 0)) for m in inp.months}


def bookings_by_residents(inp: EvalInput) -> dict[str, AnyCell]:
    """Bookings that stood starting in the month, made by residents for themselves (or by a
    worker for them), not for an organisation or a partner."""
    return _by_booker(inp, "resident")


def bookings_by_organisations(inp: EvalInput) -> dict[str, AnyCell]:
    """Bookings that stood starting in the month, made for a resident organisation or another
    body (its member booked as the organisation)."""
    return _by_booker(inp, "organisation")


def bookings_by_partners(inp: EvalInput) -> dict[str, AnyCell]:
    """Bookings that stood starting in the month, made for a partner (a unit or firm)."""
    return _by_booker(inp, "partner")
