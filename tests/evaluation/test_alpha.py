"""Cronbach's alpha and its Feldt interval against pingouin, omega against independent one-factor
solutions, the item statistics, community reliability, and the command line."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import pingouin
import pingouin.reliability
import pytest
from django.utils.translation import gettext
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from statsmodels.formula.api import ols
from statsmodels.multivariate.factor import Factor
from statsmodels.stats.anova import anova_lm

from gongzhi.evaluation.alpha import (
    community_reliability,
    cronbach_alpha,
    omega_total,
    reliability,
)

ROOT = Path(__file__).resolve().parents[2]


def one_factor_data(
    n: int, loadings: list[float], seed: int, missing: float = 0.0, scale: float = 1.0
) -> np.ndarray:
    rng = np.random.default_rng(seed)
    lam = np.array(loadings)
    factor = rng.normal(size=(n, 1))
    noise = rng.normal(size=(n, len(lam))) * np.sqrt(1 - lam**2)
    data = (factor * lam + noise) * scale + 3
    if missing:
        holes = rng.random(data.shape) < missing
        # Every respondent keeps at least one answer: a blank row is no respondent (see below).
        holes[holes.all(axis=1), 0] = False
        data[holes] = np.nan
    return data


class _NumpyWithoutRound(ModuleType):
    """numpy as pingouin's reliability module sees it, except that ``np.round`` keeps every
    digit: pingouin rounds the Feldt bounds to three decimals before returning them."""

    def __init__(self) -> None:
        super().__init__("numpy")

    def __getattr__(self, name: str) -> Any:
        return getattr(np, name)

    @staticmethod
    def round(values: Any, decimals: int = 0) -> Any:
        return np.asarray(values, dtype=float)


def pingouin_alpha(data: np.ndarray, policy: str, *, rounded: bool = True) -> tuple[float, ...]:
    frame = pd.DataFrame(data)
    if rounded:
        value, ci = pingouin.cronbach_alpha(data=frame, nan_policy=policy)
    else:
        original = pingouin.reliability.np
        pingouin.reliability.np = _NumpyWithoutRound()  # type: ignore[assignment]
        try:
            value, ci = pingouin.cronbach_alpha(data=frame, nan_policy=policy)
        finally:
            pingouin.reliability.np = original
    return float(value), float(ci[0]), float(ci[1])


# --- alpha and the Feldt interval against pingouin ---------------------------------------------


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("policy", ["listwise", "pairwise"])
def test_alpha_and_feldt_interval_equal_pingouin_on_complete_data(seed: int, policy: str) -> None:
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 12))
    data = one_factor_data(int(rng.integers(10, 300)), list(rng.uniform(0.1, 0.9, k)), seed)
    alpha, low, high, n = cronbach_alpha(data, missing=policy)
    ref_alpha, ref_low, ref_high = pingouin_alpha(data, policy, rounded=False)
    assert n == data.shape[0]
    assert alpha == pytest.approx(ref_alpha, abs=1e-9)
    assert low == pytest.approx(ref_low, abs=1e-9)
    assert high == pytest.approx(ref_high, abs=1e-9)
    # What pingouin returns to its users: the bounds to three decimals.
    _, printed_low, printed_high = pingouin_alpha(data, policy)
    assert abs(low - printed_low) <= 5e-4 + 1e-12
    assert abs(high - printed_high) <= 5e-4 + 1e-12


@pytest.mark.parametrize("seed", range(8))
def test_pairwise_with_missing_cells_equals_pingouin(seed: int) -> None:
    data = one_factor_data(120 + seed * 10, [0.7, 0.6, 0.5, 0.8, 0.4], seed, missing=0.15)
    assert np.isnan(data).any()
    alpha, low, high, n = cronbach_alpha(data, missing="pairwise")
    ref_alpha, ref_low, ref_high = pingouin_alpha(data, "pairwise", rounded=False)
    # n under pairwise is every respondent, as pingouin puts it into the Feldt interval.
    assert n == data.shape[0]
    assert alpha == pytest.approx(ref_alpha, abs=1e-9)
    assert low == pytest.approx(ref_low, abs=1e-9)
    assert high == pytest.approx(ref_high, abs=1e-9)


@pytest.mark.parametrize("seed", range(8))
def test_listwise_with_missing_cells_equals_pingouin(seed: int) -> None:
    data = one_factor_data(150 + seed * 10, [0.7, 0.6, 0.5, 0.8], seed, missing=0.1)
    complete = data[~np.isnan(data).any(axis=1)]
    assert 2 < len(complete) < len(data)
    alpha, low, high, n = cronbach_alpha(data, missing="listwise")
    assert n == len(complete)
    assert alpha == pytest.approx(pingouin_alpha(data, "listwise")[0], abs=1e-9)
    # pingouin's listwise interval keeps the n from before the deletion (its n, k = shape is read
    # before dropna); the interval of the respondents actually used is its interval of them.
    _, ref_low, ref_high = pingouin_alpha(complete, "listwise", rounded=False)
    assert low == pytest.approx(ref_low, abs=1e-9)
    assert high == pytest.approx(ref_high, abs=1e-9)


def test_pingouins_published_example() -> None:
    """pingouin's documented values for its dataset (checked there against R's psych::alpha)."""
    frame = pingouin.read_dataset("cronbach_wide_missing")
    data = frame.to_numpy(dtype=float)
    alpha, low, high, n = cronbach_alpha(data, missing="pairwise")
    assert alpha == pytest.approx(0.732660835214447, abs=1e-12)
    assert (round(low, 3), round(high, 3), n) == (0.435, 0.909, 12)
    assert cronbach_alpha(data, missing="listwise")[0] == pytest.approx(
        0.8016949152542373, abs=1e-12
    )


def test_confidence_level_is_passed_to_feldt() -> None:
    data = one_factor_data(80, [0.6, 0.6, 0.6], 3)
    _, low95, high95, _ = cronbach_alpha(data)
    _, low90, high90, _ = cronbach_alpha(data, confidence=0.90)
    assert low95 < low90 < high90 < high95
    with pytest.raises(ValueError, match=gettext("The confidence level must lie between 0 and 1.")):
        cronbach_alpha(data, confidence=1.0)


def test_bad_inputs_are_refused_with_translated_messages() -> None:
    with pytest.raises(ValueError) as one_item:
        cronbach_alpha(np.ones((5, 1)))
    assert str(one_item.value) == gettext("A scale needs at least two items.")
    sparse = np.array([[1.0, 2.0], [np.nan, 3.0], [2.0, np.nan], [np.nan, 4.0]])
    with pytest.raises(ValueError) as few:
        cronbach_alpha(sparse)
    assert str(few.value) == gettext("At least two respondents must have answered every item.")
    with pytest.raises(ValueError) as flat:
        cronbach_alpha(np.full((6, 3), 2.0))
    assert str(flat.value) == gettext(
        "The answers do not vary, so reliability cannot be estimated."
    )
    with pytest.raises(ValueError):
        cronbach_alpha(np.ones((5, 3)), missing="mean")


# --- properties --------------------------------------------------------------------------------

likert = arrays(
    float,
    st.tuples(st.integers(3, 25), st.integers(2, 7)),
    elements=st.integers(1, 5).map(float),
)


def _varies(data: np.ndarray) -> bool:
    return float(np.cov(data, rowvar=False).sum()) > 1e-9


@hypothesis_settings(max_examples=150, deadline=None)
@given(likert, st.randoms(use_true_random=False))
def test_alpha_properties(data: np.ndarray, rnd: Any) -> None:
    if not _varies(data):
        return
    alpha, low, high, n = cronbach_alpha(data)
    k = data.shape[1]
    assert alpha <= 1 + 1e-12
    assert low <= alpha <= high
    assert n == data.shape[0]
    # The same answers in another order, shifted or rescaled together, are the same scale.
    rows = list(range(data.shape[0]))
    cols = list(range(k))
    rnd.shuffle(rows)
    rnd.shuffle(cols)
    assert cronbach_alpha(data[np.ix_(rows, cols)])[0] == pytest.approx(alpha, abs=1e-9)
    assert cronbach_alpha(data * 2.5 + np.arange(k))[0] == pytest.approx(alpha, abs=1e-9)
    # With nothing missing, pairwise and listwise are the same computation.
    assert cronbach_alpha(data, missing="pairwise") == pytest.approx((alpha, low, high, n))
    # The formula as the average covariance over the average variance and covariance.
    c = np.cov(data, rowvar=False)
    mean_cov = c[np.tril_indices(k, -1)].mean()
    assert alpha == pytest.approx(k * mean_cov / (np.diag(c).mean() + (k - 1) * mean_cov))


@hypothesis_settings(max_examples=50, deadline=None)
@given(likert)
def test_item_statistics_properties(data: np.ndarray) -> None:
    if not _varies(data):
        return
    result = reliability(data)
    k = data.shape[1]
    assert len(result.item_total) == len(result.alpha_if_deleted) == result.k == k
    for i in range(k):
        rest = np.delete(data, i, axis=1)
        total = rest.sum(axis=1)
        if np.ptp(data[:, i]) > 0 and np.ptp(total) > 0:
            expected = float(np.corrcoef(data[:, i], total)[0, 1])
            assert result.item_total[i] == pytest.approx(expected, abs=1e-9)
        else:
            assert math.isnan(result.item_total[i])
        if k == 2:
            assert math.isnan(result.alpha_if_deleted[i])
        elif _varies(rest):
            expected_alpha = pingouin_alpha(rest, "listwise")[0]
            assert result.alpha_if_deleted[i] == pytest.approx(expected_alpha, abs=1e-9)


def test_reliability_bundles_alpha_and_omega() -> None:
    data = one_factor_data(300, [0.8, 0.7, 0.6, 0.5], 11, missing=0.05)
    result = reliability(data, missing="pairwise")
    assert (result.alpha, result.ci_low, result.ci_high, result.n) == cronbach_alpha(
        data, missing="pairwise"
    )
    assert result.omega == omega_total(data, missing="pairwise")
    assert result.omega is not None


# --- omega -------------------------------------------------------------------------------------


def _omega(loadings: np.ndarray, uniquenesses: np.ndarray) -> float:
    common = float(loadings.sum()) ** 2
    return common / (common + float(uniquenesses.sum()))


@pytest.mark.parametrize("seed", range(5))
def test_omega_of_three_items_equals_the_closed_form(seed: int) -> None:
    """Three items identify one factor exactly: λ_i² = s_ij·s_ik / s_jk, ψ_i = s_ii − λ_i²
    (computed by hand here, nothing fitted), so the ML fit must reproduce it."""
    data = one_factor_data(400, [0.8, 0.6, 0.5], seed, scale=1.0 + seed)
    data[:, 1] *= 2.0  # items on different scales: omega is of the raw sum
    s = np.cov(data, rowvar=False)
    lam = np.array(
        [
            math.sqrt(s[0, 1] * s[0, 2] / s[1, 2]),
            math.sqrt(s[0, 1] * s[1, 2] / s[0, 2]),
            math.sqrt(s[0, 2] * s[1, 2] / s[0, 1]),
        ]
    )
    psi = np.diag(s) - lam**2
    assert (psi > 0).all()
    assert omega_total(data) == pytest.approx(_omega(lam, psi), abs=1e-6)


@pytest.mark.parametrize("seed", range(4))
def test_omega_equals_statsmodels_ml_factor_analysis(seed: int) -> None:
    data = one_factor_data(250, [0.8, 0.7, 0.6, 0.5, 0.7, 0.4], seed)
    sd = data.std(axis=0, ddof=1)
    fit = Factor(data, n_factor=1, method="ml").fit()
    lam = np.abs(fit.loadings.ravel()) * sd
    psi = fit.uniqueness * sd**2
    assert omega_total(data) == pytest.approx(_omega(lam, psi), abs=1e-5)


def test_omega_recovers_the_population_value() -> None:
    loadings = np.array([0.8, 0.7, 0.6, 0.5, 0.7])
    population = _omega(loadings, 1 - loadings**2)
    omega = omega_total(one_factor_data(20000, list(loadings), 5))
    assert omega == pytest.approx(population, abs=0.01)
    # Equal loadings make the items tau-equivalent, where omega and alpha coincide.
    equal = one_factor_data(20000, [0.6] * 5, 6)
    assert omega_total(equal) == pytest.approx(cronbach_alpha(equal)[0], abs=0.005)


def test_omega_is_none_when_the_model_cannot_be_estimated() -> None:
    rng = np.random.default_rng(0)
    assert omega_total(one_factor_data(100, [0.7, 0.7], 1)) is None  # two items: not identified
    assert omega_total(rng.normal(size=(3, 5))) is None  # fewer respondents than items
    constant = one_factor_data(100, [0.7, 0.7, 0.7], 2)
    constant[:, 2] = 4.0
    assert omega_total(constant) is None
    # A Heywood case: r12 = r13 = .8 but r23 = .5 asks for a first loading of √1.28 > 1.
    target = np.array([[1, 0.8, 0.8], [0.8, 1, 0.5], [0.8, 0.5, 1]])
    raw = rng.normal(size=(5000, 3))
    whitened = raw @ np.linalg.inv(np.linalg.cholesky(np.cov(raw, rowvar=False))).T
    heywood = whitened @ np.linalg.cholesky(target).T
    assert np.corrcoef(heywood, rowvar=False) == pytest.approx(target)
    assert omega_total(heywood) is None


# --- community reliability ---------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_community_reliability_equals_pingouin_icc_on_equal_communities(seed: int) -> None:
    rng = np.random.default_rng(seed)
    communities, size = 12, 8
    effect = rng.normal(scale=0.5, size=communities)
    scores = (effect[:, None] + rng.normal(size=(communities, size))).ravel()
    labels = np.repeat(np.arange(communities), size)
    result = community_reliability(scores, labels)
    frame = pd.DataFrame({"c": labels, "r": np.tile(np.arange(size), communities), "y": scores})
    icc = pingouin.intraclass_corr(data=frame, targets="c", raters="r", ratings="y")
    icc = icc.set_index("Type")["ICC"]
    # pingouin 0.7 names the one-way coefficients ICC(1,1) and ICC(1,k); before, ICC1 and ICC1k.
    single = icc.get("ICC(1,1)", icc.get("ICC1"))
    average = icc.get("ICC(1,k)", icc.get("ICC1k"))
    assert result.icc1 == pytest.approx(float(single), abs=1e-9)
    assert result.icc2 == pytest.approx(float(average), abs=1e-9)
    assert (result.communities, result.mean_size, result.n) == (communities, size, scores.size)


def test_community_reliability_with_unequal_communities_follows_the_anova() -> None:
    rng = np.random.default_rng(7)
    sizes = [3, 9, 15, 4, 22, 6]
    labels = np.repeat([f"社区{i}" for i in range(len(sizes))], sizes)
    scores = rng.normal(size=labels.size) + np.repeat(rng.normal(size=len(sizes)), sizes)
    scores[[0, 20]] = np.nan  # no score: left out
    result = community_reliability(scores, labels)
    keep = ~np.isnan(scores)
    table = anova_lm(
        ols("y ~ C(g)", data=pd.DataFrame({"y": scores[keep], "g": labels[keep]})).fit()
    )
    msb, msw = table["mean_sq"].iloc[0], table["mean_sq"].iloc[1]
    kept = np.array(sizes) - np.array([1, 0, 1, 0, 0, 0])
    total = kept.sum()
    n0 = (total - (kept**2).sum() / total) / (len(sizes) - 1)
    assert result.n == total == 57
    assert result.mean_size == pytest.approx(n0)
    assert result.icc1 == pytest.approx((msb - msw) / (msb + (n0 - 1) * msw), abs=1e-12)
    assert result.icc2 == pytest.approx((msb - msw) / msb, abs=1e-12)


def test_community_reliability_refuses_what_it_cannot_estimate() -> None:
    with pytest.raises(ValueError) as one:
        community_reliability(np.array([1.0, 2.0, 3.0]), np.array(["a", "a", "a"]))
    assert str(one.value) == gettext("Community reliability needs at least two communities.")
    with pytest.raises(ValueError) as singletons:
        community_reliability(np.array([1.0, 2.0]), np.array(["a", "b"]))
    assert str(singletons.value) == gettext(
        "Community reliability needs a community with more than one respondent."
    )


# --- the command line --------------------------------------------------------------------------


def run_cli(
    path: Path, *args: str, django_settings: bool = False
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(ROOT)
    env["LANG"] = "zh_CN.UTF-8"
    if django_settings:
        env["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    return subprocess.run(
        [sys.executable, "-m", "gongzhi.evaluation.alpha", str(path), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def write_csv(path: Path, data: np.ndarray, encoding: str, header: list[str]) -> Path:
    lines = [",".join(header)]
    for row in data:
        lines.append(",".join("" if math.isnan(v) else repr(float(v)) for v in row))
    path.write_text("\r\n".join(lines) + "\r\n", encoding=encoding)
    return path


def parse(stdout: str) -> dict[str, str]:
    lines = stdout.splitlines()
    assert [line.split("=")[0] for line in lines] == ["alpha", "ci_low", "ci_high", "n"]
    return dict(line.split("=", 1) for line in lines)


@pytest.mark.parametrize(
    ("encoding", "policy"),
    [("utf-8", "listwise"), ("utf-8-sig", "pairwise"), ("gb18030", "listwise")],
)
def test_cli_prints_alpha_at_full_precision(tmp_path: Path, encoding: str, policy: str) -> None:
    data = one_factor_data(60, [0.7, 0.6, 0.5, 0.6], 4, missing=0.08)
    header = ["邻里互助", "信任邻居", "愿意参与", "问题能解决"]
    path = write_csv(tmp_path / "items.csv", data, encoding, header)
    if encoding == "gb18030":
        with pytest.raises(UnicodeDecodeError):
            path.read_bytes().decode("utf-8")
    done = run_cli(path, "--missing", policy)
    assert done.returncode == 0, done.stderr
    values = parse(done.stdout)
    alpha, low, high, n = cronbach_alpha(data, missing=policy)
    assert values == {"alpha": repr(alpha), "ci_low": repr(low), "ci_high": repr(high), "n": str(n)}
    assert float(values["alpha"]) == pytest.approx(pingouin_alpha(data, policy)[0], abs=1e-9)


def test_cli_default_is_listwise_and_runs_under_the_projects_settings(tmp_path: Path) -> None:
    data = one_factor_data(40, [0.7, 0.6, 0.5], 9, missing=0.1)
    path = write_csv(tmp_path / "items.csv", data, "utf-8-sig", ["a", "b", "c"])
    done = run_cli(path, django_settings=True)
    assert done.returncode == 0, done.stderr
    assert parse(done.stdout)["n"] == str(cronbach_alpha(data, missing="listwise")[3])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "a,b,c\n1,2,3\n2,x,3\n",
            lambda: (
                gettext("Line %(line)d, column %(column)s: %(value)s is not a number.")
                % {"line": 3, "column": "b", "value": "x"}
            ),
        ),
        ("a\n1\n2\n3\n", lambda: gettext("A scale needs at least two items.")),
        (
            "a,b\n1,2\n,3\n4,\n",
            lambda: gettext("At least two respondents must have answered every item."),
        ),
        (
            "a,b\n1,2\n2,2,5\n",
            lambda: (
                gettext("Line %(line)d has %(found)d cells; the header has %(expected)d.")
                % {"line": 3, "found": 3, "expected": 2}
            ),
        ),
        ("a,b\n1,nan\n2,3\n", None),
        ("", lambda: gettext("The file is empty.")),
    ],
)
def test_cli_bad_input_exits_2_with_a_message_and_no_output(
    tmp_path: Path, content: str, message: Any
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    done = run_cli(path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip()
    if message is not None:
        assert done.stderr.strip() == message()
    assert "Traceback" not in done.stderr


def test_cli_pairwise_needs_two_answers_for_each_pair(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("a,b,c\n1,,3\n2,,4\n,5,6\n3,4,\n", encoding="utf-8")
    done = run_cli(path, "--missing", "pairwise")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.strip() == gettext(
        "At least two respondents must have answered each pair of items."
    )


def test_alpha_above_one_from_an_inconsistent_pairwise_matrix_keeps_its_interval_in_order() -> None:
    data = np.array([[1, 2, 3], [2, 3, 3], [4, 5, 5], [3, np.nan, 4]], dtype=float)
    alpha, low, high, n = cronbach_alpha(data, missing="pairwise")
    ref_alpha, ref_first, ref_second = pingouin_alpha(data, "pairwise", rounded=False)
    assert alpha == pytest.approx(ref_alpha, abs=1e-9)
    assert alpha > 1
    assert (low, high) == pytest.approx((ref_second, ref_first), abs=1e-9)
    assert low < high


def test_cli_missing_file(tmp_path: Path) -> None:
    done = run_cli(tmp_path / "nowhere.csv")
    assert (done.returncode, done.stdout) == (2, "")
    assert str(tmp_path / "nowhere.csv") in done.stderr
