"""The sweep's statistics against the published worked example, a Monte Carlo of the
maximum Sharpe ratio, and a brute-force CSCV."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from momentum_pipeline.research.statistics import (deflated_sharpe_ratio,
                                                   expected_maximum_sharpe, per_period_sharpe,
                                                   probabilistic_sharpe_ratio,
                                                   probability_of_backtest_overfitting)


def test_deflated_sharpe_when_the_papers_worked_example_then_its_figures():
    """Bailey and López de Prado (2014), numerical example: an annualised Sharpe ratio
    of 2.5 over 1,250 daily observations, skewness -3, kurtosis 10, the best of 100
    trials whose annualised Sharpe ratios have variance 0.5: SR0 = 1.789 annualised,
    DSR = 0.9004."""
    per_year = math.sqrt(250)
    luck = expected_maximum_sharpe(100, 0.5 / 250)
    assert luck * per_year == pytest.approx(1.7894, abs=1e-4)
    assert probabilistic_sharpe_ratio(2.5 / per_year, luck, 1250, -3.0, 10.0) \
        == pytest.approx(0.9004, abs=1e-4)


def test_expected_maximum_sharpe_when_simulated_then_the_mean_of_the_maxima():
    """The approximation is for many trials (N >> 1): within 2 % from 100 on."""
    rng = np.random.default_rng(7)
    for trials in (100, 1000):
        maxima = rng.normal(0.0, 0.05, size=(8000, trials)).max(axis=1)
        assert expected_maximum_sharpe(trials, 0.05 ** 2) == pytest.approx(maxima.mean(), rel=0.02)
    assert expected_maximum_sharpe(1, 0.05 ** 2) == 0.0


def test_probabilistic_sharpe_when_normal_returns_then_the_textbook_z_score():
    sharpe, observations = 0.1, 500
    expected = stats.norm.cdf(sharpe * math.sqrt(observations - 1) / math.sqrt(1 + sharpe ** 2 / 2))
    assert probabilistic_sharpe_ratio(sharpe, 0.0, observations, 0.0, 3.0) == pytest.approx(expected)
    assert probabilistic_sharpe_ratio(0.1, 0.1, observations, -1.0, 8.0) == pytest.approx(0.5)


def test_deflated_sharpe_when_more_trials_then_lower():
    returns = np.random.default_rng(3).normal(0.001, 0.01, 2000)
    one, many = (deflated_sharpe_ratio(returns, n, 0.02 ** 2) for n in (1, 1000))
    assert one > 0.99 and many < one


def brute_force_pbo(returns: np.ndarray, splits: int) -> np.ndarray:
    """CSCV written out: concatenate the blocks of each half, Sharpe ratio with numpy,
    rank with scipy."""
    blocks = np.array_split(np.arange(len(returns)), splits)
    logits = []
    for chosen in itertools.combinations(range(splits), splits // 2):
        inside = np.concatenate([blocks[b] for b in chosen])
        outside = np.concatenate([blocks[b] for b in range(splits) if b not in chosen])
        winner = np.argmax(per_period_sharpe(returns[inside]))
        omega = stats.rankdata(per_period_sharpe(returns[outside]))[winner] / (returns.shape[1] + 1)
        logits.append(math.log(omega / (1 - omega)))
    return np.array(logits)


def test_pbo_when_computed_from_block_sums_then_equals_the_brute_force():
    returns = np.random.default_rng(11).normal(0.0, 0.01, size=(480, 12))
    fast = probability_of_backtest_overfitting(returns, splits=8)
    np.testing.assert_allclose(fast.logits, brute_force_pbo(returns, 8), rtol=1e-9, atol=1e-9)
    assert fast.probability == pytest.approx((brute_force_pbo(returns, 8) <= 0).mean())


def test_pbo_when_one_configuration_is_truly_better_then_0_and_noise_about_half():
    """One data set is one draw of the PBO (its splits share the data): noise gives
    anything from about 0.35 to 0.85, around 0.5 on average."""
    noises = [np.random.default_rng(seed).normal(0.0, 0.01, size=(2000, 20)) for seed in range(8)]
    skilled = noises[0].copy()
    skilled[:, 0] += 0.004  # a Sharpe ratio of 0.4 a day against none
    assert probability_of_backtest_overfitting(skilled).probability == 0.0
    draws = [probability_of_backtest_overfitting(noise, splits=8).probability for noise in noises]
    assert 0.4 < np.mean(draws) < 0.65 and min(draws) > 0.25


def test_pbo_when_too_few_periods_or_an_odd_split_then_refused():
    with pytest.raises(ValueError, match="even number of blocks"):
        probability_of_backtest_overfitting(np.zeros((100, 3)), splits=5)
    with pytest.raises(ValueError, match="two periods per block"):
        probability_of_backtest_overfitting(np.zeros((20, 3)), splits=16)
