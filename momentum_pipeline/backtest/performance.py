"""Performance metrics of daily return series: pure functions, series in, float out.

Conventions: returns are simple daily returns (fractions, 0.01 = 1 %) of
consecutive trading sessions; annualisation uses 252 sessions a year; the
risk-free rate is zero. A ratio whose denominator is zero is infinite with the
sign of its numerator (NaN when both are zero), as the limit says; JSON output
writes non-finite values as null (:func:`finite_or_none`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from momentum_pipeline.foundation.calendar import TRADING_DAYS

#: Keys of :func:`summarise`, in the order the reports list them.
METRICS = ("total_return", "annual_return", "annual_volatility", "sharpe", "sortino",
           "max_drawdown", "calmar", "turnover", "hit_rate", "exposure", "pnl")
#: Keys of :func:`against_benchmark`, in the order the reports list them.
RELATIVE_METRICS = ("beta", "alpha", "tracking_error", "information_ratio")


def _values(returns: pd.Series | np.ndarray) -> np.ndarray:
    values = np.asarray(returns, dtype="float64")
    if np.isnan(values).any():
        raise ValueError("returns contain NaN: expected one finite return per session")
    return values


def _ratio(numerator: float, denominator: float) -> float:
    if denominator > 0:
        return numerator / denominator
    return math.copysign(math.inf, numerator) if numerator else math.nan


def total_return(returns: pd.Series | np.ndarray) -> float:
    """Compounded return over the whole series (fraction)."""
    return float(np.prod(1.0 + _values(returns)) - 1.0)


def annual_return(returns: pd.Series | np.ndarray) -> float:
    """Compound annual growth rate (fraction per year); NaN for an empty series."""
    values = _values(returns)
    if not len(values):
        return math.nan
    return float((1.0 + total_return(values)) ** (TRADING_DAYS / len(values)) - 1.0)


def _daily_volatility(values: np.ndarray) -> float:
    """Sample standard deviation (ddof 1); exactly 0 for a constant series, whose
    floating-point mean would otherwise leave a residue near 1e-18."""
    if len(values) < 2:
        return math.nan
    if values.min() == values.max():
        return 0.0
    return float(values.std(ddof=1))


def annual_volatility(returns: pd.Series | np.ndarray) -> float:
    """Standard deviation of daily returns times sqrt(252) (fraction per year)."""
    return _daily_volatility(_values(returns)) * math.sqrt(TRADING_DAYS)


def sharpe(returns: pd.Series | np.ndarray) -> float:
    """Annualised Sharpe ratio: mean over standard deviation of daily returns, times sqrt(252)."""
    values = _values(returns)
    if len(values) < 2:
        return math.nan
    return _ratio(float(values.mean()), _daily_volatility(values)) * math.sqrt(TRADING_DAYS)


def downside_deviation(returns: pd.Series | np.ndarray) -> float:
    """Root mean square of the negative daily returns, zeros counted for the rest (fraction per day)."""
    values = _values(returns)
    if not len(values):
        return math.nan
    return float(np.sqrt(np.mean(np.minimum(values, 0.0) ** 2)))


def sortino(returns: pd.Series | np.ndarray) -> float:
    """Annualised Sortino ratio: mean daily return over the downside deviation, times sqrt(252)."""
    values = _values(returns)
    if not len(values):
        return math.nan
    return _ratio(float(values.mean()), downside_deviation(values)) * math.sqrt(TRADING_DAYS)


def drawdown(returns: pd.Series | np.ndarray) -> np.ndarray:
    """Per session, the equity's fall from its running peak (fraction, <= 0).

    The peak includes the starting equity, so a loss on the first day counts.
    """
    equity = np.cumprod(1.0 + _values(returns))
    peak = np.maximum.accumulate(np.concatenate([[1.0], equity]))[1:]
    return equity / peak - 1.0


def max_drawdown(returns: pd.Series | np.ndarray) -> float:
    """Deepest fall from a running peak (negative fraction; 0 when equity never fell)."""
    falls = drawdown(returns)
    return float(falls.min()) if len(falls) else math.nan


def calmar(returns: pd.Series | np.ndarray) -> float:
    """Annual return over the magnitude of the maximum drawdown."""
    return _ratio(annual_return(returns), -max_drawdown(returns))


def hit_rate(returns: pd.Series | np.ndarray) -> float:
    """Fraction of sessions with a gain among sessions with a non-zero return."""
    values = _values(returns)
    moved = np.count_nonzero(values)
    return np.count_nonzero(values > 0) / moved if moved else math.nan


def annual_turnover(daily_turnover: pd.Series | np.ndarray | float) -> float:
    """Traded value (buys plus sells) per year as a multiple of equity, from the daily
    traded value as a fraction of that day's equity: mean times 252."""
    return float(np.mean(daily_turnover)) * TRADING_DAYS


def summarise(returns: pd.Series | np.ndarray, *, capital: float,
              gross_exposure: pd.Series | np.ndarray | float,
              daily_turnover: pd.Series | np.ndarray | float) -> dict[str, float]:
    """Every metric of :data:`METRICS` for one return series.

    ``capital`` is the starting equity in dollars (``pnl`` = capital times the total
    return); ``gross_exposure`` is the sum of absolute position values over equity,
    per session or as a constant (1.0 for a fully invested benchmark);
    ``daily_turnover`` is the traded value over equity per session (0.0 for buy and hold).
    """
    growth = total_return(returns)
    return {
        "total_return": growth,
        "annual_return": annual_return(returns),
        "annual_volatility": annual_volatility(returns),
        "sharpe": sharpe(returns),
        "sortino": sortino(returns),
        "max_drawdown": max_drawdown(returns),
        "calmar": calmar(returns),
        "turnover": annual_turnover(daily_turnover),
        "hit_rate": hit_rate(returns),
        "exposure": float(np.mean(gross_exposure)),
        "pnl": capital * growth,
    }


def _paired(returns: pd.Series | np.ndarray,
            benchmark: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    values, reference = _values(returns), _values(benchmark)
    if len(values) != len(reference):
        raise ValueError(f"returns and benchmark differ in length ({len(values)} and "
                         f"{len(reference)}): expected one return of each per session")
    return values, reference


def beta(returns: pd.Series | np.ndarray, benchmark: pd.Series | np.ndarray) -> float:
    """Sensitivity to the benchmark: covariance of daily returns over the benchmark's
    variance (both ddof 1); NaN when the benchmark never moves."""
    values, reference = _paired(returns, benchmark)
    if len(values) < 2:
        return math.nan
    variance = _daily_volatility(reference) ** 2
    return float(np.cov(values, reference)[0, 1] / variance) if variance > 0 else math.nan


def alpha(returns: pd.Series | np.ndarray, benchmark: pd.Series | np.ndarray) -> float:
    """Jensen's alpha (zero risk-free rate), annualised simply: the mean daily return
    beyond ``beta`` times the benchmark's, times 252 (fraction per year, not compounded)."""
    values, reference = _paired(returns, benchmark)
    return float(values.mean() - beta(values, reference) * reference.mean()) * TRADING_DAYS


def tracking_error(returns: pd.Series | np.ndarray, benchmark: pd.Series | np.ndarray) -> float:
    """Standard deviation of the daily active return (returns minus benchmark), times
    sqrt(252) (fraction per year)."""
    values, reference = _paired(returns, benchmark)
    return annual_volatility(values - reference)


def information_ratio(returns: pd.Series | np.ndarray,
                      benchmark: pd.Series | np.ndarray) -> float:
    """The Sharpe ratio of the active return: how much excess each unit of tracking
    error bought (annualised)."""
    values, reference = _paired(returns, benchmark)
    return sharpe(values - reference)


def against_benchmark(returns: pd.Series | np.ndarray,
                      benchmark: pd.Series | np.ndarray) -> dict[str, float]:
    """Every metric of :data:`RELATIVE_METRICS` of ``returns`` against ``benchmark``,
    session by session."""
    return {"beta": beta(returns, benchmark), "alpha": alpha(returns, benchmark),
            "tracking_error": tracking_error(returns, benchmark),
            "information_ratio": information_ratio(returns, benchmark)}


def finite_or_none(metrics: dict[str, float]) -> dict[str, float | None]:
    """The metrics with infinite or undefined values as ``None`` (JSON null)."""
    return {k: (float(v) if math.isfinite(v) else None) for k, v in metrics.items()}
