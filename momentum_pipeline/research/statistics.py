"""How much of a backtest's Sharpe ratio survives having tried many configurations.

* :func:`probabilistic_sharpe_ratio`: the probability that the true Sharpe ratio exceeds
  a benchmark, given the track record's length, skewness and kurtosis (Bailey and López
  de Prado, "The Sharpe Ratio Efficient Frontier", Journal of Risk 15(2), 2012, eq. 11).
* :func:`expected_maximum_sharpe`: the Sharpe ratio the best of N trials reaches by luck
  alone (Bailey and López de Prado, "The Deflated Sharpe Ratio: Correcting for Selection
  Bias, Backtest Overfitting and Non-Normality", Journal of Portfolio Management 40(5),
  2014, p. 99): SR0 = sqrt(V[SR_n]) ((1 - γ) Z⁻¹(1 - 1/N) + γ Z⁻¹(1 - 1/(N e))).
* :func:`deflated_sharpe_ratio`: the PSR of the best trial against SR0 (ibid., eq. 2).
* :func:`probability_of_backtest_overfitting`: combinatorially symmetric cross-validation
  (Bailey, Borwein, López de Prado and Zhu, "The Probability of Backtest Overfitting",
  Journal of Computational Finance 20(4), 2017): how often the configuration that is best
  in a training half of the sample ranks in the bottom half of the other half.

Sharpe ratios here are per observation (daily), not annualised, as the formulas want.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

EULER_GAMMA = 0.5772156649015329


def per_period_sharpe(returns: np.ndarray) -> np.ndarray:
    """Mean over standard deviation (ddof 1) of each column of ``returns`` (rows:
    periods); 0 for a column without variance."""
    returns = np.asarray(returns, dtype=np.float64)
    mean, deviation = returns.mean(axis=0), returns.std(axis=0, ddof=1)
    return np.divide(mean, deviation, out=np.zeros_like(mean), where=deviation > 0)


def probabilistic_sharpe_ratio(sharpe: float, benchmark: float, observations: int,
                               skewness: float, kurtosis: float) -> float:
    """P(true SR > ``benchmark``) for an observed per-period ``sharpe`` over
    ``observations`` periods with the returns' ``skewness`` and (non-excess)
    ``kurtosis``: Z((SR - SR*) sqrt(T - 1) / sqrt(1 - γ3 SR + (γ4 - 1)/4 SR²))."""
    spread = 1.0 - skewness * sharpe + (kurtosis - 1.0) / 4.0 * sharpe ** 2
    if observations < 2 or spread <= 0:
        return float("nan")
    return float(stats.norm.cdf((sharpe - benchmark) * math.sqrt(observations - 1)
                                / math.sqrt(spread)))


def expected_maximum_sharpe(trials: int, variance: float) -> float:
    """SR0: the expected maximum per-period Sharpe ratio of ``trials`` independent trials
    whose Sharpe ratios have ``variance`` and a true value of 0."""
    if trials < 2:
        return 0.0
    quantile = stats.norm.ppf
    return math.sqrt(variance) * ((1 - EULER_GAMMA) * quantile(1 - 1 / trials)
                                  + EULER_GAMMA * quantile(1 - 1 / (trials * math.e)))


def deflated_sharpe_ratio(returns: np.ndarray, trials: int, trial_variance: float) -> float:
    """DSR of the chosen configuration's per-period ``returns``, chosen among ``trials``
    whose per-period Sharpe ratios have ``trial_variance``: the probability that its true
    Sharpe ratio exceeds what the best of that many lucky trials would show."""
    returns = np.asarray(returns, dtype=np.float64)
    sharpe = float(per_period_sharpe(returns[:, None])[0])
    return probabilistic_sharpe_ratio(
        sharpe, expected_maximum_sharpe(trials, trial_variance), len(returns),
        float(stats.skew(returns)), float(stats.kurtosis(returns, fisher=False)))


@dataclass(frozen=True)
class Overfitting:
    """The outcome of CSCV: the PBO, and each split's logit of the in-sample winner's
    out-of-sample relative rank (negative: it ranked in the bottom half)."""

    probability: float
    logits: np.ndarray
    splits: int


def _block_sharpe(sums: np.ndarray, squares: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Per-period Sharpe ratios from sums, sums of squares and counts of returns."""
    mean = sums / counts[:, None]
    variance = (squares - sums * mean) / (counts[:, None] - 1)
    deviation = np.sqrt(np.maximum(variance, 0.0))
    return np.divide(mean, deviation, out=np.zeros_like(mean), where=deviation > 0)


def probability_of_backtest_overfitting(returns: np.ndarray, splits: int = 16) -> Overfitting:
    """CSCV on ``returns`` (rows: periods in order, columns: configurations): the rows
    are cut into ``splits`` blocks; for each way of choosing half of them as the training
    set, the configuration with the best training Sharpe ratio is ranked among all on
    the other half, ω = rank / (N + 1) (ties share their average rank), λ = ln(ω / (1 - ω)).
    PBO = share of λ <= 0. Each half's Sharpe ratios come from per-block sums, so the
    C(splits, splits/2) combinations cost little more than one pass over the returns."""
    returns = np.asarray(returns, dtype=np.float64)
    periods, configurations = returns.shape
    if splits % 2 or splits < 2 or periods < 2 * splits or configurations < 2:
        raise ValueError(f"CSCV needs an even number of blocks (got {splits}), at least two "
                         f"periods per block ({periods} periods) and 2 or more configurations "
                         f"({configurations})")
    blocks = np.array_split(np.arange(periods), splits)
    sums = np.stack([returns[b].sum(axis=0) for b in blocks])
    squares = np.stack([(returns[b] ** 2).sum(axis=0) for b in blocks])
    lengths = np.array([len(b) for b in blocks], dtype=np.float64)
    training = np.zeros((math.comb(splits, splits // 2), splits))
    for row, chosen in enumerate(itertools.combinations(range(splits), splits // 2)):
        training[row, list(chosen)] = 1.0
    logits = np.concatenate([_logits(chunk, sums, squares, lengths)
                             for chunk in np.array_split(training, -(-len(training) // CSCV_CHUNK))])
    return Overfitting(probability=float((logits <= 0).mean()), logits=logits, splits=splits)


#: Splits judged at once: bounds the memory of a large sweep (a split x configuration
#: array of Sharpe ratios per half).
CSCV_CHUNK = 1024


def _logits(training: np.ndarray, sums: np.ndarray, squares: np.ndarray,
            lengths: np.ndarray) -> np.ndarray:
    """λ of each split (a row of ``training``: 1 for its training blocks)."""
    testing = 1.0 - training
    inside = _block_sharpe(training @ sums, training @ squares, training @ lengths)
    outside = _block_sharpe(testing @ sums, testing @ squares, testing @ lengths)
    winner = outside[np.arange(len(outside)), inside.argmax(axis=1)][:, None]
    rank = (outside < winner).sum(axis=1) + ((outside == winner).sum(axis=1) + 1) / 2
    omega = rank / (sums.shape[1] + 1)
    return np.log(omega / (1 - omega))
