"""Which community attributes go with the differences between communities: a regression of an
indicator (or a survey score) on community attributes, with its caveats printed beside it.

One row per community. OLS via statsmodels with HC1 (heteroskedasticity-robust, MacKinnon &
White 1985) standard errors and t intervals on the residual degrees of freedom, since a street has
only 10–20 communities. No ORM: the evaluation page passes the rows.

Sources
-------
- MacKinnon, J. G. & White, H. (1985). Some heteroskedasticity-consistent covariance matrix
  estimators with improved finite sample properties. J. Econometrics 29(3), 305–325 (HC1).
- Robinson, W. S. (1950). Ecological correlations and the behavior of individuals. American
  Sociological Review 15(3), 351–357 (why a community-level association says little about
  residents).
- O'Brien, R. M. (2007). A caution regarding rules of thumb for variance inflation factors.
  Quality & Quantity 41, 673–690 (VIF above 5 flagged here as a caveat, not a refusal).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext

#: A variance inflation factor above this is reported as a collinearity caveat.
VIF_CAVEAT = 5.0
#: Fewer communities than this and the "few communities" caveat is printed.
FEW_COMMUNITIES = 30


@dataclass(frozen=True)
class Coefficient:
    name: str  # "const" for the intercept, else the factor's name
    estimate: float
    se: float  # HC1
    ci_low: float
    ci_high: float
    p_value: float


@dataclass(frozen=True)
class FactorsResult:
    outcome: str
    factors: tuple[str, ...]
    coefficients: tuple[Coefficient, ...]  # intercept first, then the factors in order
    n: int  # communities used (rows with every value present)
    r2: float
    adjusted_r2: float
    vif: tuple[float, ...]  # one per factor (NaN with a single factor: nothing to inflate it)
    caveats: tuple[str, ...]  # translated sentences, to print beside the table

    def coefficient(self, name: str) -> Coefficient:
        return next(c for c in self.coefficients if c.name == name)


def _value(row: Mapping[str, float | None], name: str) -> float:
    value = row.get(name)
    if value is None:
        return math.nan
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(
            gettext("%(name)s must be a number, not %(value)s.") % {"name": name, "value": value}
        ) from None
    if math.isinf(number):
        raise ValueError(
            gettext("%(name)s must be a number, not %(value)s.") % {"name": name, "value": value}
        )
    return number


def explain(
    table: Sequence[Mapping[str, float | None]],
    *,
    outcome: str,
    factors: Sequence[str],
    confidence: float = 0.95,
) -> FactorsResult:
    """Regress ``outcome`` on ``factors`` across communities (one row each).

    Rows with a missing value (None or NaN) in a named column are left out and not counted.
    Refused, with a translated message, when fewer communities remain than factors + 3 (the
    intercept and the factors would leave under two residual degrees of freedom), when a
    factor does not vary or the factors are perfectly collinear, or when a column is missing.
    """
    names = tuple(factors)
    if not names:
        raise ValueError(gettext("Name at least one factor."))
    if outcome in names or len(set(names)) != len(names):
        raise ValueError(gettext("Each factor and the outcome must be different columns."))
    if not 0 < confidence < 1:
        raise ValueError(gettext("The confidence level must lie between 0 and 1."))
    columns = (outcome, *names)
    for column in columns:
        if not any(column in row for row in table):
            raise ValueError(gettext("There is no column %(name)s.") % {"name": column})
    values = np.array([[_value(row, c) for c in columns] for row in table], dtype=float)
    values = values.reshape(-1, len(columns))
    values = values[~np.isnan(values).any(axis=1)]
    n = values.shape[0]
    if n < len(names) + 3:
        raise ValueError(
            gettext(
                "%(n)d communities with every value are too few to explain differences by "
                "%(k)d factors: at least %(needed)d are needed."
            )
            % {"n": n, "k": len(names), "needed": len(names) + 3}
        )
    y, x = values[:, 0], values[:, 1:]
    for i, name in enumerate(names):
        if np.ptp(x[:, i]) == 0:
            raise ValueError(
                gettext("%(name)s is the same in every community, so it explains nothing.")
                % {"name": name}
            )
    # statsmodels costs 2 s to import: read when a regression is asked for, not at start-up.
    import statsmodels.api as sm
    from statsmodels.stats.outliers_influence import variance_inflation_factor

    design = sm.add_constant(x, has_constant="add")
    if np.linalg.matrix_rank(design) < design.shape[1]:
        raise ValueError(
            gettext(
                "The factors are perfectly collinear (one is a combination of the others); "
                "leave one out."
            )
        )
    fit = sm.OLS(y, design).fit(cov_type="HC1", use_t=True)
    intervals = np.asarray(fit.conf_int(alpha=1 - confidence))
    labels = ("const", *names)
    coefficients = tuple(
        Coefficient(
            name=labels[i],
            estimate=float(fit.params[i]),
            se=float(fit.bse[i]),
            ci_low=float(intervals[i, 0]),
            ci_high=float(intervals[i, 1]),
            p_value=float(fit.pvalues[i]),
        )
        for i in range(len(labels))
    )
    if len(names) > 1:
        vif = tuple(float(variance_inflation_factor(design, i + 1)) for i in range(len(names)))
    else:
        vif = (math.nan,)
    return FactorsResult(
        outcome=outcome,
        factors=names,
        coefficients=coefficients,
        n=n,
        r2=float(fit.rsquared),
        adjusted_r2=float(fit.rsquared_adj),
        vif=vif,
        caveats=_caveats(n, names, vif),
    )


def _caveats(n: int, names: tuple[str, ...], vif: tuple[float, ...]) -> tuple[str, ...]:
    caveats: list[str] = []
    if n < FEW_COMMUNITIES:
        caveats.append(
            gettext(
                "Only %(n)d communities: the estimates are uncertain, one unusual community can "
                "move them a lot, and a factor that matters may not show."
            )
            % {"n": n}
        )
    caveats.append(
        gettext(
            "An association is not a cause: communities that differ in one factor differ in many "
            "others, and the outcome may have shaped the factor rather than the other way round."
        )
    )
    caveats.append(
        gettext(
            "These are differences between communities. They say nothing certain about "
            "individual residents (the ecological fallacy)."
        )
    )
    collinear = [name for name, value in zip(names, vif, strict=True) if value > VIF_CAVEAT]
    if collinear:
        caveats.append(
            gettext(
                "Some factors move together (%(names)s), so their separate effects cannot be "
                "told apart well; look at them together."
            )
            % {"names": ", ".join(collinear)}
        )
    return tuple(caveats)
