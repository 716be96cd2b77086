"""The backtest's ``summary.json``: what was run, the metrics of the strategy and
the benchmark, and how closely the vectorised check agrees with zipline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

import pandas as pd

from momentum_pipeline.backtest.config import BacktestConfig
from momentum_pipeline.backtest.performance import finite_or_none, summarise
from momentum_pipeline.backtest.vectorised import (
    FINAL_EQUITY_TOLERANCE, MIN_RETURNS_CORRELATION, agrees,
)
from momentum_pipeline.foundation.provenance import sample_data_label


def backtest_summary(performance: pd.DataFrame, comparison: dict[str, float],
                     config: BacktestConfig, strategy: str, sample_data: bool,
                     rebalances: int, notes: Sequence[str] = ()) -> dict[str, Any]:
    """The summary of a run whose daily ``performance`` is zipline's; ``comparison``
    is :func:`~momentum_pipeline.backtest.vectorised.compare`'s. The benchmark is
    held fully invested (exposure 1, turnover 0); its metrics cover the sessions up to
    its last return (a benchmark whose data ends early has none after). ``notes`` say
    what the data changed (positions closed, a benchmark that ends early)."""
    benchmark = performance["benchmark_returns"]
    return {
        "strategy": strategy,
        "start": performance.index[0].date().isoformat(),
        "end": performance.index[-1].date().isoformat(),
        "capital": config.capital,
        **sample_data_label(sample_data),
        "benchmark": config.benchmark,
        "costs": asdict(config.costs),
        "rebalances": rebalances,
        "strategy_metrics": finite_or_none(summarise(
            performance["returns"], capital=config.capital,
            gross_exposure=performance["gross_exposure"], daily_turnover=performance["turnover"])),
        "benchmark_metrics": finite_or_none(summarise(
            benchmark.loc[:benchmark.last_valid_index()], capital=config.capital,
            gross_exposure=1.0, daily_turnover=0.0)),
        "vectorised_check": {**finite_or_none(comparison), "agrees": agrees(comparison),
                             "min_returns_correlation": MIN_RETURNS_CORRELATION,
                             "final_equity_tolerance": FINAL_EQUITY_TOLERANCE},
        "notes": list(notes),
    }
