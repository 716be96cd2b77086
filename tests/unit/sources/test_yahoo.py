"""The yahoo source through the real yfinance code, with Yahoo faked at the network edge.

Failures are injected where a real network fails (the HTTP adapter of a real
``requests.Session``): time-outs, dropped connections and HTTP 429 answers.
"""

from __future__ import annotations

import datetime as dt
import logging

import pandas as pd
import pytest
import requests

from momentum_pipeline.sources import SourceError
from momentum_pipeline.sources.yahoo import RetryPolicy, fetch_yahoo
from momentum_pipeline.validation import PRICE_BASIS_ADJUSTED, clean_prices
from tests.unit.sources.recorded_yahoo import (
    ACME_CHART, RecordedYahoo, chart_bars, recorded_session, yfinance_isolated)

START, END = dt.date(2024, 10, 1), dt.date(2024, 10, 14)
Timeout, ConnectionError = requests.exceptions.Timeout, requests.exceptions.ConnectionError


@pytest.fixture(autouse=True)
def fresh_yfinance():
    with yfinance_isolated():
        yield


def fetch(adapter: RecordedYahoo, sleeps: list[float], ticker: str = "ACME",
          policy: RetryPolicy = RetryPolicy()):
    return fetch_yahoo(ticker, START, END, session=recorded_session(adapter), policy=policy,
                       sleep=sleeps.append)


def test_yahoo_when_answered_then_bars_are_the_charts_quotes_with_its_adjusted_close():
    adapter, sleeps = RecordedYahoo({"ACME": ACME_CHART}), []
    fetched = fetch(adapter, sleeps)
    expected = pd.DataFrame(chart_bars(ACME_CHART))
    expected["date"] = pd.to_datetime(expected["date"])
    pd.testing.assert_frame_equal(fetched.frame, expected, check_dtype=False, rtol=1e-12)
    assert fetched.frame["date"].dt.tz is None
    assert sleeps == [] and fetched.source == "yahoo" and not fetched.sample_data
    assert fetched.retrieved_at is not None  # a live download says when


def test_yahoo_when_dividend_in_window_then_cleaned_bars_before_ex_date_scaled_down():
    fetched = fetch(RecordedYahoo({"ACME": ACME_CHART}), [])
    cleaned, report = clean_prices(fetched.frame, "ACME", END, "yahoo:ACME")
    chart = pd.DataFrame(chart_bars(ACME_CHART)).set_index("date")
    assert cleaned.loc["2024-10-04", "close"] < 53.51  # the chart's raw close that day
    assert cleaned.loc["2024-10-08", "close"] == 53.40  # on and after the ex-date: as traded
    assert cleaned["close"].tolist() == chart["adj_close"].tolist()
    assert cleaned["volume"].tolist() == chart["volume"].tolist()
    assert report.price_basis == PRICE_BASIS_ADJUSTED


@pytest.mark.parametrize("failure", [Timeout, ConnectionError, 429])
def test_yahoo_when_transient_failure_persists_then_four_attempts_with_2_4_8_s_waits(
        failure, caplog):
    adapter, sleeps = RecordedYahoo({"ACME": ACME_CHART}, failures=[failure] * 100), []
    with caplog.at_level(logging.WARNING, logger="momentum_pipeline.sources.yahoo"), \
            pytest.raises(SourceError, match="ticker ACME: still failing after 4 attempts"):
        fetch(adapter, sleeps)
    assert sleeps == [2.0, 4.0, 8.0]
    failed = [r.getMessage() for r in caplog.records if "failed" in r.getMessage()]
    assert [m.split(" failed")[0] for m in failed] == [
        "yahoo: ticker ACME: attempt 1", "yahoo: ticker ACME: attempt 2",
        "yahoo: ticker ACME: attempt 3"]


def test_yahoo_when_requests_time_out_then_one_chart_request_per_attempt():
    adapter = RecordedYahoo({"ACME": ACME_CHART}, failures=[Timeout] * 100)
    with pytest.raises(SourceError):
        fetch(adapter, [])
    assert len(adapter.chart_requests) == 4


def test_yahoo_when_rate_limited_then_the_error_names_the_rate_limit():
    adapter = RecordedYahoo({"ACME": ACME_CHART}, failures=[429] * 100)
    with pytest.raises(SourceError, match="YFRateLimitError"):
        fetch(adapter, [])


def test_yahoo_when_two_failures_then_third_attempt_returns_the_bars():
    adapter, sleeps = RecordedYahoo({"ACME": ACME_CHART}, failures=[Timeout, ConnectionError]), []
    fetched = fetch(adapter, sleeps)
    assert sleeps == [2.0, 4.0]
    assert fetched.frame["close"].tolist() == [bar["close"] for bar in chart_bars(ACME_CHART)]


def test_yahoo_when_ticker_unknown_then_failure_is_not_retried():
    adapter, sleeps = RecordedYahoo({"ACME": ACME_CHART}), []
    with pytest.raises(SourceError, match=r"ticker NOPE: no daily bars .*\(not retried\)"):
        fetch(adapter, sleeps, ticker="NOPE")
    assert sleeps == []


def test_yahoo_when_policy_has_other_delay_and_retries_then_waits_follow_it():
    adapter, sleeps = RecordedYahoo({"ACME": ACME_CHART}, failures=[Timeout] * 100), []
    with pytest.raises(SourceError, match="after 3 attempts"):
        fetch(adapter, sleeps, policy=RetryPolicy(retries=2, base_delay=0.5))
    assert sleeps == [0.5, 1.0]


def test_retry_policy_when_many_retries_then_wait_capped_at_max_delay():
    sleeps = []
    attempts = RetryPolicy(retries=7, base_delay=2.0, max_delay=60.0).retrying(sleeps.append)
    with pytest.raises(Timeout):
        attempts(lambda: (_ for _ in ()).throw(Timeout("down")))
    assert sleeps == [2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]
