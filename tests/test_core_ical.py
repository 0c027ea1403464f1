"""core/ical.py: feeds that calendar apps read back right, and the secret per-person address."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from gongzhi.core import ical
from tests.factories import UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
MEETING = ical.CalendarEvent(
    uid="meeting-12",
    start=datetime(2026, 3, 5, 19, 30, tzinfo=SHANGHAI),
    end=datetime(2026, 3, 5, 21, 0, tzinfo=SHANGHAI),
    summary="居民议事会：电梯加装",
    location="社区服务中心二楼，会议室；东门进",
    description="议题：\n1. 电梯加装费用分摊\n2. 停车位",
    url="https://example.org/c/demo/meetings/12/",
    updated=datetime(2026, 3, 1, 8, 0, tzinfo=UTC),
)


def parse(body: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(body)


def test_a_feed_parses_back_with_times_in_utc_and_the_chinese_text_intact():
    response = ical.calendar_response([MEETING], name="居民日历")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = parse(response.content)
    assert str(cal["x-wr-calname"]) == "居民日历"
    assert str(cal["x-wr-timezone"]) == "Asia/Shanghai"
    (event,) = cal.walk("VEVENT")
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    # 19:30 in Beijing is 11:30 UTC, and is written as such.
    assert start == datetime(2026, 3, 5, 11, 30, tzinfo=UTC)
    assert start.astimezone(SHANGHAI).hour == 19 and end - start == timedelta(minutes=90)
    assert b"DTSTART:20260305T113000Z" in response.content
    assert str(event["summary"]) == MEETING.summary
    assert str(event["location"]) == MEETING.location  # the comma and semicolon survive escaping
    assert str(event["description"]) == MEETING.description
    assert str(event["url"]) == MEETING.url
    assert str(event["uid"]) == "meeting-12@gongzhi"


def test_the_same_events_give_the_same_bytes_so_entries_update_instead_of_doubling():
    first = ical.calendar_response([MEETING], name="日历").content
    moved = ical.CalendarEvent(**{**MEETING.__dict__, "start": MEETING.start + timedelta(hours=1)})
    assert first == ical.calendar_response([MEETING], name="日历").content
    second = parse(ical.calendar_response([moved], name="日历").content)
    assert [str(e["uid"]) for e in second.walk("VEVENT")] == ["meeting-12@gongzhi"]


def test_naive_times_are_refused():
    naive = ical.CalendarEvent(
        uid="x",
        start=datetime(2026, 3, 5, 19, 30),  # noqa: DTZ001 — the point of the test
        end=datetime(2026, 3, 5, 21, 0),  # noqa: DTZ001
        summary="x",
    )
    with pytest.raises(ValueError, match="timezone-aware"):
        ical.calendar([naive], name="x")


@pytest.mark.django_db
def test_a_secret_feed_address_opens_one_persons_feed_until_revoked_or_reissued():
    person, other = UserFactory(), UserFactory()
    first = ical.calendar_feed_issue(person=person)
    assert len(first.token) >= 40
    assert ical.person_for_calendar_feed(first.token) == person
    second = ical.calendar_feed_issue(person=person)
    assert second.token != first.token
    assert ical.person_for_calendar_feed(first.token) is None
    assert ical.person_for_calendar_feed(second.token) == person
    assert ical.person_for_calendar_feed("") is None
    assert ical.person_for_calendar_feed(ical.calendar_feed_issue(person=other).token) == other
    assert ical.calendar_feed_revoke(person=person) is True
    assert ical.person_for_calendar_feed(second.token) is None
    assert ical.calendar_feed_revoke(person=person) is False
    other.is_active = False
    other.save()
    assert ical.person_for_calendar_feed(other.calendar_feed.token) is None


# --- Recurring events, changes and cancellations -------------------------------------------------

WEEKLY = ical.CalendarEvent(
    uid="series-3",
    start=datetime(2026, 3, 5, 19, 30, tzinfo=SHANGHAI),
    end=datetime(2026, 3, 5, 21, 0, tzinfo=SHANGHAI),
    summary="每周议事会",
    rrule="FREQ=WEEKLY;COUNT=6",
    exdates=(datetime(2026, 3, 12, 19, 30, tzinfo=SHANGHAI),),
    sequence=2,
    updated=datetime(2026, 3, 1, 8, 0, tzinfo=UTC),
)
MOVED = ical.CalendarEvent(
    uid="series-3",
    start=datetime(2026, 3, 20, 9, 0, tzinfo=SHANGHAI),
    end=datetime(2026, 3, 20, 10, 30, tzinfo=SHANGHAI),
    summary="每周议事会（改到周五上午）",
    recurrence_id=datetime(2026, 3, 19, 19, 30, tzinfo=SHANGHAI),
    sequence=1,
    updated=datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
)


def test_a_series_is_one_event_with_its_rule_exceptions_and_a_moved_occurrence():
    import recurring_ical_events

    cal = parse(ical.calendar([WEEKLY, MOVED], name="议事会").to_ical())
    master, override = cal.walk("VEVENT")
    assert master["rrule"]["FREQ"] == ["WEEKLY"] and int(master["sequence"]) == 2
    assert override.decoded("recurrence-id") == datetime(2026, 3, 19, 11, 30, tzinfo=UTC)
    assert str(override["uid"]) == str(master["uid"]) == "series-3@gongzhi"
    starts = [
        event.decoded("dtstart").astimezone(SHANGHAI)
        for event in recurring_ical_events.of(cal).between(
            datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
        )
    ]
    # six weeks less the cancelled 12 March; 19 March moved to Friday morning
    assert sorted(starts) == [
        datetime(2026, 3, 5, 19, 30, tzinfo=SHANGHAI),
        datetime(2026, 3, 20, 9, 0, tzinfo=SHANGHAI),
        datetime(2026, 3, 26, 19, 30, tzinfo=SHANGHAI),
        datetime(2026, 4, 2, 19, 30, tzinfo=SHANGHAI),
        datetime(2026, 4, 9, 19, 30, tzinfo=SHANGHAI),
    ]


def test_a_local_until_is_written_in_utc_and_still_includes_the_last_evening():
    import recurring_ical_events

    event = ical.CalendarEvent(
        **{**WEEKLY.__dict__, "rrule": "FREQ=WEEKLY;UNTIL=20260319", "exdates": ()}
    )
    body = ical.calendar([event], name="x").to_ical()
    assert b"UNTIL=20260319T155959Z" in body  # 23:59:59 in Beijing
    occurrences = recurring_ical_events.of(parse(body)).between(
        datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    )
    assert len(list(occurrences)) == 3


def test_a_cancelled_meeting_says_so_with_a_higher_sequence():
    cancelled = ical.CalendarEvent(**{**MEETING.__dict__, "status": "CANCELLED", "sequence": 1})
    (event,) = parse(ical.calendar([cancelled], name="x").to_ical()).walk("VEVENT")
    assert str(event["status"]) == "CANCELLED" and int(event["sequence"]) == 1
    plain = parse(ical.calendar([MEETING], name="x").to_ical()).walk("VEVENT")[0]
    assert "status" not in plain and "rrule" not in plain and "sequence" not in plain
    with pytest.raises(ValueError, match="status"):
        ical.calendar([ical.CalendarEvent(**{**MEETING.__dict__, "status": "maybe"})], name="x")
