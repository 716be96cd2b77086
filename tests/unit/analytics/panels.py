"""Price panels for the analytics tests: the real shared data and generated markets."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from momentum_pipeline.foundation.calendar import sessions
from momentum_pipeline.features import build_features
from momentum_pipeline.signals import Inputs, panel, session_index
from tests.conftest import REAL_OHLCV

#: Real tickers of the look-ahead and history tests: GEV listed on 2024-03-27, PLTR in
#: 2020, the rest trade over the whole period.
REAL_TICKERS = ("AAPL", "GEV", "JNJ", "JPM", "KO", "MSFT", "NVDA", "PLTR", "TSLA", "XOM")


@functools.cache
def real_bars(ticker: str, start: str = "2010-01-01") -> pd.DataFrame:
    """The shared real bars of ``ticker`` from ``start`` (columns as in cleaned data)."""
    bars = pd.read_csv(REAL_OHLCV / f"{ticker}.csv", index_col="Date", parse_dates=["Date"])
    bars = bars.rename(columns=str.lower).rename_axis("date")
    return bars.loc[start:]


def signal_inputs(bars: dict[str, pd.DataFrame], until: pd.Timestamp) -> Inputs:
    """The panels GenerateSignals builds, from bars cut at ``until`` (features included)."""
    cut = {t: b.loc[:until] for t, b in bars.items() if not b.loc[:until].empty}
    features = {t: build_features(b) for t, b in cut.items()}
    index = session_index(min(b.index[0] for b in cut.values()), until.date())
    return Inputs(close=panel({t: b["close"] for t, b in cut.items()}, index),
                  rsi=panel({t: f["rsi"] for t, f in features.items()}, index),
                  macd=panel({t: f["macd"] for t, f in features.items()}, index))


def generated_inputs(seed: int, tickers: int, length: int) -> Inputs:
    """A random market of ``tickers`` names over ``length`` NYSE sessions from 2020:
    late listings, early delistings, a flat-priced name, random RSI and MACD."""
    rng = np.random.default_rng(seed)
    index = sessions(pd.Timestamp("2020-01-02"), pd.Timestamp("2023-12-29"))[:length]
    drift = rng.normal(0.0, 0.002, tickers)
    volatility = rng.uniform(0.005, 0.04, tickers)
    log_returns = drift + volatility * rng.standard_normal((length, tickers))
    if tickers > 2:
        log_returns[:, -1] = 0.0  # a flat price: zero volatility, never a signal
    close = 50.0 * np.exp(np.cumsum(log_returns, axis=0))
    for column in range(tickers):
        listed = int(rng.integers(0, length // 2)) if rng.random() < 0.4 else 0
        delisted = int(rng.integers(length // 2, length)) if rng.random() < 0.2 else length
        close[:listed, column] = np.nan
        close[delisted:, column] = np.nan
    names = [f"T{i:02d}" for i in range(tickers)]
    rsi = np.where(np.isnan(close), np.nan, rng.uniform(0.0, 100.0, close.shape))
    macd = np.where(np.isnan(close), np.nan, rng.normal(0.0, 1.0, close.shape))

    def frame(values: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(values, index=index, columns=pd.Index(names, name="ticker"))

    return Inputs(close=frame(close), rsi=frame(rsi), macd=frame(macd))
