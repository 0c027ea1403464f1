"""core/phases.py: which phase is current, what it opens, and which calendars are refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.core.phases import Phase, Schedule, from_rows

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI)
DAY = timedelta(days=1)


def budget_like() -> Schedule:
    return Schedule.contiguous(
        [("ideas", T0), ("review", T0 + 10 * DAY), ("voting", T0 + 20 * DAY)],
        end=T0 + 30 * DAY,
        features={"ideas": {"submit", "comment"}, "voting": {"vote"}},
    )


@pytest.mark.parametrize(
    ("now", "key", "vote_open"),
    [
        (T0 - timedelta(seconds=1), "", False),
        (T0, "ideas", False),
        (T0 + 10 * DAY - timedelta(microseconds=1), "ideas", False),
        (T0 + 10 * DAY, "review", False),
        (T0 + 20 * DAY, "voting", True),
        (T0 + 30 * DAY - timedelta(seconds=1), "voting", True),
        (T0 + 30 * DAY, "", False),
    ],
)
def test_the_current_phase_follows_the_clock_with_half_open_intervals(now, key, vote_open):
    schedule = budget_like()
    assert schedule.current_key(now) == key
    assert schedule.is_open("vote", now) is vote_open
    assert schedule.is_over(now) is (now >= T0 + 30 * DAY)


def test_without_a_time_the_schedule_reads_the_clock():
    schedule = budget_like()
    # 2026-03-12 01:00 UTC is 09:00 in Shanghai, eleven days in: the review.
    with time_machine.travel(datetime(2026, 3, 12, 1, 0, tzinfo=UTC), tick=False):
        assert schedule.current_key() == "review"
        assert not schedule.is_open("submit")
        assert schedule.has_started("review") and not schedule.has_started("voting")
    with time_machine.travel(datetime(2026, 3, 2, tzinfo=UTC), tick=False):
        assert schedule.is_open("submit") and schedule.is_open("comment")


def test_a_zero_length_phase_is_skipped_and_an_open_end_never_closes():
    schedule = Schedule.contiguous([("ideas", T0), ("review", T0 + DAY), ("voting", T0 + DAY)])
    assert schedule.current_key(T0 + DAY) == "voting"
    assert schedule.current_key(T0 + 10_000 * DAY) == "voting"
    assert not schedule.is_over(T0 + 10_000 * DAY)


def test_gaps_between_phases_have_no_current_phase():
    schedule = Schedule(
        (
            Phase("sign-up", T0, T0 + DAY, frozenset({"sign_up"})),
            Phase("course", T0 + 3 * DAY, T0 + 4 * DAY, frozenset({"check_in"})),
        )
    )
    assert schedule.current(T0 + 2 * DAY) is None
    assert not schedule.is_open("sign_up", T0 + 2 * DAY)
    assert schedule.get("course").features == {"check_in"}


def test_overlapping_or_unordered_phases_are_refused_with_the_translated_message():
    with pytest.raises(ValidationError) as caught:
        Schedule((Phase("a", T0, T0 + 2 * DAY), Phase("b", T0 + DAY, T0 + 3 * DAY)))
    assert caught.value.code == "phases_order"
    assert caught.value.messages == [
        gettext("The phases must follow each other: each one begins when or after the one before.")
    ]
    with pytest.raises(ValidationError):
        Schedule.contiguous([("a", T0 + DAY), ("b", T0)])
    # An open-ended phase cannot be followed by another.
    with pytest.raises(ValidationError):
        Schedule((Phase("a", T0), Phase("b", T0 + DAY)))


def test_a_phase_ending_before_it_begins_or_a_naive_date_is_refused():
    with pytest.raises(ValidationError) as caught:
        Schedule((Phase("a", T0, T0 - DAY),))
    assert caught.value.code == "phase_dates"
    with pytest.raises(ValidationError) as caught:
        Schedule((Phase("a", datetime(2026, 3, 1, 9, 0)),))  # noqa: DTZ001 — the point
    assert caught.value.code == "phases_naive"
    assert caught.value.messages == [gettext("Each date of a phase needs its time zone.")]


@given(
    gaps=st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=8),
    probe=st.integers(min_value=-100, max_value=100_000),
)
def test_contiguous_phases_agree_with_the_last_start_passed(gaps, probe):
    starts, moment = [], T0
    for index, gap in enumerate(gaps):
        moment += timedelta(minutes=gap)
        starts.append((f"p{index}", moment))
    now = T0 + timedelta(minutes=probe)
    passed = [key for key, start in starts if now >= start]
    assert Schedule.contiguous(starts).current_key(now) == (passed[-1] if passed else "")


@dataclass
class Row:
    key: str
    starts_at: datetime
    ends_at: datetime | None


def test_stored_rows_become_a_schedule_in_start_order_and_overlaps_are_refused():
    rows = [Row("course", T0 + 3 * DAY, T0 + 4 * DAY), Row("sign-up", T0, T0 + 2 * DAY)]
    schedule = from_rows(rows, features={"sign-up": ["sign_up"]})
    assert [phase.key for phase in schedule.phases] == ["sign-up", "course"]
    assert schedule.is_open("sign_up", T0 + DAY) and schedule.is_over(T0 + 4 * DAY)
    rows.append(Row("late sign-up", T0 + DAY, T0 + 3 * DAY))
    with pytest.raises(ValidationError) as caught:
        from_rows(rows)
    assert caught.value.code == "phases_order"
