"""BuildFeatures' feature computation against calling TA-Lib directly, on the real data.

    PYTHONPATH=. python benchmarks/features_vs_talib.py [--csv-dir ../shared/data/ohlcv]

The 101 tickers of the S&P 100 universe file are read once (whole history, about
5,000 sessions each); file I/O is outside the timed loops. Timed, each as the best of
``--repeats`` interleaved rounds over all tickers:

* ``build_features``: the pipeline's function (pandas-ta on its TA-Lib path, a frame out);
* ``bare TA-Lib``: the same feature matrix from TA-Lib and numpy on the raw arrays,
  checked equal to the pipeline's within 1e-9 first, so the two do the same work;
* ``TA-Lib indicators only``: just the TA-Lib calls (RSI, MACD, SMAs, STDDEVs);
* ``BuildFeatures with I/O``: read the cleaned columns from parquet, build, check the
  features schema (pandera) and write the parquet with provenance, as the task does.

Printed: total and per-ticker milliseconds and the ratio to bare TA-Lib (goal: the
pipeline's computation within 3x of bare TA-Lib).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import talib

from momentum_pipeline.features import FeatureParams, build_features, features_schema
from momentum_pipeline.foundation.frames import write_parquet
from momentum_pipeline.foundation.provenance import Provenance
from momentum_pipeline.foundation.universe import load_universe
from momentum_pipeline.validation import check_schema

REPO = Path(__file__).resolve().parents[1]
GOAL_RATIO = 3.0


def load_bars(csv_dir: Path) -> dict[str, pd.DataFrame]:
    """Bars of every universe ticker with a CSV file, as cleaned data holds them."""
    bars = {}
    for ticker in load_universe(REPO / "config" / "universe" / "sp100.csv"):
        path = csv_dir / f"{ticker}.csv"
        if path.is_file():
            frame = pd.read_csv(path, index_col="Date", parse_dates=["Date"])
            frame = frame.rename(columns=str.lower).rename_axis("date")
            bars[ticker] = frame.astype({"close": "float64", "volume": "int64"})
    return bars


def talib_indicators(close: np.ndarray, returns: np.ndarray,
                     params: FeatureParams) -> list[np.ndarray]:
    """The TA-Lib calls the features need, in the pipeline's column order."""
    line, signal, histogram = talib.MACD(close, params.macd_fast, params.macd_slow,
                                         params.macd_signal)
    rolling = [f(returns, w) for w in params.rolling_windows for f in (talib.SMA, talib.STDDEV)]
    averages = [talib.SMA(close, w) for w in params.ma_windows]
    return [talib.RSI(close, params.rsi_length), line, signal, histogram, *rolling, *averages]


def bare_talib_features(close: np.ndarray, volume: np.ndarray,
                        params: FeatureParams) -> np.ndarray:
    """The feature matrix (rows x columns) from TA-Lib and numpy, without pandas."""
    rows = len(close)
    matrix = np.full((rows, len(params.columns())), np.nan)
    matrix[1:, 0] = close[1:] / close[:-1] - 1.0
    returns = matrix[:, 0]
    for column, lag in enumerate(params.return_lags, start=1):
        matrix[lag:, column] = returns[:-lag]
    first = 1 + len(params.return_lags)
    indicators = talib_indicators(close, returns, params)
    averages = indicators[-len(params.ma_windows):]
    middle = indicators[:-len(params.ma_windows)]
    matrix[:, first:first + len(middle)] = np.column_stack(middle)
    volume_column = first + len(middle)
    matrix[1:, volume_column] = np.diff(np.log1p(volume))
    matrix[:, volume_column + 1:] = np.column_stack([close / a - 1.0 for a in averages])
    return matrix


def best_of(repeats: int, rounds: dict[str, Callable[[], object]]) -> dict[str, float]:
    """Best wall seconds of each callable, run in interleaved rounds (fair under load)."""
    best = dict.fromkeys(rounds, float("inf"))
    for _ in range(repeats):
        for name, work in rounds.items():
            start = time.perf_counter()
            work()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv-dir", type=Path, default=REPO.parent / "shared" / "data" / "ohlcv")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    params = FeatureParams()
    bars = load_bars(args.csv_dir)
    arrays = {t: (b["close"].to_numpy(), b["volume"].to_numpy(dtype=np.float64))
              for t, b in bars.items()}
    for ticker, frame in bars.items():
        ours, bare = build_features(frame, params).to_numpy(), bare_talib_features(
            *arrays[ticker], params)
        np.testing.assert_array_equal(np.isnan(ours), np.isnan(bare), err_msg=ticker)
        np.testing.assert_allclose(ours, bare, rtol=0, atol=1e-9, err_msg=ticker)

    with tempfile.TemporaryDirectory() as folder:
        cleaned = {t: Path(folder) / f"{t}.parquet" for t in bars}
        provenance = Provenance(task="benchmark", source="csv", sample_data=False)
        for ticker, frame in bars.items():
            write_parquet(frame, cleaned[ticker], provenance)
        output = Path(folder) / "features.parquet"

        schema = features_schema(params)

        def with_io() -> None:
            for ticker, path in cleaned.items():
                frame = build_features(pd.read_parquet(path, columns=["close", "volume"]), params)
                check_schema(schema, frame.reset_index(), str(output), ticker)
                write_parquet(frame, output, provenance)

        seconds = best_of(args.repeats, {
            "build_features": lambda: [build_features(b, params) for b in bars.values()],
            "bare TA-Lib": lambda: [bare_talib_features(c, v, params) for c, v in arrays.values()],
            "TA-Lib indicators only": lambda: [
                talib_indicators(c, talib.ROCP(c, 1), params) for c, _ in arrays.values()],
            "BuildFeatures with I/O": with_io,
        })

    sessions = sum(len(b) for b in bars.values())
    print(f"{len(bars)} tickers, {sessions} sessions, {len(params.columns())} features, "
          f"best of {args.repeats} rounds")
    peer = seconds["bare TA-Lib"]
    print(f"{'':26s} {'total ms':>10s} {'ms/ticker':>10s} {'x bare':>8s}")
    for name, value in seconds.items():
        print(f"{name:26s} {value * 1e3:10.1f} {value * 1e3 / len(bars):10.3f} "
              f"{value / peer:8.2f}")
    ratio = seconds["build_features"] / peer
    verdict = "within" if ratio <= GOAL_RATIO else "NOT within"
    print(f"build_features / bare TA-Lib = {ratio:.2f}: {verdict} the {GOAL_RATIO:g}x goal")


if __name__ == "__main__":
    main()
