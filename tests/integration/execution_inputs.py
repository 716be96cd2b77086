"""Inputs of ExecuteTrades written by the contract (cleaned prices from the real data,
target weights, the signal files), so its tests do not run the pipeline before it."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd

from momentum_pipeline.foundation.calendar import sessions
from momentum_pipeline.foundation.frames import dump_json
from momentum_pipeline.foundation.provenance import Provenance
from tasks.targets import DataTarget
from tests.conftest import REAL_OHLCV, PipelineConfig

DATE = dt.date(2025, 10, 8)
CAPITAL = 1_000_000.0
TICKERS = ("AAPL", "JPM", "MSFT", "XOM")
WEIGHTS = {"AAPL": 0.10, "JPM": 0.05, "MSFT": 0.08, "XOM": 0.0}


def cleaned_prices(ticker: str, day: dt.date) -> pd.DataFrame:
    """The cleaned-stage frame of a real ticker, up to ``day``."""
    raw = pd.read_csv(REAL_OHLCV / f"{ticker}.csv", parse_dates=["Date"])
    raw = raw[raw["Date"] <= pd.Timestamp(day)].tail(300)
    frame = pd.DataFrame({"open": raw["Open"].to_numpy(), "high": raw["High"].to_numpy(),
                          "low": raw["Low"].to_numpy(), "close": raw["Close"].to_numpy(),
                          "volume": raw["Volume"].to_numpy().astype("int64"),
                          "filled": False}, index=pd.DatetimeIndex(raw["Date"], name="date"))
    return frame


def close_on(ticker: str, day: dt.date = DATE) -> float:
    return float(cleaned_prices(ticker, day)["close"].iloc[-1])


def expected_shares(ticker: str, weight: float, day: dt.date = DATE) -> int:
    return math.trunc(weight * CAPITAL / close_on(ticker, day))


def write_inputs(root: Path, weights: dict[str, float] = WEIGHTS, day: dt.date = DATE,
                 sample: bool = False, signal_session: dt.date | None = None) -> None:
    """Cleaned prices of TICKERS and signals whose last row (``signal_session``, by
    default the run date's) holds ``weights``."""
    provenance = Provenance(task="tests", source="sample" if sample else "csv",
                            sample_data=sample)
    cleaned = root / "data" / "cleaned" / day.isoformat()
    cleaned.mkdir(parents=True, exist_ok=True)
    for ticker in TICKERS:
        DataTarget(str(cleaned / f"{ticker}.parquet")).write_frame(cleaned_prices(ticker, day),
                                                                     provenance)
        (cleaned / f"{ticker}.quality.json").write_text(dump_json({"ticker": ticker}))
    index = sessions(day - dt.timedelta(days=10), signal_session or day)[-3:]
    frame = pd.DataFrame([weights] * len(index), index=index, columns=list(TICKERS),
                         dtype="float64")
    signals = root / "signals" / day.isoformat()
    signals.mkdir(parents=True, exist_ok=True)
    DataTarget(str(signals / "target_weights.parquet")).write_frame(frame, provenance)
    (signals / "rebalance.csv").write_text("ticker,action,previous_weight,target_weight,reason\n")
    (signals / "excluded.json").write_text(dump_json({"excluded": {}, "excluded_from_day": []}))
    stamp_as_done(root, day)


def stamp_as_done(root: Path, day: dt.date) -> None:
    """Stamp the written inputs as the done outputs of their tasks, under the settings
    ExecuteTrades runs with (this root, these tickers), so it reads them as they are."""
    from tasks.signals import GenerateSignals
    from tasks.validate import ValidatePrices

    config = PipelineConfig()
    config.set("paths", "root", root)
    config.set("universe", "tickers", ",".join(TICKERS))
    try:
        for task in (GenerateSignals(date=day),
                     *(ValidatePrices(date=day, ticker=t) for t in TICKERS)):
            task.write_stamp(task.new_stamp())
    finally:
        config.restore()


def configure(config: PipelineConfig) -> None:
    config.set("universe", "tickers", ",".join(TICKERS))
    config.set("execution", "capital", CAPITAL)
