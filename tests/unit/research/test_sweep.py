"""The sweep on planted markets: persistent drifts (a real momentum premium) give a high
deflated Sharpe ratio and a low PBO; a random walk does not, whatever its best Sharpe.
And the grid file: its combinations, what it refuses, and the cache of returns."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from momentum_pipeline.backtest.checked_run import Market
from momentum_pipeline.backtest.config import BacktestConfig
from momentum_pipeline.foundation.calendar import sessions
from momentum_pipeline.research.sweep import (SweepGrid, configuration_key, evaluate, load_grid,
                                              sweep_returns)
from momentum_pipeline.signals import Inputs
from momentum_pipeline.strategy import StrategyParams
from tests.conftest import REPO

BASE = StrategyParams(macd_trend=False)
GRID = SweepGrid(BASE, {"mode": ("long_only", "long_short"), "top_fraction": (0.1, 0.3),
                        "lookback": (126, 252)}, dt.date(2018, 1, 2))
CONFIG = BacktestConfig(start=dt.date(2013, 6, 3), end=dt.date(2019, 12, 31), capital=1e6,
                        benchmark="INDEX")


def planted(drift_spread: float, seed: int, tickers: int = 30) -> tuple[Inputs, Market]:
    """Tickers whose daily returns are a constant drift (annual spread ``drift_spread``
    across tickers: the momentum premium; 0 is a random walk whose returns have mean 0)
    plus 1.5 % noise; RSI 50 everywhere, so every entry is confirmed."""
    days = sessions(dt.date(2012, 1, 3), dt.date(2019, 12, 31))
    rng = np.random.default_rng(seed)
    drift = rng.normal(0.0, drift_spread / 252, tickers)
    log_returns = drift - 0.015 ** 2 / 2 + rng.normal(0.0, 0.015, (len(days), tickers))
    names = [f"T{i:02d}" for i in range(tickers)]
    close = pd.DataFrame(100 * np.exp(np.cumsum(log_returns, axis=0)), index=days, columns=names)
    opens = close.shift(1).fillna(close.iloc[0])
    prices = {t: pd.DataFrame({"open": opens[t], "close": close[t]}) for t in names}
    prices["INDEX"] = prices[names[0]]
    inputs = Inputs(close=close, rsi=pd.DataFrame(50.0, index=days, columns=names),
                    macd=pd.DataFrame(1.0, index=days, columns=names))
    ranges = {t: (days[0], days[-1]) for t in prices}
    return inputs, Market(CONFIG.simulated_sessions(days[0], days[-1]), ranges, prices)


def sweep(inputs: Inputs, market: Market):
    configurations, invalid = GRID.configurations()
    returns, computed = sweep_returns(configurations, inputs, market, CONFIG)
    assert computed == len(configurations) == 8 and not invalid
    return evaluate(returns, configurations, BASE, GRID.holdout_start, invalid)


def test_sweep_when_the_market_has_a_momentum_premium_then_high_dsr_and_low_pbo():
    result = sweep(*planted(0.4, seed=1))
    assert result.summary["deflated_sharpe_ratio"] > 0.95
    assert result.summary["probability_of_backtest_overfitting"] < 0.2
    assert result.table.loc[result.best, "mode"] == "long_short"  # both legs of the premium
    assert result.summary["best_sharpe_held_out"] > 0.5


def test_sweep_when_the_market_is_a_random_walk_then_no_better_than_luck():
    """Each market is one draw (DSR 0.2 to 0.8 here): on average about 0.5, as the PBO."""
    summaries = [sweep(*planted(0.0, seed=seed)).summary for seed in range(1, 7)]
    assert np.mean([s["deflated_sharpe_ratio"] for s in summaries]) < 0.6
    assert np.mean([s["probability_of_backtest_overfitting"] for s in summaries]) > 0.35


def test_sweep_when_returns_are_cached_then_only_new_configurations_are_computed():
    inputs, market = planted(0.4, seed=1)
    stored: dict[str, pd.Series] = {}
    first, _ = GRID.configurations()
    _, computed = sweep_returns(first[:4], inputs, market, CONFIG, stored.get, stored.__setitem__)
    assert computed == 4 and sorted(stored) == sorted(configuration_key(p) for p in first[:4])
    returns, computed = sweep_returns(first, inputs, market, CONFIG, stored.get,
                                      stored.__setitem__)
    assert computed == 4 and list(returns.columns) == [configuration_key(p) for p in first]


def test_grid_when_a_combination_is_not_a_strategy_then_left_out_with_why(tmp_path):
    grid = SweepGrid(BASE, {"lookback": (21, 252), "skip": (21,)}, dt.date(2018, 1, 2))
    valid, invalid = grid.configurations()
    assert [p.lookback for p in valid] == [252]
    assert len(invalid) == 1 and "expected 0 <= skip < lookback" in invalid[0]


def test_load_grid_when_the_repositorys_file_then_its_combinations(tmp_path):
    grid = load_grid(REPO / "config" / "research" / "sweep.toml",
                     REPO / "config" / "strategy" / "momentum.toml")
    valid, invalid = grid.configurations()
    # Every combination is a valid strategy; the parameters are all varied.
    assert len(valid) == math.prod(len(values) for values in grid.values.values()) and not invalid
    assert {"lookback", "skip", "top_fraction", "max_weight", "rebalance", "macd_trend",
            "volatility_scaling", "mode"} <= set(grid.values)
    assert dataclasses.replace(valid[0], **{k: getattr(grid.base, k) for k in grid.values}) == grid.base
    broken = tmp_path / "grid.toml"
    broken.write_text('holdout_start = "2023-01-03"\n[grid]\nlookbak = [126]\n')
    with pytest.raises(ValueError, match="lookbak: not strategy parameters"):
        load_grid(broken, REPO / "config" / "strategy" / "momentum.toml")
