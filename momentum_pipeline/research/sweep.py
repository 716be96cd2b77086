"""A parameter sweep of the momentum strategy: every configuration of a grid run through
the backtest's vectorised engine (the same signals, cost model and trading rules as the
daily backtest), in one process, then judged with :mod:`.statistics`.

The configurations are chosen on the in-sample sessions only (before ``holdout_start``);
the held-out sessions show how the choice fared on data it never saw.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from momentum_pipeline.backtest.checked_run import Market, trade_plan, vectorised_performance
from momentum_pipeline.backtest.config import BacktestConfig
from momentum_pipeline.backtest.performance import annual_return, max_drawdown, sharpe
from momentum_pipeline.research.statistics import (deflated_sharpe_ratio,
                                                   expected_maximum_sharpe, per_period_sharpe,
                                                   probability_of_backtest_overfitting)
from momentum_pipeline.signals import Inputs, Scores, decided_weights, momentum_scores
from momentum_pipeline.strategy import StrategyParams, load_strategy, read_toml

#: The parameters that :func:`momentum_scores` reads: configurations equal in these share
#: their scores.
SCORE_PARAMETERS = ("lookback", "skip", "min_history", "volatility_window")
#: Blocks of the CSCV (C(16, 8) = 12,870 train/test splits), as Bailey et al. use.
CSCV_SPLITS = 16
TRADING_DAYS = 252
#: The columns of the results table that are figures, not parameters.
FIGURES = ("sharpe_in_sample", "annual_return_in_sample", "max_drawdown_in_sample",
           "sharpe_held_out", "annual_return_held_out")


@dataclass(frozen=True)
class SweepGrid:
    """The base strategy, the values to try per parameter (every combination), and the
    first held-out session."""

    base: StrategyParams
    values: dict[str, tuple[Any, ...]]
    holdout_start: dt.date

    def configurations(self) -> tuple[list[StrategyParams], list[str]]:
        """Every valid combination over the base, and why each invalid one was left out
        (``skip >= lookback``, say)."""
        names = sorted(self.values)
        valid, invalid = [], []
        for combination in itertools.product(*(self.values[n] for n in names)):
            changes = dict(zip(names, combination))
            try:
                valid.append(dataclasses.replace(self.base, **changes))
            except ValueError as error:
                invalid.append(f"{changes}: {error}")
        return valid, invalid


def load_grid(path: str | Path, default_base: str | Path) -> SweepGrid:
    """The grid in a TOML file: ``base`` (a strategy file, relative to the working
    directory; ``default_base``, the daily strategy, when absent), ``holdout_start`` and
    a ``[grid]`` table of lists of values."""
    path = Path(path)
    document = read_toml(path, "sweep grid file")
    fields = {f.name for f in dataclasses.fields(StrategyParams)} - {"name"}
    grid = document.get("grid")
    if not isinstance(grid, dict) or not grid:
        raise ValueError(f"{path}: a [grid] table of parameter = [values] is needed")
    unknown = sorted(set(grid) - fields)
    if unknown:
        raise ValueError(f"{path}: [grid] {', '.join(unknown)}: not strategy parameters "
                         f"(expected some of {', '.join(sorted(fields))})")
    for name, values in grid.items():
        if not isinstance(values, list) or not values:
            raise ValueError(f"{path}: [grid] {name}: expected a non-empty list of values")
    try:
        holdout = dt.date.fromisoformat(str(document.get("holdout_start")))
    except ValueError:
        raise ValueError(f"{path}: holdout_start must be a date (YYYY-MM-DD)") from None
    base = load_strategy(document.get("base", default_base))
    return SweepGrid(base, {k: tuple(v) for k, v in grid.items()}, holdout)


def configuration_key(params: StrategyParams) -> str:
    """A stable name of a configuration: its cache entry and its row in the results."""
    text = json.dumps(params.to_dict(), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def configuration_returns(params: StrategyParams, inputs: Inputs, market: Market,
                          config: BacktestConfig, scores: Scores | None = None) -> pd.Series:
    """The daily returns of one configuration: its target weights traded by the
    backtest's vectorised engine over the market's sessions (as decided: each row holds
    until the next, as every session's would)."""
    weights = decided_weights(inputs, params, scores)
    plan, _ = trade_plan(weights, market, where=f"sweep configuration {configuration_key(params)}")
    return vectorised_performance(plan, market, config)["returns"]


def sweep_returns(configurations: list[StrategyParams], inputs: Inputs, market: Market,
                  config: BacktestConfig,
                  cached: Callable[[str], pd.Series | None] = lambda key: None,
                  store: Callable[[str, pd.Series], None] = lambda key, returns: None,
                  ) -> tuple[pd.DataFrame, int]:
    """Daily returns of every configuration (a column per key) and how many were
    computed; ``cached`` returns a configuration's stored returns, ``store`` keeps new
    ones, so a widened grid computes only its new points."""
    columns, computed, scores = {}, 0, {}
    for params in configurations:
        key = configuration_key(params)
        returns = cached(key)
        if returns is None:
            shared = tuple(getattr(params, name) for name in SCORE_PARAMETERS)
            if shared not in scores:
                scores[shared] = momentum_scores(inputs, params)
            returns = configuration_returns(params, inputs, market, config, scores[shared])
            store(key, returns)
            computed += 1
        columns[key] = returns
    return pd.DataFrame(columns), computed


@dataclass(frozen=True)
class SweepResult:
    """A row per configuration (its parameters, in-sample and held-out figures) and the
    statistics of the choice."""

    table: pd.DataFrame
    best: str
    summary: dict[str, Any]


def evaluate(returns: pd.DataFrame, configurations: list[StrategyParams], base: StrategyParams,
             holdout_start: dt.date, invalid: list[str]) -> SweepResult:
    """Choose the configuration with the best in-sample Sharpe ratio and say how much of
    it is luck: the DSR given the number and spread of the trials, the PBO by CSCV on the
    in-sample returns, and the held-out figures of the choice and of the base."""
    inside = returns.loc[returns.index < pd.Timestamp(holdout_start)]
    outside = returns.loc[returns.index >= pd.Timestamp(holdout_start)]
    if len(inside) < 2 * CSCV_SPLITS or len(outside) < 2:
        raise ValueError(f"holdout_start {holdout_start} leaves {len(inside)} in-sample and "
                         f"{len(outside)} held-out sessions of {returns.index[0].date()}.."
                         f"{returns.index[-1].date()}: too few on one side")
    keys = list(returns.columns)
    per_period = per_period_sharpe(inside.to_numpy())
    rows = []
    for key, params in zip(keys, configurations):
        figures = {"sharpe_in_sample": sharpe(inside[key]),
                   "annual_return_in_sample": annual_return(inside[key]),
                   "max_drawdown_in_sample": max_drawdown(inside[key]),
                   "sharpe_held_out": sharpe(outside[key]),
                   "annual_return_held_out": annual_return(outside[key])}
        rows.append({"key": key, **{k: v for k, v in params.to_dict().items() if k != "name"},
                     **figures})
    table = pd.DataFrame(rows).set_index("key")
    best = keys[int(np.argmax(per_period))]
    variance = float(np.var(per_period, ddof=1)) if len(keys) > 1 else 0.0
    overfitting = probability_of_backtest_overfitting(inside.to_numpy(), CSCV_SPLITS)
    base_key = configuration_key(base)
    summary = {
        "configurations": len(keys), "left_out": invalid,
        "in_sample": [str(inside.index[0].date()), str(inside.index[-1].date())],
        "held_out": [str(outside.index[0].date()), str(outside.index[-1].date())],
        "best": best, "best_parameters": table.loc[best].drop(list(FIGURES)).to_dict(),
        "best_sharpe_in_sample": float(table.at[best, "sharpe_in_sample"]),
        "best_sharpe_held_out": float(table.at[best, "sharpe_held_out"]),
        "expected_max_sharpe_by_luck": expected_maximum_sharpe(len(keys), variance)
        * np.sqrt(TRADING_DAYS),
        "deflated_sharpe_ratio": deflated_sharpe_ratio(inside[best].to_numpy(), len(keys), variance),
        "probability_of_backtest_overfitting": overfitting.probability,
        "cscv_splits": overfitting.splits,
        "base": base_key if base_key in table.index else None,
    }
    return SweepResult(table=table, best=best, summary=summary)
