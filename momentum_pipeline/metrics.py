"""Per-ticker price metrics: returns, volatility, moving averages and drawdown.

Columns of :func:`price_metrics` (one row per session, values at row t use bars up to t):

=====================  ====================================================  ===========
column                 what                                                  unit
=====================  ====================================================  ===========
close                  adjusted close                                        price
return                 close[t] / close[t-1] - 1                             fraction
log_return             log(close[t] / close[t-1])                            log return
volatility_<w>         sample std (divisor w - 1) of log_return over the     fraction
                       last w sessions, times sqrt(252)                      per year
ma_<w>                 mean close of the last w sessions                     price
drawdown               close / highest close so far - 1 (0 at a new high)    fraction
=====================  ====================================================  ===========
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from momentum_pipeline.foundation.calendar import TRADING_DAYS
from momentum_pipeline.config import MetricParams
from momentum_pipeline.foundation.provenance import sample_data_label


def annualised_volatility(log_returns: pd.Series | pd.DataFrame,
                          window: int) -> pd.Series | pd.DataFrame:
    """Rolling sample std of daily log returns over ``window`` sessions, per year (fraction)."""
    return log_returns.rolling(window, min_periods=window).std() * math.sqrt(TRADING_DAYS)


def price_metrics(bars: pd.DataFrame, params: MetricParams = MetricParams()) -> pd.DataFrame:
    """The metrics frame of one ticker from its cleaned bars (needs column close)."""
    close = bars["close"].astype(np.float64)
    log_return = np.log(close).diff()
    columns = {
        "close": close,
        "return": close.pct_change(fill_method=None),
        "log_return": log_return,
        f"volatility_{params.volatility_window}": annualised_volatility(
            log_return, params.volatility_window),
        **{f"ma_{w}": close.rolling(w, min_periods=w).mean() for w in params.ma_windows},
        "drawdown": close / close.cummax() - 1.0,
    }
    return pd.DataFrame(columns, index=bars.index)


def _number(value: float) -> float | None:
    """JSON has no NaN: a missing figure is null."""
    return None if value is None or not np.isfinite(value) else float(value)


def _day(stamp: pd.Timestamp) -> str:
    return stamp.date().isoformat()


def metrics_summary(metrics: pd.DataFrame, ticker: str, sample_data: bool,
                    params: MetricParams = MetricParams()) -> dict[str, Any]:
    """The JSON summary of a metrics frame: full-window figures and the latest values.

    Returns are fractions; ``annual_return`` is compounded over 252 sessions a year;
    ``annual_volatility`` is the sample std of all daily log returns times sqrt(252).
    """
    if metrics.empty:
        raise ValueError(f"ticker {ticker}: no sessions to summarise")
    close, drawdown = metrics["close"], metrics["drawdown"]
    sessions = len(metrics)
    total_return = close.iloc[-1] / close.iloc[0] - 1.0
    years = (sessions - 1) / TRADING_DAYS
    annual_return = (1.0 + total_return) ** (1.0 / years) - 1.0 if years > 0 else None
    trough = drawdown.idxmin()
    peak = close.loc[:trough].idxmax()
    last = metrics.iloc[-1]
    return {
        "ticker": ticker,
        **sample_data_label(sample_data),
        "first_date": _day(metrics.index[0]),
        "last_date": _day(metrics.index[-1]),
        "sessions": sessions,
        "last_close": _number(close.iloc[-1]),
        "total_return": _number(total_return),
        "annual_return": _number(annual_return),
        "annual_volatility": _number(metrics["log_return"].std() * math.sqrt(TRADING_DAYS)),
        "rolling_volatility": _number(last[f"volatility_{params.volatility_window}"]),
        "max_drawdown": _number(drawdown.min()),
        "max_drawdown_peak": _day(peak),
        "max_drawdown_trough": _day(trough),
        "current_drawdown": _number(drawdown.iloc[-1]),
        "moving_averages": {f"ma_{w}": _number(last[f"ma_{w}"]) for w in params.ma_windows},
        "parameters": params.to_dict(),
    }
