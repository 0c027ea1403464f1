"""How reliable a survey scale's score is: Cronbach's alpha with its Feldt confidence interval,
McDonald's omega total, corrected item-total correlations, alpha-if-item-deleted, and the
reliability of a community's mean score (ICC(1), ICC(2)).

Plain NumPy/SciPy, no ORM: the survey pages call :func:`reliability` and
:func:`community_reliability` with a respondents × items matrix (reverse-keyed items already
reversed, NaN where an answer is missing), and ``python -m gongzhi.evaluation.alpha FILE.csv
[--missing listwise|pairwise]`` does the same for any CSV (one column per item, one row per
respondent, empty cells missing; UTF-8 with or without BOM, or GB18030).

Sources
-------
- Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
  Psychometrika 16(3), 297–334. alpha = k/(k−1) · (1 − tr(C) / 1'C1) for the items' covariance
  matrix C. With ``missing="pairwise"`` C is the pairwise-complete covariance matrix, as in
  pingouin's ``cronbach_alpha(nan_policy="pairwise")`` and R's ``psych::alpha(use="pairwise")``.
- Feldt, L. S., Woodruff, D. J. & Salih, F. A. (1987). Statistical inference for coefficient
  alpha. Applied Psychological Measurement 11(1), 93–103: (1 − alpha)/(1 − alpha_hat) follows
  F(n−1, (n−1)(k−1)), so the interval is 1 − (1 − alpha_hat)·F quantiles, as pingouin computes it.
- McDonald, R. P. (1999). Test theory: a unified treatment, ch. 6: omega total for a one-factor
  model, omega = (Σλ)² / ((Σλ)² + Σψ), with the model-implied variance of the unweighted sum in the
  denominator (Flora, D. B. (2020), Your coefficient alpha is probably wrong, but which
  coefficient omega is right?, AMPPS 3(4), 484–501, eq. 2). The one-factor model is fitted by
  maximum likelihood as Jöreskog (1967, Some contributions to maximum likelihood factor analysis,
  Psychometrika 32, 443–482) concentrates it and as R's ``factanal`` minimises it: the loadings
  are profiled out through the largest eigenvalue of Ψ^{-1/2} R Ψ^{-1/2} and the uniquenesses Ψ are
  found by L-BFGS-B within [0.005, 1] (Lawley & Maxwell 1971, Factor analysis as a statistical
  method, ch. 4).
- Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability. In Klein &
  Kozlowski (eds.), Multilevel theory, research, and methods in organizations, 349–381:
  ICC(1) = (MSB − MSW) / (MSB + (n₀ − 1)·MSW) and ICC(2) = (MSB − MSW) / MSB from a one-way ANOVA
  of respondents within communities; n₀ is the ANOVA's average group size for unequal groups
  (N − Σn_j²/N)/(J − 1). ICC(2) is the reliability of a community's mean score.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext
from scipy import optimize, stats

from gongzhi.evaluation.cli import InputError, cannot_read, read_csv, refuse, setup_translation

MISSING_POLICIES = ("listwise", "pairwise")

#: The lower bound of a uniqueness in the ML fit (R's factanal default). A uniqueness pressed
#: against it is a Heywood case: the one-factor solution is improper and omega is not reported.
_UNIQUENESS_FLOOR = 0.005
#: A variance smaller than this fraction of the items' summed variances is floating-point residue
#: of a cancellation (a sum of items that is constant), not variation.
_NOISE = 1e-10


@dataclass(frozen=True)
class Reliability:
    """A scale's reliability as the results page shows it beside the score."""

    alpha: float
    ci_low: float
    ci_high: float
    n: int
    k: int
    omega: float | None  # McDonald's omega total, one-factor model; None if not estimable
    item_total: tuple[float, ...]  # corrected item-total correlations, one per item
    alpha_if_deleted: tuple[float, ...]


@dataclass(frozen=True)
class GroupReliability:
    """How much of the score's variation lies between communities (ICC(1)) and how reliable a
    community's mean score is (ICC(2)); Bliese (2000)."""

    icc1: float
    icc2: float
    communities: int
    mean_size: float  # n₀, the ANOVA's average community size (= the size when all are equal)
    n: int  # respondents with a score


def _matrix(items: np.ndarray) -> np.ndarray:
    data = np.asarray(items, dtype=float)
    if data.ndim != 2:
        raise ValueError(gettext("The answers must be a table: one row per respondent."))
    if data.shape[1] < 2:
        raise ValueError(gettext("A scale needs at least two items."))
    if np.isinf(data).any():
        raise ValueError(gettext("The answers contain an infinite value."))
    return data


def _check_missing(missing: str) -> None:
    if missing not in MISSING_POLICIES:
        raise ValueError(
            gettext("Missing answers are handled listwise or pairwise, not %(policy)s.")
            % {"policy": missing}
        )


def _covariance(data: np.ndarray, missing: str) -> tuple[np.ndarray, int]:
    """The items' covariance matrix and the number of respondents n it stands for.

    Listwise: respondents with every item answered; n is their number. Pairwise: each
    covariance from the respondents who answered both items (pandas' ``DataFrame.cov``, which
    pingouin uses); n is every respondent who answered at least one item, which is the n pingouin
    puts into the Feldt interval (it uses the number of rows; a row with no answer at all is not a
    respondent of the scale, so it is left out here).
    """
    _check_missing(missing)
    observed = ~np.isnan(data)
    if missing == "listwise":
        complete = data[observed.all(axis=1)]
        if complete.shape[0] < 2:
            raise ValueError(gettext("At least two respondents must have answered every item."))
        return np.cov(complete, rowvar=False, ddof=1), int(complete.shape[0])
    answered = data[observed.any(axis=1)]
    observed = ~np.isnan(answered)
    k = answered.shape[1]
    cov = np.empty((k, k))
    for i in range(k):
        for j in range(i, k):
            both = observed[:, i] & observed[:, j]
            if both.sum() < 2:
                raise ValueError(
                    gettext("At least two respondents must have answered each pair of items.")
                )
            x, y = answered[both, i], answered[both, j]
            cov[i, j] = cov[j, i] = float(np.dot(x - x.mean(), y - y.mean()) / (both.sum() - 1))
    return cov, int(answered.shape[0])


def _alpha_from_cov(cov: np.ndarray) -> float:
    k = cov.shape[0]
    total = float(cov.sum())
    # Relative to the items' own variance: a total that is rounding noise is no variance.
    if not total > _NOISE * float(np.trace(cov)):
        raise ValueError(gettext("The answers do not vary, so reliability cannot be estimated."))
    return (k / (k - 1)) * (1.0 - float(np.trace(cov)) / total)


def _feldt(alpha: float, n: int, k: int, confidence: float) -> tuple[float, float]:
    if not 0 < confidence < 1:
        raise ValueError(gettext("The confidence level must lie between 0 and 1."))
    tail = 1 - confidence
    df1 = n - 1
    df2 = df1 * (k - 1)
    low = 1 - (1 - alpha) * float(stats.f.isf(tail / 2, df1, df2))
    high = 1 - (1 - alpha) * float(stats.f.isf(1 - tail / 2, df1, df2))
    # A pairwise covariance matrix that is not positive semi-definite can give alpha > 1, which
    # turns Feldt's bounds round (pingouin returns them so); the interval is kept in order.
    return min(low, high), max(low, high)


def cronbach_alpha(
    items: np.ndarray, *, missing: str = "listwise", confidence: float = 0.95
) -> tuple[float, float, float, int]:
    """Cronbach's alpha, its Feldt confidence interval and n: ``(alpha, ci_low, ci_high, n)``.

    ``items`` is respondents × items with NaN for a missing answer. ``missing="listwise"`` keeps
    the respondents who answered every item; ``"pairwise"`` uses the pairwise-complete covariance
    matrix (see :func:`_covariance` for n).
    """
    data = _matrix(items)
    cov, n = _covariance(data, missing)
    alpha = _alpha_from_cov(cov)
    low, high = _feldt(alpha, n, data.shape[1], confidence)
    return alpha, low, high, n


def _item_statistics(cov: np.ndarray) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Corrected item-total correlations (each item with the sum of the others) and
    alpha-if-item-deleted, both from the covariance matrix, so they follow the missing policy.
    With two items, alpha of the one item left is not defined: NaN."""
    k = cov.shape[0]
    total = float(cov.sum())
    item_total: list[float] = []
    if_deleted: list[float] = []
    for i in range(k):
        rest_cov = float(cov[i].sum() - cov[i, i])
        rest_var = total - 2 * float(cov[i].sum()) + float(cov[i, i])
        noise = _NOISE * float(np.trace(cov))
        if cov[i, i] > noise and rest_var > noise:
            item_total.append(rest_cov / math.sqrt(cov[i, i] * rest_var))
        else:
            item_total.append(math.nan)
        keep = [j for j in range(k) if j != i]
        sub = cov[np.ix_(keep, keep)]
        if len(keep) < 2 or not float(sub.sum()) > _NOISE * float(np.trace(sub)):
            if_deleted.append(math.nan)
        else:
            if_deleted.append(_alpha_from_cov(sub))
    return tuple(item_total), tuple(if_deleted)


def _one_factor_ml(correlation: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Loadings and uniquenesses of a one-factor ML fit of a correlation matrix, or None when the
    fit fails to converge or is a Heywood case (a uniqueness at the floor)."""
    p = correlation.shape[0]
    try:
        inverse = np.linalg.inv(correlation)
    except np.linalg.LinAlgError:
        return None
    # factanal's start: 1 − 0.5·factors/p over the diagonal of R⁻¹ (squared multiple correlations).
    start = np.clip((1 - 0.5 / p) / np.diag(inverse), _UNIQUENESS_FLOOR, 1.0)

    def scaled(psi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        scale = 1 / np.sqrt(psi)
        values, vectors = np.linalg.eigh(correlation * np.outer(scale, scale))
        return values[::-1], vectors[:, ::-1]

    def objective(psi: np.ndarray) -> float:
        values = scaled(psi)[0][1:]
        return -float(np.sum(np.log(values) - values)) - 1 + p

    def gradient(psi: np.ndarray) -> np.ndarray:
        loadings = _loadings(psi)
        fitted = np.outer(loadings, loadings) + np.diag(psi) - correlation
        return np.diag(fitted) / psi**2

    def _loadings(psi: np.ndarray) -> np.ndarray:
        values, vectors = scaled(psi)
        return np.sqrt(psi) * vectors[:, 0] * math.sqrt(max(values[0] - 1, 0.0))

    with np.errstate(all="ignore"):
        result = optimize.minimize(
            objective,
            start,
            jac=gradient,
            method="L-BFGS-B",
            bounds=[(_UNIQUENESS_FLOOR, 1.0)] * p,
            options={"maxiter": 1000, "ftol": 1e-12, "gtol": 1e-9},
        )
    if not result.success or not np.all(np.isfinite(result.x)):
        return None
    psi = np.asarray(result.x, dtype=float)
    if np.any(psi <= _UNIQUENESS_FLOOR * 1.0001):
        return None
    loadings = _loadings(psi)
    if loadings.sum() < 0:
        loadings = -loadings
    return loadings, psi


def omega_total(items: np.ndarray, *, missing: str = "listwise") -> float | None:
    """McDonald's omega total of the unweighted sum of the items from a one-factor ML model.

    The model is fitted to the correlation matrix (ML is scale-free) and the loadings are put back
    on the items' own scales, since the score is the sum (or mean) of the raw items. None when the
    model cannot be estimated: fewer than three items (one factor is not identified with two),
    a covariance matrix that is not positive definite (fewer respondents than items, an item that
    does not vary, or an inconsistent pairwise matrix), no convergence, or a Heywood case.
    """
    data = _matrix(items)
    if data.shape[1] < 3:
        return None
    try:
        cov, _n = _covariance(data, missing)
    except ValueError:
        return None
    sd = np.sqrt(np.diag(cov))
    if not np.all(sd > 0):
        return None
    correlation = cov / np.outer(sd, sd)
    if np.linalg.eigvalsh(correlation)[0] <= 1e-10:
        return None
    fit = _one_factor_ml(correlation)
    if fit is None:
        return None
    loadings, uniquenesses = fit
    common = float(np.sum(loadings * sd)) ** 2
    unique = float(np.sum(uniquenesses * sd**2))
    return common / (common + unique)


def reliability(items: np.ndarray, *, missing: str = "listwise") -> Reliability:
    """Everything the results page shows beside a scale's score."""
    data = _matrix(items)
    cov, n = _covariance(data, missing)
    alpha = _alpha_from_cov(cov)
    low, high = _feldt(alpha, n, data.shape[1], 0.95)
    item_total, if_deleted = _item_statistics(cov)
    return Reliability(
        alpha=alpha,
        ci_low=low,
        ci_high=high,
        n=n,
        k=int(data.shape[1]),
        omega=omega_total(data, missing=missing),
        item_total=item_total,
        alpha_if_deleted=if_deleted,
    )


def community_reliability(scores: np.ndarray, communities: np.ndarray) -> GroupReliability:
    """ICC(1) and ICC(2) of respondents' scores within communities (one-way ANOVA; Bliese 2000).

    Respondents without a score (NaN) are left out. Both coefficients can be negative when
    communities differ less than chance would make them; they are reported as computed.
    """
    values = np.asarray(scores, dtype=float).ravel()
    groups = np.asarray(communities).ravel()
    if values.shape != groups.shape:
        raise ValueError(gettext("Every score needs its community."))
    keep = ~np.isnan(values)
    values, groups = values[keep], groups[keep]
    labels, index = np.unique(groups, return_inverse=True)
    sizes = np.bincount(index).astype(float)
    j, total = len(labels), len(values)
    if j < 2:
        raise ValueError(gettext("Community reliability needs at least two communities."))
    if total - j < 1:
        raise ValueError(
            gettext("Community reliability needs a community with more than one respondent.")
        )
    means = np.bincount(index, weights=values) / sizes
    grand = values.mean()
    msb = float(np.sum(sizes * (means - grand) ** 2)) / (j - 1)
    msw = float(np.sum((values - means[index]) ** 2)) / (total - j)
    if not msb > 0:
        raise ValueError(gettext("The scores do not vary, so reliability cannot be estimated."))
    n0 = (total - float(np.sum(sizes**2)) / total) / (j - 1)
    icc1 = (msb - msw) / (msb + (n0 - 1) * msw)
    icc2 = (msb - msw) / msb
    return GroupReliability(icc1=icc1, icc2=icc2, communities=j, mean_size=n0, n=total)


# --- command line ------------------------------------------------------------------------------


def read_items_csv(path: str | os.PathLike[str]) -> tuple[list[str], np.ndarray]:
    """A CSV with one column per item and one row per respondent (``cli.read_csv``); a missing
    cell is NaN, any other cell must be a number."""
    table = read_csv(path)
    values = np.full((len(table.rows), len(table.header)), np.nan)
    for r, row in enumerate(table.rows):
        if len(row) != len(table.header):
            raise InputError(
                gettext("Line %(line)d has %(found)d cells; the header has %(expected)d.")
                % {"line": table.lines[r], "found": len(row), "expected": len(table.header)}
            )
        for c in range(len(table.header)):
            if not table.missing(r, c):
                values[r, c] = table.number(r, c)
    return list(table.header), values


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m gongzhi.evaluation.alpha FILE.csv [--missing listwise|pairwise]``."""
    parser = argparse.ArgumentParser(
        prog="python -m gongzhi.evaluation.alpha",
        description="Cronbach's alpha with its Feldt 95% confidence interval.",
    )
    parser.add_argument("file")
    parser.add_argument("--missing", choices=MISSING_POLICIES, default="listwise")
    args = parser.parse_args(argv)
    setup_translation()
    try:
        _header, values = read_items_csv(args.file)
        alpha, low, high, n = cronbach_alpha(values, missing=args.missing)
    except OSError as error:
        return cannot_read(args.file, error)
    except ValueError as error:
        return refuse(str(error))
    print(f"alpha={alpha!r}\nci_low={low!r}\nci_high={high!r}\nn={n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
