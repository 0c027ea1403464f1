"""Demand forecast (需求预测, issue 20, R11.1): how many bookings a space, or tickets a hotline
category, will see each day of the coming one to four weeks, with prediction intervals, and
how well that forecast would have done on the series' own past.

The model is a structural time series (Harvey, *Forecasting, Structural Time Series Models and
the Kalman Filter*, 1989; statsmodels' ``UnobservedComponents``) fitted by maximum likelihood
to the counts on a Box-Cox scale, ``z = ((1 + y)^lambda - 1) / lambda`` (the log at 0):

    z_t = level_t + weekly_t [+ yearly_t] + b_h holiday_t + b_w workday_t + e_t

* ``level``: a random walk (local level). No slope: over 28 days a slope estimated from noisy
  daily counts extrapolates its noise (undamped trends over-forecast in the M competitions:
  Makridakis & Hibon 2000; Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*,
  3rd ed., 8.2); the level follows slow movements as they come.
* ``weekly``: a stochastic seasonal of period 7 (six dummy states), so the weekday pattern may
  drift.
* ``yearly``: a stochastic trigonometric seasonal of period 365.25 with two harmonics (as in
  TBATS: De Livera, Hyndman & Snyder, JASA 106, 2011), only when the history spans two years.
  Telling a yearly cycle from a slow change of level needs two cycles, the rule Holt-Winters'
  initialisation and MSTL follow too; with less, the component is left out and the local level
  carries the slow movement instead (``Forecast.yearly`` says which).
* ``holiday``, ``workday``: regression on two indicators, a day off that is a public holiday
  and a make-up working day (调休上班, a weekend day worked); a column with no such day in the
  history is left out. Holidays come as a set of dates or a predicate, so the app passes the
  Chinese calendar from core; the command line reads the file's own 0/1 column.

Why a Box-Cox scale, and which. Counts vary with their level (rain or a holiday takes a share of
the day's demand, not a fixed number), and the forecast cannot go below zero, so the model does
not work on the counts themselves. The log makes every effect a proportion, but it also makes a
nearly empty day (a storm, a closure) a huge outlier that drags a Gaussian level down for weeks;
the square root (a Poisson count's variance-stabilising transform) does less of both.
``lambda`` is chosen for each series, in [0, 1], from its own mean-spread relation by Guerrero's
method (Guerrero, "Time-series analysis supported by power transformations", J. Forecasting
12, 1993; the choice *Forecasting: Principles and Practice* recommends, 3.1), never from
forecast errors. The point forecast is the back-transformed mean: the median of the predictive
distribution, which is what minimises the absolute error MASE scores. The intervals are the
Gaussian predictive intervals on that scale mapped back (quantiles survive a monotone map), so
they are asymmetric and non-negative; they leave out the uncertainty of the estimated
parameters.

Missing days are missing: the series is laid on a daily calendar from its first to its last
date, days that are absent (or given as NaN) stay NaN, and the Kalman filter skips them instead
of inventing a value; the seasonal-naive forecast and MASE's scale skip them as well.

Fallback. With fewer than ``MIN_MODEL_DAYS`` observed days, a constant series (all zeros) or a
model that cannot be fitted, the forecast is the seasonal-naive one (``method="seasonal_naive"``,
the last observed value of the same weekday), or the naive one (the last value) with under a
week of history, and ``Forecast.note`` says why. Its intervals are Hyndman & Athanasopoulos'
(5.5): ``sigma * sqrt(k)`` for a value taken ``k`` weeks back, ``sigma`` the root mean square of
the in-sample seasonal differences, cut at zero; with no difference to measure, ``[0, inf)``.

Backtest (rolling origin; Tashman, IJF 16, 2000). An origin ``T`` is a day: the forecaster
sees ``y_0 .. y_{T-1}`` and forecasts ``y_T .. y_{T+H-1}`` (1 to ``H`` = 28 days ahead). Then

    scale_T = mean over t in [7, T) of |y_t - y_{t-7}|       (both days observed)
    MASE_T  = mean over h in [1, H] of |y_{T+h-1} - yhat_T(h)| / scale_T   (observed days)

the error of the 1-28-day-ahead forecasts over the in-sample error of the one-week-back
seasonal-naive forecast on the training part (Hyndman & Koehler, IJF 22, 2006, with the
seasonal scale). ``mase`` is the mean of ``MASE_T`` over the origins, ``mase_p25``/``_p75`` its
quartiles over them; ``mase_naive`` scores the seasonal-naive forecaster the same way, on the
same origins. It is above 1 at these horizons (at 22-28 days ahead it repeats a value four
weeks old), so a model that beats it is not automatically below 1. Origins whose scale is 0
(a constant history) are left out. The origins are every 7 days counted back from the last
one, ``n - H``, while the test window stays within the last 365 days, and, when the series
holds two years before ``n - H``, never with fewer than two years behind them. The parameters
are re-estimated at every origin, the optimiser starting from the previous origin's estimate.

The command line (an interface others script against)::

    python -m gongzhi.spaces.forecast FILE.csv --date dteday --value cnt [--holiday holiday]

prints ``mase=``, ``mase_naive=``, ``mase_p25=``, ``mase_p75=`` (3 decimals), ``origins=``,
``horizon=`` and ``method=``, one per line; a missing file or column exits with 2 and a message
on standard error.
"""

from __future__ import annotations

import argparse
import math
import sys
import warnings
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
from django.utils.translation import gettext, gettext_noop
from numpy.typing import NDArray
from scipy import stats
from scipy.optimize import minimize_scalar
from scipy.special import boxcox1p, inv_boxcox1p

from gongzhi.core.wording import Wording
from gongzhi.evaluation.cli import (
    InputError,
    cannot_read,
    read_csv,
    refuse,
    setup_translation,
)

Array = NDArray[np.float64]
#: Daily counts; NaN or None is a missing day.
Values = Sequence[float | None] | Array
#: Days off (or make-up working days): a set of dates or a predicate on a date.
DaySpec = Callable[[date], bool] | Collection[date]

WEEK = 7
YEAR = 365.25
YEARLY_HARMONICS = 2
#: History needed for the yearly component: two cycles.
YEARLY_MIN_DAYS = 730
#: Observed days below which the model is not fitted (four weekly cycles).
MIN_MODEL_DAYS = 28
HORIZON = 28
LEVELS = (0.8, 0.95)
MODEL = "structural"
SEASONAL_NAIVE = "seasonal_naive"
NAIVE = "naive"


class ForecastInputError(InputError):
    """A series that cannot be forecast (empty, repeated dates, negative counts)."""


@dataclass(frozen=True)
class Interval:
    """The central prediction interval of probability ``level`` for each day ahead."""

    level: float
    lower: Array
    upper: Array


@dataclass(frozen=True)
class Forecast:
    """Forecasts for the ``len(dates)`` days after the history's last date."""

    dates: tuple[date, ...]
    point: Array
    intervals: tuple[Interval, ...]
    method: str
    #: Why the fallback was used (None for the model), worded when shown: a forecast may be
    #: cached for readers of every language.
    note: Wording | None = None
    #: Whether the model has its yearly component.
    yearly: bool = False
    #: The Box-Cox parameter of the model's scale (0 is the log); NaN for a fallback.
    boxcox_lambda: float = math.nan
    #: The model's estimated parameters (for a warm start), empty for a fallback.
    params: Array = field(default_factory=lambda: np.empty(0))
    #: The predictive *mean* of each day (``point`` is its median, which an absolute error
    #: rewards, and which sums to too little over weeks of low counts); None: same as point.
    expected: Array | None = None

    @property
    def mean(self) -> Array:
        return self.point if self.expected is None else self.expected

    def interval(self, level: float) -> Interval:
        for interval in self.intervals:
            if math.isclose(interval.level, level):
                return interval
        raise KeyError(level)


@dataclass(frozen=True)
class OriginScore:
    origin: date
    mase: float
    mase_naive: float
    method: str


@dataclass(frozen=True)
class Backtest:
    """The rolling-origin scores (see the module docstring for the definition)."""

    mase: float
    mase_naive: float
    mase_p25: float
    mase_p75: float
    naive_p25: float
    naive_p75: float
    horizon: int
    method: str
    origins: tuple[OriginScore, ...]
    #: MASE by week ahead (days 1-7, 8-14, ...), the model's and the naive's, over the origins.
    by_week: tuple[tuple[float, float], ...]
    #: For each interval level, the share of observed test days inside the model's interval.
    coverage: tuple[tuple[float, float], ...] = ()

    def lines(self) -> str:
        """The ``key=value`` lines the command line and the bench print."""
        return "\n".join(
            [
                f"mase={self.mase:.3f}",
                f"mase_naive={self.mase_naive:.3f}",
                f"mase_p25={self.mase_p25:.3f}",
                f"mase_p75={self.mase_p75:.3f}",
                f"origins={len(self.origins)}",
                f"horizon={self.horizon}",
                f"method={self.method}",
            ]
        )


# --- the series ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Daily:
    """A series laid on a daily calendar; NaN where a day is missing."""

    start: date
    values: Array

    def day(self, index: int) -> date:
        return self.start + timedelta(days=index)


def _daily(dates: Sequence[date], values: Values) -> _Daily:
    if len(dates) != len(values):
        raise ForecastInputError(gettext("There are not as many values as dates."))
    if not dates:
        raise ForecastInputError(gettext("The series is empty."))
    order = sorted(range(len(dates)), key=lambda i: dates[i])
    start, end = dates[order[0]], dates[order[-1]]
    out = np.full((end - start).days + 1, np.nan)
    for i in order:
        index = (dates[i] - start).days
        if not math.isnan(out[index]):
            raise ForecastInputError(
                gettext("The date %(date)s appears twice.") % {"date": dates[i].isoformat()}
            )
        raw = values[i]
        value = math.nan if raw is None else float(raw)
        if math.isinf(value):
            raise ForecastInputError(
                gettext("The count for %(date)s is not a number.") % {"date": dates[i].isoformat()}
            )
        if value < 0:
            raise ForecastInputError(
                gettext("The count for %(date)s is negative.") % {"date": dates[i].isoformat()}
            )
        out[index] = value  # NaN (or None) stays missing
    if np.isnan(out).all():
        raise ForecastInputError(gettext("The series has no values."))
    return _Daily(start=start, values=out)


def _indicator(spec: DaySpec | None, start: date, days: int) -> Array:
    if spec is None:
        return np.zeros(days)
    test: Callable[[date], bool] = spec if callable(spec) else spec.__contains__
    return np.array([1.0 if test(start + timedelta(days=i)) else 0.0 for i in range(days)])


# --- the fallbacks ---------------------------------------------------------------------------


def _z(level: float) -> float:
    return float(stats.norm.ppf(0.5 + level / 2))


def _naive(
    history: Array, horizon: int, levels: Sequence[float], period: int
) -> tuple[Array, tuple[Interval, ...]]:
    """The last observed value ``period`` days back (a multiple of it when that one is missing)
    for each day ahead, with Hyndman & Athanasopoulos' intervals."""
    n = len(history)
    observed = ~np.isnan(history)
    last = int(np.flatnonzero(observed)[-1])
    point = np.empty(horizon)
    steps = np.empty(horizon)  # how many periods back each value was taken
    for h in range(1, horizon + 1):
        target = n - 1 + h
        source = target - period * math.ceil(h / period)
        while source >= 0 and not observed[source]:
            source -= period
        if source < 0:  # no observed day with that phase: the last value, as far back
            source = last
        point[h - 1] = history[source]
        steps[h - 1] = max(1.0, (target - source) / period)
    differences = history[period:] - history[:-period] if n > period else np.empty(0)
    differences = differences[~np.isnan(differences)]
    sigma = float(np.sqrt(np.mean(differences**2))) if differences.size else math.inf
    intervals = []
    for level in levels:
        half = _z(level) * sigma * np.sqrt(steps) if math.isfinite(sigma) else np.inf
        intervals.append(
            Interval(
                level=level,
                lower=np.maximum(point - half, 0.0),
                upper=point + half,
            )
        )
    return point, tuple(intervals)


def seasonal_naive(history: Sequence[float] | Array, horizon: int = HORIZON) -> Array:
    """The seasonal-naive point forecast (period 7) of the days after ``history``."""
    values = np.asarray(history, dtype=float)
    return _naive(values, horizon, (), WEEK if len(values) >= WEEK else 1)[0]


# --- the model -------------------------------------------------------------------------------


def guerrero(y: Array, period: int = WEEK) -> float:
    """Guerrero's (1993) Box-Cox parameter for ``y + 1``, in [0, 1]: the one that makes the
    standard deviation of each run of ``period`` days (counted back from the end) most nearly
    proportional to its mean to the power ``1 - lambda``, i.e. that minimises the coefficient
    of variation of ``sd_i / mean_i ** (1 - lambda)``. Runs with fewer than two observed days
    are skipped; with fewer than two runs, or runs that do not vary, 0.5 (the square root,
    the variance-stabilising transform of a Poisson count)."""
    runs = len(y) // period
    block = y[len(y) - runs * period :].reshape(runs, period) + 1.0
    enough = np.sum(~np.isnan(block), axis=1) >= 2
    if enough.sum() < 2:
        return 0.5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        means = np.nanmean(block[enough], axis=1)
        sds = np.nanstd(block[enough], axis=1, ddof=1)
    if not (np.ptp(means) > 0 and np.any(sds > 0)):
        return 0.5

    def spread(lam: float) -> float:
        ratio = sds / means ** (1.0 - lam)
        return float(np.std(ratio, ddof=1) / np.mean(ratio))

    return float(minimize_scalar(spread, bounds=(0.0, 1.0), method="bounded").x)


def _back(z: Array, lam: float) -> Array:
    """The inverse of ``boxcox1p``, cut at zero (below ``-1/lambda`` it is not defined)."""
    if lam > 0:
        z = np.maximum(z, -1.0 / lam)
    return np.maximum(np.asarray(inv_boxcox1p(z, lam), dtype=float), 0.0)


def _expected(z: Array, variance: Array, lam: float) -> Array:
    """The back-transformed predictive mean of a normal forecast ``z`` with ``variance`` on the
    ``boxcox1p`` scale: the median ``_back(z)`` with the usual second-order bias adjustment
    (Hyndman and Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed., §5.6)."""
    if lam == 0:
        one_plus = np.exp(z) * (1.0 + variance / 2.0)
    else:
        w = np.maximum(lam * z + 1.0, 1e-9)
        one_plus = w ** (1.0 / lam) * (1.0 + variance * (1.0 - lam) / (2.0 * w**2))
    return np.maximum(np.asarray(one_plus, dtype=float) - 1.0, 0.0)


def _fit(
    y: Array,
    exog: Array,
    future_exog: Array,
    horizon: int,
    levels: Sequence[float],
    start_params: Array | None,
) -> tuple[Array, tuple[Interval, ...], bool, float, Array, Array]:
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    observed = np.flatnonzero(~np.isnan(y))
    yearly = observed[-1] - observed[0] + 1 >= YEARLY_MIN_DAYS
    # A regressor that never fires in the history has no coefficient to estimate.
    keep = [j for j in range(exog.shape[1]) if np.any(exog[observed, j] != 0)]
    lam = guerrero(y)
    model = UnobservedComponents(
        boxcox1p(y, lam),
        level="llevel",
        seasonal=WEEK,
        freq_seasonal=[{"period": YEAR, "harmonics": YEARLY_HARMONICS}] if yearly else None,
        exog=exog[:, keep] if keep else None,
    )
    if start_params is not None and len(start_params) != len(model.start_params):
        start_params = None
    with warnings.catch_warnings():
        # Convergence and "non-stationary starting parameters" warnings: the result is checked
        # below, and the fallback takes over when it is unusable.
        warnings.simplefilter("ignore")
        result: Any = model.fit(disp=False, start_params=start_params)
        prediction = result.get_forecast(horizon, exog=future_exog[:, keep] if keep else None)
    mean = np.asarray(prediction.predicted_mean, dtype=float)
    intervals = []
    for level in levels:
        bounds = np.asarray(prediction.conf_int(alpha=1 - level), dtype=float)
        intervals.append(
            Interval(level=level, lower=_back(bounds[:, 0], lam), upper=_back(bounds[:, 1], lam))
        )
    point = _back(mean, lam)
    expected = _expected(mean, np.asarray(prediction.var_pred_mean, dtype=float), lam)
    if not (np.isfinite(point).all() and all(np.isfinite(i.upper).all() for i in intervals)):
        raise FloatingPointError("non-finite forecast")
    if not np.isfinite(expected).all():
        expected = point
    return (
        point,
        tuple(intervals),
        bool(yearly),
        lam,
        np.asarray(result.params, dtype=float),
        expected,
    )


def _forecast_daily(
    series: _Daily,
    *,
    horizon: int,
    holidays: DaySpec | None,
    workdays: DaySpec | None,
    levels: Sequence[float],
    start_params: Array | None = None,
) -> Forecast:
    y = series.values
    n = len(y)
    dates = tuple(series.day(n + i) for i in range(horizon))
    observed = y[~np.isnan(y)]
    note: Wording | None = None
    if observed.size < MIN_MODEL_DAYS:
        note = Wording.of(gettext_noop("Fewer than %(days)d days of history."), days=MIN_MODEL_DAYS)
    elif np.all(observed == observed[0]):
        note = Wording.of(gettext_noop("The series is constant."))
    else:
        days = n + horizon
        exog = np.column_stack(
            [_indicator(holidays, series.start, days), _indicator(workdays, series.start, days)]
        )
        try:
            point, intervals, yearly, lam, params, expected = _fit(
                y, exog[:n], exog[n:], horizon, levels, start_params
            )
        except (ValueError, ArithmeticError, RuntimeError, np.linalg.LinAlgError) as error:
            note = Wording.of(
                gettext_noop("The model could not be fitted: %(error)s"), error=str(error)
            )
        else:
            return Forecast(
                dates=dates,
                point=point,
                intervals=intervals,
                method=MODEL,
                yearly=yearly,
                boxcox_lambda=lam,
                params=params,
                expected=expected,
            )
    period = WEEK if n > WEEK else 1
    point, intervals = _naive(y, horizon, levels, period)
    return Forecast(
        dates=dates,
        point=point,
        intervals=intervals,
        method=SEASONAL_NAIVE if period == WEEK else NAIVE,
        note=note,
    )


def forecast(
    dates: Sequence[date],
    values: Values,
    *,
    horizon: int = HORIZON,
    holidays: DaySpec | None = None,
    workdays: DaySpec | None = None,
    levels: Sequence[float] = LEVELS,
) -> Forecast:
    """Forecast the daily counts ``values`` (one per date in ``dates``; NaN or an absent day is
    missing) for the ``horizon`` days after the last date. ``holidays`` are the public holidays
    (days off), ``workdays`` the make-up working days; each a set of dates or a predicate,
    consulted for the history and the days ahead."""
    if not 1 <= horizon <= 366:
        raise ForecastInputError(gettext("The horizon must be between 1 and 366 days."))
    return _forecast_daily(
        _daily(dates, values),
        horizon=horizon,
        holidays=holidays,
        workdays=workdays,
        levels=levels,
    )


# --- the backtest ----------------------------------------------------------------------------


def mase_scale(train: Sequence[float] | Array, period: int = WEEK) -> float:
    """The in-sample mean absolute error of the seasonal-naive forecast on ``train`` (pairs with
    a missing day skipped); NaN when there is no pair."""
    values = np.asarray(train, dtype=float)
    if len(values) <= period:
        return math.nan
    differences = np.abs(values[period:] - values[:-period])
    differences = differences[~np.isnan(differences)]
    return float(differences.mean()) if differences.size else math.nan


def mase(
    train: Sequence[float] | Array,
    actual: Sequence[float] | Array,
    predicted: Sequence[float] | Array,
    period: int = WEEK,
) -> float:
    """The mean absolute error of ``predicted`` against ``actual`` (missing actuals skipped)
    over ``mase_scale(train, period)``."""
    errors = np.abs(np.asarray(actual, dtype=float) - np.asarray(predicted, dtype=float))
    errors = errors[~np.isnan(errors)]
    scale = mase_scale(train, period)
    if not errors.size or not scale > 0:
        return math.nan
    return float(errors.mean()) / scale


def origins(length: int, horizon: int = HORIZON, step: int = WEEK) -> list[int]:
    """The backtest's origins (the number of days seen), oldest first."""
    last = length - horizon
    first = max(length - 365, MIN_MODEL_DAYS, WEEK + 1)
    if last >= YEARLY_MIN_DAYS:
        first = max(first, YEARLY_MIN_DAYS)
    return list(range(last, first - 1, -step))[::-1]


def _quartiles(scores: Array) -> tuple[float, float]:
    if not scores.size:
        return math.nan, math.nan
    low, high = np.percentile(scores, [25, 75])
    return float(low), float(high)


def backtest(
    dates: Sequence[date],
    values: Values,
    *,
    horizon: int = HORIZON,
    holidays: DaySpec | None = None,
    workdays: DaySpec | None = None,
    step: int = WEEK,
) -> Backtest:
    """Rolling-origin MASE of ``forecast`` and of the seasonal-naive forecast."""
    series = _daily(dates, values)
    y = series.values
    scores: list[OriginScore] = []
    weeks = math.ceil(horizon / WEEK)
    week_errors: list[tuple[Array, Array]] = []
    previous: Array | None = None
    inside = dict.fromkeys(LEVELS, 0)
    tested = 0
    for origin in origins(len(y), horizon, step):
        train, actual = y[:origin], y[origin : origin + horizon]
        scale = mase_scale(train)
        if not scale > 0 or np.isnan(actual).all():
            continue
        result = _forecast_daily(
            _Daily(series.start, train),
            horizon=horizon,
            holidays=holidays,
            workdays=workdays,
            levels=LEVELS,
            start_params=previous,
        )
        seen = ~np.isnan(actual)
        tested += int(seen.sum())
        for interval in result.intervals:
            inside[interval.level] += int(
                np.sum((interval.lower <= actual) & (actual <= interval.upper) & seen)
            )
        if result.params.size:
            previous = result.params
        naive = seasonal_naive(train, horizon)
        scores.append(
            OriginScore(
                origin=series.day(origin),
                mase=mase(train, actual, result.point),
                mase_naive=mase(train, actual, naive),
                method=result.method,
            )
        )
        model_error = np.abs(actual - result.point) / scale
        naive_error = np.abs(actual - naive) / scale
        week_errors.append(
            (
                np.array(
                    [np.nanmean(model_error[w * WEEK : (w + 1) * WEEK]) for w in range(weeks)]
                ),
                np.array(
                    [np.nanmean(naive_error[w * WEEK : (w + 1) * WEEK]) for w in range(weeks)]
                ),
            )
        )
    model_scores = np.array([s.mase for s in scores])
    naive_scores = np.array([s.mase_naive for s in scores])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a week with no observed day
        by_week = tuple(
            (
                float(np.nanmean([m[w] for m, _ in week_errors])),
                float(np.nanmean([n[w] for _, n in week_errors])),
            )
            for w in range(weeks)
        )
    methods = Counter(s.method for s in scores)
    return Backtest(
        mase=float(model_scores.mean()) if scores else math.nan,
        mase_naive=float(naive_scores.mean()) if scores else math.nan,
        mase_p25=_quartiles(model_scores)[0],
        mase_p75=_quartiles(model_scores)[1],
        naive_p25=_quartiles(naive_scores)[0],
        naive_p75=_quartiles(naive_scores)[1],
        horizon=horizon,
        method=methods.most_common(1)[0][0] if methods else MODEL,
        origins=tuple(scores),
        by_week=by_week if scores else (),
        coverage=tuple((level, inside[level] / tested) for level in LEVELS) if tested else (),
    )


# --- the command line ------------------------------------------------------------------------


def read_series(
    path: str, *, date_column: str, value_column: str, holiday_column: str | None = None
) -> tuple[list[date], Array, set[date]]:
    """A CSV's dates, counts (an empty cell is a missing day) and holidays (a non-zero cell)."""
    table = read_csv(path)
    dcol, vcol = table.index(date_column), table.index(value_column)
    hcol = table.index(holiday_column) if holiday_column else None
    dates: list[date] = []
    values: list[float] = []
    holidays: set[date] = set()
    for row in range(len(table.rows)):
        text = table.cell(row, dcol)
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise InputError(
                gettext("Line %(line)d, column %(column)s: %(value)s is not a date (YYYY-MM-DD).")
                % {"line": table.lines[row], "column": date_column, "value": text}
            ) from None
        dates.append(day)
        values.append(math.nan if table.missing(row, vcol) else table.number(row, vcol))
        if hcol is not None and not table.missing(row, hcol) and table.number(row, hcol) != 0:
            holidays.add(day)
    return dates, np.array(values, dtype=float), holidays


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m gongzhi.spaces.forecast FILE.csv --date D --value Y [--holiday H]``."""
    parser = argparse.ArgumentParser(
        prog="python -m gongzhi.spaces.forecast",
        description="Rolling-origin backtest (MASE) of the daily demand forecast.",
    )
    parser.add_argument("file")
    parser.add_argument("--date", required=True)
    parser.add_argument("--value", required=True)
    parser.add_argument("--holiday")
    parser.add_argument("--horizon", type=int, default=HORIZON)
    args = parser.parse_args(argv)
    setup_translation()
    try:
        dates, values, holidays = read_series(
            args.file, date_column=args.date, value_column=args.value, holiday_column=args.holiday
        )
        if not 1 <= args.horizon <= 366:
            raise ForecastInputError(gettext("The horizon must be between 1 and 366 days."))
        result = backtest(dates, values, horizon=args.horizon, holidays=holidays or None)
    except OSError as error:
        return cannot_read(args.file, error)
    except InputError as error:
        return refuse(str(error))
    print(result.lines())
    return 0


if __name__ == "__main__":
    sys.exit(main())
