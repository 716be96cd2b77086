from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from momentum_pipeline.backtest.performance import max_drawdown
from momentum_pipeline.reporting.performance import (drawdown, growth, monthly_returns,
                                                     rolling_sharpe, yearly_returns)


def daily(values, start="2024-01-02") -> pd.Series:
    return pd.Series(values, index=pd.bdate_range(start, periods=len(values)), dtype=float)


def test_growth_when_benchmark_first_return_missing_then_it_counts_as_flat():
    assert growth(daily([np.nan, 0.1, -0.5])).tolist() == pytest.approx([1.0, 1.1, 0.55])


def test_growth_and_drawdown_when_the_benchmark_ends_early_then_they_stop_at_its_last_return():
    returns = daily([0.1, -0.5, np.nan, np.nan])

    assert growth(returns).tolist()[:2] == pytest.approx([1.1, 0.55])
    assert growth(returns).iloc[2:].isna().all()
    assert drawdown(returns).tolist()[:2] == pytest.approx([0.0, -0.5])
    assert drawdown(returns).iloc[2:].isna().all()


def test_drawdown_when_plotted_then_its_minimum_is_the_backtest_max_drawdown():
    returns = daily(np.random.default_rng(1).normal(0.0005, 0.02, 500))
    assert drawdown(returns).min() == pytest.approx(max_drawdown(returns))
    assert drawdown(daily([0.1, -0.1, 0.05])).tolist() == pytest.approx([0.0, -0.1, -0.055])


def test_monthly_returns_when_daily_returns_then_each_month_compounds_its_days():
    index = pd.to_datetime(["2024-01-30", "2024-01-31", "2024-02-01", "2024-02-02",
                            "2025-03-03"])
    returns = pd.Series([0.10, 0.10, -0.20, 0.05, 0.01], index=index)
    table = monthly_returns(returns)
    assert list(table.columns) == list(range(1, 13))
    assert list(table.index) == [2024, 2025]
    assert table.loc[2024, 1] == pytest.approx(1.1 * 1.1 - 1)
    assert table.loc[2024, 2] == pytest.approx(0.8 * 1.05 - 1)
    assert table.loc[2025, 3] == pytest.approx(0.01)
    assert math.isnan(table.loc[2024, 3])


def test_rolling_sharpe_when_window_full_then_mean_over_std_annualised():
    returns = daily(np.random.default_rng(2).normal(0.001, 0.01, 30))
    sharpe = rolling_sharpe(returns, 20)
    assert sharpe.iloc[:19].isna().all()
    last = returns.iloc[-20:].to_numpy()
    assert sharpe.iloc[-1] == pytest.approx(last.mean() / last.std(ddof=1) * math.sqrt(252))


def test_rolling_sharpe_when_window_flat_then_no_value_instead_of_infinity():
    assert rolling_sharpe(daily([0.0] * 10), 5).isna().all()


def test_yearly_returns_when_a_series_spans_years_then_each_year_compounds_its_sessions():
    returns = daily([0.01] * 300, start="2023-06-01")
    sessions = pd.DatetimeIndex(returns.index).year.value_counts()

    yearly = yearly_returns(returns)

    assert yearly.index.tolist() == [2023, 2024]
    assert yearly.tolist() == pytest.approx([1.01 ** sessions[2023] - 1,
                                             1.01 ** sessions[2024] - 1])
    assert (1 + yearly).prod() - 1 == pytest.approx(growth(returns).iloc[-1] - 1)


def test_yearly_returns_when_the_series_ends_early_then_no_year_after_its_last_return():
    returns = daily([0.1] * 3 + [np.nan] * 300, start="2023-12-27")

    assert yearly_returns(returns).to_dict() == pytest.approx({2023: 1.1 ** 3 - 1})
