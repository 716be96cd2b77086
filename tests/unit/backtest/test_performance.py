"""Metric functions against hand-computed values and against empyrical."""

from __future__ import annotations

import math

import empyrical
import numpy as np
import pandas as pd
import pytest

from momentum_pipeline.backtest import performance
from momentum_pipeline.backtest.performance import (METRICS, RELATIVE_METRICS, against_benchmark,
                                                    finite_or_none, summarise)

DAYS = performance.TRADING_DAYS


def test_metrics_when_return_is_constant_then_no_risk_and_ratios_are_infinite():
    returns = pd.Series([0.001] * DAYS)

    assert performance.total_return(returns) == pytest.approx(1.001 ** DAYS - 1)
    assert performance.annual_return(returns) == pytest.approx(1.001 ** DAYS - 1)
    assert performance.annual_volatility(returns) == 0.0
    assert performance.sharpe(returns) == math.inf
    assert performance.sortino(returns) == math.inf
    assert performance.max_drawdown(returns) == 0.0
    assert performance.calmar(returns) == math.inf
    assert performance.hit_rate(returns) == 1.0


def test_metrics_when_every_return_is_zero_then_ratios_are_undefined():
    returns = np.zeros(10)

    assert math.isnan(performance.sharpe(returns))
    assert math.isnan(performance.sortino(returns))
    assert math.isnan(performance.calmar(returns))
    assert math.isnan(performance.hit_rate(returns))


def test_metrics_of_a_three_day_series_match_the_hand_computation():
    returns = [0.10, -0.20, 0.05]
    mean = -0.05 / 3
    std = math.sqrt(((0.10 - mean) ** 2 + (-0.20 - mean) ** 2 + (0.05 - mean) ** 2) / 2)
    downside = math.sqrt(0.20 ** 2 / 3)
    growth = 1.10 * 0.80 * 1.05  # 0.924

    assert performance.total_return(returns) == pytest.approx(growth - 1)
    assert performance.annual_return(returns) == pytest.approx(growth ** (DAYS / 3) - 1)
    assert performance.annual_volatility(returns) == pytest.approx(std * math.sqrt(DAYS))
    assert performance.sharpe(returns) == pytest.approx(mean / std * math.sqrt(DAYS))
    assert performance.sortino(returns) == pytest.approx(mean / downside * math.sqrt(DAYS))
    # Peak 1.10 after day 1, trough 0.88 after day 2.
    assert performance.max_drawdown(returns) == pytest.approx(0.88 / 1.10 - 1)
    assert performance.calmar(returns) == pytest.approx(
        (growth ** (DAYS / 3) - 1) / (1 - 0.88 / 1.10))
    assert performance.hit_rate(returns) == pytest.approx(2 / 3)


def test_max_drawdown_when_first_day_loses_then_the_starting_equity_is_the_peak():
    assert performance.max_drawdown([-0.10, 0.20]) == pytest.approx(-0.10)


def test_hit_rate_when_some_days_are_flat_then_they_do_not_count():
    assert performance.hit_rate([0.01, 0.0, -0.01, 0.02, 0.0]) == pytest.approx(2 / 3)


def test_annual_turnover_when_equity_is_traded_once_a_year_then_it_is_one():
    daily = np.zeros(DAYS)
    daily[0] = 1.0

    assert performance.annual_turnover(daily) == pytest.approx(1.0)


def test_summarise_when_given_capital_then_pnl_is_dollars_of_the_total_return():
    returns = pd.Series([0.01, -0.02, 0.03])
    metrics = summarise(returns, capital=2_000_000.0, gross_exposure=pd.Series([0.5, 1.0, 1.5]),
                        daily_turnover=0.0)

    assert tuple(metrics) == METRICS
    assert metrics["pnl"] == pytest.approx(2_000_000.0 * (1.01 * 0.98 * 1.03 - 1))
    assert metrics["exposure"] == pytest.approx(1.0)
    assert metrics["turnover"] == 0.0


def test_metrics_when_returns_contain_nan_then_error_says_so():
    with pytest.raises(ValueError, match="NaN"):
        performance.sharpe([0.01, math.nan])


def test_finite_or_none_when_a_metric_is_infinite_or_undefined_then_it_is_null():
    assert finite_or_none({"a": math.inf, "b": math.nan, "c": 0.5}) == {
        "a": None, "b": None, "c": 0.5}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_metrics_of_random_returns_agree_with_empyrical(seed):
    returns = pd.Series(np.random.default_rng(seed).normal(0.0004, 0.012, 800))

    assert performance.annual_return(returns) == pytest.approx(empyrical.annual_return(returns))
    assert performance.annual_volatility(returns) == pytest.approx(
        empyrical.annual_volatility(returns))
    assert performance.sharpe(returns) == pytest.approx(empyrical.sharpe_ratio(returns))
    assert performance.sortino(returns) == pytest.approx(empyrical.sortino_ratio(returns))
    assert performance.max_drawdown(returns) == pytest.approx(empyrical.max_drawdown(returns))
    assert performance.calmar(returns) == pytest.approx(empyrical.calmar_ratio(returns))


def market(seed: int = 3, days: int = DAYS) -> pd.Series:
    return pd.Series(np.random.default_rng(seed).normal(0.0004, 0.01, days))


def test_against_benchmark_when_series_is_the_benchmark_then_beta_1_alpha_0_tracking_error_0():
    benchmark = market()

    figures = against_benchmark(benchmark, benchmark)

    assert list(figures) == list(RELATIVE_METRICS)
    assert figures["beta"] == pytest.approx(1.0)
    assert figures["alpha"] == pytest.approx(0.0, abs=1e-12)
    assert figures["tracking_error"] == 0.0
    assert math.isnan(figures["information_ratio"])  # no active return, no active risk


def test_against_benchmark_when_series_is_twice_the_benchmark_then_beta_is_2_alpha_0():
    benchmark = market()

    figures = against_benchmark(2 * benchmark, benchmark)

    assert figures["beta"] == pytest.approx(2.0)
    assert figures["alpha"] == pytest.approx(0.0, abs=1e-12)
    assert figures["tracking_error"] == pytest.approx(performance.annual_volatility(benchmark))


def test_against_benchmark_when_a_constant_excess_is_added_then_alpha_is_it_per_year():
    benchmark = market()
    excess = 0.0002

    figures = against_benchmark(benchmark + excess, benchmark)

    assert figures["beta"] == pytest.approx(1.0)
    assert figures["alpha"] == pytest.approx(excess * DAYS)
    assert figures["tracking_error"] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("seed", [1, 2])
def test_against_benchmark_of_random_returns_agrees_with_empyrical(seed):
    benchmark = market(seed)
    returns = 0.5 * benchmark + market(seed + 10)

    figures = against_benchmark(returns, benchmark)

    assert figures["beta"] == pytest.approx(empyrical.beta(returns, benchmark))
    active = returns - benchmark
    assert figures["tracking_error"] == pytest.approx(active.std(ddof=1) * math.sqrt(DAYS))
    assert figures["information_ratio"] == pytest.approx(
        active.mean() / active.std(ddof=1) * math.sqrt(DAYS))


def test_against_benchmark_when_lengths_differ_then_error_says_so():
    with pytest.raises(ValueError, match="differ in length"):
        against_benchmark(market(days=10), market(days=11))
