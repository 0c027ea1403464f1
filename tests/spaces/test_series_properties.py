"""Property: whatever the rule and whichever of its times are taken, a series books exactly the
rule's expansion less the conflicts, and its calendar entry (core/ical, with the series' RRULE
and EXDATEs) expands in ``recurring-ical-events`` to exactly the times booked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gongzhi.core import ical, recurrence
from gongzhi.spaces import series as services
from gongzhi.spaces import series_selectors as selectors
from tests.factories import member
from tests.spaces.world import at, booking_of, space_of

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@st.composite
def rules(draw):
    freq = draw(st.sampled_from(["DAILY", "WEEKLY", "MONTHLY"]))
    parts = [f"FREQ={freq}", f"INTERVAL={draw(st.integers(1, 3))}"]
    if freq == "WEEKLY" and draw(st.booleans()):
        days = draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=3, unique=True))
        parts.append("BYDAY=" + ",".join(days))
    if draw(st.booleans()):
        parts.append(f"COUNT={draw(st.integers(1, 12))}")
    else:
        until = timezone_today() + timedelta(days=draw(st.integers(3, 200)))
        parts.append(f"UNTIL={until:%Y%m%d}")
    return ";".join(parts)


def timezone_today():
    return datetime.now(SHANGHAI).date()


def calendar_app_sees(event: ical.CalendarEvent) -> list[datetime]:
    feed = icalendar.Calendar.from_ical(ical.calendar([event], name="x").to_ical())
    window = (event.start - timedelta(days=1), event.start + timedelta(days=800))
    return sorted(
        e.decoded("dtstart").astimezone(SHANGHAI)
        for e in recurring_ical_events.of(feed).between(*window)
    )


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    rule=rules(),
    days=st.integers(1, 20),
    hour=st.integers(7, 20),
    taken=st.lists(st.integers(0, 40), max_size=4, unique=True),
)
def test_booked_is_the_expansion_less_the_conflicts_and_what_the_feed_shows(
    community, resident, rule, days, hour, taken
):
    start = at(days, hour=hour)
    try:
        expansion = recurrence.occurrences(rule, start)
    except ValidationError as error:
        assume(error.code not in {"rrule_too_long", "rrule_empty"})
        raise
    taken_starts = sorted({expansion[i] for i in taken if i < len(expansion)})
    assume(len(taken_starts) < len(expansion))
    with transaction.atomic():
        space = space_of(community, name=f"room {uuid4().hex[:12]}")
        other = member(community)
        for moment in taken_starts:
            booking_of(space, other, moment + timedelta(minutes=30))
        outcome = services.series_book(
            actor=resident,
            space=space,
            rrule=rule,
            starts_at=start,
            minutes=60,
            purpose="合唱",
            book_rest=True,
        )
        booked = [b.starts_at for b in selectors.occurrences(outcome.series)]
        assert [c.starts_at for c in outcome.conflicts] == taken_starts
        assert booked == [moment for moment in expansion if moment not in taken_starts]
        event = selectors.calendar_event(outcome.series)
        assert event is not None
        assert calendar_app_sees(event) == [timezone_localize(b) for b in booked]
        transaction.set_rollback(True)


def timezone_localize(moment: datetime) -> datetime:
    return moment.astimezone(SHANGHAI)


def test_the_feed_entry_of_a_series_with_a_cancelled_occurrence(community, resident):
    start = at(3, hour=9)
    space = space_of(community)
    outcome = services.series_book(
        actor=resident,
        space=space,
        rrule="FREQ=WEEKLY;COUNT=4",
        starts_at=start,
        minutes=60,
        purpose="合唱",
    )
    services.occurrence_cancel(actor=resident, booking=outcome.booked[1])
    event = selectors.calendar_event(outcome.series)
    assert event is not None and event.updated is not None
    assert event.updated.tzinfo is not None and event.updated.astimezone(UTC)
    shown = calendar_app_sees(event)
    assert shown == [start.astimezone(SHANGHAI) + timedelta(weeks=n) for n in (0, 2, 3)]
