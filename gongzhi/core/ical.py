"""iCalendar feeds (日历订阅, RFC 5545): meetings, shifts, courses and bookings in a phone's calendar.

Built on the ``icalendar`` library so that folding, escaping and date forms are right. A single
event's times are written in UTC (``…Z``): every calendar client converts them to the phone's
zone, and ``X-WR-TIMEZONE`` tells clients that show a calendar's own zone that this one is
Beijing time. A UID is the app's own stable key (``"meeting-12"``) with
``@gongzhi`` added, so a changed meeting updates the entry in the calendar instead of adding a
second one.

A recurring meeting is one VEVENT: its first start, its RRULE, an EXDATE for each occurrence that
will not take place, and, as separate VEVENTs with the same UID and a RECURRENCE-ID, the
occurrences that were moved or changed (RFC 5545 §3.8.4.4, §3.8.5). A series' times are written
in Beijing time with its TZID and the VTIMEZONE block that defines it, because a client expands
the rule in DTSTART's zone: ``BYHOUR=7,15`` or ``BYDAY=TU`` read against a UTC start would mean
15:00 and 23:00, or Wednesday morning in Beijing for a Tuesday 07:00 meeting. An ``UNTIL`` is
written in UTC, as §3.3.10 asks when DTSTART has a zone; a local or date-only one is rewritten.
``SEQUENCE`` and ``STATUS`` (``CANCELLED``) tell a calendar that an entry it holds changed.

A person's feed lives at a secret address: ``calendar_feed_issue`` gives them a new token (and so
revokes the old address), ``calendar_feed_revoke`` removes it, and ``person_for_calendar_feed``
finds whose feed a token opens. The view that serves it is the app's: it selects the person's
events and returns ``calendar_response(events, name=…)``.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING

import icalendar
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone

from gongzhi.core.models import CalendarFeed

if TYPE_CHECKING:
    from gongzhi.accounts.models import User

CONTENT_TYPE = "text/calendar; charset=utf-8"
UID_DOMAIN = "gongzhi"
PRODID = "-//gongzhi//community calendar//ZH"
STATUSES = frozenset({"CANCELLED", "CONFIRMED", "TENTATIVE"})


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    start: datetime
    end: datetime
    summary: str
    location: str = ""
    description: str = ""
    url: str = ""
    #: When the event last changed: the DTSTAMP, so an unchanged feed is byte-for-byte the same.
    updated: datetime | None = None
    #: RFC 5545 recurrence rule without the ``RRULE:`` prefix (``FREQ=WEEKLY;COUNT=10``)
    rrule: str = ""
    #: starts of the rule's occurrences that will not take place
    exdates: tuple[datetime, ...] = ()
    #: set on an occurrence that overrides its series: the start the rule gave it
    recurrence_id: datetime | None = None
    #: raised on every change a calendar must pick up
    sequence: int = 0
    #: "CANCELLED", "CONFIRMED" or "TENTATIVE"; blank writes no STATUS
    status: str = ""


def _utc(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        raise ValueError("calendar times must be timezone-aware")
    return moment.astimezone(UTC)


def _local(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        raise ValueError("calendar times must be timezone-aware")
    return moment.astimezone(timezone.get_default_timezone())


def _recurrence(rule: str) -> icalendar.vRecur:
    """The rule parsed, with a local or date-only UNTIL rewritten as a UTC moment."""
    recur = icalendar.vRecur.from_ical(rule.removeprefix("RRULE:"))
    until = recur.get("UNTIL")
    if until:
        moment = until[0]
        if not isinstance(moment, datetime):  # a date: the whole of that local day
            moment = datetime.combine(moment, time(23, 59, 59))
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, timezone.get_default_timezone())
        recur["UNTIL"] = [moment.astimezone(UTC)]
    return recur


def recurrence_utc(rule: str) -> str:
    """``rule`` as this module writes it (UNTIL in UTC), for expanding it the same way."""
    return _recurrence(rule).to_ical().decode()


def stable_uid(uid: str) -> str:
    return uid if "@" in uid else f"{uid}@{UID_DOMAIN}"


def calendar(events: Iterable[CalendarEvent], *, name: str) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    zoned = False
    for item in events:
        event = icalendar.Event()
        # a series and its moved occurrences in local time with a TZID (see the module's text)
        series = bool(item.rrule) or item.recurrence_id is not None
        when = _local if series else _utc
        zoned = zoned or series
        event.add("uid", stable_uid(item.uid))
        event.add("dtstamp", _utc(item.updated or timezone.now()))
        event.add("dtstart", when(item.start))
        event.add("dtend", when(item.end))
        event.add("summary", item.summary)
        if item.location:
            event.add("location", item.location)
        if item.description:
            event.add("description", item.description)
        if item.url:
            event.add("url", item.url)
        if item.rrule:
            event.add("rrule", _recurrence(item.rrule))
            for excluded in item.exdates:
                event.add("exdate", _local(excluded))
        if item.recurrence_id is not None:
            event.add("recurrence-id", _local(item.recurrence_id))
        if item.sequence:
            event.add("sequence", item.sequence)
        if item.status:
            if item.status not in STATUSES:
                raise ValueError(f"unknown event status {item.status!r}")
            event.add("status", item.status)
        cal.add_component(event)
    if zoned:
        cal.add_missing_timezones()
    return cal


def calendar_response(
    events: Iterable[CalendarEvent], *, name: str, filename: str = "calendar.ics"
) -> HttpResponse:
    """The feed as a download a calendar app subscribes to; private, since feeds are personal."""
    response = HttpResponse(calendar(events, name=name).to_ical(), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- The secret address ---------------------------------------------------------------------


@transaction.atomic
def calendar_feed_issue(*, person: User) -> CalendarFeed:
    """A new secret token for ``person``'s feed; the old address stops working at once."""
    CalendarFeed.objects.filter(person=person).delete()
    return CalendarFeed.objects.create(person=person, token=secrets.token_urlsafe(32))


@transaction.atomic
def calendar_feed_revoke(*, person: User) -> bool:
    deleted, _per_model = CalendarFeed.objects.filter(person=person).delete()
    return deleted > 0


def person_for_calendar_feed(token: str) -> User | None:
    """Whose feed ``token`` opens (None for an unknown or revoked one, or an inactive person)."""
    if not token:
        return None
    feed = (
        CalendarFeed.objects.select_related("person")
        .filter(token=token, person__is_active=True)
        .first()
    )
    return feed.person if feed is not None else None
