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

import functools

import numpy as np
import pandas as pd
import pandas_ta as ta
import pandera.pandas as pa
from pandas_ta.maps import Imports

from momentum_pipeline.config import FeatureParams
from momentum_pipeline.schema_batches import per_ticker


def _finite_after_warm_up(frame: pd.DataFrame) -> pd.Series:
    """Per row: every feature is finite, or NaN with no finite value above it (warm-up).

    One table check, not one per column: pandera's cost grows with the checks.
    """
    values = frame.drop(columns="date").to_numpy()
    finite = np.isfinite(values)
    warm_up = np.isnan(values) & ~np.maximum.accumulate(finite, axis=0)
    return pd.Series((finite | warm_up).all(axis=1), index=frame.index)


@functools.cache
def features_schema(params: FeatureParams) -> pa.DataFrameSchema:
    """The features' contract, on the frame with its dates as a ``date`` column (so
    errors name rows and dates): the documented float64 columns, finite after warm-up.
    Built once per parameter set: building a schema costs as much as using it."""
    return pa.DataFrameSchema(
        name="features",
        columns={"date": pa.Column("datetime64[ns]", unique=True),
                 **{name: pa.Column("float64", nullable=True) for name in params.columns()}},
        checks=[pa.Check(per_ticker(_finite_after_warm_up), name="finite_after_warm_up")],
        strict=True, ordered=True)


def _require_talib() -> None:
    # Without TA-Lib, pandas-ta silently falls back to its own formulas, whose RSI,
    # for one, differs from TA-Lib's: fail instead of changing the features.
    if not Imports["talib"]:
        raise RuntimeError("TA-Lib is not importable: pandas-ta would fall back to its own "
                           "indicator formulas; install TA-Lib (see pyproject.toml)")


def _fill(row: np.ndarray, indicator: pd.Series | None) -> None:
    """Copy an indicator into its feature row; pandas-ta returns None when the history
    is shorter than the window, and the row stays NaN."""
    if indicator is not None:
        row[:] = indicator.to_numpy(dtype=np.float64)


def build_features(bars: pd.DataFrame, params: FeatureParams = FeatureParams()) -> pd.DataFrame:
    """Feature frame of one ticker from its cleaned bars (needs columns close, volume).

    Returns one row per input row, same index, columns :meth:`FeatureParams.columns`.
    """
    _require_talib()
    names = params.columns()
    close_values = bars["close"].to_numpy(dtype=np.float64)
    # One row per feature, filled in place; the frame is its transpose, not a copy.
    matrix = np.full((len(names), len(close_values)), np.nan)
    feature = dict(zip(names, matrix, strict=True))
    returns = feature["return_1d"]
    returns[1:] = close_values[1:] / close_values[:-1] - 1.0
    for lag in params.return_lags:
        feature[f"return_lag_{lag}"][lag:] = returns[:-lag]
    feature["volume_change"][1:] = np.diff(np.log1p(bars["volume"].to_numpy(dtype=np.float64)))

    # pandas-ta takes Series; a plain positional index keeps its overhead low.
    close, return_series = pd.Series(close_values, copy=False), pd.Series(returns, copy=False)
    _fill(feature["rsi"], ta.rsi(close, params.rsi_length, talib=True))
    macd = ta.macd(close, params.macd_fast, params.macd_slow, params.macd_signal, talib=True)
    if macd is not None:
        # pandas-ta orders MACD as line, histogram, signal.
        feature["macd"][:], feature["macd_hist"][:], feature["macd_signal"][:] = (
            macd.to_numpy(dtype=np.float64).T)
    for window in params.rolling_windows:
        _fill(feature[f"return_mean_{window}"], ta.sma(return_series, window, talib=True))
        _fill(feature[f"return_std_{window}"], ta.stdev(return_series, window, talib=True))
    for window in params.ma_windows:
        distance = feature[f"ma_distance_{window}"]
        _fill(distance, ta.sma(close, window, talib=True))
        distance[:] = close_values / distance - 1.0
    return pd.DataFrame(matrix.T, index=bars.index, columns=names, copy=False)
