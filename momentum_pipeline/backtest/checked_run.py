"""One backtest of the target weights, checked: the sessions and targets from the
bundle's manifest, positions closed where a ticker's data ends, the benchmark's
returns, the zipline run, the vectorised check against it and the summary. The task
only reads its inputs and writes what this returns."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from momentum_pipeline.backtest.algorithm import BacktestResult, benchmark_returns, run_backtest
from momentum_pipeline.backtest.bundle import bar_ranges as bundle_bar_ranges
from momentum_pipeline.backtest.config import BacktestConfig
from momentum_pipeline.backtest.summary import backtest_summary
from momentum_pipeline.backtest.targets import (align_targets, check_targets_have_bars,
                                                close_ended_positions, rebalances)
from momentum_pipeline.backtest.costs import CostModel
from momentum_pipeline.backtest.vectorised import SimulatedBars, agrees, compare, trade_on_bars


@dataclass(frozen=True)
class Market:
    """What target weights trade on: the simulated sessions, each ticker's bar range
    (from the bundle's manifest) and cleaned bars (dollars; the benchmark's too)."""

    simulated: pd.DatetimeIndex
    ranges: dict[str, tuple[pd.Timestamp, pd.Timestamp]]
    prices: dict[str, pd.DataFrame]

    @classmethod
    def of(cls, manifest: dict[str, Any], read_prices: Callable[[str], pd.DataFrame],
           config: BacktestConfig, tickers: list[str]) -> Market:
        ranges = bundle_bar_ranges(manifest)
        simulated = config.simulated_sessions(min(first for first, _ in ranges.values()),
                                              max(last for _, last in ranges.values()))
        return cls(simulated, ranges, {t: read_prices(t) for t in (*tickers, config.benchmark)})

    def bars(self, costs: CostModel, tickers: pd.Index) -> SimulatedBars:
        """The bars of ``tickers`` laid out on the simulated sessions, built once per
        fill price and tickers: a sweep trades many plans on them."""
        key = (costs.fill_price, tuple(tickers))
        if key not in self._bars:
            everyone = self._bars.get(costs.fill_price) or SimulatedBars.of(
                pd.DataFrame({t: bars["open"] for t, bars in self.prices.items()}),
                pd.DataFrame({t: bars["close"] for t, bars in self.prices.items()}),
                self.simulated, costs)
            self._bars[costs.fill_price] = everyone
            self._bars[key] = everyone.subset(tickers)
        return self._bars[key]

    @functools.cached_property
    def _bars(self) -> dict[Any, SimulatedBars]:
        return {}

    @functools.cached_property
    def last_closes(self) -> dict[str, float]:
        """Each ticker's last close (dollars): what a position whose data ends is sold at."""
        return {t: float(bars["close"].iloc[-1]) for t, bars in self.prices.items()}


def trade_plan(weights: pd.DataFrame, market: Market, where: str) -> tuple[pd.DataFrame, list[str]]:
    """The rebalances that trade ``weights`` over the market's sessions (positions of
    tickers whose data ends closed there), and the notes on those closings."""
    targets = align_targets(weights, market.simulated, where=where)
    check_targets_have_bars(targets, market.ranges)
    targets, closed = close_ended_positions(
        targets, market.ranges,
        market.last_closes)
    return rebalances(targets), closed


def vectorised_performance(plan: pd.DataFrame, market: Market,
                           config: BacktestConfig) -> pd.DataFrame:
    """The vectorised run of ``plan``: zipline's check, and the sweep's engine."""
    return trade_on_bars(plan, market.bars(config.costs, plan.columns), market.simulated,
                         config.capital, config.costs)


@dataclass(frozen=True)
class CheckedBacktest:
    """zipline's frames, the summary (``summary.json``), the notes on the data (also in
    the summary) and the vectorised check's comparison."""

    result: BacktestResult
    summary: dict[str, Any]
    notes: list[str]
    comparison: dict[str, float]


def run_and_check(weights: pd.DataFrame, manifest: dict[str, Any],
                  read_prices: Callable[[str], pd.DataFrame], config: BacktestConfig, *,
                  strategy: str, sample_data: bool, zipline_root: Path, run_date: dt.date,
                  log: logging.Logger, where: str) -> CheckedBacktest:
    """``weights``: target weights (rows: sessions, fractions of equity), ``where`` their
    file in errors; ``manifest``: the bundle's ``bundle.json`` (its folder is
    ``zipline_root``); ``read_prices``: a ticker's cleaned bars. Notes, the run's shape,
    skipped orders and a disagreement with the vectorised check go to ``log``."""
    market = Market.of(manifest, read_prices, config, list(weights.columns))
    simulated = market.simulated
    plan, closed = trade_plan(weights, market, where)
    benchmark, benchmark_notes = benchmark_returns(market.prices[config.benchmark]["close"],
                                                   simulated, config.benchmark)
    notes = [*closed, *benchmark_notes]
    for note in notes:
        log.warning("%s: %s", run_date, note)
    log.info("%s: %d sessions %s..%s, %d rebalances, capital %.2f, costs %s", run_date,
             len(simulated), simulated[0].date(), simulated[-1].date(), len(plan),
             config.capital, asdict(config.costs))

    result = run_backtest(plan, {t: e["sid"] for t, e in manifest["tickers"].items()},
                          simulated, config.capital, config.costs, benchmark, zipline_root,
                          run_date)
    for session, ticker in result.skipped_orders:
        log.warning("%s: no order for %s: no bar on that session", session, ticker)
    comparison = compare(result.performance, vectorised_performance(plan, market, config))
    if not agrees(comparison):
        log.warning("zipline and the vectorised check disagree beyond tolerance: %s",
                    comparison)
    summary = backtest_summary(result.performance, comparison, config, strategy, sample_data,
                               len(plan), notes)
    return CheckedBacktest(result=result, summary=summary, notes=notes, comparison=comparison)
