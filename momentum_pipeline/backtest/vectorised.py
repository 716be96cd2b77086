"""The backtest strategy in numpy: an independent check of zipline's result, and
a tool for fast parameter sweeps (a ten-year run takes milliseconds).

It follows the same rules as the zipline algorithm: on each rebalance session
``t`` every ticker is ordered to its target fraction of ``t``'s equity in whole
shares (rounded toward zero), sized at ``t``'s close; the orders fill on the next
session at the cost model's price, slippage and commission. A ticker whose closes
stop before the last session is sold at its last close at the end of that session,
without commission, as zipline closes it (the asset's ``auto_close_date``). Its own
bookkeeping differs from zipline's in two ways only, which :data:`FINAL_EQUITY_TOLERANCE`
covers: fills are never partial (zipline fills at most ``volume_limit`` of a
session's volume, and nothing on zero-volume sessions) and prices are the
cleaned ones (zipline stores them rounded to 0.001 dollars).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from momentum_pipeline.backtest.costs import CostModel

#: zipline and the vectorised run must agree at least this well (Pearson
#: correlation of daily returns) ...
MIN_RETURNS_CORRELATION = 0.99
#: ... and in final equity within this fraction of it.
FINAL_EQUITY_TOLERANCE = 0.005


def vectorised_backtest(rebalance_targets: pd.DataFrame, opens: pd.DataFrame,
                        closes: pd.DataFrame, simulated: pd.DatetimeIndex, capital: float,
                        costs: CostModel) -> pd.DataFrame:
    """Trade ``rebalance_targets`` (target rows of the rebalance sessions, a column per
    ticker) over the ``simulated`` sessions with ``opens``/``closes`` (dollars, NaN
    where a ticker has no bar) and ``capital`` dollars.

    Returns per session: portfolio_value and traded_value (dollars), returns,
    commission (dollars).
    """
    tickers = list(rebalance_targets.columns)
    bars = closes.reindex(index=simulated, columns=tickers)
    close = bars.ffill().to_numpy()
    fill = (opens if costs.fill_price == "open" else closes).reindex(
        index=simulated, columns=tickers).to_numpy()
    steps = simulated.get_indexer(rebalance_targets.index)
    if (steps < 0).any():
        raise ValueError("rebalance sessions outside the simulated sessions: "
                         f"{rebalance_targets.index[steps < 0][:5].date.tolist()}")

    n = len(simulated)
    plan = dict(zip(steps, rebalance_targets.to_numpy()))
    closing = _ended(bars)
    bought = np.zeros((n, len(tickers)))
    cash_flow = np.zeros(n)
    traded = np.zeros(n)
    commission = np.zeros(n)
    held = np.zeros(len(tickers))
    cash = float(capital)
    for step in sorted(plan.keys() | closing.keys()):
        if step in plan and step + 1 < n:  # decided on the last session: nothing fills
            price = close[step]
            priced = np.isfinite(price)
            equity = cash + np.dot(held[priced], price[priced])
            order = np.zeros_like(held)
            order[priced] = np.trunc(plan[step][priced] * equity / price[priced] - held[priced])
            order[~np.isfinite(fill[step + 1])] = 0.0
            executed = np.where(order != 0, costs.execution_price(fill[step + 1], order), 0.0)
            charges = costs.commission_dollars(order, executed)
            cash_flow[step + 1] = -np.dot(order, executed) - charges.sum()
            cash += cash_flow[step + 1]
            held += order
            bought[step + 1] = order
            traded[step + 1] = np.abs(order * executed).sum()
            commission[step + 1] = charges.sum()
        for column in closing.get(step, ()):
            proceeds = held[column] * close[step, column]
            cash_flow[step] += proceeds
            cash += proceeds
            traded[step] += abs(proceeds)
            bought[step, column] -= held[column]
            held[column] = 0.0

    holdings = np.cumsum(bought, axis=0)
    value = capital + np.cumsum(cash_flow) + np.nansum(holdings * close, axis=1)
    returns = value / np.concatenate([[capital], value[:-1]]) - 1.0
    return pd.DataFrame({"portfolio_value": value, "returns": returns,
                         "traded_value": traded, "commission": commission},
                        index=simulated)


def _ended(bars: pd.DataFrame) -> dict[int, list[int]]:
    """Session step -> columns whose closes stop there, before the last session."""
    present = np.isfinite(bars.to_numpy())
    last = len(bars) - 1 - np.argmax(present[::-1], axis=0)
    closing: dict[int, list[int]] = {}
    for column in np.flatnonzero(present.any(axis=0) & (last < len(bars) - 1)):
        closing.setdefault(int(last[column]), []).append(int(column))
    return closing


def compare(zipline_performance: pd.DataFrame, vectorised: pd.DataFrame) -> dict[str, float]:
    """How far zipline's daily performance is from the vectorised run's: the
    correlation of daily returns and the relative difference of final equity."""
    returns = zipline_performance["returns"].to_numpy()
    check = vectorised["returns"].reindex(zipline_performance.index).to_numpy()
    final, expected = (float(zipline_performance["portfolio_value"].iloc[-1]),
                       float(vectorised["portfolio_value"].iloc[-1]))
    return {
        "returns_correlation": float(np.corrcoef(returns, check)[0, 1]),
        "final_equity_zipline": final,
        "final_equity_vectorised": expected,
        "final_equity_difference": final / expected - 1.0,
    }


def agrees(comparison: dict[str, float]) -> bool:
    """Whether a :func:`compare` result is within the stated tolerances."""
    return (comparison["returns_correlation"] > MIN_RETURNS_CORRELATION
            and abs(comparison["final_equity_difference"]) <= FINAL_EQUITY_TOLERANCE)
