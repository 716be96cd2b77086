"""Dividends are never dropped: a file in Yahoo's standard layout (OHLC split-adjusted,
``Adj Close`` also dividend-adjusted) gives back the dividend-adjusted returns."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from momentum_pipeline.sources.csvdir import fetch_csv
from momentum_pipeline.validation import PRICE_BASIS_ADJUSTED, clean_prices
from tests.conftest import REAL_OHLCV

START, END = dt.date(2015, 1, 2), dt.date(2024, 12, 31)
#: Ex-dividend sessions and the dividend as a fraction of the previous close.
DIVIDENDS = {"2016-02-04": 0.011, "2018-05-11": 0.015, "2020-08-07": 0.02,
             "2022-11-04": 0.012, "2024-08-12": 0.03}


def unadjusted_with_known_dividends(tmp_path):
    """The real, fully adjusted VZ bars as the truth, made back into Yahoo's standard
    layout: OHLC divided by the cumulative dividend factor, the truth as Adj Close."""
    truth = pd.read_csv(REAL_OHLCV / "VZ.csv", parse_dates=["Date"]).set_index("Date")
    truth = truth.loc[str(START):str(END)]
    factor = pd.Series(1.0, index=truth.index)
    for ex_date, dividend in DIVIDENDS.items():
        factor[truth.index < ex_date] *= 1 - dividend
    layout = (truth[["Open", "High", "Low", "Close"]].div(factor, axis=0)
              .assign(**{"Adj Close": truth["Close"], "Volume": truth["Volume"]}))
    layout.index = layout.index.strftime("%Y-%m-%d")
    layout.to_csv(tmp_path / "VZ.csv", index_label="Date", float_format="%.10f")
    return truth


def test_adjusted_close_when_dividends_known_then_returns_equal_the_adjusted_ones(tmp_path):
    truth = unadjusted_with_known_dividends(tmp_path)
    fetched = fetch_csv(tmp_path, "VZ", START, END)
    cleaned, report = clean_prices(fetched.frame, "VZ", END, str(tmp_path / "VZ.csv"))
    assert report.price_basis == PRICE_BASIS_ADJUSTED
    expected = truth["Close"].pct_change().dropna().to_numpy()
    got = cleaned["close"].pct_change().dropna().to_numpy()
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)
    np.testing.assert_allclose(cleaned["open"].to_numpy(), truth["Open"].to_numpy(), rtol=1e-9)
    assert cleaned["volume"].tolist() == truth["Volume"].tolist()


def test_adjusted_close_when_ignored_then_each_ex_date_would_lose_its_dividend(tmp_path):
    """What the test above guards against: read from Close, each ex-date's return is
    short by about its dividend."""
    truth = unadjusted_with_known_dividends(tmp_path)
    raw = pd.read_csv(tmp_path / "VZ.csv", parse_dates=["Date"]).set_index("Date")
    close_returns = raw["Close"].pct_change()
    true_returns = truth["Close"].pct_change()
    for ex_date, dividend in DIVIDENDS.items():
        shortfall = true_returns[ex_date] - close_returns[ex_date]
        assert abs(shortfall - dividend * (1 + true_returns[ex_date])) < 1e-9
