"""Before/after: hand-worked cases, the effect sizes against pingouin, the bootstrap interval's
coverage, paired against independent, seeds, missing values and refusals."""

from __future__ import annotations

import math

import numpy as np
import pingouin
import pytest
from django.utils.translation import gettext
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gongzhi.evaluation.change import before_after


def test_paired_known_case() -> None:
    before = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    after = before + np.array([1.0, 2.0, 3.0, 2.0, 2.0])
    change = before_after(before, after, paired=True)
    assert (change.before_mean, change.after_mean, change.difference) == (3.0, 5.0, 2.0)
    # differences 1, 2, 3, 2, 2: sd = √(2/4), d_z = 2 / √0.5 = 2√2
    assert change.effect_size == pytest.approx(2 * math.sqrt(2), abs=1e-12)
    assert change.effect_size_name == "d_z"
    assert (change.paired, change.n_before, change.n_after, change.n_pairs) == (True, 5, 5, 5)
    assert (change.resamples, change.seed) == (9999, 0)
    # A resampled mean of five of {1, 2, 2, 2, 3} lies on the grid of fifths within [1, 3].
    assert 1 <= change.ci_low < 2 < change.ci_high <= 3
    assert round(change.ci_low * 5, 9) == round(change.ci_low * 5)
    assert round(change.ci_high * 5, 9) == round(change.ci_high * 5)


@pytest.mark.parametrize("seed", range(5))
def test_hedges_g_equals_pingouin(seed: int) -> None:
    rng = np.random.default_rng(seed)
    before = rng.normal(3.0, 1.0, size=int(rng.integers(5, 60)))
    after = rng.normal(3.4, 1.3, size=int(rng.integers(5, 60)))
    change = before_after(before, after, paired=False, resamples=999)
    assert change.effect_size_name == "hedges_g"
    expected = pingouin.compute_effsize(after, before, paired=False, eftype="hedges")
    assert change.effect_size == pytest.approx(float(expected), abs=1e-12)
    assert change.difference == pytest.approx(after.mean() - before.mean(), abs=1e-12)
    assert (change.n_before, change.n_after, change.n_pairs) == (len(before), len(after), 0)


def test_paired_uses_the_pairing_and_is_narrower_when_people_are_consistent() -> None:
    rng = np.random.default_rng(3)
    person = rng.normal(3.0, 1.0, size=40)  # people differ a lot, each changes a little
    before = person + rng.normal(0, 0.2, size=40)
    after = person + 0.3 + rng.normal(0, 0.2, size=40)
    paired = before_after(before, after, paired=True)
    independent = before_after(before, after, paired=False)
    assert paired.difference == pytest.approx(independent.difference)
    assert paired.ci_high - paired.ci_low < 0.5 * (independent.ci_high - independent.ci_low)
    assert paired.ci_low > 0  # the change is seen when the pairing is used
    assert independent.ci_low < 0 < independent.ci_high  # and lost in the spread without it


@pytest.mark.parametrize("paired", [True, False])
def test_same_seed_same_interval_other_seed_other_interval(paired: bool) -> None:
    rng = np.random.default_rng(1)
    before, after = rng.normal(size=25), rng.normal(0.5, size=25)
    first = before_after(before, after, paired=paired, seed=42, resamples=2000)
    again = before_after(before, after, paired=paired, seed=42, resamples=2000)
    other = before_after(before, after, paired=paired, seed=43, resamples=2000)
    assert first == again
    assert (first.ci_low, first.ci_high) != (other.ci_low, other.ci_high)
    assert other.seed == 43 and other.resamples == 2000


@pytest.mark.parametrize("paired", [True, False])
def test_the_95_percent_interval_covers_the_true_change(paired: bool) -> None:
    """200 simulated waves of 30 people with a true change of 0.4: the BCa interval should cover
    it about 95 % of the time (binomial sd 1.5 %; BCa runs a little short at n = 30)."""
    rng = np.random.default_rng(2026)
    covered = 0
    for repetition in range(200):
        person = rng.normal(size=30)
        before = person + rng.normal(size=30)
        after = (person if paired else rng.normal(size=30)) + 0.4 + rng.normal(size=30)
        change = before_after(before, after, paired=paired, resamples=999, seed=repetition)
        covered += change.ci_low <= 0.4 <= change.ci_high
    assert 0.89 <= covered / 200 <= 0.99


def test_missing_values() -> None:
    before = np.array([1.0, np.nan, 3.0, 4.0, 2.0])
    after = np.array([2.0, 5.0, np.nan, 6.0, 2.5])
    paired = before_after(before, after, paired=True)
    assert (paired.n_pairs, paired.n_before, paired.n_after) == (3, 3, 3)
    assert paired.before_mean == pytest.approx(7 / 3)
    assert paired.difference == pytest.approx((1 + 2 + 0.5) / 3)
    independent = before_after(before, after, paired=False)
    assert (independent.n_before, independent.n_after, independent.n_pairs) == (4, 4, 0)
    assert independent.difference == pytest.approx(15.5 / 4 - 10 / 4)


def test_nothing_varies_gives_the_estimate_as_its_interval() -> None:
    before = np.array([1.0, 2.0, 3.0])
    change = before_after(before, before + 1, paired=True)
    assert (change.difference, change.ci_low, change.ci_high) == (1.0, 1.0, 1.0)
    assert math.isnan(change.effect_size)


def test_refusals_are_translated() -> None:
    with pytest.raises(ValueError) as unequal:
        before_after(np.ones(3), np.ones(4), paired=True)
    assert str(unequal.value) == gettext(
        "Paired waves need one value before and one after for every person."
    )
    with pytest.raises(ValueError) as one_pair:
        before_after(np.array([1.0, np.nan]), np.array([2.0, 3.0]), paired=True)
    assert str(one_pair.value) == gettext(
        "A paired comparison needs at least two people in both waves."
    )
    with pytest.raises(ValueError) as one_answer:
        before_after(np.array([1.0]), np.array([2.0, 3.0, 4.0]), paired=False)
    assert str(one_answer.value) == gettext("Each wave needs at least two answers.")
    with pytest.raises(ValueError):
        before_after(np.ones(3), np.ones(3), paired=False, confidence=95)


waves = arrays(float, st.integers(3, 30), elements=st.integers(1, 5).map(float))


@hypothesis_settings(max_examples=60, deadline=None)
@given(waves, st.integers(-3, 3), st.integers(0, 2**16))
def test_interval_properties(before: np.ndarray, shift: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    after = np.clip(before + rng.integers(-1, 2, size=before.size), 1, 5)
    change = before_after(before, after, paired=True, resamples=499, seed=seed)
    assert change.ci_low <= change.difference + 1e-9
    assert change.difference <= change.ci_high + 1e-9
    # Moving every later answer by the same amount moves the change and its interval with it.
    moved = before_after(before, after + shift, paired=True, resamples=499, seed=seed)
    assert moved.difference == pytest.approx(change.difference + shift, abs=1e-9)
    assert moved.ci_low == pytest.approx(change.ci_low + shift, abs=1e-9)
    assert moved.ci_high == pytest.approx(change.ci_high + shift, abs=1e-9)
    # Looking at the change backwards turns it round.
    backwards = before_after(after, before, paired=True, resamples=499, seed=seed)
    assert backwards.difference == pytest.approx(-change.difference, abs=1e-9)
    assert (backwards.ci_low, backwards.ci_high) == pytest.approx(
        (-change.ci_high, -change.ci_low), abs=1e-9
    )
