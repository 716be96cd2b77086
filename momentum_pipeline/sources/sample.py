"""The ``sample`` source: a deterministic, seeded synthetic market for offline runs.

Daily log returns follow a factor model on the NYSE calendar:

    r[t] = beta * market[t] + loading * sector[t] + alpha[t] + sigma[t] * z[t]

* the market factor switches between calm, normal and stressed volatility regimes
  (a Markov chain), so volatility clusters across all tickers at once;
* one factor per GICS sector makes tickers of a sector co-move;
* ``alpha`` is a slowly mean-reverting drift per ticker: the persistence that
  momentum strategies harvest;
* ``sigma`` is a stochastic (log-AR(1)) idiosyncratic volatility;
* volume rises with the size of the day's move.

Prices are the returns compounded backwards and forwards from a close drawn per
ticker at a fixed anchor session (log-uniform between $25 and $800, like real large
caps' closes of early 2025), so run dates around today see believable price levels;
decades earlier the levels spread as the returns take them (a strong performer at a
few dollars, as in split-adjusted histories).

Every series is generated from the fixed epoch below, one causal recursion per
draw, so the bars up to a date never depend on the run date (no look-ahead) and a
ticker's bars never depend on which other tickers are requested.
"""

from __future__ import annotations

import datetime as dt
import functools
import zlib

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from momentum_pipeline.foundation.calendar import sessions
from momentum_pipeline.foundation.calendar import TRADING_DAYS
from momentum_pipeline.foundation.provenance import SAMPLE_DATA_WARNING
from momentum_pipeline.sources import FetchedPrices, within_dates

SAMPLE_EPOCH = dt.date(2000, 1, 3)
#: The session whose close is drawn per ticker from ``ANCHOR_CLOSE`` (dollars).
PRICE_ANCHOR = dt.date(2025, 1, 2)
ANCHOR_CLOSE = (25.0, 800.0)

#: Annualised market volatility of the calm, normal and stressed regimes.
REGIME_VOLATILITY = np.array([0.10, 0.17, 0.38])
#: Daily probability of staying in each regime; a switch goes to a neighbouring one.
REGIME_PERSISTENCE = np.array([0.992, 0.985, 0.96])
MARKET_DRIFT = 0.08  # per year
SECTOR_VOLATILITY = 0.08  # per year
SECTORS = (
    "Communication Services", "Consumer Discretionary", "Consumer Staples", "Energy",
    "Financials", "Health Care", "Industrials", "Information Technology", "Materials",
    "Real Estate", "Utilities",
)


def _stable_id(name: str) -> int:
    """A stable integer for a name (Python's ``hash`` changes between processes)."""
    return zlib.crc32(name.encode())


def _rng(seed: int, *names: str) -> np.random.Generator:
    return np.random.default_rng([seed, *(_stable_id(n) for n in names)])


def _normal(seed: int, n: int, *names: str) -> np.ndarray:
    """``n`` standard normal draws from their own stream: the first ``k`` never depend on ``n``."""
    return _rng(seed, *names).standard_normal(n)


def _ar1(shocks: np.ndarray, phi: float) -> np.ndarray:
    """x[t] = phi * x[t-1] + shocks[t], started at zero."""
    return lfilter([1.0], [1.0, -phi], shocks)


@functools.cache
def _calendar(end: dt.date) -> pd.DatetimeIndex:
    return sessions(SAMPLE_EPOCH, end)


@functools.cache
def _market_returns(seed: int, n: int) -> np.ndarray:
    """Daily market log returns with regime-switching volatility."""
    stay = _rng(seed, "market", "stay").random(n)
    direction = _rng(seed, "market", "direction").random(n)
    z = _rng(seed, "market", "shock").standard_normal(n)
    regime = np.empty(n, dtype=np.int64)
    state = 1
    for t in range(n):
        if stay[t] > REGIME_PERSISTENCE[state]:
            step = 1 if direction[t] < 0.5 else -1
            state = min(max(state + step, 0), len(REGIME_VOLATILITY) - 1)
        regime[t] = state
    vol = REGIME_VOLATILITY[regime] / np.sqrt(TRADING_DAYS)
    return MARKET_DRIFT / TRADING_DAYS - 0.5 * vol**2 + vol * z


@functools.cache
def _sector_returns(seed: int, sector: str, n: int) -> np.ndarray:
    trend = _ar1(_normal(seed, n, "sector", sector, "trend") * 0.004 / TRADING_DAYS, 0.998)
    return trend + _normal(seed, n, "sector", sector, "shock") * SECTOR_VOLATILITY / np.sqrt(TRADING_DAYS)


def sample_bars(ticker: str, sector: str | None, end: dt.date, seed: int) -> pd.DataFrame:
    """Synthetic daily bars of ``ticker`` from the epoch to ``end`` (inclusive). The
    draws run at least to the anchor session, whatever ``end``: its close scales them."""
    dates = _calendar(max(end, PRICE_ANCHOR))
    anchor = dates.get_loc(pd.Timestamp(PRICE_ANCHOR))
    n = len(dates)
    sector = sector if sector in SECTORS else SECTORS[_stable_id(ticker) % len(SECTORS)]
    rng = _rng(seed, "ticker", ticker)
    beta, loading = rng.uniform(0.6, 1.4), rng.uniform(0.4, 1.0)
    idio_vol, anchor_close = rng.uniform(0.10, 0.35), np.exp(rng.uniform(*np.log(ANCHOR_CLOSE)))
    base_volume = np.exp(rng.uniform(np.log(2e6), np.log(6e7)))
    z, gap, up, down, noise, vol_shock, alpha_shock = (
        _normal(seed, n, "ticker", ticker, part)
        for part in ("return", "gap", "up", "down", "volume", "volatility", "alpha"))
    # Stochastic volatility and a persistent drift, both causal recursions.
    sigma = idio_vol / np.sqrt(TRADING_DAYS) * np.exp(_ar1(vol_shock * 0.06, 0.98) - 0.045)
    alpha = _ar1(alpha_shock * 0.004 / TRADING_DAYS, 0.997)
    returns = (beta * _market_returns(seed, n) + loading * _sector_returns(seed, sector, n)
               + alpha + sigma * z)
    growth = np.cumsum(returns)
    close = anchor_close * np.exp(growth - growth[anchor])
    previous = np.concatenate([[close[0] / np.exp(returns[0])], close[:-1]])
    day_vol = np.abs(returns) + sigma
    open_ = previous * np.exp(0.25 * day_vol * gap)
    high = np.maximum(open_, close) * np.exp(0.4 * day_vol * np.abs(up))
    low = np.minimum(open_, close) * np.exp(-0.4 * day_vol * np.abs(down))
    surprise = np.abs(returns) / (day_vol + 1e-12)
    volume = np.round(base_volume * np.exp(0.6 * surprise + _ar1(noise * 0.15, 0.9)))
    return pd.DataFrame({
        "date": dates, "open": open_, "high": high, "low": low, "close": close,
        "volume": volume.astype(np.int64),
    }).iloc[:dates.searchsorted(pd.Timestamp(end), side="right")]


def fetch_sample(ticker: str, sector: str | None, start: dt.date, end: dt.date,
                 seed: int) -> FetchedPrices:
    return FetchedPrices(
        ticker=ticker,
        frame=within_dates(sample_bars(ticker, sector, end, seed), start, end)[0],
        source="sample",
        details={"seed": seed, "generator": "momentum_pipeline.sources.sample",
                 "note": SAMPLE_DATA_WARNING},
    )
