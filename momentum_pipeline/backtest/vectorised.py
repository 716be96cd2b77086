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

from dataclasses import dataclass

import numba
import numpy as np
import pandas as pd

from momentum_pipeline.backtest import costs
from momentum_pipeline.backtest.costs import CostModel

#: zipline and the vectorised run must agree at least this well (Pearson
#: correlation of daily returns) ...
MIN_RETURNS_CORRELATION = 0.99
#: ... and in final equity within this fraction of it.
FINAL_EQUITY_TOLERANCE = 0.005


@dataclass(frozen=True)
class SimulatedBars:
    """Bars on the simulated sessions as the trading loop reads them (a column per
    ticker): closes carried forward over gaps, the fill prices (NaN where a ticker has no
    bar) and the columns whose closes stop before the last session, with the step of
    their last close (in step, then column order). Built once per market: a sweep trades
    many plans on the same bars."""

    tickers: pd.Index
    close: np.ndarray
    fill: np.ndarray
    closing_steps: np.ndarray
    closing_columns: np.ndarray

    @classmethod
    def of(cls, opens: pd.DataFrame, closes: pd.DataFrame, simulated: pd.DatetimeIndex,
           costs: CostModel) -> SimulatedBars:
        bars = closes.reindex(index=simulated)
        fill = (opens if costs.fill_price == "open" else closes).reindex(
            index=simulated, columns=bars.columns)
        return cls(bars.columns, bars.ffill().to_numpy(), fill.to_numpy(), *_ended(bars))

    def subset(self, tickers: pd.Index) -> SimulatedBars:
        """The bars of ``tickers`` only (in that order)."""
        columns = self.tickers.get_indexer(tickers)
        if (columns < 0).any():
            raise ValueError(f"no bars for {list(tickers[columns < 0][:5])}")
        renumbered = np.full(len(self.tickers), -1)
        renumbered[columns] = np.arange(len(columns))
        new = renumbered[self.closing_columns]
        kept = new >= 0
        order = np.lexsort((new[kept], self.closing_steps[kept]))
        return SimulatedBars(tickers, self.close[:, columns], self.fill[:, columns],
                             self.closing_steps[kept][order], new[kept][order])


def vectorised_backtest(rebalance_targets: pd.DataFrame, opens: pd.DataFrame,
                        closes: pd.DataFrame, simulated: pd.DatetimeIndex, capital: float,
                        costs: CostModel) -> pd.DataFrame:
    """Trade ``rebalance_targets`` (target rows of the rebalance sessions, a column per
    ticker) over the ``simulated`` sessions with ``opens``/``closes`` (dollars, NaN
    where a ticker has no bar) and ``capital`` dollars.

    Returns per session: portfolio_value and traded_value (dollars), returns,
    commission (dollars).
    """
    columns = rebalance_targets.columns
    bars = SimulatedBars.of(opens[columns], closes[columns], simulated, costs)
    return trade_on_bars(rebalance_targets, bars, simulated, capital, costs)


def trade_on_bars(rebalance_targets: pd.DataFrame, bars: SimulatedBars,
                  simulated: pd.DatetimeIndex, capital: float, costs: CostModel) -> pd.DataFrame:
    """:func:`vectorised_backtest` on bars already laid out on the simulated sessions
    (their tickers those of ``rebalance_targets``, in order)."""
    steps = simulated.get_indexer(rebalance_targets.index)
    if (steps < 0).any():
        raise ValueError("rebalance sessions outside the simulated sessions: "
                         f"{rebalance_targets.index[steps < 0][:5].date.tolist()}")
    value, traded, commission = _trade(
        steps.astype(np.int64), rebalance_targets.to_numpy(dtype=np.float64), bars.closing_steps,
        bars.closing_columns, bars.close, bars.fill, float(capital), costs.slippage_bps, *costs.rates)
    returns = value / np.concatenate([[capital], value[:-1]]) - 1.0
    return pd.DataFrame({"portfolio_value": value, "returns": returns,
                         "traded_value": traded, "commission": commission},
                        index=simulated)


_slipped = numba.njit(cache=True)(costs.slipped)
_commission = numba.njit(cache=True)(costs.commission)


@numba.njit(cache=True)
def _trade(steps, targets, closing_steps, closing_columns, close, fill, capital, slippage_bps,
           per_share, per_dollar):
    """The trading loop, compiled (a sweep runs it hundreds of times), one pass over the
    sessions: the orders decided on the session before fill; rebalance step i orders
    ``targets[i]`` of the equity at ``close[steps[i]]`` (orders count as held from then
    on), to fill at ``fill`` of the next session; then the positions whose data ends
    there are sold at its close. Returns per session: the portfolio's value (cash and
    positions at the closes), traded value and commission (dollars)."""
    n, width = close.shape
    value = np.empty(n)
    traded = np.zeros(n)
    charged = np.zeros(n)
    held = np.zeros(width)       # shares, orders to fill included
    position = np.zeros(width)   # shares filled
    pending = np.zeros(width)    # ordered, to fill on the next session
    cash = settled = capital     # dollars, after the orders decided / after the fills
    pending_flow, filling = 0.0, False
    plan, ends = 0, 0
    for step in range(n):
        if filling:
            position += pending
            settled += pending_flow
            pending[:] = 0.0
            pending_flow, filling = 0.0, False
        if plan < len(steps) and steps[plan] == step:
            if step + 1 < n:  # decided on the last session: nothing fills
                equity = 0.0
                for column in range(width):
                    if np.isfinite(close[step, column]):
                        equity += held[column] * close[step, column]
                equity += cash
                for column in range(width):
                    price, next_fill = close[step, column], fill[step + 1, column]
                    if not (np.isfinite(price) and np.isfinite(next_fill)):
                        continue
                    order = np.trunc(targets[plan, column] * equity / price - held[column])
                    if order == 0:
                        continue
                    executed = _slipped(next_fill, order, slippage_bps)
                    fee = _commission(order, executed, per_share, per_dollar)
                    pending_flow -= order * executed + fee
                    traded[step + 1] += abs(order * executed)
                    charged[step + 1] += fee
                    held[column] += order
                    pending[column] = order
                    filling = True
                cash += pending_flow
            plan += 1
        while ends < len(closing_steps) and closing_steps[ends] == step:
            column = closing_columns[ends]
            proceeds = held[column] * close[step, column]
            cash += proceeds
            settled += proceeds
            traded[step] += abs(proceeds)
            position[column] -= held[column]
            held[column] = 0.0
            ends += 1
        positions = 0.0
        for column in range(width):
            if position[column] != 0 and np.isfinite(close[step, column]):
                positions += position[column] * close[step, column]
        value[step] = settled + positions
    return value, traded, charged


def _ended(bars: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The steps of the last closes and the columns whose closes stop before the last
    session, in step, then column order."""
    present = np.isfinite(bars.to_numpy())
    last = len(bars) - 1 - np.argmax(present[::-1], axis=0)
    columns = np.flatnonzero(present.any(axis=0) & (last < len(bars) - 1))
    order = np.lexsort((columns, last[columns]))
    return last[columns][order].astype(np.int64), columns[order].astype(np.int64)


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
