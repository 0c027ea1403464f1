"""A small version of `make bench-analysis` (bench/analysis.py): 200 simulated streets of 20
communities, 8 periods and AR(1) errors, half with 5 and half with 10 treated communities. The
default cluster method's 95 % interval must cover the known effect and, with no effect, reject
at 5 % about as often as it says. The band is wide (200 streets give a Monte Carlo standard
error of about 1.5 points); the bench measures the real figures on 3 x 2,000 streets."""

from __future__ import annotations

import numpy as np

from bench.analysis import DESIGNS, simulate
from gongzhi.evaluation.did import did

STREETS = 200


def rates(effect: float, seed: int) -> tuple[float, float, float]:
    """(share of default intervals holding ``effect``, the same for plain CR1, share of default
    intervals excluding zero)."""
    rng = np.random.default_rng(seed)
    covered = covered_cr1 = rejected = 0
    for i in range(STREETS):
        street = simulate(rng, treated=DESIGNS[i % 2], effect=effect, rho=0.5)
        default = did(street.y, street.treated, street.post, cluster=street.community)
        plain = did(street.y, street.treated, street.post, cluster=street.community, se="cr1")
        covered += default.ci_low <= effect <= default.ci_high
        covered_cr1 += plain.ci_low <= effect <= plain.ci_high
        rejected += not default.ci_low <= 0 <= default.ci_high
    return covered / STREETS, covered_cr1 / STREETS, rejected / STREETS


def test_the_default_interval_covers_the_effect_and_rarely_rejects_a_true_null():
    coverage, coverage_cr1, _ = rates(1.0, seed=11)
    assert 0.90 <= coverage <= 0.99
    assert coverage >= coverage_cr1  # the small-sample correction only widens the interval
    _, _, false_positive = rates(0.0, seed=12)
    assert false_positive <= 0.09
