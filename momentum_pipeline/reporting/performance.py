"""Daily-return series behind the performance charts and tables: growth, drawdown,
monthly and yearly returns and rolling Sharpe. Returns are fractions per session; a missing return
counts as flat, except after the last one (a benchmark whose data ends before the
backtest's end): the series stops there, so its line does too."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from momentum_pipeline.backtest import performance
from momentum_pipeline.foundation.calendar import TRADING_DAYS


def _until_last(returns: pd.Series) -> pd.Series:
    """True on the sessions up to the last return that is not missing."""
    return returns.notna().iloc[::-1].cummax().iloc[::-1]


def growth(returns: pd.Series) -> pd.Series:
    """Value of 1 dollar invested at the start, compounded daily."""
    return (1.0 + returns.fillna(0.0)).cumprod().where(_until_last(returns))


def drawdown(returns: pd.Series) -> pd.Series:
    """Fall from the running peak per session (negative fraction), as the backtest
    measures its maximum drawdown."""
    falls = pd.Series(performance.drawdown(returns.fillna(0.0)), index=returns.index)
    return falls.where(_until_last(returns))


def monthly_returns(returns: pd.Series) -> pd.DataFrame:
    """Compounded return of each calendar month: rows years, columns months 1..12."""
    dates = pd.DatetimeIndex(returns.index)
    monthly = (1.0 + returns.fillna(0.0)).groupby([dates.year, dates.month]).prod() - 1.0
    return monthly.unstack().reindex(columns=range(1, 13))


def yearly_returns(returns: pd.Series) -> pd.Series:
    """Compounded return of each calendar year (fraction), indexed by year; a year the
    series stops in covers its sessions up to the last return."""
    until = returns.loc[:returns.last_valid_index()].fillna(0.0)
    return (1.0 + until).groupby(pd.DatetimeIndex(until.index).year).prod() - 1.0


def rolling_sharpe(returns: pd.Series, window: int) -> pd.Series:
    """Annualised Sharpe ratio (zero risk-free rate) over the last ``window`` sessions."""
    rolling = returns.rolling(window, min_periods=window)
    sharpe = rolling.mean() / rolling.std() * math.sqrt(TRADING_DAYS)
    return sharpe.where(np.isfinite(sharpe))  # a flat window has no Sharpe ratio
