"""Factors that explain differences between communities: OLS with HC1 errors checked against a
hand-written sandwich estimator, the caveats, and the refusals."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from django.utils.translation import gettext
from scipy import stats

from gongzhi.evaluation.factors import explain

ASSOCIATION = (
    "An association is not a cause: communities that differ in one factor differ in many "
    "others, and the outcome may have shaped the factor rather than the other way round."
)
ECOLOGICAL = (
    "These are differences between communities. They say nothing certain about "
    "individual residents (the ecological fallacy)."
)
FEW = (
    "Only %(n)d communities: the estimates are uncertain, one unusual community can "
    "move them a lot, and a factor that matters may not show."
)
COLLINEAR = (
    "Some factors move together (%(names)s), so their separate effects cannot be "
    "told apart well; look at them together."
)


def street(n: int, seed: int, *, correlated: float = 0.0) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    elderly = rng.uniform(0.1, 0.4, size=n)
    rent = correlated * (elderly - 0.25) * 10 + rng.normal(size=n) * math.sqrt(1 - correlated**2)
    turnout = 0.3 + 0.8 * elderly - 0.05 * rent + rng.normal(0, 0.05 + 0.1 * elderly, size=n)
    return [
        {"turnout": float(t), "elderly_share": float(e), "rent_index": float(r)}
        for t, e, r in zip(turnout, elderly, rent, strict=True)
    ]


@pytest.mark.parametrize("seed", range(4))
def test_estimates_and_hc1_errors_equal_a_hand_computed_sandwich(seed: int) -> None:
    rows = street(18, seed)
    result = explain(rows, outcome="turnout", factors=["elderly_share", "rent_index"])
    y = np.array([r["turnout"] for r in rows])
    x = np.column_stack(
        [np.ones(len(rows)), [r["elderly_share"] for r in rows], [r["rent_index"] for r in rows]]
    )
    n, k = x.shape
    beta = np.linalg.solve(x.T @ x, x.T @ y)
    residual = y - x @ beta
    bread = np.linalg.inv(x.T @ x)
    # HC1: White's sandwich scaled by n/(n−k) (MacKinnon & White 1985).
    cov = bread @ (x.T * residual**2) @ x @ bread * n / (n - k)
    se = np.sqrt(np.diag(cov))
    t = stats.t.ppf(0.975, n - k)
    assert result.n == 18
    assert [c.name for c in result.coefficients] == ["const", "elderly_share", "rent_index"]
    for i, coefficient in enumerate(result.coefficients):
        assert coefficient.estimate == pytest.approx(beta[i], abs=1e-9)
        assert coefficient.se == pytest.approx(se[i], rel=1e-9)
        assert coefficient.ci_low == pytest.approx(beta[i] - t * se[i], abs=1e-9)
        assert coefficient.ci_high == pytest.approx(beta[i] + t * se[i], abs=1e-9)
        p = 2 * stats.t.sf(abs(beta[i] / se[i]), n - k)
        assert coefficient.p_value == pytest.approx(p, rel=1e-7)
    r2 = 1 - (residual**2).sum() / ((y - y.mean()) ** 2).sum()
    assert result.r2 == pytest.approx(r2, abs=1e-12)
    # VIF = 1/(1 − R²) of one factor on the others; with two factors, 1/(1 − r²).
    r = np.corrcoef(x[:, 1], x[:, 2])[0, 1]
    assert result.vif == pytest.approx((1 / (1 - r**2), 1 / (1 - r**2)))
    assert result.coefficient("rent_index") is result.coefficients[2]


def test_caveats_for_a_street_of_communities() -> None:
    result = explain(street(15, 1), outcome="turnout", factors=["elderly_share", "rent_index"])
    assert result.caveats == (
        gettext(FEW) % {"n": 15},
        gettext(ASSOCIATION),
        gettext(ECOLOGICAL),
    )


def test_many_communities_drop_the_few_communities_caveat_only() -> None:
    result = explain(street(60, 2), outcome="turnout", factors=["elderly_share"])
    assert result.caveats == (gettext(ASSOCIATION), gettext(ECOLOGICAL))
    assert math.isnan(result.vif[0])


def test_collinear_factors_add_a_caveat() -> None:
    result = explain(
        street(40, 3, correlated=0.97), outcome="turnout", factors=["elderly_share", "rent_index"]
    )
    assert min(result.vif) > 5
    assert result.caveats[-1] == gettext(COLLINEAR) % {"names": "elderly_share, rent_index"}


def test_rows_with_a_missing_value_are_left_out_and_not_counted() -> None:
    rows = street(12, 4)
    rows[0]["turnout"] = None
    rows[1]["rent_index"] = math.nan
    del rows[2]["elderly_share"]
    rows[3]["unused"] = None  # a column that is not named does not matter
    result = explain(rows, outcome="turnout", factors=["elderly_share", "rent_index"])
    assert result.n == 9
    assert explain(rows[3:], outcome="turnout", factors=["elderly_share", "rent_index"]) == result


def test_too_few_communities_are_refused() -> None:
    rows = street(6, 5)
    rows[0]["turnout"] = None
    with pytest.raises(ValueError) as refused:
        explain(rows, outcome="turnout", factors=["elderly_share", "rent_index", "x"])
    # "x" is missing in every row: named as missing before anything is counted.
    assert str(refused.value) == gettext("There is no column %(name)s.") % {"name": "x"}
    with pytest.raises(ValueError) as refused:
        explain(rows[:5], outcome="turnout", factors=["elderly_share", "rent_index"])
    message = (
        "%(n)d communities with every value are too few to explain differences by "
        "%(k)d factors: at least %(needed)d are needed."
    )
    assert str(refused.value) == gettext(message) % {"n": 4, "k": 2, "needed": 5}
    assert explain(rows, outcome="turnout", factors=["elderly_share", "rent_index"]).n == 5


def test_factors_that_cannot_be_estimated_are_refused() -> None:
    rows = street(10, 6)
    for row in rows:
        row["same"] = 1.0
        row["double"] = 2 * row["elderly_share"]
    with pytest.raises(ValueError) as constant:
        explain(rows, outcome="turnout", factors=["same"])
    assert str(constant.value) == gettext(
        "%(name)s is the same in every community, so it explains nothing."
    ) % {"name": "same"}
    with pytest.raises(ValueError) as collinear:
        explain(rows, outcome="turnout", factors=["elderly_share", "double"])
    assert str(collinear.value) == gettext(
        "The factors are perfectly collinear (one is a combination of the others); leave one out."
    )
    rows[0]["rent_index"] = "high"
    with pytest.raises(ValueError) as text:
        explain(rows, outcome="turnout", factors=["rent_index"])
    assert str(text.value) == gettext("%(name)s must be a number, not %(value)s.") % {
        "name": "rent_index",
        "value": "high",
    }
    with pytest.raises(ValueError):
        explain(rows, outcome="turnout", factors=[])
    with pytest.raises(ValueError):
        explain(rows, outcome="turnout", factors=["turnout"])
