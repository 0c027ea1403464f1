"""Before and after within a community: the mean change with a bootstrap confidence interval
and an effect size.

Paired when the same people answered both waves (an identified survey, answers paired by
person): the change is the mean of each person's difference, resampled person by person.
Independent otherwise (anonymous waves, different people): the difference of the two means,
each wave resampled on its own. No ORM: the survey pages pass two arrays.

Sources
-------
- Efron, B. (1987). Better bootstrap confidence intervals. JASA 82(397), 171–185: the
  bias-corrected and accelerated (BCa) interval, computed by ``scipy.stats.bootstrap``.
- Cohen, J. (1988). Statistical power analysis for the behavioral sciences, 2nd ed., §2.3.5:
  d_z, the mean difference over the standard deviation of the differences (paired).
- Hedges, L. V. (1981). Distribution theory for Glass's estimator of effect size and related
  estimators. J. Educational Statistics 6(2), 107–128: g = J·d with the pooled standard
  deviation and J ≈ 1 − 3/(4(n₁ + n₂) − 9), the approximation pingouin's ``compute_effsize``
  also uses (independent samples).
"""

from __future__ import annotations

import inspect
import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils.translation import gettext
from scipy import stats


@dataclass(frozen=True)
class Change:
    """The change from one wave to the next, as the results page shows it."""

    before_mean: float
    after_mean: float
    difference: float  # after − before
    ci_low: float
    ci_high: float
    paired: bool
    n_before: int
    n_after: int
    n_pairs: int  # 0 when the waves are independent
    effect_size: float  # NaN when nothing varies
    effect_size_name: str  # "d_z" (paired) or "hedges_g"
    resamples: int
    seed: int


def _mean_difference_paired(before: np.ndarray, after: np.ndarray, axis: int = -1) -> Any:
    return np.mean(after - before, axis=axis)


def _mean_difference(before: np.ndarray, after: np.ndarray, axis: int = -1) -> Any:
    return np.mean(after, axis=axis) - np.mean(before, axis=axis)


# scipy ≥ 1.15 takes the generator as ``rng``; older versions as ``random_state``.
_RNG_KEYWORD = "rng" if "rng" in inspect.signature(stats.bootstrap).parameters else "random_state"


def _interval(
    data: tuple[np.ndarray, np.ndarray],
    statistic: Any,
    paired: bool,
    confidence: float,
    resamples: int,
    seed: int,
    method: str,
) -> tuple[float, float]:
    with warnings.catch_warnings():
        # scipy warns (DegenerateDataWarning, a RuntimeWarning) when BCa cannot be computed and
        # returns NaN bounds, which the caller handles.
        warnings.simplefilter("ignore", RuntimeWarning)
        result = stats.bootstrap(
            data,
            statistic,
            n_resamples=resamples,
            paired=paired,
            vectorized=True,
            confidence_level=confidence,
            method=method,
            **{_RNG_KEYWORD: np.random.default_rng(seed)},
        )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def before_after(
    before: np.ndarray,
    after: np.ndarray,
    *,
    paired: bool,
    confidence: float = 0.95,
    resamples: int = 9999,
    seed: int = 0,
) -> Change:
    """The mean change from ``before`` to ``after`` with a BCa bootstrap interval.

    Paired: ``before[i]`` and ``after[i]`` are the same person; the two arrays must be equally
    long and a pair with a missing value (NaN) on either side is dropped. Independent: missing
    values are dropped from each wave. At least two values (pairs) are needed on each side.
    When nothing varies the interval is the estimate itself; when BCa is undefined (almost every
    resample on one side of the estimate) the percentile interval of the same resamples is given.
    The same seed gives the same interval.
    """
    b = np.asarray(before, dtype=float).ravel()
    a = np.asarray(after, dtype=float).ravel()
    if not 0 < confidence < 1:
        raise ValueError(gettext("The confidence level must lie between 0 and 1."))
    if resamples < 1:
        raise ValueError(gettext("The bootstrap needs at least one resample."))
    if np.isinf(b).any() or np.isinf(a).any():
        raise ValueError(gettext("The answers contain an infinite value."))
    if paired:
        if b.shape != a.shape:
            raise ValueError(
                gettext("Paired waves need one value before and one after for every person.")
            )
        keep = ~(np.isnan(b) | np.isnan(a))
        b, a = b[keep], a[keep]
        if len(b) < 2:
            raise ValueError(
                gettext("A paired comparison needs at least two people in both waves.")
            )
        statistic = _mean_difference_paired
        differences = a - b
        spread = float(np.std(differences, ddof=1))
        difference = float(differences.mean())
        effect = difference / spread if spread > 0 else math.nan
        effect_name = "d_z"
        degenerate = spread == 0
    else:
        b, a = b[~np.isnan(b)], a[~np.isnan(a)]
        if len(b) < 2 or len(a) < 2:
            raise ValueError(gettext("Each wave needs at least two answers."))
        statistic = _mean_difference
        difference = float(a.mean() - b.mean())
        n1, n2 = len(b), len(a)
        pooled = math.sqrt(
            ((n1 - 1) * float(np.var(b, ddof=1)) + (n2 - 1) * float(np.var(a, ddof=1)))
            / (n1 + n2 - 2)
        )
        correction = 1 - 3 / (4 * (n1 + n2) - 9)
        effect = correction * difference / pooled if pooled > 0 else math.nan
        effect_name = "hedges_g"
        degenerate = pooled == 0
    if degenerate:
        low = high = difference
    else:
        low, high = _interval((b, a), statistic, paired, confidence, resamples, seed, "BCa")
        if not (math.isfinite(low) and math.isfinite(high)):
            # BCa's bias correction is undefined when (nearly) every resample lands on one side
            # of the estimate, as with a handful of tied answers; the percentile interval of the
            # same resamples is then the honest fallback.
            low, high = _interval(
                (b, a), statistic, paired, confidence, resamples, seed, "percentile"
            )
    return Change(
        before_mean=float(b.mean()),
        after_mean=float(a.mean()),
        difference=difference,
        ci_low=low,
        ci_high=high,
        paired=paired,
        n_before=len(b),
        n_after=len(a),
        n_pairs=len(b) if paired else 0,
        effect_size=effect,
        effect_size_name=effect_name,
        resamples=resamples,
        seed=seed,
    )
