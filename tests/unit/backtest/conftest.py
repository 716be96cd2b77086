"""Cleaned real bars of a few tickers and a zipline bundle made from them."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import pandas as pd
import pytest

from momentum_pipeline.backtest.bundle import ingest_bundle
from momentum_pipeline.validation import clean_prices
from tests.conftest import REAL_OHLCV

RUN_DATE = dt.date(2021, 12, 31)
FIRST_DATE = "2019-01-02"
TICKERS = ("AAPL", "BRK-B", "JPM", "MSFT", "XOM")
BENCHMARK = "SPY"
#: Sessions taken out of MSFT's raw bars: the cleaning stage fills them (zero volume).
MSFT_GAPS = ("2020-03-10", "2020-03-11")


@functools.cache
def cleaned(ticker: str) -> pd.DataFrame:
    """Validated bars of ``ticker`` from the real CSV files (BRK-B is ``BRK-B.csv``)."""
    raw = pd.read_csv(REAL_OHLCV / f"{ticker}.csv", parse_dates=["Date"])
    raw.columns = [c.lower() for c in raw.columns]
    raw = raw.loc[(raw["date"] >= FIRST_DATE) & (raw["date"] <= pd.Timestamp(RUN_DATE))]
    if ticker == "MSFT":
        raw = raw.loc[~raw["date"].isin(pd.to_datetime(MSFT_GAPS))]
    bars, _ = clean_prices(raw.reset_index(drop=True), ticker, RUN_DATE, where=f"{ticker}.csv")
    return bars


def market() -> dict[str, pd.DataFrame]:
    return {t: cleaned(t) for t in (*TICKERS, BENCHMARK)}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> tuple[Path, dict]:
    """(zipline root, manifest) of a bundle of the tickers and the benchmark."""
    root = tmp_path_factory.mktemp("zipline")
    return root, ingest_bundle(market(), root, RUN_DATE)


#: JPM's last bar in the ``ended_bundle``: its data stops mid-month, as a delisting's would.
JPM_END = pd.Timestamp("2021-06-15")


def ended_market() -> dict[str, pd.DataFrame]:
    return {**market(), "JPM": cleaned("JPM").loc[:JPM_END]}


@pytest.fixture(scope="module")
def ended_bundle(tmp_path_factory) -> tuple[Path, dict]:
    """(zipline root, manifest) of the bundle with JPM's bars ending on :data:`JPM_END`."""
    root = tmp_path_factory.mktemp("zipline_ended")
    return root, ingest_bundle(ended_market(), root, RUN_DATE)
