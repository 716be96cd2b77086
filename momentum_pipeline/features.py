"""Per-ticker features for the signals and the direction model, from cleaned daily bars.

The technical indicators come from pandas-ta on its TA-Lib path (``talib=True``), so
they equal TA-Lib's own functions. Columns (all float64, one row per session; NaN only
in the warm-up rows at the start, or in every row when the history is shorter than the
indicator's window):

=====================  =====================================================  ============
column                 what                                                   unit
=====================  =====================================================  ============
return_1d              close[t] / close[t-1] - 1                              fraction
return_lag_<k>         return_1d of k sessions earlier (k in return_lags)     fraction
rsi                    RSI(rsi_length) of the close (TA-Lib RSI)              0..100
macd                   EMA(macd_fast) - EMA(macd_slow) of the close           price
macd_signal            EMA(macd_signal) of macd                               price
macd_hist              macd - macd_signal                                     price
return_mean_<w>        rolling mean of return_1d over w sessions (TA-Lib SMA) fraction
return_std_<w>         rolling population standard deviation of return_1d     fraction
                       over w sessions (TA-Lib STDDEV: divisor w, not w - 1)
volume_change          log((1 + volume[t]) / (1 + volume[t-1])): finite on    log ratio
                       zero-volume (filled) sessions
ma_distance_<w>        close / SMA(close, w) - 1                              fraction
=====================  =====================================================  ============

Every value at row t uses bars up to t only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import pandas_ta as ta
from pandas_ta.maps import Imports


@dataclass(frozen=True)
class FeatureParams:
    """Windows of the features, in sessions."""

    rsi_length: int = 14
    macd_fast: int = 12
    macd_slow: int = 26
    macd_signal: int = 9
    return_lags: tuple[int, ...] = (1, 2, 3, 4, 5)
    rolling_windows: tuple[int, ...] = (5, 21)
    ma_windows: tuple[int, ...] = (20, 50, 200)

    def __post_init__(self) -> None:
        windows = {"rsi_length": [self.rsi_length], "macd_fast": [self.macd_fast],
                   "macd_slow": [self.macd_slow], "macd_signal": [self.macd_signal],
                   "return_lags": self.return_lags, "rolling_windows": self.rolling_windows,
                   "ma_windows": self.ma_windows}
        for name, values in windows.items():
            if not values or any(int(v) != v or v < 1 for v in values):
                raise ValueError(f"feature parameter {name}={list(values)}: expected "
                                 "whole numbers of sessions >= 1")
            if len(set(values)) != len(values):
                raise ValueError(f"feature parameter {name}={list(values)}: repeated window")
        # TA-Lib needs a window of at least 2 for these.
        for name in ("rsi_length", "macd_fast", "macd_slow", "macd_signal"):
            if getattr(self, name) < 2:
                raise ValueError(f"feature parameter {name}={getattr(self, name)}: expected >= 2")
        if any(w < 2 for w in (*self.rolling_windows, *self.ma_windows)):
            raise ValueError(f"feature windows rolling_windows={list(self.rolling_windows)}, "
                             f"ma_windows={list(self.ma_windows)}: expected >= 2 sessions")
        if self.macd_fast >= self.macd_slow:
            raise ValueError(f"feature parameters macd_fast={self.macd_fast}, "
                             f"macd_slow={self.macd_slow}: expected fast < slow")

    def to_dict(self) -> dict[str, object]:
        """As recorded in provenance (lists, not tuples, so JSON round trips compare equal)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    def columns(self) -> list[str]:
        """The feature columns, in output order."""
        return ["return_1d", *(f"return_lag_{k}" for k in self.return_lags),
                "rsi", "macd", "macd_signal", "macd_hist",
                *(f"return_{stat}_{w}" for w in self.rolling_windows for stat in ("mean", "std")),
                "volume_change", *(f"ma_distance_{w}" for w in self.ma_windows)]


def _require_talib() -> None:
    # Without TA-Lib, pandas-ta silently falls back to its own formulas, whose RSI,
    # for one, differs from TA-Lib's: fail instead of changing the features.
    if not Imports["talib"]:
        raise RuntimeError("TA-Lib is not importable: pandas-ta would fall back to its own "
                           "indicator formulas; install TA-Lib (see pyproject.toml)")


def _values(indicator: pd.Series | pd.DataFrame | None, rows: int, width: int = 1) -> np.ndarray:
    """An indicator's values, or NaN when pandas-ta returns None (history shorter than
    the window)."""
    if indicator is None:
        return np.full((rows, width) if width > 1 else rows, np.nan)
    return indicator.to_numpy(dtype=np.float64)


def build_features(bars: pd.DataFrame, params: FeatureParams = FeatureParams()) -> pd.DataFrame:
    """Feature frame of one ticker from its cleaned bars (needs columns close, volume).

    Returns one row per input row, same index, columns :meth:`FeatureParams.columns`.
    """
    _require_talib()
    close_values = bars["close"].to_numpy(dtype=np.float64)
    rows = len(close_values)
    # pandas-ta takes Series; a plain positional index keeps its overhead low.
    close = pd.Series(close_values, copy=False)
    returns = np.full(rows, np.nan)
    returns[1:] = close_values[1:] / close_values[:-1] - 1.0
    return_series = pd.Series(returns, copy=False)
    volume = np.log1p(bars["volume"].to_numpy(dtype=np.float64))

    columns: list[np.ndarray] = [returns]
    for lag in params.return_lags:
        lagged = np.full(rows, np.nan)
        if lag < rows:
            lagged[lag:] = returns[:-lag]
        columns.append(lagged)
    columns.append(_values(ta.rsi(close, params.rsi_length, talib=True), rows))
    # pandas-ta orders MACD as line, histogram, signal.
    macd = _values(ta.macd(close, params.macd_fast, params.macd_slow, params.macd_signal,
                           talib=True), rows, width=3)
    columns += [macd[:, 0], macd[:, 2], macd[:, 1]]
    for window in params.rolling_windows:
        columns.append(_values(ta.sma(return_series, window, talib=True), rows))
        columns.append(_values(ta.stdev(return_series, window, talib=True), rows))
    volume_change = np.full(rows, np.nan)
    volume_change[1:] = np.diff(volume)
    columns.append(volume_change)
    for window in params.ma_windows:
        columns.append(close_values / _values(ta.sma(close, window, talib=True), rows) - 1.0)

    return pd.DataFrame(np.column_stack(columns), index=bars.index, columns=params.columns())
