"""Difference-in-differences (双重差分): did the communities that got an intervention change more
than those that did not?

The model is the textbook one (Wooldridge, *Introductory Econometrics*, section 13.2; Angrist &
Pischke, *Mostly Harmless Econometrics*, 5.2)::

    y = b0 + b1 treated + b2 post + d treated*post [+ covariates] + error

fitted by OLS (statsmodels); ``d`` is the estimate. Its standard error is one of

* ``classical``: the OLS formula, t with n - k degrees of freedom;
* ``hc1``: heteroskedasticity-robust (MacKinnon & White 1985's HC1), t with n - k;
* ``cluster`` (the default when clusters are given): cluster-robust with a small-sample
  correction, CR3 -- see below -- and t with G - 1 degrees of freedom (G clusters);
* ``cr1``: plain cluster-robust errors (Liang & Zeger 1986 with Stata's G/(G-1) (n-1)/(n-k)
  factor, statsmodels' ``cov_type="cluster"``), t with G - 1; kept for comparison only;
* ``cr2``: the bias-reduced linearisation of Bell & McCaffrey (2002) with their Satterthwaite
  degrees of freedom (Imbens & Kolesar 2016; Pustejovsky & Tipton 2018); for comparison.

Why CR3 for ``cluster``. A street has 10-20 communities and often only a few of them get an
intervention; plain CR1 errors are then too small. The issue fixes the reference distribution
as t with G - 1 degrees of freedom, and with that CR2 is still a little short when few
communities are treated (it needs its own Satterthwaite degrees of freedom, about 7 rather than
19 with 5 of 20 treated, to reach 95 %). CR3 is the leave-one-cluster-out jackknife,
``V = sum_g (b_(g) - b)(b_(g) - b)' = B (sum_g X_g' A_g e_g e_g' A_g X_g) B`` with
``A_g = (I - H_gg)^-1`` and ``B = (X'X)^-1`` (Bell & McCaffrey 2002, "Bias reduction in standard
errors for linear regression with multi-stage samples", Survey Methodology 28(2); it is
MacKinnon, Nielsen & Webb's CV3 without their (G-1)/G factor: "Cluster-robust inference: a
guide to empirical practice", J. Econometrics 232, 2023, who recommend the jackknife with
t(G-1) when clusters are few). In ``make bench-analysis`` (20 communities, 8 periods, AR(1)
errors rho 0.5 and a community effect; 3 seeds x 1,000 streets with an effect and 1,000
without, half with 5 and half with 10 treated) its 95 % interval covered the effect 95.6 % of
the time (per seed 94.6-96.4 %; 5 treated 95.0 %, 10 treated 96.1 %) and rejected a true null
4.7 % of the time (5 treated 5.1 %); plain CR1 covered 93.5 % and, with 5 treated, 92.5 % with
7.9 % false positives; CR2 with t(G-1) covered 93.4 % with 7.0 % false positives with 5
treated; CV3 with its (G-1)/G factor 94.5 % there. CR3 keeps t(G-1) and a margin on both sides
of the 93-97 % band; docs/performance.md holds the full table.

When a cluster's block ``I - H_gg`` is singular (unit fixed effects nested in clusters, as in
the event study) its Moore-Penrose inverse is used, as Pustejovsky & Tipton (2018) do for CR2;
the residuals lie where it is a true inverse, and there it gives the jackknife of the
within-transformed regression.

``wild_cluster_bootstrap`` is the second opinion: the restricted wild cluster bootstrap (WCR) of
Cameron, Gelbach & Miller (2008) with Webb (2023) six-point weights (or Rademacher), its
t statistic studentised with CR1, the p-value symmetric, the confidence interval by test
inversion (Roodman, Nielsen, MacKinnon & Webb 2019, "Fast and wild", Stata Journal 19(1)): the
bootstrap statistic is a ratio of an affine and the root of a quadratic function of the null
value, so every null value costs a few vector operations, with no refit.

``event_study`` fits unit and period fixed effects with leads and lags of the adoption, so the
parallel-trends assumption can be looked at (with staggered adoption and effects that change
over time these two-way fixed-effects coefficients mix cohorts: Sun & Abraham 2021).

The command line (an interface others script against)::

    python -m gongzhi.evaluation.did FILE.csv --outcome Y --treated G --post T [--cluster C]
        [--covariate X ...] [--se classical|hc1|cluster]

prints ``estimate=``, ``se=``, ``ci_low=``, ``ci_high=``, ``n=``, one per line, at full float
precision; bad input is a translated message on stderr, exit code 2, nothing on stdout.
No ORM here: numbers in, numbers out.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils.translation import gettext
from scipy import stats

from gongzhi.evaluation.cli import (
    InputError,
    Table,
    cannot_read,
    read_csv,
    refuse,
    setup_translation,
)

SE_KINDS = ("classical", "hc1", "cluster", "cr1", "cr2")
CLI_SE_KINDS = ("classical", "hc1", "cluster")
INTERACTION = 3  # column of treated*post in the design: const, treated, post, treated*post
WEBB = np.array([-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0, math.sqrt(1.5)])


class DidInputError(InputError):
    """Input that cannot be analysed; the message is translated and says what to fix."""


@dataclass(frozen=True)
class DidResult:
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    n: int
    se_kind: str  # one of SE_KINDS
    clusters: int | None
    df: float | None  # degrees of freedom of the t reference distribution
    p_value: float
    method_note: str  # which standard error and correction, in plain (translated) words


@dataclass(frozen=True)
class WildResult:
    estimate: float
    p_value: float
    ci_low: float
    ci_high: float
    n: int
    clusters: int
    reps: int
    seed: int
    weights: str  # "webb" | "rademacher"


@dataclass(frozen=True)
class EventStudy:
    periods: tuple[int, ...]  # relative period (..., -3, -2, 0, 1, ...); -1 is the reference
    estimates: tuple[float, ...]
    ci_low: tuple[float, ...]
    ci_high: tuple[float, ...]
    n: int
    clusters: int


# ---------------------------------------------------------------------------------------------
# Inputs


def _vector(values: Any, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 1:
        raise DidInputError(gettext("%(name)s must be one column of numbers.") % {"name": name})
    if not np.all(np.isfinite(array)):
        raise DidInputError(gettext("%(name)s has a missing or infinite value.") % {"name": name})
    return array


def _binary(values: Any, name: str) -> np.ndarray:
    array = _vector(values, name)
    if not np.all((array == 0) | (array == 1)):
        raise DidInputError(gettext("%(name)s must hold only 0 and 1.") % {"name": name})
    return array


def _cluster_codes(cluster: Any, n: int) -> tuple[np.ndarray, int]:
    labels = np.asarray(cluster)
    if labels.ndim != 1 or len(labels) != n:
        raise DidInputError(gettext("Every row needs its cluster."))
    _, codes = np.unique(labels.astype(str), return_inverse=True)
    clusters = int(codes.max()) + 1 if n else 0
    if clusters < 2:
        raise DidInputError(
            gettext("Cluster-robust standard errors need at least two clusters; there is only one.")
        )
    return codes.astype(np.intp), clusters


def _design(treated: np.ndarray, post: np.ndarray, covariates: Any | None) -> np.ndarray:
    n = len(treated)
    columns = [np.ones(n), treated, post, treated * post]
    if covariates is not None:
        extra = np.asarray(covariates, dtype=float)
        if extra.ndim == 1:
            extra = extra[:, None]
        if extra.ndim != 2 or extra.shape[0] != n:
            raise DidInputError(gettext("Every row needs a value of every covariate."))
        if not np.all(np.isfinite(extra)):
            raise DidInputError(gettext("A covariate has a missing or infinite value."))
        columns.extend(extra.T)
    return np.column_stack(columns)


def _check_design(x: np.ndarray, treated: np.ndarray, post: np.ndarray) -> None:
    for t in (0.0, 1.0):
        for p in (0.0, 1.0):
            if not np.any((treated == t) & (post == p)):
                raise DidInputError(
                    gettext(
                        "The data need observations in all four groups: treated and "
                        "comparison, each before and after."
                    )
                )
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise DidInputError(
            gettext("A covariate is collinear with the treatment, the period or another covariate.")
        )
    if x.shape[0] <= x.shape[1]:
        raise DidInputError(gettext("There are too few rows for this many covariates."))


# ---------------------------------------------------------------------------------------------
# Cluster-robust variances


def _inverse_power(matrix: np.ndarray, power: float) -> np.ndarray:
    """``matrix ** -power`` for a symmetric positive semi-definite matrix, with the
    Moore-Penrose convention on its null space (eigenvalues below 1e-10 count as zero)."""
    values, vectors = np.linalg.eigh(matrix)
    keep = values > 1e-10
    scaled = np.zeros_like(values)
    scaled[keep] = values[keep] ** -power
    return (vectors * scaled) @ vectors.T


def cluster_vcov(
    x: np.ndarray, residuals: np.ndarray, codes: np.ndarray, clusters: int, kind: str
) -> np.ndarray:
    """The cluster-robust covariance matrix of OLS coefficients: ``kind`` is ``cr1`` (Liang &
    Zeger with the G/(G-1) (n-1)/(n-k) factor), ``cr2`` (Bell & McCaffrey's bias-reduced
    linearisation, ``A_g = (I - H_gg)^-1/2``) or ``cr3`` (their jackknife, ``(I - H_gg)^-1``)."""
    n, k = x.shape
    bread = np.linalg.inv(x.T @ x)
    meat = np.zeros((k, k))
    for g in range(clusters):
        rows = codes == g
        xg = x[rows]
        eg = residuals[rows]
        if kind != "cr1":
            hat = xg @ bread @ xg.T
            eg = _inverse_power(np.eye(len(eg)) - hat, 0.5 if kind == "cr2" else 1.0) @ eg
        score = xg.T @ eg
        meat += np.outer(score, score)
    vcov = bread @ meat @ bread
    if kind == "cr1":
        vcov *= clusters / (clusters - 1) * (n - 1) / (n - k)
    elif kind not in ("cr2", "cr3"):
        raise ValueError(kind)
    return vcov


def bell_mccaffrey_df(x: np.ndarray, codes: np.ndarray, clusters: int, column: int) -> float:
    """Satterthwaite degrees of freedom of the CR2 variance of one coefficient under working
    independence (Bell & McCaffrey 2002, Imbens & Kolesar 2016 eq. 9)."""
    n = x.shape[0]
    bread = np.linalg.inv(x.T @ x)
    annihilator = np.eye(n) - x @ bread @ x.T
    contrast = bread[:, column]
    g_matrix = np.zeros((n, clusters))
    for g in range(clusters):
        rows = codes == g
        xg = x[rows]
        adjust = _inverse_power(np.eye(int(rows.sum())) - xg @ bread @ xg.T, 0.5)
        g_matrix[:, g] = annihilator[:, rows] @ (adjust @ (xg @ contrast))
    eigen = np.linalg.eigvalsh(g_matrix.T @ g_matrix)
    return float(eigen.sum() ** 2 / (eigen**2).sum())


# ---------------------------------------------------------------------------------------------
# The estimate


def _note(se_kind: str, clusters: int | None, df: float | None) -> str:
    if se_kind == "classical":
        return gettext(
            "Classical OLS standard error: it assumes independent errors of equal variance."
        )
    if se_kind == "hc1":
        return gettext(
            "Heteroskedasticity-robust (HC1) standard error: it assumes independent rows."
        )
    words = {"clusters": clusters, "df": df}
    if se_kind == "cluster":
        return (
            gettext(
                "Cluster-robust standard error with the small-sample jackknife correction (CR3,"
                " Bell & McCaffrey 2002) over %(clusters)d clusters; t with %(df).0f degrees "
                "of freedom."
            )
            % words
        )
    if se_kind == "cr1":
        return (
            gettext(
                "Plain cluster-robust standard error (CR1) over %(clusters)d clusters, without "
                "a small-sample correction; t with %(df).0f degrees of freedom. With few "
                "clusters it is too small."
            )
            % words
        )
    return (
        gettext(
            "Cluster-robust standard error with the bias-reduced correction (CR2, Bell & "
            "McCaffrey 2002) over %(clusters)d clusters; t with %(df).1f Satterthwaite degrees"
            " of freedom."
        )
        % words
    )


def did(
    y: Any,
    treated: Any,
    post: Any,
    *,
    cluster: Any | None = None,
    covariates: Any | None = None,
    se: str | None = None,
    confidence: float = 0.95,
) -> DidResult:
    """The difference-in-differences estimate of ``treated*post`` with its standard error and
    confidence interval. ``y``, ``treated``, ``post`` are equally long; ``treated`` and
    ``post`` hold 0/1; ``cluster`` holds a label per row (community); ``covariates`` is an
    n x k array. ``se`` defaults to ``cluster`` when clusters are given, else ``hc1``."""
    if not 0 < confidence < 1:
        raise DidInputError(gettext("The confidence level must lie between 0 and 1."))
    kind = se or ("cluster" if cluster is not None else "hc1")
    if kind not in SE_KINDS:
        raise DidInputError(gettext("Unknown kind of standard error: %(kind)s") % {"kind": kind})
    yv = _vector(y, "y")
    tv = _binary(treated, "treated")
    pv = _binary(post, "post")
    if not len(yv) == len(tv) == len(pv):
        raise DidInputError(gettext("The outcome, treated and post columns differ in length."))
    if len(yv) == 0:
        raise DidInputError(gettext("There are no rows to analyse."))
    x = _design(tv, pv, covariates)
    _check_design(x, tv, pv)
    n, k = x.shape
    from statsmodels.regression.linear_model import OLS  # 1.3 s to import: not at start-up

    model = OLS(yv, x)
    clusters: int | None = None
    df: float
    if kind in ("classical", "hc1"):
        fit = model.fit(cov_type="nonrobust" if kind == "classical" else "HC1", use_t=True)
        variance = float(fit.cov_params()[INTERACTION, INTERACTION])
        df = float(n - k)
    else:
        if cluster is None:
            raise DidInputError(gettext("Cluster-robust standard errors need a cluster column."))
        codes, clusters = _cluster_codes(cluster, n)
        if kind == "cr1":
            fit = model.fit(cov_type="cluster", cov_kwds={"groups": codes}, use_t=True)
            variance = float(fit.cov_params()[INTERACTION, INTERACTION])
            df = float(clusters - 1)
        else:
            fit = model.fit()
            vcov = cluster_vcov(x, fit.resid, codes, clusters, "cr3" if kind == "cluster" else kind)
            variance = float(vcov[INTERACTION, INTERACTION])
            if kind == "cr2":
                df = bell_mccaffrey_df(x, codes, clusters, INTERACTION)
            else:
                df = float(clusters - 1)
    estimate = float(fit.params[INTERACTION])
    se_value = math.sqrt(max(variance, 0.0))
    quantile = float(stats.t.ppf(0.5 + confidence / 2, df))
    if se_value > 0:
        p_value = float(2 * stats.t.sf(abs(estimate) / se_value, df))
    else:
        p_value = 0.0 if estimate != 0 else 1.0
    return DidResult(
        estimate=estimate,
        se=se_value,
        ci_low=estimate - quantile * se_value,
        ci_high=estimate + quantile * se_value,
        n=n,
        se_kind=kind,
        clusters=clusters,
        df=df,
        p_value=p_value,
        method_note=_note(kind, clusters, df),
    )


# ---------------------------------------------------------------------------------------------
# The wild cluster bootstrap


def _bootstrap_weights(kind: str, reps: int, clusters: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if kind == "webb":
        return WEBB[rng.integers(0, 6, size=(reps, clusters))]
    if kind == "rademacher":
        return rng.choice(np.array([-1.0, 1.0]), size=(reps, clusters))
    raise DidInputError(gettext("Unknown bootstrap weights: %(kind)s") % {"kind": kind})


class _WildStatistic:
    """The restricted wild cluster bootstrap's t statistics as functions of the null value
    ``b0`` (Roodman et al. 2019): with ``a = M_Z y`` and ``c = M_Z d`` the restricted residuals
    are ``a - b0 c``, so each draw's numerator is affine and its CR1 variance quadratic in
    ``b0``."""

    def __init__(
        self, x: np.ndarray, y: np.ndarray, codes: np.ndarray, clusters: int, weights: np.ndarray
    ) -> None:
        n, k = x.shape
        self.factor = clusters / (clusters - 1) * (n - 1) / (n - k)
        bread = np.linalg.inv(x.T @ x)
        hat_rows = bread @ x.T  # k x n: coefficient = hat_rows @ y
        u = hat_rows[INTERACTION]
        z = np.delete(x, INTERACTION, axis=1)
        d = x[:, INTERACTION]
        z_solve = np.linalg.lstsq(z, np.column_stack([y, d]), rcond=None)[0]
        restricted = np.column_stack([y, d]) - z @ z_solve
        a, c = restricted[:, 0], restricted[:, 1]
        self.estimate = float(u @ y)
        residuals = y - x @ (hat_rows @ y)
        membership = np.zeros((n, clusters))
        membership[np.arange(n), codes] = 1.0
        scores = (u * residuals) @ membership
        self.se = math.sqrt(self.factor * float(scores @ scores))
        # A draw multiplies every residual of cluster g by the same weight w_g, so everything
        # collapses to cluster sums: with alpha_g = sum_g u_i r_i, R_g = sum_g x_i r_i and
        # C_g = sum_g u_i x_i, a draw's numerator is w @ alpha and its cluster scores are
        # w * alpha - (w @ R) (X'X)^-1 C' -- reps x G arrays, never reps x n.
        cross = bread @ (membership.T @ (u[:, None] * x)).T  # k x G
        parts = []
        for r in (a, c):
            alpha_g = membership.T @ (u * r)
            sums = membership.T @ (x * r[:, None])  # G x k
            parts.append((weights @ alpha_g, weights * alpha_g - (weights @ sums) @ cross))
        (self.num_a, self.s_a), (self.num_c, self.s_c) = parts
        self.q0 = np.einsum("bg,bg->b", self.s_a, self.s_a)
        self.q1 = np.einsum("bg,bg->b", self.s_a, self.s_c)
        self.q2 = np.einsum("bg,bg->b", self.s_c, self.s_c)

    def p_value(self, b0: float) -> float:
        observed = abs(self.estimate - b0) / self.se if self.se > 0 else math.inf
        numerator = self.num_a - b0 * self.num_c
        variance = self.factor * (self.q0 - 2 * b0 * self.q1 + b0 * b0 * self.q2)
        with np.errstate(divide="ignore", invalid="ignore"):
            t_star = np.abs(numerator) / np.sqrt(np.maximum(variance, 0.0))
        t_star = np.where(np.isnan(t_star), 0.0, t_star)
        return float(np.mean(t_star >= observed))


def _bound(statistic: _WildStatistic, alpha: float, direction: float) -> float:
    """Where the bootstrap p-value falls to ``alpha`` on one side of the estimate: step out in
    standard errors until it does, then bisect."""
    step = statistic.se if statistic.se > 0 else 1.0
    inside = statistic.estimate
    outside = inside + direction * step
    for _ in range(60):
        if statistic.p_value(outside) <= alpha:
            break
        inside, outside = outside, outside + direction * step
        step *= 2
    else:
        return math.inf * direction
    for _ in range(60):
        middle = (inside + outside) / 2
        if statistic.p_value(middle) > alpha:
            inside = middle
        else:
            outside = middle
        if abs(outside - inside) <= 1e-9 * max(1.0, abs(statistic.estimate), statistic.se):
            break
    return (inside + outside) / 2


def wild_cluster_bootstrap(
    y: Any,
    treated: Any,
    post: Any,
    *,
    cluster: Any,
    covariates: Any | None = None,
    reps: int = 999,
    seed: int = 0,
    weights: str = "webb",
    confidence: float = 0.95,
) -> WildResult:
    """Restricted wild cluster bootstrap (WCR) of the difference-in-differences estimate: the
    symmetric p-value of ``treated*post = 0`` and the confidence interval by test inversion."""
    if reps < 9:
        raise DidInputError(gettext("The bootstrap needs at least 9 replications."))
    yv = _vector(y, "y")
    tv = _binary(treated, "treated")
    pv = _binary(post, "post")
    if not len(yv) == len(tv) == len(pv) or len(yv) == 0:
        raise DidInputError(gettext("The outcome, treated and post columns differ in length."))
    x = _design(tv, pv, covariates)
    _check_design(x, tv, pv)
    codes, clusters = _cluster_codes(cluster, len(yv))
    draws = _bootstrap_weights(weights, reps, clusters, seed)
    statistic = _WildStatistic(x, yv, codes, clusters, draws)
    alpha = 1 - confidence
    return WildResult(
        estimate=statistic.estimate,
        p_value=statistic.p_value(0.0),
        ci_low=_bound(statistic, alpha, -1.0),
        ci_high=_bound(statistic, alpha, 1.0),
        n=len(yv),
        clusters=clusters,
        reps=reps,
        seed=seed,
        weights=weights,
    )


# ---------------------------------------------------------------------------------------------
# The event study


def _dummies(labels: np.ndarray) -> np.ndarray:
    """Indicator columns for every level but the first."""
    _, codes = np.unique(labels, return_inverse=True)
    levels = int(codes.max()) + 1
    out = np.zeros((len(labels), max(levels - 1, 0)))
    rows = codes > 0
    out[np.flatnonzero(rows), codes[rows] - 1] = 1.0
    return out


def event_study(
    y: Any,
    unit: Any,
    period: Any,
    first_treated_period: Any,
    *,
    cluster: Any | None = None,
    leads: int = 3,
    lags: int = 3,
    confidence: float = 0.95,
) -> EventStudy:
    """Two-way fixed effects with event-time indicators: ``y = unit + period + sum_r b_r
    1[period - first_treated = r] + error`` for r in -leads..lags except -1 (the reference);
    earlier and later periods are binned into the end points. ``first_treated_period`` is NaN
    (or None) for never-treated units. Standard errors as ``did``'s default: CR3 clustered by
    ``cluster`` (else by unit), t with G - 1 degrees of freedom. Leads near zero are what
    parallel trends predict; they do not prove it."""
    yv = _vector(y, "y")
    periods = _vector(period, "period")
    first = np.asarray(
        [math.nan if v is None else float(v) for v in np.asarray(first_treated_period).tolist()]
    )
    units = np.asarray(unit).astype(str)
    if not len(yv) == len(periods) == len(first) == len(units):
        raise DidInputError(gettext("Every row needs its unit, period and adoption period."))
    if leads < 1 or lags < 0:
        raise DidInputError(gettext("An event study needs at least one lead."))
    treated_rows = np.isfinite(first)
    relative = np.where(treated_rows, periods - np.where(treated_rows, first, 0.0), math.nan)
    relative = np.clip(relative, -leads, lags)
    wanted = [r for r in range(-leads, lags + 1) if r != -1]
    event_columns = []
    kept = []
    for r in wanted:
        column = (relative == r).astype(float)
        if column.any():
            event_columns.append(column)
            kept.append(r)
    if not kept:
        raise DidInputError(gettext("No unit is ever treated."))
    x = np.column_stack(
        [np.ones(len(yv)), *event_columns, _dummies(units), _dummies(periods.astype(str))]
    )
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise DidInputError(
            gettext(
                "The event study is not identified: it needs units never treated (or treated "
                "later) and periods before the adoption."
            )
        )
    codes, clusters = _cluster_codes(units if cluster is None else cluster, len(yv))
    from statsmodels.regression.linear_model import OLS

    fit = OLS(yv, x).fit()
    vcov = cluster_vcov(x, fit.resid, codes, clusters, "cr3")
    quantile = float(stats.t.ppf(0.5 + confidence / 2, clusters - 1))
    estimates = [float(fit.params[1 + i]) for i in range(len(kept))]
    ses = [math.sqrt(max(float(vcov[1 + i, 1 + i]), 0.0)) for i in range(len(kept))]
    return EventStudy(
        periods=tuple(kept),
        estimates=tuple(estimates),
        ci_low=tuple(b - quantile * s for b, s in zip(estimates, ses, strict=True)),
        ci_high=tuple(b + quantile * s for b, s in zip(estimates, ses, strict=True)),
        n=len(yv),
        clusters=clusters,
    )


# ---------------------------------------------------------------------------------------------
# CSV input and the command line


@dataclass(frozen=True)
class DidData:
    y: np.ndarray
    treated: np.ndarray
    post: np.ndarray
    cluster: np.ndarray | None
    covariates: np.ndarray | None


def did_columns(
    table: Table,
    *,
    outcome: str,
    treated: str,
    post: str,
    cluster: str | None = None,
    covariates: Sequence[str] = (),
) -> DidData:
    """The named columns as arrays: rows with a missing value in any of them are dropped (and
    not counted); other cells must be numbers (the cluster may be any label) and ``treated``
    and ``post`` must be 0 or 1."""
    numeric = [outcome, treated, post, *covariates]
    columns = [table.index(name) for name in numeric]
    cluster_column = table.index(cluster) if cluster is not None else None
    named = columns + ([cluster_column] if cluster_column is not None else [])
    values: list[list[float]] = []
    labels: list[str] = []
    for r in range(len(table.rows)):
        if any(table.missing(r, c) for c in named):
            continue
        row = [table.number(r, c) for c in columns]
        for position in (1, 2):
            if row[position] not in (0.0, 1.0):
                raise DidInputError(
                    gettext("Line %(line)d, column %(column)s: %(value)s is not 0 or 1.")
                    % {
                        "line": table.lines[r],
                        "column": numeric[position],
                        "value": table.cell(r, columns[position]),
                    }
                )
        values.append(row)
        if cluster_column is not None:
            labels.append(table.cell(r, cluster_column))
    if not values:
        raise DidInputError(gettext("No rows are left once rows with a missing value are dropped."))
    matrix = np.asarray(values, dtype=float)
    if cluster is not None and len(set(labels)) < 2:
        raise DidInputError(
            gettext(
                "Cluster-robust standard errors need at least two clusters; %(column)s has one."
            )
            % {"column": cluster}
        )
    return DidData(
        y=matrix[:, 0],
        treated=matrix[:, 1],
        post=matrix[:, 2],
        cluster=np.asarray(labels) if cluster is not None else None,
        covariates=matrix[:, 3:] if covariates else None,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m gongzhi.evaluation.did FILE.csv --outcome Y --treated G --post T
    [--cluster C] [--covariate X ...] [--se classical|hc1|cluster]``."""
    parser = argparse.ArgumentParser(
        prog="python -m gongzhi.evaluation.did",
        description="Difference-in-differences: OLS with treated*post and its standard error.",
    )
    parser.add_argument("file")
    parser.add_argument("--outcome", required=True)
    parser.add_argument("--treated", required=True)
    parser.add_argument("--post", required=True)
    parser.add_argument("--cluster")
    parser.add_argument("--covariate", action="append", default=[])
    parser.add_argument("--se", choices=CLI_SE_KINDS)
    args = parser.parse_args(argv)
    setup_translation()
    try:
        if args.se == "cluster" and args.cluster is None:
            raise DidInputError(gettext("--se cluster needs --cluster."))
        data = did_columns(
            read_csv(args.file),
            outcome=args.outcome,
            treated=args.treated,
            post=args.post,
            cluster=args.cluster,
            covariates=args.covariate,
        )
        result = did(
            data.y,
            data.treated,
            data.post,
            cluster=data.cluster,
            covariates=data.covariates,
            se=args.se,
        )
    except OSError as error:
        return cannot_read(args.file, error)
    except InputError as error:
        return refuse(str(error))
    print(
        f"estimate={result.estimate!r}\nse={result.se!r}\nci_low={result.ci_low!r}\n"
        f"ci_high={result.ci_high!r}\nn={result.n}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
