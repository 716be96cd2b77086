"""One backtest of the target weights, checked: the sessions and targets from the
bundle's manifest, positions closed where a ticker's data ends, the benchmark's
returns, the zipline run, the vectorised check against it and the summary. The task
only reads its inputs and writes what this returns."""

from __future__ import annotations

import datetime as dt
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
from momentum_pipeline.backtest.vectorised import agrees, compare, vectorised_backtest


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
    ranges = bundle_bar_ranges(manifest)
    simulated = config.simulated_sessions(min(first for first, _ in ranges.values()),
                                          max(last for _, last in ranges.values()))
    targets = align_targets(weights, simulated, where=where)
    check_targets_have_bars(targets, ranges)
    prices = {t: read_prices(t) for t in (*targets.columns, config.benchmark)}
    targets, closed = close_ended_positions(
        targets, ranges, {t: float(prices[t]["close"].iloc[-1]) for t in targets.columns})
    plan = rebalances(targets)
    benchmark, benchmark_notes = benchmark_returns(prices[config.benchmark]["close"],
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
    check = vectorised_backtest(
        plan, pd.DataFrame({t: prices[t]["open"] for t in plan.columns}),
        pd.DataFrame({t: prices[t]["close"] for t in plan.columns}),
        simulated, config.capital, config.costs)
    comparison = compare(result.performance, check)
    if not agrees(comparison):
        log.warning("zipline and the vectorised check disagree beyond tolerance: %s",
                    comparison)
    summary = backtest_summary(result.performance, comparison, config, strategy, sample_data,
                               len(plan), notes)
    return CheckedBacktest(result=result, summary=summary, notes=notes, comparison=comparison)
