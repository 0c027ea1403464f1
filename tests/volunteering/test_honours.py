"""Star levels: plain arithmetic on confirmed minutes and the community's thresholds, shown to
the volunteer (with the hours to the next level) and never ranked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gongzhi.volunteering import honour_selectors as selectors
from gongzhi.volunteering.honours import next_star, star_level, star_of
from gongzhi.volunteering.models import (
    DEFAULT_STAR_HOURS,
    HoursEntry,
    HoursEntryKind,
    VolunteeringSettings,
)
from tests.volunteering.world import activity_of, entry_of, shift_of, signup_of, volunteer_of


def test_levels_at_the_cities_thresholds():
    levels = DEFAULT_STAR_HOURS  # 100, 300, 600, 1000, 1500 h
    assert star_level(0, levels) == 0
    assert star_level(100 * 60 - 1, levels) == 0
    assert star_level(100 * 60, levels) == 1
    assert star_level(599 * 60, levels) == 2
    assert star_level(1500 * 60, levels) == 5
    assert star_level(10_000 * 60, levels) == 5
    assert next_star(0, levels) == (100, 100)
    assert next_star(99 * 60 + 57, levels) == (100, 0.1)  # rounded up: never "0 hours to go"
    assert next_star(100 * 60, levels) == (300, 200)
    assert next_star(1500 * 60, levels) is None


def test_unsorted_and_empty_thresholds():
    assert star_level(700 * 60, [600, 100, 300]) == 3
    assert star_level(700 * 60, []) == 0
    assert next_star(10, []) is None
    assert star_of(10, []).levels == 0


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(min_value=0, max_value=200_000),
    st.lists(st.integers(min_value=1, max_value=3000), max_size=8),
)
@example(minutes=42, thresholds=[513])  # 512.3 h to go: 512.3 * 60 is 30737.999… in floating point
def test_level_and_next_agree(minutes, thresholds):
    level = star_level(minutes, thresholds)
    following = next_star(minutes, thresholds)
    assert 0 <= level <= len(thresholds)
    if following is None:
        assert level == len(thresholds)
    else:
        hours, remaining = following
        assert minutes < hours * 60
        assert remaining > 0
        # the hours to go are whole tenths (six minutes each): count them in minutes exactly
        remaining_minutes = round(remaining * 10) * 6
        assert minutes + remaining_minutes >= hours * 60
        # serving the remaining hours reaches the next level
        assert star_level(minutes + remaining_minutes, thresholds) > level


@pytest.mark.django_db
def test_a_volunteers_star_sums_the_ledger_with_the_communitys_thresholds(community, worker):
    VolunteeringSettings.objects.create(community=community, star_hours=[2, 5])
    volunteer = volunteer_of(community)
    activity = activity_of(community, worker)
    first = entry_of(
        signup_of(shift_of(activity, starts_in=timedelta(days=-5)), volunteer),
        worker,
        minutes=150,
    )
    star = selectors.star_for(volunteer)
    assert (star.level, star.next_hours, star.remaining_hours) == (1, 5, 2.5)
    # a reversal takes the hours away again
    HoursEntry.objects.create(
        community=community,
        kind=HoursEntryKind.REVERSAL,
        volunteer=volunteer,
        activity=activity,
        served_on=first.served_on,
        served_minutes=-150,
        credited_minutes=-150,
        reverses=first,
        reason="登记错了",
        confirmed_by=worker,
    )
    assert selectors.star_for(volunteer).level == 0


@pytest.mark.django_db
def test_default_thresholds_without_settings(community):
    star = selectors.star_for(volunteer_of(community))
    assert (star.level, star.levels, star.next_hours) == (0, 5, 100)


@pytest.mark.django_db
def test_hub_and_mine(community, worker):
    volunteer = volunteer_of(community)
    mine = selectors.mine(community, volunteer.person, volunteer)
    assert mine["star"].level == 0 and mine["thanks"] == []
    assert selectors.mine(community, volunteer.person, None) == {}
    hub = selectors.hub(community, worker)
    assert hub["latest"] is None and hub["can_propose"]
    from django.contrib.auth.models import AnonymousUser

    assert selectors.hub(community, AnonymousUser())["can_propose"] is False
