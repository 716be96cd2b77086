"""Daily-return series behind the performance charts: growth, drawdown, monthly
returns and rolling Sharpe. Returns are fractions per session; a missing return
(the benchmark's first session) counts as flat."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from momentum_pipeline.backtest import performance


def growth(returns: pd.Series) -> pd.Series:
    """Value of 1 dollar invested at the start, compounded daily."""
    return (1.0 + returns.fillna(0.0)).cumprod()


def drawdown(returns: pd.Series) -> pd.Series:
    """Fall from the running peak per session (negative fraction), as the backtest
    measures its maximum drawdown."""
    return pd.Series(performance.drawdown(returns.fillna(0.0)), index=returns.index)


def monthly_returns(returns: pd.Series) -> pd.DataFrame:
    """Compounded return of each calendar month: rows years, columns months 1..12."""
    dates = pd.DatetimeIndex(returns.index)
    monthly = (1.0 + returns.fillna(0.0)).groupby([dates.year, dates.month]).prod() - 1.0
    return monthly.unstack().reindex(columns=range(1, 13))


def rolling_sharpe(returns: pd.Series, window: int) -> pd.Series:
    """Annualised Sharpe ratio (zero risk-free rate) over the last ``window`` sessions."""
    rolling = returns.rolling(window, min_periods=window)
    sharpe = rolling.mean() / rolling.std() * math.sqrt(performance.TRADING_DAYS)
    return sharpe.where(np.isfinite(sharpe))  # a flat window has no Sharpe ratio
