"""The demand forecast (gongzhi.spaces.forecast): MASE as defined, a model that beats the
seasonal-naive forecast where there is something to learn, fallbacks that say so, intervals that
behave, and the command line others parse."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongzhi.spaces import forecast as fc

ROOT = Path(__file__).resolve().parent.parent.parent
START = date(2024, 1, 1)  # a Monday
WEEKLY = np.array([1.0, 1.1, 1.0, 1.2, 1.4, 2.0, 1.8])  # Monday first: busy weekends


def days(n: int, start: date = START) -> list[date]:
    return [start + timedelta(days=i) for i in range(n)]


def synthetic(n: int, seed: int = 0) -> np.ndarray:
    """Counts with a weekly pattern, a rising trend and Poisson noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return rng.poisson((20 + 0.05 * t) * WEEKLY[t % 7]).astype(float)


# --- MASE --------------------------------------------------------------------------------------


def test_mase_on_a_hand_computed_example():
    train = [1, 2, 3, 4, 5, 6, 7, 3, 2, 3, 4, 5, 6, 9]
    # Week-back differences: |3-1| = 2, five zeros, |9-7| = 2: scale 4/7.
    assert fc.mase_scale(train) == pytest.approx(4 / 7)
    # Errors |2-3| and |4-3|: mean 1, over 4/7.
    assert fc.mase(train, [2, 4], [3, 3]) == pytest.approx(7 / 4)


def test_mase_skips_missing_days_and_is_undefined_on_a_constant_history():
    train = [1, 2, 3, 4, 5, 6, 7, 3, math.nan, 3, 4, 5, 6, 9]
    assert fc.mase_scale(train) == pytest.approx(4 / 6)
    assert fc.mase(train, [2, math.nan], [3, 3]) == pytest.approx(1 / (4 / 6))
    assert math.isnan(fc.mase([5.0] * 14, [5, 6], [5, 5]))


def test_origins_cover_the_last_year_and_keep_two_years_behind_them_when_there_are():
    bike = fc.origins(731)  # two years, as the shared file: what is there
    assert bike[-1] == 731 - 28 and bike[0] >= 731 - 365 and len(bike) == 49
    assert all(b - a == 7 for a, b in zip(bike, bike[1:], strict=False))
    later = fc.origins(900)  # two years available before n - 28
    assert 730 <= later[0] < 730 + 7 and later[-1] == 900 - 28
    assert fc.origins(1500)[0] >= 1500 - 365
    assert fc.origins(20) == []


# --- the model against seasonal naive ----------------------------------------------------------


def test_the_model_beats_seasonal_naive_on_a_weekly_pattern_with_trend_and_noise():
    values = synthetic(200)
    result = fc.backtest(days(200), values, step=14)
    assert result.method == fc.MODEL
    assert len(result.origins) >= 8
    assert result.mase < result.mase_naive
    assert result.mase_p25 <= result.mase_p75
    coverage = dict(result.coverage)
    assert set(coverage) == set(fc.LEVELS)
    assert 0.5 < coverage[0.8] <= coverage[0.95] <= 1
    # Recomputing one origin by hand gives the reported score.
    first = result.origins[0]
    origin = (first.origin - START).days
    naive = fc.seasonal_naive(values[:origin])
    assert first.mase_naive == pytest.approx(
        fc.mase(values[:origin], values[origin : origin + 28], naive)
    )


def test_a_holiday_is_learnt_and_forecast():
    n = 300
    values = synthetic(n, seed=3)
    holiday_days = {START + timedelta(days=i) for i in range(10, n + 28, 23)}
    for i in range(n):
        if START + timedelta(days=i) in holiday_days:
            values[i] = round(values[i] * 0.3)
    result = fc.forecast(days(n), values, holidays=lambda d: d in holiday_days)
    assert result.method == fc.MODEL
    ahead = [d in holiday_days for d in result.dates]
    assert any(ahead)
    h = ahead.index(True)
    same_weekday = [i for i in range(len(ahead)) if i % 7 == h % 7 and not ahead[i]]
    assert result.point[h] < 0.7 * result.point[same_weekday[0]]


def test_yearly_seasonality_only_with_two_years_of_history():
    assert fc.forecast(days(200), synthetic(200)).yearly is False
    long = fc.forecast(days(740), synthetic(740), horizon=7)
    assert long.method == fc.MODEL and long.yearly is True


# --- fallbacks ---------------------------------------------------------------------------------


def test_a_series_of_zeros_falls_back_to_seasonal_naive_and_says_so():
    result = fc.forecast(days(90), np.zeros(90))
    assert result.method == fc.SEASONAL_NAIVE
    assert result.note
    assert np.all(result.point == 0)
    for interval in result.intervals:
        assert np.all(interval.lower == 0) and np.all(interval.upper == 0)
    assert math.isnan(fc.backtest(days(90), np.zeros(90)).mase)  # MASE's scale is 0


def test_a_ten_day_series_repeats_its_last_week():
    values = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3]
    result = fc.forecast(days(10), values, horizon=14)
    assert result.method == fc.SEASONAL_NAIVE and result.note
    last_week = values[3:]
    assert list(result.point) == last_week + last_week
    assert result.dates[0] == START + timedelta(days=10)
    # The second week's values are two weeks old: wider intervals.
    interval = result.interval(0.95)
    assert np.all(
        interval.upper[7:] - interval.lower[7:] >= interval.upper[:7] - interval.lower[:7]
    )


def test_under_a_week_the_forecast_is_the_last_value():
    result = fc.forecast(days(3), [4, 0, 2], horizon=5)
    assert result.method == fc.NAIVE and list(result.point) == [2] * 5
    one = fc.forecast(days(1), [7], horizon=3)
    assert list(one.point) == [7] * 3
    assert np.all(one.interval(0.8).upper == math.inf)  # nothing to measure the spread by


def test_missing_days_stay_missing():
    n = 150
    values = synthetic(n, seed=5)
    values[40:45] = math.nan  # given as NaN
    keep = [i for i in range(n) if not 80 <= i < 90]  # absent from the input
    result = fc.forecast([START + timedelta(days=i) for i in keep], values[keep])
    assert result.method == fc.MODEL
    assert result.dates[0] == START + timedelta(days=n)
    assert np.isfinite(result.point).all()
    # Seasonal naive skips a missing day to the same weekday a week earlier.
    short = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]
    dates = days(14)
    del short[10], dates[10]
    naive = fc.forecast(dates, short, horizon=7)
    assert naive.method == fc.SEASONAL_NAIVE
    # Day 17's week-back day (10) is missing: day 3's value, two weeks back.
    assert list(naive.point) == [12, 13, 14, 8, 16, 17, 18]


def test_bad_series_are_refused():
    with pytest.raises(fc.ForecastInputError):
        fc.forecast([], [])
    with pytest.raises(fc.ForecastInputError):
        fc.forecast([START, START], [1, 2])
    with pytest.raises(fc.ForecastInputError):
        fc.forecast(days(3), [1, -1, 2])
    with pytest.raises(fc.ForecastInputError):
        fc.forecast(days(3), [math.nan] * 3)
    with pytest.raises(fc.ForecastInputError):
        fc.forecast(days(3), [1, math.inf, 2])
    # None is a missing day; with no same weekday observed, the last value.
    assert fc.forecast(days(8), [1, None, 2, 3, 4, 5, 6, 7], horizon=2).point.tolist() == [7, 2]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=27))
def test_any_short_count_series_gets_ordered_non_negative_forecasts(counts):
    result = fc.forecast(days(len(counts)), counts, horizon=10)
    assert np.all(result.point >= 0)
    for interval in result.intervals:
        assert np.all(interval.lower >= 0)
        assert np.all(interval.lower <= result.point) and np.all(result.point <= interval.upper)


# --- intervals ---------------------------------------------------------------------------------


def test_intervals_contain_the_point_nest_and_widen_with_the_horizon():
    result = fc.forecast(days(200), synthetic(200, seed=1), horizon=28)
    assert result.method == fc.MODEL
    narrow, wide = result.interval(0.8), result.interval(0.95)
    assert np.all(wide.lower <= narrow.lower) and np.all(narrow.lower <= result.point)
    assert np.all(result.point <= narrow.upper) and np.all(narrow.upper <= wide.upper)
    assert np.all(wide.lower >= 0)
    width = wide.upper - wide.lower
    # Compared on the same weekday (the weekly pattern scales the width), a week further out.
    assert np.all(width[7:] > width[:-7])


# --- the command line --------------------------------------------------------------------------


def run_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["LANGUAGE"] = "en_GB.UTF-8"
    return subprocess.run(
        [sys.executable, "-m", "gongzhi.spaces.forecast", *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_command_line_prints_its_lines(tmp_path):
    n = 120
    values = synthetic(n, seed=2)
    path = tmp_path / "daily.csv"
    rows = [
        f"{day.isoformat()},{1 if i % 30 == 7 else 0},{int(v)}"
        for i, (day, v) in enumerate(zip(days(n), values, strict=True))
    ]
    path.write_text("day,holiday,count\n" + "\n".join(rows) + "\n")
    done = run_cli(path, "--date", "day", "--value", "count", "--holiday", "holiday")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split("=", 1)[0] for line in lines] == [
        "mase",
        "mase_naive",
        "mase_p25",
        "mase_p75",
        "origins",
        "horizon",
        "method",
    ]
    out = dict(line.split("=", 1) for line in lines)
    for key in ("mase", "mase_naive", "mase_p25", "mase_p75"):
        assert re.fullmatch(r"\d+\.\d{3}", out[key]), out[key]
    assert out["horizon"] == "28" and out["method"] == "structural"
    assert int(out["origins"]) == len(fc.origins(n))


def test_the_command_line_refuses_a_missing_file_or_column(tmp_path):
    missing = run_cli(tmp_path / "nowhere.csv", "--date", "day", "--value", "count")
    assert missing.returncode == 2 and missing.stdout == "" and "nowhere.csv" in missing.stderr
    path = tmp_path / "daily.csv"
    path.write_text("day,count\n2024-01-01,3\n")
    no_column = run_cli(path, "--date", "day", "--value", "cnt")
    assert no_column.returncode == 2 and no_column.stdout == "" and "cnt" in no_column.stderr


def test_the_expected_total_of_low_counts_is_not_the_sum_of_medians():
    """Over four weeks of a low, skewed count the sum of the daily medians falls short; the
    predictive means add up to about the true total."""
    rng = np.random.default_rng(7)
    days = 420
    start = date(2024, 1, 1)
    rate = np.array([0.8, 0.8, 1.0, 1.0, 1.2, 3.0, 3.5])  # quiet weekdays, busy weekends
    values = [float(rng.poisson(rate[i % 7])) for i in range(days)]
    result = fc.forecast([start + timedelta(days=i) for i in range(days)], values)
    true_total = sum(rate[(days + h) % 7] for h in range(28))
    assert result.expected is not None
    assert result.mean.sum() > result.point.sum()
    assert abs(result.mean.sum() - true_total) / true_total < 0.2
