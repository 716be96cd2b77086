"""FetchPrices and ValidatePrices with --data-source yahoo, Yahoo faked at the network edge.

The fixture installs a real ``requests.Session`` serving recorded-shape Yahoo
responses into yfinance's shared session (its ``YfData`` singleton), the one every
``yf.Ticker`` uses when given no session, so the task runs its production path.
"""

from __future__ import annotations

import datetime as dt

import pytest
import requests
from luigi.execution_summary import LuigiStatusCode

from momentum_pipeline.operations.alerts import alerts_of_run
from momentum_pipeline.foundation.frames import read_parquet, read_provenance
from momentum_pipeline.validation import PRICE_BASIS_ADJUSTED
from tasks.pipeline import ConfirmTicker
from tasks.validate import ValidatePrices
from tests.conftest import run_tasks
from tests.unit.sources.recorded_yahoo import (
    ACME_CHART, RecordedYahoo, chart_bars, install_session, recorded_session, yfinance_isolated)

RUN_DATE = dt.date(2024, 10, 14)


@pytest.fixture
def yahoo_config(pipeline_config):
    pipeline_config.set("data", "source", "yahoo")
    pipeline_config.set("data", "start", "2024-10-01")
    pipeline_config.set("data", "yahoo_retry_delay", "0.01")
    with yfinance_isolated():
        yield pipeline_config


def serve(*failures) -> RecordedYahoo:
    adapter = RecordedYahoo({"ACME": ACME_CHART}, failures=failures)
    install_session(recorded_session(adapter))
    return adapter


def test_yahoo_task_when_answered_after_a_time_out_then_cleaned_bars_are_the_charts(
        yahoo_config, data_root):
    adapter = serve(requests.exceptions.Timeout)
    result = run_tasks(ValidatePrices(date=RUN_DATE, ticker="ACME"))
    assert result.status == LuigiStatusCode.SUCCESS
    cleaned = data_root / "data" / "cleaned" / RUN_DATE.isoformat() / "ACME.parquet"
    bars = read_parquet(cleaned)
    assert bars["close"].tolist() == [b["adj_close"] for b in chart_bars(ACME_CHART)]
    assert [d.date() for d in bars.index] == [b["date"] for b in chart_bars(ACME_CHART)]
    provenance = read_provenance(cleaned)
    assert provenance.source == "yahoo" and not provenance.sample_data
    assert provenance.parameters["price_basis"] == PRICE_BASIS_ADJUSTED
    assert provenance.retrieved_at is not None
    assert len(adapter.chart_requests) == 3  # the failed probe, the probe, the bars
    retries = [line for line in (data_root / "logs" / "FetchPrices.log").read_text()
               .splitlines() if "attempt" in line]
    assert len(retries) == 1 and "WARNING" in retries[0]
    assert "yahoo: ticker ACME: attempt 1 failed" in retries[0]
    assert not (data_root / "logs" / "alerts.log").exists()


def test_yahoo_task_when_time_outs_persist_then_excluded_after_4_attempts_and_retried_next_run(
        yahoo_config, data_root):
    adapter = serve(*[requests.exceptions.Timeout] * 10)
    result = run_tasks(ConfirmTicker(date=RUN_DATE, ticker="ACME"))
    assert result.status == LuigiStatusCode.FAILED
    assert len(adapter.chart_requests) == 4
    [alert] = alerts_of_run(data_root / "logs" / "alerts.log", RUN_DATE)
    assert alert.family == "ConfirmTicker" and alert.parameters["ticker"] == "ACME"
    assert "at FetchPrices: SourceUnavailable: yahoo: ticker ACME: still failing after 4 " \
           "attempts: Timeout" in alert.error
    raw = data_root / "data" / "raw" / RUN_DATE.isoformat() / "ACME.parquet"
    assert not raw.exists()
    fetch_log = (data_root / "logs" / "FetchPrices.log").read_text()
    assert [n for n in (1, 2, 3) if f"ACME: attempt {n} failed" in fetch_log] == [1, 2, 3]
    assert "ACME: excluded from 2024-10-14 at FetchPrices" in fetch_log
    confirm_log = (data_root / "logs" / "ConfirmTicker.log").read_text()
    assert "FAILED: Traceback" in confirm_log and "TickerExcluded: ACME is excluded" in confirm_log
    adapter = serve()  # the network is back: the next run fetches again
    assert run_tasks(ConfirmTicker(date=RUN_DATE, ticker="ACME")).status == \
        LuigiStatusCode.SUCCESS
    assert raw.exists() and len(adapter.chart_requests) == 2


def test_yahoo_task_when_ticker_unknown_then_fails_at_once_with_an_alert(yahoo_config,
                                                                         data_root):
    adapter = serve()
    result = run_tasks(ConfirmTicker(date=RUN_DATE, ticker="NOPE"))
    assert result.status == LuigiStatusCode.FAILED
    [alert] = alerts_of_run(data_root / "logs" / "alerts.log", RUN_DATE)
    assert "yahoo: ticker NOPE: no daily bars between 2024-10-01 and 2024-10-14 (not retried)" \
        in alert.error
    requests_made = len(adapter.chart_requests)
    run_tasks(ConfirmTicker(date=RUN_DATE, ticker="NOPE"))  # not transient: not asked again
    assert len(adapter.chart_requests) == requests_made
