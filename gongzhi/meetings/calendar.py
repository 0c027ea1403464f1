"""Meetings in calendar apps (日历订阅) and on the notice board's monthly calendar.

Three feeds, each holding the last 12 months and every future meeting (RFC 5545, written by
``core/ical.py``):

- a community's public meetings;
- a body's public meetings;
- a person's: the meetings of the bodies they sit in today (closed ones too), the meetings they
  keep as secretary or chair, and those they registered for or were invited to — read through a
  secret calendar token (``core.CalendarFeed``), separate from API tokens.

A recurring meeting (``Series``) is written as ONE event with its RRULE when the feed holds every
occurrence of the series: an EXDATE for each cancelled occurrence (or one the rule makes that has
no meeting), and a separate event with a RECURRENCE-ID for each occurrence that was moved or
changed. When the feed holds only some occurrences (a resident registered for one sitting of a
council they do not sit in), those are written as single events. A cancelled single meeting stays
in the feed with ``STATUS:CANCELLED`` and its raised SEQUENCE, so the phone removes it.

Building a feed of thousands of events takes a while, and calendar apps poll: a feed is cached
under a key made of its rows' (count, latest change) and the series' latest change, and the same
key, hashed, is its ETag — a poll with ``If-None-Match`` costs one aggregate query.
"""

from __future__ import annotations

import calendar as monthly
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from dateutil.rrule import rrulestr
from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gongzhi.bodies.models import Body, Mandate
from gongzhi.bodies.selectors import sitting_q
from gongzhi.core import ical
from gongzhi.core.models import Community
from gongzhi.meetings.models import (
    Invitation,
    Meeting,
    MeetingStatus,
    Registration,
    RegistrationStatus,
    Series,
)

#: how far back a feed reaches; every future meeting is in it
WINDOW_DAYS = 365
#: a cached feed is dropped after this long even if nothing changed (its key changes on any change)
CACHE_SECONDS = 7 * 24 * 3600


def window_start(now: datetime | None = None) -> datetime:
    """Local midnight 365 days ago: the same all day, so a feed's cache key is too."""
    today = timezone.localdate(now)
    return datetime.combine(
        today - timedelta(days=WINDOW_DAYS), time.min, tzinfo=timezone.get_default_timezone()
    )


# --- Which meetings a feed holds ------------------------------------------------------------


def community_scope(community: Community) -> QuerySet[Meeting]:
    return Meeting.objects.in_community(community).filter(public=True)


def body_scope(body: Body) -> QuerySet[Meeting]:
    return Meeting.objects.in_community(body.community_id).filter(body=body, public=True)


def person_scope(person: Any) -> QuerySet[Meeting]:
    """Every meeting ``person`` follows, in every community they belong to."""
    seated = (
        Mandate.objects.all_communities()
        .filter(sitting_q(timezone.localdate()), membership__user=person)
        .values("body_id")
    )
    registered = (
        Registration.objects.all_communities()
        .filter(
            person=person,
            status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED],
        )
        .values("meeting_id")
    )
    invited = Invitation.objects.all_communities().filter(person=person).values("meeting_id")
    return Meeting.objects.all_communities().filter(
        Q(body_id__in=seated)
        | Q(pk__in=registered)
        | Q(pk__in=invited)
        | Q(secretary=person)
        | Q(chair=person)
    )


# --- The feed ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Feed:
    """One feed's body and its validator."""

    content: bytes
    etag: str


def _key(scope: str, rows: QuerySet[Meeting], base_url: str) -> str:
    state = rows.aggregate(
        count=Count("pk"), changed=Max("updated_at"), series_changed=Max("series__updated_at")
    )
    return ":".join(
        str(part)
        for part in (
            "meetings-ical-v2",  # v2: a series in Beijing time with its TZID
            scope,
            translation.get_language(),
            base_url,
            window_start().date().isoformat(),
            state["count"],
            state["changed"] and state["changed"].timestamp(),
            state["series_changed"] and state["series_changed"].timestamp(),
        )
    )


def etag_of(key: str) -> str:
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def feed_etag(*, scope: str, meetings: QuerySet[Meeting], base_url: str) -> tuple[str, str]:
    """(cache key, ETag) of a feed: one aggregate query over its rows."""
    key = _key(scope, meetings.filter(ends_at__gte=window_start()), base_url)
    return key, etag_of(key)


def feed(
    *, scope: str, meetings: QuerySet[Meeting], name: str, base_url: str, key: str = ""
) -> Feed:
    """The feed of ``meetings`` (a scope above), from the cache while none of them changed;
    ``key`` is ``feed_etag``'s when the caller has already asked for it."""
    etag = etag_of(key) if key else ""
    if not key:
        key, etag = feed_etag(scope=scope, meetings=meetings, base_url=base_url)
    content = cache.get(key)
    if content is None:
        content = ical.calendar(events(meetings, base_url=base_url), name=name).to_ical()
        cache.set(key, content, CACHE_SECONDS)
    return Feed(content=content, etag=etag)


def _location(place: str, online_url: str) -> str:
    return place or online_url


def _description(meeting: Meeting | None, body_name: str, kind_label: str) -> str:
    lines = [f"{body_name} · {kind_label}"]
    if meeting is not None:
        if meeting.place and meeting.online_url:
            lines.append(_("Online: %(url)s") % {"url": meeting.online_url})
        if meeting.description:
            lines.append(meeting.description)
    return "\n".join(lines)


def _single(meeting: Meeting, base_url: str, uid: str, **extra: Any) -> ical.CalendarEvent:
    url = base_url + reverse(
        "meeting_detail", kwargs={"slug": meeting.community.slug, "meeting_id": meeting.pk}
    )
    cancelled = meeting.status == MeetingStatus.CANCELLED
    return ical.CalendarEvent(
        uid=uid,
        start=meeting.starts_at,
        end=meeting.ends_at,
        summary=meeting.title,
        location=_location(meeting.place, meeting.online_url),
        description=_description(meeting, meeting.body.name, meeting.get_kind_display()),
        url=url,
        updated=meeting.updated_at,
        sequence=meeting.sequence,
        status="CANCELLED" if cancelled else "CONFIRMED",
        **extra,
    )


def _series_events(
    series: Series, occurrences: list[Meeting], base_url: str
) -> list[ical.CalendarEvent]:
    """The series' master event (rule, exceptions) and one override per changed occurrence."""
    uid = f"series-{series.pk}"
    duration = timedelta(minutes=series.duration_minutes)
    by_start = {m.recurrence_id: m for m in occurrences if m.recurrence_id is not None}
    template = min(occurrences, key=lambda m: (m.recurrence_id or m.starts_at, m.pk))
    description = _description(template, series.body.name, series.get_kind_display())
    location = _location(series.place, series.online_url)
    local_start = series.first_starts_at.astimezone(timezone.get_default_timezone())
    rule_starts = list(rrulestr(ical.recurrence_utc(series.rrule), dtstart=local_start))
    live = [m for m in occurrences if m.status != MeetingStatus.CANCELLED]
    everything_cancelled = not live
    exdates: list[datetime] = []
    overrides: list[ical.CalendarEvent] = []
    if not everything_cancelled:
        for start in rule_starts:
            occurrence = by_start.get(start)
            if occurrence is None or occurrence.status == MeetingStatus.CANCELLED:
                exdates.append(start)
        for occurrence in live:
            if occurrence.recurrence_id is None:
                continue
            same = (
                occurrence.starts_at == occurrence.recurrence_id
                and occurrence.ends_at - occurrence.starts_at == duration
                and occurrence.title == series.title
                and _location(occurrence.place, occurrence.online_url) == location
                and _description(occurrence, series.body.name, series.get_kind_display())
                == description
            )
            if not same:
                overrides.append(
                    _single(occurrence, base_url, uid, recurrence_id=occurrence.recurrence_id)
                )
    list_url = base_url + reverse(
        "body_calendar", kwargs={"slug": series.community.slug, "body_id": series.body_id}
    )
    master = ical.CalendarEvent(
        uid=uid,
        start=series.first_starts_at,
        end=series.first_starts_at + duration,
        summary=series.title,
        location=location,
        description=description,
        url=list_url if series.public else "",
        updated=max([series.updated_at, *(m.updated_at for m in occurrences)]),
        rrule=series.rrule,
        exdates=tuple(exdates),
        sequence=series.sequence,
        status="CANCELLED" if everything_cancelled else "CONFIRMED",
    )
    return [master, *overrides]


def events(meetings: QuerySet[Meeting], *, base_url: str) -> list[ical.CalendarEvent]:
    """The events of a feed over ``meetings``: the window's rows, series folded back."""
    rows = list(
        meetings.filter(ends_at__gte=window_start())
        .select_related("body", "community")
        .order_by("starts_at", "pk")
    )
    series_ids = {m.series_id for m in rows if m.series_id is not None}
    whole: dict[int, list[Meeting]] = defaultdict(list)
    if series_ids:
        in_feed = set(meetings.filter(series_id__in=series_ids).values_list("pk", flat=True))
        every = (
            Meeting.objects.all_communities()
            .filter(series_id__in=series_ids)
            .select_related("body", "community")
        )
        by_series: dict[int, list[Meeting]] = defaultdict(list)
        for meeting in every:
            by_series[meeting.series_id].append(meeting)  # type: ignore[index]
        for series_id, members in by_series.items():
            if all(m.pk in in_feed for m in members):
                whole[series_id] = members
    out: list[ical.CalendarEvent] = []
    if whole:
        for series in (
            Series.objects.all_communities()
            .filter(pk__in=whole)
            .select_related("body", "community")
            .order_by("first_starts_at", "pk")
        ):
            out.extend(_series_events(series, whole[series.pk], base_url))
    for meeting in rows:
        if meeting.series_id in whole:
            continue
        out.append(_single(meeting, base_url, f"meeting-{meeting.pk}"))
    return out


# --- The printable month ----------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    day: date
    in_month: bool
    meetings: list[Meeting]


def month_weeks(meetings: Iterable[Meeting], *, year: int, month: int) -> list[list[Day]]:
    """Weeks (Monday first, as Chinese calendars print them) of the month, each day with its
    meetings in order of start, in local time."""
    per_day: dict[date, list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        per_day[timezone.localdate(meeting.starts_at)].append(meeting)
    grid = monthly.Calendar(firstweekday=0).monthdatescalendar(year, month)
    return [
        [
            Day(day, day.month == month, sorted(per_day[day], key=lambda m: m.starts_at))
            for day in week
        ]
        for week in grid
    ]


def month_meetings(meetings: QuerySet[Meeting], *, year: int, month: int) -> QuerySet[Meeting]:
    """Meetings starting in the month (local time), cancelled ones included (marked)."""
    zone = timezone.get_default_timezone()
    first = date(year, month, 1)
    after = date(year + (month == 12), month % 12 + 1, 1)
    return (
        meetings.filter(
            starts_at__gte=datetime.combine(first, time.min, tzinfo=zone),
            starts_at__lt=datetime.combine(after, time.min, tzinfo=zone),
        )
        .select_related("body")
        .order_by("starts_at", "pk")
    )


__all__ = [
    "Feed",
    "body_scope",
    "community_scope",
    "feed",
    "feed_etag",
    "month_meetings",
    "month_weeks",
    "person_scope",
]
