"""Markets for the model tests: real TSLA bars, a planted pattern, a random walk."""

from __future__ import annotations

import numpy as np
import pandas as pd

from momentum_pipeline.foundation.calendar import sessions
from momentum_pipeline.features import build_features
from momentum_pipeline.model.dataset import TickerFrames
from momentum_pipeline.model.train import ForestSettings
from tests.conftest import REAL_OHLCV

#: A small forest: the tests check behaviour, not the production size.
SMALL_FOREST = ForestSettings(n_estimators=40, max_depth=5, min_samples_leaf=20,
                              max_features=0.5, max_samples=0.7, random_state=7, n_jobs=1)


def real_bars(ticker: str = "TSLA") -> pd.DataFrame:
    """Daily bars of the shared real data, lower-case columns, index ``date``."""
    bars = pd.read_csv(REAL_OHLCV / f"{ticker}.csv", parse_dates=["Date"], index_col="Date")
    bars.columns = [c.lower() for c in bars.columns]
    bars.index.name = "date"
    return bars


def real_frames(ticker: str = "TSLA", bars: pd.DataFrame | None = None) -> TickerFrames:
    """The ticker's real features (the pipeline's own feature code) and close."""
    bars = real_bars(ticker) if bars is None else bars
    return TickerFrames(ticker, build_features(bars), bars["close"], f"{ticker}.csv")


def _dates(count: int) -> pd.DatetimeIndex:
    return sessions(pd.Timestamp("2010-01-04"), pd.Timestamp("2030-12-31"))[:count]


def planted_market(seed: int, count: int = 1500, hit_rate: float = 0.75) -> TickerFrames:
    """A market whose next-day direction follows the sign of feature ``signal`` on
    ``hit_rate`` of the days; two noise features beside it."""
    rng = np.random.default_rng(seed)
    signal = rng.standard_normal(count)
    follows = rng.random(count) < hit_rate
    up_next = (signal > 0) == follows
    size = np.abs(rng.normal(0.01, 0.005, count)) + 1e-4
    returns = np.concatenate([[0.0], np.where(up_next, size, -size)[:-1]])
    dates = _dates(count)
    close = pd.Series(100 * np.exp(np.cumsum(returns)), index=dates)
    features = pd.DataFrame({"signal": signal, "noise_a": rng.standard_normal(count),
                             "noise_b": rng.standard_normal(count)}, index=dates)
    return TickerFrames(f"PLANTED{seed}", features, close)


def random_walk(seed: int, count: int = 1500) -> TickerFrames:
    """Gaussian log-price random walk with volume; features by the pipeline's own code."""
    rng = np.random.default_rng(seed)
    close = 50 * np.exp(np.cumsum(rng.normal(0.0003, 0.015, count)))
    bars = pd.DataFrame({"close": close, "volume": rng.integers(1e5, 1e6, count)},
                        index=_dates(count))
    return TickerFrames(f"WALK{seed}", build_features(bars), bars["close"])
