"""The rollups: every indicator for everyone and, for rates over people, split by grid,
building, age band and each group against everyone else, with small cells hidden so that none
can be read or subtracted out; rebuilt whole, the same every time."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from gongzhi.evaluation import services
from gongzhi.evaluation.models import IndicatorValue, Refresh
from gongzhi.evaluation.tasks import refresh_indicators
from tests.evaluation import world


def _rows(community, key="participation.rate", month=None):
    rows = IndicatorValue.objects.in_community(community).filter(key=key)
    if month:
        rows = rows.filter(month=f"{month}-01")
    return {r.group: r for r in rows}


def _snapshot(community):
    return sorted(
        IndicatorValue.objects.in_community(community).values_list(
            "key", "month", "group", "numerator", "denominator", "value", "people", "suppressed"
        )
    )


@pytest.mark.django_db
def test_people_rates_are_split_and_small_cells_hidden(community):
    # 15 residents, 5 a building; 1号楼 and 2号楼 in 东区 (10), 3号楼 in 西区 (5). Consent from the
    # even-numbered: 4 elderly (born 1950), 4 born 1985; 7 never answered.
    seeded = world.build(community, residents=15)
    services.refresh(community=community)
    last = seeded["months"][-1]
    rows = _rows(community, month=last)
    assert rows[""].numerator == 8 and rows[""].denominator == 15 and rows[""].people == 15
    # The last month, residents 0–7 took part: in 东区 0, 1, 3, 4, 6, 7 of its 10.
    assert (rows["grid:东区"].numerator, rows["grid:东区"].people) == (6, 10)
    assert (rows["grid:西区"].numerator, rows["grid:西区"].people) == (2, 5)
    assert not rows["building:1号楼"].suppressed and rows["building:1号楼"].people == 5
    # 4 elderly: hidden, and so is everyone else (else 15 − 11 gives them away).
    for group in ("elderly:yes", "elderly:no", "age:75+", "age:30-44"):
        row = rows[group]
        assert row.suppressed, group
        assert (row.numerator, row.denominator, row.value, row.people) == (0, None, None, None)
    # Two hidden age bands cover each other (8 people); the undeclared are shown.
    assert not rows["age:"].suppressed and rows["age:"].people == 7
    # Nobody disabled: a cell of no one reveals no one.
    assert rows["disabled:yes"].people == 0 and not rows["disabled:yes"].suppressed
    assert rows["disabled:no"].people == 15
    # No shown cell anywhere holds fewer than 5 people, and each split covers everyone.
    shown = (
        IndicatorValue.objects.in_community(community).exclude(group="").filter(suppressed=False)
    )
    assert shown.exists()
    assert not [r for r in shown if 0 < r.people < 5]
    # Nowhere is a hidden cell alone in its split (it would be the total minus the others).
    for row_month in (
        IndicatorValue.objects.in_community(community).values_list("key", "month").distinct()
    ):
        cells = IndicatorValue.objects.in_community(community).filter(
            key=row_month[0], month=row_month[1]
        )
        for prefix in ("grid:", "building:", "age:", "elderly:", "disabled:", "low_income:"):
            hidden = [r for r in cells if r.group.startswith(prefix) and r.suppressed]
            assert len(hidden) != 1, (row_month, prefix)
    # Counts are not split; they have everyone's row only.
    assert set(_rows(community, "hotline.solved", last)) == {""}
    assert _rows(community, "hotline.solved", last)[""].numerator == 1


@pytest.mark.django_db
def test_a_lower_threshold_shows_smaller_groups(community, settings):
    seeded = world.build(community, residents=15)
    settings.EVALUATION_MIN_CELL = 3
    services.refresh(community=community)
    rows = _rows(community, month=seeded["months"][-1])
    assert not rows["elderly:yes"].suppressed and rows["elderly:yes"].people == 4
    assert not rows["age:75+"].suppressed


@pytest.mark.django_db
def test_refresh_replaces_the_rows_and_gives_the_same_every_time(community):
    world.build(community, residents=15)
    count = services.refresh(community=community)
    first = _snapshot(community)
    assert len(first) == count
    assert services.refresh(community=community) == count
    assert _snapshot(community) == first
    refresh = Refresh.objects.in_community(community).get()
    assert refresh.entries > 0 and refresh.seconds >= 0


@pytest.mark.django_db
def test_the_task_and_the_command_refresh(community, other_community):
    world.build(community)
    refresh_indicators.enqueue(community.pk)  # the immediate backend runs it now
    assert IndicatorValue.objects.in_community(community).exists()
    assert not IndicatorValue.objects.in_community(other_community).exists()
    out = io.StringIO()
    call_command("refresh_indicators", stdout=out)
    assert f"refreshed community={other_community.slug}" in out.getvalue()
    assert IndicatorValue.objects.in_community(other_community).filter(group="").exists()


@pytest.mark.django_db
def test_a_viewed_dashboard_asks_for_a_refresh_only_when_the_rollups_are_stale(community, settings):
    world.build(community)
    assert services.request_refresh_if_stale(community)  # never built: built now (immediate)
    assert IndicatorValue.objects.in_community(community).exists()
    assert not services.request_refresh_if_stale(community)
    settings.EVALUATION_REFRESH_SECONDS = 0
    assert services.request_refresh_if_stale(community)
