"""Repeating bookings (周期预约): a weekly choir, a monthly meeting, booked as one series.

A series is a repeat rule (RFC 5545 RRULE, with exceptions) read by ``core/recurrence``: it must
end and reach at most a year (``recurrence.ONE_YEAR``). Its occurrences are ordinary bookings
(``Booking.series``) made one by one by the booking engine's ``place`` under one lock of the
space, so each obeys every rule a single booking does, except how far ahead (``horizon=False``:
the year is the series' limit).

The whole series is checked first. What cannot be had — the time is taken, the space is closed
that day or for a holiday, the quota of the week is used up … — is reported occurrence by
occurrence (:class:`Conflict`, with the engine's own code and words), and the booker chooses:
book the rest, or nothing (``book_rest``). The occurrences not had are kept in the series'
exceptions, so the rule, its exceptions and the bookings made always agree, and a calendar feed
written from them (``series_selectors.calendar_event``) shows exactly the booked times.

Refusals that concern the whole series rather than one date (the space does not take repeating
bookings, the booker may not book it, a length over the limit, a first start in the past or
beyond the space's days ahead, a rule that never ends) are raised as they are, with nothing
saved.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import journal, recurrence
from gongzhi.core.policies import is_community_worker
from gongzhi.spaces import booking as engine
from gongzhi.spaces.models import OCCUPYING, Booking, BookingStatus, Series, Space

if TYPE_CHECKING:
    from gongzhi.accounts.models import User
    from gongzhi.bodies.models import Body

#: the engine's refusals that hold for every date alike: the series is refused as a whole
WHOLE_SERIES = frozenset(
    {
        "space_not_open",
        "booking_no_purpose",
        "booking_attendees",
        "booking_over_capacity",
        "booking_naive",
        "booking_order",
        "booking_too_long",
        "booking_no_organisations",
        "booking_no_partners",
        "booking_no_residents",
        "booking_not_resident",
        "booking_no_shows",
    }
)

#: the longest a series' occurrence may last, whatever the space allows
MAX_MINUTES = 24 * 60


class _DryRun(Exception):
    """Raised to roll a check back once its report is made."""


@dataclass(frozen=True)
class Conflict:
    """One occurrence that cannot be had, and why (the engine's code and message)."""

    starts_at: datetime
    ends_at: datetime
    code: str
    reason: str


@dataclass
class Outcome:
    """What a series would get (a check) or got (booked): the rule's occurrences, those that
    could be booked and those that could not."""

    starts: list[datetime]
    minutes: int
    conflicts: list[Conflict] = field(default_factory=list)
    booked: list[Booking] = field(default_factory=list)
    series: Series | None = None

    @property
    def free(self) -> list[datetime]:
        refused = {conflict.starts_at for conflict in self.conflicts}
        return [start for start in self.starts if start not in refused]


def exdates_of(values: Iterable[Any]) -> list[date | datetime]:
    """Exceptions as stored in ``Series.exdates`` (ISO days and moments) read back."""
    read: list[date | datetime] = []
    for value in values:
        text = str(value)
        if "T" in text:
            moment = datetime.fromisoformat(text)
            if timezone.is_naive(moment):
                raise ValueError("stored exceptions are aware")
            read.append(moment)
        else:
            read.append(date.fromisoformat(text))
    return read


def _stored(values: Iterable[date | datetime]) -> list[str]:
    return [value.isoformat() for value in values]


def _check_request(
    *, actor: User, space: Space, person: Any, starts_at: datetime, minutes: int, now: datetime
) -> None:
    if not space.series_allowed:
        raise ValidationError(
            _("This space does not take repeating bookings: book each time on its own."),
            code="series_not_allowed",
        )
    if person is not None and person != actor and not is_community_worker(actor, space):
        raise PermissionDenied(_("Only a community worker can book for someone else."))
    if timezone.is_naive(starts_at):
        raise ValidationError(_("Give the time with its time zone."), code="booking_naive")
    if starts_at < now:
        raise ValidationError(_("The first time has already passed."), code="series_past")
    if starts_at > now + timedelta(days=space.advance_days):
        # the first time obeys the space's horizon; the rest may reach a year past it
        raise ValidationError(
            _("The first time can be at most %(days)d days ahead.") % {"days": space.advance_days},
            code="series_too_far",
        )
    if not 0 < minutes <= MAX_MINUTES:
        raise ValidationError(
            _("Give the length of each booking in minutes."), code="series_minutes"
        )


def _place_all(
    *,
    actor: User,
    space: Space,
    series: Series | None,
    starts: Sequence[datetime],
    minutes: int,
    purpose: str,
    person: Any,
    body: Body | None,
    attendees: int,
    now: datetime,
) -> tuple[list[Booking], list[Conflict]]:
    """Place every occurrence, each in its own savepoint; the caller holds the space's lock."""
    booked: list[Booking] = []
    conflicts: list[Conflict] = []
    for start in starts:
        end = start + timedelta(minutes=minutes)
        try:
            with transaction.atomic():
                booked.append(
                    engine.place(
                        actor=actor,
                        space=space,
                        starts_at=start,
                        ends_at=end,
                        purpose=purpose,
                        person=person,
                        body=body,
                        attendees=attendees,
                        series=series,
                        now=now,
                        horizon=False,
                    )
                )
        except ValidationError as error:
            code = str(getattr(error, "code", "") or "invalid")
            if code in WHOLE_SERIES:
                raise
            reason = " ".join(error.messages)
            if code == "booking_outside_hours":
                reason = why_closed(space, start) or reason
            conflicts.append(Conflict(start, end, code, reason))
    return booked, conflicts


def why_closed(space: Space, start: datetime) -> str:
    """Why the space is shut on ``start``'s day, if it is: a closure and its reason, or a public
    holiday; blank when it is open that day (the time is outside its hours)."""
    if not space.hours:
        return ""
    from gongzhi.core import holidays
    from gongzhi.spaces import hours

    opening = hours.load(space.hours)
    day = timezone.localtime(start).date()
    closure = hours.closure_on(opening, day)
    if closure is not None:
        return _("The space is closed that day: %(reason)s") % {"reason": closure.reason}
    if hours.rule_day(opening, day) is None and holidays.is_holiday(day):
        return _("The space is closed for the public holiday (%(name)s).") % {
            "name": holidays.holiday_name(day)
        }
    return ""


def series_book(
    *,
    actor: User,
    space: Space,
    rrule: str,
    starts_at: datetime,
    minutes: int,
    purpose: str,
    exdates: Iterable[date | datetime] = (),
    person: Any = None,
    body: Body | None = None,
    attendees: int = 1,
    book_rest: bool = False,
    dry_run: bool = False,
) -> Outcome:
    """Book the occurrences of ``rrule`` from ``starts_at`` (less ``exdates``), each
    ``minutes`` long, for ``person`` (the actor unless a worker books for a resident) or the
    organisation ``body``.

    Every occurrence is checked under the space's lock. With no conflict, all are booked. With
    conflicts, the rest are booked if ``book_rest``, else nothing is saved and the outcome
    lists the conflicts (``series`` is None). ``dry_run`` checks and saves nothing: the report a
    booker sees before choosing. Refused (nothing saved) if no occurrence can be had at all."""
    now = timezone.now()
    _check_request(
        actor=actor, space=space, person=person, starts_at=starts_at, minutes=minutes, now=now
    )
    skipped = list(exdates)
    if any(isinstance(item, datetime) and timezone.is_naive(item) for item in skipped):
        raise ValidationError(_("Give the time with its time zone."), code="booking_naive")
    starts = recurrence.occurrences(rrule, starts_at, skipped)
    outcome = Outcome(starts=starts, minutes=minutes)
    try:
        with transaction.atomic():
            locked = engine.lock_space(space)
            engine.expire_holds(locked, now=now)
            series = None
            if not dry_run:
                series = Series.objects.in_community(space.community_id).create(
                    space=locked,
                    rrule=recurrence.rule_text(rrule),
                    exdates=_stored(skipped),
                    starts_at=starts_at,
                    minutes=minutes,
                    person=person if person is not None else actor,
                    body=body,
                    booked_by=actor,
                    purpose=(purpose or "").strip()[:200],
                )
            booked, conflicts = _place_all(
                actor=actor,
                space=locked,
                series=series,
                starts=starts,
                minutes=minutes,
                purpose=purpose,
                person=person,
                body=body,
                attendees=attendees,
                now=now,
            )
            outcome.conflicts = conflicts
            if dry_run:
                raise _DryRun
            if not booked:
                raise ValidationError(
                    _("None of the times of this repeating booking can be had."),
                    code="series_none_free",
                )
            if conflicts and not book_rest:
                raise _DryRun
            assert series is not None
            if conflicts:
                series.exdates = _stored([*skipped, *(c.starts_at for c in conflicts)])
                series.save(update_fields=["exdates"])
            journal.record(
                community=locked.community,
                actor=actor,
                on_behalf_of=series.person if series.person_id != actor.pk else None,
                verb="series.booked",
                target=series,
                data={
                    "space": locked.pk,
                    "rrule": series.rrule,
                    "booked": len(booked),
                    "not_had": [c.starts_at.isoformat() for c in conflicts],
                    "pending": sum(1 for b in booked if b.status == BookingStatus.PENDING),
                },
            )
            outcome.series = series
            outcome.booked = booked
    except _DryRun:
        outcome.booked = []
    return outcome


def _rest(series: Series, *, since: datetime) -> list[Booking]:
    return list(
        Booking.objects.in_community(series.community_id)
        .filter(series=series, status__in=OCCUPYING, starts_at__gt=since)
        .order_by("starts_at", "pk")
    )


def series_cancel(
    *, actor: User, series: Series, since: datetime | None = None, reason: str = ""
) -> list[Booking]:
    """Cancel the series' bookings that start after ``since`` (now by default): the rest of the
    series. Each freed time goes to those waiting, as for any cancellation."""
    now = timezone.now()
    since = max(since or now, now)
    if not (
        actor.pk in (series.person_id, series.booked_by_id)
        or engine.may_decide(actor, series.space)
    ):
        raise PermissionDenied(_("You cannot cancel this repeating booking."))
    with transaction.atomic():
        locked = engine.lock_space(series.space)
        rest = _rest(series, since=since)
        if not rest:
            raise ValidationError(
                _("No booking of this series is left to cancel."), code="series_nothing_to_cancel"
            )
        cancelled = [engine.cancel(actor=actor, booking=b, reason=reason) for b in rest]
        journal.record(
            community=locked.community,
            actor=actor,
            on_behalf_of=series.person if series.person_id != actor.pk else None,
            verb="series.cancelled",
            target=series,
            data={
                "space": locked.pk,
                "since": since.isoformat(),
                "cancelled": [b.pk for b in cancelled],
            },
        )
    return cancelled


def occurrence_cancel(*, actor: User, booking: Booking, reason: str = "") -> Booking:
    """Cancel one occurrence of a series: the engine's cancellation, and the occurrence kept as
    an exception of the series so its calendar entry drops that date only."""
    series = booking.series
    if series is None:
        raise ValidationError(_("This booking is not part of a series."), code="series_missing")
    with transaction.atomic():
        cancelled = engine.cancel(actor=actor, booking=booking, reason=reason)
        fresh = (
            Series.objects.in_community(series.community_id).select_for_update().get(pk=series.pk)
        )
        fresh.exdates = [*fresh.exdates, cancelled.starts_at.isoformat()]
        fresh.save(update_fields=["exdates"])
    return cancelled


def series_decide(*, actor: User, series: Series, approve: bool, reason: str = "") -> list[Booking]:
    """Approve or refuse at once every time of a series still waiting for a decision (a space
    that needs approval holds each time pending): the engine's decision for each, so each is
    journalled and told as a single request is. Never one's own."""
    if not engine.may_decide(actor, series.space):
        raise PermissionDenied(_("Only the space's managers decide on requests."))
    with transaction.atomic():
        engine.lock_space(series.space)
        engine.expire_holds(series.space)
        waiting = list(
            Booking.objects.in_community(series.community_id)
            .filter(series=series, status=BookingStatus.PENDING)
            .select_related("space")
            .order_by("starts_at", "pk")
        )
        if not waiting:
            raise ValidationError(
                _("No time of this series is waiting for a decision."),
                code="series_nothing_pending",
            )
        return [
            engine.decide(actor=actor, booking=b, approve=approve, reason=reason) for b in waiting
        ]
