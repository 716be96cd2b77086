"""The sample source: a deterministic synthetic market that behaves like one.

Realism bands come from well-known facts about large US stocks (for 2015-2024 the
real S&P 100 prices in ../shared/data give a mean pairwise correlation of daily
returns of 0.38, 0.49 within a sector, autocorrelation of |returns| of 0.21,
volume-|return| correlation of 0.47), with room for a stylised model.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys

import exchange_calendars as xcals
import numpy as np
import pandas as pd
import pytest

from momentum_pipeline.sources import sample
from momentum_pipeline.sources.sample import fetch_sample, sample_bars
from momentum_pipeline.foundation.universe import load_sectors, load_universe
from momentum_pipeline.validation import clean_prices
from tasks.config import CONFIG_DIR
from tests.conftest import REPO

SEED = 20240101
END = dt.date(2024, 12, 31)
RUN_DATE = dt.date(2025, 10, 8)  # past the price anchor, as run dates are
SP100 = CONFIG_DIR / "universe" / "sp100.csv"
SECTORS = load_sectors(SP100)


def bars(ticker: str, end: dt.date = END, seed: int = SEED) -> pd.DataFrame:
    return sample_bars(ticker, SECTORS.get(ticker), end, seed)


def forget_caches() -> None:
    for cached in (sample._market_returns, sample._sector_returns, sample._calendar):
        cached.cache_clear()


@pytest.fixture(scope="module")
def market() -> dict[str, pd.DataFrame]:
    """Every S&P 100 member's sample bars, indexed by date."""
    return {t: bars(t).set_index("date") for t in load_universe(SP100)}


@pytest.fixture(scope="module")
def returns(market) -> pd.DataFrame:
    closes = pd.DataFrame({t: b["close"] for t, b in market.items()}).loc["2015":"2024"]
    return np.log(closes).diff().dropna()


def digest(frame: pd.DataFrame) -> str:
    return hashlib.sha256(pd.util.hash_pandas_object(frame, index=True).to_numpy()).hexdigest()


def test_sample_when_generated_twice_then_identical():
    assert bars("AAPL").equals(bars("AAPL"))


def test_sample_when_run_date_later_then_bars_up_to_earlier_date_unchanged():
    early, late = bars("MSFT", end=dt.date(2020, 6, 30)), bars("MSFT", end=RUN_DATE)
    assert early["date"].iloc[-1] == pd.Timestamp("2020-06-30")
    pd.testing.assert_frame_equal(late.iloc[:len(early)], early)


def test_sample_when_other_tickers_generated_first_then_bars_unchanged():
    forget_caches()
    alone = bars("JPM")
    forget_caches()
    for other in ("XOM", "BAC", "GS"):  # GS and BAC share JPM's sector factor
        bars(other)
    assert bars("JPM").equals(alone)


def test_sample_when_generated_in_another_process_then_identical():
    code = ("import datetime as dt, hashlib, pandas as pd;"
            "from momentum_pipeline.sources.sample import sample_bars;"
            f"b = sample_bars('AAPL', 'Information Technology', dt.date(2024, 12, 31), {SEED});"
            "print(hashlib.sha256(pd.util.hash_pandas_object(b, index=True).to_numpy())"
            ".hexdigest())")
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(REPO)}
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env=env, check=True).stdout.strip()
    assert other == digest(bars("AAPL"))


def test_sample_when_seed_or_ticker_differs_then_another_series():
    assert not np.allclose(bars("AAPL")["close"], bars("AAPL", seed=SEED + 1)["close"])
    assert not np.allclose(bars("AAPL")["close"], bars("MSFT")["close"])


def test_sample_when_generated_then_dates_are_exactly_the_nyse_sessions(market):
    nyse = xcals.get_calendar("XNYS", start=sample.SAMPLE_EPOCH.isoformat(), end="2025-12-31")
    expected = nyse.sessions_in_range(sample.SAMPLE_EPOCH.isoformat(), END.isoformat())
    assert market["AAPL"].index.equals(pd.DatetimeIndex(expected, name="date", freq=None))


def test_sample_when_generated_then_every_bar_is_consistent(market):
    for ticker, frame in market.items():
        o, h, lo, c, v = (frame[k].to_numpy() for k in ("open", "high", "low", "close",
                                                        "volume"))
        assert (lo > 0).all(), ticker
        assert (lo <= np.minimum(o, c)).all() and (h >= np.maximum(o, c)).all(), ticker
        assert frame["volume"].dtype == np.int64 and (v > 0).all(), ticker


def test_sample_when_validated_then_no_cleaning_rule_finds_anything():
    frame = fetch_sample("NVDA", SECTORS["NVDA"], dt.date(2010, 1, 1), END, SEED).frame
    cleaned, record = clean_prices(frame, "NVDA", END, where="sample:NVDA")
    assert record.findings == {} and len(cleaned) == len(frame)


def test_sample_when_fetched_then_marked_as_sample_data():
    fetched = fetch_sample("AAPL", None, dt.date(2024, 1, 1), END, SEED)
    assert fetched.source == "sample" and fetched.sample_data
    assert "SAMPLE DATA" in fetched.details["note"] and fetched.details["seed"] == SEED


def test_sample_when_window_given_then_only_bars_inside_it():
    frame = fetch_sample("AAPL", None, dt.date(2024, 3, 1), dt.date(2024, 3, 31), SEED).frame
    assert frame["date"].min() >= pd.Timestamp("2024-03-01")
    assert frame["date"].max() == pd.Timestamp("2024-03-28")  # Good Friday is 03-29


def test_sample_realism_when_many_tickers_then_returns_correlate_like_large_caps(returns):
    corr = returns.corr().to_numpy()
    upper = np.triu_indices_from(corr, 1)
    assert 0.2 < corr[upper].mean() < 0.65
    same = [corr[i, j] for i, j in zip(*upper, strict=True)
            if SECTORS[returns.columns[i]] == SECTORS[returns.columns[j]]]
    other = [corr[i, j] for i, j in zip(*upper, strict=True)
             if SECTORS[returns.columns[i]] != SECTORS[returns.columns[j]]]
    assert np.mean(same) > np.mean(other) + 0.01  # sectors co-move


def test_sample_realism_when_volatility_measured_then_it_clusters_and_has_regimes(returns):
    moves = returns.abs()
    clustering = [moves[t].autocorr(lag) for t in moves for lag in range(1, 6)]
    assert np.mean(clustering) > 0.05  # big moves follow big moves
    market_vol = returns.mean(axis=1).rolling(63).std().dropna() * np.sqrt(252)
    assert market_vol.max() > 2 * market_vol.min()  # calm and stressed regimes


def test_sample_realism_when_volatility_annualised_then_within_the_large_cap_band(returns):
    annual = returns.std() * np.sqrt(252)  # real S&P 100, 2015-2024: 0.18 to 0.70
    assert annual.between(0.15, 0.60).all(), annual[~annual.between(0.15, 0.60)]
    assert 0.20 < annual.median() < 0.40  # real: 0.28


@pytest.mark.parametrize("end", [END, RUN_DATE])
def test_sample_realism_when_run_date_recent_then_last_closes_are_large_cap_levels(end):
    last = pd.Series({t: bars(t, end=end)["close"].iloc[-1] for t in load_universe(SP100)})
    assert last.between(5, 1_500).all(), last[~last.between(5, 1_500)]
    assert 20 < last.median() < 600  # dollars; real S&P 100 on 2025-01-02: 166


def test_sample_realism_when_volume_compared_then_it_rises_with_the_move(market, returns):
    correlations = [np.corrcoef(returns[t].abs(),
                                np.log(market[t]["volume"].loc[returns.index]))[0, 1]
                    for t in returns]
    assert min(correlations) > 0.1
