"""Features: TA-Lib equality on the real data, warm-up, causality, edge cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandas_ta as ta
import pytest
import talib

from momentum_pipeline.features import FeatureParams, build_features, features_schema
from momentum_pipeline.validation import SchemaMismatch, check_schema
from tests.conftest import REAL_OHLCV
from tests.unit.analytics.panels import real_bars

ALL_REAL_TICKERS = sorted(p.stem for p in REAL_OHLCV.glob("*.csv"))
TOLERANCE = 1e-9


def _assert_equal_after_warm_up(ours: pd.Series, reference: np.ndarray, where: str) -> None:
    """NaN exactly where TA-Lib has NaN (the warm-up), equal within 1e-9 elsewhere."""
    ours = ours.to_numpy()
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(reference), err_msg=f"{where}: warm-up")
    valid = ~np.isnan(reference)
    assert valid.any(), f"{where}: no values after the warm-up"
    np.testing.assert_allclose(ours[valid], reference[valid], rtol=0, atol=TOLERANCE,
                               err_msg=where)


def test_features_when_computed_on_every_real_ticker_then_indicators_equal_talib():
    params = FeatureParams()
    for ticker in ALL_REAL_TICKERS:
        bars = real_bars(ticker, start="2005-01-01")
        close = bars["close"].to_numpy(dtype=np.float64)
        features = build_features(bars, params)
        returns = np.concatenate([[np.nan], close[1:] / close[:-1] - 1])
        line, signal, histogram = talib.MACD(close, params.macd_fast, params.macd_slow,
                                             params.macd_signal)
        expected = {
            "rsi": talib.RSI(close, params.rsi_length),
            "macd": line, "macd_signal": signal, "macd_hist": histogram,
            **{f"return_mean_{w}": talib.SMA(returns, w) for w in params.rolling_windows},
            **{f"return_std_{w}": talib.STDDEV(returns, w) for w in params.rolling_windows},
            **{f"ma_distance_{w}": close / talib.SMA(close, w) - 1 for w in params.ma_windows},
        }
        for column, reference in expected.items():
            _assert_equal_after_warm_up(features[column], reference, f"{ticker} {column}")


def test_features_when_talib_path_is_taken_then_rsi_differs_from_pandas_ta_own_formula():
    # Shows the 1e-9 check above can tell the paths apart: pandas-ta's own RSI (its
    # fallback without TA-Lib) is seeded differently and stays off for many sessions.
    close = real_bars("AAPL")["close"].reset_index(drop=True)
    own_formula = ta.rsi(close, 14, talib=False).to_numpy()
    ours = build_features(real_bars("AAPL"))["rsi"].to_numpy()
    assert np.nanmax(np.abs(ours - own_formula)) > 1e-3


def test_features_when_bars_after_t_are_cut_then_rows_up_to_t_are_unchanged():
    bars = real_bars("NVDA")
    full = build_features(bars)
    for cut in (300, 1000, len(bars) - 7):
        pd.testing.assert_frame_equal(build_features(bars.iloc[:cut]), full.iloc[:cut],
                                      check_exact=True)


def test_features_when_history_is_long_then_nan_only_in_leading_warm_up_rows():
    features = build_features(real_bars("KO"))
    for column in features.columns:
        missing = features[column].isna().to_numpy()
        warm_up = int(np.argmin(missing)) if not missing.all() else len(missing)
        assert not missing[warm_up:].any(), f"{column}: NaN after the warm-up rows"
        assert warm_up < 200, f"{column}: {warm_up} warm-up rows"


def test_features_when_history_is_shorter_than_the_windows_then_columns_are_nan_not_errors():
    bars = real_bars("GEV").iloc[:12]
    features = build_features(bars)
    assert list(features.index) == list(bars.index)
    assert features["rsi"].isna().all() and features["macd_hist"].isna().all()
    assert features["ma_distance_200"].isna().all()
    assert features["return_1d"].iloc[1:].notna().all()
    assert build_features(bars.iloc[:0]).columns.tolist() == FeatureParams().columns()


def test_features_when_returns_are_hand_computed_then_lags_shift_the_daily_return():
    bars = pd.DataFrame({"close": [100.0, 110.0, 99.0, 99.0], "volume": [10, 0, 0, 5]},
                        index=pd.date_range("2024-01-02", periods=4, name="date"))
    features = build_features(bars, FeatureParams(return_lags=(1, 2)))
    np.testing.assert_allclose(features["return_1d"], [np.nan, 0.1, -0.1, 0.0])
    np.testing.assert_allclose(features["return_lag_1"], [np.nan, np.nan, 0.1, -0.1])
    np.testing.assert_allclose(features["return_lag_2"], [np.nan, np.nan, np.nan, 0.1])
    # Zero volume (a filled session) must give a finite change, not -inf.
    np.testing.assert_allclose(features["volume_change"],
                               [np.nan, np.log(1 / 11), 0.0, np.log(6)])


def test_features_when_every_column_is_listed_then_dtypes_are_float64():
    features = build_features(real_bars("JPM").iloc[-400:])
    assert features.columns.tolist() == FeatureParams().columns()
    assert set(features.dtypes) == {np.dtype("float64")}


@pytest.mark.parametrize("change, named", [
    ({"macd_fast": 30}, "macd_fast"),
    ({"rsi_length": 1}, "rsi_length"),
    ({"return_lags": (1, 1)}, "return_lags"),
    ({"ma_windows": ()}, "ma_windows"),
])
def test_feature_params_when_a_window_is_invalid_then_error_names_it(change, named):
    with pytest.raises(ValueError, match=named):
        FeatureParams(**change)


def test_features_schema_when_a_value_is_missing_after_warm_up_then_mismatch_names_it():
    features = build_features(real_bars("KO").loc["2024-06-03":"2024-12-31"])
    schema = features_schema(FeatureParams())
    check_schema(schema, features.reset_index(), "KO.parquet", "KO")  # the real thing passes
    features.loc["2024-12-02", "rsi"] = np.nan
    features.loc["2024-12-03", "macd"] = np.inf
    with pytest.raises(SchemaMismatch) as error:
        check_schema(schema, features.reset_index(), "KO.parquet", "KO")
    message = str(error.value)
    assert message.startswith("KO.parquet: ticker KO does not match the features schema")
    row = features.index.get_loc("2024-12-02") + 1
    assert (f"finite_after_warm_up at rows {row} (2024-12-02), {row + 1} (2024-12-03)"
            in message)
